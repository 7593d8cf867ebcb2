//! Whether the read replica may be read from now: a flag the request path
//! reads without waiting, refreshed in the background once a second by a
//! check on a connection of its own, and cleared at once by a request that
//! could not use the replica (so only the few requests in flight when it
//! went away pay for finding out).
//!
//! Lag is measured on the replica as the age of the last transaction it
//! replayed (`now() - pg_last_xact_replay_timestamp()`), but only while it
//! has received WAL it has not replayed yet: a replica that replayed all it
//! received is as fresh as its primary, however long ago the primary last
//! wrote (an idle primary must not look lagged). Replay paused or stuck
//! behind a long conflict shows as received-but-not-replayed WAL with an
//! ageing timestamp. Not measured here: a replica whose WAL receiver lost
//! its primary looks caught up; the per-read fence (`db::reads`) is what
//! keeps a client's own writes visible regardless.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use diesel::{
    PgConnection, QueryableByName, RunQueryDsl,
    sql_types::{BigInt, Bool, Nullable},
};
use tokio::task::JoinHandle;

/// How often the background check runs.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// A check that has not answered within this long marks the replica
/// unusable: a host that vanished must not keep receiving reads while the
/// check waits for the kernel to give up on its socket.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// What the replica reports about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct LagSample {
    #[diesel(sql_type = Bool)]
    pub in_recovery: bool,
    /// Everything received has been replayed.
    #[diesel(sql_type = Bool)]
    pub replayed_all_received: bool,
    /// Milliseconds since the last replayed transaction committed on the
    /// primary; `None` when none was replayed since the replica started.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub replay_age_ms: Option<i64>,
}

/// The verdict on one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Read from it; `lag_ms` as measured (0 when caught up).
    Usable { lag_ms: i64 },
    /// Behind by more than the limit (`None`: by an unknown amount).
    Lagging { lag_ms: Option<i64> },
    /// Not in recovery: promoted, or the URL names a primary. Its data may
    /// diverge from the primary's, so it is not read from.
    NotAReplica,
}

/// Decides from one sample; `max_lag` is `RUNSTRONG_REPLICA_MAX_LAG_MS`.
pub fn assess(sample: LagSample, max_lag: Duration) -> Health {
    if !sample.in_recovery {
        return Health::NotAReplica;
    }
    if sample.replayed_all_received {
        return Health::Usable { lag_ms: 0 };
    }
    let limit = i64::try_from(max_lag.as_millis()).unwrap_or(i64::MAX);
    match sample.replay_age_ms {
        // Clock skew between the hosts can make the age negative: a
        // replay that recent is not lag.
        Some(age) if age <= limit => Health::Usable { lag_ms: age.max(0) },
        age => Health::Lagging { lag_ms: age },
    }
}

/// The shared flag and the last measured lag (for the metrics).
#[derive(Debug, Default)]
pub struct ReplicaHealth {
    usable: AtomicBool,
    /// -1 while unknown.
    lag_ms: AtomicI64,
    /// Times it went from usable to unusable: the replica's pool drops
    /// connections opened before the latest (see `db::PgManager`).
    outages: Arc<AtomicU64>,
}

impl ReplicaHealth {
    /// Unusable until the first check says otherwise: an instance that
    /// starts while the replica is down never waits on it.
    pub fn new() -> Self {
        ReplicaHealth {
            usable: AtomicBool::new(false),
            lag_ms: AtomicI64::new(-1),
            outages: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The outage count, for the replica's pool.
    pub fn outages(&self) -> Arc<AtomicU64> {
        self.outages.clone()
    }

    /// Clears the flag; true when it was set (a new outage begins).
    fn clear(&self) -> bool {
        let was = self.usable.swap(false, Ordering::Relaxed);
        if was {
            self.outages.fetch_add(1, Ordering::Relaxed);
        }
        was
    }

    pub fn is_usable(&self) -> bool {
        self.usable.load(Ordering::Relaxed)
    }

    pub fn lag_ms(&self) -> i64 {
        self.lag_ms.load(Ordering::Relaxed)
    }

    /// A request found the replica unusable (no connection, an error on
    /// it); the next check decides when it is back.
    pub fn mark_unusable(&self, cause: &str) {
        if self.clear() {
            tracing::warn!(%cause, "read replica unusable: reads go to the primary");
        }
    }

    fn record(&self, health: Result<Health, String>) {
        let (usable, lag_ms) = match &health {
            Ok(Health::Usable { lag_ms }) => (true, *lag_ms),
            Ok(Health::Lagging { lag_ms }) => (false, lag_ms.unwrap_or(-1)),
            Ok(Health::NotAReplica) | Err(_) => (false, -1),
        };
        self.lag_ms.store(lag_ms, Ordering::Relaxed);
        let was = if usable {
            self.usable.swap(true, Ordering::Relaxed)
        } else {
            self.clear()
        };
        match (was, usable, health) {
            (false, true, _) => tracing::info!(lag_ms, "read replica usable: reads go to it"),
            (true, false, Ok(Health::Lagging { lag_ms })) => {
                tracing::warn!(?lag_ms, "read replica lags: reads go to the primary")
            }
            (true, false, Ok(_)) => {
                tracing::warn!("read replica is not in recovery: reads go to the primary")
            }
            (true, false, Err(error)) => {
                tracing::warn!(%error, "read replica check failed: reads go to the primary")
            }
            _ => {}
        }
    }
}

const LAG_SQL: &str = "SELECT pg_is_in_recovery() AS in_recovery, \
     COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false) \
       AS replayed_all_received, \
     (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::bigint \
       AS replay_age_ms";

/// One sample from the replica.
pub fn sample(connection: &mut PgConnection) -> diesel::QueryResult<LagSample> {
    diesel::sql_query(LAG_SQL).get_result(connection)
}

/// Starts the background check on the current runtime; abort the handle
/// to stop it. At most one check is in flight at any time.
pub fn start(url: String, max_lag: Duration, health: Arc<ReplicaHealth>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut connection: Option<PgConnection> = None;
        loop {
            let url = url.clone();
            let mut check = tokio::task::spawn_blocking(move || check_once(&url, connection));
            let finished = match tokio::time::timeout(CHECK_TIMEOUT, &mut check).await {
                Ok(finished) => finished,
                Err(_elapsed) => {
                    health.record(Err(format!(
                        "no answer within {} ms",
                        CHECK_TIMEOUT.as_millis()
                    )));
                    // libpq cannot be interrupted: wait for this check to
                    // give up on its socket (the keepalives bound that)
                    // rather than piling up new ones behind it.
                    check.await
                }
            };
            let (open, verdict) = finished.unwrap_or_else(|error| (None, Err(error.to_string())));
            connection = open;
            health.record(verdict.map(|sample| assess(sample, max_lag)));
            tokio::time::sleep(CHECK_INTERVAL).await;
        }
    })
}

