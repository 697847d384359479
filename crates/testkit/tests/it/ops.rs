//! What operators touch: health, metrics, security headers, migrations, console tasks.

use axum::http::{Method, StatusCode};
use klade_app::{users, Settings};
use klade_domain::InstitutionKind;
use klade_testkit::{backends, TestApp, WebSettings};

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let r = t.client().get("/healthz").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, "ok");
        t.db().close().await;
        assert_eq!(t.client().get("/healthz").await.status, StatusCode::SERVICE_UNAVAILABLE);
    }
}

#[tokio::test]
async fn metrics_are_served_only_behind_their_token() {
    let closed = TestApp::new(klade_store::Backend::Sqlite).await;
    assert_eq!(closed.client().get("/metrics").await.status, StatusCode::NOT_FOUND);

    let web = WebSettings {
        metrics_token: Some("s3cret".into()),
        ..WebSettings::default()
    };
    let t = TestApp::with_settings(klade_store::Backend::Sqlite, Settings::default(), web).await;
    let mut c = t.client();
    c.get("/login").await;
    assert_eq!(c.get("/metrics").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(c.api_get("/metrics", "wrong").await.status, StatusCode::UNAUTHORIZED);
    let r = c.api_get("/metrics", "s3cret").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("klade_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"} 1"),
        "{}",
        r.body
    );
    assert!(r.body.contains("klade_db_connections"));
}

#[tokio::test]
async fn pages_have_an_icon() {
    let t = TestApp::new(klade_store::Backend::Sqlite).await;
    let mut c = t.client();
    let login = c.get("/login").await.body;
    assert!(login.contains(r#"<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">"#));
    let icon = c.get("/static/favicon.svg").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(
        icon.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("image/svg+xml")
    );
    assert!(icon.body.starts_with("<svg"));
    let ico = c.get("/favicon.ico").await;
    assert_eq!(ico.location(), Some("/static/favicon.svg"));
    // A phone keeps Klade on its home screen from the manifest every page links.
    assert!(login.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#));
    let manifest = c.get("/manifest.webmanifest").await;
    assert_eq!(
        manifest.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/manifest+json")
    );
    let m: serde_json::Value = serde_json::from_str(&manifest.body).expect("the manifest is JSON");
    assert_eq!(m["start_url"], "/");
    assert_eq!(m["display"], "standalone");
    // Every icon it names is there, of its type and size: PNGs of 192 and 512 px (older phones take
    // no SVG), one of them maskable; and the one iOS asks for at the root.
    let icons = m["icons"].as_array().expect("icons");
    for i in icons {
        let r = c.get(i["src"].as_str().expect("src")).await;
        assert_eq!(r.status, StatusCode::OK, "{i}");
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            i["type"].as_str()
        );
        if let Some((w, h)) = i["sizes"].as_str().and_then(|s| s.split_once('x')) {
            let png = image::load_from_memory(&r.bytes).expect("a PNG");
            assert_eq!(
                (png.width().to_string(), png.height().to_string()),
                (w.into(), h.into())
            );
        }
    }
    for size in ["192x192", "512x512"] {
        assert!(
            icons.iter().any(|i| i["sizes"] == size && i["type"] == "image/png"),
            "{size}"
        );
    }
    assert!(icons.iter().any(|i| i["purpose"] == "maskable"));
    assert!(login.contains(r#"<link rel="apple-touch-icon" href="/apple-touch-icon.png">"#));
    let apple = c.get("/apple-touch-icon.png").await;
    assert_eq!(image::load_from_memory(&apple.bytes).expect("a PNG").width(), 180);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let t = TestApp::new(klade_store::Backend::Sqlite).await;
    let mut c = t.client();
    for path in ["/login", "/static/app.css", "/api/v1/openapi.json", "/nowhere"] {
        let r = c.get(path).await;
        let csp = r
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(
            r.headers.get("x-content-type-options").and_then(|v| v.to_str().ok()),
            Some("nosniff")
        );
    }
}

/// The connections for the hot reads (on SQLite lent without the pool) see each commit at once,
/// serve more readers than there are connections by taking turns, and on SQLite cannot write.
#[tokio::test]
async fn a_reader_sees_each_commit_at_once_and_cannot_write() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let db = t.db().clone();
        let before = t.id("SELECT v FROM rights_version WHERE id = 1").await;
        for n in 1..=3 {
            t.exec("UPDATE rights_version SET v = v + 1 WHERE id = 1").await;
            let mut reader = db.read().await.expect("reader");
            let seen: i64 = sqlx::query_scalar("SELECT v FROM rights_version WHERE id = 1")
                .fetch_one(&mut *reader)
                .await
                .expect("read");
            assert_eq!(seen, before + n, "{backend:?}");
        }
        // Twelve at once, each holding its connection a while: they take turns, none is lost.
        let mut readers = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let db = db.clone();
            readers.spawn(async move {
                let mut reader = db.read().await.expect("reader");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                sqlx::query_scalar::<_, i64>("SELECT v FROM rights_version WHERE id = 1")
                    .fetch_one(&mut *reader)
                    .await
                    .expect("read")
            });
        }
        let seen = readers.join_all().await;
        assert_eq!(seen, vec![before + 3; 12], "{backend:?}");
        if backend == klade_store::Backend::Sqlite {
            let mut reader = db.read().await.expect("reader");
            let write = sqlx::query("UPDATE rights_version SET v = 0 WHERE id = 1")
                .execute(&mut *reader)
                .await;
            assert!(write.is_err(), "a reader must not write");
            drop(reader);
            assert_eq!(t.id("SELECT v FROM rights_version WHERE id = 1").await, before + 3);
        }
    }
}

/// Pages go gzipped to a client that accepts it: the teacher's grid, the largest page, fits 30 kB
/// on the wire and reads back the same; a client that does not ask gets it plain.
#[tokio::test]
async fn pages_are_gzipped_when_the_client_accepts_it() {
    use std::io::Read;
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        let path = format!("/journal/{course}");
        let plain = teacher.get(&path).await;
        assert_eq!(plain.status, StatusCode::OK);
        assert!(plain.headers.get("content-encoding").is_none());
        let packed = teacher
            .request_with(
                Method::GET,
                &path,
                None,
                String::new(),
                None,
                &[("accept-encoding", "gzip, br;q=0")],
            )
            .await;
        assert_eq!(
            packed.headers.get("content-encoding").and_then(|v| v.to_str().ok()),
            Some("gzip")
        );
        assert!(packed
            .headers
            .get("vary")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
        assert!(
            packed.bytes.len() <= 30 * 1024 && packed.bytes.len() * 4 < plain.bytes.len(),
            "{} bytes gzipped of {}",
            packed.bytes.len(),
            plain.bytes.len()
        );
        let mut html = String::new();
        flate2::read::GzDecoder::new(packed.bytes.as_slice())
            .read_to_string(&mut html)
            .expect("gzip");
        // The page carries a fresh one-time token each view: compare what does not change.
        assert!(html.contains("<table") && html.len().abs_diff(plain.body.len()) < 64);
    }
}

#[tokio::test]
async fn migrations_run_once() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        assert!(t.db().migrate().await.expect("again").is_empty());
        assert_eq!(t.count("schema_migrations").await, 35);
    }
}

