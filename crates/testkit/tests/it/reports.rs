//! Reports: statistics for a period against known figures, the previous period, bad periods and
//! readers out of reach; the monthly absence summary, its publication and the tutor reading it;
//! the XLSX, CSV and PDF downloads; the VIIS export of final grades.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::{header, StatusCode};
use klade_testkit::{backends, Client, TestApp};
use serde_json::{json, Value};

/// The demo with November emptied for class 2.B, then known marks and grades written through the
/// API in two weeks: 9–15 November (the previous period) and 16–22 November (the period).
struct Known {
    t: TestApp,
    school: i64,
    class: i64,
    /// Four students of 2.B, by id.
    s: [i64; 4],
    course: i64,
    teacher: Client,
    token: String,
}

async fn lesson_in(t: &TestApp, course: i64, from: &str, to: &str) -> (String, i64) {
    let id = t
        .id(&format!(
            "SELECT id FROM lessons WHERE course_id = {course} AND date >= '{from}' AND date <= '{to}' ORDER BY date, lesson_no LIMIT 1"
        ))
        .await;
    (
        t.scalar(&format!("SELECT date FROM lessons WHERE id = {id}")).await,
        t.id(&format!("SELECT lesson_no FROM lessons WHERE id = {id}")).await,
    )
}

async fn cells(k: &mut Known, cells: Value) {
    let r = k
        .teacher
        .api_post(
            &format!("/api/v1/courses/{}/cells", k.course),
            json!({ "cells": cells }),
            Some(&k.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn assessment(k: &mut Known, kind: &str, date: &str) -> i64 {
    let r = k
        .teacher
        .api_post(
            &format!("/api/v1/courses/{}/assessments", k.course),
            json!({"kind": kind, "scale": "ten", "date": date, "title": "Pārbaudes darbs", "handed_in_on": date}),
            Some(&k.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["id"].as_i64().expect("assessment id")
}

async fn known(backend: klade_store::Backend) -> Known {
    let t = TestApp::demo(backend).await;
    let school = t.id("SELECT institution_id FROM classes WHERE name = '2.B'").await;
    let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
    let of_2b = format!("SELECT id FROM courses WHERE class_id = {class}");
    t.exec(&format!(
        "DELETE FROM attendance WHERE lesson_id IN (SELECT id FROM lessons WHERE course_id IN ({of_2b}) AND date >= '2026-11-01')"
    ))
    .await;
    t.exec(&format!(
        "DELETE FROM grades WHERE assessment_id IN (SELECT id FROM assessments WHERE course_id IN ({of_2b}) AND date >= '2026-11-01')"
    ))
    .await;
    t.exec(&format!(
        "DELETE FROM excuses WHERE to_date >= '2026-11-01' AND student_id IN (SELECT student_id FROM enrolments WHERE class_id = {class})"
    ))
    .await;
    let mut s = [0i64; 4];
    for (i, v) in s.iter_mut().enumerate() {
        *v = t
            .id(&format!(
                "SELECT student_id FROM enrolments WHERE class_id = {class} ORDER BY student_id LIMIT 1 OFFSET {i}"
            ))
            .await;
    }
    let mut teacher = t.client();
    let token = teacher.api_login("skolotajs", "demo").await;
    let course = teacher.course_id(&token, "Matemātika", "2.B").await;
    let mut k = Known {
        t,
        school,
        class,
        s,
        course,
        teacher,
        token,
    };
    let (d1, n1) = lesson_in(&k.t, course, "2026-11-09", "2026-11-15").await;
    let (d2, n2) = lesson_in(&k.t, course, "2026-11-16", "2026-11-22").await;
    let a = |d: &str, n: i64, s: i64, v: &str| json!({"key": format!("a:{d}:{n}:{s}"), "value": v});
    // The previous week: one unexcused absence.
    cells(&mut k, json!([a(&d1, n1, s[0], "n")])).await;
    // This week: unexcused, excused by its kind, absent but excused by the tutor, late.
    cells(
        &mut k,
        json!([
            a(&d2, n2, s[0], "n"),
            a(&d2, n2, s[1], "ns"),
            a(&d2, n2, s[2], "n"),
            a(&d2, n2, s[3], "k5")
        ]),
    )
    .await;
    let mut tutor = k.t.client();
    tutor.login("audzinataja", "demo").await;
    let r = tutor
        .submit(
            &format!("/classes/{class}/absences"),
            &format!("/classes/{class}/absences"),
            &[
                ("student", &s[2].to_string()),
                ("from", &d2),
                ("to", &d2),
                ("reason", "Ārsta apmeklējums"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Grades: this week 8, 3, nv, 10 (summative) and a formative 2 that does not count; the
    // previous week a summative 6.
    let g = |a: i64, s: i64, v: &str| json!({"key": format!("g:{a}:{s}"), "value": v});
    let before = assessment(&mut k, "summative", &d1).await;
    cells(&mut k, json!([g(before, s[0], "6")])).await;
    let now = assessment(&mut k, "summative", &d2).await;
    cells(
        &mut k,
        json!([
            g(now, s[0], "8"),
            g(now, s[1], "3"),
            g(now, s[2], "nv"),
            g(now, s[3], "10")
        ]),
    )
    .await;
    let formative = assessment(&mut k, "formative", &d2).await;
    cells(&mut k, json!([g(formative, s[0], "2")])).await;
    k
}

fn line<'a>(stats: &'a Value, name: &str) -> &'a Value {
    stats["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {stats}"))
}

#[tokio::test]
async fn statistics_count_what_was_written() {
    for backend in backends() {
        let k = known(backend).await;
        let mut director = k.t.client();
        let token = director.api_login("direktors", "demo").await;
        let r = director
            .api_get(
                &format!(
                    "/api/v1/institutions/{}/statistics?from=2026-11-16&to=2026-11-22",
                    k.school
                ),
                &token,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let stats = r.json();
        assert_eq!(stats["previous_from"], "2026-11-09");
        assert_eq!(stats["previous_to"], "2026-11-15");
        let b = line(&stats, "2.B");
        assert_eq!(b["now"]["excused"], 2, "by its kind and by an excuse: {b}");
        assert_eq!(b["now"]["unexcused"], 1);
        assert_eq!(b["now"]["late"], 1);
        assert_eq!(b["now"]["distribution"], json!([0, 0, 1, 0, 0, 0, 0, 1, 0, 1]));
        assert_eq!(b["before"]["unexcused"], 1);
        assert_eq!(b["before"]["excused"], 0);
        assert_eq!(b["before"]["distribution"], json!([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]));
        let programme = stats["programmes"]
            .as_array()
            .expect("programmes")
            .iter()
            .any(|p| p["now"]["excused"].as_i64().unwrap_or(0) >= 2);
        assert!(programme, "2.B's figures are in its programme's");

        // The page: the average 7,00 against 6,00 (+1,00), the insufficient grade, the charts.
        let mut page = k.t.client();
        page.login("direktors", "demo").await;
        let html = page
            .get(&format!("/statistics?i={}&from=2026-11-16&to=2026-11-22", k.school))
            .await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(
            html.body.contains("<td>7,00</td><td>6,00</td><td>+1,00</td>"),
            "{}",
            html.body
        );
        assert!(html.body.contains("<svg class=\"chart bars\""));
        assert!(html.body.contains("16.11.2026.–22.11.2026."));

        // A period that ends before it starts.
        let bad = page
            .get(&format!("/statistics?i={}&from=2026-11-22&to=2026-11-16", k.school))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("Perioda beigu datums ir pirms sākuma datuma"),
            "{}",
            bad.body
        );
        let bad = director
            .api_get(
                &format!(
                    "/api/v1/institutions/{}/statistics?from=2026-11-22&to=2026-11-16",
                    k.school
                ),
                &token,
            )
            .await;
        assert_eq!(bad.json()["error"], "statistics.period_reversed");

        // Without dates: the current term, compared with no summer holidays — with nothing while
        // it is the first term kept here, then with the term before it.
        assert_eq!(page.get("/statistics").await.status, StatusCode::OK);
        let term = director
            .api_get(&format!("/api/v1/institutions/{}/statistics", k.school), &token)
            .await
            .json();
        assert_eq!(term["previous_from"], "", "{}", term["from"]);
        assert!(page
            .get("/statistics")
            .await
            .body
            .contains("Iepriekšējais periods: nav — šis ir pirmais šeit vestais semestris"));
        k.t.exec(&format!(
            "INSERT INTO school_years (institution_id, name, starts_on, ends_on) VALUES ({}, '2025./2026.', '2025-09-01', '2026-08-31')",
            k.school
        ))
        .await;
        let last_year = k.t.id("SELECT id FROM school_years WHERE name = '2025./2026.'").await;
        k.t.exec(&format!(
            "INSERT INTO terms (institution_id, school_year_id, ordinal, name, starts_on, ends_on) VALUES \
             ({0}, {last_year}, 1, '1. semestris', '2025-09-01', '2025-12-19'), \
             ({0}, {last_year}, 2, '2. semestris', '2026-01-05', '2026-05-29')",
            k.school
        ))
        .await;
        let term = director
            .api_get(&format!("/api/v1/institutions/{}/statistics", k.school), &token)
            .await
            .json();
        assert_eq!(
            (term["previous_from"].as_str(), term["previous_to"].as_str()),
            (Some("2026-01-05"), Some("2026-05-29"))
        );

        // A teacher, and a deputy of another institution, are refused.
        let mut teacher = k.t.client();
        teacher.login("skolotajs", "demo").await;
        assert_eq!(teacher.get("/statistics").await.status, StatusCode::FORBIDDEN);
        let mut other = k.t.client();
        let other_token = other.api_login("pii.vietniece", "demo").await;
        let r = other
            .api_get(&format!("/api/v1/institutions/{}/statistics", k.school), &other_token)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

fn student(summary: &Value, id: i64) -> &Value {
    summary["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .flat_map(|c| c["students"].as_array().expect("students"))
        .find(|s| s["student_id"] == id)
        .unwrap_or_else(|| panic!("{id} in {summary}"))
}

#[tokio::test]
async fn the_monthly_summary_is_counted_published_and_read_by_the_tutor() {
    for backend in backends() {
        let k = known(backend).await;
        let mut deputy = k.t.client();
        let token = deputy.api_login("audzinasana", "demo").await;
        let r = deputy
            .api_get(
                &format!("/api/v1/institutions/{}/absence-summary?month=2026-11", k.school),
                &token,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let summary = r.json();
        assert_eq!(summary["deadline"], "2026-12-12");
        let count = |id: i64| {
            let s = student(&summary, id);
            (s["excused"].clone(), s["unexcused"].clone(), s["late"].clone())
        };
        assert_eq!(count(k.s[0]), (json!(0), json!(2), json!(0)));
        assert_eq!(count(k.s[1]), (json!(1), json!(0), json!(0)));
        assert_eq!(count(k.s[2]), (json!(1), json!(0), json!(0)));
        assert_eq!(count(k.s[3]), (json!(0), json!(0), json!(1)));
        let b = summary["classes"]
            .as_array()
            .expect("classes")
            .iter()
            .find(|c| c["class_name"] == "2.B")
            .expect("2.B");
        assert_eq!(
            (b["excused"].clone(), b["unexcused"].clone(), b["late"].clone()),
            (json!(2), json!(2), json!(1))
        );
        let students = k
            .t
            .id(&format!(
                "SELECT COUNT(DISTINCT student_id) FROM enrolments WHERE class_id = {} AND valid_from <= '2026-11-30' AND (valid_to IS NULL OR valid_to >= '2026-11-01')",
                k.class
            ))
            .await;
        assert_eq!(
            b["students"].as_array().map(Vec::len),
            Some(students as usize),
            "every student, zeros too"
        );

        // November is not over; October is, and its deadline (12 November) has passed.
        let r = deputy
            .api_post(
                &format!("/api/v1/institutions/{}/absence-summary/2026-11/publish", k.school),
                json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(r.json()["error"], "summary_month.not_over");

        // The tutor cannot read October before it is published; others cannot publish it.
        let mut tutor = k.t.client();
        tutor.login("audzinataja", "demo").await;
        let before = tutor.get("/absence-summary?month=2026-10").await;
        assert_eq!(before.status, StatusCode::OK, "the page says so rather than refusing");
        assert!(before.body.contains("vēl nav publicēts"));
        assert!(!before.body.contains("<tfoot>"), "no figures before it is published");
        let mut academic = k.t.client();
        academic.login("vietnieks", "demo").await;
        let page = academic.get("/absence-summary?month=2026-10").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("/absence-summary/publish"),
            "no button for the academic deputy"
        );
        let r = academic
            .submit(
                "/absence-summary?month=2026-10",
                "/absence-summary/publish",
                &[("month", "2026-10")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut teacher = k.t.client();
        teacher.login("skolotajs", "demo").await;
        assert_eq!(
            teacher.get("/absence-summary?month=2026-10").await.status,
            StatusCode::FORBIDDEN
        );

        let mut upbringing = k.t.client();
        upbringing.login("audzinasana", "demo").await;
        let page = upbringing.get("/absence-summary?month=2026-10").await;
        assert!(
            page.body.contains("12.11.2026.") && page.body.contains("termiņš ir pagājis"),
            "{}",
            page.body
        );
        let r = upbringing
            .submit(
                "/absence-summary?month=2026-10",
                "/absence-summary/publish",
                &[("month", "2026-10")],
            )
            .await;
        assert_eq!(r.location(), Some("/absence-summary?month=2026-10"), "{}", r.body);
        assert_eq!(
            k.t.scalar("SELECT month FROM absence_summaries WHERE published_by IS NOT NULL")
                .await,
            "2026-10"
        );
        let page = upbringing.get("/absence-summary?month=2026-10").await;
        assert!(page.body.contains("publicēts pēc termiņa"), "{}", page.body);

        // Now the tutor reads it: their class only.
        let after = tutor.get("/absence-summary?month=2026-10").await;
        assert_eq!(after.status, StatusCode::OK, "{}", after.body);
        assert!(after.body.contains("<h2>2.B</h2>"));
        assert_eq!(after.body.matches("<h2>").count(), 1, "only the tutor's class");
    }
}

fn assert_download(r: &klade_testkit::Response, content_type: &str, extension: &str) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some(content_type)
    );
    let disposition = r
        .headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=") && disposition.ends_with(&format!(".{extension}\"")),
        "{disposition}"
    );
}

#[tokio::test]
async fn reports_download_as_xlsx_csv_and_pdf() {
    for backend in backends() {
        let k = known(backend).await;
        let mut director = k.t.client();
        director.login("direktors", "demo").await;
        let base = format!("/statistics?i={}&from=2026-11-16&to=2026-11-22", k.school);

        let r = director.get(&format!("{base}&format=xlsx")).await;
        assert_download(
            &r,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        );
        let table = klade_docs::read_table(&r.bytes).expect("xlsx reads back");
        assert_eq!(table.headers[0], "Statistika");
        let row = table
            .rows
            .iter()
            .find(|r| r.first().map(String::as_str) == Some("Klase") && r.get(1).map(String::as_str) == Some("2.B"))
            .expect("the 2.B row");
        assert_eq!(
            &row[2..6],
            ["2", "0", "1", "1"],
            "excused now and before, unexcused now and before"
        );
        assert_eq!(row[8], "7");
        assert!(table.rows.iter().any(|r| r.iter().any(|c| c == "Nokavēšanās")));

        let r = director.get(&format!("{base}&format=csv")).await;
        assert_download(&r, "text/csv; charset=utf-8", "csv");
        assert!(r.bytes.starts_with(b"\xEF\xBB\xBF"));
        assert!(r.body.contains("Veids;Nosaukums;Attaisnoti;"), "{}", r.body);
        assert!(r.body.contains("Klase;2.B;2;0;1;1;1;0;7,00;6,00;"), "{}", r.body);

        let r = director.get(&format!("{base}&format=pdf")).await;
        assert_download(&r, "application/pdf", "pdf");
        let text = klade_docs::pdf::extract_text(&r.bytes).expect("pdf text");
        for word in ["Statistika", "Nokavēšanās", "Iepriekšējais", "2.B", "7,00"] {
            assert!(text.contains(word), "{word} in {text}");
        }

        assert_eq!(
            director.get(&format!("{base}&format=doc")).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // The monthly summary and the class summary journal, the same way.
        let r = director
            .get(&format!("/absence-summary?i={}&month=2026-11&format=pdf", k.school))
            .await;
        assert_download(&r, "application/pdf", "pdf");
        let text = klade_docs::pdf::extract_text(&r.bytes).expect("pdf text");
        assert!(
            text.contains("Mēneša kavējumu kopsavilkums") && text.contains("Neattaisnoti"),
            "{text}"
        );
        let r = director
            .get(&format!("/absence-summary?i={}&month=2026-11&format=csv", k.school))
            .await;
        assert_download(&r, "text/csv; charset=utf-8", "csv");
        assert!(r.body.contains("2.B;Kopā;2;2;1"), "{}", r.body);

        let r = director.get(&format!("/classes/{}/summary?format=xlsx", k.class)).await;
        assert_download(
            &r,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        );
        let table = klade_docs::read_table(&r.bytes).expect("xlsx");
        assert!(table.headers[0].starts_with("Kopsavilkuma žurnāls: 2.B"));
        assert!(table.rows.iter().any(|r| r.iter().any(|c| c == "Matemātika")));
        let r = director.get(&format!("/classes/{}/summary?format=pdf", k.class)).await;
        assert_download(&r, "application/pdf", "pdf");
        let text = klade_docs::pdf::extract_text(&r.bytes).expect("pdf text");
        assert!(
            text.contains("Kopsavilkuma") && text.contains("žurnāls") && text.contains("Matemātika"),
            "{text}"
        );
        let page = director.get(&format!("/classes/{}/summary", k.class)).await;
        assert!(page.body.contains("?format=xlsx"));
    }
}

#[tokio::test]
async fn the_clerk_exports_final_grades_for_viis() {
    for backend in backends() {
        let mut k = known(backend).await;
        let year = assessment(&mut k, "year", "2026-11-25").await;
        let (s0, s1) = (k.s[0], k.s[1]);
        cells(
            &mut k,
            json!([
                {"key": format!("g:{year}:{s0}"), "value": "9"},
                {"key": format!("g:{year}:{s1}"), "value": "4"}
            ]),
        )
        .await;
        k.t.exec(&format!("UPDATE persons SET personal_code = NULL WHERE id = {s1}"))
            .await;
        let code =
            k.t.scalar(&format!("SELECT personal_code FROM persons WHERE id = {s0}"))
                .await;
        let family =
            k.t.scalar(&format!("SELECT family_name FROM persons WHERE id = {s1}"))
                .await;

        let mut clerk = k.t.client();
        clerk.login("lietvede", "demo").await;
        let class_page = clerk.get(&format!("/classes/{}/students", k.class)).await;
        assert!(
            class_page.body.contains(&format!("/classes/{}/viis", k.class)),
            "reachable from the class page"
        );
        let r = clerk.get(&format!("/classes/{}/viis?format=csv", k.class)).await;
        assert_download(&r, "text/csv; charset=utf-8", "csv");
        let lines: Vec<&str> = r.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0],
            "Personas kods;Uzvārds;Vārds;Klase;Mācību priekšmets;Vērtējums;Vērtējuma veids;Mācību gads;Piezīme"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{code};")) && l.contains(";2.B;Matemātika;9;Gada;")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!(";{family};")) && l.ends_with(";Nav personas koda")),
            "kept, with a note: {lines:?}"
        );
        assert_eq!(lines.len(), 3);
        let r = clerk.get(&format!("/classes/{}/viis?format=xlsx", k.class)).await;
        let table = klade_docs::read_table(&r.bytes).expect("xlsx");
        assert!(table
            .rows
            .iter()
            .any(|r| r.first() == Some(&code) && r.get(5).map(String::as_str) == Some("9")));

        // The same rows through the API.
        let token = clerk.api_login("lietvede", "demo").await;
        let api = clerk
            .api_get(&format!("/api/v1/classes/{}/viis", k.class), &token)
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        let d = api.json();
        assert_eq!(d["class_name"], "2.B");
        let rows = d["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), 2, "{d}");
        assert!(rows.iter().any(|r| r["personal_code"] == code.as_str()
            && r["subject"] == "Matemātika"
            && r["mark"] == "9"
            && r["kind"] == "year"));
        assert!(rows
            .iter()
            .any(|r| r["personal_code"].is_null() && r["family_name"] == family.as_str() && r["mark"] == "4"));

        let mut director = k.t.client();
        director.login("direktors", "demo").await;
        assert_eq!(
            director
                .get(&format!("/classes/{}/viis?format=csv", k.class))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let token = director.api_login("direktors", "demo").await;
        assert_eq!(
            director
                .api_get(&format!("/api/v1/classes/{}/viis", k.class), &token)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}
