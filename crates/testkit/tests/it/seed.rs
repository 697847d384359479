//! `klade seed`: the same seed makes the same data, the journal's history explains it, and a
//! database that holds institutions is refused unless asked.

use klade_app::seed::{self, Plan};
use klade_app::AppError;
use klade_testkit::{backends, TestApp};

const PLAN: Plan = Plan {
    schools: 1,
    preschools: 1,
    size: Some(30),
};

async fn seeded(backend: klade_store::Backend, seed_no: u64) -> TestApp {
    let t = TestApp::new(backend).await;
    t.clock.set("2026-09-10T10:00:00Z".parse().expect("instant"));
    let made = seed::run(&t.app, PLAN, seed_no, false, |_| {}).await.expect("seed");
    assert_eq!((made.institutions, made.of), (2, 2));
    t
}

/// What a seeded database holds, as one text to compare.
async fn fingerprint(t: &TestApp) -> String {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM persons",
        "SELECT COUNT(*) FROM lessons",
        "SELECT COUNT(*) FROM grades",
        "SELECT COUNT(*) FROM attendance",
        "SELECT MIN(given_name || family_name || personal_code) FROM persons",
        "SELECT MAX(given_name || family_name || personal_code) FROM persons",
        "SELECT MAX(hash) FROM journal_heads",
    ] {
        out.push(t.scalar(sql).await);
    }
    out.join(" | ")
}

#[tokio::test]
async fn the_same_seed_makes_the_same_data_and_its_history_explains_it() {
    for backend in backends() {
        let a = seeded(backend, 1).await;
        let b = seeded(backend, 1).await;
        let c = seeded(backend, 2).await;
        assert_eq!(fingerprint(&a).await, fingerprint(&b).await, "{backend:?}");
        assert_ne!(fingerprint(&a).await, fingerprint(&c).await, "{backend:?}");
        assert!(
            a.count("grades").await > 0 && a.count("preschool_days").await > 0,
            "{backend:?}"
        );
        let problems = klade_app::journal::verify(&a.app).await.expect("verify");
        assert!(problems.is_empty(), "{backend:?}: {problems:?}");

        // A seeded teacher signs in with the published password and sees their journal.
        let teacher = a.id("SELECT MIN(person_id) FROM course_teachers").await;
        let mut client = a.client();
        assert_eq!(client.login(&format!("t{teacher}"), "demo").await.status, 303);
        let course = a
            .id(&format!(
                "SELECT MIN(course_id) FROM course_teachers WHERE person_id = {teacher}"
            ))
            .await;
        let page = client.get(&format!("/journal/{course}")).await;
        assert_eq!(page.status, 200, "{backend:?}");

        // Ids the seed wrote itself are behind the database's own: an ordinary insert still works.
        let before = a.count("lessons").await;
        a.exec("INSERT INTO subjects (institution_id, kind, name) VALUES (1, 'subject', 'Astronomija')")
            .await;
        assert_eq!(a.count("lessons").await, before);
    }
}

#[tokio::test]
async fn a_database_with_institutions_is_refused_unless_forced() {
    for backend in backends() {
        let t = seeded(backend, 1).await;
        let persons = t.count("persons").await;
        let again = seed::run(&t.app, PLAN, 1, false, |_| {}).await;
        assert!(
            matches!(again, Err(AppError::Conflict("seed.not_empty"))),
            "{backend:?}: {again:?}"
        );
        assert_eq!(t.count("persons").await, persons, "{backend:?}: nothing written");
        // Forced, it adds to what is there: new registration numbers, usernames and codes.
        let forced = seed::run(&t.app, PLAN, 3, true, |_| {}).await;
        assert!(forced.is_ok(), "{backend:?}: {forced:?}");
        assert!(t.count("persons").await > persons, "{backend:?}");
        assert_eq!(t.count("institutions").await, 4, "{backend:?}");
    }
}

#[test]
fn an_unknown_scale_is_refused() {
    assert!(matches!(
        "europe".parse::<seed::Scale>(),
        Err(AppError::Invalid { field: "scale", .. })
    ));
}
