//! What a caller may do with an athlete's data, as computed inside the
//! query that reads it: the athlete's owner, a coach with an active grant
//! (made by the athlete, accepted by the coach, not revoked), or nobody
//! (the row is not returned at all, so the answer is 404). A pending grant
//! gives nothing.

use diesel::{dsl::exists, pg::Pg, prelude::*};

use super::error::{RepoError, RepoResult};
use crate::db::schema::{athletes, exercises, grants};
use crate::domain::vocabulary::{GrantAccess, GrantStatus};
use crate::ids::AccountId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessLevel {
    Read,
    ReadWrite,
    Owner,
}

impl AccessLevel {
    /// From the row's owner and the caller's active grant, if any.
    pub fn of(owner_account_id: AccountId, caller: AccountId, grant: Option<&str>) -> Option<Self> {
        if owner_account_id == caller {
            return Some(AccessLevel::Owner);
        }
        match grant?.parse::<GrantAccess>().ok()? {
            GrantAccess::Read => Some(AccessLevel::Read),
            GrantAccess::ReadWrite => Some(AccessLevel::ReadWrite),
        }
    }

    /// The documented rule: whoever may see a resource but not change it
    /// gets 403; whoever may not see it gets 404 (never reaching here).
    pub fn require(self, needed: AccessLevel) -> RepoResult<()> {
        if self >= needed {
            return Ok(());
        }
        Err(forbidden(needed))
    }
}

/// The 403 for a caller who sees the athlete but holds less than `needed`.
pub fn forbidden(needed: AccessLevel) -> RepoError {
    RepoError::Forbidden(match needed {
        AccessLevel::Owner => "only the athlete's owner may do this".to_owned(),
        _ => "your grant for this athlete is read-only".to_owned(),
    })
}

/// The `status` of a grant that gives access.
pub const ACTIVE: &str = GrantStatus::Active.as_str();

/// A grant that gives access: accepted, and not revoked since.
pub type ActiveGrant = diesel::dsl::And<
    diesel::dsl::IsNull<grants::revoked_at>,
    diesel::dsl::Eq<grants::status, &'static str>,
>;

pub fn active_grant() -> ActiveGrant {
    grants::revoked_at.is_null().and(grants::status.eq(ACTIVE))
}

/// The active grant of `caller` on the athlete of the row, joined on.
pub type ActiveGrantJoin = diesel::dsl::LeftJoinOn<
    athletes::table,
    grants::table,
    diesel::dsl::And<
        diesel::dsl::And<
            diesel::dsl::Eq<grants::athlete_id, athletes::id>,
            diesel::dsl::Eq<grants::coach_account_id, AccountId>,
        >,
        ActiveGrant,
    >,
>;

/// `athletes` with the caller's active grant (if any) left-joined: at most
/// one row per athlete, since a coach has at most one live grant each.
pub fn athletes_with_grant(caller: AccountId) -> ActiveGrantJoin {
    athletes::table.left_join(
        grants::table.on(grants::athlete_id
            .eq(athletes::id)
            .and(grants::coach_account_id.eq(caller))
            .and(active_grant())),
    )
}

/// Exercises `viewer` may see: the global catalog, their own private ones,
/// and those of coaches holding an active grant on an athlete they own (a
/// coach who never accepted the athlete shares nothing with them).
/// Without a viewer, only the global catalog.
pub fn visible_exercises(
    viewer: Option<AccountId>,
) -> Box<dyn BoxableExpression<exercises::table, Pg, SqlType = diesel::sql_types::Bool>> {
    let Some(viewer) = viewer else {
        return Box::new(exercises::owner_account_id.is_null());
    };
    let granting = exists(
        grants::table.inner_join(athletes::table).filter(
            grants::coach_account_id
                .nullable()
                .eq(exercises::owner_account_id)
                .and(athletes::owner_account_id.eq(viewer))
                .and(active_grant()),
        ),
    );
    Box::new(
        exercises::owner_account_id
            .is_null()
            .or(exercises::owner_account_id.eq(viewer).assume_not_null())
            .or(granting),
    )
}
