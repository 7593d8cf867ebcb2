//! The OpenAPI 3.1 document, generated from the same route registration
//! the server uses, plus the answers that follow from what an operation
//! declares (401 for a token, 400/408/413/415 for a JSON body, 412/428 for
//! `If-Match`, 304 for `If-None-Match`, 500/503 for all, and the
//! `X-Request-Id` header on each) and the links from one answer to the
//! next request. Each route lists only the answers that are its own.

use actix_web::App;
use utoipa::{
    OpenApi,
    openapi::{
        self, ContentBuilder, HeaderBuilder, ObjectBuilder, RefOr, ResponseBuilder, Type,
        link::LinkBuilder,
        path::Operation,
        schema::Schema,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_actix_web::AppExt;

use crate::error::{PROBLEM_CONTENT_TYPE, Problem};
use crate::http::extract::is_json_media_type;

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

/// Every date and time the API takes lies in 1900-01-01..=2200-12-31
/// (`domain::dates`). `format: date` cannot bound a range; a pattern on
/// the year can, so every date and date-time schema gets one, and clients
/// and schemathesis know the bound instead of meeting it as a 400.
pub const DATE_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-";

fn bound_dates(spec: &mut openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat};
    fn visit(schema: &mut RefOr<Schema>) {
        let RefOr::T(schema) = schema else {
            return;
        };
        match schema {
            Schema::Object(object) => {
                let dated = matches!(
                    object.format,
                    Some(SchemaFormat::KnownFormat(
                        KnownFormat::Date | KnownFormat::DateTime
                    ))
                );
                if dated && object.pattern.is_none() {
                    object.pattern = Some(DATE_PATTERN.to_owned());
                }
                object.properties.values_mut().for_each(visit);
            }
            Schema::Array(array) => {
                if let ArrayItems::RefOrSchema(items) = &mut array.items {
                    visit(items);
                }
            }
            Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(visit),
            Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(visit),
            Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(visit),
            _ => {}
        }
    }
    if let Some(components) = spec.components.as_mut() {
        components.schemas.values_mut().for_each(visit);
    }
    for item in spec.paths.paths.values_mut() {
        for operation in operations(item) {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let RefOr::T(openapi::path::Parameter {
                    schema: Some(schema),
                    ..
                }) = parameter
                {
                    visit(schema);
                }
            }
        }
    }
}

/// The variants of `Variation` (internally tagged, `deny_unknown_fields`)
/// refuse unknown fields, but the derive leaves their object schemas open.
fn close_variations(spec: &mut openapi::OpenApi) {
    use utoipa::openapi::schema::AdditionalProperties;
    let schemas = &mut spec
        .components
        .as_mut()
        .expect("the document has components")
        .schemas;
    let Some(RefOr::T(Schema::OneOf(one_of))) = schemas.get_mut("Variation") else {
        panic!("Variation is not a oneOf schema");
    };
    for variant in one_of.items.iter_mut() {
        let RefOr::T(Schema::Object(object)) = variant else {
            panic!("a Variation variant is not an object schema");
        };
        object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
    }
}

/// Lists whose values must not repeat: the profile and exercise
/// validators refuse repeats (422), and JSON Schema can say so, but the
/// derive writes `uniqueItems` only for set types.
const UNIQUE_ITEMS: &[(&str, &[&str])] = &[
    (
        "AthleteProfile",
        &["available_days", "equipment", "injuries"],
    ),
    (
        "AthleteProfilePatch",
        &["available_days", "equipment", "injuries"],
    ),
    ("Athlete", &["available_days", "equipment", "injuries"]),
    ("PlanRequest", &["available_days", "equipment", "injuries"]),
    (
        "PlanOverrides",
        &["available_days", "equipment", "injuries"],
    ),
    ("ExerciseDefinition", EXERCISE_SETS),
    ("Exercise", EXERCISE_SETS),
];

/// The lists of an exercise whose values must not repeat.
const EXERCISE_SETS: &[&str] = &[
    "primary_muscles",
    "secondary_muscles",
    "equipment",
    "avoid_with",
    "helps_with",
    "benefits",
];

fn mark_unique_items(spec: &mut openapi::OpenApi) {
    let schemas = &mut spec
        .components
        .as_mut()
        .expect("the document has components")
        .schemas;
    for (name, properties) in UNIQUE_ITEMS {
        let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(*name) else {
            panic!("{name} is not an object schema");
        };
        for property in *properties {
            match object.properties.get_mut(*property) {
                Some(RefOr::T(Schema::Array(array))) => array.unique_items = true,
                _ => panic!("{name}.{property} is not an array"),
            }
        }
    }
}

