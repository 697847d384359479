//! The preschool's monthly plan (J24, J25), talks with parents (J28) and the journal check (J29),
//! driven over HTTP as the demo's teacher of "Mārītes", its deputy head and a parent would.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::{Method, StatusCode};
use klade_testkit::{backends, Client, TestApp};

async fn group(t: &TestApp, name: &str) -> i64 {
    t.id(&format!("SELECT id FROM classes WHERE name = '{name}'")).await
}

async fn preschool(t: &TestApp) -> i64 {
    t.id(&format!(
        "SELECT id FROM institutions WHERE reg_no = '{}'",
        klade_app::demo::PRESCHOOL_REG_NO
    ))
    .await
}

async fn signed_in(t: &TestApp, username: &str) -> Client {
    let mut c = t.client();
    let r = c.login(username, "demo").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{username}: {}", r.body);
    c
}

/// `klade verify`'s checks find nothing wrong.
async fn verified(t: &TestApp) {
    let problems = klade_app::journal::verify(&t.app).await.expect("verify");
    assert!(problems.is_empty(), "{problems:?}");
}

async fn api_put(c: &mut Client, path: &str, json: serde_json::Value, token: &str) -> klade_testkit::Response {
    c.request(
        Method::PUT,
        path,
        Some("application/json"),
        json.to_string(),
        Some(token),
    )
    .await
}

