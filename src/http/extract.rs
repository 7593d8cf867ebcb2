//! Extractors and extractor settings that turn every malformed input into
//! the API's problem+json instead of actix's plain-text defaults.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

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
/// The size limit is the app's `web::PayloadConfig`; the time limit its
/// `BodyTimeout`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// How long a whole request body may take to arrive. actix times out a
/// request's headers but not its body: a client trickling one byte at a
/// time would hold its connection and the handler's memory forever.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json_content_type(request);
        let bytes = body_bytes(request, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(not_json());
            }
            parse_json(&bytes.await?).map(JsonBody)
        })
    }
}

/// A JSON body that may also be left out: no body at all (or an empty
/// one, whatever its `Content-Type`) is `None`; anything else is read as
/// [`JsonBody`] reads it, with the same errors.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json_content_type(request);
        let bytes = body_bytes(request, payload);
        Box::pin(async move {
            let bytes = bytes.await?;
            if bytes.is_empty() {
                return Ok(OptionalJsonBody(None));
            }
            if !content_type_ok {
                return Err(not_json());
            }
            parse_json(&bytes).map(|value| OptionalJsonBody(Some(value)))
        })
    }
}

fn not_json() -> ApiError {
    ApiError::UnsupportedMediaType(
        "send the body as JSON with `Content-Type: application/json`".to_owned(),
    )
}

/// The whole body, within the app's size limit and `BodyTimeout`.
fn body_bytes(
    request: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<web::Bytes, ApiError>> + 'static {
    let timeout = request
        .app_data::<BodyTimeout>()
        .map_or(DEFAULT_BODY_TIMEOUT, |timeout| timeout.0);
    let bytes = web::Bytes::from_request(request, payload);
    async move {
        tokio::time::timeout(timeout, bytes)
            .await
            .map_err(|_| {
                ApiError::RequestTimeout(format!(
                    "the request body did not arrive within {} s",
                    timeout.as_secs()
                ))
            })?
            .map_err(payload_error)
    }
}

const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

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
    is_json_media_type(&essence)
}

/// Whether a media type (lowercase, without parameters) is one that
/// [`JsonBody`] reads: `application/json` or any `application/…+json`.
pub fn is_json_media_type(essence: &str) -> bool {
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
///
/// JSON has one number type, and to JSON Schema (so to the OpenAPI
/// document and every client generated from it) `2.0` is the integer 2;
/// serde refuses it for an integer field. A body that fails only for that
/// reason is parsed again with its whole floats written as integers, so
/// `"runs_per_week": 4.0` is accepted like `4`. The retry costs nothing on
/// the usual path, where the first parse succeeds.
///
/// Strings must not contain U+0000: PostgreSQL cannot store it in text or
/// JSON columns, so it would fail later as a 500. It is refused here, for
/// every body, with a 400 pointing at the string.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Some(pointer) = nul_character_at(bytes) {
        return Err(ApiError::bad_field(
            &pointer,
            "text must not contain the NUL character (U+0000)",
        ));
    }
    if let Some(value) = without_negative_zeros(bytes) {
        return serde_path_to_error::deserialize(value.clone())
            .or_else(|error| retry_with_integers(Some(value), error));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer)
        .or_else(|error| retry_with_integers(serde_json::from_slice(bytes).ok(), error))
}

/// After a failed parse, the body parsed again with its whole floats
/// written as integers; when it has none, the first error. The retry's
/// error is the one to report: the first may only be about a float the
/// retry has already written as an integer.
fn retry_with_integers<T: DeserializeOwned>(
    value: Option<serde_json::Value>,
    error: serde_path_to_error::Error<serde_json::Error>,
) -> Result<T, ApiError> {
    match value {
        Some(mut value) => {
            if whole_floats_as_integers(&mut value) {
                serde_path_to_error::deserialize(value).map_err(path_error)
            } else {
                Err(path_error(error))
            }
        }
        None => Err(path_error(error)),
    }
}

