//! What each day of a week holds: the template's slots shaped by the
//! phase, the walk/run weeks and the race week, and the choice of the
//! quality workouts, the medium-long run and strides.

use chrono::{Duration, NaiveDate};

use super::{Context, History};
use crate::domain::plan::generate::slot_for_week;
use crate::domain::plan::generate::template::Slot;
use crate::domain::plan::generate::walk_run;
use crate::domain::plan::generate::workouts::{self, Event, Workout};
use crate::domain::vocabulary::{Experience, Phase};

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
pub(super) enum Strength {
    Full,
    Hiit,
}

pub(super) struct Day {
    pub(super) date: NaiveDate,
    pub(super) run: Option<Run>,
    pub(super) strength: Option<Strength>,
    /// A morning run and an evening strength session.
    pub(super) paired: bool,
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
pub(super) fn plan_days(
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
