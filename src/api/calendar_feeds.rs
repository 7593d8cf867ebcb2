//! Calendar subscriptions. Calendar apps cannot send an `Authorization`
//! header, so a feed is a secret URL: created (and listed, and deleted) by
//! whoever may read the athlete's plans, fetched by anyone who holds it.
//! The token is shown once, in the answer that creates the feed, and only
//! its SHA-256 is stored.

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::athletes::AthletePath;
use super::pagination::{IdPageParams, next_id_cursor};
use crate::auth::token;
use crate::db::PgPool;
use crate::domain::plan::ics::{CalendarHeader, PlanEvents, calendar_ics};
use crate::domain::validation::FieldError;
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::http::etag::private_bytes_with_etag;
use crate::http::extract::OptionalJsonBody;
use crate::ids::{AccountId, AthleteId};
use crate::service::calendar_feeds;
use crate::views::CalendarFeed;

const CURSOR_KIND: &str = "calendar-feed";

/// How often calendar apps are asked to poll.
const REFRESH_MINUTES: u32 = 60;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarFeedRequest {
    /// A label for the feed, to tell feeds apart in the list (1–100
    /// characters once trimmed); the calendar's name in calendar apps.
    /// Without one, the calendar is named after the athlete.
    #[schema(example = "Google Calendar")]
    pub name: Option<String>,
}

/// A feed just created: the only answer that carries its URL.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCalendarFeed {
    pub id: Uuid,
    #[schema(value_type = Uuid)]
    pub athlete_id: AthleteId,
    /// The feed's URL as an absolute path: prefix it with the origin of
    /// this API (`https://api.example.com`) and give it to a calendar app.
    /// It is a secret: whoever holds it reads the athlete's plans. It is
    /// shown only here; lost, delete the feed and create another.
    #[schema(example = "/v1/calendar-feeds/rscal_3q2-7wVxKZ0aX1bY9cD4eF5gH6iJ7kL8mN9oP0qR1sT.ics")]
    pub url: String,
    #[schema(example = "Google Calendar")]
    pub name: Option<String>,
    #[schema(value_type = Uuid)]
    pub created_by_account_id: AccountId,
    /// Always true here; see the list for later.
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Null: no calendar app has fetched it yet.
    pub last_fetched_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedPage {
    pub items: Vec<CalendarFeed>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CalendarFeedPath {
    /// The athlete profile's id.
    #[param(value_type = Uuid)]
    pub athlete_id: AthleteId,
    /// The feed's id.
    pub feed_id: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FeedTokenPath {
    /// The secret part of the feed's URL, as the create answer gave it.
    pub token: String,
}

/// The label, trimmed; 1–100 characters, as other names in the API.
fn checked_name(request: CalendarFeedRequest) -> Result<Option<String>, ApiError> {
    let Some(name) = request.name else {
        return Ok(None);
    };
    let name = name.trim();
    if !(1..=100).contains(&name.chars().count()) {
        return Err(ApiError::unprocessable(vec![FieldError::new(
            "/name",
            "between 1 and 100 characters once trimmed (or leave `name` out)",
        )]));
    }
    Ok(Some(name.to_owned()))
}

/// Create a calendar feed: a secret URL that calendar apps subscribe to.
///
/// Calendar apps (Google, Apple, Outlook) cannot send an `Authorization`
/// header, so the feed's `url` carries a 256-bit secret instead: anyone
/// who holds it reads the athlete's current plans as an iCalendar feed
/// (GET /v1/calendar-feeds/{token}.ics). The `url` is an absolute path;
/// prefix it with the origin of this API. It is in this answer only (the
/// service stores a hash of it), so hand it to the calendar app now.
///
/// The owner and coaches with an accepted grant may create feeds. A
/// coach's feed stops working the moment the coach's access ends. The
/// body is optional: no body, `null`, `{}`, or `{"name": "..."}` to label
/// the feed.
/// Each account may hold 20 feeds per athlete; delete one to make room.
/// Not idempotent (no `Idempotency-Key`): since the URL is never stored, no
/// earlier answer could be replayed; a retry makes a second feed, which the
/// list shows and DELETE removes.
#[utoipa::path(
    tag = "calendar-feeds",
    security(("bearer" = [])),
    params(AthletePath),
    request_body(content = Option<CalendarFeedRequest>, description = "Optional: no body, `{}`, or a `name`"),
    responses(
        (status = 201, description = "Created; `url` is shown only in this answer", body = CreatedCalendarFeed,
            headers(("Location" = String, description = "The feed (without its secret URL)"))),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The caller already holds 20 feeds for this athlete", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A name that is blank or over 100 characters once trimmed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/athletes/{athlete_id}/calendar-feeds")]
pub async fn create_calendar_feed(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    // JSON `null` counts as no body too: the document's schema admits it.
    body: OptionalJsonBody<Option<CalendarFeedRequest>>,
) -> Result<HttpResponse, ApiError> {
    let athlete_id = path.athlete_id;
    let name = checked_name(body.0.flatten().unwrap_or_default())?;
    let feed_token = token::generate_feed();
    let digest = token::digest(&feed_token);
    let feed = calendar_feeds::create(&pool, token.digest, athlete_id, name, digest).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/athletes/{athlete_id}/calendar-feeds/{}", feed.id),
        ))
        .json(CreatedCalendarFeed {
            id: feed.id,
            athlete_id: feed.athlete_id,
            url: format!("/v1/calendar-feeds/{feed_token}.ics"),
            name: feed.name,
            created_by_account_id: feed.created_by_account_id,
            active: feed.active,
            created_at: feed.created_at,
            last_fetched_at: feed.last_fetched_at,
        }))
}

