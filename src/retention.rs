//! The retention job: every `RUNSTRONG_RETENTION_INTERVAL_S`, whichever
//! instance takes the advisory lock purges expired rows in small batches,
//! so that storage anonymous requests fill (throttle rows for emails and
//! addresses nobody will use again) stays bounded, and so does the table
//! of idempotency keys (each remembered `RUNSTRONG_IDEMPOTENCY_RETENTION_H`)
//! and of finished webhook deliveries (30 days).
//!
//! Each batch is its own short transaction holding the lock, so a purge
//! never blocks sign-ins for long, and instances never purge at once.
//!
//! The lock is transaction-scoped (`pg_try_advisory_xact_lock`), taken and
//! released (at commit) inside one transaction: it works through PgBouncer
//! in transaction mode, which keeps a transaction on one server
//! connection. A session-level lock would not (it would stay on a server
//! connection other clients get next), so none is used on the pool.

use std::time::Duration;

use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_types::Bool};
use tokio::task::JoinHandle;

use crate::db::{self, PgPool};
use crate::error::ApiError;
use crate::repo::{idempotency, throttle, webhooks};

/// Key of the advisory lock the purge holds ("rs-purge").
const PURGE_LOCK_KEY: i64 = 0x7273_2d70_7572_6765;

/// Finished webhook deliveries (and their attempts) are kept this long
/// for `GET /v1/webhooks/{id}/deliveries`.
pub const WEBHOOK_DELIVERY_RETENTION: Duration = Duration::from_secs(30 * 86_400);

/// Rows deleted per table and transaction.
const BATCH: i64 = 500;

/// Starts the periodic purge on the current runtime; abort the handle to
/// stop it.
pub fn start(pool: PgPool, interval: Duration, idempotency_retention: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            let pool = pool.clone();
            match db::run(&pool, move |connection| {
                purge_all(connection, idempotency_retention)
            })
            .await
            {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "retention: expired rows purged"),
                // The next round tries again; the database may be away.
                Err(error) => tracing::warn!(%error, "retention: purge failed"),
            }
        }
    })
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Purges batch after batch while another instance does not hold the
/// lock; returns the rows deleted.
pub fn purge_all(
    connection: &mut PgConnection,
    idempotency_retention: Duration,
) -> Result<usize, ApiError> {
    let mut purged = 0;
    loop {
        let batch = connection.transaction(|connection| {
            let lock: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
                .bind::<diesel::sql_types::BigInt, _>(PURGE_LOCK_KEY)
                .get_result(connection)?;
            if !lock.locked {
                return Ok::<_, ApiError>(None);
            }
            let throttles = throttle::purge_expired(connection, BATCH)?;
            let keys = idempotency::purge_older_than(connection, idempotency_retention, BATCH)?;
            let deliveries =
                webhooks::purge_finished(connection, WEBHOOK_DELIVERY_RETENTION, BATCH)?;
            let warnings = webhooks::purge_announced(connection, BATCH)?;
            Ok(Some(throttles + keys + deliveries + warnings))
        })?;
        match batch {
            Some(deleted) => {
                purged += deleted;
                if deleted == 0 {
                    return Ok(purged);
                }
            }
            None => return Ok(purged),
        }
    }
}
