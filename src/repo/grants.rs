//! Coach grants on athlete profiles: made by the athlete's owner, pending
//! until the coach accepts, ended by either side.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::error::{RepoError, RepoResult};
use crate::db::schema::{accounts, athletes, grants};
use crate::domain::validation::FieldError;
use crate::domain::vocabulary::{GrantAccess, GrantStatus, Role};
use crate::ids::{AccountId, AthleteId, GrantId};
use crate::views::{CoachGrant, Grant};

type GrantColumns = (
    grants::id,
    grants::athlete_id,
    grants::coach_account_id,
    accounts::email,
    accounts::display_name,
    grants::access,
    grants::status,
    grants::created_at,
    grants::accepted_at,
);

const GRANT_COLUMNS: GrantColumns = (
    grants::id,
    grants::athlete_id,
    grants::coach_account_id,
    accounts::email,
    accounts::display_name,
    grants::access,
    grants::status,
    grants::created_at,
    grants::accepted_at,
);

type GrantRow = (
    GrantId,
    AthleteId,
    AccountId,
    String,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

fn grant_from_row(row: GrantRow) -> RepoResult<Grant> {
    Ok(Grant {
        id: row.0,
        athlete_id: row.1,
        coach_account_id: row.2,
        coach_email: row.3,
        coach_display_name: row.4,
        access: row.5.parse().map_err(RepoError::internal)?,
        status: row.6.parse().map_err(RepoError::internal)?,
        created_at: row.7,
        accepted_at: row.8,
    })
}

/// Grants `access` to the coach with `coach_email_normalized` (pending
/// until the coach accepts), or changes the access of their live grant,
/// which keeps its status. Returns the grant and whether it is new.
pub fn grant(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    athlete_owner: AccountId,
    coach_email_normalized: &str,
    access: GrantAccess,
) -> RepoResult<(Grant, bool)> {
    let coach: Option<(AccountId, String)> = accounts::table
        .filter(accounts::email_normalized.eq(coach_email_normalized))
        .select((accounts::id, accounts::role))
        .first(connection)
        .optional()?;
    let coach_id = match coach {
        Some((id, role)) if role == Role::Coach.as_str() && id != athlete_owner => id,
        Some((id, _)) if id == athlete_owner => {
            return Err(RepoError::Invalid(vec![FieldError::new(
                "/coach_email",
                "the owner already has full access",
            )]));
        }
        _ => {
            return Err(RepoError::Invalid(vec![FieldError::new(
                "/coach_email",
                "no coach account has that email",
            )]));
        }
    };
    connection.transaction(|connection| {
        let updated: Option<GrantId> = diesel::update(
            grants::table
                .filter(grants::athlete_id.eq(athlete_id))
                .filter(grants::coach_account_id.eq(coach_id))
                .filter(grants::revoked_at.is_null()),
        )
        .set(grants::access.eq(access.as_str()))
        .returning(grants::id)
        .get_result(connection)
        .optional()?;
        let (id, created) = match updated {
            Some(id) => (id, false),
            None => {
                let id = GrantId::new_v7();
                diesel::insert_into(grants::table)
                    .values((
                        grants::id.eq(id),
                        grants::athlete_id.eq(athlete_id),
                        grants::coach_account_id.eq(coach_id),
                        grants::access.eq(access.as_str()),
                        grants::status.eq(GrantStatus::Pending.as_str()),
                    ))
                    .execute(connection)?;
                (id, true)
            }
        };
        let row: GrantRow = grants::table
            .inner_join(accounts::table.on(accounts::id.eq(grants::coach_account_id)))
            .filter(grants::id.eq(id))
            .select(GRANT_COLUMNS)
            .first(connection)?;
        Ok((grant_from_row(row)?, created))
    })
}

/// The live grants (pending and active) of one athlete.
pub fn list(connection: &mut PgConnection, athlete_id: AthleteId) -> RepoResult<Vec<Grant>> {
    grants::table
        .inner_join(accounts::table.on(accounts::id.eq(grants::coach_account_id)))
        .filter(grants::athlete_id.eq(athlete_id))
        .filter(grants::revoked_at.is_null())
        .order(grants::id.asc())
        .select(GRANT_COLUMNS)
        .load::<GrantRow>(connection)?
        .into_iter()
        .map(grant_from_row)
        .collect()
}

/// Revokes a live grant of this athlete; false when there is none.
pub fn revoke(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    grant_id: GrantId,
) -> RepoResult<bool> {
    let revoked = diesel::update(
        grants::table
            .filter(grants::id.eq(grant_id))
            .filter(grants::athlete_id.eq(athlete_id))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(diesel::dsl::now))
    .execute(connection)?;
    Ok(revoked == 1)
}

type CoachGrantRow = (
    GrantId,
    AthleteId,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

const COACH_GRANT_COLUMNS: (
    grants::id,
    grants::athlete_id,
    athletes::name,
    grants::access,
    grants::status,
    grants::created_at,
    grants::accepted_at,
) = (
    grants::id,
    grants::athlete_id,
    athletes::name,
    grants::access,
    grants::status,
    grants::created_at,
    grants::accepted_at,
);

fn coach_grant_from_row(row: CoachGrantRow) -> RepoResult<CoachGrant> {
    Ok(CoachGrant {
        id: row.0,
        athlete_id: row.1,
        athlete_name: row.2,
        access: row.3.parse().map_err(RepoError::internal)?,
        status: row.4.parse().map_err(RepoError::internal)?,
        created_at: row.5,
        accepted_at: row.6,
    })
}

/// One page of the live grants made to `coach`, oldest first.
pub fn list_for_coach(
    connection: &mut PgConnection,
    coach: AccountId,
    status: Option<GrantStatus>,
    after: Option<GrantId>,
    limit: i64,
) -> RepoResult<(Vec<CoachGrant>, bool)> {
    let mut query = grants::table
        .inner_join(athletes::table)
        .filter(grants::coach_account_id.eq(coach))
        .filter(grants::revoked_at.is_null())
        .select(COACH_GRANT_COLUMNS)
        .order(grants::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(grants::status.eq(status.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(grants::id.gt(after));
    }
    let mut rows: Vec<CoachGrantRow> = query.load(connection)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let grants = rows
        .into_iter()
        .map(coach_grant_from_row)
        .collect::<Result<_, _>>()?;
    Ok((grants, has_more))
}

/// Accepts a live grant made to `coach` (accepting it again changes
/// nothing); `None` when `coach` has no live grant with that id.
pub fn accept(
    connection: &mut PgConnection,
    coach: AccountId,
    grant_id: GrantId,
) -> RepoResult<Option<CoachGrant>> {
    connection.transaction(|connection| {
        diesel::update(
            grants::table
                .filter(grants::id.eq(grant_id))
                .filter(grants::coach_account_id.eq(coach))
                .filter(grants::revoked_at.is_null())
                .filter(grants::status.eq(GrantStatus::Pending.as_str())),
        )
        .set((
            grants::status.eq(GrantStatus::Active.as_str()),
            grants::accepted_at.eq(diesel::dsl::now),
        ))
        .execute(connection)?;
        grants::table
            .inner_join(athletes::table)
            .filter(grants::id.eq(grant_id))
            .filter(grants::coach_account_id.eq(coach))
            .filter(grants::revoked_at.is_null())
            .select(COACH_GRANT_COLUMNS)
            .first::<CoachGrantRow>(connection)
            .optional()?
            .map(coach_grant_from_row)
            .transpose()
    })
}

/// Ends a live grant made to `coach`: declines a pending one, leaves an
/// active one. False when `coach` has no live grant with that id.
pub fn end_for_coach(
    connection: &mut PgConnection,
    coach: AccountId,
    grant_id: GrantId,
) -> RepoResult<bool> {
    let ended = diesel::update(
        grants::table
            .filter(grants::id.eq(grant_id))
            .filter(grants::coach_account_id.eq(coach))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(diesel::dsl::now))
    .execute(connection)?;
    Ok(ended == 1)
}
