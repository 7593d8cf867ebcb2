//! Each session on its own: warm-up and cool-down, the shape of a
//! strength session, exercises safe for the athlete's injuries and
//! possible with their equipment.

use chrono::NaiveDate;

use super::{Findings, is_hard};
use crate::domain::plan::catalog::{PlanCatalog, is_core, is_single_leg};
use crate::domain::plan::model::{Plan, PlannedExercise, PlannedSession};
use crate::domain::plan::rules;
use crate::domain::plan::steps::Step;
use crate::domain::vocabulary::SessionKind;

fn all_exercises(session: &PlannedSession) -> impl Iterator<Item = &PlannedExercise> {
    session
        .warm_up
        .iter()
        .chain(&session.exercises)
        .chain(&session.cool_down)
}

pub(super) fn check_sessions(
    plan: &Plan,
    days: &[(NaiveDate, &Vec<PlannedSession>)],
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    for (date, sessions) in days {
        for session in sessions.iter().filter(|s| s.kind != SessionKind::Rest) {
            // A run warms up with its first steps (easy jogging) and
            // cools down with its last, or with drills.
            let jog_first = matches!(session.steps.first(), Some(Step::WarmUp(_) | Step::Walk(_)));
            let jog_last = matches!(
                session.steps.last(),
                Some(Step::CoolDown(_) | Step::Walk(_))
            );
            if session.warm_up.is_empty() && !jog_first {
                findings.add(
                    rules::WARM_UP,
                    &[*date],
                    format!("{} on {date} has no warm-up.", session.title),
                    "Add a warm-up: easy jogging and dynamic drills.",
                );
            }
            if is_hard(session.kind) && session.cool_down.is_empty() && !jog_last {
                findings.add(
                    rules::COOL_DOWN,
                    &[*date],
                    format!("{} on {date} has no cool-down.", session.title),
                    "Add a cool-down: easy jogging and stretches.",
                );
            }
            if session.kind == SessionKind::Strength {
                check_strength_shape(session, *date, catalog, findings);
            }
            if let Some(athlete) = &plan.athlete {
                for planned in all_exercises(session) {
                    let Some(exercise) =
                        catalog.lookup(planned.exercise_id, &planned.exercise_slug)
                    else {
                        continue;
                    };
                    let hurt: Vec<&str> = exercise
                        .definition
                        .avoid_with
                        .iter()
                        .filter(|area| athlete.injuries.contains(area))
                        .map(|area| area.as_str())
                        .collect();
                    if !hurt.is_empty() {
                        findings.add(
                            rules::INJURY_SAFE,
                            &[*date],
                            format!(
                                "{} on {date} should be avoided with a {} injury.",
                                exercise.definition.name,
                                hurt.join("/")
                            ),
                            "Use a substitute that spares the injured area.",
                        );
                    }
                    let missing: Vec<&str> = exercise
                        .definition
                        .missing_with(&athlete.equipment)
                        .iter()
                        .map(|item| item.as_str())
                        .collect();
                    if !missing.is_empty() {
                        findings.add(
                            rules::EQUIPMENT_AVAILABLE,
                            &[*date],
                            format!(
                                "{} on {date} needs {}.",
                                exercise.definition.name,
                                missing.join(", ")
                            ),
                            "Use a substitute the athlete has the equipment for.",
                        );
                    }
                }
            }
        }
    }
}

fn check_strength_shape(
    session: &PlannedSession,
    date: NaiveDate,
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    let known: Vec<_> = session
        .exercises
        .iter()
        .filter_map(|e| catalog.lookup(e.exercise_id, &e.exercise_slug))
        // Explosive work comes before the lifts (rule explosive_first).
        .filter(|e| !crate::domain::plan::strength_rules::is_explosive_work(e))
        .collect();
    let mut problems = Vec::new();
    if let Some(first_isolation) = known.iter().position(|e| !e.definition.compound)
        && known[first_isolation..]
            .iter()
            .any(|e| e.definition.compound)
    {
        problems.push("a compound exercise comes after an isolation one");
    }
    if !known.iter().any(|e| is_single_leg(e)) {
        problems.push("no single-leg work");
    }
    if !known.iter().any(|e| is_core(e)) {
        problems.push("no core stability work");
    }
    if !problems.is_empty() {
        findings.add(
            rules::STRENGTH_SESSION_SHAPE,
            &[date],
            format!("{} on {date}: {}.", session.title, problems.join(", ")),
            "Order compound lifts first and include one single-leg and one core exercise.",
        );
    }
}
