//! Orchestration between the HTTP handlers (`api`) and the queries
//! (`repo`) and rules (`domain`): transactions, idempotency, the order of
//! checks. Nothing here reads a request or builds a response.

pub mod accounts;
pub mod athletes;
pub mod calendar_feeds;
pub mod catalog;
pub mod grants;
pub mod health;
pub mod plans;
pub mod session_reads;
pub mod sessions;
pub mod webhooks;
