//! Push notifications to the installed web app: a person subscribes a browser (its push service's
//! endpoint and its keys) and chooses "push" as the channel of an event on the account page; the
//! worker encrypts and signs each message (`klade-notify::push`). An endpoint must belong to a
//! known push service (or a host the operator named), so a subscription cannot make the server
//! post to an address of the subscriber's choosing.

use crate::auth::Session;
use crate::{App, AppError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
pub use klade_store::push::Subscription;

/// At most this many browsers per person.
pub const MAX_SUBSCRIPTIONS: usize = 10;

/// The push services of the browsers people use: Chrome and Edge (FCM), Firefox (Mozilla),
/// Safari (Apple), and Windows (WNS).
const KNOWN_SERVICES: &[&str] = &[
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    "web.push.apple.com",
    ".notify.windows.com",
    ".push.apple.com",
];

/// May the server post to `endpoint`: `https://` on a known push service, or `http(s)://` on a
/// host the operator named; no user part, no spaces, at most 1 000 characters.
pub fn endpoint_allowed(endpoint: &str, extra_hosts: &[String]) -> bool {
    let Some((scheme, rest)) = endpoint.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            authority
        }
    });
    let plain = endpoint.len() <= 1000
        && !authority.contains('@')
        && !host.is_empty()
        && !endpoint.chars().any(|c| c.is_whitespace() || c.is_control());
    let known = scheme == "https"
        && KNOWN_SERVICES
            .iter()
            .any(|k| host == k.trim_start_matches('.') || (k.starts_with('.') && host.ends_with(k)));
    let named = matches!(scheme, "https" | "http") && extra_hosts.iter().any(|h| h == host);
    plain && (known || named)
}

/// The install's public key for browsers to subscribe with (base64url), when one was made.
pub async fn public_key(app: &App) -> Result<Option<String>, AppError> {
    Ok(klade_store::push::keys(app.db.pool()).await?.map(|(_, public)| public))
}

/// Subscribes one of the signed-in person's browsers: its push endpoint and its keys (`p256dh`,
/// the 65-byte P-256 point, and `auth`, 16 bytes; both base64url).
pub async fn subscribe(app: &App, session: &Session, endpoint: &str, p256dh: &str, auth: &str) -> Result<(), AppError> {
    let endpoint = endpoint.trim();
    if !endpoint_allowed(endpoint, &app.settings.push_hosts) {
        return Err(AppError::invalid("endpoint", "push.unknown_endpoint"));
    }
    let decoded = |s: &str| URL_SAFE_NO_PAD.decode(s.trim().trim_end_matches('=')).ok();
    let key_ok = decoded(p256dh).is_some_and(|k| k.len() == 65 && k[0] == 4);
    let auth_ok = decoded(auth).is_some_and(|a| a.len() == 16);
    if !key_ok || !auth_ok {
        return Err(AppError::invalid("p256dh", "push.bad_keys"));
    }
    let db = app.db.pool();
    let mine = klade_store::push::of_person(db, session.person).await?;
    if mine.len() >= MAX_SUBSCRIPTIONS && !mine.iter().any(|s| s.endpoint == endpoint) {
        return Err(AppError::invalid("endpoint", "push.too_many"));
    }
    klade_store::push::subscribe(db, session.person, endpoint, p256dh.trim(), auth.trim(), app.now()).await?;
    Ok(())
}

/// The signed-in person's subscribed browsers.
pub async fn list(app: &App, session: &Session) -> Result<Vec<Subscription>, AppError> {
    Ok(klade_store::push::of_person(app.db.pool(), session.person).await?)
}

/// Unsubscribes one of the signed-in person's browsers.
pub async fn remove(app: &App, session: &Session, id: i64) -> Result<(), AppError> {
    if klade_store::push::remove(app.db.pool(), session.person, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::endpoint_allowed;

    #[test]
    fn only_push_services_and_named_hosts_are_endpoints() {
        let none: Vec<String> = Vec::new();
        assert!(endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc:def", &none));
        assert!(endpoint_allowed(
            "https://wns2-db5p.notify.windows.com/w/?token=x",
            &none
        ));
        assert!(endpoint_allowed("https://web.push.apple.com/QAbc", &none));
        assert!(
            !endpoint_allowed("http://fcm.googleapis.com/fcm/send/abc", &none),
            "not plain http"
        );
        assert!(!endpoint_allowed("https://evil.example/fcm.googleapis.com", &none));
        assert!(!endpoint_allowed("https://fcm.googleapis.com.evil.example/x", &none));
        assert!(!endpoint_allowed("https://user@fcm.googleapis.com/x", &none));
        assert!(!endpoint_allowed("https://127.0.0.1:8080/admin", &none));
        assert!(!endpoint_allowed("javascript:alert(1)", &none));
        let local = vec!["127.0.0.1".to_string()];
        assert!(endpoint_allowed("http://127.0.0.1:43123/push/1", &local));
        assert!(!endpoint_allowed("http://127.0.0.2:43123/push/1", &local));
    }
}
