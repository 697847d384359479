//! The test harness: [`TestApp`] runs the real router in process on a fresh database, with a
//! clock the test sets, and [`Client`] drives it like a browser (a cookie jar) or an app (a
//! bearer token).
//!
//! The database matrix: every test runs on SQLite, and again on PostgreSQL when
//! `KLADE_TEST_PG_URL` is set (each test gets a schema of its own there).

// A harness panics on purpose: a panic here is a failed test, with its message.
#![expect(
    clippy::expect_used,
    reason = "the test kit fails the test loudly where the app under test does what it must not"
)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use klade_app::auth::hash_password;
use klade_app::{App, FixedClock, Settings};
use klade_domain::{InstitutionId, InstitutionKind, PersonId, Role};
use klade_store::accounts::{self, Basis};
use klade_store::{people, Backend, Db, DbOptions};
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

pub use klade_web::WebSettings;

/// The instant tests start at: Thursday 26 November 2026, 12:00 in Riga.
pub const NOW: &str = "2026-11-26T10:00:00Z";

/// The backends to run on: SQLite always, PostgreSQL when `KLADE_TEST_PG_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var("KLADE_TEST_PG_URL").is_ok_and(|u| !u.is_empty()) {
        b.push(Backend::Postgres);
    }
    b
}

fn random_suffix() -> String {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf).unwrap_or_default();
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Removes a test's SQLite files when the test ends.
struct Cleanup(Option<std::path::PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

pub struct TestApp {
    pub app: App,
    pub router: Router,
    pub clock: Arc<FixedClock>,
    pub backend: Backend,
    /// Where the database is, for a second server on it.
    address: (String, DbOptions),
    _cleanup: Cleanup,
}

/// Another server on the same database, with memory (caches) of its own: what a second
/// `klade serve` behind a load balancer is.
pub struct Server {
    pub app: App,
    pub router: Router,
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        Self::with_settings(backend, Settings::default(), WebSettings::default()).await
    }

    /// A fresh, migrated database on `backend`, and the router over it.
    pub async fn with_settings(backend: Backend, settings: Settings, web: WebSettings) -> Self {
        let (db, address, cleanup) = fresh_db(backend).await;
        let clock = Arc::new(FixedClock::new(NOW.parse().expect("NOW parses")));
        let app = App::new(db, clock.clone(), settings);
        // As `klade serve` does at its start: browsers subscribe to push with this key.
        klade_notify::push::ensure_keys(&app.db, app.now())
            .await
            .expect("push keys");
        let router = klade_web::router(app.clone(), web);
        Self {
            app,
            router,
            clock,
            backend,
            address,
            _cleanup: cleanup,
        }
    }

    /// A second server on this database, on the same clock, with its own connections and caches.
    pub async fn second_server(&self) -> Server {
        let db = Db::connect(&self.address.0, self.address.1.clone())
            .await
            .expect("a second connection");
        let app = App::new(db, self.clock.clone(), self.app.settings.clone());
        let router = klade_web::router(app.clone(), WebSettings::default());
        Server { app, router }
    }

    /// The demo institutions on a fresh database.
    pub async fn demo(backend: Backend) -> Self {
        let t = Self::new(backend).await;
        assert!(klade_app::demo::ensure(&t.app).await.expect("demo"));
        t
    }

    pub fn db(&self) -> &Db {
        &self.app.db
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            db: self.app.db.clone(),
            jar: BTreeMap::new(),
            referer: None,
        }
    }

    /// An institution of `kind` with registration number `reg_no`, registered as the console does.
    pub async fn institution(&self, kind: InstitutionKind, reg_no: &str) -> InstitutionId {
        klade_app::users::create_institution(&self.app, kind, &format!("Iestāde {reg_no}"), reg_no, "Rīga")
            .await
            .expect("institution")
    }

    /// A person with an account (`username`/`password`) and `role` in `institution` from 1 Sept 2026.
    pub async fn person(
        &self,
        institution: InstitutionId,
        role: Role,
        username: &str,
        password: &str,
        must_change: bool,
    ) -> PersonId {
        let db = self.db().pool();
        let person = people::insert(
            db,
            &people::NewPerson {
                given_name: "Ēriks",
                family_name: "Ķēniņš",
                ..Default::default()
            },
            0,
        )
        .await
        .expect("person");
        let hash = hash_password(password).expect("hash");
        accounts::insert(db, person, username, &hash, must_change, 0)
            .await
            .expect("account");
        let basis = if role.is_staff() {
            Basis::Employment
        } else {
            Basis::Order {
                number: "1-7/2026/1",
                date: jiff::civil::date(2026, 8, 25),
            }
        };
        accounts::add_membership(
            db,
            klade_domain::Tenant::without_permit(institution),
            person,
            role,
            jiff::civil::date(2026, 9, 1),
            &basis,
            0,
        )
        .await
        .expect("membership");
        // Roles that must have a second factor get one, so they are not sent to set it up.
        if klade_app::second_factor::REQUIRED_ROLE_CODES.contains(&role.code()) {
            let account = accounts::by_person(db, person)
                .await
                .expect("account")
                .expect("account");
            klade_store::second_factors::start(db, account.id, b"testkit-second-factor", 0)
                .await
                .expect("second factor");
            klade_store::second_factors::take_step(db, account.id, 1, 0)
                .await
                .expect("confirmed");
        }
        person
    }

    /// The id of the person named `given` `family` (in the demo, say `Anna` `Krūmiņa`).
    pub async fn person_named(&self, given: &str, family: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM persons WHERE given_name = $1 AND family_name = $2")
            .bind(given)
            .bind(family)
            .fetch_one(self.db().pool())
            .await
            .expect("a person of that name")
    }

    /// How many rows `table` holds (a fixed list of table names, never user input).
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(self.db().pool())
            .await
            .expect("count");
        row.try_get("n").expect("n")
    }

    /// The first column of the first row of `sql`, as text (integers too).
    pub async fn scalar(&self, sql: &str) -> String {
        use sqlx::Row;
        let row = sqlx::query(sql).fetch_one(self.db().pool()).await.expect(sql);
        row.try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .expect("a text or integer value")
    }

    /// The first column of the first row of `sql`, an id.
    pub async fn id(&self, sql: &str) -> i64 {
        self.scalar(sql).await.parse().expect("an integer")
    }

    pub async fn exec(&self, sql: &str) {
        sqlx::query(sql).execute(self.db().pool()).await.expect("exec");
    }
}