/// One check on `connection`, or on a new one; the connection comes back
/// only when it worked (a failed one is dropped and the next check opens
/// anew).
fn check_once(
    url: &str,
    connection: Option<PgConnection>,
) -> (Option<PgConnection>, Result<LagSample, String>) {
    let mut open = match connection {
        Some(open) => open,
        None => match super::establish(url) {
            Ok(open) => open,
            Err(error) => return (None, Err(error.to_string())),
        },
    };
    match sample(&mut open) {
        Ok(sample) => (Some(open), Ok(sample)),
        Err(error) => (None, Err(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_millis(5000);

    fn replica(replayed_all_received: bool, replay_age_ms: Option<i64>) -> LagSample {
        LagSample {
            in_recovery: true,
            replayed_all_received,
            replay_age_ms,
        }
    }

    #[test]
    fn a_caught_up_replica_of_an_idle_primary_is_not_lagging() {
        // The last replayed commit is an hour old, but nothing is pending.
        assert_eq!(
            assess(replica(true, Some(3_600_000)), LIMIT),
            Health::Usable { lag_ms: 0 }
        );
        // Nothing replayed since start, nothing pending either.
        assert_eq!(
            assess(replica(true, None), LIMIT),
            Health::Usable { lag_ms: 0 }
        );
    }

    #[test]
    fn pending_wal_counts_the_age_of_the_last_replay_against_the_limit() {
        assert_eq!(
            assess(replica(false, Some(120)), LIMIT),
            Health::Usable { lag_ms: 120 }
        );
        assert_eq!(
            assess(replica(false, Some(5000)), LIMIT),
            Health::Usable { lag_ms: 5000 }
        );
        assert_eq!(
            assess(replica(false, Some(5001)), LIMIT),
            Health::Lagging { lag_ms: Some(5001) }
        );
        // Pending WAL and no replay to date it by: assume the worst.
        assert_eq!(
            assess(replica(false, None), LIMIT),
            Health::Lagging { lag_ms: None }
        );
        // A replica clock a little ahead of the primary's.
        assert_eq!(
            assess(replica(false, Some(-40)), LIMIT),
            Health::Usable { lag_ms: 0 }
        );
    }

    #[test]
    fn a_server_out_of_recovery_is_never_read_from() {
        let promoted = LagSample {
            in_recovery: false,
            replayed_all_received: true,
            replay_age_ms: Some(0),
        };
        assert_eq!(assess(promoted, LIMIT), Health::NotAReplica);
    }

    #[test]
    fn a_request_that_fails_on_the_replica_clears_the_flag_until_the_next_check() {
        let health = ReplicaHealth::new();
        assert!(!health.is_usable(), "unusable until checked");
        health.record(Ok(Health::Usable { lag_ms: 3 }));
        assert!(health.is_usable());
        assert_eq!(health.lag_ms(), 3);
        assert_eq!(health.outages().load(Ordering::Relaxed), 0);
        health.mark_unusable("connection refused");
        assert!(!health.is_usable());
        assert_eq!(health.outages().load(Ordering::Relaxed), 1);
        health.record(Ok(Health::Lagging { lag_ms: Some(9000) }));
        assert!(!health.is_usable());
        assert_eq!(health.lag_ms(), 9000);
        assert_eq!(health.outages().load(Ordering::Relaxed), 1, "one outage");
        health.record(Ok(Health::Usable { lag_ms: 0 }));
        assert!(health.is_usable());
    }
}
