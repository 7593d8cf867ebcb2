//! Logged sessions and the idempotency keys that guard their creation.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Double, Jsonb, Nullable, SmallInt, Text, Timestamptz};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::AccessLevel;
use super::accounts::{Caller, caller_from, live_token};
use crate::db::schema::{accounts, athletes, grants, idempotency_keys, sessions, tokens};
use crate::domain::session::{LoggedSet, PlannedLink, SessionInput};
use crate::domain::vocabulary::SessionKind;
use crate::error::ApiError;
use crate::http::auth::invalid_token;

/// A logged session as the API serves it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    pub id: Uuid,
    pub athlete_id: Uuid,
    pub planned: Option<PlannedLink>,
    pub kind: SessionKind,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_min: f64,
    pub distance_km: Option<f64>,
    pub avg_hr: Option<u16>,
    pub elevation_gain_m: Option<f64>,
    pub rpe: u8,
    pub notes: Option<String>,
    pub sets: Vec<LoggedSet>,
    /// Session-RPE load: RPE × minutes.
    pub load: f64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// True for a tombstone (only in `updated_since` listings).
    pub deleted: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    id: Uuid,
    athlete_id: Uuid,
    planned_plan_id: Option<Uuid>,
    planned_date: Option<NaiveDate>,
    planned_index: Option<i16>,
    kind: String,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    duration_min: f64,
    distance_km: Option<f64>,
    avg_hr: Option<i16>,
    elevation_gain_m: Option<f64>,
    rpe: i16,
    notes: Option<String>,
    sets: serde_json::Value,
    pub body_sha256: String,
    pub version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

pub fn session_from_row(row: SessionRow) -> Result<Session, ApiError> {
    let corrupt = |what: String| ApiError::internal(format!("corrupt session {}: {what}", row.id));
    let planned = match (row.planned_plan_id, row.planned_date) {
        (Some(plan_id), Some(date)) => Some(PlannedLink {
            plan_id,
            date,
            index: u8::try_from(row.planned_index.unwrap_or(0)).unwrap_or(0),
        }),
        _ => None,
    };
    let rpe = u8::try_from(row.rpe).map_err(|e| corrupt(e.to_string()))?;
    Ok(Session {
        id: row.id,
        athlete_id: row.athlete_id,
        planned,
        kind: row
            .kind
            .parse()
            .map_err(|e: crate::domain::vocabulary::UnknownValue| corrupt(e.to_string()))?,
        started_at: row.started_at,
        finished_at: row.finished_at,
        duration_min: row.duration_min,
        distance_km: row.distance_km,
        avg_hr: row.avg_hr.and_then(|hr| u16::try_from(hr).ok()),
        elevation_gain_m: row.elevation_gain_m,
        rpe,
        notes: row.notes,
        sets: serde_json::from_value(row.sets).map_err(|e| corrupt(e.to_string()))?,
        load: f64::from(rpe) * row.duration_min,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted: row.deleted_at.is_some(),
    })
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = sessions, treat_none_as_null = true)]
struct SessionValues {
    planned_plan_id: Option<Uuid>,
    planned_date: Option<NaiveDate>,
    planned_index: Option<i16>,
    kind: String,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    duration_min: f64,
    distance_km: Option<f64>,
    avg_hr: Option<i16>,
    elevation_gain_m: Option<f64>,
    rpe: i16,
    notes: Option<String>,
    sets: serde_json::Value,
    body_sha256: String,
}

fn values(input: &SessionInput, body_sha256: &str) -> Result<SessionValues, ApiError> {
    Ok(SessionValues {
        planned_plan_id: input.planned.as_ref().map(|p| p.plan_id),
        planned_date: input.planned.as_ref().map(|p| p.date),
        planned_index: input.planned.as_ref().map(|p| i16::from(p.index)),
        kind: input.kind.as_str().to_owned(),
        started_at: input.started_at,
        finished_at: input.finished_at,
        duration_min: input.duration_min,
        distance_km: input.distance_km,
        avg_hr: input.avg_hr.map(|hr| hr as i16),
        elevation_gain_m: input.elevation_gain_m,
        rpe: i16::from(input.rpe),
        notes: input.notes.clone(),
        sets: serde_json::to_value(&input.sets).map_err(ApiError::internal)?,
        body_sha256: body_sha256.to_owned(),
    })
}

pub fn insert(
    connection: &mut PgConnection,
    id: Uuid,
    athlete_id: Uuid,
    created_by: Uuid,
    input: &SessionInput,
    body_sha256: &str,
) -> Result<(Session, i64), ApiError> {
    let row: SessionRow = diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::athlete_id.eq(athlete_id),
            sessions::created_by_account_id.eq(created_by),
            values(input, body_sha256)?,
        ))
        .returning(SessionRow::as_returning())
        .get_result(connection)?;
    let version = row.version;
    Ok((session_from_row(row)?, version))
}

