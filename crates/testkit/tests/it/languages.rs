//! The families' languages: a parent chooses Ukrainian once and reads the family pages in it on
//! every device they sign in on; staff pages fall back to English; the institution's entries stay
//! as written.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

#[tokio::test]
async fn a_parents_language_follows_them_to_every_device() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut phone = t.client();
        phone.login("vecaks", "demo").await;
        let account = phone.get("/account").await.body;
        assert!(
            account.contains("Українська") && account.contains("Русский"),
            "{account}"
        );
        let r = phone.get("/lang/uk?next=/diary").await;
        assert_eq!(r.location(), Some("/diary"));
        let diary = phone.get("/diary").await.body;
        assert!(diary.contains("<html lang=\"uk\""), "{diary}");
        assert!(
            diary.contains("Щоденник") && diary.contains("Anna Krūmiņa"),
            "names stay as written"
        );

        // Another device, no cookie: the login page is Latvian, the pages after it Ukrainian.
        let mut laptop = t.client();
        assert!(laptop.get("/login").await.body.contains("<html lang=\"lv\""));
        laptop.login("vecaks", "demo").await;
        let home = laptop.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("<html lang=\"uk\""), "{}", home.body);
        // Russian the same way; an unknown code is Latvian.
        laptop.get("/lang/ru?next=/").await;
        assert!(phone.get("/diary").await.body.contains("Дневник"));
        laptop.get("/lang/xx?next=/").await;
        assert!(phone.get("/diary").await.body.contains("<html lang=\"lv\""));

        // A teacher in Russian reads a staff page (not translated) in English.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        teacher.get("/lang/ru?next=/").await;
        let journal = teacher.get("/journal").await.body;
        assert!(
            journal.contains("<html lang=\"ru\"") && journal.contains("Journal"),
            "{journal}"
        );
    }
}
