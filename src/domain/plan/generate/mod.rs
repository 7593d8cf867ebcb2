//! The plan generator: from a plan request and the catalog to a plan that
//! keeps every hard rule, follows the soft ones where the days allow, and
//! says why wherever a rule forced a choice.
//!
//! Where things are: the week's structure (which kind of session on which
//! day) in `template`; phases in `periodization`; weekly volume and the
//! race-sized long run in `volume`; a week's days and race week in `week`,
//! the sharing of its kilometres in `allocate`; run steps in `runs`,
//! quality workouts in `workouts`, walk/run in `walk_run`, paces and
//! heart-rate targets in `pacing`; races too soon in `feasibility`;
//! strength sessions in `strength` and below.

pub mod allocate;
pub mod feasibility;
pub mod pacing;
pub mod periodization;
pub mod runs;
pub mod strength;
pub mod template;
pub mod volume;
pub mod walk_run;
pub mod week;
pub mod workouts;

use chrono::{Datelike, NaiveDate};

use self::pacing::{Effort, Pacing};
use self::periodization::{phases, taper_length};
use self::strength::Role;
use self::strength::session::{StrengthPlanner, cool_down, warm_up};
use self::template::{Demand, Slot, solve};
use self::volume::{Inputs, VolumePlan};
use self::week::{Context, History, build_week};
use self::workouts::Event;
use super::catalog::PlanCatalog;
use super::model::{Plan, PlanAthlete, PlannedSession, TimeOfDay};
use super::request::PlanRequest;
use super::rules::{self, Severity};
use super::validate::validate;
use crate::domain::strength_load::LiftHistory;
use crate::domain::validation::FieldError;
use crate::domain::vocabulary::{Experience, Goal, Phase, SessionKind, Weekday};

#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    /// The request itself is invalid.
    Invalid(Vec<FieldError>),
    /// The request is valid but no plan can keep every hard rule.
    Infeasible {
        conflict: String,
        suggestions: Vec<String>,
    },
    /// The generator produced a plan its own validator rejects: a bug.
    Internal(String),
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// The weekday of a date.
pub fn weekday_of(date: NaiveDate) -> Weekday {
    WEEKDAYS[date.weekday().num_days_from_monday() as usize]
}

/// Quality runs a week: none with two runs or fewer, one from three, two
/// from five (so that about 80% of running stays easy).
fn key_runs_wanted(request: &PlanRequest) -> u8 {
    match request.runs_per_week {
        0..=2 => 0,
        3 | 4 => 1,
        _ if request.experience == Experience::Beginner => 1,
        _ => 2,
    }
}

fn hiit_wanted(request: &PlanRequest, strength: u8) -> u8 {
    let suits_goal = matches!(
        request.goal,
        Goal::Endurance | Goal::BodyComposition | Goal::GeneralFitness | Goal::SpeedPower
    );
    u8::from(
        request.allow_hiit
            && suits_goal
            && strength >= 2
            && request.runs_per_week >= 3
            && request.experience != Experience::Beginner,
    )
}

/// The week structure and what had to give way to find it.
struct Structure {
    week: [Slot; 7],
    notes: Vec<String>,
}

