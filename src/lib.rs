//! runstrong: an HTTP/JSON API for runners who combine running with
//! strength training. See README.md for the architecture.

pub mod admin;
pub mod api;
pub mod auth;
pub mod catalog_cache;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod ids;
pub mod memory;
pub mod models;
pub mod openapi;
pub mod repo;
pub mod retention;
pub mod seed;
pub mod service;
pub mod startup;
pub mod telemetry;
pub mod views;
pub mod webhooks;
