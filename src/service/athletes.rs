//! Athlete profiles: who may do what to a profile, and the read-check-write
//! of a change, each in one trip to the database.

use diesel::PgConnection;

use crate::db::{self, PgPool, reads::Reads};
use crate::domain::profile::AthleteProfile;
use crate::error::ApiError;
use crate::ids::AthleteId;
use crate::repo::access::AccessLevel;
use crate::repo::accounts::{self, Caller};
use crate::repo::athletes::{self, VisibleAthlete};
use crate::views::Athlete;

/// The caller behind a token, and the athlete they may act on with at
/// least `needed` access: the first lines of every athlete-scoped route.
/// 401 for a dead token, 404 for an athlete the caller cannot see, 403
/// for too little access.
pub fn require_caller(
    connection: &mut PgConnection,
    token_digest: &[u8],
    athlete_id: AthleteId,
    needed: AccessLevel,
) -> Result<(Caller, VisibleAthlete), ApiError> {
    let caller = accounts::authenticate(connection, token_digest)?;
    let visible = athletes::require(connection, caller.account_id, athlete_id, needed)?;
    Ok((caller, visible))
}

/// The check before a replica-eligible read of an athlete's data
/// (`db::reads`), run on the primary: a live token whose account may
/// read this athlete.
pub fn may_read(
    connection: &mut PgConnection,
    token_digest: &[u8],
    athlete_id: AthleteId,
) -> Result<(), ApiError> {
    require_caller(connection, token_digest, athlete_id, AccessLevel::Read)?;
    Ok(())
}

/// Creates a profile owned by the caller, answering it and its version.
pub async fn create(
    pool: &PgPool,
    token_digest: Vec<u8>,
    profile: AthleteProfile,
) -> Result<(Athlete, i64), ApiError> {
    db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        profile.validate().map_err(ApiError::unprocessable)?;
        Ok(athletes::create(connection, caller.account_id, &profile)?)
    })
    .await
}

/// A page of the profiles the caller owns or coaches, after `after`.
pub async fn list_visible(
    reads: &Reads,
    token_digest: Vec<u8>,
    after: Option<AthleteId>,
    limit: i64,
) -> Result<(Vec<Athlete>, bool), ApiError> {
    let (_, page) = reads
        .run_with(
            move |connection| Ok(accounts::authenticate(connection, &token_digest)?.account_id),
            move |connection, caller| {
                Ok(athletes::list_visible(connection, *caller, after, limit)?)
            },
        )
        .await?;
    Ok(page)
}

/// One profile the caller may read.
pub async fn find(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
) -> Result<VisibleAthlete, ApiError> {
    db::run(pool, move |connection| {
        let (_, visible) =
            require_caller(connection, &token_digest, athlete_id, AccessLevel::Read)?;
        Ok(visible)
    })
    .await
}

/// Changes a profile the caller may write, in one trip: `change` turns the
/// stored profile into the new one (a merge patch, say), and
/// `check_version` sees the stored version before anything is written
/// (the handler's `If-Match`). It runs after `change`, so a body that could
/// never apply answers 400/422 before a stale tag answers 412: a client
/// must fix its body anyway, and a 412 would only make it fetch and fail
/// again.
pub async fn update(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    change: impl FnOnce(&AthleteProfile) -> Result<AthleteProfile, ApiError> + Send + 'static,
    check_version: impl FnOnce(i64) -> Result<(), ApiError> + Send + 'static,
) -> Result<(Athlete, i64), ApiError> {
    db::run(pool, move |connection| {
        let (_, visible) = require_caller(
            connection,
            &token_digest,
            athlete_id,
            AccessLevel::ReadWrite,
        )?;
        let profile = change(&visible.athlete.profile)?;
        profile.validate().map_err(ApiError::unprocessable)?;
        check_version(visible.version)?;
        athletes::update(connection, athlete_id, visible.version, &profile)?.ok_or_else(stale)
    })
    .await
}

/// Deletes a profile (owner only) and everything that belongs to it,
/// once `check_version` accepts the stored version.
pub async fn delete(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    check_version: impl FnOnce(i64) -> Result<(), ApiError> + Send + 'static,
) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        let (_, visible) =
            require_caller(connection, &token_digest, athlete_id, AccessLevel::Owner)?;
        check_version(visible.version)?;
        if athletes::delete(connection, athlete_id, visible.version)? {
            Ok(())
        } else {
            Err(stale())
        }
    })
    .await
}

/// The row changed between our read and our write.
fn stale() -> ApiError {
    ApiError::PreconditionFailed(
        "the profile changed since you read it; GET it again and retry".to_owned(),
    )
}
