//! A logged session: what the athlete did, in one model for runs and lifts.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ids::{PlanId, SessionId};

use super::validation::{Errors, FieldError};
use super::vocabulary::SessionKind;

/// One set performed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoggedSet {
    pub exercise_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1000)]
    pub reps: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 3600)]
    pub hold_s: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 500)]
    pub weight_kg: Option<f64>,
    /// Reps in reserve at the end of the set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 10)]
    pub rir: Option<u8>,
}

/// The planned session a log fulfils.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedLink {
    #[schema(value_type = Uuid)]
    pub plan_id: PlanId,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::dates::date")]
    pub date: NaiveDate,
    /// Position among that day's planned sessions (0 = first).
    #[serde(default)]
    #[schema(maximum = 255)]
    pub index: u8,
}

/// A session as clients log it (create and replace).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    /// A client-chosen UUID (offline-first apps); on create only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub id: Option<SessionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<PlannedLink>,
    /// Any session kind but `rest`: a rest day is not logged.
    #[schema(schema_with = loggable_kind)]
    pub kind: SessionKind,
    #[serde(deserialize_with = "crate::domain::dates::moment")]
    pub started_at: DateTime<Utc>,
    /// When given, must be after `started_at`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::domain::dates::optional_moment"
    )]
    pub finished_at: Option<DateTime<Utc>>,
    #[schema(minimum = 1, maximum = 1440, example = 45)]
    pub duration_min: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 400)]
    pub distance_km: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 25, maximum = 250)]
    pub avg_hr: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 10000)]
    pub elevation_gain_m: Option<f64>,
    /// Session RPE, CR-10.
    #[schema(minimum = 1, maximum = 10)]
    pub rpe: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    #[serde(default)]
    pub sets: Vec<LoggedSet>,
}

/// The fastest believable average: 30 km/h (a 2:00 min/km pace).
pub const MAX_SPEED_KMH: f64 = 30.0;

impl SessionInput {
    /// Checks values and their consistency; `now` bounds future starts.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::default();
        errors.check(
            self.kind != SessionKind::Rest,
            "/kind",
            "a rest day is not logged as a session",
        );
        errors.check(
            self.started_at <= now + Duration::days(1),
            "/started_at",
            "cannot start more than a day in the future",
        );
        errors.check(
            self.started_at >= DateTime::from_timestamp(946_684_800, 0).expect("2000-01-01"),
            "/started_at",
            "cannot start before the year 2000",
        );
        if let Some(finished) = self.finished_at {
            errors.check(
                finished > self.started_at,
                "/finished_at",
                "must be after started_at",
            );
            let span_min = (finished - self.started_at).num_seconds() as f64 / 60.0;
            errors.check(
                self.duration_min <= span_min + 1.0,
                "/duration_min",
                "longer than the time between started_at and finished_at",
            );
        }
        errors.check(
            self.duration_min.is_finite()
                && self.duration_min >= 1.0
                && self.duration_min <= 1440.0,
            "/duration_min",
            "between 1 and 1440 minutes",
        );
        if let Some(km) = self.distance_km {
            errors.check(
                km.is_finite() && (0.0..=400.0).contains(&km),
                "/distance_km",
                "between 0 and 400 km",
            );
            errors.check(
                !matches!(self.kind, SessionKind::Strength | SessionKind::Mobility),
                "/distance_km",
                "only runs, circuits and cross-training have a distance",
            );
            if self.duration_min.is_finite() && self.duration_min >= 1.0 {
                errors.check(
                    km / (self.duration_min / 60.0) <= MAX_SPEED_KMH,
                    "/distance_km",
                    "faster than 30 km/h on average: check the distance and duration",
                );
            }
        }
        errors.check(
            self.avg_hr.is_none_or(|hr| (25..=250).contains(&hr)),
            "/avg_hr",
            "between 25 and 250",
        );
        errors.check(
            self.elevation_gain_m
                .is_none_or(|m| m.is_finite() && (0.0..=10_000.0).contains(&m)),
            "/elevation_gain_m",
            "between 0 and 10000 m",
        );
        errors.check(
            (1..=10).contains(&self.rpe),
            "/rpe",
            "between 1 and 10 (CR-10)",
        );
        errors.check(
            self.notes
                .as_ref()
                .is_none_or(|n| n.chars().count() <= 4000),
            "/notes",
            "at most 4000 characters",
        );
        errors.check(self.sets.len() <= 300, "/sets", "at most 300 sets");
        errors.check(
            self.sets.is_empty() || !self.kind.is_run(),
            "/sets",
            "runs have no sets; log strength work as a strength or circuit session",
        );
        for (index, set) in self.sets.iter().enumerate() {
            let pointer = format!("/sets/{index}");
            errors.check(
                set.reps.is_some() != set.hold_s.is_some(),
                pointer.clone(),
                "give exactly one of reps and hold_s",
            );
            errors.check(
                set.reps.is_none_or(|r| (1..=1000).contains(&r)),
                format!("{pointer}/reps"),
                "between 1 and 1000",
            );
            errors.check(
                set.hold_s.is_none_or(|h| (1..=3600).contains(&h)),
                format!("{pointer}/hold_s"),
                "between 1 and 3600",
            );
            errors.check(
                set.weight_kg
                    .is_none_or(|w| w.is_finite() && (0.0..=500.0).contains(&w)),
                format!("{pointer}/weight_kg"),
                "between 0 and 500",
            );
            errors.check(
                set.rir.is_none_or(|r| r <= 10),
                format!("{pointer}/rir"),
                "between 0 and 10",
            );
        }
        errors.into_result()
    }

    /// Session-RPE load (Foster): RPE × minutes.
    pub fn load(&self) -> f64 {
        super::load::session_rpe_load(self.rpe, self.duration_min)
    }
}