/// The body as a JSON value with every negative zero (`-0`, `-0.0`, or a
/// negative number too small for a float, `-1e-400`) written as `0.0`;
/// `None` when the body is not JSON or has none. No quantity the API takes
/// is negative, so `-0.0` means 0, and the service never answers `-0.0`
/// (see `domain::numbers`), not even by echoing what it was sent. Only a
/// body with a minus sign where a number may start is parsed for this.
fn without_negative_zeros(bytes: &[u8]) -> Option<serde_json::Value> {
    // A number's minus sign follows `:`, `[` or `,` (and white space); the
    // hyphens of dates ("2027-01-04") follow digits.
    let mut after_separator = true;
    let mut negative_number = false;
    for (index, byte) in bytes.iter().enumerate() {
        match byte {
            b'-' if after_separator && bytes.get(index + 1).is_some_and(u8::is_ascii_digit) => {
                negative_number = true;
                break;
            }
            b':' | b'[' | b',' => after_separator = true,
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => after_separator = false,
        }
    }
    if !negative_number {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let changed = rewrite_numbers(&mut value, &|number| {
        number
            .as_f64()
            .filter(|float| number.is_f64() && *float == 0.0 && float.is_sign_negative())
            .and_then(|_| serde_json::Number::from_f64(0.0))
    });
    changed.then_some(value)
}

fn path_error<E: std::fmt::Display + IsSyntax>(error: serde_path_to_error::Error<E>) -> ApiError {
    let pointer = json_pointer(error.path());
    let inner = error.into_inner();
    let detail = if inner.is_syntax() {
        format!("malformed JSON: {inner}")
    } else {
        inner.to_string()
    };
    ApiError::bad_field(&pointer, detail)
}

/// Whether an error is about the JSON text itself rather than its shape.
trait IsSyntax {
    fn is_syntax(&self) -> bool;
}

impl IsSyntax for serde_json::Error {
    fn is_syntax(&self) -> bool {
        serde_json::Error::is_syntax(self) || self.is_eof()
    }
}

/// The JSON Pointer of the first string (value or key) holding U+0000, if
/// any. A JSON text can only spell that character as the escape `\u0000`,
/// so bodies without that escape, nearly all of them, are not parsed twice.
fn nul_character_at(bytes: &[u8]) -> Option<String> {
    fn find(value: &serde_json::Value, pointer: &mut String) -> bool {
        let escape = |key: &str| key.replace('~', "~0").replace('/', "~1");
        match value {
            serde_json::Value::String(text) => text.contains('\0'),
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(index, item)| {
                let length = pointer.len();
                pointer.push_str(&format!("/{index}"));
                let found = find(item, pointer);
                if !found {
                    pointer.truncate(length);
                }
                found
            }),
            serde_json::Value::Object(fields) => fields.iter().any(|(key, field)| {
                let length = pointer.len();
                pointer.push_str(&format!("/{}", escape(key)));
                let found = key.contains('\0') || find(field, pointer);
                if !found {
                    pointer.truncate(length);
                }
                found
            }),
            _ => false,
        }
    }
    if !bytes
        .windows(6)
        .any(|window| window.eq_ignore_ascii_case(b"\\u0000"))
    {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let mut pointer = String::new();
    find(&value, &mut pointer).then_some(pointer)
}

/// Writes every float of `value` that has no fractional part (and fits
/// an `i64` exactly) as an integer; whether there was any.
fn whole_floats_as_integers(value: &mut serde_json::Value) -> bool {
    rewrite_numbers(value, &|number| match number.as_f64() {
        // Beyond 2^53 a float no longer names one integer exactly.
        Some(float)
            if number.is_f64()
                && float.fract() == 0.0
                && float.abs() <= 9_007_199_254_740_992.0 =>
        {
            Some(serde_json::Number::from(float as i64))
        }
        _ => None,
    })
}

/// Replaces every number of `value` that `rewrite` gives a replacement
/// for; whether there was any.
fn rewrite_numbers(
    value: &mut serde_json::Value,
    rewrite: &impl Fn(&serde_json::Number) -> Option<serde_json::Number>,
) -> bool {
    match value {
        serde_json::Value::Number(number) => match rewrite(number) {
            Some(replacement) => {
                *number = replacement;
                true
            }
            None => false,
        },
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            rewrite_numbers(item, rewrite) | changed
        }),
        serde_json::Value::Object(fields) => fields.values_mut().fold(false, |changed, field| {
            rewrite_numbers(field, rewrite) | changed
        }),
        _ => false,
    }
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

