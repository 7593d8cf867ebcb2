//! One week of the plan: what each day holds (the week's structure,
//! shaped by the phase, the walk/run weeks and the race week), how the
//! week's kilometres are shared between its runs, and the planned
//! sessions with their reasons.

use chrono::{Duration, NaiveDate};

use super::allocate::{Allocation, RunItem, allocate};
use super::pacing::Pacing;
use super::strength::Chooser;
use super::strength::session::StrengthPlanner;
use super::template::Slot;
use super::volume::VolumePlan;
use super::walk_run;
use super::workouts::{self, Event, Workout};
use super::{cool_down, hiit_session, slot_for_week, warm_up};
use crate::domain::plan::model::{PlannedDay, PlannedSession, PlannedWeek, TimeOfDay};
use crate::domain::plan::request::PlanRequest;
use crate::domain::plan::rules;
use crate::domain::vocabulary::{Experience, Phase, SessionKind};

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

/// The run a day holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Run {
    Easy {
        strides: bool,
    },
    Long,
    MediumLong,
    Quality(Workout),
    /// Race-week running in the last two days: short and easy.
    Shakeout {
        minutes: u32,
        strides: bool,
    },
    WalkRun,
    Race,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Strength {
    Full,
    Hiit,
}

struct Day {
    date: NaiveDate,
    run: Option<Run>,
    strength: Option<Strength>,
    /// A morning run and an evening strength session.
    paired: bool,
}

/// The week's volume and long-run targets, and why.
pub struct Targets {
    pub km: f64,
    pub long_km: Option<f64>,
    pub reason: String,
    pub loading_index: Option<usize>,
}

fn pct(value: f64) -> String {
    format!("{:.0}%", 100.0 * value)
}

/// The targets of week `index` from the plan and what came before.
fn targets(ctx: &Context, history: &History, index: usize, phase: Phase) -> Targets {
    let previous = *history.weeks_km.last().expect("the week before the plan");
    let reference = history.reference_km();
    let floor = crate::domain::plan::validate::VOLUME_CAP_FLOOR_KM;
    match phase {
        Phase::Recovery => Targets {
            km: 0.75 * previous,
            long_km: Some(0.7 * history.last_long_km.max(3.0)),
            reason: format!(
                "Week {}, recovery: 75% of last week's {previous:.1} km, so that the training of the weeks before can be absorbed (rule {}).",
                index + 1,
                rules::RECOVERY_WEEKS
            ),
            loading_index: None,
        },
        Phase::Taper => {
            let position = index + ctx.taper_weeks - ctx.phases.len();
            let share = super::periodization::taper_fraction(position, ctx.taper_weeks);
            // The plan's own peak week; without loading weeks, the week before it.
            let peak = if history.best_loading_km > 0.0 {
                history.best_loading_km
            } else {
                ctx.request.current_weekly_km
            };
            let race_week = position + 1 == ctx.taper_weeks;
            // A short race week holds fewer days.
            let days = days_in_week(ctx, index);
            let km = share
                * peak
                * if race_week {
                    (days as f64 - 1.0).max(1.0) / 6.0
                } else {
                    1.0
                };
            let long_share: &[f64] = match ctx.event {
                Event::Marathon => &[0.65, 0.5],
                Event::Half => &[0.65],
                _ => &[],
            };
            let long_km = long_share
                .get(position)
                .filter(|_| !race_week)
                .map(|s| s * history.peak_long_km);
            Targets {
                km,
                long_km,
                reason: if race_week {
                    format!(
                        "Race week: {} of the {peak:.1} km peak week before the race; the last two days hold only short easy runs and no lower-body strength comes in the last four (rules {}, {}, {}).",
                        pct(share),
                        rules::RACE_WEEK_VOLUME,
                        rules::RACE_WEEK_EASY_DAYS,
                        rules::RACE_WEEK_NO_LEG_STRENGTH
                    )
                } else {
                    format!(
                        "Taper week {} of {}: {} of the {peak:.1} km peak week; volume falls every taper week while the quality keeps its pace (rule {}).",
                        position + 1,
                        ctx.taper_weeks,
                        pct(share),
                        rules::TAPER
                    )
                },
                loading_index: None,
            }
        }
        _ if index < ctx.walk_run_weeks => Targets {
            km: 0.0,
            long_km: None,
            reason: String::new(),
            loading_index: None,
        },
        _ => {
            let loading = history.loading_done;
            let planned = ctx.volume.week_km(loading);
            let capped = planned.min((1.1 * reference).max(floor));
            let km = capped.max(history.best_loading_km.min((1.1 * reference).max(floor)));
            let change = if reference > 0.0 {
                km / reference - 1.0
            } else {
                0.0
            };
            let goal = if ctx.event == Event::General {
                "the plan's goal".to_owned()
            } else {
                format!("the {}", ctx.event.name())
            };
            let direction = if km >= ctx.volume.peak_km - 0.05 {
                format!("the plan's peak volume for {goal}")
            } else {
                format!(
                    "building to a {:.1} km peak week for {goal}",
                    ctx.volume.peak_km
                )
            };
            let mut reason = format!(
                "Week {}, {phase}: {km:.1} km planned, {:+.1}% on {reference:.1} km (the larger of the two weeks before; at most +10%, rule {}): {direction}.",
                index + 1,
                100.0 * change,
                rules::RUN_VOLUME_10PCT,
            );
            if loading == 0 && index == ctx.walk_run_weeks && ctx.walk_run_weeks == 0 {
                reason.push_str(" The first week starts from the athlete's current volume.");
            }
            Targets {
                km,
                long_km: Some(ctx.volume.long_km(loading)),
                reason,
                loading_index: Some(loading),
            }
        }
    }
}

