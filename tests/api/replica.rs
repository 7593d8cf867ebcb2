//! Replica-eligible reads without a real replica (the fault test
//! `replica` has one): with none configured they are answered by the
//! primary as before, and a replica URL that names a primary (a server
//! not in recovery) is never read from.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

async fn metrics(app: &TestApp) -> String {
    app.get("/metrics").await.text().await.unwrap()
}

/// `db_routed_reads_total` for one reason.
async fn routed(app: &TestApp, reason: &str) -> u64 {
    let label = format!("reason=\"{reason}\"");
    metrics(app)
        .await
        .lines()
        .filter(|line| line.starts_with("db_routed_reads_total{") && line.contains(&label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Logs a run and lists the sessions and plans, then the load report:
/// every read answers 200 and the list has the run.
async fn write_then_read(app: &TestApp) {
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let created = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/sessions"),
            Some(&owner),
        )
        .json(
            &json!({"kind": "easy_run", "started_at": "2026-01-05T07:00:00Z",
                      "duration_min": 40, "distance_km": 7.5, "rpe": 4}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"].clone();
    let list = app
        .get_json_as(&format!("/v1/athletes/{athlete}/sessions"), &owner)
        .await;
    assert_eq!(list["items"][0]["id"], id);
    app.get_json_as(&format!("/v1/athletes/{athlete}/plans"), &owner)
        .await;
    app.get_json_as("/v1/athletes", &owner).await;
    app.get_json_as(
        &format!("/v1/athletes/{athlete}/load?from=2026-01-01&to=2026-01-31"),
        &owner,
    )
    .await;
    // A token that is not live is refused by the check on the primary.
    let refused = app
        .client
        .get(app.url(&format!("/v1/athletes/{athlete}/sessions")))
        .bearer_auth("rs_not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn without_a_replica_every_routed_read_is_the_primarys() {
    let app = spawn_app().await;
    write_then_read(&app).await;
    assert_eq!(routed(&app, "no_replica").await, 4);
    assert_eq!(routed(&app, "fence_replayed").await, 0);
    assert!(metrics(&app).await.contains("db_replica_usable 0"));
}

#[tokio::test]
async fn a_replica_url_naming_a_primary_is_never_read_from() {
    let app = spawn_app_with(|config| {
        // The same database under another URL: a server not in recovery.
        config.replica_url = Some(format!(
            "{}&application_name=not-a-replica",
            config.database_url
        ));
    })
    .await;
    // The health check has looked (at start, then once a second).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    write_then_read(&app).await;
    assert!(metrics(&app).await.contains("db_replica_usable 0"));
    assert_eq!(routed(&app, "replica_unusable").await, 4);
    assert_eq!(routed(&app, "fence_replayed").await, 0);
}
