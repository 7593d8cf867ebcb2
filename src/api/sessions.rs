//! Session logging (idempotent creates, sync with tombstones), the load
//! report and plan adherence.

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::athletes::AthletePath;
use super::pagination::{decode_cursor, encode_cursor, parse_limit};
use crate::db::{PgPool, reads::Reads};
use crate::domain::adherence::Adherence;
use crate::domain::dates::{self, midnight};
use crate::domain::load::LoadReport;
use crate::domain::session::SessionInput;
use crate::domain::validation::Errors;
use crate::domain::vocabulary::{SessionKind, parse_list};
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::http::conditional::{IfMatch, IfMatchHeader, versioned_read};
use crate::http::extract::JsonBody;
use crate::ids::{PlanId, SessionId};
use crate::repo::idempotency::StoredAnswer;
use crate::repo::sessions::ListQuery;
use crate::service::session_reads::{self, Listing};
use crate::service::sessions::{self as service, Created};
use crate::views::{Session, answer_headers, version_etag};

pub(super) fn session_response(
    status: actix_web::http::StatusCode,
    session: &Session,
    version: i64,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(session).map_err(ApiError::internal)?;
    Ok(rendered_session_response(status, session.id, version, body))
}

/// A session answer whose body is already serialized.
fn rendered_session_response(
    status: actix_web::http::StatusCode,
    id: SessionId,
    version: i64,
    body: Vec<u8>,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    for pair in answer_headers(id, version) {
        response.insert_header(pair);
    }
    response.content_type("application/json").body(body)
}

/// The first answer again, headers and all, marked as a replay.
pub(super) fn replayed_response(answer: StoredAnswer) -> Result<HttpResponse, ApiError> {
    let status =
        actix_web::http::StatusCode::from_u16(answer.status).map_err(ApiError::internal)?;
    let mut response = HttpResponse::build(status);
    response.insert_header(("Idempotent-Replayed", "true"));
    for (name, value) in answer.header_pairs() {
        response.insert_header((name, value));
    }
    Ok(response.content_type("application/json").body(answer.body))
}

