//! Webhook subscriptions: subscribing (the caller first, then the target
//! checked, then the sealed secret stored), listing, unsubscribing, and
//! the delivery log of one subscription.

use std::collections::BTreeSet;

use chrono::Utc;
use uuid::Uuid;

use crate::db::{self, PgPool};
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::models::webhook::{AttemptRow, WebhookRow};
use crate::repo::accounts;
use crate::repo::webhooks::{self as repo, AttemptPosition, MAX_PER_ACCOUNT};
use crate::webhooks::{events::EventType, sealing::SealingKey, signing::SigningSecret, target};

fn not_found() -> ApiError {
    ApiError::NotFound("no such webhook".to_owned())
}

/// Subscribes the caller's account: answers the stored subscription and
/// its signing secret (to be shown this once). The caller is authenticated
/// before the URL is resolved: DNS lookups are not for anonymous callers
/// to trigger.
pub async fn subscribe(
    pool: &PgPool,
    allow_private_targets: bool,
    key: &SealingKey,
    token_digest: Vec<u8>,
    url: &str,
    events: &[EventType],
) -> Result<(WebhookRow, SigningSecret), ApiError> {
    let caller = db::run(pool, move |connection| {
        Ok(accounts::authenticate(connection, &token_digest)?)
    })
    .await?;
    let events = checked_events(events)?;
    let url = target::check(url, allow_private_targets)
        .await
        .map_err(|error| {
            ApiError::unprocessable(vec![FieldError::new("/url", error.to_string())])
        })?;
    let secret = SigningSecret::generate();
    let id = Uuid::now_v7();
    let row = WebhookRow {
        id,
        account_id: caller.account_id,
        url: url.to_string(),
        events: events.iter().map(|e| e.as_str().to_owned()).collect(),
        secret_sealed: key.seal(id, &secret),
        created_at: Utc::now(),
    };
    let stored = db::run(pool, move |connection| Ok(repo::create(connection, &row)?))
        .await?
        .ok_or_else(|| {
            ApiError::unprocessable(vec![FieldError::new(
                "",
                format!("an account holds at most {MAX_PER_ACCOUNT} webhooks; delete one first"),
            )])
        })?;
    Ok((stored, secret))
}

/// At least one event; repeats are the same subscription.
fn checked_events(events: &[EventType]) -> Result<BTreeSet<EventType>, ApiError> {
    if events.is_empty() {
        return Err(ApiError::unprocessable(vec![FieldError::new(
            "/events",
            "name at least one event",
        )]));
    }
    Ok(events.iter().copied().collect())
}

/// Every subscription of the caller's account, oldest first.
pub async fn list(pool: &PgPool, token_digest: Vec<u8>) -> Result<Vec<WebhookRow>, ApiError> {
    db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        Ok(repo::list(connection, caller.account_id)?)
    })
    .await
}

/// Unsubscribes one of the caller's subscriptions (404 for anyone else's).
pub async fn delete(
    pool: &PgPool,
    token_digest: Vec<u8>,
    webhook_id: Uuid,
) -> Result<(), ApiError> {
    let deleted = db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        Ok(repo::delete(connection, caller.account_id, webhook_id)?)
    })
    .await?;
    if deleted { Ok(()) } else { Err(not_found()) }
}

/// Up to `limit + 1` delivery attempts of one of the caller's
/// subscriptions after `after`, newest first (the extra one tells whether
/// there is a next page).
pub async fn attempts(
    pool: &PgPool,
    token_digest: Vec<u8>,
    webhook_id: Uuid,
    after: Option<AttemptPosition>,
    limit: i64,
) -> Result<Vec<AttemptRow>, ApiError> {
    db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        repo::find(connection, caller.account_id, webhook_id)?.ok_or_else(not_found)?;
        Ok(repo::attempts(connection, webhook_id, after, limit)?)
    })
    .await
}
