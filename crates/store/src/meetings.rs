//! Parent–teacher meetings and their slots. A slot is booked when it names a student; the
//! database keeps one slot per student and meeting, and a booking takes only a free slot, so two
//! parents who press at once cannot both have it. Who may publish, see or book is the use case's
//! to decide (`app::meetings`), never this module's; every query names its institution.

use crate::{conflict, Result};
use klade_domain::{ClassId, InstitutionId, PersonId, Tenant};
use sqlx::{Any, Executor, Row};

/// A meeting as its host and the families see it, with how many of its slots are booked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Meeting {
    pub id: i64,
    pub institution_id: InstitutionId,
    pub class_id: ClassId,
    pub class_name: String,
    pub host_id: PersonId,
    pub host: String,
    pub title: String,
    pub place: String,
    pub link: Option<String>,
    /// Bookings are made and cancelled until this instant.
    pub book_by: i64,
    pub created_at: i64,
    pub cancelled_at: Option<i64>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub slots: i64,
    pub booked: i64,
}

/// One slot, and who booked it for which student.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Slot {
    pub id: i64,
    pub meeting_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub student_id: Option<PersonId>,
    pub student: Option<String>,
    pub booked_by: Option<PersonId>,
    pub booked_at: Option<i64>,
}

/// What a new meeting holds; its slots as (start, end) instants.
pub struct NewMeeting<'a> {
    pub class: ClassId,
    pub host: PersonId,
    pub title: &'a str,
    pub place: &'a str,
    pub link: Option<&'a str>,
    pub book_by: i64,
    pub slots: &'a [(i64, i64)],
}

pub async fn insert(tx: &mut crate::Tx, tenant: Tenant, m: &NewMeeting<'_>, now: i64) -> Result<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO meetings (institution_id, class_id, host_id, title, place, link, book_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tenant.id().0)
    .bind(m.class.0)
    .bind(m.host.0)
    .bind(m.title)
    .bind(m.place)
    .bind(m.link)
    .bind(m.book_by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for (starts, ends) in m.slots {
        sqlx::query(
            "INSERT INTO meeting_slots (meeting_id, institution_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(tenant.id().0)
        .bind(starts)
        .bind(ends)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

const COLUMNS: &str = "m.id, m.institution_id, m.class_id, c.name AS class_name, m.host_id, \
    h.given_name AS hg, h.family_name AS hf, m.title, m.place, m.link, m.book_by, m.created_at, m.cancelled_at, \
    (SELECT MIN(s.starts_at) FROM meeting_slots s WHERE s.meeting_id = m.id) AS starts_at, \
    (SELECT MAX(s.ends_at) FROM meeting_slots s WHERE s.meeting_id = m.id) AS ends_at, \
    (SELECT COUNT(*) FROM meeting_slots s WHERE s.meeting_id = m.id) AS slots, \
    (SELECT COUNT(*) FROM meeting_slots s WHERE s.meeting_id = m.id AND s.student_id IS NOT NULL) AS booked";

const FROM: &str = "FROM meetings m JOIN classes c ON c.id = m.class_id AND c.institution_id = m.institution_id \
    JOIN persons h ON h.id = m.host_id";

fn meeting(r: &sqlx::any::AnyRow) -> Result<Meeting> {
    Ok(Meeting {
        id: r.try_get("id")?,
        institution_id: InstitutionId(r.try_get("institution_id")?),
        class_id: ClassId(r.try_get("class_id")?),
        class_name: r.try_get("class_name")?,
        host_id: PersonId(r.try_get("host_id")?),
        host: format!("{} {}", r.try_get::<String, _>("hg")?, r.try_get::<String, _>("hf")?),
        title: r.try_get("title")?,
        place: r.try_get("place")?,
        link: r.try_get("link")?,
        book_by: r.try_get("book_by")?,
        created_at: r.try_get("created_at")?,
        cancelled_at: r.try_get("cancelled_at")?,
        starts_at: r.try_get::<Option<i64>, _>("starts_at")?.unwrap_or(0),
        ends_at: r.try_get::<Option<i64>, _>("ends_at")?.unwrap_or(0),
        slots: r.try_get("slots")?,
        booked: r.try_get("booked")?,
    })
}

/// One meeting of `institution`.
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    id: i64,
) -> Result<Option<Meeting>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE m.institution_id = $1 AND m.id = $2");
    let row = sqlx::query(&sql)
        .bind(institution.0)
        .bind(id)
        .fetch_optional(ex)
        .await?;
    row.as_ref().map(meeting).transpose()
}

/// The institution a meeting belongs to, to ask the policy about it.
pub async fn institution_of<'e>(ex: impl Executor<'e, Database = Any>, id: i64) -> Result<Option<InstitutionId>> {
    let row = sqlx::query("SELECT institution_id FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await?;
    Ok(row
        .map(|r| r.try_get("institution_id").map(InstitutionId))
        .transpose()?)
}

/// The meetings `host` published that end after `since`, soonest first.
pub async fn hosted_by<'e>(ex: impl Executor<'e, Database = Any>, host: PersonId, since: i64) -> Result<Vec<Meeting>> {
    let sql = format!(
        "SELECT * FROM (SELECT {COLUMNS} {FROM} WHERE m.host_id = $1) x WHERE x.ends_at > $2 ORDER BY x.starts_at, x.id"
    );
    let rows = sqlx::query(&sql).bind(host.0).bind(since).fetch_all(ex).await?;
    rows.iter().map(meeting).collect()
}

/// The meetings of these classes that end after `since`, soonest first.
pub async fn of_classes<'e>(
    ex: impl Executor<'e, Database = Any>,
    classes: &[(InstitutionId, ClassId)],
    since: i64,
) -> Result<Vec<Meeting>> {
    if classes.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers we hold, not user input, so inlining them keeps this one query.
    let pairs: Vec<String> = classes
        .iter()
        .map(|(i, c)| format!("(m.institution_id = {} AND m.class_id = {})", i.0, c.0))
        .collect();
    let sql = format!(
        "SELECT * FROM (SELECT {COLUMNS} {FROM} WHERE {}) x WHERE x.ends_at > $1 ORDER BY x.starts_at, x.id",
        pairs.join(" OR ")
    );
    let rows = sqlx::query(&sql).bind(since).fetch_all(ex).await?;
    rows.iter().map(meeting).collect()
}

