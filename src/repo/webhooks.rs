//! Queries of webhooks: subscriptions, the outbox, deliveries and their
//! attempts. The flow is described in `crate::webhooks`.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Date, Int4, Int8, Jsonb, Text, Timestamptz};
use uuid::Uuid;

use crate::ids::AccountId;

use super::error::{RepoError, RepoResult};
use crate::db::schema::{
    accounts, athletes, grants, webhook_attempts, webhook_deliveries, webhooks,
};
use crate::models::webhook::{AttemptRow, WebhookRow};
use crate::repo::access::active_grant;

/// Subscriptions one account may hold: each costs a fan-out lookup on
/// every write about its athletes.
pub const MAX_PER_ACCOUNT: i64 = 20;

/// Stores a subscription unless the account holds `MAX_PER_ACCOUNT`
/// already; the account's row is locked so that concurrent creates count
/// one after the other. `None` when the limit is reached.
pub fn create(connection: &mut PgConnection, row: &WebhookRow) -> RepoResult<Option<WebhookRow>> {
    connection.transaction(|connection| {
        accounts::table
            .find(row.account_id)
            .select(accounts::id)
            .for_update()
            .first::<Uuid>(connection)?;
        let held: i64 = webhooks::table
            .filter(webhooks::account_id.eq(row.account_id))
            .count()
            .get_result(connection)?;
        if held >= MAX_PER_ACCOUNT {
            return Ok(None);
        }
        let stored = diesel::insert_into(webhooks::table)
            .values((
                webhooks::id.eq(row.id),
                webhooks::account_id.eq(row.account_id),
                webhooks::url.eq(&row.url),
                webhooks::events.eq(&row.events),
                webhooks::secret_sealed.eq(&row.secret_sealed),
            ))
            .returning(WebhookRow::as_returning())
            .get_result(connection)?;
        Ok(Some(stored))
    })
}

pub fn list(connection: &mut PgConnection, account_id: AccountId) -> RepoResult<Vec<WebhookRow>> {
    Ok(webhooks::table
        .filter(webhooks::account_id.eq(account_id))
        .order(webhooks::id.asc())
        .select(WebhookRow::as_select())
        .load(connection)?)
}

/// The account's own subscription; another account's is not found.
pub fn find(
    connection: &mut PgConnection,
    account_id: AccountId,
    webhook_id: Uuid,
) -> RepoResult<Option<WebhookRow>> {
    Ok(webhooks::table
        .filter(webhooks::id.eq(webhook_id))
        .filter(webhooks::account_id.eq(account_id))
        .select(WebhookRow::as_select())
        .first(connection)
        .optional()?)
}

/// Deletes the account's subscription with its deliveries; false when it
/// had none of that id.
pub fn delete(
    connection: &mut PgConnection,
    account_id: AccountId,
    webhook_id: Uuid,
) -> RepoResult<bool> {
    let deleted = diesel::delete(
        webhooks::table
            .filter(webhooks::id.eq(webhook_id))
            .filter(webhooks::account_id.eq(account_id)),
    )
    .execute(connection)?;
    Ok(deleted == 1)
}

/// Where a page of attempts starts: after this attempt, newest first.
pub type AttemptPosition = (DateTime<Utc>, Uuid, i32);

/// Attempts of one subscription, newest first; `limit + 1` rows tell
/// whether there is a next page.
pub fn attempts(
    connection: &mut PgConnection,
    webhook_id: Uuid,
    after: Option<AttemptPosition>,
    limit: i64,
) -> RepoResult<Vec<AttemptRow>> {
    let mut query = webhook_attempts::table
        .inner_join(
            webhook_deliveries::table.on(webhook_deliveries::webhook_id
                .eq(webhook_attempts::webhook_id)
                .and(webhook_deliveries::id.eq(webhook_attempts::delivery_id))),
        )
        .filter(webhook_attempts::webhook_id.eq(webhook_id))
        .into_boxed();
    if let Some((at, delivery, attempt)) = after {
        query = query.filter(
            webhook_attempts::attempted_at
                .lt(at)
                .or(webhook_attempts::attempted_at.eq(at).and(
                    webhook_attempts::delivery_id
                        .gt(delivery)
                        .or(webhook_attempts::delivery_id
                            .eq(delivery)
                            .and(webhook_attempts::attempt.gt(attempt))),
                )),
        );
    }
    Ok(query
        .order((
            webhook_attempts::attempted_at.desc(),
            webhook_attempts::delivery_id.asc(),
            webhook_attempts::attempt.asc(),
        ))
        .limit(limit + 1)
        .select((
            webhook_attempts::delivery_id,
            webhook_attempts::attempt,
            webhook_attempts::attempted_at,
            webhook_attempts::status_code,
            webhook_attempts::error,
            webhook_attempts::next_retry_at,
            webhook_deliveries::event_type,
            webhook_deliveries::state,
        ))
        .load(connection)?)
}

