//! Sharing a week's kilometres between its runs: the long run sized to
//! the race first, the quality sessions sized to the week, a medium-long
//! run for marathoners, and easy runs of different lengths carrying the
//! rest, each within the day's minutes and the 110% single-run rule.

use chrono::NaiveDate;

use super::pacing::Effort;
use super::runs::{self, RunSession, clock, round_down_tenth};
use super::strength::Chooser;
use super::walk_run;
use super::week::{Context, History, Run, Targets, drills};
use super::workouts::{self, Event, Sizing};
use crate::domain::plan::model::PlannedSession;
use crate::domain::plan::rules;
use crate::domain::vocabulary::{Experience, Phase, SessionKind};

/// One run of the week to size.
pub struct RunItem {
    pub date: NaiveDate,
    pub run: Run,
    /// Minutes the day leaves for it.
    pub minutes: Option<f64>,
    /// The 110% rule's limit for its date.
    pub max_km: f64,
}

pub struct Allocation {
    /// The runs, in the order of the items; `None` for a run the week's
    /// volume is too small to hold.
    pub runs: Vec<Option<PlannedSession>>,
    /// Planned kilometres the time limits left out.
    pub shortfall_km: f64,
}

/// The most an easy run of `minutes` covers.
fn km_in(minutes: Option<f64>, pace_s_per_km: f64) -> f64 {
    minutes.map_or(f64::INFINITY, |m| {
        (m - 2.0).max(10.0) * 60.0 / pace_s_per_km
    })
}

/// Shares `total` between runs in proportion to `weights`, each within
/// its (low, high), by water filling.
fn share(total: f64, weights: &[f64], bounds: &[(f64, f64)]) -> Vec<f64> {
    let mut amounts = vec![0.0; weights.len()];
    let mut fixed = vec![false; weights.len()];
    let mut left = total;
    for _ in 0..weights.len() + 1 {
        let free: f64 = (0..weights.len())
            .filter(|i| !fixed[*i])
            .map(|i| weights[i])
            .sum();
        if free <= 0.0 {
            break;
        }
        let mut changed = false;
        for i in 0..weights.len() {
            if fixed[i] {
                continue;
            }
            let wanted = left * weights[i] / free;
            let (low, high) = bounds[i];
            if wanted < low || wanted > high {
                amounts[i] = wanted.clamp(low, high);
                fixed[i] = true;
                changed = true;
            }
        }
        left = total
            - (0..weights.len())
                .filter(|i| fixed[*i])
                .map(|i| amounts[i])
                .sum::<f64>();
        if !changed {
            for i in (0..weights.len()).filter(|i| !fixed[*i]) {
                amounts[i] = left * weights[i] / free;
            }
            break;
        }
    }
    amounts
}

fn long_run_fast_finish(
    ctx: &Context,
    phase: Phase,
    loading: Option<usize>,
    long_km: f64,
) -> Option<(Effort, f64)> {
    let trained = ctx.request.experience != Experience::Beginner;
    let advanced = ctx.request.experience == Experience::Advanced;
    match (ctx.event, phase) {
        // Every other build week, not the week of the midweek marathon-pace run.
        (Event::Marathon, Phase::Build) if trained && loading.is_some_and(|l| l % 2 == 0) => {
            Some((
                Effort::Marathon,
                (if advanced { 0.3 } else { 0.2 } * long_km).clamp(5.0, 12.0),
            ))
        }
        (Event::Marathon, Phase::Peak) if trained => Some((
            Effort::Marathon,
            (if advanced { 0.3 } else { 0.2 } * long_km).clamp(6.0, 12.0),
        )),
        (Event::Half, Phase::Peak) if trained => {
            Some((Effort::HalfMarathon, (0.2 * long_km).clamp(3.0, 5.0)))
        }
        _ => None,
    }
}

