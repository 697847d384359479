//! The one authorization policy: may this actor do this action on this scope?
//!
//! Use cases ask [`authorize`] once and carry the [`Permit`] it returns; a use case that needs a
//! permit cannot be called without one. No other place in Klade decides who may do what:
//! templates and handlers only show what a permit allowed.
//!
//! The table [`role_may`] is written clause by clause against REQUIREMENTS.md; the test in this
//! module prints the same table so a reader can hold one against the other.

use crate::{ClassId, CourseId, InstitutionId, PersonId, Role};
use serde::Serialize;

/// Something a person asks to do. Each carries the clause that grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See the institution's home page and one's own context.
    ViewInstitution,
    /// Appoint the superuser by an order (R4).
    AppointSuperuser,
    /// Create staff accounts and end them (R8, R11).
    ManageAccounts,
    /// Issue a new generated password (R10, J35).
    IssuePassword,
    /// Import students, classes and subjects from VIIS at year start (R16).
    ImportFromViis,
    /// Admit, transfer and expel students by order (R16, R17).
    EnrolStudents,
    /// Enter and correct student and parent contact data (R18.1, J13).
    EditContacts,
    /// Read a student's whole personal record (R12–R14: addresses, documents, orders).
    ViewRecord,
    /// Read a student's contacts: phones, parents (R12, R14).
    ViewContacts,
    /// Change one's own phone and e-mail — and nobody else's (J13).
    EditOwnContacts,
    /// Enter the timetable (R22.1).
    EnterTimetable,
    /// Keep a course's journal: lessons, attendance, grades, notes (R19, R20, J22, J27).
    KeepJournal,
    /// Read a course's journal: its teachers, the class's tutor, the administration (R22.2, R23).
    ViewJournal,
    /// Excuse a student's absences (R18.2).
    ExcuseAbsences,
    /// Report an absence for a student (R21).
    ReportAbsence,
    /// Read a student's diary (R20.1, R21, J4).
    ViewDiary,
    /// Check journals and record findings (R22.2, R23, R24.1, R25.1, J29).
    CheckJournals,
    /// Read statistics and summaries (R22.2, R25.1, R25.2).
    ViewStatistics,
    /// Publish institution news (R22.5, R24.2, R25.3).
    PublishNews,
    /// Review and correct preschool attendance weekly (J23).
    CorrectPreschoolAttendance,
    /// Produce a student's progress report (R26, R27.1).
    PrintProgressReport,
    /// Export final grades for VIIS (R27.2).
    ExportToViis,
    /// Write the year-end archive (R28, J37).
    ArchiveYear,
    /// Search the access log (R29, J15, J33).
    ViewAccessLog,
    /// Write messages within the institution (J30).
    SendMessages,
    /// Send a class's parents the instructions and the institution's rules (R7, J6).
    InformParents,
    /// Write to a group at once: a class's parents, students or teachers, a course's students or
    /// their parents (J30).
    MessageGroup,
    /// Write to every member of the staff at once (J30).
    MessageStaff,
    /// Extend the institution's list of words not allowed in messages and news (J18).
    ManageWordList,
    /// Lock a school year that has ended, so that its journals change only with a deputy's
    /// consent (R28).
    LockYear,
    /// Keep the institution's calendar (its days off, worked days and school holidays) and its
    /// deadline settings (R19, R25.2, J22, J24, J27).
    ManageCalendar,
    /// Check and publish the monthly absence summary of the previous month (R25.2).
    PublishAbsenceSummary,
    /// Set the institution up for a school year: its settings, the year and its terms, classes,
    /// groups, subjects and courses (R16).
    PrepareYear,
    /// Enter and import staff, their employment and positions, tutors of classes and teachers of
    /// groups (R16.3, J8).
    EnterStaff,
    /// Decide, as an adult student, whether each parent keeps seeing one's diary and grades: a
    /// minor's parents always do (R20.1, R21); an adult reports their own absences (R21) and
    /// chooses who reads the rest.
    ShareWithParents,
    /// Publish parent–teacher meeting slots for a class one tutors or teaches, see who booked and
    /// who has not, remind the rest and cancel the meeting.
    HoldMeetings,
    /// Book and cancel a slot of a meeting for one's child.
    BookMeetings,
    /// Ask the families of a class for a consent or a survey's answer, see who answered what and
    /// remind the rest: the administration for any class, a tutor for their own.
    AskConsents,
    /// Answer a consent or survey for one's child, and withdraw a consent.
    AnswerConsents,
    /// Set the institution's meals (on or off, the cut-off, the caterer's address) and read the
    /// day's order.
    ManageMeals,
    /// Cancel one's child's meal for a day, or order it again, before the cut-off.
    CancelMeals,
}

