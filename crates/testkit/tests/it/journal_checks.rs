//! Journal checks of a school course (R22.2, R23, R24.1, R25.1): a deputy records a finding in their
//! field, the course's teacher answers it, the deputy reopens and closes it; each teacher's and the
//! administration's list of findings not yet closed. Driven over HTTP as the demo's deputies and
//! teachers would.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, Client, TestApp};

async fn signed_in(t: &TestApp, username: &str) -> Client {
    let mut c = t.client();
    let r = c.login(username, "demo").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{username}: {}", r.body);
    c
}

#[tokio::test]
async fn a_finding_goes_from_the_deputy_to_the_teacher_and_back() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut teacher = signed_in(&t, "skolotajs").await;
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        let checks = format!("/journal/{course}/checks");

        // The deputy for methodical work checks lesson content: her field comes first on the form.
        let mut deputy = signed_in(&t, "metodikis").await;
        let page = deputy.get(&checks).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body
                .contains(r#"<option value="content" selected>Stundu saturs</option>"#),
            "{}",
            page.body
        );

        // Bad input: an unknown field, a date in the past, no text. Nothing is recorded.
        for (fields, message) in [
            (
                vec![("area", "everything"), ("finding", "x")],
                "Nezināma pārbaudes joma.",
            ),
            (
                vec![("area", "content"), ("finding", "x"), ("due_on", "2000-01-01")],
                "Termiņš nevar būt pagātnē.",
            ),
            (vec![("area", "content"), ("finding", "  ")], "Šis lauks ir obligāts."),
        ] {
            let r = deputy.submit(&checks, &checks, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {}", r.body);
            assert!(r.body.contains(message), "{message}: {}", r.body);
            assert!(
                r.body.contains("aria-invalid=\"true\""),
                "the field is marked: {}",
                r.body
            );
        }
        assert_eq!(t.id("SELECT COUNT(*) FROM journal_checks").await, 0);

        // The teacher may not record findings; a preschool's deputy head cannot reach the school.
        let r = teacher.submit(&checks, &checks, &[("finding", "x")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut other = signed_in(&t, "pii.vietniece").await;
        assert_eq!(other.get(&checks).await.status, StatusCode::FORBIDDEN);

        let due = t.app.today() + jiff::ToSpan::days(7);
        let r = deputy
            .submit(
                &checks,
                &checks,
                &[
                    ("area", "content"),
                    ("finding", "Tēmas 12.–14. stundā nesakrīt ar tematisko plānu"),
                    ("due_on", &due.to_string()),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("{checks}?done=recorded").as_str()),
            "{}",
            r.body
        );
        let id = t.id("SELECT id FROM journal_checks").await;
        let step = format!("{checks}/{id}");

        // The teacher sees it: a badge on the grid, the finding on the page, their own list.
        let grid = teacher.get(&format!("/journal/{course}")).await.body;
        assert!(grid.contains(r#"data-open-checks="1""#), "{grid}");
        let seen = teacher.get(&checks).await.body;
        assert!(seen.contains("Jālabo · Stundu saturs · Termiņš: "), "{seen}");
        assert!(seen.contains("Atzīmēt kā izlabotu"));
        assert!(!seen.contains("Ierakstīt piezīmi"), "only the administration records");
        let own = teacher.get("/checks").await.body;
        assert!(
            own.contains("Jūsu žurnālu piezīmes") && own.contains("nesakrīt ar tematisko plānu"),
            "{own}"
        );

        // The class's tutor reads the journal but does not keep it: she cannot answer.
        let mut tutor = signed_in(&t, "audzinataja").await;
        assert_eq!(tutor.get(&checks).await.status, StatusCode::OK);
        let r = tutor
            .submit(&checks, &step, &[("action", "done"), ("answer", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // An answer is required; then it is done, the deputy reopens, it is done again and closed.
        let r = teacher
            .submit(&checks, &step, &[("action", "done"), ("answer", " ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
        let r = teacher
            .submit(&checks, &step, &[("action", "done"), ("answer", "Tēmas izlabotas")])
            .await;
        assert_eq!(r.location(), Some(format!("{checks}?done=done").as_str()), "{}", r.body);
        let r = teacher.submit(&checks, &step, &[("action", "close")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a teacher cannot close");
        let r = deputy.submit(&checks, &step, &[("action", "reopen")]).await;
        assert_eq!(r.location(), Some(format!("{checks}?done=reopen").as_str()));
        let r = teacher
            .submit(&checks, &step, &[("action", "done"), ("answer", "Arī 15. stunda")])
            .await;
        assert_eq!(r.location(), Some(format!("{checks}?done=done").as_str()), "{}", r.body);

        // The deputy for academic work sees every teacher's findings not yet closed.
        let mut head = signed_in(&t, "vietnieks").await;
        let all = head.get("/checks").await.body;
        assert!(all.contains("Visu skolotāju piezīmes"), "{all}");
        assert!(
            all.contains("Izlabots, gaida pārbaudi") && all.contains(&format!("/journal/{course}/checks#check-{id}"))
        );
        // The list downloads as a spreadsheet and as CSV for Latvian Excel.
        let r = head.get("/checks?format=csv").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.headers.get("content-disposition").and_then(|v| v.to_str().ok()),
            Some("attachment; filename=\"zurnala-parbaude.csv\"")
        );
        assert!(
            r.bytes.starts_with(b"\xEF\xBB\xBF") && r.body.contains("nesakrīt ar tematisko plānu;"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Izlabots, gaida pārbaudi"), "{}", r.body);
        let r = head.get("/checks?format=xlsx").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.bytes.starts_with(b"PK"), "a zip package");
        assert_eq!(
            head.get("/checks?format=doc").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let r = deputy.submit(&checks, &step, &[("action", "close")]).await;
        assert_eq!(r.location(), Some(format!("{checks}?done=close").as_str()));
        let r = deputy.submit(&checks, &step, &[("action", "close")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "closed already");
        assert!(head.get("/checks").await.body.contains("Neslēgtu piezīmju nav."));
        assert!(!teacher
            .get(&format!("/journal/{course}"))
            .await
            .body
            .contains("data-open-checks"));
        assert_eq!(
            t.id(&format!(
                "SELECT COUNT(*) FROM journal_history WHERE item = 'check:{id}'"
            ))
            .await,
            5,
            "recorded, done, reopened, done, closed"
        );

        // The same through the API: the deputy for upbringing checks absences.
        let mut up = t.client();
        let utoken = up.api_login("audzinasana", "demo").await;
        let r = up
            .api_post(
                &format!("/api/v1/courses/{course}/checks"),
                serde_json::json!({ "finding": "Kavējumi 3. novembrī nav ievadīti" }),
                Some(&utoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let second = r.json()["id"].as_i64().expect("id");
        let inst = t
            .id(&format!("SELECT institution_id FROM courses WHERE id = {course}"))
            .await;
        let list = up
            .api_get(&format!("/api/v1/institutions/{inst}/checks"), &utoken)
            .await
            .json();
        let items = list["items"].as_array().expect("items");
        assert!(list["everyone"].as_bool().expect("everyone"));
        assert_eq!(items.len(), 1, "{list}");
        assert_eq!(items[0]["id"], second);
        assert_eq!(items[0]["area"], "absences", "the deputy's own field by default");
        let me = t
            .id("SELECT person_id FROM accounts WHERE username = 'skolotajs'")
            .await;
        assert_eq!(items[0]["teacher_id"], me, "listed under the course's teacher");
        let r = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/checks/{second}/done"),
                serde_json::json!({ "answer": "Ievadīti" }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["answer"], "Ievadīti");
        // A finding is moved on only through its own journal.
        let other_course = t.id(&format!("SELECT MIN(id) FROM courses WHERE id <> {course}")).await;
        let r = up
            .api_post(
                &format!("/api/v1/courses/{other_course}/checks/{second}/close"),
                serde_json::json!({}),
                Some(&utoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        let problems = klade_app::journal::verify(&t.app).await.expect("verify");
        assert!(problems.is_empty(), "{problems:?}");
    }
}