/// Log a session.
///
/// Safe to retry: send an `Idempotency-Key` (a retry gets the first answer;
/// the same key with another body is 422; a duplicate still in flight 409),
/// or a client-chosen `id` (a repeat with the same body answers 200 with
/// the stored session, with another body 409).
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(
        AthletePath,
        // Visible ASCII, spaces only inside: what HTTP keeps of a header value.
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, unique per request, kept at least 24 h",
            max_length = 255, pattern = "^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body = SessionInput,
    responses(
        (status = 201, description = "Logged; or, with `Idempotent-Replayed: true`, the first answer to this Idempotency-Key again, headers included", body = Session,
            headers(("ETag" = String, description = "Version tag, for If-Match"), ("Location" = String, description = "The session"),
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        (status = 200, description = "Already logged with this client id and body", body = Session,
            headers(("ETag" = String, description = "Version tag, for If-Match"), ("Location" = String, description = "The session"),
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        (status = 400, description = "Malformed body, unknown field or value, or a bad Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client id is taken by another session, or the same Idempotency-Key is in flight", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, unknown exercises, or an Idempotency-Key reused with another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/athletes/{athlete_id}/sessions")]
pub async fn create_session(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    body: JsonBody<SessionInput>,
) -> Result<HttpResponse, ApiError> {
    let athlete_id = path.athlete_id;
    let key = idempotency_key(&request)?;
    let outcome = service::create(&pool, token.digest, athlete_id, body.0, key).await?;
    match outcome {
        Created::NewRendered { id, body } => Ok(rendered_session_response(
            actix_web::http::StatusCode::CREATED,
            id,
            service::FIRST_VERSION,
            body,
        )),
        Created::New(session, version) => {
            session_response(actix_web::http::StatusCode::CREATED, &session, version)
        }
        Created::Existing(session, version) => {
            session_response(actix_web::http::StatusCode::OK, &session, version)
        }
        Created::Replay(answer) => replayed_response(answer),
    }
}

/// The request's `Idempotency-Key`, if it sent one.
pub(super) fn idempotency_key(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    match request.headers().get("Idempotency-Key") {
        None => Ok(None),
        Some(value) => match value.to_str() {
            Ok(key) if (1..=255).contains(&key.len()) => Ok(Some(key.to_owned())),
            _ => Err(ApiError::bad_request(
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )),
        },
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionListParams {
    /// Sessions started at or after this (RFC 3339 time, or a date = its midnight UTC).
    from: Option<String>,
    /// Sessions started before this.
    to: Option<String>,
    /// Session kinds (comma-separated).
    #[param(value_type = Option<Vec<SessionKind>>, style = Form, explode = false)]
    kind: Option<String>,
    /// Sync: everything changed after this time, deletions included (as
    /// tombstones with `deleted: true`), in change order. Not combined with
    /// from, to or kind.
    #[param(value_type = Option<String>, format = DateTime)]
    updated_since: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u16>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionPage {
    pub items: Vec<Session>,
    pub next_cursor: Option<String>,
}

/// A time, or with `dates_too` also a date (its midnight UTC), within
/// the dates the API accepts.
fn parse_moment(
    errors: &mut Errors,
    name: &str,
    raw: Option<&str>,
    dates_too: bool,
) -> Option<DateTime<Utc>> {
    // An empty range end means no bound; an empty time is no time.
    let raw = raw.filter(|raw| !(raw.is_empty() && dates_too))?;
    let parsed = DateTime::parse_from_rfc3339(raw)
        .map(|moment| moment.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            dates_too
                .then(|| raw.parse::<NaiveDate>().ok().map(midnight))
                .flatten()
        });
    match parsed {
        Some(moment) if dates::is_moment_in_range(moment) => Some(moment),
        Some(_) => {
            errors.add(format!("/{name}"), dates::OUT_OF_RANGE);
            None
        }
        None if dates_too => {
            errors.add(format!("/{name}"), "an RFC 3339 time or a YYYY-MM-DD date");
            None
        }
        None => {
            errors.add(format!("/{name}"), "an RFC 3339 time");
            None
        }
    }
}

fn encode_position(kind: &str, at: DateTime<Utc>, id: SessionId) -> String {
    encode_cursor(kind, &format!("{}|{id}", at.timestamp_micros()))
}

/// A cursor's position; a forged one with a time out of range (which
/// PostgreSQL could not even compare with) is not a cursor we gave out.
fn decode_position(kind: &str, raw: &str) -> Option<(DateTime<Utc>, SessionId)> {
    let key = decode_cursor(kind, raw)?;
    let (micros, id) = key.split_once('|')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    dates::is_moment_in_range(at).then_some(())?;
    Some((at, SessionId::from(Uuid::parse_str(id).ok()?)))
}

/// List an athlete's sessions, or sync their changes.
///
/// Without `updated_since`, answers the athlete's logged sessions in start
/// order, filtered by `from`, `to` and `kind`. With `updated_since`,
/// answers everything created, changed or deleted after that time in change
/// order, deletions as tombstones, so an app can keep a copy in sync. Both
/// are paged: pass `next_cursor` as `cursor`. The owner and coaches with an
/// accepted grant may list.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(AthletePath, SessionListParams),
    responses(
        (status = 200, description = "A page of sessions", body = SessionPage),
        (status = 400, description = "Bad range, kind, limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes/{athlete_id}/sessions")]
pub async fn list_sessions(
    reads: web::Data<Reads>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    params: web::Query<SessionListParams>,
) -> Result<HttpResponse, ApiError> {
    let athlete_id = path.athlete_id;
    let mut errors = Errors::default();
    let limit = parse_limit(params.limit.as_deref(), &mut errors);
    let from = parse_moment(&mut errors, "from", params.from.as_deref(), true);
    let to = parse_moment(&mut errors, "to", params.to.as_deref(), true);
    let kinds = match params.kind.as_deref().map(parse_list::<SessionKind>) {
        None => Vec::new(),
        Some(Ok(kinds)) => kinds,
        Some(Err(error)) => {
            errors.add("/kind", error.to_string());
            Vec::new()
        }
    };
    let sync = parse_moment(
        &mut errors,
        "updated_since",
        params.updated_since.as_deref(),
        false,
    );
    let cursor_kind = if sync.is_some() { "change" } else { "session" };
    let after = params
        .cursor
        .as_deref()
        .filter(|raw| !raw.is_empty())
        .and_then(|raw| {
            let position = decode_position(cursor_kind, raw);
            if position.is_none() {
                errors.add("/cursor", "not a cursor this list gave out");
            }
            position
        });
    if sync.is_some() && (from.is_some() || to.is_some() || !kinds.is_empty()) {
        errors.add("/updated_since", "sync listings take no from, to or kind");
    }
    errors.into_result().map_err(ApiError::invalid_fields)?;
    let listing = match sync {
        Some(since) => Listing::ChangedSince {
            since,
            after,
            limit,
        },
        None => Listing::Started(ListQuery {
            from,
            to,
            kinds,
            after,
            limit,
        }),
    };
    let (items, has_more) = session_reads::list(&reads, token.digest, athlete_id, listing).await?;
    let next_cursor = match items.last() {
        Some(last) if has_more => Some(encode_position(
            cursor_kind,
            if sync.is_some() {
                last.updated_at
            } else {
                last.started_at
            },
            last.id,
        )),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(SessionPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SessionPath {
    /// The logged session's id.
    #[param(value_type = Uuid)]
    pub session_id: SessionId,
}

/// One logged session.
///
/// Answers the session with its version in `ETag`, for a later `If-Match`;
/// with `If-None-Match` naming that version, 304. The athlete's owner and
/// coaches with an accepted grant may read it; anyone else gets 404.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(SessionPath),
    responses(
        (status = 200, description = "The session", body = Session,
            headers(("ETag" = String, description = "Version tag, for If-Match"))),
        (status = 304, description = "Unchanged since the `If-None-Match` tag"),
        (status = 404, description = "No such session, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/sessions/{session_id}")]
pub async fn get_session(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<SessionPath>,
) -> Result<HttpResponse, ApiError> {
    let visible = session_reads::find(&pool, token.digest, path.session_id).await?;
    Ok(versioned_read(&request, visible.version, &visible.session))
}

/// Replace a logged session.
///
/// Replaces every field of the session with the body (a full session, not a
/// patch); its id and athlete stay. `If-Match` must carry the session's
/// current `ETag`. The owner and coaches with `read_write` access may do
/// this. Answers the session with its new `ETag`.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(SessionPath, IfMatchHeader),
    request_body = SessionInput,
    responses(
        (status = 200, description = "Replaced", body = Session,
            headers(("ETag" = String, description = "The new version tag"))),
        (status = 403, description = "Read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values or unknown exercises", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/sessions/{session_id}")]
pub async fn replace_session(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<SessionPath>,
    if_match: IfMatch,
    body: JsonBody<SessionInput>,
) -> Result<HttpResponse, ApiError> {
    let (session, version) = service::replace(
        &pool,
        token.digest,
        path.session_id,
        body.0,
        if_match.version_check(),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, version_etag(version)))
        .json(session))
}

/// Delete a logged session (a tombstone stays for syncing apps).
///
/// `If-Match` must carry the session's current `ETag`. The session
/// disappears from lists and reads (404), and a sync listing
/// (`updated_since`) shows it once as a tombstone with `deleted: true`, so
/// apps holding a copy delete it too. The owner and coaches with
/// `read_write` access may do this.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(SessionPath, IfMatchHeader),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Read-only access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/sessions/{session_id}")]
pub async fn delete_session(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<SessionPath>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    service::delete(
        &pool,
        token.digest,
        path.session_id,
        if_match.version_check(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LoadParams {
    /// First day of the report.
    #[param(value_type = String, format = Date, example = "2027-01-04")]
    from: String,
    /// Last day of the report (at most 366 days after `from`).
    #[param(value_type = String, format = Date, example = "2027-03-28")]
    to: String,
}

/// Training load, fitness and warnings for a date range.
///
/// Formulas: session-RPE load = RPE × minutes (Foster); ACWR as EWMA with
/// λ = 2/(N+1), N = 7 and 28, and as the uncoupled rolling ratio (last 7
/// days over the 28 before them); monotony = weekly mean / SD of daily
/// load, strain = weekly load × monotony; fitness (CTL, 42-day) and fatigue
/// (ATL, 7-day) exponential averages, form (TSB) = yesterday's CTL − ATL.
/// Dates are UTC days of `started_at`; the metrics read 56 days of history
/// before `from`.
///
/// Heart-rate load: each day's `trimp` sums Banister's TRIMP of its
/// sessions that have one (imports with heart rate, for an athlete with
/// `max_hr` and `resting_hr`): Σ minutes × HRr × 0.64 e^(1.92 HRr), HRr =
/// (HR − resting) / (max − resting) clamped to 0–1. Sessions without an
/// RPE add no RPE load; their minutes are `unrated`, each day and week
/// counts them and `sessions_without_rpe` lists them.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(AthletePath, LoadParams),
    responses(
        (status = 200, description = "Per day and per week, with warnings", body = LoadReport),
        (status = 400, description = "Bad dates or range", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes/{athlete_id}/load")]
pub async fn load_report(
    reads: web::Data<Reads>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    params: web::Query<LoadParams>,
) -> Result<HttpResponse, ApiError> {
    let athlete_id = path.athlete_id;
    let (from, to) = parse_range(&params.from, &params.to)?;
    let report = session_reads::load_report(&reads, token.digest, athlete_id, from, to).await?;
    Ok(HttpResponse::Ok().json(report))
}

fn parse_range(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let mut errors = Errors::default();
    let from = dates::parse_date(from)
        .map_err(|detail| errors.add("/from", detail))
        .ok();
    let to = dates::parse_date(to)
        .map_err(|detail| errors.add("/to", detail))
        .ok();
    if let (Some(from), Some(to)) = (from, to) {
        errors.check(to >= from, "/to", "must not be before from");
        errors.check(
            (to - from).num_days() <= 366,
            "/to",
            "at most 366 days after from",
        );
    }
    errors.into_result().map_err(ApiError::invalid_fields)?;
    Ok((from.expect("checked"), to.expect("checked")))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdherenceParams {
    /// The athlete's stored plan to compare with.
    #[param(value_type = Uuid)]
    plan_id: PlanId,
}

/// Planned vs done, per week of a stored plan.
///
/// A log matches a planned session by its explicit `planned` link, else by
/// date and kind (strength and circuits match each other); each log
/// matches at most one planned session.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    params(AthletePath, AdherenceParams),
    responses(
        (status = 200, description = "Per week: planned, done, matched, missed", body = Adherence),
        (status = 400, description = "Missing or malformed plan_id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete or plan, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes/{athlete_id}/adherence")]
pub async fn adherence(
    reads: web::Data<Reads>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    params: web::Query<AdherenceParams>,
) -> Result<HttpResponse, ApiError> {
    let adherence =
        session_reads::adherence(&reads, token.digest, path.athlete_id, params.plan_id).await?;
    Ok(HttpResponse::Ok().json(adherence))
}
