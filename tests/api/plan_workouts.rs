//! Planned sessions downloaded as FIT workouts and read back with
//! fitparser (CRCs checked). Garmin's FIT SDK reads the workouts of the
//! fixture plans in `.ci/watch/run`.

use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value as FitValue};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, spawn_app};

/// An athlete with a recent 10 km race and heart-rate figures, and a stored
/// 8-week plan with paces, runs and strength.
async fn stored_plan(app: &TestApp) -> (Session, Value) {
    let owner = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let created = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/plans"),
            Some(&owner),
        )
        .json(&json!({
            "start_date": "2027-01-04",
            "weeks": 8,
            "race": null,
            "recent_race": {"distance_km": 10, "time_s": 2700},
            "max_hr": 190,
            "resting_hr": 50,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    (owner, created.json().await.unwrap())
}

fn records(bytes: &[u8]) -> Vec<FitDataRecord> {
    fitparser::from_bytes(bytes).expect("a FIT file with valid CRCs")
}

fn field<'a>(record: &'a FitDataRecord, name: &str) -> Option<&'a FitValue> {
    record
        .fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

fn text(record: &FitDataRecord, name: &str) -> String {
    match field(record, name) {
        Some(FitValue::String(s)) => s.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

fn of_kind(records: &[FitDataRecord], kind: MesgNum) -> Vec<&FitDataRecord> {
    records.iter().filter(|r| r.kind() == kind).collect()
}

fn workout_path(plan_id: &str, date: &str, n: usize) -> String {
    format!("/v1/plans/{plan_id}/days/{date}/sessions/{n}/workout.fit")
}

async fn download(app: &TestApp, who: &Session, path: &str) -> reqwest::Response {
    app.request(Method::GET, path, Some(who))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_session_of_a_stored_plan_is_a_workout_for_the_watch() {
    let app = spawn_app().await;
    let (owner, stored) = stored_plan(&app).await;
    let plan_id = stored["id"].as_str().unwrap();
    let (mut runs, mut strength, mut paced_steps) = (0, 0, 0);
    for week in stored["plan"]["weeks"].as_array().unwrap() {
        for day in week["days"].as_array().unwrap() {
            let date = day["date"].as_str().unwrap();
            for (index, session) in day["sessions"].as_array().unwrap().iter().enumerate() {
                let kind = session["kind"].as_str().unwrap();
                let response =
                    download(&app, &owner, &workout_path(plan_id, date, index + 1)).await;
                if matches!(kind, "rest" | "cross_training") {
                    assert_problem(response, 404).await;
                    continue;
                }
                assert_eq!(response.status(), 200, "{date} #{} {kind}", index + 1);
                assert_eq!(
                    response.headers()["content-type"],
                    "application/vnd.ant.fit"
                );
                let disposition = response.headers()["content-disposition"].to_str().unwrap();
                assert!(
                    disposition.starts_with(&format!("attachment; filename=\"{date}-"))
                        && disposition.ends_with(".fit\""),
                    "{disposition}"
                );
                let bytes = response.bytes().await.unwrap();
                let all = records(&bytes);
                assert_eq!(text(of_kind(&all, MesgNum::FileId)[0], "type"), "workout");
                let workout = of_kind(&all, MesgNum::Workout)[0];
                let steps = of_kind(&all, MesgNum::WorkoutStep);
                assert!(!steps.is_empty());
                let title = session["title"].as_str().unwrap();
                let name = text(workout, "wkt_name");
                assert!(
                    title.starts_with(&name) && !name.is_empty(),
                    "{name} of {title}"
                );
                if session["steps"].is_array() {
                    runs += 1;
                    assert_eq!(text(workout, "sport"), "running");
                    paced_steps += steps
                        .iter()
                        .filter(|step| text(step, "target_type") == "speed")
                        .count();
                } else if kind == "strength" {
                    strength += 1;
                    assert_eq!(text(workout, "sub_sport"), "strength_training");
                    // Named as the catalog names it, not by slug.
                    let slug = session["exercises"][0]["exercise_slug"].as_str().unwrap();
                    let exercise = app
                        .get_json_as(&format!("/v1/exercises/{slug}"), &owner)
                        .await;
                    let names: Vec<String> =
                        steps.iter().map(|s| text(s, "wkt_step_name")).collect();
                    assert!(
                        names.contains(&exercise["name"].as_str().unwrap().to_owned()),
                        "{names:?}"
                    );
                }
            }
        }
    }
    assert!(
        runs >= 16 && strength >= 8,
        "{runs} runs, {strength} strength"
    );
    assert!(
        paced_steps > 0,
        "a plan with a recent race has pace targets"
    );
}

#[tokio::test]
async fn sessions_that_do_not_exist_or_are_not_the_callers_answer_404() {
    let app = spawn_app().await;
    let (owner, stored) = stored_plan(&app).await;
    let plan_id = stored["id"].as_str().unwrap();
    // The first day with a run as its first session.
    let first_day = stored["plan"]["weeks"][0]["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|day| day["sessions"][0]["steps"].is_array())
        .unwrap();
    let date = first_day["date"].as_str().unwrap();
    let count = first_day["sessions"].as_array().unwrap().len();
    let existing = workout_path(plan_id, date, 1);

    // The same bytes on every download (stamped with the plan's time).
    let first = download(&app, &owner, &existing).await;
    assert_eq!(first.status(), 200);
    let again = download(&app, &owner, &existing).await;
    assert_eq!(first.bytes().await.unwrap(), again.bytes().await.unwrap());

    for path in [
        workout_path(plan_id, date, 0),
        workout_path(plan_id, date, count + 1),
        workout_path(plan_id, date, 70_000),
        workout_path(plan_id, "2026-12-28", 1),
        workout_path(plan_id, "2027-02-30", 1),
        workout_path(plan_id, "3000-01-01", 1),
        workout_path(plan_id, "tomorrow", 1),
        workout_path("00000000-0000-0000-0000-000000000000", date, 1),
    ] {
        let problem = assert_problem(download(&app, &owner, &path).await, 404).await;
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{path}");
    }
    let stranger = app.register("athlete").await;
    assert_problem(download(&app, &stranger, &existing).await, 404).await;
    let anonymous = app.client.get(app.url(&existing)).send().await.unwrap();
    assert_problem(anonymous, 401).await;
}

#[tokio::test]
async fn a_stored_session_a_watch_cannot_follow_answers_422_with_a_pointer() {
    let app = spawn_app().await;
    let (owner, stored) = stored_plan(&app).await;
    let plan_id = stored["id"].as_str().unwrap();
    let (week, day, session, date) = stored["plan"]["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .flat_map(|(w, week)| {
            week["days"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(move |(d, day)| (w, d, day))
        })
        .find_map(|(w, d, day)| {
            let sessions = day["sessions"].as_array().unwrap();
            let s = sessions.iter().position(|s| s["kind"] == "strength")?;
            Some((w, d, s, day["date"].as_str().unwrap().to_owned()))
        })
        .expect("a strength session");
    // A stored plan from before the validator knew better: zero sets.
    app.execute_sql(&format!(
        "UPDATE plans SET plan = jsonb_set(plan, \
         '{{weeks,{week},days,{day},sessions,{session},exercises,0,sets}}', '0') \
         WHERE id = '{plan_id}'"
    ))
    .await;
    let response = download(&app, &owner, &workout_path(plan_id, &date, session + 1)).await;
    let problem = assert_problem(response, 422).await;
    assert_eq!(
        problem["errors"][0]["pointer"],
        format!("/plan/weeks/{week}/days/{day}/sessions/{session}")
    );
}
