//! The one error type of the queries, in storage terms: what was not found,
//! what a stored row or limit refuses, and whether a database failure ends
//! by itself (retry) or is a bug. It knows nothing of HTTP; `error.rs`
//! turns it into the API's answer, in one place (`From<RepoError> for
//! ApiError`).

use diesel::result::SqlState;
use sqlstate::pg;

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
/// Classified by the SQLSTATE the server sent (diesel 2.4 hands it on):
/// a connection exception (class 08), a serialization failure or deadlock
/// (40001, 40P01), a write reaching a standby during a failover (25006),
/// a cancelled statement (57014: statement timeout, pg_cancel_backend, a
/// conflict with recovery), a lock not granted in time (55P03), the server
/// shutting down or starting (57P01–57P03, 57P05), too many connections
/// (53300). A connection lost under a query has no SQLSTATE (libpq, not
/// the server, reports it); diesel marks it `ClosedConnection` from the
/// connection's status. Messages are never read: they follow the server's
/// `lc_messages`.
fn is_transient(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(kind, info) => {
            matches!(
                kind,
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand
            ) || info.sqlstate().is_some_and(is_transient_code)
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

/// The SQLSTATEs of failures that pass (see `is_transient`).
fn is_transient_code(code: SqlState) -> bool {
    code.class().as_str() == "08"
        || matches!(
            code,
            pg::T_R_SERIALIZATION_FAILURE
                | pg::T_R_DEADLOCK_DETECTED
                | pg::READ_ONLY_SQL_TRANSACTION
                | pg::QUERY_CANCELED
                | pg::LOCK_NOT_AVAILABLE
                | pg::ADMIN_SHUTDOWN
                | pg::CRASH_SHUTDOWN
                | pg::CANNOT_CONNECT_NOW
                | pg::IDLE_SESSION_TIMEOUT
                | pg::TOO_MANY_CONNECTIONS
        )
}

/// Whether `error` is a lock the statement waited on for longer than the
/// connection's `lock_timeout` (55P03).
pub fn is_lock_timeout(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(_, info)
            if info.sqlstate() == Some(pg::LOCK_NOT_AVAILABLE)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};

    /// A server's error as diesel 2.4 hands it on: a message and a code.
    struct ServerError {
        code: Option<SqlState>,
        message: &'static str,
    }

    impl DatabaseErrorInformation for ServerError {
        fn message(&self) -> &str {
            self.message
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
        fn sqlstate(&self) -> Option<SqlState> {
            self.code
        }
    }

    fn coded(kind: DatabaseErrorKind, code: SqlState, message: &'static str) -> Error {
        Error::DatabaseError(
            kind,
            Box::new(ServerError {
                code: Some(code),
                message,
            }),
        )
    }

    fn uncoded(kind: DatabaseErrorKind, message: &'static str) -> Error {
        Error::DatabaseError(
            kind,
            Box::new(ServerError {
                code: None,
                message,
            }),
        )
    }

    fn is_unavailable(error: Error) -> bool {
        matches!(RepoError::from(error), RepoError::Unavailable(_))
    }

    #[test]
    fn failures_that_pass_are_told_by_their_code_not_their_words() {
        use DatabaseErrorKind::Unknown;
        for code in [
            pg::QUERY_CANCELED,
            pg::LOCK_NOT_AVAILABLE,
            pg::T_R_DEADLOCK_DETECTED,
            pg::ADMIN_SHUTDOWN,
            pg::CRASH_SHUTDOWN,
            pg::CANNOT_CONNECT_NOW,
            pg::IDLE_SESSION_TIMEOUT,
            pg::TOO_MANY_CONNECTIONS,
            pg::CONNECTION_FAILURE,
            pg::PROTOCOL_VIOLATION,
        ] {
            // A server localised to another language says something else.
            assert!(
                is_unavailable(coded(Unknown, code, "Abbruch der Anweisung")),
                "{code:?}"
            );
        }
        // The words alone, without the code, no longer make a failure pass.
        assert!(!is_unavailable(uncoded(
            Unknown,
            "canceling statement due to statement timeout"
        )));
        for code in [
            pg::UNDEFINED_TABLE,
            pg::DIVISION_BY_ZERO,
            pg::CHECK_VIOLATION,
        ] {
            assert!(
                matches!(
                    RepoError::from(coded(Unknown, code, "canceling statement due to a check")),
                    RepoError::Internal(_)
                ),
                "{code:?}"
            );
        }
    }

    #[test]
    fn a_lock_timeout_is_recognised_by_its_code() {
        use DatabaseErrorKind::Unknown;
        assert!(is_lock_timeout(&coded(
            Unknown,
            pg::LOCK_NOT_AVAILABLE,
            "Sperrzeitüberschreitung"
        )));
        assert!(!is_lock_timeout(&coded(
            Unknown,
            pg::QUERY_CANCELED,
            "canceling statement due to lock timeout"
        )));
        assert!(!is_lock_timeout(&uncoded(
            Unknown,
            "canceling statement due to lock timeout"
        )));
    }

    #[test]
    fn lost_connections_and_broken_transactions_are_unavailable() {
        for error in [
            uncoded(
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection unexpectedly",
            ),
            uncoded(DatabaseErrorKind::UnableToSendCommand, "no connection"),
            coded(
                DatabaseErrorKind::SerializationFailure,
                pg::T_R_SERIALIZATION_FAILURE,
                "could not serialize access",
            ),
            coded(
                DatabaseErrorKind::ReadOnlyTransaction,
                pg::READ_ONLY_SQL_TRANSACTION,
                "cannot execute INSERT in a read-only transaction",
            ),
            Error::RollbackErrorOnCommit {
                rollback_error: Box::new(uncoded(DatabaseErrorKind::ClosedConnection, "gone")),
                commit_error: Box::new(uncoded(DatabaseErrorKind::ClosedConnection, "gone")),
            },
            Error::BrokenTransactionManager,
        ] {
            let described = format!("{error:?}");
            assert!(is_unavailable(error), "{described}");
        }
        let failed_commit = Error::RollbackErrorOnCommit {
            rollback_error: Box::new(uncoded(DatabaseErrorKind::Unknown, "odd")),
            commit_error: Box::new(coded(
                DatabaseErrorKind::CheckViolation,
                pg::CHECK_VIOLATION,
                "odd",
            )),
        };
        assert!(matches!(
            RepoError::from(failed_commit),
            RepoError::Internal(_)
        ));
    }

    #[test]
    fn a_unique_violation_is_a_conflict_and_a_missing_row_not_found() {
        assert!(matches!(
            RepoError::from(coded(
                DatabaseErrorKind::UniqueViolation,
                pg::UNIQUE_VIOLATION,
                "dup"
            )),
            RepoError::Conflict(_)
        ));
        assert!(matches!(
            RepoError::from(Error::NotFound),
            RepoError::NotFound(_)
        ));
    }
}
