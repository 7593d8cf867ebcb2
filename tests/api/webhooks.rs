//! Webhooks end to end: a real HTTP receiver on loopback that verifies
//! every delivery with the Standard Webhooks reference library
//! (`standardwebhooks` from PyPI, tests/fixtures/webhook_receiver.py).

use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, spawn_app_with};
use crate::webhook_receiver::Receiver;

/// An instance that delivers at once and retries quickly, to loopback.
pub async fn webhook_app() -> TestApp {
    spawn_app_with(|config| {
        config.webhooks.allow_private_targets = true;
        config.webhooks.poll_interval = Duration::from_millis(50);
        config.webhooks.retry_base = Duration::from_millis(100);
    })
    .await
}

/// Subscribes `who` to `events` at `url`; the receiver trusts the secret.
pub async fn subscribe(
    app: &TestApp,
    who: &Session,
    receiver: &Receiver,
    path: &str,
    events: &[&str],
) -> Value {
    let response = app
        .request(Method::POST, "/v1/webhooks", Some(who))
        .json(&json!({"url": receiver.url(path), "events": events}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    receiver.trust(created["secret"].as_str().unwrap());
    created
}

fn run(started_at: &str, km: f64) -> Value {
    json!({"kind": "easy_run", "started_at": started_at, "duration_min": km * 6.0,
           "distance_km": km, "rpe": 4})
}

async fn log(app: &TestApp, who: &Session, athlete: &str, body: &Value) -> Value {
    let response = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/sessions"),
            Some(who),
        )
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn of_type<'a>(requests: &'a [Value], event: &str) -> Vec<&'a Value> {
    requests
        .iter()
        .filter(|r| r["payload"]["type"] == event)
        .collect()
}

const ALL_EVENTS: [&str; 7] = [
    "session.created",
    "session.updated",
    "session.deleted",
    "plan.created",
    "plan.adapted",
    "plan.deleted",
    "load.warning",
];

