//! Plan generation, validation and stored plans. The engine runs on the
//! blocking pool without a database connection: the catalog is read
//! first, the connection goes back, then the plan is computed.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, web};
use chrono::Utc;
use diesel::PgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::athletes::AthletePath;
use super::pagination::{IdPageParams, next_id_cursor};
use crate::catalog_cache::CatalogCache;
use crate::db::{self, PgPool, reads::Reads};
use crate::domain::adherence::adaptation_evidence;
use crate::domain::load::LOAD_HISTORY_DAYS;
use crate::domain::plan::adapt::adapt;
use crate::domain::plan::catalog::PlanCatalog;
use crate::domain::plan::generate::{Options, PlanError, generate_with_lifts};
use crate::domain::plan::ics::to_ics;
use crate::domain::plan::model::{Plan, Violation};
use crate::domain::plan::request::{PlanRequest, request_from_profile};
use crate::domain::plan::rules::{RULES, Rule, Severity};
use crate::domain::plan::validate::validate;
use crate::domain::strength_load::LiftHistory;
use crate::domain::validation::FieldError;
use crate::error::{ApiError, Problem};
use crate::http::auth::{BearerToken, OptionalBearerToken};
use crate::http::etag::json_with_etag;
use crate::http::extract::{JsonBody, parse_json};
use crate::repo::access::AccessLevel;
use crate::repo::plans::{self as repo, PlanSummary, StoredPlan};
use crate::repo::sessions::Session;
use crate::repo::{accounts, athletes, exercises};
use crate::service::athletes::may_read;

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<Rule>,
}

/// The training rules, hard ones first.
///
/// Answers every rule the plan engine and the validator apply, with its id,
/// severity (a generated plan never breaks a `hard` rule; a `soft` one is
/// followed where the availability allows and reported when not), rationale
/// and source; violations name rules by these ids. Needs no token and no
/// database.
#[utoipa::path(
    tag = "plans",
    params(super::exercises::IfNoneMatch),
    responses(
        (status = 200, description = "Every rule with its id, severity and rationale", body = RuleList),
    )
)]
#[get("/v1/rules")]
pub async fn list_rules(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    json_with_etag(
        &request,
        &RuleList {
            items: RULES.to_vec(),
        },
    )
}

/// The catalog an optional caller sees, for the engine: the global one
/// from memory for anonymous callers (while the cache may be trusted),
/// otherwise read with the caller's private exercises.
async fn caller_catalog(
    pool: &PgPool,
    cached: &CatalogCache,
    token: OptionalBearerToken,
) -> Result<Arc<PlanCatalog>, ApiError> {
    if token.0.is_none()
        && let Some(snapshot) = cached.snapshot(pool).await?
    {
        return Ok(snapshot.plan_catalog());
    }
    let catalog = db::run(pool, move |connection| {
        let viewer =
            accounts::authenticate_optional(connection, token.digest())?.map(|c| c.account_id);
        load_catalog(connection, viewer)
    })
    .await?;
    Ok(Arc::new(catalog))
}

