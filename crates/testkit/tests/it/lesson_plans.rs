//! Lesson planning: a teacher types a course's thematic plan, the lesson form proposes its next
//! topic so saving the lesson is one tap, the next lesson is offered the next topic; a plan is
//! loaded from a CSV file or copied from another course of the subject; a tutor who reads the
//! journal cannot change it. Bad input comes back with what was typed.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

#[tokio::test]
async fn a_thematic_plan_is_proposed_into_each_lesson() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        teacher.login("skolotajs", "demo").await;
        let plan = format!("/journal/{course}/plan");
        assert_eq!(teacher.get(&plan).await.status, StatusCode::OK);

        // Too long a topic: refused, the text kept.
        let long = format!("Naturālie skaitļi\n{}", "x".repeat(301));
        let r = teacher.submit(&plan, &plan, &[("topics", &long)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("300 rakstzīmēm") && r.body.contains(&"x".repeat(301)),
            "{}",
            r.body
        );
        let r = teacher
            .submit(
                &plan,
                &plan,
                &[(
                    "topics",
                    "Naturālie skaitļi\n\n Saskaitīšana līdz 100 \nAtņemšana līdz 100",
                )],
            )
            .await;
        assert_eq!(r.location(), Some(format!("{plan}?saved=3").as_str()), "{}", r.body);

        // A lesson without a topic is offered the first; saved, the next lesson gets the second.
        let lesson = format!("/journal/{course}/lesson?date=2026-11-26&no=9");
        let form = teacher.get(&lesson).await.body;
        assert!(
            form.contains("value=\"Naturālie skaitļi\"") && form.contains("Ieteikts no tematiskā plāna"),
            "{form}"
        );
        let r = teacher
            .submit(
                &lesson,
                &format!("/journal/{course}/lesson"),
                &[
                    ("date", "2026-11-26"),
                    ("lesson_no", "9"),
                    ("topic", "Naturālie skaitļi"),
                    ("content", ""),
                    ("homework", ""),
                    ("homework_due", ""),
                    ("reason", ""),
                ],
            )
            .await;
        assert!(r.status.is_redirection(), "{}", r.body);
        let next = teacher
            .get(&format!("/journal/{course}/lesson?date=2026-11-25&no=9"))
            .await
            .body;
        assert!(next.contains("value=\"Saskaitīšana līdz 100\""), "{next}");
        let api = teacher
            .api_get(&format!("/api/v1/courses/{course}/plan"), &token)
            .await
            .json();
        assert_eq!(api["used"], 1);
        assert_eq!(api["next"], "Saskaitīšana līdz 100");

        // From a file: the heading row, then a topic a row; an empty file changes nothing.
        let import = format!("/journal/{course}/plan/import");
        let page = teacher.get(&plan).await;
        let csrf = page.csrf().expect("csrf");
        let r = teacher
            .upload(
                &format!("{import}?csrf={csrf}"),
                &[],
                ("file", "plans.csv", b"T\xc4\x93ma\n"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("nav nevienas tēmas"), "{}", r.body);
        assert_eq!(t.count(&format!("lesson_plans WHERE course_id = {course}")).await, 3);
        let csv = "Tēma;Stundas\nDalīšana;2\nReizināšana;3\n".as_bytes();
        let r = teacher
            .upload(&format!("{import}?csrf={csrf}"), &[], ("file", "plans.csv", csv))
            .await;
        assert_eq!(r.location(), Some(format!("{plan}?saved=2").as_str()), "{}", r.body);

        // Copied from another course of the subject the teacher teaches; one of a course they
        // may not read is refused.
        let same_subject = |taught: bool| {
            format!(
                "SELECT MIN(c.id) FROM courses c WHERE c.id <> {course} \
                 AND c.subject_id = (SELECT subject_id FROM courses WHERE id = {course}) \
                 AND {} EXISTS (SELECT 1 FROM course_teachers k JOIN accounts a ON a.person_id = k.person_id \
                   WHERE k.course_id = c.id AND a.username = 'skolotajs')",
                if taught { "" } else { "NOT" }
            )
        };
        let (mine, theirs) = (t.id(&same_subject(true)).await, t.id(&same_subject(false)).await);
        let school = t
            .id(&format!("SELECT institution_id FROM courses WHERE id = {course}"))
            .await;
        for other in [mine, theirs] {
            t.exec(&format!(
                "INSERT INTO lesson_plans (institution_id, course_id, ordinal, topic) VALUES ({school}, {other}, 0, 'Ģeometriskās figūras {other}')"
            ))
            .await;
        }
        let r = teacher
            .submit(&plan, &format!("{plan}/copy"), &[("from", &theirs.to_string())])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = teacher
            .submit(&plan, &format!("{plan}/copy"), &[("from", &mine.to_string())])
            .await;
        assert_eq!(r.location(), Some(format!("{plan}?saved=1").as_str()), "{}", r.body);
        assert!(teacher
            .get(&plan)
            .await
            .body
            .contains(&format!("Ģeometriskās figūras {mine}")));

        // The tutor reads the plan but cannot change it.
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let r = tutor.get(&plan).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("name=\"topics\""));
        let before = t.count(&format!("lesson_plans WHERE course_id = {course}")).await;
        let r = tutor.submit(&plan, &plan, &[("topics", "Cits")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            t.count(&format!("lesson_plans WHERE course_id = {course}")).await,
            before
        );
    }
}
