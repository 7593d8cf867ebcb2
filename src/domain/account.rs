//! Rules for accounts: what a valid email, password and display name are.

use super::validation::Errors;

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 1024;
/// RFC 5321's limit on a path, and so on an address.
pub const EMAIL_MAX_CHARS: usize = 254;
/// What 254 characters take at most in UTF-8: the bound the database's
/// throttle keys are held to.
pub const EMAIL_MAX_BYTES: usize = 4 * EMAIL_MAX_CHARS;

/// Emails compare case-insensitively; this is the form stored for lookups.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether an email is short enough to look up, store and throttle by
/// (lower-casing can lengthen a text, so its normalized form counts too).
pub fn is_short_enough(email: &str) -> bool {
    let normalized = normalize_email(email);
    email.trim().chars().count() <= EMAIL_MAX_CHARS
        && normalized.chars().count() <= EMAIL_MAX_CHARS
        && normalized.len() <= EMAIL_MAX_BYTES
}

/// `deserialize_with` for every email field: an over-long email is refused
/// where it is parsed (400), before it reaches a query or an index.
pub fn bounded_email<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    let email = <String as serde::Deserialize>::deserialize(deserializer)?;
    if is_short_enough(&email) {
        Ok(email)
    } else {
        Err(serde::de::Error::custom(format!(
            "at most {EMAIL_MAX_CHARS} characters"
        )))
    }
}

/// A deliberately loose check (one `@`, something on both sides, a dot in
/// the domain, no spaces): stricter rules refuse real addresses.
pub fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    is_short_enough(email)
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
}

pub fn check_email(errors: &mut Errors, pointer: &str, email: &str) {
    errors.check(
        is_plausible_email(email),
        pointer,
        "not a valid email address",
    );
}

pub fn check_password(errors: &mut Errors, pointer: &str, password: &str) {
    let length = password.chars().count();
    errors.check(
        length >= PASSWORD_MIN_CHARS,
        pointer,
        format!("at least {PASSWORD_MIN_CHARS} characters"),
    );
    errors.check(
        length <= PASSWORD_MAX_CHARS,
        pointer,
        format!("at most {PASSWORD_MAX_CHARS} characters"),
    );
}

pub fn check_display_name(errors: &mut Errors, pointer: &str, name: &str) {
    let length = name.trim().chars().count();
    errors.check(
        (1..=100).contains(&length),
        pointer,
        "between 1 and 100 characters",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_loosely_checked() {
        assert_eq!(
            normalize_email("  Runner@Example.COM "),
            "runner@example.com"
        );
        assert!(is_plausible_email("a.b+c@example.co.uk"));
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@nodot",
            "a b@example.com",
            "a@@example.com",
            "a@example.",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
        let longest = format!("{}@example.com", "a".repeat(EMAIL_MAX_CHARS - 12));
        assert!(is_plausible_email(&longest));
        assert!(!is_plausible_email(&format!("a{longest}")));
        // Lower-casing `İ` makes two characters of one.
        assert!(!is_short_enough(&format!("{}@x.io", "İ".repeat(200))));
    }

    #[test]
    fn email_fields_refuse_long_emails_when_parsed() {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            #[serde(deserialize_with = "bounded_email")]
            #[allow(dead_code)]
            email: String,
        }
        let long = format!("{}@example.com", "a".repeat(3000));
        let error = serde_json::from_str::<Body>(&format!(r#"{{"email":"{long}"}}"#)).unwrap_err();
        assert!(error.to_string().contains("at most 254"), "{error}");
        assert!(serde_json::from_str::<Body>(r#"{"email":"a@example.com"}"#).is_ok());
    }

    #[test]
    fn passwords_between_10_and_1024_characters() {
        let check = |password: &str| {
            let mut errors = Errors::default();
            check_password(&mut errors, "/password", password);
            errors.is_empty()
        };
        assert!(!check("short"));
        assert!(!check("123456789"));
        assert!(check("1234567890"));
        assert!(check(&"x".repeat(1024)));
        assert!(!check(&"x".repeat(1025)));
        // Characters, not bytes.
        assert!(check(&"é".repeat(10)));
    }
}
