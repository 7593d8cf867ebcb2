//! `If-Match` for writes to versioned resources: required (428 without it)
//! and compared strongly with the current ETag (412 when stale).

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    http::header::{self, HeaderValue},
};
use std::future::{Ready, ready};
use utoipa::IntoParams;

use crate::error::ApiError;

/// The entity tags of a request's `If-Match` header.
#[derive(Debug, Clone)]
pub struct IfMatch(Vec<String>);

/// Documents the header on write routes.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// The `ETag` of the version being changed (from a GET), or `*`.
    /// Required: an empty value counts as missing (428). The pattern says
    /// just that: at least one character that is neither white space nor
    /// the comma that separates tags.
    #[param(rename = "If-Match", pattern = "[^\\s,]")]
    #[allow(dead_code)]
    if_match: String,
}

impl IfMatch {
    /// Whether the current `etag` is among those sent (strong comparison:
    /// a weak tag never matches), or `*` was sent.
    pub fn matches(&self, etag: &str) -> bool {
        self.0
            .iter()
            .any(|candidate| candidate == "*" || candidate == etag)
    }

    /// 412 unless `etag` is current.
    pub fn require(&self, etag: &str) -> Result<(), ApiError> {
        if self.matches(etag) {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(
                "the resource changed since you read it; GET it again and retry with its new ETag"
                    .to_owned(),
            ))
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let tags: Vec<String> = request
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|value: &HeaderValue| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|tag| tag.trim().to_owned())
            .filter(|tag| !tag.is_empty())
            .collect();
        ready(if tags.is_empty() {
            Err(ApiError::PreconditionRequired(
                "send `If-Match` with the ETag of the version you are changing".to_owned(),
            ))
        } else {
            Ok(IfMatch(tags))
        })
    }
}

/// The strong ETag of a versioned row.
pub fn version_etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// A read of a versioned resource: 304 when the client holds this
/// version (`If-None-Match`), else the JSON body with its version ETag.
pub fn versioned_read<T: serde::Serialize>(
    request: &HttpRequest,
    version: i64,
    value: &T,
) -> actix_web::HttpResponse {
    let etag = version_etag(version);
    if super::etag::none_match_hits(request, &etag) {
        return actix_web::HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    actix_web::HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .json(value)
}