/// What PostgreSQL will store for a time: whole microseconds (sessions
/// start after 2000, so truncating matches diesel's conversion).
fn as_stored(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// A new session exactly as the database will hold it, built before the
/// insert so that the one-statement create can store its answer under the
/// idempotency key without reading the row back.
pub fn new_session(id: Uuid, athlete_id: Uuid, input: &SessionInput, at: DateTime<Utc>) -> Session {
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
        elevation_gain_m: input.elevation_gain_m,
        rpe: input.rpe,
        notes: input.notes.clone(),
        sets: input.sets.clone(),
        load: input.load(),
        created_at: at,
        updated_at: at,
        deleted: false,
    }
}

/// The answer an idempotent create stores under its key.
pub struct KeyedAnswer<'a> {
    pub key: &'a str,
    pub request_sha256: &'a str,
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
    /// The idempotency key was already taken (by `caller`): look up its
    /// stored answer.
    KeyTaken {
        caller: Uuid,
    },
}

#[derive(QueryableByName)]
struct OneStatementOutcome {
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    caller_id: Option<Uuid>,
    #[diesel(sql_type = Bool)]
    visible: bool,
    #[diesel(sql_type = Bool)]
    writable: bool,
    #[diesel(sql_type = Bool)]
    inserted: bool,
}

