//! The VIIS import: header variants, the row-by-row preview, nothing written before confirming,
//! rejections named by line and field, and a second import of the same file changing nothing.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_domain::PersonalCode;
use klade_testkit::{backends, Client, TestApp};

async fn superuser(t: &TestApp) -> (Client, String) {
    let mut c = t.client();
    c.login("admin", "demo").await;
    let csrf = c
        .get("/admin/import?i=1")
        .await
        .csrf_in_action()
        .expect("csrf in the upload form's address");
    (c, csrf)
}

trait UploadCsrf {
    fn csrf_in_action(&self) -> Option<String>;
}

impl UploadCsrf for klade_testkit::Response {
    fn csrf_in_action(&self) -> Option<String> {
        let at = self.body.find("csrf=")? + "csrf=".len();
        let rest = &self.body[at..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// Uploads `csv` as `kind`, and answers the preview page's address.
async fn upload(c: &mut Client, csrf: &str, kind: &str, csv: &str) -> klade_testkit::Response {
    c.upload(
        &format!("/admin/import?i=1&csrf={csrf}"),
        &[("kind", kind)],
        ("file", "eksports.csv", csv.as_bytes()),
    )
    .await
}

/// Confirms the import at `preview` and waits until it has run.
async fn confirm(c: &mut Client, preview: &str) -> String {
    let action = preview.replace("?i=1", "/confirm?i=1");
    let r = c.submit(preview, &action, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Generous: this machine is shared, and the ten-thousand-row import must not fail for being
    // slow (its speed is a benchmark's business, not a test's).
    let until = std::time::Instant::now() + std::time::Duration::from_secs(180);
    while std::time::Instant::now() < until {
        let page = c.get(preview).await.body;
        if page.contains("Imports pabeigts.") || page.contains("Imports neizdevās") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

fn code(n: u32) -> String {
    PersonalCode::fictional(1 + n % 28, 1 + n % 12, 10, 900 + n)
        .expect("code")
        .to_string()
}

#[tokio::test]
async fn a_student_file_is_previewed_row_by_row_and_imported_once() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let (mut c, csrf) = superuser(&t).await;
        let anna = {
            use sqlx::Row;
            sqlx::query("SELECT personal_code FROM persons WHERE given_name = 'Anna' AND family_name = 'Krūmiņa'")
                .fetch_one(t.db().pool())
                .await
                .expect("anna")
                .try_get::<String, _>("personal_code")
                .expect("code")
        };
        let new = code(1);
        let csv = format!(
            "\u{feff}Pers. kods;VĀRDS;Uzvārds;Dzimšanas datums;Dzimums;Klase;Rīkojuma Nr.;Rīkojuma datums\n\
             {new};Rūta;Ozola;15.03.2010.;S;2.B;1-7/2026/900;28.08.2026\n\
             150385-01236;Jānis;Kļava;01.01.2010;V;2.B;;\n\
             {new2};Ivo;Lapa;01.01.2010;V;9.Z;;\n\
             {anna};Anna;Krūmiņa;;S;2.B;;\n\
             {new};Rūta;Ozola;15.03.2010.;S;2.B;;\n",
            new2 = code(2)
        );
        let persons = t.count("persons").await;
        let r = upload(&mut c, &csrf, "students", &csv).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let preview = r.location().expect("preview").to_string();
        let page = c.get(&preview).await.body;
        assert!(page.contains("Nekas vēl nav ierakstīts."), "{page}");
        assert!(page.contains("<dt>Tiks izveidoti</dt><dd>1</dd>"), "{page}");
        assert!(page.contains("<dt>Tiks noraidīti</dt><dd>3</dd>"), "{page}");
        assert!(page.contains("<dt>Bez izmaiņām</dt><dd>1</dd>"), "{page}");
        assert!(page.contains("<td>3</td><td>Jānis Kļava, 2.B</td><td>noraidīt — personas kods: Personas koda kontrolcipars nav pareizs.</td>"), "{page}");
        assert!(page.contains("klase: šādas klases iestādē nav"), "{page}");
        assert!(page.contains("failā šis ieraksts jau bija augstāk"), "{page}");
        assert_eq!(
            t.count("persons").await,
            persons,
            "nothing is written before confirming"
        );

        let done = confirm(&mut c, &preview).await;
        assert!(
            done.contains("<dt>Izveidoti</dt><dd>1</dd>") && done.contains("<dt>Noraidīti</dt><dd>3</dd>"),
            "{done}"
        );
        assert_eq!(t.count("persons").await, persons + 1);
        let mut teacher = t.client();
        let token = teacher.api_login("audzinataja", "demo").await;
        let courses = teacher.api_get("/api/v1/courses", &token).await.json();
        let course = courses
            .as_array()
            .expect("courses")
            .iter()
            .find(|c| c["class_name"] == "2.B")
            .expect("2.B")["id"]
            .as_i64()
            .expect("id");
        let grid = teacher
            .api_get(&format!("/api/v1/courses/{course}/grid"), &token)
            .await
            .json();
        assert!(grid["students"]
            .as_array()
            .expect("students")
            .iter()
            .any(|s| s["given_name"] == "Rūta"));

        // The same file again: everything is already so.
        let r = upload(&mut c, &csrf, "students", &csv).await;
        let again = r.location().expect("preview").to_string();
        let page = c.get(&again).await.body;
        assert!(
            page.contains("<dt>Tiks izveidoti</dt><dd>0</dd>") && page.contains("<dt>Tiks mainīti</dt><dd>0</dd>"),
            "{page}"
        );
        let enrolments = t.count("enrolments").await;
        confirm(&mut c, &again).await;
        assert_eq!(t.count("persons").await, persons + 1);
        assert_eq!(t.count("enrolments").await, enrolments);
    }
}

#[tokio::test]
async fn classes_first_then_students_moved_between_classes() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let (mut c, csrf) = superuser(&t).await;
        let r = upload(
            &mut c,
            &csrf,
            "classes",
            "Klase,Kurss,Programmas kods,Programma\n1.D,1,33214011,Vides dizains\n1.D,1,,\n",
        )
        .await;
        let preview = r.location().expect("preview").to_string();
        let page = c.get(&preview).await.body;
        assert!(
            page.contains("<dt>Tiks izveidoti</dt><dd>1</dd>") && page.contains("failā šis ieraksts jau bija augstāk")
        );
        confirm(&mut c, &preview).await;
        assert_eq!(t.count("classes").await, 12 + 6 + 1);

        // A student of 1.A moved to the new 1.D: a change of class, kept in the class history.
        let (id, code) = {
            use sqlx::Row;
            let row = sqlx::query(
                "SELECT p.id, p.personal_code, p.given_name, p.family_name FROM persons p JOIN enrolments e ON e.student_id = p.id \
                 JOIN classes k ON k.id = e.class_id WHERE k.name = '1.A' ORDER BY p.id LIMIT 1",
            )
            .fetch_one(t.db().pool())
            .await
            .expect("a student");
            let given: String = row.try_get("given_name").expect("given");
            let family: String = row.try_get("family_name").expect("family");
            let code: String = row.try_get("personal_code").expect("code");
            (
                row.try_get::<i64, _>("id").expect("id"),
                format!("{code};{given};{family}"),
            )
        };
        let r = upload(
            &mut c,
            &csrf,
            "students",
            &format!("Personas kods;Vārds;Uzvārds;Klase\n{code};1.D\n"),
        )
        .await;
        let preview = r.location().expect("preview").to_string();
        let page = c.get(&preview).await.body;
        assert!(page.contains("mainīt: klase"), "{page}");
        confirm(&mut c, &preview).await;
        let record = c.get(&format!("/people/{id}")).await.body;
        assert!(record.contains("1.A") && record.contains("1.D"), "{record}");
    }
}

#[tokio::test]
async fn a_file_that_is_not_a_table_or_lacks_a_column_is_refused() {
    let t = TestApp::demo(klade_store::Backend::Sqlite).await;
    let (mut c, csrf) = superuser(&t).await;
    let r = c
        .upload(
            &format!("/admin/import?i=1&csrf={csrf}"),
            &[("kind", "students")],
            ("file", "x.xlsx", b"PK\x03\x04broken"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Fails nav ne CSV, ne XLSX."));
    let r = upload(&mut c, &csrf, "staff", "Vārds;Uzvārds;Amats\nAnna;Liepa;Skolotāja\n").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<option value=\"staff\" selected>") && r.body.contains("aria-invalid=\"true\""),
        "the kind chosen stays chosen, the file marked: {}",
        r.body
    );
    let r = upload(&mut c, &csrf, "students", "Vārds;Uzvārds;Klase\nAnna;Liepa;2.B\n").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Failā nav obligātās kolonnas: personas kods"),
        "{}",
        r.body
    );
    // Without the token in the form's address, the upload is refused like any other form.
    let r = c
        .upload("/admin/import?i=1", &[("kind", "students")], ("file", "a.csv", b"x"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // And a teacher may not import.
    let mut teacher = t.client();
    teacher.login("skolotajs", "demo").await;
    assert_eq!(teacher.get("/admin/import?i=1").await.status, StatusCode::FORBIDDEN);
    assert_eq!(teacher.get("/admin/import").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ten_thousand_students_import() {
    let t = TestApp::demo(klade_store::Backend::Sqlite).await;
    let (mut c, csrf) = superuser(&t).await;
    let mut csv = String::from("Personas kods;Vārds;Uzvārds;Klase\n");
    for n in 0..10_000u32 {
        let code = PersonalCode::fictional(1 + n % 28, 1 + (n / 28) % 12, 11 + (n / 336) % 40, n).expect("code");
        csv.push_str(&format!(
            "{code};Vārds{n};Uzvārds{n};{}.{}\n",
            1 + n % 4,
            ["A", "B", "C"][(n % 3) as usize]
        ));
    }
    let r = upload(&mut c, &csrf, "students", &csv).await;
    let preview = r.location().expect("preview").to_string();
    let page = c.get(&preview).await.body;
    let created = page
        .split("<dt>Tiks izveidoti</dt><dd>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.parse::<i64>().ok())
        .expect("count");
    assert!(created > 9_000, "{created}");
    let done = confirm(&mut c, &preview).await;
    assert!(
        done.contains(&format!("<dt>Izveidoti</dt><dd>{created}</dd>")),
        "{done}"
    );
}

#[tokio::test]
async fn the_import_and_admissions_through_the_api() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut c = t.client();
        let token = c.api_login("admin", "demo").await;
        let csv = format!("Personas kods,Vārds,Uzvārds,Klase\n{},Rūta,Ozola,2.B\n", code(7));
        let r = c
            .request(
                axum::http::Method::POST,
                "/api/v1/institutions/1/imports?kind=students",
                Some("text/csv"),
                csv,
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let plan = r.json();
        assert_eq!(plan["rows"][0]["action"]["action"], "create");
        let id = plan["id"].as_i64().expect("id");
        let r = c
            .api_post(
                &format!("/api/v1/institutions/1/imports/{id}/confirm"),
                serde_json::json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        let mut status = serde_json::Value::Null;
        for _ in 0..400 {
            status = c
                .api_get(&format!("/api/v1/institutions/1/imports/{id}"), &token)
                .await
                .json();
            if status["status"] != "running" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(status["status"], "done", "{status}");
        assert_eq!(status["created"], 1);

        // The clerk admits through the API; a wrong personal code names its field.
        let mut clerk = t.client();
        let ct = clerk.api_login("lietvede", "demo").await;
        let class = {
            use sqlx::Row;
            sqlx::query("SELECT id FROM classes WHERE name = '2.B'")
                .fetch_one(t.db().pool())
                .await
                .expect("class")
                .try_get::<i64, _>("id")
                .expect("id")
        };
        let body = |code: &str| {
            serde_json::json!({"given_name": "Ivo", "family_name": "Lapa", "personal_code": code,
                "order_number": "1-7/2026/700", "order_date": "2026-11-25", "from": "2026-11-26"})
        };
        let r = clerk
            .api_post(
                &format!("/api/v1/classes/{class}/students"),
                body("150385-01236"),
                Some(&ct),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["field"], "personal_code");
        let r = clerk
            .api_post(&format!("/api/v1/classes/{class}/students"), body(&code(8)), Some(&ct))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

/// An aSc Timetables export of 2.B's Saturday: Matemātika (Līga Zariņa, room 301) in the first
/// lesson and `second` in the second.
fn asc_file(class: &str, second: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<timetable ascttversion="2024.6.2" importtype="database" options="idprefix:Klade">
  <periods><period name="1" period="1" starttime="8:30" endtime="9:10"/><period name="2" period="2" starttime="9:20" endtime="10:00"/></periods>
  <subjects><subject id="S1" name="Matemātika"/><subject id="S2" name="Angļu valoda"/></subjects>
  <teachers><teacher id="T1" firstname="Līga" lastname="Zariņa"/><teacher id="T2" name="Kalniņš Mārtiņš"/></teachers>
  <classrooms><classroom id="R1" name="301"/></classrooms>
  <classes><class id="C1" name="{class}"/></classes>
  <groups><group id="G1" name="Visa klase" classid="C1" entireclass="1"/></groups>
  <lessons>
    <lesson id="L1" classids="C1" subjectid="S1" groupids="G1" teacherids="T1" classroomids="R1"/>
    <lesson id="L2" classids="C1" subjectid="S2" groupids="G1" teacherids="T2" classroomids=""/>
  </lessons>
  <cards>
    <card lessonid="L1" classroomids="R1" period="1" days="0000010"/>
    {second}
  </cards>
</timetable>"#
    )
}

async fn upload_file(c: &mut Client, csrf: &str, kind: &str, name: &str, bytes: &[u8]) -> klade_testkit::Response {
    c.upload(
        &format!("/admin/import?i=1&csrf={csrf}"),
        &[("kind", kind)],
        ("file", name, bytes),
    )
    .await
}

#[tokio::test]
async fn the_deputy_imports_the_timetable_from_asc_and_a_clash_names_both_lessons() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut c = t.client();
        c.login("vietnieks", "demo").await;
        let csrf = c.get("/admin/import?i=1").await.csrf_in_action().expect("csrf");
        // A lesson of another class that Mārtiņš Kalniņš teaches: 2.B cannot have him then too.
        let busy = t
            .scalar(
                "SELECT s.weekday || ':' || s.lesson_no || ':' || k.name || ' ' || c.name FROM timetable s \
                 JOIN courses c ON c.id = s.course_id JOIN classes k ON k.id = s.class_id \
                 JOIN course_teachers t ON t.course_id = c.id JOIN persons p ON p.id = t.person_id \
                 WHERE p.given_name = 'Mārtiņš' AND p.family_name = 'Kalniņš' AND k.name <> '2.B' AND s.valid_to IS NULL \
                 ORDER BY s.id LIMIT 1",
            )
            .await;
        let mut parts = busy.splitn(3, ':');
        let (day, lesson, other) = (
            parts.next().expect("day").parse::<usize>().expect("a number"),
            parts.next().expect("lesson").to_string(),
            parts.next().expect("the lesson").to_string(),
        );
        let days: String = (1..=7).map(|d| if d == day { '1' } else { '0' }).collect();
        let clashing = format!(r#"<card lessonid="L2" period="{lesson}" days="{days}"/>"#);
        let file = asc_file("2.B", &clashing).replace(
            "<period name=\"2\" period=\"2\"",
            &format!("<period name=\"{lesson}\" period=\"{lesson}\""),
        );
        let r = upload_file(&mut c, &csrf, "timetable", "2b.xml", file.as_bytes()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let preview = r.location().expect("preview").to_string();
        let page = c.get(&preview).await.body;
        assert!(
            page.contains("Skolotājs tajā laikā jau vada citu stundu:") && page.contains(&other),
            "the clash names the other lesson, {other}: {page}"
        );
        assert!(page.contains("Stundu sarakstu importē veselu"), "{page}");
        assert!(!page.contains("Apstiprināt un importēt"), "nothing to confirm");
        let before = t.count("timetable").await;
        let action = preview.replace("?i=1", "/confirm?i=1");
        c.submit(&preview, &action, &[]).await;
        assert_eq!(t.count("timetable").await, before, "a refused timetable writes nothing");

        // The file corrected: Saturday's second lesson, when he is free.
        let good = asc_file("2.B", r#"<card lessonid="L2" period="2" days="0000010"/>"#);
        let r = upload_file(&mut c, &csrf, "timetable", "2b.xml", good.as_bytes()).await;
        let preview = r.location().expect("preview").to_string();
        let page = c.get(&preview).await.body;
        assert!(
            page.contains("2.B Matemātika, 6 1.") && page.contains("izveidot"),
            "{page}"
        );
        let done = confirm(&mut c, &preview).await;
        assert!(done.contains("Imports pabeigts."), "{done}");
        let class = t.id("SELECT id FROM classes WHERE name = '2.B'").await;
        let week = c.get(&format!("/classes/{class}/timetable?date=2026-11-28")).await.body;
        assert!(week.contains("301"), "Saturday's lesson in room 301: {week}");
        let monday = t
            .count(&format!(
                "timetable WHERE class_id = {class} AND weekday = 1 AND (valid_to IS NULL OR valid_to >= '2026-11-26')"
            ))
            .await;
        assert_eq!(monday, 0, "the file's week replaces the class's week from today");
        assert!(
            t.count(&format!(
                "timetable WHERE class_id = {class} AND weekday = 1 AND valid_to = '2026-11-25'"
            ))
            .await
                > 0,
            "the earlier week is kept before today"
        );
        // The same file again changes nothing.
        let slots = t.count("timetable").await;
        let r = upload_file(&mut c, &csrf, "timetable", "2b.xml", good.as_bytes()).await;
        let preview = r.location().expect("preview").to_string();
        let page = c.get(&preview).await.body;
        assert!(
            page.contains("jau ir tāds pats") && !page.contains(">izveidot<"),
            "{page}"
        );
        confirm(&mut c, &preview).await;
        assert_eq!(t.count("timetable").await, slots);

        // A file of another year names none of this year's classes.
        let old = asc_file("9.Z", r#"<card lessonid="L2" period="2" days="0000010"/>"#);
        let r = upload_file(&mut c, &csrf, "timetable", "old.xml", old.as_bytes()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("no cita gada"), "{}", r.body);
        // Only the deputy for academic work imports the timetable.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        let r = upload_file(&mut teacher, &csrf, "timetable", "2b.xml", good.as_bytes()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_timetable_csv_refuses_what_it_cannot_place_naming_the_row() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let mut c = t.client();
        c.login("vietnieks", "demo").await;
        let csrf = c.get("/admin/import?i=1").await.csrf_in_action().expect("csrf");
        let csv = "Klase;Priekšmets;Grupa;Skolotājs;Diena;Stunda;Sākums;Beigas;Telpa\n\
                   2.B;Matemātika;;Līga Zariņa;Sestdiena;1;08:30;09:10;301\n\
                   2.B;Astroloģija;;Līga Zariņa;Sestdiena;2;09:20;10:00;\n\
                   2.B;Matemātika;;Jānis Nezināmais;Sestdiena;3;10:10;10:50;\n\
                   2.B;Matemātika;;Līga Zariņa;Svētdiena;13;10:10;10:50;\n\
                   2.B;Matemātika;;Līga Zariņa;Sestdiena;4;11:00;10:50;\n\
                   2.B;Angļu valoda;;Mārtiņš Kalniņš;Sestdiena;1;08:30;09:10;301\n";
        let r = upload_file(&mut c, &csrf, "timetable", "saraksts.csv", csv.as_bytes()).await;
        let preview = r.location().expect("preview").to_string();
        let page = c.get(&preview).await.body;
        for expected in [
            "šāda mācību priekšmeta iestādē nav",
            "šāda skolotāja iestādē nav",
            "Stundas numuram",
            "Laikiem jābūt formā SS:MM",
            "Klasei vai grupai tajā laikā jau ir cita stunda: 2.B Matemātika (Rinda 2)",
        ] {
            assert!(page.contains(expected), "{expected}: {page}");
        }
    }
}
