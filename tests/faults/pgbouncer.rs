//! Two instances through PgBouncer in transaction mode (issue 16): with
//! `RUNSTRONG_PREPARED_STATEMENTS=false` every query works there, LISTEN
//! and start-up preparation go to PostgreSQL directly
//! (`RUNSTRONG_LISTEN_DATABASE_URL`), and a crowd of clients — 200
//! instances' worth of two-connection pools — shares the few server
//! connections PgBouncer keeps.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_types::Text};

use crate::load_balancer::check_shared_state;
use crate::support::{Haproxy, Instance, PgBouncer, TestDatabase, assert_no_secrets, query_count};

/// Server connections PgBouncer keeps per database and user.
const POOL_SIZE: u32 = 10;
/// The crowd: 200 instances × 2 connections, all open at once.
const CROWD_POOLS: usize = 200;
const CONNECTIONS_PER_POOL: usize = 2;
const QUERIES_PER_CONNECTION: usize = 3;

#[derive(QueryableByName)]
struct Served {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_work_through_pgbouncer_in_transaction_mode() {
    let bouncer = PgBouncer::start(POOL_SIZE).await;
    let database = TestDatabase::new();
    let direct = format!("{}&application_name=runstrong-direct", database.url());
    let pooled = bouncer.url(&database.name);
    let env = [
        ("DATABASE_URL", pooled.as_str()),
        ("RUNSTRONG_LISTEN_DATABASE_URL", direct.as_str()),
        ("RUNSTRONG_PREPARED_STATEMENTS", "false"),
        ("RUNSTRONG_LOGIN_MAX_FAILURES", "4"),
    ];
    // Started together on an empty database: CREATE DATABASE and the
    // migrations under a session advisory lock go to PostgreSQL directly.
    let (a, b) = tokio::join!(Instance::start("a", &env), Instance::start("b", &env));
    let lb = Haproxy::start(&[&a, &b]).await;
    let summary = check_shared_state(&a, &b, &lb, &direct, &env).await;

    // The request limits reach PgBouncer's server connections as role
    // defaults (a session SET would stay on one of them).
    let limits = in_thread({
        let pooled = pooled.clone();
        move || {
            let mut connection = PgConnection::establish(&pooled).expect("through pgbouncer");
            ["statement_timeout", "lock_timeout"].map(|name| {
                diesel::sql_query(format!("SELECT current_setting('{name}') AS value"))
                    .get_result::<Setting>(&mut connection)
                    .unwrap()
                    .value
            })
        }
    });
    assert_eq!(
        limits,
        ["5s".to_owned(), "3s".to_owned()],
        "limits on pooled sessions"
    );

    // The crowd: every client connection open at once, each query run on
    // whichever server connection PgBouncer lends; the server ends up with
    // no more than the pool, and every query succeeds.
    let started = Instant::now();
    let crowd = in_thread({
        let pooled = pooled.clone();
        let direct = direct.clone();
        let name = database.name.clone();
        move || crowd(&pooled, &direct, &name)
    });
    let elapsed = started.elapsed();
    assert_eq!(
        crowd.queries,
        CROWD_POOLS * CONNECTIONS_PER_POOL * QUERIES_PER_CONNECTION,
        "every client query succeeded; {} failed, first: {:?}",
        crowd.errors.len(),
        crowd.errors.iter().take(3).collect::<Vec<_>>()
    );
    assert!(
        crowd.server_pids.len() <= POOL_SIZE as usize,
        "{} server connections served the crowd, more than PgBouncer's pool of {POOL_SIZE}",
        crowd.server_pids.len()
    );
    assert!(
        crowd.peak_server_connections <= i64::from(POOL_SIZE),
        "the server saw {} pooled connections at once",
        crowd.peak_server_connections
    );
    // No server connection is left to the crowd's database beyond the pool
    // and the two direct listeners.
    let now = query_count(
        &direct,
        &format!(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{}'",
            database.name
        ),
    );
    assert!(
        now <= i64::from(POOL_SIZE) + 2 + 1,
        "{now} connections to the database"
    );

    // Optional, not asserted: prepared statements on, through the same
    // transaction pooler (PgBouncer before 1.21 does not track them).
    let prepared_on = in_thread({
        let pooled = pooled.clone();
        move || prepared_statements_through_the_pooler(&pooled)
    });

    for instance in [&a, &b] {
        assert_no_secrets(&format!("pgbouncer: {}", instance.label), &instance.logs());
        assert!(
            !instance.logs().contains("prepared statement"),
            "{}: a prepared statement failed:\n{}",
            instance.label,
            instance.logs()
        );
    }
    println!(
        "pgbouncer: {summary}; crowd of {} client connections ran {} queries in {elapsed:?} on {} \
         server connections (peak seen {}); with prepared statements on: {prepared_on}",
        CROWD_POOLS * CONNECTIONS_PER_POOL,
        crowd.queries,
        crowd.server_pids.len(),
        crowd.peak_server_connections
    );
}

#[derive(Debug)]
struct WithoutStatementCache;

impl diesel::r2d2::CustomizeConnection<PgConnection, diesel::r2d2::Error>
    for WithoutStatementCache
{
    fn on_acquire(&self, connection: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        connection.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
        Ok(())
    }
}

fn in_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(work).join().expect("thread")
}

