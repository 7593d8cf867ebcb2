//! Reads that may be served by the streaming replica (`RUNSTRONG_REPLICA_URL`):
//! lists, the load report, adherence. Everything else — writes, reads in
//! a write's transaction, token and access checks, idempotency — runs on
//! the primary through `db::run`.
//!
//! A routed read comes in two parts. The *check* (authentication and
//! access) runs on the primary, so a revoked token or grant is refused at
//! once, and also reads the primary's flushed WAL position: the *fence*.
//! The *read* then runs on the replica once the replica has replayed up to
//! the fence (waiting at most `FENCE_WAIT`), else on the primary.
//!
//! The fence is how a client reads its own writes: a write answered before
//! the read began was committed, and with `synchronous_commit` on (the
//! default; `remote_*` too) its commit record was flushed, so it lies
//! before the fence. The fence is taken per request from the primary and
//! carried by nothing else — no cookie, no header, no per-instance memory
//! — so it holds across instances behind a load balancer, for any client,
//! and for writes made elsewhere (a coach's change the athlete then
//! lists). What it gives up: a read is never staler than its own start,
//! so when the replica trails the primary by more than `FENCE_WAIT` (a
//! burst of writes) reads go to the primary. With `synchronous_commit =
//! off` on the primary a commit may be acknowledged before it is flushed
//! and a read right after it may miss it.
//!
//! A replica that is down, lags past `RUNSTRONG_REPLICA_MAX_LAG_MS`, is
//! busier than its line allows or fails a read sends the read to the
//! primary; the flag in `replica_health` makes the next reads skip it
//! without waiting, until the background check finds it usable again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::{
    PgConnection, QueryableByName, RunQueryDsl,
    sql_types::{BigInt, Nullable},
};
use prometheus::{IntCounterVec, Opts};
use tokio::task::JoinHandle;

use super::{PgPool, replica_health::ReplicaHealth};
use crate::{config::Config, error::ApiError};

/// How long a read waits for the replica to replay up to its fence before
/// going to the primary. Streaming replay on a local network is well under
/// a millisecond behind; this absorbs short bursts.
pub const FENCE_WAIT: Duration = Duration::from_millis(25);

/// How long a read waits for a replica connection (its line and its pool
/// checkout): a replica that does not give one quickly is skipped, so a
/// dead one costs a request this much at most, never the pool timeout.
pub const REPLICA_CHECKOUT_TIMEOUT: Duration = Duration::from_millis(250);

/// Where a read was served and why (the `db_routed_reads_total` labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Replica,
    /// No replica is configured.
    NoReplica,
    /// Down, lagging or not a replica at the last check (or a failed read
    /// since).
    ReplicaUnusable,
    /// It had not replayed up to the read's fence within `FENCE_WAIT`.
    ReplicaBehindWrite,
    /// Its line was full or no connection came within the checkout timeout.
    ReplicaBusy,
    /// The read failed on it (a lost connection, a recovery conflict).
    ReplicaFailed,
}

impl Route {
    fn labels(self) -> [&'static str; 2] {
        match self {
            Route::Replica => ["replica", "fence_replayed"],
            Route::NoReplica => ["primary", "no_replica"],
            Route::ReplicaUnusable => ["primary", "replica_unusable"],
            Route::ReplicaBehindWrite => ["primary", "replica_behind_write"],
            Route::ReplicaBusy => ["primary", "replica_busy"],
            Route::ReplicaFailed => ["primary", "replica_failed"],
        }
    }
}

/// The primary pool, and the replica when one is configured.
pub struct Reads {
    primary: PgPool,
    replica: Option<Replica>,
    routed: IntCounterVec,
}

struct Replica {
    pool: PgPool,
    health: Arc<ReplicaHealth>,
}

