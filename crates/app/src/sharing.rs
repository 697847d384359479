//! Turning 18: an adult student decides, parent by parent, whether their parents keep seeing their
//! diary and grades; a minor's parents always do (R20.1, R21). The choice takes effect at once on
//! every server (a guardianship's change moves the counter of rights), stops the notifications
//! about the student to that parent, and is recorded with its moment and shown to both.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::policy::{self, Action, Scope};
use klade_domain::{PersonId, Role};
use klade_store::people;
pub use klade_store::sharing::{Choice, Guardian};

/// True when someone born on `birth` is 18 or older on `today`; `None` when the birth date is not
/// known.
pub fn adult(birth: Option<Date>, today: Date) -> Option<bool> {
    birth.map(|b| {
        b.checked_add(jiff::Span::new().years(18))
            .is_ok_and(|eighteen| eighteen <= today)
    })
}

/// What a student's account page shows of their parents.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sharing {
    /// May they choose: 18 or older today by the register's birth date.
    pub adult: bool,
    pub parents: Vec<Guardian>,
}

/// The signed-in person's parents and their choices, when they are a student somewhere; `None`
/// otherwise.
pub async fn of_session(app: &App, session: &Session) -> Result<Option<Sharing>, AppError> {
    if !session.actor.grants.iter().any(|g| g.role == Role::Student) {
        return Ok(None);
    }
    let db = app.db.pool();
    let me = people::get(db, session.person).await?.ok_or(AppError::NotFound)?;
    Ok(Some(Sharing {
        adult: adult(me.birth_date, app.today()) == Some(true),
        parents: klade_store::sharing::guardians(db, session.person).await?,
    }))
}

/// The choices the signed-in person made as an adult student, or that were made about them as a
/// parent; newest first.
pub async fn choices(app: &App, session: &Session) -> Result<Vec<Choice>, AppError> {
    Ok(klade_store::sharing::choices(app.db.pool(), session.person).await?)
}

/// The signed-in adult student lets `parent` see their diary and grades again (`shared`) or
/// stops it. Refused for a minor (or one whose birth date the register lacks) and for anyone who
/// is not their parent; choosing what already holds records nothing.
pub async fn choose(app: &App, session: &Session, parent: PersonId, shared: bool) -> Result<(), AppError> {
    let grant = session
        .actor
        .grants
        .iter()
        .find(|g| g.role == Role::Student)
        .ok_or(AppError::NotFound)?;
    policy::authorize(
        &session.actor,
        Action::ShareWithParents,
        Scope::Student {
            institution: grant.institution,
            student: session.person,
            class: None,
        },
    )?;
    let db = app.db.pool();
    let me = people::get(db, session.person).await?.ok_or(AppError::NotFound)?;
    match adult(me.birth_date, app.today()) {
        Some(true) => {}
        Some(false) => return Err(AppError::invalid("parent", "sharing.minor")),
        None => return Err(AppError::invalid("parent", "sharing.no_birth_date")),
    }
    let now = app.now();
    let current = klade_store::sharing::guardians(db, session.person)
        .await?
        .into_iter()
        .find(|g| g.parent_id == parent)
        .ok_or(AppError::invalid("parent", "sharing.not_parent"))?;
    if current.withheld_at.is_none() == shared {
        return Ok(());
    }
    let mut tx = app.db.begin().await?;
    klade_store::sharing::choose(&mut tx, session.person, parent, (!shared).then_some(now), now).await?;
    tx.commit().await?;
    Ok(())
}

/// The children who no longer show the signed-in parent their diary and grades: (child, name,
/// since).
pub async fn withheld_from_me(app: &App, session: &Session) -> Result<Vec<(PersonId, String, i64)>, AppError> {
    if !session.actor.grants.iter().any(|g| g.role == Role::Parent) {
        return Ok(Vec::new());
    }
    Ok(klade_store::sharing::withheld_from(app.db.pool(), session.person).await?)
}

#[cfg(test)]
mod tests {
    use super::adult;
    use jiff::civil::date;

    #[test]
    fn one_is_adult_from_the_eighteenth_birthday_on() {
        let today = date(2026, 12, 7);
        assert_eq!(adult(Some(date(2008, 12, 7)), today), Some(true));
        assert_eq!(adult(Some(date(2008, 12, 8)), today), Some(false));
        assert_eq!(adult(Some(date(1990, 1, 1)), today), Some(true));
        assert_eq!(adult(None, today), None);
    }
}
