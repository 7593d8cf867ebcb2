//! The readers against real files: the fixtures of `tests/fixtures/`,
//! written by Garmin's FIT SDK, gpxpy and a schema-valid TCX writer
//! (`tests/fixtures/make_fixtures.py`), compared with what their maker says
//! they hold (`expected.json`); and every fixture mangled (cut short, bytes
//! flipped) to show a bad file is a typed error, never a panic.

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::domain::fit_protocol;

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn format_of(name: &str) -> ActivityFormat {
    match name.rsplit('.').next() {
        Some("fit") => ActivityFormat::Fit,
        Some("gpx") => ActivityFormat::Gpx,
        Some("tcx") => ActivityFormat::Tcx,
        _ => panic!("{name}"),
    }
}

fn read(name: &str) -> Result<Activity, ImportError> {
    parse(format_of(name), &fixture(name))
}

/// The activity fixtures and what their maker put in them.
fn expected() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(fixture_path("expected.json")).unwrap();
    let Value::Object(map) = serde_json::from_str(&text).unwrap() else {
        panic!("expected.json is an object");
    };
    map.into_iter().collect()
}

fn sport_name(sport: Sport) -> &'static str {
    match sport {
        Sport::Running => "running",
        Sport::Unspecified => "unspecified",
        _ => "other",
    }
}

fn close(name: &str, what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance,
        "{name}: {what} is {got}, expected {want} ± {tolerance}"
    );
}