#[tokio::test]
async fn every_change_arrives_signed_with_the_data_to_act_on() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]);
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let created = subscribe(&app, &owner, &receiver, "/hooks", &ALL_EVENTS).await;
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    let listed = app.get_json_as("/v1/webhooks", &owner).await;
    assert_eq!(listed["items"][0]["id"], created["id"]);
    assert!(listed["items"][0].get("secret").is_none(), "shown once");

    let session = log(&app, &owner, &athlete, &run("2026-11-02T07:00:00Z", 10.0)).await;
    let session_id = session["id"].as_str().unwrap();
    let etag =
        |response: &reqwest::Response| response.headers()["etag"].to_str().unwrap().to_owned();
    let first_tag = etag(
        &app.request(
            Method::GET,
            &format!("/v1/sessions/{session_id}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap(),
    );
    let replaced = app
        .request(
            Method::PUT,
            &format!("/v1/sessions/{session_id}"),
            Some(&owner),
        )
        .header("If-Match", &first_tag)
        .json(&run("2026-11-02T07:00:00Z", 12.0))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200);
    let second_tag = etag(&replaced);
    let stale = app
        .request(
            Method::PUT,
            &format!("/v1/sessions/{session_id}"),
            Some(&owner),
        )
        .header("If-Match", &first_tag)
        .json(&run("2026-11-02T07:00:00Z", 14.0))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412, "a refused change makes no event");
    let deleted = app
        .request(
            Method::DELETE,
            &format!("/v1/sessions/{session_id}"),
            Some(&owner),
        )
        .header("If-Match", &second_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let plan: Value = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/plans"),
            Some(&owner),
        )
        .json(&json!({"start_date": "2027-01-04", "weeks": 8, "race": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan_id = plan["id"].as_str().unwrap();
    let adapted = app
        .request(
            Method::POST,
            &format!("/v1/plans/{plan_id}/adapt"),
            Some(&owner),
        )
        .json(&json!({"from": "2027-01-18"}))
        .send()
        .await
        .unwrap();
    assert_eq!(adapted.status(), 201);
    let adapted: Value = adapted.json().await.unwrap();
    let removed = app
        .request(
            Method::DELETE,
            &format!("/v1/plans/{plan_id}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);

    let requests = receiver
        .wait_for("six events", |r| {
            ALL_EVENTS[..6].iter().all(|e| !of_type(r, e).is_empty())
        })
        .await;
    for request in &requests {
        assert_eq!(request["verified"], true, "signature: {request}");
        assert_eq!(request["path"], "/hooks");
        assert!(request["id"].as_str().unwrap().starts_with("msg_"));
        assert_eq!(request["payload"]["data"]["athlete_id"], athlete.as_str());
        assert!(
            request["payload"]["timestamp"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
    }
    let created_event = &of_type(&requests, "session.created")[0]["payload"]["data"];
    assert_eq!(created_event["session_id"], session_id);
    assert_eq!(created_event["kind"], "easy_run");
    assert_eq!(created_event["date"], "2026-11-02");
    assert_eq!(created_event["distance_km"], 10.0);
    let updated_event = &of_type(&requests, "session.updated")[0]["payload"]["data"];
    assert_eq!(updated_event["distance_km"], 12.0);
    assert_eq!(updated_event["version"], 2);
    assert_eq!(
        of_type(&requests, "session.deleted")[0]["payload"]["data"]["session_id"],
        session_id
    );
    assert_eq!(
        of_type(&requests, "plan.created")[0]["payload"]["data"]["plan_id"],
        plan_id
    );
    let adapted_event = &of_type(&requests, "plan.adapted")[0]["payload"]["data"];
    assert_eq!(adapted_event["plan_id"], adapted["id"]);
    assert_eq!(adapted_event["parent_plan_id"], plan_id);
    assert_eq!(
        of_type(&requests, "plan.deleted")[0]["payload"]["data"]["plan_id"],
        plan_id
    );
    // One delivery per change: six events (the replace with a stale tag
    // added none).
    let changes = requests
        .iter()
        .filter(|r| r["payload"]["type"] != "load.warning");
    assert_eq!(changes.count(), 6, "{requests:#?}");
}

#[tokio::test]
async fn a_failing_receiver_gets_retries_under_the_same_id_and_the_log_shows_each() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&["--fail-first", "2"]);
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let webhook = subscribe(&app, &owner, &receiver, "/flaky", &["session.created"]).await;
    log(&app, &owner, &athlete, &run("2026-11-02T07:00:00Z", 8.0)).await;
    let requests = receiver
        .wait_for("the third attempt", |r| r.len() >= 3)
        .await;
    let ids: Vec<&Value> = requests.iter().map(|r| &r["id"]).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one webhook-id: {ids:?}"
    );
    assert_eq!(
        requests
            .iter()
            .map(|r| r["status"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [500, 500, 204]
    );
    assert!(requests.iter().all(|r| r["verified"] == true));

    // The log: newest first, in pages.
    let path = format!(
        "/v1/webhooks/{}/deliveries",
        webhook["id"].as_str().unwrap()
    );
    let mut attempts: Vec<Value> = Vec::new();
    for _ in 0..100 {
        let page = app.get_json_as(&format!("{path}?limit=2"), &owner).await;
        // The third attempt is recorded just after the receiver answers it.
        if let Some(cursor) = page["next_cursor"].as_str() {
            let rest = app
                .get_json_as(&format!("{path}?limit=2&cursor={cursor}"), &owner)
                .await;
            attempts = [
                page["items"].as_array().unwrap().clone(),
                rest["items"].as_array().unwrap().clone(),
            ]
            .concat();
            assert!(rest["next_cursor"].is_null());
            if attempts.len() == 3 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(attempts.len(), 3, "{attempts:#?}");
    let numbers: Vec<u64> = attempts
        .iter()
        .map(|a| a["attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1], "newest first");
    assert_eq!(attempts[0]["status_code"], 204);
    assert!(attempts[0]["next_retry_at"].is_null());
    for failed in &attempts[1..] {
        assert_eq!(failed["status_code"], 500);
        assert!(failed["next_retry_at"].is_string());
    }
    assert!(
        attempts
            .iter()
            .all(|a| a["webhook_id"] == requests[0]["id"])
    );
    assert!(attempts.iter().all(|a| a["delivery_state"] == "delivered"));
    let bad_cursor = app
        .request(Method::GET, &format!("{path}?cursor=bogus"), Some(&owner))
        .send()
        .await
        .unwrap();
    assert_problem(bad_cursor, 400).await;
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_given_up_after_the_retry_window() {
    let app = spawn_app_with(|config| {
        config.webhooks.allow_private_targets = true;
        config.webhooks.poll_interval = Duration::from_millis(50);
        config.webhooks.retry_base = Duration::from_millis(100);
        config.webhooks.give_up_after = Duration::from_secs(1);
    })
    .await;
    let receiver = Receiver::start(&["--status", "503"]);
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let webhook = subscribe(&app, &owner, &receiver, "/down", &["session.created"]).await;
    log(&app, &owner, &athlete, &run("2026-11-02T07:00:00Z", 8.0)).await;
    let path = format!(
        "/v1/webhooks/{}/deliveries",
        webhook["id"].as_str().unwrap()
    );
    let mut last = Value::Null;
    for _ in 0..200 {
        last = app.get_json_as(&path, &owner).await;
        if last["items"][0]["delivery_state"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(last["items"][0]["delivery_state"], "failed", "{last:#}");
    assert!(last["items"][0]["next_retry_at"].is_null());
    let tries = receiver.requests().len();
    assert!(tries >= 2, "retried before giving up: {tries}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.requests().len(), tries, "nothing after giving up");
}

#[tokio::test]
async fn a_coach_hears_about_an_athlete_only_while_the_grant_lasts() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]);
    let owner = app.register("athlete").await;
    let coach = app.register("coach").await;
    let stranger = app.register("coach").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    subscribe(&app, &owner, &receiver, "/owner", &["session.created"]).await;
    subscribe(&app, &coach, &receiver, "/coach", &["session.created"]).await;
    subscribe(
        &app,
        &stranger,
        &receiver,
        "/stranger",
        &["session.created"],
    )
    .await;
    let grant = app.grant(&owner, &athlete, &coach, "read").await;

    let first = log(&app, &owner, &athlete, &run("2026-11-02T07:00:00Z", 8.0)).await;
    let at = |path: &'static str, session: Value| {
        move |r: &[Value]| {
            r.iter()
                .any(|x| x["path"] == path && x["payload"]["data"]["session_id"] == session)
        }
    };
    receiver
        .wait_for("the owner's first", at("/owner", first["id"].clone()))
        .await;
    receiver
        .wait_for("the coach's first", at("/coach", first["id"].clone()))
        .await;

    let revoked = app
        .request(
            Method::DELETE,
            &format!("/v1/athletes/{athlete}/grants/{grant}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let second = log(&app, &owner, &athlete, &run("2026-11-03T07:00:00Z", 8.0)).await;
    receiver
        .wait_for("the owner's second", at("/owner", second["id"].clone()))
        .await;
    // Fan-out decides every subscription of an event at once: the owner's
    // arrived, so the coach's would have been sent by now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let requests = receiver.requests();
    assert!(
        !requests
            .iter()
            .any(|r| r["path"] == "/coach" && r["payload"]["data"]["session_id"] == second["id"]),
        "the revoked coach heard: {requests:#?}"
    );
    assert!(
        !requests.iter().any(|r| r["path"] == "/stranger"),
        "{requests:#?}"
    );
}

#[tokio::test]
async fn a_retry_is_not_sent_once_the_grant_is_revoked() {
    let app = spawn_app_with(|config| {
        config.webhooks.allow_private_targets = true;
        config.webhooks.poll_interval = Duration::from_millis(50);
        config.webhooks.retry_base = Duration::from_millis(1500);
    })
    .await;
    let receiver = Receiver::start(&["--fail-first", "1"]);
    let owner = app.register("athlete").await;
    let coach = app.register("coach").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let webhook = subscribe(&app, &coach, &receiver, "/coach", &["session.created"]).await;
    let grant = app.grant(&owner, &athlete, &coach, "read").await;
    log(&app, &owner, &athlete, &run("2026-11-02T07:00:00Z", 8.0)).await;
    receiver
        .wait_for("the first attempt", |r| r.len() == 1)
        .await;
    let revoked = app
        .request(
            Method::DELETE,
            &format!("/v1/athletes/{athlete}/grants/{grant}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let path = format!(
        "/v1/webhooks/{}/deliveries",
        webhook["id"].as_str().unwrap()
    );
    let mut log_page = Value::Null;
    for _ in 0..200 {
        log_page = app.get_json_as(&path, &coach).await;
        if log_page["items"][0]["delivery_state"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        log_page["items"][0]["delivery_state"], "failed",
        "{log_page:#}"
    );
    assert!(
        log_page["items"][0]["error"]
            .as_str()
            .unwrap()
            .contains("may no longer read")
    );
    assert_eq!(receiver.requests().len(), 1, "the retry was not sent");
}

#[tokio::test]
async fn a_new_load_warning_is_announced_once() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]);
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    subscribe(&app, &owner, &receiver, "/warnings", &["load.warning"]).await;
    let today = chrono::Utc::now().date_naive();
    let day = |back: i64| format!("{}T07:00:00Z", today - chrono::Duration::days(back));
    let first = log(&app, &owner, &athlete, &run(&day(10), 8.0)).await;
    // Twice the longest run of the last 30 days: a longest-run spike.
    let spike = log(&app, &owner, &athlete, &run(&day(2), 16.0)).await;
    let spike_warning = |r: &&Value| r["payload"]["data"]["kind"] == "longest_run_spike";
    let requests = receiver
        .wait_for("a spike warning", |r| {
            of_type(r, "load.warning").iter().any(spike_warning)
        })
        .await;
    let warnings = of_type(&requests, "load.warning");
    let warning = &warnings.iter().find(|r| spike_warning(r)).unwrap()["payload"]["data"];
    assert_eq!(warning["kind"], "longest_run_spike");
    assert_eq!(warning["athlete_id"], athlete.as_str());
    // The change whose fan-out found it: the spike, or the run before it
    // when both were in the outbox at once.
    assert!(
        [&spike["id"], &first["id"]].contains(&&warning["session_id"]),
        "{warning}"
    );
    let date = (today - chrono::Duration::days(2)).to_string();
    assert_eq!(warning["date"], date.as_str());
    assert_eq!(warning["warning_id"], format!("longest_run_spike:{date}"));
    assert!(requests.iter().all(|r| r["verified"] == true));
    // Another change that keeps the same warning does not announce it again.
    log(&app, &owner, &athlete, &run(&day(1), 3.0)).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        of_type(&receiver.requests(), "load.warning")
            .iter()
            .filter(|r| r["payload"]["data"]["warning_id"] == warning["warning_id"])
            .count(),
        1
    );
    assert!(
        of_type(&receiver.requests(), "session.created").is_empty(),
        "not subscribed"
    );
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_event() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]);
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    subscribe(&app, &owner, &receiver, "/hooks", &["session.created"]).await;
    let url = app.database_url();
    let athlete_id = athlete.clone();
    let (inside, after) = tokio::task::spawn_blocking(move || {
        let mut connection = PgConnection::establish(&url).unwrap();
        let count = |c: &mut PgConnection| -> i64 {
            #[derive(diesel::QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            diesel::sql_query(format!(
                "SELECT count(*) AS n FROM webhook_outbox WHERE athlete_id = '{athlete_id}'"
            ))
            .get_result::<Count>(c)
            .unwrap()
            .n
        };
        let mut inside = 0;
        let _ = connection.transaction::<(), diesel::result::Error, _>(|c| {
            diesel::sql_query(format!(
                "INSERT INTO sessions (id, athlete_id, kind, started_at, duration_min, rpe, body_sha256)
                 VALUES (gen_random_uuid(), '{athlete_id}', 'easy_run', now(), 30, 3, 'x')"
            ))
            .execute(c)?;
            inside = count(c);
            Err(diesel::result::Error::RollbackTransaction)
        });
        (inside, count(&mut connection))
    })
    .await
    .unwrap();
    assert_eq!(
        inside, 1,
        "the event is written in the change's transaction"
    );
    assert_eq!(after, 0, "and rolled back with it");
    // A create answered from its Idempotency-Key adds no second event.
    for _ in 0..2 {
        let response = app
            .request(
                Method::POST,
                &format!("/v1/athletes/{athlete}/sessions"),
                Some(&owner),
            )
            .header("Idempotency-Key", "once")
            .json(&run("2026-11-02T07:00:00Z", 5.0))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
    receiver.wait_for("the create", |r| r.len() == 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.requests().len(), 1);
}

#[tokio::test]
async fn targets_must_be_public_http_urls_unless_private_ones_are_allowed() {
    let app = spawn_app_with(|_| {}).await;
    let owner = app.register("coach").await;
    let create = |body: Value| {
        app.request(Method::POST, "/v1/webhooks", Some(&owner))
            .json(&body)
            .send()
    };
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://[::1]:9/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "ftp://example.com/hook",
        "https://user:secret@example.com/hook",
        "not a url",
    ] {
        let problem = assert_problem(
            create(json!({"url": url, "events": ["session.created"]}))
                .await
                .unwrap(),
            422,
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], "/url", "{url}: {problem}");
    }
    let no_events = assert_problem(
        create(json!({"url": "http://127.0.0.1:9/", "events": []}))
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(no_events["errors"][0]["pointer"], "/events");
    assert_problem(
        create(json!({"url": "http://127.0.0.1:9/", "events": ["session.exploded"]}))
            .await
            .unwrap(),
        400,
    )
    .await;
    let anonymous = app
        .client
        .post(app.url("/v1/webhooks"))
        .json(&json!({"url": "http://127.0.0.1:9/", "events": ["session.created"]}))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;
}

#[tokio::test]
async fn an_account_holds_at_most_twenty_webhooks_even_when_asking_at_once() {
    let app = webhook_app().await;
    let owner = app.register("coach").await;
    let attempts = (0..30).map(|i| {
        app.request(Method::POST, "/v1/webhooks", Some(&owner))
            .json(&json!({"url": format!("http://127.0.0.1:9/{i}"), "events": ["plan.created"]}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        10,
        "{statuses:?}"
    );
    let listed = app.get_json_as("/v1/webhooks", &owner).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn another_accounts_webhook_is_not_found() {
    let app = webhook_app().await;
    let receiver = Receiver::start(&[]);
    let owner = app.register("coach").await;
    let other = app.register("coach").await;
    let webhook = subscribe(&app, &owner, &receiver, "/x", &["plan.created"]).await;
    let id = webhook["id"].as_str().unwrap();
    for (method, path) in [
        (Method::GET, format!("/v1/webhooks/{id}/deliveries")),
        (Method::DELETE, format!("/v1/webhooks/{id}")),
    ] {
        let response = app
            .request(method.clone(), &path, Some(&other))
            .send()
            .await
            .unwrap();
        assert_problem(response, 404).await;
        let anonymous = app.request(method, &path, None).send().await.unwrap();
        assert_problem(anonymous, 401).await;
    }
    assert!(
        app.get_json_as("/v1/webhooks", &other).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let deleted = app
        .request(Method::DELETE, &format!("/v1/webhooks/{id}"), Some(&owner))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let again = app
        .request(
            Method::GET,
            &format!("/v1/webhooks/{id}/deliveries"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_problem(again, 404).await;
}
