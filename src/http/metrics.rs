//! Prometheus metrics: request counts and latency by route and status, and
//! the state of the connection pool, read at scrape time.

use std::time::Instant;

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::db::{PgPool, reads::Reads};

/// The metrics of one running instance (not process-global, so tests that
/// run several instances in one process count separately).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    pool_waiting: IntGauge,
    replica_usable: IntGauge,
    replica_lag_ms: IntGauge,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let labels = &["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route and status",
            ),
            labels,
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to response, by route and status",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            labels,
        )
        .expect("valid metric");
        let pool_connections = IntGauge::new("db_pool_connections", "Open connections in the pool")
            .expect("valid metric");
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle connections in the pool")
            .expect("valid metric");
        let pool_max =
            IntGauge::new("db_pool_max_connections", "Configured pool size").expect("valid metric");
        let pool_waiting = IntGauge::new(
            "db_pool_waiting_requests",
            "Requests waiting in line for a connection",
        )
        .expect("valid metric");
        let replica_usable = IntGauge::new(
            "db_replica_usable",
            "1 while replica-eligible reads may go to the read replica, else 0",
        )
        .expect("valid metric");
        let replica_lag_ms = IntGauge::new(
            "db_replica_lag_milliseconds",
            "The read replica's lag at its last check; -1 unknown or no replica",
        )
        .expect("valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool_connections.clone()),
            Box::new(pool_idle.clone()),
            Box::new(pool_max.clone()),
            Box::new(pool_waiting.clone()),
            Box::new(replica_usable.clone()),
            Box::new(replica_lag_ms.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            pool_connections,
            pool_idle,
            pool_max,
            pool_waiting,
            replica_usable,
            replica_lag_ms,
        }
    }

    /// Adds a collector kept elsewhere (the read router's counter).
    pub fn register(&self, collector: Box<dyn prometheus::core::Collector>) {
        self.registry
            .register(collector)
            .expect("metric registered once");
    }

    fn observe(&self, method: &str, route: &str, status: &str, seconds: f64) {
        let labels = [method, route, status];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The Prometheus text exposition, with the pool and the replica's
    /// state read now.
    pub fn render(&self, pool: &PgPool, reads: &Reads) -> String {
        let (usable, lag_ms) = reads.replica_state().unwrap_or((false, -1));
        self.replica_usable.set(i64::from(usable));
        self.replica_lag_ms.set(lag_ms);
        let state = pool.state();
        self.pool_connections.set(i64::from(state.connections));
        self.pool_idle.set(i64::from(state.idle_connections));
        self.pool_max.set(i64::from(pool.max_size()));
        self.pool_waiting.set(pool.waiting() as i64);
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("text encoding cannot fail");
        String::from_utf8(buffer).expect("prometheus text is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The label for anything outside a closed set.
pub const OTHER: &str = "other";

/// The methods with a label of their own; any other (a client may send
/// any token as a method) is `other`.
const KNOWN_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The statuses the API answers with, labelled as they are; any other is
/// labelled by its class (`1xx` … `5xx`).
const KNOWN_STATUSES: &[&str] = &[
    "200", "201", "204", "304", "400", "401", "403", "404", "405", "406", "408", "409", "412",
    "413", "415", "422", "428", "429", "431", "500", "503",
];

pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    KNOWN_METHODS
        .iter()
        .find(|known| **known == method.as_str())
        .copied()
        .unwrap_or(OTHER)
}

pub fn status_label(status: actix_web::http::StatusCode) -> &'static str {
    if let Some(known) = KNOWN_STATUSES
        .iter()
        .find(|known| **known == status.as_str())
    {
        return known;
    }
    match status.as_u16() / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

/// Records every request by labels from closed sets only, so that no
/// request can add series: the method (known ones, else `other`), the
/// route pattern (`/v1/exercises/{id_or_slug}`, never the raw path; `other`
/// when no route matched) and the status (known ones, else its class).
pub async fn middleware(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    let method = method_label(request.method());
    // Patterns are the registered routes' templates: a closed set.
    let route = request.match_pattern();
    let response = next.call(request).await?;
    if let Some(metrics) = metrics {
        metrics.observe(
            method,
            route.as_deref().unwrap_or(OTHER),
            status_label(response.status()),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::{Method, StatusCode};

    #[test]
    fn labels_come_from_closed_sets() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), OTHER);
        let long = Method::from_bytes("X".repeat(8192).as_bytes()).unwrap();
        assert_eq!(method_label(&long), OTHER);
        assert_eq!(status_label(StatusCode::SERVICE_UNAVAILABLE), "503");
        assert_eq!(status_label(StatusCode::IM_A_TEAPOT), "4xx");
        assert_eq!(status_label(StatusCode::from_u16(599).unwrap()), "5xx");
        assert_eq!(status_label(StatusCode::from_u16(299).unwrap()), "2xx");
    }
}
