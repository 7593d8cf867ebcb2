//! Fault tests (issue 7): each runs the real `runstrong` binary as a child
//! process and breaks something around it — the database, the process, the
//! limits — then checks what clients saw and what the database holds.
//!
//! Needs the machine's PostgreSQL (as the `api` tests do), `initdb`/`pg_ctl`
//! for a throwaway cluster, haproxy and pgbouncer: `.ci/install-fault-tools` installs
//! what is missing.

mod limits;
mod load_balancer;
mod pgbouncer;
mod replica;
mod restart;
mod secrets;
mod shutdown;
mod support;
#[path = "../common/template_db.rs"]
mod template_db;
mod vanished_host;
#[path = "../common/webhook_receiver.rs"]
mod webhook_receiver;
mod webhooks;
