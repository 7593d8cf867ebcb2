//! Reading logged sessions: one session, an athlete's list or sync feed,
//! and what is computed from the logs (the load report, planned vs done).
//! The lists and reports are replica-eligible (`db::reads`): the access
//! check runs on the primary, the bulk of the read on the replica.

use actix_web::web;
use chrono::{Duration, NaiveDate, Utc};

use crate::db::{self, PgPool, reads::Reads};
use crate::domain::adherence::{self, Adherence};
use crate::domain::dates::midnight;
use crate::domain::load::{LOAD_HISTORY_DAYS, LoadReport, report};
use crate::error::ApiError;
use crate::ids::{AthleteId, PlanId, SessionId};
use crate::repo::access::AccessLevel;
use crate::repo::sessions::{self as repo, ListQuery, VisibleSession};
use crate::repo::{accounts, athletes, plans};
use crate::service::athletes::may_read;
use crate::views::Session;

/// Which of an athlete's sessions a list answers.
pub enum Listing {
    /// Those started in a range, of some kinds, by start time.
    Started(ListQuery),
    /// Everything changed after `since`, deletions included, in change
    /// order, after the `(updated_at, id)` position `after`.
    ChangedSince {
        since: chrono::DateTime<Utc>,
        after: Option<(chrono::DateTime<Utc>, SessionId)>,
        limit: i64,
    },
}

/// A page of an athlete's sessions, and whether more follow.
pub async fn list(
    reads: &Reads,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    listing: Listing,
) -> Result<(Vec<Session>, bool), ApiError> {
    reads
        .run(
            move |connection| may_read(connection, &token_digest, athlete_id),
            move |connection| {
                Ok(match &listing {
                    Listing::Started(query) => repo::list(connection, athlete_id, query)?,
                    Listing::ChangedSince {
                        since,
                        after,
                        limit,
                    } => repo::changes(connection, athlete_id, *since, *after, *limit)?,
                })
            },
        )
        .await
}

/// One session the caller may read, with its version.
pub async fn find(
    pool: &PgPool,
    token_digest: Vec<u8>,
    session_id: SessionId,
) -> Result<VisibleSession, ApiError> {
    db::run(pool, move |connection| {
        Ok(repo::require_with_token(
            connection,
            &token_digest,
            session_id,
            AccessLevel::Read,
        )?)
    })
    .await
}

/// The load report of `from..=to`, from the logs of those days and the
/// history the metrics need before them.
pub async fn load_report(
    reads: &Reads,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<LoadReport, ApiError> {
    let history_start = from - Duration::days(LOAD_HISTORY_DAYS);
    let inputs = reads
        .run(
            move |connection| may_read(connection, &token_digest, athlete_id),
            move |connection| {
                let sessions = repo::between(
                    connection,
                    athlete_id,
                    midnight(history_start),
                    midnight(to + Duration::days(1)),
                )?;
                Ok(repo::load_inputs(connection, &sessions)?)
            },
        )
        .await?;
    Ok(web::block(move || report(&inputs, history_start, from, to)).await?)
}

/// Planned vs done, per week, of an athlete's stored plan.
pub async fn adherence(
    reads: &Reads,
    token_digest: Vec<u8>,
    athlete_id: AthleteId,
    plan_id: PlanId,
) -> Result<Adherence, ApiError> {
    // The plan comes with the access check, from the primary: only the
    // logs, the bulk of it, are read from the replica.
    let (stored, logs) = reads
        .run_with(
            move |connection| {
                let caller = accounts::authenticate(connection, &token_digest)?;
                athletes::require(connection, caller.account_id, athlete_id, AccessLevel::Read)?;
                let stored =
                    plans::require(connection, caller.account_id, plan_id, AccessLevel::Read)?;
                if stored.athlete_id != athlete_id {
                    return Err(ApiError::NotFound(
                        "this athlete has no plan with that id".to_owned(),
                    ));
                }
                Ok(stored)
            },
            move |connection, stored| {
                Ok(repo::between(
                    connection,
                    athlete_id,
                    midnight(stored.plan.start_date),
                    midnight(stored.plan.end_date + Duration::days(1)),
                )?)
            },
        )
        .await?;
    let logs: Vec<_> = logs.iter().map(Session::logged).collect();
    let today = Utc::now().date_naive();
    Ok(adherence::adherence(&stored.plan, plan_id, &logs, today))
}