// ---- The dispatcher's side ------------------------------------------

#[derive(Debug, QueryableByName)]
pub struct OutboxEvent {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub athlete_id: Uuid,
    #[diesel(sql_type = Int8)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Jsonb)]
    pub data: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub wants_warnings: bool,
}

/// Fans out up to `limit` outbox events in one statement: takes the
/// oldest no other instance holds (`SKIP LOCKED`), deletes them, and
/// inserts one delivery per subscription of an account that may read the
/// athlete now (the owner, or a coach with an active grant: the rule of
/// `repo::access`, here in SQL so that a batch costs one round trip; the
/// insert runs to completion although nothing reads it, as every
/// data-modifying `WITH` does).
/// Returns the events taken; those with `wants_warnings` are session
/// changes some reader's subscription wants `load.warning` for, which the
/// caller works out in the same transaction.
pub fn fan_out_batch(connection: &mut PgConnection, limit: i64) -> RepoResult<Vec<OutboxEvent>> {
    Ok(diesel::sql_query(
        "WITH batch AS (
             SELECT athlete_id, id FROM webhook_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED),
         taken AS (
             DELETE FROM webhook_outbox o USING batch
             WHERE o.athlete_id = batch.athlete_id AND o.id = batch.id
             RETURNING o.athlete_id, o.id, o.event_type, o.data, o.occurred_at),
         readers AS (
             SELECT a.id AS athlete_id, a.owner_account_id AS account_id
             FROM athletes a WHERE a.id IN (SELECT athlete_id FROM taken)
             UNION
             SELECT g.athlete_id, g.coach_account_id FROM grants g
             WHERE g.athlete_id IN (SELECT athlete_id FROM taken)
               AND g.revoked_at IS NULL AND g.status = 'active'),
         delivered AS (
             INSERT INTO webhook_deliveries (webhook_id, id, athlete_id, event_type, body)
             SELECT w.id, gen_random_uuid(), t.athlete_id, t.event_type,
                    json_build_object(
                        'type', t.event_type,
                        'timestamp', to_char(t.occurred_at AT TIME ZONE 'UTC',
                                             'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
                        'data', t.data)::text
             FROM taken t
             JOIN readers r ON r.athlete_id = t.athlete_id
             JOIN webhooks w ON w.account_id = r.account_id AND t.event_type = ANY (w.events))
         SELECT t.athlete_id, t.id, t.event_type, t.data, t.occurred_at,
                t.event_type LIKE 'session.%' AND EXISTS (
                    SELECT 1 FROM readers r JOIN webhooks w ON w.account_id = r.account_id
                    WHERE r.athlete_id = t.athlete_id AND 'load.warning' = ANY (w.events)
                ) AS wants_warnings
         FROM taken t
         ORDER BY t.id",
    )
    .bind::<BigInt, _>(limit)
    .load(connection)?)
}

/// The accounts that may read the athlete now: the owner and coaches with
/// an active grant (the rule of `repo::access`).
pub fn readers_of(connection: &mut PgConnection, athlete_id: Uuid) -> RepoResult<Vec<Uuid>> {
    let mut readers: Vec<Uuid> = athletes::table
        .find(athlete_id)
        .select(athletes::owner_account_id)
        .load(connection)?;
    readers.extend(
        grants::table
            .filter(grants::athlete_id.eq(athlete_id))
            .filter(active_grant())
            .select(grants::coach_account_id)
            .load::<Uuid>(connection)?,
    );
    Ok(readers)
}

