//! Coach grants on athlete profiles: made by the athlete's owner, pending
//! until the coach accepts, ended by either side.

use diesel::prelude::*;

use super::error::{RepoError, RepoResult};
use crate::db::schema::{accounts, athletes, grants};
use crate::domain::validation::FieldError;
use crate::domain::vocabulary::{GrantAccess, GrantStatus, Role};
use crate::ids::{AccountId, AthleteId, GrantId};
use crate::models::grant::{CoachGrantRow, GrantRow, GrantTermsRow};
use crate::views::{CoachGrant, Grant};

/// The access and status of a stored grant, read back into their types.
fn parse_terms(terms: &GrantTermsRow) -> RepoResult<(GrantAccess, GrantStatus)> {
    Ok((
        terms.access.parse().map_err(RepoError::internal)?,
        terms.status.parse().map_err(RepoError::internal)?,
    ))
}

fn grant_from_row(row: GrantRow) -> RepoResult<Grant> {
    let (access, status) = parse_terms(&row.terms)?;
    Ok(Grant {
        id: row.id,
        athlete_id: row.athlete_id,
        coach_account_id: row.coach_account_id,
        coach_email: row.coach_email,
        coach_display_name: row.coach_display_name,
        access,
        status,
        created_at: row.terms.created_at,
        accepted_at: row.terms.accepted_at,
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
            .select(GrantRow::as_select())
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
        .select(GrantRow::as_select())
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

fn coach_grant_from_row(row: CoachGrantRow) -> RepoResult<CoachGrant> {
    let (access, status) = parse_terms(&row.terms)?;
    Ok(CoachGrant {
        id: row.id,
        athlete_id: row.athlete_id,
        athlete_name: row.athlete_name,
        access,
        status,
        created_at: row.terms.created_at,
        accepted_at: row.terms.accepted_at,
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
        .select(CoachGrantRow::as_select())
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
            .select(CoachGrantRow::as_select())
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
