//! The version of a versioned resource (athlete, session) as the API
//! shows it: a strong entity tag.

/// The strong ETag of a versioned row.
pub fn version_etag(version: i64) -> String {
    format!("\"v{version}\"")
}