#[tokio::test]
async fn the_console_creates_a_superuser_who_must_change_the_password() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        users::create_institution(&t.app, InstitutionKind::General, "Vidusskola", "4000000020", "Rīga")
            .await
            .expect("institution");
        let again = users::create_institution(&t.app, InstitutionKind::General, "Cita", "4000000020", "").await;
        assert_eq!(again.map_err(|e| e.code()).err(), Some("institution.exists"));

        let bad = users::create_superuser(
            &t.app,
            &users::NewSuperuser {
                institution_reg_no: "4000000020",
                given_name: "Anna",
                family_name: "Liepa",
                personal_code: Some("150385-01236"),
                username: None,
                order_number: "1-8/2026/3",
                order_date: "2026-09-01",
            },
        )
        .await;
        assert_eq!(bad.map_err(|e| e.code()).err(), Some("personal_code.check_digit"));
        assert_eq!(t.count("persons").await, 0, "nothing half-written");

        let (username, password) = users::create_superuser(
            &t.app,
            &users::NewSuperuser {
                institution_reg_no: "4000000020",
                given_name: "Anna",
                family_name: "Liepa",
                personal_code: Some("15038501233"),
                username: None,
                order_number: "1-8/2026/3",
                order_date: "2026-09-01",
            },
        )
        .await
        .expect("superuser");
        let password = password.expect("a new account's password");
        assert_eq!(username, "150385-01233", "the username is the personal code (R9)");
        let mut c = t.client();
        assert_eq!(c.login(&username, &password).await.location(), Some("/account"));
        let r = c
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current", &password),
                    ("new", "mana-jauna-parole"),
                    ("repeat", "mana-jauna-parole"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            c.get("/").await.location(),
            Some("/account/second-factor"),
            "then the second factor"
        );
        assert_eq!(c.set_up_second_factor(t.app.now()).await.len(), 10);
        let home = c.get("/").await.body;
        assert!(home.contains("Virslietotājs") && home.contains("Vidusskola"), "{home}");

        // The same person made superuser of a second institution keeps the one account.
        users::create_institution(&t.app, InstitutionKind::Preschool, "PII", "4000000021", "Rīga")
            .await
            .expect("second institution");
        let second = |given: &'static str| users::NewSuperuser {
            institution_reg_no: "4000000021",
            given_name: given,
            family_name: "Liepa",
            personal_code: Some("15038501233"),
            username: None,
            order_number: "1-8/2026/4",
            order_date: "2026-09-01",
        };
        let other = users::create_superuser(&t.app, &second("Ilze")).await;
        assert_eq!(
            other.map_err(|e| e.code()).err(),
            Some("person.code_name_conflict"),
            "a code typed with another name is refused"
        );
        let (same, none) = users::create_superuser(&t.app, &second("Anna")).await.expect("linked");
        assert_eq!((same.as_str(), none), ("150385-01233", None));
        assert_eq!(t.count("accounts").await, 1);
        let again = users::create_superuser(&t.app, &second("Anna")).await;
        assert_eq!(again.map_err(|e| e.code()).err(), Some("rules.already_superuser"));
        let home = c.get("/").await.body;
        assert!(home.contains("PII"), "both institutions: {home}");
    }
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let t = TestApp::new(klade_store::Backend::Sqlite).await;
    let r = t
        .client()
        .request(Method::GET, "/nav-tadas-lapas", None, String::new(), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A wrong or missing query parameter is refused in Latvian, as a page or as JSON.
#[tokio::test]
async fn a_bad_query_string_is_answered_in_the_readers_language() {
    let t = TestApp::demo(klade_store::Backend::Sqlite).await;
    let mut c = t.client();
    c.login("direktors", "demo").await;
    let r = c.get("/calendar").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<html") && r.body.contains("Pieprasījums nav saprotams."),
        "{}",
        r.body
    );
    let r = c.get("/checks?i=abc").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let token = c.api_login("direktors", "demo").await;
    let r = c.api_get("/api/v1/institutions/1/statistics?from=x&to=", &token).await;
    assert_ne!(r.status, StatusCode::OK);
    let r = c.api_get("/api/v1/institutions/1/checks?teacher=abc", &token).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"], "error.bad_request", "{}", r.body);
}

