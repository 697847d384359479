//! The route × role probe: every route of the router, as every demo role and as nobody, against
//! resources of another institution and of another family, class, teacher and group — the answer
//! must be the one the policy gives. Adding a route without its line in [`ROUTES`] fails here.
//!
//! Each line names how the route is guarded: `public` (no session), `own` (one's own things only),
//! `special` (its own rules, tested where they are written: a record's levels, account actions,
//! mail, findings), or `A:` the policy's actions and the scope each is asked on — allowed when any
//! is allowed.
//!
//! 1. **Another institution:** an institution nobody of the demo holds anything in, with a class,
//!    a group, a course, a student and a parent. Every route that names a resource is asked for
//!    that one, by every role: never a success, and never a byte of the student's data.
//! 2. **Within an institution:** every `A:` route that reads, for another class, group, course and
//!    family's student, by every role: allowed exactly when the policy allows. Writes are sent
//!    only by those the policy refuses (so the probe changes nothing it should not).

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::Method;
use klade_domain::{policy, Action, Actor, ClassId, CourseId, InstitutionId, PersonId, Scope};
use klade_testkit::{backends, Client, TestApp};
use std::collections::BTreeSet;

/// Every route: method, path as the router writes it, guard.
const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/", "own"),
    ("GET", "/login", "public"),
    ("POST", "/login", "public"),
    ("POST", "/logout", "public"),
    ("GET", "/account", "own"),
    ("POST", "/account/password", "own"),
    ("POST", "/account/sessions/end-others", "own"),
    ("POST", "/account/username", "own"),
    ("POST", "/account/notifications", "own"),
    ("POST", "/account/contacts", "own"),
    ("POST", "/account/sharing", "own"),
    ("GET", "/account/calendar", "own"),
    ("POST", "/account/calendar", "own"),
    ("POST", "/account/calendar/{id}/revoke", "own"),
    ("GET", "/account/tokens", "own"),
    ("POST", "/account/push", "own"),
    ("POST", "/account/push/{id}/remove", "own"),
    ("GET", "/consents", "own"),
    ("POST", "/consents", "special"),
    ("GET", "/consents/{id}", "special"),
    ("POST", "/consents/{id}/answer", "special"),
    ("POST", "/consents/{id}/withdraw", "special"),
    ("POST", "/consents/{id}/remind", "special"),
    ("GET", "/meals", "own"),
    ("POST", "/meals", "special"),
    ("GET", "/meals/order", "A:ManageMeals@Inst"),
    ("POST", "/meals/settings", "A:ManageMeals@Inst"),
    ("GET", "/meetings", "own"),
    ("POST", "/meetings", "special"),
    ("GET", "/meetings/{id}", "special"),
    ("POST", "/meetings/{id}/book", "special"),
    ("POST", "/meetings/{id}/unbook", "special"),
    ("POST", "/meetings/{id}/remind", "special"),
    ("POST", "/meetings/{id}/cancel", "special"),
    ("POST", "/account/tokens", "own"),
    ("POST", "/account/tokens/{id}/revoke", "own"),
    ("GET", "/calendar/{file}", "public"),
    ("POST", "/rules/ack", "A:ViewInstitution@Inst"),
    ("GET", "/lang/{code}", "public"),
    ("GET", "/healthz", "public"),
    ("GET", "/logo/{i}", "public"),
    ("GET", "/journal", "own"),
    ("GET", "/journal/{course}", "A:ViewJournal@Course"),
    ("GET", "/journal/{course}/plan", "A:ViewJournal@Course"),
    ("POST", "/journal/{course}/plan", "A:KeepJournal@Course"),
    ("POST", "/journal/{course}/plan/import", "A:KeepJournal@Course"),
    ("POST", "/journal/{course}/plan/copy", "A:KeepJournal@Course"),
    ("POST", "/journal/{course}", "A:KeepJournal@Course"),
    ("GET", "/journal/{course}/lesson", "A:KeepJournal@Course"),
    ("POST", "/journal/{course}/lesson", "A:KeepJournal@Course"),
    ("POST", "/journal/{course}/assessments", "A:KeepJournal@Course"),
    ("POST", "/journal/{course}/notes", "A:KeepJournal@Course"),
    ("GET", "/journal/{course}/history", "A:ViewJournal@Course"),
    (
        "GET",
        "/classes/{class}/summary",
        "A:ViewJournal@Class|CheckJournals@Inst",
    ),
    ("GET", "/timetable", "own"),
    ("GET", "/classes/{class}/timetable", "A:EnterTimetable@Inst"),
    ("POST", "/classes/{class}/timetable", "A:EnterTimetable@Inst"),
    ("POST", "/classes/{class}/substitutions", "A:EnterTimetable@Inst"),
    ("POST", "/classes/{class}/courses", "A:EnterTimetable@Inst"),
    ("GET", "/admin/accounts", "A:ManageAccounts@Inst|IssuePassword@Inst"),
    ("POST", "/admin/accounts/{person}/{action}", "special"),
    ("GET", "/admin/sms", "A:ManageAccounts@Inst"),
    ("GET", "/admin/access-log", "A:ViewAccessLog@Inst"),
    ("GET", "/people/{id}", "special"),
    ("POST", "/people/{id}/contacts", "special"),
    ("POST", "/people/{id}/record", "special"),
    ("POST", "/people/{id}/transfer", "special"),
    ("POST", "/people/{id}/exit", "special"),
    ("GET", "/people/{id}/export.json", "own"),
    ("GET", "/people/{id}/data", "own"),
    (
        "GET",
        "/classes/{class}/students",
        "A:ViewContacts@Class|EnrolStudents@Inst",
    ),
    ("POST", "/classes/{class}/students", "A:EnrolStudents@Inst"),
    ("POST", "/classes/{class}/inform-parents", "A:InformParents@Class"),
    ("GET", "/account/privacy", "own"),
    ("GET", "/admin/rules", "A:ManageAccounts@Inst|AppointSuperuser@Inst"),
    ("POST", "/admin/rules", "A:ManageAccounts@Inst|AppointSuperuser@Inst"),
    ("POST", "/admin/rules/superuser", "A:AppointSuperuser@Inst"),
    (
        "POST",
        "/admin/rules/sms",
        "A:ManageAccounts@Inst|AppointSuperuser@Inst",
    ),
    (
        "GET",
        "/admin/import",
        "A:ImportFromViis@Inst|EnterStaff@Inst|EnterTimetable@Inst",
    ),
    (
        "POST",
        "/admin/import",
        "A:ImportFromViis@Inst|EnterStaff@Inst|EnterTimetable@Inst",
    ),
    (
        "GET",
        "/admin/import/{id}",
        "A:ImportFromViis@Inst|EnterStaff@Inst|EnterTimetable@Inst",
    ),
    (
        "POST",
        "/admin/import/{id}/confirm",
        "A:ImportFromViis@Inst|EnterStaff@Inst|EnterTimetable@Inst",
    ),
    ("GET", "/diary", "special"),
    ("GET", "/grades", "own"),
    ("POST", "/diary/absence", "A:ReportAbsence@Student"),
    (
        "GET",
        "/classes/{class}/absences",
        "A:ExcuseAbsences@Class|CheckJournals@Inst",
    ),
    ("POST", "/classes/{class}/absences", "A:ExcuseAbsences@Student"),
    ("POST", "/classes/{class}/absences/checked", "A:ExcuseAbsences@Student"),
    ("POST", "/classes/{class}/absences/days", "A:ExcuseAbsences@Class"),
    ("GET", "/students/{id}/grades", "special"),
    ("GET", "/classes/{class}/report", "A:PrintProgressReport@Class"),
    ("GET", "/classes/{class}/report.pdf", "A:PrintProgressReport@Class"),
    ("GET", "/classes/{class}/card", "A:PrintProgressReport@Class"),
    ("GET", "/classes/{class}/card.pdf", "A:PrintProgressReport@Class"),
    ("GET", "/reports/progress.pdf", "special"),
    ("GET", "/messages", "own"),
    ("GET", "/messages/new", "A:SendMessages@Inst"),
    ("POST", "/messages/new", "A:SendMessages@Inst"),
    ("GET", "/messages/{thread}", "special"),
    ("POST", "/messages/{message}/reply", "special"),
    ("GET", "/messages/attachments/{id}", "special"),
    ("GET", "/news", "own"),
    ("POST", "/news", "A:PublishNews@Inst"),
    ("POST", "/news/{id}/delete", "special"),
    ("GET", "/admin/words", "A:ManageWordList@Inst"),
    ("POST", "/admin/words", "A:ManageWordList@Inst"),
    ("GET", "/groups/{group}", "special"),
    (
        "POST",
        "/groups/{group}/attendance",
        "A:KeepJournal@Class|CorrectPreschoolAttendance@Class",
    ),
    ("POST", "/groups/{group}/journal", "A:KeepJournal@Class"),
    (
        "GET",
        "/groups/{group}/week",
        "A:CorrectPreschoolAttendance@Class|ViewJournal@Class",
    ),
    ("GET", "/groups/{group}/assessment", "A:ViewJournal@Class"),
    ("POST", "/groups/{group}/assessment", "A:KeepJournal@Class"),
    ("GET", "/preschool/photos/{id}", "special"),
    ("GET", "/preschool", "A:ViewDiary@Student|ViewJournal@Class"),
    ("POST", "/admin/archive", "A:ArchiveYear@Inst"),
    ("GET", "/admin/years", "A:LockYear@Inst|CheckJournals@Inst"),
    ("POST", "/admin/years/lock", "A:LockYear@Inst"),
    ("POST", "/admin/years/consent", "A:CheckJournals@Inst"),
    ("GET", "/groups/{group}/checks", "A:ViewJournal@Class"),
    ("POST", "/groups/{group}/checks", "A:CheckJournals@Inst"),
    ("POST", "/groups/{group}/checks/{id}", "special"),
    ("GET", "/journal/{course}/checks", "A:ViewJournal@Course"),
    ("POST", "/journal/{course}/checks", "A:CheckJournals@Inst"),
    ("POST", "/journal/{course}/checks/{id}", "special"),
    ("GET", "/checks", "A:ViewInstitution@Inst"),
    ("GET", "/groups/{group}/plan", "A:ViewJournal@Class|ViewDiary@Student"),
    ("POST", "/groups/{group}/plan", "A:KeepJournal@Class"),
    ("GET", "/groups/{group}/talks", "A:ViewJournal@Class|ViewDiary@Student"),
    ("POST", "/groups/{group}/talks", "A:KeepJournal@Class"),
    ("GET", "/preschool/plans", "A:CheckJournals@Inst"),
    ("GET", "/calendar", "A:ManageCalendar@Inst"),
    ("POST", "/calendar/days", "A:ManageCalendar@Inst"),
    ("POST", "/calendar/days/remove", "A:ManageCalendar@Inst"),
    ("POST", "/calendar/holidays", "A:ManageCalendar@Inst"),
    ("POST", "/calendar/holidays/remove", "A:ManageCalendar@Inst"),
    ("GET", "/deadlines/settings", "A:ManageCalendar@Inst"),
    ("POST", "/deadlines/settings", "A:ManageCalendar@Inst"),
    ("GET", "/deadlines", "own"),
    ("GET", "/deadlines/overview", "A:CheckJournals@Inst|ViewStatistics@Inst"),
    ("GET", "/statistics", "A:ViewStatistics@Inst"),
    ("GET", "/absence-summary", "special"),
    ("POST", "/absence-summary/publish", "A:PublishAbsenceSummary@Inst"),
    ("GET", "/classes/{class}/viis", "A:ExportToViis@Inst"),
    ("GET", "/setup/years", "A:PrepareYear@Inst"),
    ("POST", "/setup/years", "A:PrepareYear@Inst"),
    ("GET", "/api/v1/institutions/{i}/years", "A:PrepareYear@Inst"),
    ("POST", "/api/v1/institutions/{i}/years", "A:PrepareYear@Inst"),
    ("GET", "/setup/staff", "A:EnterStaff@Inst"),
    ("POST", "/setup/staff", "A:EnterStaff@Inst"),
    ("GET", "/setup/classes", "A:PrepareYear@Inst|EnterStaff@Inst"),
    ("POST", "/setup/classes", "A:PrepareYear@Inst"),
    ("POST", "/setup/classes/{class}/tutors", "A:EnterStaff@Inst"),
    (
        "GET",
        "/setup/classes/{class}/plan",
        "A:PrepareYear@Inst|EnterTimetable@Inst",
    ),
    (
        "POST",
        "/setup/classes/{class}/plan",
        "A:PrepareYear@Inst|EnterTimetable@Inst",
    ),
    (
        "POST",
        "/setup/classes/{class}/plan/copy",
        "A:PrepareYear@Inst|EnterTimetable@Inst",
    ),
    ("POST", "/setup/subjects", "A:PrepareYear@Inst"),
    ("GET", "/admin/institution", "A:PrepareYear@Inst"),
    ("POST", "/admin/institution", "A:PrepareYear@Inst"),
    ("GET", "/admin/institution/logo", "A:PrepareYear@Inst"),
    ("POST", "/admin/institution/logo", "A:PrepareYear@Inst"),
    ("GET", "/api/v1/institutions/{i}/settings", "A:PrepareYear@Inst"),
    ("PUT", "/api/v1/institutions/{i}/settings", "A:PrepareYear@Inst"),
    ("PUT", "/api/v1/institutions/{i}/logo", "A:PrepareYear@Inst"),
    ("DELETE", "/api/v1/institutions/{i}/logo", "A:PrepareYear@Inst"),
    ("GET", "/setup/next-year", "A:PrepareYear@Inst"),
    ("POST", "/setup/next-year", "A:PrepareYear@Inst"),
    ("GET", "/api/v1/institutions/{i}/next-year", "A:PrepareYear@Inst"),
    ("POST", "/api/v1/institutions/{i}/next-year", "A:PrepareYear@Inst"),
    ("POST", "/api/v1/institutions/{i}/staff", "A:EnterStaff@Inst"),
    (
        "GET",
        "/api/v1/institutions/{i}/classes",
        "A:PrepareYear@Inst|EnterStaff@Inst",
    ),
    ("POST", "/api/v1/institutions/{i}/classes", "A:PrepareYear@Inst"),
    ("POST", "/api/v1/institutions/{i}/subjects", "A:PrepareYear@Inst"),
    ("POST", "/api/v1/classes/{class}/tutors", "A:EnterStaff@Inst"),
    (
        "GET",
        "/api/v1/classes/{class}/plan",
        "A:PrepareYear@Inst|EnterTimetable@Inst",
    ),
    (
        "PUT",
        "/api/v1/classes/{class}/plan",
        "A:PrepareYear@Inst|EnterTimetable@Inst",
    ),
    (
        "POST",
        "/api/v1/classes/{class}/plan/copy",
        "A:PrepareYear@Inst|EnterTimetable@Inst",
    ),
    ("POST", "/people/{id}/parents", "A:EditContacts@Student"),
    ("POST", "/api/v1/students/{id}/parents", "A:EditContacts@Student"),
    ("GET", "/classes/{class}/families", "A:EditContacts@Class"),
    ("POST", "/classes/{class}/families/invite", "special"),
    ("POST", "/classes/{class}/families/slips.pdf", "A:EditContacts@Class"),
    ("GET", "/join", "public"),
    ("POST", "/join", "public"),
    ("GET", "/api/v1/classes/{class}/families", "A:EditContacts@Class"),
    ("POST", "/api/v1/people/{id}/invitations", "special"),
    ("POST", "/api/v1/auth/join", "public"),
    ("GET", "/login/second-factor", "public"),
    ("POST", "/login/second-factor", "public"),
    ("GET", "/account/second-factor", "own"),
    ("POST", "/account/second-factor", "own"),
    ("POST", "/account/second-factor/off", "own"),
    ("GET", "/static/app.css", "public"),
    ("GET", "/static/favicon.svg", "public"),
    ("GET", "/static/forms.js", "public"),
    ("GET", "/static/push.js", "public"),
    ("GET", "/push-sw.js", "public"),
    ("GET", "/favicon.ico", "public"),
    ("GET", "/manifest.webmanifest", "public"),
    ("GET", "/static/grid.js", "public"),
    ("GET", "/static/icon-192.png", "public"),
    ("GET", "/static/icon-512.png", "public"),
    ("GET", "/static/icon-maskable-512.png", "public"),
    ("GET", "/apple-touch-icon.png", "public"),
    ("GET", "/metrics", "special"),
    ("POST", "/api/v1/auth/login", "public"),
    ("POST", "/api/v1/auth/logout", "own"),
    ("GET", "/api/v1/me", "own"),
    ("POST", "/api/v1/me/password", "own"),
    ("POST", "/api/v1/auth/second-factor", "public"),
    ("GET", "/api/v1/me/second-factor", "own"),
    ("POST", "/api/v1/me/second-factor/setup", "own"),
    ("POST", "/api/v1/me/second-factor/confirm", "own"),
    ("POST", "/api/v1/me/second-factor/off", "own"),
    ("GET", "/api/v1/me/sharing", "own"),
    ("POST", "/api/v1/me/sharing", "own"),
    ("GET", "/api/v1/me/calendar-feeds", "own"),
    ("POST", "/api/v1/me/calendar-feeds", "own"),
    ("POST", "/api/v1/me/calendar-feeds/{id}/revoke", "own"),
    ("GET", "/api/v1/me/tokens", "own"),
    ("GET", "/api/v1/me/push-subscriptions", "own"),
    ("POST", "/api/v1/me/push-subscriptions", "own"),
    ("POST", "/api/v1/me/push-subscriptions/{id}/remove", "own"),
    ("GET", "/api/v1/consents", "own"),
    ("POST", "/api/v1/consents", "special"),
    ("GET", "/api/v1/consents/{id}", "special"),
    ("POST", "/api/v1/consents/{id}/answer", "special"),
    ("POST", "/api/v1/consents/{id}/withdraw", "special"),
    ("POST", "/api/v1/consents/{id}/remind", "special"),
    ("GET", "/api/v1/meals", "own"),
    ("POST", "/api/v1/meals", "special"),
    ("GET", "/api/v1/meals/order", "A:ManageMeals@Inst"),
    ("GET", "/api/v1/meals/settings", "A:ManageMeals@Inst"),
    ("PUT", "/api/v1/meals/settings", "A:ManageMeals@Inst"),
    ("GET", "/api/v1/meetings", "own"),
    ("POST", "/api/v1/meetings", "special"),
    ("GET", "/api/v1/meetings/{id}", "special"),
    ("POST", "/api/v1/meetings/{id}/book", "special"),
    ("POST", "/api/v1/meetings/{id}/unbook", "special"),
    ("POST", "/api/v1/meetings/{id}/remind", "special"),
    ("POST", "/api/v1/meetings/{id}/cancel", "special"),
    ("POST", "/api/v1/me/tokens", "own"),
    ("POST", "/api/v1/me/tokens/{id}/revoke", "own"),
    ("GET", "/api/v1/openapi.json", "public"),
    ("GET", "/api/v1/courses", "own"),
    ("GET", "/api/v1/courses/{id}/grid", "A:ViewJournal@Course"),
    ("GET", "/api/v1/courses/{id}/plan", "A:ViewJournal@Course"),
    ("PUT", "/api/v1/courses/{id}/plan", "A:KeepJournal@Course"),
    ("POST", "/api/v1/courses/{id}/cells", "A:KeepJournal@Course"),
    ("POST", "/api/v1/courses/{id}/lessons", "A:KeepJournal@Course"),
    ("POST", "/api/v1/courses/{id}/assessments", "A:KeepJournal@Course"),
    ("POST", "/api/v1/courses/{id}/notes", "A:KeepJournal@Course"),
    ("GET", "/api/v1/courses/{id}/history", "A:ViewJournal@Course"),
    ("GET", "/api/v1/students/{id}/journal", "A:ViewDiary@Student"),
    ("GET", "/api/v1/timetable", "own"),
    ("GET", "/api/v1/students/{id}/diary", "A:ViewDiary@Student"),
    (
        "POST",
        "/api/v1/students/{id}/absence-notices",
        "A:ReportAbsence@Student",
    ),
    ("POST", "/api/v1/students/{id}/excuses", "A:ExcuseAbsences@Student"),
    (
        "POST",
        "/api/v1/students/{id}/keep-unexcused",
        "A:ExcuseAbsences@Student",
    ),
    (
        "GET",
        "/api/v1/classes/{class}/absences",
        "A:ExcuseAbsences@Class|CheckJournals@Inst",
    ),
    ("GET", "/api/v1/students/{id}/grades", "special"),
    (
        "GET",
        "/api/v1/classes/{class}/progress-reports",
        "A:PrintProgressReport@Class",
    ),
    (
        "GET",
        "/api/v1/classes/{class}/report-cards",
        "A:PrintProgressReport@Class",
    ),
    ("GET", "/api/v1/people/{id}", "special"),
    ("POST", "/api/v1/people/{id}/contacts", "special"),
    ("GET", "/api/v1/people/{id}/access-log", "own"),
    ("GET", "/api/v1/people/{id}/export", "own"),
    (
        "GET",
        "/api/v1/institutions/{i}/staff",
        "A:ManageAccounts@Inst|IssuePassword@Inst",
    ),
    ("POST", "/api/v1/institutions/{i}/staff/{person}/{action}", "special"),
    ("GET", "/api/v1/institutions/{i}/sms", "A:ManageAccounts@Inst"),
    ("GET", "/api/v1/me/contacts/proposed", "own"),
    ("POST", "/api/v1/me/contacts/proposed", "own"),
    ("POST", "/api/v1/classes/{class}/students", "A:EnrolStudents@Inst"),
    ("POST", "/api/v1/people/{id}/transfer", "special"),
    ("POST", "/api/v1/people/{id}/exit", "special"),
    (
        "POST",
        "/api/v1/institutions/{i}/imports",
        "A:ImportFromViis@Inst|EnterStaff@Inst|EnterTimetable@Inst",
    ),
    (
        "GET",
        "/api/v1/institutions/{i}/imports/{id}",
        "A:ImportFromViis@Inst|EnterStaff@Inst|EnterTimetable@Inst",
    ),
    (
        "POST",
        "/api/v1/institutions/{i}/imports/{id}/confirm",
        "A:ImportFromViis@Inst|EnterStaff@Inst|EnterTimetable@Inst",
    ),
    ("POST", "/api/v1/institutions/{i}/rules/ack", "A:ViewInstitution@Inst"),
    ("POST", "/api/v1/institutions/{i}/superusers", "A:AppointSuperuser@Inst"),
    ("POST", "/api/v1/me/username", "own"),
    ("GET", "/api/v1/messages", "own"),
    ("POST", "/api/v1/messages", "A:SendMessages@Inst"),
    ("GET", "/api/v1/messages/recipients", "A:SendMessages@Inst"),
    ("GET", "/api/v1/messages/{thread}", "special"),
    ("POST", "/api/v1/messages/{message}/reply", "special"),
    ("GET", "/api/v1/messages/attachments/{id}", "special"),
    ("GET", "/api/v1/news", "own"),
    ("POST", "/api/v1/news", "A:PublishNews@Inst"),
    ("DELETE", "/api/v1/news/{id}", "special"),
    ("GET", "/api/v1/groups/{group}/checks", "A:ViewJournal@Class"),
    ("POST", "/api/v1/groups/{group}/checks", "A:CheckJournals@Inst"),
    ("POST", "/api/v1/groups/{group}/checks/{id}/{action}", "special"),
    ("GET", "/api/v1/courses/{course}/checks", "A:ViewJournal@Course"),
    ("POST", "/api/v1/courses/{course}/checks", "A:CheckJournals@Inst"),
    ("POST", "/api/v1/courses/{course}/checks/{id}/{action}", "special"),
    ("GET", "/api/v1/institutions/{i}/checks", "A:ViewInstitution@Inst"),
    (
        "GET",
        "/api/v1/groups/{group}/plan",
        "A:ViewJournal@Class|ViewDiary@Student",
    ),
    ("PUT", "/api/v1/groups/{group}/plan", "A:KeepJournal@Class"),
    (
        "GET",
        "/api/v1/groups/{group}/talks",
        "A:ViewJournal@Class|ViewDiary@Student",
    ),
    ("POST", "/api/v1/groups/{group}/talks", "A:KeepJournal@Class"),
    ("GET", "/api/v1/institutions/{i}/plans", "A:CheckJournals@Inst"),
    ("GET", "/api/v1/deadlines", "own"),
    (
        "GET",
        "/api/v1/deadlines/{i}",
        "A:CheckJournals@Inst|ViewStatistics@Inst",
    ),
    ("GET", "/api/v1/deadlines/{i}/calendar", "A:ManageCalendar@Inst"),
    ("GET", "/api/v1/deadlines/{i}/settings", "A:ManageCalendar@Inst"),
    ("PUT", "/api/v1/deadlines/{i}/settings", "A:ManageCalendar@Inst"),
    ("GET", "/api/v1/institutions/{i}/statistics", "A:ViewStatistics@Inst"),
    ("GET", "/api/v1/institutions/{i}/absence-summary", "special"),
    (
        "POST",
        "/api/v1/institutions/{i}/absence-summary/{month}/publish",
        "A:PublishAbsenceSummary@Inst",
    ),
    ("GET", "/api/v1/classes/{class}/viis", "A:ExportToViis@Inst"),
];

