//! The class journal over HTTP on the demo school: the grid, bad input, corrections with reasons,
//! the history, `verify`, lessons, assessments, notes, the summary, the timetable, permissions.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, Client, TestApp};
use serde_json::{json, Value};

/// Thursday 26.11.2026 is the harness's today.
const TODAY: &str = "2026-11-26";

struct Setup {
    teacher: Client,
    token: String,
    course: i64,
    anna: i64,
}

/// `skolotajs` signed in (page and API), the id of Matemātika 2.B, and Anna Krūmiņa's id.
async fn setup(t: &TestApp) -> Setup {
    let mut teacher = t.client();
    assert_eq!(teacher.login("skolotajs", "demo").await.location(), Some("/"));
    let token = teacher.api_login("skolotajs", "demo").await;
    let course = teacher.course_id(&token, "Matemātika", "2.B").await;
    let mut parent = t.client();
    let ptoken = parent.api_login("vecaks", "demo").await;
    let me = parent.api_get("/api/v1/me", &ptoken).await.json();
    let anna = me["children"]
        .as_array()
        .expect("children")
        .iter()
        .find(|c| c["given_name"] == "Anna")
        .expect("Anna")["id"]
        .as_i64()
        .expect("id");
    Setup {
        teacher,
        token,
        course,
        anna,
    }
}

async fn grid(c: &mut Client, token: &str, course: i64) -> Value {
    let r = c.api_get(&format!("/api/v1/courses/{course}/grid"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// The newest lesson column on or before today, and the newest summative assessment.
fn columns(g: &Value) -> ((String, i64), i64) {
    let cols = g["columns"].as_array().expect("columns");
    let lesson = cols
        .iter()
        .filter_map(|c| c.get("Lesson"))
        .rfind(|l| l["date"].as_str().is_some_and(|d| d <= TODAY))
        .expect("a lesson");
    let assessment = cols
        .iter()
        .filter_map(|c| c.get("Assessment"))
        .rfind(|a| a["kind"] == "summative")
        .expect("an assessment");
    (
        (
            lesson["date"].as_str().expect("date").to_string(),
            lesson["lesson_no"].as_i64().expect("no"),
        ),
        assessment["id"].as_i64().expect("id"),
    )
}

fn cell<'a>(g: &'a Value, key: &str) -> Option<&'a str> {
    g["cells"].as_array()?.iter().find(|c| c["key"] == key)?["value"].as_str()
}

#[tokio::test]
async fn a_teacher_fills_the_grid_and_the_parent_sees_it() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut s = setup(&t).await;
        let g = grid(&mut s.teacher, &s.token, s.course).await;
        let ((date, no), assessment) = columns(&g);
        let a_key = format!("a:{date}:{no}:{}", s.anna);
        let g_key = format!("g:{assessment}:{}", s.anna);
        // A new value needs no reason, even for an earlier day; the page form saves like a browser.
        let page = s.teacher.get(&format!("/journal/{}", s.course)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("name=\"{a_key}\"")), "the cell is an input");
        let old_grade = cell(&g, &g_key).map(str::to_string);
        let before = t.count("journal_history").await;
        let r = s
            .teacher
            .submit(
                &format!("/journal/{}", s.course),
                &format!("/journal/{}", s.course),
                &[
                    (a_key.as_str(), "k7"),
                    (g_key.as_str(), old_grade.as_deref().unwrap_or("")),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            r.location().is_some_and(|l| l.contains("done=cells&n=1")),
            "{:?}",
            r.location()
        );
        assert_eq!(
            t.count("journal_history").await,
            before
                + 1
                + i64::from(
                    cell(&g, &a_key).is_none()
                        && g["columns"].as_array().is_some_and(|c| c
                            .iter()
                            .any(|c| c["Lesson"]["date"] == date.as_str() && c["Lesson"]["id"].is_null()))
                )
        );

        // The parent's API sees the mark.
        let mut parent = t.client();
        let ptoken = parent.api_login("vecaks", "demo").await;
        let j = parent
            .api_get(&format!("/api/v1/students/{}/journal", s.anna), &ptoken)
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.body);
        let j = j.json();
        assert!(
            j["attendance"]
                .as_array()
                .expect("attendance")
                .iter()
                .any(|m| m["date"] == date.as_str()
                    && m["lesson_no"] == no
                    && m["code"] == "k"
                    && m["minutes"] == 7
                    && m["course_name"] == "Matemātika"),
            "{j}"
        );
        assert!(!j["grades"].as_array().expect("grades").is_empty());

        // A parent sees only their own children.
        let other = g["students"]
            .as_array()
            .expect("students")
            .iter()
            .find(|x| x["id"] != s.anna)
            .expect("another")["id"]
            .as_i64()
            .expect("id");
        let r = parent
            .api_get(&format!("/api/v1/students/{other}/journal"), &ptoken)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
}

