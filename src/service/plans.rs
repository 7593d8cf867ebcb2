//! Plans: previews and validation against the catalog the caller sees,
//! stored plans (generated from the athlete's profile and lifting
//! history), their reads and deletion, adaptation from the logs, and the
//! lookup of one planned session for the watch.
//!
//! The engine runs on the blocking pool without a database connection:
//! the catalog and history are read first, the connection goes back, then
//! the plan is computed, and a second trip stores it.

use std::sync::Arc;

use actix_web::web;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use crate::catalog_cache::CatalogCache;
use crate::db::{self, PgPool, reads::Reads};
use crate::domain::adherence::adaptation_evidence;
use crate::domain::dates::midnight;
use crate::domain::load::LOAD_HISTORY_DAYS;
use crate::domain::plan::adapt::adapt;
use crate::domain::plan::catalog::PlanCatalog;
use crate::domain::plan::generate::{Options, PlanError, generate_with_lifts};
use crate::domain::plan::model::{Plan, PlannedSession, Violation};
use crate::domain::plan::request::{PlanRequest, request_from_profile};
use crate::domain::plan::validate::validate;
use crate::domain::profile::AthleteProfile;
use crate::domain::strength_load::LiftHistory;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::ids::{AccountId, AthleteId, PlanId};
use crate::repo::access::AccessLevel;
use crate::repo::accounts::{self, Caller};
use crate::repo::athletes;
use crate::repo::exercises::{self, ExerciseNames};
use crate::repo::plans as repo;
use crate::repo::sessions;
use crate::service::athletes::{may_read, require_caller};
use crate::service::catalog::viewer_id;
use crate::views::{PlanSummary, Session, StoredPlan};

/// How far back and how many weighted sessions a plan's loads look at.
const LIFT_HISTORY_DAYS: i64 = 180;
const LIFT_HISTORY_SESSIONS: i64 = 100;

/// Turns a merged JSON document into a plan request, with a pointer to
/// each error. How a body is read is HTTP's (`http::extract::parse_json`),
/// so the handler hands it in.
pub type ParseRequest = fn(&[u8]) -> Result<PlanRequest, ApiError>;

/// A plan for a request, stored nowhere (no lifting history, so no loads).
pub async fn preview(
    pool: &PgPool,
    cached: &CatalogCache,
    token_digest: Option<Vec<u8>>,
    request: PlanRequest,
) -> Result<Plan, ApiError> {
    let catalog = engine_catalog(pool, cached, token_digest).await?;
    let (_, plan) = run_engine(request, catalog, LiftHistory::default()).await?;
    Ok(plan)
}

/// Every rule a plan breaks, hard ones first; 422 first when the plan
/// holds what the rules cannot judge (`check_plan_input`).
pub async fn violations(
    pool: &PgPool,
    cached: &CatalogCache,
    token_digest: Option<Vec<u8>>,
    plan: Plan,
) -> Result<Vec<Violation>, ApiError> {
    let catalog = engine_catalog(pool, cached, token_digest).await?;
    web::block(move || {
        check_plan_input(&plan, &catalog)?;
        Ok(validate(&plan, &catalog))
    })
    .await?
}

/// Generates and stores a plan for an athlete: `overrides` (a JSON object
/// of plan-request fields) over the athlete's profile, with loads from the
/// athlete's weighted sets.
pub async fn create(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    overrides: serde_json::Value,
    parse_request: ParseRequest,
) -> Result<StoredPlan, ApiError> {
    let (caller, catalog, request, lifts) = db::run(pool, move |connection| {
        let (caller, athlete) = require_caller(
            connection,
            &token_digest,
            athlete_id,
            AccessLevel::ReadWrite,
        )?;
        refuse_dropping_the_race(&athlete.athlete.profile, &overrides)?;
        let merged = request_from_profile(&athlete.athlete.profile, &overrides);
        let request = parse_request(merged.to_string().as_bytes())?;
        // Private exercises of the athlete's coaches are the athlete owner's to see.
        let catalog = load_catalog(connection, Some(athlete.athlete.owner_account_id))?;
        let lifts = lift_history(connection, athlete_id, Utc::now())?;
        Ok((caller, catalog, request, lifts))
    })
    .await?;
    let (request, plan) = run_engine(request, Arc::new(catalog), lifts).await?;
    db::run(pool, move |connection| {
        Ok(repo::create(
            connection,
            athlete_id,
            caller.account_id,
            &request,
            &plan,
            None,
        )?)
    })
    .await
}

