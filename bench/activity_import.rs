//! Activity-import micro-benchmark: reading a one-hour FIT file with 1 s
//! records (3,601 records with heart rate, 11 laps; Garmin's FIT SDK wrote
//! it), Banister TRIMP over its 3,601 heart-rate samples, and the GPX and
//! TCX fixtures for comparison. Target: the FIT import well under 50 ms.
//!
//! cargo bench --bench activity_import

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use runstrong::domain::activity::{ActivityFormat, parse};
use runstrong::domain::trimp::{HeartRateReserve, banister_trimp};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn activity_import(c: &mut Criterion) {
    let fit = fixture("run_1h.fit");
    let activity = parse(ActivityFormat::Fit, &fit).unwrap();
    assert_eq!(activity.heart_rate.len(), 3601);
    let reserve = HeartRateReserve::new(55, 190).unwrap();
    c.bench_function("parse a one-hour FIT file, 1 s records", |b| {
        b.iter(|| parse(ActivityFormat::Fit, black_box(&fit)).unwrap())
    });
    c.bench_function("TRIMP over one hour of 1 s samples", |b| {
        b.iter(|| banister_trimp(black_box(&activity.heart_rate), reserve))
    });
    c.bench_function("parse a one-hour FIT file and compute its TRIMP", |b| {
        b.iter(|| {
            let activity = parse(ActivityFormat::Fit, black_box(&fit)).unwrap();
            banister_trimp(&activity.heart_rate, reserve)
        })
    });
    let gpx = fixture("run.gpx");
    c.bench_function("parse a 12-minute GPX file, 361 points", |b| {
        b.iter(|| parse(ActivityFormat::Gpx, black_box(&gpx)).unwrap())
    });
    let tcx = fixture("run.tcx");
    c.bench_function("parse a 10-minute TCX file, 121 points", |b| {
        b.iter(|| parse(ActivityFormat::Tcx, black_box(&tcx)).unwrap())
    });
}

criterion_group!(benches, activity_import);
criterion_main!(benches);
