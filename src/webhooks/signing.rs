//! Standard Webhooks signatures (<https://www.standardwebhooks.com>):
//! `v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with
//! the secret's 32 bytes; the secret is shown to its owner as `whsec_` +
//! base64 of those bytes, which every Standard Webhooks library accepts.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";

/// A signing secret: 256 random bits.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(pub [u8; 32]);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(…)")
    }
}

impl SigningSecret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        SigningSecret(bytes)
    }

    /// The form shown once to the subscriber.
    pub fn shown(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(self.0))
    }

    /// The `webhook-signature` header for one attempt.
    pub fn sign(&self, message_id: &str, timestamp: i64, body: &[u8]) -> String {
        signature(&self.0, message_id, timestamp, body)
    }
}

fn signature(key: &[u8], message_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // The example of the Standard Webhooks specification: secret
        // whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, message msg_p5jXN8AQM9LWM0D4loKWxJek.
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn signatures_change_with_every_part() {
        let secret = SigningSecret([7; 32]);
        let base = secret.sign("msg_1", 1, b"{}");
        assert!(base.starts_with("v1,"));
        assert_ne!(base, secret.sign("msg_2", 1, b"{}"));
        assert_ne!(base, secret.sign("msg_1", 2, b"{}"));
        assert_ne!(base, secret.sign("msg_1", 1, b"{ }"));
        assert_ne!(base, SigningSecret([8; 32]).sign("msg_1", 1, b"{}"));
        assert!(secret.shown().starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&secret.shown()[6..]).unwrap(), vec![7; 32]);
    }
}
