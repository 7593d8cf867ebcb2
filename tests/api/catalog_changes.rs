use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, spawn_app};

fn exercise_body(slug: &str) -> Value {
    json!({
        "slug": slug,
        "name": "Banded hip hinge",
        "summary": "A hinge pattern drill with a band that teaches hips back.",
        "category": "lower_body",
        "movement_pattern": "hinge",
        "primary_muscles": ["hamstrings", "glutes"],
        "secondary_muscles": ["lower_back"],
        "equipment": ["resistance_band"],
        "unilateral": false,
        "compound": true,
        "impact": "low",
        "difficulty": 1,
        "instructions": ["Loop the band around a post.", "Push the hips back.", "Stand tall again."],
        "cues": ["Hips back, not down"],
        "easier": [],
        "harder": [{"kind": "exercise", "exercise_slug": "single-leg-deadlift"}],
        "substitutes": [],
        "avoid_with": [],
        "helps_with": ["lower_back"],
        "benefits": ["form"],
        "default_prescription": {"sets": 2, "reps": 12, "hold_s": null, "tempo": "2-0-1-0", "rest_s": 45}
    })
}

async fn create(app: &TestApp, session: &Session, body: &Value) -> reqwest::Response {
    app.request(Method::POST, "/v1/exercises", Some(session))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn export(app: &TestApp, session: Option<&Session>) -> Value {
    app.request(Method::GET, "/v1/exercises/export", session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn admins_create_change_and_delete_global_exercises() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = create(&app, &admin, &exercise_body("banded-hip-hinge")).await;
    assert_eq!(created.status(), 201);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let exercise: Value = created.json().await.unwrap();
    assert!(exercise["owner_account_id"].is_null());
    // Everyone sees it, also without a token, with the same ETag.
    let anonymous = app.get("/v1/exercises/banded-hip-hinge").await;
    assert_eq!(anonymous.headers()["etag"].to_str().unwrap(), etag);

    let path = format!("/v1/exercises/{}", exercise["id"].as_str().unwrap());
    let mut changed = exercise_body("banded-hip-hinge");
    changed["difficulty"] = json!(2);
    let put = |if_match: Option<String>, body: Value| {
        let mut request = app.request(Method::PUT, &path, Some(&admin)).json(&body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    assert_problem(put(None, changed.clone()).await.unwrap(), 428).await;
    assert_problem(
        put(Some("\"stale\"".into()), changed.clone())
            .await
            .unwrap(),
        412,
    )
    .await;
    let replaced = put(Some(etag.clone()), changed.clone()).await.unwrap();
    assert_eq!(replaced.status(), 200);
    let new_etag = replaced.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(app.get_json(&path).await["difficulty"], 2);

    // Duplicate slug, rule breaks and dangling links are refused.
    assert_problem(
        create(&app, &admin, &exercise_body("glute-bridge")).await,
        409,
    )
    .await;
    let mut dangling = exercise_body("another-hinge");
    dangling["harder"] = json!([{"kind": "exercise", "exercise_slug": "no-such-exercise"}]);
    let problem = assert_problem(create(&app, &admin, &dangling).await, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/harder/0/exercise_slug");
    let mut broken = exercise_body("yet-another-hinge");
    broken["default_prescription"]["hold_s"] = json!(30);
    assert_problem(create(&app, &admin, &broken).await, 422).await;

    let delete = app
        .request(Method::DELETE, &path, Some(&admin))
        .header("If-Match", &new_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
    assert_problem(app.get(&path).await, 404).await;
}

#[tokio::test]
async fn coaches_keep_private_exercises_for_the_athletes_who_granted_them() {
    let app = spawn_app().await;
    let coach = app.register("coach").await;
    let client = app.register("athlete").await;
    let stranger = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&client).await;
    app.grant(&client, &athlete_id, &coach, "read").await;

    let created = create(&app, &coach, &exercise_body("coachs-hinge")).await;
    assert_eq!(created.status(), 201);
    let exercise: Value = created.json().await.unwrap();
    assert_eq!(exercise["owner_account_id"], coach.account_id);

    let listed = |session: Option<Session>| {
        let app = &app;
        async move {
            let page: Value = app
                .request(
                    Method::GET,
                    "/v1/exercises?q=hinge&limit=200",
                    session.as_ref(),
                )
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["slug"] == "coachs-hinge")
        }
    };
    assert!(listed(Some(coach.clone())).await);
    assert!(listed(Some(client.clone())).await);
    assert!(!listed(Some(stranger.clone())).await);
    assert!(!listed(None).await);
    let exported = export(&app, Some(&client)).await;
    assert!(
        exported["exercises"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["slug"] == "coachs-hinge")
    );
    assert!(
        !export(&app, None).await["exercises"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["slug"] == "coachs-hinge")
    );
    let by_slug = |session: Option<&Session>| {
        app.request(Method::GET, "/v1/exercises/coachs-hinge", session)
            .send()
    };
    assert_eq!(by_slug(Some(&client)).await.unwrap().status(), 200);
    assert_problem(by_slug(Some(&stranger)).await.unwrap(), 404).await;
    assert_problem(by_slug(None).await.unwrap(), 404).await;

    // Athletes cannot add exercises; coaches cannot touch the global catalog.
    assert_problem(
        create(&app, &client, &exercise_body("athletes-own")).await,
        403,
    )
    .await;
    let global = app.get("/v1/exercises/glute-bridge").await;
    let etag = global.headers()["etag"].to_str().unwrap().to_owned();
    let global: Value = global.json().await.unwrap();
    let mut body = global.clone();
    for field in ["id", "owner_account_id"] {
        body.as_object_mut().unwrap().remove(field);
    }
    let put = app
        .request(Method::PUT, "/v1/exercises/glute-bridge", Some(&coach))
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(put, 403).await;
}

#[tokio::test]
async fn export_then_import_into_an_empty_catalog_gives_back_the_same_catalog() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    create(&app, &admin, &exercise_body("banded-hip-hinge")).await;
    let before = export(&app, Some(&admin)).await;
    app.execute_sql("DELETE FROM exercises").await;
    assert!(
        export(&app, Some(&admin)).await["exercises"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let import = app
        .request(Method::POST, "/v1/exercises/import", Some(&admin))
        .json(&before)
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 200);
    let report: Value = import.json().await.unwrap();
    assert_eq!(
        report["created"].as_array().unwrap().len(),
        before["exercises"].as_array().unwrap().len()
    );
    assert!(report["updated"].as_array().unwrap().is_empty());
    assert_eq!(export(&app, Some(&admin)).await, before);

    // Importing the same again updates every exercise and changes nothing.
    let again: Value = app
        .request(Method::POST, "/v1/exercises/import", Some(&admin))
        .json(&before)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["updated"].as_array().unwrap().len(),
        before["exercises"].as_array().unwrap().len()
    );
    assert_eq!(export(&app, Some(&admin)).await, before);
}

#[tokio::test]
async fn imports_are_all_or_nothing_and_say_what_was_rejected() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let coach = app.register("coach").await;
    let before = count_exercises(&app).await;
    let items = json!([
        {"id": "Box_Squat", "name": "Goblet Box Squat", "force": "push", "level": "beginner", "mechanic": "compound",
         "equipment": "dumbbell", "primaryMuscles": ["quadriceps"], "secondaryMuscles": ["glutes"],
         "instructions": ["Hold a dumbbell.", "Sit to the box.", "Stand up."], "category": "strength", "images": []},
        {"id": "Wrist_Roller", "name": "Wrist Roller", "force": "pull", "level": "beginner", "mechanic": "isolation",
         "equipment": "other", "primaryMuscles": ["forearms"], "secondaryMuscles": [],
         "instructions": ["Roll it up."], "category": "strength", "images": []}
    ]);
    let post = |session: &Session, body: &Value| {
        app.request(Method::POST, "/v1/exercises/import", Some(session))
            .json(body)
            .send()
    };
    assert_problem(post(&coach, &items).await.unwrap(), 403).await;
    let problem = assert_problem(post(&admin, &items).await.unwrap(), 422).await;
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/1/primaryMuscles", "/1/equipment"], "{problem}");
    assert_eq!(
        count_exercises(&app).await,
        before,
        "a rejected import wrote something"
    );

    let good = json!([items[0].clone()]);
    let report: Value = post(&admin, &good).await.unwrap().json().await.unwrap();
    assert_eq!(report["created"], json!(["goblet-box-squat"]));
    let imported = app.get_json("/v1/exercises/goblet-box-squat").await;
    assert_eq!(imported["category"], "lower_body");
    assert_eq!(imported["equipment"], json!(["dumbbell"]));

    // A runstrong document with one bad item: nothing written, item named.
    let mut catalog = export(&app, Some(&admin)).await;
    catalog["exercises"][3]["category"] = json!("cardio");
    let problem = assert_problem(post(&admin, &catalog).await.unwrap(), 422).await;
    assert_eq!(
        problem["errors"][0]["pointer"], "/exercises/3/category",
        "{problem}"
    );
    assert_problem(post(&admin, &json!("nonsense")).await.unwrap(), 422).await;
}

async fn count_exercises(app: &TestApp) -> String {
    app.query_json("SELECT to_json(count(*)) FROM exercises")
        .await
}

/// Anonymous catalog reads come from memory; a change made through one
/// instance shows there at once and on another instance (told by NOTIFY)
/// within moments, for single exercises and for list pages alike.
#[tokio::test]
async fn catalog_changes_reach_every_instance() {
    let app = spawn_app().await;
    let other = app.another_instance().await;
    let admin = app.admin().await;
    let client = reqwest::Client::new();
    let read = |base: String, path: &'static str| {
        let client = client.clone();
        async move {
            let response = client.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let etag = response.headers()["etag"].to_str().unwrap().to_owned();
            (etag, response.json::<Value>().await.unwrap())
        }
    };
    const ONE: &str = "/v1/exercises/glute-bridge";
    const LIST: &str = "/v1/exercises?muscle=glutes&limit=200";
    let glute_bridge_difficulty = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["slug"] == "glute-bridge")
            .map(|e| e["difficulty"].clone())
    };
    // Both instances have read (and so cached) the exercise and the page.
    let (etag, before) = read(app.address.clone(), ONE).await;
    assert_eq!(read(other.address.clone(), ONE).await.0, etag);
    read(app.address.clone(), LIST).await;
    read(other.address.clone(), LIST).await;

    let mut changed = before.clone();
    for field in ["id", "owner_account_id"] {
        changed.as_object_mut().unwrap().remove(field);
    }
    let new_difficulty = if before["difficulty"] == 1 { 2 } else { 1 };
    changed["difficulty"] = json!(new_difficulty);
    let put = app
        .request(Method::PUT, ONE, Some(&admin))
        .header("If-Match", &etag)
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);

    // The instance that made the change answers with it at once.
    let (here_etag, here) = read(app.address.clone(), ONE).await;
    assert_ne!(here_etag, etag);
    assert_eq!(here["difficulty"], new_difficulty);
    let (_, page) = read(app.address.clone(), LIST).await;
    assert_eq!(glute_bridge_difficulty(&page), Some(json!(new_difficulty)));

    // The other instance within a couple of seconds (in practice, tens
    // of milliseconds), for the exercise and the list page.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let (there_etag, _) = read(other.address.clone(), ONE).await;
        let (_, page) = read(other.address.clone(), LIST).await;
        if there_etag == here_etag && glute_bridge_difficulty(&page) == Some(json!(new_difficulty))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the other instance still serves the old catalog"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
