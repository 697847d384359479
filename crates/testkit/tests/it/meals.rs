//! School meals: the clerk turns meals on with a cut-off and the caterer's address; a parent
//! cancels tomorrow's lunch and cannot touch today's after the cut-off, a past day or a day off;
//! a notice of absence written before a day's cut-off cancels that day's meal, one written after
//! does not; the day's order per class leaves Anna out, downloads as CSV, and is e-mailed to the
//! caterer once at the cut-off.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

const RIGA_NOV_27_09_01: i64 = 1_795_762_860; // 27.11.2026. 09:01 in Riga (UTC+2)

#[tokio::test]
async fn parents_cancel_meals_before_the_cut_off_and_the_caterer_gets_the_order() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let anna = t.person_named("Anna", "Krūmiņa").await;
        let class = t
            .id(&format!(
                "SELECT class_id FROM enrolments WHERE student_id = {anna} AND valid_to IS NULL LIMIT 1"
            ))
            .await;
        let school = t
            .id(&format!("SELECT institution_id FROM classes WHERE id = {class}"))
            .await;
        let peer = t
            .id(&format!(
                "SELECT MIN(student_id) FROM enrolments WHERE class_id = {class} AND student_id <> {anna}"
            ))
            .await;

        // The clerk turns meals on; a wrong time comes back as typed.
        let mut clerk = t.client();
        clerk.login("lietvede", "demo").await;
        let order_page = format!("/meals/order?i={school}");
        assert!(clerk.get(&order_page).await.body.contains("vēl nav ieslēgta"));
        let settings = format!("/meals/settings?i={school}");
        let r = clerk
            .submit(
                &order_page,
                &settings,
                &[
                    ("enabled", "1"),
                    ("cutoff", "25:00"),
                    ("caterer_email", "virtuve@example.lv"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("09:00") && r.body.contains("virtuve@example.lv"),
            "{}",
            r.body
        );
        let r = clerk
            .submit(
                &order_page,
                &settings,
                &[
                    ("enabled", "1"),
                    ("cutoff", "09:00"),
                    ("caterer_email", "virtuve@example"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("meal_settings").await, 0, "nothing refused was kept");
        let r = clerk
            .submit(
                &order_page,
                &settings,
                &[
                    ("enabled", "1"),
                    ("cutoff", "09:00"),
                    ("caterer_email", "virtuve@example.lv"),
                ],
            )
            .await;
        assert!(r.location().is_some_and(|l| l.contains("done=saved")), "{}", r.body);

        // Thursday 26.11 at noon: Friday's lunch may be cancelled, today's no longer.
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        assert!(parent.get("/").await.body.contains("href=\"/meals\""));
        let page = parent.get("/meals").await.body;
        assert!(page.contains("Anna Krūmiņa") && page.contains("27.11.2026."), "{page}");
        assert!(!page.contains("28.11.2026."), "no meals on a Saturday");
        let anna_s = anna.to_string();
        let r = parent
            .submit(
                "/meals",
                "/meals",
                &[("student", &anna_s), ("date", "2026-11-27"), ("eat", "0")],
            )
            .await;
        assert_eq!(r.location(), Some("/meals?done=cancelled"), "{}", r.body);
        assert!(parent
            .get("/meals")
            .await
            .body
            .contains("Atteiktas (Ilze Krūmiņa, 26.11.2026. 12:00)"));
        for (date, message) in [
            ("2026-11-26", "jau nodots ēdinātājam"),
            ("2026-11-25", "jau pagājusi"),
            ("2026-11-28", "ēdināšanas nav"),
        ] {
            let r = parent
                .submit(
                    "/meals",
                    "/meals",
                    &[("student", &anna_s), ("date", date), ("eat", "0")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
            assert!(r.body.contains(message), "{date}: {}", r.body);
        }
        assert_eq!(t.count("meal_cancellations").await, 1);
        // Nobody else's child.
        let mut student = t.client();
        student.login("skolens", "demo").await;
        let r = student
            .submit(
                "/",
                "/meals",
                &[("student", &anna_s), ("date", "2026-11-30"), ("eat", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Notices of absence: Anna's for Monday written now cancels Monday's meal; the peer's for
        // Friday written after Friday's cut-off does not cancel Friday's.
        t.exec(&format!(
            "INSERT INTO absence_notices (institution_id, student_id, from_date, to_date, reason, late, created_by, created_at) \
             VALUES ({school}, {anna}, '2026-11-30', '2026-11-30', 'Ārsts', FALSE, {anna}, {now})",
            now = t.app.now()
        ))
        .await;
        t.exec(&format!(
            "INSERT INTO absence_notices (institution_id, student_id, from_date, to_date, reason, late, created_by, created_at) \
             VALUES ({school}, {peer}, '2026-11-27', '2026-11-27', 'Slimība', FALSE, {peer}, {late})",
            late = RIGA_NOV_27_09_01
        ))
        .await;
        let page = parent.get("/meals").await.body;
        assert!(page.contains("Atteiktas: kavējuma paziņojums"), "{page}");

        // The order for Friday: 2.B without Anna, the peer still eats.
        let friday = clerk
            .get(&format!("/meals/order?i={school}&date=2026-11-27"))
            .await
            .body;
        let enrolled = t
            .count(&format!("enrolments WHERE class_id = {class} AND valid_to IS NULL"))
            .await;
        assert!(
            friday.contains(&format!(
                "<td>2.B</td><td class=\"num\">{enrolled}</td><td class=\"num\">{}</td>",
                enrolled - 1
            )),
            "{friday}"
        );
        assert!(friday.contains("Krūmiņa Anna (Atteiktas (Ilze Krūmiņa"), "{friday}");
        let csv = clerk
            .get(&format!("/meals/order?i={school}&date=2026-11-27&format=csv"))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body.contains("2.B") && csv.body.contains("Krūmiņa Anna"),
            "{}",
            csv.body
        );

        // At Friday's cut-off the caterer gets the order, once.
        t.clock
            .set(jiff::Timestamp::from_second(RIGA_NOV_27_09_01).expect("time"));
        assert_eq!(klade_app::meals::send_orders(&t.app).await.expect("orders"), 1);
        assert_eq!(klade_app::meals::send_orders(&t.app).await.expect("orders"), 0);
        let worker = klade_notify::Worker::new(t.db().clone(), klade_notify::SmsGateway::Outbox);
        worker.run_due(t.app.now()).await.expect("jobs");
        let body = t
            .scalar("SELECT body FROM emails WHERE to_addr = 'virtuve@example.lv'")
            .await;
        assert!(
            body.contains(&format!("2.B: {}", enrolled - 1)) && body.contains("Kopā:"),
            "{body}"
        );
        assert_eq!(
            t.count("emails WHERE to_addr = 'virtuve@example.lv' AND person_id IS NULL")
                .await,
            1
        );
        // After the cut-off Friday's meal stays as it was ordered.
        parent.login("vecaks", "demo").await;
        let r = parent
            .submit(
                "/meals",
                "/meals",
                &[("student", &anna_s), ("date", "2026-11-27"), ("eat", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("meal_cancellations").await, 1);
        // Through the API: a later day, the same rule.
        let token = parent.api_login("vecaks", "demo").await;
        let r = parent
            .api_post(
                "/api/v1/meals",
                serde_json::json!({ "student": anna, "date": "2026-12-01", "eat": false }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let days = parent.api_get("/api/v1/meals", &token).await.json();
        let dec1 = days["children"][0]["days"]
            .as_array()
            .expect("days")
            .iter()
            .find(|d| d["date"] == "2026-12-01")
            .expect("1 December")
            .clone();
        assert!(dec1["off"]["Cancelled"].is_object(), "{dec1}");
    }
}
