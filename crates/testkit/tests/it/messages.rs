//! Mail and news: a tutor writes to a class's parents with an attachment, a parent reads and
//! replies, the tutor sees who read it; the clean-language check; who may write to whom; news on
//! the audience's home page; the same through the API; notifications of a new message.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, Client, TestApp};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// The thread id from a redirect to `/messages/{thread}?done=1`.
fn thread_of(location: Option<&str>) -> i64 {
    let l = location.expect("a redirect");
    l.trim_start_matches("/messages/")
        .split('?')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a thread: {l}"))
}

/// The unread count in the page's header, 0 when there is no badge.
fn badge(page: &str) -> i64 {
    let Some(at) = page.find("class=\"badge\" aria-label=") else {
        return 0;
    };
    let rest = &page[at..];
    let start = rest.find('>').expect("badge text") + 1;
    let end = rest.find("</span>").expect("badge end");
    rest[start..end].parse().expect("a number")
}

async fn csrf(c: &mut Client) -> String {
    c.get("/messages/new").await.csrf().expect("csrf")
}

async fn class_id(t: &TestApp, name: &str) -> i64 {
    t.id(&format!(
        "SELECT c.id FROM classes c JOIN institutions i ON i.id = c.institution_id WHERE c.name = '{name}' AND i.kind <> 'preschool'"
    ))
    .await
}

