//! Diesel rows: the shape of the tables, converted to domain or API types
//! at the repository boundary.

pub mod account;
pub mod athlete;
pub mod calendar_feed;
pub mod exercise;
pub mod grant;
pub mod session;
pub mod webhook;
