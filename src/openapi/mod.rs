//! The OpenAPI 3.1 document, generated from the same route registration
//! the server uses, plus the answers that follow from what an operation
//! declares (401 for a token, 400/408/413/415 for a JSON body, 412/428 for
//! `If-Match`, 304 for `If-None-Match`, 500/503 for all, and the
//! `X-Request-Id` header on each) and the links from one answer to the
//! next request. Each route lists only the answers that are its own.
//!
//! `schema_constraints` tightens schemas the derive leaves loose,
//! `links` says which request can follow an answer, and
//! `shared_responses` derives the answers every route would otherwise
//! repeat.

mod links;
mod schema_constraints;
mod shared_responses;

use actix_web::App;
use utoipa::{
    OpenApi,
    openapi::{
        self,
        path::Operation,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_actix_web::AppExt;

use crate::error::Problem;

use links::add_links;
pub use schema_constraints::DATE_PATTERN;
use schema_constraints::{bound_dates, close_variations, mark_unique_items};
use shared_responses::add_shared_responses;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "runstrong",
        // Pinned so that a crate version bump does not change the document.
        version = "1",
        description = "One API for runners who combine running with strength training: \
an exercise catalog chosen for runners, plan generation, and session logging.\n\n\
Errors are RFC 9457 `application/problem+json`. Every response carries `X-Request-Id`.",
        license(name = "MIT OR Apache-2.0"),
        // The project has no public home yet (no repository URL or mail
        // address to give): the name tells clients whom the document is
        // from. Add `url` or `email` once there is one.
        contact(name = "runstrong maintainers"),
    ),
    // First the instance serving the document (a relative URL): tools that
    // take their base URL from `servers[0]`, such as Swagger UI's "Try it
    // out" at /docs/, then call the instance they were loaded from,
    // wherever it runs. Second, the address `cargo run` listens on without
    // RUNSTRONG_ADDR, for a copy of the document read on its own.
    servers(
        (url = "/", description = "The instance serving this document"),
        (url = "http://127.0.0.1:8080", description = "Local default (RUNSTRONG_ADDR unset)"),
    ),
    tags(
        (name = "accounts", description = "Registration, sign-in and the caller's account"),
        (name = "athletes", description = "Athlete profiles and coach access"),
        (name = "coaching", description = "Grants made to a coach: accept, decline, leave"),
        (name = "catalog", description = "Exercises for runners and the vocabularies they use"),
        (name = "plans", description = "Plan generation, validation, stored plans and calendars; paces and heart-rate zones"),
        (name = "calendar-feeds", description = "Calendar subscriptions: secret URLs that calendar apps poll for an athlete's current plans"),
        (name = "sessions", description = "Logged sessions, training load and adherence"),
        (name = "webhooks", description = "Signed event deliveries to coaches' tools (Standard Webhooks)"),
        (name = "operations", description = "Health and metrics"),
    ),
    components(schemas(
        Problem,
        crate::api::exercises::MuscleRoleParam,
        crate::api::exercises::ExportFormat
    )),
    modifiers(&BearerSecurity)
)]
struct ApiDoc;

/// The `bearer` scheme that protected operations name.
struct BearerSecurity;

impl utoipa::Modify for BearerSecurity {
    fn modify(&self, spec: &mut openapi::OpenApi) {
        let components = spec.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from POST /v1/accounts or POST /v1/tokens, sent as `Authorization: Bearer <token>`",
                    ))
                    .build(),
            ),
        );
    }
}

/// Operations that answer without the database cannot send 503.
const WITHOUT_DATABASE: &[&str] = &[
    "/livez",
    "/metrics",
    "/v1/vocabularies",
    "/v1/vocabularies/{name}",
    "/v1/rules",
    "/v1/zones",
];

/// The complete document, as served at `/openapi.json` and committed at
/// `openapi/openapi.json`.
pub fn document() -> openapi::OpenApi {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::routes)
        .split_for_parts();
    for (path, item) in spec.paths.paths.iter_mut() {
        let uses_database = !WITHOUT_DATABASE.contains(&path.as_str());
        for operation in operations(item) {
            add_shared_responses(operation, uses_database);
            add_links(operation);
        }
    }
    mark_unique_items(&mut spec);
    close_variations(&mut spec);
    bound_dates(&mut spec);
    spec
}

/// The operations of a path, whatever their method.
pub(super) fn operations(item: &mut openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// The document as pretty JSON with a trailing newline, as committed.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

/// The document as served at `/openapi.json`: serialized once at start-up
/// and shared by every worker, instead of each worker keeping the document
/// and serializing it per request.
#[derive(Clone)]
pub struct ServedDocument(actix_web::web::Bytes);

impl ServedDocument {
    pub fn new(spec: &openapi::OpenApi) -> Self {
        ServedDocument(actix_web::web::Bytes::from(
            spec.to_json().expect("the OpenAPI document serializes"),
        ))
    }
}

pub async fn serve_document(
    document: actix_web::web::Data<ServedDocument>,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(document.0.clone())
}