fn solve_structure(request: &PlanRequest) -> Result<Structure, PlanError> {
    let first = request.start_date.weekday().num_days_from_monday() as usize;
    let weekday_at = |day: usize| WEEKDAYS[(first + day) % 7];
    let mut available = [false; 7];
    for (day, slot) in available.iter_mut().enumerate() {
        *slot = request.available_days.contains(&weekday_at(day));
    }
    let strength = request.strength_per_week();
    let preferred = (0..7).find(|day| weekday_at(*day) == request.long_run_day);
    // The athlete's long-run day first, then the others nearest to it.
    let mut long_days: Vec<Option<usize>> = Vec::new();
    if request.runs_per_week == 0 {
        long_days.push(None);
    } else if let Some(preferred) = preferred {
        let mut others: Vec<usize> = (0..7)
            .filter(|d| *d != preferred && available[*d])
            .collect();
        others.sort_by_key(|d| {
            let distance = (*d as i32 - preferred as i32).rem_euclid(7);
            distance.min(7 - distance)
        });
        long_days.push(Some(preferred));
        long_days.extend(others.into_iter().map(Some));
    }
    let hiit = hiit_wanted(request, strength);
    let key_wanted = key_runs_wanted(request);
    for long_day in &long_days {
        for hiit in (0..=hiit).rev() {
            for key in (hiit..=key_wanted.max(hiit)).rev() {
                let demand = Demand {
                    available,
                    long_day: *long_day,
                    runs: request.runs_per_week,
                    strength,
                    key,
                    hiit,
                    min_rest_days: if request.experience == Experience::Beginner {
                        2
                    } else {
                        1
                    },
                    two_a_days: request.allow_two_a_days,
                    short_days: request.minutes_per_day.is_some_and(|m| m < 90),
                };
                if let Some(week) = solve(&demand) {
                    let mut notes = Vec::new();
                    if *long_day != preferred && request.runs_per_week > 0 {
                        let moved_to = weekday_at(long_day.expect("runs need a long day"));
                        notes.push(format!(
                            "Moved the long run to {moved_to}: on {} it would follow lower-body strength or leave no room for the rest of the week (rules {} and {}).",
                            request.long_run_day,
                            rules::NO_LONG_RUN_AFTER_LEG_DAY,
                            rules::DAY_AFTER_LEG_DAY
                        ));
                    }
                    if key < key_wanted {
                        notes.push(format!(
                            "{key} quality run(s) a week instead of {key_wanted}: more would fall the day after lower-body strength ({}).",
                            rules::DAY_AFTER_LEG_DAY
                        ));
                    }
                    return Ok(Structure { week, notes });
                }
            }
        }
    }
    Err(infeasible(request, strength))
}

fn infeasible(request: &PlanRequest, strength: u8) -> PlanError {
    let days = request.available_days.len();
    let rest = if request.experience == Experience::Beginner {
        2
    } else {
        1
    };
    let mut suggestions = Vec::new();
    if days < 7 {
        suggestions.push("add a training day to available_days".to_owned());
    }
    if !request.allow_two_a_days {
        suggestions
            .push("set allow_two_a_days to run and lift on the same day (6 h apart)".to_owned());
    }
    if strength > 1 {
        suggestions.push(format!(
            "lower strength_sessions_per_week to {}",
            strength - 1
        ));
    }
    if request.runs_per_week > 1 {
        suggestions.push(format!(
            "lower runs_per_week to {}",
            request.runs_per_week - 1
        ));
    }
    PlanError::Infeasible {
        conflict: format!(
            "{} run(s) including a long run and {strength} lower-body strength session(s) do not fit into {days} available day(s) \
             while keeping {rest} full rest day(s), no long run or hard session the day after lower-body strength, \
             and 48 h between strength sessions (rules {}, {}, {}, {}).",
            request.runs_per_week,
            rules::REST_DAYS,
            rules::NO_LONG_RUN_AFTER_LEG_DAY,
            rules::DAY_AFTER_LEG_DAY,
            rules::MUSCLE_RECOVERY_48H
        ),
        suggestions,
    }
}

/// The slot a template day becomes in a given week.
fn slot_for_week(slot: Slot, phase: Phase, experience: Experience, strength_seen: &mut u8) -> Slot {
    let mut slot = slot;
    if phase == Phase::Recovery || (phase == Phase::Base && experience == Experience::Beginner) {
        slot = match slot {
            Slot::Key => Slot::Easy,
            Slot::KeyThenStrength => Slot::EasyThenStrength,
            Slot::Hiit if phase == Phase::Recovery => Slot::Strength,
            other => other,
        };
    }
    if slot.strength() == 1 {
        *strength_seen += 1;
        // One maintenance strength session in a taper week (rule taper_strength).
        if phase == Phase::Taper && *strength_seen > 1 {
            slot = match slot {
                Slot::KeyThenStrength | Slot::Hiit => Slot::Key,
                Slot::EasyThenStrength => Slot::Easy,
                _ => Slot::Rest,
            };
        }
    }
    slot
}

