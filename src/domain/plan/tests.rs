//! Tests of the plan engine as a whole: generated plans against the
//! validator, for hand-picked and for random valid requests.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::catalog::PlanCatalog;
use super::fixtures::{marathon_request, seed_catalog};
use super::generate::{PlanError, generate};
use super::model::{Plan, PlannedSession};
use super::request::PlanRequest;
use super::rules::{self, Severity};
use super::steps::Step;
use super::validate::validate;
use crate::domain::profile::{Race, RecentRace};
use crate::domain::vocabulary::*;
use crate::domain::zones::predicted_time_s;

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

/// The pace and heart-rate inputs: a recent race at some VDOT (its time
/// from Daniels' equations, so that it is a believable one), heart rates
/// in their ranges.
type Pacing = (Option<RecentRace>, Option<u16>, Option<u16>, Option<u16>);

fn pacing_strategy() -> impl Strategy<Value = Pacing> {
    (
        proptest::option::of((
            proptest::sample::select(vec![3.0, 5.0, 10.0, 21.0975, 42.195]),
            25.0f64..70.0,
        )),
        proptest::option::of((170u16..=205, 40u16..=70)),
        proptest::option::of(5u16..=25),
        any::<bool>(),
    )
        .prop_map(|(race, hearts, below_max, karvonen_only)| {
            let recent_race = race.map(|(distance_km, vdot)| RecentRace {
                distance_km,
                time_s: predicted_time_s(vdot, distance_km * 1000.0).round() as u32,
                date: None,
            });
            let (max_hr, resting_hr) =
                hearts.map_or((None, None), |(max, rest)| (Some(max), Some(rest)));
            let threshold_hr = match (max_hr, below_max) {
                (Some(max), Some(below)) if !karvonen_only => Some(max - below),
                (None, Some(below)) => Some(190 - below * 2),
                _ => None,
            };
            (recent_race, max_hr, resting_hr, threshold_hr)
        })
}

prop_compose! {
    pub(crate) fn request_strategy()(
        days in weekday_strategy(),
        long_index in 0usize..7,
        runs_seed in 0u8..8,
        strength in proptest::option::of(1u8..=3),
        goal in proptest::sample::select(Goal::ALL.to_vec()),
        experience in proptest::sample::select(Experience::ALL.to_vec()),
        weeks in 1u8..=52,
        race_kind in proptest::option::of(proptest::sample::select(RaceDistance::ALL.to_vec())),
        start_offset in 0i64..7,
        // A quarter of the athletes barely run yet: the walk/run path.
        current in prop_oneof![3 => 0.0f64..120.0, 1 => 0.0f64..6.0],
        longest_share in 0.0f64..0.6,
        minutes in proptest::option::of(30u16..=180),
        long_minutes in proptest::option::of(30u16..=300),
        equipment in proptest::sample::subsequence(Equipment::ALL[1..].to_vec(), 0..=12),
        injuries in proptest::sample::subsequence(InjuryArea::ALL.to_vec(), 0..=3),
        allow_hiit in any::<bool>(),
        allow_two_a_days in any::<bool>(),
        pacing in pacing_strategy(),
    ) -> PlanRequest {
        let start_date = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + chrono::Duration::days(start_offset);
        let runs_per_week = runs_seed % (days.len() as u8 + 1);
        let race = race_kind.map(|distance| Race {
            date: start_date + chrono::Duration::days(i64::from(weeks) * 7 - 1 - start_offset % 3),
            distance,
            distance_km: (distance == RaceDistance::Custom).then_some(30.0),
        });
        let (recent_race, max_hr, resting_hr, threshold_hr) = pacing;
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
            long_run_minutes: long_minutes,
            recent_race,
            max_hr,
            resting_hr,
            threshold_hr,
        }
    }
}

/// What a generated plan shows beyond the hard rules: reasons and steps on
/// every run, steps that add up, no run over 3.5 h, the race on its date,
/// walk/run first for someone who barely runs.
fn check_runs(request: &PlanRequest, plan: &Plan) -> Result<(), TestCaseError> {
    for day in plan.days() {
        for session in day.sessions.iter().filter(|s| s.kind.is_run()) {
            prop_assert!(
                !session.reasons.is_empty(),
                "{} on {} has no reasons",
                session.title,
                day.date
            );
            prop_assert!(
                !session.steps.is_empty(),
                "{} on {} has no steps",
                session.title,
                day.date
            );
        }
    }
    for rule in [rules::RUN_STEPS, rules::LONG_RUN_DURATION] {
        prop_assert!(
            plan.soft_violations.iter().all(|v| v.rule_id != rule),
            "{:?}",
            plan.soft_violations
        );
    }
    if let Some(race) = &request.race {
        let on_race_day = plan.days().find(|d| d.date == race.date);
        prop_assert!(
            on_race_day.is_some_and(|d| d.sessions.iter().any(|s| s.kind == SessionKind::Race)),
            "no race on {}",
            race.date
        );
    }
    if super::generate::walk_run::needed(request) {
        let first_runs: Vec<&PlannedSession> = plan.weeks[0]
            .days
            .iter()
            .flat_map(|d| &d.sessions)
            .filter(|s| s.kind.is_run() && s.kind != SessionKind::Race)
            .collect();
        prop_assert!(
            first_runs
                .iter()
                .all(|s| s.steps.iter().any(Step::is_walk_run)),
            "walk/run first: {:?}",
            first_runs.iter().map(|s| &s.title).collect::<Vec<_>>()
        );
    }
    if request.recent_race.is_some() {
        prop_assert!(plan.zones.as_ref().is_some_and(|z| z.vdot.is_some()));
    }
    Ok(())
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
                check_runs(&request, &plan)?;
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
