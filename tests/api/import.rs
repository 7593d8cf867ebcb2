//! Session import from activity files (FIT, GPX, TCX): the numbers of the
//! committed fixtures (tests/fixtures, made with Garmin's FIT SDK, gpxpy
//! and to the TCX schema), repeats, Idempotency-Key, the size limit, and
//! every kind of bad file answering 422 with nothing stored.

use std::io::{Read, Write};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, spawn_app, spawn_app_with};

const FIT: &str = "application/vnd.ant.fit";
const GPX: &str = "application/gpx+xml";
const TCX: &str = "application/vnd.garmin.tcx+xml";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn expected(name: &str) -> Value {
    let text = String::from_utf8(fixture("expected.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all[name].clone()
}

fn media_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("fit") => FIT,
        Some("gpx") => GPX,
        _ => TCX,
    }
}

async fn import(
    app: &TestApp,
    who: &Session,
    athlete: &str,
    content_type: &str,
    body: Vec<u8>,
    query: &str,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/sessions/import{query}"),
            Some(who),
        )
        .header("content-type", content_type)
        .body(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

async fn import_fixture(
    app: &TestApp,
    who: &Session,
    athlete: &str,
    name: &str,
) -> reqwest::Response {
    import(app, who, athlete, media_type(name), fixture(name), "", None).await
}

async fn session_count(app: &TestApp, athlete: &str) -> String {
    app.query_json(&format!(
        "SELECT to_json(count(*)) FROM sessions WHERE athlete_id = '{athlete}'"
    ))
    .await
}

fn close(actual: &Value, expected: f64, tolerance: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {actual}"));
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} vs {expected}"
    );
}

