//! Spawns a real runstrong instance per test, on a random port, against a
//! PostgreSQL database of its own that is dropped afterwards: a copy of a
//! template migrated and seeded once (tests/common/template_db.rs).

use std::sync::Once;

use diesel::{Connection, PgConnection, RunQueryDsl};
use runstrong::config::Config;
use runstrong::startup::Application;
use serde_json::Value;

/// The PostgreSQL server tests use; each test creates its own database.
pub fn server_url() -> String {
    std::env::var("RUNSTRONG_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

pub fn unique_database_name() -> String {
    format!("runstrong_test_{}", uuid::Uuid::now_v7().simple())
}

/// Without TLS: on loopback it protects nothing, and libpq's OpenSSL state
/// torn down by `exit` while a test's listener thread is still reconnecting
/// to its dropped database crashed the test binary after every test passed.
pub fn database_url(name: &str) -> String {
    format!("{}/{name}?sslmode=disable", server_url())
}

pub fn test_config(database_name: &str) -> Config {
    let mut config = Config::from_lookup(|_| None).expect("defaults are valid");
    config.database_url = database_url(database_name);
    config.listen_addr = "127.0.0.1:0".parse().unwrap();
    config.pool_size = 4;
    config.workers = 1;
    config.shutdown_timeout = std::time::Duration::from_secs(1);
    // Tests register and sign in many accounts from one address, several
    // at once: the throttles and the hashing cap have tests of their own.
    config.hashing_concurrency = 64;
    config.register_per_address = 1_000_000;
    config.login_per_address = 1_000_000;
    config
}

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            runstrong::telemetry::init(runstrong::config::LogFormat::Pretty);
        }
    });
}

/// Drops a test database, ending any connection still open to it.
pub fn drop_database(name: &str) {
    let name = name.to_owned();
    // Own thread: Drop may run inside the test's async runtime.
    std::thread::spawn(move || {
        let mut connection =
            PgConnection::establish(&database_url("postgres")).expect("connect to postgres");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut connection)
            .expect("drop test database");
    })
    .join()
    .expect("drop thread");
}

/// A test database name that is dropped when the guard goes, even when
/// the test panics.
pub struct TestDatabase {
    pub name: String,
}

impl TestDatabase {
    /// A name only: the database does not exist yet (for tests of what
    /// start-up does to an empty server, or of migrations step by step).
    pub fn new() -> Self {
        TestDatabase {
            name: unique_database_name(),
        }
    }

    /// A database already migrated and seeded, copied from the template.
    pub fn from_template() -> Self {
        let database = TestDatabase::new();
        crate::template_db::create_from_template_off_runtime(server_url(), database.name.clone());
        database
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        drop_database(&self.name);
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database_name: String,
    handle: actix_web::dev::ServerHandle,
    // Dropped after the server is told to stop (fields drop after `drop`).
    _database: TestDatabase,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// GET expecting 200 JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    pub fn database_url(&self) -> String {
        database_url(&self.database_name)
    }

    /// Another instance on this app's database, as behind a load balancer;
    /// it stops when dropped.
    pub async fn another_instance(&self) -> OtherInstance {
        self.another_instance_with(|_| {}).await
    }

    /// Another instance on this app's database, with `configure` applied
    /// to its test configuration.
    pub async fn another_instance_with(
        &self,
        configure: impl FnOnce(&mut Config),
    ) -> OtherInstance {
        let mut config = test_config(&self.database_name);
        configure(&mut config);
        let application = Application::build(config)
            .await
            .expect("second instance starts");
        let address = format!("http://127.0.0.1:{}", application.port());
        let handle = application.handle();
        tokio::spawn(application.run_until_stopped());
        OtherInstance { address, handle }
    }
}

