//! Dates at the ends of the calendar, on every route that takes one: a 4xx
//! (a 400 with a pointer when out of 1900-01-01..=2200-12-31), never a 5xx,
//! never a dropped connection.

use base64::Engine;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, example_profile, spawn_app};

/// A date as chrono writes it (`+262142-12-31` beyond four digits).
fn date_text(year: i32, month: u32, day: u32) -> String {
    if (0..=9999).contains(&year) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:+05}-{month:02}-{day:02}")
    }
}

fn in_range(year: i32) -> bool {
    (1900..=2200).contains(&year)
}

/// Years from chrono's first to its last, weighted to the edges of the
/// accepted range and of chrono's.
fn years() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(-262_143),
        Just(262_142),
        Just(-4714),
        Just(0),
        Just(1899),
        Just(1900),
        Just(2200),
        Just(2201),
        Just(9999),
        Just(10_000),
        1890..2210i32,
        -262_143..=262_142i32,
    ]
}

/// (year, month, day) with the days at the ends of the year weighted in.
fn dates() -> impl Strategy<Value = (i32, u32, u32)> {
    (
        years(),
        prop_oneof![Just((1u32, 1u32)), Just((12, 31)), (1..=12u32, 1..=28u32)],
    )
        .prop_map(|(year, (month, day))| (year, month, day))
}

/// Every route that takes a date, and where: the test sends the date in
/// that field and expects its pointer when the date is out of range.
#[derive(Debug, Clone, Copy)]
enum Target {
    PreviewStart,
    PreviewRace,
    ValidatePlanStart,
    ValidateDay,
    CreateAthleteRace,
    PatchAthleteRace,
    CreatePlanStart,
    CreatePlanRace,
    AdaptFrom,
    CreateSessionStarted,
    CreateSessionFinished,
    CreateSessionPlannedDate,
    ReplaceSessionStarted,
    ListSessionsFrom,
    ListSessionsTo,
    ListSessionsUpdatedSince,
    LoadFrom,
    LoadTo,
}

const TARGETS: [Target; 18] = [
    Target::PreviewStart,
    Target::PreviewRace,
    Target::ValidatePlanStart,
    Target::ValidateDay,
    Target::CreateAthleteRace,
    Target::PatchAthleteRace,
    Target::CreatePlanStart,
    Target::CreatePlanRace,
    Target::AdaptFrom,
    Target::CreateSessionStarted,
    Target::CreateSessionFinished,
    Target::CreateSessionPlannedDate,
    Target::ReplaceSessionStarted,
    Target::ListSessionsFrom,
    Target::ListSessionsTo,
    Target::ListSessionsUpdatedSince,
    Target::LoadFrom,
    Target::LoadTo,
];

struct Fixture {
    owner: Session,
    athlete_id: String,
    plan_id: String,
    session_id: String,
    /// A plan from the preview, to send back to the validator.
    plan: Value,
}

fn preview_request() -> Value {
    let mut request = example_profile();
    let fields = request.as_object_mut().unwrap();
    fields.remove("name");
    fields.remove("race");
    fields.insert("start_date".to_owned(), json!("2027-01-04"));
    fields.insert("weeks".to_owned(), json!(4));
    request
}

fn session_body() -> Value {
    json!({"kind": "easy_run", "started_at": "2026-10-05T07:00:00Z", "duration_min": 45.0,
           "distance_km": 8.0, "rpe": 3})
}

async fn fixture(app: &TestApp) -> Fixture {
    let owner = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let plan = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/plans"),
            Some(&owner),
        )
        .json(&json!({"start_date": "2027-01-04", "weeks": 4, "race": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(plan.status(), 201);
    let plan_id = plan.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/sessions"),
            Some(&owner),
        )
        .json(&session_body())
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 201);
    let session_id = session.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let preview = app
        .client
        .post(app.url("/v1/plans/preview"))
        .json(&preview_request())
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), 200);
    Fixture {
        owner,
        athlete_id,
        plan_id,
        session_id,
        plan: preview.json().await.unwrap(),
    }
}

async fn etag(app: &TestApp, path: &str, owner: &Session) -> String {
    let response = app
        .request(Method::GET, path, Some(owner))
        .send()
        .await
        .unwrap();
    response.headers()["etag"].to_str().unwrap().to_owned()
}

