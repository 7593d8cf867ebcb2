//! Session import: an activity file from a watch (FIT, GPX, TCX) as the
//! request body, logged as a session.
//!
//! The body is streamed with a running count against
//! `RUNSTRONG_IMPORT_LIMIT_BYTES` (the JSON body limit does not apply), and
//! only after the caller is known to be allowed to write: a stranger's
//! upload is refused before it is read. The file is parsed off the async
//! workers (`domain::activity`), then the session is stored once per
//! athlete and file (SHA-256), under the Idempotency-Key if one was sent.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, post, web};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::athletes::AthletePath;
use super::sessions::{idempotency_key, replayed_response, session_response};
use crate::config::Config;
use crate::db::PgPool;
use crate::domain::activity::{self, ActivityFormat};
use crate::domain::session_import::ImportOptions;
use crate::domain::validation::Errors;
use crate::domain::vocabulary::SessionKind;
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::service::sessions::{self as service, Imported, sha256_hex};
use crate::views::Session;

/// The media types the import takes, as the document lists them.
pub const MEDIA_TYPES: [&str; 3] = [
    "application/vnd.ant.fit",
    "application/gpx+xml",
    "application/vnd.garmin.tcx+xml",
];

/// An activity file, as sent: the raw bytes of the file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ActivityFile(#[allow(dead_code)] Vec<u8>);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The session kind; by default from the file's sport (runs and files
    /// that do not say are `easy_run`, other endurance sports
    /// `cross_training`). Any kind but `rest`.
    #[param(value_type = Option<SessionKind>)]
    kind: Option<String>,
    /// Session RPE (CR-10, 1–10); without it the session is logged unrated
    /// and can be rated later with PUT.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 10)]
    rpe: Option<String>,
}

impl ImportParams {
    fn options(&self) -> Result<ImportOptions, ApiError> {
        let mut errors = Errors::default();
        let kind = self
            .kind
            .as_deref()
            .and_then(|raw| match raw.parse::<SessionKind>() {
                Ok(kind) => Some(kind),
                Err(error) => {
                    errors.add("/kind", error.to_string());
                    None
                }
            });
        let rpe = self.rpe.as_deref().and_then(|raw| match raw.parse::<u8>() {
            Ok(rpe) if (1..=10).contains(&rpe) => Some(rpe),
            _ => {
                errors.add("/rpe", "an integer between 1 and 10 (CR-10)");
                None
            }
        });
        errors.into_result().map_err(ApiError::invalid_fields)?;
        Ok(ImportOptions { kind, rpe })
    }
}

fn unsupported_media_type() -> ApiError {
    ApiError::UnsupportedMediaType(format!(
        "send the activity file as its own media type: {}",
        MEDIA_TYPES.join(", ")
    ))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "the file is larger than this server imports ({limit} bytes)"
    ))
}

/// The format the `Content-Type` names.
fn format_of(request: &HttpRequest) -> Result<ActivityFormat, ApiError> {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(ActivityFormat::from_media_type)
        .ok_or_else(unsupported_media_type)
}

/// A declared length over the limit is refused before a byte is read.
fn check_declared_length(request: &HttpRequest, limit: usize) -> Result<(), ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => Err(too_large(limit)),
        _ => Ok(()),
    }
}

/// The body, read chunk by chunk until it ends or passes `limit` (then
/// 413 at once, the rest unread): chunked uploads and lying
/// `Content-Length` headers are bounded alike.
async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|error| ApiError::bad_request(format!("could not read the file: {error}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Import a session from an activity file.
///
/// The body is the file itself: FIT (`application/vnd.ant.fit`), GPX 1.1
/// (`application/gpx+xml`) or Garmin TCX (`application/vnd.garmin.tcx+xml`),
/// at most `RUNSTRONG_IMPORT_LIMIT_BYTES` (25 MiB by default). The session
/// has the file's start, timer (FIT, TCX) or moving (GPX) time as
/// `duration_min`, distance, heart rate, elevation gain and laps, and
/// `source: {format, sha256}`; with `max_hr` and `resting_hr` on the
/// athlete's profile and heart rate in the file, Banister's TRIMP.
///
/// The same file again (by SHA-256) answers 200 with the session it
/// logged, unchanged (change it with PUT). `Idempotency-Key` works as on
/// the JSON create. A file that cannot be read answers 422 saying why, and
/// nothing is stored.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(
        AthletePath,
        ImportParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, unique per request, kept at least 24 h",
            max_length = 255, pattern = "^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body(
        description = "The activity file, as the watch or app exported it",
        content(
            (ActivityFile = "application/vnd.ant.fit"),
            (ActivityFile = "application/gpx+xml"),
            (ActivityFile = "application/vnd.garmin.tcx+xml"),
        ),
    ),
    responses(
        (status = 201, description = "Imported; or, with `Idempotent-Replayed: true`, the first answer to this Idempotency-Key again, headers included", body = Session,
            headers(("ETag" = String, description = "Version tag, for If-Match"), ("Location" = String, description = "The session"),
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        (status = 200, description = "This file was imported for this athlete before: that session", body = Session,
            headers(("ETag" = String, description = "Version tag, for If-Match"), ("Location" = String, description = "The session"),
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        (status = 400, description = "Bad kind or rpe, an unknown query parameter, or a bad Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same Idempotency-Key is in flight", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is over RUNSTRONG_IMPORT_LIMIT_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not one of the three activity file types", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file cannot be read (bad header, CRC mismatch, truncated, malformed XML, no activity, a GPX without a track), holds a session that cannot be logged (under a minute, in the future, kind `rest`), or an Idempotency-Key reused with another request", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/athletes/{athlete_id}/sessions/import")]
pub async fn import_session(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    settings: web::Data<Config>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let athlete_id = path.athlete_id;
    let limit = settings.import_limit_bytes;
    let format = format_of(&request)?;
    check_declared_length(&request, limit)?;
    let options = params.options()?;
    let key = idempotency_key(&request)?;
    // Who may write, before a byte of the file is read.
    service::may_write(&pool, token.digest.clone(), athlete_id).await?;
    let file = read_limited(payload, limit).await?;
    let sha256 = sha256_hex(&file);
    let parsed = web::block(move || activity::parse(format, &file)).await?;
    let activity = parsed.map_err(|error| ApiError::Unprocessable {
        detail: error.to_string(),
        errors: Vec::new(),
    })?;
    let outcome = service::import(
        &pool,
        token.digest,
        athlete_id,
        activity,
        sha256,
        options,
        key,
    )
    .await?;
    match outcome {
        Imported::New(session, version) => session_response(StatusCode::CREATED, &session, version),
        Imported::Existing(session, version) => session_response(StatusCode::OK, &session, version),
        Imported::Replay(answer) => replayed_response(answer),
    }
}
