//! Load-metric micro-benchmark: a year of daily sessions (a run every day
//! and strength twice a week) through the full report.
//!
//! cargo bench --bench load_metrics

use std::hint::black_box;

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use runstrong::domain::load::{LoadInput, report};
use runstrong::domain::vocabulary::{Muscle, SessionKind};

fn a_year_of_sessions() -> Vec<LoadInput> {
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut sessions = Vec::new();
    for day in 0..365 {
        let date = start + Duration::days(day);
        sessions.push(LoadInput {
            id: runstrong::ids::SessionId::from(uuid::Uuid::nil()),
            date,
            kind: if day % 7 == 6 {
                SessionKind::LongRun
            } else {
                SessionKind::EasyRun
            },
            duration_min: 40.0 + (day % 5) as f64 * 10.0,
            rpe: Some(3 + (day % 4) as u8),
            trimp: None,
            distance_km: Some(7.0 + (day % 6) as f64),
            set_muscles: Vec::new(),
        });
        if day % 7 == 1 || day % 7 == 4 {
            sessions.push(LoadInput {
                id: runstrong::ids::SessionId::from(uuid::Uuid::nil()),
                date,
                kind: SessionKind::Strength,
                duration_min: 45.0,
                rpe: Some(7),
                trimp: None,
                distance_km: None,
                set_muscles: vec![vec![Muscle::Quadriceps, Muscle::Glutes]; 12],
            });
        }
    }
    sessions
}

fn load_metrics(c: &mut Criterion) {
    let sessions = a_year_of_sessions();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let end = start + Duration::days(364);
    c.bench_function("load report over a year of daily sessions", |b| {
        b.iter(|| report(black_box(&sessions), start, start, end))
    });
}

criterion_group!(benches, load_metrics);
criterion_main!(benches);
