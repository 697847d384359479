//! Queries per page as data grows, and the plans of the queries the pages make.
//!
//! The same pages, for the same roles, are asked for on a small seeded school (60 learners, two
//! weeks of the year) and on one five times as full, two weeks further on: each page must make as many statements on both, so no page reads row by
//! row what grows. Every statement the pages made on the large one is then explained: none may read
//! a whole table that grows with the country (`SCAN` on SQLite; a sequential scan on PostgreSQL
//! with sequential scans priced out, so only a missing index leaves one).
//!
//! A test binary of its own: it counts every statement sqlx runs in the process, through a
//! `tracing` layer, so nothing else may run beside it.

#![expect(clippy::expect_used, reason = "a failed expectation is a failed test")]

use klade_app::seed::{self, Plan};
use klade_store::Backend;
use klade_testkit::{backends, Client, TestApp};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer;

/// Every statement sqlx ran since the last `take`.
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        struct Sql(String, String);
        impl Visit for Sql {
            fn record_str(&mut self, field: &Field, value: &str) {
                match field.name() {
                    "db.statement" => self.0 = value.trim().to_string(),
                    "summary" => self.1 = value.to_string(),
                    _ => {}
                }
            }
            fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
        }
        let mut sql = Sql(String::new(), String::new());
        event.record(&mut sql);
        let statement = if sql.0.is_empty() { sql.1 } else { sql.0 };
        STATEMENTS.lock().expect("statements").push(statement);
    }
}

fn take() -> Vec<String> {
    std::mem::take(&mut *STATEMENTS.lock().expect("statements"))
}

/// Tables small enough, at any scale, to be read whole.
const SMALL: &[&str] = &[
    "rights_version",
    "attendance_kinds",
    "calendar_days",
    "banned_words",
    "retention_rules",
];

/// Tables that grow all year, day by day: an institution's rows of these are no small read.
/// (A plan line names the table, or an index named after it.)
const GROWING: &[&str] = &[
    "journal_history",
    "lessons",
    "attendance",
    "grades",
    "assessments",
    "notes",
    "messages",
    "message_recipients",
    "preschool_attendance",
    "preschool_entries",
    "preschool_days",
    "absence_notices",
    "access_log",
];

/// The pages, by role: (role, username, paths).
async fn pages(t: &TestApp) -> Vec<(&'static str, String, Vec<String>)> {
    let school = t.id("SELECT MIN(id) FROM institutions WHERE kind = 'general'").await;
    let preschool = t.id("SELECT MIN(id) FROM institutions WHERE kind = 'preschool'").await;
    let class = t
        .id(&format!("SELECT MIN(id) FROM classes WHERE institution_id = {school}"))
        .await;
    let student = t
        .id(&format!(
            "SELECT MIN(student_id) FROM enrolments WHERE class_id = {class}"
        ))
        .await;
    let parent = t
        .id(&format!(
            "SELECT MIN(parent_id) FROM guardianships WHERE child_id = {student}"
        ))
        .await;
    let course = t
        .id(&format!("SELECT MIN(id) FROM courses WHERE class_id = {class}"))
        .await;
    let teacher = t
        .id(&format!(
            "SELECT MIN(person_id) FROM course_teachers WHERE course_id = {course}"
        ))
        .await;
    let tutor = t
        .id(&format!(
            "SELECT MIN(person_id) FROM class_tutors WHERE class_id = {class}"
        ))
        .await;
    let group = t
        .id(&format!(
            "SELECT MIN(id) FROM classes WHERE institution_id = {preschool}"
        ))
        .await;
    let carer = t
        .id(&format!(
            "SELECT MIN(person_id) FROM class_tutors WHERE class_id = {group}"
        ))
        .await;
    vec![
        (
            "parent",
            format!("p{parent}"),
            vec![
                "/".into(),
                "/diary".into(),
                format!("/students/{student}/grades"),
                "/messages".into(),
                "/meetings".into(),
                "/consents".into(),
            ],
        ),
        ("student", format!("s{student}"), vec!["/".into(), "/diary".into()]),
        (
            "teacher",
            format!("t{teacher}"),
            vec![
                "/".into(),
                "/journal".into(),
                format!("/journal/{course}"),
                format!("/journal/{course}/plan"),
                "/timetable".into(),
            ],
        ),
        (
            "tutor",
            format!("t{tutor}"),
            vec![
                format!("/classes/{class}/absences"),
                format!("/classes/{class}/students"),
                "/meetings".into(),
                "/consents".into(),
            ],
        ),
        (
            "preschool teacher",
            format!("t{carer}"),
            vec!["/".into(), format!("/groups/{group}"), format!("/groups/{group}/week")],
        ),
    ]
}