/// The id of the resource in the answer's body.
const BODY_ID: &str = "$response.body#/id";
/// The answer's version tag, which the next write must send as `If-Match`.
const ETAG: &str = "$response.header.ETag";

/// A link from an answer to an operation that can follow it: its name,
/// the target `operationId`, and the target's parameters as runtime
/// expressions (`header.` marks a header parameter).
type LinkSpec = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// What can follow an answer carrying an athlete profile.
const ATHLETE_LINKS: &[LinkSpec] = &[
    ("GetAthlete", "get_athlete", &[("athlete_id", BODY_ID)]),
    (
        "PatchAthlete",
        "patch_athlete",
        &[("athlete_id", BODY_ID), ("header.If-Match", ETAG)],
    ),
    (
        "DeleteAthlete",
        "delete_athlete",
        &[("athlete_id", BODY_ID), ("header.If-Match", ETAG)],
    ),
    ("CreateGrant", "create_grant", &[("athlete_id", BODY_ID)]),
    ("ListGrants", "list_grants", &[("athlete_id", BODY_ID)]),
    ("CreatePlan", "create_plan", &[("athlete_id", BODY_ID)]),
    ("ListPlans", "list_plans", &[("athlete_id", BODY_ID)]),
    (
        "CreateCalendarFeed",
        "create_calendar_feed",
        &[("athlete_id", BODY_ID)],
    ),
    (
        "ListCalendarFeeds",
        "list_calendar_feeds",
        &[("athlete_id", BODY_ID)],
    ),
    (
        "CreateSession",
        "create_session",
        &[("athlete_id", BODY_ID)],
    ),
    ("ListSessions", "list_sessions", &[("athlete_id", BODY_ID)]),
    ("LoadReport", "load_report", &[("athlete_id", BODY_ID)]),
];

/// What can follow an answer carrying a stored plan.
const PLAN_LINKS: &[LinkSpec] = &[
    ("GetPlan", "get_plan", &[("plan_id", BODY_ID)]),
    ("PlanCalendar", "plan_calendar", &[("plan_id", BODY_ID)]),
    (
        "FirstWorkout",
        "plan_session_workout",
        &[
            ("plan_id", BODY_ID),
            ("date", "$response.body#/plan/start_date"),
            ("n", "1"),
        ],
    ),
    ("AdaptPlan", "adapt_plan", &[("plan_id", BODY_ID)]),
    ("DeletePlan", "delete_plan", &[("plan_id", BODY_ID)]),
    (
        "Adherence",
        "adherence",
        &[
            ("athlete_id", "$response.body#/athlete_id"),
            ("plan_id", BODY_ID),
        ],
    ),
];

/// What can follow an answer carrying a logged session with its ETag.
const SESSION_LINKS: &[LinkSpec] = &[
    ("GetSession", "get_session", &[("session_id", BODY_ID)]),
    (
        "ReplaceSession",
        "replace_session",
        &[("session_id", BODY_ID), ("header.If-Match", ETAG)],
    ),
    (
        "DeleteSession",
        "delete_session",
        &[("session_id", BODY_ID), ("header.If-Match", ETAG)],
    ),
];

/// What can follow an answer carrying an exercise with its ETag.
const EXERCISE_LINKS: &[LinkSpec] = &[
    ("GetExercise", "get_exercise", &[("id_or_slug", BODY_ID)]),
    (
        "GetProgression",
        "get_progression",
        &[("id_or_slug", BODY_ID)],
    ),
    (
        "ReplaceExercise",
        "replace_exercise",
        &[("id_or_slug", BODY_ID), ("header.If-Match", ETAG)],
    ),
    (
        "DeleteExercise",
        "delete_exercise",
        &[("id_or_slug", BODY_ID), ("header.If-Match", ETAG)],
    ),
];

/// A grant can be revoked by the id in the answer, for the athlete of the request.
const GRANT_LINKS: &[LinkSpec] = &[(
    "RevokeGrant",
    "revoke_grant",
    &[
        ("athlete_id", "$request.path.athlete_id"),
        ("grant_id", BODY_ID),
    ],
)];

