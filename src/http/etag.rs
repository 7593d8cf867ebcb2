//! Strong entity tags over the exact bytes of a JSON body, and conditional
//! reads (`If-None-Match` → 304).

use actix_web::{
    HttpRequest, HttpResponse,
    http::header::{self, HeaderValue},
    web::Bytes,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// A strong ETag: the first 128 bits of the body's SHA-256, quoted.
pub fn strong_etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110
/// prescribes for this header) or is `*`.
pub fn none_match_hits(request: &HttpRequest, etag: &str) -> bool {
    request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}

/// Serializes `value` as a JSON response with a strong ETag, or answers
/// 304 Not Modified when the client already holds this exact body.
pub fn json_with_etag<T: Serialize>(
    request: &HttpRequest,
    value: &T,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    Ok(bytes_with_etag(request, body, "application/json"))
}

/// Like [`json_with_etag`], for a body that is already serialized.
pub fn bytes_with_etag(
    request: &HttpRequest,
    body: Vec<u8>,
    content_type: &'static str,
) -> HttpResponse {
    let etag = strong_etag(&body);
    tagged_response(request, Bytes::from(body), &etag, content_type)
}

/// A body whose strong ETag is already known (rendered earlier and kept),
/// or 304 when the client holds it.
pub fn tagged_response(
    request: &HttpRequest,
    body: Bytes,
    etag: &str,
    content_type: &'static str,
) -> HttpResponse {
    // Clients may keep the body but must revalidate it: catalog data
    // changes when admins edit it, and a 304 costs little. Signed-in
    // callers may see more (private exercises, their own data).
    conditional(
        request,
        body,
        etag,
        content_type,
        "no-cache",
        Some("Authorization"),
    )
}

/// Like [`bytes_with_etag`], for private data that a URL alone opens (a
/// calendar feed): the client may keep it and revalidate, no shared cache
/// may keep it at all.
pub fn private_bytes_with_etag(
    request: &HttpRequest,
    body: Vec<u8>,
    content_type: &'static str,
) -> HttpResponse {
    let etag = strong_etag(&body);
    conditional(
        request,
        Bytes::from(body),
        &etag,
        content_type,
        "private, no-cache",
        None,
    )
}

fn conditional(
    request: &HttpRequest,
    body: Bytes,
    etag: &str,
    content_type: &'static str,
    cache_control: &'static str,
    vary: Option<&'static str>,
) -> HttpResponse {
    let etag_value = HeaderValue::from_str(etag).expect("hex is a valid header value");
    let unchanged = none_match_hits(request, etag);
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag_value))
        .insert_header((header::CACHE_CONTROL, cache_control));
    if let Some(vary) = vary {
        response.insert_header((header::VARY, vary));
    }
    if unchanged {
        return response.finish();
    }
    response.content_type(content_type).body(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn etag_is_stable_and_quoted() {
        let etag = strong_etag(b"{\"a\":1}");
        assert_eq!(etag, strong_etag(b"{\"a\":1}"));
        assert_ne!(etag, strong_etag(b"{\"a\":2}"));
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34);
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let etag = strong_etag(b"x");
        let listed = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, format!("\"other\", W/{etag}")))
            .to_http_request();
        assert!(none_match_hits(&listed, &etag));
        let star = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "*"))
            .to_http_request();
        assert!(none_match_hits(&star, &etag));
        let other = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "\"other\""))
            .to_http_request();
        assert!(!none_match_hits(&other, &etag));
    }
}
