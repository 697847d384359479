//! Turning 18: an adult student stops a parent seeing their diary and grades and lets them again;
//! the parent's pages, notifications and the API follow at once; a minor, a stranger and a parent
//! cannot choose; every choice is on record for both.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_domain::PersonId;
use klade_testkit::{backends, TestApp};

#[tokio::test]
async fn an_adult_student_decides_what_a_parent_sees() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        // Kristaps, the demo's adult student, and Ilze, a parent of the school, as his mother.
        let kristaps = t.id("SELECT person_id FROM accounts WHERE username = 'skolens'").await;
        let ilze = t.id("SELECT person_id FROM accounts WHERE username = 'vecaks'").await;
        t.exec(&format!(
            "INSERT INTO guardianships (parent_id, child_id, created_at) VALUES ({ilze}, {kristaps}, 0)"
        ))
        .await;
        t.exec(&format!(
            "INSERT INTO notification_prefs (person_id, event, channel) VALUES ({ilze}, 'grade', 'email')"
        ))
        .await;
        let notified = |t: &TestApp| {
            let pool = t.db().pool().clone();
            async move {
                klade_store::notifications::recipients(&pool, PersonId(kristaps), "grade")
                    .await
                    .expect("recipients")
                    .iter()
                    .any(|r| r.person.0 == ilze)
            }
        };
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let diary = format!("/diary?student={kristaps}");
        let grades = format!("/students/{kristaps}/grades");
        assert_eq!(parent.get(&diary).await.status, StatusCode::OK);
        assert_eq!(parent.get(&grades).await.status, StatusCode::OK);
        assert!(notified(&t).await);

        let mut adult = t.client();
        adult.login("skolens", "demo").await;
        let page = adult.get("/account").await.body;
        assert!(
            page.contains("Kas redz manu dienasgrāmatu")
                && page.contains("Ilze Krūmiņa")
                && page.contains("redz dienasgrāmatu un atzīmes"),
            "{page}"
        );
        let ilze_s = ilze.to_string();
        let r = adult
            .submit("/account", "/account/sharing", &[("parent", &ilze_s), ("shared", "no")])
            .await;
        assert_eq!(r.location(), Some("/account?done=sharing#sharing"), "{}", r.body);
        let page = adult.get("/account?done=sharing").await.body;
        assert!(
            page.contains("Izvēle saglabāta.") && page.contains("neredz kopš") && page.contains("Rādīt"),
            "{page}"
        );

        // The parent's open session follows at once: no diary, no grades, no notifications, and
        // the home page says why.
        assert_eq!(parent.get(&diary).await.status, StatusCode::FORBIDDEN);
        assert_eq!(parent.get(&grades).await.status, StatusCode::FORBIDDEN);
        assert!(!notified(&t).await);
        let home = parent.get("/").await.body;
        assert!(
            home.contains("Kristaps Ābele kopš") && home.contains("jums vairs nerāda savu dienasgrāmatu"),
            "{home}"
        );
        let account = parent.get("/account").await.body;
        assert!(
            account.contains("Kristaps Ābele — vairs nerāda dienasgrāmatu un atzīmes: Ilze Krūmiņa"),
            "{account}"
        );
        // Her other children are hers as before.
        let anna = t.person_named("Anna", "Krūmiņa").await;
        assert_eq!(
            parent.get(&format!("/diary?student={anna}")).await.status,
            StatusCode::OK
        );

        // Choosing what already holds records nothing.
        adult
            .submit("/account", "/account/sharing", &[("parent", &ilze_s), ("shared", "no")])
            .await;
        assert_eq!(t.count("sharing_choices").await, 1);

        // Nobody else's parent, and only for an adult by the register's birth date.
        let stranger = t.person_named("Jēkabs", "Krūmiņš").await.to_string();
        let r = adult
            .submit(
                "/account",
                "/account/sharing",
                &[("parent", &stranger), ("shared", "no")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("nav norādīta kā jūsu vecāks"), "{}", r.body);
        let born = t
            .scalar(&format!("SELECT birth_date FROM persons WHERE id = {kristaps}"))
            .await;
        t.exec(&format!("UPDATE persons SET birth_date = NULL WHERE id = {kristaps}"))
            .await;
        let r = adult
            .submit(
                "/account",
                "/account/sharing",
                &[("parent", &ilze_s), ("shared", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("nav jūsu dzimšanas datuma"), "{}", r.body);
        t.exec(&format!(
            "UPDATE persons SET birth_date = '{born}' WHERE id = {kristaps}"
        ))
        .await;
        let code = t
            .scalar(&format!("SELECT username FROM accounts WHERE person_id = {anna}"))
            .await;
        let mut minor = t.client();
        minor.login(&code, "demo").await;
        assert!(minor.get("/account").await.body.contains("Kamēr jums nav 18 gadu"));
        let r = minor
            .submit("/account", "/account/sharing", &[("parent", &ilze_s), ("shared", "no")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("tikai no 18 gadu vecuma"), "{}", r.body);
        // A parent is no student: the choice is not theirs.
        let r = parent
            .submit(
                "/account",
                "/account/sharing",
                &[("parent", &ilze_s), ("shared", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(t.count("sharing_choices").await, 1);

        // Through the API: shown again, and both choices on record.
        let token = adult.api_login("skolens", "demo").await;
        let r = adult
            .api_post(
                "/api/v1/me/sharing",
                serde_json::json!({ "parent": ilze, "shared": true }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["sharing"]["adult"], true);
        assert_eq!(j["sharing"]["parents"][0]["parent_id"], ilze);
        assert!(j["sharing"]["parents"][0]["withheld_at"].is_null());
        assert_eq!(j["choices"].as_array().map(Vec::len), Some(2));
        assert_eq!(j["choices"][0]["shared"], true);
        let r = adult
            .api_post("/api/v1/me/sharing", serde_json::json!({ "parent": "x" }), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(parent.get(&diary).await.status, StatusCode::OK);
        assert!(notified(&t).await);
    }
}
