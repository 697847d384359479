//! Deadlines: a late grade on the deputy's list and the teacher's own, a lesson not recorded by
//! 18:00, due dates that follow the institution's calendar and settings, tenancy, reminders.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};
use serde_json::Value;

/// 20 Nov 2026 23:59:59 in Riga (UTC+2), the due time of formative work handed in on Monday
/// 16 November: 17, 19 and 20 November are the three working days (18 November is a holiday).
const DUE_20_NOV: i64 = 1_763_675_999 + 365 * 86_400;

fn items<'a>(list: &'a Value, kind: &str) -> Vec<&'a Value> {
    list.as_array()
        .expect("array")
        .iter()
        .filter(|i| i["kind"] == kind)
        .collect()
}

#[tokio::test]
async fn a_late_grade_a_late_lesson_and_due_dates_from_the_calendar() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let math = t
            .id("SELECT c.id FROM courses c JOIN classes k ON k.id = c.class_id WHERE k.name = '2.B' AND c.name = 'Matemātika'")
            .await;
        let teacher = t
            .id("SELECT person_id FROM accounts WHERE username = 'skolotajs'")
            .await;
        let student = t
            .id(&format!(
                "SELECT MIN(e.student_id) FROM enrolments e JOIN courses c ON c.class_id = e.class_id WHERE c.id = {math}"
            ))
            .await;
        // Formative work handed in on 16 November; one grade entered now (26 November, late).
        t.exec(&format!(
            "INSERT INTO assessments (institution_id, course_id, kind, scale, date, title, handed_in_on) \
             VALUES ({school}, {math}, 'formative', 'percent', '2026-11-16', 'Kavētais darbs', '2026-11-16')"
        ))
        .await;
        let assessment = t.id("SELECT id FROM assessments WHERE title = 'Kavētais darbs'").await;
        let now = t.app.now();
        t.exec(&format!(
            "INSERT INTO grades (institution_id, assessment_id, student_id, mark, entered_at) \
             VALUES ({school}, {assessment}, {student}, '75', {now})"
        ))
        .await;

        let mut deputy = t.client();
        let deputy_token = deputy.api_login("vietnieks", "demo").await;
        let overview = deputy
            .api_get(&format!("/api/v1/deadlines/{school}?kind=late_grades"), &deputy_token)
            .await;
        assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
        let list = overview.json();
        let late = items(&list["items"], "late_grades");
        let mine = late
            .iter()
            .find(|i| i["detail"] == "Kavētais darbs")
            .expect("the late grade is on the deputy's list");
        assert_eq!(mine["person_id"], teacher);
        assert_eq!(mine["state"], "done_late");
        assert_eq!(mine["due_at"], DUE_20_NOV);
        assert_eq!(mine["done_at"], now);
        // The rest of the work's grades are missing, past the same due date.
        let missing = deputy
            .api_get(
                &format!("/api/v1/deadlines/{school}?kind=grades&person={teacher}"),
                &deputy_token,
            )
            .await
            .json();
        let open = items(&missing["items"], "grades");
        let open = open
            .iter()
            .find(|i| i["detail"] == "Kavētais darbs")
            .expect("missing grades");
        assert_eq!(open["state"], "overdue");
        assert_eq!(open["due_at"], DUE_20_NOV);
        // A student who has left owes no grade: the count drops by one.
        let missing_before = open["count"].as_i64().expect("count");
        let leaver = t
            .id(&format!(
                "SELECT MAX(e.student_id) FROM enrolments e JOIN courses c ON c.class_id = e.class_id WHERE c.id = {math}"
            ))
            .await;
        t.exec(&format!(
            "UPDATE enrolments SET valid_to = '2026-11-20' WHERE student_id = {leaver}"
        ))
        .await;
        let missing = deputy
            .api_get(
                &format!("/api/v1/deadlines/{school}?kind=grades&person={teacher}"),
                &deputy_token,
            )
            .await
            .json();
        let after = items(&missing["items"], "grades")
            .into_iter()
            .find(|i| i["detail"] == "Kavētais darbs")
            .map(|i| i["count"].as_i64().expect("count"));
        assert_eq!(after, Some(missing_before - 1), "{missing}");

        // The page shows it with its due date.
        let mut deputy_page = t.client();
        deputy_page.login("vietnieks", "demo").await;
        let page = deputy_page
            .get(&format!("/deadlines/overview?i={school}&kind=late_grades"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Kavētais darbs") && page.body.contains("20.11.2026."),
            "{}",
            page.body
        );
        // The demo's other teachers never record their lessons: the page shows the oldest 300, the
        // download all of them.
        let all = deputy_page.get(&format!("/deadlines/overview?i={school}")).await.body;
        assert_eq!(all.matches("<tr data-state=").count(), 300);
        assert!(all.contains("Parādīti vecākie"), "{all}");
        let everything = deputy_page
            .get(&format!("/deadlines/overview?i={school}&format=csv"))
            .await;
        assert!(everything.body.lines().count() > 301, "the download holds every item");
        let csv = deputy_page
            .get(&format!("/deadlines/overview?i={school}&kind=late_grades&format=csv"))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("Kavētais darbs"), "{}", csv.body);
        let pdf = deputy_page
            .get(&format!("/deadlines/overview?i={school}&format=pdf"))
            .await;
        assert!(pdf.bytes.starts_with(b"%PDF"), "a PDF");

        // The teacher's own list has it too, and today's lessons are due today, not yet late.
        let mut teacher_client = t.client();
        let token = teacher_client.api_login("skolotajs", "demo").await;
        let own = teacher_client.api_get("/api/v1/deadlines", &token).await.json();
        assert!(items(&own["late"], "late_grades")
            .iter()
            .any(|i| i["detail"] == "Kavētais darbs"));
        let today = items(&own["due_today"], "lesson");
        assert!(!today.is_empty(), "today's lessons: {own}");
        assert!(today.iter().all(|i| i["date"] == "2026-11-26"));
        assert!(items(&own["late"], "lesson").iter().all(|i| i["date"] != "2026-11-26"));

        // 18:30 in Riga: today's lessons not recorded are late.
        t.clock.advance_secs(6 * 3600 + 1800);
        let own = teacher_client.api_get("/api/v1/deadlines", &token).await.json();
        assert!(
            items(&own["late"], "lesson").iter().any(|i| i["date"] == "2026-11-26"),
            "{own}"
        );
        // The page lists them, with their due times.
        let mut page = t.client();
        page.login("skolotajs", "demo").await;
        let body = page.get("/deadlines").await.body;
        assert!(body.contains("26.11.2026. 18:00"), "{body}");

        // A lesson recorded after 18:00 stays on the list as done late, with when it was done.
        let late_lesson = items(&own["late"], "lesson")
            .into_iter()
            .find(|i| i["date"] == "2026-11-26")
            .expect("a late lesson")
            .clone();
        let course: i64 = late_lesson["link"]
            .as_str()
            .and_then(|l| l.strip_prefix("/journal/"))
            .and_then(|l| l.split('/').next())
            .and_then(|c| c.parse().ok())
            .expect("the lesson's course");
        let no: i64 = late_lesson["detail"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("number");
        let r = teacher_client
            .api_post(
                &format!("/api/v1/courses/{course}/lessons"),
                serde_json::json!({"date": "2026-11-26", "lesson_no": no, "topic": "Atkārtojums",
                    "content": "", "homework": ""}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let recorded_at = t.app.now();
        let own = teacher_client.api_get("/api/v1/deadlines", &token).await.json();
        let done = items(&own["late"], "lesson")
            .into_iter()
            .find(|i| {
                i["date"] == "2026-11-26" && i["detail"] == late_lesson["detail"] && i["link"] == late_lesson["link"]
            })
            .expect("the lesson recorded late is still listed")
            .clone();
        assert_eq!(done["state"], "done_late", "{done}");
        assert_eq!(done["done_at"], recorded_at);

        // The settings move the due time: lessons by 20:00 are not late at 18:30.
        let settings = format!("/api/v1/deadlines/{school}/settings");
        let mut form = deputy.api_get(&settings, &deputy_token).await.json();
        form["lessons_by"] = "20:00".into();
        let r = deputy
            .request(
                axum::http::Method::PUT,
                &settings,
                Some("application/json"),
                form.to_string(),
                Some(&deputy_token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let own = teacher_client.api_get("/api/v1/deadlines", &token).await.json();
        assert!(items(&own["late"], "lesson").iter().all(|i| i["date"] != "2026-11-26"));
        assert!(
            items(&own["due_today"], "lesson")
                .iter()
                .all(|i| i["link"] != late_lesson["link"]),
            "recorded at 18:30, the lesson is on time by 20:00"
        );
        assert!(items(&own["due_today"], "lesson")
            .iter()
            .any(|i| i["date"] == "2026-11-26"));
        // A bad time is refused with the field named, nothing changed.
        form["lessons_by"] = "25:00".into();
        let r = deputy
            .request(
                axum::http::Method::PUT,
                &settings,
                Some("application/json"),
                form.to_string(),
                Some(&deputy_token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            t.scalar(&format!(
                "SELECT lessons_by FROM deadline_settings WHERE institution_id = {school}"
            ))
            .await,
            "20:00"
        );

        // An institution's own day off on 19 November moves the due date to 23 November.
        t.exec(&format!(
            "INSERT INTO calendar_days (institution_id, date, kind, note, created_at) VALUES ({school}, '2026-11-19', 'off', '', 0)"
        ))
        .await;
        let list = deputy
            .api_get(&format!("/api/v1/deadlines/{school}?kind=late_grades"), &deputy_token)
            .await
            .json();
        let late = items(&list["items"], "late_grades");
        let moved = late
            .iter()
            .find(|i| i["detail"] == "Kavētais darbs")
            .expect("still late");
        assert_eq!(moved["due_at"], DUE_20_NOV + 3 * 86_400);

        // A deputy of another institution sees nothing of this one.
        let mut other = t.client();
        let other_token = other.api_login("pii.vietniece", "demo").await;
        let r = other
            .api_get(&format!("/api/v1/deadlines/{school}"), &other_token)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let own = other.api_get("/api/v1/deadlines", &other_token).await.json();
        assert!(!own.to_string().contains("Kavētais darbs"));
        // An unknown kind in the filter is refused clearly.
        let r = deputy
            .api_get(&format!("/api/v1/deadlines/{school}?kind=nothing"), &deputy_token)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn a_reminder_goes_out_once() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        // 16:30 in Riga: within two hours of 18:00.
        t.clock.advance_secs(4 * 3600 + 1800);
        let first = klade_app::deadlines::remind(&t.app).await.expect("remind");
        assert!(first > 0, "the demo's teachers have today's lessons open");
        let again = klade_app::deadlines::remind(&t.app).await.expect("remind");
        assert_eq!(again, 0, "never twice");
        assert_eq!(
            t.scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'reminder'").await,
            first.to_string()
        );
        // Off for the institution: nothing more goes out the next day.
        t.exec("INSERT INTO deadline_settings (institution_id, reminders) SELECT id, FALSE FROM institutions")
            .await;
        t.clock.advance_secs(24 * 3600);
        assert_eq!(klade_app::deadlines::remind(&t.app).await.expect("remind"), 0);
    }
}

/// The monthly absence summary is the upbringing deputy's until published; a finding to be
/// corrected by a date is its teacher's.
#[tokio::test]
async fn the_monthly_summary_and_a_finding_have_their_deadlines() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let mut up = t.client();
        let up_token = up.api_login("audzinasana", "demo").await;
        let mut teacher = t.client();
        let teacher_token = teacher.api_login("skolotajs", "demo").await;

        // 26 November: October's summary was due on 12 November and is not published.
        let own = up.api_get("/api/v1/deadlines", &up_token).await.json();
        let summary = items(&own["late"], "absence_summary");
        assert_eq!(summary.len(), 1, "{own}");
        assert_eq!(summary[0]["detail"], "2026-10");
        // 12 November 2026, 23:59:59 in Riga.
        assert_eq!(summary[0]["due_at"], 1_794_520_799);
        let mine = teacher.api_get("/api/v1/deadlines", &teacher_token).await.json();
        assert!(items(&mine["late"], "absence_summary").is_empty(), "not a teacher's");
        let overview = up
            .api_get(&format!("/api/v1/deadlines/{school}?kind=absence_summary"), &up_token)
            .await;
        assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
        assert_eq!(items(&overview.json()["items"], "absence_summary").len(), 1);
        // The page names the month in words; the API keeps it as data.
        let mut page = t.client();
        page.login("audzinasana", "demo").await;
        let body = page.get("/deadlines").await.body;
        assert!(body.contains("2026. gada oktobris"), "{body}");

        let r = up
            .api_post(
                &format!("/api/v1/institutions/{school}/absence-summary/2026-10/publish"),
                serde_json::json!({}),
                Some(&up_token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["late"], true, "published after the 12th");
        let own = up.api_get("/api/v1/deadlines", &up_token).await.json();
        assert!(items(&own["late"], "absence_summary").is_empty(), "{own}");

        // A finding to be corrected by today is due today for the course's teacher, then late.
        let mut deputy = t.client();
        let deputy_token = deputy.api_login("metodikis", "demo").await;
        let course = teacher.course_id(&teacher_token, "Matemātika", "2.B").await;
        let r = deputy
            .api_post(
                &format!("/api/v1/courses/{course}/checks"),
                serde_json::json!({ "finding": "Nav mājasdarbu 3 stundās", "due_on": t.app.today().to_string() }),
                Some(&deputy_token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mine = teacher.api_get("/api/v1/deadlines", &teacher_token).await.json();
        let due = items(&mine["due_today"], "finding");
        assert_eq!(due.len(), 1, "{mine}");
        assert_eq!(due[0]["detail"], "Nav mājasdarbu 3 stundās");
        assert!(due[0]["link"]
            .as_str()
            .expect("link")
            .starts_with(&format!("/journal/{course}/checks#check-")));
        t.clock.advance_secs(86_400);
        let mine = teacher.api_get("/api/v1/deadlines", &teacher_token).await.json();
        assert_eq!(items(&mine["late"], "finding").len(), 1, "{mine}");
        let teacher_id = t
            .id("SELECT person_id FROM accounts WHERE username = 'skolotajs'")
            .await;
        let overview = deputy
            .api_get(&format!("/api/v1/deadlines/{school}?kind=finding"), &deputy_token)
            .await
            .json();
        let listed = items(&overview["items"], "finding");
        assert_eq!(listed.len(), 1, "{overview}");
        assert_eq!(listed[0]["person_id"], teacher_id);
    }
}