/// The athlete's calendar feeds, oldest first (never their URLs).
///
/// The owner sees every feed of the athlete, a coach's too, and may delete
/// any; a coach with a grant sees the feeds the coach created. `active` is
/// false for a feed whose creator may no longer read the athlete: its URL
/// answers 404. `last_fetched_at` tells a feed in use from a forgotten one.
#[utoipa::path(
    tag = "calendar-feeds",
    security(("bearer" = [])),
    params(AthletePath, IdPageParams),
    responses(
        (status = 200, description = "A page of feeds", body = CalendarFeedPage),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such athlete, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes/{athlete_id}/calendar-feeds")]
pub async fn list_calendar_feeds(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<AthletePath>,
    params: web::Query<IdPageParams>,
) -> Result<HttpResponse, ApiError> {
    let athlete_id = path.athlete_id;
    let (limit, after) = params.parse(CURSOR_KIND)?;
    let (items, has_more) =
        calendar_feeds::list(&pool, token.digest, athlete_id, after, limit).await?;
    let next_cursor = next_id_cursor(CURSOR_KIND, items.last().map(|f| f.id), has_more);
    Ok(HttpResponse::Ok().json(CalendarFeedPage { items, next_cursor }))
}

/// One calendar feed of the athlete (never its URL).
///
/// Visible as in the list: to the owner, and to the coach who created it.
#[utoipa::path(
    tag = "calendar-feeds",
    security(("bearer" = [])),
    params(CalendarFeedPath),
    responses(
        (status = 200, description = "The feed", body = CalendarFeed),
        (status = 404, description = "No such athlete or feed, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/athletes/{athlete_id}/calendar-feeds/{feed_id}")]
pub async fn get_calendar_feed(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<CalendarFeedPath>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let feed = calendar_feeds::find(&pool, token.digest, path.athlete_id, path.feed_id).await?;
    Ok(HttpResponse::Ok().json(feed))
}

/// Delete a calendar feed; its URL answers 404 from then on.
///
/// The owner may delete any feed of the athlete, a coach the feeds the
/// coach created. Calendar apps subscribed to it keep the events they
/// last fetched until they next poll and get 404.
#[utoipa::path(
    tag = "calendar-feeds",
    security(("bearer" = [])),
    params(CalendarFeedPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such athlete or feed, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/athletes/{athlete_id}/calendar-feeds/{feed_id}")]
pub async fn delete_calendar_feed(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<CalendarFeedPath>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    calendar_feeds::delete(&pool, token.digest, path.athlete_id, path.feed_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The one answer for every URL that opens nothing, so that none tells an
/// unknown token from a deleted feed or a coach's ended access.
fn url_not_found() -> ApiError {
    ApiError::NotFound(
        "no calendar feed has this URL: it may have been deleted, or its creator's access ended"
            .to_owned(),
    )
}

/// An athlete's current plans as an iCalendar feed, for calendar apps.
///
/// Needs no `Authorization`: the URL is the secret (POST
/// /v1/athletes/{athlete_id}/calendar-feeds makes one). Answers an RFC 5545
/// calendar with one event per planned session of every current plan of
/// the athlete (an adapted plan replaces the plan it was adapted from),
/// the newest 50 plans at most. Event UIDs are stable from one fetch to
/// the next. With a strong `ETag`; `If-None-Match` naming it answers 304.
/// A URL that is unknown, malformed, deleted, or made by a coach whose
/// access has ended answers 404, the same for all.
#[utoipa::path(
    tag = "calendar-feeds",
    params(FeedTokenPath, super::exercises::IfNoneMatch),
    responses(
        (status = 200, description = "RFC 5545 calendar", body = String, content_type = "text/calendar",
            headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 404, description = "No live calendar feed has this URL", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/calendar-feeds/{token}.ics")]
pub async fn calendar_feed(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    path: web::Path<FeedTokenPath>,
) -> Result<HttpResponse, ApiError> {
    // Bounded before it is hashed: only the exact shape we issue is looked up.
    if !token::is_well_formed_feed(&path.token) {
        return Err(url_not_found());
    }
    let digest = token::digest(&path.token);
    let (feed, plans) = calendar_feeds::open(&pool, digest, url_not_found).await?;
    let text = web::block(move || {
        let name = feed
            .feed_name
            .unwrap_or_else(|| format!("runstrong: {}", feed.athlete_name));
        let events: Vec<PlanEvents> = plans
            .iter()
            .map(|stored| PlanEvents {
                plan: &stored.plan,
                plan_id: stored.id,
                stamp: stored.created_at,
            })
            .collect();
        calendar_ics(
            &CalendarHeader {
                name: &name,
                refresh_minutes: Some(REFRESH_MINUTES),
            },
            &events,
        )
    })
    .await?;
    let mut response =
        private_bytes_with_etag(&request, text.into_bytes(), "text/calendar; charset=utf-8");
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_static("inline; filename=\"runstrong.ics\""),
    );
    Ok(response)
}
