//! Plans for realistic athletes held against what published plans do
//! (REFERENCES.md: Higdon, Pfitzinger, Couch to 5K). The requests are the
//! files under `tests/fixtures/plans/`, which `../shared/tools/plan-table`
//! reads too.

use chrono::{Duration, NaiveDate};

use super::fixtures::seed_catalog;
use super::generate::{PlanError, generate};
use super::model::{Plan, PlannedSession, PlannedWeek};
use super::request::PlanRequest;
use super::rules;
use super::steps::Step;
use crate::domain::vocabulary::{Phase, SessionKind};

fn fixture(json: &str) -> PlanRequest {
    serde_json::from_str(json).expect("a fixture is a plan request")
}

fn plan_for(json: &str) -> Plan {
    generate(&fixture(json), &seed_catalog()).unwrap_or_else(|e| panic!("{e:?}"))
}

fn sessions(week: &PlannedWeek) -> impl Iterator<Item = (NaiveDate, &PlannedSession)> {
    week.days
        .iter()
        .flat_map(|d| d.sessions.iter().map(move |s| (d.date, s)))
}

fn training_runs(week: &PlannedWeek) -> impl Iterator<Item = &PlannedSession> {
    sessions(week)
        .map(|(_, s)| s)
        .filter(|s| s.kind.is_run() && s.kind != SessionKind::Race)
}

fn longest(week: &PlannedWeek) -> f64 {
    training_runs(week)
        .filter_map(|s| s.distance_km)
        .fold(0.0, f64::max)
}

fn peak_km(plan: &Plan) -> f64 {
    plan.weeks
        .iter()
        .map(|w| w.planned_run_km)
        .fold(0.0, f64::max)
}

/// What every race plan must show: volume forward, the peak week the
/// largest, a falling taper, a race week at 40–60% of the peak, easy last
/// days, no leg strength in the last four, the race on its date, and
/// reasons and steps on every run.
fn check_race_plan(plan: &Plan, taper_weeks: usize) {
    let loading: Vec<&PlannedWeek> = plan
        .weeks
        .iter()
        .filter(|w| matches!(w.phase, Phase::Base | Phase::Build | Phase::Peak))
        .collect();
    let mut best: f64 = 0.0;
    for week in &loading {
        // The validator's 2%, and its rounding slack.
        assert!(
            week.planned_run_km + 0.05 >= 0.98 * best,
            "week {} goes backwards: {} after {best}",
            week.index,
            week.planned_run_km
        );
        best = best.max(week.planned_run_km);
    }
    let peak = peak_km(plan);
    if plan.weeks.iter().any(|w| w.phase == Phase::Peak) {
        assert!(
            plan.weeks
                .iter()
                .any(|w| w.phase == Phase::Peak && w.planned_run_km >= peak - 0.05),
            "a peak week is the largest"
        );
    }
    let before_taper = plan.weeks.len() - taper_weeks;
    assert!(
        plan.weeks[before_taper..]
            .iter()
            .all(|w| w.phase == Phase::Taper)
    );
    assert_ne!(
        plan.weeks[before_taper - 1].phase,
        Phase::Recovery,
        "no recovery week just before the taper"
    );
    for pair in plan.weeks[before_taper - 1..].windows(2) {
        assert!(
            pair[1].planned_run_km < pair[0].planned_run_km,
            "the taper falls every week"
        );
    }
    let race_week = plan.weeks.last().unwrap();
    let share = race_week.planned_run_km / peak;
    assert!(
        (0.4..=0.6).contains(&share),
        "race week at {share:.2} of the peak"
    );
    let race = plan.race.as_ref().unwrap();
    let races: Vec<_> = plan
        .days()
        .flat_map(|d| d.sessions.iter().map(move |s| (d.date, s)))
        .filter(|(_, s)| s.kind == SessionKind::Race)
        .collect();
    assert_eq!(races.len(), 1);
    assert_eq!(races[0].0, race.date);
    assert!(!races[0].1.steps.is_empty() && !races[0].1.warm_up.is_empty());
    for day in plan.days() {
        let to_race = (race.date - day.date).num_days();
        for session in &day.sessions {
            if (1..=2).contains(&to_race) {
                assert_eq!(
                    session.kind,
                    SessionKind::EasyRun,
                    "{} days out: {}",
                    to_race,
                    session.title
                );
                assert!(session.duration_min <= 30);
            }
            if (1..=4).contains(&to_race) {
                assert!(!matches!(
                    session.kind,
                    SessionKind::Strength | SessionKind::HiitCircuit
                ));
            }
            if (1..=6).contains(&to_race) {
                assert_ne!(session.kind, SessionKind::LongRun);
            }
        }
    }
    check_every_run(plan);
}

