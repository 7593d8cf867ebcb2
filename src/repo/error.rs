//! The one error type of the queries, in storage terms: what was not found,
//! what a stored row or limit refuses, and whether a database failure ends
//! by itself (retry) or is a bug. It knows nothing of HTTP; `error.rs`
//! turns it into the API's answer, in one place (`From<RepoError> for
//! ApiError`).

use crate::domain::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// No row the caller may see (also: a row that exists but is not the
    /// caller's, so that its existence is not revealed).
    #[error("{0}")]
    NotFound(String),
    /// The caller sees the row but holds too little access for this.
    #[error("{0}")]
    Forbidden(String),
    /// A unique key or a held limit refuses the write, or the same
    /// idempotency key is still being processed.
    #[error("{0}")]
    Conflict(String),
    /// Values that what is stored refuses (a grant to the owner, to an
    /// unknown coach); one entry per field.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// The token is unknown, expired or revoked.
    #[error("invalid token")]
    InvalidToken,
    /// A throttle's limit is reached; `retry_after_s` says when it lifts.
    #[error("{detail}")]
    Throttled { detail: String, retry_after_s: u64 },
    /// The database failed in a way that ends by itself (a lost
    /// connection, a cancelled statement, a failover): retry.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug, or a stored value that does not decode.
    #[error("{0}")]
    Internal(String),
}

pub type RepoResult<T> = Result<T, RepoError>;

impl RepoError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        RepoError::Internal(cause.to_string())
    }
}

impl From<diesel::result::Error> for RepoError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::Error;
        match &error {
            Error::NotFound => RepoError::NotFound("no such resource".to_owned()),
            Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                RepoError::Conflict("that conflicts with an existing resource".to_owned())
            }
            _ if is_transient(&error) => RepoError::Unavailable(error.to_string()),
            _ => RepoError::Internal(error.to_string()),
        }
    }
}

/// Database failures that end by themselves, so the client is told to
/// retry rather than that something is wrong with us.
///
/// Classified by SQLSTATE where diesel exposes it: diesel maps the codes of
/// connection exceptions (class 08), serialization failures (40001) and
/// read-only transactions (25006, writes reaching a standby during a
/// failover) to a `DatabaseErrorKind`. The codes it does not map — query
/// cancelled (57014: statement and lock timeouts, pg_cancel_backend, a
/// conflict with recovery), deadlock (40P01),
/// the server shutting down or starting (57P01–57P03) — reach us as
/// `Unknown` with no code at all: diesel 2.3 keeps the SQLSTATE private
/// (diesel 2.4 exposes `DatabaseErrorInformation::sqlstate`, but cannot be
/// resolved yet: its `diesel_derives` 2.4 is not published). For those, and
/// only those, the server's primary message is matched, in this one place.
fn is_transient(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(kind, info) => {
            matches!(
                kind,
                DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand
                    | DatabaseErrorKind::SerializationFailure
                    | DatabaseErrorKind::ReadOnlyTransaction
            ) || (matches!(kind, DatabaseErrorKind::Unknown)
                && has_transient_message(info.message()))
        }
        // COMMIT failed and so did the rollback after it: the connection
        // went away under the transaction (nothing was committed).
        Error::RollbackErrorOnCommit { commit_error, .. } => is_transient(commit_error),
        // A connection left in an unknown state by an earlier failure; the
        // pool drops it when it comes back.
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

/// The primary messages of the codes diesel does not map (see
/// `is_transient`), and libpq's own for a socket lost mid-query.
fn has_transient_message(message: &str) -> bool {
    const TRANSIENT: &[&str] = &[
        "canceling statement due to",
        "deadlock detected",
        "terminating connection",
        "server closed the connection",
        "connection to server",
        "could not receive data from server",
        "could not send data to server",
        "SSL connection has been closed unexpectedly",
        "the database system is starting up",
        "the database system is shutting down",
        "the database system is in recovery mode",
        "the database system is not yet accepting connections",
        "no connection to the server",
    ];
    TRANSIENT.iter().any(|needle| message.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn database(kind: DatabaseErrorKind, message: &str) -> Error {
        Error::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn database_failures_that_pass_are_unavailable_and_bugs_internal() {
        for error in [
            database(
                DatabaseErrorKind::Unknown,
                "canceling statement due to user request",
            ),
            database(
                DatabaseErrorKind::Unknown,
                "canceling statement due to statement timeout",
            ),
            database(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            database(DatabaseErrorKind::ClosedConnection, "anything"),
            database(DatabaseErrorKind::SerializationFailure, "anything"),
            database(DatabaseErrorKind::ReadOnlyTransaction, "anything"),
            Error::RollbackErrorOnCommit {
                rollback_error: Box::new(database(
                    DatabaseErrorKind::ClosedConnection,
                    "no connection to the server",
                )),
                commit_error: Box::new(database(
                    DatabaseErrorKind::ClosedConnection,
                    "server closed the connection unexpectedly",
                )),
            },
            Error::BrokenTransactionManager,
        ] {
            let described = format!("{error:?}");
            assert!(
                matches!(RepoError::from(error), RepoError::Unavailable(_)),
                "{described}"
            );
        }
        for error in [
            database(
                DatabaseErrorKind::Unknown,
                "relation \"nope\" does not exist",
            ),
            // A kind diesel classified by its code wins over the words.
            database(
                DatabaseErrorKind::CheckViolation,
                "canceling statement due to a check",
            ),
            Error::RollbackErrorOnCommit {
                rollback_error: Box::new(database(DatabaseErrorKind::Unknown, "odd")),
                commit_error: Box::new(database(DatabaseErrorKind::CheckViolation, "odd")),
            },
        ] {
            let described = format!("{error:?}");
            assert!(
                matches!(RepoError::from(error), RepoError::Internal(_)),
                "{described}"
            );
        }
    }

    #[test]
    fn a_unique_violation_is_a_conflict_and_a_missing_row_not_found() {
        assert!(matches!(
            RepoError::from(database(DatabaseErrorKind::UniqueViolation, "dup")),
            RepoError::Conflict(_)
        ));
        assert!(matches!(
            RepoError::from(Error::NotFound),
            RepoError::NotFound(_)
        ));
    }
}