/// The field names of a struct as its `Deserialize` derive knows them
/// (what `deny_unknown_fields` accepts), read by asking it to deserialize
/// from a deserializer that only records the names it is offered.
pub fn struct_fields<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
    struct Recorder<'a>(&'a mut &'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for Recorder<'_> {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(serde::de::Error::custom("fields recorded"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Recorder(&mut fields));
    fields
}

/// A 400 for the first key of a JSON object that is no field of `T`: for
/// bodies merged into stored data before they are parsed as `T`.
pub fn refuse_unknown_fields<'de, T: serde::Deserialize<'de>>(
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), ApiError> {
    let known = struct_fields::<T>();
    match fields.keys().find(|key| !known.contains(&key.as_str())) {
        Some(unknown) => Err(ApiError::bad_field(
            &format!("/{}", unknown.replace('~', "~0").replace('/', "~1")),
            format!("unknown field `{unknown}`"),
        )),
        None => Ok(()),
    }
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
    fn struct_fields_are_read_from_the_derive() {
        assert_eq!(struct_fields::<Body>(), ["name", "sets"]);
        assert_eq!(struct_fields::<Set>(), ["reps"]);
        // The bodies merged before parsing (PATCH of a profile, plan
        // overrides) must stay plain structs for this to see their fields:
        // a `flatten` would hide them and every field would be refused.
        let profile = struct_fields::<crate::domain::profile::AthleteProfile>();
        for field in ["name", "race", "available_days", "allow_two_a_days"] {
            assert!(profile.contains(&field), "{field}");
        }
        let request = struct_fields::<crate::domain::plan::request::PlanRequest>();
        for field in ["start_date", "weeks", "race", "equipment"] {
            assert!(request.contains(&field), "{field}");
        }
    }

    #[test]
    fn malformed_json_is_a_400() {
        let error = parse_json::<Body>(b"{\"name\":").unwrap_err();
        assert_eq!(error.status_code().as_u16(), 400);
        assert!(error.to_string().contains("malformed JSON"));
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Distances {
        km: f64,
        laps: Vec<f64>,
        count: u8,
    }

    #[test]
    fn negative_zeros_are_read_as_zero() {
        for body in [
            r#"{"km": -0.0, "laps": [1.5, -0], "count": 2}"#,
            r#"{"km":-0,"laps":[-0.000e3,-1e-400],"count":-0}"#,
            r#"{"km": -0E0, "laps": [], "count": 2.0}"#,
        ] {
            let parsed = parse_json::<Distances>(body.as_bytes()).unwrap();
            assert!(parsed.count <= 2, "{body}");
            for value in std::iter::once(parsed.km).chain(parsed.laps) {
                assert!(!value.is_sign_negative(), "{body}: {value}");
            }
        }
        // Dates are not numbers, and real negative numbers stay as sent.
        let parsed =
            parse_json::<serde_json::Value>(br#"{"date": "2027-01-04", "x": -1.5}"#).unwrap();
        assert_eq!(parsed["x"], -1.5);
        let error =
            parse_json::<Distances>(br#"{"km": -0.0, "laps": [], "count": -1}"#).unwrap_err();
        assert_eq!(pointer_of(error), "/count");
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
