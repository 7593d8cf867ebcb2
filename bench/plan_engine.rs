//! Plan engine micro-benchmarks: generating 4-, 16- and 52-week plans, a
//! 52-week marathon plan with paces and heart-rate targets, and validating
//! a 52-week plan, against the seeded catalog.
//!
//! cargo bench --bench plan_engine

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use runstrong::domain::plan::catalog::PlanCatalog;
use runstrong::domain::plan::generate::generate;
use runstrong::domain::plan::request::PlanRequest;
use runstrong::domain::plan::validate::validate;
use runstrong::domain::vocabulary::*;

fn catalog() -> PlanCatalog {
    PlanCatalog::new(runstrong::seed::exercises_with_fixed_ids())
}

fn request(weeks: u8) -> PlanRequest {
    PlanRequest {
        start_date: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
        weeks: Some(weeks),
        race: None,
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
        allow_hiit: true,
        allow_two_a_days: false,
        long_run_minutes: None,
        recent_race: None,
        max_hr: None,
        resting_hr: None,
        threshold_hr: None,
    }
}

fn plan_engine(c: &mut Criterion) {
    let catalog = catalog();
    for weeks in [4u8, 16, 52] {
        let request = request(weeks);
        c.bench_function(&format!("generate {weeks}-week plan"), |b| {
            b.iter(|| generate(black_box(&request), black_box(&catalog)).unwrap())
        });
    }
    // A year to a marathon with paces and heart-rate zones: every run has
    // steps with pace and heart-rate targets.
    let mut marathon = request(52);
    marathon.weeks = None;
    marathon.race = Some(runstrong::domain::profile::Race {
        date: marathon.start_date + chrono::Duration::days(52 * 7 - 1),
        distance: RaceDistance::Marathon,
        distance_km: None,
    });
    marathon.recent_race = Some(runstrong::domain::profile::RecentRace {
        distance_km: 10.0,
        time_s: 2940,
        date: None,
    });
    marathon.max_hr = Some(188);
    marathon.resting_hr = Some(50);
    marathon.threshold_hr = Some(170);
    c.bench_function("generate 52-week marathon plan with paces", |b| {
        b.iter(|| generate(black_box(&marathon), black_box(&catalog)).unwrap())
    });
    let plan = generate(&request(52), &catalog).unwrap();
    c.bench_function("validate 52-week plan", |b| {
        b.iter(|| validate(black_box(&plan), black_box(&catalog)))
    });
}

criterion_group!(benches, plan_engine);
criterion_main!(benches);
