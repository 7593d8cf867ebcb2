//! One test per hard rule: a hand-made week that keeps every rule, and for
//! each rule a change that breaks exactly that one.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};

use super::catalog::PlanCatalog;
use super::fixtures::seed_catalog;
use super::model::*;
use super::rules::{self, Severity};
use super::validate::validate;
use crate::domain::vocabulary::*;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() // a Monday
}

fn entry(catalog: &PlanCatalog, slug: &str, sets: u8, reps: Option<u8>) -> PlannedExercise {
    let exercise = catalog
        .by_slug(slug)
        .unwrap_or_else(|| panic!("{slug} not in the seed"));
    PlannedExercise {
        exercise_id: Some(exercise.id),
        exercise_slug: slug.to_owned(),
        sets,
        reps: reps.or(exercise.definition.default_prescription.reps),
        hold_s: exercise.definition.default_prescription.hold_s,
        tempo: None,
        rest_s: 60,
        target_rir: Some(2),
        load_kg: None,
        foot_contacts: None,
    }
}

fn first_of(catalog: &PlanCatalog, category: Category) -> String {
    catalog
        .exercises()
        .iter()
        .find(|e| {
            e.definition.category == category
                && e.definition.avoid_with.is_empty()
                && e.definition.equipment == [Equipment::None]
        })
        .unwrap()
        .definition
        .slug
        .clone()
}

pub(super) fn run(catalog: &PlanCatalog, kind: SessionKind, km: f64, rpe: u8) -> PlannedSession {
    let hard = kind != SessionKind::EasyRun;
    PlannedSession {
        kind,
        title: format!("{kind}"),
        time_of_day: TimeOfDay::Morning,
        duration_min: (km * 6.0) as u16,
        distance_km: Some(km),
        target_rpe: rpe,
        warm_up: vec![entry(
            catalog,
            &first_of(catalog, Category::WarmUp),
            1,
            None,
        )],
        cool_down: if hard {
            vec![entry(
                catalog,
                &first_of(catalog, Category::CoolDown),
                1,
                None,
            )]
        } else {
            vec![]
        },
        exercises: vec![],
        reasons: vec![],
        steps: vec![],
    }
}

pub(super) fn strength(catalog: &PlanCatalog, slugs: &[&str]) -> PlannedSession {
    PlannedSession {
        kind: SessionKind::Strength,
        title: "Strength".to_owned(),
        time_of_day: TimeOfDay::Morning,
        duration_min: 45,
        distance_km: None,
        target_rpe: 7,
        warm_up: vec![entry(
            catalog,
            &first_of(catalog, Category::WarmUp),
            1,
            None,
        )],
        cool_down: vec![entry(
            catalog,
            &first_of(catalog, Category::CoolDown),
            1,
            None,
        )],
        exercises: slugs
            .iter()
            .map(|slug| entry(catalog, slug, 3, Some(5)))
            .collect(),
        reasons: vec![],
        steps: vec![],
    }
}

pub(super) const LEG_DAY: &[&str] = &["bodyweight-squat", "reverse-lunge", "band-row", "dead-bug"];

/// Mon strength, Tue easy, Wed tempo, Thu strength, Fri rest, Sat easy,
/// Sun long: a week that keeps every hard rule.
pub(super) fn clean_plan(catalog: &PlanCatalog) -> Plan {
    let sessions: Vec<Vec<PlannedSession>> = vec![
        vec![strength(catalog, LEG_DAY)],
        vec![run(catalog, SessionKind::EasyRun, 6.0, 3)],
        vec![run(catalog, SessionKind::TempoRun, 6.0, 7)],
        vec![strength(catalog, LEG_DAY)],
        vec![],
        vec![run(catalog, SessionKind::EasyRun, 6.0, 3)],
        vec![run(catalog, SessionKind::LongRun, 8.0, 4)],
    ];
    let days = sessions
        .into_iter()
        .enumerate()
        .map(|(i, sessions)| PlannedDay {
            date: start() + Duration::days(i as i64),
            sessions,
        })
        .collect();
    Plan {
        start_date: start(),
        end_date: start() + Duration::days(6),
        goal: Goal::GeneralFitness,
        experience: Experience::Intermediate,
        race: None,
        athlete: Some(PlanAthlete {
            equipment: vec![Equipment::ResistanceBand, Equipment::Mat],
            injuries: vec![],
            allow_two_a_days: false,
            current_weekly_km: 40.0,
            longest_recent_run_km: 8.0,
        }),
        weeks: vec![PlannedWeek {
            index: 1,
            start_date: start(),
            phase: Phase::Base,
            planned_run_km: 26.0,
            planned_run_min: 156,
            planned_load: 0,
            days,
        }],
        zones: None,
        rules_checked: vec![],
        soft_violations: vec![],
        notes: vec![],
    }
}

