//! Idempotency keys: claimed in the transaction of the session they
//! create, answered again on a replay, and forgotten after the retention
//! window.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::error::{RepoError, RepoResult, is_lock_timeout};
use crate::db::schema::idempotency_keys;
use crate::ids::AccountId;

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

/// The answer given under an idempotency key, kept to be given again: a
/// replay must be indistinguishable from the first answer, so it keeps
/// the headers that describe the answer (`Location`, `ETag`) as well.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    pub status: u16,
    /// Header names and values, as a JSON object of strings.
    pub headers: serde_json::Value,
    pub body: Vec<u8>,
}

impl StoredAnswer {
    /// The stored headers as (name, value) pairs; anything that is not a
    /// string value is skipped.
    pub fn header_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| Some((name.as_str(), value.as_str()?)))
    }
}

/// What claiming an idempotency key found.
pub enum Claim {
    /// The key is ours: do the work and record the answer.
    Claimed,
    /// The key was used before for this same request: its stored answer.
    Replay(StoredAnswer),
    /// The key was used before for a different request.
    Mismatch,
}

/// Claims `key` for `account` inside the caller's transaction. A
/// concurrent claim of the same key waits for the first transaction (up
/// to the connection's lock timeout, then 409) and then replays its answer.
pub fn claim_key(
    connection: &mut PgConnection,
    account: AccountId,
    key: &str,
    request_sha256: &str,
) -> RepoResult<Claim> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::account_id.eq(account),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_sha256.eq(request_sha256),
        ))
        .on_conflict_do_nothing()
        .execute(connection)
        .map_err(in_flight)?;
    if inserted == 1 {
        return Ok(Claim::Claimed);
    }
    stored_answer(connection, account, key, request_sha256)
}

/// The answer stored under a key that was already claimed.
pub fn stored_answer(
    connection: &mut PgConnection,
    account: AccountId,
    key: &str,
    request_sha256: &str,
) -> RepoResult<Claim> {
    type Row = (String, Option<i16>, Option<Vec<u8>>, serde_json::Value);
    let (stored_hash, status, body, headers): Row = idempotency_keys::table
        .find((account, key))
        .select((
            idempotency_keys::request_sha256,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
            idempotency_keys::response_headers,
        ))
        .first(connection)?;
    if stored_hash != request_sha256 {
        return Ok(Claim::Mismatch);
    }
    match (status, body) {
        (Some(status), Some(body)) => Ok(Claim::Replay(StoredAnswer {
            status: status as u16,
            headers,
            body,
        })),
        _ => Err(in_flight_error()),
    }
}

fn in_flight_error() -> RepoError {
    RepoError::Conflict(
        "a request with this Idempotency-Key is still in flight; retry shortly".to_owned(),
    )
}

/// A lock timeout while waiting on the key means the first request is
/// still running.
pub fn in_flight(error: diesel::result::Error) -> RepoError {
    if is_lock_timeout(&error) {
        in_flight_error()
    } else {
        RepoError::from(error)
    }
}

/// Records the answer given under `key`, in the same transaction.
pub fn complete_key(
    connection: &mut PgConnection,
    account: AccountId,
    key: &str,
    answer: &StoredAnswer,
) -> RepoResult<()> {
    diesel::update(idempotency_keys::table.find((account, key)))
        .set((
            idempotency_keys::response_status.eq(answer.status as i16),
            idempotency_keys::response_body.eq(&answer.body),
            idempotency_keys::response_headers.eq(&answer.headers),
        ))
        .execute(connection)?;
    Ok(())
}