const ROLES: [&str; 14] = [
    "admin",
    "direktors",
    "vietnieks",
    "metodikis",
    "radosais",
    "audzinasana",
    "pii.vietniece",
    "lietvede",
    "masa",
    "audzinataja",
    "skolotajs",
    "pii.skolotaja",
    "skolens",
    "vecaks",
];

/// Every `.route(...)` in the web crate's sources, as (method, full path).
fn routes_in_sources() -> BTreeSet<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("web sources") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut out = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        let prefix = if file.components().any(|c| c.as_os_str() == "api") {
            "/api/v1"
        } else {
            ""
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(open) = rest.find('"') else { break };
            let Some(close) = rest[open + 1..].find('"') else { break };
            let path = &rest[open + 1..open + 1 + close];
            // The handlers: up to the call's closing parenthesis.
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let call = &rest[..end];
            for method in ["get", "post", "put", "delete", "patch"] {
                let used = call
                    .match_indices(&format!("{method}("))
                    .any(|(i, _)| i == 0 || !call[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                if used {
                    out.insert((method.to_uppercase(), format!("{prefix}{path}")));
                }
            }
        }
    }
    out
}

#[test]
fn every_route_has_its_line_and_every_line_its_route() {
    let listed: BTreeSet<(String, String)> = ROUTES.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(listed.len(), ROUTES.len(), "a route is listed twice");
    let routed = routes_in_sources();
    let missing: Vec<_> = routed.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes without a line in ROUTES (add one, with its guard): {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&routed).collect();
    assert!(stale.is_empty(), "lines in ROUTES without a route: {stale:?}");
    for (_, _, guard) in ROUTES {
        assert!(
            matches!(*guard, "public" | "own" | "special") || guard.starts_with("A:"),
            "{guard}"
        );
        for part in guard
            .strip_prefix("A:")
            .unwrap_or("")
            .split('|')
            .filter(|p| !p.is_empty())
        {
            let (action, on) = part.split_once('@').expect("Action@Target");
            assert!(action_named(action).is_some(), "no action {action}");
            assert!(matches!(on, "Inst" | "Class" | "Course" | "Student"), "no target {on}");
        }
    }
}

