//! The demo: every named account logs in and sees its own home page in Latvian.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

/// (username, what its home page must show)
const EXPECT: &[(&str, &[&str])] = &[
    (
        "admin",
        &[
            "Virslietotājs",
            "Daugavmalas Mākslas un dizaina vidusskola",
            "Pienenīte",
            "Iestāde skaitļos",
        ],
    ),
    ("direktors", &["Direktors", "Ināra Ozoliņa", "Iestāde skaitļos"]),
    ("vietnieks", &["Direktora vietnieks mācību darbā"]),
    ("metodikis", &["Direktora vietnieks metodiskajā darbā"]),
    ("radosais", &["Direktora vietnieks radošajā darbā"]),
    ("audzinasana", &["Direktora vietnieks audzināšanas darbā"]),
    ("lietvede", &["Lietvedis"]),
    ("skolotajs", &["Mārtiņš Kalniņš", "Mācību priekšmeta skolotājs"]),
    ("audzinataja", &["Līga Zariņa", "Audzinātājs", "2.B — 25 izglītojamie"]),
    (
        "skolens",
        &["Kristaps Ābele", "Izglītojamais", "Mana klase:</strong> 4.A"],
    ),
    (
        "vecaks",
        &[
            "Ilze Krūmiņa",
            "Vecāks",
            "Mani bērni",
            "Jēkabs Krūmiņš — Mārītes",
            "Krūmiņ",
        ],
    ),
    ("pii.vaditaja", &["Vija Siliņa", "Vadītājs", "Pienenīte"]),
    ("pii.vietniece", &["Vadītāja vietnieks", "Iestāde skaitļos"]),
    ("pii.skolotaja", &["Pirmsskolas skolotājs", "Mārītes — 16 izglītojamie"]),
    ("masa", &["Medicīnas māsa", "Inta Čakste"]),
];

#[tokio::test]
async fn every_demo_account_sees_its_own_home_page() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        for (username, shows) in EXPECT {
            let mut c = t.client();
            let r = c.login(username, "demo").await;
            assert_eq!(
                r.location(),
                Some("/"),
                "{backend:?} {username}: demo accounts keep their password"
            );
            let home = c.get("/").await;
            assert_eq!(home.status, StatusCode::OK);
            assert!(home.body.contains("<html lang=\"lv\">"));
            for s in *shows {
                assert!(
                    home.body.contains(s),
                    "{backend:?} {username} should see {s:?}:\n{}",
                    home.body
                );
            }
        }
    }
}

#[tokio::test]
async fn the_demo_holds_a_realistic_school_and_preschool() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        assert_eq!(t.count("institutions").await, 2);
        assert_eq!(t.count("classes").await, 12 + 6);
        assert_eq!(t.count("subjects").await, 20);
        let mut c = t.client();
        c.login("admin", "demo").await;
        let home = c.get("/").await.body;
        // 12 classes, 300 students, 32 teachers (two still without accounts) and 6 other staff.
        assert!(home.contains("<dt>Klases un grupas</dt><dd>12</dd>"), "{home}");
        assert!(home.contains("<dt>Izglītojamie</dt><dd>300</dd>"), "{home}");
        assert!(home.contains("<dt>Darbinieki</dt><dd>38</dd>"), "{home}");
        assert!(home.contains("<dt>Klases un grupas</dt><dd>6</dd>"), "{home}");
        assert!(home.contains("<dt>Darbinieki bez konta</dt><dd>2</dd>"), "{home}");

        // The parent's API sees both children, in two institutions.
        let token = c.api_login("vecaks", "demo").await;
        let me = c.api_get("/api/v1/me", &token).await.json();
        let children = me["children"].as_array().expect("children");
        assert_eq!(children.len(), 2, "{me}");
        assert_ne!(children[0]["institution_id"], children[1]["institution_id"]);

        // Running the demo again changes nothing.
        let before = t.count("persons").await;
        assert!(!klade_app::demo::ensure(&t.app).await.expect("demo"));
        assert_eq!(t.count("persons").await, before);
    }
}

#[tokio::test]
async fn demo_personal_codes_are_valid_and_unique() {
    use sqlx::Row;
    let t = TestApp::demo(klade_store::Backend::Sqlite).await;
    let rows = sqlx::query("SELECT personal_code FROM persons")
        .fetch_all(t.db().pool())
        .await
        .expect("codes");
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let code: String = row.try_get("personal_code").expect("code");
        let parsed = klade_domain::PersonalCode::parse(&code).expect("valid code");
        assert!(parsed.check_digit_matches());
        assert!(seen.insert(code));
    }
    assert!(seen.len() > 1000, "{} people", seen.len());
}

/// A preschool's director is its head ("Vadītājs") wherever roles are named: the staff list and
/// the message recipients as well as the home page.
#[tokio::test]
async fn a_preschool_head_is_named_so() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let preschool = t.id("SELECT id FROM institutions WHERE kind = 'preschool'").await;
        let mut deputy = t.client();
        deputy.login("pii.vietniece", "demo").await;
        let staff = deputy.get(&format!("/setup/staff?i={preschool}")).await;
        assert_eq!(staff.status, StatusCode::OK);
        assert!(
            staff.body.contains(">Vadītājs<") && !staff.body.contains(">Direktors<"),
            "{}",
            staff.body
        );
        let write = deputy.get(&format!("/messages/new?i={preschool}&find=Siliņa")).await;
        assert!(write.body.contains("Vija Siliņa (Vadītājs)"), "{}", write.body);
    }
}