fn days_in_week(ctx: &Context, index: usize) -> usize {
    let start = ctx.request.start_date + Duration::days(7 * index as i64);
    ((ctx.end_date - start).num_days() + 1).clamp(1, 7) as usize
}

/// A template slot as (run, strength, paired).
fn split(slot: Slot) -> (Option<Run>, Option<Strength>, bool) {
    let easy = Some(Run::Easy { strides: false });
    let key = Some(Run::Quality(Workout::Tempo));
    match slot {
        Slot::Rest => (None, None, false),
        Slot::Easy => (easy, None, false),
        Slot::Key => (key, None, false),
        Slot::Long => (Some(Run::Long), None, false),
        Slot::Strength => (None, Some(Strength::Full), false),
        Slot::Hiit => (None, Some(Strength::Hiit), false),
        Slot::KeyThenStrength => (key, Some(Strength::Full), true),
        Slot::EasyThenStrength => (easy, Some(Strength::Full), true),
    }
}

fn is_quality(run: Option<Run>) -> bool {
    matches!(run, Some(Run::Quality(_)))
}

/// What each day of week `index` holds.
fn plan_days(
    ctx: &Context,
    history: &History,
    index: usize,
    phase: Phase,
    start: NaiveDate,
) -> Vec<Day> {
    let request = ctx.request;
    let race_date = request.race.as_ref().map(|r| r.date);
    let walk_run = index < ctx.walk_run_weeks;
    let mut strength_seen = 0;
    let mut days = Vec::with_capacity(7);
    for offset in 0..7 {
        let date = start + Duration::days(offset as i64);
        if date > ctx.end_date {
            break;
        }
        let slot = slot_for_week(
            ctx.week[offset],
            phase,
            request.experience,
            &mut strength_seen,
        );
        let (mut run, mut strength, mut paired) = split(slot);
        if walk_run {
            run = run.map(|_| Run::WalkRun);
            if strength == Some(Strength::Hiit) {
                strength = Some(Strength::Full);
            }
        }
        if let Some(race_date) = race_date {
            let to_race = (race_date - date).num_days();
            if to_race <= 4 && strength.is_some() {
                // No lower-body strength in the 4 days before the race; a
                // circuit's running stays as an easy run.
                if strength == Some(Strength::Hiit) && run.is_none() {
                    run = Some(Run::Easy { strides: false });
                }
                strength = None;
                paired = false;
            }
            if to_race == 0 {
                run = Some(Run::Race);
            } else if to_race <= 2 && run.is_some() {
                run = Some(Run::Shakeout {
                    minutes: if to_race == 1 { 20 } else { 30 },
                    strides: to_race == 1,
                });
            } else if to_race <= 6 && run == Some(Run::Long) {
                run = Some(Run::Easy { strides: false });
            }
        }
        days.push(Day {
            date,
            run,
            strength,
            paired,
        });
    }
    if walk_run {
        keep_walk_runs(&mut days);
    } else {
        choose_workouts(ctx, history, phase, &mut days);
    }
    days
}

