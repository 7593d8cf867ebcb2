//! Retention of idempotency keys. The keys are written and replayed with
//! the session they create (`repo::sessions`); this only forgets them.

use std::time::Duration;

use diesel::{PgConnection, RunQueryDsl, sql_types::BigInt};

use super::error::RepoResult;

/// Deletes up to `batch` keys stored more than `retention` ago, oldest
/// first, skipping rows another transaction holds (a request replaying or
/// finishing its key right now); returns how many went. Uses the
/// `created_at` index.
pub fn purge_older_than(
    connection: &mut PgConnection,
    retention: Duration,
    batch: i64,
) -> RepoResult<usize> {
    let retention_s = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
    let deleted = diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE (account_id, key) IN (
             SELECT account_id, key FROM idempotency_keys
             WHERE created_at < now() - make_interval(secs => $1)
             ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
    )
    .bind::<BigInt, _>(retention_s)
    .bind::<BigInt, _>(batch)
    .execute(connection)?;
    Ok(deleted)
}
