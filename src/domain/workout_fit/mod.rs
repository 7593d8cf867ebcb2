//! Planned sessions as FIT workout files a watch can follow (FIT profile:
//! `file_id` of type workout, one `workout`, and `workout_step`s).
//!
//! The input mirrors SPEC's `steps` exactly ([`Step`]: `warm_up`, `work`,
//! `recovery`, `cool_down`, `walk` with a `duration_s` or a `distance_m`
//! and optional targets, and `repeat` groups), so the plan's steps map onto
//! it field for field; strength sessions give their exercises
//! ([`Exercise`]). How they become workout steps:
//!
//! * a plain step is one workout step: duration type time (ms) or distance
//!   (cm); a pace range is a speed target with custom low and high values
//!   (mm/s: the slower pace is the low speed), a heart-rate range a
//!   heart-rate target with custom values (bpm + 100, FIT's marker for
//!   absolute bpm rather than % of maximum); with both, the heart rate is
//!   the secondary target. An RPE and the note go into the step's notes.
//!   Intensity: warm_up → warmup, work → active, recovery and walk →
//!   recovery, cool_down → cooldown.
//! * a repeat group is its steps followed by a step of duration type
//!   repeat-until-steps-complete that points back at the group's first step
//!   and repeats `times` times in all.
//! * an exercise is a step named after it, lasting its reps (duration type
//!   reps) or its hold (time), or open (the lap button) without either;
//!   with several sets it is followed by its rest (a time step of intensity
//!   rest) and a repeat step for the sets, as Garmin's own strength
//!   workouts do, so the watch counts the sets.
//!
//! Texts longer than a FIT string field allows are cut at a character
//! boundary (names at 50 bytes, notes at 200).

mod planned;
mod steps;
mod writer;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

pub use planned::workout_for;
use steps::{Duration, FitStep, Target, run_steps, strength_steps};
use writer::{FitWriter, Kind, Value, string_size};

// The steps are the plan's own (SPEC "Steps"): a stored session's steps
// are encoded as they are, with no copy into a second shape.
pub use crate::domain::plan::steps::{Range, RepeatGroup, Segment, Step, StepTarget};

/// One exercise of a strength session.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub name: String,
    pub sets: u8,
    /// Repetitions per set; or `hold_s`, or neither.
    #[serde(default)]
    pub reps: Option<u8>,
    #[serde(default)]
    pub hold_s: Option<u16>,
    /// Rest between sets.
    #[serde(default)]
    pub rest_s: u16,
    #[serde(default)]
    pub note: Option<String>,
}

/// What the workout holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkoutBody {
    /// A run (or the running of a circuit): FIT sport running.
    Run(Vec<Step>),
    /// Strength work: FIT sport training, sub-sport strength training.
    Strength(Vec<Exercise>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workout {
    /// The session's title: the workout's name on the watch.
    pub name: String,
    pub body: WorkoutBody,
}

/// Bounds of what is encoded; a plan's steps are well inside them.
pub mod limits {
    /// Workout steps in one file (repeat steps included).
    pub const MAX_STEPS: usize = 250;
    pub const DURATION_S: std::ops::RangeInclusive<u32> = 1..=86_400;
    pub const DISTANCE_M: std::ops::RangeInclusive<u32> = 1..=400_000;
    /// 1:00 to 60:00 per kilometre.
    pub const PACE_S_PER_KM: std::ops::RangeInclusive<u16> = 60..=3_600;
    pub const HEART_RATE_BPM: std::ops::RangeInclusive<u16> = 25..=250;
    pub const TIMES: std::ops::RangeInclusive<u8> = 1..=99;
    pub const SETS: std::ops::RangeInclusive<u8> = 1..=20;
}

/// Why steps cannot be encoded; `step` counts from 1 in reading order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkoutError {
    #[error("the workout has no steps")]
    NoSteps,
    #[error("step {step}: {reason}")]
    InvalidStep { step: usize, reason: String },
    #[error("the workout has more than {} steps", limits::MAX_STEPS)]
    TooManySteps,
}

/// FIT's `date_time` counts seconds from 1989-12-31T00:00:00Z.
const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

// Message and enum numbers of the FIT profile.
const MESG_FILE_ID: u16 = 0;
const MESG_WORKOUT: u16 = 26;
const MESG_WORKOUT_STEP: u16 = 27;
const FILE_WORKOUT: u8 = 5;
const MANUFACTURER_DEVELOPMENT: u16 = 255;
const SPORT_RUNNING: u8 = 1;
const SPORT_TRAINING: u8 = 10;
const SUB_SPORT_GENERIC: u8 = 0;
const SUB_SPORT_STRENGTH: u8 = 20;
const DURATION_TIME: u8 = 0;
const DURATION_DISTANCE: u8 = 1;
const DURATION_OPEN: u8 = 5;
const DURATION_REPEAT_UNTIL_STEPS_COMPLETE: u8 = 6;
const DURATION_REPS: u8 = 29;
const TARGET_SPEED: u8 = 0;
const TARGET_HEART_RATE: u8 = 1;
const TARGET_OPEN: u8 = 2;
/// `workout_hr` values above 100 are bpm + 100.
const HEART_RATE_OFFSET: u32 = 100;
const NAME_BYTES: u8 = 51;
const NOTES_BYTES: u8 = 201;

