//! Queries: synchronous functions over a `&mut PgConnection`, called inside
//! `db::run`. They return domain types, never rows.

pub mod exercises;
