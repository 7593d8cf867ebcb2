//! The common create of a logged session in one statement: authenticate,
//! check write access, claim the idempotency key with its final answer and
//! insert the row, in one round trip and one commit.
//!
//! The key and the session commit together or not at all, so no key is
//! ever left claimed without an answer. A concurrent request with the same
//! key waits on the key's row (bounded by the connection's lock timeout)
//! and then finds it taken. Creates whose references (sets, planned link)
//! or client-chosen id must be checked first take the transactional path
//! in `service::sessions` instead.
//!
//! Why two paths: measured with `bench/run` (the logged-session pairs),
//! this statement serves about 2.3 times the creates per second of the
//! transaction (its five round trips: authenticate, claim the key, insert,
//! answer the key, commit). Both write the columns of `LoggedValues`, the
//! one list of them.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Bytea, Jsonb, Nullable, Text, Timestamptz, Untyped};

use super::error::RepoResult;
use super::idempotency::in_flight;
use super::sessions::values;
use crate::domain::session::SessionInput;
use crate::ids::{AccountId, AthleteId, SessionId};
use crate::models::session::LoggedValues;
use crate::views::Session;

/// What PostgreSQL will store for a time: whole microseconds (sessions
/// start after 2000, so truncating matches diesel's conversion).
fn as_stored(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// A new session exactly as the database will hold it, built before the
/// insert so that its answer can be stored under the idempotency key
/// without reading the row back.
pub fn new_session(
    id: SessionId,
    athlete_id: AthleteId,
    input: &SessionInput,
    at: DateTime<Utc>,
) -> Session {
    let at = as_stored(at);
    Session {
        id,
        athlete_id,
        planned: input.planned.clone(),
        kind: input.kind,
        started_at: as_stored(input.started_at),
        finished_at: input.finished_at.map(as_stored),
        duration_min: input.duration_min,
        distance_km: input.distance_km,
        avg_hr: input.avg_hr,
        max_hr: None,
        elevation_gain_m: input.elevation_gain_m,
        rpe: Some(input.rpe),
        notes: input.notes.clone(),
        sets: input.sets.clone(),
        load: Some(input.load()),
        laps: None,
        source: None,
        trimp: None,
        created_at: at,
        updated_at: at,
        deleted: false,
    }
}

/// The answer an idempotent create stores under its key (its status is
/// 201: the one-statement path only creates).
pub struct KeyedAnswer<'a> {
    pub key: &'a str,
    pub request_sha256: &'a str,
    /// `Location` and `ETag`, as `StoredAnswer::headers`.
    pub headers: &'a serde_json::Value,
    pub body: &'a [u8],
}

/// How the one-statement create ended.
#[derive(Debug, PartialEq, Eq)]
pub enum OneStatementCreate {
    /// The token is not live.
    Unauthenticated,
    /// The athlete does not exist or the caller may not see it.
    NotVisible,
    /// The caller may only read the athlete.
    ReadOnly,
    Created,
    /// The idempotency key was already taken by `caller`: look up its
    /// stored answer.
    KeyTaken {
        caller: AccountId,
    },
}

#[derive(QueryableByName)]
struct Outcome {
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    caller_id: Option<AccountId>,
    #[diesel(sql_type = Bool)]
    visible: bool,
    #[diesel(sql_type = Bool)]
    writable: bool,
    #[diesel(sql_type = Bool)]
    inserted: bool,
}

/// The statement with its values, as a query type of its own rather than
/// `diesel::sql_query`, which diesel never keeps prepared: this one is
/// prepared once per connection and its plan reused, which saves most of
/// what PostgreSQL would otherwise spend on it.
struct CreateStatement<'a> {
    token_digest: &'a [u8],
    athlete_id: AthleteId,
    key: Option<&'a str>,
    request_sha256: Option<&'a str>,
    response_body: Option<&'a [u8]>,
    response_headers: Option<&'a serde_json::Value>,
    id: SessionId,
    created_at: DateTime<Utc>,
    /// The client's columns, written from the same list as every other
    /// insert and update of a session (`LoggedValues`).
    values: LoggedValues,
}

