//! What the fault tests share: the real `runstrong` binary as a child
//! process (so signals, exit codes and logs are the real ones), databases
//! on the machine's PostgreSQL, a throwaway PostgreSQL cluster a test may
//! stop and start, haproxy, and a small API client.

use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{Value, json};

mod streaming;

pub const PASSWORD: &str = "fault-test passphrase 7f3a";

/// Every secret a test handed to a runstrong instance (passwords, tokens,
/// database passwords); the secrets check looks for each in the logs.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub fn remember_secret(secret: &str) {
    SECRETS.lock().unwrap().push(secret.to_owned());
}

pub fn secrets() -> Vec<String> {
    SECRETS.lock().unwrap().clone()
}

/// A directory of its own under the system temp dir, removed on drop unless
/// the test failed (then it is kept, and named, for the post-mortem).
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "runstrong-faults-{label}-{}",
            uuid::Uuid::now_v7().simple()
        ));
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept for inspection: {}", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// A port nobody listens on right now (for processes that need one named
/// up front: haproxy, the throwaway cluster).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("bind a free port")
        .port()
}

// ---------------------------------------------------------------- databases

/// The machine's PostgreSQL, as the other integration tests use it.
pub fn server_url() -> String {
    std::env::var("RUNSTRONG_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A database name on the machine's PostgreSQL, dropped when this guard
/// goes, even on panic.
pub struct TestDatabase {
    pub name: String,
}

impl TestDatabase {
    /// A name only: runstrong creates, migrates and seeds the database at
    /// start-up (for tests of instances starting on an empty database).
    pub fn new() -> TestDatabase {
        TestDatabase {
            name: format!("runstrong_faults_{}", uuid::Uuid::now_v7().simple()),
        }
    }

    /// A database already migrated and seeded, copied from the template
    /// (tests/common/template_db.rs): runstrong's start-up finds nothing
    /// to do.
    pub fn from_template() -> TestDatabase {
        let database = TestDatabase::new();
        crate::template_db::create_from_template_off_runtime(server_url(), database.name.clone());
        database
    }

    pub fn url(&self) -> String {
        // Without TLS, as in the API tests (see tests/api/helpers.rs).
        format!("{}/{}?sslmode=disable", server_url(), self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // A thread of its own: this may run inside the async runtime.
        let _ = std::thread::spawn(move || {
            if let Ok(mut connection) =
                PgConnection::establish(&format!("{}/postgres", server_url()))
            {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut connection);
            }
        })
        .join();
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `SELECT count(*) AS n ...`-style scalar query, run on a connection of
/// its own (never runstrong's pool).
pub fn query_count(url: &str, sql: &str) -> i64 {
    let url = url.to_owned();
    let sql = sql.to_owned();
    std::thread::spawn(move || {
        let mut connection = PgConnection::establish(&url).expect("connect for a check");
        diesel::sql_query(&sql)
            .get_result::<Count>(&mut connection)
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
            .n
    })
    .join()
    .expect("query thread")
}

/// Holds a table lock from a connection of the test's own until released,
/// so runstrong's statements on that table wait (in flight) meanwhile.
pub struct TableLock {
    release: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TableLock {
    pub fn take(url: &str, table: &str, mode: &str) -> TableLock {
        let url = url.to_owned();
        let sql = format!("BEGIN; LOCK TABLE {table} IN {mode} MODE");
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (locked, is_locked) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            use diesel::connection::SimpleConnection;
            let mut connection = PgConnection::establish(&url).expect("connect to lock");
            connection.batch_execute(&sql).expect("take the lock");
            locked.send(()).unwrap();
            // Until released, or at most a minute (a failed test must not
            // leave the lock behind).
            let _ = released.recv_timeout(Duration::from_secs(60));
            let _ = connection.batch_execute("ROLLBACK");
        });
        is_locked
            .recv_timeout(Duration::from_secs(30))
            .expect("lock taken");
        TableLock {
            release,
            thread: Some(thread),
        }
    }

    pub fn release(mut self) {
        self.release_now();
    }

    fn release_now(&mut self) {
        let _ = self.release.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TableLock {
    fn drop(&mut self) {
        self.release_now();
    }
}

// ------------------------------------------------------ throwaway PostgreSQL

/// A PostgreSQL cluster of the test's own (initdb + pg_ctl) on a free port,
/// so a test can stop and start it without touching the machine's server.
/// Stopped and deleted on drop, even when the test panics.
pub struct Cluster {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres_user: bool,
}

/// The password in the cluster's URLs: trust authentication ignores it, but
/// runstrong is handed it, so the secrets check can look for it.
pub const CLUSTER_PASSWORD: &str = "cluster-secret-b41d";

fn postgres_bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("RUNSTRONG_TEST_PG_BIN") {
        return PathBuf::from(dir);
    }
    // Debian: /usr/lib/postgresql/<major>/bin, newest first.
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => PathBuf::from("/usr/local/bin"),
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    pub fn start() -> Cluster {
        let dir = TempDir::new("pg");
        let as_postgres_user = running_as_root();
        if as_postgres_user {
            // initdb refuses to run as root: the cluster belongs to `postgres`.
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir.path)
                .status()
                .expect("run chown");
            assert!(status.success(), "chown the cluster dir to postgres");
        }
        let cluster = Cluster {
            bin: postgres_bin_dir(),
            port: free_port(),
            as_postgres_user,
            dir,
        };
        let data = cluster.data_dir();
        let output = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
            .output()
            .expect("run initdb");
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        cluster.start_again();
        cluster
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path.join("data")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path.join("postgres.log")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    /// URL of `database` on this cluster (with a password trust ignores).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres:{CLUSTER_PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            self.port,
            self.dir.path.display()
        );
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_path())
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .expect("run pg_ctl start");
        assert!(
            output.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            fs::read_to_string(self.log_path()).unwrap_or_default()
        );
    }

    /// Stops the server the way an operator or a failover does (`fast`:
    /// sessions are terminated, nothing waits for clients).
    pub fn stop(&self) {
        self.stop_with("fast");
    }

    /// `mode` is pg_ctl's: `smart`, `fast` or `immediate` (a crash: no
    /// shutdown checkpoint, crash recovery at the next start).
    pub fn stop_with(&self, mode: &str) {
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", mode, "-w", "-t", "60", "stop"])
            .output()
            .expect("run pg_ctl stop");
        assert!(
            output.status.success() || mode == "immediate",
            "pg_ctl stop failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    pub fn server_log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop_with("immediate");
    }
}

// ---------------------------------------------------------------- runstrong

/// A runstrong process started from the binary cargo built for this test
/// target, its standard output and error in files.
pub struct Instance {
    child: Child,
    pub port: u16,
    pub base: String,
    dir: TempDir,
    pub label: String,
}

impl Instance {
    /// Starts runstrong with `env` (on top of test defaults: a free port,
    /// 2 workers, small pool) and waits until it listens.
    pub async fn start(label: &str, env: &[(&str, &str)]) -> Instance {
        let dir = TempDir::new(label);
        let stdout = fs::File::create(dir.path.join("stdout.log")).unwrap();
        let stderr = fs::File::create(dir.path.join("stderr.log")).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_runstrong"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUNSTRONG_ADDR", "127.0.0.1:0")
            .env("RUNSTRONG_WORKERS", "2")
            .env("RUNSTRONG_POOL_SIZE", "4")
            .env("RUNSTRONG_SHUTDOWN_TIMEOUT_S", "10")
            .env("RUNSTRONG_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("spawn runstrong");
        let mut instance = Instance {
            child,
            port: 0,
            base: String::new(),
            dir,
            label: label.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(port) = listening_port(&instance.logs()) {
                instance.port = port;
                instance.base = format!("http://127.0.0.1:{port}");
                break;
            }
            if let Ok(Some(status)) = instance.child.try_wait() {
                panic!(
                    "{label} exited at start-up ({status}):\n{}",
                    instance.logs()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{label} did not start listening:\n{}",
                instance.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        instance
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the process wrote to stdout and stderr so far.
    pub fn logs(&self) -> String {
        let mut text = fs::read_to_string(self.dir.path.join("stdout.log")).unwrap_or_default();
        text.push_str(&fs::read_to_string(self.dir.path.join("stderr.log")).unwrap_or_default());
        text
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {}", self.pid());
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the process to exit.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The port in the "runstrong is listening" line (JSON or pretty format).
fn listening_port(logs: &str) -> Option<u16> {
    let line = logs
        .lines()
        .find(|line| line.contains("runstrong is listening"))?;
    let after = &line[line.find("127.0.0.1:")? + "127.0.0.1:".len()..];
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

// ----------------------------------------------------------------- haproxy

/// haproxy in front of `backends`, round robin per request, as a child
/// process with a generated configuration (not the system service). Every
/// response names the backend that served it in `X-Served-By`.
pub struct Haproxy {
    child: Child,
    pub base: String,
    _dir: TempDir,
}

fn haproxy_binary() -> PathBuf {
    for candidate in ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    let found = Command::new("sh")
        .args(["-c", "command -v haproxy"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    match found {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => panic!(
            "haproxy is not installed: run `.ci/install-fault-tools` (as root) before `cargo test --test faults`"
        ),
    }
}

impl Haproxy {
    pub async fn start(backends: &[&Instance]) -> Haproxy {
        let binary = haproxy_binary();
        let dir = TempDir::new("haproxy");
        let port = free_port();
        let mut config = format!(
            "global\n  maxconn 2000\n\n\
             defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n\
             \x20 option http-keep-alive\n\n\
             frontend api\n  bind 127.0.0.1:{port}\n  default_backend runstrong\n\n\
             backend runstrong\n  balance roundrobin\n\
             \x20 http-response set-header X-Served-By %[srv_name]\n"
        );
        for backend in backends {
            config.push_str(&format!(
                "  server {} 127.0.0.1:{}\n",
                backend.label, backend.port
            ));
        }
        let config_path = dir.path.join("haproxy.cfg");
        fs::write(&config_path, config).unwrap();
        let check = Command::new(&binary)
            .arg("-c")
            .arg("-f")
            .arg(&config_path)
            .output()
            .expect("run haproxy -c");
        assert!(
            check.status.success(),
            "haproxy config: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new(&binary)
            .arg("-db")
            .arg("-f")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.path.join("haproxy.log")).unwrap())
            .stderr(fs::File::create(dir.path.join("haproxy.err")).unwrap())
            .spawn()
            .expect("spawn haproxy");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "haproxy did not listen");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Haproxy {
            child,
            base,
            _dir: dir,
        }
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// --------------------------------------------------------------- API client

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub token: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        // A request that hangs is a failure the tests must see, not wait out.
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub fn unique_email(label: &str) -> String {
    format!("{label}-{}@example.com", uuid::Uuid::now_v7().simple())
}

pub async fn register(client: &reqwest::Client, base: &str, role: &str) -> Account {
    let email = unique_email(role);
    remember_secret(PASSWORD);
    let response = client
        .post(format!("{base}/v1/accounts"))
        .json(&json!({"email": email, "password": PASSWORD, "display_name": "Fault Test", "role": role}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "register {role}");
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_owned();
    remember_secret(&token);
    Account { email, token }
}

pub fn example_profile() -> Value {
    json!({
        "name": "Fault Runner",
        "goal": "endurance",
        "experience": "intermediate",
        "available_days": ["monday", "tuesday", "wednesday", "thursday", "saturday", "sunday"],
        "minutes_per_day": 60,
        "long_run_day": "sunday",
        "runs_per_week": 4,
        "strength_sessions_per_week": 2,
        "current_weekly_km": 40.0,
        "longest_recent_run_km": 16.0,
        "equipment": ["dumbbell", "mat"],
        "injuries": [],
        "allow_hiit": true,
        "allow_two_a_days": false
    })
}

/// Creates an athlete profile owned by `owner`; returns its id.
pub async fn create_athlete(client: &reqwest::Client, base: &str, owner: &Account) -> String {
    let response = client
        .post(format!("{base}/v1/athletes"))
        .bearer_auth(&owner.token)
        .json(&example_profile())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "create athlete");
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// The body of the `n`-th logged run: distinct per `n`, always valid.
pub fn run_body(n: u64) -> Value {
    let started = chrono_like_timestamp(n);
    json!({"kind": "easy_run", "started_at": started, "duration_min": 30 + (n % 30), "distance_km": 5.0, "rpe": 3})
}

/// An RFC 3339 time `n` minutes after 2026-01-01, within the past.
fn chrono_like_timestamp(n: u64) -> String {
    use chrono::TimeZone;
    let start = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let minutes = (n % (300 * 24 * 60)) as i64;
    (start + chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Logs the `n`-th run for `athlete` under `key`.
pub async fn post_run(
    client: &reqwest::Client,
    base: &str,
    account: &Account,
    athlete: &str,
    key: &str,
    n: u64,
) -> Result<reqwest::Response, reqwest::Error> {
    client
        .post(format!("{base}/v1/athletes/{athlete}/sessions"))
        .bearer_auth(&account.token)
        .header("Idempotency-Key", key)
        .json(&run_body(n))
        .send()
        .await
}

// ------------------------------------------------------------ the secrets

/// Fails when `logs` contain any remembered secret, a bearer token or an
/// `Authorization` header value.
pub fn assert_no_secrets(label: &str, logs: &str) {
    for secret in secrets() {
        assert!(
            !logs.contains(&secret),
            "{label}: the logs contain a secret ({}…)",
            &secret[..secret.len().min(6)]
        );
    }
    // Any token, even one no test remembered: rs_ (bearer) or rscal_
    // (calendar feed) + 43 base64url characters.
    for prefix in ["rs_", "rscal_"] {
        let mut rest = logs;
        while let Some(at) = rest.find(prefix) {
            let tail = &rest[at + prefix.len()..];
            let run = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .count();
            assert!(run < 40, "{label}: the logs contain a {prefix} token");
            rest = tail;
        }
    }
    let lower = logs.to_ascii_lowercase();
    assert!(
        !lower.contains("bearer "),
        "{label}: the logs contain an Authorization header value"
    );
}

// ---------------------------------------------------------------- PgBouncer

/// PgBouncer in transaction mode in front of the machine's PostgreSQL, as
/// a child process with a generated configuration (not the system
/// service), run as `postgres` when the tests run as root (it refuses to
/// run as root). Any database name is passed through; each database and
/// user pair gets at most `pool_size` server connections.
pub struct PgBouncer {
    child: Child,
    pub port: u16,
    dir: TempDir,
}

fn pgbouncer_binary() -> PathBuf {
    for candidate in [
        "/usr/sbin/pgbouncer",
        "/usr/bin/pgbouncer",
        "/usr/local/bin/pgbouncer",
    ] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "pgbouncer is not installed: run `.ci/install-fault-tools` (as root) before `cargo test --test faults`"
    )
}

impl PgBouncer {
    pub async fn start(pool_size: u32) -> PgBouncer {
        let binary = pgbouncer_binary();
        let dir = TempDir::new("pgbouncer");
        let port = free_port();
        let (host, server_port) = server_host_port();
        fs::write(dir.path.join("userlist.txt"), "\"postgres\" \"\"\n").unwrap();
        let config = format!(
            "[databases]\n* = host={host} port={server_port}\n\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
             auth_type = trust\nauth_file = {dir}/userlist.txt\n\
             pool_mode = transaction\n\
             default_pool_size = {pool_size}\nmin_pool_size = 0\nreserve_pool_size = 0\n\
             max_client_conn = 2000\n\
             admin_users = postgres\nstats_users = postgres\n\
             ignore_startup_parameters = extra_float_digits\n\
             logfile = {dir}/pgbouncer.log\npidfile = {dir}/pgbouncer.pid\n",
            dir = dir.path.display()
        );
        let config_path = dir.path.join("pgbouncer.ini");
        fs::write(&config_path, config).unwrap();
        let mut command = if running_as_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir.path)
                .status()
                .expect("run chown");
            assert!(status.success(), "chown the pgbouncer dir to postgres");
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&binary);
            command
        } else {
            Command::new(&binary)
        };
        let child = command
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.path.join("stdout.log")).unwrap())
            .stderr(fs::File::create(dir.path.join("stderr.log")).unwrap())
            .spawn()
            .expect("spawn pgbouncer");
        let mut bouncer = PgBouncer { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = bouncer.child.try_wait() {
                panic!("pgbouncer exited ({status}):\n{}", bouncer.logs());
            }
            assert!(
                Instant::now() < deadline,
                "pgbouncer did not listen:\n{}",
                bouncer.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bouncer
    }

    /// URL of `database` through PgBouncer.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{database}?sslmode=disable",
            self.port
        )
    }

    pub fn logs(&self) -> String {
        let mut text = String::new();
        for file in ["pgbouncer.log", "stdout.log", "stderr.log"] {
            text.push_str(&fs::read_to_string(self.dir.path.join(file)).unwrap_or_default());
        }
        text
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        // pgbouncer itself (its pid file), not only runuser in front of it.
        let pid = fs::read_to_string(self.dir.path.join("pgbouncer.pid"))
            .map(|text| text.trim().to_owned())
            .unwrap_or_else(|_| self.child.id().to_string());
        let _ = Command::new("kill").arg("-TERM").arg(pid).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Host and port of `server_url()` (`postgres://user@host:port`).
pub fn server_host_port() -> (String, u16) {
    let url = server_url();
    let authority = url.rsplit('@').next().unwrap_or("127.0.0.1:5432");
    let authority = authority.split('/').next().unwrap_or(authority);
    match authority.rsplit_once(':') {
        Some((host, port)) => (host.to_owned(), port.parse().unwrap_or(5432)),
        None => (authority.to_owned(), 5432),
    }
}
