//! The authorization matrix: every route that takes an id, called by every
//! kind of caller. Refused calls must leave the data exactly as it was.
//!
//! The rule it checks: a caller who may not see a resource gets 404 (as if
//! it did not exist); a caller who may see it but not change it gets 403;
//! a missing or bad token gets 401.
//!
//! To add a route, add a `Case` to `cases()`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app, spawn_app_with};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    OtherAthlete,
    CoachWithoutGrant,
    CoachWithReadGrant,
    CoachWithReadWriteGrant,
    CoachWithRevokedGrant,
    /// Granted by the owner, never accepted: a pending grant gives nothing.
    CoachWithPendingGrant,
    /// Granted by the owner and declined by the coach.
    CoachWithDeclinedGrant,
    NoToken,
    GarbageToken,
    /// Last, because the owner's writes (a delete) end the fixture.
    Owner,
}

const CALLERS: [Caller; 10] = [
    Caller::OtherAthlete,
    Caller::CoachWithoutGrant,
    Caller::CoachWithReadGrant,
    Caller::CoachWithReadWriteGrant,
    Caller::CoachWithRevokedGrant,
    Caller::CoachWithPendingGrant,
    Caller::CoachWithDeclinedGrant,
    Caller::NoToken,
    Caller::GarbageToken,
    Caller::Owner,
];

/// The accounts of the matrix. The athlete profile of each case belongs to
/// `owner`; the private exercise of each case belongs to `reader`, the
/// coach whom `owner` granted read access (and who accepted), and another
/// to `pending`, the coach who has not accepted `owner`'s grant yet.
struct People {
    owner: Session,
    other_athlete: Session,
    coach_without_grant: Session,
    reader: Session,
    writer: Session,
    revoked: Session,
    pending: Session,
    declined: Session,
}

/// What one case works on, made fresh for every case.
struct Fixture {
    athlete_id: String,
    plan_id: String,
    /// `days/{date}/sessions/{n}` of the plan's first session that a
    /// watch can follow.
    planned_workout: String,
    session_id: String,
    reader_grant_id: String,
    writer_grant_id: String,
    pending_grant_id: String,
    exercise_id: String,
    pending_coach_exercise_id: String,
    /// A webhook subscription of the owner's account.
    webhook_id: String,
    /// A calendar feed the owner made, and one the reading coach made.
    owner_feed_id: String,
    owner_feed_url: String,
    reader_feed_id: String,
}

/// Where a case's If-Match comes from.
#[derive(Clone, Copy)]
enum Precondition {
    None,
    AthleteEtag,
    ExerciseEtag,
    SessionEtag,
}

struct Case {
    name: &'static str,
    method: Method,
    path: fn(&Fixture) -> String,
    body: fn(&People) -> Option<Value>,
    precondition: Precondition,
    /// Expected status per caller, in the order of `CALLERS`.
    expected: [u16; 10],
}

