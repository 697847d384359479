//! Backups of a SQLite database: a copy taken while teachers save holds everything saved before it
//! began, whole transactions only, and restores into a database that verifies; a PostgreSQL
//! database is left to `pg_dump`.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_app::{App, FixedClock, Settings};
use klade_store::{backup, Backend, Db, DbOptions};
use klade_testkit::{backends, Client, TestApp, NOW};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One save of a teacher: an absence and a grade, in one request and so in one transaction.
#[derive(Debug, Clone)]
struct Save {
    /// `date:lesson_no:student:n`, as [`attendance`] lists it.
    attendance: String,
    /// `assessment:student:mark`, as [`grades`] lists it.
    grade: String,
}

/// A directory of the test's own, removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).expect("random");
        let hex: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("klade-{name}-{hex}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every value of the one text column `sql` selects.
async fn set(db: &Db, sql: &str) -> BTreeSet<String> {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_all(db.pool())
        .await
        .expect(sql)
        .iter()
        .map(|r| r.try_get::<String, _>(0).expect("text"))
        .collect()
}

async fn attendance(db: &Db, course: i64) -> BTreeSet<String> {
    set(
        db,
        &format!(
            "SELECT l.date || ':' || l.lesson_no || ':' || a.student_id || ':' || a.code \
             FROM attendance a JOIN lessons l ON l.id = a.lesson_id WHERE l.course_id = {course}"
        ),
    )
    .await
}

async fn grades(db: &Db) -> BTreeSet<String> {
    set(
        db,
        "SELECT assessment_id || ':' || student_id || ':' || mark FROM grades",
    )
    .await
}

async fn history(db: &Db) -> BTreeSet<String> {
    set(
        db,
        "SELECT institution_id || ':' || seq || ':' || hash FROM journal_history",
    )
    .await
}

/// The empty attendance cells of a grid's lessons up to today, as (date, lesson number, student).
fn empty_attendance(g: &Value) -> Vec<(String, i64, i64)> {
    let filled: BTreeSet<&str> = g["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter_map(|c| c["key"].as_str())
        .collect();
    let today = &NOW[..10];
    let mut out = Vec::new();
    for column in g["columns"].as_array().expect("columns") {
        let Some(lesson) = column.get("Lesson") else { continue };
        let date = lesson["date"].as_str().expect("date");
        if date > today {
            continue;
        }
        let no = lesson["lesson_no"].as_i64().expect("lesson_no");
        for s in g["students"].as_array().expect("students") {
            let student = s["id"].as_i64().expect("id");
            if !filled.contains(format!("a:{date}:{no}:{student}").as_str()) {
                out.push((date.to_string(), no, student));
            }
        }
    }
    out
}

/// Saves an absence and a grade per request until `stop`, each in a cell nobody has filled, and
/// records every save the server acknowledged. Grades go to assessments of the writer's own,
/// added as it needs them.
async fn writer(
    mut c: Client,
    token: String,
    course: i64,
    cells: Vec<(String, i64, i64)>,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<Save>>>,
) {
    let mut grade_cells: Vec<(i64, i64)> = Vec::new();
    for (n, (date, no, student)) in cells.into_iter().enumerate() {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if grade_cells.is_empty() {
            let r = c
                .api_post(
                    &format!("/api/v1/courses/{course}/assessments"),
                    json!({"kind": "formative", "scale": "ten", "date": &NOW[..10], "title": format!("Darbs {n}")}),
                    Some(&token),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let assessment = r.json()["id"].as_i64().expect("id");
            let g = c
                .api_get(&format!("/api/v1/courses/{course}/grid"), &token)
                .await
                .json();
            grade_cells = g["students"]
                .as_array()
                .expect("students")
                .iter()
                .map(|s| (assessment, s["id"].as_i64().expect("id")))
                .collect();
        }
        let Some((assessment, graded)) = grade_cells.pop() else {
            return;
        };
        let mark = (n % 10 + 1).to_string();
        let r = c
            .api_post(
                &format!("/api/v1/courses/{course}/cells"),
                json!({"cells": [
                    {"key": format!("a:{date}:{no}:{student}"), "value": "n"},
                    {"key": format!("g:{assessment}:{graded}"), "value": mark},
                ]}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        acked.lock().expect("lock").push(Save {
            attendance: format!("{date}:{no}:{student}:n"),
            grade: format!("{assessment}:{graded}:{mark}"),
        });
    }
}

/// Waits until `acked` holds at least `n` saves.
async fn until_acked(acked: &Mutex<Vec<Save>>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().expect("lock").len() < n {
        assert!(Instant::now() < deadline, "the writers stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn open(path: &Path) -> Db {
    Db::connect(&path.display().to_string(), DbOptions::default())
        .await
        .expect("open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_teachers_save_restores_everything_saved_before_it_began() {
    let t = TestApp::demo(Backend::Sqlite).await;
    let dir = TempDir::new("backup");
    let mut c = t.client();
    let token = c.api_login("skolotajs", "demo").await;
    let course = c.course_id(&token, "Matemātika", "2.B").await;
    let g = c
        .api_get(&format!("/api/v1/courses/{course}/grid"), &token)
        .await
        .json();
    let cells = empty_attendance(&g);
    assert!(cells.len() > 200, "the demo leaves room for new marks: {}", cells.len());

    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let writers = 4;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let mine: Vec<_> = cells.iter().skip(w).step_by(writers).cloned().collect();
        let mut c = t.client();
        let token = c.api_login("skolotajs", "demo").await;
        tasks.push(tokio::spawn(writer(
            c,
            token,
            course,
            mine,
            stop.clone(),
            acked.clone(),
        )));
    }

    // What the database held before the backup began, with the writers running.
    until_acked(&acked, 8).await;
    let saved_before: Vec<Save> = acked.lock().expect("lock").clone();
    let history_before = history(t.db()).await;
    let attendance_before = attendance(t.db(), course).await;
    let grades_before = grades(t.db()).await;

    let out = dir.path("backup.db");
    let started = Instant::now();
    let report = t.db().backup_to(&out).await.expect("backup");
    let took = started.elapsed();
    let saved_by_then = acked.lock().expect("lock").len();
    until_acked(&acked, saved_by_then + 8).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("writer");
    }
    let saves: Vec<Save> = acked.lock().expect("lock").clone();
    eprintln!(
        "backup took {took:?}; {} saves before it, {} while it ran, {} in all",
        saved_before.len(),
        saved_by_then - saved_before.len(),
        saves.len()
    );
    assert!(report.is_intact(), "{:?}", report.integrity);

    let restored = dir.path("restored.db");
    backup::restore_file(&out, &restored, false).await.expect("restore");
    let db = open(&restored).await;
    assert!(
        db.migrate().await.expect("migrate").is_empty(),
        "the backup is up to date"
    );
    let app = App::new(
        db.clone(),
        Arc::new(FixedClock::new(NOW.parse().expect("NOW"))),
        Settings::default(),
    );
    let problems = klade_app::journal::verify(&app).await.expect("verify");
    assert!(problems.is_empty(), "{problems:?}");

    // Everything committed before the backup began is in it.
    let history_after = history(&db).await;
    let attendance_after = attendance(&db, course).await;
    let grades_after = grades(&db).await;
    assert!(history_before.is_subset(&history_after), "history rows lost");
    assert!(attendance_before.is_subset(&attendance_after), "marks lost");
    assert!(grades_before.is_subset(&grades_after), "grades lost");
    for s in &saved_before {
        assert!(
            attendance_after.contains(&s.attendance) && grades_after.contains(&s.grade),
            "{s:?}"
        );
    }
    // Every save is in the copy whole or not at all, and the copy holds only what was committed.
    let mut whole = 0;
    for s in &saves {
        let (a, g) = (
            attendance_after.contains(&s.attendance),
            grades_after.contains(&s.grade),
        );
        assert_eq!(a, g, "half a save in the copy: {s:?}");
        whole += usize::from(a);
    }
    assert!(whole >= saved_before.len() && whole <= saves.len());
    for (item, table) in [
        ("'grade:' || x.assessment_id || ':' || x.student_id", "grades"),
        ("'attendance:' || x.lesson_id || ':' || x.student_id", "attendance"),
    ] {
        let orphans = set(
            &db,
            &format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM {table} x WHERE NOT EXISTS \
                 (SELECT 1 FROM journal_history h WHERE h.item = {item})"
            ),
        )
        .await;
        assert_eq!(
            orphans,
            BTreeSet::from(["0".to_string()]),
            "{table} without their history"
        );
    }
    // The counts the backup reported are the restored database's.
    assert_eq!(backup::counts(db.pool()).await.expect("counts"), report.counts);
    db.close().await;
}

#[tokio::test]
async fn a_backup_never_writes_over_a_file_and_a_restore_only_when_forced() {
    let t = TestApp::demo(Backend::Sqlite).await;
    let dir = TempDir::new("backup-refusals");
    let out = dir.path("backup.db");
    std::fs::write(&out, "kept").expect("write");
    let e = t.db().backup_to(&out).await.expect_err("the file exists");
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "kept");
    std::fs::remove_file(&out).expect("remove");
    t.db().backup_to(&out).await.expect("backup");

    // A restore into an existing database needs --force, and then replaces it whole.
    let target = dir.path("klade.db");
    std::fs::write(&target, "an old database").expect("write");
    std::fs::write(dir.path("klade.db-wal"), "its old log").expect("write");
    let e = backup::restore_file(&out, &target, false)
        .await
        .expect_err("the target exists");
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "an old database");
    backup::restore_file(&out, &target, true).await.expect("forced");
    assert!(
        !dir.path("klade.db-wal").exists(),
        "the old log is not replayed onto the new file"
    );
    let db = open(&target).await;
    assert_eq!(
        backup::counts(db.pool()).await.expect("counts"),
        backup::counts(t.db().pool()).await.expect("counts")
    );
    db.close().await;

    // What is not a whole backup is never put in place.
    let junk = dir.path("junk.db");
    std::fs::write(&junk, "not a database at all").expect("write");
    let e = backup::restore_file(&junk, &dir.path("new.db"), false)
        .await
        .expect_err("junk");
    assert!(e.to_string().contains("cannot be read as a database"), "{e}");
    assert!(!dir.path("new.db").exists() && !dir.path("new.db.partial").exists());
    let empty = dir.path("empty.db");
    std::fs::write(&empty, "").expect("write");
    let e = backup::restore_file(&empty, &dir.path("new.db"), false)
        .await
        .expect_err("empty");
    assert!(e.to_string().contains("not a Klade database"), "{e}");
    assert!(!dir.path("new.db").exists());
    let e = backup::restore_file(&dir.path("missing.db"), &dir.path("new.db"), false)
        .await
        .expect_err("missing");
    assert!(e.to_string().contains("no such file"), "{e}");
    // A live database's main file misses what its write-ahead log holds.
    let live = dir.path("live.db");
    let db = open(&live).await;
    db.migrate().await.expect("migrate");
    let e = backup::restore_file(&live, &dir.path("new.db"), false)
        .await
        .expect_err("live");
    assert!(e.to_string().contains("klade backup"), "{e}");
    db.close().await;
}

#[tokio::test]
async fn a_postgres_database_is_left_to_pg_dump() {
    for backend in backends().into_iter().filter(|b| *b == Backend::Postgres) {
        let t = TestApp::new(backend).await;
        let dir = TempDir::new("backup-pg");
        let out = dir.path("backup.db");
        let e = t.db().backup_to(&out).await.expect_err("postgres");
        assert!(e.to_string().contains("pg_dump --format=custom"), "{e}");
        assert!(!out.exists());
    }
}
