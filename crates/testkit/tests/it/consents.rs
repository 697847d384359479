//! Consents and surveys: a deputy asks two classes, a parent answers for a child, changes nothing
//! with a wrong answer, and after the date may only withdraw a consent; every answer is kept with
//! who and when; the tutor sees their class's answers only, the deputy every class's, and the
//! families who have not answered are reminded. Bad input comes back with what was typed.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

#[tokio::test]
async fn a_deputy_asks_parents_answer_and_may_withdraw_a_consent() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let class = t
            .id(&format!(
                "SELECT class_id FROM enrolments WHERE student_id = {anna} AND valid_to IS NULL LIMIT 1"
            ))
            .await;
        let school = t
            .id(&format!("SELECT institution_id FROM classes WHERE id = {class}"))
            .await;
        let other_class = t
            .id(&format!(
                "SELECT MIN(c.id) FROM classes c WHERE c.institution_id = {school} AND c.id <> {class} \
                 AND EXISTS (SELECT 1 FROM enrolments e WHERE e.class_id = c.id)"
            ))
            .await;
        let other_student = t
            .scalar(&format!(
                "SELECT p.family_name FROM enrolments e JOIN persons p ON p.id = e.student_id \
                 WHERE e.class_id = {other_class} ORDER BY p.id LIMIT 1"
            ))
            .await;
        let (class_s, other_s) = (class.to_string(), other_class.to_string());

        let mut deputy = t.client();
        deputy.login("radosais", "demo").await;
        assert!(deputy.get("/consents").await.body.contains("Jauns jautājums vecākiem"));
        // Refused, with what was typed.
        for (fields, message) in [
            (
                vec![
                    ("classes", class_s.as_str()),
                    ("kind", "choice"),
                    ("title", "Kurā dienā?"),
                    ("choices", "Tikai viena"),
                    ("answer_by", "2026-12-04"),
                ],
                "no 2 līdz 10",
            ),
            (
                vec![
                    ("kind", "consent"),
                    ("title", "Kurā dienā?"),
                    ("answer_by", "2026-12-04"),
                ],
                "vismaz vienu klasi",
            ),
            (
                vec![
                    ("classes", class_s.as_str()),
                    ("kind", "consent"),
                    ("title", "Kurā dienā?"),
                    ("answer_by", "2026-11-01"),
                ],
                "nevar būt pagātnē",
            ),
        ] {
            let r = deputy.submit("/consents", "/consents", &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            assert!(
                r.body.contains(message) && r.body.contains("Kurā dienā?"),
                "{message}: {}",
                r.body
            );
        }
        assert_eq!(t.count("consents").await, 0);
        let r = deputy
            .submit(
                "/consents",
                "/consents",
                &[
                    ("classes", &class_s),
                    ("classes", &other_s),
                    ("kind", "consent"),
                    ("title", "Ekskursija uz Siguldu"),
                    ("body", "Izbraukšana 8:30 no skolas."),
                    ("answer_by", "04.12.2026."),
                ],
            )
            .await;
        let at = r.location().expect("to the question").to_string();
        let trip: i64 = at
            .trim_start_matches("/consents/")
            .split('?')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("an id");
        deputy
            .submit(
                "/consents",
                "/consents",
                &[
                    ("classes", &class_s),
                    ("kind", "choice"),
                    ("title", "Kurā dienā?"),
                    ("choices", "Pirmdiena\nOtrdiena"),
                    ("answer_by", "2026-12-04"),
                ],
            )
            .await;
        let survey = t.id("SELECT id FROM consents WHERE title = 'Kurā dienā?'").await;

        // Anna's mother: two questions wait; she answers both, a wrong answer changes nothing.
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        assert!(parent
            .get("/")
            .await
            .body
            .contains("Jūsu atbildi gaida jautājumi no skolas: 2."));
        let anna_s = anna.to_string();
        let r = parent
            .submit(
                "/consents",
                &format!("/consents/{trip}/answer"),
                &[("student", &anna_s), ("answer", "yes")],
            )
            .await;
        assert_eq!(r.location(), Some("/consents?done=answered"), "{}", r.body);
        let r = parent
            .submit(
                "/consents",
                &format!("/consents/{survey}/answer"),
                &[("student", &anna_s), ("answer", "Trešdiena")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("neder"), "{}", r.body);
        assert_eq!(
            t.count(&format!("consent_answers WHERE consent_id = {survey}")).await,
            0
        );
        parent
            .submit(
                "/consents",
                &format!("/consents/{survey}/answer"),
                &[("student", &anna_s), ("answer", "Otrdiena")],
            )
            .await;
        let page = parent.get("/consents").await.body;
        assert!(
            page.contains("Jūsu atbilde: <strong>Jā — Ilze Krūmiņa, 26.11.2026. 12:00</strong>"),
            "{page}"
        );
        assert!(!parent.get("/").await.body.contains("gaida jautājumi"));

        // The tutor of 2.B sees her class's answers, not the other class; the deputy sees both.
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        assert!(tutor.get("/consents").await.body.contains("Ekskursija uz Siguldu"));
        let view = tutor.get(&format!("/consents/{trip}")).await.body;
        assert!(
            view.contains("Jā — Ilze Krūmiņa") && !view.contains(&other_student),
            "{view}"
        );
        let view = deputy.get(&format!("/consents/{trip}")).await.body;
        assert!(
            view.contains("Jā — Ilze Krūmiņa") && view.contains(&other_student),
            "{view}"
        );
        // Another family cannot answer for Anna, nor read the answers.
        assert_eq!(
            t.client().get(&format!("/consents/{trip}")).await.status,
            StatusCode::SEE_OTHER,
            "not signed in"
        );
        let mut student = t.client();
        student.login("skolens", "demo").await;
        assert_eq!(
            student.get(&format!("/consents/{trip}")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = student
            .submit(
                "/consents",
                &format!("/consents/{trip}/answer"),
                &[("student", &anna_s), ("answer", "no")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Those not answered are reminded by e-mail.
        t.exec(&format!(
            "UPDATE persons SET email = 'parent' || CAST(id AS TEXT) || '@example.lv' WHERE id IN \
             (SELECT g.parent_id FROM guardianships g JOIN enrolments e ON e.student_id = g.child_id WHERE e.class_id = {other_class})"
        ))
        .await;
        let r = deputy
            .submit(&format!("/consents/{trip}"), &format!("/consents/{trip}/remind"), &[])
            .await;
        assert!(r.location().is_some_and(|l| l.contains("done=reminded")), "{}", r.body);
        let queued = t
            .count("jobs WHERE kind = 'email_to' AND payload LIKE '%Ekskursija uz Siguldu%'")
            .await;
        assert!(queued > 0, "reminders queued");
        assert_eq!(
            t.count("jobs WHERE kind = 'email_to' AND payload LIKE '%Anna Krūmiņa%' AND payload LIKE '%Ekskursija%'")
                .await,
            0,
            "not to the family who answered"
        );

        // After the date: no answering, but a consent may be withdrawn, and both answers are kept.
        t.clock.advance_secs(9 * 24 * 3600);
        parent.login("vecaks", "demo").await;
        let r = parent
            .submit(
                "/consents",
                &format!("/consents/{trip}/answer"),
                &[("student", &anna_s), ("answer", "no")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("termiņš ir beidzies"), "{}", r.body);
        let r = parent
            .submit(
                "/consents",
                &format!("/consents/{trip}/withdraw"),
                &[("student", &anna_s)],
            )
            .await;
        assert_eq!(r.location(), Some("/consents?done=withdrawn"), "{}", r.body);
        let r = parent
            .submit(
                "/consents",
                &format!("/consents/{trip}/withdraw"),
                &[("student", &anna_s)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing left to withdraw");
        assert_eq!(
            t.count(&format!(
                "consent_answers WHERE consent_id = {trip} AND student_id = {anna}"
            ))
            .await,
            2
        );
        let api = parent.api_login("vecaks", "demo").await;
        let list = parent.api_get("/api/v1/consents", &api).await.json();
        let mine = list["family"]
            .as_array()
            .expect("family")
            .iter()
            .find(|f| f["consent"]["id"] == trip)
            .expect("the trip")
            .clone();
        assert_eq!(mine["standing"]["withdrawn"], true, "{mine}");
        assert_eq!(mine["history"].as_array().map(Vec::len), Some(2));
        deputy.login("radosais", "demo").await;
        assert!(deputy
            .get(&format!("/consents/{trip}"))
            .await
            .body
            .contains("Piekrišana atsaukta"));
    }
}