/// The slots of these meetings of `institution`, in order of time.
pub async fn slots<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    meetings: &[i64],
) -> Result<Vec<Slot>> {
    if meetings.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = meetings.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT s.id, s.meeting_id, s.starts_at, s.ends_at, s.student_id, p.given_name, p.family_name, \
           s.booked_by, s.booked_at FROM meeting_slots s LEFT JOIN persons p ON p.id = s.student_id \
         WHERE s.institution_id = $1 AND s.meeting_id IN ({}) ORDER BY s.meeting_id, s.starts_at, s.id",
        ids.join(",")
    );
    let rows = sqlx::query(&sql).bind(institution.0).fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            let given: Option<String> = r.try_get("given_name")?;
            let family: Option<String> = r.try_get("family_name")?;
            Ok(Slot {
                id: r.try_get("id")?,
                meeting_id: r.try_get("meeting_id")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                student_id: r.try_get::<Option<i64>, _>("student_id")?.map(PersonId),
                student: given.zip(family).map(|(g, f)| format!("{g} {f}")),
                booked_by: r.try_get::<Option<i64>, _>("booked_by")?.map(PersonId),
                booked_at: r.try_get("booked_at")?,
            })
        })
        .collect()
}

/// Books a free slot of `meeting` for `student`, moving the student's earlier booking of the same
/// meeting there. False when the slot is not free (or not of that meeting): nothing changes then.
/// Run it in a transaction.
pub async fn book(
    tx: &mut crate::Tx,
    tenant: Tenant,
    meeting: i64,
    slot: i64,
    student: PersonId,
    by: PersonId,
    now: i64,
) -> Result<bool> {
    unbook(tx, tenant, meeting, student).await?;
    let changed = sqlx::query(
        "UPDATE meeting_slots SET student_id = $4, booked_by = $5, booked_at = $6 \
         WHERE institution_id = $1 AND meeting_id = $2 AND id = $3 AND student_id IS NULL",
    )
    .bind(tenant.id().0)
    .bind(meeting)
    .bind(slot)
    .bind(student.0)
    .bind(by.0)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?
    .rows_affected();
    Ok(changed == 1)
}

