//! One week of the plan: what each day holds (the week's structure,
//! shaped by the phase, the walk/run weeks and the race week), how the
//! week's kilometres are shared between its runs, and the planned
//! sessions with their reasons.

mod days;
mod targets;

use chrono::{Duration, NaiveDate};

pub use self::days::Run;
use self::days::{Strength, plan_days};
pub use self::targets::Targets;
use self::targets::targets;
use super::allocate::{Allocation, RunItem, allocate};
use super::pacing::Pacing;
use super::strength::Chooser;
use super::strength::session::StrengthPlanner;
use super::template::Slot;
use super::volume::VolumePlan;
use super::workouts::{self, Event};
use super::{cool_down, hiit_session, warm_up};
use crate::domain::plan::model::{PlannedDay, PlannedSession, PlannedWeek, TimeOfDay};
use crate::domain::plan::request::PlanRequest;
use crate::domain::plan::rules;
use crate::domain::vocabulary::{Phase, SessionKind};

/// The shortest run on a day that also has strength. Strength sessions
/// grow as their reps progress; were the run to get only what is left of
/// `minutes_per_day`, easy runs would shrink to 3 km and weekly volume would
/// go backwards from one week to the next. Half an hour is the least an
/// easy run is worth, so the day may run over a short `minutes_per_day`.
const SHORTEST_RUN_BESIDE_STRENGTH_MIN: u16 = 30;

/// Longest morning run on a day with evening strength: 07:00 + 5.5 h
/// ends 6 h before 18:30.
const PAIRED_RUN_MAX_MIN: f64 = 330.0;

/// What stays the same for every week of a plan.
pub struct Context<'a> {
    pub request: &'a PlanRequest,
    pub week: &'a [Slot; 7],
    pub pacing: &'a Pacing,
    pub event: Event,
    pub phases: &'a [Phase],
    /// Walk/run weeks at the start of the plan, and the walk/run weeks the
    /// athlete had already done before it (adaptation).
    pub walk_run_weeks: usize,
    pub walk_run_done: usize,
    pub volume: &'a VolumePlan,
    /// Loading weeks (base, build, peak) in the plan.
    pub loading_weeks: usize,
    pub end_date: NaiveDate,
    pub taper_weeks: usize,
}

/// What earlier weeks leave for the next.
pub struct History {
    /// Running km of the weeks planned so far, after the athlete's week before.
    pub weeks_km: Vec<f64>,
    pub best_loading_km: f64,
    pub peak_long_km: f64,
    pub last_long_km: f64,
    pub loading_done: usize,
    /// Every run so far, for the 110% rule.
    pub runs: Vec<(NaiveDate, f64)>,
    /// Weeks (1-based) whose planned km did not all fit the time, and how many.
    pub shortfalls: Vec<(usize, f64)>,
}

impl History {
    pub fn new(request: &PlanRequest) -> History {
        History {
            weeks_km: vec![request.current_weekly_km],
            best_loading_km: 0.0,
            peak_long_km: 0.0,
            last_long_km: request.longest_recent_run_km,
            loading_done: 0,
            runs: Vec::new(),
            shortfalls: Vec::new(),
        }
    }

    /// One note for the weeks the time available held below their volume.
    pub fn shortfall_note(&self, minutes_per_day: Option<u16>) -> Option<String> {
        let most = self
            .shortfalls
            .iter()
            .map(|(_, km)| *km)
            .fold(0.0, f64::max);
        let weeks: Vec<String> = self.shortfalls.iter().map(|(w, _)| w.to_string()).collect();
        (!weeks.is_empty()).then(|| {
            format!(
                "Week(s) {}: up to {most:.1} km of the planned volume did not fit the time available ({} min a day) and were left out rather than added to other days.",
                weeks.join(", "),
                minutes_per_day.unwrap_or(0)
            )
        })
    }

    /// The larger of the two weeks before (the weekly rules' reference).
    fn reference_km(&self) -> f64 {
        self.weeks_km
            .iter()
            .rev()
            .take(2)
            .copied()
            .fold(0.0, f64::max)
    }

