//! The second factor (RFC 6238): required for the administration, offered to everyone; a code
//! taken once; wrong codes throttled; recovery codes; the superuser's reset for a lost phone — in
//! the browser and through the API.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_domain::{second_factor, InstitutionKind, Role};
use klade_testkit::{backends, Client, TestApp};
use serde_json::json;

/// The code the person's app shows now, from the secret the setup page gave.
fn code_now(t: &TestApp, secret_base32: &str) -> String {
    let secret = second_factor::secret_from_text(secret_base32).expect("a Base32 key");
    second_factor::code_at(&secret, u64::try_from(t.app.now()).expect("after 1970"))
}

/// The key shown on the setup page.
fn secret_on(page: &str) -> String {
    let at = page.find("<code class=\"secret\">").expect("the key is shown") + "<code class=\"secret\">".len();
    page[at..at + page[at..].find('<').expect("end")].to_string()
}

async fn director_without_second_factor(t: &TestApp) -> Client {
    let school = t.institution(InstitutionKind::General, "4000000010").await;
    t.person(school, Role::Director, "direktore", "direktores-parole-1", false)
        .await;
    t.exec("DELETE FROM second_factors").await;
    let mut c = t.client();
    c.login("direktore", "direktores-parole-1").await;
    c
}

#[tokio::test]
async fn the_administration_sets_it_up_before_anything_else_and_then_gives_it_at_each_login() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let mut c = director_without_second_factor(&t).await;
        assert_eq!(
            c.get("/").await.location(),
            Some("/account/second-factor"),
            "nothing else opens"
        );
        let page = c.get("/account/second-factor").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("obligāt") || page.body.contains("Iestatiet"),
            "{}",
            page.body
        );
        assert!(page.body.contains("<svg"), "a QR code for the app");
        let secret = secret_on(&page.body);
        let wrong = c
            .submit(
                "/account/second-factor",
                "/account/second-factor",
                &[("code", "000000")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("Kods nav pareizs"));
        let code = code_now(&t, &secret);
        let done = c
            .submit("/account/second-factor", "/account/second-factor", &[("code", &code)])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("Rezerves kodi"));
        let recovery: Vec<String> = done
            .body
            .match_indices("<li><code>")
            .map(|(at, _)| done.body[at + 10..at + 10 + done.body[at + 10..].find('<').expect("end")].to_string())
            .collect();
        assert_eq!(recovery.len(), 10, "{}", done.body);
        assert_eq!(c.get("/").await.status, StatusCode::OK, "now everything opens");
        assert!(t
            .scalar("SELECT detail FROM access_log ORDER BY id DESC LIMIT 1")
            .await
            .contains("second factor"));

        // The next login waits for a code; the one already taken is not taken again.
        let mut again = t.client();
        let r = again
            .submit(
                "/login",
                "/login",
                &[("username", "direktore"), ("password", "direktores-parole-1")],
            )
            .await;
        assert_eq!(r.location(), Some("/login/second-factor"));
        let replay = again
            .submit("/login/second-factor", "/login/second-factor", &[("code", &code)])
            .await;
        assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY, "a code is taken once");
        t.clock.advance_secs(30);
        let next = code_now(&t, &secret);
        let r = again
            .submit("/login/second-factor", "/login/second-factor", &[("code", &next)])
            .await;
        assert_eq!(r.location(), Some("/"), "{}", r.body);

        // A recovery code opens once.
        let mut lost = t.client();
        lost.submit(
            "/login",
            "/login",
            &[("username", "direktore"), ("password", "direktores-parole-1")],
        )
        .await;
        let r = lost
            .submit(
                "/login/second-factor",
                "/login/second-factor",
                &[("code", &recovery[0].to_uppercase()), ("recovery", "1")],
            )
            .await;
        assert_eq!(r.location(), Some("/"), "{}", r.body);
        let mut twice = t.client();
        twice
            .submit(
                "/login",
                "/login",
                &[("username", "direktore"), ("password", "direktores-parole-1")],
            )
            .await;
        let r = twice
            .submit(
                "/login/second-factor",
                "/login/second-factor",
                &[("code", &recovery[0]), ("recovery", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "used once already");

        // A director cannot turn it off.
        t.clock.advance_secs(30);
        let r = c
            .submit(
                "/account/second-factor",
                "/account/second-factor/off",
                &[("code", &code_now(&t, &secret))],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("obligāts"));
    }
}