/// Polls `f` until it is done, counting the polls; between two, other tasks and threads run.
async fn steps_until_done<F: std::future::Future>(f: F) -> usize {
    let mut f = std::pin::pin!(f);
    let mut n = 0;
    loop {
        n += 1;
        let ready = std::future::poll_fn(|cx| std::task::Poll::Ready(f.as_mut().poll(cx).is_ready())).await;
        if ready {
            return n;
        }
        tokio::time::sleep(std::time::Duration::from_micros(50)).await;
    }
}

/// Polls `f` at most `steps` times, then drops it — a client going away mid-request.
async fn give_up_after<F: std::future::Future>(steps: usize, f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    for _ in 0..steps {
        let polled = std::future::poll_fn(|cx| std::task::Poll::Ready(f.as_mut().poll(cx))).await;
        if let std::task::Poll::Ready(v) = polled {
            return Some(v);
        }
        tokio::time::sleep(std::time::Duration::from_micros(50)).await;
    }
    None
}

/// A write given up at any point — the start of its transaction, a statement, the commit — leaves
/// every later write working: nothing lends a connection still inside a transaction, on SQLite
/// nothing keeps the write lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_cancelled_at_any_point_leave_later_writes_working() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let insert = |db: klade_store::Db, n: u64| async move {
            let mut tx = db.begin().await?;
            sqlx::query(
                "INSERT INTO institutions (kind, name, reg_no, address, created_at) VALUES ('general', 'x', $1, '', 0)",
            )
            .bind(format!("c{n}"))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<_, klade_store::StoreError>(())
        };
        // How many steps a write takes here, so the cancellations fall on every point of it:
        // each step polls the write once and lets SQLite's thread (or the network) move on.
        let mut steps = Vec::new();
        for n in 500..505u64 {
            steps.push(steps_until_done(insert(t.db().clone(), n)).await);
        }
        steps.sort_unstable();
        let span = steps[2] * 2 + 2;
        let mut cancelled = 0;
        for n in 0..400u64 {
            if give_up_after(n as usize % span, insert(t.db().clone(), n))
                .await
                .is_none()
            {
                cancelled += 1;
            }
        }
        assert!(cancelled > 100, "only {cancelled} of 400 writes were cancelled");
        for n in 1000..1010u64 {
            tokio::time::timeout(std::time::Duration::from_secs(5), insert(t.db().clone(), n))
                .await
                .unwrap_or_else(|_| panic!("{backend:?}: a write after the cancelled ones hangs"))
                .unwrap_or_else(|e| panic!("{backend:?}: a write after the cancelled ones fails: {e}"));
        }
    }
}