/// Sends `date` to `target`; returns the response and the pointer a 400
/// for an out-of-range date must name.
async fn send(
    app: &TestApp,
    fixture: &Fixture,
    target: Target,
    date: &str,
) -> (reqwest::Response, &'static str) {
    let moment = format!("{date}T07:00:00Z");
    // In a query string `+` would be a space.
    let (query_date, query_moment) = (date.replace('+', "%2B"), moment.replace('+', "%2B"));
    let owner = Some(&fixture.owner);
    let athlete = format!("/v1/athletes/{}", fixture.athlete_id);
    let json_post = |path: String, body: Value, pointer: &'static str| async move {
        let response = app
            .request(Method::POST, &path, owner)
            .json(&body)
            .send()
            .await
            .unwrap();
        (response, pointer)
    };
    let get = |path: String, pointer: &'static str| async move {
        let response = app.request(Method::GET, &path, owner).send().await.unwrap();
        (response, pointer)
    };
    match target {
        Target::PreviewStart => {
            let mut body = preview_request();
            body["start_date"] = json!(date);
            json_post("/v1/plans/preview".to_owned(), body, "/start_date").await
        }
        Target::PreviewRace => {
            let mut body = preview_request();
            body.as_object_mut().unwrap().remove("weeks");
            body["race"] = json!({"date": date, "distance": "10k"});
            json_post("/v1/plans/preview".to_owned(), body, "/race/date").await
        }
        Target::ValidatePlanStart => {
            let mut plan = fixture.plan.clone();
            plan["start_date"] = json!(date);
            json_post(
                "/v1/plans/validate".to_owned(),
                json!({ "plan": plan }),
                "/plan/start_date",
            )
            .await
        }
        Target::ValidateDay => {
            let mut plan = fixture.plan.clone();
            plan["weeks"][0]["days"][0]["date"] = json!(date);
            json_post(
                "/v1/plans/validate".to_owned(),
                json!({ "plan": plan }),
                "/plan/weeks/0/days/0/date",
            )
            .await
        }
        Target::CreateAthleteRace => {
            let mut body = example_profile();
            body["race"]["date"] = json!(date);
            json_post("/v1/athletes".to_owned(), body, "/race/date").await
        }
        Target::PatchAthleteRace => {
            let tag = etag(app, &athlete, &fixture.owner).await;
            let response = app
                .request(Method::PATCH, &athlete, owner)
                .header("If-Match", tag)
                .header("Content-Type", "application/merge-patch+json")
                .body(json!({"race": {"date": date, "distance": "marathon"}}).to_string())
                .send()
                .await
                .unwrap();
            (response, "/race/date")
        }
        Target::CreatePlanStart => {
            json_post(
                format!("{athlete}/plans"),
                json!({"start_date": date, "weeks": 2, "race": null}),
                "/start_date",
            )
            .await
        }
        Target::CreatePlanRace => {
            json_post(
                format!("{athlete}/plans"),
                json!({"start_date": "2027-01-04", "race": {"date": date, "distance": "10k"}}),
                "/race/date",
            )
            .await
        }
        Target::AdaptFrom => {
            json_post(
                format!("/v1/plans/{}/adapt", fixture.plan_id),
                json!({ "from": date }),
                "/from",
            )
            .await
        }
        Target::CreateSessionStarted => {
            let mut body = session_body();
            body["started_at"] = json!(moment);
            json_post(format!("{athlete}/sessions"), body, "/started_at").await
        }
        Target::CreateSessionFinished => {
            let mut body = session_body();
            body["finished_at"] = json!(moment);
            json_post(format!("{athlete}/sessions"), body, "/finished_at").await
        }
        Target::CreateSessionPlannedDate => {
            let mut body = session_body();
            body["planned"] = json!({"plan_id": fixture.plan_id, "date": date});
            json_post(format!("{athlete}/sessions"), body, "/planned/date").await
        }
        Target::ReplaceSessionStarted => {
            let path = format!("/v1/sessions/{}", fixture.session_id);
            let tag = etag(app, &path, &fixture.owner).await;
            let mut body = session_body();
            body["started_at"] = json!(moment);
            let response = app
                .request(Method::PUT, &path, owner)
                .header("If-Match", tag)
                .json(&body)
                .send()
                .await
                .unwrap();
            (response, "/started_at")
        }
        Target::ListSessionsFrom => {
            get(format!("{athlete}/sessions?from={query_date}"), "/from").await
        }
        Target::ListSessionsTo => get(format!("{athlete}/sessions?to={query_moment}"), "/to").await,
        Target::ListSessionsUpdatedSince => {
            get(
                format!("{athlete}/sessions?updated_since={query_moment}"),
                "/updated_since",
            )
            .await
        }
        Target::LoadFrom => {
            get(
                format!("{athlete}/load?from={query_date}&to=2027-01-31"),
                "/from",
            )
            .await
        }
        Target::LoadTo => {
            get(
                format!("{athlete}/load?from=2027-01-01&to={query_date}"),
                "/to",
            )
            .await
        }
    }
}