/// Frees `student`'s slot of `meeting`; false when they had none.
pub async fn unbook(tx: &mut crate::Tx, tenant: Tenant, meeting: i64, student: PersonId) -> Result<bool> {
    let changed = sqlx::query(
        "UPDATE meeting_slots SET student_id = NULL, booked_by = NULL, booked_at = NULL \
         WHERE institution_id = $1 AND meeting_id = $2 AND student_id = $3",
    )
    .bind(tenant.id().0)
    .bind(meeting)
    .bind(student.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Marks a meeting cancelled; false when it already was.
pub async fn cancel<'e>(ex: impl Executor<'e, Database = Any>, tenant: Tenant, meeting: i64, now: i64) -> Result<bool> {
    let changed = sqlx::query(
        "UPDATE meetings SET cancelled_at = $3 WHERE institution_id = $1 AND id = $2 AND cancelled_at IS NULL",
    )
    .bind(tenant.id().0)
    .bind(meeting)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// A booked slot with its meeting, as a calendar or a reminder tells it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Booking {
    pub slot_id: i64,
    pub meeting_id: i64,
    pub institution_id: InstitutionId,
    pub title: String,
    pub place: String,
    pub link: Option<String>,
    pub host_id: PersonId,
    pub host: String,
    pub student_id: PersonId,
    pub student: String,
    pub booked_by: Option<PersonId>,
    pub starts_at: i64,
    pub ends_at: i64,
}

const BOOKING: &str = "SELECT s.id, s.meeting_id, m.institution_id, m.title, m.place, m.link, m.host_id, \
    h.given_name AS hg, h.family_name AS hf, s.student_id, p.given_name AS pg, p.family_name AS pf, s.booked_by, \
    s.starts_at, s.ends_at FROM meeting_slots s JOIN meetings m ON m.id = s.meeting_id AND m.institution_id = s.institution_id \
    JOIN persons h ON h.id = m.host_id JOIN persons p ON p.id = s.student_id";

fn booking(r: &sqlx::any::AnyRow) -> Result<Booking> {
    Ok(Booking {
        slot_id: r.try_get("id")?,
        meeting_id: r.try_get("meeting_id")?,
        institution_id: InstitutionId(r.try_get("institution_id")?),
        title: r.try_get("title")?,
        place: r.try_get("place")?,
        link: r.try_get("link")?,
        host_id: PersonId(r.try_get("host_id")?),
        host: format!("{} {}", r.try_get::<String, _>("hg")?, r.try_get::<String, _>("hf")?),
        student_id: PersonId(r.try_get("student_id")?),
        student: format!("{} {}", r.try_get::<String, _>("pg")?, r.try_get::<String, _>("pf")?),
        booked_by: r.try_get::<Option<i64>, _>("booked_by")?.map(PersonId),
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
    })
}

/// These students' booked slots of meetings not cancelled, starting in `[from, to)`, soonest
/// first.
pub async fn bookings_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    students: &[PersonId],
    from: i64,
    to: i64,
) -> Result<Vec<Booking>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers we hold, not user input, so inlining them keeps this one query.
    let ids: Vec<String> = students.iter().map(|p| p.0.to_string()).collect();
    let sql = format!(
        "{BOOKING} WHERE s.student_id IN ({}) AND s.starts_at >= $1 AND s.starts_at < $2 AND m.cancelled_at IS NULL \
         ORDER BY s.starts_at, s.id",
        ids.join(",")
    );
    let rows = sqlx::query(&sql).bind(from).bind(to).fetch_all(ex).await?;
    rows.iter().map(booking).collect()
}

/// One booked slot of a meeting not cancelled, for its reminder; `None` when it was freed or the
/// meeting cancelled.
pub async fn booking_of_slot<'e>(ex: impl Executor<'e, Database = Any>, slot: i64) -> Result<Option<Booking>> {
    let sql = format!("{BOOKING} WHERE s.id = $1 AND m.cancelled_at IS NULL");
    let row = sqlx::query(&sql).bind(slot).fetch_optional(ex).await?;
    row.as_ref().map(booking).transpose()
}
