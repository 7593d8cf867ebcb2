//! Coach access to an athlete's data, granted by the athlete's owner. A
//! grant is pending until the coach accepts it (`api::coach_grants`).

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::athletes::AthletePath;
use crate::db::PgPool;
use crate::domain::vocabulary::GrantAccess;
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::http::extract::JsonBody;
use crate::ids::{AthleteId, GrantId};
use crate::service::grants;
use crate::views::Grant;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// The email of a coach account (at most 254 characters).
    #[schema(example = "coach@example.com", max_length = 254)]
    #[serde(deserialize_with = "crate::domain::account::bounded_email")]
    pub coach_email: String,
    pub access: GrantAccess,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<Grant>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GrantPath {
    /// The athlete profile's id.
    #[param(value_type = Uuid)]
    pub athlete_id: AthleteId,
    /// The grant's id.
    #[param(value_type = Uuid)]
    pub grant_id: GrantId,
}

/// Grant a coach access (or change the access of their live grant).
///
/// A new grant is `pending`: it gives the coach nothing until the coach
/// accepts it (`POST /v1/coach/grants/{grant_id}/accept`). Changing the
/// access of a live grant keeps its status.
#[utoipa::path(
    tag = "athletes",
    security(("bearer" = [])),
    params(AthletePath),
    request_body = GrantRequest,
    responses(
        (status = 201, description = "Granted, pending the coach's acceptance", body = Grant),
        (status = 200, description = "The coach's existing grant, with the new access", body = Grant),
        (status = 400, description = "Malformed body, unknown field, or an email over 254 characters", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the athlete's owner manages grants", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No coach account has that email", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/athletes/{athlete_id}/grants")]
pub async fn create_grant(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    body: JsonBody<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let (grant, created) = grants::grant(
        &pool,
        token.digest,
        path.athlete_id,
        request.coach_email,
        request.access,
    )
    .await?;
    Ok(if created {
        HttpResponse::Created().json(grant)
    } else {
        HttpResponse::Ok().json(grant)
    })
}

/// The live grants of an athlete, pending and active.
///
/// Answers every grant of the athlete that has not been revoked, declined
/// or left: the coach's email, the access it gives (`read` or `read_write`)
/// and whether the coach has accepted it yet. Only the athlete's owner may
/// list grants; a coach with access gets 403.
#[utoipa::path(
    tag = "athletes",
    security(("bearer" = [])),
    params(AthletePath),
    responses(
        (status = 200, description = "Live grants, pending and active", body = GrantList),
        (status = 403, description = "Only the athlete's owner manages grants", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes/{athlete_id}/grants")]
pub async fn list_grants(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
) -> Result<HttpResponse, ApiError> {
    let items = grants::list_for_athlete(&pool, token.digest, path.athlete_id).await?;
    Ok(HttpResponse::Ok().json(GrantList { items }))
}

/// Revoke a grant (pending or active); the coach's next request is refused.
///
/// Only the athlete's owner may revoke. The grant ends at once, with no
/// notice period: the coach's next request for this athlete, its plans or
/// its sessions answers 404. Revoking a grant that is already gone answers
/// 404.
#[utoipa::path(
    tag = "athletes",
    security(("bearer" = [])),
    params(GrantPath),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Only the athlete's owner manages grants", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete or live grant", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/athletes/{athlete_id}/grants/{grant_id}")]
pub async fn revoke_grant(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<GrantPath>,
) -> Result<HttpResponse, ApiError> {
    let GrantPath {
        athlete_id,
        grant_id,
    } = path.into_inner();
    grants::revoke(&pool, token.digest, athlete_id, grant_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
