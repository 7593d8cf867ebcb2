//! Credentials: password hashing (and its per-instance cap) and bearer tokens.

pub mod hashing_gate;
pub mod password;
pub mod token;
