//! Scale check (ignored by default; run it with
//! `cargo test --release --test api scale -- --ignored --nocapture`):
//! a list page is as fast at the end of a million sessions as at the start,
//! because pagination is keyset on an index, never OFFSET.

use std::time::Instant;

use base64::Engine;
use reqwest::Method;

use crate::helpers::spawn_app;

const SESSIONS: u32 = 1_000_000;

#[tokio::test]
#[ignore = "loads a million rows; run by the benchmark script"]
async fn list_latency_at_the_last_page_matches_the_first() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, _) = app.create_athlete(&owner).await;
    let started = Instant::now();
    app.execute_sql(&format!(
        "INSERT INTO sessions (id, athlete_id, kind, started_at, duration_min, distance_km, rpe, body_sha256)
         SELECT gen_random_uuid(), '{athlete}', 'easy_run',
                timestamptz '2020-01-01' + n * interval '3 minutes', 40, 7.5, 3, 'scale'
         FROM generate_series(1, {SESSIONS}) AS n"
    ))
    .await;
    app.execute_sql("ANALYZE sessions").await;
    println!(
        "loaded {SESSIONS} sessions in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The cursor of the page before the last: built like the service does.
    let last: String = app
        .query_json(&format!(
            "SELECT to_json((extract(epoch FROM started_at) * 1000000)::bigint || '|' || id)
             FROM sessions WHERE athlete_id = '{athlete}' ORDER BY started_at DESC, id DESC OFFSET 50 LIMIT 1"
        ))
        .await;
    let key: String = serde_json::from_str(&last).unwrap();
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("session:{key}"));
    let first_page = format!("/v1/athletes/{athlete}/sessions?limit=50");
    let last_page = format!("/v1/athletes/{athlete}/sessions?limit=50&cursor={cursor}");

    let median = |path: String| {
        let app = &app;
        let owner = owner.clone();
        async move {
            let mut times = Vec::new();
            for _ in 0..30 {
                let start = Instant::now();
                let response = app
                    .request(Method::GET, &path, Some(&owner))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                let page: serde_json::Value = response.json().await.unwrap();
                assert!(!page["items"].as_array().unwrap().is_empty());
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            times[times.len() / 2]
        }
    };
    let first = median(first_page).await;
    let last = median(last_page).await;
    println!(
        "list p50: first page {first:.2} ms, last page {last:.2} ms, ratio {:.2}",
        last / first
    );
    assert!(
        last / first <= 2.0,
        "the last page should cost about what the first does"
    );
}
