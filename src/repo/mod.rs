//! Queries: synchronous functions over a `&mut PgConnection`, called inside
//! `db::run`. They return domain or API types, never rows.

pub mod access;
mod error;
pub use error::{RepoError, RepoResult};
pub mod accounts;
pub mod athletes;
pub mod calendar_feeds;
pub mod exercises;
pub mod grants;
pub mod idempotency;
pub mod plans;
pub mod session_create;
pub mod sessions;
pub mod throttle;
pub mod webhooks;

/// The cheapest query there is: whether the server answers at all.
pub fn ping(connection: &mut diesel::PgConnection) -> RepoResult<()> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT 1").execute(connection)?;
    Ok(())
}