#[tokio::test]
async fn each_format_logs_the_numbers_of_its_file() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    for name in [
        "run_laps_pause.fit",
        "run_1h.fit",
        "run_no_hr.fit",
        "run_no_session.fit",
        "run.gpx",
        "run.tcx",
        "treadmill.tcx",
    ] {
        let response = import_fixture(&app, &owner, &athlete, name).await;
        assert_eq!(response.status(), 201, "{name}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(response.headers().contains_key("etag"), "{name}");
        let session: Value = response.json().await.unwrap();
        assert_eq!(
            location,
            format!("/v1/sessions/{}", session["id"].as_str().unwrap())
        );
        let want = expected(name);
        assert_eq!(session["kind"], "easy_run", "{name}");
        assert_eq!(session["athlete_id"], athlete.as_str());
        let started: chrono::DateTime<chrono::Utc> =
            session["started_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            started,
            want["started_at"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
            "{name}"
        );
        close(
            &session["duration_min"],
            want["duration_s"].as_f64().unwrap() / 60.0,
            0.02,
            name,
        );
        close(
            &session["distance_km"],
            want["distance_m"].as_f64().unwrap() / 1000.0,
            0.002,
            name,
        );
        assert_eq!(
            session["avg_hr"],
            want.get("avg_hr").cloned().unwrap_or(Value::Null),
            "{name}"
        );
        assert_eq!(
            session["max_hr"],
            want.get("max_hr").cloned().unwrap_or(Value::Null),
            "{name}"
        );
        if let Some(gain) = want.get("elevation_gain_m").and_then(Value::as_f64) {
            close(&session["elevation_gain_m"], gain, 0.1, name);
        }
        let laps = session["laps"].as_array().unwrap();
        let want_laps = want["laps"].as_array().unwrap();
        assert_eq!(laps.len(), want_laps.len(), "{name}");
        for (lap, want_lap) in laps.iter().zip(want_laps) {
            close(
                &lap["duration_s"],
                want_lap["duration_s"].as_f64().unwrap(),
                1.0,
                name,
            );
            close(
                &lap["distance_km"],
                want_lap["distance_m"].as_f64().unwrap() / 1000.0,
                0.002,
                name,
            );
            assert_eq!(lap["avg_hr"], want_lap["avg_hr"], "{name}");
        }
        assert_eq!(
            session["source"]["format"],
            name.rsplit('.').next().unwrap()
        );
        let sha = session["source"]["sha256"].as_str().unwrap();
        assert_eq!(sha.len(), 64);
        // No RPE given: unrated, no RPE load; no HR reserve on the profile.
        assert_eq!(session["rpe"], Value::Null, "{name}");
        assert_eq!(session["load"], Value::Null, "{name}");
        assert_eq!(session["trimp"], Value::Null, "{name}");
        // The stored session reads back the same.
        let read = app.get_json_as(&location, &owner).await;
        assert_eq!(read, session, "{name}");
    }
    assert_eq!(session_count(&app, &athlete).await, "7");
}

#[tokio::test]
async fn the_same_file_again_is_the_same_session_and_keys_replay() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let first = import(
        &app,
        &owner,
        &athlete,
        FIT,
        fixture("run_no_hr.fit"),
        "?kind=long_run&rpe=4",
        None,
    )
    .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["kind"], "long_run");
    assert_eq!(first["rpe"], 4);
    close(
        &first["load"],
        4.0 * first["duration_min"].as_f64().unwrap(),
        1e-9,
        "load",
    );
    // Again, even with other options: 200 and the session as stored.
    let again = import(
        &app,
        &owner,
        &athlete,
        FIT,
        fixture("run_no_hr.fit"),
        "?rpe=9",
        None,
    )
    .await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(session_count(&app, &athlete).await, "1");

    // Another athlete may import the same file for themselves.
    let other = app.register("athlete").await;
    let (other_athlete, _) = app.create_athlete(&other).await;
    let theirs = import(
        &app,
        &other,
        &other_athlete,
        FIT,
        fixture("run_no_hr.fit"),
        "",
        None,
    )
    .await;
    assert_eq!(theirs.status(), 201);

    // Idempotency-Key: the retry gets the first answer, marked.
    let keyed = import(
        &app,
        &owner,
        &athlete,
        GPX,
        fixture("run.gpx"),
        "",
        Some("gpx-1"),
    )
    .await;
    assert_eq!(keyed.status(), 201);
    let keyed_location = keyed.headers()["location"].clone();
    let keyed: Value = keyed.json().await.unwrap();
    let replay = import(
        &app,
        &owner,
        &athlete,
        GPX,
        fixture("run.gpx"),
        "",
        Some("gpx-1"),
    )
    .await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.headers()["location"], keyed_location);
    let replayed: Value = replay.json().await.unwrap();
    assert_eq!(replayed, keyed);
    // The same key with another file (or other options) is refused.
    let reused = import(
        &app,
        &owner,
        &athlete,
        TCX,
        fixture("run.tcx"),
        "",
        Some("gpx-1"),
    )
    .await;
    assert_problem(reused, 422).await;
    let reused = import(
        &app,
        &owner,
        &athlete,
        GPX,
        fixture("run.gpx"),
        "?rpe=3",
        Some("gpx-1"),
    )
    .await;
    assert_problem(reused, 422).await;
    // A new key for a file already imported: 200, stored as such.
    let known = import(
        &app,
        &owner,
        &athlete,
        GPX,
        fixture("run.gpx"),
        "",
        Some("gpx-2"),
    )
    .await;
    assert_eq!(known.status(), 200);
    let replay = import(
        &app,
        &owner,
        &athlete,
        GPX,
        fixture("run.gpx"),
        "",
        Some("gpx-2"),
    )
    .await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(session_count(&app, &athlete).await, "2");

    // Deleted, the file may come in anew.
    let path = format!("/v1/sessions/{}", first["id"].as_str().unwrap());
    let etag = app
        .request(Method::GET, &path, Some(&owner))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .clone();
    let deleted = app
        .request(Method::DELETE, &path, Some(&owner))
        .header("If-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let anew = import(
        &app,
        &owner,
        &athlete,
        FIT,
        fixture("run_no_hr.fit"),
        "",
        None,
    )
    .await;
    assert_eq!(anew.status(), 201);
    let anew: Value = anew.json().await.unwrap();
    assert_ne!(anew["id"], first["id"]);
}

