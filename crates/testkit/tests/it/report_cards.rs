//! Report cards (*liecības*): a term's and the year's card from the period grades teachers gave,
//! on the page, as a PDF and through the API; who may print them; a period that is not one.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};
use serde_json::json;

#[tokio::test]
async fn a_class_gets_its_term_and_year_report_cards() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let kristaps = t
            .id(&format!(
                "SELECT MIN(e.student_id) FROM enrolments e JOIN persons p ON p.id = e.student_id \
                 WHERE e.class_id = {class} AND p.id <> {anna}"
            ))
            .await;
        // The teacher gives the first term's marks: Anna 8, another learner exempt.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        let a = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/assessments"),
                json!({"kind": "semester", "scale": "ten", "date": "2026-11-26", "title": ""}),
                Some(&token),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let assessment = a.json()["id"].as_i64().expect("id");
        let saved = teacher
            .api_post(
                &format!("/api/v1/courses/{course}/cells"),
                json!({"cells": [
                    {"key": format!("g:{assessment}:{anna}"), "value": "8"},
                    {"key": format!("g:{assessment}:{kristaps}"), "value": "atbr"},
                ]}),
                Some(&token),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        assert!(
            tutor.get("/").await.body.contains(&format!("/classes/{class}/card")),
            "the tutor's home leads to the cards"
        );
        let page = tutor.get(&format!("/classes/{class}/card?period=1")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(
            page.body.matches("<article class=\"report\">").count(),
            25,
            "one per learner"
        );
        let code = t
            .id(&format!(
                "SELECT COUNT(*) FROM persons WHERE id = {anna} AND personal_code IS NOT NULL"
            ))
            .await;
        assert_eq!(code, 1, "the demo's learners have personal codes");
        let anna_card = page
            .body
            .split("<article class=\"report\">")
            .find(|c| c.contains("Anna Krūmiņa"))
            .expect("Anna's card");
        assert!(
            anna_card.contains("<th scope=\"row\">Matemātika</th><td class=\"num\">8</td>"),
            "{anna_card}"
        );
        assert!(anna_card.contains("Reģ. Nr.") && anna_card.contains("Personas kods"));
        assert!(
            page.body.contains("<td class=\"num\">atbrīvots</td>"),
            "exempt is written in words"
        );
        assert!(
            page.body.contains("nav semestra vai gada vērtējumu"),
            "a learner with no period marks is told so"
        );

        // The PDF: one learner, the heading a school prints, and who signs by name.
        let pdf = tutor
            .request(
                axum::http::Method::GET,
                &format!("/classes/{class}/card.pdf?period=1&student={anna}"),
                None,
                String::new(),
                None,
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        let text = klade_docs::pdf::extract_text(&pdf.bytes).expect("a PDF");
        for part in [
            "Liecība (",
            "Reģ. Nr.",
            "Anna Krūmiņa",
            "Personas kods",
            "Mācību gads",
            "2.B",
            "Kavētās mācību stundas: attaisnotas",
            "Klases audzinātājs ",
            "Direktors ",
            "Z. v.",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
        assert_eq!(text.matches("Liecība (").count(), 1, "one learner asked, one card");
        // The table read back: the subject's line carries its term mark.
        let at = text.find("Matemātika").expect("Matemātika in the PDF");
        assert!(
            text[at + "Matemātika".len()..].trim_start().starts_with('8'),
            "{}",
            &text[at..]
        );

        // The year's card has the year's column; the term's mark stands in its own.
        let year = tutor
            .get(&format!("/classes/{class}/card?period=year&student={anna}"))
            .await;
        assert_eq!(year.status, StatusCode::OK);
        assert!(
            year.body.contains("Liecība par mācību gadu")
                && year.body.contains("<th scope=\"col\">Gada vērtējums</th>"),
            "{}",
            year.body
        );
        assert!(year
            .body
            .contains("<th scope=\"row\">Matemātika</th><td class=\"num\">8</td><td class=\"num\"></td>"));

        // The API gives the same, marks as stored with their scale.
        let ctoken = tutor.api_login("audzinataja", "demo").await;
        let json = tutor
            .api_get(
                &format!("/api/v1/classes/{class}/report-cards?period=1&student={anna}"),
                &ctoken,
            )
            .await
            .json();
        let maths = json["cards"][0]["subjects"]
            .as_array()
            .expect("subjects")
            .iter()
            .find(|s| s["course"] == "Matemātika")
            .expect("Matemātika")
            .clone();
        assert_eq!(maths["terms"][0], json!({"mark": "8", "scale": "ten"}));
        assert!(json["reg_no"].as_str().is_some_and(|r| !r.is_empty()));

        // A period that is not one is refused with a message; others' classes are not theirs.
        let bad = tutor.get(&format!("/classes/{class}/card?period=x")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Izvēlieties semestri vai mācību gadu"));
        let none = tutor.get(&format!("/classes/{class}/card?period=9")).await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            teacher.get(&format!("/classes/{class}/card")).await.status,
            StatusCode::FORBIDDEN
        );
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        assert_eq!(
            parent.get(&format!("/classes/{class}/card.pdf")).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

/// The class list downloads in the three formats, numbered in Latvian order; a progress report of
/// a period without grades says so instead of an empty table.
#[tokio::test]
async fn the_class_list_and_a_report_without_grades() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let page = tutor.get(&format!("/classes/{class}/students")).await.body;
        assert!(
            page.contains(&format!("/classes/{class}/students?format=pdf")),
            "{page}"
        );
        let pdf = tutor
            .request(
                axum::http::Method::GET,
                &format!("/classes/{class}/students?format=pdf"),
                None,
                String::new(),
                None,
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        let text = klade_docs::pdf::extract_text(&pdf.bytes).expect("a PDF");
        assert!(
            text.contains("Klases saraksts: 2.B") && text.contains("Krūmiņa"),
            "{text}"
        );
        let csv = tutor
            .request(
                axum::http::Method::GET,
                &format!("/classes/{class}/students?format=csv"),
                None,
                String::new(),
                None,
            )
            .await;
        let csv = String::from_utf8(csv.bytes).expect("UTF-8");
        let rows: Vec<&str> = csv.lines().skip(1).filter(|l| !l.is_empty()).collect();
        let families: Vec<String> = rows
            .iter()
            .filter_map(|r| r.split(';').nth(1).map(|f| f.trim_matches('"').to_string()))
            .collect();
        assert_eq!(families.len(), 25, "{csv}");
        assert!(rows[0].starts_with("1;"), "numbered: {csv}");
        let mut sorted = families.clone();
        sorted.sort_by(|a, b| klade_domain::collate::cmp(a, b));
        assert_eq!(families, sorted, "in Latvian order");
        assert_eq!(
            tutor.get(&format!("/classes/{class}/students?format=doc")).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let anna = t.person_named("Anna", "Krūmiņa").await;
        let empty = tutor
            .get(&format!(
                "/classes/{class}/report?student={anna}&from=2026-09-05&to=2026-09-06" // a weekend
            ))
            .await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(
            empty.body.contains("nav neviena vērtējuma") && !empty.body.contains("<table>"),
            "{}",
            empty.body
        );
    }
}
