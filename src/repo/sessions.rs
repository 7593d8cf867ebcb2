//! Logged sessions: their rows, reads, writes and tombstones. The
//! idempotency keys that guard their creation are in `repo::idempotency`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::ids::{AccountId, AthleteId, SessionId};
use crate::models::session::{ImportedSessionValues, LoggedValues, SessionRow};

use super::access::AccessLevel;
use super::accounts::{Caller, caller_from, live_token};
use super::error::{RepoError, RepoResult};
use crate::db::schema::{accounts, athletes, exercises, grants, sessions, tokens};
use crate::domain::load::{LoadInput, session_rpe_load};
use crate::domain::session::{LoggedSet, PlannedLink, SessionInput};
use crate::domain::session_import::{ImportedSession, SessionSource};
use crate::domain::vocabulary::Muscle;
use crate::domain::vocabulary::SessionKind;
use crate::views::Session;

pub fn session_from_row(row: SessionRow) -> RepoResult<Session> {
    let corrupt = |what: String| RepoError::internal(format!("corrupt session {}: {what}", row.id));
    let planned = match (row.planned_plan_id, row.planned_date) {
        (Some(plan_id), Some(date)) => Some(PlannedLink {
            plan_id,
            date,
            index: u8::try_from(row.planned_index.unwrap_or(0)).unwrap_or(0),
        }),
        _ => None,
    };
    let rpe = row
        .rpe
        .map(u8::try_from)
        .transpose()
        .map_err(|e| corrupt(e.to_string()))?;
    let laps = row
        .laps
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| corrupt(e.to_string()))?;
    let source = match (row.source_format, row.source_sha256) {
        (Some(format), Some(sha256)) => Some(SessionSource { format, sha256 }),
        _ => None,
    };
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
        max_hr: row.max_hr.and_then(|hr| u16::try_from(hr).ok()),
        elevation_gain_m: row.elevation_gain_m,
        rpe,
        notes: row.notes,
        sets: serde_json::from_value(row.sets).map_err(|e| corrupt(e.to_string()))?,
        load: rpe.map(|rpe| session_rpe_load(rpe, row.duration_min)),
        laps,
        source,
        trimp: row.trimp,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted: row.deleted_at.is_some(),
    })
}

/// The columns a client's session body writes (`LoggedValues`).
pub fn values(input: &SessionInput, body_sha256: &str) -> RepoResult<LoggedValues> {
    Ok(LoggedValues {
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
        rpe: Some(i16::from(input.rpe)),
        notes: input.notes.clone(),
        sets: serde_json::to_value(&input.sets).map_err(RepoError::internal)?,
        body_sha256: body_sha256.to_owned(),
    })
}

pub fn insert(
    connection: &mut PgConnection,
    id: SessionId,
    athlete_id: AthleteId,
    created_by: AccountId,
    input: &SessionInput,
    body_sha256: &str,
) -> RepoResult<(Session, i64)> {
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

/// Inserts an imported session; None when the athlete already has a live
/// session from the same file (a concurrent import won the race), which
/// `find_by_source` then reads. Runs in a savepoint, so the caller's
/// transaction survives the conflict.
pub fn insert_imported(
    connection: &mut PgConnection,
    id: SessionId,
    athlete_id: AthleteId,
    created_by: AccountId,
    session: &ImportedSession,
) -> RepoResult<Option<(Session, i64)>> {
    let values = ImportedSessionValues {
        id,
        athlete_id,
        created_by_account_id: created_by,
        kind: session.kind.as_str().to_owned(),
        started_at: session.started_at,
        duration_min: session.duration_min,
        distance_km: session.distance_km,
        avg_hr: session.avg_hr.map(|hr| hr as i16),
        max_hr: session.max_hr.map(|hr| hr as i16),
        elevation_gain_m: session.elevation_gain_m,
        rpe: session.rpe.map(i16::from),
        laps: serde_json::to_value(&session.laps).map_err(RepoError::internal)?,
        source_format: session.source.format.clone(),
        source_sha256: session.source.sha256.clone(),
        trimp: session.trimp,
        body_sha256: session.source.sha256.clone(),
    };
    let inserted = connection.transaction(|connection| {
        diesel::insert_into(sessions::table)
            .values(&values)
            .returning(SessionRow::as_returning())
            .get_result::<SessionRow>(connection)
    });
    match inserted {
        Ok(row) => {
            let version = row.version;
            Ok(Some((session_from_row(row)?, version)))
        }
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// The athlete's live session imported from the file with this hash.
pub fn find_by_source(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    source_sha256: &str,
) -> RepoResult<Option<(Session, i64)>> {
    let row: Option<SessionRow> = sessions::table
        .filter(sessions::athlete_id.eq(athlete_id))
        .filter(sessions::source_sha256.eq(source_sha256))
        .filter(sessions::deleted_at.is_null())
        .select(SessionRow::as_select())
        .first(connection)
        .optional()?;
    row.map(|row| {
        let version = row.version;
        session_from_row(row).map(|session| (session, version))
    })
    .transpose()
}

/// Any session with this id, whoever's (to tell a repeated create by
/// client-chosen id from a clash). Served by the primary key's index,
/// which leads with id.
pub fn find_any(connection: &mut PgConnection, id: SessionId) -> RepoResult<Option<SessionRow>> {
    Ok(sessions::table
        .filter(sessions::id.eq(id))
        .select(SessionRow::as_select())
        .first(connection)
        .optional()?)
}

/// The advisory lock class of client-chosen session ids (two-key
/// advisory locks are a space of their own, apart from the one-key locks
/// of migrations and retention).
const CLIENT_ID_LOCK_CLASS: i32 = 0x7273_6964; // "rsid"

/// Serializes the creates that use this client-chosen id, until the
/// transaction ends. The primary key is (id, athlete_id), so it no longer
/// stops two athletes' sessions from sharing an id: without the lock, two
/// creates racing with one id for different athletes could both pass
/// `find_any` and both insert, where the old key answered the second 409.
/// Server-chosen ids (UUIDv7) take no lock. Different ids that hash alike
/// only wait for each other.
pub fn lock_client_id(connection: &mut PgConnection, id: SessionId) -> RepoResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2::text))")
        .bind::<diesel::sql_types::Integer, _>(CLIENT_ID_LOCK_CLASS)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(connection)?;
    Ok(())
}

