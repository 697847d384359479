//! Operator tasks from the console: institutions, the first superuser, password resets.
//! The console is trusted (it holds the database), so these take no actor.

use crate::auth::{generate_password, hash_password, normalize_username};
use crate::{App, AppError};
use klade_domain::{InstitutionId, InstitutionKind, PersonalCode, Role};
use klade_store::accounts::{self, Basis};
use klade_store::{institutions, people, sessions, StoreError};

pub async fn create_institution(
    app: &App,
    kind: InstitutionKind,
    name: &str,
    reg_no: &str,
    address: &str,
) -> Result<InstitutionId, AppError> {
    let mut tx = app.db.begin().await?;
    let id = register(&mut tx, kind, name, reg_no, address, app.now()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Registers an institution with what every institution starts with: the attendance marks of
/// the journal. The demo registers its institutions through this too.
pub async fn register(
    tx: &mut klade_store::Tx,
    kind: InstitutionKind,
    name: &str,
    reg_no: &str,
    address: &str,
    now: i64,
) -> Result<InstitutionId, AppError> {
    if name.trim().is_empty() {
        return Err(AppError::invalid("name", "error.required"));
    }
    let id = institutions::insert(&mut **tx, kind, name.trim(), reg_no.trim(), address.trim(), now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("institution.exists"),
            e => e.into(),
        })?;
    klade_store::journal::seed_attendance_kinds(
        tx,
        klade_domain::Tenant::without_permit(id),
        &klade_domain::attendance::default_kinds(),
    )
    .await?;
    Ok(id)
}

pub struct NewSuperuser<'a> {
    pub institution_reg_no: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub personal_code: Option<&'a str>,
    pub username: Option<&'a str>,
    /// The director's order appointing the superuser (R4).
    pub order_number: &'a str,
    pub order_date: &'a str,
}

/// Creates a person with a superuser membership based on the director's order, and an account
/// with a generated password that must be changed at first login. Returns the username and the
/// password, to be handed over once. A personal code already known (one who serves several
/// institutions, as a municipality's administrator does) gives that person the membership too,
/// if the name is theirs: they keep their account and sign in as before, so no password is made.
pub async fn create_superuser(app: &App, input: &NewSuperuser<'_>) -> Result<(String, Option<String>), AppError> {
    let institution = institutions::find_by_reg_no(app.db.pool(), input.institution_reg_no)
        .await?
        .ok_or(AppError::invalid("institution", "institution.unknown"))?;
    let code = match input.personal_code {
        Some(c) if !c.trim().is_empty() => {
            Some(PersonalCode::parse(c).map_err(|e| AppError::invalid("personal_code", e.code()))?)
        }
        _ => None,
    };
    let order_date: jiff::civil::Date = input
        .order_date
        .parse()
        .map_err(|_| AppError::invalid("order_date", "error.date"))?;
    if input.order_number.trim().is_empty() {
        return Err(AppError::invalid("order_number", "error.required"));
    }
    let date = order_date;
    let basis = Basis::Order {
        number: input.order_number.trim(),
        date,
    };
    let known = match &code {
        Some(c) => people::find_by_personal_code(app.db.pool(), c.as_str()).await?,
        None => None,
    };
    if let Some(person) = known {
        if !people::same_name(&person, input.given_name.trim(), input.family_name.trim()) {
            return Err(AppError::invalid("personal_code", "person.code_name_conflict"));
        }
        let account = accounts::by_person(app.db.pool(), person.id)
            .await?
            .ok_or(AppError::Conflict("person.exists"))?;
        let holds = accounts::holdings(app.db.pool(), person.id, app.today()).await?;
        if holds
            .grants
            .iter()
            .any(|g| g.institution == institution.id && g.role == Role::Superuser)
        {
            return Err(AppError::Conflict("rules.already_superuser"));
        }
        accounts::add_membership(
            app.db.pool(),
            klade_domain::Tenant::without_permit(institution.id),
            person.id,
            Role::Superuser,
            date,
            &basis,
            app.now(),
        )
        .await?;
        return Ok((account.username, None));
    }
    let username = match (input.username, &code) {
        (Some(u), _) if !u.trim().is_empty() => normalize_username(u),
        (_, Some(c)) => c.to_string(),
        _ => return Err(AppError::invalid("username", "error.required")),
    };
    let password = generate_password()?;
    let hash = hash_password(&password)?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let person = people::insert(
        &mut *tx,
        &people::NewPerson {
            given_name: input.given_name.trim(),
            family_name: input.family_name.trim(),
            personal_code: code.as_ref().map(PersonalCode::as_str),
            ..Default::default()
        },
        now,
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => AppError::Conflict("person.exists"),
        e => e.into(),
    })?;
    accounts::insert(&mut *tx, person, &username, &hash, true, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("accounts.username_taken"),
            e => e.into(),
        })?;
    accounts::add_membership(
        &mut *tx,
        klade_domain::Tenant::without_permit(institution.id),
        person,
        Role::Superuser,
        date,
        &basis,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((username, Some(password)))
}

/// Issues a new generated password from the console; it must be changed at first login, and
/// every session of the account ends.
pub async fn reset_password(app: &App, username: &str) -> Result<String, AppError> {
    let account = accounts::find_by_username(app.db.pool(), &normalize_username(username))
        .await?
        .ok_or(AppError::NotFound)?;
    let password = generate_password()?;
    let hash = hash_password(&password)?;
    let mut tx = app.db.begin().await?;
    accounts::set_password(&mut *tx, account.id, &hash, true).await?;
    sessions::delete_all(&mut *tx, account.id).await?;
    tx.commit().await?;
    Ok(password)
}