/// The subscriptions of these accounts.
pub fn subscriptions_of(
    connection: &mut PgConnection,
    account_ids: &[Uuid],
) -> RepoResult<Vec<WebhookRow>> {
    Ok(webhooks::table
        .filter(webhooks::account_id.eq_any(account_ids))
        .select(WebhookRow::as_select())
        .load(connection)?)
}

pub struct NewDelivery {
    pub webhook_id: Uuid,
    pub id: Uuid,
    pub athlete_id: Uuid,
    pub event_type: String,
    pub body: String,
}

pub fn insert_deliveries(
    connection: &mut PgConnection,
    deliveries: &[NewDelivery],
) -> RepoResult<()> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = deliveries
        .iter()
        .map(|d| {
            (
                webhook_deliveries::webhook_id.eq(d.webhook_id),
                webhook_deliveries::id.eq(d.id),
                webhook_deliveries::athlete_id.eq(d.athlete_id),
                webhook_deliveries::event_type.eq(&d.event_type),
                webhook_deliveries::body.eq(&d.body),
            )
        })
        .collect();
    diesel::insert_into(webhook_deliveries::table)
        .values(rows)
        .execute(connection)?;
    Ok(())
}

#[derive(QueryableByName)]
struct Announced {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Date)]
    date: NaiveDate,
}

/// Load warnings of the athlete already announced in [from, to].
pub fn announced_warnings(
    connection: &mut PgConnection,
    athlete_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> RepoResult<Vec<(String, NaiveDate)>> {
    let rows: Vec<Announced> = diesel::sql_query(
        "SELECT kind, date FROM webhook_announced_warnings
         WHERE athlete_id = $1 AND date BETWEEN $2 AND $3",
    )
    .bind::<diesel::sql_types::Uuid, _>(athlete_id)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(connection)?;
    Ok(rows.into_iter().map(|row| (row.kind, row.date)).collect())
}

pub fn announce_warning(
    connection: &mut PgConnection,
    athlete_id: Uuid,
    kind: &str,
    date: NaiveDate,
) -> RepoResult<()> {
    diesel::sql_query(
        "INSERT INTO webhook_announced_warnings (athlete_id, kind, date) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind::<diesel::sql_types::Uuid, _>(athlete_id)
    .bind::<Text, _>(kind)
    .bind::<Date, _>(date)
    .execute(connection)?;
    Ok(())
}

/// A delivery leased for sending, with what sending needs.
#[derive(Debug, Clone, QueryableByName)]
pub struct DueDelivery {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub webhook_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub athlete_id: Uuid,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Int4)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub account_id: Uuid,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Bytea)]
    pub secret_sealed: Vec<u8>,
    /// Whether the subscriber may read the athlete now.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub readable: bool,
}

/// Leases up to `limit` due deliveries to instance `owner` for `lease`:
/// `SKIP LOCKED` lets instances lease side by side without waiting for or
/// sending the same one; a lease that runs out (its instance died) makes
/// the delivery due again.
pub fn lease_due(
    connection: &mut PgConnection,
    owner: Uuid,
    limit: i64,
    lease: Duration,
) -> RepoResult<Vec<DueDelivery>> {
    Ok(diesel::sql_query(
        "WITH due AS (
             SELECT webhook_id, id FROM webhook_deliveries
             WHERE state = 'pending' AND next_attempt_at <= now()
               AND (lease_until IS NULL OR lease_until < now())
             ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED),
         leased AS (
             UPDATE webhook_deliveries d
             SET lease_until = now() + make_interval(secs => $3), lease_owner = $2
             FROM due WHERE d.webhook_id = due.webhook_id AND d.id = due.id
             RETURNING d.webhook_id, d.id, d.athlete_id, d.body, d.attempts, d.created_at)
         SELECT leased.*, w.account_id, w.url, w.secret_sealed,
                EXISTS (SELECT 1 FROM athletes a
                        WHERE a.id = leased.athlete_id AND a.owner_account_id = w.account_id)
                OR EXISTS (SELECT 1 FROM grants g
                           WHERE g.athlete_id = leased.athlete_id AND g.coach_account_id = w.account_id
                             AND g.revoked_at IS NULL AND g.status = 'active') AS readable
         FROM leased JOIN webhooks w ON w.id = leased.webhook_id",
    )
    .bind::<BigInt, _>(limit)
    .bind::<diesel::sql_types::Uuid, _>(owner)
    .bind::<diesel::sql_types::Double, _>(lease.as_secs_f64())
    .load(connection)?)
}

