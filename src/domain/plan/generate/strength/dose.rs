//! Dosing strength work by phase and experience (SPEC "Strength a coach
//! would sign"; Blagrove et al. 2018 in REFERENCES.md):
//!
//! - novices lift 2–3 sets of 8–12, 3 reps in reserve (2 sets in their
//!   first two weeks and in lighter weeks);
//! - trained athletes' main lift is heavy: 3–4 × 4–6 at RPE 7–8 (3 reps
//!   in reserve in base, 2 in build), never to failure; their other lifts
//!   6–10 reps (5–8 for power, 8–12 for endurance);
//! - plyometrics are dosed in foot contacts per session: 40 rising by 8
//!   each base or build week to 80 for intermediate runners, 50 rising by
//!   10 to 100 for advanced ones (runners stay at or below the NSCA
//!   beginner range of 80–100), 60% of that in recovery and peak weeks;
//! - recovery weeks drop a set and add a rep in reserve; the taper's one
//!   maintenance session has 2 sets of each lift and no jumping.
//!
//! Every exercise falls in a dose class whose ranges both the catalog's
//! default prescription and every planned dose stay within (the catalog
//! audit tests hold the catalog to them, the plan tests the plans).

use std::ops::RangeInclusive;

use crate::domain::catalog::Exercise;
use crate::domain::plan::catalog::{is_explosive, is_jumping};
use crate::domain::plan::model::PlannedExercise;
use crate::domain::plan::request::PlanRequest;
use crate::domain::strength_load::RepTarget;
use crate::domain::vocabulary::{Category, Experience, Goal, Phase};

/// The kinds of work that are dosed alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoseClass {
    /// Warm-up, cool-down and mobility drills.
    Drill,
    /// Jumps and other high-impact work, counted in foot contacts.
    Jump,
    /// Throws, slams and swings: fast, short sets, far from fatigue.
    Explosive,
    /// Multi-joint lifts.
    Lift,
    /// Single-joint and trunk work done for reps.
    Accessory,
    /// Holds (planks, wall sits, carries).
    Hold,
}

impl DoseClass {
    pub fn of(exercise: &Exercise) -> DoseClass {
        let d = &exercise.definition;
        if matches!(
            d.category,
            Category::WarmUp | Category::CoolDown | Category::Mobility
        ) {
            DoseClass::Drill
        } else if is_jumping(exercise) {
            DoseClass::Jump
        } else if is_explosive(exercise) {
            DoseClass::Explosive
        } else if d.default_prescription.hold_s.is_some() {
            DoseClass::Hold
        } else if d.compound {
            DoseClass::Lift
        } else {
            DoseClass::Accessory
        }
    }

    pub fn sets(self) -> RangeInclusive<u8> {
        match self {
            DoseClass::Drill => 1..=2,
            DoseClass::Jump => 2..=6,
            _ => 2..=4,
        }
    }

    /// Reps per set (per side for single-leg or single-arm work; foot
    /// contacts per set and side for jumps).
    pub fn reps(self) -> RangeInclusive<u8> {
        match self {
            DoseClass::Drill => 5..=20,
            DoseClass::Jump => 4..=20,
            DoseClass::Explosive => 4..=10,
            DoseClass::Lift => 3..=12,
            DoseClass::Accessory | DoseClass::Hold => 5..=20,
        }
    }

    /// Seconds per hold, for every class that holds.
    pub fn hold_s(self) -> RangeInclusive<u16> {
        10..=60
    }
}

/// Where in the plan a session falls, for dosing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekContext {
    pub phase: Phase,
    /// 0-based week of the plan.
    pub week: usize,
    /// Base and build weeks so far, this one included.
    pub loading_weeks: usize,
}

impl WeekContext {
    fn light(self) -> bool {
        matches!(self.phase, Phase::Recovery | Phase::Taper | Phase::Peak)
    }
}