/// A page of an athlete's plans after `after`, and whether more follow
/// (a replica-eligible read).
pub async fn list(
    reads: &Reads,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    after: Option<PlanId>,
    limit: i64,
) -> Result<(Vec<PlanSummary>, bool), ApiError> {
    reads
        .run(
            move |connection| may_read(connection, &token_digest, athlete_id),
            move |connection| Ok(repo::list(connection, athlete_id, after, limit)?),
        )
        .await
}

/// A stored plan the caller has `needed` access to (404 if not visible).
pub async fn visible(
    pool: &PgPool,
    token_digest: Vec<u8>,
    plan_id: PlanId,
    needed: AccessLevel,
) -> Result<StoredPlan, ApiError> {
    db::run(pool, move |connection| {
        let (_, stored) = require_plan(connection, &token_digest, plan_id, needed)?;
        Ok(stored)
    })
    .await
}

/// Deletes a plan the caller may write.
pub async fn delete(pool: &PgPool, token_digest: Vec<u8>, plan_id: PlanId) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        let (_, plan) = require_plan(connection, &token_digest, plan_id, AccessLevel::ReadWrite)?;
        Ok(repo::delete(connection, plan.athlete_id, plan_id)?)
    })
    .await
}

/// Re-plans a stored plan from the week of `from` on, with the evidence of
/// the logs before `from`, and stores the result as a new version.
pub async fn adapt_from(
    pool: &PgPool,
    token_digest: Vec<u8>,
    plan_id: PlanId,
    from: NaiveDate,
) -> Result<StoredPlan, ApiError> {
    let (caller, stored, logs, inputs, catalog, lifts) = db::run(pool, move |connection| {
        let (caller, stored) =
            require_plan(connection, &token_digest, plan_id, AccessLevel::ReadWrite)?;
        let owner = athletes::require(
            connection,
            caller.account_id,
            stored.athlete_id,
            AccessLevel::ReadWrite,
        )?
        .athlete
        .owner_account_id;
        let logs = sessions::between(
            connection,
            stored.athlete_id,
            midnight(from - Duration::days(LOAD_HISTORY_DAYS)),
            midnight(from),
        )?;
        let inputs = sessions::load_inputs(connection, &logs)?;
        let catalog = load_catalog(connection, Some(owner))?;
        let lifts = lift_history(connection, stored.athlete_id, midnight(from))?;
        Ok((caller, stored, logs, inputs, catalog, lifts))
    })
    .await?;
    let (stored, adapted) = web::block(move || {
        let logs: Vec<_> = logs.iter().map(Session::logged).collect();
        let mut evidence = adaptation_evidence(&stored.plan, stored.id, &logs, &inputs, from);
        evidence.lifts = lifts;
        adapt(&stored.plan, &stored.request, from, &evidence, &catalog).map(|plan| (stored, plan))
    })
    .await?
    .map_err(plan_error)?;
    db::run(pool, move |connection| {
        Ok(repo::create(
            connection,
            stored.athlete_id,
            caller.account_id,
            &stored.request,
            &adapted,
            Some(stored.id),
        )?)
    })
    .await
}

/// Where a session sits in a plan.
#[derive(Debug, Clone, Copy)]
pub struct Located {
    week: usize,
    day: usize,
    session: usize,
}

impl Located {
    pub fn session(self, plan: &Plan) -> &PlannedSession {
        &plan.weeks[self.week].days[self.day].sessions[self.session]
    }

    /// The JSON pointer of the session in the stored plan.
    pub fn pointer(self) -> String {
        format!(
            "/plan/weeks/{}/days/{}/sessions/{}",
            self.week, self.day, self.session
        )
    }
}