/// What became of one attempt.
pub struct AttemptOutcome {
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    /// Delivered (2xx), to be retried at this time, or given up.
    pub next: NextStep,
}

pub enum NextStep {
    Delivered,
    RetryAt(DateTime<Utc>),
    GiveUp,
}

/// One attempt to record: which delivery, its number, what became of it.
pub struct FinishedAttempt {
    pub webhook_id: Uuid,
    pub delivery_id: Uuid,
    /// 1 for the first attempt of the delivery.
    pub attempt: i32,
    pub outcome: AttemptOutcome,
}

impl FinishedAttempt {
    fn state(&self) -> &'static str {
        match self.outcome.next {
            NextStep::Delivered => "delivered",
            NextStep::RetryAt(_) => "pending",
            NextStep::GiveUp => "failed",
        }
    }

    fn next_retry_at(&self) -> Option<DateTime<Utc>> {
        match self.outcome.next {
            NextStep::RetryAt(at) => Some(at),
            _ => None,
        }
    }
}

/// Records a batch of attempts and moves their deliveries on, releasing
/// their leases: two statements and one commit for the whole batch, so
/// that recording costs the database little per event.
///
/// The commit is asynchronous (`synchronous_commit = off`): a crash may
/// lose the last fraction of a second of records, and then those
/// deliveries are sent again when their leases run out, with the same
/// `webhook-id` — at least once, as promised, at no fsync per batch.
///
/// A subscription deleted meanwhile has nowhere to record: its attempts
/// are skipped. Should the deletion land between the check and the insert
/// (a foreign key violation), the batch is recorded one attempt at a time.
pub fn record_attempts(
    connection: &mut PgConnection,
    attempts: &[FinishedAttempt],
) -> RepoResult<()> {
    match record_batch(connection, attempts) {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) if attempts.len() > 1 => {
            for attempt in attempts {
                match record_batch(connection, std::slice::from_ref(attempt)) {
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                        _,
                    )) => {}
                    other => other?,
                }
            }
            Ok(())
        }
        other => Ok(other?),
    }
}

fn record_batch(
    connection: &mut PgConnection,
    attempts: &[FinishedAttempt],
) -> Result<(), diesel::result::Error> {
    use diesel::sql_types::{Array, Nullable, SmallInt, Uuid as SqlUuid};
    let webhook_ids: Vec<Uuid> = attempts.iter().map(|a| a.webhook_id).collect();
    let delivery_ids: Vec<Uuid> = attempts.iter().map(|a| a.delivery_id).collect();
    let numbers: Vec<i32> = attempts.iter().map(|a| a.attempt).collect();
    let attempted_at: Vec<DateTime<Utc>> =
        attempts.iter().map(|a| a.outcome.attempted_at).collect();
    let status_codes: Vec<Option<i16>> = attempts
        .iter()
        .map(|a| a.outcome.status_code.map(|code| code as i16))
        .collect();
    let errors: Vec<Option<&str>> = attempts
        .iter()
        .map(|a| a.outcome.error.as_deref())
        .collect();
    let retries: Vec<Option<DateTime<Utc>>> = attempts
        .iter()
        .map(FinishedAttempt::next_retry_at)
        .collect();
    let states: Vec<&str> = attempts.iter().map(FinishedAttempt::state).collect();
    connection.transaction(|connection| {
        diesel::sql_query("SET LOCAL synchronous_commit = off").execute(connection)?;
        diesel::sql_query(
            "INSERT INTO webhook_attempts
                 (webhook_id, delivery_id, attempt, attempted_at, status_code, error, next_retry_at)
             SELECT a.* FROM unnest($1, $2, $3, $4, $5, $6, $7)
                 AS a (webhook_id, delivery_id, attempt, attempted_at, status_code, error, next_retry_at)
             WHERE EXISTS (SELECT 1 FROM webhooks WHERE webhooks.id = a.webhook_id)
             ON CONFLICT DO NOTHING",
        )
        .bind::<Array<SqlUuid>, _>(&webhook_ids)
        .bind::<Array<SqlUuid>, _>(&delivery_ids)
        .bind::<Array<Int4>, _>(&numbers)
        .bind::<Array<Timestamptz>, _>(&attempted_at)
        .bind::<Array<Nullable<SmallInt>>, _>(&status_codes)
        .bind::<Array<Nullable<Text>>, _>(&errors)
        .bind::<Array<Nullable<Timestamptz>>, _>(&retries)
        .execute(connection)?;
        // Only what is still to be sent moves on.
        diesel::sql_query(
            "UPDATE webhook_deliveries AS d
             SET state = u.state, attempts = u.attempt,
                 next_attempt_at = coalesce(u.next_retry_at, u.attempted_at),
                 lease_until = NULL, lease_owner = NULL,
                 finished_at = CASE WHEN u.state <> 'pending' THEN now() END
             FROM unnest($1, $2, $3, $4, $5, $6)
                 AS u (webhook_id, id, attempt, attempted_at, next_retry_at, state)
             WHERE d.webhook_id = u.webhook_id AND d.id = u.id AND d.state = 'pending'",
        )
        .bind::<Array<SqlUuid>, _>(&webhook_ids)
        .bind::<Array<SqlUuid>, _>(&delivery_ids)
        .bind::<Array<Int4>, _>(&numbers)
        .bind::<Array<Timestamptz>, _>(&attempted_at)
        .bind::<Array<Nullable<Timestamptz>>, _>(&retries)
        .bind::<Array<Text>, _>(&states)
        .execute(connection)?;
        Ok(())
    })
}

