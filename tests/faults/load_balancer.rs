//! Two instances on one database behind haproxy (round robin per request):
//! nothing an instance keeps in memory may matter to the other.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    Account, Haproxy, Instance, PASSWORD, TestDatabase, assert_no_secrets, create_athlete,
    query_count, register, remember_secret, run_body, unique_email,
};

const MAX_FAILURES: u32 = 4;

fn served_by(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-served-by")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn exercise_body(slug: &str, summary: &str) -> Value {
    json!({
        "slug": slug,
        "name": "Fault-test hip hinge",
        "summary": summary,
        "category": "lower_body",
        "movement_pattern": "hinge",
        "primary_muscles": ["hamstrings", "glutes"],
        "secondary_muscles": [],
        "equipment": ["resistance_band"],
        "unilateral": false,
        "compound": true,
        "impact": "low",
        "difficulty": 1,
        "instructions": ["Loop the band around a post.", "Push the hips back.", "Stand tall again."],
        "cues": [],
        "easier": [],
        "harder": [],
        "substitutes": [],
        "avoid_with": [],
        "helps_with": [],
        "benefits": ["form"],
        "default_prescription": {"sets": 2, "reps": 12, "hold_s": null, "tempo": null, "rest_s": 45}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_haproxy_share_keys_tokens_throttling_and_catalog() {
    let database = TestDatabase::new();
    let url = database.url();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("RUNSTRONG_LOGIN_MAX_FAILURES", "4"),
    ];
    // Started together on an empty database (migrations under a lock).
    let (a, b) = tokio::join!(Instance::start("a", &env), Instance::start("b", &env));
    let lb = Haproxy::start(&[&a, &b]).await;
    let summary = check_shared_state(&a, &b, &lb, &url, &[("DATABASE_URL", url.as_str())]).await;
    println!("load balancer: {summary}");
}

/// What two instances behind `lb` must agree on, whatever each keeps in
/// memory: idempotency keys (retries on the other instance, concurrent
/// duplicates on both), tokens and their revocation, login throttling,
/// and the catalog (a change on one is what the other serves next, heard
/// by NOTIFY). `direct_url` is where the checks count rows; `admin_env`
/// is what `runstrong create-admin` needs to reach the database. The
/// instances must have been started with `RUNSTRONG_LOGIN_MAX_FAILURES`
/// = 4. Returns a summary of what was seen.
pub async fn check_shared_state(
    a: &Instance,
    b: &Instance,
    lb: &Haproxy,
    url: &str,
    admin_env: &[(&str, &str)],
) -> String {
    // A new connection per request, so nothing but haproxy picks the instance.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let base = lb.base.clone();

    // -- Idempotency-Key: the retry lands on the other instance.
    let owner = register(&http, &base, "athlete").await;
    let athlete = create_athlete(&http, &base, &owner).await;
    let post = || {
        http.post(format!("{base}/v1/athletes/{athlete}/sessions"))
            .bearer_auth(&owner.token)
            .header("Idempotency-Key", "lb-retry-1")
            .json(&run_body(42))
            .send()
    };
    let first = post().await.unwrap();
    assert_eq!(first.status(), 201);
    let first_server = served_by(&first);
    let first_body: Value = first.json().await.unwrap();
    let mut retried_on = Vec::new();
    for _ in 0..4 {
        let retry = post().await.unwrap();
        assert_eq!(retry.status(), 201, "a retry gets the first answer");
        assert_eq!(retry.headers()["idempotent-replayed"], "true");
        retried_on.push(served_by(&retry));
        let body: Value = retry.json().await.unwrap();
        assert_eq!(body, first_body, "the very first answer");
    }
    assert!(
        retried_on.iter().any(|server| *server != first_server),
        "a retry went to the other instance: first {first_server}, retries {retried_on:?}"
    );
    assert_eq!(
        query_count(
            url,
            &format!("SELECT count(*) AS n FROM sessions WHERE athlete_id = '{athlete}'")
        ),
        1,
        "one row for all the retries"
    );
    // Duplicates sent at the same moment, one to each instance: one
    // creates, the other waits for it and replays its answer, or says 409
    // while it is still in flight; one row either way.
    let mut duplicates = Vec::new();
    for round in 0..5 {
        let key = format!("lb-concurrent-{round}");
        let send = |instance: &Instance| {
            http.post(instance.url(&format!("/v1/athletes/{athlete}/sessions")))
                .bearer_auth(&owner.token)
                .header("Idempotency-Key", key.clone())
                .json(&run_body(100 + round))
                .send()
        };
        let (on_a, on_b) = tokio::join!(send(a), send(b));
        let (on_a, on_b) = (on_a.unwrap(), on_b.unwrap());
        let replayed = |r: &reqwest::Response| r.headers().contains_key("idempotent-replayed");
        let outcome = (
            on_a.status().as_u16(),
            replayed(&on_a),
            on_b.status().as_u16(),
            replayed(&on_b),
        );
        let created = [(outcome.0, outcome.1), (outcome.2, outcome.3)]
            .iter()
            .filter(|(status, replay)| *status == 201 && !replay)
            .count();
        assert!(
            created == 1
                && [outcome.0, outcome.2]
                    .iter()
                    .all(|status| *status == 201 || *status == 409),
            "concurrent duplicates: exactly one creates, the other replays or is 409: {outcome:?}"
        );
        duplicates.push(outcome);
    }
    assert_eq!(
        query_count(
            url,
            &format!("SELECT count(*) AS n FROM sessions WHERE athlete_id = '{athlete}'")
        ),
        1 + 5,
        "one row per key"
    );

    // -- Tokens: issued by one instance, honoured and revoked on the other.
    let signed_in = http
        .post(format!("{}/v1/tokens", a.base))
        .json(&json!({"email": owner.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 201);
    let token = signed_in.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    remember_secret(&token);
    let me = |instance: &Instance| http.get(instance.url("/v1/me")).bearer_auth(&token).send();
    assert_eq!(me(b).await.unwrap().status(), 200, "b accepts a's token");
    let revoked = http
        .delete(b.url("/v1/tokens/current"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(me(a).await.unwrap().status(), 401, "a sees b's revocation");

    // -- Login throttling: failures through the balancer count together.
    let target = register(&http, &base, "athlete").await;
    let mut failed_on = Vec::new();
    for _ in 0..MAX_FAILURES {
        let response = http
            .post(format!("{base}/v1/tokens"))
            .json(&json!({"email": target.email, "password": "wrong password, fault test"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        failed_on.push(served_by(&response));
    }
    assert!(
        failed_on.contains(&"a".to_owned()) && failed_on.contains(&"b".to_owned()),
        "both instances saw failures: {failed_on:?}"
    );
    // Neither instance saw MAX_FAILURES itself, yet both lock the account.
    for instance in [a, b] {
        let response = http
            .post(instance.url("/v1/tokens"))
            .json(&json!({"email": target.email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            429,
            "{} throttles after failures on both",
            instance.label
        );
        assert!(response.headers().contains_key("retry-after"));
    }

    // -- Catalog: a change on one instance is what the other serves next.
    let admin = create_admin(admin_env, &base).await;
    let slug = format!("fault-hinge-{}", uuid::Uuid::now_v7().simple());
    let created = http
        .post(a.url("/v1/exercises"))
        .bearer_auth(&admin.token)
        .json(&exercise_body(&slug, "First words about a banded hinge."))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let path = format!("/v1/exercises/{slug}");
    let read = |instance: &Instance, if_none_match: Option<String>| {
        let mut request = http.get(instance.url(&path));
        if let Some(tag) = if_none_match {
            request = request.header("If-None-Match", tag);
        }
        request.send()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    let on_b = loop {
        let on_b = read(b, None).await.unwrap();
        if on_b.status() == 200 || std::time::Instant::now() > deadline {
            break on_b;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(on_b.status(), 200, "b serves what a created");
    let old_etag = on_b.headers()["etag"].to_str().unwrap().to_owned();
    // Both have now read it (and could have kept it).
    assert_eq!(read(a, None).await.unwrap().status(), 200);
    let replaced = http
        .put(b.url(&path))
        .bearer_auth(&admin.token)
        .header("If-Match", &old_etag)
        .json(&exercise_body(&slug, "Second words about a banded hinge."))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200, "b replaces it");
    let new_etag = replaced.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, old_etag);
    // Instances keep the catalog in memory and hear of changes made
    // elsewhere by NOTIFY: a serves the change within moments (a listener
    // poll, 20 ms), so poll for it, with a bound.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    let on_a = loop {
        let on_a = read(a, Some(old_etag.clone())).await.unwrap();
        if on_a.status() == 200 || std::time::Instant::now() > deadline {
            break on_a;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(on_a.status(), 200, "a does not answer 304 for the old tag");
    assert_eq!(on_a.headers()["etag"].to_str().unwrap(), new_etag);
    let body: Value = on_a.json().await.unwrap();
    assert_eq!(body["summary"], "Second words about a banded hinge.");
    let searched: Value = http
        .get(a.url("/v1/exercises?q=banded%20hinge&limit=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        searched["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["slug"] == slug.as_str()),
        "a's search finds it: {searched}"
    );
    let deleted = http
        .delete(a.url(&path))
        .bearer_auth(&admin.token)
        .header("If-Match", &new_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204, "a deletes it");
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    let on_b = loop {
        let status = read(b, None).await.unwrap().status();
        if status == 404 || std::time::Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(on_b, 404, "b sees the deletion");

    for instance in [a, b] {
        assert_no_secrets(
            &format!("load balancer: {}", instance.label),
            &instance.logs(),
        );
    }
    format!(
        "first POST on {first_server}, replays on {retried_on:?}, one row; \
         concurrent duplicates on a and b (status, replayed): {duplicates:?}; \
         login failures on {failed_on:?} locked the account on both; token revoked on b refused on a; \
         catalog create on a / replace on b / delete on a seen by the other"
    )
}

/// An admin, made the only way there is: the command line.
async fn create_admin(env: &[(&str, &str)], base: &str) -> Account {
    let email = unique_email("admin");
    let admin_password = format!("{PASSWORD} admin");
    remember_secret(&admin_password);
    let output = Command::new(env!("CARGO_BIN_EXE_runstrong"))
        .args(["create-admin", "--email", &email])
        .envs(env.iter().copied())
        .env("RUNSTRONG_ADMIN_PASSWORD", &admin_password)
        .output()
        .expect("run create-admin");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "create-admin: {printed}");
    assert_no_secrets("create-admin", &printed);
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/tokens"))
        .json(&json!({"email": email, "password": admin_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "the admin signs in");
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    remember_secret(&token);
    Account { email, token }
}
