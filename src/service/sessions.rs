//! Logging a session: the orchestration between the HTTP handlers and the
//! repository — which path a create takes, the idempotency key claimed
//! and answered in the change's own transaction, the references the
//! database must confirm. Handlers extract and respond; queries live in
//! `repo`; rules in `domain`.

use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::{self, PgPool};
use crate::domain::activity::Activity;
use crate::domain::session::SessionInput;
use crate::domain::session_import::{ImportOptions, ImportedSession, imported_session};
use crate::domain::trimp::HeartRateReserve;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::ids::{AccountId, AthleteId, SessionId};
use crate::repo::access::{AccessLevel, forbidden};
use crate::repo::athletes::VisibleAthlete;
use crate::repo::idempotency::{self, Claim, StoredAnswer};
use crate::repo::session_create::{self, KeyedAnswer, OneStatementCreate};
use crate::repo::sessions as repo;
use crate::repo::{athletes, exercises, plans};
use crate::service::athletes::require_caller;
use crate::views::{Session, answer_headers};

/// Logs a session for an athlete, once per `Idempotency-Key` when one is
/// sent (a repeat answers the first answer again).
pub async fn create(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    input: SessionInput,
    key: Option<String>,
) -> Result<Created, ApiError> {
    let now = Utc::now();
    let hash = body_hash(&input)?;
    db::run(pool, move |connection| {
        create_on(
            connection,
            &CreateRequest {
                token_digest: &token_digest,
                athlete_id,
                input: &input,
                body_hash: &hash,
                key: key.as_deref(),
                now,
            },
        )
    })
    .await
}

/// Replaces every field of a session (see `replace_on`).
pub async fn replace(
    pool: &PgPool,
    token_digest: Vec<u8>,
    session_id: SessionId,
    input: SessionInput,
    precondition: impl FnOnce(i64) -> Result<(), ApiError> + Send + 'static,
) -> Result<(Session, i64), ApiError> {
    if input.id.is_some_and(|id| id != session_id) {
        return Err(ApiError::unprocessable(vec![FieldError::new(
            "/id",
            "differs from the session in the path",
        )]));
    }
    let now = Utc::now();
    let hash = body_hash(&input)?;
    db::run(pool, move |connection| {
        replace_on(
            connection,
            &token_digest,
            session_id,
            &input,
            &hash,
            now,
            precondition,
        )
    })
    .await
}

/// Deletes a session the caller may write, leaving a tombstone for sync,
/// once `precondition` accepts its current version.
pub async fn delete(
    pool: &PgPool,
    token_digest: Vec<u8>,
    session_id: SessionId,
    precondition: impl FnOnce(i64) -> Result<(), ApiError> + Send + 'static,
) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        let current = repo::require_with_token(
            connection,
            &token_digest,
            session_id,
            AccessLevel::ReadWrite,
        )?;
        precondition(current.version)?;
        if repo::tombstone(
            connection,
            current.session.athlete_id,
            session_id,
            current.version,
        )? {
            Ok(())
        } else {
            Err(stale())
        }
    })
    .await
}

/// 401/404/403 for a caller who may not log sessions for the athlete:
/// checked before a byte of an import's file is read.
pub async fn may_write(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        require_caller(
            connection,
            &token_digest,
            athlete_id,
            AccessLevel::ReadWrite,
        )
        .map(drop)
    })
    .await
}

/// Logs the session of a parsed activity file, once per athlete and file
/// (by `sha256`) and once per `Idempotency-Key`.
pub async fn import(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    activity: Activity,
    sha256: String,
    options: ImportOptions,
    key: Option<String>,
) -> Result<Imported, ApiError> {
    let now = Utc::now();
    db::run(pool, move |connection| {
        // Checked again where it counts: a grant may have gone meanwhile.
        let (caller, athlete) = require_caller(
            connection,
            &token_digest,
            athlete_id,
            AccessLevel::ReadWrite,
        )?;
        let session = imported_session(
            &activity,
            &sha256,
            options,
            heart_rate_reserve(&athlete),
            now,
        )
        .map_err(ApiError::unprocessable)?;
        let request_hash = sha256_hex(
            format!(
                "import:{athlete_id}:{sha256}:{:?}:{:?}",
                options.kind, options.rpe
            )
            .as_bytes(),
        );
        store_import(
            connection,
            caller.account_id,
            athlete_id,
            &session,
            key.as_deref().map(|key| (key, request_hash.as_str())),
        )
    })
    .await
}

