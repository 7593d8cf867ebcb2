//! The plan engine: the rule catalog, a validator for any plan, and the
//! generator. Pure functions of their inputs.

pub mod adapt;
pub mod catalog;
pub mod generate;
pub mod ics;
pub mod model;
pub mod request;
pub mod rules;
pub mod steps;
pub mod strength_rules;
pub mod validate;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod published_tests;
#[cfg(test)]
mod strength_tests;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod validate_run_tests;
#[cfg(test)]
mod validate_tests;