/// Session `n` (from 1) of `date` in a plan the caller may read, with the
/// display names of its exercises as the caller sees them.
pub async fn planned_session(
    pool: &PgPool,
    token_digest: Vec<u8>,
    plan_id: PlanId,
    date: NaiveDate,
    n: u16,
) -> Result<(StoredPlan, Located, ExerciseNames), ApiError> {
    db::run(pool, move |connection| {
        let (caller, stored) = require_plan(connection, &token_digest, plan_id, AccessLevel::Read)?;
        let located = locate(&stored.plan, date, n)?;
        let session = located.session(&stored.plan);
        let exercises_of = session
            .warm_up
            .iter()
            .chain(&session.exercises)
            .chain(&session.cool_down);
        let ids: Vec<Uuid> = exercises_of.clone().filter_map(|e| e.exercise_id).collect();
        let slugs: Vec<String> = exercises_of.map(|e| e.exercise_slug.clone()).collect();
        let names = exercises::display_names(connection, Some(caller.account_id), &ids, &slugs)?;
        Ok((stored, located, names))
    })
    .await
}

/// The caller behind a token and a plan they have at least `needed`
/// access to: 401 for a dead token, 404 for a plan they cannot see, 403
/// for too little access (the plan's twin of `athletes::require_caller`).
fn require_plan(
    connection: &mut PgConnection,
    token_digest: &[u8],
    plan_id: PlanId,
    needed: AccessLevel,
) -> Result<(Caller, StoredPlan), ApiError> {
    let caller = accounts::authenticate(connection, token_digest)?;
    let stored = repo::require(connection, caller.account_id, plan_id, needed)?;
    Ok((caller, stored))
}

/// Session `n` (from 1) of `date`, or 404 saying which part is missing.
fn locate(plan: &Plan, date: NaiveDate, n: u16) -> Result<Located, ApiError> {
    for (week, planned_week) in plan.weeks.iter().enumerate() {
        for (day, planned_day) in planned_week.days.iter().enumerate() {
            if planned_day.date != date {
                continue;
            }
            let count = planned_day.sessions.len();
            return match usize::from(n).checked_sub(1).filter(|i| *i < count) {
                Some(session) => Ok(Located { week, day, session }),
                None => Err(ApiError::NotFound(format!(
                    "{date} has {count} session(s); sessions count from 1"
                ))),
            };
        }
    }
    Err(ApiError::NotFound(format!(
        "the plan has no day {date} (it runs {} to {})",
        plan.start_date, plan.end_date
    )))
}

/// The catalog an optional caller sees, for the engine: the global one
/// from memory for anonymous callers (while the cache may be trusted),
/// otherwise read with the caller's private exercises.
async fn engine_catalog(
    pool: &PgPool,
    cached: &CatalogCache,
    token_digest: Option<Vec<u8>>,
) -> Result<Arc<PlanCatalog>, ApiError> {
    if token_digest.is_none()
        && let Some(snapshot) = cached.snapshot(pool).await?
    {
        return Ok(snapshot.plan_catalog());
    }
    let catalog = db::run(pool, move |connection| {
        let viewer = viewer_id(connection, token_digest.as_deref())?;
        load_catalog(connection, viewer)
    })
    .await?;
    Ok(Arc::new(catalog))
}

/// The catalog the caller sees, for the engine: one exercise per slug, the
/// one the slug resolves to for the caller (`repo::exercises`).
fn load_catalog(
    connection: &mut PgConnection,
    viewer: Option<AccountId>,
) -> Result<PlanCatalog, ApiError> {
    Ok(PlanCatalog::new(exercises::resolved(connection, viewer)?))
}

fn plan_error(error: PlanError) -> ApiError {
    match error {
        PlanError::Invalid(errors) => ApiError::unprocessable(errors),
        PlanError::Infeasible {
            conflict,
            suggestions,
        } => ApiError::Infeasible {
            conflict,
            suggestions,
        },
        PlanError::Internal(message) => ApiError::internal(message),
    }
}