#[test]
fn every_fixture_reads_as_its_maker_wrote_it() {
    let all = expected();
    assert_eq!(all.len(), 7, "fixtures in expected.json");
    for (name, want) in all {
        let activity = read(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(activity.format, format_of(&name));
        assert_eq!(
            activity
                .started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            want["started_at"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(sport_name(activity.sport), want["sport"], "{name}");
        close(
            &name,
            "duration",
            activity.duration_s,
            want["duration_s"].as_f64().unwrap(),
            1e-6,
        );
        // FIT stores centimetres; the TCX fixtures write two decimals and GPX
        // seven-decimal coordinates.
        close(
            &name,
            "distance",
            activity.distance_m.unwrap(),
            want["distance_m"].as_f64().unwrap(),
            0.05,
        );
        let samples = want["heart_rate_samples"].as_u64().unwrap() as usize;
        assert_eq!(activity.heart_rate.len(), samples, "{name}: samples");
        if samples > 0 {
            assert_eq!(activity.heart_rate[0].offset_ms, 0, "{name}");
            assert!(
                activity
                    .heart_rate
                    .windows(2)
                    .all(|w| w[0].offset_ms <= w[1].offset_ms)
            );
        }
        assert_eq!(
            activity.avg_hr.map(u64::from),
            want.get("avg_hr").and_then(Value::as_u64),
            "{name}: avg"
        );
        assert_eq!(
            activity.max_hr.map(u64::from),
            want.get("max_hr").and_then(Value::as_u64),
            "{name}: max"
        );
        match want.get("elevation_gain_m") {
            Some(Value::Null) => assert_eq!(activity.elevation_gain_m, None, "{name}"),
            // The device's total (FIT session) or the smooth profile's every
            // rise, which the hysteresis undercounts by less than its
            // threshold, plus FIT's 0.2 m altitude steps.
            Some(gain) => close(
                &name,
                "elevation gain",
                activity.elevation_gain_m.unwrap(),
                gain.as_f64().unwrap(),
                track::ELEVATION_NOISE_M + 0.5,
            ),
            None => assert!(activity.elevation_gain_m.is_some(), "{name}"),
        }
        let laps = want["laps"].as_array().unwrap();
        assert_eq!(activity.laps.len(), laps.len(), "{name}: laps");
        for (lap, want) in activity.laps.iter().zip(laps) {
            close(
                &name,
                "lap time",
                lap.duration_s,
                want["duration_s"].as_f64().unwrap(),
                1e-6,
            );
            close(
                &name,
                "lap distance",
                lap.distance_m.unwrap(),
                want["distance_m"].as_f64().unwrap(),
                0.05,
            );
            assert_eq!(
                lap.avg_hr.map(u64::from),
                want["avg_hr"].as_u64(),
                "{name}: lap avg"
            );
        }
    }
}

#[test]
fn the_pause_is_in_the_samples_but_not_in_the_timer_time() {
    let activity = read("run_laps_pause.fit").unwrap();
    // 1800 s of timer time, the clock says 1920.
    assert_eq!(activity.duration_s, 1800.0);
    let last = activity.heart_rate.last().unwrap();
    assert_eq!(last.offset_ms, 1_920_000);
    let gap = activity
        .heart_rate
        .windows(2)
        .map(|w| w[1].offset_ms - w[0].offset_ms)
        .max()
        .unwrap();
    assert_eq!(gap, 121_000);
    // The second lap holds the pause: 600 s of timer time in 720 s.
    let laps = &activity.laps;
    assert_eq!((laps[2].started_at - laps[1].started_at).num_seconds(), 720);
}

#[test]
fn gpx_distance_matches_gpxpy_and_the_segments_stay_apart() {
    let activity = read("run.gpx").unwrap();
    assert!(activity.laps.is_empty());
    // Sanity beyond gpxpy: 12 minutes at about 3 m/s.
    let distance = activity.distance_m.unwrap();
    assert!((2000.0..2400.0).contains(&distance), "{distance}");
}

#[test]
fn files_that_hold_no_activity_say_what_they_are() {
    let error = read("workout.fit").unwrap_err();
    assert_eq!(error.code(), "no_activity");
    assert!(error.to_string().contains("workout"), "{error}");
    let error = read("route.gpx").unwrap_err();
    assert!(matches!(error, ImportError::NoTrack(_)), "{error}");
    assert!(
        error.to_string().contains("1 waypoints and 1 routes"),
        "{error}"
    );
}

#[test]
fn damaged_fit_files_name_the_damage() {
    let file = fixture("run_no_hr.fit");
    let mut flipped = file.clone();
    flipped[500] ^= 0x10;
    assert!(matches!(
        parse(ActivityFormat::Fit, &flipped),
        Err(ImportError::CrcMismatch { part: "file", .. })
    ));
    let mut header = file.clone();
    header[2] ^= 1;
    assert!(matches!(
        parse(ActivityFormat::Fit, &header),
        Err(ImportError::CrcMismatch { part: "header", .. })
    ));
    let error = parse(ActivityFormat::Fit, &file[..file.len() - 1]).unwrap_err();
    assert!(matches!(error, ImportError::Truncated(_)), "{error}");
    assert!(
        error
            .to_string()
            .contains(&format!("{} bytes", file.len() - 1))
    );
    assert!(matches!(
        parse(ActivityFormat::Fit, &file[..5]),
        Err(ImportError::Truncated(_))
    ));
    assert!(matches!(
        parse(ActivityFormat::Fit, b"hello, this is not a FIT file"),
        Err(ImportError::BadHeader { .. })
    ));
    let mut trailing = file.clone();
    trailing.extend_from_slice(b"junk");
    assert!(matches!(
        parse(ActivityFormat::Fit, &trailing),
        Err(ImportError::MalformedFit(_))
    ));
}

#[test]
fn a_chain_of_two_fit_files_reads_both() {
    let first = fixture("run_no_session.fit");
    let mut chain = first.clone();
    chain.extend_from_slice(&fixture("run_no_hr.fit"));
    let activity = parse(ActivityFormat::Fit, &chain).unwrap();
    // The second file's session and lap join the first file's records.
    assert_eq!(activity.duration_s, 1200.0);
    assert_eq!(activity.laps.len(), 1);
    assert_eq!(activity.heart_rate.len(), 601);
}

/// A FIT file made of one definition and data messages: `messages` copies
/// of `message` after a definition of local message 0 as global `global`
/// with the given fields (number, size, base type).
fn synthetic_fit(global: u16, fields: &[(u8, u8, u8)], message: &[u8], messages: usize) -> Vec<u8> {
    let mut data = vec![0x40, 0, 0];
    data.extend_from_slice(&global.to_le_bytes());
    data.push(fields.len() as u8);
    for &(number, size, base) in fields {
        data.extend_from_slice(&[number, size, base]);
    }
    for _ in 0..messages {
        data.push(0);
        data.extend_from_slice(message);
    }
    fit_protocol::frame(&data)
}

#[test]
fn message_counts_are_bounded() {
    // A million-and-one empty "capabilities" messages: each is a single
    // byte, and the count, not the size, stops it.
    let file = synthetic_fit(1, &[], &[], limits::MAX_FIT_MESSAGES);
    let error = parse(ActivityFormat::Fit, &file).unwrap_err();
    assert!(matches!(error, ImportError::TooLarge(_)), "{error}");
}

#[test]
fn implausible_values_are_refused() {
    // A record at latitude 100°: 100 × 2³¹/180 semicircles.
    let semicircles = (100.0 * f64::from(SEMICIRCLES) / 180.0) as i32;
    let mut record = 1_100_000_000u32.to_le_bytes().to_vec();
    record.extend_from_slice(&semicircles.to_le_bytes());
    record.extend_from_slice(&0i32.to_le_bytes());
    let file = synthetic_fit(
        20,
        &[(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85)],
        &record,
        1,
    );
    let error = parse(ActivityFormat::Fit, &file).unwrap_err();
    assert!(matches!(error, ImportError::Implausible(_)), "{error}");
    // A session of 30 hours.
    let mut session = 1_100_000_000u32.to_le_bytes().to_vec();
    session.extend_from_slice(&(30 * 3600 * 1000u32).to_le_bytes());
    let file = synthetic_fit(18, &[(2, 4, 0x86), (8, 4, 0x86)], &session, 1);
    let error = parse(ActivityFormat::Fit, &file).unwrap_err();
    assert!(error.to_string().contains("30.0 h"), "{error}");
    // A GPX at 200 km/h.
    let gpx = r#"<gpx version="1.1"><trk><trkseg>
        <trkpt lat="0" lon="0"><time>2026-01-01T10:00:00Z</time></trkpt>
        <trkpt lat="0" lon="0.5"><time>2026-01-01T10:05:00Z</time></trkpt>
        </trkseg></trk></gpx>"#;
    let error = parse(ActivityFormat::Gpx, gpx.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("km/h"), "{error}");
}

const SEMICIRCLES: u32 = 1 << 31;

#[test]
fn xml_problems_are_told_apart() {
    let tcx = fixture("run.tcx");
    let cut = &tcx[..tcx.len() / 2];
    assert!(matches!(
        parse(ActivityFormat::Tcx, cut),
        Err(ImportError::Truncated(_))
    ));
    let text = String::from_utf8(tcx.clone()).unwrap();
    let broken = text.replacen("</Lap>", "</Lapp>", 1);
    assert!(matches!(
        parse(ActivityFormat::Tcx, broken.as_bytes()),
        Err(ImportError::MalformedXml(_))
    ));
    let v1 = text.replace("TrainingCenterDatabase/v2", "TrainingCenterDatabase/v1");
    assert!(matches!(
        parse(ActivityFormat::Tcx, v1.as_bytes()),
        Err(ImportError::BadHeader { .. })
    ));
    let two = text.replacen(
        "</Activities>",
        "<Activity Sport=\"Running\"><Id>2026-03-02T07:00:00Z</Id></Activity></Activities>",
        1,
    );
    assert_eq!(
        parse(ActivityFormat::Tcx, two.as_bytes()),
        Err(ImportError::SeveralActivities)
    );
    // A GPX given as TCX, and the other way round.
    assert!(matches!(
        parse(ActivityFormat::Tcx, &fixture("run.gpx")),
        Err(ImportError::BadHeader { .. })
    ));
    assert!(matches!(
        parse(ActivityFormat::Gpx, &tcx),
        Err(ImportError::BadHeader { .. })
    ));
    let no_times =
        r#"<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="1"/></trkseg></trk></gpx>"#;
    assert!(matches!(
        parse(ActivityFormat::Gpx, no_times.as_bytes()),
        Err(ImportError::NoActivity(_))
    ));
    let bad_lat =
        r#"<gpx version="1.1"><trk><trkseg><trkpt lat="95" lon="1"/></trkseg></trk></gpx>"#;
    assert!(matches!(
        parse(ActivityFormat::Gpx, bad_lat.as_bytes()),
        Err(ImportError::Implausible(_))
    ));
}

#[test]
fn media_types_and_default_kinds() {
    assert_eq!(
        ActivityFormat::from_media_type("application/vnd.ant.fit"),
        Some(ActivityFormat::Fit)
    );
    assert_eq!(
        ActivityFormat::from_media_type("Application/GPX+XML; charset=utf-8"),
        Some(ActivityFormat::Gpx)
    );
    assert_eq!(
        ActivityFormat::from_media_type("application/vnd.garmin.tcx+xml"),
        Some(ActivityFormat::Tcx)
    );
    assert_eq!(ActivityFormat::from_media_type("application/json"), None);
    assert_eq!(ActivityFormat::Tcx.as_str(), "tcx");
    assert_eq!(sport_named("trail_running"), Sport::Running);
    assert_eq!(sport_named("Biking"), Sport::Cycling);
    assert_eq!(sport_named("9"), Sport::Unspecified);
    assert_eq!(sport_named("kayaking"), Sport::Other);
    assert_eq!(Sport::Running.default_session_kind(), SessionKind::EasyRun);
    assert_eq!(
        Sport::Unspecified.default_session_kind(),
        SessionKind::EasyRun
    );
    assert_eq!(
        Sport::Strength.default_session_kind(),
        SessionKind::Strength
    );
    assert_eq!(
        Sport::Cycling.default_session_kind(),
        SessionKind::CrossTraining
    );
}

// ------------------------------------------------------------ mangled files

/// Every fixture, with the smaller ones first (the property tests run on
/// all of them).
const MANGLED: [&str; 9] = [
    "workout.fit",
    "run_no_session.fit",
    "run_no_hr.fit",
    "run_laps_pause.fit",
    "run_1h.fit",
    "route.gpx",
    "run.gpx",
    "treadmill.tcx",
    "run.tcx",
];

/// Parses or answers a typed error; a panic fails the test.
fn parses_or_errs(format: ActivityFormat, bytes: &[u8]) -> Result<Activity, ImportError> {
    let result = parse(format, bytes);
    if let Err(error) = &result {
        assert!(!error.to_string().is_empty());
    }
    result
}

#[test]
fn truncation_at_every_length_class_is_an_error() {
    for name in MANGLED {
        let file = fixture(name);
        let format = format_of(name);
        let len = complete_length(&file);
        let lengths = [
            0,
            1,
            2,
            11,
            12,
            13,
            14,
            15,
            20,
            40,
            len / 3,
            len / 2,
            len - 3,
            len - 2,
            len - 1,
        ];
        for cut in lengths {
            let error = parses_or_errs(format, &file[..cut])
                .err()
                .unwrap_or_else(|| panic!("{name} cut to {cut} bytes parsed"));
            if format == ActivityFormat::Fit && cut >= 14 {
                assert!(
                    matches!(error, ImportError::Truncated(_)),
                    "{name} at {cut}: {error}"
                );
            }
        }
    }
}

/// Bytes up to the end of the content: for XML, up to the root's closing
/// `>` (the line feed after it can go).
fn complete_length(file: &[u8]) -> usize {
    if file.starts_with(b"<?xml") {
        file.iter().rposition(|&b| b == b'>').unwrap() + 1
    } else {
        file.len()
    }
}

fn any_fixture() -> impl Strategy<Value = (&'static str, Vec<u8>)> {
    (0..MANGLED.len()).prop_map(|i| (MANGLED[i], fixture(MANGLED[i])))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_cut_file_never_panics((name, file) in any_fixture(), fraction in 0.0..1.0f64) {
        let cut = (complete_length(&file) as f64 * fraction) as usize;
        let format = format_of(name);
        let result = parses_or_errs(format, &file[..cut]);
        prop_assert!(result.is_err(), "{} cut to {} bytes parsed", name, cut);
        if format == ActivityFormat::Fit && cut >= 14 {
            prop_assert!(matches!(result, Err(ImportError::Truncated(_))));
        }
    }

    #[test]
    fn flipped_bytes_never_panic(
        (name, file) in any_fixture(),
        flips in prop::collection::vec((0.0..1.0f64, 1..=255u8), 1..8),
    ) {
        let mut mangled = file.clone();
        for &(at, mask) in &flips {
            let index = ((file.len() as f64 * at) as usize).min(file.len() - 1);
            mangled[index] ^= mask;
        }
        let format = format_of(name);
        let result = parses_or_errs(format, &mangled);
        // A CRC-16 catches any change confined to 16 bits, so a single
        // flipped byte past the header is always a CRC mismatch.
        let index = ((file.len() as f64 * flips[0].0) as usize).min(file.len() - 1);
        if format == ActivityFormat::Fit && flips.len() == 1 && index >= 14 {
            prop_assert!(
                matches!(result, Err(ImportError::CrcMismatch { part: "file", .. })),
                "{}: {:?}", name, result.err()
            );
        }
    }

    /// Damage past the checksums: the bytes are flipped and the header and
    /// CRC rewritten, or the data cut and the header rewritten to match, so
    /// the message decoder itself meets the damage.
    #[test]
    fn fit_damage_behind_a_valid_crc_never_panics(
        index in 0..5usize,
        flips in prop::collection::vec((0.0..1.0f64, any::<u8>()), 0..6),
        keep in 0.0..=1.0f64,
    ) {
        let file = fixture(MANGLED[index]);
        let mut data = file[14..file.len() - 2].to_vec();
        for &(at, value) in &flips {
            let i = ((data.len() as f64 * at) as usize).min(data.len() - 1);
            data[i] = value;
        }
        data.truncate((data.len() as f64 * keep) as usize);
        let _ = parses_or_errs(ActivityFormat::Fit, &fit_protocol::frame(&data));
    }
}