/// Walk/run: three sessions a week with a day between where the days allow.
fn keep_walk_runs(days: &mut [Day]) {
    let wanted = usize::from(walk_run::SESSIONS_PER_WEEK);
    let runs: Vec<usize> = (0..days.len()).filter(|i| days[*i].run.is_some()).collect();
    let mut kept: Vec<usize> = Vec::new();
    for &i in &runs {
        let crowded = kept.last().is_some_and(|last| i - last < 2);
        if kept.len() < wanted && !crowded {
            kept.push(i);
        }
    }
    // Fill up with adjacent days only when the spread ones are too few.
    for &i in &runs {
        if kept.len() < wanted && !kept.contains(&i) {
            kept.push(i);
        }
    }
    for (i, day) in days.iter_mut().enumerate() {
        if !kept.contains(&i) {
            day.run = None;
            day.paired = false;
        }
    }
}

/// The workouts of the week's quality days, the race-week sharpener, the
/// medium-long run and strides.
fn choose_workouts(ctx: &Context, history: &History, phase: Phase, days: &mut [Day]) {
    let request = ctx.request;
    let race_date = request.race.as_ref().map(|r| r.date);
    let race_week = race_date.is_some_and(|race| days.iter().any(|d| d.date == race));
    // Someone new to running runs easy (with strides) for four more weeks
    // after reaching continuous running.
    let new_runner = ctx.walk_run_weeks > 0 && history.loading_done < 4;
    for (slot, day) in days.iter_mut().filter(|d| is_quality(d.run)).enumerate() {
        let to_race = race_date.map_or(i64::MAX, |race| (race - day.date).num_days());
        day.run = if new_runner {
            None
        } else if race_week {
            (slot == 0 && (3..=6).contains(&to_race)).then_some(Run::Quality(Workout::Sharpener))
        } else if phase == Phase::Taper && slot > 0 {
            None
        } else {
            Some(Run::Quality(workouts::choose(
                ctx.event,
                phase,
                request.experience,
                slot,
                history.loading_done,
            )))
        }
        .or(Some(Run::Easy { strides: false }));
    }
    if race_week {
        return;
    }
    let quality = days.iter().filter(|d| is_quality(d.run)).count();
    let long_day = days.iter().position(|d| d.run == Some(Run::Long));
    let medium_long = matches!(phase, Phase::Build | Phase::Peak)
        && request.runs_per_week >= 5
        && match ctx.event {
            Event::Marathon => request.experience != Experience::Beginner,
            Event::Half => request.experience == Experience::Advanced,
            _ => false,
        };
    if medium_long && let Some(long_day) = long_day {
        // The easy day farthest from the long run, not the day after strength.
        let candidate = (0..days.len())
            .filter(|i| matches!(days[*i].run, Some(Run::Easy { .. })))
            .filter(|i| *i == 0 || days[*i - 1].strength.is_none())
            .max_by_key(|i| {
                let gap = (*i as i64 - long_day as i64).rem_euclid(7);
                gap.min(7 - gap)
            });
        if let Some(i) = candidate {
            days[i].run = Some(Run::MediumLong);
        }
    }
    if quality < 2 {
        let before_long = |i: usize| long_day.is_some_and(|l| l == i + 1);
        if let Some(i) = (0..days.len())
            .find(|i| matches!(days[*i].run, Some(Run::Easy { .. })) && !before_long(*i))
        {
            days[i].run = Some(Run::Easy { strides: true });
        }
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