/// The API's contract names only routes there are.
#[test]
fn the_openapi_document_names_only_listed_routes() {
    let doc: serde_json::Value = serde_json::from_str(include_str!("../../../web/src/api/openapi.json")).expect("json");
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for method in methods.as_object().expect("methods").keys() {
            let full = format!("/api/v1{path}");
            assert!(
                ROUTES
                    .iter()
                    .any(|(m, p, _)| m.eq_ignore_ascii_case(method) && *p == full),
                "{method} {full} is in openapi.json but not routed"
            );
        }
    }
}

fn action_named(name: &str) -> Option<Action> {
    Action::ALL.into_iter().find(|a| format!("{a:?}") == name)
}

/// What a path's placeholders and the usual query and form fields are filled with.
#[derive(Clone, Debug)]
struct Targets {
    institution: i64,
    class: i64,
    group: i64,
    course: i64,
    person: i64,
    message: i64,
    news: i64,
    import: i64,
    check: i64,
    meeting: i64,
    consent: i64,
}

fn fill(path: &str, t: &Targets) -> String {
    let id = |p: &str| -> i64 {
        if p.contains("/imports/") {
            t.import
        } else if p.contains("/checks/") {
            t.check
        } else if p.contains("/news/") {
            t.news
        } else if p.contains("/meetings/") {
            t.meeting
        } else if p.contains("/consents/") {
            t.consent
        } else if p.contains("/attachments/") || p.contains("/photos/") {
            t.message
        } else if p.starts_with("/api/v1/courses/") {
            t.course
        } else {
            t.person
        }
    };
    path.replace("{i}", &t.institution.to_string())
        .replace("{class}", &t.class.to_string())
        .replace("{group}", &t.group.to_string())
        .replace("{course}", &t.course.to_string())
        .replace("{person}", &t.person.to_string())
        .replace("{thread}", &t.message.to_string())
        .replace("{message}", &t.message.to_string())
        .replace("{id}", &id(path).to_string())
        .replace("{action}", if path.contains("/staff/") { "password" } else { "close" })
        .replace("{month}", "2026-10")
        .replace("{code}", "en")
}

