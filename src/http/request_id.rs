//! The outermost middleware: gives every request an id (the client's
//! `X-Request-Id` when it is sane, a fresh UUID otherwise), runs the request
//! inside a tracing span carrying that id, logs its outcome, echoes the id
//! on the response, and turns body-less error responses that actix makes on
//! its own (405, for one) into problem+json.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderName, HeaderValue},
    middleware::Next,
};
use tracing::Instrument;

use super::request_context::{self, RequestContext};
use crate::error::ApiError;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id, also stored in the request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The longest method and path a log line carries; a client may send an
/// 8 KB method or a 60 KB path, and every line of its request would carry
/// them whole.
const MAX_LOGGED_METHOD: usize = 32;
const MAX_LOGGED_PATH: usize = 512;

/// `text` cut to at most `max` bytes (at a character boundary), saying how
/// much was left out.
fn truncated(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}…(+{} bytes)", &text[..end], text.len() - end))
}

/// Calendar-feed URLs carry their secret in the path (calendar apps send
/// no header): it never reaches a log line or a problem body.
const SECRET_PATH_PREFIX: &str = "/v1/calendar-feeds/";

/// The path without its secret, if it carries one.
fn redacted(path: &str) -> Option<String> {
    path.starts_with(SECRET_PATH_PREFIX)
        .then(|| format!("{SECRET_PATH_PREFIX}{{redacted}}"))
}

/// The path as log lines show it: without secrets, and bounded.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match redacted(path) {
        Some(path) => std::borrow::Cow::Owned(path),
        None => truncated(path, MAX_LOGGED_PATH),
    }
}

/// Accepts client ids of up to 128 visible ASCII characters, so a log line
/// can never be forged or bloated through the header.
fn client_request_id(request: &ServiceRequest) -> Option<String> {
    let value = request.headers().get(&X_REQUEST_ID)?.to_str().ok()?;
    let sane =
        !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic());
    sane.then(|| value.to_owned())
}

pub async fn middleware(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id =
        client_request_id(&request).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %truncated(request.method().as_str(), MAX_LOGGED_METHOD),
        path = %loggable_path(request.path()),
    );
    let context = RequestContext {
        request_id: request_id.clone(),
        // The problem body's `instance`.
        path: redacted(request.path()).unwrap_or_else(|| request.path().to_owned()),
    };
    let started = Instant::now();
    let outcome =
        request_context::scope(context.clone(), next.call(request).instrument(span.clone())).await;
    let mut response = match outcome {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => return Err(error),
    };
    if response.status().is_client_error() || response.status().is_server_error() {
        response = request_context::scope(context, async { give_problem_body(response) }).await;
    }
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, elapsed_ms, "request finished");
        } else {
            tracing::info!(status, elapsed_ms, "request finished");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    Ok(response)
}

/// Error responses that already have a body keep it; those actix built
/// bare (an unmatched method, say) get the problem+json every client
/// expects.
fn give_problem_body(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    if response.headers().contains_key(header::CONTENT_TYPE) {
        return response;
    }
    let status = response.status();
    let error = match status.as_u16() {
        404 => ApiError::NotFound("no such route".to_owned()),
        405 => ApiError::MethodNotAllowed {
            detail: "this route does not support that method".to_owned(),
            allow: String::new(),
        },
        413 => ApiError::PayloadTooLarge("the request body is over the limit".to_owned()),
        415 => ApiError::UnsupportedMediaType("send JSON (application/json)".to_owned()),
        500..=599 => ApiError::Internal(format!("bare {status} response")),
        _ => ApiError::bad_request(status.canonical_reason().unwrap_or("bad request")),
    };
    let (request, original) = response.into_parts();
    let mut problem = error.error_response();
    *problem.status_mut() = status;
    for (name, value) in original.headers() {
        if !problem.headers().contains_key(name) {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_request_lines_are_cut_at_a_character_boundary() {
        assert_eq!(truncated("/v1/me", 512), "/v1/me");
        assert_eq!(loggable_path("/v1/me"), "/v1/me");
        let feed = format!(
            "/v1/calendar-feeds/{}.ics",
            crate::auth::token::generate_feed()
        );
        assert_eq!(loggable_path(&feed), "/v1/calendar-feeds/{redacted}");
        let long = "é".repeat(40_000);
        let cut = truncated(&long, MAX_LOGGED_PATH);
        assert!(cut.len() < MAX_LOGGED_PATH + 32, "{}", cut.len());
        assert!(cut.ends_with("…(+79488 bytes)"), "{cut}");
    }
}
