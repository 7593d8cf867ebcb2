//! HTTP handlers, one module per resource, and the one place that
//! registers them (used by both the server and the OpenAPI document).

pub mod exercises;
pub mod health;
pub mod pagination;
pub mod vocabularies;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route. Order matters where paths overlap:
/// `/v1/exercises/export` must come before `/v1/exercises/{id_or_slug}`.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(health::livez)
        .service(health::readyz)
        .service(health::metrics)
        .service(vocabularies::vocabularies)
        .service(exercises::list_exercises)
        .service(exercises::export_exercises)
        .service(exercises::get_exercise)
        .service(exercises::get_progression);
}