/// The athlete's heart-rate reserve, when the profile has `max_hr` and
/// `resting_hr` (with `max_hr` above `resting_hr`).
fn heart_rate_reserve(athlete: &VisibleAthlete) -> Option<HeartRateReserve> {
    let profile = &athlete.athlete.profile;
    profile
        .max_hr
        .zip(profile.resting_hr)
        .and_then(|(max, resting)| HeartRateReserve::new(resting, max))
}

/// Creates a logged session. The common case (valid, nothing to look up,
/// server-assigned id) costs one statement; everything else takes the
/// checked path, which keeps the order of answers: 401, 404/403, then 422.
fn create_on(
    connection: &mut PgConnection,
    request: &CreateRequest<'_>,
) -> Result<Created, ApiError> {
    let input = request.input;
    let simple = input.id.is_none()
        && input.sets.is_empty()
        && input.planned.is_none()
        && input.validate(request.now).is_ok();
    if simple {
        create_simple(connection, request)
    } else {
        create_checked(connection, request)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The canonical form of a logged session (what a repeat must equal).
fn body_hash(input: &SessionInput) -> Result<String, ApiError> {
    let mut canonical = input.clone();
    canonical.id = None;
    Ok(sha256_hex(
        &serde_json::to_vec(&canonical).map_err(ApiError::internal)?,
    ))
}

/// Checks what the database must confirm: every set's exercise is one the
/// athlete may see, and a planned link names one of the athlete's plans.
fn check_references(
    connection: &mut PgConnection,
    athlete_owner: AccountId,
    athlete_id: AthleteId,
    input: &SessionInput,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let wanted: Vec<Uuid> = input.sets.iter().map(|s| s.exercise_id).collect();
    if !wanted.is_empty() {
        let known = exercises::visible_ids(connection, athlete_owner, &wanted)?;
        for (index, set) in input.sets.iter().enumerate() {
            if !known.contains(&set.exercise_id) {
                errors.push(FieldError::new(
                    format!("/sets/{index}/exercise_id"),
                    "no exercise with this id in the athlete's catalog",
                ));
            }
        }
    }
    if let Some(link) = &input.planned {
        let (plan, _) = plans::find_visible(connection, athlete_owner, link.plan_id)?.unzip();
        if plan.is_none_or(|p| p.athlete_id != athlete_id) {
            errors.push(FieldError::new(
                "/planned/plan_id",
                "not a plan of this athlete",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(errors))
    }
}

/// The version of a session as created.
pub const FIRST_VERSION: i64 = 1;

/// The headers of a session answer as they are kept under an
/// idempotency key (`StoredAnswer::headers`).
fn stored_session_headers(id: SessionId, version: i64) -> serde_json::Value {
    serde_json::Value::Object(
        answer_headers(id, version)
            .into_iter()
            .map(|(name, value)| (name.to_owned(), serde_json::Value::String(value)))
            .collect(),
    )
}

/// What a create ended in.
pub enum Created {
    New(Session, i64),
    /// Created in one statement: the body was serialized to be stored
    /// under the idempotency key, and is sent as it is.
    NewRendered {
        id: SessionId,
        body: Vec<u8>,
    },
    /// A repeat of an earlier create with the same client id and body.
    Existing(Session, i64),
    Replay(StoredAnswer),
}

/// One create request, as both paths take it.
#[derive(Clone, Copy)]
struct CreateRequest<'a> {
    /// SHA-256 of the bearer token.
    token_digest: &'a [u8],
    athlete_id: AthleteId,
    input: &'a SessionInput,
    body_hash: &'a str,
    key: Option<&'a str>,
    now: DateTime<Utc>,
}

/// A create in one statement: see `repo::session_create`.
fn create_simple(
    connection: &mut PgConnection,
    request: &CreateRequest<'_>,
) -> Result<Created, ApiError> {
    let (input, key) = (request.input, request.key);
    let session =
        session_create::new_session(SessionId::new_v7(), request.athlete_id, input, request.now);
    let body = serde_json::to_vec(&session).map_err(ApiError::internal)?;
    let request_hash = request.request_hash();
    let headers = key.map(|_| stored_session_headers(session.id, FIRST_VERSION));
    let answer = key.zip(headers.as_ref()).map(|(key, headers)| KeyedAnswer {
        key,
        request_sha256: &request_hash,
        headers,
        body: &body,
    });
    match session_create::create_in_one_statement(
        connection,
        request.token_digest,
        &session,
        input,
        request.body_hash,
        answer,
    )? {
        OneStatementCreate::Unauthenticated => Err(ApiError::invalid_token()),
        OneStatementCreate::NotVisible => Err(athletes::not_found().into()),
        OneStatementCreate::ReadOnly => Err(forbidden(AccessLevel::ReadWrite).into()),
        OneStatementCreate::Created => Ok(Created::NewRendered {
            id: session.id,
            body,
        }),
        OneStatementCreate::KeyTaken { caller } => {
            let key = key.ok_or_else(|| ApiError::internal("nothing inserted without a key"))?;
            match idempotency::stored_answer(connection, caller, key, &request_hash)? {
                Claim::Replay(answer) => Ok(Created::Replay(answer)),
                Claim::Mismatch => Err(key_reused()),
                Claim::Claimed => Err(ApiError::internal("a taken key cannot be claimed")),
            }
        }
    }
}

impl CreateRequest<'_> {
    /// What an Idempotency-Key is held to: the athlete and the client id
    /// as well as the body.
    fn request_hash(&self) -> String {
        let (athlete_id, body_hash) = (self.athlete_id, self.body_hash);
        sha256_hex(format!("{athlete_id}:{body_hash}:{:?}", self.input.id).as_bytes())
    }
}

fn key_reused() -> ApiError {
    ApiError::unprocessable(vec![FieldError::new(
        "",
        "this Idempotency-Key was used for a different request",
    )])
}

/// A create whose body must be checked against the database (sets,
/// planned link, client-chosen id) or is invalid: authenticate, check
/// access, validate, then claim the key and insert in one transaction.
fn create_checked(
    connection: &mut PgConnection,
    request: &CreateRequest<'_>,
) -> Result<Created, ApiError> {
    let (athlete_id, input, hash, key) = (
        request.athlete_id,
        request.input,
        request.body_hash,
        request.key,
    );
    let (caller, athlete) = require_caller(
        connection,
        request.token_digest,
        athlete_id,
        AccessLevel::ReadWrite,
    )?;
    input
        .validate(request.now)
        .map_err(ApiError::unprocessable)?;
    let request_hash = request.request_hash();
    connection.transaction(|connection| {
        if let Some(key) = key {
            match idempotency::claim_key(connection, caller.account_id, key, &request_hash)? {
                Claim::Claimed => {}
                Claim::Replay(answer) => return Ok(Created::Replay(answer)),
                Claim::Mismatch => return Err(key_reused()),
            }
        }
        check_references(
            connection,
            athlete.athlete.owner_account_id,
            athlete_id,
            input,
        )?;
        let id = input.id.unwrap_or_else(SessionId::new_v7);
        if let Some(client_id) = input.id {
            repo::lock_client_id(connection, client_id)?;
        }
        let created = match input
            .id
            .map(|id| repo::find_any(connection, id))
            .transpose()?
        {
            Some(Some(row)) => {
                let version = row.version;
                let same = row.body_sha256 == hash;
                let existing = repo::session_from_row(row)?;
                if !(same && existing.athlete_id == athlete_id && !existing.deleted) {
                    return Err(ApiError::Conflict(
                        "a different session already has this id".to_owned(),
                    ));
                }
                Created::Existing(existing, version)
            }
            Some(None) | None => {
                let (session, version) =
                    repo::insert(connection, id, athlete_id, caller.account_id, input, hash)?;
                Created::New(session, version)
            }
        };
        if let Some(key) = key {
            let (status, session, version) = match &created {
                Created::New(session, version) => (201, session, *version),
                Created::Existing(session, version) => (200, session, *version),
                Created::Replay(..) | Created::NewRendered { .. } => {
                    unreachable!("replays return early; this path renders no body")
                }
            };
            let body = serde_json::to_vec(session).map_err(ApiError::internal)?;
            let answer = StoredAnswer {
                status,
                headers: stored_session_headers(session.id, version),
                body,
            };
            idempotency::complete_key(connection, caller.account_id, key, &answer)?;
        }
        Ok(created)
    })
}

/// Replaces every field of a session with `input`, for a caller who may
/// write it; `precondition` judges the current version (If-Match) after
/// the body was found valid, so an invalid body is 422 whatever the tag.
fn replace_on(
    connection: &mut PgConnection,
    token_digest: &[u8],
    session_id: SessionId,
    input: &SessionInput,
    body_hash: &str,
    now: DateTime<Utc>,
    precondition: impl FnOnce(i64) -> Result<(), ApiError>,
) -> Result<(Session, i64), ApiError> {
    let current =
        repo::require_with_token(connection, token_digest, session_id, AccessLevel::ReadWrite)?;
    input.validate(now).map_err(ApiError::unprocessable)?;
    precondition(current.version)?;
    check_references(
        connection,
        current.athlete_owner,
        current.session.athlete_id,
        input,
    )?;
    repo::replace(
        connection,
        current.session.athlete_id,
        session_id,
        current.version,
        input,
        body_hash,
    )?
    .ok_or_else(stale)
}

/// A write that lost the race with another since the caller read it.
fn stale() -> ApiError {
    ApiError::PreconditionFailed(
        "the session changed since you read it; GET it again and retry".to_owned(),
    )
}

/// What an import ended in.
pub enum Imported {
    New(Session, i64),
    /// The athlete already has a session from this file.
    Existing(Session, i64),
    Replay(StoredAnswer),
}

/// Stores the session once per athlete and file, in one transaction with
/// the idempotency key (claimed first, answered last).
fn store_import(
    connection: &mut PgConnection,
    caller: AccountId,
    athlete_id: AthleteId,
    session: &ImportedSession,
    key: Option<(&str, &str)>,
) -> Result<Imported, ApiError> {
    connection.transaction(|connection| {
        if let Some((key, request_hash)) = key {
            match idempotency::claim_key(connection, caller, key, request_hash)? {
                Claim::Claimed => {}
                Claim::Replay(answer) => return Ok(Imported::Replay(answer)),
                Claim::Mismatch => return Err(key_reused()),
            }
        }
        let sha256 = &session.source.sha256;
        let imported = match repo::find_by_source(connection, athlete_id, sha256)? {
            Some((existing, version)) => Imported::Existing(existing, version),
            None => match repo::insert_imported(
                connection,
                SessionId::new_v7(),
                athlete_id,
                caller,
                session,
            )? {
                Some((created, version)) => Imported::New(created, version),
                // Another import of the same file committed first.
                None => {
                    let (existing, version) = repo::find_by_source(connection, athlete_id, sha256)?
                        .ok_or_else(|| ApiError::internal("an imported session vanished"))?;
                    Imported::Existing(existing, version)
                }
            },
        };
        if let Some((key, _)) = key {
            let (status, session, version) = match &imported {
                Imported::New(session, version) => (201, session, *version),
                Imported::Existing(session, version) => (200, session, *version),
                Imported::Replay(_) => unreachable!("replays return early"),
            };
            let answer = StoredAnswer {
                status,
                headers: stored_session_headers(session.id, version),
                body: serde_json::to_vec(session).map_err(ApiError::internal)?,
            };
            idempotency::complete_key(connection, caller, key, &answer)?;
        }
        Ok(imported)
    })
}
