//! Database access: the connection pool behind a first come, first served
//! admission, the one helper that runs diesel off the async workers, and
//! start-up preparation (create, migrate, seed). Reads that may be served
//! by a streaming replica go through `reads` instead.
//!
//! Every connection is opened with TCP keepalives and `tcp_user_timeout`
//! (`with_connection_defaults`), so a database host that vanishes without
//! closing its sockets is noticed by the kernel within about 11 s; and
//! every request's database work has a deadline (`run`), which also
//! covers what TCP cannot see (a proxy or pooler that keeps the socket
//! alive while nothing behind it answers).

mod admission;
pub mod prepare;
pub mod reads;
pub mod replica_health;
pub mod schema;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use diesel::{
    Connection, PgConnection,
    connection::{CacheSize, SimpleConnection},
    r2d2::{ConnectionManager, CustomizeConnection},
};

use crate::{config::Config, error::ApiError};

/// The connection pool and the line in front of it. Cloning shares both.
#[derive(Clone)]
pub struct PgPool {
    connections: r2d2::Pool<PgManager>,
    admission: Arc<admission::Admission>,
    /// The most one `run` may take (`Config::db_deadline`).
    deadline: Duration,
}

impl PgPool {
    /// Connections open and idle, for the metrics.
    pub fn state(&self) -> r2d2::State {
        self.connections.state()
    }

    /// The most connections the pool opens.
    pub fn max_size(&self) -> u32 {
        self.connections.max_size()
    }

    /// Requests waiting in line for a connection, for the metrics.
    pub fn waiting(&self) -> usize {
        self.admission.waiting()
    }

    /// A view of the line alone, without the connections, for background
    /// work that yields to requests (holding a clone of the pool would
    /// keep its connections open past the stop).
    pub fn line(&self) -> Line {
        Line(self.admission.clone())
    }
}

/// The line in front of one pool's connections (`PgPool::line`).
#[derive(Clone)]
pub struct Line(Arc<admission::Admission>);

impl Line {
    /// Every connection of the pool is in use or requests wait for one.
    pub fn saturated(&self) -> bool {
        self.0.saturated()
    }
}

/// A pooled connection and whether the last work on it failed in a way
/// that may have left it unusable (a lost socket, a server restart).
pub struct PooledPg {
    connection: PgConnection,
    suspect: bool,
    /// The manager's outage count when this connection was opened.
    opened_after: u64,
}

/// diesel's connection manager, with one difference: a connection is
/// thrown away when the work done on it failed with a 5xx, instead
/// of being tested with a `SELECT 1` every time it is checked out. That
/// test would cost a round trip on every request; this costs nothing on
/// the happy path, and after a database restart each dead connection
/// fails one request with 503 and is gone.
#[derive(Debug)]
pub struct PgManager {
    inner: ConnectionManager<PgConnection>,
    /// The replica's pool only: outages seen so far (`ReplicaHealth`).
    /// A connection opened before the last one is thrown away at checkout
    /// without a round trip — after a restart every idle connection is
    /// dead, and each would otherwise fail a read.
    outages: Option<Arc<AtomicU64>>,
}

impl PgManager {
    fn outages_now(&self) -> u64 {
        self.outages
            .as_ref()
            .map_or(0, |outages| outages.load(Ordering::Relaxed))
    }
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PooledPg;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PooledPg, Self::Error> {
        Ok(PooledPg {
            connection: self.inner.connect()?,
            suspect: false,
            opened_after: self.outages_now(),
        })
    }

    /// Called at checkout only on the replica's pool (`test_on_check_out`).
    fn is_valid(&self, pooled: &mut PooledPg) -> Result<(), Self::Error> {
        if self.outages.is_some() {
            if pooled.opened_after < self.outages_now() {
                return Err(diesel::r2d2::Error::QueryError(
                    diesel::result::Error::BrokenTransactionManager,
                ));
            }
            return Ok(());
        }
        self.inner.is_valid(&mut pooled.connection)
    }

    fn has_broken(&self, pooled: &mut PooledPg) -> bool {
        pooled.suspect || self.inner.has_broken(&mut pooled.connection)
    }
}

/// How long any statement waits for a row lock: a request that waits
/// longer (say, a duplicate create while the first still runs) is told to
/// retry rather than holding a connection.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// Sets per-session limits on every new pooled connection, or, behind a
/// transaction pooler, turns diesel's prepared statements off instead.
#[derive(Debug)]
struct SessionSettings {
    statement_timeout: Duration,
    prepared_statements: bool,
}

