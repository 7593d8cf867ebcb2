//! The `sessions` row: every column, as the repository
//! reads it before turning it into a `Session` (`repo::sessions`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::db::schema::sessions;
use crate::ids::{AthleteId, PlanId, SessionId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    pub id: SessionId,
    pub athlete_id: AthleteId,
    pub planned_plan_id: Option<PlanId>,
    pub planned_date: Option<NaiveDate>,
    pub planned_index: Option<i16>,
    pub kind: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_min: f64,
    pub distance_km: Option<f64>,
    pub avg_hr: Option<i16>,
    pub elevation_gain_m: Option<f64>,
    pub rpe: Option<i16>,
    pub notes: Option<String>,
    pub sets: serde_json::Value,
    pub body_sha256: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub max_hr: Option<i16>,
    pub laps: Option<serde_json::Value>,
    pub source_format: Option<String>,
    pub source_sha256: Option<String>,
    pub trimp: Option<f64>,
}
