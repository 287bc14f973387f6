//! Webhook signatures.
//!
//! - `X-Cliq-Signature`: the base64 RSA-SHA256 (PKCS#1 v1.5) signature of the exact body
//!   bytes, with the organization's key pair (2048 bits, made on first use and kept in the
//!   store). Receivers verify it with the public key (`cliqd keys show`, or
//!   `GET /api/v3/webhooks/public_key`).
//! - Standard Webhooks (<https://www.standardwebhooks.com/>): `webhook-id`,
//!   `webhook-timestamp` (Unix seconds) and `webhook-signature` = `v1,` + base64
//!   HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the component's secret (`whsec_` +
//!   base64 of 32 random bytes; the key is the decoded bytes).
//!
//! Pure-Rust cryptography (RustCrypto `rsa`, `sha2`, `hmac`); no OpenSSL.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cliqd_store::{Store, StoreError};
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer as _};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
const KEY_BITS: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the signing key: {0}")]
    Key(String),
}

/// One organization's key pair, ready to sign.
pub struct OrgKey {
    signing: SigningKey<Sha256>,
    public_pem: String,
}

impl OrgKey {
    fn from_pem(pem: &str) -> Result<OrgKey, SigningError> {
        let private =
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| SigningError::Key(e.to_string()))?;
        let public_pem = RsaPublicKey::from(&private)
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| SigningError::Key(e.to_string()))?;
        Ok(OrgKey {
            signing: SigningKey::<Sha256>::new(private),
            public_pem,
        })
    }

    /// The base64 RSA-SHA256 signature of `body` (`X-Cliq-Signature`).
    pub fn sign(&self, body: &[u8]) -> String {
        STANDARD.encode(self.signing.sign(body).to_bytes())
    }

    /// The public key, PEM (SubjectPublicKeyInfo, `-----BEGIN PUBLIC KEY-----`).
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }
}

/// A new private key, PKCS#8 PEM.
fn new_key_pem() -> Result<String, SigningError> {
    let mut rng = rsa::rand_core::OsRng;
    let key =
        RsaPrivateKey::new(&mut rng, KEY_BITS).map_err(|e| SigningError::Key(e.to_string()))?;
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| SigningError::Key(e.to_string()))
}

/// The organizations' keys and the components' secrets, read from (and made into) the store.
pub struct Keys {
    store: Arc<dyn Store>,
    cache: Mutex<HashMap<i64, Arc<OrgKey>>>,
}

impl Keys {
    pub fn new(store: Arc<dyn Store>) -> Keys {
        Keys {
            store,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets the cached keys (the store's content was replaced).
    pub fn forget(&self) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
    }

    /// The organization's key pair, made and stored on first use.
    pub async fn org_key(&self, org_id: i64) -> Result<Arc<OrgKey>, SigningError> {
        if let Ok(cache) = self.cache.lock()
            && let Some(k) = cache.get(&org_id)
        {
            return Ok(k.clone());
        }
        let pem = match self.store.signing_key(org_id).await? {
            Some(pem) => pem,
            None => {
                let made = tokio::task::spawn_blocking(new_key_pem)
                    .await
                    .map_err(|e| SigningError::Key(e.to_string()))??;
                self.store.keep_signing_key(org_id, made).await?
            }
        };
        let key = Arc::new(OrgKey::from_pem(&pem)?);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(org_id, key.clone());
        }
        Ok(key)
    }

    /// The component's webhook secret, made and stored on first use.
    pub async fn secret(&self, component_id: i64) -> Result<String, SigningError> {
        match self.store.webhook_secret(component_id).await? {
            Some(s) => Ok(s),
            None => Ok(self
                .store
                .keep_webhook_secret(component_id, new_secret(), false)
                .await?),
        }
    }

    /// Replaces the component's webhook secret with a new one and answers it.
    pub async fn rotate_secret(&self, component_id: i64) -> Result<String, SigningError> {
        Ok(self
            .store
            .keep_webhook_secret(component_id, new_secret(), true)
            .await?)
    }
}

/// A new Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` keyed with the secret's decoded bytes.
pub fn standard_signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let raw = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD
        .decode(raw)
        .unwrap_or_else(|_| raw.as_bytes().to_vec());
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return String::new();
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;

    #[test]
    fn rsa_signature_verifies_and_one_byte_breaks_it() {
        let key = OrgKey::from_pem(&new_key_pem().unwrap()).unwrap();
        let body = br#"{"name":"x"}"#;
        let sig = STANDARD.decode(key.sign(body)).unwrap();
        let public = RsaPublicKey::from_public_key_pem(key.public_pem()).unwrap();
        let verifier = VerifyingKey::<Sha256>::new(public);
        let sig = Signature::try_from(sig.as_slice()).unwrap();
        assert!(verifier.verify(body, &sig).is_ok());
        assert!(verifier.verify(br#"{"name":"y"}"#, &sig).is_err());
    }

    #[test]
    fn standard_signature_matches_the_specification_example() {
        // The example of the Standard Webhooks specification.
        let sig = standard_signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(new_secret().starts_with(SECRET_PREFIX));
    }
}
