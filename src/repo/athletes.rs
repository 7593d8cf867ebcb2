//! Athlete profiles. Every read carries the access predicate: a profile
//! the caller may not see is never returned.

use diesel::prelude::*;

use super::access::{AccessLevel, athletes_with_grant};
use super::error::{RepoError, RepoResult};
use crate::db::schema::{athletes, grants};
use crate::domain::profile::AthleteProfile;
use crate::ids::{AccountId, AthleteId};
use crate::models::athlete::AthleteRow;
use crate::views::Athlete;

/// A profile with its version (for ETags) and what the caller may do.
#[derive(Debug, Clone)]
pub struct VisibleAthlete {
    pub athlete: Athlete,
    pub version: i64,
    pub access: AccessLevel,
}

fn athlete_from_row(row: AthleteRow) -> RepoResult<(Athlete, i64)> {
    let profile: AthleteProfile =
        crate::domain::dates::reading_stored(|| serde_json::from_value(row.profile)).map_err(
            |error| RepoError::internal(format!("corrupt athlete profile {}: {error}", row.id)),
        )?;
    Ok((
        Athlete {
            id: row.id,
            owner_account_id: row.owner_account_id,
            profile,
            created_at: row.created_at,
            updated_at: row.updated_at,
        },
        row.version,
    ))
}

fn profile_json(profile: &AthleteProfile) -> RepoResult<serde_json::Value> {
    serde_json::to_value(profile).map_err(RepoError::internal)
}

pub fn create(
    connection: &mut PgConnection,
    owner: AccountId,
    profile: &AthleteProfile,
) -> RepoResult<(Athlete, i64)> {
    let row: AthleteRow = diesel::insert_into(athletes::table)
        .values((
            athletes::id.eq(AthleteId::new_v7()),
            athletes::owner_account_id.eq(owner),
            athletes::name.eq(profile.name.trim()),
            athletes::profile.eq(profile_json(profile)?),
        ))
        .returning(AthleteRow::as_returning())
        .get_result(connection)?;
    athlete_from_row(row)
}

/// The profile `id` if `caller` may see it, with the caller's access level,
/// decided in this one query.
pub fn find_visible(
    connection: &mut PgConnection,
    caller: AccountId,
    id: AthleteId,
) -> RepoResult<Option<VisibleAthlete>> {
    let found: Option<(AthleteRow, Option<String>)> = athletes_with_grant(caller)
        .filter(athletes::id.eq(id))
        .filter(
            athletes::owner_account_id
                .eq(caller)
                .or(grants::id.is_not_null()),
        )
        .select((AthleteRow::as_select(), grants::access.nullable()))
        .first(connection)
        .optional()?;
    let Some((row, grant)) = found else {
        return Ok(None);
    };
    let access = AccessLevel::of(row.owner_account_id, caller, grant.as_deref())
        .ok_or_else(|| RepoError::internal("visible athlete without access"))?;
    let (athlete, version) = athlete_from_row(row)?;
    Ok(Some(VisibleAthlete {
        athlete,
        version,
        access,
    }))
}

/// Like [`find_visible`], answering 404 when the caller may not see it and
/// 403 when they may see it but lack `needed`.
pub fn require(
    connection: &mut PgConnection,
    caller: AccountId,
    id: AthleteId,
    needed: AccessLevel,
) -> RepoResult<VisibleAthlete> {
    let visible = find_visible(connection, caller, id)?.ok_or_else(not_found)?;
    visible.access.require(needed)?;
    Ok(visible)
}

pub fn not_found() -> RepoError {
    RepoError::NotFound("no athlete has that id".to_owned())
}

/// Profiles the caller owns or holds an active grant on, oldest first.
pub fn list_visible(
    connection: &mut PgConnection,
    caller: AccountId,
    after: Option<AthleteId>,
    limit: i64,
) -> RepoResult<(Vec<Athlete>, bool)> {
    let mut query = athletes_with_grant(caller)
        .filter(
            athletes::owner_account_id
                .eq(caller)
                .or(grants::id.is_not_null()),
        )
        .select(AthleteRow::as_select())
        .order(athletes::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(athletes::id.gt(after));
    }
    let mut rows: Vec<AthleteRow> = query.load(connection)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let athletes = rows
        .into_iter()
        .map(|row| athlete_from_row(row).map(|(athlete, _)| athlete))
        .collect::<Result<_, _>>()?;
    Ok((athletes, has_more))
}

/// Replaces the profile if it is still at `expected_version`; `None` when
/// another write got there first (the caller answers 412).
pub fn update(
    connection: &mut PgConnection,
    id: AthleteId,
    expected_version: i64,
    profile: &AthleteProfile,
) -> RepoResult<Option<(Athlete, i64)>> {
    let row: Option<AthleteRow> = diesel::update(
        athletes::table
            .filter(athletes::id.eq(id))
            .filter(athletes::version.eq(expected_version)),
    )
    .set((
        athletes::name.eq(profile.name.trim()),
        athletes::profile.eq(profile_json(profile)?),
        athletes::version.eq(athletes::version + 1),
        athletes::updated_at.eq(diesel::dsl::now),
    ))
    .returning(AthleteRow::as_returning())
    .get_result(connection)
    .optional()?;
    row.map(athlete_from_row).transpose()
}

/// Deletes the profile if it is still at `expected_version`.
pub fn delete(
    connection: &mut PgConnection,
    id: AthleteId,
    expected_version: i64,
) -> RepoResult<bool> {
    let deleted = diesel::delete(
        athletes::table
            .filter(athletes::id.eq(id))
            .filter(athletes::version.eq(expected_version)),
    )
    .execute(connection)?;
    Ok(deleted == 1)
}
