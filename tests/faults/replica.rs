//! The read replica (issue 16, item 3): a throwaway primary cluster, a real
//! streaming replica made from it with `pg_basebackup -R`, and two runstrong
//! instances reading from it — one with a lag limit no step of this test
//! reaches (`fenced`), one with a short one (`limited`).
//!
//! Which server served a read is told by the servers themselves: both log
//! every statement (`log_statement = all`), and only a read of the
//! `sessions` table (a list, a load report) names it — the access checks,
//! the fence and the replica's health check do not. runstrong's own
//! `db_routed_reads_total` says why a read went where it went.

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, connection::SimpleConnection};
use serde_json::Value;

use crate::support::{
    Account, CLUSTER_PASSWORD, Cluster, Instance, assert_no_secrets, client, create_athlete,
    post_run, register,
};

/// A read of the sessions table, as it appears in a server's statement log.
const SESSIONS_READ: &str = "FROM \"sessions\"";

const SHORT_LAG_MS: u64 = 1000;

/// Runs `sql` on `url` from a connection of the test's own.
fn execute(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let mut connection = PgConnection::establish(&url).expect("connect for setup");
        connection
            .batch_execute(&sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    })
    .join()
    .expect("setup thread");
}

fn sessions_reads(cluster: &Cluster) -> usize {
    cluster.server_log().matches(SESSIONS_READ).count()
}

/// The statements logged since the last look, per server.
struct Logs<'a> {
    primary: &'a Cluster,
    replica: &'a Cluster,
    seen: (usize, usize),
}

impl<'a> Logs<'a> {
    fn new(primary: &'a Cluster, replica: &'a Cluster) -> Self {
        Logs {
            primary,
            replica,
            seen: (sessions_reads(primary), sessions_reads(replica)),
        }
    }

    /// Reads of `sessions` on (primary, replica) since the last call.
    fn since_last(&mut self) -> (usize, usize) {
        // The servers write their logs as they go; give the last lines a
        // moment to land.
        std::thread::sleep(Duration::from_millis(200));
        let now = (sessions_reads(self.primary), sessions_reads(self.replica));
        let delta = (now.0 - self.seen.0, now.1 - self.seen.1);
        self.seen = now;
        delta
    }
}

