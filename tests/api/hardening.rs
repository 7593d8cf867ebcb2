//! Rules at the edge: metrics labels from closed sets, NUL characters,
//! security headers, HEAD, slow bodies and `If-Match: *`.

use std::io::{Read, Write};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};

async fn metrics_size(app: &TestApp) -> usize {
    app.get("/metrics").await.text().await.unwrap().len()
}

#[tokio::test]
async fn unique_methods_do_not_grow_the_metrics() {
    let app = spawn_app().await;
    // Every series the flood could add is there once before it.
    let other = Method::from_bytes(b"BREW").unwrap();
    app.request(other, "/v1/exercises", None)
        .send()
        .await
        .unwrap();
    let before = metrics_size(&app).await;
    for index in 0..200 {
        let method =
            Method::from_bytes(format!("M{index}{}", "X".repeat(2048)).as_bytes()).unwrap();
        let response = app
            .request(method, "/v1/exercises", None)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error());
    }
    let unmatched = Method::from_bytes(b"PURGE").unwrap();
    for index in 0..50 {
        let path = format!("/nowhere/{index}/{}", "p".repeat(500));
        app.request(unmatched.clone(), &path, None)
            .send()
            .await
            .unwrap();
    }
    let after = metrics_size(&app).await;
    // 250 requests with unique methods and paths may add a handful of
    // series (the `other` method, the unmatched route), never one each.
    assert!(
        after < before + 8_000,
        "/metrics grew from {before} to {after} bytes"
    );
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(!text.contains("XXXX"));
    assert!(!text.contains("/nowhere"));
}