/// Minutes of the week's runs other than the long run, by the week's
/// structure: the day's minutes, less about 35 for an evening strength
/// session on the same day.
fn other_runs_minutes(request: &PlanRequest, week: &[Slot; 7]) -> Vec<Option<f64>> {
    week.iter()
        .filter(|slot| slot.runs() == 1 && !matches!(slot, Slot::Long | Slot::Hiit))
        .map(|slot| {
            let paired = matches!(slot, Slot::KeyThenStrength | Slot::EasyThenStrength);
            request
                .minutes_per_day
                .map(|m| f64::from(m) - if paired { 35.0 } else { 0.0 })
        })
        .collect()
}

/// How a generation may differ from a fresh plan (used by adaptation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Make the first week a recovery week (bring the recovery forward).
    pub first_week_recovery: bool,
    /// Walk/run weeks the athlete has already done (adaptation resumes there).
    pub walk_run_done: usize,
}

/// Generates the plan for `request` from `catalog`.
pub fn generate(request: &PlanRequest, catalog: &PlanCatalog) -> Result<Plan, PlanError> {
    generate_with(request, catalog, Options::default())
}

/// [`generate`] with options.
pub fn generate_with(
    request: &PlanRequest,
    catalog: &PlanCatalog,
    options: Options,
) -> Result<Plan, PlanError> {
    generate_with_lifts(request, catalog, options, &LiftHistory::default())
}

