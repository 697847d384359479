//! Mail between the institution and families (J30, J31): messages, their recipients with read
//! times, attachments, the groups a message can be addressed to; institution news (R22.5, R24.2,
//! R25.3); and each institution's additions to the clean-language list (J18).
//!
//! A person reads only messages they sent or received: every read here filters on that person.
//! Who may write to whom is the policy's (`klade-domain`), asked by `klade-app` before a write.

use crate::Result;
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId, Role};
use sqlx::{Any, AnyConnection, Executor, Row};

pub struct NewMessage<'a> {
    pub institution: InstitutionId,
    /// The thread it continues; a new thread when `None`.
    pub thread: Option<i64>,
    pub reply_to: Option<i64>,
    pub sender: PersonId,
    pub subject: &'a str,
    pub body: &'a str,
    pub audience: &'a str,
    pub search_text: &'a str,
    pub now: i64,
}

/// Writes a message and its recipients; returns its id. Recipients go in a few multi-row
/// inserts, so a message to a class's parents costs the same whatever the school's size.
pub async fn insert(conn: &mut AnyConnection, m: &NewMessage<'_>, recipients: &[PersonId]) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO messages (institution_id, thread_id, reply_to, sender_id, subject, body, audience, search_text, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(m.institution.0)
    .bind(m.thread)
    .bind(m.reply_to)
    .bind(m.sender.0)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.audience)
    .bind(m.search_text)
    .bind(m.now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    if m.thread.is_none() {
        sqlx::query("UPDATE messages SET thread_id = id WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for chunk in recipients.chunks(500) {
        let values: Vec<String> = (1..=chunk.len()).map(|i| format!("({id}, ${i})")).collect();
        let sql = format!(
            "INSERT INTO message_recipients (message_id, person_id) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q.bind(p.0);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(id)
}

pub async fn add_attachment(conn: &mut AnyConnection, message: i64, file: i64, file_name: &str) -> Result<()> {
    sqlx::query("INSERT INTO message_attachments (message_id, file_id, file_name) VALUES ($1, $2, $3)")
        .bind(message)
        .bind(file)
        .bind(file_name)
        .execute(conn)
        .await?;
    Ok(())
}

/// A line of the inbox or the sent list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    pub id: i64,
    pub thread_id: i64,
    pub institution_id: InstitutionId,
    pub sender_id: PersonId,
    pub sender: String,
    pub subject: String,
    pub audience: String,
    pub created_at: i64,
    /// When this reader read it (inbox); `None` while unread.
    pub read_at: Option<i64>,
    /// For the sender: how many received it and how many have read it.
    pub recipients: i64,
    pub read: i64,
    pub attachments: i64,
}

fn listed(r: &crate::AnyRow) -> Result<Listed> {
    Ok(Listed {
        id: r.try_get("id")?,
        thread_id: r.try_get("thread_id")?,
        institution_id: InstitutionId(r.try_get("institution_id")?),
        sender_id: PersonId(r.try_get("sender_id")?),
        sender: r.try_get("sender")?,
        subject: r.try_get("subject")?,
        audience: r.try_get("audience")?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
        recipients: r.try_get("recipients")?,
        read: r.try_get("nread")?,
        attachments: r.try_get("attachments")?,
    })
}

/// `%text%` for a search already folded to lower case; empty matches everything.
fn like(search: &str) -> String {
    format!("%{}%", search.replace(['%', '_'], ""))
}

/// A page of what `person` received, newest first, optionally only what matches `search`
/// (lower case); with the total count and the unread count of the whole inbox.
pub async fn inbox(
    conn: &mut AnyConnection,
    person: PersonId,
    search: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Listed>, i64)> {
    let rows = sqlx::query(
        "SELECT m.id, m.thread_id, m.institution_id, m.sender_id, p.given_name || ' ' || p.family_name AS sender, \
           m.subject, m.audience, m.created_at, r.read_at, 0 AS recipients, 0 AS nread, \
           (SELECT COUNT(*) FROM message_attachments a WHERE a.message_id = m.id) AS attachments \
         FROM message_recipients r JOIN messages m ON m.id = r.message_id JOIN persons p ON p.id = m.sender_id \
         WHERE r.person_id = $1 AND ($2 = '' OR m.search_text LIKE $3) \
         ORDER BY m.id DESC LIMIT $4 OFFSET $5",
    )
    .bind(person.0)
    .bind(search)
    .bind(like(search))
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query(
        "SELECT COUNT(*) AS n FROM message_recipients r JOIN messages m ON m.id = r.message_id \
         WHERE r.person_id = $1 AND ($2 = '' OR m.search_text LIKE $3)",
    )
    .bind(person.0)
    .bind(search)
    .bind(like(search))
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok((rows.iter().map(listed).collect::<Result<_>>()?, total))
}

/// A page of what `person` sent, newest first, with how many recipients have read each.
pub async fn sent(
    conn: &mut AnyConnection,
    person: PersonId,
    search: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Listed>, i64)> {
    let rows = sqlx::query(
        "SELECT m.id, m.thread_id, m.institution_id, m.sender_id, '' AS sender, m.subject, m.audience, m.created_at, \
           m.created_at AS read_at, \
           (SELECT COUNT(*) FROM message_recipients r WHERE r.message_id = m.id) AS recipients, \
           (SELECT COUNT(*) FROM message_recipients r WHERE r.message_id = m.id AND r.read_at IS NOT NULL) AS nread, \
           (SELECT COUNT(*) FROM message_attachments a WHERE a.message_id = m.id) AS attachments \
         FROM messages m WHERE m.sender_id = $1 AND ($2 = '' OR m.search_text LIKE $3) \
         ORDER BY m.id DESC LIMIT $4 OFFSET $5",
    )
    .bind(person.0)
    .bind(search)
    .bind(like(search))
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query(
        "SELECT COUNT(*) AS n FROM messages m WHERE m.sender_id = $1 AND ($2 = '' OR m.search_text LIKE $3)",
    )
    .bind(person.0)
    .bind(search)
    .bind(like(search))
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok((rows.iter().map(listed).collect::<Result<_>>()?, total))
}

/// One message of a thread, as its sender or a recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub id: i64,
    pub institution_id: InstitutionId,
    pub thread_id: i64,
    pub reply_to: Option<i64>,
    pub sender_id: PersonId,
    pub sender: String,
    pub subject: String,
    pub body: String,
    pub audience: String,
    pub created_at: i64,
}

/// The messages of a thread that `viewer` sent or received, oldest first.
pub async fn thread<'e>(ex: impl Executor<'e, Database = Any>, thread: i64, viewer: PersonId) -> Result<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT m.id, m.institution_id, m.thread_id, m.reply_to, m.sender_id, p.given_name || ' ' || p.family_name AS sender, \
           m.subject, m.body, m.audience, m.created_at \
         FROM messages m JOIN persons p ON p.id = m.sender_id \
         WHERE m.thread_id = $1 AND (m.sender_id = $2 OR EXISTS \
           (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id AND r.person_id = $2)) \
         ORDER BY m.id",
    )
    .bind(thread)
    .bind(viewer.0)
    .fetch_all(ex)
    .await?;
    rows.iter().map(message).collect()
}