/// Gives back the leases `owner` still holds (at shutdown), so that
/// another instance sends those deliveries at once rather than after the
/// lease runs out.
pub fn release_leases(connection: &mut PgConnection, owner: Uuid) -> RepoResult<usize> {
    Ok(diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::lease_owner.eq(owner))
            .filter(webhook_deliveries::state.eq("pending")),
    )
    .set((
        webhook_deliveries::lease_until.eq(None::<DateTime<Utc>>),
        webhook_deliveries::lease_owner.eq(None::<Uuid>),
    ))
    .execute(connection)?)
}

/// Deletes up to `batch` finished deliveries (with their attempts)
/// finished before `older_than` ago.
pub fn purge_finished(
    connection: &mut PgConnection,
    older_than: Duration,
    batch: i64,
) -> RepoResult<usize> {
    Ok(diesel::sql_query(
        "DELETE FROM webhook_deliveries WHERE (webhook_id, id) IN (
             SELECT webhook_id, id FROM webhook_deliveries
             WHERE state <> 'pending' AND finished_at < now() - make_interval(secs => $1)
             LIMIT $2)",
    )
    .bind::<diesel::sql_types::Double, _>(older_than.as_secs_f64())
    .bind::<BigInt, _>(batch)
    .execute(connection)?)
}

/// Announced warnings older than the reach of any change (a session moves
/// warnings at most four weeks ahead; a year back is ample).
pub fn purge_announced(connection: &mut PgConnection, batch: i64) -> RepoResult<usize> {
    Ok(diesel::sql_query(
        "DELETE FROM webhook_announced_warnings WHERE (athlete_id, kind, date) IN (
             SELECT athlete_id, kind, date FROM webhook_announced_warnings
             WHERE announced_at < now() - interval '400 days' LIMIT $1)",
    )
    .bind::<BigInt, _>(batch)
    .execute(connection)?)
}

#[derive(QueryableByName)]
struct StoredKey {
    #[diesel(sql_type = Bytea)]
    key: Vec<u8>,
}

/// The development sealing key kept in the database, made on first use.
pub fn stored_sealing_key(connection: &mut PgConnection) -> RepoResult<[u8; 32]> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(RepoError::internal)?;
    diesel::sql_query("INSERT INTO webhook_sealing_key (key) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind::<Bytea, _>(fresh.as_slice())
        .execute(connection)?;
    let stored: StoredKey =
        diesel::sql_query("SELECT key FROM webhook_sealing_key").get_result(connection)?;
    stored
        .key
        .try_into()
        .map_err(|_| RepoError::internal("the stored sealing key is not 32 bytes"))
}
