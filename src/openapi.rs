//! The OpenAPI 3.1 document, generated from the same route registration
//! the server uses, plus what every operation shares (500/503 answers and
//! the `X-Request-Id` header).

use actix_web::App;
use utoipa::{
    OpenApi,
    openapi::{
        self, ContentBuilder, HeaderBuilder, ObjectBuilder, RefOr, ResponseBuilder, Type,
        path::Operation,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_actix_web::AppExt;

use crate::error::{PROBLEM_CONTENT_TYPE, Problem};

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
    ),
    tags(
        (name = "accounts", description = "Registration, sign-in and the caller's account"),
        (name = "athletes", description = "Athlete profiles and coach access"),
        (name = "catalog", description = "Exercises for runners and the vocabularies they use"),
        (name = "plans", description = "Plan generation, validation, stored plans and calendars"),
        (name = "sessions", description = "Logged sessions, training load and adherence"),
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
const WITHOUT_DATABASE: &[&str] = &["/livez", "/metrics", "/v1/vocabularies", "/v1/rules"];

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
        }
    }
    spec
}

fn operations(item: &mut openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
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

fn problem_response(description: &str, retry_after: bool) -> openapi::Response {
    let mut builder = ResponseBuilder::new().description(description).content(
        PROBLEM_CONTENT_TYPE,
        ContentBuilder::new()
            .schema(Some(openapi::Ref::from_schema_name("Problem")))
            .build(),
    );
    if retry_after {
        builder = builder.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Seconds to wait before retrying"))
                .build(),
        );
    }
    builder.build()
}

fn add_shared_responses(operation: &mut Operation, uses_database: bool) {
    let responses = &mut operation.responses.responses;
    responses.entry("500".to_owned()).or_insert_with(|| {
        RefOr::T(problem_response(
            "Unexpected failure; the cause is logged, never sent",
            false,
        ))
    });
    if uses_database {
        responses.entry("503".to_owned()).or_insert_with(|| {
            RefOr::T(problem_response(
                "The database is out of reach for now; retry after `Retry-After` seconds",
                true,
            ))
        });
    }
    for response in responses.values_mut() {
        if let RefOr::T(response) = response {
            response.headers.entry("X-Request-Id".to_owned()).or_insert_with(|| {
                HeaderBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .description(Some("The request's id: the client's own when it sent one, generated otherwise"))
                    .build()
                    .into()
            });
        }
    }
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
