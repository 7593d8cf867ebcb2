//! HTTP handlers, one module per resource, and the one place that
//! registers them (used by both the server and the OpenAPI document).

pub mod accounts;
pub mod athletes;
pub mod calendar_feeds;
pub mod catalog_changes;
pub mod coach_grants;
pub mod exercises;
pub mod grants;
pub mod health;
pub mod pagination;
pub mod plan_workouts;
pub mod plans;
pub mod session_import;
pub mod sessions;
pub mod vocabularies;
pub mod webhooks;
pub mod zones;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route. Order matters where paths overlap:
/// `/v1/exercises/export` and `/import` come before `/v1/exercises/{id_or_slug}`.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(health::livez)
        .service(health::readyz)
        .service(health::metrics)
        .service(accounts::register)
        .service(accounts::login)
        .service(accounts::logout)
        .service(accounts::me)
        .service(vocabularies::vocabularies)
        .service(vocabularies::vocabulary)
        .service(exercises::list_exercises)
        .service(catalog_changes::create_exercise)
        .service(exercises::export_exercises)
        .service(catalog_changes::import_exercises)
        .service(exercises::get_exercise)
        .service(catalog_changes::replace_exercise)
        .service(catalog_changes::delete_exercise)
        .service(exercises::get_progression)
        .service(athletes::create_athlete)
        .service(athletes::list_athletes)
        .service(athletes::get_athlete)
        .service(athletes::patch_athlete)
        .service(athletes::delete_athlete)
        .service(grants::create_grant)
        .service(grants::list_grants)
        .service(grants::revoke_grant)
        .service(coach_grants::list_coach_grants)
        .service(coach_grants::accept_coach_grant)
        .service(coach_grants::end_coach_grant)
        .service(plans::list_rules)
        .service(plans::preview_plan)
        .service(plans::validate_plan)
        .service(plans::create_plan)
        .service(plans::list_plans)
        .service(plans::get_plan)
        .service(plans::delete_plan)
        .service(plans::plan_calendar)
        .service(plan_workouts::plan_session_workout)
        .service(plans::adapt_plan)
        .service(calendar_feeds::create_calendar_feed)
        .service(calendar_feeds::list_calendar_feeds)
        .service(calendar_feeds::get_calendar_feed)
        .service(calendar_feeds::delete_calendar_feed)
        .service(calendar_feeds::calendar_feed)
        .service(zones::compute_zones)
        .service(sessions::create_session)
        .service(session_import::import_session)
        .service(sessions::list_sessions)
        .service(sessions::get_session)
        .service(sessions::replace_session)
        .service(sessions::delete_session)
        .service(sessions::load_report)
        .service(sessions::adherence)
        .service(webhooks::create_webhook)
        .service(webhooks::list_webhooks)
        .service(webhooks::delete_webhook)
        .service(webhooks::list_deliveries);
}
