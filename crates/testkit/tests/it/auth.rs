//! Logging in and out of the pages: passwords, sessions, CSRF, throttling, forced password change.

use axum::http::StatusCode;
use klade_domain::{InstitutionKind, Role};
use klade_testkit::{backends, TestApp};

async fn school_with_teacher(t: &TestApp) {
    let school = t.institution(InstitutionKind::General, "4000000001").await;
    t.person(school, Role::Teacher, "skolotajs", "pareiza-parole", false)
        .await;
}

#[tokio::test]
async fn login_opens_the_home_page_in_latvian() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        let anonymous = c.get("/").await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.location(), Some("/login"));

        let r = c.login("skolotajs", "pareiza-parole").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend:?}: {}", r.body);
        assert_eq!(r.location(), Some("/"));
        let cookie = r
            .headers
            .get("set-cookie")
            .expect("session cookie")
            .to_str()
            .expect("ascii");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let home = c.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("Labdien, Ēriks Ķēniņš!"), "{}", home.body);
        assert!(home.body.contains("Mācību priekšmeta skolotājs"));
        assert!(home.body.contains("lang=\"lv\""));
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_changes_nothing() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        let r = c.login("skolotajs", "nepareiza").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("Nepareizs lietotājvārds vai parole."), "{}", r.body);
        assert!(r.body.contains("value=\"skolotajs\""), "the username stays filled in");
        assert!(!c.jar.contains_key("klade_session"));
        assert_eq!(t.count("sessions").await, 0);
        let unknown = c.login("nav-tada", "x").await;
        assert_eq!(
            unknown.status,
            StatusCode::UNAUTHORIZED,
            "an unknown user reads the same"
        );
        assert!(unknown.body.contains("Nepareizs lietotājvārds vai parole."));
    }
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        c.get("/login").await;
        let r = c
            .post_form("/login", &[("username", "skolotajs"), ("password", "pareiza-parole")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Drošības pārbaude neizdevās"), "{}", r.body);
        assert_eq!(t.count("sessions").await, 0, "no session was made");

        let r = c
            .post_form(
                "/login",
                &[
                    ("csrf", "bad"),
                    ("username", "skolotajs"),
                    ("password", "pareiza-parole"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(t.count("sessions").await, 0);

        // Signed in, a state-changing form still needs the session's token.
        assert_eq!(
            c.login("skolotajs", "pareiza-parole").await.status,
            StatusCode::SEE_OTHER
        );
        let r = c.post_form("/logout", &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(c.get("/").await.status, StatusCode::OK, "still signed in");
        let r = c
            .post_form(
                "/account/password",
                &[
                    ("current", "pareiza-parole"),
                    ("new", "jauna-parole-123"),
                    ("repeat", "jauna-parole-123"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut fresh = t.client();
        assert_eq!(
            fresh.login("skolotajs", "pareiza-parole").await.status,
            StatusCode::SEE_OTHER,
            "the password did not change"
        );
    }
}

#[tokio::test]
async fn the_eleventh_failed_login_in_a_row_is_throttled() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let school = t.institution(InstitutionKind::General, "4000000002").await;
        t.person(school, Role::Teacher, "cits", "cita-parole-1", false).await;
        let mut c = t.client();
        for attempt in 1..=10 {
            let r = c.login("skolotajs", "nepareiza").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        }
        let r = c.login("skolotajs", "pareiza-parole").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
        assert!(
            r.body.contains("Pārāk daudz neveiksmīgu pieteikšanās mēģinājumu"),
            "{}",
            r.body
        );
        assert_eq!(r.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("900"));
        assert_eq!(t.count("sessions").await, 0);

        // Another account from the same address is not locked out by this one.
        assert_eq!(c.login("cits", "cita-parole-1").await.status, StatusCode::SEE_OTHER);

        // After the window, the account opens again and a success clears its count.
        t.clock.advance_secs(16 * 60);
        let mut c = t.client();
        assert_eq!(
            c.login("skolotajs", "pareiza-parole").await.status,
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn many_failures_from_one_address_are_throttled() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        for i in 0..50 {
            let r = c.login(&format!("lietotajs{i}"), "x").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = c.login("skolotajs", "pareiza-parole").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn login_makes_a_new_session_and_logout_ends_it() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        c.login("skolotajs", "pareiza-parole").await;
        let first = c.jar.get("klade_session").cloned().expect("session");
        // Signed in, the login page leads home; a login posted anyway replaces the session.
        assert_eq!(c.get("/login").await.location(), Some("/"));
        c.submit(
            "/",
            "/login",
            &[("username", "skolotajs"), ("password", "pareiza-parole")],
        )
        .await;
        let second = c.jar.get("klade_session").cloned().expect("session");
        assert_ne!(first, second, "a new session id at login");
        assert_eq!(t.count("sessions").await, 1, "the browser's old session ended");

        let r = c.submit("/", "/logout", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), Some("/login"));
        assert!(!c.jar.contains_key("klade_session"));
        assert_eq!(t.count("sessions").await, 0);
        // The old cookie, replayed, opens nothing.
        c.jar.insert("klade_session".into(), second);
        assert_eq!(c.get("/").await.location(), Some("/login"));
    }
}

#[tokio::test]
async fn log_out_my_other_sessions() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut phone = t.client();
        let mut laptop = t.client();
        phone.login("skolotajs", "pareiza-parole").await;
        laptop.login("skolotajs", "pareiza-parole").await;
        let token = phone.api_login("skolotajs", "pareiza-parole").await;
        let account = laptop.get("/account").await;
        assert_eq!(
            account.body.matches("<tr").count(),
            4,
            "three sessions listed: {}",
            account.body
        );

        let r = laptop.submit("/account", "/account/sessions/end-others", &[]).await;
        assert_eq!(r.location(), Some("/account?done=sessions"));
        assert!(laptop
            .get("/account?done=sessions")
            .await
            .body
            .contains("Citas sesijas beigtas"));
        assert_eq!(phone.get("/").await.location(), Some("/login"));
        assert_eq!(
            phone.api_get("/api/v1/me", &token).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(laptop.get("/").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_generated_password_must_be_changed_at_first_login() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let school = t.institution(InstitutionKind::General, "4000000003").await;
        t.person(school, Role::Teacher, "lietvede", "x", false).await;
        let generated = klade_app::users::reset_password(&t.app, "lietvede")
            .await
            .expect("reset");
        let mut c = t.client();
        let r = c.login("lietvede", &generated).await;
        assert_eq!(r.location(), Some("/account"));
        let home = c.get("/").await;
        assert_eq!(
            home.location(),
            Some("/account"),
            "nothing else opens before the change"
        );
        assert!(c.get("/account").await.body.contains("Jūsu parole ir ģenerēta"));

        let short = c
            .submit(
                "/account",
                "/account/password",
                &[("current", &generated), ("new", "īsa"), ("repeat", "īsa")],
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short.body.contains("Parolei jābūt vismaz 8 rakstzīmes garai."));
        // NIST SP 800-63B: a common or breached password is refused, and staff without a second
        // factor choose at least 15 characters; no composition rules.
        for common in ["password123", "1234567890", "Password123"] {
            let r = c
                .submit(
                    "/account",
                    "/account/password",
                    &[("current", &generated), ("new", common), ("repeat", common)],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{common}");
            assert!(r.body.contains("starp visbiežāk lietotajām"), "{common}: {}", r.body);
        }
        let staff_short = c
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current", &generated),
                    ("new", "kaķis guļ mājā"),
                    ("repeat", "kaķis guļ mājā"),
                ],
            )
            .await;
        assert!(
            staff_short.body.contains("vismaz 15 rakstzīmes"),
            "{}",
            staff_short.body
        );
        let long = "ļ".repeat(129);
        let too_long = c
            .submit(
                "/account",
                "/account/password",
                &[("current", &generated), ("new", &long), ("repeat", &long)],
            )
            .await;
        assert!(too_long.body.contains("Parole ir par garu"), "{}", too_long.body);
        let mismatch = c
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current", &generated),
                    ("new", "jauna-parole-ziema-1"),
                    ("repeat", "jauna-parole-ziema-2"),
                ],
            )
            .await;
        assert!(mismatch.body.contains("Jaunās paroles nesakrīt."));
        let wrong = c
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current", "nav"),
                    ("new", "jauna-parole-ziema-1"),
                    ("repeat", "jauna-parole-ziema-1"),
                ],
            )
            .await;
        assert!(wrong.body.contains("Pašreizējā parole nav pareiza."));

        let ok = c
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current", &generated),
                    ("new", "jauna-parole-ziema-1"),
                    ("repeat", "jauna-parole-ziema-1"),
                ],
            )
            .await;
        assert_eq!(ok.location(), Some("/account?done=password"));
        assert_eq!(c.get("/").await.status, StatusCode::OK);

        let mut other = t.client();
        assert_eq!(
            other.login("lietvede", &generated).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            other.login("lietvede", "jauna-parole-ziema-1").await.location(),
            Some("/")
        );
    }
}

