//! Webhook subscriptions of the caller's account and the attempts made to
//! deliver them. Delivery itself is `crate::webhooks`.

use actix_web::{HttpResponse, delete, get, http::header, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::pagination::{decode_cursor, encode_cursor, parse_limit};
use crate::config::Config;
use crate::db::PgPool;
use crate::domain::validation::Errors;
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::http::extract::JsonBody;
use crate::models::webhook::{AttemptRow, WebhookRow};
use crate::repo::webhooks::AttemptPosition;
use crate::service::webhooks;
use crate::webhooks::{dispatcher::message_id, events::EventType, sealing::SealingKey};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// Where events are POSTed: an `http` or `https` URL (at most 2048
    /// characters) whose host resolves to public addresses only.
    #[schema(
        example = "https://coach-tool.example.com/hooks/runstrong",
        max_length = 2048
    )]
    pub url: String,
    /// The events to receive (at least one).
    #[schema(min_items = 1, max_items = 7)]
    pub events: Vec<EventType>,
}

/// A subscription, as listed (the secret is shown once, at creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<EventType>,
    pub created_at: DateTime<Utc>,
}

/// A new subscription with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_` + base64 of 32 random bytes: verify `webhook-signature`
    /// with it (any Standard Webhooks library does). Not shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwJz1YyOeoKAw=")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookPath {
    /// The subscription's id.
    pub webhook_id: Uuid,
}

fn webhook_from_row(row: WebhookRow) -> Webhook {
    Webhook {
        id: row.id,
        url: row.url,
        events: row.events.iter().filter_map(|e| e.parse().ok()).collect(),
        created_at: row.created_at,
    }
}

/// Subscribe to events about the athletes this account may read.
///
/// Events are POSTed to `url` as Standard Webhooks: a JSON body
/// `{type, timestamp, data}` (`data` holds `athlete_id` and the ids of what
/// changed: session kind, date and distance; plan dates; warning ids) with
/// the headers `webhook-id` (the same on every retry), `webhook-timestamp`
/// and `webhook-signature`. A subscription hears about the athletes its
/// account may read when the event is delivered: the owner's own, and a
/// coach's for as long as the grant is active. Failed deliveries are
/// retried with exponential backoff for 24 hours. An account holds at most
/// 20 subscriptions.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = WebhookRequest,
    responses(
        (status = 201, description = "Subscribed; the secret is shown this once", body = CreatedWebhook,
            headers(("Location" = String, description = "The subscription's deliveries"))),
        (status = 400, description = "Malformed body, unknown field or event", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A URL that is not http(s), does not resolve, or points at a loopback or private address; no events; or 20 subscriptions already", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/webhooks")]
pub async fn create_webhook(
    pool: web::Data<PgPool>,
    settings: web::Data<Config>,
    key: web::Data<SealingKey>,
    token: BearerToken,
    body: JsonBody<WebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let (stored, secret) = webhooks::subscribe(
        &pool,
        settings.webhooks.allow_private_targets,
        &key,
        token.digest,
        &request.url,
        &request.events,
    )
    .await?;
    let id = stored.id;
    let created = CreatedWebhook {
        webhook: webhook_from_row(stored),
        secret: secret.shown(),
    };
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/webhooks/{id}/deliveries")))
        .json(created))
}

/// The caller's webhook subscriptions.
///
/// Answers every subscription of the caller's account (at most 20), oldest
/// first, without their secrets.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscriptions", body = WebhookList),
    )
)]
#[get("/v1/webhooks")]
pub async fn list_webhooks(
    pool: web::Data<PgPool>,
    token: BearerToken,
) -> Result<HttpResponse, ApiError> {
    let rows = webhooks::list(&pool, token.digest).await?;
    Ok(HttpResponse::Ok().json(WebhookList {
        items: rows.into_iter().map(webhook_from_row).collect(),
    }))
}

/// Unsubscribe.
///
/// Deliveries not yet made are dropped with the subscription, and its
/// delivery log is deleted. Another account's subscription is 404.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(WebhookPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such webhook of this account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/webhooks/{webhook_id}")]
pub async fn delete_webhook(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    webhooks::delete(&pool, token.digest, path.webhook_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u16>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One attempt to deliver an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    /// The `webhook-id` sent, the same on every attempt of one event.
    #[schema(example = "msg_0193a1f0c2b87d3e9a4b5c6d7e8f9012")]
    pub webhook_id: String,
    #[schema(example = "session.created")]
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// Why there was no answer (timeout, refused connection, refused
    /// target), or why it was not sent.
    pub error: Option<String>,
    /// When the next attempt is due; null once delivered or given up.
    pub next_retry_at: Option<DateTime<Utc>>,
    /// Where the delivery stands now: `pending`, `delivered` or `failed`.
    #[schema(example = "delivered")]
    pub delivery_state: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryAttempt>,
    pub next_cursor: Option<String>,
}

const CURSOR_KIND: &str = "webhook-attempt";

/// Delivery attempts of a subscription, newest first.
///
/// Each attempt: when, the receiver's status code or the error, and when
/// the next retry is due. Attempts of finished deliveries are kept 30 days.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(WebhookPath, DeliveryParams),
    responses(
        (status = 200, description = "A page of attempts", body = DeliveryPage),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook of this account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/webhooks/{webhook_id}/deliveries")]
pub async fn list_deliveries(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<WebhookPath>,
    params: web::Query<DeliveryParams>,
) -> Result<HttpResponse, ApiError> {
    let webhook_id = path.webhook_id;
    let mut errors = Errors::default();
    let limit = parse_limit(params.limit.as_deref(), &mut errors);
    let after = params
        .cursor
        .as_deref()
        .filter(|raw| !raw.is_empty())
        .and_then(|raw| {
            let position = decode_position(raw);
            if position.is_none() {
                errors.add("/cursor", "not a cursor this list gave out");
            }
            position
        });
    errors.into_result().map_err(ApiError::invalid_fields)?;
    let mut rows = webhooks::attempts(&pool, token.digest, webhook_id, after, limit).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = rows.last().filter(|_| has_more).map(encode_position);
    Ok(HttpResponse::Ok().json(DeliveryPage {
        items: rows.into_iter().map(attempt_view).collect(),
        next_cursor,
    }))
}

fn attempt_view(row: AttemptRow) -> DeliveryAttempt {
    DeliveryAttempt {
        webhook_id: message_id(row.delivery_id),
        event_type: row.event_type,
        attempt: row.attempt,
        attempted_at: row.attempted_at,
        status_code: row.status_code.map(|code| code as u16),
        error: row.error,
        next_retry_at: row.next_retry_at,
        delivery_state: row.state,
    }
}

fn encode_position(row: &AttemptRow) -> String {
    encode_cursor(
        CURSOR_KIND,
        &format!(
            "{}|{}|{}",
            row.attempted_at.timestamp_micros(),
            row.delivery_id,
            row.attempt
        ),
    )
}

fn decode_position(raw: &str) -> Option<AttemptPosition> {
    let key = decode_cursor(CURSOR_KIND, raw)?;
    let mut parts = key.splitn(3, '|');
    let at = DateTime::from_timestamp_micros(parts.next()?.parse().ok()?)?;
    let delivery = Uuid::parse_str(parts.next()?).ok()?;
    let attempt = parts.next()?.parse().ok()?;
    crate::domain::dates::is_moment_in_range(at).then_some((at, delivery, attempt))
}
