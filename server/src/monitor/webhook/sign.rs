//! Standard Webhooks v1 signatures: `v1,` and the base64 of
//! HMAC-SHA256(key, "{id}.{timestamp}.{body}"), one per secret, space-separated.

use super::secret::key_bytes;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The `webhook-signature` header for a message signed with every secret
/// in `secrets` (after a rotation, the new and the old one).
pub fn signature(secrets: &[String], id: &str, timestamp: i64, body: &str) -> String {
    let content = format!("{id}.{timestamp}.{body}");
    secrets
        .iter()
        .filter_map(|secret| key_bytes(secret))
        .map(|key| {
            let mac = hmac_sha256::HMAC::mac(content.as_bytes(), &key);
            format!("v1,{}", STANDARD.encode(mac))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::signature;

    /// The example of the Standard Webhooks specification
    /// (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
    #[test]
    fn the_spec_s_own_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn every_secret_signs() {
        let a = super::super::secret::generate();
        let b = super::super::secret::generate();
        let both = signature(&[a.clone(), b.clone()], "msg_1", 1, "{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], signature(&[a], "msg_1", 1, "{}"));
        assert_eq!(parts[1], signature(&[b], "msg_1", 1, "{}"));
    }
}