#[tokio::test]
async fn a_blocked_account_cannot_log_in_and_its_sessions_stop() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        c.login("skolotajs", "pareiza-parole").await;
        let token = c.api_login("skolotajs", "pareiza-parole").await;
        t.exec("UPDATE accounts SET blocked_at = 1, blocked_reason = 'shared password' WHERE username = 'skolotajs'")
            .await;
        assert_eq!(c.get("/").await.location(), Some("/login"));
        assert_eq!(c.api_get("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
        let r = c.login("skolotajs", "pareiza-parole").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Konts ir bloķēts"));
    }
}

#[tokio::test]
async fn a_person_without_current_rights_cannot_log_in() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        t.exec("UPDATE memberships SET valid_to = '2026-10-31'").await;
        let r = t.client().login("skolotajs", "pareiza-parole").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Jūsu tiesības sistēmā ir beigušās"));
    }
}

#[tokio::test]
async fn an_ended_session_says_so_keeps_the_input_and_the_login_leads_back() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        // A page that needs a login leads back to it after the login.
        let mut c = t.client();
        assert_eq!(c.get("/diary").await.location(), Some("/login"));
        assert_eq!(c.login("vecaks", "demo").await.location(), Some("/diary"));
        // The session ends while the absence form is open; the form is sent anyway.
        let page = c.get("/diary").await;
        let csrf = page.csrf().expect("csrf");
        t.exec("DELETE FROM sessions").await;
        c.referer = Some("/diary".to_string());
        let r = c
            .post_form(
                "/diary/absence",
                &[("csrf", &csrf), ("from", "2026-11-27"), ("reason", "Ārsta apmeklējums")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("Jūsu sesija ir beigusies"), "{}", r.body);
        assert!(!r.body.contains("novecojusi"), "not called outdated");
        assert!(r.body.contains("data-keep-draft") && r.body.contains("Pieteikties vēlreiz"));
        assert_eq!(t.count("absence_notices").await, 0, "nothing was saved");
        // The login leads back to the form's page, where the browser puts the text back.
        assert_eq!(c.login("vecaks", "demo").await.location(), Some("/diary"));
        assert!(c.get("/diary").await.body.contains("src=\"/static/forms.js\""));

        // Signed in, an outdated form says so and leads back to its page.
        c.referer = Some("/diary?date=2026-11-16".to_string());
        let r = c
            .post_form(
                "/diary/absence",
                &[("csrf", "old"), ("from", "2026-11-27"), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("data-keep-draft") && r.body.contains("href=\"/diary?date=2026-11-16\""));

        // Never to another site: a `next` that is not a path here is not followed.
        let mut other = t.client();
        other
            .jar
            .insert("klade_next".to_string(), "%2F%2Fevil.example%2F".to_string());
        assert_eq!(other.login("vecaks", "demo").await.location(), Some("/"));
        // A referer from another site is not a way back.
        let mut c = t.client();
        c.login("vecaks", "demo").await;
        let csrf = c.get("/diary").await.csrf().expect("csrf");
        t.exec("DELETE FROM sessions").await;
        c.referer = Some("https://evil.example/diary".to_string());
        let r = c
            .request(
                axum::http::Method::POST,
                "/diary/absence",
                Some("application/x-www-form-urlencoded"),
                format!("csrf={csrf}&from=2026-11-27&reason=x"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(!r
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().unwrap_or("").starts_with("klade_next")));
    }
}

#[tokio::test]
async fn an_idle_session_expires() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        c.login("skolotajs", "pareiza-parole").await;
        t.clock.advance_secs(7 * 3600);
        assert_eq!(c.get("/").await.status, StatusCode::OK, "activity slides the expiry");
        t.clock.advance_secs(7 * 3600);
        assert_eq!(c.get("/").await.status, StatusCode::OK);
        t.clock.advance_secs(8 * 3600 + 1);
        assert_eq!(c.get("/").await.location(), Some("/login"));
    }
}