#[tokio::test]
async fn bad_cells_are_named_and_nothing_is_saved() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut s = setup(&t).await;
        let g = grid(&mut s.teacher, &s.token, s.course).await;
        let ((date, no), assessment) = columns(&g);
        let before = t.count("journal_history").await;
        let anna = s.anna;
        let cases = [
            (
                format!("g:{assessment}:{anna}"),
                "11",
                "grade.out_of_scale_ten",
                "Vērtējumam jābūt no 1 līdz 10",
            ),
            (
                format!("a:{date}:{no}:{anna}"),
                "x",
                "attendance.unknown_mark",
                "Nezināms apmeklējuma apzīmējums",
            ),
            (
                format!("a:2026-11-22:1:{anna}"),
                "n",
                "journal.lesson_not_held",
                "stunda nenotiek",
            ),
            (
                format!("a:2025-05-04:1:{anna}"),
                "n",
                "journal.date_outside_year",
                "ārpus mācību gada",
            ),
            (
                format!("a:2026-12-03:1:{anna}"),
                "n",
                "journal.future_lesson",
                "vēl nav notikusi",
            ),
            (
                format!("g:{assessment}:999999"),
                "7",
                "journal.not_in_course",
                "šajā kursā nemācās",
            ),
        ];
        for (key, value, code, text) in &cases {
            let r = s
                .teacher
                .api_post(
                    &format!("/api/v1/courses/{}/cells", s.course),
                    json!({"cells": [{"key": format!("a:{date}:{no}:{anna}"), "value": "n"}, {"key": key, "value": value}]}),
                    Some(&s.token),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}: {}", r.body);
            let body = r.json();
            assert_eq!(body["error"], "journal.cells_invalid");
            let cells = body["cells"].as_array().expect("cells");
            assert_eq!(cells.len(), 1, "only the wrong cell is named: {body}");
            assert_eq!(cells[0]["key"], key.as_str());
            assert_eq!(cells[0]["error"], *code);
            assert!(cells[0]["message"].as_str().is_some_and(|m| m.contains(text)), "{body}");
        }
        assert_eq!(t.count("journal_history").await, before, "nothing was saved");

        // The page form answers the same, in Latvian, with the typed values kept.
        let r = s
            .teacher
            .submit(
                &format!("/journal/{}", s.course),
                &format!("/journal/{}", s.course),
                &[(format!("g:{assessment}:{anna}").as_str(), "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Izmaiņas nav saglabātas"), "{}", r.body);
        assert!(r.body.contains("aria-invalid=\"true\""));

        // Another teacher's course is not this teacher's to write in.
        let mut other = t.client();
        let otoken = other.api_login("audzinataja", "demo").await;
        let r = other
            .api_post(
                &format!("/api/v1/courses/{}/cells", s.course),
                json!({"cells": [{"key": format!("a:{date}:{no}:{anna}"), "value": "n"}]}),
                Some(&otoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(t.count("journal_history").await, before);
    }
}

#[tokio::test]
async fn a_correction_needs_a_reason_and_stays_in_the_history() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut s = setup(&t).await;
        let g = grid(&mut s.teacher, &s.token, s.course).await;
        let (_, assessment) = columns(&g);
        let key = format!("g:{assessment}:{}", s.anna);
        let old = cell(&g, &key).expect("the demo graded Anna").to_string();
        let new = if old == "9" { "8" } else { "9" };
        let url = format!("/api/v1/courses/{}/cells", s.course);
        let r = s
            .teacher
            .api_post(&url, json!({"cells": [{"key": key, "value": new}]}), Some(&s.token))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["cells"][0]["error"], "journal.reason_required");
        let r = s
            .teacher
            .api_post(
                &url,
                json!({"cells": [{"key": key, "value": new}], "reason": "Pārrēķināti punkti"}),
                Some(&s.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["saved"][0]["value"], new);

        let item = format!("grade:{assessment}:{}", s.anna);
        let h = s
            .teacher
            .api_get(&format!("/api/v1/courses/{}/history?item={item}", s.course), &s.token)
            .await
            .json();
        let list = h.as_array().expect("history");
        let last = list.last().expect("entries");
        assert_eq!(last["old_value"], old.as_str());
        assert_eq!(last["new_value"], new);
        assert_eq!(last["reason"], "Pārrēķināti punkti");
        assert_eq!(last["person"], "Mārtiņš Kalniņš");
        assert_eq!(list.len(), 2, "the demo's entry and the correction");

        // The history of the column is one click from the grid, for the teacher and the deputy.
        let page = s.teacher.get(&format!("/journal/{}", s.course)).await;
        let link = format!("/journal/{}/history?column=assessment:{assessment}", s.course);
        assert!(page.body.contains(&link));
        // An attendance mark says its words on hover.
        assert!(page.body.contains("title=\"nebija"), "{}", page.body);
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let hist = deputy.get(&link).await;
        assert_eq!(hist.status, StatusCode::OK);
        assert!(hist.body.contains("Pārrēķināti punkti") && hist.body.contains(&old));
        // In words: the student's name and the work's title and date, its kind and scale, never
        // the stored keys and codes.
        let name = t
            .scalar(&format!(
                "SELECT given_name || ' ' || family_name FROM persons WHERE id = {}",
                s.anna
            ))
            .await;
        let title = t
            .scalar(&format!("SELECT title FROM assessments WHERE id = {assessment}"))
            .await;
        let date = t
            .scalar(&format!("SELECT date FROM assessments WHERE id = {assessment}"))
            .await;
        let shown_date = format!("{}.{}.{}.", &date[8..10], &date[5..7], &date[0..4]);
        assert!(
            hist.body.contains(&format!("{name} · „{title}” ({shown_date})")),
            "{}",
            hist.body
        );
        assert!(!hist.body.contains(&item) && !hist.body.contains("summative") && !hist.body.contains("\u{b7} ten"));
        assert!(
            hist.body.contains("1–10 balles") || hist.body.contains("Procenti"),
            "{}",
            hist.body
        );

        // And `verify` still finds everything explained.
        assert!(klade_app::journal::verify(&t.app).await.expect("verify").is_empty());
    }
}

