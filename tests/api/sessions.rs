use reqwest::Method;
use serde_json::{Value, json};

use runstrong::domain::numbers::negative_zero_at;

use crate::helpers::{Session, TestApp, assert_problem, spawn_app};

fn run_body(started_at: &str, km: f64) -> Value {
    json!({
        "kind": "easy_run", "started_at": started_at, "duration_min": 50.0, "distance_km": km,
        "avg_hr": 140, "elevation_gain_m": 40.0, "rpe": 3, "notes": "felt easy"
    })
}

async fn exercise_id(app: &TestApp, slug: &str) -> String {
    app.get_json(&format!("/v1/exercises/{slug}")).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn strength_body(app: &TestApp, started_at: &str) -> Value {
    let squat = exercise_id(app, "bodyweight-squat").await;
    let lunge = exercise_id(app, "reverse-lunge").await;
    json!({
        "kind": "strength", "started_at": started_at, "duration_min": 40.0, "rpe": 7,
        "sets": [
            {"exercise_id": squat, "reps": 8, "weight_kg": 20.0, "rir": 2},
            {"exercise_id": squat, "reps": 8, "weight_kg": 20.0, "rir": 1},
            {"exercise_id": lunge, "reps": 10, "rir": 2}
        ]
    })
}

async fn post(
    app: &TestApp,
    who: &Session,
    athlete: &str,
    body: &Value,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/sessions"),
            Some(who),
        )
        .json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

async fn count_rows(app: &TestApp, athlete: &str) -> String {
    app.query_json(&format!(
        "SELECT to_json(count(*)) FROM sessions WHERE athlete_id = '{athlete}'"
    ))
    .await
}

#[tokio::test]
async fn runs_and_lifts_are_logged_read_changed_and_deleted_with_a_tombstone() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let created = post(
        &app,
        &owner,
        &athlete,
        &run_body("2026-10-05T07:00:00Z", 8.0),
        None,
    )
    .await;
    assert_eq!(created.status(), 201);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let run: Value = created.json().await.unwrap();
    assert_eq!(run["load"], 150.0);
    let lift: Value = post(
        &app,
        &owner,
        &athlete,
        &strength_body(&app, "2026-10-06T18:00:00Z").await,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(lift["sets"].as_array().unwrap().len(), 3);

    let path = format!("/v1/sessions/{}", run["id"].as_str().unwrap());
    assert_eq!(
        app.request(Method::GET, &path, Some(&owner))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let before_change = chrono::Utc::now() - chrono::Duration::seconds(1);
    let put = |tag: Option<String>, body: Value| {
        let mut request = app.request(Method::PUT, &path, Some(&owner)).json(&body);
        if let Some(tag) = tag {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    assert_problem(
        put(None, run_body("2026-10-05T07:00:00Z", 9.0))
            .await
            .unwrap(),
        428,
    )
    .await;
    assert_problem(
        put(Some("\"v9\"".into()), run_body("2026-10-05T07:00:00Z", 9.0))
            .await
            .unwrap(),
        412,
    )
    .await;
    let changed = put(Some(etag), run_body("2026-10-05T07:00:00Z", 9.0))
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let new_etag = changed.headers()["etag"].to_str().unwrap().to_owned();
    let deleted = app
        .request(Method::DELETE, &path, Some(&owner))
        .header("If-Match", new_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_problem(
        app.request(Method::GET, &path, Some(&owner))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;

    // Sync: the change and the deletion come back, the deletion as a tombstone.
    let since = before_change.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let sync: Value = app
        .request(
            Method::GET,
            &format!(
                "/v1/athletes/{athlete}/sessions?updated_since={}",
                urlencode(&since)
            ),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tombstone = sync["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == run["id"])
        .expect("tombstone listed");
    assert_eq!(tombstone["deleted"], true);
    // The plain list no longer shows it.
    let list: Value = app
        .request(
            Method::GET,
            &format!("/v1/athletes/{athlete}/sessions"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, [&lift["id"]]);
}

fn urlencode(text: &str) -> String {
    text.replace(':', "%3A").replace('+', "%2B")
}

#[tokio::test]
async fn ten_concurrent_posts_with_one_key_store_one_row() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let body = run_body("2026-10-05T07:00:00Z", 8.0);
    let responses = futures_util::future::join_all(
        (0..10).map(|_| post(&app, &owner, &athlete, &body, Some("key-1"))),
    )
    .await;
    let mut bodies = Vec::new();
    for response in responses {
        let status = response.status().as_u16();
        assert!(status == 201 || status == 409, "{status}");
        if status == 201 {
            bodies.push(response.json::<Value>().await.unwrap());
        }
    }
    assert!(!bodies.is_empty());
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "every 201 is the first answer"
    );
    assert_eq!(count_rows(&app, &athlete).await, "1");

    let replay = post(&app, &owner, &athlete, &body, Some("key-1")).await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap(), bodies[0]);
    assert_problem(
        post(
            &app,
            &owner,
            &athlete,
            &run_body("2026-10-05T07:00:00Z", 9.0),
            Some("key-1"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(count_rows(&app, &athlete).await, "1");

    // Keys belong to their caller: another user's same key is their own.
    let other = app.register("athlete").await;
    let (other_athlete, _) = app.create_athlete(&other).await;
    let theirs = post(&app, &other, &other_athlete, &body, Some("key-1")).await;
    assert_eq!(theirs.status(), 201);
    let theirs: Value = theirs.json().await.unwrap();
    assert_ne!(theirs["id"], bodies[0]["id"]);
    assert_eq!(theirs["athlete_id"].as_str().unwrap(), other_athlete);
}

/// A replay is indistinguishable from the first answer: the same status,
/// body, `Location` and `ETag`, on every path a create takes (the
/// one-statement create, the checked one with sets, a client-chosen id
/// that was already logged), plus `Idempotent-Replayed: true`.
#[tokio::test]
async fn a_replay_repeats_the_first_answer_headers_and_all() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let mut with_id = run_body("2026-10-07T07:00:00Z", 6.0);
    with_id["id"] = json!(uuid::Uuid::now_v7().to_string());
    assert_eq!(
        post(&app, &owner, &athlete, &with_id, None).await.status(),
        201
    );
    let cases = [
        ("one-statement", run_body("2026-10-05T07:00:00Z", 8.0), 201),
        (
            "checked",
            strength_body(&app, "2026-10-06T18:00:00Z").await,
            201,
        ),
        ("already-logged", with_id, 200),
    ];
    for (key, body, status) in cases {
        let first = post(&app, &owner, &athlete, &body, Some(key)).await;
        assert_eq!(first.status(), status, "{key}");
        assert!(first.headers().get("idempotent-replayed").is_none());
        let header = |response: &reqwest::Response, name: &str| {
            response.headers()[name].to_str().unwrap().to_owned()
        };
        let (location, etag) = (header(&first, "location"), header(&first, "etag"));
        let first_body = first.bytes().await.unwrap();
        let id = serde_json::from_slice::<Value>(&first_body).unwrap()["id"].clone();
        assert_eq!(location, format!("/v1/sessions/{}", id.as_str().unwrap()));

        let replay = post(&app, &owner, &athlete, &body, Some(key)).await;
        assert_eq!(replay.status(), status, "{key}");
        assert_eq!(header(&replay, "idempotent-replayed"), "true");
        assert_eq!(header(&replay, "location"), location, "{key}");
        assert_eq!(header(&replay, "etag"), etag, "{key}");
        assert_eq!(header(&replay, "content-type"), "application/json");
        assert_eq!(replay.bytes().await.unwrap(), first_body, "{key}");
    }
    assert_eq!(count_rows(&app, &athlete).await, "3");

    // The same key with another body: the detail says so, naming no field.
    let other = run_body("2026-10-05T07:00:00Z", 9.0);
    let problem = assert_problem(
        post(&app, &owner, &athlete, &other, Some("one-statement")).await,
        422,
    )
    .await;
    assert_eq!(
        problem["detail"],
        "this Idempotency-Key was used for a different request"
    );
}

/// The common create is answered without reading the row back: the
/// answer (and the replay stored under the key) must be exactly what the
/// database holds, down to timestamps rounded to microseconds.
#[tokio::test]
async fn a_one_statement_create_answers_what_was_stored() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let mut body = run_body("2026-10-05T07:00:00.123456789+02:00", 8.0);
    body["finished_at"] = json!("2026-10-05T07:50:00.000000999+02:00");
    let created = post(&app, &owner, &athlete, &body, Some("exact")).await;
    assert_eq!(created.status(), 201);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["started_at"], "2026-10-05T05:00:00.123456Z");

    let stored = app
        .request(
            Method::GET,
            &format!("/v1/sessions/{}", created["id"].as_str().unwrap()),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(stored.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(stored.json::<Value>().await.unwrap(), created);
    let replay = post(&app, &owner, &athlete, &body, Some("exact")).await;
    assert_eq!(replay.json::<Value>().await.unwrap(), created);

    // The key is one namespace whichever path a create takes: a strength
    // session (checked against the catalog) cannot reuse it.
    let strength = strength_body(&app, "2026-10-06T07:00:00Z").await;
    assert_problem(
        post(&app, &owner, &athlete, &strength, Some("exact")).await,
        422,
    )
    .await;
    assert_eq!(count_rows(&app, &athlete).await, "1");
}

#[tokio::test]
async fn a_client_chosen_id_makes_creates_repeatable() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let id = uuid::Uuid::now_v7().to_string();
    let mut body = run_body("2026-10-05T07:00:00Z", 8.0);
    body["id"] = json!(id);
    let first = post(&app, &owner, &athlete, &body, None).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["id"], id);
    let again = post(&app, &owner, &athlete, &body, None).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let mut other = body.clone();
    other["rpe"] = json!(5);
    assert_problem(post(&app, &owner, &athlete, &other, None).await, 409).await;
    assert_eq!(count_rows(&app, &athlete).await, "1");
}

#[tokio::test]
async fn absurd_values_and_unknown_exercises_are_refused_clearly() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    for (change, status, pointer) in [
        (json!({"distance_km": 500.0}), 422, "/distance_km"),
        (json!({"rpe": 11}), 422, "/rpe"),
        (
            json!({"started_at": "2100-01-01T00:00:00Z"}),
            422,
            "/started_at",
        ),
        // Beyond the dates the API takes at all: refused where parsed.
        (
            json!({"started_at": "3000-01-01T00:00:00Z"}),
            400,
            "/started_at",
        ),
        (
            json!({"finished_at": "2026-10-05T06:00:00Z"}),
            422,
            "/finished_at",
        ),
        (json!({"duration_min": -5}), 422, "/duration_min"),
        (json!({"kind": "swimming"}), 400, "/kind"),
        (json!({"rpe": "hard"}), 400, "/rpe"),
        (json!({"athlete_id": athlete}), 400, ""),
    ] {
        let mut body = run_body("2026-10-05T07:00:00Z", 8.0);
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let problem = assert_problem(post(&app, &owner, &athlete, &body, None).await, status).await;
        if !pointer.is_empty() {
            let pointers: Vec<&str> = problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["pointer"].as_str().unwrap())
                .collect();
            assert!(pointers.contains(&pointer), "{change}: {problem}");
        }
    }
    let mut lift = strength_body(&app, "2026-10-06T18:00:00Z").await;
    lift["sets"][1]["exercise_id"] = json!(uuid::Uuid::now_v7().to_string());
    let problem = assert_problem(post(&app, &owner, &athlete, &lift, None).await, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/sets/1/exercise_id");
    assert_eq!(count_rows(&app, &athlete).await, "0");
}

#[tokio::test]
async fn lists_filter_by_range_and_kind_and_page_without_gaps() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    for day in 1..=9 {
        post(
            &app,
            &owner,
            &athlete,
            &run_body(&format!("2026-10-0{day}T07:00:00Z"), 5.0),
            None,
        )
        .await;
    }
    post(
        &app,
        &owner,
        &athlete,
        &strength_body(&app, "2026-10-04T18:00:00Z").await,
        None,
    )
    .await;
    let mut seen = Vec::new();
    let mut path = format!(
        "/v1/athletes/{athlete}/sessions?from=2026-10-02&to=2026-10-08&kind=easy_run&limit=2"
    );
    loop {
        let page: Value = app
            .request(Method::GET, &path, Some(&owner))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["started_at"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/v1/athletes/{athlete}/sessions?from=2026-10-02&to=2026-10-08&kind=easy_run&limit=2&cursor={cursor}"
                )
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    for bad in [
        "from=yesterday",
        "kind=swim",
        "limit=0",
        "cursor=abc",
        "updated_since=2026-10-01T00:00:00Z&kind=easy_run",
    ] {
        assert_problem(
            app.request(
                Method::GET,
                &format!("/v1/athletes/{athlete}/sessions?{bad}"),
                Some(&owner),
            )
            .send()
            .await
            .unwrap(),
            400,
        )
        .await;
    }
}

#[tokio::test]
async fn the_load_report_counts_what_was_logged() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    post(
        &app,
        &owner,
        &athlete,
        &run_body("2026-10-05T07:00:00Z", 8.0),
        None,
    )
    .await;
    post(
        &app,
        &owner,
        &athlete,
        &strength_body(&app, "2026-10-05T18:00:00Z").await,
        None,
    )
    .await;
    let report: Value = app
        .request(
            Method::GET,
            &format!("/v1/athletes/{athlete}/load?from=2026-10-05&to=2026-10-11"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &report["days"][0];
    assert_eq!(first["date"], "2026-10-05");
    assert_eq!(first["load"], 430.0, "3 × 50 + 7 × 40");
    assert_eq!(first["run_km"], 8.0);
    assert_eq!(first["sets_by_muscle"]["quadriceps"], 3);
    assert_eq!(first["acute_ewma"], 107.5, "0.25 × 430");
    assert_eq!(report["weeks"][0]["load"], 430.0);
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "muscle_untrained")
    );
    assert_problem(
        app.request(
            Method::GET,
            &format!("/v1/athletes/{athlete}/load?from=2026-10-11&to=2026-10-05"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap(),
        400,
    )
    .await;
}

#[tokio::test]
async fn adherence_matches_logs_to_planned_sessions() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let stored: Value = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/plans"),
            Some(&owner),
        )
        .json(&json!({"start_date": "2026-10-05", "weeks": 2, "race": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan_id = stored["id"].as_str().unwrap();
    let week = &stored["plan"]["weeks"][0];
    // Do the first planned run of week 1 (matched by date and kind), and
    // link one strength session explicitly.
    let (run_day, run) = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|d| {
            d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["kind"] == "easy_run")
                .map(|s| (d["date"].as_str().unwrap(), s))
        })
        .unwrap();
    let mut body = run_body(
        &format!("{run_day}T07:00:00Z"),
        run["distance_km"].as_f64().unwrap(),
    );
    body["duration_min"] = run["duration_min"].clone();
    assert_eq!(
        post(&app, &owner, &athlete, &body, None).await.status(),
        201
    );
    let lift_day = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["kind"] == "strength")
        })
        .unwrap()["date"]
        .as_str()
        .unwrap();
    let mut lift = strength_body(&app, &format!("{lift_day}T18:00:00Z")).await;
    lift["planned"] = json!({"plan_id": plan_id, "date": lift_day, "index": 0});
    assert_eq!(
        post(&app, &owner, &athlete, &lift, None).await.status(),
        201
    );
    let adherence: Value = app
        .request(
            Method::GET,
            &format!("/v1/athletes/{athlete}/adherence?plan_id={plan_id}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &adherence["weeks"][0];
    assert_eq!(first["matched"], 2, "{adherence}");
    assert_eq!(first["done"]["sessions"], 2);
    assert_eq!(first["done"]["km"], run["distance_km"]);
    let planned_sessions: usize = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["sessions"].as_array().unwrap().len())
        .sum();
    assert_eq!(first["planned"]["sessions"], planned_sessions);
    // The plan lies in the past: every planned session without a log is missed.
    assert_eq!(first["missed"], planned_sessions - 2);
    assert_eq!(adherence["weeks"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn adapting_after_missed_sessions_and_hard_efforts_lowers_the_next_weeks() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let original: Value = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/plans"),
            Some(&owner),
        )
        .json(&json!({"start_date": "2026-09-28", "weeks": 8, "race": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan_id = original["id"].as_str().unwrap();
    // Weeks 1–2: only the easy runs of week 2 logged, far harder than planned.
    let easy_days: Vec<String> = original["plan"]["weeks"][1]["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["kind"] == "easy_run")
        })
        .map(|d| d["date"].as_str().unwrap().to_owned())
        .collect();
    assert!(easy_days.len() >= 2, "{easy_days:?}");
    for date in &easy_days {
        let mut body = run_body(&format!("{date}T07:00:00Z"), 6.0);
        body["rpe"] = json!(8);
        body["kind"] = json!("easy_run");
        assert_eq!(
            post(&app, &owner, &athlete, &body, None).await.status(),
            201
        );
    }
    let adapted = app
        .request(
            Method::POST,
            &format!("/v1/plans/{plan_id}/adapt"),
            Some(&owner),
        )
        .json(&json!({"from": "2026-10-12"}))
        .send()
        .await
        .unwrap();
    assert_eq!(adapted.status(), 201);
    let adapted: Value = adapted.json().await.unwrap();
    assert_eq!(adapted["parent_plan_id"], original["id"]);
    let (old, new) = (&original["plan"]["weeks"], &adapted["plan"]["weeks"]);
    assert_eq!(old[0], new[0], "the past stays as it was");
    assert_eq!(old[1], new[1], "the past stays as it was");
    assert_eq!(new[2]["phase"], "recovery");
    let load = |weeks: &Value, i: usize| weeks[i]["planned_load"].as_u64().unwrap();
    assert!(
        load(new, 2) < load(old, 2),
        "{} vs {}",
        load(new, 2),
        load(old, 2)
    );
    let reason = new[2]["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["sessions"].as_array().unwrap())
        .next()
        .unwrap()["reasons"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        reason.contains("not logged") && reason.contains("at RPE 8 against 3"),
        "{reason}"
    );
    let report: Value = app
        .client
        .post(app.url("/v1/plans/validate"))
        .json(&json!({"plan": adapted["plan"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true, "{report}");
    // A date after the plan is refused.
    let late = app
        .request(
            Method::POST,
            &format!("/v1/plans/{plan_id}/adapt"),
            Some(&owner),
        )
        .json(&json!({"from": "2027-06-01"}))
        .send()
        .await
        .unwrap();
    assert_problem(late, 422).await;
}

/// No answer carries a negative zero: not a distance logged as `-0.0`,
/// not the load of a day without sessions, not "-0.0 km" in the reasons
/// of an adaptation made without runs in the week before.
#[tokio::test]
async fn no_answer_carries_a_negative_zero() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let get = |path: String| {
        let request = app.request(Method::GET, &path, Some(&owner));
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let mut drills = run_body("2026-10-06T07:00:00Z", 0.0);
    drills["distance_km"] = json!(-0.0);
    drills["elevation_gain_m"] = json!(-0.0);
    let logged = post(&app, &owner, &athlete, &drills, None).await;
    assert_eq!(logged.status(), 201);
    let logged: Value = logged.json().await.unwrap();
    assert_eq!(negative_zero_at(&logged), None, "{logged}");
    let stored = get(format!("/v1/sessions/{}", logged["id"].as_str().unwrap())).await;
    assert_eq!(negative_zero_at(&stored), None, "{stored}");

    let load = get(format!(
        "/v1/athletes/{athlete}/load?from=2026-10-05&to=2026-10-11"
    ))
    .await;
    assert_eq!(load["days"][0]["load"], 0.0);
    assert_eq!(negative_zero_at(&load), None, "{load}");

    let plan: Value = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/plans"),
            Some(&owner),
        )
        .json(&json!({"start_date": "2026-10-05", "weeks": 4, "race": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan_id = plan["id"].as_str().unwrap();
    let adherence = get(format!(
        "/v1/athletes/{athlete}/adherence?plan_id={plan_id}"
    ))
    .await;
    assert_eq!(negative_zero_at(&adherence), None, "{adherence}");
    let adapted = app
        .request(
            Method::POST,
            &format!("/v1/plans/{plan_id}/adapt"),
            Some(&owner),
        )
        .json(&json!({"from": "2026-10-05"}))
        .send()
        .await
        .unwrap();
    assert_eq!(adapted.status(), 201);
    let adapted: Value = adapted.json().await.unwrap();
    assert_eq!(negative_zero_at(&adapted), None);
    let notes = adapted["plan"]["notes"].to_string();
    assert!(
        notes.contains("0.0 km run in the last 7 days") && !notes.contains("-0.0"),
        "{notes}"
    );
}

/// A request whose Idempotency-Key another request still holds waits on
/// the key (up to the lock timeout), then answers 409 so that the client
/// retries: told by the lock timeout's SQLSTATE, on both create paths.
/// Once the holder lets go, the key is free and the create goes through.
#[tokio::test]
async fn a_key_held_by_a_request_in_flight_answers_409_on_both_paths() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let key = "held-by-another-request";

    // Another request's transaction has claimed the key and not committed.
    let (claimed_tx, claimed) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let url = app.database_url();
    let account = owner.account_id.clone();
    let holder = std::thread::spawn(move || {
        let mut connection = PgConnection::establish(&url).unwrap();
        connection
            .transaction::<(), diesel::result::Error, _>(|connection| {
                diesel::sql_query(format!(
                    "INSERT INTO idempotency_keys (account_id, key, request_sha256) \
                     VALUES ('{account}', '{key}', 'another request')"
                ))
                .execute(connection)?;
                claimed_tx.send(()).unwrap();
                released.recv().unwrap();
                Err(diesel::result::Error::RollbackTransaction)
            })
            .unwrap_err();
    });
    claimed.recv().unwrap();

    let one_statement = run_body("2026-10-06T07:00:00Z", 8.0);
    let checked = strength_body(&app, "2026-10-06T18:00:00Z").await;
    for body in [&one_statement, &checked] {
        let problem =
            assert_problem(post(&app, &owner, &athlete, body, Some(key)).await, 409).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("still in flight"),
            "{problem}"
        );
    }
    assert_eq!(count_rows(&app, &athlete).await, "0");

    release.send(()).unwrap();
    holder.join().unwrap();
    let created = post(&app, &owner, &athlete, &one_statement, Some(key)).await;
    assert_eq!(created.status(), 201);
    assert_eq!(count_rows(&app, &athlete).await, "1");
}
