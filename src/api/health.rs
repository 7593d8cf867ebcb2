//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{self, PgPool};
use crate::error::{ApiError, Problem};
use crate::http::metrics::Metrics;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Is the process up? Never touches the database.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The process is running", body = Health))
)]
#[get("/livez")]
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Can this instance serve requests? Checks the database with a query.
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
    db::run(&pool, |connection| {
        diesel::sql_query("SELECT 1").execute(connection)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Request counts, latency histograms and pool state",
        body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn metrics(metrics: web::Data<Metrics>, pool: web::Data<PgPool>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(&pool))
}
