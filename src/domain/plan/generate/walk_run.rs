//! Walk/run for athletes who barely run yet (SPEC: `current_weekly_km`
//! under 5 or `longest_recent_run_km` under 3): three sessions a week,
//! the running stretches growing and the walks shrinking until 30 minutes
//! of continuous running in the ninth week, as Couch to 5K does (NHS:
//! 60 s run / 90 s walk in week 1, 30 minutes in week 9). No hard running
//! comes before that.

use super::pacing::{Effort, Pacing, StepKind, StepList};
use super::runs::RunSession;
use crate::domain::plan::request::PlanRequest;
use crate::domain::vocabulary::SessionKind;

/// Walk/run sessions a week.
pub const SESSIONS_PER_WEEK: u8 = 3;
/// Weeks until 30 minutes of continuous running.
pub const WEEKS: usize = 9;
/// Jogging pace of the running stretches, seconds per km (8:00/km or slower).
pub const JOG_S_PER_KM: f64 = 480.0;

/// Whether the athlete starts with walk/run.
pub fn needed(request: &PlanRequest) -> bool {
    request.runs_per_week > 0
        && (request.current_weekly_km < 5.0 || request.longest_recent_run_km < 3.0)
}

/// One week's session: `reps` × (`run_s` running, `walk_s` walking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stage {
    reps: u8,
    run_s: u32,
    walk_s: u32,
}

/// The nine weeks. Each week's running time grows little enough that no
/// session runs more than 110% of the one before once past 3 km (the
/// single-run rule), at 8:00/km or slower.
const STAGES: [Stage; WEEKS] = [
    Stage {
        reps: 8,
        run_s: 60,
        walk_s: 90,
    },
    Stage {
        reps: 7,
        run_s: 90,
        walk_s: 90,
    },
    Stage {
        reps: 6,
        run_s: 120,
        walk_s: 90,
    },
    Stage {
        reps: 5,
        run_s: 180,
        walk_s: 90,
    },
    Stage {
        reps: 4,
        run_s: 300,
        walk_s: 90,
    },
    Stage {
        reps: 3,
        run_s: 480,
        walk_s: 90,
    },
    Stage {
        reps: 2,
        run_s: 780,
        walk_s: 90,
    },
    Stage {
        reps: 2,
        run_s: 840,
        walk_s: 60,
    },
    Stage {
        reps: 1,
        run_s: 1800,
        walk_s: 0,
    },
];

/// The jogging pace of walk/run sessions.
pub fn jog_pace(pacing: &Pacing) -> f64 {
    pacing.planning_pace(Effort::Easy).max(JOG_S_PER_KM)
}

/// Kilometres run in the session of week `week` (0-based).
pub fn running_km(pacing: &Pacing, week: usize) -> f64 {
    let stage = STAGES[week.min(WEEKS - 1)];
    f64::from(stage.reps) * f64::from(stage.run_s) / jog_pace(pacing)
}

fn describe(stage: Stage) -> String {
    let minutes = |s: u32| {
        if s.is_multiple_of(60) {
            format!("{} min", s / 60)
        } else {
            format!("{} min", f64::from(s) / 60.0)
        }
    };
    if stage.walk_s == 0 {
        format!("{} continuous running", minutes(stage.run_s))
    } else {
        format!(
            "{} × ({} run, {} walk)",
            stage.reps,
            minutes(stage.run_s),
            minutes(stage.walk_s)
        )
    }
}

/// The session of walk/run week `week` (0-based).
pub fn session(pacing: &Pacing, week: usize) -> RunSession<'_> {
    let stage = STAGES[week.min(WEEKS - 1)];
    let mut steps = StepList::new(pacing);
    steps.timed(StepKind::WarmUp, Effort::Walk, 300, Some("brisk walk"));
    if stage.walk_s == 0 {
        steps.timed(
            StepKind::Work,
            Effort::Easy,
            stage.run_s,
            Some("easy jog: you can talk"),
        );
    } else {
        steps.repeat(stage.reps, |r| {
            r.timed(
                StepKind::Work,
                Effort::Easy,
                stage.run_s,
                Some("easy jog: you can talk"),
            );
            r.timed(
                StepKind::Walk,
                Effort::Walk,
                stage.walk_s,
                Some("walk briskly"),
            );
        });
    }
    steps.timed(StepKind::CoolDown, Effort::Walk, 300, Some("walk"));
    let continuous = stage.walk_s == 0;
    let reason = if continuous {
        "Walk/run week 9: 30 minutes of continuous running, the goal of the walk/run weeks (rule walk_run_first).".to_owned()
    } else {
        format!(
            "Walk/run week {} of {WEEKS}: running stretches grow and walks shrink each week until 30 minutes of continuous running; no hard running before then (rule walk_run_first).",
            week + 1
        )
    };
    RunSession {
        kind: SessionKind::EasyRun,
        title: if continuous {
            "Easy run: 30 min continuous running".to_owned()
        } else {
            format!("Walk/run: {}", describe(stage))
        },
        rpe: 4,
        distance_km: Some(super::runs::round_down_tenth(running_km(pacing, week))),
        steps,
        reasons: vec![reason],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::validate::LONGEST_RUN_FLOOR_KM;

    #[test]
    fn walk_run_grows_to_thirty_minutes_within_the_single_run_rule() {
        assert_eq!(
            STAGES[0].reps as u32 * (STAGES[0].run_s + STAGES[0].walk_s),
            1200
        );
        assert_eq!(STAGES[WEEKS - 1].run_s, 1800);
        for pace in [JOG_S_PER_KM, 520.0, 600.0] {
            let km = |stage: &Stage| f64::from(stage.reps) * f64::from(stage.run_s) / pace;
            for pair in STAGES.windows(2) {
                let cap = (1.1 * km(&pair[0])).max(LONGEST_RUN_FLOOR_KM);
                assert!(km(&pair[1]) <= cap + 1e-9, "{pair:?} at {pace}");
            }
        }
        for pair in STAGES.windows(2) {
            assert!(pair[1].run_s >= pair[0].run_s && pair[1].walk_s <= pair[0].walk_s);
        }
    }
}
