//! Several servers, one truth: two servers on one database, each with caches of its own, as behind
//! a load balancer. A session begun on one is good on the other; a change of rights or of an
//! institution made through one is honoured by the other at its next request; failed logins count
//! on both; every queued job (an SMS, an e-mail) is taken by exactly one.

use axum::http::StatusCode;
use klade_testkit::{backends, TestApp};

#[tokio::test]
async fn two_servers_share_sessions_rights_throttling_and_the_job_queue() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let b = t.second_server().await;
        let anna = t.person_named("Anna", "Krūmiņa").await;

        // A parent signs in through the first server and goes on through the second.
        let mut parent = t.client();
        parent.login("vecaks", "demo").await;
        parent.through(&b.router);
        let diary = format!("/diary?student={anna}");
        assert_eq!(parent.get(&diary).await.status, StatusCode::OK);
        assert_eq!(
            parent.get(&diary).await.status,
            StatusCode::OK,
            "from the second's cache"
        );

        // The administration blocks a teacher through the first server: the teacher's session,
        // served by the second (its holdings cached there), stops at once.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        teacher.through(&b.router);
        assert_eq!(teacher.get("/").await.status, StatusCode::OK);
        let mut admin = t.client();
        admin.login("admin", "demo").await;
        let person = t
            .scalar("SELECT CAST(person_id AS TEXT) FROM accounts WHERE username = 'skolotajs'")
            .await;
        let r = admin
            .submit(
                "/admin/accounts",
                &format!("/admin/accounts/{person}/block?i=1"),
                &[("reason", "parole nodota citam")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(teacher.get("/").await.location(), Some("/login"));

        // A guardianship ended through the first is seen by the second's next request.
        t.exec(&format!("DELETE FROM guardianships WHERE child_id = {anna}"))
            .await;
        assert_eq!(parent.get(&diary).await.status, StatusCode::FORBIDDEN);

        // An institution renamed through the first shows in the second's header at once.
        let mut clerk = t.client();
        clerk.login("lietvede", "demo").await;
        clerk.through(&b.router);
        assert!(clerk
            .get("/")
            .await
            .body
            .contains("<small>Daugavmalas Mākslas un dizaina"));
        let page = "/admin/institution?i=1";
        let reg_no = t.scalar("SELECT reg_no FROM institutions WHERE id = 1").await;
        let r = admin
            .submit(
                page,
                page,
                &[
                    ("name", "Daugavmalas vidusskola"),
                    ("reg_no", &reg_no),
                    ("address", "Rīga"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(clerk
            .get("/")
            .await
            .body
            .contains("<small>Daugavmalas vidusskola</small>"));

        // Failed logins counted on either server throttle on both.
        let mut guesser = t.client();
        for attempt in 1..=10 {
            if attempt % 2 == 0 {
                guesser.through(&b.router);
            } else {
                guesser.through(&t.router);
            }
            let r = guesser.login("lietvede", "nepareiza").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        }
        assert_eq!(
            guesser.login("lietvede", "demo").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );

        // Forty jobs, both servers taking them at once: each is taken by one, none left.
        let now = t.app.now();
        for n in 0..40 {
            klade_store::jobs::enqueue(t.db().pool(), "probe", &n.to_string(), now)
                .await
                .expect("enqueue");
        }
        let take = |db: klade_store::Db| async move {
            let mut taken = Vec::new();
            while let Some(job) = klade_store::jobs::claim(&db, now, 60).await.expect("claim") {
                taken.push(job.id);
                tokio::task::yield_now().await;
            }
            taken
        };
        let (first, second) = tokio::join!(tokio::spawn(take(t.db().clone())), tokio::spawn(take(b.app.db.clone())));
        let (first, second) = (first.expect("first"), second.expect("second"));
        let mut all: Vec<i64> = first.iter().chain(second.iter()).copied().collect();
        all.sort_unstable();
        let before = all.len();
        all.dedup();
        assert_eq!(before, all.len(), "a job taken twice: {first:?} {second:?}");
        assert_eq!(
            t.id("SELECT COUNT(*) FROM jobs WHERE kind = 'probe' AND status = 'queued'")
                .await,
            0,
            "none left behind"
        );
        assert_eq!(all.len(), 40);
    }
}