/// The FIT workout file for `workout`, created at `created_at` (stamped in
/// `file_id.time_created`; pass a stable time, such as the plan's, for the
/// same bytes on every download).
pub fn encode(workout: &Workout, created_at: DateTime<Utc>) -> Result<Vec<u8>, WorkoutError> {
    let (sport, sub_sport, steps) = match &workout.body {
        WorkoutBody::Run(steps) => (SPORT_RUNNING, SUB_SPORT_GENERIC, run_steps(steps)?),
        WorkoutBody::Strength(exercises) => (
            SPORT_TRAINING,
            SUB_SPORT_STRENGTH,
            strength_steps(exercises)?,
        ),
    };
    if steps.is_empty() {
        return Err(WorkoutError::NoSteps);
    }
    if steps.len() > limits::MAX_STEPS {
        return Err(WorkoutError::TooManySteps);
    }
    let mut fit = FitWriter::new();
    fit.define(
        0,
        MESG_FILE_ID,
        &[
            (0, Kind::Enum),
            (1, Kind::U16),
            (2, Kind::U16),
            (4, Kind::U32),
        ],
    );
    let created = (created_at.timestamp() - FIT_EPOCH_UNIX_S).clamp(0, i64::from(u32::MAX - 1));
    fit.write(
        0,
        &[
            Value::Enum(FILE_WORKOUT),
            Value::U16(MANUFACTURER_DEVELOPMENT),
            Value::U16(0),
            Value::U32(created as u32),
        ],
    );
    let name_size = string_size(std::iter::once(workout.name.as_str()), NAME_BYTES);
    fit.define(
        1,
        MESG_WORKOUT,
        &[
            (4, Kind::Enum),
            (11, Kind::Enum),
            (6, Kind::U16),
            (8, Kind::Str(name_size)),
        ],
    );
    fit.write(
        1,
        &[
            Value::Enum(sport),
            Value::Enum(sub_sport),
            Value::U16(steps.len() as u16),
            Value::Str(&workout.name),
        ],
    );
    write_steps(&mut fit, &steps);
    Ok(fit.finish())
}

/// A file name for a downloaded workout: the date and the title as ASCII
/// letters, digits and hyphens (`2026-03-01-long-run.fit`).
pub fn file_name(date: NaiveDate, title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("{date}-workout.fit")
    } else {
        format!("{date}-{slug}.fit")
    }
}

fn write_steps(fit: &mut FitWriter, steps: &[FitStep]) {
    let name_size = string_size(steps.iter().map(|s| s.name.as_str()), NAME_BYTES);
    let notes_size = string_size(steps.iter().map(|s| s.notes.as_str()), NOTES_BYTES);
    fit.define(
        2,
        MESG_WORKOUT_STEP,
        &[
            (254, Kind::U16),
            (0, Kind::Str(name_size)),
            (1, Kind::Enum),
            (2, Kind::U32),
            (3, Kind::Enum),
            (4, Kind::U32),
            (5, Kind::U32),
            (6, Kind::U32),
            (7, Kind::Enum),
            (8, Kind::Str(notes_size)),
            (19, Kind::Enum),
            (20, Kind::U32),
            (21, Kind::U32),
            (22, Kind::U32),
        ],
    );
    for (index, step) in steps.iter().enumerate() {
        let (duration_type, duration_value, repeat_times) = match step.duration {
            Duration::Milliseconds(ms) => (DURATION_TIME, ms, None),
            Duration::Centimetres(cm) => (DURATION_DISTANCE, cm, None),
            Duration::Reps(reps) => (DURATION_REPS, reps, None),
            Duration::Open => (DURATION_OPEN, u32::MAX, None),
            Duration::Repeat { from, times } => (
                DURATION_REPEAT_UNTIL_STEPS_COMPLETE,
                u32::from(from),
                Some(times),
            ),
        };
        let [target_type, target_value, low, high] = target_values(step.target);
        // A repeat step's target value is its repetition count.
        let target_value = repeat_times.map_or(target_value, Value::U32);
        let [
            secondary_type,
            secondary_value,
            secondary_low,
            secondary_high,
        ] = match step.secondary {
            Target::Open => [
                Value::NONE_ENUM,
                Value::NONE_U32,
                Value::NONE_U32,
                Value::NONE_U32,
            ],
            target => target_values(target),
        };
        fit.write(
            2,
            &[
                Value::U16(index as u16),
                Value::Str(&step.name),
                Value::Enum(duration_type),
                Value::U32(duration_value),
                target_type,
                target_value,
                low,
                high,
                step.intensity.map_or(Value::NONE_ENUM, Value::Enum),
                Value::Str(&step.notes),
                secondary_type,
                secondary_value,
                secondary_low,
                secondary_high,
            ],
        );
    }
}

/// Target type, target value (0: custom values follow), low and high.
fn target_values(target: Target) -> [Value<'static>; 4] {
    match target {
        Target::Open => [
            Value::Enum(TARGET_OPEN),
            Value::NONE_U32,
            Value::NONE_U32,
            Value::NONE_U32,
        ],
        Target::Speed { low, high } => [
            Value::Enum(TARGET_SPEED),
            Value::U32(0),
            Value::U32(low),
            Value::U32(high),
        ],
        Target::HeartRate { low, high } => [
            Value::Enum(TARGET_HEART_RATE),
            Value::U32(0),
            Value::U32(low + HEART_RATE_OFFSET),
            Value::U32(high + HEART_RATE_OFFSET),
        ],
    }
}