/// [`generate_with`] for an athlete whose logged sets set the loads.
pub fn generate_with_lifts(
    request: &PlanRequest,
    catalog: &PlanCatalog,
    options: Options,
    lifts: &LiftHistory,
) -> Result<Plan, PlanError> {
    let (week_count, end_date) = request.validate().map_err(PlanError::Invalid)?;
    let strength_per_week = request.strength_per_week();
    let structure = solve_structure(request)?;
    let mut strength = StrengthPlanner::new(catalog, request, lifts);
    if strength_per_week > 0 {
        for role in [Role::SingleLeg, Role::Core] {
            if strength.chooser().choose(role, &[], 0).is_none() {
                return Err(PlanError::Infeasible {
                    conflict: format!(
                        "No {} exercise in the catalog suits the athlete's equipment, injuries and experience, and every strength session needs one (rule {}).",
                        if role == Role::SingleLeg {
                            "single-leg"
                        } else {
                            "core stability"
                        },
                        rules::STRENGTH_SESSION_SHAPE
                    ),
                    suggestions: vec![
                        "add equipment the athlete has (a mat, a dumbbell, a resistance band)"
                            .to_owned(),
                        "check the injuries listed".to_owned(),
                    ],
                });
            }
        }
    }
    let race = request.race.as_ref();
    let event = Event::of(race);
    let walk_run_weeks = if walk_run::needed(request) {
        walk_run::WEEKS.saturating_sub(options.walk_run_done)
    } else {
        0
    };
    feasibility::check(request, week_count, walk_run_weeks)?;
    let mut phase_of_week = phases(week_count, race, request.experience, walk_run_weeks);
    if options.first_week_recovery && walk_run_weeks == 0 && phase_of_week[0] != Phase::Taper {
        phase_of_week[0] = Phase::Recovery;
    }
    let taper_weeks = taper_length(race, week_count);
    let pacing = Pacing::new(request, walk_run_weeks > 0);
    let loading: Vec<Phase> = phase_of_week[walk_run_weeks.min(week_count)..]
        .iter()
        .copied()
        .filter(|p| matches!(p, Phase::Base | Phase::Build | Phase::Peak))
        .collect();
    // After walk/run, the plan builds from three 30-minute runs.
    let (start_km, longest_km) = if walk_run_weeks > 0 {
        let run = walk_run::running_km(&pacing, walk_run::WEEKS - 1);
        (f64::from(walk_run::SESSIONS_PER_WEEK) * run, run)
    } else {
        (request.current_weekly_km, request.longest_recent_run_km)
    };
    let volume = VolumePlan::new(&Inputs {
        event,
        experience: request.experience,
        runs_per_week: usize::from(request.runs_per_week),
        start_km,
        longest_km,
        minutes_per_day: request.minutes_per_day,
        other_runs_minutes: other_runs_minutes(request, &structure.week),
        long_run_minutes: crate::domain::profile::long_run_minutes(
            request.long_run_minutes,
            request.minutes_per_day,
        ),
        easy_pace: pacing.planning_pace(Effort::Easy),
        long_pace: pacing.planning_pace(Effort::Long),
        loading: loading.clone(),
    });
    let context = Context {
        request,
        week: &structure.week,
        pacing: &pacing,
        event,
        phases: &phase_of_week,
        walk_run_weeks,
        walk_run_done: options.walk_run_done,
        volume: &volume,
        loading_weeks: loading.len(),
        end_date,
        taper_weeks,
    };
    let mut history = History::new(request);
    let weeks = (0..week_count)
        .map(|index| build_week(&context, &mut strength, &mut history, index))
        .collect();
    let mut notes = structure.notes;
    if walk_run_weeks > 0 {
        notes.push(format!(
            "Walk/run first: {walk_run_weeks} week(s) of three walk/run sessions build to 30 minutes of continuous running before any other training (rule {}).",
            rules::WALK_RUN_FIRST
        ));
        if request.runs_per_week > walk_run::SESSIONS_PER_WEEK {
            notes.push(format!(
                "Three runs a week while walk/run lasts, then {} as asked.",
                request.runs_per_week
            ));
        }
    }
    if let Some(race) = race {
        notes.push(format!(
            "Race on {}: the race is the plan's last session; the last {taper_weeks} week(s) taper, cutting volume while keeping some quality, and no lower-body strength comes in the four days before it.",
            race.date
        ));
    }
    notes.push(match (&pacing.zones, pacing.known) {
        (Some(zones), true) => format!(
            "Paces from the recent race (VDOT {:.1}, Daniels); every run step has a pace target{}.",
            zones.vdot.unwrap_or(pacing.vdot),
            if zones.hr_zones.is_some() { " and a heart-rate target" } else { "" }
        ),
        (Some(_), false) => "Heart-rate targets from the athlete's heart rates; add a recent race for pace targets.".to_owned(),
        (None, _) => "Targets are effort (RPE): add a recent race for pace targets, and heart rates for heart-rate zones.".to_owned(),
    });
    notes.extend(history.shortfall_note(request.minutes_per_day));
    notes.push("Strength progresses by double progression: when every set reaches the top of the rep range, add a little load.".to_owned());
    let mut plan = Plan {
        start_date: request.start_date,
        end_date,
        goal: request.goal,
        experience: request.experience,
        race: request.race.clone(),
        athlete: Some(PlanAthlete {
            equipment: request.equipment.clone(),
            injuries: request.injuries.clone(),
            allow_two_a_days: request.allow_two_a_days,
            current_weekly_km: request.current_weekly_km,
            longest_recent_run_km: request.longest_recent_run_km,
        }),
        weeks,
        zones: pacing.zones.clone(),
        rules_checked: rules::all_ids(),
        soft_violations: Vec::new(),
        notes,
    };
    let violations = validate(&plan, catalog);
    if let Some(hard) = violations.iter().find(|v| v.severity == Severity::Hard) {
        return Err(PlanError::Internal(format!(
            "generated plan breaks {}: {}",
            hard.rule_id, hard.message
        )));
    }
    plan.soft_violations = violations;
    Ok(plan)
}

fn hiit_session(
    strength: &mut StrengthPlanner,
    week: usize,
    phase: Phase,
    rotation: usize,
) -> PlannedSession {
    let exercises = strength.circuit_exercises(week, phase, rotation);
    let chooser = strength.chooser();
    PlannedSession {
        kind: SessionKind::HiitCircuit,
        title: "HIIT circuit: 3 rounds of 3 min hard running and the exercises".to_owned(),
        time_of_day: TimeOfDay::Morning,
        duration_min: 40,
        distance_km: None,
        target_rpe: 8,
        warm_up: warm_up(chooser, rotation),
        cool_down: cool_down(chooser, rotation),
        exercises,
        reasons: vec![format!(
            "Combined session: counts as a hard run and as strength ({}, {}).",
            rules::DAY_AFTER_LEG_DAY,
            rules::MUSCLE_RECOVERY_48H
        )],
        steps: Vec::new(),
    }
}
