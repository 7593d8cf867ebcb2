//! Pure domain logic: vocabularies, the exercise model and the rules
//! around it. Nothing here does I/O, reads a clock or touches HTTP.

pub mod catalog;
pub mod free_exercise_db;
pub mod validation;
pub mod vocabulary;
