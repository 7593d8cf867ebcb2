//! Opaque bearer tokens: 256 random bits, shown to the client once, stored
//! only as their SHA-256. Calendar-feed tokens (the secret part of a feed's
//! URL) are made the same way under another prefix, so that neither kind
//! is ever accepted as the other.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// Prefix that makes a leaked token easy to recognise by secret scanners.
pub const PREFIX: &str = "rs_";
/// The prefix of calendar-feed tokens.
pub const FEED_PREFIX: &str = "rscal_";
/// 32 random bytes in unpadded base64url.
const ENCODED_LEN: usize = 43;

/// A new token as the client will send it.
pub fn generate() -> String {
    generate_with(PREFIX)
}

/// A new calendar-feed token (URL-safe as it is).
pub fn generate_feed() -> String {
    generate_with(FEED_PREFIX)
}

fn generate_with(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `token` has the shape of one we issue; anything else is
/// refused without a database lookup.
pub fn is_well_formed(token: &str) -> bool {
    well_formed_with(PREFIX, token)
}

/// Like [`is_well_formed`], for calendar-feed tokens.
pub fn is_well_formed_feed(token: &str) -> bool {
    well_formed_with(FEED_PREFIX, token)
}

fn well_formed_with(prefix: &str, token: &str) -> bool {
    token.strip_prefix(prefix).is_some_and(|body| {
        body.len() == ENCODED_LEN
            && URL_SAFE_NO_PAD
                .decode(body)
                .is_ok_and(|bytes| bytes.len() == 32)
    })
}

/// What the database stores and looks tokens up by.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_and_hashed() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert!(is_well_formed(&a));
        assert_eq!(digest(&a).len(), 32);
        assert_ne!(digest(&a), digest(&b));
        for bad in [
            "",
            "rs_",
            "rs_short",
            "xx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &format!("{a}x"),
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn feed_tokens_are_a_kind_of_their_own() {
        let feed = generate_feed();
        assert!(is_well_formed_feed(&feed));
        assert!(!is_well_formed(&feed), "a feed token is no bearer token");
        assert!(!is_well_formed_feed(&generate()), "nor the other way round");
        assert!(
            feed.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
            "fits a URL path unescaped: {feed}"
        );
    }
}