#[tokio::test]
async fn an_unrated_import_is_listed_by_the_load_report_until_rated_with_put() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let imported: Value = import_fixture(&app, &owner, &athlete, "run_laps_pause.fit")
        .await
        .json()
        .await
        .unwrap();
    let id = imported["id"].as_str().unwrap().to_owned();
    let report_path = format!("/v1/athletes/{athlete}/load?from=2026-03-01&to=2026-03-07");
    let report = app.get_json_as(&report_path, &owner).await;
    assert_eq!(report["sessions_without_rpe"], json!([id]));
    let day = &report["days"][0];
    assert_eq!(day["date"], "2026-03-01");
    assert_eq!(day["sessions_without_rpe"], 1);
    assert_eq!(day["load"], 0.0);
    assert_eq!(day["minutes"]["unrated"], 30.0);
    assert_eq!(day["trimp"], 0.0);
    assert_eq!(report["weeks"][0]["sessions_without_rpe"], 1);

    // Rated later with PUT: the file's data stays with the session.
    let path = format!("/v1/sessions/{id}");
    let etag = app
        .request(Method::GET, &path, Some(&owner))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .clone();
    let body = json!({
        "kind": imported["kind"], "started_at": imported["started_at"],
        "duration_min": imported["duration_min"], "distance_km": imported["distance_km"],
        "avg_hr": imported["avg_hr"], "rpe": 5
    });
    let rated = app
        .request(Method::PUT, &path, Some(&owner))
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(rated.status(), 200);
    let rated: Value = rated.json().await.unwrap();
    assert_eq!(rated["rpe"], 5);
    assert_eq!(rated["load"], 150.0);
    assert_eq!(rated["source"], imported["source"]);
    assert_eq!(rated["laps"], imported["laps"]);
    assert_eq!(rated["max_hr"], imported["max_hr"]);
    let report = app.get_json_as(&report_path, &owner).await;
    assert_eq!(report["sessions_without_rpe"], json!([]));
    assert_eq!(report["days"][0]["load"], 150.0);
    assert_eq!(report["days"][0]["minutes"]["unrated"], 0.0);
    // Still the same session for the same file.
    let again = import_fixture(&app, &owner, &athlete, "run_laps_pause.fit").await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["rpe"], 5);

    // Sessions logged as JSON carry the new fields as null.
    let logged = app
        .request(Method::POST, &format!("/v1/athletes/{athlete}/sessions"), Some(&owner))
        .json(&json!({"kind": "easy_run", "started_at": "2026-03-02T07:00:00Z", "duration_min": 30.0, "rpe": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 201);
    let logged: Value = logged.json().await.unwrap();
    for field in ["max_hr", "laps", "source", "trimp"] {
        assert_eq!(logged[field], Value::Null, "{field}");
    }
}

#[tokio::test]
async fn heart_rate_load_needs_the_athletes_max_and_resting_rate() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, etag) = app.create_athlete(&owner).await;
    let patched = app
        .request(
            Method::PATCH,
            &format!("/v1/athletes/{athlete}"),
            Some(&owner),
        )
        .header("If-Match", etag)
        .json(&json!({"max_hr": 190, "resting_hr": 50}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200, "{}", patched.text().await.unwrap());
    let with_hr: Value = import_fixture(&app, &owner, &athlete, "run_1h.fit")
        .await
        .json()
        .await
        .unwrap();
    let trimp = with_hr["trimp"]
        .as_f64()
        .expect("trimp with HR and a reserve");
    // An hour at a steady 153 bpm would be HRr = (153 − 50) / (190 − 50) ≈
    // 0.736, 60 × 0.736 × 0.64 × e^(1.92 × 0.736) ≈ 116; the file's rate
    // varies around that, and the exponential weighs the harder minutes up.
    assert!((110.0..=130.0).contains(&trimp), "{trimp}");
    let without_hr: Value = import_fixture(&app, &owner, &athlete, "run_no_hr.fit")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(without_hr["trimp"], Value::Null);
    let report = app
        .get_json_as(
            &format!("/v1/athletes/{athlete}/load?from=2026-03-01&to=2026-03-01"),
            &owner,
        )
        .await;
    close(&report["days"][0]["trimp"], trimp, 1e-6, "daily trimp");
    assert_eq!(report["days"][0]["sessions_without_rpe"], 2);
}

