//! Home pages that answer the day's question: a parent's glance at each child, a teacher's lessons
//! and deadlines, a tutor's class this week; the welcome on the first visit only.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

/// The part of `page` from `start` up to the next `end`.
fn part<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    page.split(start)
        .nth(1)
        .and_then(|rest| rest.split(end).next())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_parents_home_shows_each_childs_day_and_what_is_new_since_the_last_visit() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let home = parent.get("/").await.body;
        let card = part(&home, &format!("id=\"glance-{anna}\""), "</section>");
        assert!(card.contains("Anna Krūmiņa, 2.B"), "{home}");
        assert!(
            card.contains("Rīt — piektdiena, 27.11.2026.") && card.contains("1. 08:30–09:10 Matemātika"),
            "tomorrow's lessons: {card}"
        );
        let absences = part(card, "Kavējumi šonedēļ", "</ul>");
        assert!(
            absences.contains("23.11.2026. 2. st. Latviešu valoda un literatūra — n (neattaisnots)"),
            "{absences}"
        );
        assert!(card.contains("Kavējumi, par kuriem vēl nav ziņots: 1."), "{card}");
        assert!(!card.contains("class=\"badge\""), "nothing is new on the first visit");
        assert!(home.contains("Laipni lūdzam"), "the welcome, on the first visit");

        // The teacher announces a test and grades Anna after the parent's visit.
        t.clock.advance_secs(60);
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        let assessment = |kind: &str, date: &str, title: &str| serde_json::json!({"kind": kind, "scale": "ten", "date": date, "title": title});
        let r = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/assessments"),
                assessment("summative", "2026-12-01", "Daļskaitļi"),
                Some(&token),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.body);
        let graded = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/assessments"),
                assessment("formative", "2026-11-26", "Mutiski"),
                Some(&token),
            )
            .await
            .json()["id"]
            .as_i64()
            .expect("assessment");
        let r = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/cells"),
                serde_json::json!({"cells": [{"key": format!("g:{graded}:{anna}"), "value": "3"}]}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // The next visit.
        t.clock.advance_secs(3600);
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let home = parent.get("/").await.body;
        let card = part(&home, &format!("id=\"glance-{anna}\""), "</section>");
        let grades = part(card, "Jaunākie vērtējumi", "</ul>");
        let newest = grades.split("<li>").nth(1).unwrap_or_default();
        assert!(
            newest.contains("class=\"mark low\">3<")
                && newest.contains("Matemātika, 26.11.2026.")
                && newest.contains("class=\"badge\">jauns<"),
            "the new grade first, marked new: {grades}"
        );
        assert_eq!(grades.matches("class=\"badge\"").count(), 1, "only it is new: {grades}");
        let tests = part(card, "Gaidāmie pārbaudes darbi", "</ul>");
        assert!(
            tests.contains("01.12.2026. Matemātika — Summatīvais, Daļskaitļi"),
            "{tests}"
        );
        assert!(!home.contains("Laipni lūdzam"), "the welcome is not shown again");

        // Once the family reports the absence, nothing waits for them.
        let r = parent
            .submit(
                &format!("/diary?student={anna}"),
                "/diary/absence",
                &[
                    ("student", &anna.to_string()),
                    ("from", "23.11.2026."),
                    ("to", "23.11.2026."),
                    ("reason", "Ārsta apmeklējums"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let home = parent.get("/").await.body;
        let card = part(&home, &format!("id=\"glance-{anna}\""), "</section>");
        assert!(!card.contains("vēl nav ziņots"), "{card}");
        assert!(card.contains("— n (par to ziņots)"), "{card}");

        // The tutor sees the low mark and the notice in the class's week.
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let home = tutor.get("/").await.body;
        let week = part(&home, "Klase šonedēļ", "</section>");
        assert!(week.contains("Krūmiņa Anna — Matemātika 3, 26.11.2026."), "{week}");
        assert!(
            week.contains("Ziņojumi par kavējumiem bez attaisnojuma</a></dt><dd>1<"),
            "the family's notice waits for the tutor's excuse: {week}"
        );
    }
}

#[tokio::test]
async fn a_teachers_home_leads_to_each_lessons_attendance_and_lists_what_is_due() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let home = teacher.get("/").await.body;
        let today = part(&home, "Šodienas stundas", "</section>");
        let link = today
            .split("href=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a lesson's link")
            .replace("&#38;", "&");
        assert!(link.contains("/lesson?date=2026-11-26&no="), "{today}");
        let lesson = teacher.get(&link).await;
        assert_eq!(lesson.status, StatusCode::OK);
        assert!(
            lesson.body.contains("name=\"topic\""),
            "the lesson's form: {}",
            lesson.body
        );
        let due = part(&home, "id=\"deadlines-h\"", "</section>");
        assert!(
            due.contains("Šodien jāizdara (3)") && due.contains("Stundas tēma un apmeklējums"),
            "{due}"
        );
        // Another role's home has no lessons and no deadlines of a teacher.
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let home = parent.get("/").await.body;
        assert!(!home.contains("Šodienas stundas") && !home.contains("id=\"deadlines-h\""));
    }
}

