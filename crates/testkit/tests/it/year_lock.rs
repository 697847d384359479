//! A school year that has ended is locked by the director; after that a teacher changes its
//! journal only with a deputy's consent — for one course, with a reason (recorded with the
//! change), for a few days.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};
use serde_json::json;

#[tokio::test]
async fn a_locked_year_changes_only_with_a_deputys_consent_and_its_reason() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let year = t
            .scalar(&format!(
                "SELECT name FROM school_years WHERE institution_id = {school}"
            ))
            .await;
        let math = t
            .id("SELECT c.id FROM courses c JOIN classes k ON k.id = c.class_id WHERE k.name = '2.B' AND c.name = 'Matemātika'")
            .await;
        let assessment = t
            .id(&format!("SELECT MIN(id) FROM assessments WHERE course_id = {math}"))
            .await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let lock = |year: String| vec![("i", school.to_string()), ("year", year)];

        // Not before the year has ended.
        let mut director = t.client();
        director.login("direktors", "demo").await;
        let fields = lock(year.clone());
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = director
            .submit(&format!("/admin/years?i={school}"), "/admin/years/lock", &fields)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("vēl nav beidzies"), "{}", r.body);

        // 2 September next year: the year is over; the director locks it.
        t.clock.advance_secs(280 * 24 * 3600);
        director.login("direktors", "demo").await;
        let r = director
            .submit(&format!("/admin/years?i={school}"), "/admin/years/lock", &fields)
            .await;
        assert_eq!(
            r.location(),
            Some(format!("/admin/years?i={school}&done=locked").as_str()),
            "{}",
            r.body
        );

        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let cell = json!({"cells": [{"key": format!("g:{assessment}:{anna}"), "value": "8"}]});
        let url = format!("/api/v1/courses/{math}/cells");
        let r = teacher.api_post(&url, cell.clone(), Some(&token)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "no consent, no change: {}", r.body);

        // The deputy for academic work consents, with a reason, for seven days.
        let teacher_id = t
            .id("SELECT person_id FROM accounts WHERE username = 'skolotajs'")
            .await;
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let page = deputy.get(&format!("/admin/years?i={school}")).await.body;
        assert!(page.contains("Atļaut labot slēgtu gadu"), "{page}");
        // Days left empty: the page again, the reason kept, the days marked.
        let r = deputy
            .submit(
                &format!("/admin/years?i={school}"),
                "/admin/years/consent",
                &[
                    ("i", &school.to_string()),
                    ("teacher", &teacher_id.to_string()),
                    ("course", &format!("course:{math}")),
                    ("reason", "Kļūda ieskaites vērtējumā"),
                    ("days", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("value=\"Kļūda ieskaites vērtējumā\"")
                && r.body.contains("value=\"\" aria-invalid=\"true\"")
                && r.body.contains(&format!("<option value=\"course:{math}\" selected>")),
            "{}",
            r.body
        );
        let r = deputy
            .submit(
                &format!("/admin/years?i={school}"),
                "/admin/years/consent",
                &[
                    ("i", &school.to_string()),
                    ("teacher", &teacher_id.to_string()),
                    ("course", &format!("course:{math}")),
                    ("reason", "Kļūda ieskaites vērtējumā, pārbaudīts ar direktora vietnieku"),
                    ("days", "7"),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("/admin/years?i={school}&done=consent").as_str()),
            "{}",
            r.body
        );

        let r = teacher.api_post(&url, cell.clone(), Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let reason = t
            .scalar(&format!(
                "SELECT reason FROM journal_history WHERE item = 'grade:{assessment}:{anna}' ORDER BY seq DESC LIMIT 1"
            ))
            .await;
        assert_eq!(reason, "Kļūda ieskaites vērtējumā, pārbaudīts ar direktora vietnieku");

        // The preschool's year too: a group is opened to its teacher by the deputy head.
        let preschool = t.id("SELECT id FROM institutions WHERE kind = 'preschool'").await;
        let group = t.id("SELECT id FROM classes WHERE name = 'Mārītes'").await;
        let jekabs = t.person_named("Jēkabs", "Krūmiņš").await;
        let pyear = t
            .scalar(&format!(
                "SELECT name FROM school_years WHERE institution_id = {preschool}"
            ))
            .await;
        let mut head = t.client();
        head.login("pii.vaditaja", "demo").await;
        let r = head
            .submit(
                &format!("/admin/years?i={preschool}"),
                "/admin/years/lock",
                &[("i", &preschool.to_string()), ("year", &pyear)],
            )
            .await;
        assert!(r.location().is_some(), "{}", r.body);
        let mut pteacher = t.client();
        pteacher.login("pii.skolotaja", "demo").await;
        let mark = format!("m:{jekabs}");
        let day = [("date", "2027-08-30"), (mark.as_str(), "S"), ("reason", "")];
        let r = pteacher.submit("/", &format!("/groups/{group}/attendance"), &day).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let pteacher_id = t
            .id("SELECT person_id FROM accounts WHERE username = 'pii.skolotaja'")
            .await;
        let mut vietniece = t.client();
        vietniece.login("pii.vietniece", "demo").await;
        let r = vietniece
            .submit(
                &format!("/admin/years?i={preschool}"),
                "/admin/years/consent",
                &[
                    ("i", &preschool.to_string()),
                    ("teacher", &pteacher_id.to_string()),
                    ("course", &format!("group:{group}")),
                    ("reason", "Medmāsas ziņa par slimības lapu"),
                    ("days", "3"),
                ],
            )
            .await;
        assert!(r.location().is_some(), "{}", r.body);
        let r = pteacher.submit("/", &format!("/groups/{group}/attendance"), &day).await;
        assert!(r.location().is_some(), "{}", r.body);
        assert_eq!(
            t.scalar(&format!(
                "SELECT code FROM preschool_attendance WHERE child_id = {jekabs} AND date = '2027-08-30'"
            ))
            .await,
            "S"
        );

        // Nobody else, and not after the consent's days.
        let mut other = t.client();
        let other_token = other.api_login("audzinataja", "demo").await;
        assert_eq!(
            other.api_post(&url, cell.clone(), Some(&other_token)).await.status,
            StatusCode::FORBIDDEN
        );
        t.clock.advance_secs(8 * 24 * 3600);
        let token = teacher.api_login("skolotajs", "demo").await;
        assert_eq!(
            teacher.api_post(&url, cell, Some(&token)).await.status,
            StatusCode::FORBIDDEN
        );
        let problems = klade_app::journal::verify(&t.app).await.expect("verify");
        assert!(problems.is_empty(), "{problems:?}");
    }
}