#[tokio::test]
async fn a_tutor_writes_to_the_parents_a_parent_replies_and_the_tutor_sees_who_read_it() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class = class_id(&t, "2.B").await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let parents = t
            .scalar(&format!(
                "SELECT COUNT(DISTINCT g.parent_id) FROM enrolments e JOIN guardianships g ON g.child_id = e.student_id \
                 WHERE e.class_id = {class} AND e.valid_to IS NULL"
            ))
            .await;
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let form = tutor.get("/messages/new").await;
        assert!(
            form.body.contains(&format!("value=\"class_parents:{class}\"")) && form.body.contains("2.B — vecāki"),
            "{}",
            form.body
        );
        assert!(
            !form.body.contains("value=\"staff\""),
            "a tutor does not write to all staff"
        );
        let token = csrf(&mut tutor).await;
        let to = format!("class_parents:{class}");
        let r = tutor
            .multipart(
                &format!("/messages/new?csrf={token}"),
                &[
                    ("i", &school.to_string()),
                    ("to", &to),
                    ("subject", "Ekskursija uz Siguldu"),
                    (
                        "body",
                        "Labdien! Piektdien klase dodas ekskursijā. Lūdzu, parakstiet pielikumā.",
                    ),
                ],
                &[("files", "Atļauja ekskursijai.pdf", PDF)],
            )
            .await;
        let thread = thread_of(r.location());
        assert_eq!(
            t.scalar(&format!(
                "SELECT COUNT(*) FROM message_recipients WHERE message_id = {thread}"
            ))
            .await,
            parents,
            "one row per parent of 2.B"
        );
        assert_eq!(t.count("message_attachments").await, 1);
        assert_eq!(t.scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'message'").await, "1");

        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let unread = badge(&parent.get("/").await.body);
        assert!(unread >= 1, "the unread count is on every page");
        assert_eq!(badge(&parent.get("/diary").await.body), unread);
        let inbox = parent.get("/messages").await.body;
        assert!(
            inbox.contains("Ekskursija uz Siguldu") && inbox.contains("Līga Zariņa"),
            "{inbox}"
        );
        let page = parent.get(&format!("/messages/{thread}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Atļauja ekskursijai.pdf") && page.body.contains("2.B — vecāki"));
        assert_eq!(badge(&parent.get("/").await.body), unread - 1, "read now");
        let attachment = t.id("SELECT id FROM message_attachments").await;
        let file = parent.get(&format!("/messages/attachments/{attachment}")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.bytes, PDF);
        assert_eq!(file.headers["content-type"], "application/pdf");
        assert!(file.headers["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment;"));

        // The parent answers: it goes to the tutor only, not to the other parents.
        let message = thread;
        let token = csrf(&mut parent).await;
        let r = parent
            .multipart(
                &format!("/messages/{message}/reply?csrf={token}"),
                &[("body", "Paldies, Anna brauks. Atļauju parakstīju.")],
                &[],
            )
            .await;
        assert_eq!(thread_of(r.location()), thread);
        let reply_to = t
            .scalar("SELECT COUNT(*) FROM message_recipients r JOIN messages m ON m.id = r.message_id WHERE m.reply_to IS NOT NULL")
            .await;
        assert_eq!(reply_to, "1");

        let inbox = tutor.get("/messages").await.body;
        assert!(
            inbox.contains("Ekskursija uz Siguldu") && inbox.contains("Ilze Krūmiņa"),
            "{inbox}"
        );
        let sent = tutor.get("/messages?folder=sent").await.body;
        assert!(sent.contains(&format!("izlasījuši 1 no {parents}")), "{sent}");
        let page = tutor.get(&format!("/messages/{thread}")).await.body;
        assert!(page.contains("Paldies, Anna brauks"), "{page}");
        assert!(page.contains("Izlasījuši: 1 / "), "{page}");
        assert!(page.contains("nav izlasīts"), "the other parents have not read it yet");

        // Another parent of the class sees the tutor's message but not this parent's answer.
        let other = t
            .id(&format!(
                "SELECT MIN(r.person_id) FROM message_recipients r JOIN messages m ON m.id = r.message_id \
                 WHERE m.id = {message} AND r.person_id <> (SELECT person_id FROM accounts WHERE username = 'vecaks')"
            ))
            .await;
        let seen = t
            .scalar(&format!(
                "SELECT COUNT(*) FROM message_recipients r JOIN messages m ON m.id = r.message_id \
                 WHERE r.person_id = {other} AND m.thread_id = {thread}"
            ))
            .await;
        assert_eq!(seen, "1");

        // A stranger cannot open the thread or its attachment.
        let mut stranger = t.client();
        stranger.login("skolotajs", "demo").await;
        assert_eq!(
            stranger.get(&format!("/messages/{thread}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            stranger
                .get(&format!("/messages/attachments/{attachment}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Search finds the thread by a word of the text, in any case.
        let found = parent.get("/messages?q=EKSKURSIJ").await.body;
        assert!(found.contains("Ekskursija uz Siguldu"));
        let none = parent.get("/messages?q=matemātika").await.body;
        assert!(none.contains("Nekas netika atrasts."), "{none}");
    }
}

/// A "write to" link names the person only for one who may write to them: an id typed into the
/// address shows no one else's name.
#[tokio::test]
async fn a_write_to_link_names_only_someone_within_reach() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let tutor = t.person_named("Līga", "Zariņa").await;
        // Another family's child, and a preschool teacher of another institution.
        let child = t
            .id(
                "SELECT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id \
                 WHERE c.name = '1.A' ORDER BY e.student_id LIMIT 1",
            )
            .await;
        let elsewhere = t.person_named("Solvita", "Āboliņa").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = parent.get(&format!("/messages/new?to=person:{tutor}")).await.body;
        assert!(
            page.contains("Līga Zariņa"),
            "the child's tutor is within reach: {page}"
        );
        let child_name = t
            .scalar(&format!(
                "SELECT given_name || ' ' || family_name FROM persons WHERE id = {child}"
            ))
            .await;
        for (id, name) in [(child, child_name.as_str()), (elsewhere, "Solvita Āboliņa")] {
            let page = parent.get(&format!("/messages/new?to=person:{id}&i=1")).await.body;
            assert!(!page.contains(name), "{name} is not named to a parent: {page}");
        }
        // Staff of the school may write to that child's family, and see the name.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let page = teacher.get(&format!("/messages/new?to=person:{child}&i=1")).await.body;
        assert!(
            page.contains(&child_name),
            "{child_name} for a teacher of the school: {page}"
        );
        let page = teacher
            .get(&format!("/messages/new?to=person:{elsewhere}&i=1"))
            .await
            .body;
        assert!(
            !page.contains("Solvita Āboliņa"),
            "not someone of another institution: {page}"
        );
    }
}

#[tokio::test]
async fn bad_words_bad_files_and_recipients_out_of_reach_send_nothing() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class = class_id(&t, "2.B").await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let inst = school.to_string();
        let to = format!("class_parents:{class}");
        let before = t.count("messages").await;
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let token = csrf(&mut tutor).await;
        let path = format!("/messages/new?csrf={token}");
        let send = |body: &'static str| {
            vec![
                ("i", inst.as_str()),
                ("to", to.as_str()),
                ("subject", "Par stundu"),
                ("body", body),
            ]
        };

        let r = tutor
            .multipart(&path, &send("Tas bija sūdīgs darbs, Jūs esat idioti."), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("nav atļauti") && r.body.contains("idioti"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Tas bija sūdīgs darbs"), "the text stays in the form");

        let r = tutor.multipart(&path, &send("   "), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Vēstule ir tukša"), "{}", r.body);

        let r = tutor
            .multipart(
                &path,
                &send("Pielikumā rēķins."),
                &[("files", "rēķins.pdf", b"MZ\x90\x00program")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("neatbilst"), "{}", r.body);

        let big = vec![b'a'; 11 * 1024 * 1024];
        let r = tutor
            .multipart(&path, &send("Liels fails."), &[("files", "liels.txt", &big)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("pārāk liels"), "{}", r.body);

        let other_class = t
            .id(&format!(
                "SELECT MIN(id) FROM classes WHERE id <> {class} AND kind = 'class'"
            ))
            .await;
        let r = tutor
            .multipart(
                &path,
                &[
                    ("i", inst.as_str()),
                    ("to", &format!("class_parents:{other_class}")),
                    ("subject", "x"),
                    ("body", "y"),
                ],
                &[],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "another class is out of the tutor's reach"
        );
        assert_eq!(t.count("messages").await, before, "nothing was sent");
        assert_eq!(t.count("files").await, 0);

        // A parent writes to staff only: never to another parent, nor to a whole class.
        let mut parent = t.client();
        let token = parent.api_login("vecaks", "demo").await;
        let other_parent = t
            .id(&format!(
                "SELECT MIN(g.parent_id) FROM enrolments e JOIN guardianships g ON g.child_id = e.student_id \
                 WHERE e.class_id = {class} AND g.parent_id <> (SELECT person_id FROM accounts WHERE username = 'vecaks')"
            ))
            .await;
        for to in [
            format!("person:{other_parent}"),
            format!("class_parents:{class}"),
            "staff".into(),
        ] {
            let r = parent
                .api_post(
                    "/api/v1/messages",
                    serde_json::json!({"institution": school, "to": [to], "subject": "Sveiki", "body": "Sveiki!"}),
                    Some(&token),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{to}: {}", r.body);
        }
        let choices = parent.api_get("/api/v1/messages/recipients", &token).await.json();
        let people = choices["people"].as_array().expect("people");
        assert!(!people.is_empty());
        assert!(
            people.iter().all(|p| p["roles"]
                .as_array()
                .expect("roles")
                .iter()
                .all(|r| r != "parent" && r != "student")),
            "a parent is offered staff only: {people:?}"
        );
        assert_eq!(t.count("messages").await, before);

        // The institution extends the list; inflected forms of its word are caught too.
        let mut director = t.client();
        director.login("direktors", "demo").await;
        assert!(director
            .get("/")
            .await
            .body
            .contains(&format!("/admin/words?i={school}")));
        let r = director
            .submit(
                &format!("/admin/words?i={school}"),
                "/admin/words",
                &[("i", &inst), ("words", "kartupelis\n")],
            )
            .await;
        assert_eq!(r.location(), Some(format!("/admin/words?i={school}&done=1").as_str()));
        let long = format!("kartupelis\n{}", "ļ".repeat(61));
        let r = director
            .submit(
                &format!("/admin/words?i={school}"),
                "/admin/words",
                &[("i", &inst), ("words", &long)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(&long) && r.body.contains("aria-invalid=\"true\""),
            "the list stays as typed: {}",
            r.body
        );
        let r = tutor.multipart(&path, &send("Jūs visi esat kartupeļi!"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("kartupeļi"), "{}", r.body);
        assert!(
            r.body
                .contains("required aria-invalid=\"true\">Jūs visi esat kartupeļi!</textarea>"),
            "the text as written, marked: {}",
            r.body
        );
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        assert_eq!(
            teacher.get(&format!("/admin/words?i={school}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(t.count("messages").await, before);
    }
}

#[tokio::test]
async fn a_deputy_publishes_news_that_families_see_on_their_home_page() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let inst = school.to_string();
        let before = t.count("news").await;
        let mut deputy = t.client();
        deputy.login("audzinasana", "demo").await;
        let page = deputy.get("/news").await.body;
        assert!(page.contains("Ārpusklases un audzināšanas pasākumi"));
        assert!(
            !page.contains("value=\"centralised_exams\""),
            "the deputy for upbringing writes in their own field"
        );
        let item = |category: &'static str, audience: &'static str, title: &'static str, to: &'static str| {
            vec![
                ("i", inst.clone()),
                ("category", category.to_string()),
                ("audience", audience.to_string()),
                ("class", String::new()),
                ("title", title.to_string()),
                ("body", "Visi laipni aicināti.".to_string()),
                ("visible_from", "2026-11-20".to_string()),
                ("visible_to", to.to_string()),
            ]
        };
        let fields = item("extracurricular", "families", "Eglīšu rotāšana", "2026-12-23");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = deputy.submit("/news", "/news", &fields).await;
        assert_eq!(r.location(), Some("/news?done=1"), "{}", r.body);

        let fields = item("centralised_exams", "everyone", "Eksāmenu grafiks", "2026-12-23");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = deputy.submit("/news", "/news", &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut fields = item("extracurricular", "families", "Vecs", "2026-11-01");
        fields[6].1 = "2026-10-01".into();
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = deputy.submit("/news", "/news", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Beigu datums jau pagājis"), "{}", r.body);
        assert!(
            r.body.contains("value=\"Vecs\"")
                && r.body.contains(">Visi laipni aicināti.</textarea>")
                && r.body.contains("value=\"2026-11-01\" required aria-invalid=\"true\""),
            "the item comes back as typed, the date marked: {}",
            r.body
        );
        assert_eq!(t.count("news").await, before + 1);

        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let home = parent.get("/").await.body;
        assert!(
            home.contains("Eglīšu rotāšana") && home.contains("Iestādes aktualitātes"),
            "{home}"
        );
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        assert!(
            !teacher.get("/").await.body.contains("Eglīšu rotāšana"),
            "an item for families is not on a teacher's home"
        );
        // After its period it is gone from the home page.
        t.clock.advance_secs(30 * 24 * 3600);
        assert!(!parent.get("/").await.body.contains("Eglīšu rotāšana"));
    }
}

#[tokio::test]
async fn mail_and_news_through_the_api_and_notifications_of_a_new_message() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let class = class_id(&t, "2.B").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let r = parent
            .submit("/account", "/account/notifications", &[("notify", "message:email")])
            .await;
        assert_eq!(r.location(), Some("/account?done=notifications"), "{}", r.body);
        t.exec("UPDATE persons SET email = 'ilze@example.lv' WHERE id = (SELECT person_id FROM accounts WHERE username = 'vecaks')")
            .await;

        let mut tutor = t.client();
        let token = tutor.api_login("audzinataja", "demo").await;
        let r = tutor
            .api_post(
                "/api/v1/messages",
                serde_json::json!({
                    "institution": school,
                    "to": [format!("class_parents:{class}")],
                    "subject": "Vecāku sapulce",
                    "body": "Sapulce ceturtdien plkst. 18:00.",
                    "attachments": [{"name": "darba kārtība.txt", "data": "RGFyYmEga8SBcnTEq2Jh"}],
                }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let thread = r.json()["thread"].as_i64().expect("thread");
        let bad = tutor
            .api_post(
                "/api/v1/messages",
                serde_json::json!({"institution": school, "to": [format!("class_parents:{class}")], "subject": "x", "body": "Jūs esat idioti"}),
                Some(&token),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["error"], "message.unclean");
        assert_eq!(bad.json()["words"][0], "idioti");

        let worker = klade_notify::Worker::new(t.db().clone(), klade_notify::SmsGateway::Outbox);
        worker.run_due(t.app.now()).await.expect("jobs");
        assert_eq!(t.count("emails").await, 1, "only the parent who asked is told");
        let email = t.scalar("SELECT body FROM emails").await;
        assert!(
            email.contains("Līga Zariņa") && email.contains("Vecāku sapulce"),
            "{email}"
        );

        let mut app = t.client();
        let ptoken = app.api_login("vecaks", "demo").await;
        let unread = app.api_get("/api/v1/me", &ptoken).await.json()["unread"]
            .as_i64()
            .expect("unread");
        assert!(unread >= 1);
        let inbox = app.api_get("/api/v1/messages", &ptoken).await.json();
        assert!(inbox["total"].as_i64().expect("total") >= 1);
        assert_eq!(inbox["items"][0]["subject"], "Vecāku sapulce");
        let th = app.api_get(&format!("/api/v1/messages/{thread}"), &ptoken).await.json();
        assert_eq!(th["attachments"][0]["file_name"], "darba kārtība.txt");
        assert_eq!(th["attachments"][0]["content_type"], "text/plain; charset=utf-8");
        assert_eq!(app.api_get("/api/v1/me", &ptoken).await.json()["unread"], unread - 1);
        let message = th["messages"][0]["id"].as_i64().expect("id");
        let r = app
            .api_post(
                &format!("/api/v1/messages/{message}/reply"),
                serde_json::json!({"body": "Būšu."}),
                Some(&ptoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let sent = tutor.api_get("/api/v1/messages?folder=sent", &token).await.json();
        assert_eq!(sent["items"][0]["read"], 1);

        let deputy = tutor.api_login("vietnieks", "demo").await;
        let r = tutor
            .api_post(
                "/api/v1/news",
                serde_json::json!({"institution": school, "category": "timetable_changes", "audience": "class",
                    "class": class, "title": "2.B stundu izmaiņas", "body": "Rīt nav 3. stundas.", "visible_to": "2026-11-27"}),
                Some(&deputy),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let boards = app.api_get("/api/v1/news", &ptoken).await.json();
        let titles: Vec<&str> = boards
            .as_array()
            .expect("boards")
            .iter()
            .flat_map(|b| b["items"].as_array().expect("items"))
            .filter_map(|i| i["title"].as_str())
            .collect();
        assert!(titles.contains(&"2.B stundu izmaiņas"), "{boards}");
    }
}
