//! HTTP plumbing shared by every route: request ids, metrics, ETags and
//! preconditions, credentials, and extractors that speak problem+json.

pub mod auth;
pub mod client_address;
pub mod conditional;
pub mod etag;
pub mod extract;
pub mod fallback;
pub mod hardening;
pub mod metrics;
pub mod problem;
pub mod request_context;
pub mod request_id;