/// One message, if `viewer` sent or received it.
pub async fn one<'e>(ex: impl Executor<'e, Database = Any>, id: i64, viewer: PersonId) -> Result<Option<Message>> {
    let row = sqlx::query(
        "SELECT m.id, m.institution_id, m.thread_id, m.reply_to, m.sender_id, p.given_name || ' ' || p.family_name AS sender, \
           m.subject, m.body, m.audience, m.created_at \
         FROM messages m JOIN persons p ON p.id = m.sender_id \
         WHERE m.id = $1 AND (m.sender_id = $2 OR EXISTS \
           (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id AND r.person_id = $2))",
    )
    .bind(id)
    .bind(viewer.0)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(message).transpose()
}

fn message(r: &crate::AnyRow) -> Result<Message> {
    Ok(Message {
        id: r.try_get("id")?,
        institution_id: InstitutionId(r.try_get("institution_id")?),
        thread_id: r.try_get("thread_id")?,
        reply_to: r.try_get("reply_to")?,
        sender_id: PersonId(r.try_get("sender_id")?),
        sender: r.try_get("sender")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        audience: r.try_get("audience")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Everyone a message went to.
pub async fn recipients<'e>(ex: impl Executor<'e, Database = Any>, message: i64) -> Result<Vec<PersonId>> {
    let rows = sqlx::query("SELECT person_id FROM message_recipients WHERE message_id = $1 ORDER BY person_id")
        .bind(message)
        .fetch_all(ex)
        .await?;
    rows.iter().map(|r| Ok(PersonId(r.try_get("person_id")?))).collect()
}

/// Who received `viewer`'s messages in a thread, and when each read them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Receipt {
    pub message_id: i64,
    pub person_id: PersonId,
    pub name: String,
    pub read_at: Option<i64>,
}

pub async fn receipts<'e>(
    ex: impl Executor<'e, Database = Any>,
    thread: i64,
    sender: PersonId,
) -> Result<Vec<Receipt>> {
    let rows = sqlx::query(
        "SELECT r.message_id, r.person_id, p.given_name, p.family_name, r.read_at \
         FROM message_recipients r JOIN messages m ON m.id = r.message_id JOIN persons p ON p.id = r.person_id \
         WHERE m.thread_id = $1 AND m.sender_id = $2",
    )
    .bind(thread)
    .bind(sender.0)
    .fetch_all(ex)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let given: String = r.try_get("given_name")?;
            let family: String = r.try_get("family_name")?;
            Ok((
                klade_domain::collate::person_key(&family, &given),
                Receipt {
                    message_id: r.try_get("message_id")?,
                    person_id: PersonId(r.try_get("person_id")?),
                    name: format!("{given} {family}"),
                    read_at: r.try_get("read_at")?,
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| a.1.message_id.cmp(&b.1.message_id).then_with(|| a.0.cmp(&b.0)));
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// Marks what `person` received in a thread as read; returns how many were unread.
pub async fn mark_read<'e>(
    ex: impl Executor<'e, Database = Any>,
    thread: i64,
    person: PersonId,
    now: i64,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE message_recipients SET read_at = $3 WHERE person_id = $2 AND read_at IS NULL \
         AND message_id IN (SELECT id FROM messages WHERE thread_id = $1)",
    )
    .bind(thread)
    .bind(person.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attachment {
    pub id: i64,
    pub message_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

pub async fn attachments<'e>(ex: impl Executor<'e, Database = Any>, thread: i64) -> Result<Vec<Attachment>> {
    let rows = sqlx::query(
        "SELECT a.id, a.message_id, a.file_name, f.content_type, f.size FROM message_attachments a \
         JOIN messages m ON m.id = a.message_id JOIN files f ON f.id = a.file_id \
         WHERE m.thread_id = $1 ORDER BY a.id",
    )
    .bind(thread)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Attachment {
                id: r.try_get("id")?,
                message_id: r.try_get("message_id")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
            })
        })
        .collect()
}

