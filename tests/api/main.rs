//! HTTP integration tests: one binary, one module per area.

mod accounts;
mod admission;
mod athletes;
mod authorization;
mod calendar_feeds;
mod catalog;
mod catalog_changes;
mod catalog_kits;
mod consent;
mod contract;
mod dates;
mod distribution_keys;
mod hardening;
mod health;
mod helpers;
mod import;
mod layers;
mod openapi;
mod plan_workouts;
mod plans;
mod replica;
mod retention;
mod running;
mod scale;
mod sessions;
mod slugs;
mod startup;
mod strength;
#[path = "../common/template_db.rs"]
mod template_db;
mod throttling;
#[path = "../common/webhook_receiver.rs"]
mod webhook_receiver;
mod webhooks;
