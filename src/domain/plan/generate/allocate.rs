//! Sharing a week's kilometres between its runs: the long run sized to
//! the race first, the quality sessions sized to the week, a medium-long
//! run for marathoners, and easy runs of different lengths carrying the
//! rest, each within the day's minutes and the 110% single-run rule.

use chrono::NaiveDate;

use super::pacing::Effort;
use super::runs::{self, RunSession, clock, round_down_tenth};
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
    items: &[RunItem],
    targets: &Targets,
    phase: Phase,
    walk_run_week: usize,
    share_cap: f64,
    history: &History,
) -> Allocation {
    let pacing = ctx.pacing;
    let request = ctx.request;
    let easy_pace = pacing.planning_pace(Effort::Easy);
    let long_pace = pacing.planning_pace(Effort::Long);
    let rotation = history.runs.len() / 4;
    let mut sessions: Vec<Option<RunSession>> = items.iter().map(|_| None).collect();
    let mut used_km = 0.0;
    // Fixed runs: walk/run, race-week shakeouts, the race.
    for (i, item) in items.iter().enumerate() {
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
            Run::Race => race_session(ctx),
            _ => continue,
        };
        if item.run != Run::Race {
            used_km += session
                .distance_km
                .unwrap_or_else(|| round_down_tenth(session.steps.km()));
        }
        sessions[i] = Some(session);
    }
    let week_km = targets.km;
    // The long run.
    let mut long_km = 0.0;
    if let Some(i) = items.iter().position(|it| it.run == Run::Long) {
        let item = &items[i];
        let wanted = targets.long_km.unwrap_or(0.3 * week_km);
        let by_time = km_in(item.minutes, long_pace);
        // Half the week at most, unless the time available keeps the other
        // runs from carrying their half: then the long run still grows to
        // the race (and the share rule reports it).
        let others_hold: f64 = items
            .iter()
            .filter(|it| !matches!(it.run, Run::Long | Run::Race))
            .map(|it| km_in(it.minutes, easy_pace).min(it.max_km))
            .sum();
        let time_bound = others_hold < (1.0 - share_cap) * week_km - 0.5;
        // Nor does it undo the long run's progress so far.
        let by_share = if time_bound {
            f64::INFINITY
        } else {
            let progress = match phase {
                Phase::Base | Phase::Build | Phase::Peak => history.peak_long_km.min(wanted),
                _ => 0.0,
            };
            (share_cap * week_km).max(progress)
        };
        long_km = round_down_tenth(wanted.min(item.max_km).min(by_time).min(by_share)).max(2.0);
        let fast = long_run_fast_finish(ctx, phase, targets.loading_index, long_km)
            .filter(|(_, km)| *km < 0.6 * long_km);
        let steps = runs::long(pacing, long_km, fast);
        long_km = round_down_tenth(steps.km());
        let mut reasons = vec![long_run_reason(
            ctx, phase, wanted, long_km, item, by_time, by_share,
        )];
        if let Some((effort, km)) = fast {
            reasons.push(format!(
                "The last {km:.0} km at {} pace rehearse the race on tired legs.",
                if effort == Effort::Marathon {
                    "marathon"
                } else {
                    "half-marathon"
                }
            ));
        }
        used_km += long_km;
        sessions[i] = Some(RunSession {
            kind: SessionKind::LongRun,
            title: match fast {
                Some((Effort::Marathon, km)) => {
                    format!("Long run {long_km:.1} km, the last {km:.0} km at marathon pace")
                }
                Some((_, km)) => {
                    format!("Long run {long_km:.1} km, the last {km:.0} km at half-marathon pace")
                }
                None => format!("Long run {long_km:.1} km"),
            },
            rpe: if fast.is_some() { 5 } else { 4 },
            steps,
            reasons,
            distance_km: None,
        });
    }
    // Quality sessions.
    let progress = match targets.loading_index {
        Some(loading) => loading as f64 / ctx.loading_weeks.max(1) as f64,
        None => 1.0,
    };
    let easy_min = (20.0 * 60.0 / easy_pace).min(3.0);
    let quality_count = items
        .iter()
        .filter(|it| matches!(it.run, Run::Quality(_)))
        .count();
    let easy_count = items
        .iter()
        .filter(|it| matches!(it.run, Run::Easy { .. } | Run::MediumLong))
        .count();
    // What the quality sessions may take, leaving the easy runs their minimum.
    let room = (week_km - used_km - easy_count as f64 * easy_min) / quality_count.max(1) as f64;
    let mut demoted: Vec<usize> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Run::Quality(workout) = item.run else {
            continue;
        };
        let (workout, spared) = workouts::spare_injuries(workout, &request.injuries);
        let sizing = Sizing {
            experience: request.experience,
            event: ctx.event,
            phase,
            week_km,
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
        let Some(built) = workouts::build(pacing, workout, &sizing) else {
            demoted.push(i);
            continue;
        };
        used_km += round_down_tenth(built.steps.km());
        sessions[i] = Some(RunSession {
            kind: built.kind,
            title: built.title,
            rpe: built.rpe,
            steps: built.steps,
            reasons: std::iter::once(built.reason).chain(spared).collect(),
            distance_km: None,
        });
    }
    // The medium-long run, then easy runs share what is left; a week too
    // small for all of its runs leaves out the smallest (a run is 2.5 km or
    // more).
    let mut easy: Vec<usize> = (0..items.len())
        .filter(|i| {
            matches!(items[*i].run, Run::Easy { .. } | Run::MediumLong) || demoted.contains(i)
        })
        .collect();
    let keep = (((week_km - used_km).max(0.0) / 2.5).floor() as usize).min(easy.len());
    while easy.len() > keep {
        // The last plain easy run goes first; the medium-long run last.
        let last_easy = easy
            .iter()
            .rposition(|i| items[*i].run != Run::MediumLong)
            .unwrap_or(easy.len() - 1);
        easy.remove(last_easy);
    }
    // Easy runs stay shorter than the long run; in a week without one (the
    // race week), well under the plan's long runs.
    let ceiling = if long_km > 0.0 {
        long_km
    } else if history.peak_long_km > 0.0 {
        (0.5 * history.peak_long_km).max(40.0 * 60.0 / easy_pace) / 0.9
    } else {
        f64::INFINITY
    };
    let weights: Vec<f64> = easy
        .iter()
        .enumerate()
        .map(|(n, i)| match items[*i].run {
            Run::MediumLong => 2.2,
            _ => [1.0, 0.8, 1.2, 0.9, 1.1][(n + rotation) % 5],
        })
        .collect();
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
            (easy_min.min(high), high.max(easy_min.min(high)))
        })
        .collect();
    let left = (week_km - used_km).max(0.0);
    // A week too small for every run's minimum shares what there is.
    let bounds: Vec<(f64, f64)> = bounds
        .into_iter()
        .map(|(low, high)| (low.min(left / easy.len().max(1) as f64).max(1.0), high))
        .collect();
    let amounts = share(left, &weights, &bounds);
    let mut placed = used_km;
    // What a run's rounding leaves goes to the next one.
    let mut carry = 0.0;
    for (n, i) in easy.iter().enumerate() {
        let item = &items[*i];
        let km = (amounts[n] + carry).min(bounds[n].1).max(2.0);
        let (title, steps, reason) = match item.run {
            Run::MediumLong => {
                let steps = runs::easy(pacing, km, false);
                (
                    format!("Medium-long run {:.1} km", round_down_tenth(steps.km())),
                    steps,
                    "Medium-long run midweek: a second long aerobic run builds endurance for the long race, as in Pfitzinger's plans.".to_owned(),
                )
            }
            Run::Quality(_) => {
                let steps = runs::easy(pacing, km, false);
                (
                    format!("Easy run {:.1} km", round_down_tenth(steps.km())),
                    steps,
                    "Easy instead of a quality session: the day's time or the week's volume leaves no room for one.".to_owned(),
                )
            }
            Run::Easy { strides } => {
                let steps = runs::easy(pacing, km, strides);
                let km = round_down_tenth(steps.km());
                (
                    if strides {
                        format!("Easy run {km:.1} km with strides")
                    } else {
                        format!("Easy run {km:.1} km")
                    },
                    steps,
                    if strides {
                        format!(
                            "Easy with six strides near the end: short relaxed bursts keep leg speed and form in weeks with little fast running ({}).",
                            rules::EASY_SHARE
                        )
                    } else {
                        format!(
                            "Easy running carries the week's volume, the runs of a week differing in length; about 80% of running time stays easy ({}).",
                            rules::EASY_SHARE
                        )
                    },
                )
            }
            _ => unreachable!("only easy runs are shared"),
        };
        placed += round_down_tenth(steps.km());
        carry = (km - round_down_tenth(steps.km())).max(0.0);
        let mut reasons = vec![reason];
        let by_time = km_in(item.minutes, easy_pace);
        if amounts[n] >= by_time - 0.05 && by_time < item.max_km {
            reasons.push(format!(
                "Held to about {:.0} minutes, the time available that day.",
                item.minutes.unwrap_or(0.0)
            ));
        }
        sessions[*i] = Some(RunSession {
            kind: SessionKind::EasyRun,
            title,
            rpe: if item.run == Run::MediumLong { 4 } else { 3 },
            steps,
            reasons,
            distance_km: None,
        });
    }
    let shortfall_km = if easy.is_empty() {
        0.0
    } else {
        (week_km - placed).max(0.0)
    };
    let runs = sessions
        .into_iter()
        .map(|s| {
            s.map(|session| {
                let (warm_up, cool_down) = drills(ctx, session.kind, rotation);
                session.planned(warm_up, cool_down)
            })
        })
        .collect();
    Allocation { runs, shortfall_km }
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
