//! The year-end archive: the demo school's and preschool's year is written, verified with nothing
//! but its files, tampered with (one byte) and caught; the superuser's button gives the same
//! archive as a zip; nobody else may take it.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_app::archive::{self, Problem};
use klade_testkit::{backends, TestApp};

#[tokio::test]
async fn the_demo_year_is_archived_verified_and_a_changed_byte_is_caught() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = klade_domain::InstitutionId(t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await);
        let math = t
            .id("SELECT c.id FROM courses c JOIN classes k ON k.id = c.class_id WHERE k.name = '2.B' AND c.name = 'Matemātika'")
            .await;
        let deputy = t
            .id("SELECT person_id FROM accounts WHERE username = 'metodikis'")
            .await;
        t.exec(&format!(
            "INSERT INTO journal_checks (institution_id, course_id, area, finding, created_by, created_at) \
             VALUES ({}, {math}, 'content', 'Tēmas neatbilst plānam', {deputy}, 0)",
            school.0
        ))
        .await;
        let made = archive::create(&t.app, klade_domain::Tenant::without_permit(school), "", None)
            .await
            .expect("archive");
        let paths: Vec<&String> = made.files.keys().collect();
        assert!(paths.iter().any(|p| p.starts_with("journals/") && p.ends_with(".json")));
        assert!(paths.iter().any(|p| p.ends_with("/journals.pdf")));
        assert!(paths.iter().any(|p| p.ends_with("/summary.json")));
        assert!(paths.iter().any(|p| p.ends_with("/progress-reports.pdf")));
        assert!(made.files.contains_key("SCHEMA.md"));

        // The documents carry the Latvian letters, and the data the journal's values.
        let class_2b = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let summary =
            klade_docs::pdf::extract_text(&made.files[&format!("classes/{class_2b}/summary.pdf")]).expect("text");
        assert!(
            summary.contains("Kopsavilkuma žurnāls: 2.B") && summary.contains("Krūmiņa Anna"),
            "{summary}"
        );
        let data: serde_json::Value =
            serde_json::from_slice(&made.files[&format!("journals/{math}.json")]).expect("json");
        let lessons = t
            .scalar(&format!("SELECT COUNT(*) FROM lessons WHERE course_id = {math}"))
            .await;
        assert_eq!(data["lessons"].as_array().expect("lessons").len().to_string(), lessons);
        assert_eq!(data["checks"][0]["area"], "content");
        assert_eq!(data["checks"][0]["state"], "open");

        // Written out and read back on "another machine": intact; one changed byte is named.
        let dir = std::env::temp_dir().join(format!("klade-archive-{}-{}", std::process::id(), backend as u8));
        let _ = std::fs::remove_dir_all(&dir);
        archive::write_dir(&made, &dir).expect("write");
        let files = archive::read_dir(&dir).expect("read");
        let (key, problems) = archive::verify(&files, None);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(key.len(), 64);
        let target = dir.join(format!("classes/{class_2b}/journals.pdf"));
        let mut bytes = std::fs::read(&target).expect("pdf");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&target, bytes).expect("tamper");
        let (_, problems) = archive::verify(&archive::read_dir(&dir).expect("read"), Some(&key));
        assert_eq!(
            problems,
            vec![Problem::Changed(format!("classes/{class_2b}/journals.pdf"))]
        );
        let _ = std::fs::remove_dir_all(&dir);

        // The preschool's year holds its groups' record.
        let preschool = klade_domain::InstitutionId(t.id("SELECT id FROM institutions WHERE kind = 'preschool'").await);
        let made = archive::create(&t.app, klade_domain::Tenant::without_permit(preschool), "", None)
            .await
            .expect("archive");
        let group = t.id("SELECT id FROM classes WHERE name = 'Mārītes'").await;
        let data: serde_json::Value =
            serde_json::from_slice(&made.files[&format!("groups/{group}/journal.json")]).expect("json");
        assert!(!data["journal"].as_array().expect("entries").is_empty());
        assert!(archive::verify(&made.files, None).1.is_empty());
        // Each institution signs with its own key.
        let (other_key, _) = archive::verify(&made.files, None);
        assert_ne!(other_key, key);
        assert_eq!(t.count("archives").await, 2);
    }
}

#[tokio::test]
async fn the_superuser_downloads_the_archive_and_nobody_else_may() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let mut admin = t.client();
        admin.login("admin", "demo").await;
        let home = admin.get("/").await.body;
        assert!(
            home.contains("action=\"/admin/archive\""),
            "the button is on the superuser's home"
        );
        let r = admin.submit("/", "/admin/archive", &[("i", &school.to_string())]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.headers["content-type"], "application/zip");
        assert!(r.bytes.starts_with(b"PK\x03\x04"));
        assert!(r.bytes.windows(13).any(|w| w == b"manifest.json"));

        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let r = teacher
            .submit("/", "/admin/archive", &[("i", &school.to_string())])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = admin
            .submit(
                "/",
                "/admin/archive",
                &[("i", &school.to_string()), ("year", "1999/2000")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("archives").await, 1);
    }
}