/// What can follow an answer carrying a calendar feed. Its URL cannot be
/// a link: a runtime expression takes a whole field, and the URL is a path.
const CALENDAR_FEED_LINKS: &[LinkSpec] = &[
    (
        "GetCalendarFeed",
        "get_calendar_feed",
        &[
            ("athlete_id", "$response.body#/athlete_id"),
            ("feed_id", BODY_ID),
        ],
    ),
    (
        "DeleteCalendarFeed",
        "delete_calendar_feed",
        &[
            ("athlete_id", "$response.body#/athlete_id"),
            ("feed_id", BODY_ID),
        ],
    ),
];

/// The OpenAPI links of each operation's answers, by `operationId` and
/// status: which answer feeds which next request. Clients can read them;
/// schemathesis' stateful phase follows them to chain create → read →
/// change → delete.
const LINKS: &[(&str, &str, &[LinkSpec])] = &[
    ("create_athlete", "201", ATHLETE_LINKS),
    ("get_athlete", "200", ATHLETE_LINKS),
    ("patch_athlete", "200", ATHLETE_LINKS),
    ("create_grant", "200", GRANT_LINKS),
    ("create_grant", "201", GRANT_LINKS),
    ("create_plan", "201", PLAN_LINKS),
    ("adapt_plan", "201", PLAN_LINKS),
    ("get_plan", "200", PLAN_LINKS),
    ("create_calendar_feed", "201", CALENDAR_FEED_LINKS),
    ("get_calendar_feed", "200", CALENDAR_FEED_LINKS),
    ("create_session", "201", SESSION_LINKS),
    ("get_session", "200", SESSION_LINKS),
    ("replace_session", "200", SESSION_LINKS),
    ("create_exercise", "201", EXERCISE_LINKS),
    ("get_exercise", "200", EXERCISE_LINKS),
    ("replace_exercise", "200", EXERCISE_LINKS),
];

fn add_links(operation: &mut Operation) {
    let Some(id) = operation.operation_id.clone() else {
        return;
    };
    for (_, status, links) in LINKS.iter().filter(|(source, _, _)| *source == id) {
        let Some(RefOr::T(response)) = operation.responses.responses.get_mut(*status) else {
            panic!("{id} has no {status} answer to link from");
        };
        for (name, target, parameters) in links.iter() {
            let link = parameters
                .iter()
                .fold(
                    LinkBuilder::new().operation_id(*target),
                    |link, (name, value)| link.parameter(*name, *value),
                )
                .build();
            response.links.insert((*name).to_owned(), RefOr::T(link));
        }
    }
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

/// Whether an operation takes a bearer token, from its `security`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenUse {
    None,
    /// Only `bearer`: no token is a 401 too.
    Required,
    /// `bearer` or nothing (`{}`): only a token that is sent and invalid is a 401.
    Optional,
}

/// What an operation declares that some answers follow from mechanically.
/// The extractors behind each declaration (`BearerToken`,
/// `OptionalBearerToken`, `JsonBody`, `IfMatch`, the path and query
/// extractors) always refuse the same way, and every read that takes
/// `If-None-Match` answers 304 while the tag matches, so the document
/// derives those answers instead of every route repeating them.
#[derive(Debug)]
struct Declared {
    token: TokenUse,
    body: bool,
    /// Every content type of the body is JSON (`application/json` or a
    /// `+json` type), as `JsonBody` checks. Other bodies (the FIT, GPX and
    /// TCX import) word their 400, 413 and 415 themselves.
    json_body: bool,
    path_or_query_parameters: bool,
    /// `Some(required)` when the operation takes `If-Match`.
    if_match: Option<bool>,
    /// The operation takes `If-None-Match` (a conditional read).
    if_none_match: bool,
}