async fn metrics(http: &reqwest::Client, instance: &Instance) -> String {
    http.get(instance.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// `db_routed_reads_total` for one reason (`fence_replayed` is the replica).
async fn routed(http: &reqwest::Client, instance: &Instance, reason: &str) -> u64 {
    let label = format!("reason=\"{reason}\"");
    metrics(http, instance)
        .await
        .lines()
        .filter(|line| line.starts_with("db_routed_reads_total{") && line.contains(&label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn replica_usable(http: &reqwest::Client, instance: &Instance) -> bool {
    metrics(http, instance)
        .await
        .lines()
        .any(|line| line == "db_replica_usable 1")
}

async fn wait_for_usable(http: &reqwest::Client, instance: &Instance, usable: bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while replica_usable(http, instance).await != usable {
        assert!(
            Instant::now() < deadline,
            "{what}: {} never saw the replica {}:\n{}",
            instance.label,
            if usable { "usable" } else { "unusable" },
            instance.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A session list; answers the status, the ids listed and how long it took.
async fn list_sessions(
    http: &reqwest::Client,
    instance: &Instance,
    account: &Account,
    athlete: &str,
) -> (u16, Vec<String>, Duration) {
    let started = Instant::now();
    let response = http
        .get(instance.url(&format!("/v1/athletes/{athlete}/sessions?limit=100")))
        .bearer_auth(&account.token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let ids = body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    (status, ids, started.elapsed())
}

async fn load_report(
    http: &reqwest::Client,
    instance: &Instance,
    account: &Account,
    athlete: &str,
) -> u16 {
    http.get(instance.url(&format!(
        "/v1/athletes/{athlete}/load?from=2026-01-01&to=2026-01-31"
    )))
    .bearer_auth(&account.token)
    .send()
    .await
    .unwrap()
    .status()
    .as_u16()
}

async fn log_run(
    http: &reqwest::Client,
    instance: &Instance,
    account: &Account,
    athlete: &str,
    n: u64,
) -> String {
    let response = post_run(
        http,
        &instance.base,
        account,
        athlete,
        &format!("replica-{n}"),
        n,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201, "log run {n}");
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_go_to_the_replica_and_fall_back_when_it_is_down_or_lags() {
    let primary = Cluster::start();
    // One statement per call: ALTER SYSTEM refuses a multi-statement
    // string (an implicit transaction).
    execute(
        &primary.url("postgres"),
        "ALTER SYSTEM SET log_statement = 'all'",
    );
    execute(&primary.url("postgres"), "SELECT pg_reload_conf()");
    let replica = primary.streaming_replica();
    let env = |max_lag_ms: String| {
        vec![
            ("DATABASE_URL".to_owned(), primary.url("runstrong")),
            ("RUNSTRONG_REPLICA_URL".to_owned(), replica.url("runstrong")),
            ("RUNSTRONG_REPLICA_MAX_LAG_MS".to_owned(), max_lag_ms),
            // Long, so a read that waited for it would show (see (c)).
            ("RUNSTRONG_POOL_TIMEOUT_MS".to_owned(), "5000".to_owned()),
        ]
    };
    let start = |label: &'static str, max_lag_ms: u64| {
        let env = env(max_lag_ms.to_string());
        async move {
            let pairs: Vec<(&str, &str)> =
                env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Instance::start(label, &pairs).await
        }
    };
    let fenced = start("replica-fenced", 3_600_000).await;
    let limited = start("replica-limited", SHORT_LAG_MS).await;
    let http = client();
    let account = register(&http, &fenced.base, "athlete").await;
    let athlete = create_athlete(&http, &fenced.base, &account).await;
    let first = log_run(&http, &fenced, &account, &athlete, 1).await;
    wait_for_usable(&http, &fenced, true, "start-up").await;
    wait_for_usable(&http, &limited, true, "start-up").await;
    let mut logs = Logs::new(&primary, &replica);

    // (a) Lists and load reports are served by the replica: its log has
    // their reads of `sessions`, the primary's has none.
    let before = routed(&http, &fenced, "fence_replayed").await;
    for _ in 0..10 {
        let (status, ids, _) = list_sessions(&http, &fenced, &account, &athlete).await;
        assert_eq!(status, 200);
        assert_eq!(ids, vec![first.clone()]);
        assert_eq!(load_report(&http, &fenced, &account, &athlete).await, 200);
    }
    let (on_primary, on_replica) = logs.since_last();
    assert_eq!(on_primary, 0, "no read of sessions reached the primary");
    assert!(
        on_replica >= 20,
        "20 reads of sessions on the replica, saw {on_replica}"
    );
    assert_eq!(routed(&http, &fenced, "fence_replayed").await - before, 20);

    // (b) A client reads its own write, even with the replica's replay
    // paused (so it cannot have the write): the fence sends the read to
    // the primary. The fenced instance's lag limit is an hour, so this is
    // the fence at work, not the lag check.
    execute(&replica.url("postgres"), "SELECT pg_wal_replay_pause()");
    let behind_before = routed(&http, &fenced, "replica_behind_write").await;
    let second = log_run(&http, &fenced, &account, &athlete, 2).await;
    let (status, ids, _) = list_sessions(&http, &fenced, &account, &athlete).await;
    assert_eq!(status, 200);
    assert!(ids.contains(&second), "its own write is listed: {ids:?}");
    assert_eq!(
        routed(&http, &fenced, "replica_behind_write").await - behind_before,
        1
    );
    let (on_primary, on_replica) = logs.since_last();
    assert_eq!(
        (on_primary, on_replica),
        (1, 0),
        "the list read the primary"
    );

    // (d) Lag past the limit: with replay still paused, the limited
    // instance's check sees the pending WAL age past 1 s and stops
    // reading from the replica at all (no fence wait), while it answers.
    wait_for_usable(&http, &limited, false, "replay paused").await;
    let unusable_before = routed(&http, &limited, "replica_unusable").await;
    for _ in 0..5 {
        let (status, ids, _) = list_sessions(&http, &limited, &account, &athlete).await;
        assert_eq!(status, 200);
        assert!(ids.contains(&second));
    }
    assert_eq!(
        routed(&http, &limited, "replica_unusable").await - unusable_before,
        5
    );
    assert_eq!(logs.since_last(), (5, 0), "lagging: reads on the primary");
    assert!(
        limited.logs().contains("read replica lags"),
        "the switch is logged:\n{}",
        limited.logs()
    );

    // Replay resumed: both instances read from the replica again.
    execute(&replica.url("postgres"), "SELECT pg_wal_replay_resume()");
    wait_for_usable(&http, &limited, true, "replay resumed").await;
    for instance in [&fenced, &limited] {
        let (status, ids, _) = list_sessions(&http, instance, &account, &athlete).await;
        assert_eq!(status, 200);
        assert_eq!(ids.len(), 2);
    }
    assert_eq!(logs.since_last(), (0, 2), "caught up: reads on the replica");

    // (c) The replica stops: every read still answers 200, from the
    // primary, and quickly (never the 5 s pool timeout).
    replica.stop();
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        for instance in [&fenced, &limited] {
            let (status, ids, elapsed) = list_sessions(&http, instance, &account, &athlete).await;
            assert_eq!(status, 200, "with the replica down");
            assert_eq!(ids.len(), 2);
            slowest = slowest.max(elapsed);
        }
        assert_eq!(load_report(&http, &fenced, &account, &athlete).await, 200);
    }
    assert!(
        slowest < Duration::from_millis(2000),
        "a read waited {slowest:?} with the replica down"
    );
    let (on_primary, _) = logs.since_last();
    assert!(
        on_primary >= 60,
        "60 reads on the primary, saw {on_primary}"
    );
    wait_for_usable(&http, &fenced, false, "replica stopped").await;

    // Started again: reads go back to it.
    replica.start_again();
    wait_for_usable(&http, &fenced, true, "replica restarted").await;
    wait_for_usable(&http, &limited, true, "replica restarted").await;
    let third = log_run(&http, &fenced, &account, &athlete, 3).await;
    for instance in [&fenced, &limited] {
        let (status, ids, _) = list_sessions(&http, instance, &account, &athlete).await;
        assert_eq!(status, 200);
        assert!(ids.contains(&third), "{ids:?}");
    }
    let (_, on_replica) = logs.since_last();
    assert!(on_replica >= 1, "back on the replica");
    for instance in [&fenced, &limited] {
        // The replica's URL carries the cluster's password; failed checks
        // log their cause.
        assert!(!instance.logs().contains(CLUSTER_PASSWORD));
        assert_no_secrets(&instance.label, &instance.logs());
    }
}
