//! Private exercise slugs live in their coach's namespace: they never
//! block the global catalog or another coach, never reveal one another by
//! a 409, and a slug several exercises share resolves in a documented
//! order (the caller's own, the global one, then a coach's, oldest first).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, spawn_app};

fn exercise(slug: &str, name: &str) -> Value {
    json!({
        "slug": slug,
        "name": name,
        "summary": "A drill whose slug several namespaces use.",
        "category": "lower_body",
        "movement_pattern": "squat",
        "primary_muscles": ["quadriceps", "glutes"],
        "secondary_muscles": [],
        "equipment": ["none"],
        "unilateral": false,
        "compound": true,
        "impact": "low",
        "difficulty": 2,
        "instructions": ["Stand tall.", "Sit back and down.", "Stand up again."],
        "cues": [],
        "easier": [],
        "harder": [],
        "substitutes": [],
        "avoid_with": [],
        "helps_with": [],
        "benefits": ["endurance"],
        "default_prescription": {"sets": 3, "reps": 10, "hold_s": null, "tempo": null, "rest_s": 60}
    })
}

async fn create(app: &TestApp, session: &Session, body: &Value) -> reqwest::Response {
    app.request(Method::POST, "/v1/exercises", Some(session))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn created_id(app: &TestApp, session: &Session, body: &Value) -> String {
    let response = create(app, session, body).await;
    assert_eq!(response.status(), 201, "create {}", body["slug"]);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn get_as(app: &TestApp, path: &str, session: Option<&Session>) -> Value {
    let response = app
        .request(Method::GET, path, session)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_private_slug_blocks_neither_the_global_catalog_nor_another_coach() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let coach_a = app.register("coach").await;
    let coach_b = app.register("coach").await;
    let mine = created_id(&app, &coach_a, &exercise("tempo-squat", "A's tempo squat")).await;

    // Another coach may use the slug: a 409 would tell them A has it.
    created_id(&app, &coach_b, &exercise("tempo-squat", "B's tempo squat")).await;
    // So may the admin, in the global catalog.
    let global = created_id(&app, &admin, &exercise("tempo-squat", "Tempo squat")).await;
    // Only a slug taken in one's own namespace is a 409, and it says so.
    let problem = assert_problem(
        create(&app, &coach_a, &exercise("tempo-squat", "again")).await,
        409,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("you already have")
    );
    assert_problem(
        create(&app, &admin, &exercise("tempo-squat", "again")).await,
        409,
    )
    .await;
    // A coach may also reuse a global slug for a variation of their own.
    created_id(&app, &coach_a, &exercise("glute-bridge", "A's bridge")).await;

    // Each sees their own first; everyone else, the global one.
    let for_a = get_as(&app, "/v1/exercises/tempo-squat", Some(&coach_a)).await;
    assert_eq!(for_a["id"], mine.as_str());
    let for_anyone = get_as(&app, "/v1/exercises/tempo-squat", None).await;
    assert_eq!(for_anyone["id"], global.as_str());
    let for_admin = get_as(&app, "/v1/exercises/tempo-squat", Some(&admin)).await;
    assert_eq!(for_admin["id"], global.as_str());
    let bridge = get_as(&app, "/v1/exercises/glute-bridge", Some(&coach_a)).await;
    assert_eq!(bridge["owner_account_id"], coach_a.account_id.as_str());
    assert!(
        get_as(&app, "/v1/exercises/glute-bridge", Some(&coach_b)).await["owner_account_id"]
            .is_null()
    );
}

#[tokio::test]
async fn imports_never_fail_because_of_a_coach_s_slug() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let coach = app.register("coach").await;
    let private = created_id(&app, &coach, &exercise("hill-sprint-squat", "Coach's")).await;
    let mut item = exercise("hill-sprint-squat", "Imported");
    item["id"] = json!(uuid::Uuid::now_v7());
    let response = app
        .request(Method::POST, "/v1/exercises/import", Some(&admin))
        .json(&json!({"format": "runstrong", "version": 1, "exercises": [item]}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let report: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], json!(["hill-sprint-squat"]));
    // Both exist; the coach keeps theirs.
    let for_coach = get_as(&app, "/v1/exercises/hill-sprint-squat", Some(&coach)).await;
    assert_eq!(for_coach["id"], private.as_str());
    let for_anyone = get_as(&app, "/v1/exercises/hill-sprint-squat", None).await;
    assert_eq!(for_anyone["name"], "Imported");
    // An id is unique across namespaces: an import cannot take over a
    // private exercise by naming its id.
    let mut stolen = exercise("another-slug-entirely", "Stolen");
    stolen["id"] = json!(private);
    let response = app
        .request(Method::POST, "/v1/exercises/import", Some(&admin))
        .json(&json!({"format": "runstrong", "version": 1, "exercises": [stolen]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/exercises/0/id");
    let untouched = get_as(&app, &format!("/v1/exercises/{private}"), Some(&coach)).await;
    assert_eq!(untouched["name"], "Coach's");
}

#[tokio::test]
async fn an_athlete_of_two_coaches_sees_both_and_pages_through_them() {
    let app = spawn_app().await;
    let athlete = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&athlete).await;
    let older_coach = app.register("coach").await;
    let newer_coach = app.register("coach").await;
    let older = created_id(&app, &older_coach, &exercise("box-step-drill", "Older")).await;
    let newer = created_id(&app, &newer_coach, &exercise("box-step-drill", "Newer")).await;
    app.grant(&athlete, &athlete_id, &newer_coach, "read").await;
    app.grant(&athlete, &athlete_id, &older_coach, "read").await;

    // Two coaches' exercises share the slug: the older one answers to it,
    // and each answers to its id.
    let by_slug = get_as(&app, "/v1/exercises/box-step-drill", Some(&athlete)).await;
    assert_eq!(by_slug["id"], older.as_str());
    let by_id = get_as(&app, &format!("/v1/exercises/{newer}"), Some(&athlete)).await;
    assert_eq!(by_id["name"], "Newer");

    // A list shows both, and pages of one walk every exercise exactly once.
    let whole = get_as(
        &app,
        "/v1/exercises?limit=200&pattern=squat",
        Some(&athlete),
    )
    .await;
    let expected: Vec<String> = whole["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(expected.contains(&older) && expected.contains(&newer));
    let mut walked = Vec::new();
    let mut query = "/v1/exercises?limit=1&pattern=squat".to_owned();
    loop {
        let page = get_as(&app, &query, Some(&athlete)).await;
        walked.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("/v1/exercises?limit=1&pattern=squat&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(walked, expected);

    // The plan engine gets one exercise per slug and still plans.
    let plan = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/plans"),
            Some(&athlete),
        )
        .json(&json!({"start_date": "2027-01-04", "weeks": 2, "race": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(plan.status(), 201);
}

#[tokio::test]
async fn links_resolve_in_the_namespace_of_the_exercise_that_holds_them() {
    let app = spawn_app().await;
    let coach = app.register("coach").await;
    let other_coach = app.register("coach").await;
    // The coach's own bridge shadows the global one for links in the
    // coach's exercises, and only there.
    let own_bridge = created_id(&app, &coach, &exercise("glute-bridge", "Coach's bridge")).await;
    let mut march = exercise("bridge-march-drill", "Bridge march");
    march["easier"] = json!([{"kind": "exercise", "exercise_slug": "glute-bridge"}]);
    let march_id = created_id(&app, &coach, &march).await;
    let chain = get_as(
        &app,
        &format!("/v1/exercises/{march_id}/progression"),
        Some(&coach),
    )
    .await;
    let ids: Vec<&str> = chain["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&own_bridge.as_str()), "{chain}");
    // The global chain never passes through anyone's private exercise.
    let global = get_as(&app, "/v1/exercises/glute-bridge/progression", None).await;
    let for_coach = app
        .request(
            Method::GET,
            &format!(
                "/v1/exercises/{}/progression",
                global["exercise_id"].as_str().unwrap()
            ),
            Some(&coach),
        )
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(for_coach["chain"], global["chain"]);
    // Another coach's slugs are not this coach's to link.
    created_id(&app, &other_coach, &exercise("secret-base-drill", "Theirs")).await;
    let mut linking = exercise("linking-drill", "Links theirs");
    linking["easier"] = json!([{"kind": "exercise", "exercise_slug": "secret-base-drill"}]);
    let problem = assert_problem(create(&app, &coach, &linking).await, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/easier/0/exercise_slug");
}