/// The query every request carries: the institution and the student, under every name the
/// routes use, and what required parameters need.
fn query(t: &Targets, csrf: &str) -> String {
    format!(
        "i={i}&institution={i}&student={p}&child={p}&person={p}&item=lesson:1&from=2026-09-01&to=2026-11-26&month=2026-10&kind=students&csrf={csrf}",
        i = t.institution,
        p = t.person
    )
}

struct Caller {
    role: &'static str,
    page: Client,
    token: String,
    csrf: String,
    actor: Option<Actor>,
}

async fn callers(t: &TestApp) -> Vec<Caller> {
    let mut out = Vec::new();
    let today = t.app.today();
    for role in ROLES {
        let mut page = t.client();
        page.login(role, "demo").await;
        let csrf = page.get("/account").await.csrf().expect("a signed-in page");
        let token = t.client().api_login(role, "demo").await;
        let person = t
            .id(&format!("SELECT person_id FROM accounts WHERE username = '{role}'"))
            .await;
        let held = klade_store::accounts::holdings(t.db().pool(), PersonId(person), today)
            .await
            .expect("holdings");
        out.push(Caller {
            role,
            page,
            token,
            csrf,
            actor: Some(Actor {
                person: PersonId(person),
                grants: held.grants,
                children: held.children,
                courses: held.courses,
            }),
        });
    }
    out.push(Caller {
        role: "nobody",
        page: t.client(),
        token: String::new(),
        csrf: String::new(),
        actor: None,
    });
    out
}