/// A save whose client goes away before the answer is still saved, whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_completes_when_its_client_goes_away() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut c = t.client();
        let token = c.api_login("skolotajs", "demo").await;
        let course = c.course_id(&token, "Matemātika", "2.B").await;
        let before = t.count("journal_history").await;
        let grid = c
            .api_get(&format!("/api/v1/courses/{course}/grid"), &token)
            .await
            .json();
        let student = grid["students"][0]["id"].as_i64().expect("a student");
        let filled: Vec<&str> = grid["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .filter_map(|c| c["key"].as_str())
            .collect();
        let key = grid["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .rev()
            .filter_map(|c| {
                let lesson = &c["Lesson"];
                Some(format!(
                    "a:{}:{}:{student}",
                    lesson["date"].as_str()?,
                    lesson["lesson_no"].as_i64()?
                ))
            })
            .find(|k| k.as_str() <= "a:2026-11-26" && !filled.contains(&k.as_str()))
            .expect("a lesson held with no mark of the student");
        let body = serde_json::json!({ "cells": [{ "key": key, "value": "n" }], "reason": "pārbaude" });
        let request = axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/courses/{course}/cells"))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(body.to_string()))
            .expect("request");
        use tower::ServiceExt;
        // Given up at once: the router's future is dropped after its first step.
        let gone = tokio::time::timeout(std::time::Duration::from_micros(1), t.router.clone().oneshot(request)).await;
        assert!(gone.is_err(), "the client went away before the answer");
        for _ in 0..200 {
            if t.count("journal_history").await > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(
            t.count("journal_history").await > before,
            "the save was made all the same"
        );
    }
}

/// SQLite without WAL and `synchronous = FULL` could lose an acknowledged save in a crash: the
/// server does not start on it. An in-memory database cannot be in WAL mode.
#[tokio::test]
async fn sqlite_without_wal_is_refused() {
    let refused = klade_store::Db::connect("sqlite::memory:", klade_store::DbOptions::default()).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("journal_mode=WAL"), "refused, saying why: {message}");
}

#[tokio::test]
async fn an_unknown_address_a_malformed_id_and_a_refusal_answer_a_page_with_the_navigation() {
    let t = TestApp::demo(klade_store::Backend::Sqlite).await;
    let mut c = t.client();
    c.login("audzinataja", "demo").await;
    for path in ["/nowhere", "/people/abc", "/journal/12x"] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            r.body.contains("<title>Lapa nav atrasta · Klade</title>") && r.body.contains("Lapa nav atrasta."),
            "{path}: the Latvian page: {}",
            r.body
        );
        assert!(r.body.contains("href=\"/journal\""), "{path}: with the navigation");
        assert!(!r.body.contains("Invalid URL"), "{path}: not the framework's text");
    }
    // A refusal too.
    let r = c.get("/admin/accounts?i=1").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("href=\"/journal\""), "the navigation on a refusal");
    // The API answers JSON.
    let token = t.client().api_login("audzinataja", "demo").await;
    for path in ["/api/v1/nowhere", "/api/v1/students/abc/diary"] {
        let r = c.api_get(path, &token).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.json()["error"], "error.not_found", "{path}");
    }
}

/// A database out of reach (here: its connections closed, as when a failover drops them) answers
/// 503 with Retry-After and a message to try again, on a page, a form's save and the API — never
/// the 500 of a fault.
#[tokio::test]
async fn a_database_out_of_reach_answers_503_with_retry_after() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let token = teacher.api_login("skolotajs", "demo").await;
        let course = teacher.course_id(&token, "Matemātika", "2.B").await;
        let form = teacher.get(&format!("/journal/{course}")).await;
        assert_eq!(form.status, StatusCode::OK, "{backend:?}");
        t.db().close().await;

        let page = teacher.get("/").await;
        assert_eq!(
            page.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{backend:?}: {}",
            page.body
        );
        assert_eq!(page.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("5"));
        assert!(page.body.contains("Datubāze šobrīd nav sasniedzama"), "{backend:?}");

        let save = teacher
            .post_form(
                &format!("/journal/{course}/notes"),
                &[("kind", "praise"), ("text", "Labi")],
            )
            .await;
        assert_eq!(
            save.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{backend:?}: {}",
            save.body
        );

        let api = teacher.api_get("/api/v1/me", &token).await;
        assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{backend:?}: {}", api.body);
        assert_eq!(api.json()["error"], "error.unavailable", "{backend:?}");
    }
}