/// Sizes the week's runs; see the module documentation.
pub fn allocate(
    ctx: &Context,
    chooser: &Chooser,
    items: &[RunItem],
    targets: &Targets,
    phase: Phase,
    walk_run_week: usize,
    history: &History,
) -> Allocation {
    let share_cap = super::volume::long_run_share_cap(items.len());
    let pacing = ctx.pacing;
    let mut week = Sizer {
        ctx,
        items,
        targets,
        phase,
        history,
        easy_pace: pacing.planning_pace(Effort::Easy),
        rotation: history.runs.len() / 4,
        sessions: items.iter().map(|_| None).collect(),
        used_km: 0.0,
    };
    week.fixed_runs(walk_run_week);
    let long_km = week.long_run(share_cap);
    let demoted = week.quality_sessions(long_km);
    let shortfall_km = week.easy_runs(long_km, &demoted);
    let rotation = week.rotation;
    let runs = week
        .sessions
        .into_iter()
        .map(|s| {
            s.map(|session| {
                let (warm_up, cool_down) = drills(chooser, session.kind, rotation);
                session.planned(warm_up, cool_down)
            })
        })
        .collect();
    Allocation { runs, shortfall_km }
}

/// The week being sized: its runs so far and the kilometres they take.
struct Sizer<'c, 'a> {
    ctx: &'c Context<'a>,
    items: &'c [RunItem],
    targets: &'c Targets,
    phase: Phase,
    history: &'c History,
    easy_pace: f64,
    rotation: usize,
    sessions: Vec<Option<RunSession<'a>>>,
    /// Training kilometres of the runs sized so far (the race is not).
    used_km: f64,
}