/// An attachment's name, type and bytes, if `viewer` sent or received its message.
pub async fn attachment_for<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: i64,
    viewer: PersonId,
) -> Result<Option<(String, String, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT a.file_name, f.content_type, f.data FROM message_attachments a \
         JOIN messages m ON m.id = a.message_id JOIN files f ON f.id = a.file_id AND f.institution_id = m.institution_id \
         WHERE a.id = $1 AND (m.sender_id = $2 OR EXISTS \
           (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id AND r.person_id = $2))",
    )
    .bind(id)
    .bind(viewer.0)
    .fetch_optional(ex)
    .await?;
    row.map(|r| Ok((r.try_get("file_name")?, r.try_get("content_type")?, r.try_get("data")?)))
        .transpose()
}

// ---- whom a message can go to ----

async fn ids<'e>(ex: impl Executor<'e, Database = Any>, sql: &str, binds: (i64, i64, Date)) -> Result<Vec<PersonId>> {
    let rows = sqlx::query(sql)
        .bind(binds.0)
        .bind(binds.1)
        .bind(binds.2.to_string())
        .fetch_all(ex)
        .await?;
    rows.iter().map(|r| Ok(PersonId(r.try_get("id")?))).collect()
}

/// The parents of the students enrolled in a class on `today`.
pub async fn class_parents<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
    today: Date,
) -> Result<Vec<PersonId>> {
    ids(
        ex,
        "SELECT DISTINCT g.parent_id AS id FROM enrolments e JOIN guardianships g ON g.child_id = e.student_id \
         WHERE e.institution_id = $1 AND e.class_id = $2 AND e.valid_from <= $3 AND (e.valid_to IS NULL OR e.valid_to >= $3)",
        (institution.0, class.0, today),
    )
    .await
}

