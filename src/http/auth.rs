//! Bearer credentials. The extractor only reads the `Authorization`
//! header; the token is checked against the database inside the same
//! `db::run` call as the request's own queries, so a signed-in request
//! costs one connection checkout.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header};

use crate::auth::token;
use crate::error::ApiError;

/// A well-formed bearer token from the `Authorization` header, as its
/// SHA-256 (the token itself is not kept around).
#[derive(Debug, Clone)]
pub struct BearerToken {
    pub digest: Vec<u8>,
}

/// `Ok(None)` when no Authorization header was sent; an error when one was
/// sent but is not a bearer token of ours. Query-string tokens are never
/// looked at.
fn read(request: &HttpRequest) -> Result<Option<BearerToken>, ApiError> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::invalid_token())?;
    let (scheme, credentials) = value.split_once(' ').ok_or_else(ApiError::invalid_token)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::invalid_token());
    }
    let credentials = credentials.trim();
    if !token::is_well_formed(credentials) {
        return Err(ApiError::invalid_token());
    }
    Ok(Some(BearerToken {
        digest: token::digest(credentials),
    }))
}

impl FromRequest for BearerToken {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(read(request).and_then(|token| token.ok_or_else(ApiError::missing_token)))
    }
}

/// For routes open to everyone that show more to signed-in callers: no
/// header is fine, a bad one is still a 401 rather than silently ignored.
#[derive(Debug, Clone)]
pub struct OptionalBearerToken(pub Option<BearerToken>);

impl OptionalBearerToken {
    /// The token's digest, as the queries take it; `None` when none was sent.
    pub fn digest(&self) -> Option<&[u8]> {
        self.0.as_ref().map(|token| token.digest.as_slice())
    }

    /// The token's digest, owned, as the services take it.
    pub fn into_digest(self) -> Option<Vec<u8>> {
        self.0.map(|token| token.digest)
    }
}

impl FromRequest for OptionalBearerToken {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(read(request).map(OptionalBearerToken))
    }
}
