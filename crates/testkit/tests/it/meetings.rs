//! Parent–teacher meetings: the tutor publishes an evening's slots, a parent books, moves and
//! cancels one; a slot another family has is refused; the tutor sees who booked and who has not
//! and reminds the rest; the day-before reminder tells only the booking that stands; the
//! deadline closes booking; a cancelled meeting tells the families; the child's calendar feed
//! shows it. Bad input comes back with what was typed.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_domain::Role;
use klade_testkit::{backends, TestApp};

const RIGA_DEC_2_17_31: i64 = 1_796_225_460; // 02.12.2026. 17:31 in Riga (UTC+2)

fn form<'a>(fields: &'a [(&'a str, &'a str)], change: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    fields
        .iter()
        .map(|(k, v)| (*k, change.iter().find(|(c, _)| c == k).map_or(*v, |(_, n)| *n)))
        .collect()
}

#[tokio::test]
async fn a_tutor_publishes_slots_and_parents_book_them() {
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
        let tutor_id = t
            .id("SELECT person_id FROM accounts WHERE username = 'audzinataja'")
            .await;
        // A class she neither tutors nor teaches.
        let other_class = t
            .id(&format!(
                "SELECT c.id FROM classes c WHERE c.institution_id = {school} AND c.id <> {class} AND NOT EXISTS \
                 (SELECT 1 FROM courses k JOIN course_teachers ct ON ct.course_id = k.id \
                  WHERE k.class_id = c.id AND ct.person_id = {tutor_id}) ORDER BY c.id LIMIT 1"
            ))
            .await;
        t.exec("UPDATE persons SET email = 'ilze@example.lv' WHERE id = (SELECT person_id FROM accounts WHERE username = 'vecaks')")
            .await;
        t.exec("UPDATE persons SET email = 'tutor@example.lv' WHERE id = (SELECT person_id FROM accounts WHERE username = 'audzinataja')")
            .await;

        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let page = tutor.get("/meetings").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Jauna sapulce") && page.body.contains("2.B"),
            "{}",
            page.body
        );
        let class_s = class.to_string();
        let good: Vec<(&str, &str)> = vec![
            ("class", &class_s),
            ("title", "Vecāku dienas sarunas"),
            ("place", "204. kabinets"),
            ("link", ""),
            ("day", "2026-12-03"),
            ("from", "17:00"),
            ("until", "18:00"),
            ("minutes", "15"),
            ("book_by_day", "2026-12-01"),
            ("book_by_time", "20:00"),
        ];
        // Refused, each with its message and what was typed.
        for (change, message) in [
            (vec![("link", "javascript:alert(1)")], "https://"),
            (
                vec![("place", ""), ("link", "")],
                "Norādiet vietu vai tiešsaistes saiti",
            ),
            (
                vec![("day", "2026-11-20"), ("book_by_day", "2026-11-19")],
                "Sapulcei jābūt nākotnē",
            ),
            (vec![("minutes", "3")], "no 5 līdz 120 minūtēm"),
            (vec![("minutes", "")], ""),
            (vec![("book_by_day", "2026-12-04")], "ne vēlāk kā sapulces sākumā"),
            (vec![("until", "16:00")], "nav vietas nevienam laikam"),
        ] {
            let r = tutor.submit("/meetings", "/meetings", &form(&good, &change)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{change:?}: {}", r.body);
            assert!(r.body.contains(message), "{change:?}: {message}");
            assert!(r.body.contains("Vecāku dienas sarunas"), "the title typed comes back");
        }
        let other_s = other_class.to_string();
        let r = tutor
            .submit("/meetings", "/meetings", &form(&good, &[("class", &other_s)]))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not the tutor's class");
        assert_eq!(t.count("meetings").await, 0, "nothing refused was kept");

        let r = tutor.submit("/meetings", "/meetings", &good).await;
        let at = r.location().expect("to the meeting").to_string();
        let id: i64 = at
            .trim_start_matches("/meetings/")
            .split('?')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("an id");
        assert_eq!(t.count(&format!("meeting_slots WHERE meeting_id = {id}")).await, 4);
        let slot = |n: i64| {
            format!("SELECT id FROM meeting_slots WHERE meeting_id = {id} ORDER BY starts_at LIMIT 1 OFFSET {n}")
        };
        let (second, third) = (t.id(&slot(1)).await, t.id(&slot(2)).await);

        // Anna's mother books the second slot, then moves to the third.
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = parent.get("/meetings").await.body;
        assert!(
            page.contains("Vecāku dienas sarunas") && page.contains("17:15–17:30"),
            "{page}"
        );
        let anna_s = anna.to_string();
        let second_s = second.to_string();
        let r = parent
            .submit(
                "/meetings",
                &format!("/meetings/{id}/book"),
                &[("student", &anna_s), ("slot", &second_s)],
            )
            .await;
        assert_eq!(r.location(), Some("/meetings?done=booked"), "{}", r.body);
        let page = parent.get("/meetings").await.body;
        assert!(page.contains("Jūsu laiks: <strong>17:15–17:30</strong>"), "{page}");
        assert!(
            parent.get("/").await.body.contains("Vecāku dienas sarunas"),
            "on the home page"
        );
        let third_s = third.to_string();
        parent
            .submit(
                "/meetings",
                &format!("/meetings/{id}/book"),
                &[("student", &anna_s), ("slot", &third_s)],
            )
            .await;
        assert_eq!(
            t.scalar(&format!(
                "SELECT COUNT(*) FROM meeting_slots WHERE meeting_id = {id} AND student_id = {anna}"
            ))
            .await,
            "1",
            "one slot per child"
        );
        assert_eq!(
            t.id(&format!("SELECT student_id FROM meeting_slots WHERE id = {third}"))
                .await,
            anna
        );

        // Another family of the class cannot take Anna's slot, and does not see her name.
        let peer = t
            .id(&format!(
                "SELECT student_id FROM enrolments WHERE class_id = {class} AND student_id <> {anna} AND valid_to IS NULL LIMIT 1"
            ))
            .await;
        let other_parent = t
            .person(
                klade_domain::InstitutionId(school),
                Role::Parent,
                "otrs_vecaks",
                "Zils-Kalns-42",
                false,
            )
            .await;
        t.exec(&format!(
            "INSERT INTO guardianships (parent_id, child_id, created_at) VALUES ({}, {peer}, 0)",
            other_parent.0
        ))
        .await;
        let mut other = t.client();
        other.login("otrs_vecaks", "Zils-Kalns-42").await;
        let page = other.get("/meetings").await.body;
        assert!(
            page.contains("Vecāku dienas sarunas") && !page.contains("Anna"),
            "{page}"
        );
        let peer_s = peer.to_string();
        let r = other
            .submit(
                "/meetings",
                &format!("/meetings/{id}/book"),
                &[("student", &peer_s), ("slot", &third_s)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("kāds tikko aizņēma"), "{}", r.body);
        assert_eq!(
            t.id(&format!("SELECT student_id FROM meeting_slots WHERE id = {third}"))
                .await,
            anna
        );
        // Nor book for a child not theirs, nor read the host's page.
        let r = other
            .submit(
                "/meetings",
                &format!("/meetings/{id}/book"),
                &[("student", &anna_s), ("slot", &second_s)],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.get(&format!("/meetings/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        let api = other.api_login("otrs_vecaks", "Zils-Kalns-42").await;
        let list = other.api_get("/api/v1/meetings", &api).await.json();
        let slots = list["family"][0]["slots"].as_array().expect("slots").clone();
        assert!(
            slots
                .iter()
                .all(|s| s.get("student_id").is_none() && s.get("student").is_none()),
            "{list}"
        );
        assert_eq!(slots.iter().filter(|s| s["taken"] == true).count(), 1, "{list}");

        // The tutor sees who booked and who has not, and reminds the rest.
        let host = tutor.get(&format!("/meetings/{id}")).await.body;
        assert!(
            host.contains("Anna Krūmiņa") && host.contains("Nav pierakstījušies"),
            "{host}"
        );
        t.exec(&format!(
            "UPDATE persons SET email = 'otrs@example.lv' WHERE id = {}",
            other_parent.0
        ))
        .await;
        let r = tutor
            .submit(&format!("/meetings/{id}"), &format!("/meetings/{id}/remind"), &[])
            .await;
        assert!(r.location().is_some_and(|l| l.contains("done=reminded")), "{}", r.body);
        let worker = klade_notify::Worker::new(t.db().clone(), klade_notify::SmsGateway::Outbox);
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(
            t.count("emails WHERE to_addr = 'otrs@example.lv'").await,
            1,
            "the family not booked"
        );
        assert_eq!(
            t.count("emails WHERE to_addr = 'ilze@example.lv'").await,
            0,
            "not the one booked"
        );

        // The day before, one reminder each: the moved booking's first slot tells nothing.
        t.clock
            .set(jiff::Timestamp::from_second(RIGA_DEC_2_17_31).expect("time"));
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(
            t.count("emails WHERE to_addr = 'ilze@example.lv' AND subject LIKE '%sapulci'")
                .await,
            1
        );
        assert!(t
            .scalar("SELECT body FROM emails WHERE to_addr = 'ilze@example.lv'")
            .await
            .contains("03.12.2026. 17:30"));
        assert_eq!(t.count("emails WHERE to_addr = 'tutor@example.lv'").await, 1);

        // Past the deadline (and a night's sessions ended): no cancelling, no booking.
        parent.login("vecaks", "demo").await;
        tutor.login("audzinataja", "demo").await;
        let r = parent
            .submit("/meetings", &format!("/meetings/{id}/unbook"), &[("student", &anna_s)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Pierakstīšanās ir beigusies"), "{}", r.body);
        assert_eq!(
            t.id(&format!("SELECT student_id FROM meeting_slots WHERE id = {third}"))
                .await,
            anna
        );

        // Cancelled: the family who booked is told, and the page says so.
        let r = tutor
            .submit(&format!("/meetings/{id}"), &format!("/meetings/{id}/cancel"), &[])
            .await;
        assert!(r.location().is_some_and(|l| l.contains("done=cancelled")));
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(
            t.count("emails WHERE to_addr = 'ilze@example.lv' AND subject LIKE '%atcelta'")
                .await,
            1
        );
        assert!(parent.get("/meetings").await.body.contains("Sapulce atcelta."));
    }
}

#[tokio::test]
async fn a_booked_meeting_is_in_the_childs_calendar_and_the_api_books_too() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let class = t
            .id(&format!(
                "SELECT class_id FROM enrolments WHERE student_id = {anna} AND valid_to IS NULL LIMIT 1"
            ))
            .await;
        let mut tutor = t.client();
        let host = tutor.api_login("audzinataja", "demo").await;
        let r = tutor
            .api_post(
                "/api/v1/meetings",
                serde_json::json!({
                    "class": class, "title": "Tiešsaistes saruna", "link": "https://meet.example.lv/2b",
                    "day": "2026-11-30", "from": "18:00", "until": "18:40", "minutes": 20,
                    "book_by_day": "2026-11-29", "book_by_time": "12:00",
                }),
                Some(&host),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().expect("an id");
        let mut parent = t.client();
        let token = parent.api_login("vecaks", "demo").await;
        let list = parent.api_get("/api/v1/meetings", &token).await.json();
        let slot = list["family"][0]["slots"][1]["id"].as_i64().expect("a slot");
        let r = parent
            .api_post(
                &format!("/api/v1/meetings/{id}/book"),
                serde_json::json!({ "student": anna, "slot": slot }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let view = tutor.api_get(&format!("/api/v1/meetings/{id}"), &host).await.json();
        assert_eq!(view["slots"][1]["student_id"], anna);
        assert!(view["not_booked"]
            .as_array()
            .is_some_and(|a| a.iter().all(|s| s["id"] != anna)));
        // A slot of no such meeting is refused, and the booking stands.
        let r = parent
            .api_post(
                &format!("/api/v1/meetings/{id}/book"),
                serde_json::json!({ "student": anna, "slot": 999_999 }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            t.id(&format!("SELECT student_id FROM meeting_slots WHERE id = {slot}"))
                .await,
            anna
        );

        // In the child's calendar feed, at its time, with the link.
        let mut web = t.client();
        web.login("vecaks", "demo").await;
        let anna_s = anna.to_string();
        let made = web
            .submit("/account/calendar", "/account/calendar", &[("student", &anna_s)])
            .await
            .body;
        let start = made.find("/calendar/").expect("an address");
        let path: String = made[start..].chars().take_while(|c| *c != '"' && *c != '<').collect();
        let feed = t.client().get(&path).await.body;
        assert!(feed.contains("SUMMARY:Sapulce: Tiešsaistes saruna"), "{feed}");
        assert!(feed.contains("DTSTART:20261130T162000Z"), "{feed}");
        assert!(feed.contains("meet.example.lv/2b"), "{feed}");
    }
}
