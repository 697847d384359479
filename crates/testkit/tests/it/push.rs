//! Push notifications, the whole path: a parent subscribes a browser (keys made here, as a
//! browser makes them) at a stand-in push service on this machine and chooses push for grades; a
//! grade is saved; the stand-in receives a message it decrypts with the browser's keys (RFC 8291)
//! and whose VAPID signature verifies with the install's public key (RFC 8292). An endpoint of
//! no known service, keys that are not keys, and a browser the service says is gone are handled.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use klade_app::Settings;
use klade_testkit::{backends, TestApp};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use std::sync::{Arc, Mutex};

type Received = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A push service on 127.0.0.1: `/push/…` takes a message (201), `/gone/…` says the browser
/// unsubscribed (410).
async fn stand_in() -> (String, Received) {
    let received: Received = Arc::default();
    let kept = received.clone();
    let router = axum::Router::new()
        .route(
            "/push/{id}",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let kept = kept.clone();
                async move {
                    kept.lock().expect("lock").push((headers, body.to_vec()));
                    StatusCode::CREATED
                }
            }),
        )
        .route("/gone/{id}", post(|| async { StatusCode::GONE }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}"), received)
}

#[tokio::test]
async fn a_grade_reaches_the_parents_browser_encrypted_and_signed() {
    for backend in backends() {
        let settings = Settings {
            push_hosts: vec!["127.0.0.1".to_string()],
            ..Settings::default()
        };
        let t = TestApp::with_settings(backend, settings, klade_web::WebSettings::default()).await;
        assert!(klade_app::demo::ensure(&t.app).await.expect("demo"));
        let (service, received) = stand_in().await;
        let anna = t.person_named("Anna", "Krūmiņa").await;

        // The browser's keys, as `PushManager.subscribe` makes them.
        let browser = p256::SecretKey::from_slice(&[9u8; 32]).expect("a scalar");
        let p256dh = URL_SAFE_NO_PAD.encode(browser.public_key().to_encoded_point(false).as_bytes());
        let auth_bytes = [3u8; 16];
        let auth = URL_SAFE_NO_PAD.encode(auth_bytes);

        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = parent.get("/account").await.body;
        let key = t.scalar("SELECT public_key FROM push_keys").await;
        assert!(
            page.contains(&format!("data-push-key=\"{key}\"")),
            "the page offers the key"
        );
        // Refused: an endpoint of no known push service, keys that are not keys.
        for (endpoint, keys, message) in [
            (
                "https://evil.example/collect",
                p256dh.as_str(),
                "nepieder nevienam zināmam",
            ),
            ("http://10.0.0.1/admin", p256dh.as_str(), "nepieder nevienam zināmam"),
            (&format!("{service}/push/ilze") as &str, "AAAA", "atslēgas nav derīgas"),
        ] {
            let r = parent
                .submit(
                    "/account",
                    "/account/push",
                    &[("endpoint", endpoint), ("p256dh", keys), ("auth", &auth)],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{endpoint}");
            assert!(r.body.contains(message), "{endpoint}: {}", r.body);
        }
        assert_eq!(t.count("push_subscriptions").await, 0);
        let endpoint = format!("{service}/push/ilze");
        let r = parent
            .submit(
                "/account",
                "/account/push",
                &[("endpoint", &endpoint), ("p256dh", &p256dh), ("auth", &auth)],
            )
            .await;
        assert_eq!(r.location(), Some("/account?done=push#push"), "{}", r.body);
        // A browser the service has forgotten, subscribed too.
        let gone = format!("{service}/gone/old");
        parent
            .submit(
                "/account",
                "/account/push",
                &[("endpoint", &gone), ("p256dh", &p256dh), ("auth", &auth)],
            )
            .await;
        let r = parent
            .submit("/account", "/account/notifications", &[("notify", "grade:push")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // The teacher grades Anna; the correction window passes; the worker sends.
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        let a = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/assessments"),
                serde_json::json!({"kind": "summative", "scale": "ten", "date": "2026-11-26", "title": "Ieskaite"}),
                Some(&token),
            )
            .await
            .json()["id"]
            .as_i64()
            .expect("assessment");
        let r = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/cells"),
                serde_json::json!({"cells": [{"key": format!("g:{a}:{anna}"), "value": "9"}]}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let worker = klade_notify::Worker::new(t.db().clone(), klade_notify::SmsGateway::Outbox);
        t.clock.advance_secs(16 * 60);
        worker.run_due(t.app.now()).await.expect("jobs");

        let got = received.lock().expect("lock").clone();
        assert_eq!(got.len(), 1, "one message to the living browser");
        let (headers, body) = &got[0];
        assert_eq!(headers["content-encoding"], "aes128gcm");
        assert!(headers.contains_key("ttl"));
        // The service cannot read it; the browser can.
        assert!(!String::from_utf8_lossy(body).contains("Matemātika"));
        let plain = web_push_native::decrypt(
            body.clone(),
            &web_push_native::p256::SecretKey::from_slice(&[9u8; 32]).expect("a scalar"),
            web_push_native::Auth::from_slice(&auth_bytes),
        )
        .expect("decrypts with the browser's keys");
        let message: serde_json::Value = serde_json::from_slice(&plain).expect("json");
        assert!(message["body"].as_str().is_some_and(|b| b.contains('9')), "{message}");
        // Signed by the install: the token's audience is the service, and it verifies.
        let authorization = headers["authorization"].to_str().expect("ascii");
        let (token, k) = authorization
            .strip_prefix("vapid t=")
            .and_then(|h| h.split_once(", k="))
            .expect("vapid t=…, k=…");
        assert_eq!(k, key);
        let parts: Vec<&str> = token.split('.').collect();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64")).expect("json");
        assert_eq!(claims["aud"], service);
        use p256::ecdsa::signature::Verifier;
        let verifying =
            p256::ecdsa::VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(k).expect("base64")).expect("a key");
        let signature =
            p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).expect("base64")).expect("64 bytes");
        assert!(verifying
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .is_ok());
        // The browser the service forgot is forgotten here too.
        assert_eq!(t.count("push_subscriptions").await, 1);
        assert_eq!(t.scalar("SELECT endpoint FROM push_subscriptions").await, endpoint);
    }
}
