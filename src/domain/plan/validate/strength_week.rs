//! A week's strength work: every major muscle group, the goal's
//! emphasis, rep ranges for the athlete's experience; how many strength
//! sessions a week holds.

use chrono::NaiveDate;

use super::{Findings, is_strength};
use crate::domain::load::MAJOR_GROUPS;
use crate::domain::plan::catalog::{PlanCatalog, is_plyometric, is_single_leg};
use crate::domain::plan::model::PlannedWeek;
use crate::domain::plan::model::{Plan, PlannedExercise, PlannedSession};
use crate::domain::plan::rules;
use crate::domain::vocabulary::{Category, Experience, Goal, Muscle, Phase};

pub(super) fn check_strength_week(
    plan: &Plan,
    phase: Phase,
    start: NaiveDate,
    sessions: &[&PlannedSession],
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    let strength: Vec<&&PlannedSession> = sessions.iter().filter(|s| is_strength(s.kind)).collect();
    if strength.is_empty() {
        return;
    }
    let main: Vec<(&PlannedExercise, &crate::domain::catalog::Exercise)> = strength
        .iter()
        .flat_map(|s| &s.exercises)
        .filter_map(|p| {
            catalog
                .lookup(p.exercise_id, &p.exercise_slug)
                .map(|e| (p, e))
        })
        .collect();
    let trained = |group: &[Muscle]| {
        main.iter().any(|(_, e)| {
            e.definition
                .primary_muscles
                .iter()
                .any(|m| group.contains(m))
        })
    };
    // The same groups as the load report's "untrained for 14 days" warning.
    let missing: Vec<&str> = MAJOR_GROUPS
        .iter()
        .filter(|(_, g)| !trained(g))
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        findings.add(
            rules::MUSCLE_BALANCE,
            &[start],
            format!("The week of {start} trains no {}.", missing.join(", ")),
            "Add an exercise for each missing group to one of the week's sessions.",
        );
    }
    let building = matches!(phase, Phase::Base | Phase::Build);
    let emphasis_missing = match plan.goal {
        Goal::SpeedPower if building => !main.iter().any(|(_, e)| is_plyometric(e)),
        Goal::RunningForm => !main.iter().any(|(_, e)| is_single_leg(e)),
        Goal::InjuryPrevention => plan.athlete.as_ref().is_some_and(|a| {
            !a.injuries.is_empty()
                && !main.iter().any(|(_, e)| {
                    e.definition
                        .helps_with
                        .iter()
                        .any(|area| a.injuries.contains(area))
                })
        }),
        // Muscular endurance: sets of 12 or more (10 for a beginner, whose
        // sets stay within 8–12), or holds of 30 s or more (planks, wall
        // sits); the heavy main lifts serve running economy.
        Goal::Endurance if building => {
            let high_reps = if plan.experience == Experience::Beginner {
                10
            } else {
                12
            };
            !main.iter().any(|(p, _)| {
                p.reps.is_some_and(|r| r >= high_reps) || p.hold_s.is_some_and(|s| s >= 30)
            })
        }
        _ => false,
    };
    if emphasis_missing {
        findings.add(
            rules::GOAL_EMPHASIS,
            &[start],
            format!("The week of {start} has no work that serves the {} goal.", plan.goal),
            "Add the goal's typical work (plyometrics, higher reps, single-leg or protective exercises).",
        );
    }
    let rep_based: Vec<u8> = main
        .iter()
        .filter(|(_, e)| !is_plyometric(e) && e.definition.category != Category::Mobility)
        .filter_map(|(p, _)| p.reps)
        .collect();
    let wrong = match plan.experience {
        Experience::Beginner => rep_based.iter().any(|r| !(8..=12).contains(r)),
        _ if building => !main
            .iter()
            .any(|(p, _)| p.sets >= 3 && p.reps.is_some_and(|r| (4..=6).contains(&r))),
        _ => false,
    };
    if wrong {
        findings.add(
            rules::REP_RANGES,
            &[start],
            match plan.experience {
                Experience::Beginner => format!("The week of {start} has beginner sets outside 8–12 reps."),
                _ => format!("The week of {start} has no heavy set (3 × 4–6) for a trained athlete."),
            },
            "Beginners: 8–12 reps. Trained athletes in base and build: a heavy 3 × 4–6 lift plus plyometrics.",
        );
    }
}

/// Two or three strength sessions in loading weeks, one in taper weeks.
pub(super) fn check_counts(
    week: &PlannedWeek,
    sessions: &[&PlannedSession],
    findings: &mut Findings,
) {
    let start = week.start_date;
    let strength_count = sessions.iter().filter(|s| is_strength(s.kind)).count();
    if week.phase == Phase::Taper && strength_count > 1 {
        findings.add(
            rules::TAPER_STRENGTH,
            &[start],
            format!(
                "Taper week {} has {strength_count} strength sessions.",
                week.index
            ),
            "Keep one short maintenance strength session in taper weeks.",
        );
    }
    if matches!(week.phase, Phase::Base | Phase::Build | Phase::Peak)
        && !(2..=3).contains(&strength_count)
        && week.days.len() == 7
    {
        findings.add(
            rules::STRENGTH_FREQUENCY,
            &[start],
            format!(
                "Week {} has {strength_count} strength session(s).",
                week.index
            ),
            "Plan two or three full-body strength sessions a week.",
        );
    }
}
