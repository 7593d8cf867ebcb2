//! Graceful shutdown: SIGTERM while clients keep calling, and while some
//! writes are held in the database; every request that was in flight
//! completes, none is reset, and the process exits cleanly.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::Value;

use crate::support::{
    Instance, TableLock, TestDatabase, assert_no_secrets, client, create_athlete, post_run,
    query_count, register,
};

const HELD_WRITES: u64 = 4;
const CLIENTS: usize = 6;

#[derive(Debug, Clone)]
struct Outcome {
    request_id: String,
    started: Duration,
    finished: Duration,
    status: Option<u16>,
    /// A transport error that is not a refused connection.
    broken: Option<String>,
    refused: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_lets_in_flight_requests_finish() {
    stop_under_load("TERM").await;
}

/// Ctrl-C is documented to stop as gently as SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigint_under_load_lets_in_flight_requests_finish() {
    stop_under_load("INT").await;
}

async fn stop_under_load(signal: &str) {
    let database = TestDatabase::from_template();
    let url = database.url();
    let mut instance = Instance::start(
        "shutdown",
        &[
            ("DATABASE_URL", &url),
            ("RUNSTRONG_POOL_SIZE", "8"),
            ("RUNSTRONG_SHUTDOWN_TIMEOUT_S", "20"),
        ],
    )
    .await;
    let http = client();
    let base = instance.base.clone();
    let account = register(&http, &base, "athlete").await;
    let athlete = create_athlete(&http, &base, &account).await;

    let t0 = Instant::now();
    // Steady load on keep-alive connections: reads that need the database.
    let stop = Arc::new(AtomicBool::new(false));
    let outcomes = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (http, base, account, athlete) =
            (http.clone(), base.clone(), account.clone(), athlete.clone());
        let (stop, outcomes) = (stop.clone(), outcomes.clone());
        clients.push(tokio::spawn(async move {
            let paths = [
                format!("/v1/athletes/{athlete}"),
                "/v1/me".to_owned(),
                "/v1/exercises/glute-bridge".to_owned(),
            ];
            let mut i = c;
            let mut refused_in_a_row = 0;
            while !stop.load(Ordering::Relaxed) && refused_in_a_row < 20 {
                i += 1;
                let request_id = format!("steady-{c}-{i}");
                let started = t0.elapsed();
                let result = http
                    .get(format!("{base}{}", paths[i % paths.len()]))
                    .bearer_auth(&account.token)
                    .header("X-Request-Id", &request_id)
                    .send()
                    .await;
                let outcome = match result {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        match response.bytes().await {
                            Ok(_) => Outcome {
                                request_id,
                                started,
                                finished: t0.elapsed(),
                                status: Some(status),
                                broken: None,
                                refused: false,
                            },
                            Err(error) => Outcome {
                                request_id,
                                started,
                                finished: t0.elapsed(),
                                status: Some(status),
                                broken: Some(format!("body cut: {error:?}")),
                                refused: false,
                            },
                        }
                    }
                    Err(error) => Outcome {
                        request_id,
                        started,
                        finished: t0.elapsed(),
                        status: None,
                        refused: error.is_connect(),
                        broken: (!error.is_connect()).then(|| format!("{error:?}")),
                    },
                };
                refused_in_a_row = if outcome.refused {
                    refused_in_a_row + 1
                } else {
                    0
                };
                outcomes.lock().unwrap().push(outcome);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_millis(500)).await;

    // Writes held in the database by a table lock: certainly in flight when
    // SIGTERM arrives, and they finish only after it. The lock is held well
    // under the statement and lock timeouts, so only shutdown could cut
    // them.
    let lock = TableLock::take(&url, "sessions", "EXCLUSIVE");
    let mut held = Vec::new();
    for n in 0..HELD_WRITES {
        let (http, base, account, athlete) =
            (http.clone(), base.clone(), account.clone(), athlete.clone());
        held.push(tokio::spawn(async move {
            let response = post_run(&http, &base, &account, &athlete, &format!("held-{n}"), n)
                .await
                .map_err(|error| format!("{error:?}"))?;
            let status = response.status().as_u16();
            let body: Value = response.json().await.map_err(|e| format!("{e:?}"))?;
            Ok::<_, String>((status, body["id"].as_str().map(str::to_owned), t0.elapsed()))
        }));
    }
    let waiting = format!(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'runstrong' \
         AND wait_event_type = 'Lock' AND datname = '{}'",
        database.name
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while query_count(&url, &waiting) < HELD_WRITES as i64 {
        assert!(
            Instant::now() < deadline,
            "the held writes reached the lock"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let sigterm_at = t0.elapsed();
    instance.signal(signal);
    // The held writes wait on: shutdown must not cut them.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let released_at = t0.elapsed();
    lock.release();

    let mut held_ids = Vec::new();
    for task in held {
        let (status, id, finished) = task
            .await
            .unwrap()
            .unwrap_or_else(|error| panic!("a held write was cut: {error}"));
        assert_eq!(status, 201, "a held write completes");
        assert!(finished >= released_at, "it was held past SIGTERM");
        held_ids.push(id.expect("a created session has an id"));
    }
    let exit = instance.wait_exit(Duration::from_secs(30)).await;
    let exited_at = t0.elapsed();
    stop.store(true, Ordering::Relaxed);
    for task in clients {
        task.await.unwrap();
    }
    let outcomes = outcomes.lock().unwrap().clone();
    let in_flight: Vec<_> = outcomes
        .iter()
        .filter(|o| o.started <= sigterm_at && o.finished >= sigterm_at)
        .collect();
    let after: Vec<_> = outcomes.iter().filter(|o| o.started > sigterm_at).collect();
    let summary = format!(
        "{} requests; {} in flight at SIGTERM; after SIGTERM {} answered, {} refused; \
         {HELD_WRITES} held writes completed {:?} after SIGTERM; exit {:?} at {:?} ({:?} after SIGTERM)",
        outcomes.len(),
        in_flight.len(),
        after.iter().filter(|o| o.status.is_some()).count(),
        after.iter().filter(|o| o.refused).count(),
        released_at - sigterm_at,
        exit,
        exited_at,
        exited_at.saturating_sub(sigterm_at),
    );

    // A request the server had read must be answered in full. A client may
    // still see its idle keep-alive connection closed under a request it
    // was just writing (the unavoidable HTTP/1.1 race, which clients retry):
    // that request never reached runstrong, so it appears in no log line.
    let logs = instance.logs();
    let mut unread = 0;
    for outcome in outcomes.iter().filter(|o| o.broken.is_some()) {
        let seen = logs.contains(&format!("\"request_id\":\"{}\"", outcome.request_id));
        assert!(
            // (Closed by the stop, so it ended after the signal.)
            !seen && outcome.finished >= sigterm_at,
            "a request runstrong had read was reset or cut: {outcome:#?}\n{summary}\n{logs}"
        );
        unread += 1;
    }
    assert!(
        !logs.contains("force shutdown") && !logs.contains("forced shutdown"),
        "the stop was graceful: {logs}"
    );
    for outcome in &outcomes {
        if let Some(status) = outcome.status {
            assert!((200..300).contains(&status), "{outcome:?}\n{summary}");
        }
    }
    assert!(
        outcomes.iter().filter(|o| o.status.is_some()).count() > 20,
        "there was load: {summary}"
    );
    let exit = exit.unwrap_or_else(|| panic!("runstrong did not exit: {summary}"));
    assert!(exit.success(), "clean exit: {summary}");

    let ids = held_ids
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(
        query_count(
            &url,
            &format!("SELECT count(*) AS n FROM sessions WHERE id IN ({ids})")
        ),
        HELD_WRITES as i64,
        "the held writes are stored"
    );
    assert!(logs.contains("\"stopped\""), "it logged its stop: {logs}");
    assert_no_secrets("shutdown", &logs);
    println!(
        "shutdown (SIG{signal}): {summary}; {unread} requests written onto idle connections the server was closing (never read)"
    );
}

/// An operator who cannot wait: a second signal stops at once, even with a
/// request still in flight (which is then cut off, as asked).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_signal_forces_the_stop() {
    let database = TestDatabase::from_template();
    let url = database.url();
    let mut instance = Instance::start(
        "second-signal",
        &[
            ("DATABASE_URL", &url),
            ("RUNSTRONG_SHUTDOWN_TIMEOUT_S", "30"),
        ],
    )
    .await;
    let http = client();
    let base = instance.base.clone();
    let account = register(&http, &base, "athlete").await;
    let athlete = create_athlete(&http, &base, &account).await;
    let lock = TableLock::take(&url, "sessions", "EXCLUSIVE");
    let held = {
        let (http, base, account, athlete) =
            (http.clone(), base.clone(), account.clone(), athlete.clone());
        tokio::spawn(async move { post_run(&http, &base, &account, &athlete, "forced", 1).await })
    };
    let waiting = format!(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'runstrong' \
         AND wait_event_type = 'Lock' AND datname = '{}'",
        database.name
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while query_count(&url, &waiting) < 1 {
        assert!(Instant::now() < deadline, "the write reached the lock");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    instance.signal("TERM");
    // Graceful: it waits for the held write.
    assert!(
        instance
            .wait_exit(Duration::from_millis(700))
            .await
            .is_none(),
        "one signal waits for in-flight requests"
    );
    let forced_at = Instant::now();
    instance.signal("TERM");
    let exit = instance.wait_exit(Duration::from_secs(10)).await;
    let took = forced_at.elapsed();
    lock.release();
    let exit = exit.expect("a second signal stops it");
    assert_eq!(exit.code(), Some(1), "a forced stop is not a clean exit");
    assert!(took < Duration::from_secs(5), "at once: {took:?}");
    let held = held.await.unwrap();
    assert!(
        held.is_err(),
        "the in-flight write was cut off: {:?}",
        held.map(|r| r.status())
    );
    let logs = instance.logs();
    assert!(logs.contains("second signal"), "{logs}");
    assert_no_secrets("second-signal", &logs);
    println!("shutdown: a second SIGTERM stopped runstrong {took:?} later, exit {exit:?}");
}
