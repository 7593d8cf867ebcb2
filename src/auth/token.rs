//! Opaque bearer tokens: 256 random bits, shown to the client once, stored
//! only as their SHA-256.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// Prefix that makes a leaked token easy to recognise by secret scanners.
pub const PREFIX: &str = "rs_";
/// 32 random bytes in unpadded base64url.
const ENCODED_LEN: usize = 43;

/// A new token as the client will send it.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `token` has the shape of one we issue; anything else is
/// refused without a database lookup.
pub fn is_well_formed(token: &str) -> bool {
    token.strip_prefix(PREFIX).is_some_and(|body| {
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
}
