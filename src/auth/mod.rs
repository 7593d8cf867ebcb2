//! Credentials: password hashing and bearer tokens.

pub mod password;
pub mod token;