/// The proptest: any date, any date route, never a 5xx; out of range, a
/// 400 naming the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extreme_dates_on_every_route_are_4xx_never_5xx() {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 160,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (0..TARGETS.len(), dates());
    tokio::task::block_in_place(|| {
        runner
            .run(&strategy, |(index, (year, month, day))| {
                let target = TARGETS[index];
                let date = date_text(year, month, day);
                let (status, pointers) = handle.block_on(async {
                    let (response, pointer) = send(&app, &fixture, target, &date).await;
                    let status = response.status().as_u16();
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    let pointers: Vec<String> = body["errors"]
                        .as_array()
                        .map(|errors| {
                            errors
                                .iter()
                                .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    (status, (pointer, pointers))
                });
                prop_assert!(status < 500, "{target:?} {date}: {status}");
                if !in_range(year) {
                    prop_assert_eq!(status, 400, "{:?} {}", target, date);
                    let (expected, pointers) = pointers;
                    prop_assert!(
                        pointers.iter().any(|p| p == expected),
                        "{target:?} {date}: no {expected} in {pointers:?}"
                    );
                }
                Ok::<(), TestCaseError>(())
            })
            .unwrap();
    });
}

#[tokio::test]
async fn the_dates_of_the_issue_are_400s_with_pointers() {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    let athlete = format!("/v1/athletes/{}", fixture.athlete_id);
    let mut body = preview_request();
    body["start_date"] = json!("+262142-12-31");
    let problem = assert_problem(
        app.client
            .post(app.url("/v1/plans/preview"))
            .json(&body)
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/start_date");
    // A plan must end in range too: it is stored, read and exported.
    let late = app
        .request(
            Method::POST,
            &format!("{athlete}/plans"),
            Some(&fixture.owner),
        )
        .json(&json!({"start_date": "2200-12-31", "weeks": 2, "race": null}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(late, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/weeks");
    for path in [
        format!("{athlete}/load?from=-262143-01-01&to=2027-01-01"),
        format!("{athlete}/sessions?from=-262143-01-01"),
    ] {
        let problem = assert_problem(
            app.request(Method::GET, &path, Some(&fixture.owner))
                .send()
                .await
                .unwrap(),
            400,
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], "/from", "{path}");
    }
}

#[tokio::test]
async fn forged_session_cursors_with_years_out_of_range_are_400s() {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    let id = uuid::Uuid::now_v7();
    // Microseconds since 1970 of a day in the year -5000 and of one in 9000:
    // chrono holds both, PostgreSQL cannot compare the first.
    for (kind, micros) in [
        ("session", -219_983_616_000_000_000i64),
        ("change", -219_983_616_000_000_000),
        ("session", 221_845_392_000_000_000),
    ] {
        let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{kind}:{micros}|{id}"));
        let sync = if kind == "change" {
            "&updated_since=2026-01-01T00:00:00Z"
        } else {
            ""
        };
        let problem = assert_problem(
            app.request(
                Method::GET,
                &format!(
                    "/v1/athletes/{}/sessions?cursor={cursor}{sync}",
                    fixture.athlete_id
                ),
                Some(&fixture.owner),
            )
            .send()
            .await
            .unwrap(),
            400,
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], "/cursor");
    }
}

/// Profiles and plans stored before dates were bounded stay readable;
/// a change must then bring the date into range (a 400 says where).
#[tokio::test]
async fn data_stored_before_the_bounds_stays_readable_and_correctable() {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    app.execute_sql(&format!(
        "UPDATE athletes SET profile = jsonb_set(profile, '{{race,date}}', '\"1850-05-01\"')
         WHERE id = '{athlete}'",
        athlete = fixture.athlete_id,
    ))
    .await;
    app.execute_sql(&format!(
        "UPDATE plans SET plan = jsonb_set(plan, '{{start_date}}', '\"1850-05-01\"'),
                          request = jsonb_set(request, '{{start_date}}', '\"1850-05-01\"')
         WHERE id = '{plan}'",
        plan = fixture.plan_id
    ))
    .await;
    let path = format!("/v1/athletes/{}", fixture.athlete_id);
    let read = app
        .request(Method::GET, &path, Some(&fixture.owner))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let tag = read.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        read.json::<Value>().await.unwrap()["race"]["date"],
        "1850-05-01"
    );
    let plan = app
        .request(
            Method::GET,
            &format!("/v1/plans/{}", fixture.plan_id),
            Some(&fixture.owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(plan.status(), 200);
    let patch = |body: Value, tag: String| {
        app.request(Method::PATCH, &path, Some(&fixture.owner))
            .header("If-Match", tag)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
    };
    let problem = assert_problem(
        patch(json!({"runs_per_week": 3}), tag.clone())
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/race/date");
    let fixed = patch(
        json!({"race": {"date": "2027-05-01", "distance": "marathon"}}),
        tag,
    )
    .await
    .unwrap();
    assert_eq!(fixed.status(), 200);
}
