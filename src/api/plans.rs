//! Plan generation, validation and stored plans: the HTTP side. The
//! orchestration (catalog, history, engine, storage) is `service::plans`.

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::athletes::AthletePath;
use super::pagination::{IdPageParams, next_id_cursor};
use crate::catalog_cache::CatalogCache;
use crate::db::{PgPool, reads::Reads};
use crate::domain::plan::ics::to_ics;
use crate::domain::plan::model::{Plan, Violation};
use crate::domain::plan::request::PlanRequest;
use crate::domain::plan::rules::{RULES, Rule, Severity};
use crate::error::{ApiError, Problem};
use crate::http::auth::{BearerToken, OptionalBearerToken};
use crate::http::etag::json_with_etag;
use crate::http::extract::{JsonBody, parse_json};
use crate::ids::PlanId;
use crate::repo::access::AccessLevel;
use crate::service::plans;
use crate::views::{PlanSummary, StoredPlan};

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
    let plan = plans::preview(&pool, &cached, token.into_digest(), body.0).await?;
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
    let violations = plans::violations(&pool, &cached, token.into_digest(), body.0.plan).await?;
    let report = ValidationReport {
        valid: !violations.iter().any(|v| v.severity == Severity::Hard),
        violations,
        rules_checked: crate::domain::plan::rules::all_ids(),
    };
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
    let stored = plans::create(
        &pool,
        token.digest,
        athlete_id,
        overrides,
        parse_json::<PlanRequest>,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/plans/{}", stored.id)))
        .json(stored))
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
    let (items, has_more) = plans::list(&reads, token.digest, athlete_id, after, limit).await?;
    let next_cursor = next_id_cursor(CURSOR_KIND, items.last().map(|p| p.id), has_more);
    Ok(HttpResponse::Ok().json(PlanPage { items, next_cursor }))
}

/// The plan id in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlanPath {
    /// The stored plan's id.
    #[param(value_type = Uuid)]
    pub plan_id: PlanId,
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
    let plan = plans::visible(&pool, token.digest, path.plan_id, AccessLevel::Read).await?;
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
    plans::delete(&pool, token.digest, path.plan_id).await?;
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
    let stored = plans::visible(&pool, token.digest, path.plan_id, AccessLevel::Read).await?;
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
    let from = body.0.from.unwrap_or_else(|| Utc::now().date_naive());
    let new = plans::adapt_from(&pool, token.digest, path.plan_id, from).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/plans/{}", new.id)))
        .json(new))
}
