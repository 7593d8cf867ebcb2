//! Assembling strength sessions: the exercises of a strength session and
//! of a circuit, their order, dose and time, the reasons a coach would
//! give, and the warm-up and cool-down drills every session starts and
//! ends with. One [`StrengthPlanner`] serves a whole plan, so that loads
//! and foot contacts progress from week to week.

use super::dose::{Resistance, WeekContext, drill, prescribe};
use super::loads::LoadBook;
use super::{Choice, Chooser, Role, roles};
use crate::domain::catalog::Exercise;
use crate::domain::plan::catalog::{
    LOAD_EQUIPMENT, PlanCatalog, has_load_equipment, is_core, is_explosive, is_jumping,
    is_loaded_with, is_resisted_with, is_single_leg, landing_injuries,
};
use crate::domain::plan::model::{PlannedExercise, PlannedSession, TimeOfDay};
use crate::domain::plan::request::PlanRequest;
use crate::domain::plan::rules;
use crate::domain::strength_load::LiftHistory;
use crate::domain::vocabulary::{Category, Experience, Phase, SessionKind};

/// Weeks a beginner lifts body weight only, to learn the movements.
pub const BODYWEIGHT_WEEKS: usize = 2;

/// Warm-up drills for any session.
pub fn warm_up(chooser: &Chooser, rotation: usize) -> Vec<PlannedExercise> {
    chooser
        .drills(Category::WarmUp, 3, rotation)
        .map(drill)
        .collect()
}

/// Cool-down drills for any session.
pub fn cool_down(chooser: &Chooser, rotation: usize) -> Vec<PlannedExercise> {
    chooser
        .drills(Category::CoolDown, 2, rotation)
        .map(drill)
        .collect()
}

/// Minutes a strength session takes: work (4 s a rep, both sides for
/// single-leg work), rest, and 15 min of warm-up and cool-down.
pub fn strength_minutes(exercises: &[PlannedExercise]) -> u16 {
    minutes_of(exercises.iter())
}

fn minutes_of<'e>(exercises: impl Iterator<Item = &'e PlannedExercise>) -> u16 {
    let work: f64 = exercises
        .map(|e| {
            let set_s = e
                .hold_s
                .map_or_else(|| f64::from(e.reps.unwrap_or(10)) * 4.0, f64::from);
            f64::from(e.sets) * (set_s + f64::from(e.rest_s)) / 60.0
        })
        .sum();
    (work + 15.0).round() as u16
}

/// The strength half of one plan: choosers for the athlete's kit (and a
/// body-weight one for a beginner's first weeks), the load book, and the
/// count of loading weeks that foot contacts build on.
pub struct StrengthPlanner<'a> {
    request: &'a PlanRequest,
    chooser: Chooser<'a>,
    bodyweight: Option<Chooser<'a>>,
    book: LoadBook<'a>,
    loading_weeks: usize,
    last_week: Option<usize>,
    reasons: FixedReasons,
}

/// The reasons that read the same in many sessions, written once a plan.
struct FixedReasons {
    order: String,
    landing: Option<String>,
    taper: String,
    recovery: String,
    novice: String,
    /// By (sets, build week).
    heavy: Vec<((u8, bool), String)>,
    not_heavy: String,
    bodyweight_weeks: String,
    pick_a_weight: String,
}

fn heavy_reason(sets: u8, build: bool) -> String {
    format!(
        "Heavy main lift: {sets} sets of 4–6 at RPE {} ({} reps in reserve, never to failure); the other lifts' reps rise within their range before the load goes up ({}).",
        if build { 8 } else { 7 },
        if build { 2 } else { 3 },
        rules::REP_RANGES
    )
}