impl CustomizeConnection<PooledPg, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, pooled: &mut PooledPg) -> Result<(), diesel::r2d2::Error> {
        if !self.prepared_statements {
            // Behind PgBouncer in transaction mode each transaction (each
            // statement outside one) may run on a different server
            // connection: a named statement prepared on one is unknown on
            // the next ("prepared statement \"__diesel_stmt_0\" does not
            // exist"). Without the cache diesel sends every statement,
            // the hand-written session create included, as one unnamed
            // parse-bind-execute, which the pooler keeps together.
            pooled
                .connection
                .set_prepared_statement_cache_size(CacheSize::Disabled);
            // A session `SET` would stay on whichever server connection
            // ran it and never reach the others: the limits are stored as
            // defaults of the role instead, at start-up
            // (`prepare::store_session_limits`).
            return Ok(());
        }
        pooled
            .connection
            .batch_execute(&session_limits_sql(self.statement_timeout))
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The `SET`s a direct pooled connection starts with.
fn session_limits_sql(statement_timeout: Duration) -> String {
    format!(
        "SET statement_timeout = {}; SET lock_timeout = {}",
        statement_timeout.as_millis(),
        LOCK_TIMEOUT.as_millis()
    )
}

/// TCP keepalives on every connection: an idle connection (one in the
/// pool, or one waiting for an answer to a query the server's kernel has
/// acknowledged) whose host vanished is probed after `KEEPALIVES_IDLE_S`
/// of silence, then every `KEEPALIVES_INTERVAL_S`; after
/// `KEEPALIVES_COUNT` unanswered probes the kernel closes it and libpq
/// reports the error: 5 + 3 × 2 = 11 s. A live server's kernel answers
/// probes even while a long statement runs, so this never cuts a slow but
/// healthy query (those end at `statement_timeout`).
pub const KEEPALIVES_IDLE_S: u32 = 5;
pub const KEEPALIVES_INTERVAL_S: u32 = 2;
pub const KEEPALIVES_COUNT: u32 = 3;

/// Data sent but not acknowledged for this long closes the connection
/// (Linux `TCP_USER_TIMEOUT`): a query written to a vanished host fails
/// after 10 s instead of after the ~15 minutes of default retransmissions.
/// It also caps the keepalive probing above (Linux closes a probing
/// connection once this much time passed without an answer), so either
/// way the error comes within about 11 s — under the 15 s promised.
pub const TCP_USER_TIMEOUT_MS: u32 = 10_000;

/// How long libpq waits to establish a connection (TCP, TLS and start-up
/// answer): a host or pooler that accepts but never answers must not hold
/// one of r2d2's connector threads forever. Requests themselves wait at
/// most the pool timeout for a connection.
pub const CONNECT_TIMEOUT_S: u32 = 5;

// The promise (README, "A host that vanishes"): noticed within about 15 s.
const _: () = assert!(KEEPALIVES_IDLE_S + KEEPALIVES_COUNT * KEEPALIVES_INTERVAL_S < 15);
const _: () = assert!(TCP_USER_TIMEOUT_MS < 15_000);

/// `url` with the connection parameters every runstrong connection uses
/// (keepalives, `tcp_user_timeout`, `connect_timeout`, the application
/// name) added, except those the operator already set in it. Works for
/// URLs (`postgres://…?a=b`) and for `key=value` connection strings.
pub fn with_connection_defaults(url: &str) -> String {
    let defaults = [
        ("keepalives", "1".to_owned()),
        ("keepalives_idle", KEEPALIVES_IDLE_S.to_string()),
        ("keepalives_interval", KEEPALIVES_INTERVAL_S.to_string()),
        ("keepalives_count", KEEPALIVES_COUNT.to_string()),
        ("tcp_user_timeout", TCP_USER_TIMEOUT_MS.to_string()),
        ("connect_timeout", CONNECT_TIMEOUT_S.to_string()),
        ("application_name", "runstrong".to_owned()),
    ];
    let is_url = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let set: Vec<String> = if is_url {
        url.split_once('?')
            .map(|(_, query)| {
                query
                    .split('&')
                    .filter_map(|pair| pair.split('=').next())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    } else {
        url.split_whitespace()
            .filter_map(|word| word.split_once('=').map(|(key, _)| key.to_owned()))
            .collect()
    };
    let mut out = url.to_owned();
    for (key, value) in defaults {
        if set.iter().any(|name| name == key) {
            continue;
        }
        if is_url {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{key}={value}"));
        } else {
            out.push_str(&format!(" {key}={value}"));
        }
    }
    out
}

/// Opens one connection outside the pool (the catalog listener, start-up
/// preparation), with the same connection parameters.
pub fn establish(url: &str) -> diesel::ConnectionResult<PgConnection> {
    PgConnection::establish(&with_connection_defaults(url))
}

/// Builds the pool without connecting: connections open on first use, so a
/// database that is down at that moment costs a 503, not a crash. Broken
/// connections are found by the work that fails on them (see `PgManager`).
pub fn build_pool(config: &Config) -> PgPool {
    build_pool_counting_outages(config, None)
}

/// `build_pool`, whose connections opened before the latest of `outages`
/// are dropped at checkout (the replica's pool).
pub fn build_pool_counting_outages(config: &Config, outages: Option<Arc<AtomicU64>>) -> PgPool {
    let connections = r2d2::Pool::builder()
        .max_size(config.pool_size)
        .min_idle(Some(1.min(config.pool_size)))
        .connection_timeout(config.pool_timeout)
        .test_on_check_out(outages.is_some())
        .connection_customizer(Box::new(SessionSettings {
            statement_timeout: config.statement_timeout,
            prepared_statements: config.prepared_statements,
        }))
        .build_unchecked(PgManager {
            inner: ConnectionManager::new(with_connection_defaults(&config.database_url)),
            outages,
        });
    PgPool {
        connections,
        admission: Arc::new(admission::Admission::new(
            config.pool_size,
            config.pool_queue,
            config.pool_timeout,
        )),
        deadline: config.db_deadline(),
    }
}

/// Runs `work` with a pooled connection on actix's blocking thread pool, so
/// diesel never stalls an async worker. All of one request's queries go in
/// one call; the caller's tracing span comes along. Requests are admitted
/// to the pool in the order they came (`admission`); one that cannot have
/// a connection within the pool timeout, or finds the line full, answers
/// 503 with `Retry-After`.
///
/// The whole of it (the wait, the checkout, the work) is bounded by the
/// pool's deadline: past it the request answers 503 and the connection is
/// thrown away when the work lets go of it. `statement_timeout` cannot
/// give this bound, since the server enforces it: when the server, or the
/// path to it, stops answering while the socket stays open (a proxy or
/// PgBouncer in between whose own peer vanished, a stopped server process
/// whose kernel still acknowledges), nothing comes back, and the
/// keepalives see a live peer. The blocking thread cannot be interrupted
/// inside libpq; it stays with its connection (and its admission permit,
/// so at most a pool's worth of them wait) until the socket answers or
/// fails, which on a vanished host the keepalives make about 11 s.
pub async fn run<T, F>(pool: &PgPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let abandoned = Arc::new(AtomicBool::new(false));
    let deadline = pool.deadline;
    match tokio::time::timeout(deadline, run_admitted(pool, work, Arc::clone(&abandoned))).await {
        Ok(result) => result,
        Err(_) => {
            abandoned.store(true, Ordering::SeqCst);
            Err(ApiError::Unavailable(format!(
                "the database did not answer within {} ms",
                deadline.as_millis()
            )))
        }
    }
}

async fn run_admitted<T, F>(
    pool: &PgPool,
    work: F,
    abandoned: Arc<AtomicBool>,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let admitted = pool.admission.admit().await?;
    let checkout_timeout = admitted.remaining(pool.admission.timeout());
    let connections = pool.connections.clone();
    let span = tracing::Span::current();
    actix_web::web::block(move || {
        let _entered = span.enter();
        // The permit goes with the work: it is given back when the
        // connection is, even if the client has gone away meanwhile.
        let _admitted = admitted;
        let mut pooled = connections.get_timeout(checkout_timeout)?;
        let result = work(&mut pooled.connection);
        // Any server-side failure may have been the connection's; a fresh
        // one costs little, a dead one kept would fail every later request.
        // So may work that outlived the deadline (its request has already
        // answered 503): whatever held it up may still hold the socket.
        if matches!(
            result,
            Err(ApiError::Unavailable(_) | ApiError::Internal(_))
        ) || abandoned.load(Ordering::SeqCst)
        {
            pooled.suspect = true;
        }
        result
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_defaults_are_added_unless_set() {
        assert_eq!(
            with_connection_defaults("postgres://app@db:5432/runstrong"),
            "postgres://app@db:5432/runstrong?keepalives=1&keepalives_idle=5\
             &keepalives_interval=2&keepalives_count=3&tcp_user_timeout=10000\
             &connect_timeout=5&application_name=runstrong"
        );
        let url = with_connection_defaults(
            "postgres://app@db/runstrong?sslmode=disable&keepalives_idle=30&application_name=x",
        );
        assert!(url.starts_with("postgres://app@db/runstrong?sslmode=disable&keepalives_idle=30&application_name=x&keepalives=1&"), "{url}");
        assert_eq!(url.matches("keepalives_idle=").count(), 1, "{url}");
        assert_eq!(url.matches("application_name=").count(), 1, "{url}");
        let conninfo = with_connection_defaults("host=db dbname=runstrong tcp_user_timeout=3000");
        assert!(
            conninfo.starts_with("host=db dbname=runstrong tcp_user_timeout=3000 keepalives=1 "),
            "{conninfo}"
        );
        assert_eq!(conninfo.matches("tcp_user_timeout=").count(), 1);
    }
}

#[cfg(test)]
mod connection_tests {
    use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};

    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Text)]
        value: String,
    }

    /// libpq refuses a connection string with an option it does not know:
    /// the bundled one must take all of ours (and pass the name on).
    #[test]
    fn libpq_accepts_the_connection_defaults() {
        let server = std::env::var("RUNSTRONG_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
        let mut connection = super::establish(&format!("{server}/postgres?sslmode=disable"))
            .expect("connect with keepalives and tcp_user_timeout");
        let name: Setting =
            diesel::sql_query("SELECT current_setting('application_name') AS value")
                .get_result(&mut connection)
                .unwrap();
        assert_eq!(name.value, "runstrong");
    }
}
