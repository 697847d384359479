//! The preschool's day: attendance by 09:00 (late after it), the nurse's correction with a reason
//! kept in the history, the daily journal with a photo whose metadata is gone, S/T/A/P
//! assessments, and what a parent sees; bad input changes nothing.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

/// A JPEG carrying an Exif block with a GPS tag and a camera serial number, as phones write them.
fn photo_with_metadata() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&img)
        .expect("encode");
    let mut exif = b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude 56.9496 N; BodySerialNumber SN-4242-KAMERA".to_vec();
    exif.resize(80, 0);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend(((exif.len() + 2) as u16).to_be_bytes());
    app1.extend(exif);
    let mut out = plain[..2].to_vec();
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

async fn group(t: &TestApp, name: &str) -> i64 {
    t.id(&format!(
        "SELECT id FROM classes WHERE name = '{name}' AND kind = 'group'"
    ))
    .await
}

async fn today_marks(t: &TestApp) -> i64 {
    t.id("SELECT COUNT(*) FROM preschool_attendance WHERE date = '2026-11-26'")
        .await
}

async fn jekabs(t: &TestApp) -> i64 {
    t.person_named("Jēkabs", "Krūmiņš").await
}

#[tokio::test]
async fn the_teacher_marks_the_day_and_the_nurse_corrects_a_mark_with_a_reason() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let g = group(&t, "Mārītes").await;
        let child = jekabs(&t).await;
        let other = group(&t, "Bitītes").await;
        let stranger = t
            .id(&format!(
                "SELECT MIN(student_id) FROM enrolments WHERE class_id = {other} AND valid_to IS NULL"
            ))
            .await;
        let mut teacher = t.client();
        teacher.login("pii.skolotaja", "demo").await;
        let home = teacher.get("/").await.body;
        assert!(
            home.contains(&format!("/groups/{g}")),
            "the group's journal from the home page"
        );
        let day = teacher.get(&format!("/groups/{g}")).await;
        assert_eq!(day.status, StatusCode::OK);
        assert!(day.body.contains("Krūmiņš Jēkabs"), "{}", day.body);
        assert!(day.body.contains("Saglabāt apmeklējumu") && day.body.contains("Jauns ieraksts"));
        // Tomorrow cannot be marked yet: the page says so and offers no form to be refused on save.
        let ahead = teacher.get(&format!("/groups/{g}?date=2026-11-27")).await.body;
        assert!(ahead.contains("Šī diena vēl nav pienākusi."), "{ahead}");
        assert!(!ahead.contains("Saglabāt apmeklējumu") && !ahead.contains("Jauns ieraksts"));

        // 12:00 in Riga: after 09:00, accepted but late.
        let path = format!("/groups/{g}");
        let r = teacher
            .submit(
                &path,
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
            Some(format!("/groups/{g}?date=2026-11-26&done=late").as_str()),
            "{}",
            r.body
        );
        let page = teacher.get(&path).await.body;
        assert!(page.contains("pēc termiņa"), "the late marking is shown");
        assert_eq!(today_marks(&t).await, 1);

        // Bad input: a child of another group, a day off (18 November), a future day, a bad mark.
        for (date, key, code, message) in [
            ("2026-11-26", stranger, "N", "nav šajā grupā"),
            ("2026-11-18", child, "S", "nestrādā"),
            ("2026-11-27", child, "S", "vēl nav pienākusi"),
            ("2026-11-26", child, "X", "N, S vai C"),
        ] {
            let r = teacher
                .submit(
                    &path,
                    &format!("/groups/{g}/attendance"),
                    &[("date", date), (&format!("m:{key}"), code), ("reason", "")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{date} {code}");
            assert!(r.body.contains(message), "{message}: {}", r.body);
        }
        assert_eq!(today_marks(&t).await, 1, "nothing changed");
        assert_eq!(
            t.scalar(&format!(
                "SELECT code FROM preschool_attendance WHERE child_id = {child}"
            ))
            .await,
            "N"
        );

        // The nurse reviews the week and corrects the mark: a reason is required and kept.
        let mut nurse = t.client();
        nurse.login("masa", "demo").await;
        let week = nurse.get(&format!("/groups/{g}/week?date=2026-11-26")).await;
        assert_eq!(week.status, StatusCode::OK);
        assert!(
            week.body.contains("Krūmiņš Jēkabs") && week.body.contains(">N<"),
            "{}",
            week.body
        );
        assert!(
            week.body.contains("title=\"neattaisnots kavējums"),
            "the mark's words on hover: {}",
            week.body
        );
        let fields = [
            ("date", "2026-11-26"),
            (&format!("m:{child}") as &str, "S"),
            (&format!("r:{child}") as &str, "Saaukstēšanās"),
            ("reason", ""),
        ];
        let r = nurse.submit(&path, &format!("/groups/{g}/attendance"), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("norādiet iemeslu"), "{}", r.body);
        // What the nurse typed comes back, the missing reason marked — nothing thrown away.
        assert!(
            r.body.contains("<option value=\"S\" selected>") && r.body.contains("value=\"Saaukstēšanās\""),
            "the typed mark and reason stay: {}",
            r.body
        );
        assert!(
            r.body
                .contains("name=\"reason\" value=\"\" aria-describedby=\"reason-hint\" aria-invalid=\"true\""),
            "{}",
            r.body
        );
        let key = format!("m:{child}");
        let reason_key = format!("r:{child}");
        let r = nurse
            .submit(
                &path,
                &format!("/groups/{g}/attendance"),
                &[
                    ("date", "2026-11-26"),
                    (&key, "S"),
                    (&reason_key, "Saaukstēšanās"),
                    ("reason", "Māte zvanīja no rīta"),
                ],
            )
            .await;
        assert!(r.location().is_some(), "{}", r.body);
        assert!(
            !r.location().unwrap_or_default().contains("late"),
            "a correction is not a late marking: {:?}",
            r.location()
        );
        assert_eq!(
            t.scalar(&format!(
                "SELECT code FROM preschool_attendance WHERE child_id = {child}"
            ))
            .await,
            "S"
        );
        // The teacher sees the correction: who, what and why.
        let page = teacher.get(&path).await.body;
        assert!(
            page.contains("Labojumi") && page.contains("Māte zvanīja no rīta"),
            "{page}"
        );
        assert!(page.contains("N → S: Saaukstēšanās"), "{page}");
        // The history chain holds both, and everything in it checks out.
        assert_eq!(
            t.scalar(&format!(
                "SELECT COUNT(*) FROM journal_history WHERE item = 'pattendance:{child}:2026-11-26'"
            ))
            .await,
            "2"
        );
        let problems = klade_app::journal::verify(&t.app).await.expect("verify");
        assert!(problems.is_empty(), "{problems:?}");

        // Another group's teacher can neither mark nor read this group.
        let other_teacher = t
            .scalar(&format!(
                "SELECT a.username FROM class_tutors c JOIN accounts a ON a.person_id = c.person_id WHERE c.class_id = {other}"
            ))
            .await;
        let _ = other_teacher;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        assert_eq!(
            parent.get(&format!("/groups/{g}/week")).await.status,
            StatusCode::FORBIDDEN
        );
        let r = parent
            .submit(
                "/",
                &format!("/groups/{g}/attendance"),
                &[("date", "2026-11-26"), (&key, ""), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_journal_entry_with_a_photo_keeps_no_metadata_and_the_parent_sees_it() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let g = group(&t, "Mārītes").await;
        let child = jekabs(&t).await;
        let mut teacher = t.client();
        teacher.login("pii.skolotaja", "demo").await;
        let csrf = teacher.get(&format!("/groups/{g}")).await.csrf().expect("csrf");
        let upload = photo_with_metadata();
        assert!(klade_media::has_metadata(&upload), "the test photo carries metadata");
        let r = teacher
            .multipart(
                &format!("/groups/{g}/journal?csrf={csrf}"),
                &[
                    ("date", "2026-11-26"),
                    ("area", "science"),
                    ("tasks", "Vērot, kā kūst sniegs"),
                    ("activities", "Sniega kausēšana bļodās pie loga"),
                ],
                &[("photos", "IMG_2041.jpg", &upload)],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("/groups/{g}?date=2026-11-26&done=entry").as_str()),
            "{}",
            r.body
        );
        let stored: Vec<u8> = {
            let row = sqlx::query("SELECT data FROM files")
                .fetch_one(t.db().pool())
                .await
                .expect("a stored photo");
            sqlx::Row::try_get(&row, "data").expect("bytes")
        };
        assert!(
            !klade_media::has_metadata(&stored),
            "no Exif, GPS or serial number is kept"
        );
        assert!(!stored.windows(11).any(|w| w == b"GPSLatitude"));
        assert!(!stored.windows(9).any(|w| w == b"SN-4242-K"));

        // Not an image, and a file too large: a clear message, nothing stored.
        let entries = t.count("preschool_entries").await;
        for (name, bytes, message) in [
            ("plans.jpg", b"%PDF-1.4 not a photo".to_vec(), "nav attēls"),
            ("liels.jpg", vec![0xFF; 16 * 1024 * 1024], "pārāk liela"),
        ] {
            let r = teacher
                .multipart(
                    &format!("/groups/{g}/journal?csrf={csrf}"),
                    &[
                        ("date", "2026-11-26"),
                        ("area", "maths"),
                        ("tasks", "Skaitām čiekurus"),
                        ("activities", ""),
                    ],
                    &[("photos", name, &bytes)],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            assert!(r.body.contains(message), "{name}: {}", r.body);
            assert!(
                r.body.contains(">Skaitām čiekurus</textarea>") && r.body.contains("<option value=\"maths\" selected>"),
                "what was typed stays: {name}"
            );
        }
        assert_eq!(t.count("preschool_entries").await, entries);
        assert_eq!(t.count("files").await, 1);

        // The parent sees the day's entry and its photo; a parent of another group does not.
        let photo = t.id("SELECT id FROM preschool_photos").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = parent.get(&format!("/preschool?child={child}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Vērot, kā kūst sniegs"), "{}", page.body);
        let img = parent.get(&format!("/preschool/photos/{photo}")).await;
        assert_eq!(img.status, StatusCode::OK);
        assert_eq!(img.bytes, stored);
        let mut teacher_elsewhere = t.client();
        teacher_elsewhere.login("skolotajs", "demo").await;
        assert_eq!(
            teacher_elsewhere
                .get(&format!("/preschool/photos/{photo}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn assessments_move_over_the_year_and_the_parent_sees_their_child_s() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let g = group(&t, "Mārītes").await;
        let child = jekabs(&t).await;
        let mut teacher = t.client();
        teacher.login("pii.skolotaja", "demo").await;
        let grid = teacher.get(&format!("/groups/{g}/assessment")).await;
        assert_eq!(grid.status, StatusCode::OK);
        assert!(grid.body.contains("Dabaszinātņu mācību joma"));
        let before = t.count("preschool_assessments").await;
        let cell = format!("s:{child}:science");
        let lang = format!("s:{child}:technology");
        // A mark outside the scale: the grid as typed, that cell marked, nothing saved.
        let r = teacher
            .submit(
                &format!("/groups/{g}/assessment"),
                &format!("/groups/{g}/assessment"),
                &[(&cell, "S"), (&lang, "Z")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(&format!("name=\"{lang}\" value=\"Z\""))
                && r.body.contains(&format!("name=\"{cell}\" value=\"S\""))
                && r.body.contains("Tehnoloģiju mācību joma\" aria-invalid=\"true\""),
            "{}",
            r.body
        );
        assert_eq!(t.count("preschool_assessments").await, before);
        let r = teacher
            .submit(
                &format!("/groups/{g}/assessment"),
                &format!("/groups/{g}/assessment"),
                &[(&cell, "s"), (&lang, "T")],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("/groups/{g}/assessment?done=1").as_str()),
            "{}",
            r.body
        );
        t.clock.advance_secs(30 * 24 * 3600);
        teacher.login("pii.skolotaja", "demo").await;
        let r = teacher
            .submit(
                &format!("/groups/{g}/assessment"),
                &format!("/groups/{g}/assessment"),
                &[(&cell, "A"), (&lang, "T")],
            )
            .await;
        assert!(r.location().is_some());
        assert_eq!(
            t.count("preschool_assessments").await,
            before + 3,
            "an unchanged cell adds nothing"
        );
        let bad = teacher
            .submit(
                &format!("/groups/{g}/assessment"),
                &format!("/groups/{g}/assessment"),
                &[(&cell, "7")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("S, T, A vai P"));
        assert_eq!(t.count("preschool_assessments").await, before + 3);

        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = parent.get(&format!("/preschool?child={child}")).await.body;
        assert!(page.contains("Dabaszinātņu mācību joma"), "{page}");
        assert!(
            page.contains(">A<") && page.contains("26.11.2026. S"),
            "the year's movement: {page}"
        );
        assert_eq!(
            parent.get(&format!("/groups/{g}/assessment")).await.status,
            StatusCode::FORBIDDEN,
            "a parent sees their own child's, not the group's grid"
        );
        let problems = klade_app::journal::verify(&t.app).await.expect("verify");
        assert!(problems.is_empty(), "{problems:?}");
    }
}
