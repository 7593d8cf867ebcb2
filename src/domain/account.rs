//! Rules for accounts: what a valid email, password and display name are.

use super::validation::Errors;

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// Emails compare case-insensitively; this is the form stored for lookups.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A deliberately loose check (one `@`, something on both sides, a dot in
/// the domain, no spaces): stricter rules refuse real addresses.
pub fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
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
