//! `If-Match` for writes to versioned resources: required (428 without it,
//! or with `*`, which names no version) and compared strongly with the
//! current ETag (412 when stale).

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    http::header::{self, HeaderValue},
};
use std::future::{Ready, ready};
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::views::version_etag;

/// The entity tags of a request's `If-Match` header.
#[derive(Debug, Clone)]
pub struct IfMatch(Vec<String>);

/// Documents the header on write routes.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// The `ETag` of the version being changed (from a GET). Required: an
    /// empty value counts as missing, and `*` (any version) is refused,
    /// since it would make the precondition trivial (both 428, RFC 9110
    /// lets a server require a specific tag). The pattern says just that:
    /// at least one character that is neither white space, the comma that
    /// separates tags, nor `*`.
    #[param(rename = "If-Match", pattern = "[^\\s,*]")]
    #[allow(dead_code)]
    if_match: String,
}

impl IfMatch {
    /// Whether the current `etag` is among those sent (strong comparison:
    /// a weak tag never matches).
    pub fn matches(&self, etag: &str) -> bool {
        self.0.iter().any(|candidate| candidate == etag)
    }

    /// The check a service runs on the stored version before it writes
    /// (412 unless that version's tag was sent).
    pub fn version_check(self) -> impl FnOnce(i64) -> Result<(), ApiError> + Send + 'static {
        move |version| self.require(&version_etag(version))
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
        let sent: Vec<String> = request
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|value: &HeaderValue| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|tag| tag.trim().to_owned())
            .filter(|tag| !tag.is_empty())
            .collect();
        // `*` matches any version, so it proves nothing: it counts as no tag.
        let any_version = sent.iter().any(|tag| tag == "*");
        let tags: Vec<String> = sent.into_iter().filter(|tag| tag != "*").collect();
        ready(if tags.is_empty() && !any_version {
            Err(ApiError::PreconditionRequired(
                "send `If-Match` with the ETag of the version you are changing".to_owned(),
            ))
        } else if tags.is_empty() {
            Err(ApiError::PreconditionRequired(
                "`If-Match: *` names no version; send the ETag of the version you are changing"
                    .to_owned(),
            ))
        } else {
            Ok(IfMatch(tags))
        })
    }
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
