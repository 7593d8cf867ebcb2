//! Database restart under load: PostgreSQL (a throwaway cluster) is stopped
//! for a few seconds while clients read and write, then started again;
//! runstrong is never restarted.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::Value;

use crate::support::{
    Cluster, Instance, TableLock, TestDatabase, assert_no_secrets, client, create_athlete,
    post_run, query_count, register,
};

const POOL_TIMEOUT: Duration = Duration::from_millis(1000);
/// The pool timeout is the bound; the rest is for a shared, noisy machine.
const HANG_BOUND: Duration = Duration::from_millis(4000);
const DOWN_FOR: Duration = Duration::from_secs(4);
const RECOVERY_BOUND: Duration = Duration::from_secs(5);
const CLIENTS: u64 = 4;

#[derive(Debug, Clone)]
struct Outcome {
    write: bool,
    key: String,
    n: u64,
    started: Duration,
    finished: Duration,
    status: Option<u16>,
    error: Option<String>,
    retry_after: bool,
    problem: bool,
    session_id: Option<String>,
}

impl Outcome {
    fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
    fn elapsed(&self) -> Duration {
        self.finished - self.started
    }
}

#[derive(Debug, Clone)]
struct Probe {
    started: Duration,
    finished: Duration,
    readyz: Option<u16>,
    readyz_retry_after: bool,
    livez: Option<u16>,
    metrics: Option<u16>,
}

