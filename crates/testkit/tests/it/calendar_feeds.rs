//! Calendar feeds: a parent makes a secret address of a child's calendar, a calendar app fetches it
//! without signing in and reads it with an iCalendar parser (lessons in UTC, homework due, a test,
//! the holidays); another family's child is refused; revoked, the address answers nothing.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use icalendar::parser::{read_calendar, unfold};
use klade_testkit::{backends, TestApp};

/// The events of an iCalendar text as (SUMMARY, DTSTART) pairs, read by a kept parser.
fn events(text: &str) -> Vec<(String, String)> {
    let unfolded = unfold(text);
    let cal = read_calendar(&unfolded).expect("the feed parses as iCalendar");
    assert!(cal
        .properties
        .iter()
        .any(|p| p.name == "VERSION" && p.val.as_str() == "2.0"));
    assert!(cal.properties.iter().any(|p| p.name == "PRODID"));
    cal.components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            let prop = |n: &str| {
                c.properties
                    .iter()
                    .find(|p| p.name == n)
                    .map(|p| p.val.as_str().to_string())
                    .unwrap_or_default()
            };
            assert!(!prop("UID").is_empty() && !prop("DTSTAMP").is_empty(), "{c:?}");
            (prop("SUMMARY"), prop("DTSTART"))
        })
        .collect()
}

#[tokio::test]
async fn a_parent_subscribes_to_a_childs_calendar_and_revokes_it() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        // Homework set on Wednesday for Friday, and a test next week, in Anna's class.
        let lesson = t
            .id(
                "SELECT l.id FROM lessons l JOIN courses c ON c.id = l.course_id JOIN classes k ON k.id = c.class_id \
                 WHERE k.name = '2.B' AND c.name LIKE 'Matemātika%' AND l.date = '2026-11-25' ORDER BY l.id LIMIT 1",
            )
            .await;
        t.exec(&format!(
            "UPDATE lessons SET homework = 'Uzdevumi 1, 2; 12. lpp.', homework_due = '2026-11-27' WHERE id = {lesson}"
        ))
        .await;
        let course = t
            .id(&format!("SELECT course_id FROM lessons WHERE id = {lesson}"))
            .await;
        let inst = t
            .id(&format!("SELECT institution_id FROM lessons WHERE id = {lesson}"))
            .await;
        t.exec(&format!(
            "INSERT INTO assessments (institution_id, course_id, kind, scale, date, title) \
             VALUES ({inst}, {course}, 'summative', 'ten', '2026-12-03', 'Reizrēķins')"
        ))
        .await;

        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = parent.get("/account/calendar").await.body;
        assert!(
            page.contains("Kalendārs tālrunī") && page.contains("Anna Krūmiņa, 2.B"),
            "{page}"
        );
        let r = parent
            .submit(
                "/account/calendar",
                "/account/calendar",
                &[("student", &anna.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let start = r.body.find("http://").expect("the address is shown once");
        let url = &r.body[start..];
        let url = &url[..url.find('"').expect("end of the address")];
        let path = &url[url.find("/calendar/").expect("a feed path")..];
        assert!(r.body.contains(&format!("webcal://{}", &url["http://".len()..])));

        // The calendar app: no cookie, no token but the address.
        let mut app = t.client();
        let feed = app.get(path).await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(feed.body.contains("BEGIN:VCALENDAR\r\n"));
        assert!(
            feed.body.split("\r\n").all(|l| l.len() <= 75),
            "lines are folded at 75 octets"
        );
        let all = events(&feed.body);
        assert!(
            all.iter()
                .any(|(s, at)| s == "Matemātika" && at.starts_with("20261125T") && at.ends_with('Z')),
            "{all:?}"
        );
        assert!(
            all.contains(&("Mājasdarbs: Matemātika".to_string(), "20261127".to_string())),
            "{all:?}"
        );
        assert!(feed.body.contains("Uzdevumi 1\\, 2\\; 12. lpp."), "text is escaped");
        assert!(
            all.iter().any(|(s, at)| s.contains("Matemātika")
                && s.contains(':')
                && at == "20261203"
                && !s.starts_with("Mājasdarbs")),
            "the test: {all:?}"
        );
        assert!(feed.body.contains("Reizrēķins"));
        assert!(
            all.contains(&("Brīvdiena".to_string(), "20261118".to_string())),
            "{all:?}"
        );
        assert!(all.iter().any(|(s, _)| s == "Brīvlaiks"), "{all:?}");
        // Fetched: the owner sees when.
        let page = parent.get("/account/calendar").await.body;
        assert!(page.contains("26.11.2026."), "{page}");

        // Not another family's child, and not a guessed address.
        let other = t
            .id("SELECT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE c.name = '1.A' ORDER BY e.student_id LIMIT 1")
            .await;
        let r = parent
            .submit(
                "/account/calendar",
                "/account/calendar",
                &[("student", &other.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("tikai sev vai savam bērnam"), "{}", r.body);
        assert_eq!(
            app.get(&format!("/calendar/{}.ics", "0".repeat(64))).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(app.get("/calendar/x.ics").await.status, StatusCode::NOT_FOUND);

        // Through the API: listed, and revoked; the address then answers nothing.
        let token = parent.api_login("vecaks", "demo").await;
        let list = parent.api_get("/api/v1/me/calendar-feeds", &token).await.json();
        let id = list["feeds"][0]["id"].as_i64().expect("a feed");
        assert_eq!(list["feeds"][0]["student_id"], anna);
        let r = parent
            .api_post(
                &format!("/api/v1/me/calendar-feeds/{id}/revoke"),
                serde_json::json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND);
        let r = parent
            .api_post(
                &format!("/api/v1/me/calendar-feeds/{id}/revoke"),
                serde_json::json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "revoked once");
        let r = parent
            .api_post(
                "/api/v1/me/calendar-feeds",
                serde_json::json!({ "student": anna }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let url = r.json()["url"].as_str().expect("url").to_string();
        let path = &url[url.find("/calendar/").expect("a feed path")..];
        assert_eq!(app.get(path).await.status, StatusCode::OK);

        // A blocked account's feeds answer nothing while it is blocked.
        t.exec("UPDATE accounts SET blocked_at = 1 WHERE username = 'vecaks'")
            .await;
        assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND);
        t.exec("UPDATE accounts SET blocked_at = NULL WHERE username = 'vecaks'")
            .await;
        assert_eq!(app.get(path).await.status, StatusCode::OK);

        // The guardianship ended: the feed closes with it.
        let ilze = t.id("SELECT person_id FROM accounts WHERE username = 'vecaks'").await;
        t.exec(&format!(
            "DELETE FROM guardianships WHERE parent_id = {ilze} AND child_id = {anna}"
        ))
        .await;
        assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND);
    }
}
