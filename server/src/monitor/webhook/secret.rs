//! Webhook signing secrets as Standard Webhooks writes them: `whsec_` and
//! the base64 of 32 random bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const PREFIX: &str = "whsec_";

/// A new secret from the operating system's CSPRNG.
pub fn generate() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes HMAC signs with: the base64 after `whsec_`.
pub fn key_bytes(secret: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(secret.strip_prefix(PREFIX).unwrap_or(secret))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_32_random_bytes_in_the_spec_s_form() {
        let a = generate();
        let b = generate();
        assert!(a.starts_with("whsec_"), "{a}");
        assert_ne!(a, b);
        assert_eq!(key_bytes(&a).map(|k| k.len()), Some(32));
        assert_eq!(key_bytes("whsec_not base64!"), None);
    }
}
