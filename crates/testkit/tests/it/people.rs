//! People and accounts: staff accounts with passwords by SMS, the outbox and a real gateway with
//! retries, blocking, personal records by role, the access log, admissions, transfers and exits.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_notify::{SmsGateway, Worker};
use klade_testkit::{backends, Client, TestApp};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A new teacher of the demo school, employed since `from`, with `phone`; returns the person id.
async fn new_teacher(t: &TestApp, code: &str, phone: Option<&str>, from: &str) -> i64 {
    let db = t.db().pool();
    let person = klade_store::people::insert(
        db,
        &klade_store::people::NewPerson {
            given_name: "Pēteris",
            family_name: "Ūdris",
            personal_code: Some(code),
            phone,
            ..Default::default()
        },
        0,
    )
    .await
    .expect("person");
    klade_store::accounts::add_membership(
        db,
        klade_domain::Tenant::without_permit(klade_domain::InstitutionId(1)),
        person,
        klade_domain::Role::Teacher,
        from.parse().expect("date"),
        &klade_store::accounts::Basis::Employment,
        0,
    )
    .await
    .expect("membership");
    person.0
}

async fn admin(t: &TestApp) -> Client {
    let mut c = t.client();
    assert_eq!(c.login("admin", "demo").await.location(), Some("/"));
    c
}

#[tokio::test]
async fn the_superuser_creates_a_staff_account_and_the_password_goes_by_sms() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let late = new_teacher(&t, "010180-01234", Some("2612 3456"), "2026-11-10").await;
        let no_phone = new_teacher(&t, "150385-01233", None, "2026-11-25").await;
        let mut c = admin(&t).await;
        let page = c.get("/admin/accounts").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Darbinieki bez konta ilgāk par nedēļu: 2"),
            "R8: {}",
            page.body
        );
        assert!(page.body.contains("konts nav izveidots nedēļas laikā"));

        let r = c
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{no_phone}/create?i=1"),
                &[("username", "karlis.m")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Darbiniekam nav tālruņa numura"));
        assert!(
            r.body.contains(&format!("id=\"u{no_phone}\" name=\"username\""))
                && r.body.contains("value=\"karlis.m\" aria-invalid=\"true\""),
            "the row's username stays as typed: {}",
            r.body
        );

        let r = c
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{late}/create?i=1"),
                &[("username", "")],
            )
            .await;
        assert_eq!(r.location(), Some("/admin/accounts?i=1&done=create"), "{}", r.body);
        assert_eq!(t.scalar("SELECT status FROM sms_messages").await, "queued");
        let body = t.scalar("SELECT body FROM sms_messages").await;
        assert!(
            body.contains("lietotājvārds: 010180-01234"),
            "R9: the username is the personal code: {body}"
        );
        assert_eq!(t.scalar("SELECT phone FROM sms_messages").await, "+37126123456");
        let password = body
            .split("parole: ")
            .nth(1)
            .expect("password")
            .split(' ')
            .next()
            .expect("word")
            .to_string();

        // The default gateway keeps it in the outbox, which the superuser reads.
        let worker = Worker::new(t.db().clone(), SmsGateway::Outbox);
        assert_eq!(worker.run_due(t.app.now()).await.expect("jobs"), 1);
        assert_eq!(t.scalar("SELECT status FROM sms_messages").await, "kept");
        let outbox = c.get("/admin/sms").await;
        assert!(
            outbox.body.contains("+37126123456") && outbox.body.contains("izsūtnē"),
            "{}",
            outbox.body
        );

        // The new teacher logs in with it and must choose their own.
        let mut teacher = t.client();
        assert_eq!(
            teacher.login("01018001234", &password).await.location(),
            Some("/account")
        );
        let again = c
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{late}/create?i=1"),
                &[("username", "")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // A teacher does not manage accounts.
        let mut other = t.client();
        other.login("skolotajs", "demo").await;
        assert_eq!(other.get("/admin/accounts?i=1").await.status, StatusCode::FORBIDDEN);
    }
}