    /// 110% of the longest run of the 30 days before `date` counting the
    /// runs before `week_start` only (runs of the same week can only raise
    /// it), with the athlete's history in the plan's first 30 days.
    fn longest_run_cap(
        &self,
        date: NaiveDate,
        week_start: NaiveDate,
        request: &PlanRequest,
    ) -> f64 {
        let window = date - Duration::days(30);
        let mut longest = self
            .runs
            .iter()
            .filter(|(d, _)| *d >= window && *d < week_start)
            .map(|(_, km)| *km)
            .fold(0.0, f64::max);
        if window < request.start_date {
            longest = longest.max(request.longest_recent_run_km);
        }
        // Within the validator's rounding slack of 0.05 km.
        (1.1 * longest).max(crate::domain::plan::validate::LONGEST_RUN_FLOOR_KM) + 0.04
    }
}
/// Builds week `index`: its days, sessions and totals.
pub fn build_week(
    ctx: &Context,
    strength_planner: &mut StrengthPlanner,
    history: &mut History,
    index: usize,
) -> PlannedWeek {
    let request = ctx.request;
    let phase = ctx.phases[index];
    let start = request.start_date + Duration::days(7 * index as i64);
    let targets = targets(ctx, history, index, phase);
    let days = plan_days(ctx, history, index, phase, start);
    let rotation = index / 4;
    let strength_count = days.iter().filter(|d| d.strength.is_some()).count();
    let mut strength_variant = 0;
    let mut strength: Vec<Option<PlannedSession>> = Vec::with_capacity(days.len());
    for day in &days {
        strength.push(day.strength.map(|kind| {
            let session = match kind {
                Strength::Hiit => {
                    let mut session = hiit_session(strength_planner, index, phase, rotation);
                    session.steps = workouts::hiit_steps(ctx.pacing, session.duration_min);
                    session
                }
                Strength::Full => strength_planner.session(
                    index,
                    phase,
                    strength_variant,
                    strength_count,
                    rotation,
                    day.paired,
                ),
            };
            strength_variant += 1;
            session
        }));
    }
    // The long run's own time, never over 3.5 h.
    let long_run_minutes = f64::from(
        crate::domain::profile::long_run_minutes(request.long_run_minutes, request.minutes_per_day)
            .min(super::volume::LONG_RUN_MAX_MIN),
    );
    let items: Vec<RunItem> = days
        .iter()
        .zip(&strength)
        .filter_map(|(day, lift)| {
            let run = day.run?;
            let mut minutes = request.minutes_per_day.map(|m| {
                let taken = lift.as_ref().map_or(0, |s| s.duration_min);
                f64::from(
                    m.saturating_sub(taken)
                        .max(SHORTEST_RUN_BESIDE_STRENGTH_MIN),
                )
            });
            if run == Run::Long {
                minutes = Some(long_run_minutes);
            } else if day.paired {
                minutes = Some(minutes.map_or(PAIRED_RUN_MAX_MIN, |m| m.min(PAIRED_RUN_MAX_MIN)));
            }
            Some(RunItem {
                date: day.date,
                run,
                minutes,
                max_km: history.longest_run_cap(day.date, start, request),
            })
        })
        .collect();
    let walk_run_week = ctx.walk_run_done + index;
    let Allocation { runs, shortfall_km } = allocate(
        ctx,
        strength_planner.chooser(),
        &items,
        &targets,
        phase,
        walk_run_week,
        history,
    );
    if shortfall_km > 0.5 {
        history.shortfalls.push((index + 1, shortfall_km));
    }
    let mut runs = runs.into_iter();
    let mut planned_days = Vec::with_capacity(days.len());
    let mut first_run = true;
    let mut after_leg_day = false;
    for (day, lift) in days.iter().zip(strength) {
        let mut sessions = Vec::new();
        if day.run.is_some()
            && let Some(mut run) = runs.next().flatten()
        {
            if first_run && !targets.reason.is_empty() {
                run.reasons.insert(0, targets.reason.clone());
            }
            first_run = false;
            if after_leg_day && run.kind != SessionKind::Race {
                run.reasons.push(format!(
                    "Easy: the day after lower-body strength is rest or easy running only ({}).",
                    rules::DAY_AFTER_LEG_DAY
                ));
            }
            history
                .runs
                .push((day.date, run.distance_km.unwrap_or(0.0)));
            sessions.push(run);
        }
        if let Some(mut session) = lift {
            if day.paired {
                session.time_of_day = TimeOfDay::Evening;
                session.reasons.push(format!(
                    "In the evening, after the morning run: same-day sessions at least 6 h apart ({}), and the hard day stays hard ({}).",
                    rules::SAME_DAY_6H,
                    rules::KEEP_HARD_DAYS_HARD
                ));
            }
            sessions.push(session);
        }
        after_leg_day = day.strength.is_some();
        planned_days.push(PlannedDay {
            date: day.date,
            sessions,
        });
    }
    let week = totals(index, start, phase, planned_days);
    if let Some(loading) = targets.loading_index {
        history.loading_done = loading + 1;
        history.best_loading_km = history.best_loading_km.max(week.planned_run_km);
    }
    let long = week
        .days
        .iter()
        .flat_map(|d| &d.sessions)
        .filter(|s| s.kind == SessionKind::LongRun)
        .filter_map(|s| s.distance_km)
        .fold(0.0, f64::max);
    if long > 0.0 && phase != Phase::Taper {
        history.last_long_km = long;
        history.peak_long_km = history.peak_long_km.max(long);
    }
    history.weeks_km.push(week.planned_run_km);
    week
}

/// The week with its planned volume and load. The race is not training
/// volume: it is left out of `planned_run_km` and `planned_run_min` (it
/// counts in the load).
fn totals(index: usize, start: NaiveDate, phase: Phase, days: Vec<PlannedDay>) -> PlannedWeek {
    let runs: Vec<&PlannedSession> = days
        .iter()
        .flat_map(|d| &d.sessions)
        .filter(|s| s.kind.is_run() && s.kind != SessionKind::Race)
        .collect();
    let planned_run_km =
        super::runs::round_down_tenth(runs.iter().filter_map(|s| s.distance_km).sum::<f64>());
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

/// The drills before and after a run: quality, long runs and the race
/// get warm-up drills and a cool-down; easy runs warm up by jogging.
pub fn drills(
    chooser: &Chooser,
    kind: SessionKind,
    rotation: usize,
) -> (
    Vec<crate::domain::plan::model::PlannedExercise>,
    Vec<crate::domain::plan::model::PlannedExercise>,
) {
    match kind {
        SessionKind::EasyRun => (Vec::new(), Vec::new()),
        _ => (warm_up(chooser, rotation), cool_down(chooser, rotation)),
    }
}