impl QueryFragment<Pg> for CreateStatement<'_> {
    /// Writes the statement; diesel numbers the placeholders itself, so a
    /// value used twice is pushed (and sent) twice.
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::sql_types::Uuid as SqlUuid;
        // Who calls: a live token's account.
        out.push_sql(
            "WITH caller AS (\
                SELECT accounts.id FROM tokens JOIN accounts ON accounts.id = tokens.account_id \
                WHERE tokens.token_sha256 = ",
        );
        out.push_bind_param::<Bytea, _>(&self.token_digest)?;
        // What it may do to the athlete: own it, or hold an active grant
        // (`AccessLevel::of` and `access::active_grant`, in SQL). Written
        // as literals on purpose: walking `active_grant()` in, with its
        // status as a bind, measured fewer creates per second in bench/run
        // (1.23 against 1.42 of the schema limit, mean of four rows).
        out.push_sql(
            " AND tokens.revoked_at IS NULL AND tokens.expires_at > now()\
            ), target AS (\
                SELECT athletes.owner_account_id = caller.id AS owned, grants.access \
                FROM caller JOIN athletes ON athletes.id = ",
        );
        out.push_bind_param::<SqlUuid, _>(&self.athlete_id)?;
        out.push_sql(
            " LEFT JOIN grants ON grants.athlete_id = athletes.id \
                    AND grants.coach_account_id = caller.id AND grants.revoked_at IS NULL \
                    AND grants.status = 'active'\
            ), writer AS (\
                SELECT caller.id FROM caller, target \
                WHERE target.owned OR target.access = 'read_write'\
            ), claimed AS (\
                INSERT INTO idempotency_keys \
                    (account_id, key, request_sha256, response_status, response_body, response_headers) \
                SELECT writer.id, ",
        );
        out.push_bind_param::<Nullable<Text>, _>(&self.key)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&self.request_sha256)?;
        out.push_sql(", 201, ");
        out.push_bind_param::<Nullable<Bytea>, _>(&self.response_body)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Jsonb>, _>(&self.response_headers)?;
        out.push_sql(" FROM writer WHERE ");
        out.push_bind_param::<Nullable<Text>, _>(&self.key)?;
        out.push_sql(
            " IS NOT NULL ON CONFLICT DO NOTHING RETURNING account_id\
            ), inserted AS (\
                INSERT INTO sessions (id, athlete_id, created_by_account_id, created_at, updated_at",
        );
        for column in LoggedValues::COLUMNS {
            out.push_sql(", ");
            out.push_sql(column);
        }
        out.push_sql(") SELECT ");
        out.push_bind_param::<SqlUuid, _>(&self.id)?;
        out.push_sql(", ");
        out.push_bind_param::<SqlUuid, _>(&self.athlete_id)?;
        out.push_sql(", writer.id, ");
        out.push_bind_param::<Timestamptz, _>(&self.created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamptz, _>(&self.created_at)?;
        self.values.push_binds(&mut out)?;
        // Without a key the session is inserted; with one, only if this
        // request claimed it.
        out.push_sql(" FROM writer WHERE ");
        out.push_bind_param::<Nullable<Text>, _>(&self.key)?;
        out.push_sql(
            " IS NULL OR EXISTS (SELECT 1 FROM claimed) RETURNING id\
            ) \
            SELECT (SELECT id FROM caller) AS caller_id, \
                EXISTS (SELECT 1 FROM target WHERE owned OR access IS NOT NULL) AS visible, \
                EXISTS (SELECT 1 FROM writer) AS writable, \
                EXISTS (SELECT 1 FROM inserted) AS inserted",
        );
        Ok(())
    }
}

/// Marks the statement as the same query every time, whatever its values,
/// so that diesel keeps it prepared.
struct CreateStatementId;

impl QueryId for CreateStatement<'_> {
    type QueryId = CreateStatementId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for CreateStatement<'_> {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for CreateStatement<'_> {}

/// Runs the one-statement create of `session` (see the module docs).
pub fn create_in_one_statement(
    connection: &mut PgConnection,
    token_digest: &[u8],
    session: &Session,
    input: &SessionInput,
    body_sha256: &str,
    answer: Option<KeyedAnswer<'_>>,
) -> RepoResult<OneStatementCreate> {
    debug_assert!(
        session.planned.is_none(),
        "planned links take the checked path"
    );
    let statement = CreateStatement {
        token_digest,
        athlete_id: session.athlete_id,
        key: answer.as_ref().map(|a| a.key),
        request_sha256: answer.as_ref().map(|a| a.request_sha256),
        response_body: answer.as_ref().map(|a| a.body),
        response_headers: answer.as_ref().map(|a| a.headers),
        id: session.id,
        created_at: session.created_at,
        values: values(input, body_sha256)?,
    };
    let outcome: Outcome = statement.get_result(connection).map_err(in_flight)?;
    Ok(match outcome {
        Outcome {
            caller_id: None, ..
        } => OneStatementCreate::Unauthenticated,
        Outcome { visible: false, .. } => OneStatementCreate::NotVisible,
        Outcome {
            writable: false, ..
        } => OneStatementCreate::ReadOnly,
        Outcome { inserted: true, .. } => OneStatementCreate::Created,
        Outcome {
            caller_id: Some(caller),
            ..
        } => OneStatementCreate::KeyTaken { caller },
    })
}
