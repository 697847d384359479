//! Holes an attacker found, each closed and kept closed: contacts and credentials out of reach of
//! lesser roles and other institutions, one institution never writing into another's person.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};
use serde_json::json;

async fn person_of(t: &TestApp, username: &str) -> i64 {
    t.id(&format!("SELECT person_id FROM accounts WHERE username = '{username}'"))
        .await
}

async fn phone_of(t: &TestApp, person: i64) -> String {
    t.scalar(&format!("SELECT COALESCE(phone, '') FROM persons WHERE id = {person}"))
        .await
}

#[tokio::test]
async fn the_preschool_deputy_cannot_take_over_the_superuser_a_head_or_a_parent() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut c = t.client();
        let token = c.api_login("pii.vietniece", "demo").await;
        let sms_before = t.count("sms_messages").await;
        for victim in ["admin", "pii.vaditaja", "vecaks"] {
            let id = person_of(&t, victim).await;
            let phone = phone_of(&t, id).await;
            let r = c
                .api_post(
                    &format!("/api/v1/people/{id}/contacts"),
                    json!({ "phone": "+37120000666", "email": "x@evil.example" }),
                    Some(&token),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{victim}'s contacts: {}", r.body);
            assert_eq!(phone_of(&t, id).await, phone, "{victim}'s phone stays");
            let r = c
                .api_post(
                    &format!("/api/v1/institutions/2/staff/{id}/password"),
                    json!({}),
                    Some(&token),
                )
                .await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{victim}'s password: {} {}",
                r.status,
                r.body
            );
        }
        assert_eq!(t.count("sms_messages").await, sms_before, "no password went anywhere");
        assert_eq!(t.count("contact_changes").await, 0);
    }
}