/// Runs the engine off the async workers, holding no database connection.
async fn run_engine(
    request: PlanRequest,
    catalog: Arc<PlanCatalog>,
    lifts: LiftHistory,
) -> Result<(PlanRequest, Plan), ApiError> {
    web::block(move || {
        generate_with_lifts(&request, &catalog, Options::default(), &lifts)
            .map(|plan| (request, plan))
    })
    .await?
    .map_err(plan_error)
}

/// The athlete's newest weighted sets of each exercise before `before`,
/// for the loads of a plan (`load_kg`).
fn lift_history(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    before: DateTime<Utc>,
) -> Result<LiftHistory, ApiError> {
    let sessions = sessions::weighted_sets(
        connection,
        athlete_id,
        before - Duration::days(LIFT_HISTORY_DAYS),
        before,
        LIFT_HISTORY_SESSIONS,
    )?;
    Ok(LiftHistory::from_sessions(
        sessions.iter().map(Vec::as_slice),
    ))
}

/// `weeks` in the body against a profile with a race would plan past the
/// race, without its peak and taper. Unless the body says what becomes of
/// the race (`"race": null`, or another race, which `PlanRequest` then
/// refuses beside `weeks`), that is refused, naming the race.
fn refuse_dropping_the_race(
    profile: &AthleteProfile,
    overrides: &serde_json::Value,
) -> Result<(), ApiError> {
    let weeks_given = overrides.get("weeks").is_some_and(|weeks| !weeks.is_null());
    match &profile.race {
        Some(race) if weeks_given && overrides.get("race").is_none() => {
            Err(ApiError::unprocessable(vec![FieldError::new(
                "/weeks",
                format!(
                    "the athlete's profile has a race ({} on {}) that `weeks` would leave out: \
                     leave out `weeks` to plan up to the race, or send `\"race\": null` with it \
                     to plan without the race",
                    race.distance, race.date
                ),
            )]))
        }
        _ => Ok(()),
    }
}

/// What the rules cannot judge in a plan sent for validation: exercises
/// the catalog does not have, numbers outside the ranges the document
/// gives (sets 1–10, target RPE 1–10, loads up to 1000 kg, a custom race
/// of 1–400 km) and steps of the wrong shape (not exactly one of duration
/// and distance, nested repeats), which a generated plan never has. All
/// answer 422, each with its pointer.
fn check_plan_input(plan: &Plan, catalog: &PlanCatalog) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(km) = plan.race.as_ref().and_then(|race| race.distance_km)
        && !(1.0..=400.0).contains(&km)
    {
        errors.push(FieldError::new(
            "/plan/race/distance_km",
            "between 1 and 400",
        ));
    }
    for (w, week) in plan.weeks.iter().enumerate() {
        for (d, day) in week.days.iter().enumerate() {
            for (s, session) in day.sessions.iter().enumerate() {
                let at = format!("/plan/weeks/{w}/days/{d}/sessions/{s}");
                for (pointer, detail) in crate::domain::plan::steps::shape_errors(&session.steps) {
                    errors.push(FieldError::new(format!("{at}/steps{pointer}"), detail));
                }
                if !(1..=10).contains(&session.target_rpe) {
                    errors.push(FieldError::new(
                        format!("{at}/target_rpe"),
                        "between 1 and 10",
                    ));
                }
                for (list, items) in [
                    ("warm_up", &session.warm_up),
                    ("exercises", &session.exercises),
                    ("cool_down", &session.cool_down),
                ] {
                    for (e, item) in items.iter().enumerate() {
                        if !(1..=10).contains(&item.sets) {
                            errors.push(FieldError::new(
                                format!("{at}/{list}/{e}/sets"),
                                "between 1 and 10",
                            ));
                        }
                        if item.load_kg.is_some_and(|kg| !(kg > 0.0 && kg <= 1000.0)) {
                            errors.push(FieldError::new(
                                format!("{at}/{list}/{e}/load_kg"),
                                "more than 0 and at most 1000",
                            ));
                        }
                        if catalog
                            .lookup(item.exercise_id, &item.exercise_slug)
                            .is_none()
                        {
                            errors.push(FieldError::new(
                                format!("{at}/{list}/{e}/exercise_slug"),
                                format!("no exercise `{}` in the catalog", item.exercise_slug),
                            ));
                        }
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(errors))
    }
}
