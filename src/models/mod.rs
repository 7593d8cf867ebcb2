//! Diesel rows: the shape of the tables, converted to domain types at the
//! repository boundary.

pub mod exercise;
