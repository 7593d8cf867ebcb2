//! How an `ApiError` is sent: RFC 9457 problem+json with the request's
//! path and id, and the headers its kind calls for (`Retry-After`, `Allow`,
//! `WWW-Authenticate`, `Connection: close`).

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};

use crate::error::{ApiError, PROBLEM_CONTENT_TYPE, Problem, RETRY_AFTER_UNAVAILABLE_S};
use crate::http::request_context;

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "dependency unavailable"),
            _ => {}
        }
        problem_response(self.status(), &problem_in_context(self), self)
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
        ApiError::TooManyRequests { retry_after_s, .. }
        | ApiError::Overloaded { retry_after_s, .. } => {
            response.insert_header((header::RETRY_AFTER, retry_after_s.to_string()));
        }
        ApiError::RequestTimeout(_) => {
            // The rest of the body is unread: the connection cannot carry
            // another request.
            response.insert_header((header::CONNECTION, "close"));
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

/// The error's problem with the path and id of the request it answers.
fn problem_in_context(error: &ApiError) -> Problem {
    let mut problem = error.problem();
    if let Some(context) = request_context::current() {
        problem.instance = Some(context.path);
        problem.request_id = Some(context.request_id);
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validation::FieldError;
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
    fn field_errors_carry_pointers() {
        let body = body_of(&ApiError::bad_field("/limit", "must be between 1 and 200"));
        assert_eq!(body["errors"][0]["pointer"], "/limit");
        assert_eq!(body["type"], "urn:runstrong:problem:bad-request");
    }
}