#[tokio::test]
async fn bad_files_are_422_saying_why_and_store_nothing() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let fit = fixture("run_no_hr.fit");
    let mut crc_flipped = fit.clone();
    let middle = crc_flipped.len() / 2;
    crc_flipped[middle] ^= 0x5a;
    let truncated = fit[..fit.len() / 2].to_vec();
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "bad header",
            FIT,
            b"this is not a FIT file at all, just text".to_vec(),
            "not a FIT file",
        ),
        (
            "a GPX sent as FIT",
            FIT,
            fixture("run.gpx"),
            "not a FIT file",
        ),
        ("CRC flip", FIT, crc_flipped, "CRC"),
        ("truncated", FIT, truncated, "truncated"),
        (
            "a workout, no activity",
            FIT,
            fixture("workout.fit"),
            "no activity",
        ),
        ("GPX without track", GPX, fixture("route.gpx"), "no track"),
        (
            "malformed XML",
            GPX,
            b"<?xml version=\"1.0\"?><gpx version=\"1.1\"><trk><trkseg></gpx>".to_vec(),
            "malformed",
        ),
        (
            "malformed TCX",
            TCX,
            b"<TrainingCenterDatabase><Activities><Activity".to_vec(),
            "",
        ),
        ("empty", TCX, Vec::new(), ""),
    ];
    for (what, content_type, body, says) in cases {
        let response = import(&app, &owner, &athlete, content_type, body, "", Some(what)).await;
        let problem = assert_problem(response, 422).await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{what}: {detail}");
    }
    assert_eq!(session_count(&app, &athlete).await, "0");
    let listed = app
        .get_json_as(&format!("/v1/athletes/{athlete}/sessions"), &owner)
        .await;
    assert_eq!(listed["items"], json!([]));
    // No key was left claimed by a refused file: the key works for a good one.
    let good = import(&app, &owner, &athlete, FIT, fit, "", Some("truncated")).await;
    assert_eq!(good.status(), 201);
}

#[tokio::test]
async fn other_types_are_415_bad_options_400_and_access_as_on_sessions() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    for content_type in ["application/json", "application/octet-stream", "text/xml"] {
        let response = import(
            &app,
            &owner,
            &athlete,
            content_type,
            fixture("run_no_hr.fit"),
            "",
            None,
        )
        .await;
        assert_problem(response, 415).await;
    }
    let untyped = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/sessions/import"),
            Some(&owner),
        )
        .body(fixture("run_no_hr.fit"))
        .send()
        .await
        .unwrap();
    assert_problem(untyped, 415).await;
    for query in [
        "?rpe=0",
        "?rpe=11",
        "?rpe=hard",
        "?kind=sprint",
        "?colour=red",
    ] {
        let response = import(
            &app,
            &owner,
            &athlete,
            FIT,
            fixture("run_no_hr.fit"),
            query,
            None,
        )
        .await;
        assert_problem(response, 400).await;
    }
    let rest = import(
        &app,
        &owner,
        &athlete,
        FIT,
        fixture("run_no_hr.fit"),
        "?kind=rest",
        None,
    )
    .await;
    assert_problem(rest, 422).await;

    let stranger = app.register("athlete").await;
    let response = import(
        &app,
        &stranger,
        &athlete,
        FIT,
        fixture("run_no_hr.fit"),
        "",
        None,
    )
    .await;
    assert_problem(response, 404).await;
    let reader = app.register("coach").await;
    app.grant(&owner, &athlete, &reader, "read").await;
    let response = import(
        &app,
        &reader,
        &athlete,
        FIT,
        fixture("run_no_hr.fit"),
        "",
        None,
    )
    .await;
    assert_problem(response, 403).await;
    let writer = app.register("coach").await;
    app.grant(&owner, &athlete, &writer, "read_write").await;
    let response = import(
        &app,
        &writer,
        &athlete,
        FIT,
        fixture("run_no_hr.fit"),
        "",
        None,
    )
    .await;
    assert_eq!(response.status(), 201);
    let response = app
        .client
        .post(app.url(&format!("/v1/athletes/{athlete}/sessions/import")))
        .header("content-type", FIT)
        .body(fixture("run_no_hr.fit"))
        .send()
        .await
        .unwrap();
    assert_problem(response, 401).await;
    assert_eq!(session_count(&app, &athlete).await, "1");
}

