//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{PgPool, reads::Reads};
use crate::error::{ApiError, Problem};
use crate::http::metrics::Metrics;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Is the process up? Never touches the database.
///
/// Answers 200 with `{"status":"ok"}` as long as the process can serve HTTP
/// at all, with no token and no database query, so an orchestrator restarts
/// only a process that is stuck, not one whose database is down.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The process is running", body = Health))
)]
#[get("/livez")]
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Can this instance serve requests? Checks the database with a query.
///
/// Runs `SELECT 1` on a pooled connection and answers 200 when it succeeds.
/// When the database cannot be reached, or no pooled connection frees up in
/// time, it answers 503 with `Retry-After`, so a load balancer takes the
/// instance out of rotation until the database is back. Needs no token.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 503, description = "The database is out of reach",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
#[get("/readyz")]
pub async fn readyz(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    crate::service::health::database_ready(&pool).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Prometheus metrics in the text exposition format.
///
/// For a Prometheus scraper: requests answered and their latency histograms
/// by method, route and status, and the connection pool read at scrape time
/// (open, idle and maximum connections). Needs no token and no database
/// query.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Request counts, latency histograms and pool state",
        body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn metrics(
    metrics: web::Data<Metrics>,
    pool: web::Data<PgPool>,
    reads: web::Data<Reads>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(&pool, &reads))
}