#[tokio::test]
async fn the_personal_code_is_a_username_with_or_without_its_hyphen() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let school = t.institution(InstitutionKind::General, "4000000004").await;
        t.person(school, Role::Parent, "150385-01233", "vecaka-parole", false)
            .await;
        assert_eq!(
            t.client().login("15038501233", "vecaka-parole").await.location(),
            Some("/")
        );
        assert_eq!(
            t.client().login(" 150385-01233 ", "vecaka-parole").await.location(),
            Some("/")
        );
    }
}

#[tokio::test]
async fn english_is_one_click_away() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        c.login("skolotajs", "pareiza-parole").await;
        let home = c.get("/").await;
        assert!(home.body.contains("href=\"/lang/en?next=%2F\""), "{}", home.body);
        let r = c.get("/lang/en?next=%2F").await;
        assert_eq!(r.location(), Some("/"));
        let home = c.get("/").await;
        assert!(home.body.contains("Hello, Ēriks Ķēniņš!"), "{}", home.body);
        assert!(home.body.contains("Subject teacher"));
        assert!(home.body.contains("lang=\"en\""));
        // Only paths of this site are followed.
        assert_eq!(c.get("/lang/lv?next=//example.com/").await.location(), Some("/"));
        assert_eq!(c.get("/lang/lv?next=https://example.com/").await.location(), Some("/"));
    }
}

#[tokio::test]
async fn housekeeping_forgets_expired_sessions_and_old_failures() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        school_with_teacher(&t).await;
        let mut c = t.client();
        c.login("skolotajs", "nepareiza").await;
        c.login("skolotajs", "pareiza-parole").await;
        let mut other = t.client();
        other.login("nav", "x").await;
        assert_eq!(t.count("sessions").await, 1);
        assert_eq!(
            t.count("login_failures").await,
            3,
            "the success cleared the account's own failure"
        );
        assert_eq!(klade_app::auth::housekeeping(&t.app).await.expect("chores"), (0, 0));
        t.clock.advance_secs(9 * 3600);
        assert_eq!(klade_app::auth::housekeeping(&t.app).await.expect("chores"), (1, 3));
        assert_eq!(t.count("sessions").await, 0);
        assert_eq!(t.count("login_failures").await, 0);
    }
}