async fn fresh_db(backend: Backend) -> (Db, (String, DbOptions), Cleanup) {
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("klade-test-{}.db", random_suffix()));
            let address = path.display().to_string();
            let db = Db::connect(&address, DbOptions::default()).await.expect("sqlite");
            db.migrate().await.expect("migrate sqlite");
            (db, (address, DbOptions::default()), Cleanup(Some(path)))
        }
        Backend::Postgres => {
            let url = std::env::var("KLADE_TEST_PG_URL").expect("KLADE_TEST_PG_URL");
            let options = DbOptions {
                max_connections: 4,
                schema: Some(format!("t_{}", random_suffix())),
            };
            let db = Db::connect(&url, options.clone()).await.expect("postgres");
            db.migrate().await.expect("migrate postgres");
            (db, (url, options), Cleanup(None))
        }
    }
}

/// An answer, with its body read.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as it came, for answers that are not text (a PDF).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The value of the first `name="csrf"` hidden field.
    pub fn csrf(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf\" value=\"")?;
        let rest = &self.body[at + "name=\"csrf\" value=\"".len()..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// A browser: keeps cookies between requests, like one.
pub struct Client {
    router: Router,
    /// To answer a login's second factor, as the person's phone would.
    db: Db,
    pub jar: BTreeMap<String, String>,
    /// The page the next request is sent from, as a browser's `Referer` (`submit` sets it).
    pub referer: Option<String>,
}

impl Client {
    /// Sends what follows to another server, cookies and all: a load balancer choosing again.
    pub fn through(&mut self, router: &Router) {
        self.router = router.clone();
    }

    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: String,
        bearer: Option<&str>,
    ) -> Response {
        self.request_with(method, path, content_type, body, bearer, &[]).await
    }

    /// A request with headers of its own (an `Idempotency-Key`).
    pub async fn request_with(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: String,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Response {
        // As a browser at http://localhost would.
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if let Some(from) = self.referer.take() {
            let url = if from.starts_with('/') {
                format!("http://localhost{from}")
            } else {
                from
            };
            req = req.header(header::REFERER, url);
        }
        if !self.jar.is_empty() {
            let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header(header::COOKIE, cookies.join("; "));
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        if let Some(token) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = req.body(Body::from(body)).expect("request");
        let res = self.router.clone().oneshot(req).await.expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let text = v.to_str().expect("cookie ascii");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.jar.remove(k);
                } else {
                    self.jar.insert(k.to_string(), v.to_string());
                }
            }
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.request(Method::GET, path, None, String::new(), None).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.request(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            body,
            None,
        )
        .await
    }

    /// Posts a form with the CSRF token of the page at `from`, as a browser submitting it would.
    pub async fn submit(&mut self, from: &str, path: &str, fields: &[(&str, &str)]) -> Response {
        let page = self.get(from).await;
        let csrf = page
            .csrf()
            .unwrap_or_else(|| panic!("no CSRF field on {from}: {}", page.body));
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.referer = Some(from.to_string());
        self.post_form(path, &all).await
    }

    /// Logs in; a second factor, when the account has one, is answered with a recovery code made
    /// for the purpose (a fixed clock would make every TOTP code the same, taken only once).
    pub async fn login(&mut self, username: &str, password: &str) -> Response {
        let r = self
            .submit("/login", "/login", &[("username", username), ("password", password)])
            .await;
        if r.location() != Some("/login/second-factor") {
            return r;
        }
        let code = self.recovery_code(username).await;
        self.submit(
            "/login/second-factor",
            "/login/second-factor",
            &[("code", &code), ("recovery", "1")],
        )
        .await
    }

    /// Sets up a second factor on its page, as the person would with their phone at `now`;
    /// answers the recovery codes shown.
    pub async fn set_up_second_factor(&mut self, now: i64) -> Vec<String> {
        let page = self.get("/account/second-factor").await.body;
        let marker = "<code class=\"secret\">";
        let at = page
            .find(marker)
            .unwrap_or_else(|| panic!("no key on the setup page: {page}"))
            + marker.len();
        let text = &page[at..at + page[at..].find('<').expect("end of the key")];
        let secret = klade_domain::second_factor::secret_from_text(text).expect("a Base32 key");
        let code = klade_domain::second_factor::code_at(&secret, u64::try_from(now).expect("after 1970"));
        let done = self
            .submit("/account/second-factor", "/account/second-factor", &[("code", &code)])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        done.body
            .match_indices("<li><code>")
            .map(|(at, _)| done.body[at + 10..at + 10 + done.body[at + 10..].find('<').expect("end")].to_string())
            .collect()
    }

    /// A fresh recovery code for `username`'s second factor, as if printed at its setup.
    pub async fn recovery_code(&self, username: &str) -> String {
        let code = format!("t{}", random_suffix());
        let account: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
            .bind(klade_app::auth::normalize_username(username))
            .fetch_one(self.db.pool())
            .await
            .expect("the account");
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account)
            .bind(klade_app::auth::token_hash(
                &klade_domain::second_factor::normalize_recovery(&code),
            ))
            .execute(self.db.pool())
            .await
            .expect("recovery code");
        code
    }

    /// Posts a multipart form with one file, as a browser's upload does.
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> Response {
        self.multipart(path, fields, &[file]).await
    }

    /// Posts a multipart form with fields (names may repeat) and files (field, file name, bytes).
    pub async fn multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Response {
        let boundary = "klade-test-boundary-7d2f";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        for (name, filename, bytes) in files {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend(*bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let mut req = Request::builder().method(Method::POST).uri(path);
        let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        req = req.header(header::COOKIE, cookies.join("; "));
        req = req.header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).expect("request"))
            .await
            .expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn api_get(&mut self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, None, String::new(), Some(token)).await
    }

    pub async fn api_post(&mut self, path: &str, json: serde_json::Value, token: Option<&str>) -> Response {
        self.request(Method::POST, path, Some("application/json"), json.to_string(), token)
            .await
    }

    /// The id of course `name` of class `class` among the courses the token's holder works with.
    pub async fn course_id(&mut self, token: &str, name: &str, class: &str) -> i64 {
        let courses = self.api_get("/api/v1/courses", token).await.json();
        courses
            .as_array()
            .expect("courses")
            .iter()
            .find(|c| c["name"] == name && c["class_name"] == class)
            .unwrap_or_else(|| panic!("no course {name} of {class}"))["id"]
            .as_i64()
            .expect("id")
    }

    /// Logs in through the API and returns the token.
    pub async fn api_login(&mut self, username: &str, password: &str) -> String {
        let mut r = self
            .api_post(
                "/api/v1/auth/login",
                serde_json::json!({ "username": username, "password": password }),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if let Some(challenge) = r.json()["challenge"].as_str().map(str::to_string) {
            let code = self.recovery_code(username).await;
            r = self
                .api_post(
                    "/api/v1/auth/second-factor",
                    serde_json::json!({ "challenge": challenge, "code": code, "recovery": true }),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        r.json()["token"].as_str().expect("token").to_string()
    }
}
