//! Database access: the connection pool, the one helper that runs diesel
//! off the async workers, and start-up preparation (create, migrate, seed).

pub mod prepare;
pub mod schema;

use std::time::Duration;

use diesel::{
    PgConnection,
    connection::SimpleConnection,
    r2d2::{ConnectionManager, CustomizeConnection},
};

use crate::{config::Config, error::ApiError};

pub type PgPool = r2d2::Pool<ConnectionManager<PgConnection>>;

/// How long any statement waits for a row lock: a request that waits
/// longer (say, a duplicate create while the first still runs) is told to
/// retry rather than holding a connection.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// Sets per-session limits on every new pooled connection.
#[derive(Debug)]
struct SessionSettings {
    statement_timeout: Duration,
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, connection: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        connection
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
/// database that is down at that moment costs a 503, not a crash.
pub fn build_pool(config: &Config) -> PgPool {
    r2d2::Pool::builder()
        .max_size(config.pool_size)
        .min_idle(Some(1.min(config.pool_size)))
        .connection_timeout(config.pool_timeout)
        .connection_customizer(Box::new(SessionSettings {
            statement_timeout: config.statement_timeout,
        }))
        .build_unchecked(ConnectionManager::new(&config.database_url))
}

/// Runs `work` with a pooled connection on actix's blocking thread pool, so
/// diesel never stalls an async worker. All of one request's queries go in
/// one call; the caller's tracing span comes along, and a pool that cannot
/// give a connection in time answers 503.
pub async fn run<T, F>(pool: &PgPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    actix_web::web::block(move || {
        let _entered = span.enter();
        let mut connection = pool.get()?;
        work(&mut connection)
    })
    .await?
}
