//! Tests of the plan engine as a whole: generated plans against the
//! validator, for hand-picked and for random valid requests.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::catalog::PlanCatalog;
use super::generate::{PlanError, generate};
use super::model::Plan;
use super::request::PlanRequest;
use super::rules::Severity;
use super::validate::validate;
use crate::domain::profile::Race;
use crate::domain::vocabulary::*;

pub fn seed_catalog() -> PlanCatalog {
    PlanCatalog::new(crate::seed::exercises_with_fixed_ids())
}

pub fn marathon_request() -> PlanRequest {
    PlanRequest {
        start_date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        weeks: None,
        race: Some(Race {
            date: NaiveDate::from_ymd_opt(2027, 4, 18).unwrap(),
            distance: RaceDistance::Marathon,
            distance_km: None,
        }),
        goal: Goal::Endurance,
        experience: Experience::Intermediate,
        available_days: vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Saturday,
            Weekday::Sunday,
        ],
        minutes_per_day: Some(90),
        long_run_day: Weekday::Sunday,
        runs_per_week: 4,
        strength_sessions_per_week: Some(2),
        current_weekly_km: 40.0,
        longest_recent_run_km: 16.0,
        equipment: vec![
            Equipment::Dumbbell,
            Equipment::Mat,
            Equipment::ResistanceBand,
        ],
        injuries: vec![InjuryArea::Knee],
        allow_hiit: false,
        allow_two_a_days: false,
        long_run_minutes: None,
        recent_race: None,
        max_hr: None,
        resting_hr: None,
        threshold_hr: None,
    }
}

fn hard_violations(plan: &Plan, catalog: &PlanCatalog) -> Vec<String> {
    validate(plan, catalog)
        .into_iter()
        .filter(|v| v.severity == Severity::Hard)
        .map(|v| format!("{}: {}", v.rule_id, v.message))
        .collect()
}

#[test]
fn a_marathon_plan_has_phases_a_taper_reasons_and_no_hard_violation() {
    let catalog = seed_catalog();
    let plan = generate(&marathon_request(), &catalog).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(hard_violations(&plan, &catalog).is_empty());
    assert_eq!(plan.end_date, NaiveDate::from_ymd_opt(2027, 4, 18).unwrap());
    assert_eq!(plan.weeks.len(), 19);
    let phases: Vec<Phase> = plan.weeks.iter().map(|w| w.phase).collect();
    assert_eq!(&phases[16..], [Phase::Taper; 3], "{phases:?}");
    for phase in [Phase::Base, Phase::Build, Phase::Peak, Phase::Recovery] {
        assert!(phases.contains(&phase), "{phase:?} missing: {phases:?}");
    }
    let peak = plan
        .weeks
        .iter()
        .map(|w| w.planned_run_km)
        .fold(0.0, f64::max);
    assert!(peak > 40.0, "volume should build: {peak}");
    let last = plan.weeks.last().unwrap().planned_run_km;
    assert!(last < 0.65 * peak, "taper cuts volume: {last} of {peak}");
    let reasons: usize = plan
        .days()
        .flat_map(|d| &d.sessions)
        .map(|s| s.reasons.len())
        .sum();
    assert!(reasons > 0);
    // The knee is spared and the equipment respected.
    for exercise in plan
        .days()
        .flat_map(|d| &d.sessions)
        .flat_map(|s| s.exercises.iter().chain(&s.warm_up))
    {
        let e = catalog.by_slug(&exercise.exercise_slug).unwrap();
        assert!(
            !e.definition.avoid_with.contains(&InjuryArea::Knee),
            "{}",
            e.definition.slug
        );
    }
}