/// Authenticates, checks write access, claims the idempotency key with
/// its final answer and inserts the session, all in one statement and so
/// in one round trip and one commit. The key and the session commit
/// together or not at all; a concurrent request with the same key waits
/// on the key's row (up to the connection's lock timeout) and then finds
/// it taken. For sessions whose references (sets, planned link) or
/// client-chosen id need checking first, see the transactional path in
/// the handler.
pub fn create_in_one_statement(
    connection: &mut PgConnection,
    token_digest: &[u8],
    session: &Session,
    body_sha256: &str,
    answer: Option<KeyedAnswer<'_>>,
) -> Result<OneStatementCreate, ApiError> {
    const SQL: &str = "
        WITH caller AS (
            SELECT accounts.id FROM tokens JOIN accounts ON accounts.id = tokens.account_id
            WHERE tokens.token_sha256 = $1 AND tokens.revoked_at IS NULL
              AND tokens.expires_at > now()
        ), target AS (
            SELECT athletes.owner_account_id = caller.id AS owned, grants.access
            FROM caller
            JOIN athletes ON athletes.id = $2
            LEFT JOIN grants ON grants.athlete_id = athletes.id
                AND grants.coach_account_id = caller.id AND grants.revoked_at IS NULL
        ), writer AS (
            SELECT caller.id FROM caller, target
            WHERE target.owned OR target.access = 'read_write'
        ), claimed AS (
            INSERT INTO idempotency_keys
                (account_id, key, request_sha256, response_status, response_body)
            SELECT writer.id, $3, $4, 201, $5 FROM writer WHERE $3 IS NOT NULL
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
    debug_assert!(
        session.planned.is_none(),
        "planned links take the checked path"
    );
    let outcome: OneStatementOutcome = diesel::sql_query(SQL)
        .bind::<Bytea, _>(token_digest)
        .bind::<diesel::sql_types::Uuid, _>(session.athlete_id)
        .bind::<Nullable<Text>, _>(answer.as_ref().map(|a| a.key))
        .bind::<Nullable<Text>, _>(answer.as_ref().map(|a| a.request_sha256))
        .bind::<Nullable<Bytea>, _>(answer.as_ref().map(|a| a.body))
        .bind::<diesel::sql_types::Uuid, _>(session.id)
        .bind::<Text, _>(session.kind.as_str())
        .bind::<Timestamptz, _>(session.started_at)
        .bind::<Nullable<Timestamptz>, _>(session.finished_at)
        .bind::<Double, _>(session.duration_min)
        .bind::<Nullable<Double>, _>(session.distance_km)
        .bind::<Nullable<SmallInt>, _>(session.avg_hr.map(|hr| hr as i16))
        .bind::<Nullable<Double>, _>(session.elevation_gain_m)
        .bind::<SmallInt, _>(i16::from(session.rpe))
        .bind::<Nullable<Text>, _>(session.notes.as_deref())
        .bind::<Jsonb, _>(serde_json::to_value(&session.sets).map_err(ApiError::internal)?)
        .bind::<Text, _>(body_sha256)
        .bind::<Timestamptz, _>(session.created_at)
        .get_result(connection)
        .map_err(in_flight)?;
    Ok(match outcome {
        OneStatementOutcome {
            caller_id: None, ..
        } => OneStatementCreate::Unauthenticated,
        OneStatementOutcome { visible: false, .. } => OneStatementCreate::NotVisible,
        OneStatementOutcome {
            writable: false, ..
        } => OneStatementCreate::ReadOnly,
        OneStatementOutcome { inserted: true, .. } => OneStatementCreate::Created,
        OneStatementOutcome {
            caller_id: Some(caller),
            ..
        } => OneStatementCreate::KeyTaken { caller },
    })
}

/// Any session with this id, whoever's (to tell a repeated create by
/// client-chosen id from a clash).
pub fn find_any(connection: &mut PgConnection, id: Uuid) -> Result<Option<SessionRow>, ApiError> {
    Ok(sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(connection)
        .optional()?)
}

/// A live session as one caller may see it.
pub struct VisibleSession {
    pub caller: Caller,
    pub session: Session,
    pub version: i64,
    /// The owner of the session's athlete (whose catalog its sets use).
    pub athlete_owner: Uuid,
}

/// Authenticates the token and reads the session it may see, in one round
/// trip: the token's account is left-joined to the session, its athlete
/// and the account's live grant on that athlete. 401 when the token is not
/// live, 404 when the session is missing, deleted or not visible, 403 when
/// visible with less than `needed`.
pub fn require_with_token(
    connection: &mut PgConnection,
    token_digest: &[u8],
    id: Uuid,
    needed: AccessLevel,
) -> Result<VisibleSession, ApiError> {
    type Found = (
        (Uuid, String),
        Option<SessionRow>,
        Option<Uuid>,
        Option<String>,
    );
    let found: Option<Found> = tokens::table
        .inner_join(accounts::table)
        .left_join(sessions::table.on(sessions::id.eq(id).and(sessions::deleted_at.is_null())))
        .left_join(athletes::table.on(athletes::id.eq(sessions::athlete_id)))
        .left_join(
            grants::table.on(grants::athlete_id
                .eq(athletes::id)
                .and(grants::coach_account_id.eq(accounts::id))
                .and(grants::revoked_at.is_null())),
        )
        .filter(live_token(token_digest))
        .select((
            (accounts::id, accounts::role),
            Option::<SessionRow>::as_select(),
            athletes::owner_account_id.nullable(),
            grants::access.nullable(),
        ))
        .first(connection)
        .optional()?;
    let (account, row, owner, grant) = found.ok_or_else(invalid_token)?;
    let caller = caller_from(account)?;
    let not_found = || ApiError::NotFound("no session has that id".to_owned());
    let (Some(row), Some(owner)) = (row, owner) else {
        return Err(not_found());
    };
    let access =
        AccessLevel::of(owner, caller.account_id, grant.as_deref()).ok_or_else(not_found)?;
    access.require(needed)?;
    let version = row.version;
    Ok(VisibleSession {
        caller,
        session: session_from_row(row)?,
        version,
        athlete_owner: owner,
    })
}

/// Replaces a live session still at `expected_version`.
pub fn replace(
    connection: &mut PgConnection,
    id: Uuid,
    expected_version: i64,
    input: &SessionInput,
    body_sha256: &str,
) -> Result<Option<(Session, i64)>, ApiError> {
    let row: Option<SessionRow> = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::version.eq(expected_version))
            .filter(sessions::deleted_at.is_null()),
    )
    .set((
        values(input, body_sha256)?,
        sessions::version.eq(sessions::version + 1),
        sessions::updated_at.eq(diesel::dsl::now),
    ))
    .returning(SessionRow::as_returning())
    .get_result(connection)
    .optional()?;
    row.map(|row| {
        let version = row.version;
        session_from_row(row).map(|s| (s, version))
    })
    .transpose()
}

/// Deletes by leaving a tombstone, so that syncing apps learn of it.
pub fn tombstone(
    connection: &mut PgConnection,
    id: Uuid,
    expected_version: i64,
) -> Result<bool, ApiError> {
    let changed = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::version.eq(expected_version))
            .filter(sessions::deleted_at.is_null()),
    )
    .set((
        sessions::deleted_at.eq(diesel::dsl::now),
        sessions::updated_at.eq(diesel::dsl::now),
        sessions::version.eq(sessions::version + 1),
    ))
    .execute(connection)?;
    Ok(changed == 1)
}

pub struct ListQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub kinds: Vec<SessionKind>,
    /// Continue after this (started_at, id).
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Live sessions by start time, keyset-paginated on (started_at, id) so a
/// page costs the same at any depth (index sessions_by_start).
pub fn list(
    connection: &mut PgConnection,
    athlete_id: Uuid,
    query: &ListQuery,
) -> Result<(Vec<Session>, bool), ApiError> {
    let mut sql = sessions::table
        .filter(sessions::athlete_id.eq(athlete_id))
        .filter(sessions::deleted_at.is_null())
        .select(SessionRow::as_select())
        .order((sessions::started_at.asc(), sessions::id.asc()))
        .limit(query.limit + 1)
        .into_boxed();
    if let Some(from) = query.from {
        sql = sql.filter(sessions::started_at.ge(from));
    }
    if let Some(to) = query.to {
        sql = sql.filter(sessions::started_at.lt(to));
    }
    if !query.kinds.is_empty() {
        sql = sql.filter(
            sessions::kind.eq_any(query.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>()),
        );
    }
    if let Some((started_at, id)) = query.after {
        sql = sql.filter(
            sessions::started_at
                .gt(started_at)
                .or(sessions::started_at.eq(started_at).and(sessions::id.gt(id))),
        );
    }
    page(sql.load(connection)?, query.limit)
}