async fn observe(
    response: Result<reqwest::Response, reqwest::Error>,
) -> (Option<u16>, Option<String>, bool, bool, Option<Value>) {
    match response {
        Err(error) => (None, Some(format!("{error:?}")), false, false, None),
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response.headers().contains_key("retry-after");
            let problem = response
                .headers()
                .get("content-type")
                .is_some_and(|v| v == "application/problem+json");
            match response.bytes().await {
                Ok(bytes) => (
                    Some(status),
                    None,
                    retry_after,
                    problem,
                    serde_json::from_slice(&bytes).ok(),
                ),
                Err(error) => (
                    Some(status),
                    Some(format!("body: {error:?}")),
                    retry_after,
                    problem,
                    None,
                ),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn database_restart_under_load_answers_503_and_recovers_without_restart() {
    restart_under_load("fast").await;
}

/// The same with a crash of PostgreSQL (`pg_ctl stop -m immediate`): its
/// sessions die without a goodbye and it starts with crash recovery.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn database_crash_under_load_answers_503_and_recovers_without_restart() {
    restart_under_load("immediate").await;
}

async fn restart_under_load(mode: &'static str) {
    let cluster = Cluster::start();
    let database_url = cluster.url("runstrong");
    let instance = Instance::start(
        "restart",
        &[
            ("DATABASE_URL", &database_url),
            ("RUNSTRONG_POOL_SIZE", "4"),
            (
                "RUNSTRONG_POOL_TIMEOUT_MS",
                &POOL_TIMEOUT.as_millis().to_string(),
            ),
        ],
    )
    .await;
    let http = client();
    let base = instance.base.clone();
    let account = register(&http, &base, "athlete").await;
    let athlete = create_athlete(&http, &base, &account).await;

    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let outcomes = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let probes = Arc::new(Mutex::new(Vec::<Probe>::new()));

    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, base, account, athlete) =
            (http.clone(), base.clone(), account.clone(), athlete.clone());
        let (stop, outcomes) = (stop.clone(), outcomes.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                // A read that needs the database (token check and query).
                let started = t0.elapsed();
                let response = http
                    .get(format!("{base}/v1/athletes/{athlete}/sessions?limit=5"))
                    .bearer_auth(&account.token)
                    .send()
                    .await;
                let (status, error, retry_after, problem, _) = observe(response).await;
                outcomes.lock().unwrap().push(Outcome {
                    write: false,
                    key: String::new(),
                    n: 0,
                    started,
                    finished: t0.elapsed(),
                    status,
                    error,
                    retry_after,
                    problem,
                    session_id: None,
                });
                // An idempotent write with a key of its own.
                let n = c * 1_000_000 + i;
                let key = format!("restart-{c}-{i}");
                let started = t0.elapsed();
                let response = post_run(&http, &base, &account, &athlete, &key, n).await;
                let (status, error, retry_after, problem, body) = observe(response).await;
                outcomes.lock().unwrap().push(Outcome {
                    write: true,
                    key,
                    n,
                    started,
                    finished: t0.elapsed(),
                    status,
                    error,
                    retry_after,
                    problem,
                    session_id: body
                        .as_ref()
                        .and_then(|b| b["id"].as_str())
                        .map(str::to_owned),
                });
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }));
    }
    {
        let (http, base, stop, probes) = (http.clone(), base.clone(), stop.clone(), probes.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let started = t0.elapsed();
                let readyz = http.get(format!("{base}/readyz")).send().await.ok();
                let livez = http.get(format!("{base}/livez")).send().await.ok();
                let metrics = http.get(format!("{base}/metrics")).send().await.ok();
                probes.lock().unwrap().push(Probe {
                    started,
                    finished: t0.elapsed(),
                    readyz: readyz.as_ref().map(|r| r.status().as_u16()),
                    readyz_retry_after: readyz
                        .as_ref()
                        .is_some_and(|r| r.headers().contains_key("retry-after")),
                    livez: livez.as_ref().map(|r| r.status().as_u16()),
                    metrics: metrics.as_ref().map(|r| r.status().as_u16()),
                });
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs(2)).await;
    let stop_called = t0.elapsed();
    let cluster = Arc::new(cluster);
    let stopping = cluster.clone();
    tokio::task::spawn_blocking(move || stopping.stop_with(mode))
        .await
        .unwrap();
    let stopped = t0.elapsed();
    tokio::time::sleep(DOWN_FOR).await;
    let restart_called = t0.elapsed();
    let starting = cluster.clone();
    tokio::task::spawn_blocking(move || starting.start_again())
        .await
        .unwrap();
    let started_again = t0.elapsed();
    tokio::time::sleep(RECOVERY_BOUND + Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }

    let outcomes = outcomes.lock().unwrap().clone();
    let probes = probes.lock().unwrap().clone();
    let summary = format!(
        "stop {stop_called:?}..{stopped:?}, start {restart_called:?}..{started_again:?}; \
         {} requests ({} writes), {} 2xx, {} 503, {} probes",
        outcomes.len(),
        outcomes.iter().filter(|o| o.write).count(),
        outcomes.iter().filter(|o| o.ok()).count(),
        outcomes.iter().filter(|o| o.status == Some(503)).count(),
        probes.len()
    );
    let dump = || format!("{summary}\n{outcomes:#?}\n{probes:#?}");

    // Every request got an answer, and only a success or a 503 + Retry-After.
    for outcome in &outcomes {
        assert!(
            outcome.error.is_none(),
            "a request failed without an answer: {outcome:?}\n{summary}"
        );
        assert!(
            outcome.ok() || outcome.status == Some(503),
            "only 2xx or 503 may answer: {outcome:?}\n{summary}"
        );
        if outcome.status == Some(503) {
            assert!(
                outcome.retry_after && outcome.problem,
                "a 503 without Retry-After or problem+json: {outcome:?}"
            );
        }
        assert!(
            outcome.elapsed() <= HANG_BOUND,
            "a request hung past the pool timeout ({POOL_TIMEOUT:?}): {outcome:?}\n{summary}"
        );
    }
    let before: Vec<_> = outcomes
        .iter()
        .filter(|o| o.finished < stop_called)
        .collect();
    assert!(
        before.len() >= 10 && before.iter().all(|o| o.ok()),
        "the load works before the stop: {}",
        dump()
    );
    let down: Vec<_> = outcomes
        .iter()
        .filter(|o| o.started >= stopped && o.finished <= restart_called)
        .collect();
    assert!(
        !down.is_empty(),
        "requests ran while the database was down: {summary}"
    );
    assert!(
        down.iter().all(|o| o.status == Some(503)),
        "while the database is down every request is a 503: {}",
        dump()
    );
    let probes_down: Vec<_> = probes
        .iter()
        .filter(|p| p.started >= stopped && p.finished <= restart_called)
        .collect();
    assert!(!probes_down.is_empty(), "readyz was probed while down");
    assert!(
        probes_down
            .iter()
            .all(|p| p.readyz == Some(503) && p.readyz_retry_after),
        "readyz is 503 with Retry-After while the database is down: {}",
        dump()
    );
    assert!(
        probes
            .iter()
            .all(|p| p.livez == Some(200) && p.metrics == Some(200)),
        "livez and metrics stay 200 throughout: {}",
        dump()
    );

    // Back within RECOVERY_BOUND of the database answering again.
    let settled = started_again + RECOVERY_BOUND;
    let after: Vec<_> = outcomes.iter().filter(|o| o.started >= settled).collect();
    assert!(after.len() >= 10, "load ran after recovery: {summary}");
    assert!(
        after.iter().all(|o| o.ok()),
        "every request succeeds again {RECOVERY_BOUND:?} after the restart: {}",
        dump()
    );
    assert!(
        probes
            .iter()
            .filter(|p| p.started >= settled)
            .all(|p| p.readyz == Some(200)),
        "readyz is 200 again: {}",
        dump()
    );
    let first_success = outcomes
        .iter()
        .filter(|o| o.write && o.ok() && o.started >= restart_called)
        .map(|o| o.finished)
        .min()
        .expect("a write succeeded after the restart");
    let last_503 = outcomes
        .iter()
        .filter(|o| o.status == Some(503))
        .map(|o| o.finished)
        .max()
        .unwrap_or_default();

    // Every write answered 2xx is stored exactly once.
    let landed: Vec<&String> = outcomes
        .iter()
        .filter(|o| o.write && o.ok())
        .map(|o| o.session_id.as_ref().expect("a 2xx write has an id"))
        .collect();
    let mut unique = landed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        landed.len(),
        "every 2xx write is a new session"
    );
    let in_list = landed
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let url = cluster.url("runstrong");
    assert_eq!(
        query_count(
            &url,
            &format!("SELECT count(*) AS n FROM sessions WHERE id IN ({in_list})")
        ),
        landed.len() as i64,
        "every write that got a 2xx is in the database"
    );

    // Retrying every failed write with its key lands it exactly once.
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.write && !o.ok()).collect();
    let mut replayed = 0;
    for outcome in &failed {
        let response = post_run(&http, &base, &account, &athlete, &outcome.key, outcome.n)
            .await
            .expect("retry answered");
        assert_eq!(response.status(), 201, "retry of {}", outcome.key);
        if response.headers().contains_key("idempotent-replayed") {
            replayed += 1;
        }
        // And once more: the first answer again, nothing new stored.
        let again = post_run(&http, &base, &account, &athlete, &outcome.key, outcome.n)
            .await
            .expect("second retry answered");
        assert_eq!(again.status(), 201);
        assert!(again.headers().contains_key("idempotent-replayed"));
    }
    let writes = outcomes.iter().filter(|o| o.write).count() as i64;
    assert_eq!(
        query_count(
            &url,
            &format!("SELECT count(*) AS n FROM sessions WHERE athlete_id = '{athlete}'")
        ),
        writes,
        "one session per key sent, no more, no less"
    );
    assert_eq!(
        query_count(
            &url,
            "SELECT count(*) AS n FROM idempotency_keys WHERE response_status IS NULL"
        ),
        0,
        "no key is left claimed without an answer"
    );

    assert_no_secrets("restart: runstrong", &instance.logs());
    assert_no_secrets("restart: postgres", &cluster.server_log());
    println!(
        "restart ({mode}): {summary}; max latency while down {:?}; first write 2xx {:?} after the database was back, \
         last 503 at {:?} ({:?} after start); {} failed writes retried ({} had landed: replayed)",
        down.iter().map(|o| o.elapsed()).max().unwrap_or_default(),
        first_success.saturating_sub(started_again),
        last_503,
        last_503.saturating_sub(started_again),
        failed.len(),
        replayed,
    );
}