/// Foot contacts of a session's plyometrics.
pub fn foot_contacts_target(experience: Experience, context: WeekContext) -> u16 {
    let (start, step, cap) = match experience {
        Experience::Beginner => (30, 6, 60),
        Experience::Intermediate => (40, 8, 80),
        Experience::Advanced => (50, 10, 100),
    };
    let built = (start + step * context.loading_weeks.saturating_sub(1) as u16).min(cap);
    match context.phase {
        Phase::Base | Phase::Build => built,
        Phase::Taper => 0,
        Phase::Recovery | Phase::Peak => (f64::from(built) * 0.6).round() as u16,
    }
}

/// Most foot contacts in one session for any runner (the NSCA beginner
/// range tops out at 100; runners land thousands of times a week already).
pub const MAX_FOOT_CONTACTS: u16 = 100;

/// Foot contacts of a planned jump: sets × reps, twice for one leg at a time.
pub fn foot_contacts(sets: u8, reps: u8, unilateral: bool) -> u16 {
    u16::from(sets) * u16::from(reps) * if unilateral { 2 } else { 1 }
}

/// How an exercise is resisted with the athlete's kit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resistance {
    /// Body weight only.
    BodyWeight,
    /// A band, a cable or a medicine ball.
    Light,
    /// Dumbbells, kettlebells or a barbell.
    FreeWeights,
}

/// The rep range and reps in reserve of a rep-based exercise: heavy for a
/// trained athlete's main lift with free weights, 8–12 for novices and for
/// body-weight lifts (slowed down, see [`prescribe`]), by goal otherwise.
pub fn rep_target(
    exercise: &Exercise,
    request: &PlanRequest,
    context: WeekContext,
    main_lift: bool,
    resistance: Resistance,
) -> Option<RepTarget> {
    let class = DoseClass::of(exercise);
    let default = exercise.definition.default_prescription.reps?;
    let beginner = request.experience == Experience::Beginner;
    let build = context.phase == Phase::Build;
    let rir = if beginner || context.light() || !build {
        3
    } else {
        2
    };
    let (low, high) = match class {
        DoseClass::Jump | DoseClass::Drill | DoseClass::Hold => return None,
        DoseClass::Explosive => (5, 8),
        // Muscular endurance for an endurance goal (rule goal_emphasis):
        // the accessories go high while the main lifts stay heavy; a
        // beginner's stay inside the novice 8–12 (rule rep_ranges).
        DoseClass::Accessory if request.goal == Goal::Endurance && beginner => (10, 12),
        DoseClass::Accessory if request.goal == Goal::Endurance => {
            let low = default.clamp(12, 16);
            (low, (low + 4).min(20))
        }
        _ if beginner => (8, 12),
        DoseClass::Lift if resistance == Resistance::BodyWeight => (8, 12),
        DoseClass::Lift if main_lift && resistance == Resistance::FreeWeights => (4, 6),
        DoseClass::Lift => match request.goal {
            Goal::SpeedPower => (5, 8),
            Goal::Endurance | Goal::BodyComposition => (8, 12),
            _ => (6, 10),
        },
        _ => {
            let low = default.clamp(8, 16);
            (low, (low + 4).min(20))
        }
    };
    Some(RepTarget {
        low,
        high,
        rir: if class == DoseClass::Explosive {
            3
        } else {
            rir
        },
    })
}

/// Sets of a strength exercise this week.
fn sets(class: DoseClass, request: &PlanRequest, context: WeekContext, main_lift: bool) -> u8 {
    let beginner = request.experience == Experience::Beginner;
    let loading = if beginner {
        if context.week < 2 { 2 } else { 3 }
    } else if main_lift
        && request.experience == Experience::Advanced
        && context.phase == Phase::Build
    {
        4
    } else {
        3
    };
    let sets = match context.phase {
        Phase::Recovery => loading - 1,
        Phase::Taper => 2,
        Phase::Peak if main_lift && !beginner => 3,
        Phase::Peak => 2,
        _ => loading,
    };
    sets.clamp(*class.sets().start(), *class.sets().end())
}