#[tokio::test]
async fn a_change_of_an_account_holders_contacts_waits_for_the_holder() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        // The preschool's deputy head enters her teacher's new phone (J8): it waits.
        let teacher = person_of(&t, "pii.skolotaja").await;
        let before = phone_of(&t, teacher).await;
        let mut deputy = t.client();
        let token = deputy.api_login("pii.vietniece", "demo").await;
        let r = deputy
            .api_post(
                &format!("/api/v1/people/{teacher}/contacts"),
                json!({ "phone": "2000 1111", "email": "" }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["awaits_confirmation"], true);
        assert_eq!(
            phone_of(&t, teacher).await,
            before,
            "not in place before the holder says so"
        );

        // The holder sees it on her account page and confirms it.
        let mut holder = t.client();
        holder.login("pii.skolotaja", "demo").await;
        let page = holder.get("/account").await;
        assert!(
            page.body.contains("gaida apstiprinājumu") && page.body.contains("+37120001111"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Ozola"), "who asked is named: {}", page.body);
        let r = holder
            .submit("/account", "/account/contacts", &[("answer", "accept")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(phone_of(&t, teacher).await, "+37120001111");
        assert_eq!(t.count("contact_changes").await, 0);

        // Refused, nothing changes.
        deputy
            .api_post(
                &format!("/api/v1/people/{teacher}/contacts"),
                json!({ "phone": "2000 2222", "email": "" }),
                Some(&token),
            )
            .await;
        let token_holder = holder.api_login("pii.skolotaja", "demo").await;
        let proposed = holder
            .api_get("/api/v1/me/contacts/proposed", &token_holder)
            .await
            .json();
        assert_eq!(proposed["phone"], "+37120002222");
        let r = holder
            .api_post(
                "/api/v1/me/contacts/proposed",
                json!({ "accept": false }),
                Some(&token_holder),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(phone_of(&t, teacher).await, "+37120001111");

        // The superuser's change is in place at once.
        let mut admin = t.client();
        let token = admin.api_login("admin", "demo").await;
        let r = admin
            .api_post(
                &format!("/api/v1/people/{teacher}/contacts"),
                json!({ "phone": "2000 3333", "email": "" }),
                Some(&token),
            )
            .await;
        assert_eq!(r.json()["saved"], true, "{}", r.body);
        assert_eq!(phone_of(&t, teacher).await, "+37120003333");
    }
}

#[tokio::test]
async fn no_password_goes_to_a_phone_someone_else_set_in_the_last_seven_days() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        // A new preschool teacher without an account; the deputy head enters her phone.
        let db = t.db().pool();
        let id = klade_store::people::insert(
            db,
            &klade_store::people::NewPerson {
                given_name: "Rasma",
                family_name: "Jaunā",
                personal_code: Some("010180-01234"),
                ..Default::default()
            },
            0,
        )
        .await
        .expect("person");
        klade_store::accounts::add_membership(
            db,
            klade_domain::Tenant::without_permit(klade_domain::InstitutionId(2)),
            id,
            klade_domain::Role::PreschoolTeacher,
            jiff::civil::date(2026, 11, 20),
            &klade_store::accounts::Basis::Employment,
            0,
        )
        .await
        .expect("membership");
        let id = id.0;
        let mut deputy = t.client();
        let token = deputy.api_login("pii.vietniece", "demo").await;
        let r = deputy
            .api_post(
                &format!("/api/v1/people/{id}/contacts"),
                json!({ "phone": "2000 4444", "email": "" }),
                Some(&token),
            )
            .await;
        assert_eq!(r.json()["saved"], true, "no account yet, so in place: {}", r.body);
        let mut admin = t.client();
        let token = admin.api_login("admin", "demo").await;
        let create = format!("/api/v1/institutions/2/staff/{id}/create");
        let r = admin.api_post(&create, json!({}), Some(&token)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("7 dienu"), "{}", r.body);
        t.clock.advance_secs(8 * 24 * 3600);
        let token = admin.api_login("admin", "demo").await;
        let r = admin.api_post(&create, json!({}), Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "after seven days: {}", r.body);
    }
}

#[tokio::test]
async fn the_clerk_reaches_students_and_parents_but_no_member_of_staff() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut clerk = t.client();
        let token = clerk.api_login("lietvede", "demo").await;
        for staff in ["direktors", "skolotajs", "admin"] {
            let id = person_of(&t, staff).await;
            let phone = phone_of(&t, id).await;
            let r = clerk
                .api_post(
                    &format!("/api/v1/people/{id}/contacts"),
                    json!({ "phone": "2000 5555", "email": "" }),
                    Some(&token),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{staff}: {}", r.body);
            assert_eq!(phone_of(&t, id).await, phone);
        }
        // The record's own fields of a member of staff neither.
        clerk.login("lietvede", "demo").await;
        let director = person_of(&t, "direktors").await;
        let page = format!("/people/{director}");
        let r = clerk
            .submit(
                &page,
                &format!("{page}/record"),
                &[
                    ("given_name", "Ināra"),
                    ("family_name", "Pārdēvēta"),
                    ("personal_code", ""),
                    ("birth_date", "1970-01-01"),
                    ("document_number", "X1"),
                ],
            )
            .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            t.scalar(&format!("SELECT family_name FROM persons WHERE id = {director}"))
                .await,
            "Ozoliņa"
        );
        // A student's contacts are the clerk's to enter (R17).
        let student = t.person_named("Anna", "Krūmiņa").await;
        let r = clerk
            .api_post(
                &format!("/api/v1/people/{student}/contacts"),
                json!({ "phone": "2000 6666", "email": "" }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

#[tokio::test]
async fn an_admission_links_a_known_person_and_overwrites_nothing() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let head = person_of(&t, "pii.vaditaja").await;
        let code = t
            .scalar(&format!("SELECT personal_code FROM persons WHERE id = {head}"))
            .await;
        let phone = phone_of(&t, head).await;
        t.exec(&format!(
            "INSERT INTO person_records (institution_id, person_id, address_declared) VALUES (2, {head}, 'Pirmsskolas iela 1')"
        ))
        .await;
        let class = t
            .scalar("SELECT CAST(id AS TEXT) FROM classes WHERE name = '2.B'")
            .await;
        let mut clerk = t.client();
        clerk.login("lietvede", "demo").await;
        let list = format!("/classes/{class}/students");
        let persons = t.count("persons").await;
        let enrolments = t.count("enrolments").await;
        let fields = |given: &'static str, family: &'static str| {
            vec![
                ("given_name", given),
                ("family_name", family),
                ("personal_code", code.as_str()),
                ("birth_date", "2010-03-15"),
                ("gender", "m"),
                ("phone", "2000 7777"),
                ("document_number", "LV9999999"),
                ("order_number", "1-7/2026/601"),
                ("order_date", "2026-11-20"),
                ("from", "2026-11-23"),
            ]
        };
        // Her code with another name: refused, nothing written, nothing of hers shown.
        let r = clerk.submit(&list, &list, &fields("Rūdolfs", "Ķēniņš")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("pieder personai ar citu vārdu"), "{}", r.body);
        assert!(
            !r.body.contains("Siliņa") && !r.body.contains(&phone),
            "nothing of hers is shown"
        );
        assert!(r.body.contains("value=\"Rūdolfs\""), "what was typed stays");
        assert_eq!(t.count("persons").await, persons);
        assert_eq!(t.count("enrolments").await, enrolments);

        // Her code with her name: linked; her name, birth date, phone and the preschool's record
        // stay as they were.
        let birth = t
            .scalar(&format!(
                "SELECT COALESCE(birth_date, '') FROM persons WHERE id = {head}"
            ))
            .await;
        let r = clerk.submit(&list, &list, &fields("Vija", "Siliņa")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("persons").await, persons);
        assert_eq!(phone_of(&t, head).await, phone);
        assert_eq!(
            t.scalar(&format!(
                "SELECT COALESCE(birth_date, '') FROM persons WHERE id = {head}"
            ))
            .await,
            birth
        );
        assert_eq!(
            t.scalar(&format!(
                "SELECT address_declared FROM person_records WHERE person_id = {head} AND institution_id = 2"
            ))
            .await,
            "Pirmsskolas iela 1"
        );
        // The school's clerk reads the school's record of her, not the preschool's.
        let page = clerk.get(&format!("/people/{head}")).await.body;
        assert!(page.contains("LV9999999"), "{page}");
        assert!(!page.contains("Pirmsskolas iela 1"), "{page}");
    }
}

#[tokio::test]
async fn the_viis_import_links_known_people_and_refuses_a_code_with_another_name() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let head = person_of(&t, "pii.vaditaja").await;
        let code = t
            .scalar(&format!("SELECT personal_code FROM persons WHERE id = {head}"))
            .await;
        let mut c = t.client();
        c.login("admin", "demo").await;
        let form = c.get("/admin/import?i=1").await.body;
        let at = form.find("csrf=").expect("csrf") + 5;
        let csrf = &form[at..at + form[at..].find('"').expect("quote")];
        let csv = format!(
            "Pers. kods;Vārds;Uzvārds;Dzimšanas datums;Klase\n\
             {code};Jānis;Svešais;01.01.2010;2.B\n\
             {code};Vija;Siliņa;01.01.2010;2.B\n"
        );
        let r = c
            .upload(
                &format!("/admin/import?i=1&csrf={csrf}"),
                &[("kind", "students")],
                ("file", "eksports.csv", csv.as_bytes()),
            )
            .await;
        let preview = r.location().expect("preview").to_string();
        let page = c.get(&preview).await.body;
        assert!(page.contains("pieder personai ar citu vārdu"), "{page}");
        assert!(page.contains("<dt>Tiks noraidīti</dt><dd>1</dd>"), "{page}");
        assert!(
            page.contains("<dt>Tiks mainīti</dt><dd>1</dd>"),
            "enrolled in 2.B: {page}"
        );
        let birth = t
            .scalar(&format!(
                "SELECT COALESCE(birth_date, '') FROM persons WHERE id = {head}"
            ))
            .await;
        let action = preview.replace("?i=1", "/confirm?i=1");
        let r = c.submit(&preview, &action, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        for _ in 0..400 {
            if c.get(&preview).await.body.contains("Imports pabeigts.") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(
            t.scalar(&format!(
                "SELECT COALESCE(birth_date, '') FROM persons WHERE id = {head}"
            ))
            .await,
            birth,
            "linked, not overwritten"
        );
        assert_eq!(
            t.count(&format!(
                "enrolments e JOIN classes c ON c.id = e.class_id WHERE e.student_id = {head} AND c.name = '2.B'"
            ))
            .await,
            1
        );
    }
}

#[tokio::test]
async fn the_api_answers_nothing_but_the_change_until_a_generated_password_is_changed() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let school = t
            .institution(klade_domain::InstitutionKind::General, "4000000001")
            .await;
        t.person(school, klade_domain::Role::Teacher, "jauna", "ģenerēta-parole-1", true)
            .await;
        let mut c = t.client();
        let token = c.api_login("jauna", "ģenerēta-parole-1").await;
        for path in ["/api/v1/courses", "/api/v1/messages", "/api/v1/deadlines"] {
            let r = c.api_get(path, &token).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
            assert!(r.body.contains("nomainiet ģenerēto paroli"), "{path}: {}", r.body);
        }
        assert_eq!(c.api_get("/api/v1/me", &token).await.status, StatusCode::OK);
        let r = c
            .api_post(
                "/api/v1/me/password",
                json!({ "current": "ģenerēta-parole-1", "new": "password123" }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = c
            .api_post(
                "/api/v1/me/password",
                json!({ "current": "ģenerēta-parole-1", "new": "mana paša garā parole" }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(c.api_get("/api/v1/courses", &token).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_language_switch_goes_back_only_to_a_page_of_this_site() {
    let t = TestApp::new(klade_testkit::backends()[0]).await;
    let mut c = t.client();
    for (next, expected) in [
        ("/people/3", "/people/3"),
        ("/%09/evil.example", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("https://evil.example", "/"),
        ("/%0d%0aSet-Cookie:%20x=1", "/"),
        ("/%E2%80%8B", "/"),
    ] {
        let r = c.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.location(), Some(expected), "{next}");
    }
}

#[tokio::test]
async fn answers_are_not_cached_and_carry_the_browser_policies() {
    let t = TestApp::new(klade_testkit::backends()[0]).await;
    let mut c = t.client();
    let page = c.get("/login").await;
    let header = |r: &klade_testkit::Response, name: &str| {
        r.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header(&page, "cache-control"), "no-store");
    assert_eq!(header(&page, "cross-origin-opener-policy"), "same-origin");
    assert!(header(&page, "permissions-policy").contains("camera=()"));
    assert_eq!(header(&page, "strict-transport-security"), "", "not over plain HTTP");
    let api = c.get("/api/v1/me").await;
    assert_eq!(header(&api, "cache-control"), "no-store");
    let css = c.get("/static/app.css").await;
    assert!(
        header(&css, "cache-control").starts_with("public"),
        "our own stylesheet may be kept"
    );

    let https = TestApp::with_settings(
        klade_testkit::backends()[0],
        klade_app::Settings::default(),
        klade_testkit::WebSettings {
            secure_cookies: true,
            ..Default::default()
        },
    )
    .await;
    let page = https.client().get("/login").await;
    assert!(header(&page, "strict-transport-security").starts_with("max-age=31536000"));
}

#[tokio::test]
async fn staff_reading_a_students_diary_grades_or_journal_through_the_api_is_shown_to_the_family() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let mut tutor = t.client();
        let token = tutor.api_login("audzinataja", "demo").await;
        for path in [
            format!("/api/v1/students/{anna}/diary"),
            format!("/api/v1/students/{anna}/grades"),
            format!("/api/v1/students/{anna}/journal"),
        ] {
            let r = tutor.api_get(&path, &token).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        }
        let mut parent = t.client();
        let token = parent.api_login("vecaks", "demo").await;
        // The parent's own look is not staff access.
        parent.api_get(&format!("/api/v1/students/{anna}/diary"), &token).await;
        let log = parent
            .api_get(&format!("/api/v1/people/{anna}/access-log"), &token)
            .await
            .json();
        let seen: Vec<String> = log
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["actor"] == "Līga Zariņa" && e["action"] == "view")
            .filter_map(|e| e["detail"].as_str().map(str::to_string))
            .collect();
        for what in ["diary", "grades", "journal"] {
            assert!(seen.iter().any(|d| d == what), "{what} is logged: {log}");
        }
        assert!(
            !log.as_array()
                .expect("entries")
                .iter()
                .any(|e| e["actor"] == "Ilze Krūmiņa"),
            "the family's own looks are not logged as staff access"
        );
    }
}

#[tokio::test]
async fn a_parent_reads_the_groups_day_but_only_their_own_childs_attendance() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let parent = person_of(&t, "vecaks").await;
        let group = t
            .id(&format!(
                "SELECT e.class_id FROM enrolments e JOIN guardianships g ON g.child_id = e.student_id \
                 JOIN classes c ON c.id = e.class_id WHERE g.parent_id = {parent} AND c.kind = 'group'"
            ))
            .await;
        let other = t
            .scalar(&format!(
                "SELECT p.family_name FROM enrolments e JOIN persons p ON p.id = e.student_id \
                 WHERE e.class_id = {group} AND e.student_id NOT IN \
                   (SELECT child_id FROM guardianships WHERE parent_id = {parent}) ORDER BY p.id LIMIT 1"
            ))
            .await;
        let mut c = t.client();
        c.login("vecaks", "demo").await;
        let page = c.get(&format!("/groups/{group}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Krūmiņš"), "their own child: {}", page.body);
        assert!(
            !page.body.contains(&other),
            "another family's child ({other}) is not shown"
        );
        let mut teacher = t.client();
        teacher.login("pii.skolotaja", "demo").await;
        assert!(
            teacher.get(&format!("/groups/{group}")).await.body.contains(&other),
            "the teacher sees all"
        );
    }
}

#[tokio::test]
async fn a_superuser_neither_ends_a_fellow_superusers_employment_nor_resets_a_stranger() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let teacher = person_of(&t, "skolotajs").await;
        t.exec(&format!(
            "INSERT INTO memberships (institution_id, person_id, role, valid_from, basis, order_number, order_date, created_at) \
             VALUES (1, {teacher}, 'superuser', '2026-09-01', 'order', '1-8/1', '2026-09-01', 0)"
        ))
        .await;
        let mut admin = t.client();
        let token = admin.api_login("admin", "demo").await;
        let before = t.count("memberships").await;
        let r = admin
            .api_post(
                &format!("/api/v1/institutions/1/staff/{teacher}/end"),
                json!({ "last_day": "2026-11-30" }),
                Some(&token),
            )
            .await;
        assert_ne!(r.status, StatusCode::OK, "{}", r.body);
        let mut page = t.client();
        page.login("admin", "demo").await;
        let r = page
            .submit(
                "/admin/accounts?i=1",
                &format!("/admin/accounts/{teacher}/end?i=1"),
                &[("last_day", "2026-11-30")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(
            t.count(&format!(
                "memberships WHERE person_id = {teacher} AND valid_to IS NOT NULL"
            ))
            .await,
            0
        );
        assert_eq!(t.count("memberships").await, before);
        // A person with nothing here: no reset from here.
        let stranger = t.id("SELECT id FROM persons ORDER BY id DESC LIMIT 1").await;
        t.exec(&format!("DELETE FROM memberships WHERE person_id = {stranger}"))
            .await;
        let r = admin
            .api_post(
                &format!("/api/v1/institutions/1/staff/{stranger}/second-factor-reset"),
                json!({}),
                Some(&token),
            )
            .await;
        assert!(
            matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn writes_ignore_fields_the_caller_may_not_set_and_answers_carry_only_what_the_role_may_see() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let parent = person_of(&t, "vecaks").await;
        let mut c = t.client();
        let token = c.api_login("vecaks", "demo").await;
        let memberships = t.count("memberships").await;
        // A notice with fields of someone else's choosing: the institution, the author, a role.
        let r = c
            .api_post(
                &format!("/api/v1/students/{anna}/absence-notices"),
                json!({
                    "from": "2026-11-26", "reason": "Drudzis",
                    "institution_id": 2, "institution": 2, "student_id": 1, "created_by": 7,
                    "role": "superuser", "late": false
                }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            t.scalar("SELECT CAST(institution_id AS TEXT) || ':' || CAST(student_id AS TEXT) || ':' || CAST(created_by AS TEXT) FROM absence_notices ORDER BY id DESC LIMIT 1").await,
            format!("1:{anna}:{parent}")
        );
        let r = c
            .api_post(
                &format!("/api/v1/people/{parent}/contacts"),
                json!({ "phone": "2000 8888", "email": "", "role": "superuser", "institution_id": 1, "person_id": 7 }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(t.count("memberships").await, memberships, "no right came with it");
        assert_eq!(
            t.count(&format!(
                "memberships WHERE person_id = {parent} AND role = 'superuser'"
            ))
            .await,
            0
        );
        assert_eq!(phone_of(&t, parent).await, "+37120008888");

        // A subject teacher reads a student's name and class through the API, nothing more.
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let record = teacher.api_get(&format!("/api/v1/people/{anna}"), &token).await.json();
        assert_eq!(record["level"], "Basic", "{record}");
        for field in ["personal_code", "phone", "email", "address_declared", "birth_date"] {
            assert!(record["person"][field].is_null(), "{field}: {record}");
        }
        assert_eq!(record["parents"], json!([]), "{record}");
        assert!(record["username"].is_null());
    }
}

#[tokio::test]
async fn a_busy_session_still_ends_a_day_after_its_login() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut c = t.client();
        c.login("skolotajs", "demo").await;
        for hour in 1..=23 {
            t.clock.advance_secs(3600);
            assert_eq!(c.get("/").await.status, StatusCode::OK, "hour {hour}: in use, so alive");
        }
        t.clock.advance_secs(3600 + 60);
        assert_eq!(
            c.get("/").await.location(),
            Some("/login"),
            "24 hours after the login it ends"
        );
    }
}