/// The session kinds a log may have: every kind of plans but `rest`,
/// which `validate` refuses (422), so the document does not offer it.
fn loggable_kind() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(
            SessionKind::NAMES
                .iter()
                .copied()
                .filter(|kind| *kind != SessionKind::Rest.as_str()),
        ))
        .description(Some(
            "Any session kind but `rest`: a rest day is not logged.",
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validation::test_support::pointers_of;

    fn run() -> SessionInput {
        SessionInput {
            id: None,
            planned: None,
            kind: SessionKind::EasyRun,
            started_at: "2027-01-04T07:00:00Z".parse().unwrap(),
            finished_at: None,
            duration_min: 50.0,
            distance_km: Some(8.5),
            avg_hr: Some(142),
            elevation_gain_m: Some(60.0),
            rpe: 3,
            notes: None,
            sets: vec![],
        }
    }

    fn pointers(input: &SessionInput) -> Vec<String> {
        let now = "2027-01-05T00:00:00Z".parse().unwrap();
        pointers_of(input.validate(now))
    }

    #[test]
    fn a_sane_run_is_valid_and_absurd_values_are_pointed_at() {
        assert!(pointers(&run()).is_empty());
        let mut absurd = run();
        absurd.distance_km = Some(500.0);
        absurd.rpe = 11;
        absurd.started_at = "3000-01-01T00:00:00Z".parse().unwrap();
        // 500 km is both over the limit and faster than 30 km/h in 50 min.
        assert_eq!(
            pointers(&absurd),
            ["/started_at", "/distance_km", "/distance_km", "/rpe"]
        );
        let mut backwards = run();
        backwards.finished_at = Some("2027-01-04T06:00:00Z".parse().unwrap());
        assert!(pointers(&backwards).contains(&"/finished_at".to_owned()));
        let mut too_fast = run();
        too_fast.distance_km = Some(42.0);
        assert_eq!(pointers(&too_fast), ["/distance_km"]);
    }

    #[test]
    fn load_is_rpe_times_minutes() {
        assert_eq!(run().load(), 150.0);
    }
}
