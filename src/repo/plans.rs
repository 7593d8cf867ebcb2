//! Stored plans. Reads carry the athlete access predicate: a plan is
//! visible exactly when its athlete is.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::access::{AccessLevel, athletes_with_grant};
use super::error::{RepoError, RepoResult};
use crate::db::schema::{athletes, grants, plans, sessions};
use crate::domain::dates::reading_stored;
use crate::domain::plan::model::Plan;
use crate::domain::plan::request::PlanRequest;
use crate::ids::{AccountId, AthleteId, PlanId};
use crate::views::{PlanSummary, StoredPlan};

type PlanRow = (
    PlanId,
    AthleteId,
    serde_json::Value,
    serde_json::Value,
    DateTime<Utc>,
    Option<PlanId>,
);

const PLAN_COLUMNS: (
    plans::id,
    plans::athlete_id,
    plans::request,
    plans::plan,
    plans::created_at,
    plans::parent_plan_id,
) = (
    plans::id,
    plans::athlete_id,
    plans::request,
    plans::plan,
    plans::created_at,
    plans::parent_plan_id,
);

fn stored_from_row(row: PlanRow) -> RepoResult<StoredPlan> {
    let corrupt =
        |error: serde_json::Error| RepoError::internal(format!("corrupt plan {}: {error}", row.0));
    Ok(StoredPlan {
        id: row.0,
        athlete_id: row.1,
        // Stored before dates were bounded, maybe: read back whatever they are.
        request: reading_stored(|| serde_json::from_value(row.2)).map_err(corrupt)?,
        plan: reading_stored(|| serde_json::from_value(row.3)).map_err(corrupt)?,
        created_at: row.4,
        parent_plan_id: row.5,
    })
}

pub fn create(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    created_by: AccountId,
    request: &PlanRequest,
    plan: &Plan,
    parent: Option<PlanId>,
) -> RepoResult<StoredPlan> {
    let row: PlanRow = diesel::insert_into(plans::table)
        .values((
            plans::id.eq(PlanId::new_v7()),
            plans::athlete_id.eq(athlete_id),
            plans::created_by_account_id.eq(created_by),
            plans::request.eq(serde_json::to_value(request).map_err(RepoError::internal)?),
            plans::plan.eq(serde_json::to_value(plan).map_err(RepoError::internal)?),
            plans::start_date.eq(plan.start_date),
            plans::end_date.eq(plan.end_date),
            plans::parent_plan_id.eq(parent),
        ))
        .returning(PLAN_COLUMNS)
        .get_result(connection)?;
    stored_from_row(row)
}

/// The plan if the caller may see its athlete, with the caller's access.
pub fn find_visible(
    connection: &mut PgConnection,
    caller: AccountId,
    plan_id: PlanId,
) -> RepoResult<Option<(StoredPlan, AccessLevel)>> {
    let found: Option<(PlanRow, AccountId, Option<String>)> = athletes_with_grant(caller)
        .inner_join(plans::table.on(plans::athlete_id.eq(athletes::id)))
        .filter(plans::id.eq(plan_id))
        .filter(
            athletes::owner_account_id
                .eq(caller)
                .or(grants::id.is_not_null()),
        )
        .select((
            PLAN_COLUMNS,
            athletes::owner_account_id,
            grants::access.nullable(),
        ))
        .first(connection)
        .optional()?;
    let Some((row, owner, grant)) = found else {
        return Ok(None);
    };
    let access = AccessLevel::of(owner, caller, grant.as_deref())
        .ok_or_else(|| RepoError::internal("visible plan without access"))?;
    Ok(Some((stored_from_row(row)?, access)))
}

/// 404 when the caller may not see the plan, 403 without `needed`.
pub fn require(
    connection: &mut PgConnection,
    caller: AccountId,
    plan_id: PlanId,
    needed: AccessLevel,
) -> RepoResult<StoredPlan> {
    let (plan, access) = find_visible(connection, caller, plan_id)?
        .ok_or_else(|| RepoError::NotFound("no plan has that id".to_owned()))?;
    access.require(needed)?;
    Ok(plan)
}

pub fn list(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    after: Option<PlanId>,
    limit: i64,
) -> RepoResult<(Vec<PlanSummary>, bool)> {
    let mut query = plans::table
        .filter(plans::athlete_id.eq(athlete_id))
        .select((
            plans::id,
            plans::athlete_id,
            plans::start_date,
            plans::end_date,
            plans::created_at,
        ))
        .order(plans::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(plans::id.gt(after));
    }
    let mut rows: Vec<(PlanId, AthleteId, NaiveDate, NaiveDate, DateTime<Utc>)> =
        query.load(connection)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((
        rows.into_iter()
            .map(
                |(id, athlete_id, start_date, end_date, created_at)| PlanSummary {
                    id,
                    athlete_id,
                    start_date,
                    end_date,
                    created_at,
                },
            )
            .collect(),
        has_more,
    ))
}

/// The athlete's current plans: those no stored plan was adapted from (an
/// adaptation replaces its parent; deleting the adaptation brings the
/// parent back). The newest `limit`, oldest first.
pub fn current(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    limit: i64,
) -> RepoResult<Vec<StoredPlan>> {
    let children = diesel::alias!(plans as children);
    let adapted = diesel::dsl::exists(
        children
            .filter(children.field(plans::athlete_id).eq(plans::athlete_id))
            .filter(
                children
                    .field(plans::parent_plan_id)
                    .eq(plans::id.nullable()),
            ),
    );
    let rows: Vec<PlanRow> = plans::table
        .filter(plans::athlete_id.eq(athlete_id))
        .filter(diesel::dsl::not(adapted))
        .select(PLAN_COLUMNS)
        .order(plans::id.desc())
        .limit(limit)
        .load(connection)?;
    rows.into_iter().rev().map(stored_from_row).collect()
}

/// Deletes the athlete's plan. The sessions logged against it and the
/// plans adapted from it stay, unlinked, as `ON DELETE SET NULL` left them
/// before the links carried athlete_id: Citus refuses SET NULL on a key
/// that holds the distribution column, so the links are `NO ACTION` and
/// unlinked here. Only the link changes (no new version, no `updated_at`),
/// so syncing apps and webhooks see nothing, as before.
pub fn delete(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    plan_id: PlanId,
) -> RepoResult<()> {
    connection.transaction(|connection| {
        // Locked first, so that a session or adaptation linking the plan
        // meanwhile either lands before the unlinking (and is unlinked) or
        // waits and then fails its foreign key check, as it did before.
        let found: Option<PlanId> = plans::table
            .find((plan_id, athlete_id))
            .select(plans::id)
            .for_update()
            .first(connection)
            .optional()?;
        if found.is_none() {
            return Ok(());
        }
        diesel::update(
            sessions::table
                .filter(sessions::athlete_id.eq(athlete_id))
                .filter(sessions::planned_plan_id.eq(plan_id)),
        )
        .set(sessions::planned_plan_id.eq(None::<PlanId>))
        .execute(connection)?;
        diesel::update(
            plans::table
                .filter(plans::athlete_id.eq(athlete_id))
                .filter(plans::parent_plan_id.eq(plan_id)),
        )
        .set(plans::parent_plan_id.eq(None::<PlanId>))
        .execute(connection)?;
        diesel::delete(plans::table.find((plan_id, athlete_id))).execute(connection)?;
        Ok(())
    })
}