impl Declared {
    fn of(operation: &Operation) -> Self {
        use openapi::path::ParameterIn;
        let requirements = operation.security.as_deref().unwrap_or_default();
        let anonymous = openapi::security::SecurityRequirement::default();
        let token = if requirements
            .iter()
            .all(|requirement| *requirement == anonymous)
        {
            TokenUse::None
        } else if requirements.contains(&anonymous) {
            TokenUse::Optional
        } else {
            TokenUse::Required
        };
        let body = operation.request_body.as_ref();
        let parameters = || {
            operation
                .parameters
                .iter()
                .flatten()
                .filter_map(|parameter| match parameter {
                    RefOr::T(parameter) => Some(parameter),
                    RefOr::Ref(_) => None,
                })
        };
        let header = |name: &str| {
            parameters().find(move |parameter| {
                parameter.parameter_in == ParameterIn::Header
                    && parameter.name.eq_ignore_ascii_case(name)
            })
        };
        Declared {
            token,
            body: body.is_some(),
            json_body: matches!(body, Some(RefOr::T(body))
                if !body.content.is_empty() && body.content.keys().all(|media| is_json_media_type(media))),
            path_or_query_parameters: parameters().any(|parameter| {
                matches!(
                    parameter.parameter_in,
                    ParameterIn::Path | ParameterIn::Query
                )
            }),
            if_match: header("If-Match")
                .map(|parameter| parameter.required == openapi::Required::True),
            if_none_match: header("If-None-Match").is_some(),
        }
    }
}

const MISSING_OR_INVALID_TOKEN: &str = "Missing or invalid token";
const SENT_TOKEN_INVALID: &str = "A token was sent but is invalid";
const MALFORMED_BODY: &str = "Malformed body, unknown field or value";
const NUL_IN_PARAMETER: &str = "A parameter holds the NUL character (`%00`)";
const BODY_TIMEOUT: &str =
    "The body did not arrive in full within `RUNSTRONG_BODY_TIMEOUT_S`; the connection closes";
const CHANGED_SINCE_IF_MATCH: &str = "Changed since the If-Match version";
const BODY_TOO_LARGE: &str = "Body too large";
const BODY_NOT_JSON: &str = "Body is not JSON";
const IF_MATCH_REQUIRED: &str = "If-Match is missing, or `*` (which names no version)";
const NOT_MODIFIED: &str = "Unchanged since the `If-None-Match` tag";
const UNEXPECTED_FAILURE: &str = "Unexpected failure; the cause is logged, never sent";
const DATABASE_OUT_OF_REACH: &str =
    "The database is out of reach for now; retry after `Retry-After` seconds";

/// The answers `declared` implies, as (status, description). For a status
/// listed twice the first wins: a body's 400 says more than a parameter's.
fn derived_responses(
    declared: &Declared,
    uses_database: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut derived = Vec::new();
    if declared.if_none_match {
        derived.push(("304", NOT_MODIFIED));
    }
    match declared.token {
        TokenUse::Required => derived.push(("401", MISSING_OR_INVALID_TOKEN)),
        TokenUse::Optional => derived.push(("401", SENT_TOKEN_INVALID)),
        TokenUse::None => {}
    }
    if declared.json_body {
        derived.extend([
            ("400", MALFORMED_BODY),
            ("413", BODY_TOO_LARGE),
            ("415", BODY_NOT_JSON),
        ]);
    }
    if declared.path_or_query_parameters {
        derived.push(("400", NUL_IN_PARAMETER));
    }
    if declared.body {
        derived.push(("408", BODY_TIMEOUT));
    }
    if let Some(required) = declared.if_match {
        derived.push(("412", CHANGED_SINCE_IF_MATCH));
        if required {
            derived.push(("428", IF_MATCH_REQUIRED));
        }
    }
    derived.push(("500", UNEXPECTED_FAILURE));
    if uses_database {
        derived.push(("503", DATABASE_OUT_OF_REACH));
    }
    derived
}

/// Adds the answers the operation's declarations imply. An answer the
/// route lists itself wins: its description is the more precise one.
fn add_shared_responses(operation: &mut Operation, uses_database: bool) {
    let derived = derived_responses(&Declared::of(operation), uses_database);
    let responses = &mut operation.responses.responses;
    for (status, description) in derived {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(derived_response(status, description)));
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        response
            .headers
            .entry("X-Request-Id".to_owned())
            .or_insert_with(|| {
                string_header(
                    "The request's id: the client's own when it sent one, generated otherwise",
                )
            });
        // Every 401 is `ApiError::Unauthorized`, which always sends a challenge.
        if status == "401" {
            response
                .headers
                .entry("WWW-Authenticate".to_owned())
                .or_insert_with(|| {
                    string_header(
                        "`Bearer realm=\"runstrong\"`, with `error=\"invalid_token\"` when the token sent is malformed, expired or revoked",
                    )
                });
        }
    }
}

/// A 304 has no body; every other derived answer is a problem, and a 503
/// says when to retry.
fn derived_response(status: &str, description: &str) -> openapi::Response {
    if status == "304" {
        ResponseBuilder::new().description(description).build()
    } else {
        problem_response(description, status == "503")
    }
}