impl Action {
    pub const ALL: [Self; 41] = [
        Self::ViewInstitution,
        Self::AppointSuperuser,
        Self::ManageAccounts,
        Self::IssuePassword,
        Self::ImportFromViis,
        Self::EnrolStudents,
        Self::EditContacts,
        Self::ViewRecord,
        Self::ViewContacts,
        Self::EditOwnContacts,
        Self::EnterTimetable,
        Self::KeepJournal,
        Self::ViewJournal,
        Self::ExcuseAbsences,
        Self::ReportAbsence,
        Self::ViewDiary,
        Self::CheckJournals,
        Self::ViewStatistics,
        Self::PublishNews,
        Self::CorrectPreschoolAttendance,
        Self::PrintProgressReport,
        Self::ExportToViis,
        Self::ArchiveYear,
        Self::ViewAccessLog,
        Self::SendMessages,
        Self::InformParents,
        Self::MessageGroup,
        Self::MessageStaff,
        Self::ManageWordList,
        Self::LockYear,
        Self::ManageCalendar,
        Self::PublishAbsenceSummary,
        Self::PrepareYear,
        Self::EnterStaff,
        Self::ShareWithParents,
        Self::HoldMeetings,
        Self::BookMeetings,
        Self::AskConsents,
        Self::AnswerConsents,
        Self::ManageMeals,
        Self::CancelMeals,
    ];
}

/// What the action is done to. Every scope names its institution: nothing crosses institutions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Institution(InstitutionId),
    Class {
        institution: InstitutionId,
        class: ClassId,
    },
    /// One course's journal, with the class it belongs to (if any) for the tutor's right to read it.
    Course {
        institution: InstitutionId,
        course: CourseId,
        class: Option<ClassId>,
    },
    /// One student, with the class they are in (if any) so a tutor's right can be checked.
    Student {
        institution: InstitutionId,
        student: PersonId,
        class: Option<ClassId>,
    },
}

impl Scope {
    pub fn institution(self) -> InstitutionId {
        match self {
            Self::Institution(i)
            | Self::Class { institution: i, .. }
            | Self::Course { institution: i, .. }
            | Self::Student { institution: i, .. } => i,
        }
    }

    fn class(self) -> Option<ClassId> {
        match self {
            Self::Institution(_) => None,
            Self::Class { class, .. } => Some(class),
            Self::Course { class, .. } | Self::Student { class, .. } => class,
        }
    }
}

/// A role held in an institution; a tutor's grant names the class it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub institution: InstitutionId,
    pub role: Role,
    pub class: Option<ClassId>,
}

/// The person behind a request, with what they currently hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person: PersonId,
    pub grants: Vec<Grant>,
    /// Children this person is the guardian of, with the institution each attends.
    pub children: Vec<(InstitutionId, PersonId)>,
    /// Courses this person teaches.
    pub courses: Vec<(InstitutionId, CourseId)>,
}

/// Proof that [`authorize`] allowed an action on a scope. Only this module can make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    action: Action,
    scope: Scope,
}

impl Permit {
    pub fn action(&self) -> Action {
        self.action
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    pub fn institution(&self) -> InstitutionId {
        self.scope.institution()
    }

    /// The handle the store's writes take: only a permit gives one for a person's action.
    pub fn tenant(&self) -> Tenant {
        Tenant(self.scope.institution())
    }
}

/// The institution a write goes to. The store's writing functions take this instead of an
/// `InstitutionId`, and only a [`Permit`] makes one, so a use case cannot write without having
/// asked the policy. What no person asks for — the console, the scheduled jobs, registering an
/// institution, the demo's history — names itself with [`Tenant::without_permit`], which review
/// can find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant(InstitutionId);

impl Tenant {
    /// A write nobody's permit covers, because no person makes it (see the type's doc).
    pub fn without_permit(institution: InstitutionId) -> Self {
        Self(institution)
    }

