//! A logged session from an activity file: what an import stores, built
//! from the parsed [`Activity`], the options of the request and the
//! athlete's heart-rate reserve, and checked by the same rules as a
//! session logged by hand.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::activity::{Activity, Lap};
use super::numbers::round_to;
use super::session::SessionInput;
use super::trimp::{HeartRateReserve, banister_trimp};
use super::validation::FieldError;
use super::vocabulary::SessionKind;

/// A lap of an imported session, as the device split it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SessionLap {
    pub started_at: DateTime<Utc>,
    /// Timer time of the lap, pauses excluded.
    pub duration_s: f64,
    pub distance_km: Option<f64>,
    pub avg_hr: Option<u16>,
}

/// The file a session was imported from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionSource {
    /// `fit`, `gpx` or `tcx`.
    #[schema(example = "fit")]
    pub format: String,
    /// SHA-256 of the file as uploaded (hex): the same file again finds
    /// this session.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
}

/// What the request adds to the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Overrides the kind the file's sport suggests.
    pub kind: Option<SessionKind>,
    /// Session RPE (CR-10); a file records none, so it may come later.
    pub rpe: Option<u8>,
}

/// A session as an import stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSession {
    pub kind: SessionKind,
    pub started_at: DateTime<Utc>,
    pub duration_min: f64,
    pub distance_km: Option<f64>,
    pub avg_hr: Option<u16>,
    pub max_hr: Option<u16>,
    pub elevation_gain_m: Option<f64>,
    pub rpe: Option<u8>,
    pub laps: Vec<SessionLap>,
    pub source: SessionSource,
    pub trimp: Option<f64>,
}

/// Kinds that log no distance (see `SessionInput::validate`): a strength
/// workout recorded on a watch may still carry a zero or GPS-drift
/// distance, which is dropped rather than refused.
fn logs_distance(kind: SessionKind) -> bool {
    !matches!(kind, SessionKind::Strength | SessionKind::Mobility)
}

/// Metres to kilometres, to the metre.
fn km(metres: f64) -> f64 {
    round_to(metres / 1000.0, 3)
}

fn lap(lap: &Lap) -> SessionLap {
    SessionLap {
        started_at: lap.started_at,
        duration_s: round_to(lap.duration_s, 3),
        distance_km: lap.distance_m.map(km),
        avg_hr: lap.avg_hr,
    }
}

/// The session an activity file logs, or what makes it unloggable (a run
/// under a minute, a start in the future, a kind that cannot be logged),
/// as field errors whose pointers name the session field.
pub fn imported_session(
    activity: &Activity,
    sha256: &str,
    options: ImportOptions,
    reserve: Option<HeartRateReserve>,
    now: DateTime<Utc>,
) -> Result<ImportedSession, Vec<FieldError>> {
    let kind = options
        .kind
        .unwrap_or_else(|| activity.sport.default_session_kind());
    let session = ImportedSession {
        kind,
        started_at: activity.started_at,
        duration_min: round_to(activity.duration_s / 60.0, 3),
        distance_km: activity.distance_m.filter(|_| logs_distance(kind)).map(km),
        avg_hr: activity.avg_hr,
        max_hr: activity.max_hr,
        elevation_gain_m: activity.elevation_gain_m.map(|m| round_to(m, 1)),
        rpe: options.rpe,
        laps: activity.laps.iter().map(lap).collect(),
        source: SessionSource {
            format: activity.format.as_str().to_owned(),
            sha256: sha256.to_owned(),
        },
        trimp: reserve
            .and_then(|reserve| banister_trimp(&activity.heart_rate, reserve))
            .map(|trimp| round_to(trimp, 1)),
    };
    session.as_input().validate(now)?;
    Ok(session)
}

/// An RPE that passes the check, for sessions imported without one: the
/// checks of a hand-logged session apply to everything else.
const RPE_FOR_CHECKS: u8 = 1;

impl ImportedSession {
    /// The session as a hand-logged one, to apply the same checks.
    fn as_input(&self) -> SessionInput {
        SessionInput {
            id: None,
            planned: None,
            kind: self.kind,
            started_at: self.started_at,
            finished_at: None,
            duration_min: self.duration_min,
            distance_km: self.distance_km,
            avg_hr: self.avg_hr,
            elevation_gain_m: self.elevation_gain_m,
            rpe: self.rpe.unwrap_or(RPE_FOR_CHECKS),
            notes: None,
            sets: Vec::new(),
        }
    }

    /// Session-RPE load (Foster), when rated.
    pub fn load(&self) -> Option<f64> {
        self.rpe
            .map(|rpe| super::load::session_rpe_load(rpe, self.duration_min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::activity::{ActivityFormat, HeartRateSample, Sport};

    fn activity() -> Activity {
        Activity {
            format: ActivityFormat::Fit,
            sport: Sport::Running,
            started_at: "2026-03-01T07:00:00Z".parse().unwrap(),
            duration_s: 1800.0,
            distance_m: Some(5514.6057),
            avg_hr: Some(148),
            max_hr: Some(158),
            elevation_gain_m: Some(12.34),
            laps: vec![Lap {
                started_at: "2026-03-01T07:00:00Z".parse().unwrap(),
                duration_s: 600.0,
                distance_m: Some(1919.378),
                avg_hr: Some(138),
            }],
            heart_rate: (0..=1800)
                .map(|s| HeartRateSample {
                    offset_ms: s * 1000,
                    bpm: 125,
                })
                .collect(),
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-03-02T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_run_is_an_easy_run_in_session_units() {
        let session =
            imported_session(&activity(), "ab", ImportOptions::default(), None, now()).unwrap();
        assert_eq!(session.kind, SessionKind::EasyRun);
        assert_eq!(session.duration_min, 30.0);
        assert_eq!(session.distance_km, Some(5.515));
        assert_eq!(session.elevation_gain_m, Some(12.3));
        assert_eq!(session.laps[0].distance_km, Some(1.919));
        assert_eq!(session.rpe, None);
        assert_eq!(session.load(), None);
        assert_eq!(session.trimp, None, "no reserve, no TRIMP");
        assert_eq!(session.source.format, "fit");
    }

    #[test]
    fn trimp_needs_the_reserve_and_the_options_win() {
        let reserve = HeartRateReserve::new(60, 190);
        let options = ImportOptions {
            kind: Some(SessionKind::TempoRun),
            rpe: Some(6),
        };
        let session = imported_session(&activity(), "ab", options, reserve, now()).unwrap();
        // 30 min at HRr 0.5: 30 × 0.5 × 0.64 × e^0.96 = 25.07.
        assert_eq!(session.trimp, Some(25.1));
        assert_eq!(session.kind, SessionKind::TempoRun);
        assert_eq!(session.load(), Some(180.0));
    }

    #[test]
    fn strength_drops_the_distance_and_unloggable_files_are_refused() {
        let options = ImportOptions {
            kind: Some(SessionKind::Strength),
            rpe: None,
        };
        let session = imported_session(&activity(), "ab", options, None, now()).unwrap();
        assert_eq!(session.distance_km, None);

        let mut short = activity();
        short.duration_s = 30.0;
        short.distance_m = Some(100.0);
        let errors =
            imported_session(&short, "ab", ImportOptions::default(), None, now()).unwrap_err();
        assert_eq!(errors[0].pointer, "/duration_min");

        let rest = ImportOptions {
            kind: Some(SessionKind::Rest),
            rpe: None,
        };
        let errors = imported_session(&activity(), "ab", rest, None, now()).unwrap_err();
        assert_eq!(errors[0].pointer, "/kind");
    }
}
