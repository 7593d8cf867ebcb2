//! Calendar feeds: secret URLs that open an athlete's current plans to a
//! calendar app. A feed is stored by the SHA-256 of its token only, and it
//! works while its creator may still read the athlete, which the query
//! that opens it decides (as every read here carries its access rule).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::ids::{AccountId, AthleteId};

use super::access::{ActiveGrant, active_grant};
use super::error::{RepoError, RepoResult};
use crate::db::schema::{athletes, calendar_feeds, grants};
use crate::models::calendar_feed::CalendarFeedRow;
use crate::views::CalendarFeed;

/// How many feeds one account may hold for one athlete. Counted per
/// creator, not per athlete, so that a coach cannot use up the owner's
/// feeds; the storage an athlete's feeds take stays bounded all the same
/// (this times the accounts that may read the athlete).
pub const MAX_FEEDS_PER_CREATOR: i64 = 20;

/// Which of an athlete's feeds a caller sees: the owner all of them (to
/// end any, a coach's too), a coach only those the coach created.
#[derive(Debug, Clone, Copy)]
pub enum Visible {
    All,
    CreatedBy(AccountId),
}

/// The grant under which the creator may still read the feed's athlete:
/// active, and accepted before the feed was made. A grant accepted later
/// is a new consent that did not cover this feed (the coach's earlier
/// grant ended in between), so the feed stays dead.
type CreatorGrant = diesel::dsl::And<
    diesel::dsl::And<
        diesel::dsl::And<
            diesel::dsl::Eq<grants::athlete_id, calendar_feeds::athlete_id>,
            diesel::dsl::Eq<grants::coach_account_id, calendar_feeds::created_by_account_id>,
        >,
        ActiveGrant,
    >,
    diesel::dsl::LtEq<grants::accepted_at, diesel::dsl::Nullable<calendar_feeds::created_at>>,
>;

type WithCreatorGrant = diesel::dsl::LeftJoinOn<
    diesel::dsl::InnerJoinOn<
        calendar_feeds::table,
        athletes::table,
        diesel::dsl::Eq<athletes::id, calendar_feeds::athlete_id>,
    >,
    grants::table,
    CreatorGrant,
>;

/// Feeds with their athlete and the creator's covering grant, if any.
fn with_creator_grant() -> WithCreatorGrant {
    calendar_feeds::table
        .inner_join(athletes::table.on(athletes::id.eq(calendar_feeds::athlete_id)))
        .left_join(
            grants::table.on(grants::athlete_id
                .eq(calendar_feeds::athlete_id)
                .and(grants::coach_account_id.eq(calendar_feeds::created_by_account_id))
                .and(active_grant())
                .and(grants::accepted_at.le(calendar_feeds::created_at.nullable()))),
        )
}

type FeedWithAccess = (CalendarFeedRow, AccountId, Option<Uuid>);

fn feed_from_row((row, owner, grant): FeedWithAccess) -> CalendarFeed {
    CalendarFeed {
        active: row.created_by_account_id == owner || grant.is_some(),
        id: row.id,
        athlete_id: row.athlete_id,
        name: row.name,
        created_by_account_id: row.created_by_account_id,
        created_at: row.created_at,
        last_fetched_at: row.last_fetched_at,
    }
}

/// Stores a feed for the token digest `token_sha256`. Answers 409 when the
/// creator already holds the most feeds allowed for the athlete; the
/// athlete row is locked first, so concurrent creates cannot all pass the
/// count (`FOR NO KEY UPDATE`: it queues feed creates for the athlete but
/// not the writes whose foreign keys merely point at it).
pub fn create(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    creator: AccountId,
    name: Option<&str>,
    token_sha256: &[u8],
) -> RepoResult<CalendarFeed> {
    connection.transaction(|connection| {
        athletes::table
            .find(athlete_id)
            .select(athletes::id)
            .for_no_key_update()
            .first::<AthleteId>(connection)?;
        let held: i64 = calendar_feeds::table
            .filter(calendar_feeds::athlete_id.eq(athlete_id))
            .filter(calendar_feeds::created_by_account_id.eq(creator))
            .count()
            .get_result(connection)?;
        if held >= MAX_FEEDS_PER_CREATOR {
            return Err(RepoError::Conflict(format!(
                "you already hold {MAX_FEEDS_PER_CREATOR} calendar feeds for this athlete, \
                 the most one account may: delete one you no longer use \
                 (GET /v1/athletes/{athlete_id}/calendar-feeds lists them)"
            )));
        }
        let row: CalendarFeedRow = diesel::insert_into(calendar_feeds::table)
            .values((
                calendar_feeds::athlete_id.eq(athlete_id),
                calendar_feeds::id.eq(Uuid::now_v7()),
                calendar_feeds::token_sha256.eq(token_sha256),
                calendar_feeds::name.eq(name),
                calendar_feeds::created_by_account_id.eq(creator),
            ))
            .returning(CalendarFeedRow::as_returning())
            .get_result(connection)?;
        Ok(CalendarFeed {
            active: true,
            id: row.id,
            athlete_id: row.athlete_id,
            name: row.name,
            created_by_account_id: row.created_by_account_id,
            created_at: row.created_at,
            last_fetched_at: row.last_fetched_at,
        })
    })
}

