//! The committed OpenAPI document must be what the code generates.
//! Regenerate with: UPDATE_OPENAPI=1 cargo test --test api openapi

use crate::helpers::spawn_app;

const COMMITTED: &str = "openapi/openapi.json";

#[test]
fn committed_openapi_document_matches_the_code() {
    let generated = runstrong::openapi::document_json();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{COMMITTED} is out of date: run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[test]
fn every_operation_documents_its_errors() {
    let spec: serde_json::Value =
        serde_json::from_str(&runstrong::openapi::document_json()).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for protected in ["/v1/me", "/v1/athletes/{athlete_id}"] {
        let security = &spec["paths"][protected]["get"]["security"];
        assert!(
            security.to_string().contains("bearer"),
            "{protected} not marked"
        );
    }
    let paths = spec["paths"].as_object().unwrap();
    for route in [
        "/livez",
        "/readyz",
        "/metrics",
        "/v1/vocabularies",
        "/v1/exercises",
        "/v1/exercises/{id_or_slug}",
        "/v1/exercises/{id_or_slug}/progression",
        "/v1/exercises/export",
        "/v1/exercises/import",
        "/v1/accounts",
        "/v1/tokens",
        "/v1/tokens/current",
        "/v1/me",
        "/v1/athletes",
        "/v1/athletes/{athlete_id}",
        "/v1/athletes/{athlete_id}/grants",
        "/v1/athletes/{athlete_id}/grants/{grant_id}",
        "/v1/coach/grants",
        "/v1/coach/grants/{grant_id}",
        "/v1/coach/grants/{grant_id}/accept",
        "/v1/athletes/{athlete_id}/calendar-feeds",
        "/v1/athletes/{athlete_id}/calendar-feeds/{feed_id}",
        "/v1/calendar-feeds/{token}.ics",
    ] {
        assert!(paths.contains_key(route), "{route} undocumented");
    }
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path}: no 500");
            for (status, response) in responses {
                assert!(
                    response["headers"]["X-Request-Id"].is_object(),
                    "{method} {path} {status}: no X-Request-Id"
                );
            }
            let protected = operation["security"]
                .as_array()
                .is_some_and(|schemes| schemes.iter().any(|s| s.get("bearer").is_some()));
            if protected {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path}: protected without 401"
                );
            }
            let writes_versioned = operation["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["name"] == "If-Match"));
            if writes_versioned {
                for status in ["412", "428"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path}: no 404");
                assert!(responses.contains_key("400"), "{method} {path}: no 400");
            }
            if operation.get("requestBody").is_some() {
                assert!(responses.contains_key("408"), "{method} {path}: no 408");
            }
            let json_body =
                operation["requestBody"]["content"]
                    .as_object()
                    .is_some_and(|content| {
                        content
                            .keys()
                            .all(|media| media == "application/json" || media.ends_with("+json"))
                    });
            if json_body {
                for status in ["400", "413", "415"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: JSON body without {status}"
                    );
                }
            }
            let reads_conditionally = operation["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["name"] == "If-None-Match"));
            if reads_conditionally {
                assert!(responses.contains_key("304"), "{method} {path}: no 304");
            }
            if let Some(refused) = responses.get("401") {
                assert!(
                    refused["headers"]["WWW-Authenticate"].is_object(),
                    "{method} {path}: 401 without WWW-Authenticate"
                );
            }
            if operation["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["in"] == "query"))
            {
                assert!(responses.contains_key("400"), "{method} {path}: no 400");
            }
        }
    }
}

/// The links (which answer feeds which next request) name operations and
/// parameters that exist: schemathesis' stateful phase and clients follow
/// them, and a renamed operation or parameter would silently break them.
#[test]
fn every_link_names_an_existing_operation_and_its_parameters() {
    let spec: serde_json::Value =
        serde_json::from_str(&runstrong::openapi::document_json()).unwrap();
    let mut operations = std::collections::HashMap::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            operations.insert(operation["operationId"].as_str().unwrap(), operation);
        }
    }
    let mut links = 0;
    for (source, operation) in &operations {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let Some(response_links) = response["links"].as_object() else {
                continue;
            };
            for (name, link) in response_links {
                links += 1;
                let target = link["operationId"].as_str().unwrap();
                let target = operations
                    .get(target)
                    .unwrap_or_else(|| panic!("{source} {status} {name}: no operation {target}"));
                for (parameter, expression) in link["parameters"].as_object().unwrap() {
                    let (location, parameter) = match parameter.split_once('.') {
                        Some((location, parameter)) => (Some(location), parameter),
                        None => (None, parameter.as_str()),
                    };
                    let declared = target["parameters"].as_array().unwrap().iter().any(|p| {
                        p["name"] == parameter
                            && location.is_none_or(|location| p["in"] == location)
                    });
                    assert!(
                        declared,
                        "{source} {status} {name}: no parameter {parameter}"
                    );
                    let expression = expression.as_str().unwrap();
                    if let Some(header) = expression.strip_prefix("$response.header.") {
                        assert!(
                            response["headers"].get(header).is_some(),
                            "{source} {status} {name}: the answer has no {header} header"
                        );
                    }
                }
            }
        }
    }
    assert!(links > 30, "only {links} links");
}

#[tokio::test]
async fn the_served_document_is_the_generated_one_and_docs_are_browsable() {
    let app = spawn_app().await;
    let served: serde_json::Value = app.get_json("/openapi.json").await;
    let generated: serde_json::Value =
        serde_json::from_str(&runstrong::openapi::document_json()).unwrap();
    assert_eq!(served, generated);
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/docs"))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 307);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("swagger")
    );
}

/// Every date and time in the document states the accepted range (as a
/// pattern on the year, JSON Schema having no range for strings), so no
/// client meets it first as a 400.
#[test]
fn every_date_states_the_accepted_range() {
    fn walk(value: &serde_json::Value, path: &str, dated: &mut usize) {
        match value {
            serde_json::Value::Object(fields) => {
                if matches!(
                    fields.get("format").and_then(|f| f.as_str()),
                    Some("date" | "date-time")
                ) {
                    *dated += 1;
                    assert_eq!(
                        fields.get("pattern").and_then(|p| p.as_str()),
                        Some(runstrong::openapi::DATE_PATTERN),
                        "{path}"
                    );
                }
                for (key, field) in fields {
                    walk(field, &format!("{path}/{key}"), dated);
                }
            }
            serde_json::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}/{index}"), dated);
                }
            }
            _ => {}
        }
    }
    let spec: serde_json::Value =
        serde_json::from_str(&runstrong::openapi::document_json()).unwrap();
    let mut dated = 0;
    walk(&spec, "", &mut dated);
    assert!(dated > 20, "only {dated} dates found");
    let pattern = regex::Regex::new(runstrong::openapi::DATE_PATTERN).unwrap();
    for inside in ["1900-01-01", "2200-12-31", "2027-04-18T07:00:00Z"] {
        assert!(pattern.is_match(inside), "{inside}");
    }
    for outside in ["1899-12-31", "2201-01-01", "+262142-12-31", "0001-01-01"] {
        assert!(!pattern.is_match(outside), "{outside}");
    }
}