struct Crowd {
    queries: usize,
    errors: Vec<String>,
    server_pids: BTreeSet<i32>,
    peak_server_connections: i64,
}

/// `CROWD_POOLS` r2d2 pools of `CONNECTIONS_PER_POOL` through PgBouncer
/// (as many instances would have), every connection checked out at once,
/// then each runs its queries; a sampler on a direct connection watches
/// how many connections the server has to the database meanwhile.
fn crowd(pooled: &str, direct: &str, database: &str) -> Crowd {
    let pools: Vec<r2d2::Pool<diesel::r2d2::ConnectionManager<PgConnection>>> = (0..CROWD_POOLS)
        .map(|_| {
            r2d2::Pool::builder()
                .max_size(CONNECTIONS_PER_POOL as u32)
                .min_idle(Some(0))
                .connection_timeout(Duration::from_secs(30))
                // As runstrong's own pools behind a pooler: without it even
                // r2d2's check-out test (`SELECT 1`, prepared) fails with
                // "prepared statement \"__diesel_stmt_1\" already exists".
                .connection_customizer(Box::new(WithoutStatementCache))
                .build_unchecked(diesel::r2d2::ConnectionManager::new(format!(
                    "{pooled}&application_name=crowd"
                )))
        })
        .collect();
    let clients = CROWD_POOLS * CONNECTIONS_PER_POOL;
    let all_open = Arc::new(Barrier::new(clients + 1));
    let results = Arc::new(Mutex::new((0usize, Vec::new(), BTreeSet::new())));
    let threads: Vec<_> = pools
        .iter()
        .flat_map(|pool| (0..CONNECTIONS_PER_POOL).map(move |_| pool.clone()))
        .map(|pool| {
            let (all_open, results) = (Arc::clone(&all_open), Arc::clone(&results));
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let connection = pool.get();
                    all_open.wait();
                    let mut connection = match connection {
                        Ok(connection) => connection,
                        Err(error) => {
                            results.lock().unwrap().1.push(error.to_string());
                            return;
                        }
                    };
                    for _ in 0..QUERIES_PER_CONNECTION {
                        let served = diesel::sql_query(
                            "SELECT pg_backend_pid() AS pid FROM pg_sleep(0.005)",
                        )
                        .get_result::<Served>(&mut *connection);
                        let mut results = results.lock().unwrap();
                        match served {
                            Ok(served) => {
                                results.0 += 1;
                                results.2.insert(served.pid);
                            }
                            Err(error) => results.1.push(error.to_string()),
                        }
                    }
                })
                .expect("spawn a crowd client")
        })
        .collect();
    // Sample the server while the crowd runs.
    let mut sampler = PgConnection::establish(direct).expect("sampler");
    let count = format!(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{database}' \
         AND application_name IS DISTINCT FROM 'runstrong-direct' AND pid <> pg_backend_pid()"
    );
    all_open.wait();
    let mut peak = 0;
    while threads.iter().any(|thread| !thread.is_finished()) {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        if let Ok(row) = diesel::sql_query(&count).get_result::<N>(&mut sampler) {
            peak = peak.max(row.n);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    for thread in threads {
        thread.join().expect("crowd client");
    }
    let (queries, errors, server_pids) = std::mem::take(&mut *results.lock().unwrap());
    Crowd {
        queries,
        errors,
        server_pids,
        peak_server_connections: peak,
    }
}

/// What diesel's default (named statements, prepared once per connection)
/// meets in a transaction pooler: a few connections each run the same
/// query several times, so it is prepared on one server connection and
/// executed on others. Reported, not asserted (newer PgBouncers with
/// `max_prepared_statements` handle it).
fn prepared_statements_through_the_pooler(pooled: &str) -> String {
    use diesel::prelude::*;
    diesel::table! { pg_database (oid) { oid -> Oid, datname -> Text, } }
    let mut failures = Vec::new();
    let mut ok = 0;
    let mut connections: Vec<PgConnection> = (0..4)
        .filter_map(|_| PgConnection::establish(pooled).ok())
        .collect();
    for round in 0u32..5 {
        for connection in &mut connections {
            match pg_database::table
                .select(pg_database::datname)
                .filter(pg_database::oid.gt(round))
                .first::<String>(connection)
            {
                Ok(_) => ok += 1,
                Err(error) => failures.push(error.to_string()),
            }
        }
    }
    failures.sort();
    failures.dedup();
    format!("{ok} of 20 queries succeeded, failures: {failures:?}")
}
