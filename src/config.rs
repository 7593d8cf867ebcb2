//! Configuration read from environment variables, with defaults that run
//! the service on a developer machine without any setting at all.

use std::{env, net::SocketAddr, str::FromStr, time::Duration};

use actix_web::http::header::HeaderName;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// PostgreSQL connection URL; the database is created when missing.
    /// The pool connects here: a connection pooler (PgBouncer in
    /// transaction mode) may stand in front of PostgreSQL.
    pub database_url: String,
    /// A direct connection to PostgreSQL (never through a transaction
    /// pooler), for what needs a session of its own: LISTEN for catalog
    /// changes, and start-up preparation (CREATE DATABASE, migrations
    /// under a session-level advisory lock). `None`: `database_url`. Read
    /// it with `direct_database_url`.
    pub listen_database_url: Option<String>,
    /// Whether pooled connections keep diesel's prepared statements
    /// (named, prepared once per connection). A transaction pooler hands
    /// each transaction to any server connection, where a statement
    /// prepared on another one does not exist: set false behind one, and
    /// every statement goes as an unnamed parse-bind-execute instead, and
    /// session limits are stored on the role (see `db::prepare`).
    pub prepared_statements: bool,
    /// A streaming replica of `database_url` that serves the reads which
    /// tolerate a moment's staleness (lists, the load report, adherence);
    /// `None`: every read goes to the primary. See `db::reads`.
    pub replica_url: Option<String>,
    /// A replica further behind than this is not read from (its reads go
    /// to the primary) until it catches up.
    pub replica_max_lag: Duration,
    /// Address the HTTP server listens on (`127.0.0.1:0` picks a free port).
    pub listen_addr: SocketAddr,
    /// Maximum connections in the r2d2 pool.
    pub pool_size: u32,
    /// How long a request waits for a pooled connection before answering 503.
    pub pool_timeout: Duration,
    /// Requests that may wait for a connection at once (first come, first
    /// served); more answer 503 at once. 0 means eight per connection.
    pub pool_queue: usize,
    /// PostgreSQL `statement_timeout` for every pooled connection.
    pub statement_timeout: Duration,
    /// The most one request's database work (`db::run`: waiting for a
    /// connection and every statement on it) may take before the request
    /// answers 503: the client-side bound that `statement_timeout`, which
    /// the server enforces, cannot give when the server or the path to it
    /// stops answering (see `db::run`). `None`: `statement_timeout` + 10 s.
    /// Read it with `db_deadline`.
    pub db_deadline: Option<Duration>,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Largest accepted activity file (session import), in bytes: larger
    /// than the JSON limit, since a day-long FIT file with 1 s records is
    /// a few megabytes and a GPX of it several times that.
    pub import_limit_bytes: usize,
    /// Number of actix worker threads (0 = one per core).
    pub workers: usize,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_timeout: Duration,
    pub log_format: LogFormat,
    /// How long a bearer token stays valid.
    pub token_lifetime: Duration,
    /// Failed logins for one email, within `login_window`, before lockout.
    pub login_max_failures: u32,
    /// The window failures are counted in, and the length of a lockout.
    pub login_window: Duration,
    /// Password hashes (sign-in and registration) one instance computes
    /// at once; more answer 503 at once.
    pub hashing_concurrency: usize,
    /// Registrations from one client address per `register_window`.
    pub register_per_address: u32,
    pub register_window: Duration,
    /// Sign-in attempts from one client address per `login_address_window`.
    pub login_per_address: u32,
    pub login_address_window: Duration,
    /// The header a trusted reverse proxy puts the client's address in
    /// (`X-Forwarded-For`, `X-Real-IP`, `Forwarded`); without it, the peer
    /// address of the connection is the client's.
    pub trusted_proxy_header: Option<HeaderName>,
    /// How long a request body may take to arrive, in full.
    pub body_timeout: Duration,
    /// How often expired throttle rows and old idempotency keys are purged.
    pub retention_interval: Duration,
    /// How long an `Idempotency-Key` is remembered: a retry after that is a
    /// new request.
    pub idempotency_retention: Duration,
    pub webhooks: WebhookSettings,
}

