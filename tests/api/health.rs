use crate::helpers::{assert_problem, drop_database, spawn_app};

#[tokio::test]
async fn livez_and_readyz_answer_200_when_the_database_is_up() {
    let app = spawn_app().await;
    assert_eq!(app.get_json("/livez").await["status"], "ok");
    assert_eq!(app.get_json("/readyz").await["status"], "ok");
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_is_gone_but_livez_stays_200() {
    let app = spawn_app_quick_timeout().await;
    drop_database(&app.database_name);
    let response = app.get("/readyz").await;
    assert!(response.headers().contains_key("retry-after"));
    let body = assert_problem(response, 503).await;
    // The body says what to do, never what failed inside.
    assert!(!body.to_string().contains(&app.database_name));
    assert_eq!(app.get("/livez").await.status(), 200);
}

/// Pooled connections are not pinged on checkout; one that the server has
/// cut is found by the request that fails on it (503, never 500) and
/// thrown away, so the service recovers without a restart.
#[tokio::test]
async fn connections_the_server_cut_cost_at_most_one_503_each() {
    let app = spawn_app().await;
    // Fill the pool (4 connections in tests) with concurrent requests.
    let warm = futures_util::future::join_all((0..8).map(|_| app.get("/readyz"))).await;
    assert!(warm.iter().all(|r| r.status() == 200));
    app.execute_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{}' AND pid <> pg_backend_pid()",
        app.database_name
    ))
    .await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            app.get("/v1/exercises/glute-bridge")
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().filter(|s| **s == 503).count() <= 4,
        "{statuses:?}"
    );
    assert!(statuses[8..].iter().all(|s| *s == 200), "{statuses:?}");
}

async fn spawn_app_quick_timeout() -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(|config| {
        config.pool_timeout = std::time::Duration::from_millis(500);
    })
    .await
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_the_clients() {
    let app = spawn_app().await;
    let generated = app.get("/livez").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");

    let echoed = app
        .client
        .get(app.url("/v1/exercises/no-such-exercise"))
        .header("X-Request-Id", "client-chosen-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "client-chosen-42");
    let body = assert_problem(echoed, 404).await;
    assert_eq!(body["request_id"], "client-chosen-42");
    assert_eq!(body["instance"], "/v1/exercises/no-such-exercise");

    // A header that could forge log lines is replaced, not echoed.
    let forged = app
        .client
        .get(app.url("/livez"))
        .header("X-Request-Id", "a b")
        .send()
        .await
        .unwrap();
    assert_ne!(forged.headers()["x-request-id"], "a b");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_problem_json() {
    let app = spawn_app().await;
    assert_problem(app.get("/v1/nothing-here").await, 404).await;
    let response = app
        .client
        .delete(app.url("/v1/vocabularies"))
        .send()
        .await
        .unwrap();
    assert!(
        matches!(response.status().as_u16(), 404 | 405),
        "{}",
        response.status()
    );
    let status = response.status().as_u16();
    assert_problem(response, status).await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_report_the_pool() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.get("/v1/exercises/glute-bridge").await;
    }
    app.get("/v1/exercises/does-not-exist").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    let count = |status: &str| -> f64 {
        text.lines()
            .find(|line| {
                line.starts_with("http_requests_total{")
                    && line.contains("route=\"/v1/exercises/{id_or_slug}\"")
                    && line.contains(&format!("status=\"{status}\""))
            })
            .and_then(|line| line.rsplit(' ').next())
            .map(|value| value.parse().unwrap())
            .unwrap_or(0.0)
    };
    assert_eq!(count("200"), 3.0, "{text}");
    assert_eq!(count("404"), 1.0, "{text}");
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(text.contains("db_pool_max_connections 4"), "{text}");
    assert!(text.contains("db_pool_waiting_requests 0"), "{text}");
}
