//! Calendar subscriptions: a secret URL that calendar apps fetch without a
//! token, holding the athlete's current plans. The calendars are read back
//! with the Python `icalendar` package (tests/fixtures/check_ics.py), a
//! parser no one here wrote.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Session, TestApp, assert_problem, spawn_app};
use crate::webhook_receiver::test_python;

/// The calendar as icalendar reads it. Fails (never skips) without it.
fn parse_ics(text: &str) -> Value {
    let python = test_python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/check_ics.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {python} ({error}): run .ci/install-test-python or set RUNSTRONG_TEST_PYTHON"
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "check_ics.py failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// What the calendar must hold for a stored plan: per session, its UID,
/// summary and start (floating local time at the session's time of day).
fn expected_events(stored: &Value) -> BTreeSet<(String, String, String)> {
    let plan_id = stored["id"].as_str().unwrap();
    let mut events = BTreeSet::new();
    for week in stored["plan"]["weeks"].as_array().unwrap() {
        for day in week["days"].as_array().unwrap() {
            let date = day["date"].as_str().unwrap();
            for (index, session) in day["sessions"].as_array().unwrap().iter().enumerate() {
                let time = match session["time_of_day"].as_str().unwrap() {
                    "morning" => "07:00:00",
                    "midday" => "12:30:00",
                    "evening" => "18:30:00",
                    other => panic!("time of day {other}"),
                };
                events.insert((
                    format!("{plan_id}-{}-{index}@runstrong", date.replace('-', "")),
                    session["title"].as_str().unwrap().to_owned(),
                    format!("{date}T{time}"),
                ));
            }
        }
    }
    assert!(!events.is_empty(), "the plan has sessions");
    events
}

fn parsed_events(parsed: &Value) -> BTreeSet<(String, String, String)> {
    parsed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                event["uid"].as_str().unwrap().to_owned(),
                event["summary"].as_str().unwrap().to_owned(),
                event["dtstart"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn store_plan(app: &TestApp, owner: &Session, athlete_id: &str, start: &str) -> Value {
    let response = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/plans"),
            Some(owner),
        )
        .json(&json!({"start_date": start, "weeks": 4, "race": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn feeds_path(athlete_id: &str) -> String {
    format!("/v1/athletes/{athlete_id}/calendar-feeds")
}

async fn create_feed(
    app: &TestApp,
    session: &Session,
    athlete_id: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.request(Method::POST, &feeds_path(athlete_id), Some(session));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// Creates a feed and returns its 201 body.
async fn new_feed(app: &TestApp, session: &Session, athlete_id: &str) -> Value {
    let response = create_feed(app, session, athlete_id, None).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// What a calendar app does: GET without any Authorization.
async fn fetch(app: &TestApp, url: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(url));
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    request.send().await.unwrap()
}

async fn fetch_ok(app: &TestApp, url: &str) -> (String, Value) {
    let response = fetch(app, url, None).await;
    assert_eq!(response.status(), 200, "GET {url}");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let text = response.text().await.unwrap();
    (etag, parse_ics(&text))
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    session: Option<&Session>,
) -> reqwest::Response {
    app.request(method, path, session).send().await.unwrap()
}

#[tokio::test]
async fn a_feed_serves_the_current_plans_to_a_calendar_app_without_a_token() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let first = store_plan(&app, &owner, &athlete_id, "2027-01-04").await;

    // No body at all: a feed with no name.
    let created = create_feed(&app, &owner, &athlete_id, None).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let feed: Value = created.json().await.unwrap();
    let feed_id = feed["id"].as_str().unwrap();
    assert_eq!(location, format!("{}/{feed_id}", feeds_path(&athlete_id)));
    assert!(feed["created_at"].is_string());
    assert!(feed["name"].is_null());
    let url = feed["url"].as_str().unwrap().to_owned();
    let token = url
        .strip_prefix("/v1/calendar-feeds/")
        .and_then(|rest| rest.strip_suffix(".ics"))
        .expect("url is /v1/calendar-feeds/{token}.ics");
    assert_eq!(token.len(), "rscal_".len() + 43, "256 bits in base64url");

    // Stored as its SHA-256 only: the token is nowhere in the row.
    let row = app
        .query_json(&format!(
            "SELECT row_to_json(f) FROM calendar_feeds f WHERE id = '{feed_id}'"
        ))
        .await;
    assert!(!row.contains(token), "token stored in clear: {row}");
    let stored_hash = app
        .query_json(&format!(
            "SELECT to_json(encode(token_sha256, 'hex')) FROM calendar_feeds WHERE id = '{feed_id}'"
        ))
        .await;
    assert_eq!(
        stored_hash,
        format!("\"{}\"", hex::encode(Sha256::digest(token.as_bytes())))
    );

    // A calendar app fetches it without a token.
    let response = fetch(&app, &url, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "private, no-cache");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let parsed = parse_ics(&response.text().await.unwrap());
    assert_eq!(parsed["version"], "2.0");
    assert_eq!(parsed["prodid"], "-//runstrong//plan calendar//EN");
    assert_eq!(parsed["name"], "runstrong: Sam Runner");
    assert_eq!(parsed["refresh_interval"], "PT1H");
    assert_eq!(parsed_events(&parsed), expected_events(&first));
    assert_eq!(
        parsed["count"].as_u64().unwrap() as usize,
        expected_events(&first).len()
    );

    // Unchanged: 304 with the same tag, and no body.
    let cached = fetch(&app, &url, Some(&etag)).await;
    assert_eq!(cached.status(), 304);
    assert_eq!(cached.headers()["etag"].to_str().unwrap(), etag);
    assert!(cached.text().await.unwrap().is_empty());
    // The same text again has the same tag (stable UIDs, stamps).
    assert_eq!(fetch_ok(&app, &url).await.0, etag);

    // A second plan joins the calendar; the old tag no longer matches.
    let second = store_plan(&app, &owner, &athlete_id, "2027-03-01").await;
    let changed = fetch(&app, &url, Some(&etag)).await;
    assert_eq!(changed.status(), 200);
    let both = parse_ics(&changed.text().await.unwrap());
    let mut expected: BTreeSet<_> = expected_events(&first);
    expected.extend(expected_events(&second));
    assert_eq!(parsed_events(&both), expected);

    // Adapting the first plan replaces it: only the adaptation's sessions.
    let adapted = app
        .request(
            Method::POST,
            &format!("/v1/plans/{}/adapt", first["id"].as_str().unwrap()),
            Some(&owner),
        )
        .json(&json!({"from": "2027-01-18"}))
        .send()
        .await
        .unwrap();
    assert_eq!(adapted.status(), 201);
    let adapted: Value = adapted.json().await.unwrap();
    assert_eq!(adapted["parent_plan_id"], first["id"]);
    let (_, after) = fetch_ok(&app, &url).await;
    let mut expected = expected_events(&adapted);
    expected.extend(expected_events(&second));
    assert_eq!(parsed_events(&after), expected);
    let first_id = first["id"].as_str().unwrap();
    assert!(
        !parsed_events(&after)
            .iter()
            .any(|(uid, _, _)| uid.starts_with(first_id)),
        "the replaced plan is gone"
    );

    // The list shows the feed, fetched, and never its URL.
    let list = app.get_json_as(&feeds_path(&athlete_id), &owner).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let item = &list["items"][0];
    assert_eq!(item["id"], feed_id);
    assert_eq!(item["active"], true);
    assert_eq!(item["created_by_account_id"], owner.account_id.as_str());
    assert!(item["last_fetched_at"].is_string(), "{item}");
    assert!(item.get("url").is_none());
    assert!(!list.to_string().contains(token));
    let one = app.get_json_as(&location, &owner).await;
    assert_eq!(&one, item);

    // Deleted: the URL answers 404 at once.
    let deleted = send(&app, Method::DELETE, &location, Some(&owner)).await;
    assert_eq!(deleted.status(), 204);
    let gone = assert_problem(fetch(&app, &url, None).await, 404).await;
    assert_eq!(
        gone["instance"], "/v1/calendar-feeds/{redacted}",
        "the secret is not echoed"
    );
    assert_problem(fetch(&app, &url, Some(&etag)).await, 404).await;
    assert_problem(send(&app, Method::GET, &location, Some(&owner)).await, 404).await;
    assert_problem(
        send(&app, Method::DELETE, &location, Some(&owner)).await,
        404,
    )
    .await;
    let list = app.get_json_as(&feeds_path(&athlete_id), &owner).await;
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn bodies_are_optional_named_or_refused_and_bad_urls_all_answer_404() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let path = feeds_path(&athlete_id);

    let empty = create_feed(&app, &owner, &athlete_id, Some(json!({}))).await;
    assert_eq!(empty.status(), 201);
    let null = create_feed(&app, &owner, &athlete_id, Some(Value::Null)).await;
    assert_eq!(
        null.status(),
        201,
        "null is no body, as the document allows"
    );
    let named = create_feed(
        &app,
        &owner,
        &athlete_id,
        Some(json!({"name": "  Google, phone  "})),
    )
    .await;
    assert_eq!(named.status(), 201);
    let named: Value = named.json().await.unwrap();
    assert_eq!(named["name"], "Google, phone", "trimmed");
    // The label names the calendar (escaped, and read back by icalendar).
    let (_, parsed) = fetch_ok(&app, named["url"].as_str().unwrap()).await;
    assert_eq!(parsed["name"], "Google, phone");
    assert_eq!(parsed["count"], 0, "no plans yet: an empty calendar");

    for (body, status, pointer) in [
        (json!({"name": "   "}), 422, "/name"),
        (json!({"name": "x".repeat(101)}), 422, "/name"),
        (json!({"name": 7}), 400, "/name"),
        (json!({"nmae": "typo"}), 400, "/nmae"),
    ] {
        let response = create_feed(&app, &owner, &athlete_id, Some(body.clone())).await;
        let problem = assert_problem(response, status).await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
    }
    assert_problem(
        app.request(Method::POST, &path, Some(&owner))
            .header("content-type", "text/plain")
            .body("name=x")
            .send()
            .await
            .unwrap(),
        415,
    )
    .await;
    assert_problem(
        app.request(Method::POST, &path, Some(&owner))
            .header("content-type", "application/json")
            .body("[]")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_problem(
        app.request(Method::POST, &path, None).send().await.unwrap(),
        401,
    )
    .await;
    let listed = app.get_json_as(&path, &owner).await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        3,
        "refusals stored nothing"
    );

    // Every URL that opens nothing answers the same 404.
    let real = named["url"].as_str().unwrap();
    let unknown_but_well_formed = format!("/v1/calendar-feeds/rscal_{}.ics", "A".repeat(42) + "E");
    let mut details = BTreeSet::new();
    for url in [
        "/v1/calendar-feeds/nope.ics".to_owned(),
        unknown_but_well_formed,
        format!("/v1/calendar-feeds/{}.ics", owner.token),
        format!("/v1/calendar-feeds/rscal_{}.ics", "A".repeat(5000)),
        real.replace(".ics", "x.ics"),
        real.trim_end_matches(".ics").to_owned(),
    ] {
        let problem = assert_problem(fetch(&app, &url, None).await, 404).await;
        if url.ends_with(".ics") {
            details.insert(problem["detail"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(details.len(), 1, "one answer for all: {details:?}");
    // A bearer token sent along changes nothing (the URL is the credential).
    let with_token = app
        .client
        .get(app.url(real))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 200);
}

#[tokio::test]
async fn ids_of_other_athletes_answer_404_on_every_route() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let other = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let (other_athlete_id, _) = app.create_athlete(&other).await;
    let feed = new_feed(&app, &owner, &athlete_id).await;
    let feed_id = feed["id"].as_str().unwrap();

    // Another user on the owner's athlete: as if it did not exist.
    assert_problem(create_feed(&app, &other, &athlete_id, None).await, 404).await;
    for (method, path) in [
        (Method::GET, feeds_path(&athlete_id)),
        (
            Method::GET,
            format!("{}/{feed_id}", feeds_path(&athlete_id)),
        ),
        (
            Method::DELETE,
            format!("{}/{feed_id}", feeds_path(&athlete_id)),
        ),
        // The owner's feed id under the other user's own athlete.
        (
            Method::GET,
            format!("{}/{feed_id}", feeds_path(&other_athlete_id)),
        ),
        (
            Method::DELETE,
            format!("{}/{feed_id}", feeds_path(&other_athlete_id)),
        ),
    ] {
        assert_problem(send(&app, method, &path, Some(&other)).await, 404).await;
    }
    // Nor may the owner reach the feed through the other athlete's path.
    assert_problem(
        send(
            &app,
            Method::DELETE,
            &format!("{}/{feed_id}", feeds_path(&other_athlete_id)),
            Some(&owner),
        )
        .await,
        404,
    )
    .await;
    // A malformed feed id is a 404 too, not a 400 or 500.
    assert_problem(
        send(
            &app,
            Method::DELETE,
            &format!("{}/not-a-uuid", feeds_path(&athlete_id)),
            Some(&owner),
        )
        .await,
        404,
    )
    .await;
    // Nothing was deleted.
    fetch_ok(&app, feed["url"].as_str().unwrap()).await;
}

#[tokio::test]
async fn a_coachs_feed_stops_working_when_the_grant_ends() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let coach = app.register("coach").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    store_plan(&app, &owner, &athlete_id, "2027-01-04").await;
    let grant_id = app.grant(&owner, &athlete_id, &coach, "read").await;

    // A read-only coach may subscribe, as they may read the plans.
    let coach_feed = new_feed(&app, &coach, &athlete_id).await;
    let owner_feed = new_feed(&app, &owner, &athlete_id).await;
    let coach_url = coach_feed["url"].as_str().unwrap();
    let owner_url = owner_feed["url"].as_str().unwrap();
    let (_, parsed) = fetch_ok(&app, coach_url).await;
    assert!(parsed["count"].as_u64().unwrap() > 0);

    // The coach sees only the coach's feeds; the owner sees both.
    let mine = app.get_json_as(&feeds_path(&athlete_id), &coach).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["id"], coach_feed["id"]);
    let owner_feed_path = format!(
        "{}/{}",
        feeds_path(&athlete_id),
        owner_feed["id"].as_str().unwrap()
    );
    assert_problem(
        send(&app, Method::GET, &owner_feed_path, Some(&coach)).await,
        404,
    )
    .await;
    assert_problem(
        send(&app, Method::DELETE, &owner_feed_path, Some(&coach)).await,
        404,
    )
    .await;
    let all = app.get_json_as(&feeds_path(&athlete_id), &owner).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    // The grant is revoked: the coach's feed is dead at once, the owner's not.
    let revoked = send(
        &app,
        Method::DELETE,
        &format!("/v1/athletes/{athlete_id}/grants/{grant_id}"),
        Some(&owner),
    )
    .await;
    assert_eq!(revoked.status(), 204);
    let problem = assert_problem(fetch(&app, coach_url, None).await, 404).await;
    let unknown = assert_problem(
        fetch(
            &app,
            &format!("/v1/calendar-feeds/rscal_{}E.ics", "A".repeat(42)),
            None,
        )
        .await,
        404,
    )
    .await;
    assert_eq!(problem["detail"], unknown["detail"], "no oracle");
    fetch_ok(&app, owner_url).await;
    let all = app.get_json_as(&feeds_path(&athlete_id), &owner).await;
    let coach_item = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == coach_feed["id"])
        .unwrap();
    assert_eq!(coach_item["active"], false);
    assert_eq!(
        coach_item["created_by_account_id"],
        coach.account_id.as_str()
    );

    // Granted again later: a new consent, the old feed stays dead.
    app.grant(&owner, &athlete_id, &coach, "read_write").await;
    assert_problem(fetch(&app, coach_url, None).await, 404).await;
    let fresh = new_feed(&app, &coach, &athlete_id).await;
    fetch_ok(&app, fresh["url"].as_str().unwrap()).await;

    // The owner ends a coach's feed.
    let coach_feed_path = format!(
        "{}/{}",
        feeds_path(&athlete_id),
        coach_feed["id"].as_str().unwrap()
    );
    assert_eq!(
        send(&app, Method::DELETE, &coach_feed_path, Some(&owner))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn the_per_account_limit_holds_under_concurrent_creates() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let coach = app.register("coach").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    app.grant(&owner, &athlete_id, &coach, "read").await;

    let attempts = 30;
    let responses = futures_util::future::join_all(
        (0..attempts).map(|_| create_feed(&app, &owner, &athlete_id, None)),
    )
    .await;
    let mut created = 0;
    for response in responses {
        match response.status().as_u16() {
            201 => created += 1,
            409 => {
                let problem = assert_problem(response, 409).await;
                assert!(
                    problem["detail"]
                        .as_str()
                        .unwrap()
                        .contains("20 calendar feeds"),
                    "{problem}"
                );
            }
            other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
        }
    }
    assert_eq!(created, 20, "exactly the limit, despite the race");
    let stored = app
        .query_json(&format!(
            "SELECT to_json(count(*)) FROM calendar_feeds WHERE athlete_id = '{athlete_id}'"
        ))
        .await;
    assert_eq!(stored, "20");

    // The limit is the creator's: a coach is not locked out by the owner.
    new_feed(&app, &coach, &athlete_id).await;
    // And one deleted makes room for one more.
    let list = app
        .get_json_as(&format!("{}?limit=200", feeds_path(&athlete_id)), &owner)
        .await;
    let mine: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["created_by_account_id"] == owner.account_id.as_str())
        .collect();
    assert_eq!(mine.len(), 20);
    let first = format!(
        "{}/{}",
        feeds_path(&athlete_id),
        mine[0]["id"].as_str().unwrap()
    );
    assert_eq!(
        send(&app, Method::DELETE, &first, Some(&owner))
            .await
            .status(),
        204
    );
    new_feed(&app, &owner, &athlete_id).await;
    assert_problem(create_feed(&app, &owner, &athlete_id, None).await, 409).await;

    // The list pages like every other.
    let page = app
        .get_json_as(&format!("{}?limit=15", feeds_path(&athlete_id)), &owner)
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 15);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app
        .get_json_as(
            &format!("{}?limit=15&cursor={cursor}", feeds_path(&athlete_id)),
            &owner,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 6);
    assert!(rest["next_cursor"].is_null());
}
