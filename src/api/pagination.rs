//! Opaque cursors and page-size limits shared by every list route.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::domain::validation::Errors;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Parses `limit`: absent means the default; outside 1..=200 is an error,
/// never silently clamped.
pub fn parse_limit(raw: Option<&str>, errors: &mut Errors) -> i64 {
    match raw {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<i64>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => {
                errors.add(
                    "/limit",
                    format!("must be a whole number between 1 and {MAX_LIMIT}"),
                );
                DEFAULT_LIMIT
            }
        },
    }
}

/// Encodes a position in a list ordered by a text key. The `kind` prefix
/// keeps a cursor of one list from being replayed against another.
pub fn encode_cursor(kind: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{key}"))
}

/// Decodes a cursor made by [`encode_cursor`] for the same `kind`.
pub fn decode_cursor(kind: &str, raw: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let key = text.strip_prefix(kind)?.strip_prefix(':')?;
    (!key.is_empty()).then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_tampering() {
        let cursor = encode_cursor("exercise", "glute-bridge");
        assert_eq!(
            decode_cursor("exercise", &cursor).as_deref(),
            Some("glute-bridge")
        );
        assert_eq!(decode_cursor("session", &cursor), None);
        assert_eq!(decode_cursor("exercise", "!!not base64!!"), None);
        assert_eq!(
            decode_cursor("exercise", &encode_cursor("exercise", "")),
            None
        );
    }

    #[test]
    fn limits_outside_the_range_are_errors() {
        for raw in ["0", "201", "10000", "-1", "ten"] {
            let mut errors = Errors::default();
            parse_limit(Some(raw), &mut errors);
            assert!(!errors.is_empty(), "{raw} accepted");
        }
        let mut errors = Errors::default();
        assert_eq!(parse_limit(Some("200"), &mut errors), 200);
        assert_eq!(parse_limit(None, &mut errors), DEFAULT_LIMIT);
        assert!(errors.is_empty());
    }
}

/// `limit` and `cursor` of a list ordered by UUID v7 ids (creation order).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IdPageParams {
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u16>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl IdPageParams {
    /// The page size and the id to continue after, for a list of `kind`
    /// (of the list's own id type).
    pub fn parse<Id: From<uuid::Uuid>>(
        &self,
        kind: &str,
    ) -> Result<(i64, Option<Id>), crate::error::ApiError> {
        let mut errors = Errors::default();
        let page = parse_id_page(
            self.limit.as_deref(),
            self.cursor.as_deref(),
            kind,
            &mut errors,
        );
        errors
            .into_result()
            .map_err(crate::error::ApiError::invalid_fields)?;
        Ok((page.0, page.1.map(Id::from)))
    }
}

/// `limit` and `cursor` of a list of `kind` ordered by id, for routes with
/// parameters of their own; problems go to `errors`.
pub fn parse_id_page(
    limit: Option<&str>,
    cursor: Option<&str>,
    kind: &str,
    errors: &mut Errors,
) -> (i64, Option<uuid::Uuid>) {
    let limit = parse_limit(limit, errors);
    let after = cursor.filter(|raw| !raw.is_empty()).and_then(|raw| {
        let id = decode_cursor(kind, raw).and_then(|key| uuid::Uuid::parse_str(&key).ok());
        if id.is_none() {
            errors.add("/cursor", "not a cursor this list gave out");
        }
        id
    });
    (limit, after)
}

/// The cursor of the page after the one ending at `last`, if any.
pub fn next_id_cursor(
    kind: &str,
    last: Option<impl Into<uuid::Uuid>>,
    has_more: bool,
) -> Option<String> {
    last.filter(|_| has_more)
        .map(|id| encode_cursor(kind, &id.into().to_string()))
}
