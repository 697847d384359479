//! Family API tokens: a parent names a token on the page, an app reads a child's grades with it,
//! it writes nothing, carries no staff rights, is held to its allowance a minute, shows when it
//! was last used, and once revoked is refused; a minor cannot make one.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

/// The token shown once on the page after it was made.
fn shown_token(body: &str) -> String {
    let start = body.find("value=\"kf_").expect("the token is shown") + "value=\"".len();
    body[start..start + 67].to_string()
}

#[tokio::test]
async fn a_family_token_reads_a_childs_data_and_nothing_more() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        // The subject teacher is also Anna's father here: the token must carry the father only.
        let teacher = t
            .id("SELECT person_id FROM accounts WHERE username = 'skolotajs'")
            .await;
        let school = t
            .id(&format!(
                "SELECT institution_id FROM enrolments WHERE student_id = {anna} LIMIT 1"
            ))
            .await;
        t.exec(&format!(
            "INSERT INTO guardianships (parent_id, child_id, created_at) VALUES ({teacher}, {anna}, 0)"
        ))
        .await;
        t.exec(&format!(
            "INSERT INTO memberships (institution_id, person_id, role, valid_from, basis, created_at) \
             VALUES ({school}, {teacher}, 'parent', '2026-09-01', 'order', 0)"
        ))
        .await;
        let mut web = t.client();
        web.login("skolotajs", "demo").await;
        let page = web.get("/account/tokens").await.body;
        assert!(
            page.contains("Pilnvaras lietotnēm") && page.contains("60 pieprasījumus minūtē"),
            "{page}"
        );
        let r = web
            .submit("/account/tokens", "/account/tokens", &[("name", "   ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let long = "x".repeat(61);
        let r = web
            .submit("/account/tokens", "/account/tokens", &[("name", &long)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("60 rakstzīmēm") && r.body.contains(&long),
            "typed name kept: {}",
            r.body
        );
        let r = web
            .submit("/account/tokens", "/account/tokens", &[("name", "Virtuves planšete")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let token = shown_token(&r.body);
        assert!(web.get("/account/tokens").await.body.contains("Virtuves planšete"));
        assert!(!web.get("/account/tokens").await.body.contains(&token), "shown once");

        // The app: the child's grades and diary, yes.
        let mut app = t.client();
        let r = app.api_get(&format!("/api/v1/students/{anna}/grades"), &token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.api_get(&format!("/api/v1/students/{anna}/diary?date=2026-11-26"), &token)
                .await
                .status,
            StatusCode::OK
        );
        // The teacher's grid: not with a family token, though its owner may with a login.
        let login = app.api_login("skolotajs", "demo").await;
        let courses = app.api_get("/api/v1/courses", &login).await.json();
        let course = courses["courses"][0]["id"]
            .as_i64()
            .or_else(|| courses[0]["id"].as_i64())
            .expect("a course");
        assert_eq!(
            app.api_get(&format!("/api/v1/courses/{course}/grid"), &login)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.api_get(&format!("/api/v1/courses/{course}/grid"), &token)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Reads only: a notice of absence, or a token made with a token, are refused.
        let r = app
            .api_post(
                &format!("/api/v1/students/{anna}/absence-notices"),
                serde_json::json!({ "from": "2026-11-27", "reason": "x" }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.json()["error"], "error.read_only_token");
        let r = app
            .api_post("/api/v1/me/tokens", serde_json::json!({ "name": "more" }), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(t.count("absence_notices WHERE reason = 'x'").await, 0);

        // Sixty requests a minute: the next waits for the next minute.
        let used = t
            .id("SELECT in_minute FROM family_tokens WHERE name = 'Virtuves planšete'")
            .await;
        for _ in used..60 {
            assert_eq!(app.api_get("/api/v1/me", &token).await.status, StatusCode::OK);
        }
        let r = app.api_get("/api/v1/me", &token).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.headers.get("retry-after").is_some());
        t.clock.advance_secs(60);
        assert_eq!(app.api_get("/api/v1/me", &token).await.status, StatusCode::OK);

        // A blocked account's tokens are refused as its logins are.
        t.exec("UPDATE accounts SET blocked_at = 1 WHERE username = 'skolotajs'")
            .await;
        assert_eq!(app.api_get("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
        t.exec("UPDATE accounts SET blocked_at = NULL WHERE username = 'skolotajs'")
            .await;
        assert_eq!(app.api_get("/api/v1/me", &token).await.status, StatusCode::OK);

        // Listed with its last use, revoked through the API, refused after.
        let list = app.api_get("/api/v1/me/tokens", &login).await.json();
        assert_eq!(list["tokens"][0]["name"], "Virtuves planšete");
        assert!(list["tokens"][0]["last_used_at"].is_i64());
        let id = list["tokens"][0]["id"].as_i64().expect("an id");
        let r = app
            .api_post(
                &format!("/api/v1/me/tokens/{id}/revoke"),
                serde_json::json!({}),
                Some(&login),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.api_get(&format!("/api/v1/students/{anna}/grades"), &token)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );

        // A minor makes none.
        let code = t
            .scalar(&format!("SELECT username FROM accounts WHERE person_id = {anna}"))
            .await;
        let mut minor = t.client();
        minor.login(&code, "demo").await;
        let r = minor
            .submit("/account/tokens", "/account/tokens", &[("name", "Mans")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("vecāks vai pilngadīgs skolēns"), "{}", r.body);
    }
}