/// Everything changed since `since` (tombstones included), by change time.
pub fn changes(
    connection: &mut PgConnection,
    athlete_id: Uuid,
    since: DateTime<Utc>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<(Vec<Session>, bool), ApiError> {
    let mut sql = sessions::table
        .filter(sessions::athlete_id.eq(athlete_id))
        .filter(sessions::updated_at.gt(since))
        .select(SessionRow::as_select())
        .order((sessions::updated_at.asc(), sessions::id.asc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some((updated_at, id)) = after {
        sql = sql.filter(
            sessions::updated_at
                .gt(updated_at)
                .or(sessions::updated_at.eq(updated_at).and(sessions::id.gt(id))),
        );
    }
    page(sql.load(connection)?, limit)
}

fn page(mut rows: Vec<SessionRow>, limit: i64) -> Result<(Vec<Session>, bool), ApiError> {
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((
        rows.into_iter()
            .map(session_from_row)
            .collect::<Result<_, _>>()?,
        has_more,
    ))
}

/// Live sessions started in [from, to), for load reports and adherence.
pub fn between(
    connection: &mut PgConnection,
    athlete_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Session>, ApiError> {
    sessions::table
        .filter(sessions::athlete_id.eq(athlete_id))
        .filter(sessions::deleted_at.is_null())
        .filter(sessions::started_at.ge(from))
        .filter(sessions::started_at.lt(to))
        .order((sessions::started_at.asc(), sessions::id.asc()))
        .select(SessionRow::as_select())
        .load(connection)?
        .into_iter()
        .map(session_from_row)
        .collect()
}

/// What claiming an idempotency key found.
pub enum Claim {
    /// The key is ours: do the work and record the answer.
    Claimed,
    /// The key was used before for this same request: its stored answer.
    Replay { status: u16, body: Vec<u8> },
    /// The key was used before for a different request.
    Mismatch,
}

/// Claims `key` for `account` inside the caller's transaction. A
/// concurrent claim of the same key waits for the first transaction (up
/// to the connection's lock timeout, then 409) and then replays its answer.
pub fn claim_key(
    connection: &mut PgConnection,
    account: Uuid,
    key: &str,
    request_sha256: &str,
) -> Result<Claim, ApiError> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::account_id.eq(account),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_sha256.eq(request_sha256),
        ))
        .on_conflict_do_nothing()
        .execute(connection)
        .map_err(in_flight)?;
    if inserted == 1 {
        return Ok(Claim::Claimed);
    }
    stored_answer(connection, account, key, request_sha256)
}

/// The answer stored under a key that was already claimed.
pub fn stored_answer(
    connection: &mut PgConnection,
    account: Uuid,
    key: &str,
    request_sha256: &str,
) -> Result<Claim, ApiError> {
    let (stored_hash, status, body): (String, Option<i16>, Option<Vec<u8>>) =
        idempotency_keys::table
            .find((account, key))
            .select((
                idempotency_keys::request_sha256,
                idempotency_keys::response_status,
                idempotency_keys::response_body,
            ))
            .first(connection)?;
    if stored_hash != request_sha256 {
        return Ok(Claim::Mismatch);
    }
    match (status, body) {
        (Some(status), Some(body)) => Ok(Claim::Replay {
            status: status as u16,
            body,
        }),
        _ => Err(in_flight_error()),
    }
}

fn in_flight_error() -> ApiError {
    ApiError::Conflict(
        "a request with this Idempotency-Key is still in flight; retry shortly".to_owned(),
    )
}

/// A lock timeout while waiting on the key means the first request is
/// still running.
fn in_flight(error: diesel::result::Error) -> ApiError {
    if error.to_string().contains("lock timeout") {
        in_flight_error()
    } else {
        ApiError::from(error)
    }
}

/// Records the answer given under `key`, in the same transaction.
pub fn complete_key(
    connection: &mut PgConnection,
    account: Uuid,
    key: &str,
    status: u16,
    body: &[u8],
) -> Result<(), ApiError> {
    diesel::update(idempotency_keys::table.find((account, key)))
        .set((
            idempotency_keys::response_status.eq(status as i16),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(connection)?;
    Ok(())
}
