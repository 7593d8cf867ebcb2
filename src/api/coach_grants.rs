//! The coach's side of grants: the grants made to them, accepting one
//! (only then does it give access, either way: the coach reads the
//! athlete's data, the athlete sees the coach's private exercises), and
//! declining or leaving one.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{next_id_cursor, parse_id_page};
use crate::db::PgPool;
use crate::domain::validation::Errors;
use crate::domain::vocabulary::GrantStatus;
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::ids::GrantId;
use crate::service::grants;
use crate::views::CoachGrant;

const CURSOR_KIND: &str = "coach-grant";

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoachGrantListParams {
    /// Only grants with this status (default: both).
    #[param(value_type = Option<GrantStatus>)]
    status: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u16>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoachGrantPage {
    pub items: Vec<CoachGrant>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CoachGrantPath {
    /// The grant's id.
    #[param(value_type = Uuid)]
    pub grant_id: GrantId,
}

/// The grants made to the calling coach, pending and active.
///
/// Each names the athlete profile it opens. A pending grant gives nothing
/// until it is accepted.
#[utoipa::path(
    tag = "coaching",
    security(("bearer" = [])),
    params(CoachGrantListParams),
    responses(
        (status = 200, description = "A page of grants, oldest first", body = CoachGrantPage),
        (status = 400, description = "Unknown status, bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only coaches receive grants", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/coach/grants")]
pub async fn list_coach_grants(
    pool: web::Data<PgPool>,
    token: BearerToken,
    params: web::Query<CoachGrantListParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Errors::default();
    let status = params.status.as_deref().and_then(|raw| {
        raw.parse::<GrantStatus>()
            .map_err(|error| errors.add("/status", error.to_string()))
            .ok()
    });
    let (limit, after) = parse_id_page(
        params.limit.as_deref(),
        params.cursor.as_deref(),
        CURSOR_KIND,
        &mut errors,
    );
    errors.into_result().map_err(ApiError::invalid_fields)?;
    let (items, has_more) =
        grants::list_for_coach(&pool, token.digest, status, after.map(GrantId::from), limit)
            .await?;
    let next_cursor = next_id_cursor(CURSOR_KIND, items.last().map(|g| g.id), has_more);
    Ok(HttpResponse::Ok().json(CoachGrantPage { items, next_cursor }))
}

/// Accept a grant made to the calling coach.
///
/// From now on the coach reads (and with `read_write` changes) the
/// athlete's data, and the athlete sees the coach's private exercises.
/// Accepting an active grant again changes nothing.
#[utoipa::path(
    tag = "coaching",
    security(("bearer" = [])),
    params(CoachGrantPath),
    responses(
        (status = 200, description = "The grant, now active", body = CoachGrant),
        (status = 404, description = "The caller has no pending or active grant with that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/coach/grants/{grant_id}/accept")]
pub async fn accept_coach_grant(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<CoachGrantPath>,
) -> Result<HttpResponse, ApiError> {
    let grant = grants::accept(&pool, token.digest, path.grant_id).await?;
    Ok(HttpResponse::Ok().json(grant))
}

/// Decline a pending grant, or leave an active one.
///
/// The coach's next request for the athlete's data is refused, and the
/// athlete no longer sees the coach's private exercises. The athlete may
/// grant again; that grant is pending again.
#[utoipa::path(
    tag = "coaching",
    security(("bearer" = [])),
    params(CoachGrantPath),
    responses(
        (status = 204, description = "Declined or left"),
        (status = 404, description = "The caller has no pending or active grant with that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/coach/grants/{grant_id}")]
pub async fn end_coach_grant(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<CoachGrantPath>,
) -> Result<HttpResponse, ApiError> {
    grants::end_for_coach(&pool, token.digest, path.grant_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
