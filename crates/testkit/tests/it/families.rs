//! Families: the diary, absence notices (on time and late), the notice in the teacher's grid, and
//! the tutor's excuses with what is left unexcused after the month's end.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};
use sqlx::Row;

#[tokio::test]
async fn a_parent_reads_the_diary_and_reports_an_absence() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let week = parent.get(&format!("/diary?student={anna}&date=2026-11-16")).await;
        assert_eq!(week.status, StatusCode::OK);
        assert!(week.body.contains("Anna Krūmiņa, 2.B"));
        assert!(week.body.contains("Jēkabs Krūmiņš"), "one click to the other child");
        assert!(
            week.body.contains("Tēma:") && week.body.contains("Matemātika"),
            "{}",
            week.body
        );

        // The form's dates are written the Latvian way, whatever the browser's language.
        assert!(
            week.body.contains("name=\"from\" inputmode=\"decimal\"") && week.body.contains("value=\"26.11.2026.\""),
            "{}",
            week.body
        );
        assert!(!week.body.contains("type=\"date\""));
        // 12:00 in Riga: on time. The notice covers the week so far.
        let r = parent
            .submit(
                &format!("/diary?student={anna}"),
                "/diary/absence",
                &[
                    ("student", &anna.to_string()),
                    ("from", "26.11.2026."),
                    ("to", "27.11.2026"),
                    ("reason", "Saaukstēšanās"),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("/diary?student={anna}&done=sent").as_str()),
            "{}",
            r.body
        );
        // 19:00 in Riga, for today: accepted, but late.
        t.clock.advance_secs(7 * 3600);
        let r = parent
            .submit(
                &format!("/diary?student={anna}"),
                "/diary/absence",
                &[
                    ("student", &anna.to_string()),
                    ("from", "2026-11-26"),
                    ("to", ""),
                    ("reason", "Ārsta apmeklējums"),
                ],
            )
            .await;
        assert_eq!(r.location(), Some(format!("/diary?student={anna}&done=late").as_str()));
        let page = parent.get(&format!("/diary?student={anna}&done=late")).await.body;
        assert!(
            page.contains("pieteikts novēloti") && page.contains("Saaukstēšanās"),
            "{page}"
        );
        let bad = parent
            .submit(
                &format!("/diary?student={anna}"),
                "/diary/absence",
                &[
                    ("student", &anna.to_string()),
                    ("from", "2026-11-27"),
                    ("to", "2026-11-20"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Beigu datums nevar būt pirms sākuma."));
        assert!(
            bad.body.contains("value=\"2026-11-27\" required")
                && bad.body.contains("value=\"2026-11-20\" aria-invalid=\"true\"")
                && bad.body.contains("name=\"reason\" value=\"x\""),
            "the notice as typed, the end marked: {}",
            bad.body
        );

        // Not another family's child.
        let other = t.id("SELECT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE c.name = '1.A' ORDER BY e.student_id LIMIT 1").await;
        assert_eq!(
            parent.get(&format!("/diary?student={other}")).await.status,
            StatusCode::FORBIDDEN
        );

        // The adult student reports for himself; Anna, a minor, cannot.
        let mut adult = t.client();
        adult.login("skolens", "demo").await;
        let me = t.id("SELECT person_id FROM accounts WHERE username = 'skolens'").await;
        let r = adult
            .submit(
                "/diary",
                "/diary/absence",
                &[
                    ("student", &me.to_string()),
                    ("from", "2026-11-27"),
                    ("to", ""),
                    ("reason", "Darbs"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let code = t
            .scalar(&format!("SELECT username FROM accounts WHERE person_id = {anna}"))
            .await;
        let mut minor = t.client();
        minor.login(&code, "demo").await;
        let r = minor
            .submit(
                "/diary",
                "/diary/absence",
                &[
                    ("student", &anna.to_string()),
                    ("from", "2026-11-27"),
                    ("to", ""),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("piesaka vecāki"));

        // The teacher sees a notice in the grid of the lessons it covers.
        parent
            .submit(
                &format!("/diary?student={anna}"),
                "/diary/absence",
                &[
                    ("student", &anna.to_string()),
                    ("from", "2026-11-16"),
                    ("to", "2026-11-25"),
                    ("reason", "Sanatorija"),
                ],
            )
            .await;
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        teacher.login("skolotajs", "demo").await;
        let grid = teacher.get(&format!("/journal/{course}")).await.body;
        assert!(
            grid.contains("class=\"noticed\" title=\"Kavējumu pieteikumi: Sanatorija\""),
            "the notice shows in the cells it covers"
        );
        // The API's grid carries the same notice, so a teacher marking through it sees it too.
        let g = teacher
            .api_get(&format!("/api/v1/courses/{course}/grid"), &token)
            .await
            .json();
        assert!(
            g["notices"]
                .as_array()
                .expect("notices")
                .iter()
                .any(|n| n["reason"] == "Sanatorija" && n["student_id"] == anna && n["from_date"] == "2026-11-16"),
            "{}",
            g["notices"]
        );
    }
}

#[tokio::test]
async fn the_tutor_excuses_and_sees_what_is_left_after_the_month() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        // An unexcused absence of Anna's in October, to be sure there is one.
        let lesson = t.id("SELECT l.id FROM lessons l JOIN courses c ON c.id = l.course_id JOIN classes k ON k.id = c.class_id WHERE k.name = '2.B' AND l.date = '2026-10-06' ORDER BY l.id LIMIT 1").await;
        t.exec(&format!(
            "DELETE FROM attendance WHERE lesson_id = {lesson} AND student_id = {anna}"
        ))
        .await;
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        // The absence is entered through the journal by the course's teacher (any teacher of 2.B).
        let teacher_account = sqlx::query(
            "SELECT a.username FROM accounts a JOIN course_teachers t ON t.person_id = a.person_id JOIN lessons l ON l.course_id = t.course_id WHERE l.id = $1",
        )
        .bind(lesson)
        .fetch_one(t.db().pool())
        .await
        .expect("teacher")
        .try_get::<String, _>("username")
        .expect("username");
        let mut teacher = t.client();
        let tt = teacher.api_login(&teacher_account, "demo").await;
        let no = t
            .id(&format!("SELECT lesson_no FROM lessons WHERE id = {lesson}"))
            .await;
        let course = t
            .id(&format!("SELECT course_id FROM lessons WHERE id = {lesson}"))
            .await;
        let r = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/cells"),
                serde_json::json!({"cells": [{"key": format!("a:2026-10-06:{no}:{anna}"), "value": "n"}]}),
                Some(&tt),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let page = tutor.get(&format!("/classes/{class}/absences")).await;
        assert_eq!(page.status, StatusCode::OK);
        // Anna's part of the list of absences still owed an excuse.
        let annas = |page: &str| -> String {
            page.split("<h3>Krūmiņa Anna</h3>")
                .nth(1)
                .and_then(|rest| rest.split("</ul>").next())
                .unwrap_or_default()
                .to_string()
        };
        assert!(annas(&page.body).contains("<li>06.10.2026., "), "{}", page.body);
        let mut parent = t.client();
        let ptoken = parent.api_login("vecaks", "demo").await;
        let excused_in_api = |j: &serde_json::Value| -> Vec<bool> {
            j["attendance"]
                .as_array()
                .expect("attendance")
                .iter()
                .filter(|m| m["date"] == "2026-10-06" && m["code"] == "n")
                .map(|m| m["excused"].as_bool().expect("excused"))
                .collect()
        };
        let before = parent
            .api_get(&format!("/api/v1/students/{anna}/journal"), &ptoken)
            .await
            .json();
        assert!(excused_in_api(&before).contains(&false), "{before}");
        let r = tutor
            .submit(
                &format!("/classes/{class}/absences"),
                &format!("/classes/{class}/absences"),
                &[
                    ("student", &anna.to_string()),
                    ("from", "2026-10-05"),
                    ("to", "2026-10-09"),
                    ("reason", "slimība"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            r.location(),
            Some(format!("/classes/{class}/absences?done=excused").as_str())
        );
        let page = tutor.get(&format!("/classes/{class}/absences")).await.body;
        assert!(!annas(&page).contains("<li>06.10.2026., "), "excused now");
        // An excuse for days ahead is kept, and the tutor is told it excuses nothing yet.
        let r = tutor
            .submit(
                &format!("/classes/{class}/absences"),
                &format!("/classes/{class}/absences"),
                &[
                    ("student", &anna.to_string()),
                    ("from", "2026-12-01"),
                    ("to", "2026-12-02"),
                    ("reason", "slimība"),
                ],
            )
            .await;
        let ahead = tutor.get(r.location().expect("redirect")).await.body;
        assert!(ahead.contains("Šajās dienās vēl nav ierakstītu kavējumu"), "{ahead}");
        assert!(!ahead.contains("Kavējumi attaisnoti."));
        // The API says what the diary and the report say: the excuse covers the absence.
        let after = parent
            .api_get(&format!("/api/v1/students/{anna}/journal"), &ptoken)
            .await
            .json();
        let after = excused_in_api(&after);
        assert!(!after.is_empty() && after.iter().all(|e| *e), "{after:?}");
        assert!(
            klade_app::journal::verify(&t.app).await.expect("verify").is_empty(),
            "the excuse is in the chain"
        );

        // The parent sees it excused.
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let diary = parent.get(&format!("/diary?student={anna}&date=2026-10-06")).await.body;
        assert!(diary.contains("Apmeklējums: n — nebija (attaisnots)"), "{diary}");

        // The deputy for upbringing sees the class's list; a subject teacher does not.
        let mut deputy = t.client();
        deputy.login("audzinasana", "demo").await;
        assert_eq!(
            deputy.get(&format!("/classes/{class}/absences")).await.status,
            StatusCode::OK
        );
        let mut subject = t.client();
        subject.login("skolotajs", "demo").await;
        assert_eq!(
            subject.get(&format!("/classes/{class}/absences")).await.status,
            StatusCode::FORBIDDEN
        );
        // Another class's tutor cannot excuse here.
        let r = subject
            .post_form(
                &format!("/classes/{class}/absences"),
                &[
                    ("csrf", "x"),
                    ("student", &anna.to_string()),
                    ("from", "2026-10-05"),
                    ("to", ""),
                    ("reason", "slimība"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_checked_absence_stays_unexcused_and_is_no_longer_owed() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut tutor = t.client();
        let token = tutor.api_login("audzinataja", "demo").await;
        let of_anna = |list: &serde_json::Value| -> usize {
            list.as_array()
                .expect("list")
                .iter()
                .filter(|pair| pair[0]["id"] == anna)
                .count()
        };
        let owed = |d: &serde_json::Value| -> i64 {
            d["late"]
                .as_array()
                .expect("late")
                .iter()
                .filter(|i| i["kind"] == "excuses")
                .map(|i| i["count"].as_i64().expect("count"))
                .sum()
        };
        let before = tutor
            .api_get(&format!("/api/v1/classes/{class}/absences"), &token)
            .await
            .json();
        let anna_overdue = of_anna(&before["overdue"]);
        assert!(
            anna_overdue > 0,
            "Anna has unexcused absences in the closed months: {before}"
        );
        let owed_before = owed(&tutor.api_get("/api/v1/deadlines", &token).await.json());

        // Neither her parent nor another class's tutor may mark them checked.
        let mut parent = t.client();
        let ptoken = parent.api_login("vecaks", "demo").await;
        let r = parent
            .api_post(
                &format!("/api/v1/students/{anna}/keep-unexcused"),
                serde_json::json!({}),
                Some(&ptoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut subject = t.client();
        let stoken = subject.api_login("skolotajs", "demo").await;
        let r = subject
            .api_post(
                &format!("/api/v1/students/{anna}/keep-unexcused"),
                serde_json::json!({}),
                Some(&stoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        tutor.login("audzinataja", "demo").await;
        let page = tutor.get(&format!("/classes/{class}/absences")).await.body;
        assert!(page.contains("Pārbaudīts: paliek neattaisnoti"), "{page}");
        let r = tutor
            .submit(
                &format!("/classes/{class}/absences"),
                &format!("/classes/{class}/absences/checked"),
                &[("student", &anna.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = tutor.get(&format!("/classes/{class}/absences?done=checked")).await.body;
        assert!(page.contains("Pārbaudīti, paliek neattaisnoti"), "{page}");

        // No longer owed: off the list of excuses due and off the tutor's deadlines...
        let after = tutor
            .api_get(&format!("/api/v1/classes/{class}/absences"), &token)
            .await
            .json();
        assert_eq!(of_anna(&after["overdue"]), 0, "{after}");
        assert_eq!(of_anna(&after["checked"]), anna_overdue);
        let owed_after = owed(&tutor.api_get("/api/v1/deadlines", &token).await.json());
        assert_eq!(owed_after, owed_before - anna_overdue as i64);
        // ...and still unexcused for the family.
        let j = parent
            .api_get(&format!("/api/v1/students/{anna}/journal"), &ptoken)
            .await
            .json();
        let unexcused = j["attendance"]
            .as_array()
            .expect("attendance")
            .iter()
            .filter(|m| m["absent"] == true && m["excused"] == false && m["date"].as_str() < Some("2026-11-01"))
            .count();
        assert_eq!(unexcused, anna_overdue, "{j}");
    }
}

#[tokio::test]
async fn the_diary_and_notices_through_the_api() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        let token = parent.api_login("vecaks", "demo").await;
        let d = parent
            .api_get(&format!("/api/v1/students/{anna}/diary?date=2026-11-16"), &token)
            .await
            .json();
        assert_eq!(d["class_name"], "2.B");
        assert_eq!(d["days"].as_array().map(Vec::len), Some(7));
        assert!(d["days"][0]["lessons"].as_array().is_some_and(|l| !l.is_empty()));
        let r = parent
            .api_post(
                &format!("/api/v1/students/{anna}/absence-notices"),
                serde_json::json!({"from": "2026-11-26", "reason": "Drudzis"}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["late"], false);
        let r = parent
            .api_post(
                &format!("/api/v1/students/{anna}/excuses"),
                serde_json::json!({"from": "2026-11-26", "reason": "slimība"}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "only the tutor excuses");
        let mut tutor = t.client();
        let tt = tutor.api_login("audzinataja", "demo").await;
        // Not the tutor's own child: the student's placement is read, not taken from the session.
        let d = tutor
            .api_get(&format!("/api/v1/students/{anna}/diary?date=2026-11-16"), &tt)
            .await
            .json();
        assert_eq!(d["class_name"], "2.B", "{d}");
        assert!(d["days"][0]["lessons"].as_array().is_some_and(|l| !l.is_empty()));
        let r = tutor
            .api_post(
                &format!("/api/v1/students/{anna}/excuses"),
                serde_json::json!({"from": "2026-11-26", "reason": "slimība"}),
                Some(&tt),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["covered"], 0, "no absence is recorded on 26 November yet");
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let a = tutor
            .api_get(&format!("/api/v1/classes/{class}/absences"), &tt)
            .await
            .json();
        assert!(a["notices"]
            .as_array()
            .expect("notices")
            .iter()
            .any(|n| n["reason"] == "Drudzis"));
    }
}

#[tokio::test]
async fn grades_and_their_dynamics_for_the_family_and_the_teacher() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = parent.get(&format!("/students/{anna}/grades")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("<svg class=\"chart\"") && page.body.contains("1. semestris: vidējais"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Matemātika") && page.body.contains("Latviešu valoda"));
        // The absences per month beside the grades, for the family; not for a teacher's look.
        assert!(
            page.body.contains("Kavētās stundas pa mēnešiem")
                && page.body.contains(r#"class="category">2026. gada septembris</text>"#)
                && page.body.contains(r#"class="legend">neattaisnoti</text>"#),
            "{}",
            page.body
        );
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let look = teacher.get(&format!("/students/{anna}/grades")).await;
        assert_eq!(look.status, StatusCode::OK);
        assert!(!look.body.contains("Kavētās stundas pa mēnešiem"));
        // Subjects in Latvian order: Ķīmija after Fizika, not after Vēsture; percent marks with %.
        let at = |name: &str| page.body.find(name).unwrap_or_else(|| panic!("{name}"));
        assert!(
            at("Fizika") < at("Ķīmija") && at("Ķīmija") < at("Vēsture"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(r#"<span class="mark plain">"#) && page.body.contains(" %</span>"),
            "{}",
            page.body
        );
        // A 1–10 mark reads at a glance: its band's colour beside the mark and its words.
        let words = [
            "izcili",
            "teicami",
            "ļoti labi",
            "labi",
            "gandrīz labi",
            "viduvēji",
            "gandrīz viduvēji",
        ];
        assert!(
            page.body.contains(r#"<span class="mark high">"#) || page.body.contains(r#"<span class="mark middle">"#),
            "{}",
            page.body
        );
        assert!(
            words
                .iter()
                .any(|w| page.body.contains(&format!(r#"<span class="small">{w}</span>"#))),
            "{}",
            page.body
        );
        // The family's own bar leads here: to the first of their students, each one a tab away.
        assert!(page.body.contains("<nav class=\"bottom\""), "{}", page.body);
        let tab = page
            .body
            .find(&format!("href=\"/students/{anna}/grades\" aria-current=\"page\""));
        assert!(tab.is_some(), "{}", page.body);
        let first = parent.get("/grades").await;
        let to = first
            .location()
            .expect("the grades tab leads to a student's grades")
            .to_string();
        assert!(to.starts_with("/students/") && to.ends_with("/grades"), "{to}");
        assert_eq!(parent.get(&to).await.status, StatusCode::OK);
        // The progress report likewise.
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let report = tutor.get(&format!("/classes/{class}/report?student={anna}")).await.body;
        let at = |name: &str| report.find(name).unwrap_or_else(|| panic!("{name}"));
        assert!(at("Fizika") < at("Ķīmija") && at("Ķīmija") < at("Vēsture"), "{report}");
        // The maths teacher sees only maths; a teacher of none of hers sees nothing.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let page = teacher.get(&format!("/students/{anna}/grades")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Matemātika") && !page.body.contains("Latviešu valoda"));
        // A teacher has no diary of their own: no family bar, no grades of their own to open.
        assert!(!page.body.contains("<nav class=\"bottom\""), "{}", page.body);
        assert_eq!(teacher.get("/grades").await.status, StatusCode::NOT_FOUND);
        let mut preschool = t.client();
        preschool.login("pii.skolotaja", "demo").await;
        assert_eq!(
            preschool.get(&format!("/students/{anna}/grades")).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_progress_report_for_a_student_or_the_whole_class() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let all = tutor.get(&format!("/classes/{class}/report")).await;
        assert_eq!(all.status, StatusCode::OK);
        assert_eq!(
            all.body.matches("<h1>Sekmju izraksts</h1>").count(),
            25,
            "one per student"
        );
        assert!(all.body.contains("Kavētās stundas:") && all.body.contains("Matemātika"));
        let mut clerk = t.client();
        clerk.login("lietvede", "demo").await;
        let home = clerk.get("/").await.body;
        assert!(
            home.contains(&format!("/classes/{class}/report")),
            "the clerk reaches every class's reports"
        );
        let one = clerk
            .get(&format!(
                "/classes/{class}/report?student={anna}&from=2026-09-01&to=2026-10-31"
            ))
            .await;
        assert_eq!(one.body.matches("<h1>Sekmju izraksts</h1>").count(), 1);
        assert!(one.body.contains("Anna Krūmiņa") && one.body.contains("01.09.2026. – 31.10.2026."));
        // The same as a PDF: the name with its diacritics, and the totals the journal holds.
        let pdf = clerk
            .request(
                axum::http::Method::GET,
                &format!("/classes/{class}/report.pdf?student={anna}&from=2026-09-01&to=2026-10-31"),
                None,
                String::new(),
                None,
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(
            pdf.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/pdf")
        );
        let text = klade_docs::pdf::extract_text(&pdf.bytes).expect("a PDF");
        assert!(
            text.contains("Sekmju izraksts") && text.contains("Anna Krūmiņa"),
            "{text}"
        );
        // A table with its columns named, marks apart from percentages, and lines to sign on.
        for heading in [
            "Vērtējumi (1–10",
            "Formatīvie (%)",
            "Vidējais",
            "Klases audzinātājs (paraksts",
            "Direktors (paraksts",
        ] {
            assert!(text.contains(heading), "{heading}: {text}");
        }
        assert!(
            one.body.contains("<th scope=\"col\">Formatīvie (%)</th>") && one.body.contains("class=\"signatures\""),
            "{}",
            one.body
        );
        // Each grade with its day and kind: "23.09. F 61 %".
        let dated = one
            .body
            .split(". F ")
            .skip(1)
            .any(|rest| rest.split([';', '<']).next().is_some_and(|mark| mark.ends_with(" %")));
        assert!(dated, "{}", one.body);
        assert!(text.contains("Z. v."), "the seal's place: {text}");
        let token = clerk.api_login("lietvede", "demo").await;
        let json = clerk
            .api_get(
                &format!("/api/v1/classes/{class}/progress-reports?student={anna}&from=2026-09-01&to=2026-10-31"),
                &token,
            )
            .await
            .json();
        let r = &json[0];
        let absent = t
            .id(&format!(
                "SELECT COUNT(*) FROM attendance a JOIN lessons l ON l.id = a.lesson_id JOIN attendance_kinds k \
                 ON k.institution_id = a.institution_id AND k.code = a.code \
                 WHERE a.student_id = {anna} AND k.absent = {} AND l.date >= '2026-09-01' AND l.date <= '2026-10-31'",
                if backend == klade_store::Backend::Postgres {
                    "TRUE"
                } else {
                    "1"
                }
            ))
            .await;
        assert_eq!(
            r["excused"].as_i64().unwrap_or(-1) + r["unexcused"].as_i64().unwrap_or(-1),
            absent
        );
        // The table read back: a subject's line holds its marks in date order and its average.
        let subjects = r["subjects"].as_array().expect("subjects");
        let names: Vec<&str> = subjects.iter().filter_map(|x| x["course"].as_str()).collect();
        let maths = subjects
            .iter()
            .find(|x| x["course"] == "Matemātika")
            .expect("Anna's Matemātika");
        let at = text.find("Matemātika").expect("Matemātika in the PDF");
        let next = names
            .iter()
            .filter(|n| **n != "Matemātika")
            .filter_map(|n| text[at..].find(n))
            .min()
            .unwrap_or(text.len() - at);
        let line = &text[at..at + next];
        let mut from = 0;
        for g in maths["marks"].as_array().expect("marks") {
            let date = g["date"].as_str().expect("date");
            let shown = format!("{}.{}.", &date[8..10], &date[5..7]);
            let found = line[from..]
                .find(&shown)
                .unwrap_or_else(|| panic!("{shown} after {from} in {line}"));
            from += found + shown.len();
        }
        assert!(from > 0, "Anna has marks in Matemātika");
        let average = klade_domain::grading::format_average(maths["average"].as_f64().expect("an average"));
        assert!(line.contains(&average), "{average} in {line}");
        let totals = format!(
            "Kavētās stundas: {} attaisnoti, {} neattaisnoti, {} nokavēšanās",
            r["excused"], r["unexcused"], r["late"]
        );
        assert!(text.contains(&totals), "{totals} in {text}");
        // Every student of the school at once.
        let all = clerk
            .request(
                axum::http::Method::GET,
                "/reports/progress.pdf?i=1",
                None,
                String::new(),
                None,
            )
            .await;
        assert_eq!(all.status, StatusCode::OK);
        let every = klade_docs::pdf::extract_text(&all.bytes).expect("a PDF");
        assert!(
            every.matches("Sekmju izraksts").count() >= 300,
            "one report per student of the school"
        );
        assert!(every.contains("Anna Krūmiņa") && every.contains("Kristaps Ābele"));
        let bad = clerk
            .get(&format!("/classes/{class}/report?from=2026-10-31&to=2026-09-01"))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        assert_eq!(
            teacher.get(&format!("/classes/{class}/report")).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn a_parent_is_told_of_a_grade_that_stands_after_its_correction_window_and_not_at_night() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let r = parent
            .submit(
                "/account",
                "/account/notifications",
                &[
                    ("notify", "grade:sms"),
                    ("notify", "grade:email"),
                    ("notify", "remark:email"),
                ],
            )
            .await;
        assert_eq!(r.location(), Some("/account?done=notifications"), "{}", r.body);
        assert!(parent
            .get("/account")
            .await
            .body
            .contains("value=\"grade:sms\" checked"));
        let mut admin = t.client();
        admin.login("admin", "demo").await;
        let r = admin
            .submit("/admin/rules?i=1", "/admin/rules/sms?i=1", &[("allowed", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // The teacher grades Anna: the save writes one job, and no message yet.
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        let a = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/assessments"),
                serde_json::json!({"kind": "summative", "scale": "ten", "date": "2026-11-26", "title": "Ieskaite"}),
                Some(&token),
            )
            .await
            .json()["id"]
            .as_i64()
            .expect("assessment");
        let r = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/cells"),
                serde_json::json!({"cells": [{"key": format!("g:{a}:{anna}"), "value": "9"}]}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(t.count("sms_messages").await, 0);
        assert_eq!(t.scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'notify'").await, "1");

        // The grade waits out its correction window (15 minutes); the teacher puts a slip right
        // after five, so the 9 is never told, only the 8, fifteen minutes after the correction.
        let worker = klade_notify::Worker::new(t.db().clone(), klade_notify::SmsGateway::Outbox);
        let grade =
            |value: &'static str| serde_json::json!({"cells": [{"key": format!("g:{a}:{anna}"), "value": value}]});
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(t.count("sms_messages").await, 0, "not before the window ends");
        t.clock.advance_secs(5 * 60);
        let r = teacher
            .api_post(&format!("/api/v1/courses/{course}/cells"), grade("8"), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        t.clock.advance_secs(10 * 60);
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(t.count("sms_messages").await, 0, "the corrected 9 is not told");
        t.clock.advance_secs(5 * 60);
        worker.run_due(t.app.now()).await.expect("jobs");
        let sms = t.scalar("SELECT body FROM sms_messages").await;
        assert!(sms.contains("Matemātika") && sms.contains("jauns vērtējums 8"), "{sms}");
        assert_eq!(t.count("emails").await, 1);
        let outbox = admin.get("/admin/sms").await.body;
        assert!(outbox.contains("E-pasta izsūtne") && outbox.contains("jauns vērtējums 8"));
        assert!(!outbox.contains("jauns vērtējums 9"));

        // At 21:30 a grade is held through the quiet hours and told at 07:00.
        t.clock.set("2026-11-26T19:30:00Z".parse().expect("21:30 in Riga"));
        let r = teacher
            .api_post(&format!("/api/v1/courses/{course}/cells"), grade("7"), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        t.clock.advance_secs(15 * 60);
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(t.count("sms_messages").await, 1, "held in the quiet hours");
        t.clock.set("2026-11-27T04:59:00Z".parse().expect("06:59 in Riga"));
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(t.count("sms_messages").await, 1, "held until 07:00");
        t.clock.set("2026-11-27T05:00:00Z".parse().expect("07:00 in Riga"));
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(t.count("sms_messages").await, 2);
        assert!(t
            .scalar("SELECT body FROM sms_messages ORDER BY id DESC LIMIT 1")
            .await
            .contains("jauns vērtējums 7"));

        // A teacher has no child to be told about.
        let mut other = t.client();
        other.login("skolotajs", "demo").await;
        let r = other
            .submit("/account", "/account/notifications", &[("notify", "grade:sms")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

/// A fake SMTP server that accepts one message and hands back what it received.
async fn smtp_server() -> (String, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let _ = write.write_all(b"220 fake ESMTP\r\n").await;
        let mut data = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    let _ = write.write_all(b"250 queued\r\n").await;
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let upper = line.to_uppercase();
            let answer: &[u8] = if upper.starts_with("DATA") {
                in_data = true;
                b"354 go on\r\n"
            } else if upper.starts_with("QUIT") {
                let _ = write.write_all(b"221 bye\r\n").await;
                break;
            } else {
                b"250 OK\r\n"
            };
            let _ = write.write_all(answer).await;
        }
        let _ = tx.send(data);
    });
    (format!("smtp://{addr}"), rx)
}

#[tokio::test]
async fn e_mail_goes_out_through_smtp() {
    let t = TestApp::demo(klade_store::Backend::Sqlite).await;
    let anna = t.person_named("Anna", "Krūmiņa").await;
    let mut parent = t.client();
    parent.login("vecaks", "demo").await;
    parent
        .submit("/account", "/account/notifications", &[("notify", "remark:email")])
        .await;
    let mut teacher = t.client();
    let token = teacher.api_login("skolotajs", "demo").await;
    let course = teacher.course_id(&token, "Matemātika", "2.B").await;
    let r = teacher
        .api_post(
            &format!("/api/v1/courses/{course}/notes"),
            serde_json::json!({"kind": "praise", "date": "2026-11-26", "text": "Lieliski", "students": [anna]}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let (url, received) = smtp_server().await;
    let gateway = klade_notify::EmailGateway::smtp(&url, "Klade <klade@skola.example>").expect("gateway");
    let worker = klade_notify::Worker::with_email(t.db().clone(), klade_notify::SmsGateway::Outbox, gateway);
    // A remark waits out its correction window.
    t.clock.advance_secs(15 * 60);
    worker.run_due(t.app.now()).await.expect("jobs");
    assert_eq!(t.scalar("SELECT status FROM emails").await, "sent");
    let data = tokio::time::timeout(std::time::Duration::from_secs(5), received)
        .await
        .expect("in time")
        .expect("a message");
    assert!(
        data.contains("ilze.krumina@pasts.example") && data.contains("Subject: Klade") && data.contains("Lieliski"),
        "{data}"
    );
}

/// Holdings are kept in memory between requests, but a change of what a person holds — here a
/// guardianship removed straight in the database — is seen by the very next request.
#[tokio::test]
async fn a_change_of_rights_is_seen_at_once_despite_the_cache() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let path = format!("/diary?student={anna}");
        assert_eq!(parent.get(&path).await.status, StatusCode::OK);
        assert_eq!(
            parent.get(&path).await.status,
            StatusCode::OK,
            "served with the cached holdings"
        );
        t.exec(&format!("DELETE FROM guardianships WHERE child_id = {anna}"))
            .await;
        let r = parent.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
}

/// A cross-class module (no class; its students listed) shows in the diary too: its marks and grades
/// are read through the student's own courses.
#[tokio::test]
async fn a_cross_class_module_shows_in_the_diary() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let year = t
            .id(&format!(
                "SELECT MIN(id) FROM school_years WHERE institution_id = {school}"
            ))
            .await;
        let subject = t.id("SELECT MIN(id) FROM subjects WHERE name = 'Fotografēšana'").await;
        t.exec(&format!(
            "INSERT INTO courses (institution_id, school_year_id, subject_id, class_id, name) \
             VALUES ({school}, {year}, {subject}, NULL, 'Fotografēšanas plenērs')"
        ))
        .await;
        let course = t
            .id("SELECT id FROM courses WHERE name = 'Fotografēšanas plenērs'")
            .await;
        t.exec(&format!(
            "INSERT INTO course_students (institution_id, course_id, student_id) VALUES ({school}, {course}, {anna})"
        ))
        .await;
        t.exec(&format!(
            "INSERT INTO lessons (institution_id, course_id, date, lesson_no, topic) \
             VALUES ({school}, {course}, '2026-11-17', 8, 'Gaisma')"
        ))
        .await;
        let lesson = t
            .id(&format!("SELECT id FROM lessons WHERE course_id = {course}"))
            .await;
        t.exec(&format!(
            "INSERT INTO attendance (institution_id, lesson_id, student_id, code) VALUES ({school}, {lesson}, {anna}, 'n')"
        ))
        .await;
        t.exec(&format!(
            "INSERT INTO assessments (institution_id, course_id, kind, scale, date, title) \
             VALUES ({school}, {course}, 'summative', 'ten', '2026-11-17', 'Plenēra darbs')"
        ))
        .await;
        let work = t.id("SELECT id FROM assessments WHERE title = 'Plenēra darbs'").await;
        t.exec(&format!(
            "INSERT INTO grades (institution_id, assessment_id, student_id, mark) VALUES ({school}, {work}, {anna}, '9')"
        ))
        .await;
        let mut parent = t.client();
        let token = parent.api_login("vecaks", "demo").await;
        let d = parent
            .api_get(&format!("/api/v1/students/{anna}/diary?date=2026-11-16"), &token)
            .await
            .json();
        let tuesday = d["days"][1]["lessons"].as_array().expect("lessons");
        let module: Vec<_> = tuesday
            .iter()
            .filter(|l| l["course"] == "Fotografēšanas plenērs")
            .collect();
        assert!(!module.is_empty(), "{d}");
        assert!(module.iter().any(|l| l["mark"][0] == "n"), "the absence: {module:?}");
        assert!(
            module.iter().any(|l| l["grades"]
                .as_array()
                .is_some_and(|g| g.iter().any(|g| g["mark"] == "9"))),
            "the grade: {module:?}"
        );
    }
}

/// Each class's timetable is kept in memory too; a slot added or ended — here straight in the
/// database, as another server would — is in the very next diary.
#[tokio::test]
async fn a_timetable_change_is_in_the_diary_at_once_despite_the_cache() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        let token = parent.api_login("vecaks", "demo").await;
        let path = format!("/api/v1/students/{anna}/diary?date=2026-11-30");
        let evening = |d: &serde_json::Value| {
            d["days"][0]["lessons"]
                .as_array()
                .expect("lessons")
                .iter()
                .any(|l| l["lesson_no"] == 9 && l["time"] == "18:00–18:40" && l["room"] == "Plenērs")
        };
        let before = parent.api_get(&path, &token).await.json();
        assert!(!evening(&before), "{before}");
        t.exec(&format!(
            "INSERT INTO timetable (institution_id, class_id, course_id, weekday, lesson_no, starts_at, ends_at, room, valid_from) \
             SELECT c.institution_id, c.class_id, c.id, 1, 9, '18:00', '18:40', 'Plenērs', '2026-11-30' \
             FROM courses c JOIN enrolments e ON e.class_id = c.class_id WHERE e.student_id = {anna} AND c.name = 'Matemātika'"
        ))
        .await;
        let added = parent.api_get(&path, &token).await.json();
        assert!(evening(&added), "the new slot: {added}");
        t.exec("UPDATE timetable SET valid_to = '2026-11-29' WHERE room = 'Plenērs'")
            .await;
        let ended = parent.api_get(&path, &token).await.json();
        assert!(!evening(&ended), "the ended slot: {ended}");
    }
}

/// One absence reported twice at once — a double click, a resent form — is one notice; through
/// the API, a retry with the same Idempotency-Key gets the first answer.
#[tokio::test]
async fn a_form_or_a_call_sent_twice_makes_one_record() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = parent.get(&format!("/diary?student={anna}")).await;
        let csrf = page.csrf().expect("csrf");
        let once = page
            .body
            .split("name=\"once\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the form's one-time token")
            .to_string();
        let student = anna.to_string();
        let fields = [
            ("csrf", csrf.as_str()),
            ("once", once.as_str()),
            ("student", student.as_str()),
            ("from", "27.11.2026."),
            ("to", ""),
            ("reason", "Sacensības"),
        ];
        let mut twin = t.client();
        twin.jar = parent.jar.clone();
        let (a, b) = tokio::join!(
            parent.post_form("/diary/absence", &fields),
            twin.post_form("/diary/absence", &fields)
        );
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        assert_eq!(b.status, StatusCode::SEE_OTHER, "{}", b.body);
        assert_eq!(a.location(), b.location(), "the repeat gets the first answer");
        let again = parent.post_form("/diary/absence", &fields).await;
        assert_eq!(again.location(), a.location());
        let notices = || t.scalar("SELECT COUNT(*) FROM absence_notices WHERE reason = 'Sacensības'");
        assert_eq!(notices().await, "1");
        // Another form from the same page (another reason) is not a repeat.
        let other = [
            ("csrf", csrf.as_str()),
            ("once", once.as_str()),
            ("student", student.as_str()),
            ("from", "30.11.2026."),
            ("to", ""),
            ("reason", "Sacensības"),
        ];
        parent.post_form("/diary/absence", &other).await;
        assert_eq!(notices().await, "2");
        // A refused form lets its token go: corrected, it is taken.
        let bad = [
            ("csrf", csrf.as_str()),
            ("once", "retry"),
            ("student", student.as_str()),
            ("from", "32.11.2026."),
            ("to", ""),
            ("reason", "Ekskursija"),
        ];
        assert_eq!(
            parent.post_form("/diary/absence", &bad).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(t.count("repeats").await, 2, "the refused form's key is not kept");

        // The API: the same Idempotency-Key, the same answer and one notice.
        let token = parent.api_login("vecaks", "demo").await;
        let call = |key: &'static str| {
            let body = serde_json::json!({"from": "2026-12-01", "reason": "Olimpiāde"}).to_string();
            (key, body)
        };
        let mut answers = Vec::new();
        for (key, body) in [call("k-1"), call("k-1"), call("k-2")] {
            let mut c = t.client();
            let url = format!("/api/v1/students/{anna}/absence-notices");
            let r = c
                .request_with(
                    axum::http::Method::POST,
                    &url,
                    Some("application/json"),
                    body,
                    Some(&token),
                    &[("idempotency-key", key)],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            answers.push(r.json()["id"].clone());
        }
        assert_eq!(answers[0], answers[1], "a retry gets the first notice");
        assert_ne!(answers[0], answers[2], "another key is another notice");
        assert_eq!(
            t.scalar("SELECT COUNT(*) FROM absence_notices WHERE reason = 'Olimpiāde'")
                .await,
            "2"
        );
    }
}

#[tokio::test]
async fn the_tutor_excuses_days_picked_in_the_months_grid_in_one_step() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let stranger = t
            .id(&format!(
                "SELECT MIN(student_id) FROM enrolments WHERE class_id <> {class} AND institution_id = 1"
            ))
            .await;
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let path = format!("/classes/{class}/absences?month=2026-11");
        let page = tutor.get(&path).await.body;
        assert!(page.contains("Mēneša kavējumi: 2026. gada novembris"), "{page}");
        let day = format!("{anna}:2026-11-23");
        assert!(
            page.contains(&format!("name=\"day\" value=\"{day}\"")),
            "Anna's unexcused day can be ticked: {page}"
        );
        let excuses = || t.count("excuses");
        let before = excuses().await;

        // Bad input changes nothing and keeps what was ticked.
        let post = format!("/classes/{class}/absences/days");
        for (fields, message) in [
            (
                vec![("reason", "slimība"), ("month", "2026-11")],
                "Atzīmējiet vismaz vienu dienu.",
            ),
            (
                vec![
                    ("day", day.as_str()),
                    ("day", &format!("{stranger}:2026-11-24")),
                    ("reason", "slimība"),
                    ("month", "2026-11"),
                ],
                "",
            ),
            (
                vec![("day", "x:2026-11-23"), ("reason", "slimība"), ("month", "2026-11")],
                "",
            ),
        ] {
            let r = tutor.submit(&path, &post, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {}", r.body);
            assert!(r.body.contains(message), "{message}: {}", r.body);
            assert_eq!(excuses().await, before, "nothing stored for {fields:?}");
        }
        let r = tutor
            .submit(
                &path,
                &post,
                &[
                    ("day", day.as_str()),
                    ("day", &format!("{stranger}:2026-11-24")),
                    ("reason", "slimība"),
                    ("month", "2026-11"),
                ],
            )
            .await;
        assert!(
            r.body.contains(&format!("value=\"{day}\" checked")),
            "the ticked box stays ticked: {}",
            r.body
        );

        // Two consecutive days and a third apart: two excuses.
        let r = tutor
            .submit(
                &path,
                &post,
                &[
                    ("day", day.as_str()),
                    ("day", &format!("{anna}:2026-11-24")),
                    ("day", &format!("{anna}:2026-11-26")),
                    ("reason", "slimība"),
                    ("month", "2026-11"),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("/classes/{class}/absences?done=excused&month=2026-11").as_str()),
            "{}",
            r.body
        );
        assert_eq!(excuses().await, before + 2);
        assert_eq!(
            t.scalar(&format!(
                "SELECT from_date || '–' || to_date FROM excuses WHERE student_id = {anna} ORDER BY id DESC LIMIT 1 OFFSET 1"
            ))
            .await,
            "2026-11-23–2026-11-24"
        );
        let page = tutor.get(&path).await.body;
        assert!(
            !page.contains(&format!("name=\"day\" value=\"{day}\"")),
            "the day is excused now"
        );

        // The parent cannot excuse.
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let r = parent
            .post_form(
                &post,
                &[("day", day.as_str()), ("reason", "slimība"), ("month", "2026-11")],
            )
            .await;
        assert!(r.status.is_client_error(), "{}", r.status);
    }
}