#[tokio::test]
async fn a_plan_is_filed_late_changed_and_its_history_shown_and_the_deputy_sees_it() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let g = group(&t, "Mārītes").await;
        let inst = preschool(&t).await;
        // 1 December, 10:00 in Riga: December's plan was due by Monday 30 November.
        t.clock.set("2026-12-01T08:00:00Z".parse().expect("instant"));
        let mut teacher = signed_in(&t, "pii.skolotaja").await;
        let page = format!("/groups/{g}/plan?month=2026-12");
        let form = format!("/groups/{g}/plan");
        let r = teacher
            .submit(
                &page,
                &form,
                &[
                    ("month", "2026-12"),
                    ("theme", "Ziema"),
                    ("message", "Sniegs ir ūdens"),
                    ("values", "Gādība"),
                    ("area_maths", "Skaita līdz pieci"),
                    ("skill_cooperation", "Būvē sniegavīru kopā"),
                    ("talking_wall", "Sniegpārslas"),
                ],
            )
            .await;
        assert_eq!(r.location(), Some(format!("{page}&done=late").as_str()), "{}", r.body);
        let shown = teacher.get(&format!("{page}&done=late")).await.body;
        assert!(shown.contains("tas atzīmēts kā novēlots"), "{shown}");
        assert!(shown.contains("aizpildīts novēloti") && shown.contains("Jāaizpilda līdz: 30.11.2026."));
        assert!(shown.contains("2026. gada decembris"), "the month in words: {shown}");
        assert!(shown.contains(">Skaita līdz pieci</textarea>") && shown.contains("Matemātikas mācību joma"));

        // Changed during the month: only the changed fields go to the history.
        t.clock.advance_secs(3600);
        let before = t.count("journal_history").await;
        let r = teacher
            .submit(
                &page,
                &form,
                &[
                    ("month", "2026-12"),
                    ("theme", "Ziemas prieki"),
                    ("message", "Sniegs ir ūdens"),
                    ("values", "Gādība"),
                    ("area_maths", "Skaita līdz pieci"),
                    ("skill_cooperation", "Būvē sniegavīru kopā"),
                    ("talking_wall", ""),
                    ("walks", "Uz parku"),
                ],
            )
            .await;
        assert_eq!(r.location(), Some(format!("{page}&done=late").as_str()), "{}", r.body);
        assert_eq!(
            t.count("journal_history").await,
            before + 3,
            "theme, talking wall, walks"
        );
        let shown = teacher.get(&page).await.body;
        assert!(shown.contains("Izmaiņu vēsture"));
        assert!(
            shown.contains(
                "<td>01.12.2026. 11:00</td><td>Solvita Āboliņa</td><td>Tēma</td><td>Ziema</td><td>Ziemas prieki</td>"
            ),
            "{shown}"
        );
        assert!(shown.contains("<td>„Runājošā siena”</td><td>Sniegpārslas</td><td></td>"));
        // Saving the same again writes nothing.
        let r = teacher
            .submit(
                &page,
                &form,
                &[
                    ("month", "2026-12"),
                    ("theme", "Ziemas prieki"),
                    ("message", "Sniegs ir ūdens"),
                    ("values", "Gādība"),
                    ("area_maths", "Skaita līdz pieci"),
                    ("skill_cooperation", "Būvē sniegavīru kopā"),
                    ("walks", "Uz parku"),
                ],
            )
            .await;
        assert_eq!(r.location(), Some(format!("{page}&done=same").as_str()));
        assert_eq!(t.count("journal_history").await, before + 3);

        // A month already ended is refused, the typed text is kept, and nothing is written.
        let (plans, fields, history) = (
            t.count("preschool_plans").await,
            t.count("preschool_plan_fields").await,
            t.count("journal_history").await,
        );
        let r = teacher
            .submit(
                &page,
                &form,
                &[
                    ("month", "2026-11"),
                    ("theme", "Rudens lapas"),
                    ("events", "Lāčplēša diena"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Šis mēnesis jau beidzies"), "{}", r.body);
        assert!(r.body.contains(">Rudens lapas</textarea>") && r.body.contains(">Lāčplēša diena</textarea>"));
        let r = teacher
            .submit(&page, &form, &[("month", "2026-13"), ("theme", "X")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("GGGG-MM"));
        let r = teacher
            .submit(
                &page,
                &form,
                &[("month", "2027-01"), ("theme", " "), ("content", "Bez tēmas")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Tēma: Šis lauks ir obligāts.") && r.body.contains(">Bez tēmas</textarea>"));
        assert!(
            r.body
                .contains("id=\"f-theme\" name=\"theme\" rows=\"3\" required aria-invalid=\"true\">"),
            "the missing theme is marked: {}",
            r.body
        );
        let token = teacher.api_login("pii.skolotaja", "demo").await;
        let r = api_put(
            &mut teacher,
            &format!("/api/v1/groups/{g}/plan?month=2026-10"),
            serde_json::json!({ "fields": { "theme": "Rudens" } }),
            &token,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"], "plan.past");
        assert_eq!(t.count("preschool_plans").await, plans);
        assert_eq!(t.count("preschool_plan_fields").await, fields);
        assert_eq!(t.count("journal_history").await, history);

        // January's plan through the API, on time (due by 30 December).
        let r = api_put(
            &mut teacher,
            &format!("/api/v1/groups/{g}/plan?month=2027-01"),
            serde_json::json!({ "fields": { "theme": "Gada sākums", "area_language": "Burts J", "other": "" } }),
            &token,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let saved = r.json();
        assert_eq!(
            (saved["late"].as_bool(), saved["changed"].as_i64()),
            (Some(false), Some(2))
        );
        let read = teacher
            .api_get(&format!("/api/v1/groups/{g}/plan?month=2027-01"), &token)
            .await
            .json();
        assert_eq!(read["plan"]["fields"]["area_language"], "Burts J");
        assert_eq!(read["due"], "2026-12-30");
        assert_eq!(read["history"].as_array().map(Vec::len), Some(2));

        // The deputy head: December's plans are missing in five groups and late in Mārītes.
        let mut deputy = signed_in(&t, "pii.vietniece").await;
        let list = deputy.get(&format!("/preschool/plans?i={inst}")).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Jāpievērš uzmanība: 6"), "{}", list.body);
        assert!(list.body.contains(&format!(
            "<tr class=\"late\"><td><a href=\"/groups/{g}/plan?month=2026-12\">Mārītes</a></td><td>2026. gada decembris</td><td>30.11.2026.</td><td>iesniegts novēloti</td></tr>"
        )), "{}", list.body);
        let zil = group(&t, "Zīlītes").await;
        assert!(list.body.contains(&format!(
            "<a href=\"/groups/{zil}/plan?month=2026-12\">Zīlītes</a></td><td>2026. gada decembris</td><td>30.11.2026.</td><td>nav iesniegts, termiņš pagājis"
        )));
        assert!(list.body.contains(&format!(
            "<tr><td><a href=\"/groups/{g}/plan?month=2027-01\">Mārītes</a></td><td>2027. gada janvāris</td><td>30.12.2026.</td><td>iesniegts laikā</td></tr>"
        )));
        let dtoken = deputy.api_login("pii.vietniece", "demo").await;
        let statuses = deputy
            .api_get(&format!("/api/v1/institutions/{inst}/plans"), &dtoken)
            .await
            .json();
        let of = |name: &str, month: &str| {
            statuses
                .as_array()
                .expect("list")
                .iter()
                .find(|s| s["group_name"] == name && s["month"] == month)
                .map(|s| s["status"].clone())
        };
        assert_eq!(of("Mārītes", "2026-12"), Some("late".into()));
        assert_eq!(of("Pūcītes", "2026-12"), Some("missing".into()));
        assert_eq!(of("Pūcītes", "2027-01"), Some("not_yet_due".into()));
        // The deputy reads the plan but does not write it; the teacher does not see the list.
        assert_eq!(deputy.get(&page).await.status, StatusCode::OK);
        let r = deputy
            .submit(&page, &form, &[("month", "2026-12"), ("theme", "Cits")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            teacher.get(&format!("/preschool/plans?i={inst}")).await.status,
            StatusCode::FORBIDDEN
        );

        verified(&t).await;
        // A plan's text changed behind the application's back is found.
        t.exec("UPDATE preschool_plan_fields SET value = 'Vasara' WHERE field = 'theme' AND value = 'Ziemas prieki'")
            .await;
        let problems = klade_app::journal::verify(&t.app).await.expect("verify");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(format!("{problems:?}").contains(":theme"), "{problems:?}");
    }
}

#[tokio::test]
async fn parents_read_their_childs_group_plan_and_only_the_talks_shared_with_them() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let g = group(&t, "Mārītes").await;
        let other = group(&t, "Zīlītes").await;
        let jekabs = t.person_named("Jēkabs", "Krūmiņš").await;
        let mut teacher = signed_in(&t, "pii.skolotaja").await;
        // 26 November: December's plan, on time.
        let r = teacher
            .submit(
                &format!("/groups/{g}/plan?month=2026-12"),
                &format!("/groups/{g}/plan"),
                &[
                    ("month", "2026-12"),
                    ("theme", "Ziemassvētki"),
                    ("events", "Eglīte 18.12."),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("/groups/{g}/plan?month=2026-12&done=saved").as_str())
        );
        // Another teacher's group is not hers to plan.
        let r = teacher
            .submit(
                &format!("/groups/{g}/plan"),
                &format!("/groups/{other}/plan"),
                &[("month", "2026-12"), ("theme", "X")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let talks = format!("/groups/{g}/talks");
        for (topic, shared) in [("Par adaptāciju", true), ("Par uzvedību", false)] {
            let mut fields = vec![
                ("student", jekabs.to_string()),
                ("held_on", "2026-11-25".to_string()),
                ("participants", "Māte, skolotāja".to_string()),
                ("topic", topic.to_string()),
                ("content", format!("{topic}: sarunas saturs")),
            ];
            if shared {
                fields.push(("shared", "1".to_string()));
            }
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = teacher.submit(&talks, &talks, &fields).await;
            assert_eq!(r.location(), Some(format!("{talks}?done=saved").as_str()), "{}", r.body);
        }
        let r = teacher
            .submit(
                &talks,
                &talks,
                &[
                    ("student", &jekabs.to_string()),
                    ("held_on", "2026-12-24"),
                    ("participants", "Tēvs"),
                    ("topic", "Nākotnes saruna"),
                    ("content", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Sarunas datums nevar būt nākotnē.") && r.body.contains("value=\"Nākotnes saruna\""));
        assert!(
            r.body.contains("name=\"held_on\" aria-invalid=\"true\""),
            "the date is marked: {}",
            r.body
        );

        let mut parent = signed_in(&t, "vecaks").await;
        let plan = parent.get(&format!("/groups/{g}/plan?month=2026-12")).await;
        assert_eq!(plan.status, StatusCode::OK);
        assert!(plan.body.contains("Ziemassvētki") && plan.body.contains("Eglīte 18.12."));
        assert!(!plan.body.contains("Izmaiņu vēsture") && !plan.body.contains("<textarea"));
        assert_eq!(
            parent.get(&format!("/groups/{other}/plan?month=2026-12")).await.status,
            StatusCode::FORBIDDEN
        );
        let r = parent
            .submit(
                &format!("/groups/{g}/plan"),
                &format!("/groups/{g}/plan"),
                &[("month", "2026-12"), ("theme", "X")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let seen = parent.get(&talks).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(seen.body.contains("Par adaptāciju: sarunas saturs"), "{}", seen.body);
        assert!(!seen.body.contains("Par uzvedību"));
        assert_eq!(
            parent.get(&format!("/groups/{other}/talks")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            parent.get(&format!("/groups/{g}/checks")).await.status,
            StatusCode::FORBIDDEN
        );
        let ptoken = parent.api_login("vecaks", "demo").await;
        let api = parent
            .api_get(&format!("/api/v1/groups/{g}/talks"), &ptoken)
            .await
            .json();
        assert_eq!(api["talks"].as_array().map(Vec::len), Some(1));
        assert_eq!(api["talks"][0]["topic"], "Par adaptāciju");

        let mut deputy = signed_in(&t, "pii.vietniece").await;
        let all = deputy.get(&talks).await.body;
        assert!(all.contains("Par adaptāciju") && all.contains("Par uzvedību") && all.contains("vecāki neredz"));
        verified(&t).await;
    }
}

#[tokio::test]
async fn a_journal_finding_goes_from_the_deputy_to_the_teacher_and_is_closed() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let g = group(&t, "Mārītes").await;
        let checks = format!("/groups/{g}/checks");
        let mut deputy = signed_in(&t, "pii.vietniece").await;
        let r = deputy
            .submit(
                &checks,
                &checks,
                &[("finding", "Nav ievadīts 24.11. apmeklējums"), ("due_on", "2026-11-20")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Termiņš nevar būt pagātnē.")
                && r.body.contains(">Nav ievadīts 24.11. apmeklējums</textarea>")
        );
        let r = deputy
            .submit(
                &checks,
                &checks,
                &[("finding", "Nav ievadīts 24.11. apmeklējums"), ("due_on", "2026-11-30")],
            )
            .await;
        assert_eq!(
            r.location(),
            Some(format!("{checks}?done=recorded").as_str()),
            "{}",
            r.body
        );
        let id = t.id("SELECT id FROM journal_checks").await;
        let step = format!("{checks}/{id}");

        // The teacher sees it on the group's pages and answers it.
        let mut teacher = signed_in(&t, "pii.skolotaja").await;
        let plan = teacher.get(&format!("/groups/{g}/plan")).await.body;
        assert!(plan.contains("Neizlabotas žurnāla pārbaudes piezīmes: 1"), "{plan}");
        let mine = teacher.get(&checks).await.body;
        assert!(mine.contains("Nav ievadīts 24.11. apmeklējums") && mine.contains("Termiņš: 30.11.2026."));
        let r = teacher
            .submit(&checks, &step, &[("action", "done"), ("answer", " ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = teacher
            .submit(&checks, &step, &[("action", "close"), ("answer", "")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "only the administration closes");
        let r = teacher
            .submit(
                &checks,
                &step,
                &[("action", "done"), ("answer", "Apmeklējums ievadīts")],
            )
            .await;
        assert_eq!(r.location(), Some(format!("{checks}?done=done").as_str()), "{}", r.body);

        // The deputy is not satisfied, then is.
        let r = deputy.submit(&checks, &step, &[("action", "reopen")]).await;
        assert_eq!(r.location(), Some(format!("{checks}?done=reopen").as_str()));
        assert!(teacher.get(&checks).await.body.contains("Atzīmēt kā izlabotu"));
        let r = teacher
            .submit(
                &checks,
                &step,
                &[("action", "done"), ("answer", "Ievadīti arī kavējumu iemesli")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = deputy.submit(&checks, &step, &[("action", "close")]).await;
        assert_eq!(r.location(), Some(format!("{checks}?done=close").as_str()));
        let r = deputy.submit(&checks, &step, &[("action", "close")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "closed already");

        let seen = teacher.get(&checks).await.body;
        assert!(seen.contains("<h2>Slēgts · Termiņš: 30.11.2026.</h2>"), "{seen}");
        assert!(seen.contains("Slēdza: Gunta Ozola") && seen.contains("Ievadīti arī kavējumu iemesli"));
        assert!(!seen.contains("Atzīmēt kā izlabotu"));
        assert_eq!(seen.matches("Solvita Āboliņa · Izlabots, gaida pārbaudi").count(), 2);
        assert_eq!(seen.matches("Gunta Ozola · Jālabo").count(), 2, "recorded and reopened");
        assert!(!teacher
            .get(&format!("/groups/{g}/plan"))
            .await
            .body
            .contains("Neizlabotas"));

        // The same through the API.
        let dtoken = deputy.api_login("pii.vietniece", "demo").await;
        let ttoken = teacher.api_login("pii.skolotaja", "demo").await;
        let r = deputy
            .api_post(
                &format!("/api/v1/groups/{g}/checks"),
                serde_json::json!({ "finding": "Nav mēneša plāna decembrim" }),
                Some(&dtoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let second = r.json()["id"].as_i64().expect("id");
        let r = teacher
            .api_post(
                &format!("/api/v1/groups/{g}/checks/{second}/done"),
                serde_json::json!({ "answer": "Plāns iesniegts" }),
                Some(&ttoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["answer"], "Plāns iesniegts");
        let r = deputy
            .api_post(
                &format!("/api/v1/groups/{g}/checks/{second}/close"),
                serde_json::json!({}),
                Some(&dtoken),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let list = teacher
            .api_get(&format!("/api/v1/groups/{g}/checks"), &ttoken)
            .await
            .json();
        let first = list["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["id"] == id)
            .expect("the first finding")
            .clone();
        assert_eq!(first["history"].as_array().map(Vec::len), Some(5));
        assert!(first["closed_at"].is_i64());
        assert_eq!(
            t.id("SELECT COUNT(*) FROM journal_history WHERE item LIKE 'check:%'")
                .await,
            8,
            "five steps of the first finding, three of the second"
        );
        verified(&t).await;
    }
}
