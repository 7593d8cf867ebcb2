//! A workout's steps as FIT workout steps, validated: run steps with their
//! repeat groups, and strength exercises with their rest and sets (the
//! mapping is described in the parent module).

use super::{Exercise, Range, Step, WorkoutError, limits};

// `intensity` values of the FIT profile.
const INTENSITY_ACTIVE: u8 = 0;
const INTENSITY_REST: u8 = 1;
const INTENSITY_WARMUP: u8 = 2;
const INTENSITY_COOLDOWN: u8 = 3;
const INTENSITY_RECOVERY: u8 = 4;

/// How long a workout step lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Duration {
    Milliseconds(u32),
    Centimetres(u32),
    Reps(u32),
    Open,
    /// Back to step `from` until done `times` times in all.
    Repeat {
        from: u16,
        times: u32,
    },
}

/// A workout step's target: custom low and high values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Open,
    /// mm/s.
    Speed {
        low: u32,
        high: u32,
    },
    /// bpm.
    HeartRate {
        low: u32,
        high: u32,
    },
}

/// One `workout_step` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FitStep {
    pub name: String,
    pub duration: Duration,
    pub target: Target,
    /// Only a heart rate, beside a speed target.
    pub secondary: Target,
    pub intensity: Option<u8>,
    pub notes: String,
}

/// The workout steps of a run, validated.
pub(super) fn run_steps(steps: &[Step]) -> Result<Vec<FitStep>, WorkoutError> {
    let mut out = Vec::new();
    let mut counter = 0;
    for step in steps {
        counter += 1;
        match step {
            Step::Repeat(group) => {
                let number = counter;
                let invalid = |reason: &str| WorkoutError::InvalidStep {
                    step: number,
                    reason: reason.to_owned(),
                };
                if !limits::TIMES.contains(&group.times) {
                    return Err(invalid("a repeat group is done 1 to 99 times"));
                }
                if group.steps.is_empty() {
                    return Err(invalid("a repeat group has no steps"));
                }
                let from = out.len();
                for inner in &group.steps {
                    counter += 1;
                    if matches!(inner, Step::Repeat(_)) {
                        return Err(WorkoutError::InvalidStep {
                            step: counter,
                            reason: "repeat groups do not nest".to_owned(),
                        });
                    }
                    out.push(plain_step(inner, counter)?);
                    too_many(&out)?;
                }
                out.push(FitStep {
                    name: String::new(),
                    duration: Duration::Repeat {
                        from: from as u16,
                        times: u32::from(group.times),
                    },
                    target: Target::Open,
                    secondary: Target::Open,
                    intensity: None,
                    notes: String::new(),
                });
            }
            plain => out.push(plain_step(plain, counter)?),
        }
        too_many(&out)?;
    }
    Ok(out)
}

fn too_many(steps: &[FitStep]) -> Result<(), WorkoutError> {
    if steps.len() > limits::MAX_STEPS {
        Err(WorkoutError::TooManySteps)
    } else {
        Ok(())
    }
}

fn plain_step(step: &Step, number: usize) -> Result<FitStep, WorkoutError> {
    let invalid = |reason: String| WorkoutError::InvalidStep {
        step: number,
        reason,
    };
    let (name, intensity, segment) = match step {
        Step::WarmUp(s) => ("Warm up", INTENSITY_WARMUP, s),
        Step::Work(s) => ("Work", INTENSITY_ACTIVE, s),
        Step::Recovery(s) => ("Recovery", INTENSITY_RECOVERY, s),
        Step::CoolDown(s) => ("Cool down", INTENSITY_COOLDOWN, s),
        Step::Walk(s) => ("Walk", INTENSITY_RECOVERY, s),
        Step::Repeat(_) => unreachable!("repeat groups are expanded by run_steps"),
    };
    let duration = match (segment.duration_s, segment.distance_m) {
        (Some(seconds), None) if limits::DURATION_S.contains(&seconds) => {
            Duration::Milliseconds(seconds * 1000)
        }
        (None, Some(metres)) if limits::DISTANCE_M.contains(&metres) => {
            Duration::Centimetres(metres * 100)
        }
        (Some(_), None) => return Err(invalid("duration_s is 1 to 86400".to_owned())),
        (None, Some(_)) => return Err(invalid("distance_m is 1 to 400000".to_owned())),
        _ => {
            return Err(invalid(
                "a step has exactly one of duration_s and distance_m".to_owned(),
            ));
        }
    };
    let aims = segment.target.clone().unwrap_or_default();
    let speed = match aims.pace_s_per_km {
        Some(pace) => {
            checked_range("pace_s_per_km", pace, limits::PACE_S_PER_KM).map_err(invalid)?;
            // The slower pace (larger s/km) is the lower speed.
            Some(Target::Speed {
                low: millimetres_per_second(pace.max),
                high: millimetres_per_second(pace.min),
            })
        }
        None => None,
    };
    let heart_rate = match aims.hr_bpm {
        Some(hr) => {
            checked_range("hr_bpm", hr, limits::HEART_RATE_BPM).map_err(invalid)?;
            Some(Target::HeartRate {
                low: u32::from(hr.min),
                high: u32::from(hr.max),
            })
        }
        None => None,
    };
    let (target, secondary) = match (speed, heart_rate) {
        (Some(speed), heart_rate) => (speed, heart_rate.unwrap_or(Target::Open)),
        (None, Some(heart_rate)) => (heart_rate, Target::Open),
        (None, None) => (Target::Open, Target::Open),
    };
    let mut notes = Vec::new();
    if let Some(rpe) = aims.rpe {
        if !(1..=10).contains(&rpe) {
            return Err(invalid("rpe is 1 to 10".to_owned()));
        }
        notes.push(format!("RPE {rpe}"));
    }
    notes.extend(segment.note.iter().map(|note| note.to_string()));
    Ok(FitStep {
        name: name.to_owned(),
        duration,
        target,
        secondary,
        intensity: Some(intensity),
        notes: notes.join(" · "),
    })
}

