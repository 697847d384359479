//! The JSON API: bearer tokens, /me, errors as JSON, and the OpenAPI document matching the routes.

use axum::http::{Method, StatusCode};
use klade_domain::{InstitutionKind, Role};
use klade_testkit::{backends, TestApp};
use serde_json::json;

#[tokio::test]
async fn login_returns_a_token_that_opens_me() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let school = t.institution(InstitutionKind::Vocational, "4000000010").await;
        let preschool = t.institution(InstitutionKind::Preschool, "4000000011").await;
        t.person(school, Role::Director, "direktors", "direktora-parole", false)
            .await;
        let mut c = t.client();
        let token = c.api_login("direktors", "direktora-parole").await;
        let me = c.api_get("/api/v1/me", &token).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        let v = me.json();
        assert_eq!(v["username"], "direktors");
        assert_eq!(v["person"]["given_name"], "Ēriks");
        assert_eq!(v["memberships"][0]["role"], "director");
        assert_eq!(v["memberships"][0]["institution_kind"], "vocational");
        assert_eq!(v["memberships"].as_array().map(Vec::len), Some(1));
        let _ = preschool;

        let out = c.api_post("/api/v1/auth/logout", json!({}), Some(&token)).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_eq!(c.api_get("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn errors_are_json_in_the_users_language() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let school = t.institution(InstitutionKind::General, "4000000012").await;
        t.person(school, Role::Teacher, "skolotajs", "pareiza-parole", false)
            .await;
        let mut c = t.client();
        let r = c
            .api_post(
                "/api/v1/auth/login",
                json!({"username": "skolotajs", "password": "nē"}),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["error"], "error.invalid_credentials");
        assert_eq!(r.json()["message"], "Nepareizs lietotājvārds vai parole.");

        let r = c.api_post("/api/v1/auth/login", json!({"user": "x"}), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"], "error.bad_request");

        let r = c.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["error"], "error.unauthenticated");
        let r = c.api_get("/api/v1/me", "not-a-token").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        for _ in 0..10 {
            c.api_post(
                "/api/v1/auth/login",
                json!({"username": "skolotajs", "password": "nē"}),
                None,
            )
            .await;
        }
        let r = c
            .api_post(
                "/api/v1/auth/login",
                json!({"username": "skolotajs", "password": "pareiza-parole"}),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.json()["error"], "error.throttled");
        assert!(r.headers.contains_key("retry-after"));
    }
}

#[tokio::test]
async fn a_page_session_is_not_an_api_token_and_back() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let school = t.institution(InstitutionKind::General, "4000000013").await;
        t.person(school, Role::Teacher, "skolotajs", "pareiza-parole", false)
            .await;
        let mut browser = t.client();
        browser.login("skolotajs", "pareiza-parole").await;
        let cookie = browser.jar.get("klade_session").cloned().expect("cookie");
        let mut app = t.client();
        assert_eq!(
            app.api_get("/api/v1/me", &cookie).await.status,
            StatusCode::UNAUTHORIZED
        );
        let token = app.api_login("skolotajs", "pareiza-parole").await;
        let mut thief = t.client();
        thief.jar.insert("klade_session".into(), token);
        assert_eq!(thief.get("/").await.location(), Some("/login"));
    }
}

/// Every path and method in the OpenAPI document is routed, and the document is valid JSON.
#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let t = TestApp::new(klade_store::Backend::Sqlite).await;
    let mut c = t.client();
    let r = c.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 4);
    for (path, methods) in paths {
        for method in methods.as_object().expect("methods").keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            // Each parameter a number, so a route that exists never answers 404 for a malformed id.
            let concrete: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let r = c
                .request(
                    m.clone(),
                    &format!("/api/v1{concrete}"),
                    Some("application/json"),
                    "{}".into(),
                    None,
                )
                .await;
            assert_ne!(r.status, StatusCode::NOT_FOUND, "{m} {path}");
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{m} {path}");
        }
    }
}