fn hard_rules(plan: &Plan, catalog: &PlanCatalog) -> BTreeSet<String> {
    validate(plan, catalog)
        .into_iter()
        .filter(|v| v.severity == Severity::Hard)
        .map(|v| v.rule_id)
        .collect()
}

pub(super) fn day(plan: &mut Plan, index: usize) -> &mut Vec<PlannedSession> {
    &mut plan.weeks[0].days[index].sessions
}

/// Applies `change` to the clean week and asserts that exactly `rule`
/// (and no other hard rule) is now broken.
pub(super) fn assert_breaks_only(rule: &str, change: impl FnOnce(&mut Plan, &PlanCatalog)) {
    let catalog = seed_catalog();
    let mut plan = clean_plan(&catalog);
    assert!(
        hard_rules(&plan, &catalog).is_empty(),
        "{:?}",
        validate(&plan, &catalog)
    );
    change(&mut plan, &catalog);
    let broken = hard_rules(&plan, &catalog);
    assert_eq!(
        broken,
        BTreeSet::from([rule.to_owned()]),
        "{:#?}",
        validate(&plan, &catalog)
    );
    let violation = validate(&plan, &catalog)
        .into_iter()
        .find(|v| v.rule_id == rule)
        .unwrap();
    assert!(
        !violation.dates.is_empty()
            && !violation.message.is_empty()
            && !violation.suggested_fix.is_empty()
    );
}

#[test]
fn the_clean_week_keeps_every_hard_rule() {
    let catalog = seed_catalog();
    assert!(hard_rules(&clean_plan(&catalog), &catalog).is_empty());
}

#[test]
fn a_long_run_the_day_after_leg_day_is_flagged() {
    assert_breaks_only(rules::NO_LONG_RUN_AFTER_LEG_DAY, |plan, _| {
        let long = day(plan, 6).clone();
        let easy = day(plan, 1).clone();
        *day(plan, 1) = long;
        *day(plan, 6) = easy;
    });
}

#[test]
fn a_hard_run_the_day_after_leg_day_is_flagged() {
    assert_breaks_only(rules::DAY_AFTER_LEG_DAY, |plan, _| {
        let tempo = day(plan, 2).clone();
        let easy = day(plan, 1).clone();
        *day(plan, 1) = tempo;
        *day(plan, 2) = easy;
    });
}

#[test]
fn the_same_muscles_two_days_running_are_flagged() {
    assert_breaks_only(rules::MUSCLE_RECOVERY_48H, |plan, catalog| {
        // Upper-body and core work: not leg-heavy, but back and abs again.
        *day(plan, 1) = vec![strength(
            catalog,
            &["band-row", "reverse-lunge", "dead-bug"],
        )];
    });
}

#[test]
fn a_week_without_rest_is_flagged() {
    assert_breaks_only(rules::REST_DAYS, |plan, catalog| {
        *day(plan, 4) = vec![run(catalog, SessionKind::EasyRun, 5.0, 3)];
    });
}

#[test]
fn two_sessions_in_a_day_without_two_a_days_are_flagged() {
    assert_breaks_only(rules::SAME_DAY_SPACING, |plan, catalog| {
        day(plan, 5).push(run(catalog, SessionKind::EasyRun, 4.0, 3));
    });
}

#[test]
fn strength_before_the_quality_run_is_flagged() {
    assert_breaks_only(rules::KEEP_HARD_DAYS_HARD, |plan, catalog| {
        plan.athlete.as_mut().unwrap().allow_two_a_days = true;
        let mut lift = strength(catalog, LEG_DAY);
        lift.time_of_day = TimeOfDay::Midday;
        let mut tempo = run(catalog, SessionKind::TempoRun, 6.0, 7);
        tempo.time_of_day = TimeOfDay::Evening;
        *day(plan, 2) = vec![lift, tempo];
        *day(plan, 3) = vec![];
    });
}

#[test]
fn a_volume_jump_over_30_percent_is_flagged() {
    assert_breaks_only(rules::RUN_VOLUME_CAP, |plan, _| {
        plan.athlete.as_mut().unwrap().current_weekly_km = 15.0;
    });
}

#[test]
fn a_run_over_110_percent_of_the_recent_longest_is_flagged() {
    assert_breaks_only(rules::LONGEST_RUN_CAP, |plan, _| {
        plan.athlete.as_mut().unwrap().longest_recent_run_km = 6.0;
    });
}

