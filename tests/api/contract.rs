//! Regressions for what the contract tests found (`.ci/contract/run`:
//! schemathesis against the OpenAPI document, and a generated client).
//! Each test names the mismatch between the document and the service.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, example_profile, spawn_app};

/// PostgreSQL cannot store U+0000 in text or JSON columns: a profile name
/// holding it was a 500. Every JSON body now refuses it with a 400 that
/// points at the string, wherever it is.
#[tokio::test]
async fn nul_characters_in_json_bodies_are_a_400_not_a_500() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let mut body = example_profile();
    body["name"] = json!("Sam\u{0}");
    let response = app
        .request(Method::POST, "/v1/athletes", Some(&owner))
        .json(&body)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 400).await;
    assert_eq!(problem["errors"][0]["pointer"], "/name");

    let response = app
        .request(Method::POST, "/v1/plans/validate", None)
        .json(&json!({"plan": {"notes": ["fine", "not\u{0}fine"]}}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 400).await;
    assert_eq!(problem["errors"][0]["pointer"], "/plan/notes/1");

    // The text `\u0000` itself (an escaped backslash) is ordinary text.
    let mut body = example_profile();
    body["name"] = json!("Sam \\u0000");
    let response = app
        .request(Method::POST, "/v1/athletes", Some(&owner))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

/// To JSON Schema, and so to the document and every generated client,
/// `4.0` is the integer 4; the service used to refuse it (400) for an
/// integer field.
#[tokio::test]
async fn whole_floats_are_accepted_for_integer_fields() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let mut body = example_profile();
    body["runs_per_week"] = json!(4.0);
    body["minutes_per_day"] = json!(60.0);
    let response = app
        .request(Method::POST, "/v1/athletes", Some(&owner))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let athlete: Value = response.json().await.unwrap();
    assert_eq!(athlete["runs_per_week"], json!(4));
    assert_eq!(athlete["minutes_per_day"], json!(60));

    // A fraction is still no integer, and the error still points at it.
    let mut body = example_profile();
    body["runs_per_week"] = json!(4.5);
    let response = app
        .request(Method::POST, "/v1/athletes", Some(&owner))
        .json(&body)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 400).await;
    assert_eq!(problem["errors"][0]["pointer"], "/runs_per_week");
}

/// A patch that could never apply answered 412 when its If-Match was also
/// stale, a status schemathesis rightly refuses for invalid input: the
/// body is judged first now.
#[tokio::test]
async fn a_patch_that_cannot_apply_is_422_even_with_a_stale_if_match() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (id, _) = app.create_athlete(&owner).await;
    let patch = |body: Value| {
        app.request(Method::PATCH, &format!("/v1/athletes/{id}"), Some(&owner))
            .header("If-Match", "\"v999\"")
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
    };
    let problem = assert_problem(
        patch(json!({"strength_sessions_per_week": 0}))
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(
        problem["errors"][0]["pointer"],
        "/strength_sessions_per_week"
    );
    assert_problem(patch(json!({"runs_per_week": 3})).await.unwrap(), 412).await;
}

/// The same for replacing a logged session: an invalid session with a
/// stale If-Match was a 412.
#[tokio::test]
async fn a_session_replacement_that_cannot_apply_is_422_even_with_a_stale_if_match() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let run = json!({"kind": "easy_run", "started_at": "2026-11-23T07:00:00Z", "duration_min": 50, "distance_km": 8.4, "rpe": 3});
    let created: Value = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/sessions"),
            Some(&owner),
        )
        .json(&run)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!("/v1/sessions/{}", created["id"].as_str().unwrap());
    let put = |body: Value| {
        app.request(Method::PUT, &path, Some(&owner))
            .header("If-Match", "\"v999\"")
            .json(&body)
            .send()
    };
    let mut invalid = run.clone();
    invalid["rpe"] = json!(11);
    let problem = assert_problem(put(invalid).await.unwrap(), 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/rpe");
    assert_problem(put(run).await.unwrap(), 412).await;
}

/// Plan validation accepted numbers outside the ranges the document gives
/// for a plan (sets 1–10, target RPE 1–10) and judged such a plan valid.
#[tokio::test]
async fn plan_validation_refuses_numbers_outside_the_documented_ranges() {
    let app = spawn_app().await;
    let session = json!({
        "kind": "strength", "title": "Leg day", "time_of_day": "evening", "duration_min": 45, "target_rpe": 11,
        "warm_up": [{"exercise_slug": "leg-swings", "sets": 0, "reps": 10, "rest_s": 0}],
        "exercises": [{"exercise_slug": "reverse-lunge", "sets": 3, "reps": 8, "rest_s": 90}]
    });
    let plan = json!({
        "start_date": "2027-01-04", "end_date": "2027-01-10", "goal": "general_fitness", "experience": "intermediate",
        "weeks": [{
            "index": 1, "start_date": "2027-01-04", "phase": "base", "planned_run_km": 0.0, "planned_run_min": 0,
            "days": [{"date": "2027-01-04", "sessions": [session]}]
        }]
    });
    let response = app
        .request(Method::POST, "/v1/plans/validate", None)
        .json(&json!({ "plan": plan }))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422).await;
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "/plan/weeks/0/days/0/sessions/0/target_rpe",
            "/plan/weeks/0/days/0/sessions/0/warm_up/0/sets",
        ]
    );
}
