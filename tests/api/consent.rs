//! Coach consent: a grant gives nothing, in either direction, until the
//! coach accepts it; the coach can decline it or leave later.

use diesel::connection::SimpleConnection;
use diesel::migration::Migration;
use diesel::{Connection, PgConnection, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, TestDatabase, assert_problem, database_url, spawn_app};

fn private_exercise(slug: &str) -> Value {
    json!({
        "slug": slug,
        "name": "Coach's secret drill",
        "summary": "A private variation only this coach's athletes see.",
        "category": "core",
        "movement_pattern": "bridge",
        "primary_muscles": ["glutes"],
        "secondary_muscles": [],
        "equipment": ["mat"],
        "unilateral": false,
        "compound": true,
        "impact": "low",
        "difficulty": 2,
        "instructions": ["Lie on your back.", "Lift the hips."],
        "cues": [],
        "easier": [],
        "harder": [],
        "substitutes": [],
        "avoid_with": [],
        "helps_with": [],
        "benefits": ["stability"],
        "default_prescription": {"sets": 3, "reps": 10, "hold_s": null, "tempo": null, "rest_s": 45}
    })
}

async fn status(app: &TestApp, method: Method, path: &str, session: &Session) -> u16 {
    app.request(method, path, Some(session))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn json_of(app: &TestApp, path: &str, session: &Session) -> Value {
    let response = app
        .request(Method::GET, path, Some(session))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// Whether the athlete's catalog reads show the coach's private exercise.
async fn sees_private_exercise(app: &TestApp, athlete: &Session, slug: &str, id: &str) -> bool {
    let by_id = status(app, Method::GET, &format!("/v1/exercises/{id}"), athlete).await;
    let listed = json_of(app, "/v1/exercises?limit=200&category=core", athlete).await;
    let in_list = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["slug"] == slug);
    let exported = json_of(app, "/v1/exercises/export", athlete).await;
    let in_export = exported["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == id);
    assert_eq!(by_id == 200, in_list, "GET and the list disagree");
    assert_eq!(in_list, in_export, "the list and the export disagree");
    in_list
}

#[tokio::test]
async fn a_grant_gives_nothing_until_the_coach_accepts_it() {
    let app = spawn_app().await;
    let athlete = app.register("athlete").await;
    let coach = app.register("coach").await;
    let (athlete_id, _) = app.create_athlete(&athlete).await;
    let slug = format!("secret-drill-{}", uuid::Uuid::now_v7().simple());
    let created = app
        .request(Method::POST, "/v1/exercises", Some(&coach))
        .json(&private_exercise(&slug))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let exercise_id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The athlete grants the coach access: pending.
    let grant_id = app
        .grant_pending(&athlete, &athlete_id, &coach, "read_write")
        .await;
    let grants = json_of(&app, &format!("/v1/athletes/{athlete_id}/grants"), &athlete).await;
    assert_eq!(grants["items"][0]["status"], "pending");

    // Pending: the coach reads nothing of the athlete's, writes nothing,
    // and the athlete sees none of the coach's private exercises, not
    // even by logging a set with its id.
    let profile = format!("/v1/athletes/{athlete_id}");
    assert_eq!(status(&app, Method::GET, &profile, &coach).await, 404);
    assert_eq!(
        status(&app, Method::GET, &format!("{profile}/sessions"), &coach).await,
        404
    );
    let listed = json_of(&app, "/v1/athletes", &coach).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
    assert!(!sees_private_exercise(&app, &athlete, &slug, &exercise_id).await);
    let with_private_set = json!({"kind": "strength", "started_at": "2026-10-05T18:00:00Z",
        "duration_min": 30.0, "rpe": 6, "sets": [{"exercise_id": exercise_id, "reps": 10}]});
    let refused = app
        .request(Method::POST, &format!("{profile}/sessions"), Some(&athlete))
        .json(&with_private_set)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(refused, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/sets/0/exercise_id");

    // The coach sees the pending grant, with the athlete's name.
    let mine = json_of(&app, "/v1/coach/grants", &coach).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["id"], grant_id.as_str());
    assert_eq!(mine["items"][0]["status"], "pending");
    assert_eq!(mine["items"][0]["athlete_name"], "Sam Runner");
    assert_eq!(mine["items"][0]["athlete_id"], athlete_id.as_str());
    let pending_only = json_of(&app, "/v1/coach/grants?status=pending", &coach).await;
    assert_eq!(pending_only["items"].as_array().unwrap().len(), 1);
    let active_only = json_of(&app, "/v1/coach/grants?status=active", &coach).await;
    assert!(active_only["items"].as_array().unwrap().is_empty());

    // Accepted: access both ways, at once.
    let accepted = app
        .request(
            Method::POST,
            &format!("/v1/coach/grants/{grant_id}/accept"),
            Some(&coach),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let accepted: Value = accepted.json().await.unwrap();
    assert_eq!(accepted["status"], "active");
    assert!(accepted["accepted_at"].is_string());
    assert_eq!(status(&app, Method::GET, &profile, &coach).await, 200);
    assert!(sees_private_exercise(&app, &athlete, &slug, &exercise_id).await);
    let logged = app
        .request(Method::POST, &format!("{profile}/sessions"), Some(&athlete))
        .json(&with_private_set)
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 201);
    // Accepting again changes nothing.
    let again = app
        .request(
            Method::POST,
            &format!("/v1/coach/grants/{grant_id}/accept"),
            Some(&coach),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(
        again.json::<Value>().await.unwrap()["accepted_at"],
        accepted["accepted_at"]
    );

    // The coach leaves: refused on the very next request, both ways.
    assert_eq!(
        status(
            &app,
            Method::DELETE,
            &format!("/v1/coach/grants/{grant_id}"),
            &coach
        )
        .await,
        204
    );
    assert_eq!(status(&app, Method::GET, &profile, &coach).await, 404);
    assert!(!sees_private_exercise(&app, &athlete, &slug, &exercise_id).await);
    assert!(
        json_of(&app, "/v1/coach/grants", &coach).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        json_of(&app, &format!("/v1/athletes/{athlete_id}/grants"), &athlete).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Gone means gone: neither accepting nor leaving again finds it.
    assert_problem(
        app.request(
            Method::POST,
            &format!("/v1/coach/grants/{grant_id}/accept"),
            Some(&coach),
        )
        .send()
        .await
        .unwrap(),
        404,
    )
    .await;
}

#[tokio::test]
async fn a_coach_declines_and_the_athlete_may_ask_again() {
    let app = spawn_app().await;
    let athlete = app.register("athlete").await;
    let coach = app.register("coach").await;
    let (athlete_id, _) = app.create_athlete(&athlete).await;
    let first = app
        .grant_pending(&athlete, &athlete_id, &coach, "read")
        .await;
    assert_eq!(
        status(
            &app,
            Method::DELETE,
            &format!("/v1/coach/grants/{first}"),
            &coach
        )
        .await,
        204
    );
    let profile = format!("/v1/athletes/{athlete_id}");
    assert_eq!(status(&app, Method::GET, &profile, &coach).await, 404);
    // A new grant after a decline is a new request for consent.
    let second = app
        .grant_pending(&athlete, &athlete_id, &coach, "read")
        .await;
    assert_ne!(second, first);
    assert_eq!(status(&app, Method::GET, &profile, &coach).await, 404);
    app.accept_grant(&coach, &second).await;
    assert_eq!(status(&app, Method::GET, &profile, &coach).await, 200);
    // The athlete can still revoke an accepted grant.
    assert_eq!(
        status(
            &app,
            Method::DELETE,
            &format!("{profile}/grants/{second}"),
            &athlete
        )
        .await,
        204
    );
    assert_eq!(status(&app, Method::GET, &profile, &coach).await, 404);
}

#[tokio::test]
async fn the_coach_list_pages_and_refuses_bad_input_and_non_coaches() {
    let app = spawn_app().await;
    let coach = app.register("coach").await;
    let mut grant_ids = Vec::new();
    for _ in 0..3 {
        let athlete = app.register("athlete").await;
        let (athlete_id, _) = app.create_athlete(&athlete).await;
        grant_ids.push(
            app.grant_pending(&athlete, &athlete_id, &coach, "read")
                .await,
        );
    }
    let first = json_of(&app, "/v1/coach/grants?limit=2", &coach).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = json_of(
        &app,
        &format!("/v1/coach/grants?limit=2&cursor={cursor}"),
        &coach,
    )
    .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());
    let seen: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        seen,
        grant_ids.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for bad in ["status=revoked", "limit=0", "cursor=nonsense"] {
        assert_problem(
            app.request(
                Method::GET,
                &format!("/v1/coach/grants?{bad}"),
                Some(&coach),
            )
            .send()
            .await
            .unwrap(),
            400,
        )
        .await;
    }
    let athlete = app.register("athlete").await;
    assert_problem(
        app.request(Method::GET, "/v1/coach/grants", Some(&athlete))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    assert_problem(app.get("/v1/coach/grants").await, 401).await;
}

/// Grants made before consent existed were in effect: the migration keeps
/// them so (`active`, accepted when made) rather than cutting coaches off.
#[tokio::test]
async fn grants_made_before_consent_stay_active_after_the_migration() {
    let database = TestDatabase::new();
    let url = database_url(&database.name);
    let server = database_url("postgres");
    let name = database.name.clone();
    tokio::task::spawn_blocking(move || {
        let mut admin = PgConnection::establish(&server).unwrap();
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .unwrap();
        let mut connection = PgConnection::establish(&url).unwrap();
        // Every migration before consent.
        loop {
            let pending = connection
                .pending_migrations(runstrong::db::prepare::MIGRATIONS)
                .unwrap();
            let next = pending.first().expect("the consent migration exists");
            if next.name().to_string().contains("grant_consent") {
                break;
            }
            connection
                .run_next_migration(runstrong::db::prepare::MIGRATIONS)
                .unwrap();
        }
        connection
            .batch_execute(
            "INSERT INTO accounts (id, email, email_normalized, password_hash, display_name, role)
             VALUES ('00000000-0000-7000-8000-000000000001', 'a@example.com', 'a@example.com', 'x', 'A', 'athlete'),
                    ('00000000-0000-7000-8000-000000000002', 'c@example.com', 'c@example.com', 'x', 'C', 'coach');
             INSERT INTO athletes (id, owner_account_id, name, profile)
             VALUES ('00000000-0000-7000-8000-000000000003', '00000000-0000-7000-8000-000000000001', 'A', '{}');
             INSERT INTO grants (id, athlete_id, coach_account_id, access, created_at)
             VALUES ('00000000-0000-7000-8000-000000000004', '00000000-0000-7000-8000-000000000003',
                     '00000000-0000-7000-8000-000000000002', 'read', '2026-01-01T00:00:00Z')",
            )
            .unwrap();
        connection
            .run_pending_migrations(runstrong::db::prepare::MIGRATIONS)
            .unwrap();
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            status: String,
            #[diesel(sql_type = diesel::sql_types::Bool)]
            accepted_when_made: bool,
        }
        let row: Row = diesel::sql_query(
            "SELECT status, accepted_at = created_at AS accepted_when_made FROM grants",
        )
        .get_result(&mut connection)
        .unwrap();
        assert_eq!(row.status, "active");
        assert!(row.accepted_when_made);
        // New grants default to pending.
        diesel::sql_query(
            "INSERT INTO grants (id, athlete_id, coach_account_id, access)
             VALUES ('00000000-0000-7000-8000-000000000005', '00000000-0000-7000-8000-000000000003',
                     '00000000-0000-7000-8000-000000000001', 'read')",
        )
        .execute(&mut connection)
        .unwrap();
        let fresh: Row = diesel::sql_query(
            "SELECT status, coalesce(accepted_at = created_at, false) AS accepted_when_made
             FROM grants WHERE id = '00000000-0000-7000-8000-000000000005'",
        )
        .get_result(&mut connection)
        .unwrap();
        assert_eq!(fresh.status, "pending");
        assert!(!fresh.accepted_when_made);
    })
    .await
    .unwrap();
}