impl FixedReasons {
    fn new(request: &PlanRequest) -> Self {
        let landing = landing_injuries(&request.injuries);
        let names: Vec<&str> = landing.iter().map(|area| area.as_str()).collect();
        FixedReasons {
            order: format!(
                "Explosive work right after the warm-up, then the main lift; single-leg and core work in every session ({}, {}).",
                rules::EXPLOSIVE_FIRST,
                rules::STRENGTH_SESSION_SHAPE
            ),
            landing: (!landing.is_empty()).then(|| {
                format!(
                    "No jumping or high-impact work: landings would load the injured {} ({}).",
                    names.join(" and "),
                    rules::NO_JUMPING_WHEN_INJURED
                )
            }),
            taper: format!(
                "One short maintenance session this taper week: 2 sets of each lift at the usual load, no jumping ({}).",
                rules::TAPER_STRENGTH
            ),
            recovery: format!(
                "Recovery week: one set fewer and a rep more in reserve, same loads ({}).",
                rules::REP_RANGES
            ),
            novice: format!(
                "2–3 sets of 8–12 with 3 reps in reserve while the movements are new, adding a rep each week until 12, then load ({}).",
                rules::REP_RANGES
            ),
            heavy: [2, 3, 4]
                .into_iter()
                .flat_map(|sets| {
                    [false, true].map(|build| ((sets, build), heavy_reason(sets, build)))
                })
                .collect(),
            not_heavy: format!(
                "Main lift at 8–12 reps: without free weights for it, body-weight lifts go slowly (3 s down, 1 s pause) so that they stay hard ({}).",
                rules::REP_RANGES
            ),
            bodyweight_weeks: format!(
                "Body-weight versions in the first {BODYWEIGHT_WEEKS} weeks to learn the movements; the loaded lifts follow ({}).",
                rules::LOADED_WHEN_EQUIPPED
            ),
            pick_a_weight: format!(
                "Loaded lifts: pick a weight you can lift for the reps with the reps in reserve shown; log the sets with their weight and the next plan sets the loads ({}).",
                rules::LOADED_WHEN_EQUIPPED
            ),
        }
    }
}

/// Where an exercise goes in a session: explosive work right after the
/// warm-up, then the main lift, other multi-joint lifts, the rest.
fn order_rank(exercise: &Exercise, main: bool) -> u8 {
    if is_jumping(exercise) || is_explosive(exercise) {
        0
    } else if main {
        1
    } else if exercise.definition.compound {
        2
    } else {
        3
    }
}

/// The chooser of week `week`: body weight in a beginner's first weeks.
fn chooser_for_week<'p, 'a>(
    chooser: &'p Chooser<'a>,
    bodyweight: &'p Option<Chooser<'a>>,
    week: usize,
) -> &'p Chooser<'a> {
    match bodyweight {
        Some(bodyweight) if week < BODYWEIGHT_WEEKS => bodyweight,
        _ => chooser,
    }
}

impl<'a> StrengthPlanner<'a> {
    pub fn new(
        catalog: &'a PlanCatalog,
        request: &'a PlanRequest,
        history: &'a LiftHistory,
    ) -> Self {
        let bodyweight = (request.experience == Experience::Beginner
            && has_load_equipment(&request.equipment))
        .then(|| {
            let kit = request
                .equipment
                .iter()
                .copied()
                .filter(|item| !LOAD_EQUIPMENT.contains(item))
                .collect();
            Chooser::with_kit(catalog, request, kit, history)
        });
        StrengthPlanner {
            request,
            chooser: Chooser::new(catalog, request, history),
            bodyweight,
            book: LoadBook::new(history),
            loading_weeks: 0,
            last_week: None,
            reasons: FixedReasons::new(request),
        }
    }