impl<'a> Sizer<'_, 'a> {
    /// Runs whose size is fixed: walk/run, race-week shakeouts, the race.
    fn fixed_runs(&mut self, walk_run_week: usize) {
        let pacing = self.ctx.pacing;
        for (i, item) in self.items.iter().enumerate() {
            let session = match item.run {
                Run::WalkRun => walk_run::session(pacing, walk_run_week),
                Run::Shakeout { minutes, strides } => RunSession {
                    kind: SessionKind::EasyRun,
                    title: format!(
                        "Easy run: {minutes} min{}",
                        if strides { " with strides" } else { "" }
                    ),
                    rpe: 3,
                    steps: runs::shakeout(pacing, minutes, strides),
                    reasons: vec![format!(
                        "Two days before the race or less: only a short easy run (at most 30 min) to stay loose (rule {}).",
                        rules::RACE_WEEK_EASY_DAYS
                    )],
                    distance_km: None,
                },
                Run::Race => race_session(self.ctx),
                _ => continue,
            };
            if item.run != Run::Race {
                self.used_km += session
                    .distance_km
                    .unwrap_or_else(|| round_down_tenth(session.steps.km()));
            }
            self.sessions[i] = Some(session);
        }
    }

    /// The long run, sized to the race within its caps; its kilometres.
    fn long_run(&mut self, share_cap: f64) -> f64 {
        let Some(i) = self.items.iter().position(|it| it.run == Run::Long) else {
            return 0.0;
        };
        let (ctx, item, phase) = (self.ctx, &self.items[i], self.phase);
        let week_km = self.targets.km;
        let wanted = self.targets.long_km.unwrap_or(0.3 * week_km);
        let by_time = km_in(item.minutes, ctx.pacing.planning_pace(Effort::Long));
        // Half the week at most, unless the time available keeps the other
        // runs from carrying their half: then the long run still grows to
        // the race (and the share rule reports it). Nor does the share
        // undo the long run's progress so far.
        let others_hold: f64 = self
            .items
            .iter()
            .filter(|it| !matches!(it.run, Run::Long | Run::Race))
            .map(|it| km_in(it.minutes, self.easy_pace).min(it.max_km))
            .sum();
        let by_share = if others_hold < (1.0 - share_cap) * week_km - 0.5 {
            f64::INFINITY
        } else {
            let progress = match phase {
                Phase::Base | Phase::Build | Phase::Peak => self.history.peak_long_km.min(wanted),
                _ => 0.0,
            };
            (share_cap * week_km).max(progress)
        };
        let planned = round_down_tenth(wanted.min(item.max_km).min(by_time).min(by_share)).max(2.0);
        let fast = long_run_fast_finish(ctx, phase, self.targets.loading_index, planned)
            .filter(|(_, km)| *km < 0.6 * planned);
        let steps = runs::long(ctx.pacing, planned, fast);
        let long_km = round_down_tenth(steps.km());
        let mut reasons = vec![long_run_reason(
            ctx, phase, wanted, long_km, item, by_time, by_share,
        )];
        let title = match fast {
            Some((effort, km)) => {
                let pace = if effort == Effort::Marathon {
                    "marathon"
                } else {
                    "half-marathon"
                };
                reasons.push(format!(
                    "The last {km:.0} km at {pace} pace rehearse the race on tired legs."
                ));
                format!("Long run {long_km:.1} km, the last {km:.0} km at {pace} pace")
            }
            None => format!("Long run {long_km:.1} km"),
        };
        self.used_km += long_km;
        self.sessions[i] = Some(RunSession {
            kind: SessionKind::LongRun,
            title,
            rpe: if fast.is_some() { 5 } else { 4 },
            steps,
            reasons,
            distance_km: None,
        });
        long_km
    }

    /// The quality sessions, sized to the week and leaving the easy runs
    /// their minimum; the items that had no room for one.
    fn quality_sessions(&mut self, long_km: f64) -> Vec<usize> {
        let (ctx, request) = (self.ctx, self.ctx.request);
        let progress = match self.targets.loading_index {
            Some(loading) => loading as f64 / ctx.loading_weeks.max(1) as f64,
            None => 1.0,
        };
        let count = |wanted: fn(Run) -> bool| self.items.iter().filter(|it| wanted(it.run)).count();
        let quality_count = count(|run| matches!(run, Run::Quality(_)));
        let easy_count = count(|run| matches!(run, Run::Easy { .. } | Run::MediumLong));
        let room = (self.targets.km - self.used_km - easy_count as f64 * self.easy_minimum())
            / quality_count.max(1) as f64;
        let mut demoted = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            let Run::Quality(workout) = item.run else {
                continue;
            };
            let (workout, spared) = workouts::spare_injuries(workout, &request.injuries);
            let sizing = Sizing {
                experience: request.experience,
                event: ctx.event,
                phase: self.phase,
                week_km: self.targets.km,
                minutes: item.minutes,
                max_km: item
                    .max_km
                    .min(if long_km > 0.0 {
                        long_km
                    } else {
                        f64::INFINITY
                    })
                    .min(room),
                progress,
                race_km: request.race.as_ref().map_or(5.0, |r| r.km()),
            };
            let Some(built) = workouts::build(ctx.pacing, workout, &sizing) else {
                demoted.push(i);
                continue;
            };
            self.used_km += round_down_tenth(built.steps.km());
            self.sessions[i] = Some(RunSession {
                kind: built.kind,
                title: built.title,
                rpe: built.rpe,
                steps: built.steps,
                reasons: std::iter::once(built.reason).chain(spared).collect(),
                distance_km: None,
            });
        }
        demoted
    }

    /// The shortest easy run worth planning: 20 minutes, at most 3 km.
    fn easy_minimum(&self) -> f64 {
        (20.0 * 60.0 / self.easy_pace).min(3.0)
    }

    /// The medium-long and easy runs (and quality days that had no room)
    /// share what is left of the week; the kilometres the time available
    /// left out.
    fn easy_runs(&mut self, long_km: f64, demoted: &[usize]) -> f64 {
        let (items, week_km, easy_pace) = (self.items, self.targets.km, self.easy_pace);
        // A week too small for all of its runs leaves out the smallest (a
        // run is 2.5 km or more): the last plain easy run first.
        let mut easy: Vec<usize> = (0..items.len())
            .filter(|i| {
                matches!(items[*i].run, Run::Easy { .. } | Run::MediumLong) || demoted.contains(i)
            })
            .collect();
        let keep = (((week_km - self.used_km).max(0.0) / 2.5).floor() as usize).min(easy.len());
        while easy.len() > keep {
            let last_easy = easy
                .iter()
                .rposition(|i| items[*i].run != Run::MediumLong)
                .unwrap_or(easy.len() - 1);
            easy.remove(last_easy);
        }
        // Easy runs stay shorter than the long run; in a week without one
        // (the race week), well under the plan's long runs.
        let ceiling = if long_km > 0.0 {
            long_km
        } else if self.history.peak_long_km > 0.0 {
            (0.5 * self.history.peak_long_km).max(40.0 * 60.0 / easy_pace) / 0.9
        } else {
            f64::INFINITY
        };
        let weights: Vec<f64> = easy
            .iter()
            .enumerate()
            .map(|(n, i)| match items[*i].run {
                Run::MediumLong => 2.2,
                _ => [1.0, 0.8, 1.2, 0.9, 1.1][(n + self.rotation) % 5],
            })
            .collect();
        let left = (week_km - self.used_km).max(0.0);
        let minimum = self.easy_minimum();
        let bounds: Vec<(f64, f64)> = easy
            .iter()
            .map(|i| {
                let item = &items[*i];
                // Shorter than the long run: a medium-long run up to 75% of it.
                let high = km_in(item.minutes, easy_pace)
                    .min(item.max_km)
                    .min(match item.run {
                        Run::MediumLong => 0.75 * ceiling,
                        _ => 0.9 * ceiling,
                    });
                // A week too small for every run's minimum shares what there is.
                let low = minimum.min(high).min(left / easy.len() as f64).max(1.0);
                (low, high.max(low))
            })
            .collect();
        let amounts = share(left, &weights, &bounds);
        let mut placed = self.used_km;
        // What a run's rounding leaves goes to the next one.
        let mut carry = 0.0;
        for (n, i) in easy.iter().enumerate() {
            let item = &items[*i];
            let km = (amounts[n] + carry).min(bounds[n].1).max(2.0);
            let session = self.easy_session(item, km, amounts[n]);
            let built = round_down_tenth(session.steps.km());
            placed += built;
            carry = (km - built).max(0.0);
            self.sessions[*i] = Some(session);
        }
        if easy.is_empty() {
            0.0
        } else {
            (week_km - placed).max(0.0)
        }
    }

    /// An easy run of about `km` for `item` (`shared` is what the sharing
    /// gave it, to say when the clock held it short).
    fn easy_session(&self, item: &RunItem, km: f64, shared: f64) -> RunSession<'a> {
        let pacing = self.ctx.pacing;
        let strides = matches!(item.run, Run::Easy { strides: true });
        let steps = runs::easy(pacing, km, strides);
        let built = round_down_tenth(steps.km());
        let (title, reason) = match item.run {
            Run::MediumLong => (
                format!("Medium-long run {built:.1} km"),
                "Medium-long run midweek: a second long aerobic run builds endurance for the long race, as in Pfitzinger's plans.".to_owned(),
            ),
            Run::Quality(_) => (
                format!("Easy run {built:.1} km"),
                "Easy instead of a quality session: the day's time or the week's volume leaves no room for one.".to_owned(),
            ),
            _ if strides => (
                format!("Easy run {built:.1} km with strides"),
                format!(
                    "Easy with six strides near the end: short relaxed bursts keep leg speed and form in weeks with little fast running ({}).",
                    rules::EASY_SHARE
                ),
            ),
            _ => (
                format!("Easy run {built:.1} km"),
                format!(
                    "Easy running carries the week's volume, the runs of a week differing in length; about 80% of running time stays easy ({}).",
                    rules::EASY_SHARE
                ),
            ),
        };
        let mut reasons = vec![reason];
        let by_time = km_in(item.minutes, self.easy_pace);
        if shared >= by_time - 0.05 && by_time < item.max_km {
            reasons.push(format!(
                "Held to about {:.0} minutes, the time available that day.",
                item.minutes.unwrap_or(0.0)
            ));
        }
        RunSession {
            kind: SessionKind::EasyRun,
            title,
            rpe: if item.run == Run::MediumLong { 4 } else { 3 },
            steps,
            reasons,
            distance_km: None,
        }
    }
}