/// A live session as one caller may see it.
pub struct VisibleSession {
    pub caller: Caller,
    pub session: Session,
    pub version: i64,
    /// The owner of the session's athlete (whose catalog its sets use).
    pub athlete_owner: AccountId,
}

/// Authenticates the token and reads the session it may see, in one round
/// trip: the token's account is left-joined to the session, its athlete
/// and the account's active grant on that athlete. 401 when the token is not
/// live, 404 when the session is missing, deleted or not visible, 403 when
/// visible with less than `needed`.
pub fn require_with_token(
    connection: &mut PgConnection,
    token_digest: &[u8],
    id: SessionId,
    needed: AccessLevel,
) -> RepoResult<VisibleSession> {
    type Found = (
        (AccountId, String),
        Option<SessionRow>,
        Option<AccountId>,
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
                .and(crate::repo::access::active_grant())),
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
    let (account, row, owner, grant) = found.ok_or(RepoError::InvalidToken)?;
    let caller = caller_from(account)?;
    let not_found = || RepoError::NotFound("no session has that id".to_owned());
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

/// Replaces the athlete's live session still at `expected_version` (by the
/// whole primary key: one shard's row once distributed).
pub fn replace(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    id: SessionId,
    expected_version: i64,
    input: &SessionInput,
    body_sha256: &str,
) -> RepoResult<Option<(Session, i64)>> {
    let row: Option<SessionRow> = diesel::update(
        sessions::table
            .find((id, athlete_id))
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

/// Deletes the athlete's session by leaving a tombstone, so that syncing
/// apps learn of it.
pub fn tombstone(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    id: SessionId,
    expected_version: i64,
) -> RepoResult<bool> {
    let changed = diesel::update(
        sessions::table
            .find((id, athlete_id))
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
    pub after: Option<(DateTime<Utc>, SessionId)>,
    pub limit: i64,
}

/// Live sessions by start time, keyset-paginated on (started_at, id) so a
/// page costs the same at any depth (index sessions_by_start).
pub fn list(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    query: &ListQuery,
) -> RepoResult<(Vec<Session>, bool)> {
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
    athlete_id: AthleteId,
    since: DateTime<Utc>,
    after: Option<(DateTime<Utc>, SessionId)>,
    limit: i64,
) -> RepoResult<(Vec<Session>, bool)> {
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

fn page(mut rows: Vec<SessionRow>, limit: i64) -> RepoResult<(Vec<Session>, bool)> {
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
    athlete_id: AthleteId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> RepoResult<Vec<Session>> {
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

/// The sets of the newest live sessions started in [since, before) that
/// logged a set with a weight, newest first, at most `limit` of them:
/// what the loads of a new plan are computed from.
pub fn weighted_sets(
    connection: &mut PgConnection,
    athlete_id: AthleteId,
    since: DateTime<Utc>,
    before: DateTime<Utc>,
    limit: i64,
) -> RepoResult<Vec<Vec<LoggedSet>>> {
    sessions::table
        .filter(sessions::athlete_id.eq(athlete_id))
        .filter(sessions::deleted_at.is_null())
        .filter(sessions::started_at.ge(since))
        .filter(sessions::started_at.lt(before))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "jsonb_path_exists(sets, '$[*] ? (@.weight_kg > 0)')",
        ))
        .order((sessions::started_at.desc(), sessions::id.desc()))
        .limit(limit)
        .select(sessions::sets)
        .load::<serde_json::Value>(connection)?
        .into_iter()
        .map(|sets| {
            serde_json::from_value(sets)
                .map_err(|e| RepoError::internal(format!("corrupt session sets: {e}")))
        })
        .collect()
}

/// The load inputs of logged sessions, with each set's primary muscles.
pub fn load_inputs(
    connection: &mut PgConnection,
    sessions: &[Session],
) -> RepoResult<Vec<LoadInput>> {
    let ids: Vec<Uuid> = sessions
        .iter()
        .flat_map(|s| s.sets.iter().map(|set| set.exercise_id))
        .collect();
    let muscles: HashMap<Uuid, Vec<Muscle>> = if ids.is_empty() {
        HashMap::new()
    } else {
        exercises::table
            .filter(exercises::id.eq_any(&ids))
            .select((exercises::id, exercises::primary_muscles))
            .load::<(Uuid, Vec<String>)>(connection)?
            .into_iter()
            .map(|(id, names)| (id, names.iter().filter_map(|n| n.parse().ok()).collect()))
            .collect()
    };
    Ok(sessions
        .iter()
        .map(|s| LoadInput {
            id: s.id,
            date: s.started_at.date_naive(),
            kind: s.kind,
            duration_min: s.duration_min,
            rpe: s.rpe,
            trimp: s.trimp,
            distance_km: s.distance_km,
            set_muscles: s
                .sets
                .iter()
                .map(|set| muscles.get(&set.exercise_id).cloned().unwrap_or_default())
                .collect(),
        })
        .collect())
}
