//! Calendar feeds: who sees which feed (the owner all of an athlete's,
//! a coach those the coach made), and what a feed's secret URL opens.

use uuid::Uuid;

use super::athletes::require_caller;
use crate::db::{self, PgPool};
use crate::error::ApiError;
use crate::ids::{AccountId, AthleteId};
use crate::repo::access::AccessLevel;
use crate::repo::calendar_feeds::{self as repo, OpenedFeed, Visible};
use crate::repo::plans;
use crate::views::{CalendarFeed, StoredPlan};

/// At most this many plans go into one feed, the newest current ones: a
/// calendar app polls the whole text every time.
const MAX_PLANS_PER_FEED: i64 = 50;

/// The owner sees (and ends) every feed of the athlete; a coach only those
/// the coach created, the others are not theirs to see.
fn visible_to(access: AccessLevel, caller: AccountId) -> Visible {
    if access == AccessLevel::Owner {
        Visible::All
    } else {
        Visible::CreatedBy(caller)
    }
}

fn feed_not_found() -> ApiError {
    ApiError::NotFound("this athlete has no calendar feed with that id that you see".to_owned())
}

/// Creates a feed for an athlete the caller may read, under the digest of
/// its secret token (the token itself is never stored).
pub async fn create(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    name: Option<String>,
    feed_token_digest: Vec<u8>,
) -> Result<CalendarFeed, ApiError> {
    db::run(pool, move |connection| {
        let (caller, _) = require_caller(connection, &token_digest, athlete_id, AccessLevel::Read)?;
        Ok(repo::create(
            connection,
            athlete_id,
            caller.account_id,
            name.as_deref(),
            &feed_token_digest,
        )?)
    })
    .await
}

/// A page of the athlete's feeds that the caller sees.
pub async fn list(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    after: Option<Uuid>,
    limit: i64,
) -> Result<(Vec<CalendarFeed>, bool), ApiError> {
    db::run(pool, move |connection| {
        let (caller, athlete) =
            require_caller(connection, &token_digest, athlete_id, AccessLevel::Read)?;
        let visible = visible_to(athlete.access, caller.account_id);
        Ok(repo::list(connection, athlete_id, visible, after, limit)?)
    })
    .await
}

/// One of the athlete's feeds that the caller sees.
pub async fn find(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    feed_id: Uuid,
) -> Result<CalendarFeed, ApiError> {
    db::run(pool, move |connection| {
        let (caller, athlete) =
            require_caller(connection, &token_digest, athlete_id, AccessLevel::Read)?;
        let visible = visible_to(athlete.access, caller.account_id);
        repo::find(connection, athlete_id, feed_id, visible)?.ok_or_else(feed_not_found)
    })
    .await
}

/// Deletes one of the athlete's feeds that the caller sees.
pub async fn delete(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    feed_id: Uuid,
) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        let (caller, athlete) =
            require_caller(connection, &token_digest, athlete_id, AccessLevel::Read)?;
        let visible = visible_to(athlete.access, caller.account_id);
        if repo::delete(connection, athlete_id, feed_id, visible)? {
            Ok(())
        } else {
            Err(feed_not_found())
        }
    })
    .await
}

/// What a feed's URL opens: the feed and the athlete's current plans, or
/// `not_found` when no live feed has this digest (unknown, deleted, or
/// made by a coach whose access ended: all alike).
pub async fn open(
    pool: &PgPool,
    feed_token_digest: Vec<u8>,
    not_found: fn() -> ApiError,
) -> Result<(OpenedFeed, Vec<StoredPlan>), ApiError> {
    db::run(pool, move |connection| {
        let feed = repo::open(connection, &feed_token_digest)?.ok_or_else(not_found)?;
        let plans = plans::current(connection, feed.athlete_id, MAX_PLANS_PER_FEED)?;
        Ok((feed, plans))
    })
    .await
}