/// How webhooks are delivered (src/webhooks).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// The first retry waits about this long; each next one twice as long,
    /// with jitter.
    pub retry_base: Duration,
    /// A delivery not answered 2xx within this long of its event is failed.
    pub give_up_after: Duration,
    /// Loopback, private and link-local targets are refused unless set
    /// (tests and closed networks).
    pub allow_private_targets: bool,
    /// 32 bytes (base64) that seal signing secrets at rest; without it the
    /// key is kept in the database (development only: a warning says so).
    pub secret_key: Option<[u8; 32]>,
    /// How often each instance looks for events and due retries.
    pub poll_interval: Duration,
    /// Attempts one instance has in flight at once.
    pub concurrency: usize,
}

/// A setting that could not be parsed; start-up stops with this message.
#[derive(Debug, thiserror::Error)]
#[error("invalid value {value:?} for {name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub reason: String,
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/runstrong";

impl Config {
    /// Reads every setting from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Reads every setting through `lookup`, so tests can configure an
    /// instance without touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let setting = |name: &'static str, default: &str| -> String {
            lookup(name).unwrap_or_else(|| default.to_owned())
        };
        let config = Config {
            database_url: setting("DATABASE_URL", DEFAULT_DATABASE_URL),
            listen_database_url: lookup("RUNSTRONG_LISTEN_DATABASE_URL")
                .filter(|value| !value.trim().is_empty()),
            prepared_statements: parse_bool(
                "RUNSTRONG_PREPARED_STATEMENTS",
                &setting("RUNSTRONG_PREPARED_STATEMENTS", "true"),
            )?,
            replica_url: lookup("RUNSTRONG_REPLICA_URL").filter(|value| !value.trim().is_empty()),
            replica_max_lag: Duration::from_millis(parse_in(
                "RUNSTRONG_REPLICA_MAX_LAG_MS",
                &setting("RUNSTRONG_REPLICA_MAX_LAG_MS", "5000"),
                1..=3_600_000,
            )?),
            listen_addr: parse(
                "RUNSTRONG_ADDR",
                &setting("RUNSTRONG_ADDR", "127.0.0.1:8080"),
            )?,
            pool_size: parse_in(
                "RUNSTRONG_POOL_SIZE",
                &setting("RUNSTRONG_POOL_SIZE", "10"),
                1..=1000,
            )?,
            pool_timeout: Duration::from_millis(parse_in(
                "RUNSTRONG_POOL_TIMEOUT_MS",
                &setting("RUNSTRONG_POOL_TIMEOUT_MS", "3000"),
                1..=600_000,
            )?),
            pool_queue: parse_in(
                "RUNSTRONG_POOL_QUEUE",
                &setting("RUNSTRONG_POOL_QUEUE", "0"),
                0..=1_000_000,
            )?,
            statement_timeout: Duration::from_millis(parse_in(
                "RUNSTRONG_STATEMENT_TIMEOUT_MS",
                &setting("RUNSTRONG_STATEMENT_TIMEOUT_MS", "5000"),
                1..=3_600_000,
            )?),
            db_deadline: lookup("RUNSTRONG_DB_DEADLINE_MS")
                .map(|value| parse_in("RUNSTRONG_DB_DEADLINE_MS", &value, 1000..=3_600_000))
                .transpose()?
                .map(Duration::from_millis),
            body_limit_bytes: parse_in(
                "RUNSTRONG_BODY_LIMIT_BYTES",
                &setting("RUNSTRONG_BODY_LIMIT_BYTES", "1048576"),
                1024..=1_073_741_824,
            )?,
            import_limit_bytes: parse_in(
                "RUNSTRONG_IMPORT_LIMIT_BYTES",
                &setting("RUNSTRONG_IMPORT_LIMIT_BYTES", "26214400"),
                1024..=1_073_741_824,
            )?,
            workers: parse_in(
                "RUNSTRONG_WORKERS",
                &setting("RUNSTRONG_WORKERS", "0"),
                0..=1024,
            )?,
            shutdown_timeout: Duration::from_secs(parse_in(
                "RUNSTRONG_SHUTDOWN_TIMEOUT_S",
                &setting("RUNSTRONG_SHUTDOWN_TIMEOUT_S", "30"),
                0..=3600,
            )?),
            token_lifetime: Duration::from_secs(parse_in(
                "RUNSTRONG_TOKEN_LIFETIME_S",
                &setting("RUNSTRONG_TOKEN_LIFETIME_S", "2592000"),
                60..=31_536_000,
            )?),
            login_max_failures: parse_in(
                "RUNSTRONG_LOGIN_MAX_FAILURES",
                &setting("RUNSTRONG_LOGIN_MAX_FAILURES", "5"),
                1..=1000,
            )?,
            login_window: Duration::from_secs(parse_in(
                "RUNSTRONG_LOGIN_WINDOW_S",
                &setting("RUNSTRONG_LOGIN_WINDOW_S", "900"),
                1..=86_400,
            )?),
            hashing_concurrency: match lookup("RUNSTRONG_HASHING_CONCURRENCY") {
                Some(value) => parse_in("RUNSTRONG_HASHING_CONCURRENCY", &value, 1..=1024)?,
                None => default_hashing_concurrency(),
            },
            register_per_address: parse_in(
                "RUNSTRONG_REGISTER_PER_ADDRESS",
                &setting("RUNSTRONG_REGISTER_PER_ADDRESS", "20"),
                1..=1_000_000,
            )?,
            register_window: Duration::from_secs(parse_in(
                "RUNSTRONG_REGISTER_WINDOW_S",
                &setting("RUNSTRONG_REGISTER_WINDOW_S", "3600"),
                1..=86_400,
            )?),
            login_per_address: parse_in(
                "RUNSTRONG_LOGIN_PER_ADDRESS",
                &setting("RUNSTRONG_LOGIN_PER_ADDRESS", "50"),
                1..=1_000_000,
            )?,
            login_address_window: Duration::from_secs(parse_in(
                "RUNSTRONG_LOGIN_ADDRESS_WINDOW_S",
                &setting("RUNSTRONG_LOGIN_ADDRESS_WINDOW_S", "300"),
                1..=86_400,
            )?),
            trusted_proxy_header: lookup("RUNSTRONG_TRUSTED_PROXY_HEADER")
                .filter(|value| !value.trim().is_empty())
                .map(|value| parse("RUNSTRONG_TRUSTED_PROXY_HEADER", value.trim()))
                .transpose()?,
            body_timeout: Duration::from_secs(parse_in(
                "RUNSTRONG_BODY_TIMEOUT_S",
                &setting("RUNSTRONG_BODY_TIMEOUT_S", "30"),
                1..=3600,
            )?),
            retention_interval: Duration::from_secs(parse_in(
                "RUNSTRONG_RETENTION_INTERVAL_S",
                &setting("RUNSTRONG_RETENTION_INTERVAL_S", "300"),
                1..=86_400,
            )?),
            idempotency_retention: Duration::from_secs(
                3600 * parse_in::<u64>(
                    "RUNSTRONG_IDEMPOTENCY_RETENTION_H",
                    &setting("RUNSTRONG_IDEMPOTENCY_RETENTION_H", "24"),
                    1..=8760,
                )?,
            ),
            webhooks: WebhookSettings {
                retry_base: Duration::from_millis(parse_in(
                    "RUNSTRONG_WEBHOOK_RETRY_BASE_MS",
                    &setting("RUNSTRONG_WEBHOOK_RETRY_BASE_MS", "30000"),
                    1..=3_600_000,
                )?),
                give_up_after: Duration::from_secs(parse_in(
                    "RUNSTRONG_WEBHOOK_GIVE_UP_AFTER_S",
                    &setting("RUNSTRONG_WEBHOOK_GIVE_UP_AFTER_S", "86400"),
                    1..=604_800,
                )?),
                allow_private_targets: parse_bool(
                    "RUNSTRONG_WEBHOOK_ALLOW_PRIVATE_TARGETS",
                    &setting("RUNSTRONG_WEBHOOK_ALLOW_PRIVATE_TARGETS", "false"),
                )?,
                secret_key: lookup("RUNSTRONG_WEBHOOK_SECRET_KEY")
                    .filter(|value| !value.trim().is_empty())
                    .map(|value| parse_key("RUNSTRONG_WEBHOOK_SECRET_KEY", value.trim()))
                    .transpose()?,
                poll_interval: Duration::from_millis(parse_in(
                    "RUNSTRONG_WEBHOOK_POLL_MS",
                    &setting("RUNSTRONG_WEBHOOK_POLL_MS", "1000"),
                    10..=3_600_000,
                )?),
                concurrency: parse_in(
                    "RUNSTRONG_WEBHOOK_CONCURRENCY",
                    &setting("RUNSTRONG_WEBHOOK_CONCURRENCY", "16"),
                    1..=1024,
                )?,
            },
            log_format: match setting("RUNSTRONG_LOG_FORMAT", "pretty").as_str() {
                "pretty" => LogFormat::Pretty,
                "json" => LogFormat::Json,
                other => {
                    return Err(ConfigError {
                        name: "RUNSTRONG_LOG_FORMAT",
                        value: other.to_owned(),
                        reason: "expected `pretty` or `json`".to_owned(),
                    });
                }
            },
        };
        if let Some(deadline) = config.db_deadline
            && deadline <= config.statement_timeout
        {
            // A deadline at or under the statement timeout would answer
            // 503 for statements the server is still allowed to finish.
            return Err(ConfigError {
                name: "RUNSTRONG_DB_DEADLINE_MS",
                value: deadline.as_millis().to_string(),
                reason: format!(
                    "must exceed RUNSTRONG_STATEMENT_TIMEOUT_MS ({} ms)",
                    config.statement_timeout.as_millis()
                ),
            });
        }
        if let Some(replica) = &config.replica_url
            && replica.trim() == config.database_url.trim()
        {
            // Reads would go to the primary while the health check
            // reports it as no replica at all (it is not in recovery).
            return Err(ConfigError {
                name: "RUNSTRONG_REPLICA_URL",
                value: "(the same as DATABASE_URL)".to_owned(),
                reason: "must name a streaming replica, not the primary".to_owned(),
            });
        }
        Ok(config)
    }

    /// Where LISTEN and start-up preparation connect: the direct URL when
    /// one is set, else the pool's.
    pub fn direct_database_url(&self) -> &str {
        self.listen_database_url
            .as_deref()
            .unwrap_or(&self.database_url)
    }

    /// The bound on one request's database work (see `db_deadline`): by
    /// default the statement timeout plus 10 s, room for the pool wait
    /// (3 s by default) and a few statements of a request that are each
    /// within the timeout, while still well under a client's patience.
    pub fn db_deadline(&self) -> Duration {
        self.db_deadline
            .unwrap_or(self.statement_timeout + Duration::from_secs(10))
    }
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError {
            name,
            value: value.to_owned(),
            reason: "expected `true` or `false`".to_owned(),
        }),
    }
}