/// The teachers of a class's courses in the school year of `today`, and its tutors.
pub async fn class_teachers<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
    today: Date,
) -> Result<Vec<PersonId>> {
    ids(
        ex,
        "SELECT t.person_id AS id FROM course_teachers t JOIN courses c ON c.id = t.course_id \
           JOIN school_years y ON y.id = c.school_year_id \
           WHERE c.institution_id = $1 AND c.class_id = $2 AND y.starts_on <= $3 AND y.ends_on >= $3 \
         UNION SELECT person_id FROM class_tutors WHERE institution_id = $1 AND class_id = $2",
        (institution.0, class.0, today),
    )
    .await
}

/// Everyone employed in the institution on `today`.
pub async fn all_staff<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    today: Date,
) -> Result<Vec<PersonId>> {
    let rows = sqlx::query(
        "SELECT DISTINCT person_id AS id FROM memberships WHERE institution_id = $1 \
         AND role NOT IN ('student', 'parent') AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)",
    )
    .bind(institution.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter().map(|r| Ok(PersonId(r.try_get("id")?))).collect()
}

/// The students of a course on `today` (its own list, or its class's).
pub async fn course_students<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
    today: Date,
) -> Result<Vec<PersonId>> {
    Ok(crate::journal::students(ex, institution, course, today)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

/// The parents of `students`.
pub async fn parents_of<'e>(ex: impl Executor<'e, Database = Any>, students: &[PersonId]) -> Result<Vec<PersonId>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    // The ids are our own integers, not user input, so they can be written into the query.
    let list: Vec<String> = students.iter().map(|s| s.0.to_string()).collect();
    let sql = format!(
        "SELECT DISTINCT parent_id FROM guardianships WHERE child_id IN ({})",
        list.join(", ")
    );
    let rows = sqlx::query(&sql).fetch_all(ex).await?;
    rows.iter().map(|r| Ok(PersonId(r.try_get("parent_id")?))).collect()
}

/// A person one may write to: who, and what they are in the institution.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub id: PersonId,
    pub name: String,
    pub roles: Vec<Role>,
}

/// The institution's members on `today` whose name contains `search` (lower case; empty: all),
/// staff only when `staff_only`, at most `limit`, in Latvian order.
pub async fn members<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    today: Date,
    search: &str,
    staff_only: bool,
    limit: usize,
) -> Result<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name, m.role FROM memberships m JOIN persons p ON p.id = m.person_id \
         WHERE m.institution_id = $1 AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to >= $2) \
           AND ($3 = 0 OR m.role NOT IN ('student', 'parent'))",
    )
    .bind(institution.0)
    .bind(today.to_string())
    .bind(i64::from(staff_only))
    .fetch_all(ex)
    .await?;
    let mut by_person: std::collections::BTreeMap<i64, (String, String, Vec<Role>)> = Default::default();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let code: String = r.try_get("role")?;
        let entry = by_person.entry(id).or_insert_with(|| {
            (
                r.try_get("given_name").unwrap_or_default(),
                r.try_get("family_name").unwrap_or_default(),
                vec![],
            )
        });
        if let Some(role) = Role::from_code(&code) {
            entry.2.push(role);
        }
    }
    let mut out: Vec<_> = by_person
        .into_iter()
        .filter(|(_, (g, f, _))| search.is_empty() || format!("{g} {f}").to_lowercase().contains(search))
        .map(|(id, (g, f, mut roles))| {
            roles.sort();
            roles.dedup();
            (
                klade_domain::collate::person_key(&f, &g),
                Member {
                    id: PersonId(id),
                    name: format!("{g} {f}"),
                    roles,
                },
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().take(limit).map(|(_, m)| m).collect())
}

/// The roles `person` holds in the institution on `today`.
pub async fn roles_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    person: PersonId,
    today: Date,
) -> Result<Vec<Role>> {
    let rows = sqlx::query(
        "SELECT DISTINCT role FROM memberships WHERE institution_id = $1 AND person_id = $2 \
         AND valid_from <= $3 AND (valid_to IS NULL OR valid_to >= $3)",
    )
    .bind(institution.0)
    .bind(person.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("role").ok())
        .filter_map(|c| Role::from_code(&c))
        .collect())
}

