//! Family API tokens: a parent or an adult student makes a named, read-only token for an app of
//! their own, sees when it was last used and revokes it. A request with one acts as its owner
//! with their family rights only — as a parent and as a student, never as staff — reads and
//! nothing else (the web layer refuses every other method), at most [`PER_MINUTE`] requests a
//! minute across all servers.

use crate::auth::{self, Session};
use crate::{App, AppError};
use klade_domain::Role;
pub use klade_store::family_tokens::Token;

/// What a family token begins with, so the API tells it from a login's token at a glance.
pub const PREFIX: &str = "kf_";
/// Requests a minute one token may make.
pub const PER_MINUTE: i64 = 60;
/// Live tokens a person may hold.
pub const MAX_TOKENS: usize = 10;
/// The longest name, in characters.
const MAX_NAME: usize = 60;

/// Makes a token named `name` for the signed-in parent or adult student; its secret is in the
/// answer only.
pub async fn create(app: &App, session: &Session, name: &str) -> Result<(i64, String), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "error.required"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::invalid("name", "tokens.name_too_long"));
    }
    let db = app.db.pool();
    let parent = !session.actor.children.is_empty();
    let adult_student = session.actor.grants.iter().any(|g| g.role == Role::Student)
        && crate::sharing::adult(
            klade_store::people::get(db, session.person)
                .await?
                .and_then(|p| p.birth_date),
            app.today(),
        ) == Some(true);
    if !parent && !adult_student {
        return Err(AppError::invalid("name", "tokens.not_family"));
    }
    if klade_store::family_tokens::live(db, session.person).await?.len() >= MAX_TOKENS {
        return Err(AppError::invalid("name", "tokens.too_many"));
    }
    let token = format!("{PREFIX}{}", auth::random_hex(32)?);
    let id = klade_store::family_tokens::create(db, session.person, name, &auth::token_hash(&token), app.now()).await?;
    Ok((id, token))
}

/// The signed-in person's live tokens.
pub async fn list(app: &App, session: &Session) -> Result<Vec<Token>, AppError> {
    Ok(klade_store::family_tokens::live(app.db.pool(), session.person).await?)
}

/// Revokes one of the signed-in person's tokens: it is refused from the next request on.
pub async fn revoke(app: &App, session: &Session, id: i64) -> Result<(), AppError> {
    if klade_store::family_tokens::revoke(app.db.pool(), session.person, id, app.now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The session a family token stands for: its owner with their family rights of today. `None`
/// for an unknown or revoked token or an owner who holds nothing; throttled past the minute's
/// allowance.
pub async fn authenticate(app: &App, token: &str) -> Result<Option<Session>, AppError> {
    let now = app.now();
    let Some((token, count)) =
        klade_store::family_tokens::used(app.db.pool(), &auth::token_hash(token), now.div_euclid(60), now).await?
    else {
        return Ok(None);
    };
    if count > PER_MINUTE {
        return Err(AppError::RateLimited {
            retry_after_secs: 60 - now.rem_euclid(60),
        });
    }
    let Some(mut session) = auth::as_person(app, token.person_id).await? else {
        return Ok(None);
    };
    session
        .actor
        .grants
        .retain(|g| matches!(g.role, Role::Parent | Role::Student));
    session.actor.courses.clear();
    if session.actor.grants.is_empty() {
        return Ok(None);
    }
    Ok(Some(session))
}