/// A gateway that fails the first `fail` requests, then accepts.
async fn gateway(fail: usize) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let app = axum::Router::new().route(
        "/send",
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let seen = seen.clone();
            async move {
                assert!(body["to"].as_str().is_some_and(|p| p.starts_with('+')));
                let n = seen.fetch_add(1, Ordering::SeqCst);
                if n < fail {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/send"), calls)
}

#[tokio::test]
async fn a_real_gateway_is_retried_and_a_failed_delivery_is_visible() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut c = admin(&t).await;
        let person = t
            .scalar("SELECT CAST(person_id AS TEXT) FROM accounts WHERE username = 'skolotajs'")
            .await;
        let r = c
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{person}/password?i=1"),
                &[],
            )
            .await;
        assert_eq!(r.location(), Some("/admin/accounts?i=1&done=password"), "{}", r.body);

        let (url, calls) = gateway(1).await;
        let worker = Worker::new(
            t.db().clone(),
            SmsGateway::Http {
                url,
                token: Some("k".into()),
            },
        );
        let now = t.app.now();
        worker.run_due(now).await.expect("jobs");
        assert_eq!(t.scalar("SELECT status FROM sms_messages").await, "queued");
        assert_eq!(
            t.scalar("SELECT last_error FROM sms_messages").await,
            "gateway answered 500"
        );
        assert_eq!(
            worker.run_due(now + 10).await.expect("jobs"),
            0,
            "not before the backoff"
        );
        worker.run_due(now + 31).await.expect("jobs");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(t.scalar("SELECT status FROM sms_messages").await, "sent");
        assert!(
            t.scalar("SELECT body FROM sms_messages")
                .await
                .contains("parole: ••••••"),
            "no password kept after delivery"
        );

        // One that never gets through is marked failed, and the outbox says so.
        c.submit(
            "/admin/accounts",
            &format!("/admin/accounts/{person}/password?i=1"),
            &[],
        )
        .await;
        let (url, _) = gateway(usize::MAX).await;
        let worker = Worker::new(t.db().clone(), SmsGateway::Http { url, token: None });
        let mut at = now;
        for _ in 0..6 {
            at += 600;
            worker.run_due(at).await.expect("jobs");
        }
        assert_eq!(
            t.scalar("SELECT status FROM sms_messages WHERE id = (SELECT MAX(id) FROM sms_messages)")
                .await,
            "failed"
        );
        let outbox = c.get("/admin/sms").await;
        assert!(
            outbox.body.contains("nav piegādāta") && outbox.body.contains("mēģinājumi 5"),
            "{}",
            outbox.body
        );
    }
}

#[tokio::test]
async fn blocking_an_account_ends_its_sessions_and_a_preschool_deputy_issues_passwords() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let mut c = admin(&t).await;
        let person = t
            .scalar("SELECT CAST(person_id AS TEXT) FROM accounts WHERE username = 'skolotajs'")
            .await;
        let empty = c
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{person}/block?i=1"),
                &[("reason", " ")],
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{person}/block?i=1"),
                &[("reason", "parole nodota citam")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            teacher.get("/").await.location(),
            Some("/login"),
            "the session stopped at once"
        );
        assert_eq!(
            t.client().login("skolotajs", "demo").await.status,
            StatusCode::FORBIDDEN
        );
        let page = c.get("/admin/accounts").await.body;
        assert!(page.contains("bloķēts: parole nodota citam"));
        c.submit("/admin/accounts", &format!("/admin/accounts/{person}/unblock?i=1"), &[])
            .await;
        assert_eq!(t.client().login("skolotajs", "demo").await.location(), Some("/"));

        // J35: in the preschool, the deputy head issues new passwords too (but creates no accounts).
        let mut deputy = t.client();
        deputy.login("pii.vietniece", "demo").await;
        let page = deputy.get("/admin/accounts").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("Izveidot kontu"));
        let teacher_id = t
            .scalar("SELECT CAST(person_id AS TEXT) FROM accounts WHERE username = 'pii.skolotaja'")
            .await;
        let r = deputy
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{teacher_id}/password?i=2"),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            t.scalar("SELECT COUNT(*) FROM sms_messages WHERE institution_id = 2")
                .await,
            "1"
        );
        assert_eq!(
            t.client().login("pii.skolotaja", "demo").await.status,
            StatusCode::UNAUTHORIZED,
            "the old password is gone"
        );
    }
}