// ---- news ----

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewsItem {
    pub id: i64,
    pub institution_id: InstitutionId,
    pub category: String,
    pub audience: String,
    pub class_id: Option<ClassId>,
    pub class_name: Option<String>,
    pub title: String,
    pub body: String,
    pub visible_from: Date,
    pub visible_to: Date,
    pub author: String,
    pub created_at: i64,
}

pub struct NewNews<'a> {
    pub institution: InstitutionId,
    pub category: &'a str,
    pub audience: &'a str,
    pub class: Option<ClassId>,
    pub title: &'a str,
    pub body: &'a str,
    pub visible_from: Date,
    pub visible_to: Date,
    pub author: PersonId,
    pub now: i64,
}

pub async fn insert_news<'e>(ex: impl Executor<'e, Database = Any>, n: &NewNews<'_>) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO news (institution_id, category, audience, class_id, title, body, visible_from, visible_to, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(n.institution.0)
    .bind(n.category)
    .bind(n.audience)
    .bind(n.class.map(|c| c.0))
    .bind(n.title)
    .bind(n.body)
    .bind(n.visible_from.to_string())
    .bind(n.visible_to.to_string())
    .bind(n.author.0)
    .bind(n.now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn delete_news<'e>(ex: impl Executor<'e, Database = Any>, institution: Tenant, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM news WHERE institution_id = $1 AND id = $2")
        .bind(institution.id().0)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The institution's news still relevant on `today` (and, with `upcoming`, those not yet
/// shown), newest first.
pub async fn news<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    today: Date,
    upcoming: bool,
) -> Result<Vec<NewsItem>> {
    let rows = sqlx::query(
        "SELECT n.id, n.institution_id, n.category, n.audience, n.class_id, c.name AS class_name, n.title, n.body, \
           n.visible_from, n.visible_to, p.given_name || ' ' || p.family_name AS author, n.created_at \
         FROM news n JOIN persons p ON p.id = n.author_id LEFT JOIN classes c ON c.id = n.class_id \
         WHERE n.institution_id = $1 AND n.visible_to >= $2 AND ($3 = 1 OR n.visible_from <= $2) \
         ORDER BY n.created_at DESC, n.id DESC",
    )
    .bind(institution.0)
    .bind(today.to_string())
    .bind(i64::from(upcoming))
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NewsItem {
                id: r.try_get("id")?,
                institution_id: InstitutionId(r.try_get("institution_id")?),
                category: r.try_get("category")?,
                audience: r.try_get("audience")?,
                class_id: r.try_get::<Option<i64>, _>("class_id")?.map(ClassId),
                class_name: r.try_get("class_name")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                visible_from: crate::date(r, "visible_from")?,
                visible_to: crate::date(r, "visible_to")?,
                author: r.try_get("author")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

// ---- the institution's clean-language additions ----

pub async fn banned_words<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT word FROM banned_words WHERE institution_id = $1 ORDER BY word")
        .bind(institution.0)
        .fetch_all(ex)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("word")?)).collect()
}

/// Replaces the institution's additions with `words`.
pub async fn set_banned_words(conn: &mut AnyConnection, institution: Tenant, words: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM banned_words WHERE institution_id = $1")
        .bind(institution.id().0)
        .execute(&mut *conn)
        .await?;
    for w in words {
        sqlx::query("INSERT INTO banned_words (institution_id, word) VALUES ($1, $2)")
            .bind(institution.id().0)
            .bind(w)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