fn check_every_run(plan: &Plan) {
    for week in &plan.weeks {
        for (date, session) in sessions(week).filter(|(_, s)| s.kind.is_run()) {
            assert!(
                !session.reasons.is_empty(),
                "{date} {} has no reasons",
                session.title
            );
            assert!(
                !session.steps.is_empty(),
                "{date} {} has no steps",
                session.title
            );
            assert!(
                matches!(session.steps[0], Step::WarmUp(_)),
                "{date} {} starts with its warm-up",
                session.title
            );
        }
    }
    let soft: Vec<&str> = plan
        .soft_violations
        .iter()
        .map(|v| v.rule_id.as_str())
        .collect();
    for rule in [
        rules::RUN_STEPS,
        rules::LONG_RUN_DURATION,
        rules::TAPER,
        rules::RACE_WEEK_VOLUME,
    ] {
        assert!(!soft.contains(&rule), "{rule}: {:?}", plan.soft_violations);
    }
}

#[test]
fn a_first_marathon_builds_a_28_km_long_run_and_a_55_to_70_km_week() {
    // Beginner, 24 km a week, longest 10 km, 18 weeks, 4 runs (Higdon
    // Novice 1: 64 km and 32 km at peak; from 10 km the 110% rule allows
    // about 28 km in 15 weeks).
    let plan = plan_for(include_str!(
        "../../../tests/fixtures/plans/first-marathon.json"
    ));
    assert_eq!(plan.weeks.len(), 18);
    check_race_plan(&plan, 3);
    let long = plan.weeks.iter().map(longest).fold(0.0, f64::max);
    assert!((28.0..=32.5).contains(&long), "peak long run {long}");
    assert!(
        (55.0..=70.0).contains(&peak_km(&plan)),
        "peak week {}",
        peak_km(&plan)
    );
    assert!(
        (23.0..=25.0).contains(&plan.weeks[0].planned_run_km),
        "week 1 starts where the athlete is"
    );
    // A recovery week every third week; the week after it resumes above
    // the week before it.
    assert_eq!(plan.weeks[2].phase, Phase::Recovery);
    assert!(plan.weeks[3].planned_run_km > plan.weeks[1].planned_run_km);
    // No quality for a beginner in the base phase; easy runs of different lengths.
    let base = &plan.weeks[0];
    assert!(
        training_runs(base).all(|s| matches!(s.kind, SessionKind::EasyRun | SessionKind::LongRun))
    );
    let mut easy: Vec<f64> = training_runs(base)
        .filter(|s| s.kind == SessionKind::EasyRun)
        .filter_map(|s| s.distance_km)
        .collect();
    easy.dedup();
    assert!(easy.len() >= 2, "easy runs differ in length: {easy:?}");
}

#[test]
fn an_experienced_marathoner_runs_85_to_100_km_with_32_to_35_km_long_runs() {
    // Advanced, 65 km a week, 6 runs (Pfitzinger 18/55: 88 km, three 32 km runs).
    let plan = plan_for(include_str!(
        "../../../tests/fixtures/plans/experienced-marathon.json"
    ));
    check_race_plan(&plan, 3);
    assert!(
        (85.0..=100.0).contains(&peak_km(&plan)),
        "peak week {}",
        peak_km(&plan)
    );
    let long_runs: Vec<f64> = plan.weeks.iter().map(longest).collect();
    assert!(
        long_runs
            .iter()
            .filter(|k| (32.0..=35.0).contains(*k))
            .count()
            >= 3,
        "{long_runs:?}"
    );
    assert!(long_runs.iter().all(|k| *k <= 35.0));
    let all: Vec<&PlannedSession> = plan.weeks.iter().flat_map(training_runs).collect();
    assert!(
        all.iter().all(|s| s.duration_min <= 210),
        "no run over 3.5 h"
    );
    for title in [
        "Medium-long run",
        "at marathon pace",
        "Intervals:",
        "Tempo run",
        "Hill repeats",
    ] {
        assert!(all.iter().any(|s| s.title.contains(title)), "no {title}");
    }
    // Pfitzinger's taper: about 78, 58 and 40% of the peak.
    let shares: Vec<f64> = plan.weeks[15..]
        .iter()
        .map(|w| w.planned_run_km / peak_km(&plan))
        .collect();
    assert!(
        shares[0] >= 0.7 && shares[1] > 0.55 && shares[2] <= 0.55,
        "{shares:?}"
    );
}

#[test]
fn a_half_on_four_days_has_race_sized_long_runs_and_two_taper_weeks() {
    let plan = plan_for(include_str!(
        "../../../tests/fixtures/plans/half-four-days.json"
    ));
    check_race_plan(&plan, 2);
    let long = plan.weeks.iter().map(longest).fold(0.0, f64::max);
    assert!((18.0..=23.0).contains(&long), "peak long run {long}");
    for week in &plan.weeks {
        let runs = training_runs(week).count();
        assert!(
            runs <= 4,
            "week {} has {runs} runs on four days",
            week.index
        );
    }
    let quality_weeks = plan
        .weeks
        .iter()
        .filter(|w| matches!(w.phase, Phase::Build | Phase::Peak))
        .filter(|w| {
            training_runs(w)
                .any(|s| matches!(s.kind, SessionKind::TempoRun | SessionKind::IntervalRun))
        })
        .count();
    let build_and_peak = plan
        .weeks
        .iter()
        .filter(|w| matches!(w.phase, Phase::Build | Phase::Peak))
        .count();
    assert_eq!(
        quality_weeks, build_and_peak,
        "every build and peak week has a quality session"
    );
}

