//! Assembling strength sessions: the exercises of a strength session and
//! of a circuit, their order and time, and the warm-up and cool-down drills
//! every session starts and ends with.

use super::{Chooser, Role, prescribe, roles};
use crate::domain::plan::model::{PlannedExercise, PlannedSession, TimeOfDay};
use crate::domain::plan::request::PlanRequest;
use crate::domain::plan::rules;
use crate::domain::vocabulary::{Category, Experience, Phase, SessionKind};

fn exercise_entry(exercise: &crate::domain::catalog::Exercise, sets: u8) -> PlannedExercise {
    let dose = &exercise.definition.default_prescription;
    PlannedExercise {
        exercise_id: Some(exercise.id),
        exercise_slug: exercise.definition.slug.clone(),
        sets: sets.min(dose.sets).max(1),
        reps: dose.reps,
        hold_s: dose.hold_s,
        tempo: None,
        rest_s: dose.rest_s.min(30),
        target_rir: None,
    }
}

/// Warm-up drills for any session.
pub fn warm_up(chooser: &Chooser, rotation: usize) -> Vec<PlannedExercise> {
    chooser
        .drills(Category::WarmUp, 3, rotation)
        .into_iter()
        .map(|e| exercise_entry(e, 1))
        .collect()
}

/// Cool-down drills for any session.
pub fn cool_down(chooser: &Chooser, rotation: usize) -> Vec<PlannedExercise> {
    chooser
        .drills(Category::CoolDown, 2, rotation)
        .into_iter()
        .map(|e| exercise_entry(e, 1))
        .collect()
}

/// Minutes a strength session takes: work, rest and 15 min of warm-up and cool-down.
pub fn strength_minutes(exercises: &[PlannedExercise]) -> u16 {
    let work: f64 = exercises
        .iter()
        .map(|e| {
            let set_s = e
                .hold_s
                .map_or_else(|| f64::from(e.reps.unwrap_or(10)) * 4.0, f64::from);
            f64::from(e.sets) * (set_s + f64::from(e.rest_s)) / 60.0
        })
        .sum();
    (work + 15.0).round() as u16
}

/// One strength session of a week.
pub fn strength_session_for(
    request: &PlanRequest,
    chooser: &Chooser,
    phase: Phase,
    variant: usize,
    sessions_in_week: usize,
    rotation: usize,
    paired: bool,
) -> PlannedSession {
    let wanted = roles(request, phase, variant, sessions_in_week);
    let mut chosen: Vec<(crate::domain::vocabulary::Category, bool, PlannedExercise)> = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    let mut reasons = Vec::new();
    let mut first_lift_done = false;
    for role in wanted {
        let Some(choice) = chooser.choose(role, &used, rotation + variant) else {
            continue;
        };
        used.push(choice.exercise.definition.slug.as_str());
        if let Some(reason) = choice.reason {
            reasons.push(format!(
                "{reason} ({} / {}).",
                rules::EQUIPMENT_AVAILABLE,
                rules::INJURY_SAFE
            ));
        }
        let first_lift = role == Role::MainLower && !first_lift_done;
        first_lift_done |= first_lift;
        let planned = prescribe(choice.exercise, role, request, phase, first_lift);
        chosen.push((
            choice.exercise.definition.category,
            choice.exercise.definition.compound,
            planned,
        ));
    }
    // Compound, multi-muscle work first (rule strength_session_shape).
    chosen.sort_by_key(|(_, compound, _)| !compound);
    let mut exercises: Vec<PlannedExercise> =
        chosen.into_iter().map(|(_, _, planned)| planned).collect();
    if let Some(minutes) = request.minutes_per_day {
        let budget = if paired { minutes / 2 } else { minutes };
        // Trim optional work from the end, keeping at least three exercises.
        while strength_minutes(&exercises) > budget && exercises.len() > 3 {
            let removable = exercises.iter().rposition(|planned| {
                let exercise = chooser_lookup(chooser, planned);
                exercise.is_some_and(|e| {
                    !crate::domain::plan::catalog::is_single_leg(e)
                        && !crate::domain::plan::catalog::is_core(e)
                }) && exercises
                    .iter()
                    .filter(|p| p.reps.is_some() || p.hold_s.is_some())
                    .count()
                    > 3
            });
            match removable {
                Some(index) if index > 0 => {
                    exercises.remove(index);
                }
                _ => break,
            }
        }
    }
    reasons.push(format!(
        "Compound lifts first, with single-leg and core work in every session ({}).",
        rules::STRENGTH_SESSION_SHAPE
    ));
    let heavy =
        request.experience != Experience::Beginner && matches!(phase, Phase::Base | Phase::Build);
    if heavy {
        reasons.push(format!("Heavy 3 × 5 on the main lift with plyometrics: trained runners in base and build ({}).", rules::REP_RANGES));
    } else if request.experience == Experience::Beginner {
        reasons.push(format!(
            "8–12 reps while the movements are new ({}).",
            rules::REP_RANGES
        ));
    }
    if phase == Phase::Taper {
        reasons.push(format!(
            "One short maintenance session in taper weeks ({}).",
            rules::TAPER_STRENGTH
        ));
    }
    let title = match phase {
        Phase::Taper => "Maintenance strength",
        Phase::Recovery => "Light strength",
        _ => "Full-body strength",
    };
    PlannedSession {
        kind: SessionKind::Strength,
        title: title.to_owned(),
        time_of_day: TimeOfDay::Morning,
        duration_min: strength_minutes(&exercises),
        distance_km: None,
        target_rpe: if matches!(phase, Phase::Recovery | Phase::Taper) {
            5
        } else {
            7
        },
        warm_up: warm_up(chooser, rotation + 1),
        cool_down: cool_down(chooser, rotation + 1),
        exercises,
        reasons,
    }
}

fn chooser_lookup<'a>(
    chooser: &Chooser<'a>,
    planned: &PlannedExercise,
) -> Option<&'a crate::domain::catalog::Exercise> {
    chooser.lookup(&planned.exercise_slug)
}

/// The exercises of a HIIT circuit: a lower-body lift, single-leg work, a
/// push and core, done for time between the running intervals.
pub fn hiit_exercises(
    request: &PlanRequest,
    chooser: &Chooser,
    phase: Phase,
    rotation: usize,
) -> Vec<PlannedExercise> {
    let mut exercises = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    for role in [Role::MainLower, Role::SingleLeg, Role::Push, Role::Core] {
        if let Some(choice) = chooser.choose(role, &used, rotation) {
            used.push(choice.exercise.definition.slug.as_str());
            let mut planned = prescribe(choice.exercise, role, request, phase, false);
            planned.sets = 3;
            planned.rest_s = 15;
            if planned.reps.is_some() {
                planned.reps = Some(12);
            }
            planned.target_rir = None;
            exercises.push(planned);
        }
    }
    exercises
}