/// Statements per page (the role, the page's path with its ids, how many), after one visit to
/// warm the caches; and every statement made.
async fn count(t: &TestApp) -> (Vec<(String, usize)>, Vec<String>) {
    let mut counts = Vec::new();
    let mut all = Vec::new();
    for (role, username, paths) in pages(t).await {
        let mut c: Client = t.client();
        let r = c.login(&username, "demo").await;
        assert_eq!(r.status, 303, "{username} signs in: {}", r.body);
        for path in paths {
            let first = c.get(&path).await;
            assert_eq!(first.status, 200, "{username} {path}");
            take();
            let again = c.get(&path).await;
            assert_eq!(again.status, 200, "{username} {path}");
            // Opening a connection (its settings) is not the page's work.
            let made: Vec<String> = take()
                .into_iter()
                .filter(|s| !s.starts_with("PRAGMA") && !s.starts_with("CREATE SCHEMA IF NOT EXISTS"))
                .collect();
            if std::env::var("KLADE_QUERIES_DUMP").is_ok() {
                eprintln!(
                    "=== {role} {path}\n{}",
                    made.iter()
                        .map(|m| m
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .chars()
                            .take(150)
                            .collect::<String>())
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
            counts.push((format!("{role} {path}"), made.len()));
            all.extend(made);
        }
    }
    (counts, all)
}

/// A school of `size` learners (60: five a class; 300: twenty-five) and a preschool, seeded up
/// to `day` (a Wednesday, so the teacher's day has the same lessons): the same classes, groups and
/// staff at both sizes, so a page differs only in how much data it reads.
async fn seeded(backend: Backend, size: usize, day: &str) -> TestApp {
    let t = TestApp::new(backend).await;
    t.clock.set(format!("{day}T10:00:00Z").parse().expect("instant"));
    let plan = Plan {
        schools: 1,
        preschools: 1,
        size: Some(size),
    };
    seed::run(&t.app, plan, 7, false, |_| {}).await.expect("seed");
    t
}

/// The whole tables a statement's plan reads, by name.
async fn scans(t: &TestApp, sql: &str) -> Option<Vec<String>> {
    let upper = sql.trim_start().to_ascii_uppercase();
    if !(upper.starts_with("SELECT")
        || upper.starts_with("WITH")
        || upper.starts_with("UPDATE")
        || upper.starts_with("DELETE"))
    {
        return None;
    }
    let lines: Vec<String> = match t.backend {
        Backend::Sqlite => {
            // Parameters left unbound are null to SQLite; the plan does not depend on them.
            let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
                .fetch_all(t.db().pool())
                .await
                .unwrap_or_else(|e| panic!("explain {sql}: {e}"));
            rows.iter()
                .map(|r| sqlx::Row::try_get::<String, _>(r, "detail").expect("detail"))
                .collect()
        }
        Backend::Postgres => {
            let params = sql
                .split('$')
                .skip(1)
                .filter_map(|after| after.split(|c: char| !c.is_ascii_digit()).next()?.parse::<usize>().ok())
                .max()
                .unwrap_or(0);
            let mut conn = t.db().pool().begin().await.expect("begin");
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut *conn)
                .await
                .expect("set");
            sqlx::query("SET LOCAL plan_cache_mode = force_generic_plan")
                .execute(&mut *conn)
                .await
                .expect("set");
            // A statement whose parameters PostgreSQL cannot type untold is left to SQLite's check.
            if let Err(e) = sqlx::query(&format!("PREPARE klade_plan AS {sql}"))
                .execute(&mut *conn)
                .await
            {
                if std::env::var("KLADE_QUERIES_DUMP").is_ok() {
                    eprintln!("not prepared: {e}: {sql}");
                }
                return None;
            }
            let nulls = vec!["NULL"; params].join(", ");
            let execute = if params == 0 {
                "EXPLAIN EXECUTE klade_plan".to_string()
            } else {
                format!("EXPLAIN EXECUTE klade_plan({nulls})")
            };
            let rows = sqlx::query(&execute).fetch_all(&mut *conn).await.expect("explain");
            // A prepared statement outlives the transaction; the connection goes back to the pool.
            sqlx::query("DEALLOCATE klade_plan")
                .execute(&mut *conn)
                .await
                .expect("deallocate");
            rows.iter()
                .map(|r| sqlx::Row::try_get::<String, _>(r, 0).expect("plan"))
                .collect()
        }
    };
    let marker = match t.backend {
        Backend::Sqlite => "SCAN ",
        Backend::Postgres => "Seq Scan on ",
    };
    // On SQLite a plan line names its bounds: `(institution_id=?)` and nothing more is a whole tenant.
    let tenant_wide: Vec<String> = lines
        .iter()
        .filter(|l| l.starts_with("SEARCH ") && l.ends_with("(institution_id=?)"))
        .filter(|l| GROWING.iter().any(|t| l.contains(t)) && !SMALL.iter().any(|t| l.contains(t)))
        .cloned()
        .collect();
    // What the statement names itself (a `WITH days` list, and `mine c`, an alias of one) is
    // not a table.
    let defined: Vec<&str> = sql
        .split(" AS (")
        .filter_map(|before| before.split_whitespace().last())
        .chain(
            sql.split("WITH ")
                .skip(1)
                .filter_map(|after| after.split([' ', '(']).next()),
        )
        .collect();
    let own = |name: &str| {
        defined
            .iter()
            .any(|d| *d == name || sql.contains(&format!("{d} {name} ")))
    };
    Some(
        lines
            .into_iter()
            .filter(|l| {
                let Some(rest) = l.split(marker).nth(1) else {
                    return false;
                };
                let table = rest.split_whitespace().next().unwrap_or_default();
                !rest.contains("CONSTANT ROW") && !SMALL.contains(&table) && !own(table)
            })
            // A search bounded by nothing but the institution reads all of a tenant's rows, which
            // in a large school's journal is a scan by another name.
            .chain(tenant_wide)
            .collect(),
    )
}

#[tokio::test]
async fn pages_make_as_many_queries_on_a_large_school_and_read_no_whole_table() {
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::filter::Targets::new()
            .with_target("sqlx::query", tracing::Level::TRACE)
            .and_then(Capture),
    );
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    for backend in backends() {
        let small = seeded(backend, 60, "2026-09-16").await;
        let (few, _) = count(&small).await;
        drop(small);
        let large = seeded(backend, 300, "2026-09-30").await;
        let (many, statements) = count(&large).await;
        let differ: Vec<String> = few
            .iter()
            .zip(&many)
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, b)| format!("{} ({}): {} statements, then {}", a.0, b.0, a.1, b.1))
            .collect();
        assert!(
            differ.is_empty(),
            "{backend:?}: pages whose statements grow from 60 learners and two weeks to 300 and four:\n{}",
            differ.join("\n")
        );
        println!("{backend:?}: statements per page: {many:?}");
        let mut distinct = statements;
        distinct.sort();
        distinct.dedup();
        let (mut whole, mut explained) = (Vec::new(), 0);
        for sql in &distinct {
            if let Some(tables) = scans(&large, sql).await {
                explained += 1;
                if !tables.is_empty() {
                    whole.push(format!("{tables:?} ← {sql}"));
                }
            }
        }
        println!(
            "{backend:?}: {explained} of {} distinct statements explained",
            distinct.len()
        );
        // Reads are most of what pages do; a check that explained few of them would prove little.
        assert!(
            explained * 3 >= distinct.len() * 2,
            "{backend:?}: only {explained} of {} explained",
            distinct.len()
        );
        assert!(
            whole.is_empty(),
            "{backend:?}: statements that read a whole table:\n{}",
            whole.join("\n\n")
        );
    }
}
