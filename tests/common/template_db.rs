//! Test databases copied from a template that is migrated and seeded once,
//! instead of each test's instance migrating and seeding an empty database
//! at start-up (the idea of crates.io's `crates_io_test_db`).
//!
//! The template is `runstrong_template_<hash>`, the hash taken over
//! `migrations/` and `src/seed/` (the seed and the code that writes it):
//! what the template holds is fixed by them, so a template whose name
//! matches is never stale, and a change to either builds a new one. It is
//! built by the service's own start-up preparation
//! (`runstrong::db::prepare::prepare_database`), under an advisory lock so
//! that test binaries and threads starting together build it once, and
//! kept afterwards for the next run: one small database per state of the
//! migrations and seed (drop old ones with `DROP DATABASE` whenever no
//! tests run). An instance started on a copy finds its migrations applied
//! and its seed's hash recorded, so its start-up preparation changes
//! nothing.
//!
//! Shared by the `api` and `faults` test binaries (`#[path]` modules).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use diesel::{
    Connection, PgConnection, QueryableByName, RunQueryDsl,
    sql_types::{BigInt, Bool, Text},
};
use sha2::{Digest, Sha256};

/// Key of the advisory lock held while the template is looked for and
/// built ("rstmpl").
const TEMPLATE_LOCK_KEY: i64 = 0x7273_746d_706c;

/// The files that decide what the template holds.
const INPUTS: &[&str] = &["migrations", "src/seed"];

/// [`create_from_template`] on a thread of its own: the test helpers call
/// it inside a test's async runtime, and building the template may take
/// seconds of blocking work.
pub fn create_from_template_off_runtime(server_url: String, name: String) {
    std::thread::spawn(move || create_from_template(&server_url, &name))
        .join()
        .expect("template copy thread");
}

/// Creates the empty database `name` on the server at `server_url` as a
/// copy of the template, building the template first if this state of
/// the migrations and the seed has none yet.
pub fn create_from_template(server_url: &str, name: &str) {
    let template = template(server_url);
    let mut connection =
        PgConnection::establish(&url(server_url, "postgres")).expect("connect to postgres");
    diesel::sql_query(format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quoted(name),
        quoted(template)
    ))
    .execute(&mut connection)
    .unwrap_or_else(|error| panic!("create {name} from {template}: {error}"));
}

/// The template's name, built at most once per test binary run.
fn template(server_url: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("runstrong_template_{}", &inputs_hash()[..16]);
        ensure_template(server_url, &name);
        name
    })
}

fn ensure_template(server_url: &str, name: &str) {
    let mut connection =
        PgConnection::establish(&url(server_url, "postgres")).expect("connect to postgres");
    // Session-level: released when this connection closes, also when the
    // test binary dies half-way.
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(TEMPLATE_LOCK_KEY)
        .execute(&mut connection)
        .expect("take the template lock");
    if database_exists(&mut connection, name) {
        return;
    }
    // Built under another name and renamed when complete, so a build cut
    // off half-way is never taken for a template; its leftover is dropped.
    let building = format!("{name}_building");
    drop_if_exists(&mut connection, &building);
    runstrong::db::prepare::prepare_database(&url(server_url, &building))
        .unwrap_or_else(|error| panic!("prepare the template database {building}: {error}"));
    // Preparation has closed its connections; nothing may stay connected
    // to a template: CREATE DATABASE ... TEMPLATE fails while any session
    // is, so connections to it are refused from here on.
    for statement in [
        format!(
            "ALTER DATABASE {} RENAME TO {}",
            quoted(&building),
            quoted(name)
        ),
        format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", quoted(name)),
    ] {
        diesel::sql_query(&statement)
            .execute(&mut connection)
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
}

/// SHA-256 over the relative path and content of every file in `INPUTS`,
/// in path order.
fn inputs_hash() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for input in INPUTS {
        collect_files(&root.join(input), &mut files);
    }
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        let relative = file.strip_prefix(root).expect("under the crate root");
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        let content = std::fs::read(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(content);
    }
    hex::encode(hasher.finalize())
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap_or_else(|e| panic!("{path:?}: {e}")) {
            collect_files(&entry.expect("directory entry").path(), files);
        }
    } else {
        files.push(path.to_owned());
    }
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

fn database_exists(connection: &mut PgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<Text, _>(name)
        .get_result::<Exists>(connection)
        .expect("look the template up")
        .exists
}

fn drop_if_exists(connection: &mut PgConnection, name: &str) {
    diesel::sql_query(format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        quoted(name)
    ))
    .execute(connection)
    .unwrap_or_else(|error| panic!("drop {name}: {error}"));
}

/// Without TLS, as every test connection (see tests/api/helpers.rs).
fn url(server_url: &str, database: &str) -> String {
    format!("{server_url}/{database}?sslmode=disable")
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