/// An operator (or a failover tool) cancels runstrong's statements or
/// terminates its connections: the requests concerned are 503s that a
/// client may retry, never 500s, and the pool carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_and_terminated_backends_answer_503_not_500() {
    let database = TestDatabase::from_template();
    let url = database.url();
    let instance = Instance::start(
        "cancel",
        &[("DATABASE_URL", &url), ("RUNSTRONG_POOL_SIZE", "2")],
    )
    .await;
    let http = client();
    let base = instance.base.clone();
    let account = register(&http, &base, "athlete").await;
    let athlete = create_athlete(&http, &base, &account).await;
    let path = format!("{base}/v1/athletes/{athlete}");
    let waiting = format!(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'runstrong' \
         AND wait_event_type = 'Lock' AND datname = '{}'",
        database.name
    );
    let mut statuses = Vec::new();
    for action in ["pg_cancel_backend", "pg_terminate_backend"] {
        // A read held behind a lock, then its backend is cancelled/killed.
        let lock = TableLock::take(&url, "athletes", "ACCESS EXCLUSIVE");
        let request = {
            let (http, path, token) = (http.clone(), path.clone(), account.token.clone());
            tokio::spawn(async move { http.get(&path).bearer_auth(&token).send().await })
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while query_count(&url, &waiting) < 1 {
            assert!(Instant::now() < deadline, "the read reached the lock");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(
            query_count(
                &url,
                &format!(
                    "SELECT count(*) AS n FROM (SELECT {action}(pid) FROM pg_stat_activity \
                     WHERE application_name = 'runstrong' AND wait_event_type = 'Lock' \
                     AND datname = '{}') AS acted",
                    database.name
                )
            ),
            1
        );
        let response = request.await.unwrap().expect("an answer");
        let status = response.status().as_u16();
        let retry_after = response.headers().contains_key("retry-after");
        let body = response.text().await.unwrap();
        lock.release();
        assert_eq!(status, 503, "{action}: {body}");
        assert!(retry_after, "{action}: 503 with Retry-After");
        statuses.push(status);
        // The pool replaces what was lost: the next reads succeed.
        for _ in 0..4 {
            let response = http
                .get(&path)
                .bearer_auth(&account.token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "after {action}");
        }
    }
    assert_no_secrets("cancel", &instance.logs());
    println!("restart: cancelled and terminated backends answered {statuses:?}, then 200s");
}
