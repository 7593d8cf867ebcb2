//! The answers that follow from what an operation declares: a token →
//! 401, a JSON body → 400/408/413/415, `If-Match` → 412/428,
//! `If-None-Match` → 304, and 500/503 for all, each with `X-Request-Id`.

use utoipa::openapi::{
    self, ContentBuilder, HeaderBuilder, ObjectBuilder, RefOr, ResponseBuilder, Type,
    path::Operation,
};

use crate::error::PROBLEM_CONTENT_TYPE;
use crate::http::extract::is_json_media_type;

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
pub(super) fn add_shared_responses(operation: &mut Operation, uses_database: bool) {
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
