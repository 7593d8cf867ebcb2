//! Pure domain logic: vocabularies, the exercise model, accounts and
//! profiles, and the rules around them. Nothing here does I/O, reads a
//! clock or touches HTTP.

pub mod account;
pub mod activity;
pub mod adherence;
pub mod catalog;
pub mod catalog_filter;
pub mod dates;
pub(crate) mod fit_protocol;
pub mod free_exercise_db;
pub mod load;
pub mod numbers;
pub mod plan;
pub mod profile;
pub mod schema;
pub mod session;
pub mod session_import;
pub mod strength_load;
pub mod trimp;
pub mod validation;
pub mod vocabulary;
pub mod workout_fit;
pub mod zones;