fn checked_range(
    what: &str,
    range: Range,
    bounds: std::ops::RangeInclusive<u16>,
) -> Result<(), String> {
    if range.min <= range.max && bounds.contains(&range.min) && bounds.contains(&range.max) {
        Ok(())
    } else {
        Err(format!(
            "{what} {{min: {}, max: {}}} is not a range within {} to {}",
            range.min,
            range.max,
            bounds.start(),
            bounds.end()
        ))
    }
}

/// A pace in s/km as a speed in mm/s, rounded.
fn millimetres_per_second(pace_s_per_km: u16) -> u32 {
    (1_000_000.0 / f64::from(pace_s_per_km)).round() as u32
}

/// The workout steps of a strength session, validated.
pub(super) fn strength_steps(exercises: &[Exercise]) -> Result<Vec<FitStep>, WorkoutError> {
    let mut out = Vec::new();
    for (index, exercise) in exercises.iter().enumerate() {
        let invalid = |reason: &str| WorkoutError::InvalidStep {
            step: index + 1,
            reason: reason.to_owned(),
        };
        if exercise.name.trim().is_empty() {
            return Err(invalid("an exercise has a name"));
        }
        if !limits::SETS.contains(&exercise.sets) {
            return Err(invalid("an exercise has 1 to 20 sets"));
        }
        let (duration, dose) = match (exercise.reps, exercise.hold_s) {
            (Some(reps), None) if reps > 0 => {
                (Duration::Reps(u32::from(reps)), format!("{reps} reps"))
            }
            (None, Some(hold)) if hold > 0 => (
                Duration::Milliseconds(u32::from(hold) * 1000),
                format!("{hold} s hold"),
            ),
            (None, None) => (Duration::Open, "until done".to_owned()),
            _ => {
                return Err(invalid(
                    "an exercise has reps or a hold above zero, not both",
                ));
            }
        };
        let mut notes = vec![format!("{} × {dose}", exercise.sets)];
        if exercise.sets > 1 && exercise.rest_s > 0 {
            notes.push(format!("{} s rest", exercise.rest_s));
        }
        notes.extend(exercise.note.iter().cloned());
        let from = out.len();
        out.push(FitStep {
            name: exercise.name.clone(),
            duration,
            target: Target::Open,
            secondary: Target::Open,
            intensity: Some(INTENSITY_ACTIVE),
            notes: notes.join(" · "),
        });
        if exercise.sets > 1 {
            if exercise.rest_s > 0 {
                out.push(FitStep {
                    name: "Rest".to_owned(),
                    duration: Duration::Milliseconds(u32::from(exercise.rest_s) * 1000),
                    target: Target::Open,
                    secondary: Target::Open,
                    intensity: Some(INTENSITY_REST),
                    notes: String::new(),
                });
            }
            out.push(FitStep {
                name: String::new(),
                duration: Duration::Repeat {
                    from: from as u16,
                    times: u32::from(exercise.sets),
                },
                target: Target::Open,
                secondary: Target::Open,
                intensity: None,
                notes: String::new(),
            });
        }
        too_many(&out)?;
    }
    Ok(out)
}