/// The dose of one strength exercise, before any load: sets, the reps to
/// start from (the load book moves them along the range), rest, tempo,
/// reps in reserve or foot contacts.
pub fn prescribe(
    exercise: &Exercise,
    request: &PlanRequest,
    context: WeekContext,
    main_lift: bool,
    resistance: Resistance,
) -> (PlannedExercise, Option<RepTarget>) {
    let d = &exercise.definition;
    let default = &d.default_prescription;
    let class = DoseClass::of(exercise);
    let mut planned = PlannedExercise {
        exercise_id: Some(exercise.id),
        exercise_slug: d.slug.clone(),
        sets: sets(class, request, context, main_lift),
        reps: default.reps,
        hold_s: default.hold_s,
        tempo: default.tempo.clone(),
        rest_s: default.rest_s.max(30),
        target_rir: None,
        load_kg: None,
        foot_contacts: None,
    };
    if class == DoseClass::Jump {
        dose_jumps(&mut planned, exercise, request, context);
        return (planned, None);
    }
    let Some(target) = rep_target(exercise, request, context, main_lift, resistance) else {
        return (planned, None);
    };
    planned.reps = Some(target.low);
    planned.target_rir = Some(target.rir);
    match class {
        DoseClass::Explosive => {
            planned.rest_s = 90;
            planned.tempo = None;
        }
        DoseClass::Lift
            if resistance == Resistance::BodyWeight
                && request.experience != Experience::Beginner =>
        {
            // Body weight is light for a trained runner: a slow way down
            // and a pause at the bottom keep 8–12 reps hard.
            planned.tempo = Some("3-1-1-0".to_owned());
            planned.rest_s = default.rest_s.max(60);
        }
        DoseClass::Lift if target.high <= 6 => {
            planned.rest_s = if request.experience == Experience::Advanced {
                180
            } else {
                150
            };
        }
        DoseClass::Lift => {
            planned.rest_s = default.rest_s.max(75);
            if request.goal == Goal::SpeedPower && request.experience != Experience::Beginner {
                // Lower under control, lift as fast as possible.
                planned.tempo = Some("2-0-x-0".to_owned());
            }
        }
        _ => {}
    }
    (planned, Some(target))
}

/// Sets and reps of a jump that add up to the session's foot contacts,
/// from the catalog's contacts per set.
fn dose_jumps(
    planned: &mut PlannedExercise,
    exercise: &Exercise,
    request: &PlanRequest,
    context: WeekContext,
) {
    let d = &exercise.definition;
    let sides: u16 = if d.unilateral { 2 } else { 1 };
    let reps_range = DoseClass::Jump.reps();
    let sets_range = DoseClass::Jump.sets();
    let per_set = u16::from(
        d.default_prescription
            .reps
            .unwrap_or(10)
            .clamp(*reps_range.start(), *reps_range.end()),
    );
    let target = foot_contacts_target(request.experience, context)
        .max(u16::from(*sets_range.start() * *reps_range.start()));
    let sets = ((f64::from(target) / f64::from(per_set * sides)).round() as u8)
        .clamp(*sets_range.start(), *sets_range.end());
    let reps = ((f64::from(target) / f64::from(u16::from(sets) * sides)).round() as u8)
        .clamp(*reps_range.start(), *reps_range.end().min(&(per_set as u8)));
    planned.sets = sets;
    planned.reps = Some(reps);
    planned.hold_s = None;
    planned.tempo = None;
    planned.rest_s = d.default_prescription.rest_s.clamp(60, 120);
    planned.target_rir = None;
    planned.foot_contacts = Some(foot_contacts(sets, reps, d.unilateral));
}

/// Drills before and after a session: one set of the catalog's dose, short rests.
pub fn drill(exercise: &Exercise) -> PlannedExercise {
    let dose = &exercise.definition.default_prescription;
    PlannedExercise {
        exercise_id: Some(exercise.id),
        exercise_slug: exercise.definition.slug.clone(),
        sets: 1,
        reps: dose.reps,
        hold_s: dose.hold_s,
        tempo: None,
        rest_s: dose.rest_s.min(30),
        target_rir: None,
        load_kg: None,
        foot_contacts: None,
    }
}
