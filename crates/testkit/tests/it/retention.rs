//! Retention (R29): a student who left long ago has their personal data anonymised, old mail and
//! access-log entries go, nothing is erased without `apply`, and the journals' history and a
//! written archive stay intact.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use klade_testkit::{backends, TestApp};

#[tokio::test]
async fn personal_data_past_its_time_is_anonymised_and_the_record_stays_whole() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = klade_domain::InstitutionId(t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await);
        let archive = klade_app::archive::create(&t.app, klade_domain::Tenant::without_permit(school), "", None)
            .await
            .expect("archive");

        // Anna left in 1940 (her grades stay in the journal); another student left last year.
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let recent = t
            .id(&format!(
                "SELECT MIN(student_id) FROM enrolments WHERE student_id <> {anna} AND valid_to IS NULL"
            ))
            .await;
        t.exec(&format!(
            "UPDATE memberships SET valid_to = '1940-06-30' WHERE person_id = {anna}"
        ))
        .await;
        t.exec(&format!(
            "UPDATE memberships SET valid_to = '2025-06-30' WHERE person_id = {recent}"
        ))
        .await;
        assert_eq!(
            t.scalar(&format!("SELECT COUNT(*) FROM accounts WHERE person_id = {anna}"))
                .await,
            "1"
        );
        let grades = t
            .scalar(&format!("SELECT COUNT(*) FROM grades WHERE student_id = {anna}"))
            .await;
        assert_ne!(grades, "0");
        // A message from long ago and one from yesterday.
        let tutor = t
            .id("SELECT person_id FROM accounts WHERE username = 'audzinataja'")
            .await;
        let parent = t.id("SELECT person_id FROM accounts WHERE username = 'vecaks'").await;
        t.exec(&format!(
            "INSERT INTO messages (institution_id, thread_id, sender_id, subject, body, audience, search_text, created_at) \
             VALUES ({}, NULL, {tutor}, 'Sens', 'Sena vēstule', '[]', 'sens', 1000)",
            school.0
        ))
        .await;
        let old = t.id("SELECT id FROM messages WHERE subject = 'Sens'").await;
        t.exec(&format!(
            "INSERT INTO message_recipients (message_id, person_id) VALUES ({old}, {parent})"
        ))
        .await;
        let messages = t.count("messages").await;

        let report = klade_app::retention::run(&t.app, false).await.expect("report");
        let r = report
            .iter()
            .find(|r| r.people.contains(&klade_domain::PersonId(anna)))
            .expect("Anna is due");
        assert!(
            !r.people.contains(&klade_domain::PersonId(recent)),
            "a recent leaver keeps their data"
        );
        assert!(r.messages >= 1);
        assert_eq!(t.count("messages").await, messages, "a report erases nothing");
        assert_eq!(
            t.scalar(&format!("SELECT family_name FROM persons WHERE id = {anna}"))
                .await,
            "Krūmiņa"
        );

        klade_app::retention::run(&t.app, true).await.expect("apply");
        assert_eq!(
            t.scalar(&format!("SELECT family_name FROM persons WHERE id = {anna}"))
                .await,
            "Anonimizēts"
        );
        assert_eq!(
            t.scalar(&format!(
                "SELECT COUNT(*) FROM persons WHERE id = {anna} AND personal_code IS NULL AND birth_date IS NULL"
            ))
            .await,
            "1"
        );
        assert_eq!(
            t.scalar(&format!("SELECT COUNT(*) FROM accounts WHERE person_id = {anna}"))
                .await,
            "0"
        );
        assert_ne!(
            t.scalar(&format!("SELECT family_name FROM persons WHERE id = {recent}"))
                .await,
            "Anonimizēts"
        );
        assert_eq!(
            t.count("messages").await,
            messages - 1,
            "the old message is gone, the demo's stay"
        );
        // The record stays whole: the grades, the history chain, and the archive written before.
        assert_eq!(
            t.scalar(&format!("SELECT COUNT(*) FROM grades WHERE student_id = {anna}"))
                .await,
            grades
        );
        let problems = klade_app::journal::verify(&t.app).await.expect("verify");
        assert!(problems.is_empty(), "{problems:?}");
        assert!(klade_app::archive::verify(&archive.files, None).1.is_empty());

        // An institution keeps mail longer if it says so.
        klade_app::retention::set_period(&t.app, klade_domain::Tenant::without_permit(school), "messages", 60)
            .await
            .expect("set");
        assert_eq!(
            klade_app::retention::periods(&t.app, school).await.expect("periods")["messages"],
            60
        );
        assert!(
            klade_app::retention::set_period(&t.app, klade_domain::Tenant::without_permit(school), "grades", 3)
                .await
                .is_err()
        );
    }
}
