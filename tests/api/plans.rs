use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

fn marathon_request() -> Value {
    json!({
        "start_date": "2026-12-07",
        "race": {"date": "2027-04-18", "distance": "marathon"},
        "goal": "endurance",
        "experience": "intermediate",
        "available_days": ["monday", "tuesday", "wednesday", "thursday", "saturday", "sunday"],
        "minutes_per_day": 120,
        "long_run_day": "sunday",
        "runs_per_week": 4,
        "strength_sessions_per_week": 2,
        "current_weekly_km": 45,
        "longest_recent_run_km": 18,
        "equipment": ["dumbbell", "mat", "resistance_band", "box"],
        "injuries": ["knee"],
        "allow_hiit": false,
        "allow_two_a_days": false
    })
}

#[tokio::test]
async fn rules_are_listed_with_ids_severity_and_rationale() {
    let app = spawn_app().await;
    let rules = app.get_json("/v1/rules").await;
    let items = rules["items"].as_array().unwrap();
    let rule = items
        .iter()
        .find(|r| r["id"] == "no_long_run_after_leg_day")
        .unwrap();
    assert_eq!(rule["severity"], "hard");
    assert!(rule["rationale"].as_str().unwrap().len() > 10);
    assert!(items.iter().any(|r| r["severity"] == "soft"));
}

#[tokio::test]
async fn a_marathon_preview_has_phases_a_taper_and_reasons() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/plans/preview"))
        .json(&marathon_request())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let plan: Value = response.json().await.unwrap();
    let weeks = plan["weeks"].as_array().unwrap();
    assert_eq!(plan["end_date"], "2027-04-18");
    let phases: Vec<&str> = weeks.iter().map(|w| w["phase"].as_str().unwrap()).collect();
    for phase in ["base", "build", "peak", "recovery", "taper"] {
        assert!(phases.contains(&phase), "{phase} missing: {phases:?}");
    }
    assert_eq!(phases.last(), Some(&"taper"));
    let reasons = weeks
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap())
        .flat_map(|d| d["sessions"].as_array().unwrap())
        .filter(|s| !s["reasons"].as_array().unwrap().is_empty())
        .count();
    assert!(reasons > 10, "{reasons}");
    assert!(plan["rules_checked"].as_array().unwrap().len() >= 14);

    // The same plan, sent back to the validator, breaks no hard rule.
    let report: Value = app
        .client
        .post(app.url("/v1/plans/validate"))
        .json(&json!({"plan": plan}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true, "{report}");
}

