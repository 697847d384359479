//! Setting up an institution from an empty install: the school year with its terms and holidays
//! from the template, checked, on the pages and through the API.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_domain::{InstitutionKind, Role};
use klade_testkit::{backends, Client, TestApp};
use serde_json::json;

/// An empty install: one institution of `kind` and its superuser, logged in.
async fn empty(t: &TestApp, kind: InstitutionKind) -> (klade_domain::InstitutionId, Client) {
    let inst = t.institution(kind, "4000000100").await;
    t.person(inst, Role::Superuser, "virs", "virslietotaja-parole", false)
        .await;
    let mut c = t.client();
    assert_eq!(c.login("virs", "virslietotaja-parole").await.location(), Some("/"));
    (inst, c)
}

#[tokio::test]
async fn the_superuser_creates_the_school_year_from_the_template_and_a_wrong_one_is_refused() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let (inst, mut c) = empty(&t, InstitutionKind::General).await;
        let page_url = format!("/setup/years?i={}", inst.0);
        let page = c.get(&page_url).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("value=\"2026/2027\""),
            "the year under way is proposed: {}",
            page.body
        );
        assert!(
            page.body.contains("value=\"2026-12-18\""),
            "semester 1 ends before Christmas week"
        );
        assert!(page.body.contains("Rudens brīvlaiks"));

        let mut fields = vec![
            ("name", "2026/2027"),
            ("starts_on", "2026-09-01"),
            ("ends_on", "2027-08-31"),
            ("term_name", "1. semestris"),
            ("term_from", "2026-09-01"),
            ("term_to", "2026-12-18"),
            ("term_name", "2. semestris"),
            ("term_from", "2026-12-10"),
            ("term_to", "2027-05-31"),
            ("holiday_name", "Rudens brīvlaiks"),
            ("holiday_from", "2026-10-19"),
            ("holiday_to", "2026-10-23"),
        ];
        let refused = c.submit(&page_url, &page_url, &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Semestri pārklājas"), "{}", refused.body);
        assert!(
            refused.body.contains("value=\"2026-12-10\" aria-invalid=\"true\""),
            "what was typed stays, marked"
        );
        assert_eq!(t.count("school_years").await, 0, "nothing was written");
        fields[7] = ("term_from", "2027-01-04");
        let r = c.submit(&page_url, &page_url, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("terms").await, 2);
        assert_eq!(t.count("school_holidays").await, 1);
        let page = c.get(&format!("{page_url}&done=year")).await;
        assert!(
            page.body.contains("Mācību gads izveidots.") && page.body.contains("19.10.2026."),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("value=\"2027/2028\""),
            "the next year is proposed now"
        );
        let again = c.submit(&page_url, &page_url, &fields).await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // Through the API: the proposal as it comes, then a term outside its year.
        let token = c.api_login("virs", "virslietotaja-parole").await;
        let years = c
            .api_get(&format!("/api/v1/institutions/{}/years", inst.0), &token)
            .await
            .json();
        let mut proposal = years["proposal"].clone();
        assert_eq!(proposal["name"], "2027/2028");
        proposal["terms"][1]["ends_on"] = json!("2028-09-15");
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/years", inst.0),
                proposal.clone(),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["field"], "terms.1.starts_on");
        proposal["terms"][1]["ends_on"] = json!("2028-05-31");
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/years", inst.0),
                proposal,
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(t.count("school_years").await, 2);

        // Nobody else sets the year up.
        t.person(inst, Role::Teacher, "skolotaja", "skolotajas-parole-gara", false)
            .await;
        let mut teacher = t.client();
        teacher.login("skolotaja", "skolotajas-parole-gara").await;
        assert_eq!(teacher.get(&page_url).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_preschool_year_is_one_journal_year() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let (inst, mut c) = empty(&t, InstitutionKind::Preschool).await;
        let token = c.api_login("virs", "virslietotaja-parole").await;
        let years = c
            .api_get(&format!("/api/v1/institutions/{}/years", inst.0), &token)
            .await
            .json();
        let proposal = &years["proposal"];
        assert_eq!(proposal["terms"].as_array().expect("terms").len(), 1);
        assert_eq!(proposal["terms"][0]["starts_on"], "2026-09-01");
        assert_eq!(proposal["terms"][0]["ends_on"], "2027-08-31");
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/years", inst.0),
                proposal.clone(),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

/// Uploads `csv` as an import of `kind` through the API, confirms it and waits for the end;
/// answers the preview's rows.
async fn import(c: &mut Client, token: &str, inst: i64, kind: &str, csv: &str) -> Vec<serde_json::Value> {
    let r = c
        .request(
            axum::http::Method::POST,
            &format!("/api/v1/institutions/{inst}/imports?kind={kind}"),
            Some("text/csv"),
            csv.to_string(),
            Some(token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let preview = r.json();
    let id = preview["id"].as_i64().expect("id");
    let rows = preview["rows"].as_array().expect("rows").clone();
    let r = c
        .api_post(
            &format!("/api/v1/institutions/{inst}/imports/{id}/confirm"),
            json!({}),
            Some(token),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    for _ in 0..400 {
        let s = c
            .api_get(&format!("/api/v1/institutions/{inst}/imports/{id}"), token)
            .await
            .json();
        if s["status"] == "done" {
            return rows;
        }
        assert_ne!(s["status"], "failed", "{s}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the import did not finish");
}

fn actions(rows: &[serde_json::Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["action"]["action"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn staff_and_students_with_their_parents_come_from_files_once() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let (inst, mut c) = empty(&t, InstitutionKind::General).await;
        let token = c.api_login("virs", "virslietotaja-parole").await;
        let years = c
            .api_get(&format!("/api/v1/institutions/{}/years", inst.0), &token)
            .await
            .json();
        c.api_post(
            &format!("/api/v1/institutions/{}/years", inst.0),
            years["proposal"].clone(),
            Some(&token),
        )
        .await;
        import(&mut c, &token, inst.0, "classes", "Klase;Kurss\n1.A;1\n2.A;2\n").await;

        let staff = "Personas kods;Vārds;Uzvārds;Amats;Slodze;Tālrunis;E-pasts;Darba attiecību sākums;Rīkojuma Nr.;Rīkojuma datums\n\
                     150385-01233;Anna;Liepa;Direktore;1;26123456;anna@skola.example;01.09.2026;1-8/2026/1;28.08.2026\n\
                     010180-01234;Jānis;Kalns;Direktora vietnieks mācību darbā;1;26123457;;01.09.2026;1-8/2026/2;28.08.2026\n\
                     311299-07896;Ilze;Bērza;Skolotāja;0,8;26123458;;;;\n\
                     290296-04561;Zane;Ozola;Lietvede;1;;zane@skola.example;;;\n\
                     150385-01236;Kļūda;Kodā;Skolotāja;1;;;;;\n\
                     010180-01234;Jānis;Kalns;Sētnieks;1;;;;;\n";
        let rows = import(&mut c, &token, inst.0, "staff", staff).await;
        assert_eq!(
            actions(&rows),
            ["create", "create", "create", "create", "reject", "reject"],
            "{rows:?}"
        );
        assert_eq!(rows[4]["action"]["field"], "personal_code");
        assert_eq!(rows[5]["action"]["code"], "import.position_unknown");
        let roles = t
            .scalar(&format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM memberships WHERE institution_id = {} AND role IN ('director', 'deputy_academic', 'teacher', 'clerk') AND basis = 'employment'",
                inst.0
            ))
            .await;
        assert_eq!(roles, "4");
        assert_eq!(
            t.scalar("SELECT order_number || ' ' || position FROM memberships WHERE role = 'director'")
                .await,
            "1-8/2026/1 Direktore"
        );
        let again = import(&mut c, &token, inst.0, "staff", staff).await;
        assert_eq!(
            actions(&again)[..4],
            ["same", "same", "same", "same"],
            "a second run changes nothing"
        );

        // Students with their legal representatives: siblings share one parent (no code given).
        let students = "Personas kods;Vārds;Uzvārds;Klase;1. vecāka vārds;1. vecāka uzvārds;1. vecāka personas kods;1. vecāka tālrunis;1. vecāka radniecība;2. vecāka vārds;2. vecāka uzvārds;2. vecāka tālrunis\n\
                        010110-20001;Pēteris;Priede;1.A;Marta;Priede;;26000001;māte;Kārlis;Priede;26000002\n\
                        020211-20002;Liene;Priede;2.A;Marta;Priede;;26000001;māte;;;\n\
                        030312-20003;Ēvalds;Egle;2.A;Ieva;Egle;150385-01233;26000003;māte;;;\n\
                        040413-20004;Kaspars;Vītols;2.A;Rūta;;;26000004;;;;\n";
        let codes = |n: u32| {
            klade_domain::PersonalCode::fictional(n, n, 10 + n, 2000 + n)
                .expect("code")
                .to_string()
        };
        let students = students
            .replace("010110-20001", &codes(1))
            .replace("020211-20002", &codes(2))
            .replace("030312-20003", &codes(3))
            .replace("040413-20004", &codes(4));
        let persons = t.count("persons").await;
        let rows = import(&mut c, &token, inst.0, "students", &students).await;
        assert_eq!(actions(&rows), ["create", "create", "reject", "reject"], "{rows:?}");
        assert_eq!(
            rows[2]["action"]["code"], "person.code_name_conflict",
            "Anna Liepa's code with another name"
        );
        assert_eq!(rows[3]["action"]["field"], "parent1_family");
        // Two students, Marta (once) and Kārlis.
        assert_eq!(t.count("persons").await, persons + 4);
        assert_eq!(t.count("guardianships").await, 3);
        assert_eq!(
            t.scalar(&format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM memberships WHERE institution_id = {} AND role = 'parent'",
                inst.0
            ))
            .await,
            "2"
        );
        assert_eq!(
            t.scalar("SELECT relation FROM guardianships ORDER BY created_at LIMIT 1")
                .await,
            "māte"
        );
        let again = import(&mut c, &token, inst.0, "students", &students).await;
        assert_eq!(actions(&again)[..2], ["same", "same"], "{again:?}");
        assert_eq!(t.count("guardianships").await, 3);
    }
}

#[tokio::test]
async fn staff_classes_subjects_and_tutors_by_hand() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let (inst, mut c) = empty(&t, InstitutionKind::General).await;
        let token = c.api_login("virs", "virslietotaja-parole").await;
        // Before the year: a class cannot be added, and the page says why.
        let classes_url = format!("/setup/classes?i={}", inst.0);
        assert!(c.get(&classes_url).await.body.contains("mācību gada"), "no year yet");
        let years = c
            .api_get(&format!("/api/v1/institutions/{}/years", inst.0), &token)
            .await
            .json();
        c.api_post(
            &format!("/api/v1/institutions/{}/years", inst.0),
            years["proposal"].clone(),
            Some(&token),
        )
        .await;

        let staff_url = format!("/setup/staff?i={}", inst.0);
        let bad = c
            .submit(
                &staff_url,
                &staff_url,
                &[
                    ("personal_code", "311299-07896"),
                    ("given_name", "Ilze"),
                    ("family_name", "Bērza"),
                    ("position", "Pavāre"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("Amats nav pazīstams") && bad.body.contains("value=\"Pavāre\""),
            "{}",
            bad.body
        );
        let r = c
            .submit(
                &staff_url,
                &staff_url,
                &[
                    ("personal_code", "311299-07896"),
                    ("given_name", "Ilze"),
                    ("family_name", "Bērza"),
                    ("position", "Skolotāja"),
                    ("workload", "0,8"),
                    ("phone", "26123458"),
                    ("order_number", "1-8/2026/9"),
                    ("order_date", "2026-08-28"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = c.get(&format!("{staff_url}&done=staff")).await.body;
        assert!(
            list.contains("Ilze Bērza") && list.contains("Darbinieks pievienots."),
            "{list}"
        );
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/staff", inst.0),
                json!({"personal_code": "290296-04561", "given_name": "Zane", "family_name": "Ozola", "position": "Lietvede"}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/staff", inst.0),
                json!({"personal_code": "290296-04561", "given_name": "Zane", "family_name": "Ozola", "position": "Lietvede"}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "entered twice: {}", r.body);

        let r = c
            .submit(&classes_url, &classes_url, &[("name", "5.A"), ("grade", "5")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = c
            .submit(&classes_url, &classes_url, &[("name", "5.A"), ("grade", "5")])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = c
            .submit(&classes_url, &classes_url, &[("name", "6.A"), ("grade", "seši")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("value=\"seši\""), "what was typed stays");
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/subjects", inst.0),
                json!({"name": "Matemātika"}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let structure = c
            .api_get(&format!("/api/v1/institutions/{}/classes", inst.0), &token)
            .await
            .json();
        let class = structure["classes"][0]["id"].as_i64().expect("5.A");
        let teacher = structure["teachers"][0][0].as_i64().expect("Ilze Bērza is a teacher");
        let page = c.get(&classes_url).await.body;
        assert!(page.contains("nav norīkots"), "5.A has no tutor yet");
        let r = c
            .submit(
                &classes_url,
                &format!("/setup/classes/{class}/tutors"),
                &[("person", &teacher.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("class_tutors").await, 1);
        // The clerk is no tutor's stuff: refused, naming why.
        let clerk = t.id("SELECT id FROM persons WHERE given_name = 'Zane'").await;
        let r = c
            .api_post(
                &format!("/api/v1/classes/{class}/tutors"),
                json!({"person": clerk + 1000}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // The new tutor holds the class's rights at once.
        let rights = klade_store::accounts::holdings(
            t.db().pool(),
            klade_domain::PersonId(teacher),
            jiff::civil::date(2026, 11, 26),
        )
        .await
        .expect("holdings");
        assert!(rights.grants.iter().any(|g| g.role == Role::Tutor));
    }
}

#[tokio::test]
async fn the_tutor_adds_a_students_parent_by_hand_and_nobody_else_does() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let page = format!("/people/{anna}");
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        assert!(tutor.get(&page).await.body.contains("Pievienot vecāku"));
        let guardians = t.count("guardianships").await;
        let fields = [
            ("given_name", "Jānis"),
            ("family_name", "Krūmiņš"),
            ("phone", "2612 0000"),
            ("relation", "tēvs"),
        ];
        let r = tutor.submit(&page, &format!("{page}/parents"), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("guardianships").await, guardians + 1);
        assert!(
            tutor.get(&page).await.body.contains("Jānis Krūmiņš"),
            "shown among the parents"
        );
        let again = tutor.submit(&page, &format!("{page}/parents"), &fields).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        // A subject teacher neither sees the form nor may post it.
        let mut teacher = t.client();
        let token = teacher.api_login("skolotajs", "demo").await;
        let r = teacher
            .api_post(
                &format!("/api/v1/students/{anna}/parents"),
                json!({"given_name": "X", "family_name": "Y"}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The clerk types a known code with another name: refused, nothing written.
        let head_code = t
            .scalar("SELECT p.personal_code FROM persons p JOIN accounts a ON a.person_id = p.id WHERE a.username = 'pii.vaditaja'")
            .await;
        let mut clerk = t.client();
        let token = clerk.api_login("lietvede", "demo").await;
        let r = clerk
            .api_post(
                &format!("/api/v1/students/{anna}/parents"),
                json!({"given_name": "Cita", "family_name": "Persona", "personal_code": head_code}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(t.count("guardianships").await, guardians + 1);
    }
}

#[tokio::test]
async fn a_parent_joins_with_an_invitation_and_reads_the_diary() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let mut tutor = t.client();
        tutor.login("audzinataja", "demo").await;
        let page = format!("/people/{anna}");
        tutor
            .submit(
                &page,
                &format!("{page}/parents"),
                &[
                    ("given_name", "Jānis"),
                    ("family_name", "Krūmiņš"),
                    ("phone", "2612 0000"),
                    ("relation", "tēvs"),
                ],
            )
            .await;
        let families = format!("/classes/{class}/families");
        assert!(
            tutor
                .get(&format!("/classes/{class}/students"))
                .await
                .body
                .contains(&families),
            "the class page links it"
        );
        assert!(
            t.client().get("/login").await.body.contains("href=\"/join\""),
            "the login page links joining"
        );
        let list = tutor.get(&families).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains("Jānis Krūmiņš") && list.body.contains("nav pievienojies"),
            "{}",
            list.body
        );
        // The demo has other Jānis Krūmiņš; this one has the phone just typed.
        let father = t.id("SELECT id FROM persons WHERE phone = '+37126120000'").await;
        let r = tutor
            .submit(
                &families,
                &format!("{families}/invite"),
                &[("person", &father.to_string()), ("channel", "sms")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let sms = t
            .scalar(&format!(
                "SELECT body FROM sms_messages WHERE person_id = {father} ORDER BY id DESC LIMIT 1"
            ))
            .await;
        let at = sms.find("kods: ").expect("the code in the message") + "kods: ".len();
        let code = sms[at..at + 11].to_string();
        // Already a parent with an account: no invitation.
        let parent = t.id("SELECT person_id FROM accounts WHERE username = 'vecaks'").await;
        let r = tutor
            .submit(
                &families,
                &format!("{families}/invite"),
                &[("person", &parent.to_string()), ("channel", "sms")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // The father joins: a wrong code, then his own, lower case and spaced as people type it.
        let mut father_browser = t.client();
        let wrong = father_browser
            .submit(
                "/join",
                "/join",
                &[
                    ("code", "AAAAA-BBBBB"),
                    ("username", "janis.k"),
                    ("password", "mana garā parole"),
                    ("repeat", "mana garā parole"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            wrong.body.contains("Kods nav derīgs") && wrong.body.contains("value=\"janis.k\""),
            "{}",
            wrong.body
        );
        let typed = code.to_lowercase().replace('-', " ");
        let r = father_browser
            .submit(
                "/join",
                "/join",
                &[
                    ("code", &typed),
                    ("username", "janis.k"),
                    ("password", "mana garā parole"),
                    ("repeat", "mana garā parole"),
                ],
            )
            .await;
        assert_eq!(r.location(), Some("/"), "{}", r.body);
        let diary = father_browser.get(&format!("/diary?student={anna}")).await;
        assert_eq!(diary.status, StatusCode::OK, "the father reads his child's diary");
        assert!(tutor.get(&families).await.body.contains("pievienojies"));
        // The code worked once.
        let mut again = t.client();
        let r = again
            .submit(
                "/join",
                "/join",
                &[
                    ("code", &code),
                    ("username", "cits"),
                    ("password", "vēl cita gara parole"),
                    ("repeat", "vēl cita gara parole"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Slips for those of the class without an account (in the demo everyone else has one),
        // each with a code; a code expires after 14 days.
        tutor
            .submit(
                &page,
                &format!("{page}/parents"),
                &[
                    ("given_name", "Marta"),
                    ("family_name", "Bērziņa"),
                    ("relation", "aizbildne"),
                ],
            )
            .await;
        let marta = t
            .id("SELECT parent_id FROM guardianships WHERE relation = 'aizbildne'")
            .await;
        let r = tutor.submit(&families, &format!("{families}/slips.pdf"), &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/pdf")
        );
        let text = klade_docs::pdf::extract_text(&r.bytes).expect("a PDF");
        assert!(
            text.contains("Ielūguma kods") && text.contains("Marta Bērziņa"),
            "{text}"
        );
        assert!(!text.contains("Jānis Krūmiņš"), "who joined gets no slip: {text}");
        let at = text.find("Ielūguma kods").expect("the code") + "Ielūguma kods".len();
        let slip_code: String = text[at..].trim_start().chars().take(11).collect();
        assert_eq!(t.count("invitations WHERE channel = 'print'").await, 1);
        // No phone or e-mail: nothing to send to, said so.
        let token = t.client().api_login("audzinataja", "demo").await;
        let mut c = t.client();
        let r = c
            .api_post(
                &format!("/api/v1/people/{marta}/invitations"),
                json!({"channel": "email"}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("invitation.no_email"), "{}", r.body);
        t.clock.advance_secs(15 * 24 * 3600);
        let r = t
            .client()
            .submit(
                "/join",
                "/join",
                &[
                    ("code", &slip_code),
                    ("username", "marta.b"),
                    ("password", "vecmāmiņas parole"),
                    ("repeat", "vecmāmiņas parole"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "an expired code: {}",
            r.body
        );
        // Nobody but those who enter the family's data invites it.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        assert_eq!(teacher.get(&families).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_study_plan_of_a_class_is_filled_in_one_screen() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut admin = t.client();
        admin.login("admin", "demo").await;
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let r = admin
            .submit(
                "/setup/classes?i=1",
                "/setup/subjects?i=1",
                &[("name", "Robotika"), ("code", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let robotics = t.id("SELECT id FROM subjects WHERE name = 'Robotika'").await;
        let maths = t
            .id("SELECT id FROM subjects WHERE name = 'Matemātika' AND institution_id = 1")
            .await;
        let teacher = t
            .id("SELECT person_id FROM accounts WHERE username = 'skolotajs'")
            .await;
        let plan = format!("/setup/classes/{class}/plan");
        assert!(
            admin.get("/setup/classes?i=1").await.body.contains(&plan),
            "linked from the classes"
        );
        let page = admin.get(&plan).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Robotika") && page.body.contains("kursā jau ir ieraksti"),
            "{}",
            page.body
        );
        let (teacher, robotics_t, robotics_h) = (
            teacher.to_string(),
            format!("teacher-{robotics}"),
            format!("hours-{robotics}"),
        );
        // Lessons a week out of range: refused, what was typed kept and marked.
        let r = admin
            .submit(&plan, &plan, &[(&robotics_t, &teacher), (&robotics_h, "50")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("no 1 līdz 40")
                && r.body
                    .contains("value=\"50\" inputmode=\"numeric\" size=\"3\" aria-invalid=\"true\""),
            "{}",
            r.body
        );
        // A course without a teacher.
        let r = admin
            .submit(&plan, &plan, &[(&robotics_t, ""), (&robotics_h, "2")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Izvēlieties vismaz vienu skolotāju."), "{}", r.body);
        // A subject with lessons kept cannot be taken out.
        let r = admin
            .submit(
                &plan,
                &plan,
                &[(&format!("teacher-{maths}"), ""), (&format!("hours-{maths}"), "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("to no plāna izņemt nevar"), "{}", r.body);
        assert_eq!(
            t.count("courses WHERE name = 'Robotika'").await,
            0,
            "nothing was written"
        );
        let r = admin
            .submit(&plan, &plan, &[(&robotics_t, &teacher), (&robotics_h, "2")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let course = t
            .id(&format!(
                "SELECT id FROM courses WHERE class_id = {class} AND name = 'Robotika'"
            ))
            .await;
        assert_eq!(
            t.scalar(&format!("SELECT hours_per_week FROM courses WHERE id = {course}"))
                .await,
            "2"
        );
        assert_eq!(
            t.count(&format!(
                "course_teachers WHERE course_id = {course} AND person_id = {teacher}"
            ))
            .await,
            1
        );
        // The teacher finds the course as theirs.
        let mut c = t.client();
        c.login("skolotajs", "demo").await;
        assert!(
            c.get("/journal").await.body.contains("Robotika"),
            "the course is the teacher's"
        );
        // Through the API: taken out again, as nothing was kept for it.
        let token = t.client().api_login("vietnieks", "demo").await;
        let mut api = t.client();
        let r = api
            .request(
                axum::http::Method::PUT,
                &format!("/api/v1/classes/{class}/plan"),
                Some("application/json"),
                json!({"lines": [{"subject": robotics, "teachers": [], "hours": ""}]}).to_string(),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(t.count("courses WHERE name = 'Robotika'").await, 0);
        // Those who neither prepare the year nor make the timetable do not plan.
        assert_eq!(c.get(&plan).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_next_year_is_prepared_from_the_last_in_one_reviewed_step() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut admin = t.client();
        admin.login("admin", "demo").await;
        let next = "/setup/next-year?i=1";
        assert!(admin
            .get(next)
            .await
            .body
            .contains("Vispirms izveidojiet nākamo mācību gadu."));
        let years = "/setup/years?i=1";
        let r = admin
            .submit(
                years,
                years,
                &[
                    ("name", "2027/2028"),
                    ("starts_on", "2027-09-01"),
                    ("ends_on", "2028-08-31"),
                    ("term_name", "1. semestris"),
                    ("term_from", "2027-09-01"),
                    ("term_to", "2027-12-17"),
                    ("term_name", "2. semestris"),
                    ("term_from", "2028-01-03"),
                    ("term_to", "2028-05-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            admin.get(years).await.body.contains("/setup/next-year?i=1"),
            "linked from the years"
        );
        let page = admin.get(next).await.body;
        assert!(
            page.contains("<th scope=\"row\">2.B</th><td>3.B</td><td>25</td><td>Līga Zariņa</td>"),
            "{page}"
        );
        assert!(
            page.contains("<th scope=\"row\">4.A</th><td>beidz mācības</td>"),
            "the last grade finishes: {page}"
        );
        // Without the order: refused, nothing written.
        let enrolments = t.count("enrolments").await;
        let r = admin
            .submit(
                next,
                next,
                &[("top", "4"), ("order_number", ""), ("order_date", "2027-06-20")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("value=\"2027-06-20\""), "what was typed stays");
        assert_eq!(t.count("enrolments").await, enrolments);
        let r = admin
            .submit(
                next,
                next,
                &[
                    ("top", "4"),
                    ("order_number", "1-7/2027/80"),
                    ("order_date", "2027-06-20"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let anna = t.person_named("Anna", "Krūmiņa").await;
        assert_eq!(
            t.scalar(&format!(
                "SELECT k.name FROM enrolments e JOIN classes k ON k.id = e.class_id WHERE e.student_id = {anna} AND e.valid_from = '2027-09-01'"
            ))
            .await,
            "3.B"
        );
        assert_eq!(
            t.scalar(&format!(
                "SELECT valid_to FROM enrolments WHERE student_id = {anna} AND valid_from < '2027-09-01'"
            ))
            .await,
            "2027-08-31"
        );
        let kristaps = t.person_named("Kristaps", "Ābele").await;
        assert_eq!(
            t.count(&format!(
                "enrolments WHERE student_id = {kristaps} AND valid_from = '2027-09-01'"
            ))
            .await,
            0
        );
        assert_eq!(
            t.scalar(&format!(
                "SELECT valid_to FROM memberships WHERE person_id = {kristaps} AND role = 'student'"
            ))
            .await,
            "2027-08-31",
            "a student who finishes loses the rights on the year's last day"
        );
        let tutor_of_3b = t
            .scalar(
                "SELECT p.given_name FROM class_tutors u JOIN classes k ON k.id = u.class_id \
                 JOIN school_years y ON y.id = k.school_year_id JOIN persons p ON p.id = u.person_id \
                 WHERE k.name = '3.B' AND y.name = '2027/2028'",
            )
            .await;
        assert_eq!(tutor_of_3b, "Līga", "the tutor goes up with the class");
        // Again: nothing changes.
        let after = t.count("enrolments").await;
        let r = admin
            .submit(
                next,
                next,
                &[
                    ("top", "4"),
                    ("order_number", "1-7/2027/80"),
                    ("order_date", "2027-06-20"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(t.count("enrolments").await, after);
        assert_eq!(t.count("classes WHERE name = '3.B'").await, 2, "one 3.B a year");

        // In the new year the study plan is copied from last year's class of the same name.
        t.clock.advance_secs(300 * 24 * 3600);
        let mut admin = t.client();
        admin.login("admin", "demo").await;
        let new_3b = t
            .id("SELECT k.id FROM classes k JOIN school_years y ON y.id = k.school_year_id WHERE k.name = '3.B' AND y.name = '2027/2028'")
            .await;
        let plan = format!("/setup/classes/{new_3b}/plan");
        let page = admin.get(&plan).await.body;
        assert!(
            page.contains("Aizpildīt no iepriekšējā gada klases (2026/2027)"),
            "{page}"
        );
        let r = admin.submit(&plan, &format!("{plan}/copy"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let copied = t.count(&format!("courses WHERE class_id = {new_3b}")).await;
        assert!(copied > 3, "last year's subjects with their teachers: {copied}");
        assert_eq!(t.count(&format!("courses c WHERE class_id = {new_3b} AND NOT EXISTS (SELECT 1 FROM course_teachers t WHERE t.course_id = c.id)")).await, 0);
    }
}

#[tokio::test]
async fn the_home_checklist_says_what_is_left_each_a_link() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let (inst, mut c) = empty(&t, InstitutionKind::General).await;
        let i = inst.0;
        let home = c.get("/").await.body;
        assert!(
            home.contains(&format!("<a href=\"/setup/years?i={i}\">Nav izveidots mācību gads")),
            "{home}"
        );
        let years = format!("/setup/years?i={i}");
        let r = c
            .submit(
                &years,
                &years,
                &[
                    ("name", "2026/2027"),
                    ("starts_on", "2026-09-01"),
                    ("ends_on", "2027-08-31"),
                    ("term_name", "1. semestris"),
                    ("term_from", "2026-09-01"),
                    ("term_to", "2026-12-18"),
                    ("term_name", "2. semestris"),
                    ("term_from", "2027-01-04"),
                    ("term_to", "2027-05-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(c.get("/").await.body.contains("Nav ievadītas klases vai grupas."));
        let classes = format!("/setup/classes?i={i}");
        let r = c.submit(&classes, &classes, &[("name", "1.A"), ("grade", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let home = c.get("/").await.body;
        assert!(
            home.contains(&format!(
                "<a href=\"{classes}\">Klases vai grupas bez audzinātāja: 1</a>"
            )),
            "{home}"
        );
        assert!(
            home.contains(&format!("<a href=\"/admin/import?i={i}\">Nav izglītojamo: 1.A</a>")),
            "{home}"
        );
        // Every link of the checklist opens for the superuser.
        let links: Vec<String> = home
            .split("<ul class=\"checklist\">")
            .nth(1)
            .expect("the checklist")
            .split("</ul>")
            .next()
            .expect("its end")
            .split("href=\"")
            .skip(1)
            .map(|l| l[..l.find('"').expect("end")].to_string())
            .collect();
        for link in links {
            assert_eq!(c.get(&link).await.status, StatusCode::OK, "{link}");
        }
    }
}

#[tokio::test]
async fn the_institution_settings_keep_its_details_and_its_logo_goes_on_documents() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut admin = t.client();
        admin.login("admin", "demo").await;
        let page = "/admin/institution?i=1";
        let home = admin.get("/").await.body;
        assert!(home.contains("href=\"/admin/institution\""), "in the navigation");
        let body = admin.get(page).await.body;
        assert!(
            body.contains("Daugavmalas Mākslas un dizaina vidusskola") && body.contains("/setup/years?i=1"),
            "{body}"
        );
        let name = "Daugavmalas Mākslas un dizaina vidusskola";
        let r = admin
            .submit(
                page,
                page,
                &[("name", name), ("reg_no", "12ab"), ("address", "Jaunā iela 1, Rīga")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("10 vai 11 cipari") && r.body.contains("value=\"Jaunā iela 1, Rīga\""),
            "{}",
            r.body
        );
        let reg_no = t.scalar("SELECT reg_no FROM institutions WHERE id = 1").await;
        let r = admin
            .submit(
                page,
                page,
                &[("name", name), ("reg_no", &reg_no), ("address", "Jaunā iela 1, Rīga")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            t.scalar("SELECT address FROM institutions WHERE id = 1").await,
            "Jaunā iela 1, Rīga"
        );

        // A logo: a file that is not an image is refused; an image is kept re-encoded.
        let csrf = admin.get(page).await.csrf().expect("csrf");
        let logo = format!("/admin/institution/logo?i=1&csrf={csrf}");
        let r = admin.upload(&logo, &[], ("logo", "logo.png", b"not an image")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let mut png = Vec::new();
        image::RgbImage::from_pixel(40, 20, image::Rgb([200, 30, 30]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        let r = admin.upload(&logo, &[], ("logo", "logo.png", &png)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let shown = admin.get("/admin/institution/logo?i=1").await;
        assert_eq!(
            shown.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("image/jpeg")
        );
        // On the progress reports the clerk prints.
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let mut clerk = t.client();
        clerk.login("lietvede", "demo").await;
        let pdf = clerk.get(&format!("/classes/{class}/report.pdf")).await;
        assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
        assert!(
            pdf.bytes.windows(9).any(|w| w == b"DCTDecode"),
            "the logo is in the PDF"
        );
        // Only the superuser keeps the settings.
        assert_eq!(clerk.get(page).await.status, StatusCode::FORBIDDEN);

        // The header carries the institution and its logo; a new name shows at once.
        let header = clerk.get("/").await.body;
        let file = t.id("SELECT logo_file FROM institutions WHERE id = 1").await;
        let src = format!("/logo/1?v={file}");
        assert!(
            header.contains(&format!("<img src=\"{src}\"")) && header.contains(&format!("<small>{name}</small>")),
            "{header}"
        );
        let renamed = "Daugavmalas Mākslas vidusskola";
        let r = admin
            .submit(
                page,
                page,
                &[
                    ("name", renamed),
                    ("reg_no", &reg_no),
                    ("address", "Jaunā iela 1, Rīga"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(clerk.get("/").await.body.contains(&format!("<small>{renamed}</small>")));
        // The logo is anyone's to fetch (the login page shows it), kept for a year by its address.
        let anyone = t.client().get(&src).await;
        assert_eq!(anyone.status, StatusCode::OK);
        assert_eq!(
            anyone.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("image/jpeg")
        );
        assert!(anyone
            .headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("immutable")));
        assert_eq!(t.client().get("/logo/2").await.status, StatusCode::NOT_FOUND, "no logo");
        assert_eq!(t.client().get("/logo/999").await.status, StatusCode::NOT_FOUND);
        // The demo serves two institutions: its login page names neither.
        assert!(!t.client().get("/login").await.body.contains("<small>"));
    }
}

/// An install serving one institution shows it on the login page, logo and all.
#[tokio::test]
async fn the_login_page_of_a_single_institution_install_names_it() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        assert!(!t.client().get("/login").await.body.contains("<small>"), "none yet");
        klade_store::institutions::insert(
            t.db().pool(),
            klade_domain::InstitutionKind::General,
            "Ozolkalna pamatskola",
            "4012345678",
            "Ozolu iela 1",
            0,
        )
        .await
        .expect("institution");
        let login = t.client().get("/login").await.body;
        assert!(login.contains("<small>Ozolkalna pamatskola</small>"), "{login}");
        assert!(!login.contains("/logo/"), "no logo, no image");
    }
}
