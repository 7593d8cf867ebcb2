//! Which workout a planned session becomes on the watch.
//!
//! A run follows its `steps`; a run stored before runs had steps (or a
//! hand-written one without them) becomes one step of its duration and
//! target effort, so every run can still be sent to the watch. Strength,
//! mobility and circuits are their warm-up, exercises and cool-down, one
//! step per exercise. Rest and cross-training have nothing to follow.

use crate::domain::plan::model::{PlannedExercise, PlannedSession};
use crate::domain::vocabulary::SessionKind;

use super::{Exercise, Segment, Step, StepTarget, Workout, WorkoutBody};

/// The workout of `session`, or `None` when it has nothing a watch could
/// follow. `exercise_name` gives an exercise's display name.
pub fn workout_for(
    session: &PlannedSession,
    exercise_name: impl Fn(&PlannedExercise) -> String,
) -> Option<Workout> {
    let body = if !session.steps.is_empty() {
        WorkoutBody::Run(session.steps.clone())
    } else if session.kind.is_run() {
        WorkoutBody::Run(vec![whole_run(session)?])
    } else {
        let exercises: Vec<Exercise> = session
            .warm_up
            .iter()
            .chain(&session.exercises)
            .chain(&session.cool_down)
            .map(|planned| exercise(planned, &exercise_name))
            .collect();
        if exercises.is_empty() || session.kind == SessionKind::Rest {
            return None;
        }
        WorkoutBody::Strength(exercises)
    };
    Some(Workout {
        name: session.title.clone(),
        body,
    })
}

/// A run without steps as one work step: its distance when it has one
/// (what the watch counts down), else its minutes, at its target effort.
fn whole_run(session: &PlannedSession) -> Option<Step> {
    let distance_m = session
        .distance_km
        .filter(|km| km.is_finite() && *km > 0.0)
        .map(|km| (km * 1000.0).round() as u32);
    let duration_s = match distance_m {
        Some(_) => None,
        None if session.duration_min > 0 => Some(u32::from(session.duration_min) * 60),
        None => return None,
    };
    Some(Step::Work(Segment {
        duration_s,
        distance_m,
        target: Some(StepTarget {
            rpe: Some(session.target_rpe),
            ..StepTarget::default()
        }),
        note: None,
    }))
}

/// An exercise step: its dose, and what the plan says about load in the
/// step's notes (tempo, reps in reserve, weight), which the watch shows.
fn exercise(
    planned: &PlannedExercise,
    exercise_name: &impl Fn(&PlannedExercise) -> String,
) -> Exercise {
    let mut guidance = Vec::new();
    if let Some(load_kg) = planned.load_kg {
        guidance.push(format!("{load_kg} kg"));
    }
    if let Some(rir) = planned.target_rir {
        guidance.push(format!("{rir} in reserve"));
    }
    if let Some(tempo) = &planned.tempo {
        guidance.push(format!("tempo {tempo}"));
    }
    Exercise {
        name: exercise_name(planned),
        sets: planned.sets,
        reps: planned.reps.filter(|reps| *reps > 0),
        hold_s: planned.hold_s.filter(|hold| *hold > 0),
        rest_s: planned.rest_s,
        note: (!guidance.is_empty()).then(|| guidance.join(" · ")),
    }
}