/// Half the cores, at least one: hashing may use the other half while
/// every other request still finds a free core.
fn default_hashing_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|cores| (cores.get() / 2).max(1))
        .unwrap_or(1)
}

fn parse<T: FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|error: T::Err| ConfigError {
        name,
        value: value.to_owned(),
        reason: error.to_string(),
    })
}

/// A 256-bit key given as standard base64.
fn parse_key(name: &'static str, value: &str) -> Result<[u8; 32], ConfigError> {
    use base64::Engine;
    let invalid = |reason: &str| ConfigError {
        name,
        // Never echo a key, even a malformed one, into logs.
        value: "(hidden)".to_owned(),
        reason: reason.to_owned(),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|_| invalid("expected standard base64"))?;
    bytes
        .try_into()
        .map_err(|_| invalid("expected 32 bytes (44 base64 characters)"))
}

fn parse_in<T>(
    name: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: FromStr + PartialOrd + std::fmt::Debug,
    T::Err: std::fmt::Display,
{
    let parsed: T = parse(name, value)?;
    if range.contains(&parsed) {
        Ok(parsed)
    } else {
        Err(ConfigError {
            name,
            value: value.to_owned(),
            reason: format!("must be within {range:?}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = config_with(&[]).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.pool_size, 10);
        assert_eq!(config.log_format, LogFormat::Pretty);
        assert!(config.prepared_statements);
        assert_eq!(config.direct_database_url(), DEFAULT_DATABASE_URL);
        assert_eq!(config.db_deadline(), Duration::from_secs(15));
    }

    #[test]
    fn pooler_settings_parse_and_check_their_ranges() {
        let config = config_with(&[
            ("DATABASE_URL", "postgres://app@pgbouncer:6432/runstrong"),
            (
                "RUNSTRONG_LISTEN_DATABASE_URL",
                "postgres://app@db:5432/runstrong",
            ),
            ("RUNSTRONG_PREPARED_STATEMENTS", "false"),
            ("RUNSTRONG_STATEMENT_TIMEOUT_MS", "2000"),
        ])
        .unwrap();
        assert!(!config.prepared_statements);
        assert_eq!(
            config.direct_database_url(),
            "postgres://app@db:5432/runstrong"
        );
        assert_eq!(config.db_deadline(), Duration::from_secs(12));
        let config = config_with(&[("RUNSTRONG_DB_DEADLINE_MS", "20000")]).unwrap();
        assert_eq!(config.db_deadline(), Duration::from_secs(20));
        let error = config_with(&[("RUNSTRONG_PREPARED_STATEMENTS", "sometimes")]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_PREPARED_STATEMENTS");
        let error = config_with(&[("RUNSTRONG_DB_DEADLINE_MS", "500")]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_DB_DEADLINE_MS");
        // At or under the statement timeout: refused, naming both.
        let error = config_with(&[("RUNSTRONG_DB_DEADLINE_MS", "5000")]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_DB_DEADLINE_MS");
        assert!(error.reason.contains("RUNSTRONG_STATEMENT_TIMEOUT_MS"));
    }

    #[test]
    fn the_replica_is_off_unless_named_and_its_lag_limit_is_checked() {
        let config = config_with(&[]).unwrap();
        assert!(config.replica_url.is_none());
        assert_eq!(config.replica_max_lag, Duration::from_secs(5));
        let config = config_with(&[
            ("RUNSTRONG_REPLICA_URL", "postgres://app@replica/runstrong"),
            ("RUNSTRONG_REPLICA_MAX_LAG_MS", "250"),
        ])
        .unwrap();
        assert_eq!(
            config.replica_url.as_deref(),
            Some("postgres://app@replica/runstrong")
        );
        assert_eq!(config.replica_max_lag, Duration::from_millis(250));
        assert!(
            config_with(&[("RUNSTRONG_REPLICA_URL", " ")])
                .unwrap()
                .replica_url
                .is_none()
        );
        for bad in ["0", "-1", "soon", "3600001"] {
            let error = config_with(&[("RUNSTRONG_REPLICA_MAX_LAG_MS", bad)]).unwrap_err();
            assert_eq!(error.name, "RUNSTRONG_REPLICA_MAX_LAG_MS", "{bad}");
        }
        let error = config_with(&[("RUNSTRONG_REPLICA_URL", DEFAULT_DATABASE_URL)]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_REPLICA_URL");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let error = config_with(&[("RUNSTRONG_POOL_SIZE", "0")]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_POOL_SIZE");
        let error = config_with(&[("RUNSTRONG_LOG_FORMAT", "xml")]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_LOG_FORMAT");
        let error = config_with(&[("RUNSTRONG_ADDR", "nowhere")]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_ADDR");
        let error = config_with(&[("RUNSTRONG_TRUSTED_PROXY_HEADER", "not a header")]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_TRUSTED_PROXY_HEADER");
        let error = config_with(&[("RUNSTRONG_HASHING_CONCURRENCY", "0")]).unwrap_err();
        assert_eq!(error.name, "RUNSTRONG_HASHING_CONCURRENCY");
    }

    #[test]
    fn the_proxy_header_is_off_unless_named() {
        assert!(config_with(&[]).unwrap().trusted_proxy_header.is_none());
        let config = config_with(&[("RUNSTRONG_TRUSTED_PROXY_HEADER", "X-Forwarded-For")]).unwrap();
        assert_eq!(
            config.trusted_proxy_header.unwrap().as_str(),
            "x-forwarded-for"
        );
        assert!(config_with(&[]).unwrap().hashing_concurrency >= 1);
    }
}