#[test]
fn a_session_without_warm_up_is_flagged() {
    assert_breaks_only(rules::WARM_UP, |plan, _| day(plan, 1)[0].warm_up.clear());
}

#[test]
fn a_hard_session_without_cool_down_is_flagged() {
    assert_breaks_only(rules::COOL_DOWN, |plan, _| {
        day(plan, 2)[0].cool_down.clear()
    });
}

#[test]
fn a_strength_session_without_core_or_single_leg_work_is_flagged() {
    assert_breaks_only(rules::STRENGTH_SESSION_SHAPE, |plan, catalog| {
        day(plan, 0)[0] = strength(catalog, &["bodyweight-squat", "glute-bridge", "band-row"]);
        day(plan, 0)[0]
            .exercises
            .retain(|e| e.exercise_slug != "dead-bug");
    });
}

#[test]
fn an_exercise_the_injury_forbids_is_flagged() {
    assert_breaks_only(rules::INJURY_SAFE, |plan, catalog| {
        // A body-weight warm-up drill that one injury rules out.
        let drill = catalog
            .exercises()
            .iter()
            .find(|e| {
                e.definition.category == Category::WarmUp
                    && e.definition.equipment == [Equipment::None]
                    && !e.definition.avoid_with.is_empty()
                    && !crate::domain::plan::catalog::is_jumping(e)
            })
            .expect("the seed has such a drill");
        day(plan, 1)[0]
            .warm_up
            .push(entry(catalog, &drill.definition.slug, 1, None));
        plan.athlete.as_mut().unwrap().injuries = vec![drill.definition.avoid_with[0]];
    });
}

#[test]
fn an_exercise_needing_missing_equipment_is_flagged() {
    assert_breaks_only(rules::EQUIPMENT_AVAILABLE, |plan, _| {
        plan.athlete.as_mut().unwrap().equipment = vec![Equipment::Mat];
    });
}

#[test]
fn two_strength_sessions_in_a_taper_week_are_flagged() {
    assert_breaks_only(rules::TAPER_STRENGTH, |plan, _| {
        plan.weeks[0].phase = Phase::Taper
    });
}

#[test]
fn every_hard_rule_has_a_breaking_test() {
    // Keep this list in step with the tests above when adding a hard rule.
    let tested = [
        rules::NO_LONG_RUN_AFTER_LEG_DAY,
        rules::DAY_AFTER_LEG_DAY,
        rules::MUSCLE_RECOVERY_48H,
        rules::REST_DAYS,
        rules::SAME_DAY_SPACING,
        rules::KEEP_HARD_DAYS_HARD,
        rules::RUN_VOLUME_CAP,
        rules::LONGEST_RUN_CAP,
        // validate_run_tests.rs:
        rules::WALK_RUN_FIRST,
        rules::RACE_DAY,
        rules::RACE_WEEK_EASY_DAYS,
        rules::RACE_WEEK_NO_LEG_STRENGTH,
        rules::WARM_UP,
        rules::COOL_DOWN,
        rules::STRENGTH_SESSION_SHAPE,
        rules::INJURY_SAFE,
        rules::EQUIPMENT_AVAILABLE,
        rules::TAPER_STRENGTH,
        rules::EXPLOSIVE_FIRST,
        rules::PLYOMETRIC_VOLUME,
        rules::NO_JUMPING_WHEN_INJURED,
    ];
    let hard: Vec<&str> = rules::RULES
        .iter()
        .filter(|r| r.severity == Severity::Hard)
        .map(|r| r.id)
        .collect();
    assert_eq!(hard, tested);
}

/// A jump planned as `sets` × `reps` with its foot contacts stated.
fn jump(catalog: &PlanCatalog, slug: &str, sets: u8, reps: u8) -> PlannedExercise {
    let mut planned = entry(catalog, slug, sets, Some(reps));
    planned.target_rir = None;
    planned.foot_contacts = Some(u16::from(sets) * u16::from(reps));
    planned
}

#[test]
fn a_jump_after_the_lifts_is_flagged() {
    assert_breaks_only(rules::EXPLOSIVE_FIRST, |plan, catalog| {
        day(plan, 0)[0]
            .exercises
            .push(jump(catalog, "pogo-hops", 2, 10));
    });
}

#[test]
fn more_than_100_foot_contacts_in_a_session_are_flagged() {
    assert_breaks_only(rules::PLYOMETRIC_VOLUME, |plan, catalog| {
        day(plan, 0)[0]
            .exercises
            .insert(0, jump(catalog, "pogo-hops", 6, 20));
    });
}
