//! Run steps: every run has them and they add up to its duration; and an
//! athlete who barely runs walks and runs before any hard running.

use chrono::NaiveDate;

use super::{Days, Findings, is_key_run, percent_beyond};
use crate::domain::plan::model::{Plan, PlannedSession};
use crate::domain::plan::rules;
use crate::domain::plan::steps::Step;
use crate::domain::vocabulary::SessionKind;

/// A session's average pace, seconds per km (6:00 when it has no distance).
pub fn average_pace(session: &PlannedSession) -> f64 {
    match session.distance_km {
        Some(km) if km > 0.0 => f64::from(session.duration_min) * 60.0 / km,
        _ => 360.0,
    }
}

/// Paces a distance step without a target may imply: 2:30 to 15:00 per km.
const PLAUSIBLE_PACE_S_PER_KM: std::ops::RangeInclusive<f64> = 150.0..=900.0;

/// Whether `steps` add up to `duration_s` within 10%. Distance steps
/// with a pace target take the middle of it; the distance steps without
/// one must fit the time the other steps leave at a running or walking
/// pace.
pub fn add_up(steps: &[Step], duration_s: f64) -> Result<(), String> {
    fn walk(step: &Step, times: f64, timed: &mut f64, untimed_m: &mut f64) {
        match step {
            Step::Repeat(group) => {
                for inner in &group.steps {
                    walk(inner, times * f64::from(group.times), timed, untimed_m);
                }
            }
            _ => {
                let segment = step.segment().expect("a plain step");
                let pace = segment.target.as_ref().and_then(|t| t.pace_s_per_km);
                match (segment.duration_s, segment.distance_m, pace) {
                    (Some(s), _, _) => *timed += times * f64::from(s),
                    (None, Some(m), Some(p)) => {
                        *timed += times * f64::from(m) / 1000.0
                            * 0.5
                            * (f64::from(p.min) + f64::from(p.max))
                    }
                    (None, Some(m), None) => *untimed_m += times * f64::from(m),
                    (None, None, _) => {}
                }
            }
        }
    }
    let (mut timed, mut untimed_m) = (0.0, 0.0);
    for step in steps {
        walk(step, 1.0, &mut timed, &mut untimed_m);
    }
    if untimed_m == 0.0 {
        let share = timed / duration_s;
        if (share - 1.0).abs() > 0.1 {
            return Err(format!(
                "its steps take {:.0} min, {} of its {:.0} min; within 10% is wanted",
                timed / 60.0,
                percent_beyond(share, if share > 1.0 { 1.1 } else { 0.9 }),
                duration_s / 60.0
            ));
        }
        return Ok(());
    }
    // The paces the untimed distance may be covered at for the whole to
    // land within 10% of the duration must include a plausible one.
    let km = untimed_m / 1000.0;
    let (fastest, slowest) = (
        (0.9 * duration_s - timed) / km,
        (1.1 * duration_s - timed) / km,
    );
    if slowest < *PLAUSIBLE_PACE_S_PER_KM.start() || fastest > *PLAUSIBLE_PACE_S_PER_KM.end() {
        return Err(format!(
            "its timed steps take {:.0} of its {:.0} min and leave {:.1} km to cover in the rest, which is no running pace",
            timed / 60.0,
            duration_s / 60.0,
            untimed_m / 1000.0
        ));
    }
    Ok(())
}

fn is_continuous_run(session: &PlannedSession) -> bool {
    session.kind.is_run()
        && session.duration_min >= 30
        && !session.steps.iter().any(Step::is_walk_run)
}

pub(super) fn check_steps(plan: &Plan, days: &Days<'_>, findings: &mut Findings) {
    for (date, sessions) in days {
        for session in sessions.iter() {
            let runs = session.kind.is_run() || session.kind == SessionKind::HiitCircuit;
            if !runs {
                continue;
            }
            let problem = if session.steps.is_empty() {
                Some("it has no steps".to_owned())
            } else {
                add_up(
                    &session.steps,
                    f64::from(session.duration_min.max(1)) * 60.0,
                )
                .err()
            };
            if let Some(problem) = problem {
                findings.add(
                    rules::RUN_STEPS,
                    &[*date],
                    format!("{} on {date}: {problem}.", session.title),
                    "Give every run its steps (warm-up, work, recoveries, cool-down) adding up to its duration.",
                );
            }
        }
    }
    check_walk_run_first(plan, days, findings);
}

/// No quality running for a non-runner before a continuous 30-minute run.
fn check_walk_run_first(plan: &Plan, days: &Days<'_>, findings: &mut Findings) {
    let Some(athlete) = &plan.athlete else { return };
    if athlete.current_weekly_km >= 5.0 && athlete.longest_recent_run_km >= 3.0 {
        return;
    }
    let continuous: Option<NaiveDate> = days
        .iter()
        .find(|(_, sessions)| sessions.iter().any(is_continuous_run))
        .map(|(date, _)| *date);
    for (date, sessions) in days {
        if continuous.is_some_and(|c| *date > c) {
            break;
        }
        for session in sessions.iter() {
            if is_key_run(session.kind) || session.kind == SessionKind::Race {
                findings.add(
                    rules::WALK_RUN_FIRST,
                    &[*date],
                    format!(
                        "{} on {date} comes before the athlete's first continuous 30-minute run{}.",
                        session.title,
                        continuous.map_or(String::new(), |c| format!(" ({c})"))
                    ),
                    "Start with walk/run and build to 30 minutes of continuous running before any quality session.",
                );
            }
        }
    }
}
