//! The plan format of SPEC "Plan generation": the one shape that preview,
//! stored plans and validation all speak.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::profile::Race;
use crate::domain::vocabulary::{Equipment, Experience, Goal, InjuryArea, Phase, SessionKind};

/// When in the day a session is planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeOfDay {
    Morning,
    Midday,
    Evening,
}

impl TimeOfDay {
    /// The clock time a calendar shows, in minutes after midnight:
    /// 07:00, 12:30 and 18:30, so morning and evening are 11.5 h apart
    /// and midday is 5.5 h from morning, 6 h from evening.
    pub fn start_minute(self) -> u32 {
        match self {
            TimeOfDay::Morning => 7 * 60,
            TimeOfDay::Midday => 12 * 60 + 30,
            TimeOfDay::Evening => 18 * 60 + 30,
        }
    }
}

/// One exercise of a session with its dose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedExercise {
    /// The catalog id; may be omitted in hand-written plans when the slug is given.
    #[serde(default)]
    pub exercise_id: Option<Uuid>,
    #[schema(example = "single-leg-deadlift")]
    pub exercise_slug: String,
    #[schema(minimum = 1, maximum = 10)]
    pub sets: u8,
    // The maxima below are those of the Rust types: a hand-written plan
    // may say anything the validator can then judge, but a larger number
    // does not parse (400), and the document says so.
    /// Repetitions per set (per side for single-leg or single-arm work).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 255)]
    pub reps: Option<u8>,
    /// Seconds per hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 65535)]
    pub hold_s: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "3-1-1-0")]
    pub tempo: Option<String>,
    #[schema(maximum = 65535)]
    pub rest_s: u16,
    /// Reps in reserve to stop at (load guidance): RPE is 10 minus this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 255)]
    pub target_rir: Option<u8>,
    /// The weight to lift, once the athlete has logged this exercise with
    /// a weight (per dumbbell or kettlebell, the whole bar for a barbell:
    /// as logged). From the last logged session: an estimated one-rep
    /// maximum (Brzycki up to 10 reps to failure, Epley above, reps in
    /// reserve counted as reps), progressed by double progression: when
    /// every set reached the top of the rep range at the target RIR, 2.5–5%
    /// more, rounded to what the equipment allows; a set below the range
    /// lowers it, a set harder than planned holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(exclusive_minimum = 0, maximum = 1000, example = 22.5)]
    pub load_kg: Option<f64>,
    /// Plyometrics: foot contacts of this exercise (sets × reps, twice for
    /// one leg at a time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 65535, example = 40)]
    pub foot_contacts: Option<u16>,
}

/// One planned session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedSession {
    pub kind: SessionKind,
    #[schema(example = "Long run")]
    pub title: String,
    pub time_of_day: TimeOfDay,
    #[schema(maximum = 65535)]
    pub duration_min: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Target session effort, CR-10 RPE.
    #[schema(minimum = 1, maximum = 10)]
    pub target_rpe: u8,
    #[serde(default)]
    pub warm_up: Vec<PlannedExercise>,
    #[serde(default)]
    pub cool_down: Vec<PlannedExercise>,
    /// For strength and circuits, in the order to do them.
    #[serde(default)]
    pub exercises: Vec<PlannedExercise>,
    /// Why the session is as it is: the week's volume, the long run's
    /// length, the workout chosen, the rules that shaped it.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// For runs (and the running of circuits): what a watch follows. The
    /// steps add up to the session's duration (within 10%).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<super::steps::Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedDay {
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::dates::date")]
    pub date: NaiveDate,
    /// Empty on a rest day.
    #[serde(default)]
    pub sessions: Vec<PlannedSession>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedWeek {
    /// 1-based.
    #[schema(maximum = 65535)]
    pub index: u16,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::dates::date")]
    pub start_date: NaiveDate,
    pub phase: Phase,
    /// Training running volume; the race itself is not counted.
    pub planned_run_km: f64,
    // A u32 is beyond `int32`, the format the derive would write.
    #[schema(format = Int64, maximum = 4294967295_u64)]
    pub planned_run_min: u32,
    /// Session-RPE load of the week (Σ RPE × minutes).
    #[serde(default)]
    #[schema(format = Int64, maximum = 4294967295_u64)]
    pub planned_load: u32,
    pub days: Vec<PlannedDay>,
}

/// What the plan was built for, so that a validator can check the rules
/// that depend on the athlete (injuries, equipment, run history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanAthlete {
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    #[serde(default)]
    pub injuries: Vec<InjuryArea>,
    #[serde(default)]
    pub allow_two_a_days: bool,
    /// Running volume of the week before the plan.
    #[serde(default)]
    pub current_weekly_km: f64,
    /// Longest run of the 30 days before the plan.
    #[serde(default)]
    pub longest_recent_run_km: f64,
}

/// A soft rule the plan could not follow, or (in validation) any broken rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Violation {
    #[schema(example = "no_long_run_after_leg_day")]
    pub rule_id: String,
    pub severity: super::rules::Severity,
    #[schema(value_type = Vec<chrono::NaiveDate>)]
    #[serde(deserialize_with = "crate::domain::dates::dates")]
    pub dates: Vec<NaiveDate>,
    pub message: String,
    pub suggested_fix: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::dates::date")]
    pub start_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::dates::date")]
    pub end_date: NaiveDate,
    pub goal: Goal,
    pub experience: Experience,
    #[serde(default)]
    pub race: Option<Race>,
    #[serde(default)]
    pub athlete: Option<PlanAthlete>,
    pub weeks: Vec<PlannedWeek>,
    /// The paces and heart-rate zones the plan's targets come from, when
    /// the athlete gave a recent race or heart rates.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "zones_object"
    )]
    pub zones: Option<crate::domain::zones::Zones>,
    /// Ids of the rules the plan was checked against.
    #[serde(default)]
    pub rules_checked: Vec<String>,
    /// Soft rules the plan does not fully follow, and why.
    #[serde(default)]
    pub soft_violations: Vec<Violation>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// `zones` read from a JSON object only: serde's derive would also take an
/// array of its (all optional) fields in order.
fn zones_object<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<crate::domain::zones::Zones>, D::Error> {
    let object: Option<serde_json::Map<String, serde_json::Value>> =
        Option::deserialize(deserializer)?;
    object
        .map(|fields| serde_json::from_value(serde_json::Value::Object(fields)))
        .transpose()
        .map_err(serde::de::Error::custom)
}

impl Plan {
    /// Every day of the plan in order.
    pub fn days(&self) -> impl Iterator<Item = &PlannedDay> {
        self.weeks.iter().flat_map(|week| week.days.iter())
    }
}