    /// The chooser for the athlete's whole kit (warm-ups, checks).
    pub fn chooser(&self) -> &Chooser<'a> {
        &self.chooser
    }

    fn context(&mut self, week: usize, phase: Phase) -> WeekContext {
        if self.last_week != Some(week) {
            self.last_week = Some(week);
            if matches!(phase, Phase::Base | Phase::Build) {
                self.loading_weeks += 1;
            }
        }
        WeekContext {
            phase,
            week,
            loading_weeks: self.loading_weeks,
        }
    }

    /// One strength session of week `week` (0-based).
    #[allow(clippy::too_many_arguments)]
    pub fn session(
        &mut self,
        week: usize,
        phase: Phase,
        variant: usize,
        sessions_in_week: usize,
        rotation: usize,
        paired: bool,
    ) -> PlannedSession {
        let request = self.request;
        let context = self.context(week, phase);
        let wanted = roles(request, phase, variant, sessions_in_week);
        let mut chosen: Vec<Entry<'a>> = Vec::new();
        let mut used: Vec<&str> = Vec::new();
        let mut main_done = false;
        let chooser = chooser_for_week(&self.chooser, &self.bodyweight, week);
        let kit = chooser.kit();
        for options in &wanted {
            let main = options.iter().any(|role| role.is_main()) && !main_done;
            let choice = if main {
                chooser.choose_main(options, &used, rotation + variant)
            } else {
                chooser.choose_first(options, &used, rotation + variant)
            };
            let Some(Choice {
                exercise,
                role,
                reason,
            }) = choice
            else {
                continue;
            };
            used.push(exercise.definition.slug.as_str());
            main_done |= main;
            let mut reasons: Vec<String> = reason.into_iter().collect();
            if role == Role::Protect {
                let areas: Vec<&str> = exercise
                    .definition
                    .helps_with
                    .iter()
                    .filter(|area| request.injuries.contains(area))
                    .map(|area| area.as_str())
                    .collect();
                reasons.push(format!(
                    "{} protects the injured {}: it strengthens what carries that area ({}).",
                    exercise.definition.name,
                    areas.join(" and "),
                    rules::GOAL_EMPHASIS
                ));
            }
            let resistance = resistance_of(exercise, kit);
            let (mut planned, target) = prescribe(exercise, request, context, main, resistance);
            if let Some(target) = target {
                let progressing = matches!(phase, Phase::Base | Phase::Build);
                let capped = resistance == Resistance::BodyWeight;
                let dosed = self
                    .book
                    .dose(exercise, kit, target, week, progressing, capped);
                // The taper keeps the load and drops the reps to the bottom.
                planned.reps = Some(if phase == Phase::Taper {
                    target.low
                } else {
                    dosed.reps
                });
                planned.load_kg = dosed.load_kg;
                reasons.extend(dosed.reason);
            }
            chosen.push(Entry {
                rank: order_rank(exercise, main),
                planned,
                exercise,
                main,
                protect: role == Role::Protect,
                reasons,
            });
        }
        // Explosive work first, then the main lift, other compound lifts,
        // the rest (rules explosive_first and strength_session_shape).
        chosen.sort_by_key(|entry| entry.rank);
        if let Some(minutes) = request.minutes_per_day {
            let budget = if paired { minutes / 2 } else { minutes };
            trim_to(&mut chosen, budget);
        }
        let heavy_sets = chosen
            .iter()
            .find(|e| e.main)
            .filter(|e| e.planned.reps.is_some_and(|reps| reps <= 6))
            .map(|e| e.planned.sets);
        let mut reasons: Vec<String> = Vec::with_capacity(chosen.len() + 4);
        let mut exercises: Vec<PlannedExercise> = Vec::with_capacity(chosen.len());
        for entry in chosen {
            reasons.extend(entry.reasons);
            exercises.push(entry.planned);
        }
        reasons.extend(self.dosing_reasons(&exercises, context, week, heavy_sets));
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
            warm_up: warm_up(&self.chooser, rotation + 1),
            cool_down: cool_down(&self.chooser, rotation + 1),
            exercises,
            reasons,
            // Strength is described by its exercises; steps are for runs.
            steps: Vec::new(),
        }
    }

    /// What shaped the doses, in a coach's words.
    fn dosing_reasons(
        &self,
        exercises: &[PlannedExercise],
        context: WeekContext,
        week: usize,
        heavy_sets: Option<u8>,
    ) -> Vec<String> {
        let fixed = &self.reasons;
        let mut reasons = vec![fixed.order.clone()];
        let contacts: u16 = exercises.iter().filter_map(|e| e.foot_contacts).sum();
        if contacts > 0 {
            reasons.push(format!(
                "Plyometrics: {contacts} foot contacts, building week by week to at most {} for a runner, who lands thousands of times a week already ({}).",
                if self.request.experience == Experience::Advanced { 100 } else { 80 },
                rules::PLYOMETRIC_VOLUME
            ));
        }
        reasons.extend(fixed.landing.iter().cloned());
        let build = context.phase == Phase::Build;
        reasons.push(match context.phase {
            Phase::Taper => fixed.taper.clone(),
            Phase::Recovery => fixed.recovery.clone(),
            _ if self.request.experience == Experience::Beginner => fixed.novice.clone(),
            _ => match heavy_sets {
                Some(sets) => fixed
                    .heavy
                    .iter()
                    .find(|(key, _)| *key == (sets, build))
                    .map_or_else(|| heavy_reason(sets, build), |(_, text)| text.clone()),
                None => fixed.not_heavy.clone(),
            },
        });
        if self.bodyweight.is_some() && week < BODYWEIGHT_WEEKS {
            reasons.push(fixed.bodyweight_weeks.clone());
        } else if has_load_equipment(&self.request.equipment)
            && exercises
                .iter()
                .any(|e| e.load_kg.is_none() && e.target_rir.is_some())
            && exercises.iter().all(|e| e.load_kg.is_none())
        {
            reasons.push(fixed.pick_a_weight.clone());
        }
        reasons
    }

    /// The exercises of a HIIT circuit in week `week`: a lower-body lift,
    /// single-leg work, a push and core, 3 rounds of 12 with short rests,
    /// moderate loads (3 reps in reserve; from the logs when known).
    pub fn circuit_exercises(
        &mut self,
        week: usize,
        phase: Phase,
        rotation: usize,
    ) -> Vec<PlannedExercise> {
        const REPS: u8 = 12;
        const RIR: u8 = 3;
        let context = self.context(week, phase);
        let chooser = chooser_for_week(&self.chooser, &self.bodyweight, week);
        let kit = chooser.kit();
        let mut exercises = Vec::new();
        let mut used: Vec<&str> = Vec::new();
        for options in [
            &[Role::MainSquat, Role::MainHinge][..],
            &[Role::SingleLegKnee, Role::SingleLeg],
            &[Role::Push],
            &[Role::Core],
        ] {
            let Some(choice) = chooser.choose_first(options, &used, rotation) else {
                continue;
            };
            used.push(choice.exercise.definition.slug.as_str());
            let resistance = resistance_of(choice.exercise, kit);
            let (mut planned, _) =
                prescribe(choice.exercise, self.request, context, false, resistance);
            planned.sets = 3;
            planned.rest_s = 15;
            planned.foot_contacts = None;
            if planned.reps.is_some() {
                planned.reps = Some(REPS);
                planned.target_rir = Some(RIR);
                planned.load_kg = self.book.circuit_load(choice.exercise, kit, REPS, RIR);
            }
            exercises.push(planned);
        }
        exercises
    }
}

