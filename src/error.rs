//! The one error type of the API and its RFC 9457 problem+json body.
//!
//! Every failure a handler, an extractor or the database can produce ends
//! up here, so clients see one format. 5xx bodies carry a generic text; the
//! cause is logged with the request id instead.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::validation::FieldError;
use crate::http::request_context;

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_UNAVAILABLE_S: u64 = 2;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// RFC 9457 problem details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[schema(example = "urn:runstrong:problem:validation")]
    #[serde(rename = "type")]
    pub problem_type: String,
    #[schema(example = "Invalid request")]
    pub title: String,
    #[schema(example = 400)]
    pub status: u16,
    #[schema(example = "limit: must be between 1 and 200")]
    pub detail: String,
    /// The path of the request that failed.
    #[schema(example = "/v1/exercises")]
    pub instance: Option<String>,
    /// The `X-Request-Id` of the request, to quote when reporting it.
    pub request_id: Option<String>,
    /// For validation problems: every invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For an infeasible plan: what to change so that one fits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{detail}")]
    Unprocessable {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// No valid credentials; `invalid_token` when a token was sent but is
    /// malformed, expired or revoked (RFC 6750 `error="invalid_token"`).
    #[error("{detail}")]
    Unauthorized { detail: String, invalid_token: bool },
    /// The caller may see the resource but not do this to it.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A valid plan request that no plan can satisfy without breaking a
    /// hard rule.
    #[error("{conflict}")]
    Infeasible {
        conflict: String,
        suggestions: Vec<String>,
    },
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` named a version that is no longer current.
    #[error("{0}")]
    PreconditionFailed(String),
    /// A write to a versioned resource came without `If-Match`.
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after_s: u64 },
    /// `allow` lists the methods the path supports (the `Allow` header).
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    NotAcceptable(String),
    /// The database or the pool is out of reach for now.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected; the message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 405 for a path whose supported methods are `allow`.
    pub fn method_not_allowed(allow: &[String]) -> Self {
        ApiError::MethodNotAllowed {
            detail: format!("this route supports {}", allow.join(", ")),
            allow: allow.join(", "),
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A 400 about one field or parameter, with its pointer.
    pub fn bad_field(pointer: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        ApiError::BadRequest {
            detail: format!("{}: {detail}", pointer.trim_start_matches('/')),
            errors: vec![FieldError::new(pointer, detail)],
        }
    }

    /// A 400 listing several invalid fields.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        ApiError::BadRequest {
            detail: summarize(&errors),
            errors,
        }
    }

    /// A 422: well-formed input that breaks a rule.
    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        ApiError::Unprocessable {
            detail: summarize(&errors),
            errors,
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => ("bad-request", "Invalid request"),
            ApiError::Unprocessable { .. } => ("validation", "The request breaks a rule"),
            ApiError::Unauthorized { .. } => ("unauthorized", "Authentication required"),
            ApiError::Forbidden(_) => ("forbidden", "Not allowed"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::Infeasible { .. } => ("infeasible-plan", "No plan fits these constraints"),
            ApiError::Conflict(_) => ("conflict", "Conflict"),
            ApiError::PreconditionFailed(_) => ("precondition-failed", "The resource has changed"),
            ApiError::PreconditionRequired(_) => ("precondition-required", "If-Match required"),
            ApiError::TooManyRequests { .. } => ("too-many-requests", "Too many attempts"),
            ApiError::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "Request body too large"),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            ApiError::NotAcceptable(_) => ("not-acceptable", "Not acceptable"),
            ApiError::Unavailable(_) => ("unavailable", "Service temporarily unavailable"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The body sent to the client; never includes internal causes.
    pub fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        let status = self.status_code();
        let suggestions = match self {
            ApiError::Infeasible { suggestions, .. } => suggestions.clone(),
            _ => Vec::new(),
        };
        let (detail, errors) = match self {
            ApiError::Infeasible { conflict, .. } => (conflict.clone(), Vec::new()),
            ApiError::BadRequest { detail, errors }
            | ApiError::Unprocessable { detail, errors } => (detail.clone(), errors.clone()),
            ApiError::Unauthorized { detail, .. } | ApiError::TooManyRequests { detail, .. } => {
                (detail.clone(), Vec::new())
            }
            ApiError::NotFound(detail)
            | ApiError::Forbidden(detail)
            | ApiError::Conflict(detail)
            | ApiError::PreconditionFailed(detail)
            | ApiError::PreconditionRequired(detail)
            | ApiError::MethodNotAllowed { detail, .. }
            | ApiError::PayloadTooLarge(detail)
            | ApiError::UnsupportedMediaType(detail)
            | ApiError::NotAcceptable(detail) => (detail.clone(), Vec::new()),
            ApiError::Unavailable(_) => (
                "The database is out of reach for now; retry shortly.".to_owned(),
                Vec::new(),
            ),
            ApiError::Internal(_) => (
                "Something went wrong on our side; it has been logged.".to_owned(),
                Vec::new(),
            ),
        };
        let context = request_context::current();
        Problem {
            problem_type: format!("urn:runstrong:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            instance: context.as_ref().map(|c| c.path.clone()),
            request_id: context.map(|c| c.request_id),
            errors,
            suggestions,
        }
    }
}

/// The `detail` of a problem with field errors: each as "field: what",
/// or just "what" for one about the whole document (pointer "").
fn summarize(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| match e.pointer.trim_start_matches('/') {
            "" => e.detail.clone(),
            field => format!("{field}: {}", e.detail),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Infeasible { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "dependency unavailable"),
            _ => {}
        }
        problem_response(self.status_code(), &self.problem(), self)
    }
}

fn problem_response(status: StatusCode, problem: &Problem, error: &ApiError) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
    match error {
        ApiError::Unavailable(_) => {
            response.insert_header((header::RETRY_AFTER, RETRY_AFTER_UNAVAILABLE_S.to_string()));
        }
        ApiError::MethodNotAllowed { allow, .. } if !allow.is_empty() => {
            response.insert_header((header::ALLOW, allow.as_str()));
        }
        ApiError::TooManyRequests { retry_after_s, .. } => {
            response.insert_header((header::RETRY_AFTER, retry_after_s.to_string()));
        }
        ApiError::Unauthorized { invalid_token, .. } => {
            let challenge = if *invalid_token {
                r#"Bearer realm="runstrong", error="invalid_token""#
            } else {
                r#"Bearer realm="runstrong""#
            };
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        _ => {}
    }
    response.body(serde_json::to_vec(problem).unwrap_or_default())
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &error {
            Error::NotFound => ApiError::NotFound("no such resource".to_owned()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("that conflicts with an existing resource".to_owned())
            }
            _ if is_unavailable(&error) => ApiError::Unavailable(error.to_string()),
            _ => ApiError::Internal(error.to_string()),
        }
    }
}

/// Database failures that end by themselves, so the client is told to
/// retry (503) rather than that something is wrong with us (500).
fn is_unavailable(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(kind, info) => {
            matches!(
                kind,
                DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand
                    | DatabaseErrorKind::SerializationFailure
                    // Writes reaching a standby during a failover.
                    | DatabaseErrorKind::ReadOnlyTransaction
            ) || is_transient(info.message())
        }
        // COMMIT failed and so did the rollback after it: the connection
        // went away under the transaction (nothing was committed).
        Error::RollbackErrorOnCommit { commit_error, .. } => is_unavailable(commit_error),
        // A connection left in an unknown state by an earlier failure; the
        // pool drops it when it comes back.
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

/// Messages PostgreSQL and libpq give for failures that end by themselves:
/// a cancelled statement (statement or lock timeout, an operator's
/// pg_cancel_backend, a conflict with recovery), a deadlock, a server
/// restart or failover, a lost socket.
fn is_transient(message: &str) -> bool {
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

impl From<r2d2::Error> for ApiError {
    fn from(error: r2d2::Error) -> Self {
        ApiError::Unavailable(format!("no database connection: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_of(error: &ApiError) -> serde_json::Value {
        let response = error.error_response();
        let bytes = response.into_body().try_into_bytes().unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let body = body_of(&ApiError::internal(
            "relation \"secret_table\" does not exist",
        ));
        assert_eq!(body["status"], 500);
        assert!(!body.to_string().contains("secret_table"));
    }

    #[test]
    fn an_error_about_the_whole_document_names_no_field() {
        let body = body_of(&ApiError::unprocessable(vec![
            FieldError::new("", "this Idempotency-Key was used for a different request"),
            FieldError::new("/sets/0/reps", "between 1 and 100"),
        ]));
        assert_eq!(
            body["detail"],
            "this Idempotency-Key was used for a different request; sets/0/reps: between 1 and 100"
        );
        assert_eq!(body["errors"][0]["pointer"], "");
    }

    #[test]
    fn unavailable_carries_retry_after() {
        let response = ApiError::Unavailable("pool timed out".into()).error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "2");
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_CONTENT_TYPE
        );
    }

    #[test]
    fn database_failures_that_pass_are_503_and_bugs_500() {
        use diesel::result::{DatabaseErrorKind, Error};
        let database =
            |kind, message: &str| Error::DatabaseError(kind, Box::new(message.to_owned()));
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
                matches!(ApiError::from(error), ApiError::Unavailable(_)),
                "{described}"
            );
        }
        for error in [
            database(
                DatabaseErrorKind::Unknown,
                "relation \"nope\" does not exist",
            ),
            Error::RollbackErrorOnCommit {
                rollback_error: Box::new(database(DatabaseErrorKind::Unknown, "odd")),
                commit_error: Box::new(database(DatabaseErrorKind::CheckViolation, "odd")),
            },
        ] {
            let described = format!("{error:?}");
            assert!(
                matches!(ApiError::from(error), ApiError::Internal(_)),
                "{described}"
            );
        }
    }

    #[test]
    fn field_errors_carry_pointers() {
        let body = body_of(&ApiError::bad_field("/limit", "must be between 1 and 200"));
        assert_eq!(body["errors"][0]["pointer"], "/limit");
        assert_eq!(body["type"], "urn:runstrong:problem:bad-request");
    }
}
