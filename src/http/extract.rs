//! Extractors and extractor settings that turn every malformed input into
//! the API's problem+json instead of actix's plain-text defaults.

use std::future::Future;
use std::pin::Pin;

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    error::{PathError, PayloadError, QueryPayloadError},
    http::header,
    web,
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body whose deserialization errors point at the field
/// that failed (`/sets/2/reps`), which `actix_web::web::Json` cannot do.
/// The size limit is the app's `web::PayloadConfig`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json_content_type(request);
        let bytes = web::Bytes::from_request(request, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as JSON with `Content-Type: application/json`".to_owned(),
                ));
            }
            let bytes = bytes.await.map_err(payload_error)?;
            parse_json(&bytes).map(JsonBody)
        })
    }
}

fn is_json_content_type(request: &HttpRequest) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn payload_error(error: actix_web::Error) -> ApiError {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::PayloadTooLarge(
            "the request body is larger than this server accepts".to_owned(),
        ),
        _ => match error.as_response_error().status_code().as_u16() {
            413 => ApiError::PayloadTooLarge(
                "the request body is larger than this server accepts".to_owned(),
            ),
            _ => ApiError::bad_request(format!("could not read the request body: {error}")),
        },
    }
}

/// Parses JSON, reporting the path of the first field that does not fit.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let pointer = json_pointer(error.path());
        let inner = error.into_inner();
        let detail = if inner.is_syntax() || inner.is_eof() {
            format!("malformed JSON: {inner}")
        } else {
            inner.to_string()
        };
        ApiError::bad_field(&pointer, detail)
    })
}

/// serde_path_to_error's path as an RFC 6901 JSON Pointer.
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

/// Query strings that do not fit their type (an unknown parameter, a
/// repeated one) answer 400 problem+json.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _| {
        ApiError::bad_request(format!("invalid query string: {error}")).into()
    })
}

/// A path segment that does not parse (a malformed id) names no resource:
/// 404, exactly like an id that does not exist.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_: PathError, request| super::fallback::bad_path(request).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{ResponseError, test::TestRequest};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        sets: Vec<Set>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Set {
        reps: u8,
    }

    fn pointer_of(error: ApiError) -> String {
        match error {
            ApiError::BadRequest { errors, .. } => errors[0].pointer.clone(),
            other => panic!("expected 400, got {other:?}"),
        }
    }

    #[test]
    fn type_errors_point_at_the_field() {
        let error =
            parse_json::<Body>(br#"{"name":"x","sets":[{"reps":1},{"reps":"many"}]}"#).unwrap_err();
        assert_eq!(pointer_of(error), "/sets/1/reps");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let error = parse_json::<Body>(br#"{"name":"x","sets":[],"owner":"me"}"#).unwrap_err();
        assert!(error.to_string().contains("owner"), "{error}");
    }

    #[test]
    fn malformed_json_is_a_400() {
        let error = parse_json::<Body>(b"{\"name\":").unwrap_err();
        assert_eq!(error.status_code().as_u16(), 400);
        assert!(error.to_string().contains("malformed JSON"));
    }

    #[actix_web::test]
    async fn wrong_content_type_is_415_and_oversize_is_413() {
        let (request, mut payload) = TestRequest::post()
            .insert_header((header::CONTENT_TYPE, "text/plain"))
            .set_payload("{}")
            .to_http_parts();
        let error = JsonBody::<serde_json::Value>::from_request(&request, &mut payload)
            .await
            .unwrap_err();
        assert_eq!(error.status_code().as_u16(), 415);

        let (request, mut payload) = TestRequest::post()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .app_data(web::PayloadConfig::new(16))
            .set_payload(format!("{{\"name\":\"{}\"}}", "x".repeat(64)))
            .to_http_parts();
        let error = JsonBody::<serde_json::Value>::from_request(&request, &mut payload)
            .await
            .unwrap_err();
        assert_eq!(error.status_code().as_u16(), 413);
    }
}
