//! The one error type of the API and its RFC 9457 problem+json body.
//!
//! Every failure a handler, an extractor or the database can produce ends
//! up here, so clients see one format. 5xx bodies carry a generic text; the
//! cause is logged with the request id instead.

use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::validation::FieldError;
use crate::repo::RepoError;

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
    /// The request body did not arrive in time (the rest of it is not
    /// read: the connection closes).
    #[error("{0}")]
    RequestTimeout(String),
    /// The database or the pool is out of reach for now.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// This instance is at a capacity it keeps on purpose (password
    /// hashing); retry after `retry_after_s`.
    #[error("{detail}")]
    Overloaded { detail: String, retry_after_s: u64 },
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

    /// No `Authorization` header where a token is required.
    pub fn missing_token() -> Self {
        ApiError::Unauthorized {
            detail: "send `Authorization: Bearer <token>`; get a token from POST /v1/tokens"
                .to_owned(),
            invalid_token: false,
        }
    }

    /// A token that is malformed, unknown, expired or revoked.
    pub fn invalid_token() -> Self {
        ApiError::Unauthorized {
            detail: "the token is malformed, expired or revoked; sign in again".to_owned(),
            invalid_token: true,
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
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
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unavailable(_) | ApiError::Overloaded { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
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
            ApiError::RequestTimeout(_) => ("request-timeout", "The request body came too slowly"),
            ApiError::Unavailable(_) => ("unavailable", "Service temporarily unavailable"),
            ApiError::Overloaded { .. } => ("overloaded", "Too busy right now"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The body sent to the client, without the request's path and id
    /// (`http::problem` adds them); never includes internal causes.
    pub fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        let status = self.status();
        let suggestions = match self {
            ApiError::Infeasible { suggestions, .. } => suggestions.clone(),
            _ => Vec::new(),
        };
        let (detail, errors) = match self {
            ApiError::Infeasible { conflict, .. } => (conflict.clone(), Vec::new()),
            ApiError::BadRequest { detail, errors }
            | ApiError::Unprocessable { detail, errors } => (detail.clone(), errors.clone()),
            ApiError::Unauthorized { detail, .. }
            | ApiError::TooManyRequests { detail, .. }
            | ApiError::Overloaded { detail, .. } => (detail.clone(), Vec::new()),
            ApiError::NotFound(detail)
            | ApiError::Forbidden(detail)
            | ApiError::Conflict(detail)
            | ApiError::PreconditionFailed(detail)
            | ApiError::PreconditionRequired(detail)
            | ApiError::MethodNotAllowed { detail, .. }
            | ApiError::PayloadTooLarge(detail)
            | ApiError::UnsupportedMediaType(detail)
            | ApiError::NotAcceptable(detail)
            | ApiError::RequestTimeout(detail) => (detail.clone(), Vec::new()),
            ApiError::Unavailable(_) => (
                "The database is out of reach for now; retry shortly.".to_owned(),
                Vec::new(),
            ),
            ApiError::Internal(_) => (
                "Something went wrong on our side; it has been logged.".to_owned(),
                Vec::new(),
            ),
        };
        Problem {
            problem_type: format!("urn:runstrong:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            instance: None,
            request_id: None,
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

impl From<RepoError> for ApiError {
    /// The one place a query's failure becomes an answer.
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::NotFound(detail) => ApiError::NotFound(detail),
            RepoError::Forbidden(detail) => ApiError::Forbidden(detail),
            RepoError::Conflict(detail) => ApiError::Conflict(detail),
            RepoError::Invalid(errors) => ApiError::unprocessable(errors),
            RepoError::InvalidToken => ApiError::invalid_token(),
            RepoError::Throttled {
                detail,
                retry_after_s,
            } => ApiError::TooManyRequests {
                detail,
                retry_after_s,
            },
            RepoError::Unavailable(cause) => ApiError::Unavailable(cause),
            RepoError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

/// For the transactions of the service layer, whose closures meet diesel's
/// errors directly: classified as a query's failure is.
impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        ApiError::from(RepoError::from(error))
    }
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
