//! Rules at the edge that hold for every route alike:
//!
//! - `HEAD` is answered like `GET`, without the body (the HTTP/1 encoder
//!   sends the headers, `Content-Length` included, and drops the body of
//!   an answer to a HEAD request);
//! - a NUL character (`%00`) in the path or the query string is a 400
//!   naming the parameter: PostgreSQL cannot store or compare it, so it
//!   would otherwise surface as a 500 from whatever query it reached. A
//!   request without credentials to a route that demands them is left to
//!   its 401 (every protected handler authenticates before its first
//!   other query);
//! - every response says `X-Content-Type-Options: nosniff`, and none is
//!   stored by a cache unless its route chose otherwise for an anonymous
//!   caller (the catalog's `no-cache`): answers to signed-in callers and
//!   answers carrying tokens are `Cache-Control: no-store`.

use actix_web::{
    Error, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{self, HeaderValue},
    },
    middleware::Next,
    web,
};

use super::fallback::KnownRoutes;
use crate::error::ApiError;

pub async fn middleware(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if request.method() == Method::HEAD {
        request.head_mut().method = Method::GET;
    }
    let signed_in = request.headers().contains_key(header::AUTHORIZATION);
    let refusal = nul_character(&request).filter(|_| signed_in || !demands_token(&request));
    let mut response = match refusal {
        Some(error) => {
            let answer = error.error_response();
            request.into_response(answer)
        }
        None => next.call(request).await?.map_into_boxed_body(),
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if signed_in || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

fn demands_token(request: &ServiceRequest) -> bool {
    request
        .app_data::<web::Data<KnownRoutes>>()
        .is_some_and(|routes| routes.requires_token(request.path(), request.method().as_str()))
}

const NUL: &str = "%00";
const NUL_DETAIL: &str = "must not contain the NUL character (U+0000)";

/// A 400 for the first path segment or query parameter holding a NUL,
/// pointing at the parameter it fills. A request line cannot carry a raw
/// NUL byte, so `%00` is the only way to write one.
fn nul_character(request: &ServiceRequest) -> Option<ApiError> {
    let path = request.path();
    if path.contains(NUL) {
        let index = path
            .trim_start_matches('/')
            .split('/')
            .position(|segment| segment.contains(NUL))?;
        let name = request
            .app_data::<web::Data<KnownRoutes>>()
            .and_then(|routes| routes.parameter_at(path, index));
        return Some(match name {
            Some(name) => ApiError::bad_field(&format!("/{name}"), NUL_DETAIL),
            None => ApiError::bad_request(format!("the path {NUL_DETAIL}")),
        });
    }
    let query = request.query_string();
    if query.contains(NUL) {
        let pair = query.split('&').find(|pair| pair.contains(NUL))?;
        let name = percent_decoded(pair.split('=').next().unwrap_or_default());
        return Some(if name.contains('\0') || name.is_empty() {
            ApiError::bad_request(format!("the query string {NUL_DETAIL}"))
        } else {
            ApiError::bad_field(&format!("/{name}"), NUL_DETAIL)
        });
    }
    None
}

/// A query-string key as a form decoder reads it (`+` is a space).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|b| char::from(*b).to_digit(16))
                .map(|d| d as u8)
        };
        match bytes[index] {
            b'%' => match (hex(index + 1), hex(index + 2)) {
                (Some(high), Some(low)) => {
                    decoded.push(high * 16 + low);
                    index += 3;
                    continue;
                }
                _ => decoded.push(b'%'),
            },
            b'+' => decoded.push(b' '),
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn pointer_of(uri: &str) -> Option<String> {
        let routes = web::Data::new(KnownRoutes::from_spec(&crate::openapi::document()));
        let request = TestRequest::with_uri(uri).app_data(routes).to_srv_request();
        nul_character(&request).map(|error| match error {
            ApiError::BadRequest { errors, .. } => errors
                .first()
                .map(|e| e.pointer.clone())
                .unwrap_or_default(),
            other => panic!("not a 400: {other:?}"),
        })
    }

    #[test]
    fn nul_characters_are_refused_with_the_parameter_named() {
        assert_eq!(pointer_of("/v1/exercises?q=squat"), None);
        assert_eq!(pointer_of("/v1/exercises?q=%00").as_deref(), Some("/q"));
        assert_eq!(
            pointer_of("/v1/exercises?limit=5&q=a%00b").as_deref(),
            Some("/q")
        );
        assert_eq!(
            pointer_of("/v1/exercises/glute%00bridge").as_deref(),
            Some("/id_or_slug")
        );
        assert_eq!(pointer_of("/v1/nowhere%00").as_deref(), Some(""));
        // `%2500` is a percent sign and two zeros, not a NUL.
        assert_eq!(pointer_of("/v1/exercises?q=%2500"), None);
    }

    #[test]
    fn keys_are_decoded_as_forms_are() {
        assert_eq!(percent_decoded("a%20b+c"), "a b c");
        assert_eq!(percent_decoded("100%"), "100%");
    }
}