fn string_header(description: &str) -> RefOr<openapi::Header> {
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(description))
        .build()
        .into()
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

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::{
        Required,
        path::{OperationBuilder, ParameterBuilder, ParameterIn},
        request_body::RequestBodyBuilder,
        security::SecurityRequirement,
    };

    fn body(media_type: &str) -> openapi::request_body::RequestBody {
        RequestBodyBuilder::new()
            .content(media_type, ContentBuilder::new().build())
            .required(Some(Required::True))
            .build()
    }

    fn if_match(required: Required) -> openapi::path::Parameter {
        ParameterBuilder::new()
            .name("If-Match")
            .parameter_in(ParameterIn::Header)
            .required(required)
            .build()
    }

    fn bearer() -> SecurityRequirement {
        SecurityRequirement::new("bearer", Vec::<String>::new())
    }

    /// The statuses and descriptions the operation ends up with.
    fn answers(operation: Operation) -> Vec<(String, String)> {
        let mut operation = operation;
        add_shared_responses(&mut operation, true);
        operation
            .responses
            .responses
            .into_iter()
            .map(|(status, response)| match response {
                RefOr::T(response) => (status, response.description),
                RefOr::Ref(_) => panic!("{status} is a reference"),
            })
            .collect()
    }

    fn described(status: &str, description: &str) -> (String, String) {
        (status.to_owned(), description.to_owned())
    }

    #[test]
    fn a_versioned_json_write_with_a_token_gets_every_shared_refusal() {
        let operation = OperationBuilder::new()
            .security(bearer())
            .request_body(Some(body("application/merge-patch+json")))
            .parameter(
                ParameterBuilder::new()
                    .name("athlete_id")
                    .parameter_in(ParameterIn::Path)
                    .build(),
            )
            .parameter(if_match(Required::True))
            .build();
        assert_eq!(
            answers(operation),
            vec![
                described("400", MALFORMED_BODY),
                described("401", MISSING_OR_INVALID_TOKEN),
                described("408", BODY_TIMEOUT),
                described("412", CHANGED_SINCE_IF_MATCH),
                described("413", BODY_TOO_LARGE),
                described("415", BODY_NOT_JSON),
                described("428", IF_MATCH_REQUIRED),
                described("500", UNEXPECTED_FAILURE),
                described("503", DATABASE_OUT_OF_REACH),
            ]
        );
    }

    #[test]
    fn an_answer_the_route_lists_wins_over_the_derived_one() {
        let own = "Malformed body, or a bad Idempotency-Key";
        let operation = OperationBuilder::new()
            .request_body(Some(body("application/json")))
            .response("400", problem_response(own, false))
            .build();
        assert!(answers(operation).contains(&described("400", own)));
    }

    #[test]
    fn an_optional_token_is_refused_only_when_sent_and_invalid() {
        let operation = OperationBuilder::new()
            .securities(Some([SecurityRequirement::default(), bearer()]))
            .build();
        assert!(answers(operation).contains(&described("401", SENT_TOKEN_INVALID)));
    }

    #[test]
    fn a_conditional_read_may_answer_304() {
        let operation = OperationBuilder::new()
            .parameter(
                ParameterBuilder::new()
                    .name("If-None-Match")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .build(),
            )
            .build();
        assert!(answers(operation).contains(&described("304", NOT_MODIFIED)));
    }

    #[test]
    fn what_is_not_declared_is_not_derived() {
        // No token, a file body (not JSON), an If-Match that may be left out.
        let operation = OperationBuilder::new()
            .request_body(Some(body("application/gpx+xml")))
            .parameter(if_match(Required::False))
            .build();
        let statuses: Vec<String> = answers(operation)
            .into_iter()
            .map(|(status, _)| status)
            .collect();
        assert_eq!(statuses, ["408", "412", "500", "503"]);
    }

    #[test]
    fn every_401_carries_the_challenge_the_server_sends() {
        let mut operation = OperationBuilder::new()
            .response("401", problem_response("Wrong email or password", false))
            .build();
        add_shared_responses(&mut operation, false);
        let Some(RefOr::T(refused)) = operation.responses.responses.get("401") else {
            panic!("no 401");
        };
        assert!(refused.headers.contains_key("WWW-Authenticate"));
    }
}
