//! Signing secrets at rest: sealed with AES-256-GCM under a key that lives
//! outside the database (`RUNSTRONG_WEBHOOK_SECRET_KEY`), the webhook's id
//! bound in as associated data so that a sealed secret copied onto another
//! row does not open. Stored as nonce (12 bytes) ‖ ciphertext ‖ tag.

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, KeyInit, Payload},
};
use uuid::Uuid;

use super::signing::SigningSecret;

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct SealingKey(Key<Aes256Gcm>);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(…)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a webhook secret does not open with this key (was the sealing key changed?)")]
pub struct Unsealable;

impl SealingKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        SealingKey(Key::<Aes256Gcm>::from(bytes))
    }

    pub fn seal(&self, webhook_id: Uuid, secret: &SigningSecret) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system provides randomness");
        let sealed = Aes256Gcm::new(&self.0)
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &secret.0,
                    aad: webhook_id.as_bytes(),
                },
            )
            .expect("sealing 32 bytes cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, webhook_id: Uuid, stored: &[u8]) -> Result<SigningSecret, Unsealable> {
        if stored.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, sealed) = stored.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Unsealable)?;
        let bytes = Aes256Gcm::new(&self.0)
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: webhook_id.as_bytes(),
                },
            )
            .map_err(|_| Unsealable)?;
        Ok(SigningSecret(bytes.try_into().map_err(|_| Unsealable)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_row() {
        let key = SealingKey::new([1; 32]);
        let secret = SigningSecret::generate();
        let id = Uuid::now_v7();
        let sealed = key.seal(id, &secret);
        assert!(!sealed.windows(32).any(|w| w == secret.0), "not in clear");
        assert_eq!(key.open(id, &sealed).unwrap(), secret);
        assert!(key.open(Uuid::now_v7(), &sealed).is_err(), "another row");
        assert!(SealingKey::new([2; 32]).open(id, &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open(id, &tampered).is_err());
        assert!(key.open(id, &sealed[..5]).is_err());
    }
}
