//! Idempotency keys are remembered for `RUNSTRONG_IDEMPOTENCY_RETENTION_H`
//! and then purged by the retention job, in batches, by one instance; so
//! are webhook deliveries finished more than 30 days ago.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app_with};

async fn log_run(app: &TestApp, who: &Session, athlete: &str, key: &str) -> Value {
    let response = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/sessions"),
            Some(who),
        )
        .header("Idempotency-Key", key)
        .json(
            &json!({"kind": "easy_run", "started_at": "2026-11-01T07:00:00Z",
                      "duration_min": 40, "distance_km": 7.5, "rpe": 3}),
        )
        .send()
        .await
        .unwrap();
    assert!(
        matches!(response.status().as_u16(), 200 | 201),
        "{}",
        response.status()
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn idempotency_keys_past_their_retention_are_purged_and_fresh_ones_kept() {
    let app = spawn_app_with(|config| {
        config.retention_interval = Duration::from_secs(1);
        config.idempotency_retention = Duration::from_secs(3600);
    })
    .await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let old = log_run(&app, &owner, &athlete, "yesterday").await;
    let fresh = log_run(&app, &owner, &athlete, "just-now").await;
    // The first key was stored two hours ago, past the retention.
    app.execute_sql(
        "UPDATE idempotency_keys SET created_at = now() - interval '2 hours' WHERE key = 'yesterday'",
    )
    .await;
    let keys = "SELECT json_agg(key ORDER BY key) FROM idempotency_keys";
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.query_json(keys).await != r#"["just-now"]"# {
        assert!(
            Instant::now() < deadline,
            "still {}",
            app.query_json(keys).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The fresh key still replays its session; the forgotten one is a new
    // request, as a client retrying a day later would expect to be told.
    assert_eq!(
        log_run(&app, &owner, &athlete, "just-now").await["id"],
        fresh["id"]
    );
    assert_ne!(
        log_run(&app, &owner, &athlete, "yesterday").await["id"],
        old["id"]
    );
}

#[tokio::test]
async fn finished_webhook_deliveries_are_kept_thirty_days_with_their_attempts() {
    let app = spawn_app_with(|config| {
        config.retention_interval = Duration::from_secs(1);
        config.webhooks.allow_private_targets = true;
        config.webhooks.poll_interval = Duration::from_millis(50);
        // One attempt each, then nothing for an hour.
        config.webhooks.retry_base = Duration::from_secs(3600);
    })
    .await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    // Nothing listens on port 9: the attempts fail.
    let subscribed = app
        .request(Method::POST, "/v1/webhooks", Some(&owner))
        .json(&json!({"url": "http://127.0.0.1:9/hook", "events": ["session.created"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(subscribed.status(), 201);
    log_run(&app, &owner, &athlete, "first").await;
    log_run(&app, &owner, &athlete, "second").await;
    let attempted = "SELECT to_json(count(DISTINCT delivery_id)) FROM webhook_attempts";
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.query_json(attempted).await != "2" {
        assert!(
            Instant::now() < deadline,
            "{}",
            app.query_json(attempted).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One finished 31 days ago, one 29 days ago; both are done with.
    app.execute_sql(
        "UPDATE webhook_deliveries SET state = 'delivered', finished_at = now() - interval '31 days'
         WHERE id = (SELECT id FROM webhook_deliveries ORDER BY id LIMIT 1)",
    )
    .await;
    app.execute_sql(
        "UPDATE webhook_deliveries SET state = 'failed', finished_at = now() - interval '29 days'
         WHERE id = (SELECT id FROM webhook_deliveries ORDER BY id DESC LIMIT 1)",
    )
    .await;
    let kept = "SELECT json_agg(state) FROM webhook_deliveries";
    while app.query_json(kept).await != r#"["failed"]"# {
        assert!(
            Instant::now() < deadline,
            "still {}",
            app.query_json(kept).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.query_json("SELECT to_json(count(DISTINCT delivery_id)) FROM webhook_attempts")
            .await,
        "1",
        "the purged delivery's attempts went with it"
    );
}
