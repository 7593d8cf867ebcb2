//! Webhook delivery when instances crash and when several deliver side by
//! side: every committed event reaches the receiver, once per
//! `webhook-id` when the receiver answers 2xx.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    Account, Haproxy, Instance, TestDatabase, client, create_athlete, query_count, register,
    remember_secret,
};
use crate::webhook_receiver::Receiver;

async fn subscribe(http: &reqwest::Client, base: &str, who: &Account, receiver: &Receiver) {
    let response = http
        .post(format!("{base}/v1/webhooks"))
        .bearer_auth(&who.token)
        .json(&json!({"url": receiver.url("/hooks"), "events": ["session.created"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap();
    remember_secret(secret);
    receiver.trust(secret);
}

async fn log_runs(http: &reqwest::Client, base: &str, who: &Account, athlete: &str, n: usize) {
    for i in 0..n {
        let response = http
            .post(format!("{base}/v1/athletes/{athlete}/sessions"))
            .bearer_auth(&who.token)
            .json(&json!({"kind": "easy_run", "started_at": format!("2026-10-{:02}T07:00:00Z", 1 + i % 28),
                          "duration_min": 30.0 + i as f64, "distance_km": 5.0, "rpe": 3}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
}

/// Message ids received, with how often each came.
fn received(receiver: &Receiver) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in receiver.requests() {
        assert_eq!(request["verified"], true, "{request}");
        *counts
            .entry(request["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn two_instances_deliver_each_event_once() {
    let database = TestDatabase::new();
    let url = database.url();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("RUNSTRONG_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"),
        ("RUNSTRONG_WEBHOOK_POLL_MS", "20"),
    ];
    let (a, b) = tokio::join!(Instance::start("a", &env), Instance::start("b", &env));
    let lb = Haproxy::start(&[&a, &b]).await;
    let receiver = Receiver::start(&[]);
    let http = client();
    let owner = register(&http, &lb.base, "athlete").await;
    let athlete = create_athlete(&http, &lb.base, &owner).await;
    subscribe(&http, &lb.base, &owner, &receiver).await;
    const EVENTS: usize = 60;
    log_runs(&http, &lb.base, &owner, &athlete, EVENTS).await;
    receiver
        .wait_for("every event", |r| r.len() >= EVENTS)
        .await;
    // Both instances poll every 20 ms; give a double send time to show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = received(&receiver);
    assert_eq!(counts.len(), EVENTS, "one delivery per event");
    assert!(
        counts.values().all(|n| *n == 1),
        "an event was sent twice: {counts:?}"
    );
    assert_eq!(
        query_count(
            &url,
            "SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'delivered' AND attempts = 1"
        ),
        EVENTS as i64
    );
    assert_eq!(
        query_count(&url, "SELECT count(*) AS n FROM webhook_outbox"),
        0
    );
}

#[tokio::test]
async fn a_crash_after_commit_delays_events_and_loses_none() {
    let database = TestDatabase::new();
    let url = database.url();
    let receiver = Receiver::start(&[]);
    let http = client();
    // An instance that never gets round to delivering: it commits the
    // changes and their events, then dies without a chance to send.
    let mut doomed = Instance::start(
        "doomed",
        &[
            ("DATABASE_URL", url.as_str()),
            ("RUNSTRONG_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"),
            ("RUNSTRONG_WEBHOOK_POLL_MS", "3600000"),
        ],
    )
    .await;
    let owner = register(&http, &doomed.base, "athlete").await;
    let athlete = create_athlete(&http, &doomed.base, &owner).await;
    subscribe(&http, &doomed.base, &owner, &receiver).await;
    log_runs(&http, &doomed.base, &owner, &athlete, 12).await;
    doomed.signal("KILL");
    assert!(doomed.wait_exit(Duration::from_secs(10)).await.is_some());
    assert_eq!(
        query_count(&url, "SELECT count(*) AS n FROM webhook_outbox"),
        12,
        "the events were committed with the sessions"
    );
    assert!(receiver.requests().is_empty());

    let _restarted = Instance::start(
        "restarted",
        &[
            ("DATABASE_URL", url.as_str()),
            ("RUNSTRONG_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"),
            ("RUNSTRONG_WEBHOOK_POLL_MS", "50"),
        ],
    )
    .await;
    receiver
        .wait_for("every event after the restart", |r| r.len() >= 12)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let counts = received(&receiver);
    assert_eq!(counts.len(), 12);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
}

#[tokio::test]
async fn a_graceful_stop_finishes_attempts_in_flight_and_gives_back_the_rest() {
    let database = TestDatabase::new();
    let url = database.url();
    // Every answer takes 1.5 s, so that attempts are in flight when the
    // stop comes.
    let receiver = Receiver::start(&["--delay-ms", "1500"]);
    let http = client();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("RUNSTRONG_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"),
        ("RUNSTRONG_WEBHOOK_POLL_MS", "20"),
        ("RUNSTRONG_WEBHOOK_CONCURRENCY", "4"),
    ];
    let mut stopping = Instance::start("stopping", &env).await;
    let owner = register(&http, &stopping.base, "athlete").await;
    let athlete = create_athlete(&http, &stopping.base, &owner).await;
    subscribe(&http, &stopping.base, &owner, &receiver).await;
    const EVENTS: usize = 12;
    log_runs(&http, &stopping.base, &owner, &athlete, EVENTS).await;
    receiver
        .wait_for("attempts in flight", |r| !r.is_empty())
        .await;
    stopping.signal("TERM");
    let status = stopping.wait_exit(Duration::from_secs(15)).await;
    assert!(
        status.is_some_and(|status| status.success()),
        "a clean stop: {status:?}"
    );

    // What was sent before the stop was answered and recorded: delivered,
    // once; nothing is still leased by the stopped instance (it leases only
    // as many as it has attempts to run, and gives back any it could not
    // finish), so nothing waits for a lease to run out.
    let sent_before_stop = received(&receiver);
    assert!(!sent_before_stop.is_empty() && sent_before_stop.len() < EVENTS);
    assert_eq!(
        query_count(
            &url,
            "SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'delivered' AND attempts = 1"
        ),
        sent_before_stop.len() as i64,
        "every attempt in flight at the stop was finished and recorded"
    );
    assert_eq!(
        query_count(
            &url,
            "SELECT count(*) AS n FROM webhook_deliveries WHERE lease_owner IS NOT NULL"
        ),
        0,
        "no lease outlives the stop"
    );

    // So the next instance sends the rest at once, not after the 30 s a
    // lease would take to run out, and nothing twice.
    let restarted_at = std::time::Instant::now();
    let _next = Instance::start("next", &env).await;
    receiver
        .wait_for("the rest after the stop", |r| r.len() >= EVENTS)
        .await;
    assert!(
        restarted_at.elapsed() < Duration::from_secs(20),
        "the rest waited for leases to run out"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let counts = received(&receiver);
    assert_eq!(counts.len(), EVENTS);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
}