#[tokio::test]
async fn the_deputys_home_shows_the_institutions_week_each_figure_a_link() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let home = deputy.get("/").await.body;
        let week = part(&home, "Iestāde šonedēļ", "</section>");
        assert!(
            week.contains("href=\"/deadlines/overview?i=1&#38;kind=lesson\">Stundas bez ieraksta pēc termiņa</a>"),
            "{week}"
        );
        // Each teacher in the list leads to their overdue items, and the list is what it says.
        let person = week
            .split("&#38;person=")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a teacher with overdue items");
        let listed: usize = week
            .split(&format!("&#38;person={person}\">"))
            .nth(1)
            .and_then(|s| s.split("</li>").next())
            .and_then(|s| s.rsplit("— ").next())
            .and_then(|n| n.trim().parse().ok())
            .expect("how many");
        let overview = deputy.get(&format!("/deadlines/overview?i=1&person={person}")).await;
        assert_eq!(overview.status, StatusCode::OK);
        assert_eq!(
            overview.body.matches("<tr data-state=").count(),
            listed,
            "the overview lists as many: {}",
            overview.body
        );
        // Classes with unexcused absences this week lead to their absences.
        let classes = part(week, "Neattaisnotas kavētās stundas šonedēļ", "</ol>");
        let link = classes
            .split("href=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a class with unexcused absences");
        assert!(link.ends_with("/absences"), "{classes}");
        assert_eq!(deputy.get(link).await.status, StatusCode::OK);

        // A teacher's home has no institution's week.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        assert!(!teacher.get("/").await.body.contains("Iestāde šonedēļ"));
    }
}

#[tokio::test]
async fn a_preschool_teachers_home_shows_each_groups_day_before_its_deadlines() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        // 08:00 in Riga: before the attendance's 09:00.
        t.clock.advance_secs(-4 * 3600);
        let g = t
            .id("SELECT id FROM classes WHERE name = 'Mārītes' AND kind = 'group'")
            .await;
        let child = t
            .id(&format!(
                "SELECT MIN(e.student_id) FROM enrolments e WHERE e.class_id = {g}"
            ))
            .await;
        let mut teacher = t.client();
        teacher.login("pii.skolotaja", "demo").await;
        let group_line = |home: &str| part(home, "Mārītes — ", "</li>\n").to_string();
        let home = teacher.get("/").await.body;
        let line = group_line(&home);
        assert!(
            line.contains("class=\"bad-text\">Šodienas apmeklējums vēl nav atzīmēts (līdz 9:00).")
                && line.contains("Dienas žurnāls vēl nav aizpildīts (līdz 19:00)."),
            "{line}"
        );
        let due = part(&home, "id=\"deadlines-h\"", "</section>");
        assert!(due.contains("Apmeklējums"), "attendance is due today, not late: {due}");

        let r = teacher
            .submit(
                &format!("/groups/{g}"),
                &format!("/groups/{g}/attendance"),
                &[
                    ("date", "2026-11-26"),
                    (&format!("m:{child}"), "N"),
                    (&format!("r:{child}"), ""),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("/groups/{g}?date=2026-11-26&done=ok").as_str()),
            "on time: {}",
            r.body
        );
        let line = group_line(&teacher.get("/").await.body);
        assert!(
            line.contains("class=\"ok-text\">Šodienas apmeklējums atzīmēts: prombūtnē 1 no 16."),
            "{line}"
        );
    }
}

/// Someone in several institutions reaches each one's part of the home page from the menu on every
/// page; someone in one sees its name under "Klade" instead.
#[tokio::test]
async fn the_menu_leads_to_each_of_several_institutions() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let preschool = t.id("SELECT id FROM institutions WHERE kind = 'preschool'").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let messages = parent.get("/messages").await.body;
        for id in [school, preschool] {
            assert!(
                messages.contains(&format!("<a href=\"/#inst-{id}\" class=\"place\">")),
                "{messages}"
            );
        }
        assert!(!messages.contains("<small>"), "no one institution stands under Klade");
        let home = parent.get("/").await.body;
        for id in [school, preschool] {
            assert!(home.contains(&format!("id=\"inst-{id}\"")), "the link's target: {home}");
        }
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let page = teacher.get("/messages").await.body;
        assert!(!page.contains("class=\"place\"") && page.contains("<small>Daugavmalas"));
    }
}