    pub fn id(self) -> InstitutionId {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{action:?} is not allowed on {scope:?}")]
pub struct Denied {
    pub action: Action,
    pub scope: Scope,
}

/// May `role` do `action` at all (somewhere in its institution)? The clause table.
pub fn role_may(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ViewInstitution | SendMessages => true,
        AppointSuperuser => matches!(role, Director),
        ManageAccounts => matches!(role, Superuser),
        IssuePassword => matches!(role, Superuser | PreschoolDeputy),
        ImportFromViis => matches!(role, Superuser),
        EnrolStudents => matches!(role, Superuser | Clerk),
        EditContacts => matches!(role, Superuser | Clerk | Tutor | PreschoolDeputy | PreschoolTeacher),
        ViewRecord => matches!(
            role,
            Superuser | Director | Clerk | Tutor | PreschoolDeputy | Student | Parent
        ),
        ViewContacts => matches!(
            role,
            Superuser
                | Director
                | Clerk
                | Tutor
                | PreschoolDeputy
                | DeputyAcademic
                | DeputyMethodical
                | DeputyCreative
                | DeputyUpbringing
                | Nurse
                | Student
                | Parent
        ),
        EditOwnContacts => true,
        EnterTimetable => matches!(role, DeputyAcademic),
        KeepJournal => matches!(role, Teacher | PreschoolTeacher),
        ViewJournal => matches!(
            role,
            Teacher
                | PreschoolTeacher
                | Tutor
                | Director
                | DeputyAcademic
                | DeputyMethodical
                | DeputyCreative
                | DeputyUpbringing
                | PreschoolDeputy
        ),
        ExcuseAbsences => matches!(role, Tutor | PreschoolTeacher),
        ReportAbsence => matches!(role, Parent | Student),
        ShareWithParents => matches!(role, Student),
        HoldMeetings => matches!(role, Tutor | Teacher | PreschoolTeacher),
        BookMeetings | AnswerConsents | CancelMeals => matches!(role, Parent),
        ManageMeals => matches!(role, Director | PreschoolDeputy | Clerk),
        AskConsents => matches!(
            role,
            Director | DeputyAcademic | DeputyCreative | DeputyUpbringing | PreschoolDeputy | Tutor | PreschoolTeacher
        ),
        ViewDiary => matches!(
            role,
            Parent | Student | Tutor | Director | DeputyAcademic | DeputyUpbringing | PreschoolDeputy
        ),
        CheckJournals => matches!(
            role,
            Director | DeputyAcademic | DeputyMethodical | DeputyCreative | DeputyUpbringing | PreschoolDeputy
        ),
        ViewStatistics => role.is_administration(),
        PublishNews => matches!(
            role,
            Director | DeputyAcademic | DeputyCreative | DeputyUpbringing | PreschoolDeputy
        ),
        CorrectPreschoolAttendance => matches!(role, Nurse | Clerk),
        PrintProgressReport => matches!(role, Tutor | Clerk),
        ExportToViis => matches!(role, Clerk),
        ArchiveYear => matches!(role, Superuser),
        ViewAccessLog => matches!(role, Superuser),
        InformParents => matches!(role, Superuser | Director | Tutor | PreschoolDeputy | PreschoolTeacher),
        MessageGroup => role.is_administration() || matches!(role, Tutor | Teacher | PreschoolTeacher),
        MessageStaff => role.is_administration(),
        ManageWordList => matches!(role, Superuser | Director),
        LockYear => matches!(role, Superuser | Director),
        ManageCalendar => matches!(role, Superuser | Director | DeputyAcademic | PreschoolDeputy),
        PublishAbsenceSummary => matches!(role, Director | DeputyUpbringing),
        PrepareYear => matches!(role, Superuser),
        EnterStaff => matches!(role, Superuser | PreschoolDeputy | Clerk),
    }
}

/// Actions open to every member of the institution, whatever the scope of their grant.
fn institution_wide(action: Action) -> bool {
    matches!(action, Action::ViewInstitution | Action::SendMessages)
}

fn grant_covers(actor: &Actor, grant: &Grant, action: Action, scope: Scope) -> bool {
    if grant.institution != scope.institution() || !role_may(grant.role, action) {
        return false;
    }
    if action == Action::EditOwnContacts {
        return matches!(scope, Scope::Student { student, .. } if student == actor.person);
    }
    if institution_wide(action) {
        return true;
    }
    match grant.role {
        // A student's and a parent's rights are about one student: themselves or their child.
        Role::Student => matches!(scope, Scope::Student { student, .. } if student == actor.person),
        Role::Parent => matches!(scope, Scope::Student { institution, student, .. }
            if actor.children.contains(&(institution, student))),
        // A tutor's rights cover their own class.
        Role::Tutor => grant.class.is_some() && scope.class() == grant.class,
        // A preschool teacher keeps the journal of the groups they lead (held as the group's tutor).
        Role::PreschoolTeacher if matches!(scope, Scope::Class { .. } | Scope::Student { .. }) => actor
            .grants
            .iter()
            .any(|g| g.role == Role::Tutor && g.institution == grant.institution && g.class == scope.class()),
        // A teacher's journal rights cover the courses they teach.
        Role::Teacher | Role::PreschoolTeacher => match scope {
            Scope::Course {
                institution, course, ..
            } => actor.courses.contains(&(institution, course)),
            Scope::Institution(_) => true,
            Scope::Class { .. } | Scope::Student { .. } => false,
        },
        _ => true,
    }
}

/// May the actor write to one person who holds `recipient_roles` in `institution` (J30)? Staff
/// write to anyone there; students and parents write only to staff, never to other families.
pub fn may_write_to(actor: &Actor, institution: InstitutionId, recipient_roles: &[Role]) -> Result<Permit, Denied> {
    let scope = Scope::Institution(institution);
    let permit = authorize(actor, Action::SendMessages, scope)?;
    let sender_is_staff = actor.roles_in(institution).iter().any(|r| r.is_staff());
    let recipient_is_staff = recipient_roles.iter().any(|r| r.is_staff());
    if recipient_roles.is_empty() || !(sender_is_staff || recipient_is_staff) {
        return Err(Denied {
            action: Action::SendMessages,
            scope,
        });
    }
    Ok(permit)
}

/// May the actor publish news of `category` (R22.5, R24.2, R25.3)? Each deputy writes in their
/// own field; the director and the preschool's deputy head in every one.
pub fn may_publish(
    actor: &Actor,
    institution: InstitutionId,
    category: crate::news::Category,
) -> Result<Permit, Denied> {
    let scope = Scope::Institution(institution);
    let permit = authorize(actor, Action::PublishNews, scope)?;
    if actor
        .roles_in(institution)
        .iter()
        .any(|r| category.publishers().contains(r))
    {
        Ok(permit)
    } else {
        Err(Denied {
            action: Action::PublishNews,
            scope,
        })
    }
}

/// Whose contacts and credentials — phone, e-mail, personal record, password, second factor,
/// block — the holder of a role may change, if the action itself is theirs. Never a person with
/// equal or greater rights: staff contacts are the superuser's (in a preschool the deputy head's
/// too, J8), students' and parents' the clerk's, the tutor's and the preschool teacher's (R16–R18,
/// J9). Everyone changes their own (J13) through [`Action::EditOwnContacts`].
#[rustfmt::skip]
pub const MANAGES: &[(Role, &[Role])] = &[
    (Role::Superuser, &[Role::Director, Role::DeputyAcademic, Role::DeputyMethodical, Role::DeputyCreative,
        Role::DeputyUpbringing, Role::PreschoolDeputy, Role::Clerk, Role::Nurse, Role::Tutor, Role::Teacher,
        Role::PreschoolTeacher, Role::Student, Role::Parent]),
    (Role::PreschoolDeputy, &[Role::Nurse, Role::Tutor, Role::PreschoolTeacher, Role::Student, Role::Parent]),
    (Role::Clerk, &[Role::Student, Role::Parent]),
    (Role::Tutor, &[Role::Student, Role::Parent]),
    (Role::PreschoolTeacher, &[Role::Student, Role::Parent]),
];

/// Does `manager` outrank `role` (the [`MANAGES`] table)?
pub fn manages(manager: Role, role: Role) -> bool {
    MANAGES.iter().any(|(m, roles)| *m == manager && roles.contains(&role))
}

/// May the actor do `action` (change contacts, the record, a password, a block) to the person of
/// `scope`, who holds or has held `held` — every (institution, role) of theirs, anywhere? Besides
/// the action on the scope, every right the person has must be outranked by a role the actor holds
/// in that same institution: nobody reaches a person with equal or greater rights, or with rights
/// where the actor has none. Oneself is not managed this way (see [`Action::EditOwnContacts`]).
pub fn may_manage(
    actor: &Actor,
    action: Action,
    scope: Scope,
    held: &[(InstitutionId, Role)],
) -> Result<Permit, Denied> {
    let permit = authorize(actor, action, scope)?;
    let outranked = held.iter().all(|&(institution, role)| {
        actor
            .grants
            .iter()
            .any(|g| g.institution == institution && manages(g.role, role))
    });
    let oneself = matches!(scope, Scope::Student { student, .. } if student == actor.person);
    if outranked && !oneself {
        Ok(permit)
    } else {
        Err(Denied { action, scope })
    }
}

/// The policy. Grants are checked one by one; the first that covers the scope allows.
pub fn authorize(actor: &Actor, action: Action, scope: Scope) -> Result<Permit, Denied> {
    if actor.grants.iter().any(|g| grant_covers(actor, g, action, scope)) {
        Ok(Permit { action, scope })
    } else {
        Err(Denied { action, scope })
    }
}

impl Actor {
    pub fn may(&self, action: Action, scope: Scope) -> bool {
        authorize(self, action, scope).is_ok()
    }