#[tokio::test]
async fn wrong_codes_are_throttled() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let school = t.institution(InstitutionKind::General, "4000000011").await;
        t.person(school, Role::Clerk, "lietvede", "lietvedes-parole-1", false)
            .await;
        let mut c = t.client();
        let r = c
            .api_post(
                "/api/v1/auth/login",
                json!({"username": "lietvede", "password": "lietvedes-parole-1"}),
                None,
            )
            .await;
        let challenge = r.json()["challenge"].as_str().expect("a challenge").to_string();
        assert!(r.json()["token"].is_null(), "no token before the second factor");
        for _ in 0..5 {
            let r = c
                .api_post(
                    "/api/v1/auth/second-factor",
                    json!({"challenge": challenge, "code": "123456"}),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        }
        let code = c.recovery_code("lietvede").await;
        let r = c
            .api_post(
                "/api/v1/auth/second-factor",
                json!({"challenge": challenge, "code": code, "recovery": true}),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "even a right code waits: {}",
            r.body
        );
        t.clock.advance_secs(16 * 60);
        let r = c
            .api_post(
                "/api/v1/auth/login",
                json!({"username": "lietvede", "password": "lietvedes-parole-1"}),
                None,
            )
            .await;
        let challenge = r.json()["challenge"].as_str().expect("a challenge").to_string();
        let r = c
            .api_post(
                "/api/v1/auth/second-factor",
                json!({"challenge": challenge, "code": code, "recovery": true}),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "after the window: {}", r.body);
        assert!(r.json()["token"].is_string());
    }
}

#[tokio::test]
async fn through_the_api_set_up_and_used_by_anyone_who_wants_it() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let school = t.institution(InstitutionKind::General, "4000000012").await;
        t.person(school, Role::Teacher, "skolotajs", "skolotaja-parole-garā", false)
            .await;
        let mut c = t.client();
        let token = c.api_login("skolotajs", "skolotaja-parole-garā").await;
        let status = c.api_get("/api/v1/me/second-factor", &token).await.json();
        assert_eq!(status["enabled"], false);
        assert_eq!(status["required"], false);
        let setup = c
            .api_post("/api/v1/me/second-factor/setup", json!({}), Some(&token))
            .await
            .json();
        let secret = setup["secret"].as_str().expect("secret").to_string();
        assert!(setup["otpauth_url"]
            .as_str()
            .expect("url")
            .starts_with("otpauth://totp/Klade:skolotajs?secret="));
        let r = c
            .api_post(
                "/api/v1/me/second-factor/confirm",
                json!({"code": code_now(&t, &secret)}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["recovery_codes"].as_array().expect("codes").len(), 10);
        // The next API login needs the code.
        let r = c
            .api_post(
                "/api/v1/auth/login",
                json!({"username": "skolotajs", "password": "skolotaja-parole-garā"}),
                None,
            )
            .await;
        let challenge = r.json()["challenge"].as_str().expect("challenge").to_string();
        t.clock.advance_secs(30);
        let r = c
            .api_post(
                "/api/v1/auth/second-factor",
                json!({"challenge": challenge, "code": code_now(&t, &secret)}),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let token = r.json()["token"].as_str().expect("token").to_string();
        // A teacher may turn it off, with a code.
        t.clock.advance_secs(30);
        let r = c
            .api_post(
                "/api/v1/me/second-factor/off",
                json!({"code": code_now(&t, &secret)}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(t.count("second_factors").await, 0);
    }
}

#[tokio::test]
async fn the_superuser_resets_a_lost_phone_and_a_deputy_cannot() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let director = t
            .id("SELECT person_id FROM accounts WHERE username = 'direktors'")
            .await;
        let admin = t.id("SELECT person_id FROM accounts WHERE username = 'admin'").await;
        let mut deputy = t.client();
        let token = deputy.api_login("pii.vietniece", "demo").await;
        let r = deputy
            .api_post(
                &format!("/api/v1/institutions/2/staff/{admin}/second-factor-reset"),
                json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        let mut su = t.client();
        su.login("admin", "demo").await;
        let before = t.count("second_factors").await;
        let r = su
            .submit(
                "/admin/accounts?i=1",
                &format!("/admin/accounts/{director}/second-factor-reset?i=1"),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("second_factors").await, before - 1);
        assert!(t
            .scalar(&format!(
                "SELECT detail FROM access_log WHERE subject_id = {director} ORDER BY id DESC LIMIT 1"
            ))
            .await
            .contains("second factor reset"));
        // The director sets a new one up at the next login.
        let mut d = t.client();
        d.login("direktors", "demo").await;
        assert_eq!(d.get("/").await.location(), Some("/account/second-factor"));
    }
}