fn long_run_reason(
    ctx: &Context,
    phase: Phase,
    wanted: f64,
    planned: f64,
    item: &RunItem,
    by_time: f64,
    by_share: f64,
) -> String {
    let mut reason = match (ctx.event, phase) {
        (_, Phase::Recovery) => format!("Long run {planned:.1} km, shorter in the recovery week."),
        (_, Phase::Taper) => format!(
            "Long run {planned:.1} km: the taper shortens the long run while the legs freshen."
        ),
        (Event::General, _) => format!(
            "Long run {planned:.1} km: the week's endurance run, growing with the plan's volume."
        ),
        (event, _) => {
            let race_km = ctx.request.race.as_ref().map_or(1.0, |r| r.km());
            let peak = ctx.volume.long_peak_km;
            if planned >= peak - 0.1 {
                format!(
                    "Long run {planned:.1} km: the race-sized long run for the {} ({:.0}% of the race distance).",
                    event.name(),
                    100.0 * planned / race_km
                )
            } else {
                format!(
                    "Long run {planned:.1} km: building towards {peak:.1} km for the {} ({:.0}% of the race distance).",
                    event.name(),
                    100.0 * peak / race_km
                )
            }
        }
    };
    if planned + 0.1 < wanted {
        let limit = if (planned - round_down_tenth(item.max_km)).abs() < 0.15 {
            format!(
                " Held to {:.1} km: no run over 110% of the longest of the previous 30 days ({}).",
                planned,
                rules::LONGEST_RUN_CAP
            )
        } else if (planned - round_down_tenth(by_time)).abs() < 0.15 {
            format!(
                " Held to about {} of running, the time available for the long run (long_run_minutes, at most 3.5 h).",
                clock(item.minutes.unwrap_or(210.0) * 60.0)
            )
        } else if by_share.is_finite() && (planned - round_down_tenth(by_share)).abs() < 0.15 {
            format!(
                " Held to half of the week's running ({}).",
                rules::LONG_RUN_SHARE
            )
        } else {
            String::new()
        };
        reason.push_str(&limit);
    }
    reason
}

