//! Exercises that can be done with one of several kits: the catalog says
//! so, the `equipment` filter and both export formats honour it, and
//! catalogs written before (without the field) still import.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

fn slugs(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_filter_counts_an_exercise_when_any_one_kit_is_there_signed_in_or_not() {
    let app = spawn_app().await;
    let coach = app.register("coach").await;
    let query = "/v1/exercises?pattern=squat&category=lower_body&limit=200";
    for kit in ["dumbbell", "kettlebell", "barbell", ""] {
        let path = format!("{query}&equipment={kit}");
        // Anonymous pages come from memory, signed-in ones from SQL.
        let anonymous = app.get_json(&path).await;
        let signed_in: Value = app
            .request(Method::GET, &path, Some(&coach))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(slugs(&anonymous), slugs(&signed_in), "{kit}");
        let found = slugs(&anonymous);
        assert_eq!(
            found.contains(&"goblet-squat"),
            kit == "dumbbell" || kit == "kettlebell",
            "{kit}: {found:?}"
        );
        assert_eq!(found.contains(&"barbell-back-squat"), kit == "barbell");
        assert!(found.contains(&"bodyweight-squat"), "{kit}");
    }
}

#[tokio::test]
async fn alternatives_are_validated_and_stored() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut body = app.get_json("/v1/exercises/goblet-squat").await;
    let object = body.as_object_mut().unwrap();
    object.remove("id");
    object.remove("owner_account_id");
    object.insert("slug".into(), json!("heels-raised-goblet-squat"));
    object.insert(
        "equipment_alternatives".into(),
        json!([["kettlebell"], ["dumbbell"]]),
    );
    let post = |body: Value| {
        app.request(Method::POST, "/v1/exercises", Some(&admin))
            .json(&body)
            .send()
    };
    let problem = assert_problem(post(body.clone()).await.unwrap(), 422).await;
    assert_eq!(
        problem["errors"][0]["pointer"], "/equipment_alternatives/1",
        "{problem}"
    );
    body["equipment_alternatives"] = json!([["kettlebell"], ["medicine_ball", "box"]]);
    let created = post(body).await.unwrap();
    assert_eq!(created.status(), 201);
    let stored = app
        .get_json("/v1/exercises/heels-raised-goblet-squat")
        .await;
    assert_eq!(
        stored["equipment_alternatives"],
        json!([["kettlebell"], ["medicine_ball", "box"]])
    );
    let with_ball = app
        .get_json("/v1/exercises?equipment=medicine_ball,box&pattern=squat")
        .await;
    assert!(slugs(&with_ball).contains(&"heels-raised-goblet-squat"));
    let ball_only = app
        .get_json("/v1/exercises?equipment=medicine_ball&pattern=squat")
        .await;
    assert!(!slugs(&ball_only).contains(&"heels-raised-goblet-squat"));
}

#[tokio::test]
async fn both_exports_carry_the_alternatives_and_old_documents_still_import() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let export = app.get_json("/v1/exercises/export").await;
    let goblet = export["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["slug"] == "goblet-squat")
        .unwrap()
        .clone();
    assert_eq!(goblet["equipment_alternatives"], json!([["kettlebell"]]));
    let theirs = app
        .get_json("/v1/exercises/export?format=free-exercise-db")
        .await;
    let item = theirs
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "goblet-squat")
        .unwrap();
    assert_eq!(item["equipment"], "dumbbell");
    assert_eq!(item["equipmentAlternatives"], json!(["kettlebells"]));

    // A runstrong export written before the field existed.
    let mut old = goblet.clone();
    old.as_object_mut()
        .unwrap()
        .remove("equipment_alternatives");
    old["summary"] = json!("Imported from an older export.");
    let document = json!({"format": "runstrong", "version": 1, "exercises": [old]});
    let import = app
        .request(Method::POST, "/v1/exercises/import", Some(&admin))
        .json(&document)
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 200);
    let now = app.get_json("/v1/exercises/goblet-squat").await;
    assert_eq!(now["summary"], "Imported from an older export.");
    assert_eq!(now["equipment_alternatives"], json!([]));

    // A free-exercise-db item as their files have it (no extension field),
    // and one of ours with it.
    let items = json!([
        {"id": "Kettlebell_Front_Squat", "name": "Kettlebell Front Squat", "force": "push", "level": "intermediate",
         "mechanic": "compound", "equipment": "kettlebells", "primaryMuscles": ["quadriceps"],
         "secondaryMuscles": ["glutes"], "instructions": ["Rack the bells.", "Squat.", "Stand."],
         "category": "strength", "images": []},
        {"id": "Suitcase_Squat", "name": "Suitcase Squat", "force": "push", "level": "beginner",
         "mechanic": "compound", "equipment": "dumbbell", "equipmentAlternatives": ["kettlebells"],
         "primaryMuscles": ["quadriceps"], "secondaryMuscles": ["glutes"],
         "instructions": ["Hold a weight at each side.", "Squat.", "Stand."], "category": "strength", "images": []}
    ]);
    let import = app
        .request(Method::POST, "/v1/exercises/import", Some(&admin))
        .json(&items)
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 200);
    let front = app.get_json("/v1/exercises/kettlebell-front-squat").await;
    assert_eq!(front["equipment"], json!(["kettlebell"]));
    assert_eq!(front["equipment_alternatives"], json!([]));
    let suitcase = app.get_json("/v1/exercises/suitcase-squat").await;
    assert_eq!(suitcase["equipment_alternatives"], json!([["kettlebell"]]));
}