fn cases() -> Vec<Case> {
    //           other nogrant read  rw  revoked pending declined none garbage owner
    vec![
        // A subscription belongs to an account: nobody else's token finds it.
        Case {
            name: "GET /v1/webhooks/{id}/deliveries",
            method: Method::GET,
            path: |f| format!("/v1/webhooks/{}/deliveries", f.webhook_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 404, 404, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "DELETE /v1/webhooks/{id}",
            method: Method::DELETE,
            path: |f| format!("/v1/webhooks/{}", f.webhook_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 404, 404, 404, 404, 404, 401, 401, 204],
        },
        Case {
            name: "GET /v1/athletes/{id}",
            method: Method::GET,
            path: |f| format!("/v1/athletes/{}", f.athlete_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "PATCH /v1/athletes/{id}",
            method: Method::PATCH,
            path: |f| format!("/v1/athletes/{}", f.athlete_id),
            body: |_| Some(json!({"runs_per_week": 3})),
            precondition: Precondition::AthleteEtag,
            expected: [404, 404, 403, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "DELETE /v1/athletes/{id}",
            method: Method::DELETE,
            path: |f| format!("/v1/athletes/{}", f.athlete_id),
            body: |_| None,
            precondition: Precondition::AthleteEtag,
            expected: [404, 404, 403, 403, 404, 404, 404, 401, 401, 204],
        },
        Case {
            name: "POST /v1/athletes/{id}/grants",
            method: Method::POST,
            path: |f| format!("/v1/athletes/{}/grants", f.athlete_id),
            body: |p| Some(json!({"coach_email": p.coach_without_grant.email, "access": "read"})),
            precondition: Precondition::None,
            expected: [404, 404, 403, 403, 404, 404, 404, 401, 401, 201],
        },
        Case {
            name: "GET /v1/athletes/{id}/grants",
            method: Method::GET,
            path: |f| format!("/v1/athletes/{}/grants", f.athlete_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 403, 403, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "DELETE /v1/athletes/{id}/grants/{grant_id}",
            method: Method::DELETE,
            path: |f| format!("/v1/athletes/{}/grants/{}", f.athlete_id, f.writer_grant_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 403, 403, 404, 404, 404, 401, 401, 204],
        },
        // The private exercise belongs to the reading coach: the owner
        // athlete (who granted that coach) sees it but may not change it.
        Case {
            name: "GET /v1/exercises/{id} (private)",
            method: Method::GET,
            path: |f| format!("/v1/exercises/{}", f.exercise_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 404, 404, 404, 404, 404, 401, 200],
        },
        Case {
            name: "GET /v1/exercises/{id}/progression (private)",
            method: Method::GET,
            path: |f| format!("/v1/exercises/{}/progression", f.exercise_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 404, 404, 404, 404, 404, 401, 200],
        },
        // The owner granted this coach but the coach never accepted: the
        // owner must not see the coach's private exercises.
        Case {
            name: "GET /v1/exercises/{id} (private, of a coach who has not accepted)",
            method: Method::GET,
            path: |f| format!("/v1/exercises/{}", f.pending_coach_exercise_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 404, 404, 404, 200, 404, 404, 401, 404],
        },
        Case {
            name: "PUT /v1/exercises/{id} (private)",
            method: Method::PUT,
            path: |f| format!("/v1/exercises/{}", f.exercise_id),
            body: |_| Some(private_exercise_body("Renamed by its coach")),
            precondition: Precondition::ExerciseEtag,
            expected: [404, 404, 200, 404, 404, 404, 404, 401, 401, 403],
        },
        Case {
            name: "DELETE /v1/exercises/{id} (private)",
            method: Method::DELETE,
            path: |f| format!("/v1/exercises/{}", f.exercise_id),
            body: |_| None,
            precondition: Precondition::ExerciseEtag,
            // The coach deletes it before the owner's turn: then 404.
            expected: [404, 404, 204, 404, 404, 404, 404, 401, 401, 404],
        },
        Case {
            name: "POST /v1/athletes/{id}/plans",
            method: Method::POST,
            path: |f| format!("/v1/athletes/{}/plans", f.athlete_id),
            body: |_| Some(plan_body()),
            precondition: Precondition::None,
            expected: [404, 404, 403, 201, 404, 404, 404, 401, 401, 201],
        },
        Case {
            name: "GET /v1/athletes/{id}/plans",
            method: Method::GET,
            path: |f| format!("/v1/athletes/{}/plans", f.athlete_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/plans/{id}",
            method: Method::GET,
            path: |f| format!("/v1/plans/{}", f.plan_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/plans/{id}/calendar.ics",
            method: Method::GET,
            path: |f| format!("/v1/plans/{}/calendar.ics", f.plan_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/plans/{id}/days/{date}/sessions/{n}/workout.fit",
            method: Method::GET,
            path: |f| format!("/v1/plans/{}/{}/workout.fit", f.plan_id, f.planned_workout),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "DELETE /v1/plans/{id}",
            method: Method::DELETE,
            path: |f| format!("/v1/plans/{}", f.plan_id),
            body: |_| None,
            precondition: Precondition::None,
            // The read-write coach deletes it before the owner's turn.
            expected: [404, 404, 403, 204, 404, 404, 404, 401, 401, 404],
        },
        Case {
            name: "POST /v1/plans/{id}/adapt",
            method: Method::POST,
            path: |f| format!("/v1/plans/{}/adapt", f.plan_id),
            body: |_| Some(json!({"from": "2027-01-18"})),
            precondition: Precondition::None,
            expected: [404, 404, 403, 201, 404, 404, 404, 401, 401, 201],
        },
        // Feeds: whoever may read the plans may subscribe; each coach sees
        // and ends the feeds they made, the owner every feed.
        Case {
            name: "POST /v1/athletes/{id}/calendar-feeds",
            method: Method::POST,
            path: |f| format!("/v1/athletes/{}/calendar-feeds", f.athlete_id),
            body: |_| Some(json!({"name": "Phone"})),
            precondition: Precondition::None,
            expected: [404, 404, 201, 201, 404, 404, 404, 401, 401, 201],
        },
        Case {
            name: "GET /v1/athletes/{id}/calendar-feeds",
            method: Method::GET,
            path: |f| format!("/v1/athletes/{}/calendar-feeds", f.athlete_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/athletes/{id}/calendar-feeds/{feed_id} (the owner's)",
            method: Method::GET,
            path: |f| {
                format!(
                    "/v1/athletes/{}/calendar-feeds/{}",
                    f.athlete_id, f.owner_feed_id
                )
            },
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 404, 404, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/athletes/{id}/calendar-feeds/{feed_id} (the reading coach's)",
            method: Method::GET,
            path: |f| {
                format!(
                    "/v1/athletes/{}/calendar-feeds/{}",
                    f.athlete_id, f.reader_feed_id
                )
            },
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 404, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "DELETE /v1/athletes/{id}/calendar-feeds/{feed_id} (the owner's)",
            method: Method::DELETE,
            path: |f| {
                format!(
                    "/v1/athletes/{}/calendar-feeds/{}",
                    f.athlete_id, f.owner_feed_id
                )
            },
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 404, 404, 404, 404, 404, 401, 401, 204],
        },
        Case {
            name: "DELETE /v1/athletes/{id}/calendar-feeds/{feed_id} (the reading coach's)",
            method: Method::DELETE,
            path: |f| {
                format!(
                    "/v1/athletes/{}/calendar-feeds/{}",
                    f.athlete_id, f.reader_feed_id
                )
            },
            body: |_| None,
            precondition: Precondition::None,
            // The coach deletes it before the owner's turn.
            expected: [404, 404, 204, 404, 404, 404, 404, 401, 401, 404],
        },
        // The URL is the credential: whatever Authorization comes along
        // (none, another user's, garbage) is not looked at.
        Case {
            name: "GET /v1/calendar-feeds/{token}.ics",
            method: Method::GET,
            path: |f| f.owner_feed_url.clone(),
            body: |_| None,
            precondition: Precondition::None,
            expected: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        Case {
            name: "POST /v1/athletes/{id}/sessions",
            method: Method::POST,
            path: |f| format!("/v1/athletes/{}/sessions", f.athlete_id),
            body: |_| Some(session_body(5.0)),
            precondition: Precondition::None,
            expected: [404, 404, 403, 201, 404, 404, 404, 401, 401, 201],
        },
        // The body is an activity file (`activity_file`). The owner's
        // import comes after the read-write coach's: the same file, 200.
        Case {
            name: "POST /v1/athletes/{id}/sessions/import",
            method: Method::POST,
            path: |f| format!("/v1/athletes/{}/sessions/import", f.athlete_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 403, 201, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/athletes/{id}/sessions",
            method: Method::GET,
            path: |f| format!("/v1/athletes/{}/sessions", f.athlete_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/athletes/{id}/load",
            method: Method::GET,
            path: |f| {
                format!(
                    "/v1/athletes/{}/load?from=2026-10-01&to=2026-10-31",
                    f.athlete_id
                )
            },
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/athletes/{id}/adherence",
            method: Method::GET,
            path: |f| {
                format!(
                    "/v1/athletes/{}/adherence?plan_id={}",
                    f.athlete_id, f.plan_id
                )
            },
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "GET /v1/sessions/{id}",
            method: Method::GET,
            path: |f| format!("/v1/sessions/{}", f.session_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 200, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "PUT /v1/sessions/{id}",
            method: Method::PUT,
            path: |f| format!("/v1/sessions/{}", f.session_id),
            body: |_| Some(session_body(7.5)),
            precondition: Precondition::SessionEtag,
            expected: [404, 404, 403, 200, 404, 404, 404, 401, 401, 200],
        },
        Case {
            name: "DELETE /v1/sessions/{id}",
            method: Method::DELETE,
            path: |f| format!("/v1/sessions/{}", f.session_id),
            body: |_| None,
            precondition: Precondition::SessionEtag,
            // The read-write coach deletes it before the owner's turn.
            expected: [404, 404, 403, 204, 404, 404, 404, 401, 401, 404],
        },
    ]
}

/// The coach's side of grants: only the coach a grant was made to may
/// accept, decline or leave it; to everyone else its id names nothing.
fn coach_cases() -> Vec<Case> {
    //           other nogrant read  rw  revoked pending declined none garbage owner
    vec![
        Case {
            name: "GET /v1/coach/grants",
            method: Method::GET,
            path: |_| "/v1/coach/grants".to_owned(),
            body: |_| None,
            precondition: Precondition::None,
            expected: [403, 200, 200, 200, 200, 200, 200, 401, 401, 403],
        },
        Case {
            name: "POST /v1/coach/grants/{id}/accept (pending)",
            method: Method::POST,
            path: |f| format!("/v1/coach/grants/{}/accept", f.pending_grant_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 404, 404, 404, 200, 404, 401, 401, 404],
        },
        Case {
            name: "DELETE /v1/coach/grants/{id} (decline a pending grant)",
            method: Method::DELETE,
            path: |f| format!("/v1/coach/grants/{}", f.pending_grant_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 404, 404, 404, 204, 404, 401, 401, 404],
        },
        Case {
            name: "DELETE /v1/coach/grants/{id} (leave an active grant)",
            method: Method::DELETE,
            path: |f| format!("/v1/coach/grants/{}", f.reader_grant_id),
            body: |_| None,
            precondition: Precondition::None,
            expected: [404, 404, 204, 404, 404, 404, 404, 401, 401, 404],
        },
    ]
}

fn session_body(km: f64) -> Value {
    json!({"kind": "easy_run", "started_at": "2026-10-05T07:00:00Z", "duration_min": 45.0, "distance_km": km, "rpe": 3})
}

fn plan_body() -> Value {
    json!({"start_date": "2027-01-04", "weeks": 4, "race": null})
}

fn private_exercise_body(name: &str) -> Value {
    json!({
        "slug": format!("private-drill-{}", uuid::Uuid::now_v7().simple()),
        "name": name,
        "summary": "A coach's own variation of the glute bridge.",
        "category": "core",
        "movement_pattern": "bridge",
        "primary_muscles": ["glutes"],
        "secondary_muscles": ["hamstrings"],
        "equipment": ["mat"],
        "unilateral": false,
        "compound": true,
        "impact": "low",
        "difficulty": 2,
        "instructions": ["Lie on your back.", "Lift the hips.", "Lower slowly."],
        "cues": ["Squeeze at the top"],
        "easier": [{"kind": "exercise", "exercise_slug": "glute-bridge"}],
        "harder": [{"kind": "modification", "description": "Pause for three seconds at the top"}],
        "substitutes": ["glute-bridge"],
        "avoid_with": [],
        "helps_with": ["lower_back"],
        "benefits": ["stability"],
        "default_prescription": {"sets": 3, "reps": 12, "hold_s": null, "tempo": "2-1-1-0", "rest_s": 45}
    })
}

fn session_of(people: &People, caller: Caller) -> Option<&Session> {
    match caller {
        Caller::Owner => Some(&people.owner),
        Caller::OtherAthlete => Some(&people.other_athlete),
        Caller::CoachWithoutGrant => Some(&people.coach_without_grant),
        Caller::CoachWithReadGrant => Some(&people.reader),
        Caller::CoachWithReadWriteGrant => Some(&people.writer),
        Caller::CoachWithRevokedGrant => Some(&people.revoked),
        Caller::CoachWithPendingGrant => Some(&people.pending),
        Caller::CoachWithDeclinedGrant => Some(&people.declined),
        Caller::NoToken | Caller::GarbageToken => None,
    }
}

async fn fixture(app: &TestApp, people: &People) -> Fixture {
    let (athlete_id, _) = app.create_athlete(&people.owner).await;
    let reader_grant_id = app
        .grant(&people.owner, &athlete_id, &people.reader, "read")
        .await;
    let writer_grant_id = app
        .grant(&people.owner, &athlete_id, &people.writer, "read_write")
        .await;
    let revoked_grant = app
        .grant(&people.owner, &athlete_id, &people.revoked, "read_write")
        .await;
    let revoke = app
        .request(
            Method::DELETE,
            &format!("/v1/athletes/{athlete_id}/grants/{revoked_grant}"),
            Some(&people.owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let pending_grant_id = app
        .grant_pending(&people.owner, &athlete_id, &people.pending, "read_write")
        .await;
    let declined_grant = app
        .grant_pending(&people.owner, &athlete_id, &people.declined, "read_write")
        .await;
    let decline = app
        .request(
            Method::DELETE,
            &format!("/v1/coach/grants/{declined_grant}"),
            Some(&people.declined),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(decline.status(), 204);
    let pending_coach_exercise = app
        .request(Method::POST, "/v1/exercises", Some(&people.pending))
        .json(&private_exercise_body("Pending coach's bridge"))
        .send()
        .await
        .unwrap();
    assert_eq!(pending_coach_exercise.status(), 201);
    let pending_coach_exercise: Value = pending_coach_exercise.json().await.unwrap();
    let created = app
        .request(Method::POST, "/v1/exercises", Some(&people.reader))
        .json(&private_exercise_body("Coach's bridge"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let exercise: Value = created.json().await.unwrap();
    let stored = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/plans"),
            Some(&people.owner),
        )
        .json(&plan_body())
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 201);
    let stored: Value = stored.json().await.unwrap();
    let logged = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/sessions"),
            Some(&people.owner),
        )
        .json(&session_body(7.0))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 201);
    let logged: Value = logged.json().await.unwrap();
    // One live subscription at a time: an account holds at most 20.
    let held = app.get_json_as("/v1/webhooks", &people.owner).await;
    for old in held["items"].as_array().unwrap() {
        let path = format!("/v1/webhooks/{}", old["id"].as_str().unwrap());
        let deleted = app
            .request(Method::DELETE, &path, Some(&people.owner))
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), 204);
    }
    let webhook = app
        .request(Method::POST, "/v1/webhooks", Some(&people.owner))
        .json(&json!({"url": "http://127.0.0.1:9/hook", "events": ["plan.deleted"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(webhook.status(), 201);
    let webhook: Value = webhook.json().await.unwrap();
    let owner_feed = new_feed(app, &people.owner, &athlete_id).await;
    let reader_feed = new_feed(app, &people.reader, &athlete_id).await;
    Fixture {
        webhook_id: webhook["id"].as_str().unwrap().to_owned(),
        owner_feed_id: owner_feed["id"].as_str().unwrap().to_owned(),
        owner_feed_url: owner_feed["url"].as_str().unwrap().to_owned(),
        reader_feed_id: reader_feed["id"].as_str().unwrap().to_owned(),
        session_id: logged["id"].as_str().unwrap().to_owned(),
        plan_id: stored["id"].as_str().unwrap().to_owned(),
        planned_workout: first_planned_workout(&stored),
        athlete_id,
        reader_grant_id,
        writer_grant_id,
        pending_grant_id,
        exercise_id: exercise["id"].as_str().unwrap().to_owned(),
        pending_coach_exercise_id: pending_coach_exercise["id"].as_str().unwrap().to_owned(),
    }
}

async fn new_feed(app: &TestApp, creator: &Session, athlete_id: &str) -> Value {
    let created = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/calendar-feeds"),
            Some(creator),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    created.json().await.unwrap()
}

/// The path part naming the first session of a stored plan that has a
/// workout (a run or strength).
fn first_planned_workout(stored: &Value) -> String {
    for week in stored["plan"]["weeks"].as_array().unwrap() {
        for day in week["days"].as_array().unwrap() {
            for (index, session) in day["sessions"].as_array().unwrap().iter().enumerate() {
                if !matches!(session["kind"].as_str(), Some("rest" | "cross_training")) {
                    return format!(
                        "days/{}/sessions/{}",
                        day["date"].as_str().unwrap(),
                        index + 1
                    );
                }
            }
        }
    }
    panic!("the fixture plan has no session with a workout");
}

/// Everything a case could touch, as the database holds it.
async fn snapshot(app: &TestApp, fixture: &Fixture) -> String {
    app.query_json(&format!(
        "SELECT json_build_array(
            (SELECT row_to_json(a) FROM athletes a WHERE id = '{athlete}'),
            (SELECT json_agg(g ORDER BY g.id) FROM grants g WHERE athlete_id = '{athlete}'),
            (SELECT row_to_json(e) FROM exercises e WHERE id = '{exercise}'),
            (SELECT json_agg(p ORDER BY p.id) FROM plans p WHERE athlete_id = '{athlete}'),
            (SELECT json_agg(s ORDER BY s.id) FROM sessions s WHERE athlete_id = '{athlete}'),
            (SELECT json_agg(c ORDER BY c.id) FROM calendar_feeds c WHERE athlete_id = '{athlete}'))",
        athlete = fixture.athlete_id,
        exercise = fixture.exercise_id
    ))
    .await
}

async fn current_etag(app: &TestApp, path: &str, session: &Session) -> String {
    let response = app
        .request(Method::GET, path, Some(session))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET {path} for If-Match");
    response.headers()["etag"].to_str().unwrap().to_owned()
}

/// The resource's current ETag, or one that matches nothing once a
/// previous caller has deleted it.
async fn etag_or_gone(app: &TestApp, path: &str, session: &Session) -> String {
    let response = app
        .request(Method::GET, path, Some(session))
        .send()
        .await
        .unwrap();
    response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_else(|| "\"gone\"".to_owned())
}

/// The body of the import route: a real FIT activity.
fn activity_file() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/run_no_hr.fit"
    ))
    .unwrap()
}

#[tokio::test]
async fn every_id_route_answers_every_caller_as_the_rules_say() {
    // The fixture's webhook points at loopback (nothing listens there).
    let app = spawn_app_with(|config| config.webhooks.allow_private_targets = true).await;
    let people = People {
        owner: app.register("athlete").await,
        other_athlete: app.register("athlete").await,
        coach_without_grant: app.register("coach").await,
        reader: app.register("coach").await,
        writer: app.register("coach").await,
        revoked: app.register("coach").await,
        pending: app.register("coach").await,
        declined: app.register("coach").await,
    };
    let mut cells = 0;
    let mut failures = Vec::new();
    let all_cases: Vec<Case> = cases().into_iter().chain(coach_cases()).collect();
    let case_count = all_cases.len();
    for case in all_cases {
        let fixture = fixture(&app, &people).await;
        for (caller, expected) in CALLERS.iter().zip(case.expected) {
            let path = (case.path)(&fixture);
            let mut request = app.request(case.method.clone(), &path, session_of(&people, *caller));
            if *caller == Caller::GarbageToken {
                request = request.bearer_auth("rs_this-is-not-a-token");
            }
            let etag = match case.precondition {
                Precondition::None => None,
                Precondition::AthleteEtag => Some(
                    current_etag(
                        &app,
                        &format!("/v1/athletes/{}", fixture.athlete_id),
                        &people.owner,
                    )
                    .await,
                ),
                // The session or exercise may be gone by the owner's turn.
                Precondition::SessionEtag => Some(
                    etag_or_gone(
                        &app,
                        &format!("/v1/sessions/{}", fixture.session_id),
                        &people.owner,
                    )
                    .await,
                ),
                Precondition::ExerciseEtag => Some(
                    etag_or_gone(
                        &app,
                        &format!("/v1/exercises/{}", fixture.exercise_id),
                        &people.reader,
                    )
                    .await,
                ),
            };
            if let Some(etag) = etag {
                request = request.header("If-Match", etag);
            }
            if let Some(body) = (case.body)(&people) {
                request = request.json(&body);
            }
            if path.ends_with("/sessions/import") {
                request = request
                    .header("content-type", "application/vnd.ant.fit")
                    .body(activity_file());
            }
            let before = snapshot(&app, &fixture).await;
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            cells += 1;
            if status != expected {
                let body = response.text().await.unwrap_or_default();
                failures.push(format!(
                    "{} as {caller:?}: expected {expected}, got {status} {body}",
                    case.name
                ));
                continue;
            }
            if status >= 400 {
                assert_eq!(
                    response.headers()["content-type"],
                    "application/problem+json",
                    "{} as {caller:?}",
                    case.name
                );
                if status == 401 {
                    assert!(
                        response.headers().contains_key("www-authenticate"),
                        "{} as {caller:?}",
                        case.name
                    );
                }
                let after = snapshot(&app, &fixture).await;
                if before != after {
                    failures.push(format!(
                        "{} as {caller:?}: refused with {status} but changed data",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cells, case_count * CALLERS.len());
    println!(
        "authorization matrix: {case_count} routes x {} callers = {cells} cells",
        CALLERS.len()
    );
}

#[tokio::test]
async fn a_revoked_coach_is_refused_on_the_very_next_request() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let coach = app.register("coach").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;
    let grant_id = app.grant(&owner, &athlete_id, &coach, "read_write").await;
    let path = format!("/v1/athletes/{athlete_id}");
    assert_eq!(
        app.request(Method::GET, &path, Some(&coach))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let listed: Value = app
        .request(Method::GET, "/v1/athletes", Some(&coach))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let revoke = app
        .request(
            Method::DELETE,
            &format!("{path}/grants/{grant_id}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    assert_eq!(
        app.request(Method::GET, &path, Some(&coach))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let listed: Value = app
        .request(Method::GET, "/v1/athletes", Some(&coach))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed["items"].as_array().unwrap().is_empty());
}
