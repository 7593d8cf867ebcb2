//! Paces and zones, the profile fields they come from, plans that carry
//! them, the race as a session, and races too soon refused.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, example_profile, spawn_app};

const TEN_K: &str = include_str!("../fixtures/plans/10k-recent-race.json");

async fn post_json(app: &crate::helpers::TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .unwrap()
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["pointer"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn zones_give_vdot_paces_predictions_and_friel_zones_to_anyone() {
    let app = spawn_app().await;
    let response = post_json(
        &app,
        "/v1/zones",
        &json!({"recent_race": {"distance_km": 5, "time_s": 1474}, "threshold_hr": 170, "max_hr": 190}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let zones: Value = response.json().await.unwrap();
    assert_eq!(zones["vdot"], 39.1);
    let predictions = zones["race_predictions"].as_array().unwrap();
    assert_eq!(predictions.len(), 4);
    assert_eq!(predictions[0], json!({"distance_km": 5.0, "time_s": 1474}));
    for pace in ["easy", "marathon", "threshold", "interval", "repetition"] {
        let range = &zones["paces"][pace];
        assert!(range["min_s_per_km"].as_u64().unwrap() <= range["max_s_per_km"].as_u64().unwrap());
    }
    assert_eq!(zones["hr_zone_method"], "friel");
    let hr = zones["hr_zones"].as_array().unwrap();
    assert_eq!(hr.len(), 7);
    assert_eq!(hr[4]["zone"], "5a");
    assert_eq!(hr[4]["min_bpm"], 170);
    assert_eq!(hr[6]["max_bpm"], 190);

    // Karvonen without a threshold; no race, no paces.
    let zones: Value = post_json(&app, "/v1/zones", &json!({"max_hr": 190, "resting_hr": 50}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(zones["hr_zone_method"], "karvonen");
    assert_eq!(zones["hr_zones"].as_array().unwrap().len(), 5);
    assert!(zones.get("vdot").is_none() && zones.get("paces").is_none());
}

#[tokio::test]
async fn zones_refuse_what_cannot_be_computed_with_pointers() {
    let app = spawn_app().await;
    let problem = assert_problem(post_json(&app, "/v1/zones", &json!({})).await, 422).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("recent_race"),
        "{problem}"
    );
    let problem = assert_problem(
        post_json(
            &app,
            "/v1/zones",
            &json!({"max_hr": 150, "resting_hr": 140}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(pointers(&problem), ["/resting_hr"]);
    let problem = assert_problem(
        post_json(
            &app,
            "/v1/zones",
            &json!({"recent_race": {"distance_km": 5, "time_s": 300}, "threshold_hr": 260}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(pointers(&problem), ["/recent_race/time_s", "/threshold_hr"]);
    let problem = assert_problem(
        post_json(
            &app,
            "/v1/zones",
            &json!({"recent_race": {"distance_km": 100, "time_s": 36000}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(pointers(&problem), ["/recent_race/distance_km"]);
    // Not a number of beats, an unknown field: 400.
    assert_problem(
        post_json(&app, "/v1/zones", &json!({"max_hr": -5})).await,
        400,
    )
    .await;
    assert_problem(
        post_json(&app, "/v1/zones", &json!({"max_hr": 190, "vo2max": 50})).await,
        400,
    )
    .await;
}

#[tokio::test]
async fn profiles_keep_the_long_run_minutes_recent_race_and_heart_rates() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let mut profile = example_profile();
    profile["long_run_minutes"] = json!(180);
    profile["recent_race"] = json!({"distance_km": 10.0, "time_s": 2940, "date": "2026-10-04"});
    profile["max_hr"] = json!(188);
    profile["resting_hr"] = json!(48);
    profile["threshold_hr"] = json!(168);
    let response = app
        .request(Method::POST, "/v1/athletes", Some(&owner))
        .json(&profile)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let athlete: Value = response.json().await.unwrap();
    for field in [
        "long_run_minutes",
        "recent_race",
        "max_hr",
        "resting_hr",
        "threshold_hr",
    ] {
        assert_eq!(athlete[field], profile[field], "{field}");
    }
    let mut bad = example_profile();
    bad["long_run_minutes"] = json!(10);
    bad["threshold_hr"] = json!(250);
    bad["recent_race"] = json!({"distance_km": 10, "time_s": 2940, "date": "1850-01-01"});
    let problem = assert_problem(
        app.request(Method::POST, "/v1/athletes", Some(&owner))
            .json(&bad)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(
        pointers(&problem),
        ["/long_run_minutes", "/recent_race/date", "/threshold_hr"]
    );

    // A stored plan from the profile carries its zones.
    let id = athlete["id"].as_str().unwrap();
    let response = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{id}/plans"),
            Some(&owner),
        )
        .json(&json!({"start_date": "2026-12-07"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let stored: Value = response.json().await.unwrap();
    assert_eq!(stored["plan"]["zones"]["hr_zone_method"], "friel");
    assert!(stored["plan"]["zones"]["vdot"].as_f64().unwrap() > 40.0);
}

/// Every plain run step of `steps`, with repeat groups opened.
fn plain_steps(steps: &Value) -> Vec<&Value> {
    steps
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|step| {
            if step["kind"] == "repeat" {
                step["steps"].as_array().unwrap().iter().collect::<Vec<_>>()
            } else {
                vec![step]
            }
        })
        .collect()
}

#[tokio::test]
async fn a_plan_with_a_recent_race_has_zones_pace_targets_and_the_race() {
    let app = spawn_app().await;
    let request: Value = serde_json::from_str(TEN_K).unwrap();
    let response = post_json(&app, "/v1/plans/preview", &request).await;
    assert_eq!(response.status(), 200);
    let plan: Value = response.json().await.unwrap();
    assert_eq!(plan["zones"]["vdot"], 39.1);
    let sessions: Vec<(&Value, &Value)> = plan["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap())
        .flat_map(|d| {
            d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |s| (&d["date"], s))
        })
        .collect();
    let runs: Vec<&Value> = sessions
        .iter()
        .map(|(_, s)| *s)
        .filter(|s| {
            ["easy_run", "long_run", "tempo_run", "interval_run", "race"]
                .contains(&s["kind"].as_str().unwrap())
        })
        .collect();
    for run in &runs {
        assert!(
            !run["reasons"].as_array().unwrap().is_empty(),
            "{}",
            run["title"]
        );
        assert_eq!(plain_steps(&run["steps"])[0]["kind"], "warm_up");
        for step in plain_steps(&run["steps"])
            .into_iter()
            .filter(|s| s["kind"] != "walk")
        {
            assert!(
                step["target"]["pace_s_per_km"]["min"].is_u64(),
                "{}: {step}",
                run["title"]
            );
            assert!(
                step["target"]["hr_bpm"]["max"].is_u64(),
                "{}: {step}",
                run["title"]
            );
        }
    }
    let (date, race) = sessions.iter().find(|(_, s)| s["kind"] == "race").unwrap();
    assert_eq!(**date, request["race"]["date"]);
    assert_eq!(race["distance_km"], 10.0);
    let intervals = runs.iter().find(|s| s["kind"] == "interval_run").unwrap();
    assert!(
        intervals["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "repeat" && s["times"].as_u64().unwrap() >= 3)
    );
}

#[tokio::test]
async fn a_marathon_nine_weeks_from_no_running_is_a_422_with_the_earliest_safe_date() {
    let app = spawn_app().await;
    let request = json!({
        "start_date": "2027-01-04",
        "race": {"date": "2027-03-07", "distance": "marathon"},
        "goal": "endurance",
        "experience": "beginner",
        "available_days": ["monday", "wednesday", "friday", "saturday", "sunday"],
        "long_run_day": "sunday",
        "runs_per_week": 3,
        "current_weekly_km": 0,
        "longest_recent_run_km": 0
    });
    let problem = assert_problem(post_json(&app, "/v1/plans/preview", &request).await, 422).await;
    assert_eq!(problem["type"], "urn:runstrong:problem:infeasible-plan");
    let suggestions: Vec<&str> = problem["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        suggestions[0].starts_with("move the race to 2027-1"),
        "{suggestions:?}"
    );
    assert!(
        suggestions.iter().any(|s| s.contains("without a race")),
        "{suggestions:?}"
    );
}

#[tokio::test]
async fn a_race_is_logged_counted_as_running_and_listed_in_the_vocabulary() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let vocabularies = app.get_json("/v1/vocabularies").await;
    assert!(
        vocabularies["session_kinds"]
            .as_array()
            .unwrap()
            .contains(&json!("race"))
    );
    let response = app
        .request(Method::POST, &format!("/v1/athletes/{athlete}/sessions"), Some(&owner))
        .json(&json!({"kind": "race", "started_at": "2026-10-04T09:00:00Z", "duration_min": 49, "distance_km": 10.0, "rpe": 9}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let report: Value = app
        .request(
            Method::GET,
            &format!("/v1/athletes/{athlete}/load?from=2026-09-28&to=2026-10-04"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["weeks"][0]["run_km"], 10.0);
    assert_eq!(report["weeks"][0]["load"], 441.0, "RPE 9 × 49 min");
}

#[tokio::test]
async fn a_hand_written_plan_with_badly_shaped_steps_is_a_422_and_race_week_rules_are_checked() {
    let app = spawn_app().await;
    let run = |kind: &str, minutes: u32, km: f64, rpe: u8, steps: Value| {
        json!({"kind": kind, "title": kind, "time_of_day": "morning", "duration_min": minutes,
               "distance_km": km, "target_rpe": rpe, "steps": steps})
    };
    let easy_steps = json!([
        {"kind": "warm_up", "duration_s": 300},
        {"kind": "work", "duration_s": 2100},
        {"kind": "cool_down", "duration_s": 300}
    ]);
    let plan = |day_before: Value| {
        json!({
            "start_date": "2027-04-12", "end_date": "2027-04-18", "goal": "endurance", "experience": "intermediate",
            "race": {"date": "2027-04-18", "distance": "10k"},
            "athlete": {"current_weekly_km": 32.0, "longest_recent_run_km": 12.0},
            "weeks": [{"index": 1, "start_date": "2027-04-12", "phase": "taper", "planned_run_km": 16.0, "planned_run_min": 80,
                "days": [
                    {"date": "2027-04-13", "sessions": [run("easy_run", 45, 7.0, 3, easy_steps.clone())]},
                    {"date": "2027-04-17", "sessions": [day_before]},
                    {"date": "2027-04-18", "sessions": [run("race", 60, 10.0, 9, json!([
                        {"kind": "warm_up", "duration_s": 900}, {"kind": "work", "distance_m": 10000},
                        {"kind": "walk", "duration_s": 300}]))]}
                ]}]
        })
    };
    let bad_steps = run(
        "easy_run",
        20,
        3.0,
        3,
        json!([{"kind": "work", "duration_s": 600, "distance_m": 2000}]),
    );
    let problem = assert_problem(
        post_json(
            &app,
            "/v1/plans/validate",
            &json!({"plan": plan(bad_steps)}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        pointers(&problem),
        ["/plan/weeks/0/days/1/sessions/0/steps/0"]
    );

    let tempo = run(
        "tempo_run",
        50,
        9.0,
        7,
        json!([
        {"kind": "warm_up", "duration_s": 900}, {"kind": "work", "duration_s": 1200}, {"kind": "cool_down", "duration_s": 900}]),
    );
    let report: Value = post_json(&app, "/v1/plans/validate", &json!({"plan": plan(tempo)}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], false);
    let rules: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule_id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"race_week_easy_days"), "{rules:?}");
    let easy = run(
        "easy_run",
        20,
        3.5,
        3,
        json!([{"kind": "warm_up", "duration_s": 300}, {"kind": "work", "duration_s": 900}]),
    );
    let report: Value = post_json(&app, "/v1/plans/validate", &json!({"plan": plan(easy)}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true, "{report}");
}
