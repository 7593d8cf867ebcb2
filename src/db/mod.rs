//! Database access: the connection pool behind a first come, first served
//! admission, the one helper that runs diesel off the async workers, and
//! start-up preparation (create, migrate, seed).

mod admission;
pub mod prepare;
pub mod schema;

use std::sync::Arc;
use std::time::Duration;

use diesel::{
    PgConnection,
    connection::SimpleConnection,
    r2d2::{ConnectionManager, CustomizeConnection},
};

use crate::{config::Config, error::ApiError};

/// The connection pool and the line in front of it. Cloning shares both.
#[derive(Clone)]
pub struct PgPool {
    connections: r2d2::Pool<PgManager>,
    admission: Arc<admission::Admission>,
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
}

/// A pooled connection and whether the last work on it failed in a way
/// that may have left it unusable (a lost socket, a server restart).
pub struct PooledPg {
    connection: PgConnection,
    suspect: bool,
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
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PooledPg;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PooledPg, Self::Error> {
        Ok(PooledPg {
            connection: self.inner.connect()?,
            suspect: false,
        })
    }

    fn is_valid(&self, pooled: &mut PooledPg) -> Result<(), Self::Error> {
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

/// Sets per-session limits on every new pooled connection.
#[derive(Debug)]
struct SessionSettings {
    statement_timeout: Duration,
}

impl CustomizeConnection<PooledPg, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, pooled: &mut PooledPg) -> Result<(), diesel::r2d2::Error> {
        pooled
            .connection
            .batch_execute(&format!(
                "SET statement_timeout = {}; SET lock_timeout = {}; \
                 SET application_name = 'runstrong'",
                self.statement_timeout.as_millis(),
                LOCK_TIMEOUT.as_millis()
            ))
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Builds the pool without connecting: connections open on first use, so a
/// database that is down at that moment costs a 503, not a crash. Broken
/// connections are found by the work that fails on them (see `PgManager`).
pub fn build_pool(config: &Config) -> PgPool {
    let connections = r2d2::Pool::builder()
        .max_size(config.pool_size)
        .min_idle(Some(1.min(config.pool_size)))
        .connection_timeout(config.pool_timeout)
        .test_on_check_out(false)
        .connection_customizer(Box::new(SessionSettings {
            statement_timeout: config.statement_timeout,
        }))
        .build_unchecked(PgManager {
            inner: ConnectionManager::new(&config.database_url),
        });
    PgPool {
        connections,
        admission: Arc::new(admission::Admission::new(
            config.pool_size,
            config.pool_queue,
            config.pool_timeout,
        )),
    }
}

/// Runs `work` with a pooled connection on actix's blocking thread pool, so
/// diesel never stalls an async worker. All of one request's queries go in
/// one call; the caller's tracing span comes along. Requests are admitted
/// to the pool in the order they came (`admission`); one that cannot have
/// a connection within the pool timeout, or finds the line full, answers
/// 503 with `Retry-After`.
pub async fn run<T, F>(pool: &PgPool, work: F) -> Result<T, ApiError>
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
        if matches!(
            result,
            Err(ApiError::Unavailable(_) | ApiError::Internal(_))
        ) {
            pooled.suspect = true;
        }
        result
    })
    .await?
}