/// The race as a session: its distance, a warm-up and a pacing target.
fn race_session<'a>(ctx: &Context<'a>) -> RunSession<'a> {
    let race = ctx.request.race.as_ref().expect("a race day has a race");
    let km = race.km();
    let pacing = ctx.pacing;
    let steps = runs::race(pacing, km);
    let predicted = crate::domain::zones::predicted_time_s(pacing.vdot, km * 1000.0);
    let (title, pacing_reason) = if pacing.known {
        (
            format!(
                "Race: {} ({km:.1} km), goal {}",
                ctx.event.name(),
                clock(predicted)
            ),
            format!(
                "Pacing: {} from the recent race (VDOT {:.1}), even splits; the step targets hold the pace.",
                clock(predicted),
                pacing.vdot
            ),
        )
    } else {
        (
            format!("Race: {} ({km:.1} km)", ctx.event.name()),
            format!(
                "Pacing: start at an effort you could hold for the whole race (RPE {}) and keep it even; add a recent race to the profile for a pace target.",
                Effort::Race(km).rpe()
            ),
        )
    };
    RunSession {
        kind: SessionKind::Race,
        title,
        rpe: Effort::Race(km).rpe(),
        steps,
        reasons: vec![
            format!(
                "Race day: the plan's goal, after the taper (rule {}).",
                rules::RACE_DAY
            ),
            pacing_reason,
        ],
        distance_km: Some((km * 10.0).round() / 10.0),
    }
}