async fn send(c: &mut Caller, method: &str, path: &str, t: &Targets) -> klade_testkit::Response {
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let url = format!("{path}?{}", query(t, &c.csrf));
    let api = path.starts_with("/api/");
    let body = if method == Method::GET {
        String::new()
    } else if api {
        serde_json::json!({ "institution": t.institution, "i": t.institution, "student": t.person }).to_string()
    } else {
        format!(
            "csrf={}&i={i}&institution={i}&student={p}",
            c.csrf,
            i = t.institution,
            p = t.person
        )
    };
    let content_type = if api {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let token = (api && !c.token.is_empty()).then_some(c.token.as_str());
    c.page.request(method, &url, Some(content_type), body, token).await
}

/// Refused, as a denial reads: no success, no redirect onward (but to the login page).
fn refused(r: &klade_testkit::Response) -> bool {
    match r.status.as_u16() {
        400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 => true,
        303 | 302 => r.location().is_some_and(|l| l.starts_with("/login")),
        _ => false,
    }
}

/// An institution nobody of the demo holds anything in, and its student "Slepenā Skolniece".
async fn another_institution(t: &TestApp) -> Targets {
    t.exec("INSERT INTO institutions (kind, name, reg_no, address, created_at) VALUES ('general', 'Citā skola', '4099999999', '', 0)").await;
    let i = t.id("SELECT id FROM institutions WHERE reg_no = '4099999999'").await;
    t.exec(&format!("INSERT INTO school_years (institution_id, name, starts_on, ends_on) VALUES ({i}, '2026/2027', '2026-09-01', '2027-08-31')")).await;
    let y = t
        .id(&format!("SELECT id FROM school_years WHERE institution_id = {i}"))
        .await;
    t.exec(&format!("INSERT INTO terms (institution_id, school_year_id, ordinal, name, starts_on, ends_on) VALUES ({i}, {y}, 1, '1. semestris', '2026-09-01', '2026-12-23')")).await;
    t.exec(&format!(
        "INSERT INTO classes (institution_id, school_year_id, name, kind, grade) VALUES ({i}, {y}, '9.Z', 'class', 9)"
    ))
    .await;
    t.exec(&format!(
        "INSERT INTO classes (institution_id, school_year_id, name, kind) VALUES ({i}, {y}, 'Ezīši', 'group')"
    ))
    .await;
    let class = t
        .id(&format!(
            "SELECT id FROM classes WHERE institution_id = {i} AND kind = 'class'"
        ))
        .await;
    let group = t
        .id(&format!(
            "SELECT id FROM classes WHERE institution_id = {i} AND kind = 'group'"
        ))
        .await;
    t.exec(&format!(
        "INSERT INTO subjects (institution_id, kind, name) VALUES ({i}, 'subject', 'Vēsture')"
    ))
    .await;
    let subject = t
        .id(&format!("SELECT id FROM subjects WHERE institution_id = {i}"))
        .await;
    t.exec(&format!("INSERT INTO courses (institution_id, school_year_id, subject_id, class_id, name, subgroup) VALUES ({i}, {y}, {subject}, {class}, 'Vēsture', '')")).await;
    let course = t
        .id(&format!("SELECT id FROM courses WHERE institution_id = {i}"))
        .await;
    t.exec("INSERT INTO persons (given_name, family_name, personal_code, phone, created_at) VALUES ('Slepenā', 'Skolniece', '010111-20099', '+37120099999', 0)").await;
    let student = t.id("SELECT id FROM persons WHERE given_name = 'Slepenā'").await;
    t.exec(&format!("INSERT INTO memberships (institution_id, person_id, role, valid_from, basis, order_number, order_date, created_at) VALUES ({i}, {student}, 'student', '2026-09-01', 'order', 'x', '2026-09-01', 0)")).await;
    t.exec(&format!("INSERT INTO enrolments (institution_id, class_id, student_id, valid_from, order_number, order_date, reason, created_at) VALUES ({i}, {class}, {student}, '2026-09-01', 'x', '2026-09-01', 'uzņemšana', 0)")).await;
    t.exec(&format!("INSERT INTO person_records (institution_id, person_id, address_declared) VALUES ({i}, {student}, 'Slepenā iela 1')")).await;
    t.exec(&format!("INSERT INTO imports (institution_id, kind, filename, table_json, status, total, created_by, created_at) VALUES ({i}, 'students', 'Slepenā.csv', '{{}}', 'preview', 0, {student}, 0)")).await;
    let import = t
        .id(&format!("SELECT id FROM imports WHERE institution_id = {i}"))
        .await;
    t.exec(&format!("INSERT INTO messages (institution_id, sender_id, subject, body, audience, search_text, created_at) VALUES ({i}, {student}, 'Slepenā vēstule', 'Slepenā', '', '', 0)")).await;
    let message = t
        .id(&format!("SELECT id FROM messages WHERE institution_id = {i}"))
        .await;
    t.exec(&format!(
        "UPDATE messages SET thread_id = {message} WHERE id = {message}"
    ))
    .await;
    t.exec(&format!("INSERT INTO news (institution_id, category, audience, title, body, visible_from, visible_to, author_id, created_at) VALUES ({i}, 'general', 'everyone', 'Slepenā ziņa', 'Slepenā', '2026-09-01', '2027-08-31', {student}, 0)")).await;
    let news = t.id(&format!("SELECT id FROM news WHERE institution_id = {i}")).await;
    t.exec(&format!("INSERT INTO meetings (institution_id, class_id, host_id, title, place, book_by, created_at) VALUES ({i}, {class}, {student}, 'Slepenā sapulce', 'Slepenā iela', 1900000000, 0)")).await;
    let meeting = t
        .id(&format!("SELECT id FROM meetings WHERE institution_id = {i}"))
        .await;
    t.exec(&format!("INSERT INTO meeting_slots (meeting_id, institution_id, starts_at, ends_at) VALUES ({meeting}, {i}, 1900003600, 1900004500)")).await;
    t.exec(&format!("INSERT INTO consents (institution_id, author_id, kind, title, body, choices, answer_by, created_at) VALUES ({i}, {student}, 'consent', 'Slepenā ekskursija', 'Slepenā', '', '2027-06-01', 0)")).await;
    let consent = t
        .id(&format!("SELECT id FROM consents WHERE institution_id = {i}"))
        .await;
    t.exec(&format!(
        "INSERT INTO consent_classes (consent_id, institution_id, class_id) VALUES ({consent}, {i}, {class})"
    ))
    .await;
    t.exec(&format!("INSERT INTO consent_answers (consent_id, institution_id, student_id, parent_id, answer, answered_at) VALUES ({consent}, {i}, {student}, {student}, 'Slepenā atbilde', 0)")).await;
    Targets {
        institution: i,
        class,
        group,
        course,
        person: student,
        message,
        news,
        import,
        check: 999_999,
        meeting,
        consent,
    }
}

const SECRETS: [&str; 4] = ["Slepenā", "20099999", "010111-20099", "Slepenā iela"];

#[tokio::test]
async fn nothing_of_another_institution_is_reached_by_any_role_on_any_route() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let other = another_institution(&t).await;
        let mut callers = callers(&t).await;
        let mut wrong = Vec::new();
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        for (method, path, guard) in ROUTES {
            if matches!(
                *path,
                "/logout" | "/api/v1/auth/logout" | "/account/sessions/end-others"
            ) {
                continue; // would end the probe's own sessions
            }
            let url = fill(path, &other);
            for c in &mut callers {
                let r = send(c, method, &url, &other).await;
                *statuses.entry(r.status.as_u16()).or_default() += 1;
                let leaked = SECRETS.iter().any(|s| r.body.contains(s));
                let broke = r.status.is_server_error();
                let names_it = path.contains('{') || *guard != "own" && *guard != "public";
                let reached = names_it && !matches!(*guard, "own" | "public") && !refused(&r);
                if leaked || broke || reached {
                    wrong.push(format!(
                        "{} {method} {url} → {}{}",
                        c.role,
                        r.status,
                        if leaked { " (leaks)" } else { "" }
                    ));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{backend:?}: {} answers not as the policy gives:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
        let asked: usize = statuses.values().sum();
        assert!(asked > ROUTES.len() * 14, "{asked} requests");
        eprintln!("{backend:?}: {asked} requests, answers by status: {statuses:?}");
    }
}

/// A resource of the demo, and where it is.
struct Within {
    targets: Targets,
    institution: InstitutionId,
    class: Option<ClassId>,
    course: Option<CourseId>,
    person: Option<PersonId>,
}

fn scope_of(on: &str, w: &Within) -> Option<Scope> {
    let institution = w.institution;
    Some(match on {
        "Inst" => Scope::Institution(institution),
        "Class" => Scope::Class {
            institution,
            class: w.class?,
        },
        "Course" => Scope::Course {
            institution,
            course: w.course?,
            class: w.class,
        },
        _ => Scope::Student {
            institution,
            student: w.person?,
            class: w.class,
        },
    })
}

/// Which of a route's placeholders and fields the probe fills with this resource: a route that
/// names something else is not asked about it.
fn fits(path: &str, w: &Within) -> bool {
    let needs_class = path.contains("{class}") || path.contains("{group}");
    let needs_course = path.contains("{course}") || path.starts_with("/api/v1/courses/{id}");
    let needs_person = path.contains("{person}")
        || (path.contains("{id}") && (path.contains("/people/") || path.contains("/students/")));
    if path.contains("{thread}")
        || path.contains("{message}")
        || path.contains("/imports/{id}")
        || path.contains("/checks/{id}")
        || path.contains("/news/{id}")
        || path.contains("/meetings/{id}")
        || path.contains("/consents/{id}")
        || path.contains("/attachments/")
        || path.contains("/photos/")
    {
        return false;
    }
    (!needs_class || w.class.is_some())
        && (!needs_course || w.course.is_some())
        && (!needs_person || w.person.is_some())
}

#[tokio::test]
async fn within_an_institution_each_role_reaches_what_the_policy_gives_it() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let class_4c = t.id("SELECT id FROM classes WHERE name = '4.C'").await;
        let group = t.id("SELECT id FROM classes WHERE name = 'Bitītes'").await;
        let course = t
            .id(&format!("SELECT c.id FROM courses c JOIN subjects s ON s.id = c.subject_id WHERE c.class_id = {class_4c} AND s.name = 'Matemātika'"))
            .await;
        let student = t
            .id(&format!(
                "SELECT student_id FROM enrolments WHERE class_id = {class_4c} ORDER BY student_id LIMIT 1"
            ))
            .await;
        let child = t
            .id(&format!(
                "SELECT student_id FROM enrolments WHERE class_id = {group} ORDER BY student_id LIMIT 1"
            ))
            .await;
        let base = |i: i64| Targets {
            institution: i,
            class: 0,
            group: 0,
            course: 0,
            person: 0,
            message: 0,
            news: 0,
            import: 0,
            check: 0,
            meeting: 0,
            consent: 0,
        };
        let resources = [
            Within {
                targets: base(1),
                institution: InstitutionId(1),
                class: None,
                course: None,
                person: None,
            },
            Within {
                targets: base(2),
                institution: InstitutionId(2),
                class: None,
                course: None,
                person: None,
            },
            Within {
                targets: Targets {
                    class: class_4c,
                    course,
                    person: student,
                    ..base(1)
                },
                institution: InstitutionId(1),
                class: Some(ClassId(class_4c)),
                course: Some(CourseId(course)),
                person: Some(PersonId(student)),
            },
            Within {
                targets: Targets {
                    class: group,
                    group,
                    person: child,
                    ..base(2)
                },
                institution: InstitutionId(2),
                class: Some(ClassId(group)),
                course: None,
                person: Some(PersonId(child)),
            },
        ];
        let mut callers = callers(&t).await;
        let mut wrong = Vec::new();
        let (mut allowed_asked, mut refused_asked) = (0, 0);
        for (method, path, guard) in ROUTES {
            let Some(parts) = guard.strip_prefix("A:") else {
                continue;
            };
            for w in resources.iter().filter(|w| fits(path, w)) {
                let url = fill(path, &w.targets);
                for c in callers.iter_mut() {
                    let Some(actor) = &c.actor else { continue };
                    let allowed = parts.split('|').any(|p| {
                        let (action, on) = p.split_once('@').expect("Action@Target");
                        let action = action_named(action).expect("an action");
                        scope_of(on, w).is_some_and(|s| policy::authorize(actor, action, s).is_ok())
                    });
                    if *method != "GET" && allowed {
                        continue; // the probe writes nothing the policy allows
                    }
                    let r = send(c, method, &url, &w.targets).await;
                    if allowed {
                        allowed_asked += 1;
                    } else {
                        refused_asked += 1;
                    }
                    let ok = if allowed {
                        !matches!(r.status.as_u16(), 401 | 403) && !r.status.is_server_error()
                    } else {
                        refused(&r)
                    };
                    if !ok {
                        wrong.push(format!(
                            "{} {method} {url} → {} (the policy {})",
                            c.role,
                            r.status,
                            if allowed { "allows" } else { "refuses" }
                        ));
                    }
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{backend:?}: {} answers not as the policy gives:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
        assert!(
            allowed_asked > 100 && refused_asked > 500,
            "{allowed_asked} allowed, {refused_asked} refused"
        );
        eprintln!("{backend:?}: {allowed_asked} requests the policy allows, {refused_asked} it refuses");
    }
}
