//! Setting up an institution from an empty install: the school year with its terms and holidays
//! from the template, checked, on the pages and through the API.

// Helpers here panic on purpose: a panic is a failed test, with its message.
#![allow(clippy::expect_used)]

use axum::http::StatusCode;
use klade_domain::{InstitutionKind, Role};
use klade_testkit::{backends, Client, TestApp};
use serde_json::json;

/// An empty install: one institution of `kind` and its superuser, logged in.
async fn empty(t: &TestApp, kind: InstitutionKind) -> (klade_domain::InstitutionId, Client) {
    let inst = t.institution(kind, "4000000100").await;
    t.person(inst, Role::Superuser, "virs", "virslietotaja-parole", false)
        .await;
    let mut c = t.client();
    assert_eq!(c.login("virs", "virslietotaja-parole").await.location(), Some("/"));
    (inst, c)
}

#[tokio::test]
async fn the_superuser_creates_the_school_year_from_the_template_and_a_wrong_one_is_refused() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let (inst, mut c) = empty(&t, InstitutionKind::General).await;
        let page_url = format!("/setup/years?i={}", inst.0);
        let page = c.get(&page_url).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("value=\"2026/2027\""),
            "the year under way is proposed: {}",
            page.body
        );
        assert!(
            page.body.contains("value=\"2026-12-18\""),
            "semester 1 ends before Christmas week"
        );
        assert!(page.body.contains("Rudens brīvlaiks"));

        let mut fields = vec![
            ("name", "2026/2027"),
            ("starts_on", "2026-09-01"),
            ("ends_on", "2027-08-31"),
            ("term_name", "1. semestris"),
            ("term_from", "2026-09-01"),
            ("term_to", "2026-12-18"),
            ("term_name", "2. semestris"),
            ("term_from", "2026-12-10"),
            ("term_to", "2027-05-31"),
            ("holiday_name", "Rudens brīvlaiks"),
            ("holiday_from", "2026-10-19"),
            ("holiday_to", "2026-10-23"),
        ];
        let refused = c.submit(&page_url, &page_url, &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Semestri pārklājas"), "{}", refused.body);
        assert!(
            refused.body.contains("value=\"2026-12-10\" aria-invalid=\"true\""),
            "what was typed stays, marked"
        );
        assert_eq!(t.count("school_years").await, 0, "nothing was written");
        fields[7] = ("term_from", "2027-01-04");
        let r = c.submit(&page_url, &page_url, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("terms").await, 2);
        assert_eq!(t.count("school_holidays").await, 1);
        let page = c.get(&format!("{page_url}&done=year")).await;
        assert!(
            page.body.contains("Mācību gads izveidots.") && page.body.contains("19.10.2026."),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("value=\"2027/2028\""),
            "the next year is proposed now"
        );
        let again = c.submit(&page_url, &page_url, &fields).await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // Through the API: the proposal as it comes, then a term outside its year.
        let token = c.api_login("virs", "virslietotaja-parole").await;
        let years = c
            .api_get(&format!("/api/v1/institutions/{}/years", inst.0), &token)
            .await
            .json();
        let mut proposal = years["proposal"].clone();
        assert_eq!(proposal["name"], "2027/2028");
        proposal["terms"][1]["ends_on"] = json!("2028-09-15");
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/years", inst.0),
                proposal.clone(),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["field"], "terms.1.starts_on");
        proposal["terms"][1]["ends_on"] = json!("2028-05-31");
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/years", inst.0),
                proposal,
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(t.count("school_years").await, 2);

        // Nobody else sets the year up.
        t.person(inst, Role::Teacher, "skolotaja", "skolotajas-parole-gara", false)
            .await;
        let mut teacher = t.client();
        teacher.login("skolotaja", "skolotajas-parole-gara").await;
        assert_eq!(teacher.get(&page_url).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_preschool_year_is_one_journal_year() {
    for backend in backends() {
        let t = TestApp::new(backend).await;
        let (inst, mut c) = empty(&t, InstitutionKind::Preschool).await;
        let token = c.api_login("virs", "virslietotaja-parole").await;
        let years = c
            .api_get(&format!("/api/v1/institutions/{}/years", inst.0), &token)
            .await
            .json();
        let proposal = &years["proposal"];
        assert_eq!(proposal["terms"].as_array().expect("terms").len(), 1);
        assert_eq!(proposal["terms"][0]["starts_on"], "2026-09-01");
        assert_eq!(proposal["terms"][0]["ends_on"], "2027-08-31");
        let r = c
            .api_post(
                &format!("/api/v1/institutions/{}/years", inst.0),
                proposal.clone(),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}
