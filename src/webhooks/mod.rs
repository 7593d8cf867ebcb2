//! Webhooks for coaches' tools (SPEC Part 2, "Integrations").
//!
//! The flow, end to end:
//!
//! 1. A change to a session or a plan fires a trigger (migration
//!    `2026-12-02-000702_webhooks`) that writes an event into
//!    `webhook_outbox` in the same transaction, when some subscription that
//!    may read the athlete wants it: a rolled-back change leaves no event, a
//!    committed one cannot be lost by a crash of the service.
//! 2. Every instance runs a [`dispatcher`]: it takes outbox events with
//!    `FOR UPDATE SKIP LOCKED`, turns each into one delivery per subscription
//!    whose account may read the athlete (and into `load.warning` events for
//!    warnings the change brought), and deletes the event, in one
//!    transaction.
//! 3. It leases due deliveries (`SKIP LOCKED` again, so no two instances send
//!    the same attempt), checks access once more (a revoked grant stops
//!    delivery at once), and sends them signed ([`signing`]) to targets that
//!    resolve to public addresses ([`target`]), 5 s per attempt, no
//!    redirects. A failure is retried with exponential backoff and jitter
//!    ([`backoff`]) under the same `webhook-id` until the delivery is a day
//!    old; then it is failed.
//!
//! The HTTP attempts hold no database connection and use a pool of their
//! own, so a slow receiver never slows the API.

pub mod backoff;
pub mod dispatcher;
pub mod events;
pub mod sealing;
pub mod signing;
pub mod target;
pub mod warnings;
