use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::athletes;
use crate::ids::{AccountId, AthleteId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = athletes, check_for_backend(diesel::pg::Pg))]
pub struct AthleteRow {
    pub id: AthleteId,
    pub owner_account_id: AccountId,
    pub profile: serde_json::Value,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