    pub fn roles_in(&self, institution: InstitutionId) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .grants
            .iter()
            .filter(|g| g.institution == institution)
            .map(|g| g.role)
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    pub fn institutions(&self) -> Vec<InstitutionId> {
        let mut ids: Vec<InstitutionId> = self.grants.iter().map(|g| g.institution).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Role::*;

    /// The role × action matrix, one row per action, written to be read beside REQUIREMENTS.md.
    /// Columns: Su Di DA DM DC DU PD Cl Nu Tu Te PT St Pa (the order of `Role::ALL`).
    #[rustfmt::skip]
    const MATRIX: &[(Action, &str, &str)] = &[
        (ViewInstitution,             "X X X X X X X X X X X X X X", "every member"),
        (AppointSuperuser,            ". X . . . . . . . . . . . .", "R4"),
        (ManageAccounts,              "X . . . . . . . . . . . . .", "R8, R11"),
        (IssuePassword,               "X . . . . . X . . . . . . .", "R10, J35"),
        (ImportFromViis,              "X . . . . . . . . . . . . .", "R16"),
        (EnrolStudents,               "X . . . . . . X . . . . . .", "R16, R17"),
        (EditContacts,                "X . . . . . X X . X . X . .", "R16, R17, R18.1, J8-J9"),
        (ViewRecord,                  "X X . . . . X X . X . . X X", "R12-R15, R29"),
        (ViewContacts,                "X X X X X X X X X X . . X X", "R12, R14, J23"),
        (EditOwnContacts,             "X X X X X X X X X X X X X X", "J13"),
        (EnterTimetable,              ". . X . . . . . . . . . . .", "R22.1"),
        (KeepJournal,                 ". . . . . . . . . . X X . .", "R19, R20, J22, J27"),
        (ViewJournal,                 ". X X X X X X . . X X X . .", "R22.2, R23, R24.1, R25.1"),
        (ExcuseAbsences,              ". . . . . . . . . X . X . .", "R18.2"),
        (ReportAbsence,               ". . . . . . . . . . . . X X", "R21"),
        (ViewDiary,                   ". X X . . X X . . X . . X X", "R20.1, R21, J4"),
        (CheckJournals,               ". X X X X X X . . . . . . .", "R22.2, R23, R24.1, R25.1, J29"),
        (ViewStatistics,              ". X X X X X X . . . . . . .", "R22.2, R25.1"),
        (PublishNews,                 ". X X . X X X . . . . . . .", "R22.5, R24.2, R25.3"),
        (CorrectPreschoolAttendance,  ". . . . . . . X X . . . . .", "J23"),
        (PrintProgressReport,         ". . . . . . . X . X . . . .", "R26, R27.1"),
        (ExportToViis,                ". . . . . . . X . . . . . .", "R27.2"),
        (ArchiveYear,                 "X . . . . . . . . . . . . .", "R28, J37"),
        (ViewAccessLog,               "X . . . . . . . . . . . . .", "R29, J15, J33"),
        (SendMessages,                "X X X X X X X X X X X X X X", "J30"),
        (InformParents,               "X X . . . . X . . X . X . .", "R7, J6"),
        (MessageGroup,                ". X X X X X X . . X X X . .", "J30"),
        (MessageStaff,                ". X X X X X X . . . . . . .", "J30"),
        (ManageWordList,              "X X . . . . . . . . . . . .", "J18"),
        (LockYear,                    "X X . . . . . . . . . . . .", "R28"),
        (ManageCalendar,              "X X X . . . X . . . . . . .", "R19, R25.2, J22, J24, J27"),
        (PublishAbsenceSummary,       ". X . . . X . . . . . . . .", "R25.2"),
        (PrepareYear,                 "X . . . . . . . . . . . . .", "R16"),
        (EnterStaff,                  "X . . . . . X X . . . . . .", "R16.3, J8"),
        (ShareWithParents,            ". . . . . . . . . . . . X .", "R20.1, R21 (an adult student)"),
        (HoldMeetings,                ". . . . . . . . . X X X . .", "J4 (cooperation with parents)"),
        (BookMeetings,                ". . . . . . . . . . . . . X", "J4 (cooperation with parents)"),
        (AskConsents,                 ". X X . X X X . . X . X . .", "J4 (cooperation with parents)"),
        (AnswerConsents,              ". . . . . . . . . . . . . X", "J4 (cooperation with parents)"),
        (ManageMeals,                 ". X . . . . X X . . . . . .", "J4 (meals, the institution's service)"),
        (CancelMeals,                 ". . . . . . . . . . . . . X", "J4 (meals, the institution's service)"),
    ];

    #[test]
    fn the_matrix_matches_the_policy() {
        assert_eq!(MATRIX.len(), Action::ALL.len(), "every action has a row");
        for (action, row, clauses) in MATRIX {
            let marks: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(marks.len(), Role::ALL.len(), "{action:?}");
            for (role, mark) in Role::ALL.iter().zip(marks) {
                assert_eq!(
                    role_may(*role, *action),
                    mark == "X",
                    "{role:?} × {action:?} ({clauses})"
                );
            }
        }
    }

    const SCHOOL: InstitutionId = InstitutionId(1);
    const OTHER: InstitutionId = InstitutionId(2);

    fn actor(person: i64, grants: &[(InstitutionId, Role, Option<i64>)]) -> Actor {
        Actor {
            person: PersonId(person),
            grants: grants
                .iter()
                .map(|&(institution, role, class)| Grant {
                    institution,
                    role,
                    class: class.map(ClassId),
                })
                .collect(),
            children: vec![],
            courses: vec![],
        }
    }

    #[test]
    fn nothing_crosses_institutions() {
        let su = actor(1, &[(SCHOOL, Superuser, None)]);
        assert!(su.may(ManageAccounts, Scope::Institution(SCHOOL)));
        assert!(!su.may(ManageAccounts, Scope::Institution(OTHER)));
        assert!(!su.may(ViewInstitution, Scope::Institution(OTHER)));
    }

    #[test]
    fn families_write_only_to_staff_and_staff_to_anyone() {
        let mut parent = actor(7, &[(SCHOOL, Parent, None)]);
        parent.children = vec![(SCHOOL, PersonId(70))];
        let teacher = actor(5, &[(SCHOOL, Teacher, None)]);
        assert!(may_write_to(&parent, SCHOOL, &[Teacher]).is_ok());
        assert!(
            may_write_to(&parent, SCHOOL, &[Parent]).is_err(),
            "never to other parents"
        );
        assert!(may_write_to(&parent, SCHOOL, &[Student]).is_err());
        assert!(
            may_write_to(&parent, SCHOOL, &[]).is_err(),
            "not to someone outside the institution"
        );
        assert!(
            may_write_to(&parent, OTHER, &[Teacher]).is_err(),
            "nothing crosses institutions"
        );
        assert!(may_write_to(&teacher, SCHOOL, &[Parent]).is_ok());
        assert!(may_write_to(&teacher, SCHOOL, &[Student]).is_ok());
        assert!(may_write_to(&teacher, OTHER, &[Parent]).is_err());
    }

    #[test]
    fn group_messages_follow_what_the_writer_teaches_or_tutors() {
        let mut teacher = actor(5, &[(SCHOOL, Teacher, None), (SCHOOL, Tutor, Some(10))]);
        teacher.courses = vec![(SCHOOL, CourseId(3))];
        let class = |c| Scope::Class {
            institution: SCHOOL,
            class: ClassId(c),
        };
        let course = |c, class| Scope::Course {
            institution: SCHOOL,
            course: CourseId(c),
            class: Some(ClassId(class)),
        };
        assert!(teacher.may(MessageGroup, class(10)), "the tutor's own class");
        assert!(!teacher.may(MessageGroup, class(11)));
        assert!(teacher.may(MessageGroup, course(3, 11)), "a course they teach");
        assert!(!teacher.may(MessageGroup, course(4, 11)));
        assert!(!teacher.may(MessageStaff, Scope::Institution(SCHOOL)));
        let deputy = actor(2, &[(SCHOOL, DeputyUpbringing, None)]);
        assert!(deputy.may(MessageGroup, class(11)));
        assert!(deputy.may(MessageStaff, Scope::Institution(SCHOOL)));
        assert!(!deputy.may(MessageStaff, Scope::Institution(OTHER)));
    }

    #[test]
    fn news_is_written_by_the_deputy_of_its_field() {
        use crate::news::Category;
        let upbringing = actor(2, &[(SCHOOL, DeputyUpbringing, None)]);
        assert!(may_publish(&upbringing, SCHOOL, Category::Extracurricular).is_ok());
        assert!(may_publish(&upbringing, SCHOOL, Category::CentralisedExams).is_err());
        assert!(may_publish(&upbringing, OTHER, Category::Extracurricular).is_err());
        let teacher = actor(5, &[(SCHOOL, Teacher, None)]);
        assert!(may_publish(&teacher, SCHOOL, Category::General).is_err());
    }

    #[test]
    fn a_preschool_teacher_keeps_the_journal_of_their_own_group() {
        let teacher = actor(8, &[(SCHOOL, PreschoolTeacher, None), (SCHOOL, Tutor, Some(20))]);
        let group = |c| Scope::Class {
            institution: SCHOOL,
            class: ClassId(c),
        };
        assert!(teacher.may(KeepJournal, group(20)));
        assert!(!teacher.may(KeepJournal, group(21)), "another group");
        let child = Scope::Student {
            institution: SCHOOL,
            student: PersonId(90),
            class: Some(ClassId(20)),
        };
        assert!(teacher.may(KeepJournal, child));
        let nurse = actor(9, &[(SCHOOL, Nurse, None)]);
        assert!(nurse.may(CorrectPreschoolAttendance, group(21)));
        assert!(!nurse.may(KeepJournal, group(20)));
    }

    #[test]
    fn a_tutor_acts_for_their_own_class_only() {
        let tutor = actor(5, &[(SCHOOL, Teacher, None), (SCHOOL, Tutor, Some(10))]);
        let own = Scope::Class {
            institution: SCHOOL,
            class: ClassId(10),
        };
        let other = Scope::Class {
            institution: SCHOOL,
            class: ClassId(11),
        };
        assert!(tutor.may(ExcuseAbsences, own));
        assert!(!tutor.may(ExcuseAbsences, other));
        assert!(!tutor.may(ExcuseAbsences, Scope::Institution(SCHOOL)));
        let student = Scope::Student {
            institution: SCHOOL,
            student: PersonId(77),
            class: Some(ClassId(10)),
        };
        assert!(tutor.may(ViewDiary, student));
    }

    #[test]
    fn parents_and_students_act_for_themselves_and_their_children() {
        let mut parent = actor(2, &[(SCHOOL, Parent, None)]);
        parent.children.push((SCHOOL, PersonId(3)));
        let child = Scope::Student {
            institution: SCHOOL,
            student: PersonId(3),
            class: None,
        };
        let stranger = Scope::Student {
            institution: SCHOOL,
            student: PersonId(4),
            class: None,
        };
        assert!(parent.may(ViewDiary, child));
        assert!(parent.may(ReportAbsence, child));
        assert!(!parent.may(ViewDiary, stranger));
        assert!(!parent.may(ViewDiary, Scope::Institution(SCHOOL)));

        let student = actor(3, &[(SCHOOL, Student, None)]);
        assert!(student.may(ViewDiary, child));
        assert!(!student.may(ViewDiary, stranger));
    }

    #[test]
    fn a_person_may_hold_several_roles_in_several_institutions() {
        let mut p = actor(9, &[(SCHOOL, Teacher, None), (OTHER, Parent, None)]);
        p.children.push((OTHER, PersonId(20)));
        assert_eq!(p.institutions(), vec![SCHOOL, OTHER]);
        assert!(p.may(KeepJournal, Scope::Institution(SCHOOL)));
        assert!(!p.may(KeepJournal, Scope::Institution(OTHER)));
        assert!(p.may(
            ViewDiary,
            Scope::Student {
                institution: OTHER,
                student: PersonId(20),
                class: None
            }
        ));
        assert!(!p.may(
            ViewDiary,
            Scope::Student {
                institution: SCHOOL,
                student: PersonId(20),
                class: None
            }
        ));
    }

    #[test]
    fn a_teacher_keeps_only_their_own_courses_journal() {
        let mut teacher = actor(5, &[(SCHOOL, Teacher, None)]);
        teacher.courses.push((SCHOOL, CourseId(1)));
        let own = Scope::Course {
            institution: SCHOOL,
            course: CourseId(1),
            class: Some(ClassId(10)),
        };
        let other = Scope::Course {
            institution: SCHOOL,
            course: CourseId(2),
            class: Some(ClassId(10)),
        };
        assert!(teacher.may(KeepJournal, own));
        assert!(teacher.may(ViewJournal, own));
        assert!(!teacher.may(KeepJournal, other));
        assert!(!teacher.may(ViewJournal, other));

        let tutor = actor(6, &[(SCHOOL, Teacher, None), (SCHOOL, Tutor, Some(10))]);
        assert!(
            tutor.may(ViewJournal, other),
            "the tutor reads every journal of the class"
        );
        assert!(!tutor.may(KeepJournal, other), "but writes only in their own courses");
        let elsewhere = Scope::Course {
            institution: SCHOOL,
            course: CourseId(3),
            class: Some(ClassId(11)),
        };
        assert!(!tutor.may(ViewJournal, elsewhere));

        let deputy = actor(7, &[(SCHOOL, DeputyAcademic, None)]);
        assert!(deputy.may(ViewJournal, elsewhere));
        assert!(!deputy.may(KeepJournal, elsewhere));
    }

    #[test]
    fn people_change_their_own_contacts_only() {
        let mut parent = actor(2, &[(SCHOOL, Parent, None)]);
        parent.children.push((SCHOOL, PersonId(3)));
        let me = Scope::Student {
            institution: SCHOOL,
            student: PersonId(2),
            class: None,
        };
        let child = Scope::Student {
            institution: SCHOOL,
            student: PersonId(3),
            class: None,
        };
        let other_parent = Scope::Student {
            institution: SCHOOL,
            student: PersonId(4),
            class: None,
        };
        assert!(parent.may(EditOwnContacts, me));
        assert!(
            !parent.may(EditOwnContacts, other_parent),
            "never the other parent's (J13)"
        );
        assert!(!parent.may(EditOwnContacts, child));
        assert!(!parent.may(EditContacts, child));
        assert!(parent.may(ViewRecord, child));
        let teacher = actor(5, &[(SCHOOL, Teacher, None)]);
        assert!(
            !teacher.may(ViewContacts, child),
            "a subject teacher sees name and class only"
        );
    }

    /// Every role pair, in one institution: who may change the contacts and credentials of whom.
    /// Rows are the actor's role, columns the target's (the order of `Role::ALL`).
    #[rustfmt::skip]
    const MANAGING: &[(Role, &str)] = &[
        (Superuser,        ". X X X X X X X X X X X X X"),
        (Director,         ". . . . . . . . . . . . . ."),
        (DeputyAcademic,   ". . . . . . . . . . . . . ."),
        (DeputyMethodical, ". . . . . . . . . . . . . ."),
        (DeputyCreative,   ". . . . . . . . . . . . . ."),
        (DeputyUpbringing, ". . . . . . . . . . . . . ."),
        (PreschoolDeputy,  ". . . . . . . . X X . X X X"),
        (Clerk,            ". . . . . . . . . . . . X X"),
        (Nurse,            ". . . . . . . . . . . . . ."),
        (Tutor,            ". . . . . . . . . . . . X X"),
        (Teacher,          ". . . . . . . . . . . . . ."),
        (PreschoolTeacher, ". . . . . . . . . . . . X X"),
        (Student,          ". . . . . . . . . . . . . ."),
        (Parent,           ". . . . . . . . . . . . . ."),
    ];

    #[test]
    fn nobody_manages_a_person_of_equal_or_greater_rights() {
        assert_eq!(MANAGING.len(), Role::ALL.len());
        for (manager, row) in MANAGING {
            let marks: Vec<&str> = row.split_whitespace().collect();
            for (target, mark) in Role::ALL.iter().zip(marks) {
                assert_eq!(manages(*manager, *target), mark == "X", "{manager:?} over {target:?}");
                if manages(*manager, *target) {
                    assert!(
                        !manages(*target, *manager),
                        "{manager:?} and {target:?} cannot outrank each other"
                    );
                }
            }
            assert!(!manages(*manager, *manager), "{manager:?} never manages an equal");
        }
    }

    #[test]
    fn every_role_pair_through_the_policy() {
        // Each role as actor against a person holding each role, in the actor's institution; the
        // tutor's and preschool teacher's scope is their own class.
        let class = Some(ClassId(10));
        for actor_role in Role::ALL {
            let mut a = actor(1, &[(SCHOOL, actor_role, Some(10)), (SCHOOL, Tutor, Some(10))]);
            a.grants.truncate(if actor_role == PreschoolTeacher { 2 } else { 1 });
            let scope = Scope::Student {
                institution: SCHOOL,
                student: PersonId(2),
                class,
            };
            for target in Role::ALL {
                for action in [EditContacts, EnrolStudents, IssuePassword, ManageAccounts] {
                    let allowed = may_manage(&a, action, scope, &[(SCHOOL, target)]).is_ok();
                    let expected = role_may(actor_role, action) && manages(actor_role, target);
                    assert_eq!(allowed, expected, "{actor_role:?} {action:?} on a {target:?}");
                }
            }
        }
    }

    #[test]
    fn rights_elsewhere_put_a_person_out_of_reach() {
        // The preschool's deputy head against the superuser of both institutions, and against a
        // parent with a child in each: both hold rights where she has none.
        let deputy = actor(1, &[(OTHER, PreschoolDeputy, None)]);
        let scope = Scope::Student {
            institution: OTHER,
            student: PersonId(7),
            class: None,
        };
        let both = [(SCHOOL, Superuser), (OTHER, Superuser)];
        assert!(may_manage(&deputy, EditContacts, scope, &both).is_err());
        assert!(may_manage(&deputy, IssuePassword, scope, &both).is_err());
        let parent_of_two = [(SCHOOL, Parent), (OTHER, Parent)];
        assert!(may_manage(&deputy, EditContacts, scope, &parent_of_two).is_err());
        assert!(may_manage(&deputy, EditContacts, scope, &[(OTHER, Parent)]).is_ok());
        // A superuser of both reaches a parent of both.
        let su = actor(2, &[(SCHOOL, Superuser, None), (OTHER, Superuser, None)]);
        assert!(may_manage(&su, EditContacts, scope, &parent_of_two).is_ok());
        // Nobody manages themselves this way.
        let me = Scope::Student {
            institution: OTHER,
            student: PersonId(2),
            class: None,
        };
        assert!(may_manage(&su, IssuePassword, me, &[(OTHER, Superuser)]).is_err());
    }

    #[test]
    fn permit_names_its_institution() {
        let su = actor(1, &[(SCHOOL, Superuser, None)]);
        let permit = authorize(&su, ArchiveYear, Scope::Institution(SCHOOL)).expect("allowed");
        assert_eq!(permit.institution(), SCHOOL);
        assert_eq!(
            authorize(&su, AppointSuperuser, Scope::Institution(SCHOOL)),
            Err(Denied {
                action: AppointSuperuser,
                scope: Scope::Institution(SCHOOL)
            })
        );
    }
}
