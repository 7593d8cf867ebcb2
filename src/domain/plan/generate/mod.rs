//! The plan generator: from a plan request and the catalog to a plan that
//! keeps every hard rule, follows the soft ones where the days allow, and
//! says why wherever a rule forced a choice.

pub mod periodization;
pub mod strength;
pub mod template;

use chrono::{Datelike, Duration, NaiveDate};

use self::periodization::{peak_target_km, phases, starting_km, taper_fraction, taper_length};
use self::strength::Role;
use self::strength::session::{StrengthPlanner, cool_down, warm_up};
use self::template::{Demand, Slot, solve};
use super::catalog::PlanCatalog;
use super::model::{Plan, PlanAthlete, PlannedDay, PlannedSession, PlannedWeek, TimeOfDay};
use super::request::PlanRequest;
use super::rules::{self, Severity};
use super::validate::{LONGEST_RUN_FLOOR_KM, VOLUME_CAP_FLOOR_KM, validate};
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

/// Longest morning run on a day with evening strength: 07:00 + 5.5 h
/// ends 6 h before 18:30.
const PAIRED_RUN_MAX_MIN: u16 = 330;

/// Minutes per km of easy running by experience.
fn easy_pace(experience: Experience) -> f64 {
    match experience {
        Experience::Beginner => 7.0,
        Experience::Intermediate => 6.0,
        Experience::Advanced => 5.25,
    }
}