/// A page of the athlete's feeds the caller sees, oldest first.
pub fn list(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    visible: Visible,
    after: Option<Uuid>,
    limit: i64,
) -> RepoResult<(Vec<CalendarFeed>, bool)> {
    let mut query = with_creator_grant()
        .filter(calendar_feeds::athlete_id.eq(athlete_id))
        .select((
            CalendarFeedRow::as_select(),
            athletes::owner_account_id,
            grants::id.nullable(),
        ))
        .order(calendar_feeds::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Visible::CreatedBy(creator) = visible {
        query = query.filter(calendar_feeds::created_by_account_id.eq(creator));
    }
    if let Some(after) = after {
        query = query.filter(calendar_feeds::id.gt(after));
    }
    let mut rows: Vec<FeedWithAccess> = query.load(connection)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows.into_iter().map(feed_from_row).collect(), has_more))
}

/// One feed of the athlete, if the caller sees it.
pub fn find(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    feed_id: Uuid,
    visible: Visible,
) -> RepoResult<Option<CalendarFeed>> {
    let mut query = with_creator_grant()
        .filter(calendar_feeds::athlete_id.eq(athlete_id))
        .filter(calendar_feeds::id.eq(feed_id))
        .select((
            CalendarFeedRow::as_select(),
            athletes::owner_account_id,
            grants::id.nullable(),
        ))
        .into_boxed();
    if let Visible::CreatedBy(creator) = visible {
        query = query.filter(calendar_feeds::created_by_account_id.eq(creator));
    }
    Ok(query
        .first::<FeedWithAccess>(connection)
        .optional()?
        .map(feed_from_row))
}

/// Deletes one feed of the athlete the caller sees; false when there is
/// none. Its URL answers 404 from the next request on.
pub fn delete(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    feed_id: Uuid,
    visible: Visible,
) -> RepoResult<bool> {
    let mut statement = diesel::delete(
        calendar_feeds::table
            .filter(calendar_feeds::athlete_id.eq(athlete_id))
            .filter(calendar_feeds::id.eq(feed_id)),
    )
    .into_boxed();
    if let Visible::CreatedBy(creator) = visible {
        statement = statement.filter(calendar_feeds::created_by_account_id.eq(creator));
    }
    Ok(statement.execute(connection)? == 1)
}

/// What an opened feed shows.
#[derive(Debug, Clone)]
pub struct OpenedFeed {
    pub athlete_id: AthleteId,
    pub feed_name: Option<String>,
    pub athlete_name: String,
}

/// How stale `last_fetched_at` may get: polls within this much of the last
/// recorded one write nothing.
const FETCH_RECORD_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// The live feed whose token has this digest, or `None` (unknown, deleted,
/// or its creator may no longer read the athlete: all alike to the
/// caller). The lookup is by the digest of the token, so its timing tells
/// nothing about any token's characters.
pub fn open(connection: &mut PgConnection, token_sha256: &[u8]) -> RepoResult<Option<OpenedFeed>> {
    /// athlete_id, id, name, the athlete's name, last_fetched_at.
    type Opened = (
        AthleteId,
        Uuid,
        Option<String>,
        String,
        Option<DateTime<Utc>>,
    );
    let found: Option<Opened> = with_creator_grant()
        .filter(calendar_feeds::token_sha256.eq(token_sha256))
        .filter(
            athletes::owner_account_id
                .eq(calendar_feeds::created_by_account_id)
                .or(grants::id.nullable().is_not_null()),
        )
        .select((
            calendar_feeds::athlete_id,
            calendar_feeds::id,
            calendar_feeds::name,
            athletes::name,
            calendar_feeds::last_fetched_at,
        ))
        .first(connection)
        .optional()?;
    let Some((athlete_id, feed_id, feed_name, athlete_name, last_fetched_at)) = found else {
        return Ok(None);
    };
    let now = Utc::now();
    if last_fetched_at.is_none_or(|at| now - at >= FETCH_RECORD_INTERVAL) {
        diesel::update(calendar_feeds::table.find((athlete_id, feed_id)))
            .set(calendar_feeds::last_fetched_at.eq(now))
            .execute(connection)?;
    }
    Ok(Some(OpenedFeed {
        athlete_id,
        feed_name,
        athlete_name,
    }))
}