#[test]
fn three_strength_sessions_and_a_long_run_in_three_days_is_refused() {
    let mut request = marathon_request();
    request.available_days = vec![Weekday::Monday, Weekday::Wednesday, Weekday::Friday];
    request.long_run_day = Weekday::Friday;
    request.runs_per_week = 1;
    request.strength_sessions_per_week = Some(3);
    match generate(&request, &seed_catalog()) {
        Err(PlanError::Infeasible {
            conflict,
            suggestions,
        }) => {
            assert!(conflict.contains("3 lower-body strength"), "{conflict}");
            assert!(!suggestions.is_empty());
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
}

fn weekday_strategy() -> impl Strategy<Value = Vec<Weekday>> {
    proptest::sample::subsequence(Weekday::ALL.to_vec(), 2..=7)
}

prop_compose! {
    fn request_strategy()(
        days in weekday_strategy(),
        long_index in 0usize..7,
        runs_seed in 0u8..8,
        strength in proptest::option::of(1u8..=3),
        goal in proptest::sample::select(Goal::ALL.to_vec()),
        experience in proptest::sample::select(Experience::ALL.to_vec()),
        weeks in 1u8..=52,
        race_kind in proptest::option::of(proptest::sample::select(RaceDistance::ALL.to_vec())),
        start_offset in 0i64..7,
        current in 0.0f64..120.0,
        longest_share in 0.0f64..0.6,
        minutes in proptest::option::of(30u16..=180),
        equipment in proptest::sample::subsequence(Equipment::ALL[1..].to_vec(), 0..=12),
        injuries in proptest::sample::subsequence(InjuryArea::ALL.to_vec(), 0..=3),
        allow_hiit in any::<bool>(),
        allow_two_a_days in any::<bool>(),
    ) -> PlanRequest {
        let start_date = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + chrono::Duration::days(start_offset);
        let runs_per_week = runs_seed % (days.len() as u8 + 1);
        let race = race_kind.map(|distance| Race {
            date: start_date + chrono::Duration::days(i64::from(weeks) * 7 - 1 - start_offset % 3),
            distance,
            distance_km: (distance == RaceDistance::Custom).then_some(30.0),
        });
        PlanRequest {
            start_date,
            weeks: if race.is_some() { None } else { Some(weeks) },
            race,
            goal,
            experience,
            long_run_day: days[long_index % days.len()],
            available_days: days,
            minutes_per_day: minutes,
            runs_per_week,
            strength_sessions_per_week: strength,
            current_weekly_km: (current * 10.0).round() / 10.0,
            longest_recent_run_km: (current * longest_share * 10.0).round() / 10.0,
            equipment,
            injuries,
            allow_hiit,
            allow_two_a_days,
            long_run_minutes: None,
            recent_race: None,
            max_hr: None,
            resting_hr: None,
            threshold_hr: None,
        }
    }
}

proptest! {
    // A fixed seed keeps CI repeatable; 20,000 random-seed cases passed
    // locally before it was fixed.
    #![proptest_config(ProptestConfig {
        cases: 500,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7275_6e73),
        ..ProptestConfig::default()
    })]

    /// Every generated plan keeps every hard rule; infeasible requests get
    /// the conflict, never a broken plan; the same input gives the same plan.
    #[test]
    fn generated_plans_never_break_a_hard_rule(request in request_strategy()) {
        let catalog = seed_catalog();
        match generate(&request, &catalog) {
            Ok(plan) => {
                let hard = hard_violations(&plan, &catalog);
                prop_assert!(hard.is_empty(), "{:?}", hard);
                prop_assert_eq!(&plan, &generate(&request, &catalog).unwrap());
                prop_assert!(plan.weeks.iter().all(|w| !w.days.is_empty()));
            }
            Err(PlanError::Infeasible { conflict, suggestions }) => {
                prop_assert!(!conflict.is_empty());
                prop_assert!(!suggestions.is_empty());
            }
            Err(PlanError::Invalid(errors)) => prop_assert!(false, "valid request refused: {:?}", errors),
            Err(PlanError::Internal(message)) => prop_assert!(false, "{}", message),
        }
    }
}

#[test]
fn common_requests_are_feasible_for_every_goal_and_level() {
    let catalog = seed_catalog();
    for goal in Goal::ALL {
        for experience in Experience::ALL {
            for (days, two_a_days) in [(6, false), (4, true)] {
                let mut request = marathon_request();
                request.goal = *goal;
                request.experience = *experience;
                request.available_days = Weekday::ALL[7 - days..].to_vec();
                request.long_run_day = Weekday::Sunday;
                request.allow_two_a_days = two_a_days;
                request.allow_hiit = true;
                // Beginners keep two rest days: five days hold 3 runs + 2 lifts.
                if *experience == Experience::Beginner {
                    request.runs_per_week = 3;
                }
                let plan = generate(&request, &catalog)
                    .unwrap_or_else(|e| panic!("{goal} {experience} {days} days: {e:?}"));
                assert!(hard_violations(&plan, &catalog).is_empty());
                let strength = plan.weeks[0]
                    .days
                    .iter()
                    .flat_map(|d| &d.sessions)
                    .filter(|s| matches!(s.kind, SessionKind::Strength | SessionKind::HiitCircuit))
                    .count();
                assert_eq!(strength, 2, "{goal} {experience} {days} days");
            }
        }
    }
}
