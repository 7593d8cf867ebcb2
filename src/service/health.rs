//! Readiness: whether this instance can reach its database.

use crate::db::{self, PgPool};
use crate::error::ApiError;

/// Answers once the database runs a query on a pooled connection; a
/// database out of reach, or a pool with nothing free in time, answers 503.
pub async fn database_ready(pool: &PgPool) -> Result<(), ApiError> {
    db::run(pool, |connection| Ok(crate::repo::ping(connection)?)).await
}
