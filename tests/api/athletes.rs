use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, example_profile, spawn_app};

#[tokio::test]
async fn profiles_are_created_read_with_etags_and_304() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let created = app
        .request(Method::POST, "/v1/athletes", Some(&owner))
        .json(&example_profile())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    // Location names the new profile, as on every other creating POST.
    let path = created.headers()["location"].to_str().unwrap().to_owned();
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(path, format!("/v1/athletes/{id}"));
    let response = app
        .request(Method::GET, &path, Some(&owner))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"].to_str().unwrap(), etag);
    let athlete: Value = response.json().await.unwrap();
    assert_eq!(athlete["owner_account_id"], owner.account_id);
    for (field, value) in example_profile().as_object().unwrap() {
        assert_eq!(&athlete[field], value, "{field}");
    }
    let cached = app
        .request(Method::GET, &path, Some(&owner))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
}

#[tokio::test]
async fn profiles_are_validated_and_refuse_unknown_fields() {
    let app = spawn_app().await;
    let owner = app.register("coach").await;
    let post = |body: Value| {
        app.request(Method::POST, "/v1/athletes", Some(&owner))
            .json(&body)
            .send()
    };
    let mut body = example_profile();
    body["long_run_day"] = json!("friday");
    let problem = assert_problem(post(body).await.unwrap(), 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/long_run_day");
    let mut body = example_profile();
    body["owner_account_id"] = json!(owner.account_id);
    let problem = assert_problem(post(body).await.unwrap(), 400).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("owner_account_id"),
        "{problem}"
    );
    let mut body = example_profile();
    body["equipment"] = json!(["dumbbell", "treadmill"]);
    let problem = assert_problem(post(body).await.unwrap(), 400).await;
    assert_eq!(problem["errors"][0]["pointer"], "/equipment/1");
}

#[tokio::test]
async fn patch_needs_a_current_if_match_and_merges() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (id, etag) = app.create_athlete(&owner).await;
    let path = format!("/v1/athletes/{id}");
    let patch = |if_match: Option<&str>, body: Value| {
        let mut request = app.request(Method::PATCH, &path, Some(&owner)).json(&body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    assert_problem(patch(None, json!({"runs_per_week": 3})).await.unwrap(), 428).await;
    assert_problem(
        patch(Some("\"v999\""), json!({"runs_per_week": 3}))
            .await
            .unwrap(),
        412,
    )
    .await;

    let changed = patch(
        Some(&etag),
        json!({"runs_per_week": 3, "race": null, "name": "Sam R."}),
    )
    .await
    .unwrap();
    assert_eq!(changed.status(), 200);
    let new_etag = changed.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    let athlete: Value = changed.json().await.unwrap();
    assert_eq!(athlete["runs_per_week"], 3);
    assert_eq!(athlete["name"], "Sam R.");
    assert!(athlete["race"].is_null());
    assert_eq!(athlete["goal"], "endurance", "fields not sent are kept");

    // The old tag is stale now; a patch that breaks a rule changes nothing.
    assert_problem(
        patch(Some(&etag), json!({"runs_per_week": 2}))
            .await
            .unwrap(),
        412,
    )
    .await;
    assert_problem(
        patch(Some(&new_etag), json!({"runs_per_week": 7}))
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_problem(
        patch(Some(&new_etag), json!({"colour": "red"}))
            .await
            .unwrap(),
        400,
    )
    .await;
    let unchanged: Value = app
        .request(Method::GET, &path, Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged["runs_per_week"], 3);

    let delete_stale = app
        .request(Method::DELETE, &path, Some(&owner))
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(delete_stale, 412).await;
    let delete = app
        .request(Method::DELETE, &path, Some(&owner))
        .header("If-Match", &new_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
    assert_problem(
        app.request(Method::GET, &path, Some(&owner))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
}

#[tokio::test]
async fn twenty_concurrent_patches_with_one_if_match_let_exactly_one_through() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (id, etag) = app.create_athlete(&owner).await;
    let path = format!("/v1/athletes/{id}");
    let requests = (0..20).map(|i| {
        app.request(Method::PATCH, &path, Some(&owner))
            .header("If-Match", &etag)
            .json(&json!({"name": format!("Writer {i}")}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        19,
        "{statuses:?}"
    );
    let version = app
        .query_json(&format!(
            "SELECT to_json(version) FROM athletes WHERE id = '{id}'"
        ))
        .await;
    assert_eq!(version, "2");
}

#[tokio::test]
async fn lists_show_owned_and_granted_profiles_page_by_page() {
    let app = spawn_app().await;
    let coach = app.register("coach").await;
    let athlete = app.register("athlete").await;
    let mut own = Vec::new();
    for _ in 0..3 {
        own.push(app.create_athlete(&coach).await.0);
    }
    let (granted, _) = app.create_athlete(&athlete).await;
    app.grant(&athlete, &granted, &coach, "read").await;
    let (_hidden, _) = app.create_athlete(&athlete).await;

    let mut seen = Vec::new();
    let mut path = "/v1/athletes?limit=2".to_owned();
    loop {
        let page: Value = app
            .request(Method::GET, &path, Some(&coach))
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
                .map(|a| a["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/athletes?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let mut expected = own.clone();
    expected.push(granted);
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);
    assert_problem(
        app.request(Method::GET, "/v1/athletes?limit=0", Some(&coach))
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_problem(app.get("/v1/athletes").await, 401).await;
}

#[tokio::test]
async fn grants_name_coaches_by_email_and_can_change_access() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let coach = app.register("coach").await;
    let not_a_coach = app.register("athlete").await;
    let (id, _) = app.create_athlete(&owner).await;
    let grants_path = format!("/v1/athletes/{id}/grants");
    let post = |body: Value| {
        app.request(Method::POST, &grants_path, Some(&owner))
            .json(&body)
            .send()
    };

    let problem = assert_problem(
        post(json!({"coach_email": not_a_coach.email, "access": "read"}))
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/coach_email");
    assert_problem(
        post(json!({"coach_email": coach.email, "access": "admin"}))
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_problem(
        post(json!({"coach_email": coach.email, "access": "read", "athlete_id": id}))
            .await
            .unwrap(),
        400,
    )
    .await;

    let first = post(json!({"coach_email": coach.email.to_uppercase(), "access": "read"}))
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let upgraded = post(json!({"coach_email": coach.email, "access": "read_write"}))
        .await
        .unwrap();
    assert_eq!(upgraded.status(), 200);
    let upgraded: Value = upgraded.json().await.unwrap();
    assert_eq!(upgraded["id"], first["id"]);
    assert_eq!(upgraded["access"], "read_write");
    let list: Value = app
        .request(Method::GET, &grants_path, Some(&owner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["coach_email"], coach.email);
}
