//! HTTP integration tests: one binary, one module per area.

mod catalog;
mod health;
mod helpers;
mod openapi;
mod startup;