#[test]
fn a_10k_with_a_recent_race_paces_every_step() {
    // A 5 km in 24:34 (VDOT 39.1), heart rates given.
    let plan = plan_for(include_str!(
        "../../../tests/fixtures/plans/10k-recent-race.json"
    ));
    check_race_plan(&plan, 1);
    let zones = plan.zones.as_ref().expect("zones");
    assert_eq!(zones.vdot, Some(39.1));
    assert!(
        zones.hr_zones.as_ref().is_some_and(|z| z.len() == 7),
        "Friel zones from the threshold"
    );
    let long = plan.weeks.iter().map(longest).fold(0.0, f64::max);
    assert!((11.0..=16.0).contains(&long), "peak long run {long}");
    fn targets(step: &Step, out: &mut Vec<(bool, bool)>) {
        match step {
            Step::Repeat(group) => group.steps.iter().for_each(|s| targets(s, out)),
            Step::Walk(_) => {}
            other => {
                let target = other.segment().and_then(|s| s.target.as_ref());
                out.push((
                    target.is_some_and(|t| t.pace_s_per_km.is_some()),
                    target.is_some_and(|t| t.hr_bpm.is_some()),
                ));
            }
        }
    }
    let mut all = Vec::new();
    for week in &plan.weeks {
        for (_, session) in sessions(week).filter(|(_, s)| s.kind.is_run()) {
            session.steps.iter().for_each(|s| targets(s, &mut all));
        }
    }
    assert!(all.len() > 100 && all.iter().all(|(pace, hr)| *pace && *hr));
    let race = plan
        .days()
        .flat_map(|d| &d.sessions)
        .find(|s| s.kind == SessionKind::Race)
        .unwrap();
    // Daniels: VDOT 39.1 runs 10 km in about 51:00.
    assert!(race.title.contains("goal 51:0"), "{}", race.title);
    // VO2max intervals and threshold work in the build.
    let titles: Vec<&str> = plan
        .weeks
        .iter()
        .flat_map(training_runs)
        .map(|s| s.title.as_str())
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("× 1000 m at VO2max")),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.contains("Cruise intervals") || t.contains("Tempo run"))
    );
}

#[test]
fn a_non_runner_walks_and_runs_to_30_minutes_before_any_hard_running() {
    let plan = plan_for(include_str!(
        "../../../tests/fixtures/plans/non-runner-5k.json"
    ));
    check_race_plan(&plan, 1);
    let walk_runs = |week: &PlannedWeek| {
        training_runs(week)
            .filter(|s| s.steps.iter().any(Step::is_walk_run))
            .count()
    };
    for week in &plan.weeks[..8] {
        assert_eq!(
            walk_runs(week),
            3,
            "week {}: three walk/run sessions",
            week.index
        );
    }
    let first = training_runs(&plan.weeks[0]).next().unwrap();
    assert_eq!(first.title, "Walk/run: 8 × (1 min run, 1.5 min walk)");
    let week_9: Vec<&PlannedSession> = training_runs(&plan.weeks[8]).collect();
    assert!(
        week_9.iter().all(|s| s.title.contains("30 min continuous")),
        "week 9 runs 30 minutes"
    );
    let first_quality = plan
        .days()
        .flat_map(|d| d.sessions.iter().map(move |s| (d.date, s)))
        .find(|(_, s)| {
            matches!(
                s.kind,
                SessionKind::TempoRun | SessionKind::IntervalRun | SessionKind::HiitCircuit
            )
        });
    if let Some((date, _)) = first_quality {
        assert!(date > plan.start_date + Duration::weeks(9));
    }
}

#[test]
fn a_marathon_nine_weeks_from_zero_is_refused_with_a_safe_date_and_a_shorter_race() {
    let mut request = fixture(include_str!(
        "../../../tests/fixtures/plans/non-runner-5k.json"
    ));
    let race = request.race.as_mut().unwrap();
    race.distance = crate::domain::vocabulary::RaceDistance::Marathon;
    race.date = request.start_date + Duration::days(9 * 7 - 1);
    match generate(&request, &seed_catalog()) {
        Err(PlanError::Infeasible {
            conflict,
            suggestions,
        }) => {
            assert!(
                conflict.contains("walk/run") && conflict.contains("9 week(s) away"),
                "{conflict}"
            );
            assert!(
                suggestions[0].contains("earliest safe date"),
                "{suggestions:?}"
            );
            assert!(
                suggestions.iter().any(|s| s.contains("without a race")),
                "{suggestions:?}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