fn round_down_tenth(km: f64) -> f64 {
    (km * 10.0).floor() / 10.0
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

/// Running state carried from week to week.
struct Progress {
    previous_km: f64,
    reference_km: f64,
    last_loading_km: f64,
    peak_km: f64,
    runs: Vec<(NaiveDate, f64)>,
}

impl Progress {
    /// 110% of the longest run of the 30 days before `date` (SPEC), with
    /// the athlete's recent longest run counting in the first 30 days.
    fn longest_run_cap(&self, date: NaiveDate, plan_start: NaiveDate, history_km: f64) -> f64 {
        let window = date - Duration::days(30);
        let mut longest = self
            .runs
            .iter()
            .filter(|(d, _)| *d >= window && *d < date)
            .map(|(_, km)| *km)
            .fold(0.0, f64::max);
        if window < plan_start {
            longest = longest.max(history_km);
        }
        (1.1 * longest).max(LONGEST_RUN_FLOOR_KM)
    }
}

/// How a generation may differ from a fresh plan (used by adaptation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Make the first week a recovery week (bring the recovery forward).
    pub first_week_recovery: bool,
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
    let mut phase_of_week = phases(week_count, race, request.experience);
    if options.first_week_recovery && phase_of_week[0] != Phase::Taper {
        phase_of_week[0] = Phase::Recovery;
    }
    let taper_weeks = taper_length(race, week_count);
    let peak_target = peak_target_km(race, request.experience, request.current_weekly_km);
    let mut progress = Progress {
        previous_km: request.current_weekly_km,
        reference_km: request.current_weekly_km,
        // Progression continues from where the athlete is now.
        last_loading_km: starting_km(request.current_weekly_km),
        peak_km: 0.0,
        runs: Vec::new(),
    };
    let mut weeks = Vec::with_capacity(week_count);
    for (index, phase) in phase_of_week.iter().copied().enumerate() {
        let start = request.start_date + Duration::days(7 * index as i64);
        let target_km = match phase {
            Phase::Recovery => 0.75 * progress.previous_km,
            Phase::Taper => {
                let position = index + taper_weeks - week_count;
                taper_fraction(position, taper_weeks) * progress.peak_km.max(progress.previous_km)
            }
            _ if index == 0 => starting_km(request.current_weekly_km),
            Phase::Peak => progress.last_loading_km,
            _ => (progress.last_loading_km * 1.08)
                .min(peak_target)
                .max(progress.last_loading_km),
        };
        // Never more than 30% over last week, nor 10% over the last full week.
        let target_km = target_km
            .min((1.3 * progress.previous_km).max(VOLUME_CAP_FLOOR_KM))
            .min((1.1 * progress.reference_km).max(VOLUME_CAP_FLOOR_KM));
        let week = build_week(
            request,
            &structure,
            &mut strength,
            index,
            start,
            end_date,
            phase,
            target_km,
            &mut progress,
        );
        let km = week.planned_run_km;
        if !matches!(phase, Phase::Recovery | Phase::Taper) {
            progress.reference_km = km;
            progress.last_loading_km = km;
            progress.peak_km = progress.peak_km.max(km);
        }
        progress.previous_km = km;
        weeks.push(week);
    }
    let mut notes = structure.notes;
    if let Some(race) = race {
        notes.push(format!(
            "Race day {}: no training planned; the last {taper_weeks} week(s) taper, cutting volume while keeping some quality.",
            race.date
        ));
    }
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

#[allow(clippy::too_many_arguments)]
fn build_week(
    request: &PlanRequest,
    structure: &Structure,
    strength: &mut StrengthPlanner,
    index: usize,
    start: NaiveDate,
    end_date: NaiveDate,
    phase: Phase,
    target_km: f64,
    progress: &mut Progress,
) -> PlannedWeek {
    let race_date = request.race.as_ref().map(|r| r.date);
    let mut strength_seen = 0;
    let mut slots: Vec<(NaiveDate, Slot)> = Vec::new();
    for day in 0..7 {
        let date = start + Duration::days(day as i64);
        if date > end_date {
            break;
        }
        let mut slot = slot_for_week(
            structure.week[day],
            phase,
            request.experience,
            &mut strength_seen,
        );
        if Some(date) == race_date {
            slot = Slot::Rest;
        } else if race_date == Some(date + Duration::days(1)) && slot.strength() == 1 {
            slot = if slot.runs() == 1 {
                Slot::Easy
            } else {
                Slot::Rest
            };
        }
        slots.push((date, slot));
    }
    let strength_sessions = slots.iter().filter(|(_, s)| s.strength() == 1).count();
    let run_count = slots
        .iter()
        .filter(|(_, s)| s.runs() == 1 && *s != Slot::Hiit)
        .count();
    let key_count = slots
        .iter()
        .filter(|(_, s)| matches!(s, Slot::Key | Slot::KeyThenStrength))
        .count();
    let easy_count = slots
        .iter()
        .filter(|(_, s)| matches!(s, Slot::Easy | Slot::EasyThenStrength))
        .count();
    let has_long = slots.iter().any(|(_, s)| *s == Slot::Long);
    let long_share = match run_count {
        0 => 0.0,
        1 => 1.0,
        2 => 0.5,
        _ => 0.3,
    };
    let key_share = if key_count >= 2 { 0.12 } else { 0.15 };
    let long_km = if has_long {
        target_km * long_share
    } else {
        0.0
    };
    let key_km = target_km * key_share;
    let easy_km = if easy_count > 0 {
        ((target_km - long_km - key_km * key_count as f64) / easy_count as f64).max(0.0)
    } else {
        0.0
    };
    let pace = easy_pace(request.experience);
    let rotation = index / 4;
    let mut days = Vec::with_capacity(slots.len());
    let mut strength_variant = 0;
    let mut key_variant: u32 = 0;
    let mut previous_leg_day = false;
    for (date, slot) in slots {
        let mut sessions = Vec::new();
        let paired = matches!(slot, Slot::KeyThenStrength | Slot::EasyThenStrength);
        let mut strength_session = None;
        if slot.strength() == 1 {
            let kind_hiit = slot == Slot::Hiit;
            strength_session = Some(if kind_hiit {
                hiit_session(strength, index, phase, rotation)
            } else {
                strength.session(
                    index,
                    phase,
                    strength_variant,
                    strength_sessions,
                    rotation,
                    paired,
                )
            });
            strength_variant += 1;
        }
        let run_kind = match slot {
            Slot::Easy | Slot::EasyThenStrength => Some(SessionKind::EasyRun),
            Slot::Long => Some(SessionKind::LongRun),
            Slot::Key | Slot::KeyThenStrength => {
                let kind = if matches!(phase, Phase::Build | Phase::Peak)
                    && key_variant.is_multiple_of(2)
                {
                    SessionKind::IntervalRun
                } else {
                    SessionKind::TempoRun
                };
                key_variant += 1;
                Some(kind)
            }
            _ => None,
        };
        if let Some(kind) = run_kind {
            let wanted = match kind {
                SessionKind::LongRun => long_km,
                SessionKind::EasyRun => easy_km,
                _ => key_km,
            };
            let minutes_left = request.minutes_per_day.map(|minutes| {
                let taken = strength_session
                    .as_ref()
                    .map_or(0, |s: &PlannedSession| s.duration_min);
                minutes.saturating_sub(taken).max(20)
            });
            // A morning run must end 6 h before the evening strength session.
            let minutes_left = if paired {
                Some(minutes_left.map_or(PAIRED_RUN_MAX_MIN, |m| m.min(PAIRED_RUN_MAX_MIN)))
            } else {
                minutes_left
            };
            let session = run_session(
                request,
                strength.chooser(),
                kind,
                wanted,
                pace,
                date,
                minutes_left,
                rotation,
                previous_leg_day,
                progress,
            );
            progress
                .runs
                .push((date, session.distance_km.unwrap_or(0.0)));
            sessions.push(session);
        }
        if let Some(mut session) = strength_session {
            if paired {
                session.time_of_day = TimeOfDay::Evening;
                session.reasons.push(format!(
                    "In the evening, after the morning run: same-day sessions at least 6 h apart ({}), and the hard day stays hard ({}).",
                    rules::SAME_DAY_6H,
                    rules::KEEP_HARD_DAYS_HARD
                ));
            }
            sessions.push(session);
        }
        previous_leg_day = slot.strength() == 1;
        days.push(PlannedDay { date, sessions });
    }
    let runs: Vec<&PlannedSession> = days
        .iter()
        .flat_map(|d| &d.sessions)
        .filter(|s| super::validate::is_run(s.kind))
        .collect();
    let planned_run_km = round_down_tenth(
        runs.iter()
            .map(|s| s.distance_km.unwrap_or(0.0))
            .sum::<f64>()
            + 1e-9,
    );
    let planned_run_min = runs.iter().map(|s| u32::from(s.duration_min)).sum();
    let planned_load = days
        .iter()
        .flat_map(|d| &d.sessions)
        .map(|s| u32::from(s.target_rpe) * u32::from(s.duration_min))
        .sum();
    PlannedWeek {
        index: index as u16 + 1,
        start_date: start,
        phase,
        planned_run_km,
        planned_run_min,
        planned_load,
        days,
    }
}

#[allow(clippy::too_many_arguments)]
fn run_session(
    request: &PlanRequest,
    chooser: &self::strength::Chooser,
    kind: SessionKind,
    wanted_km: f64,
    easy_pace: f64,
    date: NaiveDate,
    minutes_left: Option<u16>,
    rotation: usize,
    after_leg_day: bool,
    progress: &Progress,
) -> PlannedSession {
    let (pace, rpe, title) = match kind {
        SessionKind::LongRun => (easy_pace + 0.25, 4, "Long run"),
        SessionKind::TempoRun => (easy_pace * 0.88, 7, "Tempo run"),
        SessionKind::IntervalRun => (easy_pace * 0.9, 8, "Intervals"),
        _ => (easy_pace, 3, "Easy run"),
    };
    let hard = kind != SessionKind::EasyRun;
    let extra_min = if hard { 10.0 } else { 5.0 };
    let mut reasons = Vec::new();
    let cap = progress.longest_run_cap(date, request.start_date, request.longest_recent_run_km);
    let mut km = wanted_km;
    if km > cap {
        km = cap;
        if kind == SessionKind::LongRun {
            reasons.push(format!(
                "Held to {:.1} km: no run over 110% of the longest run of the previous 30 days ({}).",
                round_down_tenth(cap),
                rules::LONGEST_RUN_CAP
            ));
        }
    }
    if let Some(minutes) = minutes_left {
        let fits = ((f64::from(minutes) - extra_min) / pace).max(1.0);
        if km > fits {
            km = fits;
            reasons.push(format!("Shortened to fit {minutes} minutes."));
        }
    }
    let km = round_down_tenth(km.max(0.0));
    if after_leg_day {
        reasons.push(format!(
            "Easy: the day after lower-body strength is rest or easy running only ({}).",
            rules::DAY_AFTER_LEG_DAY
        ));
    }
    let description = match kind {
        SessionKind::TempoRun => format!(
            "{title}: {:.0} min comfortably hard inside {km:.1} km",
            (km * pace * 0.5).max(10.0)
        ),
        SessionKind::IntervalRun => format!(
            "{title}: {} × 3 min hard, 2 min jog, inside {km:.1} km",
            ((km / 1.5).floor() as u32).clamp(3, 8)
        ),
        _ => format!("{title} {km:.1} km"),
    };
    PlannedSession {
        kind,
        title: description,
        time_of_day: TimeOfDay::Morning,
        duration_min: (km * pace + extra_min).round() as u16,
        distance_km: Some(km),
        target_rpe: rpe,
        warm_up: warm_up(chooser, rotation),
        cool_down: if hard {
            cool_down(chooser, rotation)
        } else {
            Vec::new()
        },
        exercises: Vec::new(),
        reasons,
    }
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
    }
}