fn resistance_of(exercise: &Exercise, kit: &[crate::domain::vocabulary::Equipment]) -> Resistance {
    if is_loaded_with(exercise, kit) {
        Resistance::FreeWeights
    } else if is_resisted_with(exercise, kit) {
        Resistance::Light
    } else {
        Resistance::BodyWeight
    }
}

/// A chosen exercise with what the session needs to know of it.
struct Entry<'a> {
    rank: u8,
    planned: PlannedExercise,
    exercise: &'a Exercise,
    main: bool,
    protect: bool,
    /// Why it was chosen or dosed so, when a rule or the logs decided.
    reasons: Vec<String>,
}

/// What a session gives up first when time is short: hip, calf and other
/// accessory work, then upper-body lifts, then protective work, then the
/// explosive work. The main lift, single-leg work and core stay.
fn drop_order(entry: &Entry) -> Option<u8> {
    let exercise = entry.exercise;
    if entry.main || is_single_leg(exercise) || is_core(exercise) {
        None
    } else if is_jumping(exercise) || is_explosive(exercise) {
        Some(3)
    } else if entry.protect {
        Some(2)
    } else if exercise.definition.compound {
        Some(1)
    } else {
        Some(0)
    }
}

/// Drops optional work (the first in [`drop_order`], the later of equals)
/// until the session fits `budget` minutes, keeping at least three exercises.
fn trim_to(entries: &mut Vec<Entry>, budget: u16) {
    let minutes = |list: &[Entry]| minutes_of(list.iter().map(|e| &e.planned));
    while minutes(entries) > budget && entries.len() > 3 {
        let removable = entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| {
                drop_order(entry).map(|order| ((order, usize::MAX - index), index))
            })
            .min_by_key(|(key, _)| *key)
            .map(|(_, index)| index);
        match removable {
            Some(index) => {
                entries.remove(index);
            }
            None => break,
        }
    }
}
