//! Sign-in and registration against guessing and floods: the email
//! lockout under concurrent attempts, per-address throttles shared by
//! instances, the per-instance cap on password hashing, bounded keys and
//! the purge of expired throttle rows.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_problem, spawn_app, spawn_app_with, unique_email};

fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::RequestBuilder {
    app.client
        .post(app.url("/v1/tokens"))
        .json(&json!({"email": email, "password": password}))
}

fn registration(email: &str) -> Value {
    json!({"email": email, "password": PASSWORD, "display_name": "Flood", "role": "athlete"})
}

async fn statuses(requests: Vec<reqwest::RequestBuilder>) -> Vec<u16> {
    join_all(requests.into_iter().map(|request| request.send()))
        .await
        .into_iter()
        .map(|response| response.unwrap().status().as_u16())
        .collect()
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn a_concurrent_burst_of_guesses_gets_at_most_the_limit_checked() {
    let app = spawn_app_with(|config| {
        config.login_max_failures = 5;
        // Every guess reaches the lockout check: none is turned away by
        // the line in front of the pool (tests/api/admission.rs).
        config.pool_queue = 1_000;
    })
    .await;
    let account = app.register("athlete").await;
    let burst = |n| {
        (0..n)
            .map(|_| sign_in(&app, &account.email, "not the password"))
            .collect::<Vec<_>>()
    };
    let first = statuses(burst(40)).await;
    assert_eq!(
        count(&first, 401),
        5,
        "passwords checked in a burst of 40: {first:?}"
    );
    assert_eq!(count(&first, 429), 35, "{first:?}");
    // Locked: a second burst checks nothing, the right password included.
    let second = statuses(burst(20)).await;
    assert_eq!(count(&second, 429), 20, "{second:?}");
    let right = sign_in(&app, &account.email, PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(right.headers().contains_key("retry-after"));
    assert_problem(right, 429).await;
}

#[tokio::test]
async fn over_long_emails_and_passwords_at_sign_in_are_400s_and_store_nothing() {
    let app = spawn_app().await;
    let long_email = format!("{}@example.com", "x".repeat(3000));
    let problem = assert_problem(
        sign_in(&app, &long_email, PASSWORD).send().await.unwrap(),
        400,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/email");
    let long_password = "p".repeat(1025);
    let problem = assert_problem(
        sign_in(&app, "someone@example.com", &long_password)
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/password");
    let stored = app.query_json("SELECT count(*) FROM login_throttle").await;
    assert_eq!(stored, "0");
    // Registration and grants hold emails to the same bound.
    let problem = assert_problem(
        app.client
            .post(app.url("/v1/accounts"))
            .json(&registration(&long_email))
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/email");
    let athlete = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&athlete).await;
    let problem = assert_problem(
        app.request(
            Method::POST,
            &format!("/v1/athletes/{athlete_id}/grants"),
            Some(&athlete),
        )
        .json(&json!({"coach_email": long_email, "access": "read"}))
        .send()
        .await
        .unwrap(),
        400,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/coach_email");
}

#[tokio::test]
async fn registrations_per_address_are_counted_across_instances() {
    let limited = |config: &mut runstrong::config::Config| {
        config.register_per_address = 3;
        config.register_window = Duration::from_secs(60);
    };
    let app = spawn_app_with(limited).await;
    let other = app.another_instance_with(limited).await;
    let register_at = |base: &str, email: String| {
        app.client
            .post(format!("{base}/v1/accounts"))
            .json(&registration(&email))
            .send()
    };
    // Refused input costs no hashing and is not counted.
    let mut bad = registration(&unique_email("bad"));
    bad["password"] = json!("short");
    let refused = app
        .client
        .post(app.url("/v1/accounts"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let mut registered = Vec::new();
    for base in [
        app.address.as_str(),
        other.address.as_str(),
        app.address.as_str(),
    ] {
        let email = unique_email("counted");
        let response = register_at(base, email.clone()).await.unwrap();
        assert_eq!(response.status(), 201);
        registered.push(email);
    }
    for base in [other.address.as_str(), app.address.as_str()] {
        let response = register_at(base, unique_email("over")).await.unwrap();
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        assert_problem(response, 429).await;
    }
    // Sign-ins have a budget of their own.
    app.login(&registered[0]).await;
}

#[tokio::test]
async fn sign_ins_per_address_are_throttled_whatever_the_email() {
    let app = spawn_app_with(|config| {
        config.login_per_address = 4;
        config.login_address_window = Duration::from_secs(60);
    })
    .await;
    let account = app.register("athlete").await;
    let guesses: Vec<_> = (0..4)
        .map(|_| sign_in(&app, &unique_email("stuffing"), "some leaked password"))
        .collect();
    assert_eq!(statuses(guesses).await, [401; 4]);
    // The budget is the address's: the real account is throttled too.
    let problem = assert_problem(
        sign_in(&app, &account.email, PASSWORD)
            .send()
            .await
            .unwrap(),
        429,
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("address"),
        "{problem}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_its_header_names_the_client() {
    let app = spawn_app_with(|config| {
        config.register_per_address = 1;
        config.trusted_proxy_header = Some("x-forwarded-for".parse().unwrap());
    })
    .await;
    let from = |client: &str| {
        app.client
            .post(app.url("/v1/accounts"))
            // The first value is the client's claim; the proxy appended the last.
            .header("X-Forwarded-For", format!("198.51.100.77, {client}"))
            .json(&registration(&unique_email("proxied")))
            .send()
    };
    assert_eq!(from("203.0.113.1").await.unwrap().status(), 201);
    assert_problem(from("203.0.113.1").await.unwrap(), 429).await;
    assert_eq!(from("203.0.113.2").await.unwrap().status(), 201);
    // Without the setting the header is the client's to forge, so it is
    // ignored: every request here comes from one peer.
    let direct = app
        .another_instance_with(|config| config.register_per_address = 1)
        .await;
    let from_peer = |client: &str| {
        app.client
            .post(format!("{}/v1/accounts", direct.address))
            .header("X-Forwarded-For", client.to_owned())
            .json(&registration(&unique_email("direct")))
            .send()
    };
    assert_eq!(from_peer("203.0.113.3").await.unwrap().status(), 201);
    assert_problem(from_peer("203.0.113.4").await.unwrap(), 429).await;
}

#[tokio::test]
async fn hashing_beyond_the_cap_answers_503_at_once_with_retry_after() {
    let app = spawn_app_with(|config| {
        config.hashing_concurrency = 1;
        config.login_max_failures = 1000;
    })
    .await;
    let account = app.register("athlete").await;
    let answers = join_all((0..24).map(|_| sign_in(&app, &account.email, PASSWORD).send())).await;
    let mut signed_in = 0;
    let mut refused = 0;
    for answer in answers {
        let answer = answer.unwrap();
        match answer.status().as_u16() {
            201 => signed_in += 1,
            503 => {
                assert_eq!(answer.headers()["retry-after"], "1");
                let problem = assert_problem(answer, 503).await;
                assert_eq!(problem["type"], "urn:runstrong:problem:overloaded");
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(signed_in >= 1, "nobody got in");
    assert!(
        refused >= 1,
        "24 concurrent sign-ins, none refused by a cap of 1"
    );
}

/// `samples` latencies of `GET /v1/me`, one after another.
async fn me_latencies(app: &TestApp, token: &str, samples: usize) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        let response = app
            .client
            .get(app.url("/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        latencies.push(started.elapsed());
    }
    latencies
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// A flood of sign-ins must not slow the rest of the API down: with the
/// hashing cap, an unrelated authenticated read keeps its latency within
/// a small multiple of its latency at rest. Without the cap every blocking
/// thread hashes and the read queues behind them (the issue measured
/// /v1/me going from milliseconds to 0.4 s).
///
/// The phases alternate (at rest, flooded, at rest, ...) so that whatever
/// else the machine does weighs on both alike. The flood's 16 clients
/// wait 100 ms after a 503, as a client honouring `Retry-After` at all
/// would: a flood of cheap refusals is for a reverse proxy to limit
/// (README, "Limits"), and without the cap there are no 503s to wait on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_leaves_other_routes_fast() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    let app = spawn_app_with(|config| {
        config.hashing_concurrency = 1;
        config.login_max_failures = 1_000_000;
        config.workers = 2;
    })
    .await;
    let reader = app.register("athlete").await;
    let target = app.register("athlete").await;
    me_latencies(&app, &reader.token, 10).await;

    let flooding = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicBool::new(false));
    let (hashed, refused) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let flood: Vec<_> = (0..16)
        .map(|_| {
            let (client, url, email) = (
                app.client.clone(),
                app.url("/v1/tokens"),
                target.email.clone(),
            );
            let (flooding, done) = (flooding.clone(), done.clone());
            let (hashed, refused) = (hashed.clone(), refused.clone());
            tokio::spawn(async move {
                while !done.load(Ordering::Relaxed) {
                    if !flooding.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    }
                    let answer = client
                        .post(&url)
                        .json(&json!({"email": email, "password": "a wrong guess!"}))
                        .send()
                        .await
                        .unwrap();
                    match answer.status().as_u16() {
                        401 => {
                            hashed.fetch_add(1, Ordering::Relaxed);
                        }
                        503 => {
                            refused.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        other => panic!("flood got {other}"),
                    }
                }
            })
        })
        .collect();
    let (mut quiet, mut flooded) = (Vec::new(), Vec::new());
    for _ in 0..4 {
        quiet.extend(me_latencies(&app, &reader.token, 10).await);
        flooding.store(true, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(150)).await;
        flooded.extend(me_latencies(&app, &reader.token, 10).await);
        flooding.store(false, Ordering::Relaxed);
        // Let the flood's requests in flight finish.
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    done.store(true, Ordering::Relaxed);
    for task in flood {
        task.await.unwrap();
    }
    let (quiet, flooded) = (median(quiet), median(flooded));
    let (hashed, refused) = (
        hashed.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
    );
    let ratio = flooded.as_secs_f64() / quiet.max(Duration::from_millis(1)).as_secs_f64();
    println!(
        "GET /v1/me median: {quiet:?} at rest, {flooded:?} during a flood of 16 sign-in loops \
         ({hashed} hashed, {refused} refused with 503): ratio {ratio:.1}"
    );
    assert!(hashed > 0 && refused > 0, "the flood did not reach the cap");
    assert!(
        ratio < 10.0,
        "an unrelated read slowed {ratio:.1}x during a sign-in flood"
    );
}

#[tokio::test]
async fn expired_throttle_rows_are_purged_by_the_retention_job() {
    // This instance never purges while the rows are counted.
    let app = spawn_app_with(|config| {
        config.login_window = Duration::from_secs(1);
        config.login_address_window = Duration::from_secs(1);
        config.retention_interval = Duration::from_secs(3600);
    })
    .await;
    let guesses: Vec<_> = (0..5)
        .map(|_| sign_in(&app, &unique_email("nobody"), "a guess at all"))
        .collect();
    assert_eq!(statuses(guesses).await, [401; 5]);
    let rows =
        "SELECT (SELECT count(*) FROM login_throttle) + (SELECT count(*) FROM address_throttle)";
    assert_eq!(app.query_json(rows).await, "6");
    // An instance whose job runs every second purges them once expired.
    let purging = app
        .another_instance_with(|config| config.retention_interval = Duration::from_secs(1))
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.query_json(rows).await != "0" {
        assert!(
            Instant::now() < deadline,
            "expired throttle rows still there after 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A live lockout is kept, however often the job runs.
    let account = app.register("athlete").await;
    let locking = |password: &'static str| {
        app.client
            .post(format!("{}/v1/tokens", purging.address))
            .json(&json!({"email": account.email, "password": password}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(locking("wrong!").await.unwrap().status(), 401);
    }
    assert_eq!(
        locking(PASSWORD).await.unwrap().status(),
        429,
        "five failures did not lock the email"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(locking(PASSWORD).await.unwrap().status(), 429);
}
