//! Web Push (RFC 8030): the message is encrypted for the browser's keys (RFC 8291, aes128gcm, by
//! `web-push-native`) and the request signed with the install's VAPID key (RFC 8292, ES256 by
//! `p256`), so the push service can neither read it nor take it from anyone else. The key pair is
//! made once and kept in the database, so every server signs with it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use klade_store::{push, Db, StoreError};
use p256::ecdsa::signature::Signer;
use p256::elliptic_curve::sec1::ToEncodedPoint;

/// How long a push service keeps a message for a browser that is offline.
const TTL_SECS: u64 = 24 * 3600;

/// The install's public key (base64url), made and kept now if there is none yet.
pub async fn ensure_keys(db: &Db, now: i64) -> Result<String, StoreError> {
    if let Some((_, public)) = push::keys(db.pool()).await? {
        return Ok(public);
    }
    let secret = loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::Corrupt(format!("random: {e}")))?;
        // Nearly every 32 bytes are a scalar; the rare ones that are not are drawn again.
        if let Ok(s) = p256::SecretKey::from_slice(&bytes) {
            break s;
        }
    };
    let public = URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes());
    push::keep_keys(db.pool(), &URL_SAFE_NO_PAD.encode(secret.to_bytes()), &public, now).await?;
    Ok(push::keys(db.pool()).await?.map_or(public, |(_, p)| p))
}

/// What became of one message.
#[derive(Debug)]
pub enum Outcome {
    Delivered,
    /// The browser unsubscribed or the service forgot it: the subscription goes.
    Gone,
    Failed(String),
}

/// `scheme://host[:port]` of an endpoint: the VAPID token's audience.
fn origin(endpoint: &str) -> Option<String> {
    let (scheme, rest) = endpoint.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// The `Authorization: vapid t=…, k=…` header for `endpoint`, valid for twelve hours.
fn vapid(secret: &p256::SecretKey, public: &str, endpoint: &str, contact: &str, now: i64) -> Result<String, String> {
    let audience = origin(endpoint).ok_or("no origin in the endpoint")?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
    let claims = serde_json::json!({ "aud": audience, "exp": now + 12 * 3600, "sub": contact });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing = format!("{header}.{claims}");
    let key = p256::ecdsa::SigningKey::from(secret);
    let signature: p256::ecdsa::Signature = key.sign(signing.as_bytes());
    let token = format!("{signing}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
    Ok(format!("vapid t={token}, k={public}"))
}

/// Encrypts `message` for the subscription and posts it to its push service.
pub async fn send(
    client: &reqwest::Client,
    db: &Db,
    sub: &push::Subscription,
    message: &[u8],
    contact: &str,
    now: i64,
) -> Result<Outcome, StoreError> {
    let Some((private, public)) = push::keys(db.pool()).await? else {
        return Ok(Outcome::Failed("no VAPID keys".into()));
    };
    let prepared = (|| -> Result<(reqwest::RequestBuilder, Vec<u8>), String> {
        let secret = URL_SAFE_NO_PAD
            .decode(&private)
            .ok()
            .and_then(|b| p256::SecretKey::from_slice(&b).ok())
            .ok_or("the kept VAPID key does not read")?;
        let ua_public = URL_SAFE_NO_PAD
            .decode(sub.p256dh.trim_end_matches('='))
            .ok()
            .and_then(|b| web_push_native::p256::PublicKey::from_sec1_bytes(&b).ok())
            .ok_or("the browser's key is not a P-256 point")?;
        let auth = URL_SAFE_NO_PAD
            .decode(sub.auth.trim_end_matches('='))
            .ok()
            .filter(|a| a.len() == 16)
            .ok_or("the browser's secret is not 16 bytes")?;
        let body = web_push_native::encrypt(message.to_vec(), &ua_public, web_push_native::Auth::from_slice(&auth))
            .map_err(|e| e.to_string())?;
        let request = client
            .post(&sub.endpoint)
            .header("TTL", TTL_SECS.to_string())
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Urgency", "normal")
            .header("Authorization", vapid(&secret, &public, &sub.endpoint, contact, now)?);
        Ok((request, body))
    })();
    let (request, body) = match prepared {
        Ok(p) => p,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    Ok(match request.body(body).send().await {
        Ok(r) if r.status().is_success() => Outcome::Delivered,
        Ok(r) if matches!(r.status().as_u16(), 404 | 410) => Outcome::Gone,
        Ok(r) => Outcome::Failed(format!("push service answered {}", r.status())),
        Err(e) => Outcome::Failed(format!("push service unreachable: {e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_for_the_services_origin_and_verifies_with_the_public_key() {
        use p256::ecdsa::signature::Verifier;
        let secret = p256::SecretKey::from_slice(&[7u8; 32]).expect("a scalar");
        let public = URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes());
        let header = vapid(
            &secret,
            &public,
            "https://push.example.lv/send/abc?x=1",
            "mailto:a@b.lv",
            1_000,
        )
        .expect("vapid");
        let token = header
            .strip_prefix("vapid t=")
            .and_then(|h| h.split(", k=").next())
            .expect("a token");
        let parts: Vec<&str> = token.split('.').collect();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64")).expect("json");
        assert_eq!(claims["aud"], "https://push.example.lv");
        assert_eq!(claims["exp"], 1_000 + 12 * 3600);
        let signature =
            p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).expect("base64")).expect("64 bytes");
        let key = p256::ecdsa::VerifyingKey::from(secret.public_key());
        assert!(key
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .is_ok());
        assert!(header.ends_with(&format!("k={public}")));
    }
}