#[tokio::test]
async fn verify_catches_a_value_changed_behind_the_apps_back() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        assert!(klade_app::journal::verify(&t.app).await.expect("verify").is_empty());
        t.exec("UPDATE grades SET mark = '10' WHERE assessment_id = (SELECT MIN(id) FROM assessments) AND student_id = (SELECT MIN(student_id) FROM grades WHERE assessment_id = (SELECT MIN(id) FROM assessments))").await;
        let problems = klade_app::journal::verify(&t.app).await.expect("verify");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(matches!(&problems[0].1, klade_store::history::Problem::Value { found: Some(v), .. } if v == "10"));

        t.exec("UPDATE journal_history SET reason = 'ieteikts' WHERE seq = 5 AND institution_id = 1")
            .await;
        let problems = klade_app::journal::verify(&t.app).await.expect("verify");
        assert_eq!(problems[0].1, klade_store::history::Problem::BrokenLink { seq: 5 });
    }
}

#[tokio::test]
async fn lessons_assessments_and_notes() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut s = setup(&t).await;
        let g = grid(&mut s.teacher, &s.token, s.course).await;
        let ((date, no), _) = columns(&g);
        let course = s.course;
        let form = format!("/journal/{course}/lesson?date={date}&no={no}");
        let page = s.teacher.get(&form).await;
        assert_eq!(page.status, StatusCode::OK);
        // Correcting a recorded lesson of an earlier day asks for a reason.
        let fields = [
            ("date", date.as_str()),
            ("lesson_no", &no.to_string()),
            ("topic", "Kvadrātfunkcijas grafiks"),
            ("content", "Parabolas virsotne un ass"),
            ("homework", "12. lpp., 3.–5. uzdevums"),
            ("homework_due", "2026-11-20"),
        ];
        let r = s
            .teacher
            .submit(&form, &format!("/journal/{course}/lesson"), &fields)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(">Parabolas virsotne un ass</textarea>")
                && r.body.contains("value=\"2026-11-20\" aria-invalid=\"true\""),
            "the lesson as typed, the due date marked: {}",
            r.body
        );
        let mut with_due = fields.to_vec();
        with_due[5] = ("homework_due", "2026-12-01");
        let r = s
            .teacher
            .submit(&form, &format!("/journal/{course}/lesson"), &with_due)
            .await;
        if date.as_str() < TODAY {
            assert!(r.body.contains("norādiet iemeslu"), "{}", r.body);
            with_due.push(("reason", "Precizēta tēma"));
            let r = s
                .teacher
                .submit(&form, &format!("/journal/{course}/lesson"), &with_due)
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        } else {
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let page = s.teacher.get(&format!("/journal/{course}")).await;
        assert!(page.body.contains("title=\"Kvadrātfunkcijas grafiks\""));

        // A refused assessment or note comes back as typed, the wrong field marked.
        let r = s
            .teacher
            .submit(
                &format!("/journal/{course}"),
                &format!("/journal/{course}/assessments"),
                &[
                    ("kind", "summative"),
                    ("scale", "stap"),
                    ("title", "Ieskaite par vektoriem"),
                    ("date", "2026-13-40"),
                    ("handed_in_on", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("value=\"Ieskaite par vektoriem\"")
                && r.body.contains("<option value=\"stap\" selected>")
                && r.body.contains("value=\"2026-13-40\" required aria-invalid=\"true\""),
            "{}",
            r.body
        );
        let anna = s.anna.to_string();
        let r = s
            .teacher
            .submit(
                &format!("/journal/{course}"),
                &format!("/journal/{course}/notes"),
                &[("kind", "praise"), ("date", TODAY), ("text", " "), ("students", &anna)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(&format!("name=\"students\" value=\"{anna}\" checked"))
                && r.body
                    .contains("name=\"text\" rows=\"3\" required aria-invalid=\"true\""),
            "{}",
            r.body
        );

        // An assessment: a grade outside its scale is refused; a summative one records hand-in.
        let r = s
            .teacher
            .submit(
                &format!("/journal/{course}"),
                &format!("/journal/{course}/assessments"),
                &[
                    ("kind", "summative"),
                    ("scale", "stap"),
                    ("title", "Ieskaite"),
                    ("date", TODAY),
                    ("handed_in_on", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let g = grid(&mut s.teacher, &s.token, course).await;
        let stap = g["columns"]
            .as_array()
            .expect("cols")
            .iter()
            .filter_map(|c| c.get("Assessment"))
            .find(|a| a["title"] == "Ieskaite")
            .expect("new")["id"]
            .as_i64()
            .expect("id");
        let url = format!("/api/v1/courses/{course}/cells");
        let r = s
            .teacher
            .api_post(
                &url,
                json!({"cells": [{"key": format!("g:{stap}:{}", s.anna), "value": "7"}]}),
                Some(&s.token),
            )
            .await;
        assert_eq!(r.json()["cells"][0]["error"], "grade.out_of_scale_stap");
        let r = s
            .teacher
            .api_post(
                &url,
                json!({"cells": [{"key": format!("g:{stap}:{}", s.anna), "value": "p"}]}),
                Some(&s.token),
            )
            .await;
        assert_eq!(r.json()["saved"][0]["value"], "P");
        let r = s
            .teacher
            .api_post(
                &format!("/api/v1/courses/{course}/assessments"),
                json!({"kind": "summative", "scale": "ten", "date": "2027-09-01", "title": "X"}),
                Some(&s.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"], "journal.date_outside_year");

        // Praise for Anna shows in her diary data.
        let r = s
            .teacher
            .api_post(&format!("/api/v1/courses/{course}/notes"), json!({"kind": "praise", "date": TODAY, "text": "Lieliski atrisināts olimpiādes uzdevums", "students": [s.anna]}), Some(&s.token))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = s
            .teacher
            .api_post(
                &format!("/api/v1/courses/{course}/notes"),
                json!({"kind": "praise", "date": TODAY, "text": "", "students": [s.anna]}),
                Some(&s.token),
            )
            .await;
        assert_eq!(r.json()["field"], "text");
        let mut parent = t.client();
        let ptoken = parent.api_login("vecaks", "demo").await;
        let j = parent
            .api_get(&format!("/api/v1/students/{}/journal", s.anna), &ptoken)
            .await
            .json();
        assert!(j["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .any(|n| n["kind"] == "praise" && n["author"] == "Mārtiņš Kalniņš"));
        assert!(klade_app::journal::verify(&t.app).await.expect("verify").is_empty());
    }
}

#[tokio::test]
async fn who_reads_which_journal() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let s = setup(&t).await;
        // The tutor of 2.B reads every journal of the class, without inputs.
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let page = tutor.get(&format!("/journal/{}", s.course)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Šo žurnālu jūs varat lasīt, bet ne labot."));
        assert!(!page.body.contains("<input name=\"a:"));
        let list = tutor.get("/journal").await;
        assert!(list.body.contains("Matemātika") && list.body.contains("Latviešu valoda"));
        let home = tutor.get("/").await.body;
        let at = home.find("/summary\"").expect("the tutor's class links its summary");
        let start = home[..at].rfind("/classes/").expect("link");
        assert_eq!(
            tutor.get(&home[start..at + "/summary".len()]).await.status,
            StatusCode::OK
        );
        // A student or a parent does not open the teacher's grid.
        for who in ["skolens", "vecaks"] {
            let mut c = t.client();
            c.login(who, "demo").await;
            assert_eq!(
                c.get(&format!("/journal/{}", s.course)).await.status,
                StatusCode::FORBIDDEN,
                "{who}"
            );
        }
        // The deputy reads it, and the class summary.
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let read = deputy.get(&format!("/journal/{}", s.course)).await;
        assert_eq!(read.status, StatusCode::OK);
        assert!(
            read.body.contains(" %</td>"),
            "percent marks with their sign: {}",
            read.body
        );
        let home = deputy.get("/").await.body;
        let at = home.find("/summary\"").expect("summary links on the deputy's home");
        let start = home[..at].rfind("/classes/").expect("link");
        let summary = deputy.get(&home[start..at + "/summary".len()]).await;
        assert_eq!(summary.status, StatusCode::OK);
        assert!(summary.body.contains("Kopsavilkuma žurnāls") && summary.body.contains("attaisnoti"));
        // The clerk lists every class but reads no journal: her home links no summary journal.
        let mut clerk = t.client();
        clerk.login("lietvede", "demo").await;
        let home = clerk.get("/").await.body;
        assert!(home.contains("/students") && !home.contains("/summary\""));
        assert_eq!(
            t.client().get(&format!("/journal/{}", s.course)).await.location(),
            Some("/login")
        );
    }
}

#[tokio::test]
async fn the_timetable_for_everyone_and_its_changes() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let s = setup(&t).await;
        let mut teacher = s.teacher;
        let week = teacher.get("/timetable").await;
        assert_eq!(week.status, StatusCode::OK);
        assert!(
            week.body.contains("Manas stundas") && week.body.contains("Matemātika (2.B)"),
            "{}",
            week.body
        );
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let week = parent.get("/timetable").await;
        assert!(week.body.contains("Anna Krūmiņa — 2.B"), "{}", week.body);

        // The deputy adds 2.B's mathematics as Monday's seventh lesson (its teacher is free then) from next week and adds a substitution.
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let home = deputy.get("/").await.body;
        let at = home
            .find("2.B (25): <a href=\"/classes/")
            .expect("2.B on the deputy's home");
        let rest = &home[at + "2.B (25): <a href=\"".len()..];
        let link = &rest[..rest.find('"').expect("end")];
        let page = deputy.get(link).await;
        assert_eq!(page.status, StatusCode::OK);
        let option = format!("<option value=\"{}\">Matemātika", s.course);
        assert!(page.body.contains(&option));
        let course = s.course.to_string();
        let r = deputy
            .submit(
                link,
                link,
                &[
                    ("course", &course),
                    ("weekday", "1"),
                    ("lesson_no", "7"),
                    ("starts_at", "14:30"),
                    ("ends_at", "15:10"),
                    ("room", "207"),
                    ("valid_from", "2026-11-30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let bad = deputy
            .submit(
                link,
                link,
                &[
                    ("course", &course),
                    ("weekday", "1"),
                    ("lesson_no", "7"),
                    ("starts_at", "9:10"),
                    ("ends_at", "08:30"),
                    ("room", ""),
                    ("valid_from", "2026-11-30"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Laikiem jābūt formā SS:MM"));
        let next = teacher.get("/timetable?date=2026-11-30").await.body;
        assert!(next.contains("7. 14:30–15:10 Matemātika (2.B)"), "{next}");
        let this = teacher.get("/timetable?date=2026-11-23").await.body;
        assert!(next.contains("Telpa 207"), "the change applies from its date");
        assert!(!this.contains("Telpa 207"), "the week before keeps the old timetable");

        let sub_link = link.replace("/timetable", "/substitutions");
        let teachers = page.body.split("name=\"teacher\"").nth(1).expect("teacher select");
        let first = teachers.split("<option value=\"").nth(1).expect("option");
        let substitute = &first[..first.find('"').expect("end")];
        let r = deputy
            .submit(
                link,
                &sub_link,
                &[
                    ("course", &course),
                    ("date", "2026-11-30"),
                    ("lesson_no", "7"),
                    ("teacher", substitute),
                    ("room", ""),
                    ("note", "kursos"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let next = teacher.get("/timetable?date=2026-11-30").await.body;
        assert!(next.contains("Aizvieto:"), "{next}");
        let again = deputy
            .submit(
                link,
                &sub_link,
                &[
                    ("course", &course),
                    ("date", "2026-11-30"),
                    ("lesson_no", "7"),
                    ("teacher", substitute),
                    ("room", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        // Only the deputy for academic work enters the timetable.
        assert_eq!(teacher.get(link).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_deputy_opens_a_course_for_a_group_of_the_class() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let home = deputy.get("/").await.body;
        let at = home
            .find("2.B (25): <a href=\"/classes/")
            .expect("2.B on the deputy's home");
        let rest = &home[at + "2.B (25): <a href=\"".len()..];
        let link = rest[..rest.find('"').expect("end")].to_string();
        let page = deputy.get(&link).await.body;
        let value_of = |label: &str| -> String {
            let at = page.find(label).unwrap_or_else(|| panic!("{label} on the page"));
            let before = &page[..at];
            let v = before.rfind("value=\"").expect("value") + "value=\"".len();
            before[v..v + before[v..].find('"').expect("end")].to_string()
        };
        let subject = value_of(">Angļu valoda<");
        let teacher = value_of("> Mārtiņš Kalniņš<");
        let anna = value_of("> Krūmiņa Anna<");
        let other = page
            .split("name=\"students\" value=\"")
            .skip(1)
            .map(|v| v[..v.find('"').expect("end")].to_string())
            .find(|v| *v != anna)
            .expect("another student");
        let courses = link.replace("/timetable", "/courses");
        // A group needs both its name and its students.
        let r = deputy
            .submit(
                &link,
                &courses,
                &[("subject", &subject), ("teachers", &teacher), ("subgroup", "1. grupa")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = deputy
            .submit(
                &link,
                &courses,
                &[("subject", &subject), ("subgroup", "1. grupa"), ("students", &anna)],
            )
            .await;
        assert!(r.body.contains("Izvēlieties vismaz vienu skolotāju."));
        let r = deputy
            .submit(
                &link,
                &courses,
                &[
                    ("subject", &subject),
                    ("teachers", &teacher),
                    ("subgroup", "1. grupa"),
                    ("students", &anna),
                    ("students", &other),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // The teacher now keeps the group's journal, with just its two students.
        let mut teacher_client = t.client();
        let token = teacher_client.api_login("skolotajs", "demo").await;
        let list = teacher_client.api_get("/api/v1/courses", &token).await.json();
        let group = list
            .as_array()
            .expect("courses")
            .iter()
            .find(|c| c["name"] == "Angļu valoda (1. grupa)")
            .expect("the new course")["id"]
            .as_i64()
            .expect("id");
        let g = grid(&mut teacher_client, &token, group).await;
        assert_eq!(g["students"].as_array().map(Vec::len), Some(2));
        assert_eq!(g["can_edit"], true);
    }
}

#[tokio::test]
async fn a_teacher_sees_todays_lessons_and_the_proposed_period_grade() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut s = setup(&t).await;
        let home = s.teacher.get("/").await.body;
        assert!(home.contains("Šodienas stundas"), "{home}");
        assert!(
            home.contains("vēl nav aizpildīta"),
            "the demo fills lessons up to yesterday"
        );
        // A semester grade column suggests each student's grade from the term's summative work.
        let r = s
            .teacher
            .api_post(
                &format!("/api/v1/courses/{}/assessments", s.course),
                json!({"kind": "semester", "scale": "ten", "date": TODAY, "title": ""}),
                Some(&s.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let g = grid(&mut s.teacher, &s.token, s.course).await;
        let proposal = g["averages"]
            .as_array()
            .expect("averages")
            .iter()
            .find(|a| a["student"] == s.anna)
            .expect("Anna's average")["proposal"]
            .as_i64()
            .expect("a proposal");
        let page = s.teacher.get(&format!("/journal/{}", s.course)).await.body;
        assert!(page.contains(&format!("placeholder=\"{proposal}\"")), "{proposal}");
    }
}

/// A save that finds a proposed lesson missing creates it empty — but if another save wrote the
/// lesson meanwhile, that one is kept, not blanked (two teachers' saves racing for one lesson).
#[tokio::test]
async fn creating_a_lesson_that_exists_keeps_what_was_written() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let inst = klade_domain::InstitutionId(t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await);
        let course = klade_domain::CourseId(t.id("SELECT MIN(id) FROM courses").await);
        let mut tx = t.db().begin().await.expect("tx");
        let written = klade_store::journal::Lesson {
            id: klade_domain::LessonId(0),
            course_id: course,
            date: jiff::civil::date(2026, 11, 26),
            lesson_no: 9,
            topic: "Daļskaitļi".into(),
            content: String::new(),
            homework: "12. uzdevums".into(),
            homework_due: None,
        };
        klade_store::journal::put_lesson(&mut *tx, klade_domain::Tenant::without_permit(inst), &written, 0)
            .await
            .expect("put");
        let (found, created) = klade_store::journal::ensure_lesson(
            &mut tx,
            klade_domain::Tenant::without_permit(inst),
            course,
            jiff::civil::date(2026, 11, 26),
            9,
        )
        .await
        .expect("ensure");
        assert!(!created);
        assert_eq!(
            (found.topic.as_str(), found.homework.as_str()),
            ("Daļskaitļi", "12. uzdevums")
        );
        let (fresh, created) = klade_store::journal::ensure_lesson(
            &mut tx,
            klade_domain::Tenant::without_permit(inst),
            course,
            jiff::civil::date(2026, 11, 26),
            10,
        )
        .await
        .expect("ensure");
        assert!(created && fresh.topic.is_empty());
        tx.commit().await.expect("commit");
    }
}

#[tokio::test]
async fn a_teacher_booked_twice_is_refused_naming_the_other_lesson() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        // A course of 2.B, and a lesson its teacher gives another class.
        let found = t
            .scalar(
                "SELECT c.id || ':' || s.weekday || ':' || s.lesson_no || ':' || k.name || ' ' || o.name \
                 FROM courses c JOIN classes b ON b.id = c.class_id AND b.name = '2.B' \
                 JOIN course_teachers ct ON ct.course_id = c.id \
                 JOIN course_teachers ot ON ot.person_id = ct.person_id AND ot.course_id <> c.id \
                 JOIN courses o ON o.id = ot.course_id JOIN timetable s ON s.course_id = o.id AND s.valid_to IS NULL \
                 JOIN classes k ON k.id = s.class_id AND k.name <> '2.B' \
                 ORDER BY c.id, s.id LIMIT 1",
            )
            .await;
        let parts: Vec<&str> = found.splitn(4, ':').collect();
        let (course, weekday, lesson, other) = (parts[0], parts[1], parts[2], parts[3]);
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let link = format!("/classes/{class}/timetable");
        let slots = t.count("timetable").await;
        let r = deputy
            .submit(
                &link,
                &link,
                &[
                    ("course", course),
                    ("weekday", weekday),
                    ("lesson_no", lesson),
                    ("starts_at", "08:30"),
                    ("ends_at", "09:10"),
                    ("room", ""),
                    ("valid_from", "2026-11-30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body
                .contains(&format!("Skolotājs tajā laikā jau vada citu stundu: {other}")),
            "names {other}: {}",
            r.body
        );
        assert_eq!(t.count("timetable").await, slots, "nothing written");
        assert!(
            r.body.contains(&format!("<option value=\"{course}\" selected>"))
                && r.body.contains(&format!(
                    "name=\"lesson_no\" type=\"number\" min=\"1\" max=\"12\" value=\"{lesson}\""
                )),
            "the form comes back as typed: {}",
            r.body
        );
        // A lesson number left empty: the page again, not the framework's plain text.
        let r = deputy
            .submit(
                &link,
                &link,
                &[
                    ("course", course),
                    ("weekday", weekday),
                    ("lesson_no", ""),
                    ("starts_at", "08:30"),
                    ("ends_at", "09:10"),
                    ("room", "207"),
                    ("valid_from", "2026-11-30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Kāds lauks nav aizpildīts pareizi") && r.body.contains("value=\"207\""),
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn no_lesson_is_proposed_on_a_public_holiday_or_in_the_school_holidays() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut s = setup(&t).await;
        // The grid proposes no lesson on 18 November (a public holiday) or in the autumn holidays.
        let g = grid(&mut s.teacher, &s.token, s.course).await;
        let dates: Vec<String> = g["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .filter_map(|c| c.get("Lesson"))
            .filter_map(|l| l["date"].as_str().map(str::to_string))
            .collect();
        assert!(
            dates.iter().any(|d| d.as_str() == "2026-11-16"),
            "a school day has its lessons: {dates:?}"
        );
        assert!(
            !dates.iter().any(|d| d.as_str() == "2026-11-18"),
            "none on 18 November: {dates:?}"
        );
        assert!(
            !dates.iter().any(|d| ("2026-10-19".."2026-10-24").contains(&d.as_str())),
            "none in the autumn holidays: {dates:?}"
        );
        // Nor the teacher's week, nor the child's diary.
        let week = s.teacher.get("/timetable?date=2026-11-18").await.body;
        assert!(
            !week.contains("18.11.2026"),
            "no lesson on the holiday in the week: {week}"
        );
        let mut parent = t.client();
        let ptoken = parent.api_login("vecaks", "demo").await;
        let diary = parent
            .api_get(&format!("/api/v1/students/{}/diary?date=2026-11-18", s.anna), &ptoken)
            .await
            .json();
        let holiday = diary["days"]
            .as_array()
            .expect("days")
            .iter()
            .find(|d| d["date"] == "2026-11-18")
            .expect("the day");
        assert_eq!(holiday["lessons"].as_array().map(Vec::len), Some(0), "{holiday}");
        // And a cell cannot be written for it.
        let r = s
            .teacher
            .api_post(
                &format!("/api/v1/courses/{}/cells", s.course),
                json!({"cells": [{"key": format!("a:2026-11-18:1:{}", s.anna), "value": "n"}]}),
                Some(&s.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // A day made a school holiday takes its lessons away at once, whatever a server kept.
        let lessons_on = |diary: &serde_json::Value, day: &str| {
            diary["days"]
                .as_array()
                .and_then(|d| d.iter().find(|x| x["date"] == day))
                .and_then(|x| x["lessons"].as_array().map(Vec::len))
                .unwrap_or(0)
        };
        let next_week = format!("/api/v1/students/{}/diary?date=2026-11-30", s.anna);
        assert!(lessons_on(&parent.api_get(&next_week, &ptoken).await.json(), "2026-11-30") > 0);
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let r = deputy
            .submit(
                "/calendar?i=1",
                "/calendar/holidays",
                &[
                    ("i", "1"),
                    ("from", "2026-11-30"),
                    ("to", "2026-11-30"),
                    ("name", "Skolas diena"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            lessons_on(&parent.api_get(&next_week, &ptoken).await.json(), "2026-11-30"),
            0
        );
    }
}

#[tokio::test]
async fn the_deputies_read_the_lesson_records_their_check_is_about() {
    let t = TestApp::demo(klade_store::Backend::Sqlite).await;
    let mut s = setup(&t).await;
    let g = grid(&mut s.teacher, &s.token, s.course).await;
    let ((date, no), _) = columns(&g);
    let path = format!("/journal/{}/lesson?date={date}&no={no}", s.course);
    let mut deputy = t.client();
    deputy.login("metodikis", "demo").await;
    let page = deputy.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<dl class=\"record") && !page.body.contains("name=\"topic\""),
        "read, not edited"
    );
    // The subject teacher is not offered the summary journal of a class they do not tutor.
    let grid_page = s.teacher.get(&format!("/journal/{}", s.course)).await.body;
    assert!(!grid_page.contains("/summary\""), "{grid_page}");
}

/// The grid tints a saved grade by its band beside its value, and names it in words on hover.
#[tokio::test]
async fn the_grid_shows_each_grade_in_its_band() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut s = setup(&t).await;
        let g = grid(&mut s.teacher, &s.token, s.course).await;
        let (_, assessment) = columns(&g);
        let other = g["students"]
            .as_array()
            .expect("students")
            .iter()
            .filter_map(|x| x["id"].as_i64())
            .find(|id| *id != s.anna)
            .expect("a second student");
        let r = s
            .teacher
            .api_post(
                &format!("/api/v1/courses/{}/cells", s.course),
                json!({"cells": [
                    {"key": format!("g:{assessment}:{}", s.anna), "value": "9"},
                    {"key": format!("g:{assessment}:{other}"), "value": "2"},
                ], "reason": "Pārrakstīts no darba lapas"}),
                Some(&s.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = s.teacher.get(&format!("/journal/{}", s.course)).await.body;
        assert!(
            page.contains(&format!(
                "<input class=\"high\" name=\"g:{assessment}:{}\" value=\"9\"",
                s.anna
            )),
            "{page}"
        );
        assert!(page.contains(&format!(
            "<input class=\"low\" name=\"g:{assessment}:{other}\" value=\"2\""
        )));
        assert!(page.contains("title=\"teicami\""), "9 in words on hover");
    }
}