#[tokio::test]
async fn a_record_shows_each_reader_what_their_work_needs_and_logs_the_view() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let code = t
            .scalar(&format!("SELECT personal_code FROM persons WHERE id = {anna}"))
            .await;
        t.exec(&format!(
            "INSERT INTO person_records (institution_id, person_id, address_declared) VALUES (1, {anna}, 'Liepu iela 1, Rīga')"
        ))
        .await;

        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let full = tutor.get(&format!("/people/{anna}")).await;
        assert_eq!(full.status, StatusCode::OK);
        assert!(
            full.body.contains(&code) && full.body.contains("Liepu iela 1"),
            "the tutor sees the whole record"
        );
        assert!(full.body.contains("Ilze Krūmiņa"), "and the parents");

        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let basic = teacher.get(&format!("/people/{anna}")).await;
        assert_eq!(basic.status, StatusCode::OK);
        assert!(basic.body.contains("Anna Krūmiņa") && basic.body.contains("2.B"));
        assert!(
            !basic.body.contains(&code) && !basic.body.contains("Liepu iela"),
            "a subject teacher sees name and class"
        );

        let mut stranger = t.client();
        stranger.login("pii.skolotaja", "demo").await;
        assert_eq!(
            stranger.get(&format!("/people/{anna}")).await.status,
            StatusCode::NOT_FOUND
        );

        // Anna's mother sees who looked, and downloads everything held about Anna.
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let token = parent.api_login("vecaks", "demo").await;
        let _ = token;
        let export = parent.get(&format!("/people/{anna}/export.json")).await;
        assert_eq!(export.status, StatusCode::OK);
        let data = export.json();
        assert_eq!(data["person"]["given_name"], "Anna");
        assert!(data["access_log"]
            .as_array()
            .expect("log")
            .iter()
            .any(|e| e["actor"] == "Līga Zariņa" && e["action"] == "view"));
        assert!(!data["institutions"][0]["grades"].as_array().expect("grades").is_empty());
        let mut superuser = admin(&t).await;
        let log = superuser.get("/admin/access-log?i=1&q=zariņa").await;
        assert!(
            log.body.contains("Līga Zariņa") && log.body.contains("Anna Krūmiņa") && log.body.contains("skatīja"),
            "{}",
            log.body
        );
    }
}

