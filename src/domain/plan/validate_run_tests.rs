//! The running rules of the validator on hand-made plans: one change that
//! breaks each new hard rule, and the soft rules' messages printing the
//! numbers that broke them.

use chrono::Duration;

use super::fixtures::seed_catalog;
use super::model::*;
use super::rules;
use super::validate::validate;
use super::validate_tests::{LEG_DAY, assert_breaks_only, clean_plan, day, run, strength};
use crate::domain::plan::catalog::PlanCatalog;
use crate::domain::profile::Race;
use crate::domain::vocabulary::*;

/// The clean week turned into a race week: strength on Monday only, a
/// short easy run the day before a 10 km race on Sunday.
fn race_week(plan: &mut Plan, catalog: &PlanCatalog) {
    let race_day = plan.start_date + Duration::days(6);
    plan.race = Some(Race {
        date: race_day,
        distance: RaceDistance::TenK,
        distance_km: None,
    });
    *day(plan, 3) = vec![];
    *day(plan, 5) = vec![run(catalog, SessionKind::EasyRun, 3.0, 3)];
    let mut race = run(catalog, SessionKind::Race, 10.0, 9);
    race.title = "Race: 10 km".to_owned();
    *day(plan, 6) = vec![race];
}

#[test]
fn a_race_plan_without_the_race_is_flagged() {
    assert_breaks_only(rules::RACE_DAY, |plan, catalog| {
        race_week(plan, catalog);
        day(plan, 6).clear();
    });
}

#[test]
fn a_hard_run_the_day_before_the_race_is_flagged() {
    assert_breaks_only(rules::RACE_WEEK_EASY_DAYS, |plan, catalog| {
        race_week(plan, catalog);
        *day(plan, 5) = vec![run(catalog, SessionKind::TempoRun, 6.0, 7)];
    });
}

#[test]
fn a_long_easy_run_two_days_before_the_race_is_flagged() {
    assert_breaks_only(rules::RACE_WEEK_EASY_DAYS, |plan, catalog| {
        race_week(plan, catalog);
        // 17 km easy, the marathon-week mistake of the old engine.
        *day(plan, 4) = vec![run(catalog, SessionKind::EasyRun, 7.0, 3)];
        day(plan, 4)[0].duration_min = 45;
        *day(plan, 2) = vec![];
    });
}

#[test]
fn leg_strength_three_days_before_the_race_is_flagged() {
    assert_breaks_only(rules::RACE_WEEK_NO_LEG_STRENGTH, |plan, catalog| {
        race_week(plan, catalog);
        *day(plan, 3) = vec![strength(catalog, LEG_DAY)];
    });
}

#[test]
fn quality_running_before_continuous_running_is_flagged_for_a_non_runner() {
    assert_breaks_only(rules::WALK_RUN_FIRST, |plan, catalog| {
        plan.athlete.as_mut().unwrap().longest_recent_run_km = 2.5;
        for index in [1, 2, 5, 6] {
            let kind = if index == 6 {
                SessionKind::LongRun
            } else {
                SessionKind::EasyRun
            };
            *day(plan, index) = vec![run(catalog, kind, 3.0, 3)];
        }
        *day(plan, 2) = vec![run(catalog, SessionKind::TempoRun, 3.0, 7)];
    });
}

fn soft_messages(plan: &Plan, rule: &str) -> String {
    validate(plan, &seed_catalog())
        .into_iter()
        .filter(|v| v.rule_id == rule)
        .map(|v| v.message)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn soft_messages_print_the_numbers_that_broke_the_rule() {
    let catalog = seed_catalog();
    let mut plan = clean_plan(&catalog);
    // A long run of 50.38% of the week, 13.4 of 26.6 km, prints as 50.4%
    // (rounding to 50% would seem to keep the rule).
    *day(&mut plan, 6) = vec![run(&catalog, SessionKind::LongRun, 13.4, 4)];
    *day(&mut plan, 5) = vec![run(&catalog, SessionKind::EasyRun, 1.2, 3)];
    plan.athlete.as_mut().unwrap().longest_recent_run_km = 13.0;
    plan.athlete.as_mut().unwrap().current_weekly_km = 26.0;
    let message = soft_messages(&plan, rules::LONG_RUN_SHARE);
    assert!(
        message.contains("is 50.4% of the week's 26.6 km"),
        "{message}"
    );
    // 26.6 km after 24.0 km is 10.83% more: printed 10.9%, with the limit.
    plan.athlete.as_mut().unwrap().current_weekly_km = 24.0;
    let message = soft_messages(&plan, rules::RUN_VOLUME_10PCT);
    assert!(message.contains("10.9% more than 24.0 km"), "{message}");
    assert!(message.contains("at most 10%"), "{message}");
}

#[test]
fn a_recovery_week_is_a_dip_not_a_new_base() {
    let catalog = seed_catalog();
    let mut plan = clean_plan(&catalog);
    let week = plan.weeks[0].clone();
    let shift = |week: &PlannedWeek, index: u16| {
        let mut week = week.clone();
        week.index = index;
        week.start_date += Duration::days(7 * i64::from(index - 1));
        for day in &mut week.days {
            day.date += Duration::days(7 * i64::from(index - 1));
        }
        week
    };
    let mut recovery = shift(&week, 2);
    recovery.phase = Phase::Recovery;
    for day in &mut recovery.days {
        for session in &mut day.sessions {
            if let Some(km) = session.distance_km.as_mut() {
                *km *= 0.75;
            }
        }
    }
    // The third week runs 28.6 km: 10% over week 1's 26 km, not over the
    // recovery week's 19.5 km, which a reset would compare it with.
    let mut third = shift(&week, 3);
    third.days[1].sessions[0].distance_km = Some(8.6);
    plan.weeks = vec![week, recovery, third];
    plan.end_date = plan.weeks[2].start_date + Duration::days(6);
    let violations = validate(&plan, &catalog);
    assert!(
        violations
            .iter()
            .all(|v| v.rule_id != rules::RUN_VOLUME_10PCT && v.rule_id != rules::RUN_VOLUME_CAP),
        "{violations:#?}"
    );
    // A third week back at the recovery week's level is flagged as going backwards.
    let mut shrunk = plan.clone();
    shrunk.weeks[2] = shrunk.weeks[1].clone();
    shrunk.weeks[2].phase = Phase::Build;
    shrunk.weeks[2].index = 3;
    let message = soft_messages(&shrunk, rules::VOLUME_FORWARD);
    assert!(
        message.contains("25.0% under an earlier loading week's 26.0 km"),
        "{message}"
    );
}

#[test]
fn a_plan_s_zones_are_an_object_with_known_fields_only() {
    let catalog = seed_catalog();
    let mut plan = serde_json::to_value(clean_plan(&catalog)).unwrap();
    plan["zones"] = serde_json::json!({"vdot": 39.1});
    assert!(serde_json::from_value::<Plan>(plan.clone()).is_ok());
    // serde's derive would read an array of the (optional) fields in order.
    plan["zones"] = serde_json::json!([null, null]);
    assert!(serde_json::from_value::<Plan>(plan.clone()).is_err());
    plan["zones"] = serde_json::json!({"vdot": 39.1, "vo2max": 50});
    assert!(serde_json::from_value::<Plan>(plan).is_err());
}
