//! Coach access: the athlete owner's side (grant, list, revoke) and the
//! coach's side (list, accept, decline or leave). A grant gives nothing
//! until the coach accepts it.

use super::athletes::require_caller;
use crate::db::{self, PgPool};
use crate::domain::account::normalize_email;
use crate::domain::vocabulary::{GrantAccess, GrantStatus, Role};
use crate::error::ApiError;
use crate::ids::{AthleteId, GrantId};
use crate::repo::access::AccessLevel;
use crate::repo::accounts;
use crate::repo::grants;
use crate::views::{CoachGrant, Grant};

/// Grants the coach with this email `access` to the athlete (owner only).
/// Answers the grant and whether it is new (else the coach's live grant,
/// with its access changed).
pub async fn grant(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    coach_email: String,
    access: GrantAccess,
) -> Result<(Grant, bool), ApiError> {
    db::run(pool, move |connection| {
        let (owner, _) = require_caller(connection, &token_digest, athlete_id, AccessLevel::Owner)?;
        Ok(grants::grant(
            connection,
            athlete_id,
            owner.account_id,
            &normalize_email(&coach_email),
            access,
        )?)
    })
    .await
}

/// The athlete's live grants, pending and active (owner only).
pub async fn list_for_athlete(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
) -> Result<Vec<Grant>, ApiError> {
    db::run(pool, move |connection| {
        require_caller(connection, &token_digest, athlete_id, AccessLevel::Owner)?;
        Ok(grants::list(connection, athlete_id)?)
    })
    .await
}

/// Ends one of the athlete's live grants at once (owner only).
pub async fn revoke(
    pool: &PgPool,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    grant_id: GrantId,
) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        require_caller(connection, &token_digest, athlete_id, AccessLevel::Owner)?;
        if grants::revoke(connection, athlete_id, grant_id)? {
            Ok(())
        } else {
            Err(ApiError::NotFound(
                "this athlete has no live grant with that id".to_owned(),
            ))
        }
    })
    .await
}

/// A page of the grants made to the calling coach (coaches only: 403 for
/// anyone else, who has nothing to find here).
pub async fn list_for_coach(
    pool: &PgPool,
    token_digest: Vec<u8>,
    status: Option<GrantStatus>,
    after: Option<GrantId>,
    limit: i64,
) -> Result<(Vec<CoachGrant>, bool), ApiError> {
    db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        if caller.role != Role::Coach {
            return Err(ApiError::Forbidden(
                "only coaches receive grants; athletes manage theirs under /v1/athletes/{athlete_id}/grants"
                    .to_owned(),
            ));
        }
        Ok(grants::list_for_coach(
            connection,
            caller.account_id,
            status,
            after,
            limit,
        )?)
    })
    .await
}

/// The calling coach accepts a grant made to them (again: no change).
pub async fn accept(
    pool: &PgPool,
    token_digest: Vec<u8>,
    grant_id: GrantId,
) -> Result<CoachGrant, ApiError> {
    db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        grants::accept(connection, caller.account_id, grant_id)?.ok_or_else(no_grant_for_coach)
    })
    .await
}

/// The calling coach declines a pending grant or leaves an active one.
pub async fn end_for_coach(
    pool: &PgPool,
    token_digest: Vec<u8>,
    grant_id: GrantId,
) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        if grants::end_for_coach(connection, caller.account_id, grant_id)? {
            Ok(())
        } else {
            Err(no_grant_for_coach())
        }
    })
    .await
}

fn no_grant_for_coach() -> ApiError {
    ApiError::NotFound("you have no pending or active grant with that id".to_owned())
}