impl Reads {
    /// The router for `config`, and the background health check when a
    /// replica is configured (abort it at shutdown).
    pub fn new(config: &Config, primary: PgPool) -> (Reads, Option<JoinHandle<()>>) {
        let routed = IntCounterVec::new(
            Opts::new(
                "db_routed_reads_total",
                "Replica-eligible reads, by the server that answered them and why",
            ),
            &["served_by", "reason"],
        )
        .expect("valid metric");
        let Some(url) = config.replica_url.clone() else {
            return (
                Reads {
                    primary,
                    replica: None,
                    routed,
                },
                None,
            );
        };
        let health = Arc::new(ReplicaHealth::new());
        let check =
            super::replica_health::start(url.clone(), config.replica_max_lag, health.clone());
        let pool = super::build_pool_counting_outages(
            &Config {
                database_url: url,
                pool_timeout: REPLICA_CHECKOUT_TIMEOUT.min(config.pool_timeout),
                ..config.clone()
            },
            Some(health.outages()),
        );
        let replica = Replica { pool, health };
        (
            Reads {
                primary,
                replica: Some(replica),
                routed,
            },
            Some(check),
        )
    }

    /// The counter, for the metrics registry.
    pub fn routed_counter(&self) -> IntCounterVec {
        self.routed.clone()
    }

    /// Whether the replica is usable and its last measured lag (-1:
    /// unknown), for the metrics; `None` without a replica.
    pub fn replica_state(&self) -> Option<(bool, i64)> {
        self.replica
            .as_ref()
            .map(|replica| (replica.health.is_usable(), replica.health.lag_ms()))
    }

    /// Runs `check` on the primary, then `read` on the replica or the
    /// primary (see the module documentation).
    pub async fn run<T, C, R>(&self, check: C, read: R) -> Result<T, ApiError>
    where
        C: FnOnce(&mut PgConnection) -> Result<(), ApiError> + Send + 'static,
        R: Fn(&mut PgConnection) -> Result<T, ApiError> + Send + Sync + 'static,
        T: Send + 'static,
    {
        let ((), value) = self.run_with(check, move |c, ()| read(c)).await?;
        Ok(value)
    }

    /// As `run`, when the read needs what the check found (a stored plan):
    /// answers both.
    pub async fn run_with<K, T, C, R>(&self, check: C, read: R) -> Result<(K, T), ApiError>
    where
        C: FnOnce(&mut PgConnection) -> Result<K, ApiError> + Send + 'static,
        R: Fn(&mut PgConnection, &K) -> Result<T, ApiError> + Send + Sync + 'static,
        K: Clone + Send + Sync + 'static,
        T: Send + 'static,
    {
        let replica = match &self.replica {
            Some(replica) if replica.health.is_usable() => replica,
            unusable => {
                let route = match unusable {
                    None => Route::NoReplica,
                    Some(_) => Route::ReplicaUnusable,
                };
                // One trip to the primary, as without a replica.
                let result = super::run(&self.primary, move |connection| {
                    let key = check(connection)?;
                    let value = read(connection, &key)?;
                    Ok((key, value))
                })
                .await;
                self.count(route);
                return result;
            }
        };
        let (key, fence) = super::run(&self.primary, move |connection| {
            let key = check(connection)?;
            Ok((key, primary_position(connection)?))
        })
        .await?;
        let key = Arc::new(key);
        let read = Arc::new(read);
        let route = match replica.attempt(fence, key.clone(), read.clone()).await? {
            Ok(value) => {
                self.count(Route::Replica);
                return Ok((unshare(key), value));
            }
            Err(route) => route,
        };
        self.count(route);
        let shared = key.clone();
        let value = super::run(&self.primary, move |connection| read(connection, &shared)).await?;
        Ok((unshare(key), value))
    }

    fn count(&self, route: Route) {
        self.routed.with_label_values(&route.labels()).inc();
    }
}

impl Replica {
    /// The read on the replica: `Ok(Ok(value))` served, `Ok(Err(route))`
    /// to be served by the primary instead, `Err` an answer of the read
    /// itself (a 4xx).
    async fn attempt<K, T, R>(
        &self,
        fence: i64,
        key: Arc<K>,
        read: Arc<R>,
    ) -> Result<Result<T, Route>, ApiError>
    where
        R: Fn(&mut PgConnection, &K) -> Result<T, ApiError> + Send + Sync + 'static,
        K: Send + Sync + 'static,
        T: Send + 'static,
    {
        let result = super::run(&self.pool, move |connection| {
            if !wait_for_replay(connection, fence, FENCE_WAIT)? {
                return Ok(None);
            }
            read(connection, &key).map(Some)
        })
        .await;
        match result {
            Ok(Some(value)) => Ok(Ok(value)),
            Ok(None) => Ok(Err(Route::ReplicaBehindWrite)),
            Err(ApiError::Overloaded { .. }) => Ok(Err(Route::ReplicaBusy)),
            Err(ApiError::Unavailable(cause)) => {
                // A checkout timeout as well as a lost connection: either
                // way, later reads should not wait on it until it is
                // checked again.
                self.health.mark_unusable(&cause);
                Ok(Err(Route::ReplicaFailed))
            }
            Err(ApiError::Internal(cause)) => {
                self.health.mark_unusable(&cause.to_string());
                Ok(Err(Route::ReplicaFailed))
            }
            Err(answer) => Err(answer),
        }
    }
}

