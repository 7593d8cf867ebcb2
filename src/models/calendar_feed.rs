use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::calendar_feeds;
use crate::ids::{AccountId, AthleteId};

/// A feed as stored, without its token hash (no read needs it back).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_feeds, check_for_backend(diesel::pg::Pg))]
pub struct CalendarFeedRow {
    pub athlete_id: AthleteId,
    pub id: Uuid,
    pub name: Option<String>,
    pub created_by_account_id: AccountId,
    pub created_at: DateTime<Utc>,
    pub last_fetched_at: Option<DateTime<Utc>>,
}