#[tokio::test]
async fn impossible_availability_is_a_422_naming_the_conflict() {
    let app = spawn_app().await;
    let mut request = marathon_request();
    request["available_days"] = json!(["monday", "wednesday", "friday"]);
    request["long_run_day"] = json!("friday");
    request["runs_per_week"] = json!(1);
    request["strength_sessions_per_week"] = json!(3);
    let problem = assert_problem(
        app.client
            .post(app.url("/v1/plans/preview"))
            .json(&request)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(problem["type"], "urn:runstrong:problem:infeasible-plan");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("3 lower-body strength"),
        "{problem}"
    );
    assert!(!problem["suggestions"].as_array().unwrap().is_empty());

    let mut both = marathon_request();
    both["weeks"] = json!(12);
    let problem = assert_problem(
        app.client
            .post(app.url("/v1/plans/preview"))
            .json(&both)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/weeks");
    let mut unknown = marathon_request();
    unknown["goal"] = json!("speed");
    assert_problem(
        app.client
            .post(app.url("/v1/plans/preview"))
            .json(&unknown)
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
}

fn strength_session(exercises: &[&str]) -> Value {
    json!({
        "kind": "strength", "title": "Leg day", "time_of_day": "morning", "duration_min": 45, "target_rpe": 7,
        "warm_up": [{"exercise_slug": "leg-swings", "sets": 1, "reps": 10, "rest_s": 0}],
        "cool_down": [{"exercise_slug": "standing-quad-stretch", "sets": 1, "hold_s": 30, "rest_s": 0}],
        "exercises": exercises.iter().map(|slug| json!({"exercise_slug": slug, "sets": 3, "reps": 8, "rest_s": 90})).collect::<Vec<_>>(),
        "reasons": []
    })
}

#[tokio::test]
async fn a_hand_written_plan_with_a_long_run_after_leg_day_is_flagged() {
    let app = spawn_app().await;
    let long_run = json!({
        "kind": "long_run", "title": "Long run", "time_of_day": "morning", "duration_min": 70, "distance_km": 10.0, "target_rpe": 4,
        "warm_up": [{"exercise_slug": "leg-swings", "sets": 1, "reps": 10, "rest_s": 0}],
        "cool_down": [{"exercise_slug": "standing-quad-stretch", "sets": 1, "hold_s": 30, "rest_s": 0}]
    });
    let plan = json!({
        "start_date": "2027-01-02", "end_date": "2027-01-08", "goal": "general_fitness", "experience": "intermediate",
        "weeks": [{
            "index": 1, "start_date": "2027-01-02", "phase": "base", "planned_run_km": 10.0, "planned_run_min": 70,
            "days": [
                {"date": "2027-01-02", "sessions": [strength_session(&["bodyweight-squat", "reverse-lunge", "band-row", "dead-bug"])]},
                {"date": "2027-01-03", "sessions": [long_run]},
                {"date": "2027-01-04", "sessions": []}
            ]
        }]
    });
    let response = app
        .client
        .post(app.url("/v1/plans/validate"))
        .json(&json!({"plan": plan}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["valid"], false);
    let violation = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule_id"] == "no_long_run_after_leg_day")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(violation["severity"], "hard");
    assert_eq!(violation["dates"], json!(["2027-01-02", "2027-01-03"]));
    assert!(!violation["suggested_fix"].as_str().unwrap().is_empty());

    let mut unknown = plan.clone();
    unknown["weeks"][0]["days"][0]["sessions"][0]["exercises"][0]["exercise_slug"] =
        json!("moon-squat");
    let problem = assert_problem(
        app.client
            .post(app.url("/v1/plans/validate"))
            .json(&json!({"plan": unknown}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(
        problem["errors"][0]["pointer"],
        "/plan/weeks/0/days/0/sessions/0/exercises/0/exercise_slug"
    );
}

#[tokio::test]
async fn stored_plans_come_from_the_profile_and_export_to_a_calendar() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let created = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/plans"),
            Some(&owner),
        )
        .json(&json!({"start_date": "2027-01-04", "weeks": 8, "race": null, "runs_per_week": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let stored: Value = created.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/plans/{}", stored["id"].as_str().unwrap())
    );
    // Profile defaults, body overrides; weeks with `"race": null` replaced
    // the profile's race.
    assert_eq!(stored["request"]["goal"], "endurance");
    assert_eq!(stored["request"]["runs_per_week"], 3);
    assert!(stored["request"]["race"].is_null());
    assert_eq!(stored["plan"]["weeks"].as_array().unwrap().len(), 8);

    let listed: Value = app
        .request(
            Method::GET,
            &format!("/v1/athletes/{athlete_id}/plans"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["id"], stored["id"]);

    let fetched = app
        .request(Method::GET, &location, Some(&owner))
        .send()
        .await
        .unwrap();
    let etag = fetched.headers()["etag"].to_str().unwrap().to_owned();
    let fetched: Value = fetched.json().await.unwrap();
    assert_eq!(fetched, stored);
    let cached = app
        .request(Method::GET, &location, Some(&owner))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);

    let ics = app
        .request(
            Method::GET,
            &format!("{location}/calendar.ics"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ics.status(), 200);
    assert!(
        ics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = ics.text().await.unwrap().replace("\r\n ", "");
    let sessions: usize = stored["plan"]["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap())
        .map(|d| d["sessions"].as_array().unwrap().len())
        .sum();
    assert_eq!(text.matches("BEGIN:VEVENT").count(), sessions);
    assert!(
        text.contains("DTSTART:20270104T") || text.contains("DTSTART:20270105T"),
        "first week's dates"
    );

    let deleted = app
        .request(Method::DELETE, &location, Some(&owner))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_problem(
        app.request(Method::GET, &location, Some(&owner))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;

    // Bad overrides point at the field.
    let bad = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/plans"),
            Some(&owner),
        )
        .json(&json!({"runs_per_week": "four"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(bad, 400).await;
    assert_eq!(problem["errors"][0]["pointer"], "/runs_per_week");
}

/// `weeks` against a profile with a race would drop the race (no peak, no
/// taper): refused, naming the race, unless the body says what becomes of it.
#[tokio::test]
async fn weeks_never_silently_drop_the_race_of_the_profile() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let path = format!("/v1/athletes/{athlete_id}/plans");
    let store = |body: Value| {
        app.request(Method::POST, &path, Some(&owner))
            .json(&body)
            .send()
    };
    let problem = assert_problem(
        store(json!({"start_date": "2027-01-04", "weeks": 12}))
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/weeks");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("marathon on 2027-04-18") && detail.contains(r#""race": null"#),
        "{detail}"
    );
    // Another race beside weeks is refused as in a preview.
    let both = json!({"start_date": "2027-01-04", "weeks": 12,
        "race": {"date": "2027-03-28", "distance": "half_marathon"}});
    let problem = assert_problem(store(both).await.unwrap(), 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/weeks");
    assert_eq!(
        app.query_json(&format!(
            "SELECT to_json(count(*)) FROM plans WHERE athlete_id = '{athlete_id}'"
        ))
        .await,
        "0",
        "nothing stored"
    );

    // Without weeks the plan runs up to the race, peak and taper included.
    let to_race = store(json!({"start_date": "2027-01-04"})).await.unwrap();
    assert_eq!(to_race.status(), 201);
    let to_race: Value = to_race.json().await.unwrap();
    assert_eq!(to_race["plan"]["end_date"], "2027-04-18");
    let phases: Vec<&str> = to_race["plan"]["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases.last(), Some(&"taper"), "{phases:?}");
    // Saying so plans the weeks without the race.
    let without = store(json!({"start_date": "2027-01-04", "weeks": 12, "race": null}))
        .await
        .unwrap();
    assert_eq!(without.status(), 201);
    let without: Value = without.json().await.unwrap();
    assert!(without["plan"]["race"].is_null());
    assert_eq!(without["plan"]["weeks"].as_array().unwrap().len(), 12);
}
