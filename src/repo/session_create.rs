//! The common create of a logged session in one statement: authenticate,
//! check write access, claim the idempotency key with its final answer and
//! insert the row, in one round trip and one commit.
//!
//! The key and the session commit together or not at all, so no key is
//! ever left claimed without an answer. A concurrent request with the same
//! key waits on the key's row (bounded by the connection's lock timeout)
//! and then finds it taken. Creates whose references (sets, planned link)
//! or client-chosen id must be checked first take the transactional path
//! in the handler instead.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{
    Bool, Bytea, Double, Jsonb, Nullable, SmallInt, Text, Timestamptz, Untyped,
};

use super::error::{RepoError, RepoResult};
use super::idempotency::in_flight;
use super::sessions::Session;
use crate::domain::session::SessionInput;
use crate::ids::{AccountId, AthleteId, SessionId};

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

/// The statement. `$n` are its values, in the order of the fields of
/// `CreateStatement` (see `push_value`).
const SQL: &str = "
    WITH caller AS (
        SELECT accounts.id FROM tokens JOIN accounts ON accounts.id = tokens.account_id
        WHERE tokens.token_sha256 = $1
          AND tokens.revoked_at IS NULL AND tokens.expires_at > now()
    ), target AS (
        SELECT athletes.owner_account_id = caller.id AS owned, grants.access
        FROM caller
        JOIN athletes ON athletes.id = $2
        LEFT JOIN grants ON grants.athlete_id = athletes.id
            AND grants.coach_account_id = caller.id AND grants.revoked_at IS NULL
            AND grants.status = 'active'
    ), writer AS (
        SELECT caller.id FROM caller, target
        WHERE target.owned OR target.access = 'read_write'
    ), claimed AS (
        INSERT INTO idempotency_keys
            (account_id, key, request_sha256, response_status, response_body, response_headers)
        SELECT writer.id, $3, $4, 201, $5, $19 FROM writer WHERE $3 IS NOT NULL
        ON CONFLICT DO NOTHING
        RETURNING account_id
    ), inserted AS (
        INSERT INTO sessions (id, athlete_id, created_by_account_id, kind, started_at,
            finished_at, duration_min, distance_km, avg_hr, elevation_gain_m, rpe, notes,
            sets, body_sha256, created_at, updated_at)
        SELECT $6, $2, writer.id, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18
        FROM writer
        WHERE $3 IS NULL OR EXISTS (SELECT 1 FROM claimed)
        RETURNING id
    )
    SELECT (SELECT id FROM caller) AS caller_id,
           EXISTS (SELECT 1 FROM target WHERE owned OR access IS NOT NULL) AS visible,
           EXISTS (SELECT 1 FROM writer) AS writable,
           EXISTS (SELECT 1 FROM inserted) AS inserted";

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
    id: SessionId,
    kind: &'static str,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    duration_min: f64,
    distance_km: Option<f64>,
    avg_hr: Option<i16>,
    elevation_gain_m: Option<f64>,
    rpe: Option<i16>,
    notes: Option<&'a str>,
    sets: serde_json::Value,
    body_sha256: &'a str,
    created_at: DateTime<Utc>,
    response_headers: Option<&'a serde_json::Value>,
}

impl<'a> CreateStatement<'a> {
    /// Pushes value `$n` of `SQL`.
    fn push_value<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::sql_types::Uuid as SqlUuid;
        match n {
            1 => out.push_bind_param::<Bytea, _>(&self.token_digest),
            2 => out.push_bind_param::<SqlUuid, _>(&self.athlete_id),
            3 => out.push_bind_param::<Nullable<Text>, _>(&self.key),
            4 => out.push_bind_param::<Nullable<Text>, _>(&self.request_sha256),
            5 => out.push_bind_param::<Nullable<Bytea>, _>(&self.response_body),
            6 => out.push_bind_param::<SqlUuid, _>(&self.id),
            7 => out.push_bind_param::<Text, _>(&self.kind),
            8 => out.push_bind_param::<Timestamptz, _>(&self.started_at),
            9 => out.push_bind_param::<Nullable<Timestamptz>, _>(&self.finished_at),
            10 => out.push_bind_param::<Double, _>(&self.duration_min),
            11 => out.push_bind_param::<Nullable<Double>, _>(&self.distance_km),
            12 => out.push_bind_param::<Nullable<SmallInt>, _>(&self.avg_hr),
            13 => out.push_bind_param::<Nullable<Double>, _>(&self.elevation_gain_m),
            14 => out.push_bind_param::<Nullable<SmallInt>, _>(&self.rpe),
            15 => out.push_bind_param::<Nullable<Text>, _>(&self.notes),
            16 => out.push_bind_param::<Jsonb, _>(&self.sets),
            17 => out.push_bind_param::<Text, _>(&self.body_sha256),
            18 => out.push_bind_param::<Timestamptz, _>(&self.created_at),
            19 => out.push_bind_param::<Nullable<Jsonb>, _>(&self.response_headers),
            _ => Err(diesel::result::Error::QueryBuilderError(
                format!("no value ${n} in the create statement").into(),
            )),
        }
    }
}

impl QueryFragment<Pg> for CreateStatement<'_> {
    /// Writes `SQL`, replacing each `$n` by value n (diesel numbers the
    /// placeholders itself, so a value used twice is simply sent twice).
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = SQL;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            let n = rest[at + 1..at + 1 + digits].parse().unwrap_or(0);
            self.push_value(n, &mut out)?;
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
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
        id: session.id,
        kind: session.kind.as_str(),
        started_at: session.started_at,
        finished_at: session.finished_at,
        duration_min: session.duration_min,
        distance_km: session.distance_km,
        avg_hr: session.avg_hr.map(|hr| hr as i16),
        elevation_gain_m: session.elevation_gain_m,
        rpe: session.rpe.map(i16::from),
        notes: session.notes.as_deref(),
        sets: serde_json::to_value(&session.sets).map_err(RepoError::internal)?,
        body_sha256,
        created_at: session.created_at,
        response_headers: answer.as_ref().map(|a| a.headers),
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