/// A raw HTTP/1.1 request with a chunked body of `chunks`, as no client
/// library here sends; the status line of the answer.
fn chunked_post(address: &str, path: &str, token: &str, chunks: &[Vec<u8>]) -> String {
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
Content-Type: {FIT}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    for chunk in chunks {
        // The server may answer and close before the last chunk.
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .and_then(|_| stream.write_all(chunk))
            .and_then(|_| stream.write_all(b"\r\n"))
            .is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn files_over_the_import_limit_are_413_and_the_json_limit_does_not_apply() {
    let app = spawn_app_with(|config| {
        config.import_limit_bytes = 16 * 1024;
        config.body_limit_bytes = 1024;
    })
    .await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    // 25 KB with a Content-Length: refused before it is read.
    let response = import_fixture(&app, &owner, &athlete, "run_no_hr.fit").await;
    assert_problem(response, 413).await;
    // Chunked, without a length: the running count stops it.
    let chunks = vec![vec![0x0e; 4096]; 8];
    let path = format!("/v1/athletes/{athlete}/sessions/import");
    let address = app.address.clone();
    let token = owner.token.clone();
    let status =
        tokio::task::spawn_blocking(move || chunked_post(&address, &path, &token, &chunks))
            .await
            .unwrap();
    assert!(status.contains(" 413 "), "{status}");
    // Under the import limit, though over the JSON body limit: imported.
    let response = import_fixture(&app, &owner, &athlete, "run_no_session.fit").await;
    assert_eq!(response.status(), 201);
    assert_eq!(session_count(&app, &athlete).await, "1");
}

/// Truncations and byte flips of real files.
fn mangled(file: &[u8]) -> impl Strategy<Value = Vec<u8>> + use<> {
    let original = file.to_vec();
    let length = file.len();
    let truncated = {
        let original = original.clone();
        (0..length).prop_map(move |end| original[..end].to_vec())
    };
    let flipped = proptest::collection::vec((0..length, 1u8..=255), 1..4).prop_map(move |flips| {
        let mut bytes = original.clone();
        for (at, mask) in flips {
            bytes[at] ^= mask;
        }
        bytes
    });
    proptest::prop_oneof![truncated, flipped]
}

#[tokio::test]
async fn mangled_files_are_refused_or_imported_never_a_500() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig::default(),
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let mut statuses = std::collections::BTreeMap::new();
    for name in [
        "run_laps_pause.fit",
        "run_no_session.fit",
        "run.gpx",
        "treadmill.tcx",
    ] {
        let strategy = mangled(&fixture(name));
        for _ in 0..24 {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            let response = import(&app, &owner, &athlete, media_type(name), body, "", None).await;
            let status = response.status().as_u16();
            assert!(
                [200, 201, 422].contains(&status),
                "{name}: {status} {}",
                response.text().await.unwrap()
            );
            *statuses.entry(status).or_insert(0) += 1;
        }
    }
    assert!(statuses.contains_key(&422), "{statuses:?}");
    println!("mangled imports: {statuses:?}");
}