pub struct OtherInstance {
    pub address: String,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for OtherInstance {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// Starts an instance with `configure` applied to its test configuration.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    init_logs();
    let database = TestDatabase::from_template();
    let database_name = database.name.clone();
    let mut config = test_config(&database_name);
    configure(&mut config);
    let application = Application::build(config)
        .await
        .expect("application starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    let handle = application.handle();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        database_name,
        handle,
        _database: database,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Asserts an RFC 9457 problem answer and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json");
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    for field in ["type", "title", "detail", "instance"] {
        assert!(body[field].is_string(), "problem lacks {field}: {body}");
    }
    body
}

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub account_id: String,
    pub email: String,
}

pub fn unique_email(label: &str) -> String {
    format!("{label}-{}@example.com", uuid::Uuid::now_v7().simple())
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        session: Option<&Session>,
    ) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match session {
            Some(session) => builder.bearer_auth(&session.token),
            None => builder,
        }
    }

    /// GET as `session`, expecting 200 JSON.
    pub async fn get_json_as(&self, path: &str, session: &Session) -> Value {
        let response = self
            .request(reqwest::Method::GET, path, Some(session))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// POST `body` as `session`, expecting `status` and a JSON answer.
    pub async fn post_json_as(
        &self,
        path: &str,
        session: &Session,
        body: &Value,
        status: u16,
    ) -> Value {
        let response = self
            .request(reqwest::Method::POST, path, Some(session))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "POST {path}");
        response.json().await.unwrap()
    }

    /// Registers a fresh account with `role` and returns its session.
    pub async fn register(&self, role: &str) -> Session {
        let email = unique_email(role);
        let response = self
            .client
            .post(self.url("/v1/accounts"))
            .json(&serde_json::json!({
                "email": email, "password": PASSWORD, "display_name": format!("Test {role}"), "role": role
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "register {role}");
        let body: Value = response.json().await.unwrap();
        Session {
            token: body["token"].as_str().unwrap().to_owned(),
            account_id: body["account"]["id"].as_str().unwrap().to_owned(),
            email,
        }
    }

    /// An admin made the only way there is: the command-line path.
    pub async fn admin(&self) -> Session {
        let email = unique_email("admin");
        let url = self.database_url();
        let admin_email = email.clone();
        tokio::task::spawn_blocking(move || {
            runstrong::admin::create_admin(&url, &admin_email, PASSWORD).unwrap()
        })
        .await
        .unwrap();
        self.login(&email).await
    }

    pub async fn login(&self, email: &str) -> Session {
        let response = self
            .client
            .post(self.url("/v1/tokens"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "login {email}");
        let body: Value = response.json().await.unwrap();
        Session {
            token: body["token"].as_str().unwrap().to_owned(),
            account_id: body["account"]["id"].as_str().unwrap().to_owned(),
            email: email.to_owned(),
        }
    }

    /// Creates an athlete profile owned by `owner`; returns (id, ETag).
    pub async fn create_athlete(&self, owner: &Session) -> (String, String) {
        let response = self
            .request(reqwest::Method::POST, "/v1/athletes", Some(owner))
            .json(&example_profile())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        (body["id"].as_str().unwrap().to_owned(), etag)
    }

    /// Grants `coach` access to the athlete and has the coach accept it;
    /// returns the grant id.
    pub async fn grant(
        &self,
        owner: &Session,
        athlete_id: &str,
        coach: &Session,
        access: &str,
    ) -> String {
        let grant_id = self.grant_pending(owner, athlete_id, coach, access).await;
        self.accept_grant(coach, &grant_id).await;
        grant_id
    }

    /// The coach accepts a grant made to them.
    pub async fn accept_grant(&self, coach: &Session, grant_id: &str) {
        let response = self
            .request(
                reqwest::Method::POST,
                &format!("/v1/coach/grants/{grant_id}/accept"),
                Some(coach),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "accept grant");
    }

    /// Grants `coach` access to the athlete, left pending; returns its id.
    pub async fn grant_pending(
        &self,
        owner: &Session,
        athlete_id: &str,
        coach: &Session,
        access: &str,
    ) -> String {
        let response = self
            .request(
                reqwest::Method::POST,
                &format!("/v1/athletes/{athlete_id}/grants"),
                Some(owner),
            )
            .json(&serde_json::json!({"coach_email": coach.email, "access": access}))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "grant: {}",
            response.status()
        );
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    /// The first row of `sql` as JSON text (use `row_to_json` / `json_agg`).
    pub async fn query_json(&self, sql: &str) -> String {
        let url = self.database_url();
        let sql = sql.to_owned();
        tokio::task::spawn_blocking(move || {
            #[derive(diesel::QueryableByName)]
            struct Json {
                #[diesel(sql_type = diesel::sql_types::Text)]
                json: String,
            }
            let mut connection = PgConnection::establish(&url).unwrap();
            diesel::sql_query(format!("SELECT coalesce(({sql})::text, 'null') AS json"))
                .get_result::<Json>(&mut connection)
                .unwrap()
                .json
        })
        .await
        .unwrap()
    }

    pub async fn execute_sql(&self, sql: &str) {
        let url = self.database_url();
        let sql = sql.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut connection = PgConnection::establish(&url).unwrap();
            diesel::sql_query(sql).execute(&mut connection).unwrap();
        })
        .await
        .unwrap();
    }
}

pub fn example_profile() -> Value {
    serde_json::json!({
        "name": "Sam Runner",
        "goal": "endurance",
        "experience": "intermediate",
        "available_days": ["monday", "tuesday", "wednesday", "thursday", "saturday", "sunday"],
        "minutes_per_day": 60,
        "long_run_day": "sunday",
        "runs_per_week": 4,
        "strength_sessions_per_week": 2,
        "current_weekly_km": 40.0,
        "longest_recent_run_km": 16.0,
        "equipment": ["dumbbell", "mat", "resistance_band"],
        "injuries": ["knee"],
        "race": {"date": "2027-04-18", "distance": "marathon"},
        "allow_hiit": true,
        "allow_two_a_days": false
    })
}
