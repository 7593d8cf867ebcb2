//! Webhook rows: a subscription, and one attempt of a delivery as its log
//! lists it (joined with the delivery's event and state).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::webhooks;
use crate::ids::AccountId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: Uuid,
    pub account_id: AccountId,
    pub url: String,
    pub events: Vec<String>,
    pub secret_sealed: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// One attempt of a delivery, with its delivery's event type and state.
#[derive(Debug, Clone, Queryable)]
pub struct AttemptRow {
    pub delivery_id: Uuid,
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i16>,
    pub error: Option<String>,
    pub next_retry_at: Option<DateTime<Utc>>,
    pub event_type: String,
    pub state: String,
}