#[tokio::test]
async fn nul_characters_in_paths_and_queries_are_400s_with_a_pointer() {
    let app = spawn_app().await;
    let coach = app.register("coach").await;
    for session in [None, Some(&coach)] {
        for (path, pointer) in [
            ("/v1/exercises?q=%00", "/q"),
            ("/v1/exercises?q=lunge%00", "/q"),
            ("/v1/exercises/glute%00bridge", "/id_or_slug"),
            ("/v1/exercises/glute%00bridge/progression", "/id_or_slug"),
        ] {
            let problem = assert_problem(
                app.request(Method::GET, path, session)
                    .send()
                    .await
                    .unwrap(),
                400,
            )
            .await;
            assert_eq!(problem["errors"][0]["pointer"], pointer, "{path}");
        }
    }
    // A route that demands a token answers a request without one 401,
    // whatever else is wrong with it; with a token, the NUL is the 400.
    let athlete = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&athlete).await;
    let load = format!("/v1/athletes/{athlete_id}/load?from=2027-01-01&to=%00");
    assert_problem(app.get(&load).await, 401).await;
    let problem = assert_problem(
        app.request(Method::GET, &load, Some(&athlete))
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/to");
    // The service is fine afterwards.
    app.get_json("/v1/exercises?q=lunge").await;
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn tokens_and_private_data_are_never_cached_and_nothing_is_sniffed() {
    let app = spawn_app().await;
    let registered = app
        .client
        .post(app.url("/v1/accounts"))
        .json(&json!({"email": crate::helpers::unique_email("cache"),
                      "password": crate::helpers::PASSWORD, "display_name": "C", "role": "coach"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    assert_eq!(header(&registered, "cache-control"), Some("no-store"));
    let token = registered.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let coach = app.register("coach").await;
    let signed_in = app
        .client
        .post(app.url("/v1/tokens"))
        .json(&json!({"email": coach.email, "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 201);
    assert_eq!(header(&signed_in, "cache-control"), Some("no-store"));
    assert_eq!(
        header(&signed_in, "x-content-type-options"),
        Some("nosniff")
    );
    for path in [
        "/v1/me",
        "/v1/athletes",
        "/v1/exercises",
        "/v1/exercises/glute-bridge",
    ] {
        let response = app
            .client
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "cache-control"),
            Some("no-store"),
            "{path}"
        );
        assert_eq!(
            header(&response, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    // The anonymous catalog stays revalidatable; everything is nosniff,
    // errors and health included.
    let catalog = app.get("/v1/exercises/glute-bridge").await;
    assert_eq!(header(&catalog, "cache-control"), Some("no-cache"));
    for path in [
        "/v1/exercises",
        "/livez",
        "/metrics",
        "/openapi.json",
        "/v1/nowhere",
    ] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    let refused = app.get("/v1/me").await;
    assert_eq!(header(&refused, "cache-control"), Some("no-store"));
    assert_eq!(header(&refused, "x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let athlete = app.register("athlete").await;
    for (path, session) in [
        ("/v1/exercises/glute-bridge", None),
        ("/v1/exercises?limit=3", None),
        ("/livez", None),
        ("/v1/me", Some(&athlete)),
    ] {
        let get = app
            .request(Method::GET, path, session)
            .send()
            .await
            .unwrap();
        let get_status = get.status();
        let get_etag = header(&get, "etag").map(str::to_owned);
        let get_type = header(&get, "content-type").map(str::to_owned);
        let get_body = get.bytes().await.unwrap();
        let head = app
            .request(Method::HEAD, path, session)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get_status, "HEAD {path}");
        assert_eq!(header(&head, "etag").map(str::to_owned), get_etag, "{path}");
        assert_eq!(
            header(&head, "content-type").map(str::to_owned),
            get_type,
            "{path}"
        );
        assert_eq!(
            header(&head, "content-length"),
            Some(get_body.len().to_string().as_str()),
            "{path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} sent a body"
        );
    }
    // A route without GET still refuses HEAD, and says what it takes.
    let head = app
        .request(Method::HEAD, "/v1/tokens", None)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 405);
    assert_eq!(header(&head, "allow"), Some("POST"));
    let get_only = app
        .request(Method::POST, "/v1/me", None)
        .send()
        .await
        .unwrap();
    assert_eq!(get_only.status(), 405);
    assert_eq!(header(&get_only, "allow"), Some("GET, HEAD"));
}

/// Sends the head of a request announcing a 100-byte body, then trickles
/// the body a byte every 200 ms; returns what the server answered (empty
/// when it answered nothing within `wait`).
fn trickle(port: u16, path: &str, wait: Duration) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{"
    )
    .unwrap();
    let mut writer = stream.try_clone().unwrap();
    std::thread::spawn(move || {
        for _ in 0..99 {
            std::thread::sleep(Duration::from_millis(200));
            if writer.write_all(b" ").is_err() {
                return;
            }
        }
    });
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_trickled_a_byte_at_a_time_is_timed_out() {
    let app = spawn_app_with(|config| config.body_timeout = Duration::from_secs(1)).await;
    let port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    // 100 bytes at 5 a second take 20 s; the answer must come long before.
    let answer =
        tokio::task::spawn_blocking(move || trickle(port, "/v1/accounts", Duration::from_secs(8)))
            .await
            .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    // The service is fine afterwards.
    app.get_json("/livez").await;
}

#[tokio::test]
async fn if_match_star_names_no_version_and_is_refused() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete_id, etag) = app.create_athlete(&owner).await;
    let path = format!("/v1/athletes/{athlete_id}");
    let patch = |if_match: &str| {
        app.request(Method::PATCH, &path, Some(&owner))
            .header("If-Match", if_match.to_owned())
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"runs_per_week": 3}"#)
            .send()
    };
    for star in ["*", " * ", "*, *"] {
        let problem = assert_problem(patch(star).await.unwrap(), 428).await;
        assert_eq!(
            problem["type"],
            "urn:runstrong:problem:precondition-required"
        );
    }
    let deleted = app
        .request(Method::DELETE, &path, Some(&owner))
        .header("If-Match", "*")
        .send()
        .await
        .unwrap();
    assert_problem(deleted, 428).await;
    // Nothing changed; the real tag (also listed with a star) still works.
    let current: Value = app.get_json_as(&path, &owner).await;
    assert_eq!(current["runs_per_week"], 4);
    assert_eq!(patch(&format!("*, {etag}")).await.unwrap().status(), 200);
}