/// The catalog the caller sees, for the engine: one exercise per slug, the
/// one the slug resolves to for the caller (`repo::exercises`).
fn load_catalog(
    connection: &mut PgConnection,
    viewer: Option<Uuid>,
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

/// How far back and how many weighted sessions a plan's loads look at.
const LIFT_HISTORY_DAYS: i64 = 180;
const LIFT_HISTORY_SESSIONS: i64 = 100;

/// The athlete's newest weighted sets of each exercise before `before`,
/// for the loads of a plan (`load_kg`).
fn lift_history(
    connection: &mut PgConnection,
    athlete_id: Uuid,
    before: chrono::DateTime<Utc>,
) -> Result<LiftHistory, ApiError> {
    let sessions = crate::repo::sessions::weighted_sets(
        connection,
        athlete_id,
        before - chrono::Duration::days(LIFT_HISTORY_DAYS),
        before,
        LIFT_HISTORY_SESSIONS,
    )?;
    Ok(LiftHistory::from_sessions(
        sessions.iter().map(Vec::as_slice),
    ))
}

/// Generate a plan without storing it.
///
/// Runs the plan engine on the request (start date, goal, experience,
/// available days, weekly running and the rest of an athlete's fields)
/// against the catalog the caller sees and answers the plan, keeping every
/// hard rule. Nothing is stored and no logged sessions are read, so no load
/// comes from the athlete's lifting history. Needs no token; with one, the
/// caller's private exercises can be chosen too. When no plan can keep
/// every hard rule it answers 422 naming the conflict and what to change.
#[utoipa::path(
    tag = "plans",
    security((), ("bearer" = [])),
    request_body = PlanRequest,
    responses(
        (status = 200, description = "The plan", body = Plan),
        (status = 422, description = "Invalid request, or no plan can keep every hard rule (the conflict and what to change)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/plans/preview")]
pub async fn preview_plan(
    pool: web::Data<PgPool>,
    cached: web::Data<CatalogCache>,
    token: OptionalBearerToken,
    body: JsonBody<PlanRequest>,
) -> Result<HttpResponse, ApiError> {
    let catalog = caller_catalog(&pool, &cached, token).await?;
    let (_, plan) = run_engine(body.0, catalog, LiftHistory::default()).await?;
    Ok(HttpResponse::Ok().json(plan))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    pub plan: Plan,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationReport {
    /// True when no hard rule is broken.
    pub valid: bool,
    pub violations: Vec<Violation>,
    pub rules_checked: Vec<String>,
}

/// Every exercise a plan names must be in the caller's catalog.
/// What the rules cannot judge in a plan sent for validation: exercises
/// the catalog does not have, numbers outside the ranges the document
/// gives (sets 1–10, target RPE 1–10, loads up to 1000 kg, a custom race
/// of 1–400 km) and steps of the wrong shape (not exactly one of duration
/// and distance, nested repeats), which a generated plan never has. All
/// answer 422, each with its pointer.
fn check_exercises_known(plan: &Plan, catalog: &PlanCatalog) -> Result<(), ApiError> {
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
                                format!(
                                    "/plan/weeks/{w}/days/{d}/sessions/{s}/{list}/{e}/exercise_slug"
                                ),
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

/// Check any plan against the rules.
///
/// Works for generated plans and hand-written ones alike; the optional
/// `athlete` part of the plan enables the injury, equipment and history rules.
#[utoipa::path(
    tag = "plans",
    security((), ("bearer" = [])),
    request_body = ValidateRequest,
    responses(
        (status = 200, description = "Every violation, hard ones first", body = ValidationReport),
        (status = 422, description = "The plan names an exercise the catalog does not have, a number out of range or a step of the wrong shape", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/plans/validate")]
pub async fn validate_plan(
    pool: web::Data<PgPool>,
    cached: web::Data<CatalogCache>,
    token: OptionalBearerToken,
    body: JsonBody<ValidateRequest>,
) -> Result<HttpResponse, ApiError> {
    let plan = body.0.plan;
    let catalog = caller_catalog(&pool, &cached, token).await?;
    let report = web::block(move || {
        check_exercises_known(&plan, &catalog)?;
        let violations = validate(&plan, &catalog);
        Ok::<_, ApiError>(ValidationReport {
            valid: !violations.iter().any(|v| v.severity == Severity::Hard),
            violations,
            rules_checked: crate::domain::plan::rules::all_ids(),
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(report))
}

/// Generate and store a plan for an athlete.
///
/// The athlete's profile supplies every field the body does not. A plan
/// runs up to the profile's race unless the body replaces the race (a new
/// `race`, or `"race": null` with `weeks`); `weeks` alone against a
/// profile with a race is refused with 422, since it would drop the race.
///
/// Lifts the athlete has logged with a weight (the newest session of each
/// in the last 180 days) carry `load_kg`: from an estimated one-rep
/// maximum (Brzycki up to 10 reps to failure, Epley above, reps in reserve
/// counted as reps), progressed by double progression: every set at the
/// top of the rep range with the target reps in reserve adds 2.5–5%
/// (rounded to 2.5 kg on a bar, 2 kg for dumbbells above 10 kg, 4 kg
/// kettlebells); a set below the range takes 5% off, a set harder than
/// planned holds the load. Later weeks add a rep a week, then load.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(AthletePath),
    request_body = crate::domain::plan::request::PlanOverrides,
    responses(
        (status = 201, description = "The stored plan", body = StoredPlan,
            headers(("Location" = String, description = "The new plan"))),
        (status = 403, description = "Read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid request, or no plan can keep every hard rule", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/athletes/{athlete_id}/plans")]
pub async fn create_plan(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let athlete_id = path.athlete_id;
    let mut overrides = body.0;
    let Some(fields) = overrides.as_object_mut() else {
        return Err(ApiError::bad_field(
            "",
            "send a JSON object of plan-request fields",
        ));
    };
    // Checked on the body itself: `"unknown": null` would vanish in the
    // merge with the profile and never reach the request's own check.
    crate::http::extract::refuse_unknown_fields::<PlanRequest>(fields)?;
    fields
        .entry("start_date")
        .or_insert_with(|| serde_json::Value::String(Utc::now().date_naive().to_string()));
    let (caller, catalog, request, lifts) = db::run(&pool, move |connection| {
        let caller = accounts::authenticate(connection, &token.digest)?;
        let athlete = athletes::require(
            connection,
            caller.account_id,
            athlete_id,
            AccessLevel::ReadWrite,
        )?;
        refuse_dropping_the_race(&athlete.athlete.profile, &overrides)?;
        let merged = request_from_profile(&athlete.athlete.profile, &overrides);
        let request: PlanRequest = parse_json(merged.to_string().as_bytes())?;
        // Private exercises of the athlete's coaches are the athlete owner's to see.
        let catalog = load_catalog(connection, Some(athlete.athlete.owner_account_id))?;
        let lifts = lift_history(connection, athlete_id, Utc::now())?;
        Ok((caller, catalog, request, lifts))
    })
    .await?;
    let (request, plan) = run_engine(request, Arc::new(catalog), lifts).await?;
    let stored = db::run(&pool, move |connection| {
        repo::create(
            connection,
            athlete_id,
            caller.account_id,
            &request,
            &plan,
            None,
        )
        .map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/plans/{}", stored.id)))
        .json(stored))
}

/// `weeks` in the body against a profile with a race would plan past the
/// race, without its peak and taper. Unless the body says what becomes of
/// the race (`"race": null`, or another race, which `PlanRequest` then
/// refuses beside `weeks`), that is refused, naming the race.
fn refuse_dropping_the_race(
    profile: &crate::domain::profile::AthleteProfile,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanPage {
    pub items: Vec<PlanSummary>,
    pub next_cursor: Option<String>,
}

/// An athlete's stored plans, oldest first.
///
/// Answers the id, start and end date and creation time of each plan stored
/// for the athlete, `limit` at a time; GET /v1/plans/{plan_id} answers a
/// plan's weeks. The owner and coaches with an accepted grant may list
/// them. Pass the page's `next_cursor` as `cursor` for the next page.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(AthletePath, IdPageParams),
    responses(
        (status = 200, description = "A page of plans", body = PlanPage),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes/{athlete_id}/plans")]
pub async fn list_plans(
    reads: web::Data<Reads>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    params: web::Query<IdPageParams>,
) -> Result<HttpResponse, ApiError> {
    const CURSOR_KIND: &str = "plan";
    let athlete_id = path.athlete_id;
    let (limit, after) = params.parse(CURSOR_KIND)?;
    let (items, has_more) = reads
        .run(
            move |connection| may_read(connection, &token.digest, athlete_id),
            move |connection| {
                repo::list(connection, athlete_id, after, limit).map_err(ApiError::from)
            },
        )
        .await?;
    let next_cursor = next_id_cursor(CURSOR_KIND, items.last().map(|p| p.id), has_more);
    Ok(HttpResponse::Ok().json(PlanPage { items, next_cursor }))
}

/// The plan id in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlanPath {
    /// The stored plan's id.
    pub plan_id: Uuid,
}

async fn visible_plan(
    pool: &PgPool,
    token: BearerToken,
    plan_id: Uuid,
    needed: AccessLevel,
) -> Result<StoredPlan, ApiError> {
    db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token.digest)?;
        repo::require(connection, caller.account_id, plan_id, needed).map_err(ApiError::from)
    })
    .await
}

/// One stored plan.
///
/// Answers the stored plan with its weeks and sessions and a strong `ETag`;
/// with `If-None-Match` naming it, 304. The owner and coaches with an
/// accepted grant may read it; anyone else gets 404.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanPath, super::exercises::IfNoneMatch),
    responses(
        (status = 200, description = "The plan", body = StoredPlan,
            headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 404, description = "No such plan, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/plans/{plan_id}")]
pub async fn get_plan(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let plan = visible_plan(&pool, token, path.plan_id, AccessLevel::Read).await?;
    json_with_etag(&request, &plan)
}

/// Delete a stored plan (the owner or a coach with read-write access).
///
/// Removes the plan and its versions; the athlete's logged sessions stay,
/// no longer paired with it. A coach with `read` access gets 403; anyone
/// who cannot see the plan gets 404.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/plans/{plan_id}")]
pub async fn delete_plan(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let plan_id = path.plan_id;
    db::run(&pool, move |connection| {
        let caller = accounts::authenticate(connection, &token.digest)?;
        let plan = repo::require(
            connection,
            caller.account_id,
            plan_id,
            AccessLevel::ReadWrite,
        )?;
        repo::delete(connection, plan.athlete_id, plan_id).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The plan as an iCalendar feed (one event per session).
///
/// Answers an RFC 5545 calendar with one event per planned session, at its
/// time of day and for its duration, with the warm-up, exercises and cool-
/// down in the event's description, for a calendar app to import. The owner
/// and coaches with an accepted grant may fetch it.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanPath),
    responses(
        (status = 200, description = "RFC 5545 calendar", body = String, content_type = "text/calendar"),
        (status = 404, description = "No such plan, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/plans/{plan_id}/calendar.ics")]
pub async fn plan_calendar(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let stored = visible_plan(&pool, token, path.plan_id, AccessLevel::Read).await?;
    let text = to_ics(&stored.plan, stored.id, stored.created_at);
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"runstrong-plan-{}.ics\"", stored.id),
        ))
        .body(text))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdaptRequest {
    /// Re-plan from the week holding this date (default: today).
    #[serde(default, deserialize_with = "crate::domain::dates::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<chrono::NaiveDate>,
}

/// Re-plan from a date on, using the logs.
///
/// The weeks before the date stay as they were. When the last two weeks
/// show missed sessions or efforts well above target, or the last four a
/// load warning, progression is held and a recovery week brought forward;
/// the reasons cite the logs. The weighted sets logged before the date set
/// the loads (`load_kg`) of the weeks re-planned, as when a plan is stored. The result is stored as a new plan whose
/// `parent_plan_id` is this one.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanPath),
    request_body = AdaptRequest,
    responses(
        (status = 201, description = "The adapted plan, stored as a new version", body = StoredPlan,
            headers(("Location" = String, description = "The new plan"))),
        (status = 403, description = "Read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The date is after the plan, or no plan fits", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/plans/{plan_id}/adapt")]
pub async fn adapt_plan(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<PlanPath>,
    body: JsonBody<AdaptRequest>,
) -> Result<HttpResponse, ApiError> {
    let plan_id = path.plan_id;
    let from = body.0.from.unwrap_or_else(|| Utc::now().date_naive());
    let (caller, stored, logs, inputs, catalog, lifts) = db::run(&pool, move |connection| {
        let caller = accounts::authenticate(connection, &token.digest)?;
        let stored = repo::require(
            connection,
            caller.account_id,
            plan_id,
            AccessLevel::ReadWrite,
        )?;
        let owner = athletes::require(
            connection,
            caller.account_id,
            stored.athlete_id,
            AccessLevel::ReadWrite,
        )?
        .athlete
        .owner_account_id;
        let logs = crate::repo::sessions::between(
            connection,
            stored.athlete_id,
            super::sessions::midnight(from - chrono::Duration::days(LOAD_HISTORY_DAYS)),
            super::sessions::midnight(from),
        )?;
        let inputs = crate::repo::sessions::load_inputs(connection, &logs)?;
        let catalog = load_catalog(connection, Some(owner))?;
        let lifts = lift_history(
            connection,
            stored.athlete_id,
            super::sessions::midnight(from),
        )?;
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
    let new = db::run(&pool, move |connection| {
        repo::create(
            connection,
            stored.athlete_id,
            caller.account_id,
            &stored.request,
            &adapted,
            Some(stored.id),
        )
        .map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/plans/{}", new.id)))
        .json(new))
}
