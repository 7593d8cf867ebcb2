//! A logged session as the API serves it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::adherence::LoggedSession;
use crate::domain::session::{LoggedSet, PlannedLink};
use crate::domain::session_import::{SessionLap, SessionSource};
use crate::domain::vocabulary::SessionKind;
use crate::ids::{AthleteId, SessionId};

use super::version_etag;

/// A logged session as the API serves it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    #[schema(value_type = Uuid)]
    pub id: SessionId,
    #[schema(value_type = Uuid)]
    pub athlete_id: AthleteId,
    pub planned: Option<PlannedLink>,
    pub kind: SessionKind,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_min: f64,
    pub distance_km: Option<f64>,
    pub avg_hr: Option<u16>,
    /// From an imported file; null for sessions logged by hand.
    pub max_hr: Option<u16>,
    pub elevation_gain_m: Option<f64>,
    /// Null for a session imported without one; give it with PUT.
    #[schema(minimum = 1, maximum = 10)]
    pub rpe: Option<u8>,
    pub notes: Option<String>,
    pub sets: Vec<LoggedSet>,
    /// Session-RPE load: RPE × minutes; null without an RPE.
    pub load: Option<f64>,
    /// Laps as the device split them; null for sessions logged by hand.
    pub laps: Option<Vec<SessionLap>>,
    /// The file an imported session came from; null for sessions logged by hand.
    pub source: Option<SessionSource>,
    /// Banister's TRIMP over the file's heart-rate samples, when the file
    /// has them and the athlete's profile has `max_hr` and `resting_hr`.
    pub trimp: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// True for a tombstone (only in `updated_since` listings).
    pub deleted: bool,
}

impl Session {
    /// What adherence and adaptation read of it.
    pub fn logged(&self) -> LoggedSession {
        LoggedSession {
            id: self.id,
            planned: self.planned.clone(),
            kind: self.kind,
            started_at: self.started_at,
            duration_min: self.duration_min,
            distance_km: self.distance_km,
            rpe: self.rpe,
        }
    }
}

/// The headers of a session answer: its version and where it lives.
/// Part of what an idempotent create stores, so the service knows them.
pub fn answer_headers(id: SessionId, version: i64) -> [(&'static str, String); 2] {
    [
        ("etag", version_etag(version)),
        ("location", format!("/v1/sessions/{id}")),
    ]
}
