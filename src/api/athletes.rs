//! Athlete profiles: created by an athlete for themself or by a coach for
//! a client, read by the owner and granted coaches, changed with If-Match.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{IdPageParams, next_id_cursor};
use crate::db::{PgPool, reads::Reads};
use crate::domain::profile::{AthleteProfile, AthleteProfilePatch, merge_patch};
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::http::conditional::{IfMatch, IfMatchHeader, versioned_read};
use crate::http::extract::{JsonBody, parse_json, refuse_unknown_fields};
use crate::ids::AthleteId;
use crate::service::athletes;
use crate::views::Athlete;
use crate::views::version_etag;

const CURSOR_KIND: &str = "athlete";

/// The athlete id in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AthletePath {
    /// The athlete profile's id.
    #[param(value_type = Uuid)]
    pub athlete_id: AthleteId,
}

fn with_etag(
    mut response: actix_web::HttpResponseBuilder,
    athlete: &Athlete,
    version: i64,
) -> HttpResponse {
    response
        .insert_header((actix_web::http::header::ETAG, version_etag(version)))
        .json(athlete)
}

/// Create an athlete profile.
///
/// Owned by the caller: an athlete's own profile, or a coach's client.
#[utoipa::path(
    tag = "athletes",
    security(("bearer" = [])),
    request_body = AthleteProfile,
    responses(
        (status = 201, description = "Created", body = Athlete,
            headers(("ETag" = String, description = "Version tag, for If-Match"), ("Location" = String, description = "The profile"))),
        (status = 422, description = "Inconsistent profile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/athletes")]
pub async fn create_athlete(
    pool: web::Data<PgPool>,
    token: BearerToken,
    body: JsonBody<AthleteProfile>,
) -> Result<HttpResponse, ApiError> {
    let (athlete, version) = athletes::create(&pool, token.digest, body.0).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((
        actix_web::http::header::LOCATION,
        format!("/v1/athletes/{}", athlete.id),
    ));
    Ok(with_etag(created, &athlete, version))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AthletePage {
    pub items: Vec<Athlete>,
    pub next_cursor: Option<String>,
}

/// List the athletes the caller owns or coaches.
///
/// Answers the profiles the caller owns and those of athletes who granted
/// the caller access as coach (pending grants do not count), oldest first,
/// `limit` at a time. Pass the page's `next_cursor` as `cursor` for the
/// next page; it is null on the last page.
#[utoipa::path(
    tag = "athletes",
    security(("bearer" = [])),
    params(IdPageParams),
    responses(
        (status = 200, description = "A page of profiles, oldest first", body = AthletePage),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes")]
pub async fn list_athletes(
    reads: web::Data<Reads>,
    token: BearerToken,
    params: web::Query<IdPageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = params.parse(CURSOR_KIND)?;
    let (items, has_more) = athletes::list_visible(&reads, token.digest, after, limit).await?;
    let next_cursor = next_id_cursor(CURSOR_KIND, items.last().map(|a| a.id), has_more);
    Ok(HttpResponse::Ok().json(AthletePage { items, next_cursor }))
}

/// One athlete profile.
///
/// Answers the profile with its version in `ETag`, for a later `If-Match`;
/// with `If-None-Match` naming that version it answers 304 without a body.
/// The owner and coaches with an accepted grant (`read` or `read_write`)
/// may read it; anyone else gets 404, so that a profile's existence is not
/// revealed.
#[utoipa::path(
    tag = "athletes",
    security(("bearer" = [])),
    params(AthletePath),
    responses(
        (status = 200, description = "The profile", body = Athlete,
            headers(("ETag" = String, description = "Version tag, for If-Match"))),
        (status = 304, description = "Unchanged since the `If-None-Match` tag"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes/{athlete_id}")]
pub async fn get_athlete(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
) -> Result<HttpResponse, ApiError> {
    let visible = athletes::find(&pool, token.digest, path.athlete_id).await?;
    Ok(versioned_read(&request, visible.version, &visible.athlete))
}

/// Change an athlete profile (JSON merge patch).
///
/// Fields sent replace the stored ones; `null` clears an optional field.
/// The owner and coaches with `read_write` access may do this; a coach
/// with `read` access gets 403.
#[utoipa::path(
    tag = "athletes",
    security(("bearer" = [])),
    params(AthletePath, IfMatchHeader),
    request_body(content = AthleteProfilePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed profile", body = Athlete,
            headers(("ETag" = String, description = "The new version tag"))),
        (status = 403, description = "Read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The result would be an inconsistent profile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/athletes/{athlete_id}")]
pub async fn patch_athlete(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    if_match: IfMatch,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.0;
    let Some(fields) = patch.as_object() else {
        return Err(ApiError::bad_field(
            "",
            "a merge patch must be a JSON object",
        ));
    };
    // Checked on the patch itself: `"unknown": null` would vanish in the
    // merge and never reach the profile's own check.
    refuse_unknown_fields::<AthleteProfile>(fields)?;
    let apply_patch = move |stored: &AthleteProfile| {
        let mut merged = serde_json::to_value(stored).map_err(ApiError::internal)?;
        merge_patch(&mut merged, &patch);
        parse_json::<AthleteProfile>(merged.to_string().as_bytes())
    };
    let (athlete, version) = athletes::update(
        &pool,
        token.digest,
        path.athlete_id,
        apply_patch,
        if_match.version_check(),
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &athlete, version))
}

/// Delete an athlete profile and everything that belongs to it.
///
/// Only the owner may do this.
#[utoipa::path(
    tag = "athletes",
    security(("bearer" = [])),
    params(AthletePath, IfMatchHeader),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "A coach may not delete the profile", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/athletes/{athlete_id}")]
pub async fn delete_athlete(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    athletes::delete(
        &pool,
        token.digest,
        path.athlete_id,
        if_match.version_check(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