#[tokio::test]
async fn a_parent_changes_only_their_own_phone_and_e_mail() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let me = t
            .scalar("SELECT CAST(person_id AS TEXT) FROM accounts WHERE username = 'vecaks'")
            .await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let page = format!("/people/{me}");
        let bad = parent
            .submit(
                &page,
                &format!("{page}/contacts"),
                &[("phone", "12"), ("email", "ilze@pasts.example")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Tālruņa numurs nav derīgs"));
        assert!(
            bad.body
                .contains("value=\"12\" autocomplete=\"tel\" aria-invalid=\"true\"")
                && bad.body.contains("value=\"ilze@pasts.example\""),
            "what was typed stays, the phone marked: {}",
            bad.body
        );
        let bad = parent
            .submit(
                &page,
                &format!("{page}/contacts"),
                &[("phone", "29876543"), ("email", "ilze@")],
            )
            .await;
        assert!(bad.body.contains("E-pasta adrese nav derīga."));
        let ok = parent
            .submit(
                &page,
                &format!("{page}/contacts"),
                &[("phone", "29876543"), ("email", "ilze@pasts.example")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(
            t.scalar(&format!("SELECT phone FROM persons WHERE id = {me}")).await,
            "+37129876543"
        );
        // The other parent of a child of hers (if any) or anyone else: not hers to change.
        let other = t.scalar("SELECT CAST(p.id AS TEXT) FROM persons p JOIN memberships m ON m.person_id = p.id WHERE m.role = 'parent' AND p.id <> (SELECT person_id FROM accounts WHERE username = 'vecaks') ORDER BY p.id LIMIT 1").await;
        let csrf = parent.get(&page).await.csrf().expect("csrf");
        let r = parent
            .post_form(
                &format!("/people/{other}/contacts"),
                &[("csrf", &csrf), ("phone", "29999999"), ("email", "")],
            )
            .await;
        assert!(
            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{}",
            r.status
        );
        let privacy = parent.get("/account/privacy").await;
        assert!(privacy.body.contains("Kas skatīja vai mainīja manus datus") && privacy.body.contains("mainīja"));
    }
}

#[tokio::test]
async fn the_clerk_admits_transfers_and_removes_a_student_by_order() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class_2b = t
            .scalar("SELECT CAST(id AS TEXT) FROM classes WHERE name = '2.B'")
            .await;
        let class_2a = t
            .scalar("SELECT CAST(id AS TEXT) FROM classes WHERE name = '2.A'")
            .await;
        let mut clerk = t.client();
        clerk.login("lietvede", "demo").await;
        let list = format!("/classes/{class_2b}/students");
        let page = clerk.get(&list).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Uzņemt izglītojamo"));
        assert!(
            page.body.contains("name=\"document_number\""),
            "the form asks for a document when there is no code"
        );
        let fields = |code: &'static str| {
            vec![
                ("given_name", "Rūdolfs"),
                ("family_name", "Ķēniņš"),
                ("personal_code", code),
                ("birth_date", "2010-03-15"),
                ("gender", "m"),
                ("phone", ""),
                ("order_number", "1-7/2026/501"),
                ("order_date", "2026-11-20"),
                ("from", "2026-11-23"),
            ]
        };
        let bad = clerk.submit(&list, &list, &fields("150385-01236")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Personas koda kontrolcipars nav pareizs."));
        assert!(bad.body.contains("value=\"Rūdolfs\""), "what was typed stays");
        assert!(
            bad.body.contains("value=\"150385-01236\" aria-invalid=\"true\""),
            "the code marked"
        );
        // A student without a Latvian personal code: with a document's number.
        let mut foreign = fields("");
        foreign[0] = ("given_name", "Olena");
        foreign[1] = ("family_name", "Kovalenko");
        foreign.push(("document_number", "FP1234567"));
        let r = clerk.submit(&list, &list, &foreign).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "admitted with a document: {}", r.body);
        assert_eq!(t.count("persons WHERE family_name = 'Kovalenko'").await, 1);
        let ok = clerk.submit(&list, &list, &fields("311299-07896")).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let again = clerk.submit(&list, &list, &fields("311299-07896")).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("jau mācās"));
        let id = t
            .scalar("SELECT CAST(id AS TEXT) FROM persons WHERE personal_code = '311299-07896'")
            .await;

        // The new student is in the teacher's grid.
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        let grid = teacher
            .api_get(&format!("/api/v1/courses/{course}/grid"), &token)
            .await
            .json();
        assert!(grid["students"]
            .as_array()
            .expect("students")
            .iter()
            .any(|s| s["given_name"] == "Rūdolfs"));

        // Transfer to 2.A, then removal: the history keeps every step with its order.
        let person = format!("/people/{id}");
        let r = clerk
            .submit(
                &person,
                &format!("{person}/transfer"),
                &[
                    ("class", &class_2a),
                    ("order_number", "1-7/2026/520"),
                    ("order_date", "2026-11-24"),
                    ("from", "2026-11-25"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // An exit without its order's number comes back as typed, the number marked.
        let r = clerk
            .submit(
                &person,
                &format!("{person}/exit"),
                &[
                    ("reason", "pārcēlās uz citu skolu"),
                    ("order_number", " "),
                    ("order_date", "2026-11-25"),
                    ("from", "2026-11-25"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("value=\"pārcēlās uz citu skolu\"")
                && r.body
                    .contains("name=\"order_number\" value=\" \" required aria-invalid=\"true\""),
            "{}",
            r.body
        );
        let r = clerk
            .submit(
                &person,
                &format!("{person}/exit"),
                &[
                    ("reason", "pārcēlās uz citu skolu"),
                    ("order_number", "1-7/2026/530"),
                    ("order_date", "2026-11-25"),
                    ("from", "2026-11-25"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = clerk.get(&person).await.body;
        assert!(
            page.contains("2.B")
                && page.contains("2.A")
                && page.contains("pārcelšana")
                && page.contains("1-7/2026/530")
                && page.contains("pārcēlās uz citu skolu"),
            "{page}"
        );
        assert_eq!(
            t.scalar(&format!(
                "SELECT valid_to FROM memberships WHERE person_id = {id} AND role = 'student'"
            ))
            .await,
            "2026-11-25"
        );

        // Anna leaves the school: her mother's rights there end; her preschool rights stay.
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let r = clerk
            .submit(
                &format!("/people/{anna}"),
                &format!("/people/{anna}/exit"),
                &[
                    ("reason", "mācības beigtas"),
                    ("order_number", "1-7/2026/540"),
                    ("order_date", "2026-11-20"),
                    ("from", "2026-11-25"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let home = parent.get("/").await.body;
        assert!(!home.contains("Daugavmalas") && home.contains("Pienenīte"), "{home}");
        // A teacher cannot admit anyone.
        assert!(!teacher.get(&list).await.body.contains("Uzņemt izglītojamo"));
    }
}

#[tokio::test]
async fn rules_are_acknowledged_and_the_head_sees_who_has_not() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut c = admin(&t).await;
        let page = "/admin/rules?i=1";
        let r = c
            .submit(
                page,
                page,
                &[
                    ("data_processor", " "),
                    ("rules", "Jauni, gari noteikumi.\n\nOtrā rindkopa."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(">Jauni, gari noteikumi.\n\nOtrā rindkopa.</textarea>")
                && r.body
                    .contains("name=\"data_processor\" value=\" \" required aria-invalid=\"true\""),
            "the rules as typed stay, the processor marked: {}",
            r.body
        );
        let r = c
            .submit(
                page,
                page,
                &[
                    ("data_processor", "SIA “Datu Serviss”"),
                    ("rules", "1. Paroli nedod citiem.\n\n2. Raksti pieklājīgi."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let home = deputy.get("/").await.body;
        assert!(
            home.contains("Lūdzu, izlasiet iestādes noteikumus") && home.contains("2. Raksti pieklājīgi."),
            "{home}"
        );
        assert!(home.contains("ievada stundu sarakstu"), "the deputy's own instructions");
        let r = deputy
            .submit("/", "/rules/ack", &[("institution", "1"), ("version", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!deputy
            .get("/")
            .await
            .body
            .contains("Lūdzu, izlasiet iestādes noteikumus"));
        let privacy = deputy.get("/account/privacy").await.body;
        assert!(privacy.contains("Datu apstrādātājs: SIA “Datu Serviss”"), "{privacy}");

        let mut director = t.client();
        director.login("direktors", "demo").await;
        let body = director.get(page).await.body;
        let list = body
            .split("Vēl nav apstiprinājuši")
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .expect("the list");
        assert!(
            list.contains("Ināra Ozoliņa (Direktors)") && !list.contains("Gatis Bērziņš"),
            "the deputy has acknowledged"
        );

        // A change of the rules asks again.
        c.submit(
            page,
            page,
            &[
                ("data_processor", "SIA “Datu Serviss”"),
                ("rules", "1. Paroli nedod citiem."),
            ],
        )
        .await;
        assert!(deputy
            .get("/")
            .await
            .body
            .contains("Lūdzu, izlasiet iestādes noteikumus"));
        let stale = deputy
            .submit("/", "/rules/ack", &[("institution", "1"), ("version", "1")])
            .await;
        assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn the_director_appoints_the_superuser_by_order() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut director = t.client();
        director.login("direktors", "demo").await;
        let teacher = t
            .scalar("SELECT CAST(person_id AS TEXT) FROM accounts WHERE username = 'skolotajs'")
            .await;
        let parent = t
            .scalar("SELECT CAST(person_id AS TEXT) FROM accounts WHERE username = 'vecaks'")
            .await;
        let page = "/admin/rules?i=1";
        let action = "/admin/rules/superuser?i=1";
        let r = director
            .submit(
                page,
                action,
                &[
                    ("person", &parent),
                    ("order_number", "1-8/2026/20"),
                    ("order_date", "2026-11-26"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("tikai no iestādes darbiniekiem"));
        assert!(r.body.contains("value=\"1-8/2026/20\""), "the order stays as typed");
        let r = director
            .submit(
                page,
                action,
                &[
                    ("person", &teacher),
                    ("order_number", "1-8/2026/20"),
                    ("order_date", "2026-11-26"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            t.scalar(&format!(
                "SELECT order_number FROM memberships WHERE person_id = {teacher} AND role = 'superuser'"
            ))
            .await,
            "1-8/2026/20"
        );
        let mut new_superuser = t.client();
        new_superuser.login("skolotajs", "demo").await;
        assert_eq!(
            new_superuser.get("/admin/accounts?i=1").await.location(),
            Some("/account/second-factor"),
            "a superuser sets up a second factor first"
        );
        new_superuser.set_up_second_factor(t.app.now()).await;
        assert_eq!(new_superuser.get("/admin/accounts?i=1").await.status, StatusCode::OK);
        // Only the director appoints.
        let mut other = admin(&t).await;
        let r = other
            .submit(
                page,
                action,
                &[
                    ("person", &teacher),
                    ("order_number", "x"),
                    ("order_date", "2026-11-26"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_parent_chooses_a_username() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        let bad = parent
            .submit("/account", "/account/username", &[("username", "150385-01233")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("nedrīkst būt personas kods"));
        let taken = parent
            .submit("/account", "/account/username", &[("username", "admin")])
            .await;
        assert_eq!(taken.status, StatusCode::CONFLICT);
        let section = taken.body.split("id=\"uname\"").nth(1).expect("the username's section");
        assert!(
            section.contains("role=\"alert\"")
                && section.contains("value=\"admin\"")
                && section.contains("aria-invalid=\"true\""),
            "the message under the username, what was typed kept: {section}"
        );
        let ok = parent
            .submit("/account", "/account/username", &[("username", "Ilze.K")])
            .await;
        assert_eq!(ok.location(), Some("/account?done=username"));
        assert_eq!(t.client().login("ilze.k", "demo").await.location(), Some("/"));
        // A teacher keeps the username the superuser gave.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        assert!(!teacher.get("/account").await.body.contains("Savs lietotājvārds"));
        assert_eq!(
            teacher
                .submit("/account", "/account/username", &[("username", "mk")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_same_flows_through_the_api() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let r = teacher.api_get(&format!("/api/v1/people/{anna}"), &token).await.json();
        assert_eq!(r["level"], "Basic");
        assert!(r["person"]["personal_code"].is_null() && r["person"]["given_name"] == "Anna");

        let mut superuser = t.client();
        let su = superuser.api_login("admin", "demo").await;
        let staff = superuser.api_get("/api/v1/institutions/1/staff", &su).await.json();
        let karlis = staff
            .as_array()
            .expect("staff")
            .iter()
            .find(|s| s["employee"]["name"] == "Kārlis Mednis")
            .expect("Kārlis");
        assert_eq!(karlis["overdue"], true);
        let id = karlis["employee"]["person_id"].as_i64().expect("id");
        let r = superuser
            .api_post(
                &format!("/api/v1/institutions/1/staff/{id}/create"),
                serde_json::json!({}),
                Some(&su),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let outbox = superuser.api_get("/api/v1/institutions/1/sms", &su).await.json();
        assert_eq!(outbox.as_array().map(Vec::len), Some(1));
        let r = superuser
            .api_post(
                &format!("/api/v1/institutions/1/staff/{id}/block"),
                serde_json::json!({"reason": ""}),
                Some(&su),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            teacher.api_get("/api/v1/institutions/1/staff", &token).await.status,
            StatusCode::FORBIDDEN
        );

        let mut parent = t.client();
        let pt = parent.api_login("vecaks", "demo").await;
        let r = parent
            .api_post(
                &format!("/api/v1/people/{anna}/contacts"),
                serde_json::json!({"phone": "nav", "email": ""}),
                Some(&pt),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a parent enters no one's contacts but their own"
        );
        let log = parent
            .api_get(&format!("/api/v1/people/{anna}/access-log"), &pt)
            .await
            .json();
        assert!(
            log.as_array()
                .expect("log")
                .iter()
                .any(|e| e["actor"] == "Mārtiņš Kalniņš"),
            "{log}"
        );
    }
}

#[tokio::test]
async fn the_tutor_sends_the_parents_the_instructions() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class = t
            .scalar("SELECT CAST(id AS TEXT) FROM classes WHERE name = '2.B'")
            .await;
        let list = format!("/classes/{class}/students");
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let r = tutor
            .submit(&list, &format!("/classes/{class}/inform-parents"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let parents = t.scalar(&format!("SELECT COUNT(DISTINCT g.parent_id) FROM guardianships g JOIN enrolments e ON e.student_id = g.child_id WHERE e.class_id = {class}"),
        )
        .await;
        assert_eq!(t.scalar("SELECT COUNT(*) FROM sms_messages").await, parents);
        // Another class's tutor cannot.
        let other = t
            .scalar("SELECT CAST(id AS TEXT) FROM classes WHERE name = '1.A'")
            .await;
        let r = tutor
            .submit(&list, &format!("/classes/{other}/inform-parents"), &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn when_employment_ends_the_rights_and_sessions_end() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let person = t
            .scalar("SELECT CAST(person_id AS TEXT) FROM accounts WHERE username = 'skolotajs'")
            .await;
        let mut c = admin(&t).await;
        let r = c
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{person}/end?i=1"),
                &[("last_day", "2026-11-25")],
            )
            .await;
        assert_eq!(r.location(), Some("/admin/accounts?i=1&done=end"), "{}", r.body);
        assert_eq!(teacher.get("/").await.location(), Some("/login"), "the session stopped");
        let again = t.client().login("skolotajs", "demo").await;
        assert_eq!(again.status, StatusCode::FORBIDDEN);
        assert!(again.body.contains("Jūsu tiesības sistēmā ir beigušās"));
        // The journal he kept stays.
        assert!(klade_app::journal::verify(&t.app).await.expect("verify").is_empty());
        assert!(t.count("lessons").await > 0);
    }
}

#[tokio::test]
async fn a_person_reads_all_their_data_on_a_page() {
    let t = TestApp::demo(klade_store::Backend::Sqlite).await;
    let mut student = t.client();
    student.login("skolens", "demo").await;
    let privacy = student.get("/account/privacy").await.body;
    let at = privacy.find("/data\"").expect("a link to the data page");
    let start = privacy[..at].rfind("/people/").expect("link");
    let page = student.get(&privacy[start..at + "/data".len()]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Kristaps") && page.body.contains("<table>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("export.json"));
    // Nobody else's.
    let anna = t.person_named("Anna", "Krūmiņa").await;
    assert_eq!(
        student.get(&format!("/people/{anna}/data")).await.status,
        StatusCode::NOT_FOUND
    );
}
