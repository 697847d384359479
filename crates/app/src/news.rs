//! Institution news, "Iestādes aktualitātes" (R22.5, R24.2, R25.3): written by the deputy whose
//! field it is, checked for clean language (J18), shown on its audience's home page while it is
//! relevant, newest first.

use crate::auth::Session;
use crate::families::date;
use crate::{App, AppError};
use klade_domain::news::{Audience, Category};
use klade_domain::{policy, Action, ClassId, InstitutionId, Role, Scope};
use klade_store::messages::{self, NewNews, NewsItem};
use klade_store::school;

pub struct NewItem {
    pub institution: InstitutionId,
    pub category: String,
    pub audience: String,
    pub class: Option<ClassId>,
    pub title: String,
    pub body: String,
    pub visible_from: String,
    pub visible_to: String,
}

/// Publishes an item; returns its id.
pub async fn publish(app: &App, session: &Session, item: NewItem) -> Result<i64, AppError> {
    let inst = item.institution;
    let category = Category::from_code(&item.category).ok_or(AppError::invalid("category", "error.bad_request"))?;
    policy::may_publish(&session.actor, inst, category)?;
    let audience = Audience::from_code(&item.audience).ok_or(AppError::invalid("audience", "error.bad_request"))?;
    let class = match (audience, item.class) {
        (Audience::Class, Some(c)) => {
            school::class(app.db.pool(), inst, c).await?.ok_or(AppError::NotFound)?;
            Some(c)
        }
        (Audience::Class, None) => return Err(AppError::invalid("class", "error.required")),
        _ => None,
    };
    let title = item.title.trim();
    let body = item.body.trim();
    if title.is_empty() {
        return Err(AppError::invalid("title", "error.required"));
    }
    if body.is_empty() {
        return Err(AppError::invalid("body", "message.empty"));
    }
    if title.chars().count() > 200 || body.chars().count() > crate::messages::MAX_BODY {
        return Err(AppError::invalid("body", "message.too_long"));
    }
    let today = app.today();
    let from = if item.visible_from.trim().is_empty() {
        today
    } else {
        date(&item.visible_from, "visible_from")?
    };
    let to = date(&item.visible_to, "visible_to")?;
    if to < from {
        return Err(AppError::invalid("visible_to", "absence.range"));
    }
    if to < today {
        return Err(AppError::invalid("visible_to", "news.past"));
    }
    let words = crate::messages::unclean_words(app, inst, &[title, body]).await?;
    if !words.is_empty() {
        return Err(AppError::Unclean(words));
    }
    Ok(messages::insert_news(
        app.db.pool(),
        &NewNews {
            institution: inst,
            category: category.code(),
            audience: audience.code(),
            class,
            title,
            body,
            visible_from: from,
            visible_to: to,
            author: session.person,
            now: app.now(),
        },
    )
    .await?)
}

/// Removes an item; only someone who may publish in its category.
pub async fn remove(app: &App, session: &Session, institution: InstitutionId, id: i64) -> Result<(), AppError> {
    let items = messages::news(app.db.pool(), institution, jiff::civil::date(1, 1, 1), true).await?;
    let item = items.iter().find(|n| n.id == id).ok_or(AppError::NotFound)?;
    let category = Category::from_code(&item.category).ok_or(AppError::NotFound)?;
    let permit = policy::may_publish(&session.actor, institution, category)?;
    messages::delete_news(app.db.pool(), permit.tenant(), id).await?;
    Ok(())
}

/// Is the item meant for this reader?
fn reaches(item: &NewsItem, roles: &[Role], classes: &[ClassId]) -> bool {
    let staff = roles.iter().any(|r| r.is_staff());
    let family = roles.iter().any(|r| !r.is_staff());
    match Audience::from_code(&item.audience) {
        Some(Audience::Everyone) => true,
        Some(Audience::Staff) => staff,
        Some(Audience::Families) => family || staff && roles.iter().any(|r| r.is_administration()),
        Some(Audience::Class) => {
            staff && roles.iter().any(|r| r.is_administration()) || item.class_id.is_some_and(|c| classes.contains(&c))
        }
        None => false,
    }
}

/// What an institution's news page shows a reader.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Board {
    pub institution: InstitutionId,
    pub name: String,
    pub items: Vec<NewsItem>,
    /// The categories this reader may write in; empty for readers only.
    pub may_publish: Vec<Category>,
}

/// The classes a publisher in `institution` may address news to: this year's.
pub async fn audience_classes(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<Vec<(ClassId, String)>, AppError> {
    if !Category::ALL
        .into_iter()
        .any(|c| policy::may_publish(&session.actor, institution, c).is_ok())
    {
        return Ok(Vec::new());
    }
    Ok(school::classes_of(app.db.pool(), institution, app.today())
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// The news relevant today for the reader, per institution; a publisher also sees items that
/// are not shown yet.
pub async fn boards(app: &App, session: &Session) -> Result<Vec<Board>, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let actor = &session.actor;
    // The classes the reader belongs to: their own, their children's, the ones they tutor.
    let mut people: Vec<_> = actor.children.iter().map(|(_, c)| *c).collect();
    people.push(session.person);
    let mut classes: Vec<ClassId> = school::placements(db, &people, today)
        .await?
        .into_iter()
        .map(|p| p.class_id)
        .collect();
    classes.extend(actor.grants.iter().filter_map(|g| g.class));
    let mut out = Vec::new();
    for inst in actor.institutions() {
        policy::authorize(actor, Action::ViewInstitution, Scope::Institution(inst))?;
        let Some(institution) = crate::home::kept_or_none(app, session, inst).await? else {
            continue;
        };
        let roles = actor.roles_in(inst);
        let may_publish: Vec<Category> = Category::ALL
            .into_iter()
            .filter(|c| policy::may_publish(actor, inst, *c).is_ok())
            .collect();
        let items = messages::news(db, inst, today, !may_publish.is_empty())
            .await?
            .into_iter()
            .filter(|n| {
                reaches(n, &roles, &classes)
                    || Category::from_code(&n.category).is_some_and(|c| may_publish.contains(&c))
            })
            .collect();
        out.push(Board {
            institution: inst,
            name: institution.name.clone(),
            items,
            may_publish,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(audience: &str, class: Option<i64>) -> NewsItem {
        NewsItem {
            id: 1,
            institution_id: InstitutionId(1),
            category: "general".into(),
            audience: audience.into(),
            class_id: class.map(ClassId),
            class_name: None,
            title: String::new(),
            body: String::new(),
            visible_from: jiff::civil::date(2026, 11, 1),
            visible_to: jiff::civil::date(2026, 12, 1),
            author: String::new(),
            created_at: 0,
        }
    }

    #[test]
    fn an_item_reaches_its_audience_only() {
        let parent = [Role::Parent];
        let teacher = [Role::Teacher];
        let director = [Role::Director];
        assert!(reaches(&item("everyone", None), &parent, &[]));
        assert!(!reaches(&item("staff", None), &parent, &[]));
        assert!(reaches(&item("staff", None), &teacher, &[]));
        assert!(reaches(&item("families", None), &parent, &[]));
        assert!(!reaches(&item("families", None), &teacher, &[]));
        assert!(reaches(&item("class", Some(3)), &parent, &[ClassId(3)]));
        assert!(!reaches(&item("class", Some(3)), &parent, &[ClassId(4)]));
        assert!(reaches(&item("class", Some(3)), &director, &[]));
    }
}