/// The check's result back from its `Arc` (the read has let go of it by
/// now; a clone if not).
fn unshare<K: Clone>(key: Arc<K>) -> K {
    Arc::try_unwrap(key).unwrap_or_else(|shared| (*shared).clone())
}

#[derive(QueryableByName)]
struct WalPosition {
    #[diesel(sql_type = Nullable<BigInt>)]
    lsn: Option<i64>,
}

/// The primary's flushed WAL position, in bytes: every commit acknowledged
/// so far lies before it (with `synchronous_commit` on).
pub fn primary_position(connection: &mut PgConnection) -> Result<i64, ApiError> {
    let position: WalPosition =
        diesel::sql_query("SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint AS lsn")
            .get_result(connection)?;
    position
        .lsn
        .ok_or_else(|| ApiError::Internal("pg_current_wal_flush_lsn() is null".into()))
}

/// How far the replica has replayed; `None` on a server not in recovery.
pub fn replayed_position(connection: &mut PgConnection) -> Result<Option<i64>, ApiError> {
    let position: WalPosition =
        diesel::sql_query("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS lsn")
            .get_result(connection)?;
    Ok(position.lsn)
}

/// Whether a server that replayed up to `replayed` shows every commit
/// before `fence`. A server that replays nothing (not a replica) never
/// does: its data need not be the primary's.
pub fn has_replayed(replayed: Option<i64>, fence: i64) -> bool {
    replayed.is_some_and(|replayed| replayed >= fence)
}

/// Polls the replica until it has replayed up to `fence`, for at most
/// `budget`. Replay only moves forward, so a later snapshot on this
/// connection sees at least what the fence covers.
pub fn wait_for_replay(
    connection: &mut PgConnection,
    fence: i64,
    budget: Duration,
) -> Result<bool, ApiError> {
    let since = Instant::now();
    loop {
        if has_replayed(replayed_position(connection)?, fence) {
            return Ok(true);
        }
        if since.elapsed() >= budget {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_is_passed_only_by_a_replica_at_or_past_it() {
        assert!(has_replayed(Some(100), 100));
        assert!(has_replayed(Some(101), 100));
        assert!(!has_replayed(Some(99), 100));
        assert!(!has_replayed(None, 0), "a server out of recovery");
    }

    #[test]
    fn labels_are_a_closed_set() {
        for route in [
            Route::Replica,
            Route::NoReplica,
            Route::ReplicaUnusable,
            Route::ReplicaBehindWrite,
            Route::ReplicaBusy,
            Route::ReplicaFailed,
        ] {
            let [served_by, reason] = route.labels();
            assert_eq!(served_by == "replica", route == Route::Replica);
            assert!(!reason.is_empty());
        }
    }
}

#[cfg(test)]
mod fence_tests {
    use super::*;

    /// On the machine's PostgreSQL (a primary): the fence is a position,
    /// and a server not in recovery never passes it, so a replica URL
    /// that names a primary by mistake cannot serve reads.
    #[test]
    fn a_primary_gives_a_fence_and_never_passes_one() {
        let server = std::env::var("RUNSTRONG_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
        let mut connection =
            super::super::establish(&format!("{server}/postgres?sslmode=disable")).unwrap();
        let fence = primary_position(&mut connection).unwrap();
        assert!(fence > 0);
        assert_eq!(replayed_position(&mut connection).unwrap(), None);
        let started = Instant::now();
        assert!(!wait_for_replay(&mut connection, fence, Duration::from_millis(30)).unwrap());
        assert!(started.elapsed() >= Duration::from_millis(30));
    }
}
