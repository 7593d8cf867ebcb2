//! Resource limits: request bodies, long statements, and many connections
//! at once.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::support::{
    Instance, TableLock, TestDatabase, assert_no_secrets, client, create_athlete, register,
};

async fn assert_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status, "{body}");
    body
}

/// Sends `head` and then `body` over a raw connection (for framings reqwest
/// would not produce) and returns the status line and the whole answer.
fn raw_exchange(port: u16, head: &str, body: &[u8]) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer 413 and close before the whole body is sent.
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status_line = answer.lines().next().unwrap_or_default().to_owned();
    (status_line, answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_body_over_the_configured_limit_is_a_413_problem() {
    const LIMIT: usize = 4096;
    let database = TestDatabase::from_template();
    let instance = Instance::start(
        "body-limit",
        &[
            ("DATABASE_URL", &database.url()),
            ("RUNSTRONG_BODY_LIMIT_BYTES", &LIMIT.to_string()),
        ],
    )
    .await;
    let http = client();
    let base = instance.base.clone();
    let account = register(&http, &base, "athlete").await;
    let athlete = create_athlete(&http, &base, &account).await;
    let sessions = format!("{base}/v1/athletes/{athlete}/sessions");
    let with_notes = |length: usize| {
        json!({"kind": "easy_run", "started_at": "2026-11-02T07:00:00Z", "duration_min": 30,
               "distance_km": 5.0, "rpe": 3, "notes": "n".repeat(length)})
    };

    // Just under the limit: accepted, so the limit is the configured one.
    let small = with_notes(LIMIT - 300);
    assert!(serde_json::to_vec(&small).unwrap().len() < LIMIT);
    let response = http
        .post(&sessions)
        .bearer_auth(&account.token)
        .json(&small)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "a body under the limit is accepted");

    // Over it, with a Content-Length: 413 problem+json.
    let large = with_notes(LIMIT * 3);
    let response = http
        .post(&sessions)
        .bearer_auth(&account.token)
        .json(&large)
        .send()
        .await
        .unwrap();
    let body = assert_problem(response, 413).await;
    assert_eq!(body["type"], "urn:runstrong:problem:payload-too-large");
    // Also where nobody is signed in yet.
    let response = http
        .post(format!("{base}/v1/accounts"))
        .json(
            &json!({"email": "big@example.com", "password": "p".repeat(LIMIT * 2),
                      "display_name": "Big", "role": "athlete"}),
        )
        .send()
        .await
        .unwrap();
    assert_problem(response, 413).await;

    // Over it in chunks, with no length announced: cut off all the same.
    let chunk = vec![b' '; 1024];
    let mut chunked = Vec::new();
    for _ in 0..(LIMIT * 4 / chunk.len()) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(&chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST /v1/athletes/{athlete}/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        account.token
    );
    let port = instance.port;
    let (status_line, answer) =
        tokio::task::spawn_blocking(move || raw_exchange(port, &head, &chunked))
            .await
            .unwrap();
    assert!(
        status_line.contains(" 413 "),
        "chunked over-limit body: {answer}"
    );
    assert!(answer.contains("application/problem+json"), "{answer}");

    // Nothing of the refused bodies was stored, and the service is fine.
    let list: Value = http
        .get(&sessions)
        .bearer_auth(&account.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_no_secrets("body-limit", &instance.logs());
    println!(
        "limits: 413 for {} and chunked bodies over {LIMIT} bytes",
        LIMIT * 3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_statement_running_too_long_is_cut_by_statement_timeout_with_a_503() {
    const STATEMENT_TIMEOUT_MS: u64 = 500;
    let database = TestDatabase::from_template();
    let url = database.url();
    let instance = Instance::start(
        "statement-timeout",
        &[
            ("DATABASE_URL", &url),
            ("RUNSTRONG_POOL_SIZE", "2"),
            (
                "RUNSTRONG_STATEMENT_TIMEOUT_MS",
                &STATEMENT_TIMEOUT_MS.to_string(),
            ),
        ],
    )
    .await;
    let http = client();
    let base = instance.base.clone();
    let account = register(&http, &base, "athlete").await;
    let athlete = create_athlete(&http, &base, &account).await;
    let path = format!("{base}/v1/athletes/{athlete}");

    // While the profile table is locked, reading a profile would wait for
    // as long as the lock is held: PostgreSQL cancels the statement instead.
    let lock = TableLock::take(&url, "athletes", "ACCESS EXCLUSIVE");
    let mut elapsed = Vec::new();
    // More requests than pooled connections: a cancelled statement must
    // give its connection back in a usable state.
    for _ in 0..5 {
        let started = Instant::now();
        let response = http
            .get(&path)
            .bearer_auth(&account.token)
            .send()
            .await
            .unwrap();
        elapsed.push(started.elapsed());
        assert!(response.headers().contains_key("retry-after"));
        let body = assert_problem(response, 503).await;
        assert_eq!(body["type"], "urn:runstrong:problem:unavailable");
        assert!(
            !body.to_string().contains("statement"),
            "the 503 says nothing of SQL: {body}"
        );
    }
    lock.release();
    for duration in &elapsed {
        assert!(
            *duration >= Duration::from_millis(STATEMENT_TIMEOUT_MS * 8 / 10)
                && *duration < Duration::from_secs(5),
            "cut at about the statement timeout: {elapsed:?}"
        );
    }
    for _ in 0..5 {
        let response = http
            .get(&path)
            .bearer_auth(&account.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "the pool is healthy afterwards");
    }
    let logs = instance.logs();
    assert!(
        logs.contains("statement timeout"),
        "the cause is logged for operators: {logs}"
    );
    assert_no_secrets("statement-timeout", &logs);
    println!(
        "limits: 5 statements cut by a {STATEMENT_TIMEOUT_MS} ms statement_timeout after {elapsed:?}, each a 503"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_connections_neither_crash_nor_exhaust_the_pool() {
    const CONNECTIONS: usize = 1000;
    let database = TestDatabase::from_template();
    let mut instance = Instance::start(
        "thousand",
        &[
            ("DATABASE_URL", &database.url()),
            ("RUNSTRONG_POOL_SIZE", "4"),
            ("RUNSTRONG_POOL_TIMEOUT_MS", "1000"),
        ],
    )
    .await;
    let http = client();
    let base = instance.base.clone();
    let account = register(&http, &base, "athlete").await;
    let athlete = create_athlete(&http, &base, &account).await;
    let path = format!("{base}/v1/athletes/{athlete}");

    // Each request on a connection of its own, all at once, while every
    // pooled connection is stuck behind a lock for a while: most requests
    // find the pool empty, wait the pool timeout and get a 503.
    let lock = TableLock::take(&database.url(), "athletes", "ACCESS EXCLUSIVE");
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        lock.release();
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let fresh = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let (path, token) = (path.clone(), account.token.clone());
        tasks.push(tokio::spawn(async move {
            match fresh.get(&path).bearer_auth(&token).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response.headers().contains_key("retry-after");
                    let _ = response.bytes().await;
                    Ok((status, retry_after))
                }
                Err(error) => Err(format!("{error:?}")),
            }
        }));
    }
    let mut ok = 0;
    let mut unavailable = 0;
    let mut errors = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok((200, _)) => ok += 1,
            Ok((503, true)) => unavailable += 1,
            Ok(other) => errors.push(format!("answer {other:?}")),
            Err(error) => errors.push(error),
        }
    }
    let burst = started.elapsed();
    release.await.unwrap();
    let summary = format!(
        "{CONNECTIONS} concurrent connections in {burst:?}: {ok} × 200, {unavailable} × 503"
    );
    assert!(instance.is_running(), "runstrong survived: {summary}");
    assert!(
        errors.is_empty(),
        "every connection got 200 or 503 + Retry-After: {summary}; {} others, e.g. {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    assert!(ok > 0, "the burst was served: {summary}");
    assert!(
        unavailable > 0,
        "the pool ran dry during the burst: {summary}"
    );

    // The pool is not exhausted for good: normal service right after.
    for _ in 0..20 {
        let response = http
            .get(&path)
            .bearer_auth(&account.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "served after the burst");
    }
    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let gauge = |name: &str| -> f64 {
        metrics
            .lines()
            .find(|line| line.starts_with(&format!("{name} ")))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("{name} in /metrics"))
    };
    assert!(gauge("db_pool_connections") <= 4.0, "{metrics}");
    assert_no_secrets("thousand", &instance.logs());
    println!("limits: {summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_request_lines_are_logged_cut_short() {
    let database = TestDatabase::from_template();
    let instance = Instance::start("long-lines", &[("DATABASE_URL", &database.url())]).await;
    let http = client();
    let base = instance.base.clone();
    let long_path = format!("/v1/exercises/{}", "p".repeat(60 * 1024));
    let answer = http.get(format!("{base}{long_path}")).send().await.unwrap();
    assert_eq!(answer.status(), 404);
    let method = reqwest::Method::from_bytes("M".repeat(8 * 1024).as_bytes()).unwrap();
    let answer = http
        .request(method, format!("{base}/v1/exercises"))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_client_error());
    // The lines of both requests are written by the time they are answered.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let logs = instance.logs();
    let longest = logs.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 4096, "a log line of {longest} bytes");
    assert!(logs.contains("…(+"), "no request line was marked as cut");
    assert!(!logs.contains(&"p".repeat(1024)));
    assert!(!logs.contains(&"M".repeat(1024)));
}
