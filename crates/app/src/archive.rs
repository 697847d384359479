//! The year-end archive (R28, J37): for an institution and a school year, every journal as PDF
//! and as JSON (the schema is `SCHEMA.md` inside the archive, from `docs/archive.md`), the class
//! summary journals, each student's progress report, and the preschool groups' record; a manifest
//! of SHA-256 sums signed with the institution's Ed25519 key. [`verify`] checks an archive with
//! nothing but its files — no database — and names every file that was changed, added or lost.
//!
//! The documents are in Latvian, the language of the official record.

use crate::auth::Session;
use crate::auth::{hex, sha256_hex};
use crate::{App, AppError};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use klade_docs::pdf::{self, Block};
use klade_domain::grading::Kind;
use klade_domain::{policy, Action, InstitutionId, InstitutionKind, PersonId, Scope};
use klade_store::archive as store;
use klade_store::year_lock::{self, Year};
use klade_store::{journal, preschool, school};
use serde_json::json;
use std::collections::BTreeMap;

pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";
const SCHEMA: &str = include_str!("../../../docs/archive.md");

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// An archive: file paths (with `/`) and their bytes, the manifest and its signature among them.
#[derive(Debug, Clone, Default)]
pub struct Archive {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The institution's signing key, made on first use.
async fn signing_key(app: &App, tenant: klade_domain::Tenant) -> Result<SigningKey, AppError> {
    let institution = tenant.id();
    let db = app.db.pool();
    if store::key(db, institution).await?.is_none() {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| AppError::Internal(format!("random: {e}")))?;
        let key = SigningKey::from_bytes(&seed);
        store::insert_key(db, tenant, &hex(key.verifying_key().as_bytes()), &hex(&seed), app.now()).await?;
    }
    let (_, secret) = store::key(db, institution).await?.ok_or(AppError::NotFound)?;
    let seed: [u8; 32] = unhex(&secret)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::Internal("the institution's key is damaged".into()))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The superuser's button: the archive of a school year (by name; the latest when empty).
pub async fn create_for(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    year: &str,
) -> Result<Archive, AppError> {
    let permit = policy::authorize(&session.actor, Action::ArchiveYear, Scope::Institution(institution))?;
    create(app, permit.tenant(), year, Some(session.person)).await
}

/// Writes the archive of `year` (its name, e.g. `2026/2027`; the latest year when empty).
pub async fn create(
    app: &App,
    tenant: klade_domain::Tenant,
    year: &str,
    by: Option<PersonId>,
) -> Result<Archive, AppError> {
    let institution = tenant.id();
    let db = app.db.pool();
    let inst = klade_store::institutions::get(db, institution)
        .await?
        .ok_or(AppError::NotFound)?;
    let years = year_lock::years(db, institution).await?;
    let y = if year.trim().is_empty() {
        years.first()
    } else {
        years.iter().find(|y| y.name == year.trim())
    }
    .cloned()
    .ok_or(AppError::invalid("year", "archive.no_year"))?;
    let mut out = Archive::default();
    out.files.insert("SCHEMA.md".into(), SCHEMA.as_bytes().to_vec());
    let head = json!({
        "name": inst.name, "reg_no": inst.reg_no, "kind": inst.kind.code(),
        "school_year": { "name": y.name, "starts_on": y.starts_on, "ends_on": y.ends_on },
    });
    put_json(&mut out, "institution.json", &head)?;
    if inst.kind == InstitutionKind::Preschool {
        preschool_groups(app, institution, &inst.name, &y, &mut out).await?;
    } else {
        journals(app, institution, &inst.name, &y, &mut out).await?;
        classes(app, institution, &inst.name, &y, &mut out).await?;
    }
    let key = signing_key(app, tenant).await?;
    let files: Vec<_> = out
        .files
        .iter()
        .map(|(path, bytes)| json!({ "path": path, "sha256": sha256_hex(bytes), "size": bytes.len() }))
        .collect();
    let manifest = json!({
        "format": "klade-archive/1",
        "institution": head,
        "created_at": jiff::Timestamp::from_second(app.now()).map(|t| t.to_string()).unwrap_or_default(),
        "public_key": hex(key.verifying_key().as_bytes()),
        "files": files,
    });
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| AppError::Internal(e.to_string()))?;
    let signature = key.sign(&manifest);
    store::record(
        db,
        tenant,
        y.id,
        &sha256_hex(&manifest),
        out.files.len() as i64,
        by,
        app.now(),
    )
    .await?;
    out.files.insert(MANIFEST.into(), manifest);
    out.files
        .insert(SIGNATURE.into(), hex(&signature.to_bytes()).into_bytes());
    Ok(out)
}

fn put_json(out: &mut Archive, path: &str, value: &serde_json::Value) -> Result<(), AppError> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| AppError::Internal(e.to_string()))?;
    out.files.insert(path.to_string(), bytes);
    Ok(())
}

fn put_pdf(out: &mut Archive, path: &str, title: &str, blocks: &[Block]) -> Result<(), AppError> {
    let bytes = pdf::render(title, blocks).map_err(|e| AppError::Internal(e.to_string()))?;
    out.files.insert(path.to_string(), bytes);
    Ok(())
}

fn name_of(students: &[journal::Student], id: PersonId) -> String {
    students
        .iter()
        .find(|s| s.id == id)
        .map(|s| format!("{} {}", s.family_name, s.given_name))
        .unwrap_or_else(|| id.0.to_string())
}

/// Every course's journal: lessons, attendance, assessments and grades, notes.
async fn journals(
    app: &App,
    inst: InstitutionId,
    inst_name: &str,
    y: &Year,
    out: &mut Archive,
) -> Result<(), AppError> {
    let db = app.db.pool();
    let (from, to) = (y.starts_on, y.ends_on);
    let courses = journal::courses_for(db, inst, PersonId(0), from, true).await?;
    // One PDF per class, each course from a new page: a class's year is one document to print,
    // and every PDF carries its fonts, so fewer files keep the archive small.
    let mut documents: BTreeMap<String, (String, Vec<Block>)> = BTreeMap::new();
    for c in &courses {
        let on = app.today().min(to);
        let students = journal::students(db, inst, c.id, on).await?;
        let lessons = journal::lessons(db, inst, c.id, from, to).await?;
        let marks = journal::attendance(db, inst, c.id, from, to).await?;
        let assessments = journal::assessments(db, inst, c.id, from, to).await?;
        let grades = journal::grades(db, inst, c.id, from, to).await?;
        let notes: Vec<_> = journal::notes(db, inst, Some(c.id), None)
            .await?
            .into_iter()
            .filter(|n| n.date >= from && n.date <= to)
            .collect();
        let checks =
            klade_store::journal_checks::checks(db, inst, klade_store::journal_checks::Journal::Course(c.id)).await?;
        let data = json!({
            "course": { "id": c.id, "name": c.name, "class": c.class_name, "subgroup": c.subgroup, "teachers": c.teachers },
            "students": students.iter().map(|s| json!({"id": s.id, "given_name": s.given_name, "family_name": s.family_name})).collect::<Vec<_>>(),
            "lessons": lessons.iter().map(|l| json!({"id": l.id, "date": l.date, "lesson_no": l.lesson_no, "topic": l.topic, "content": l.content, "homework": l.homework, "homework_due": l.homework_due})).collect::<Vec<_>>(),
            "attendance": marks.iter().map(|m| json!({"lesson_id": m.lesson_id, "student_id": m.student_id, "mark": m.display()})).collect::<Vec<_>>(),
            "assessments": assessments.iter().map(|a| json!({"id": a.id, "kind": a.kind, "scale": a.scale, "date": a.date, "title": a.title, "handed_in_on": a.handed_in_on})).collect::<Vec<_>>(),
            "grades": grades.iter().map(|g| json!({"assessment_id": g.assessment_id, "student_id": g.student_id, "mark": g.mark})).collect::<Vec<_>>(),
            "notes": notes.iter().map(|n| json!({"id": n.id, "student_id": n.student_id, "date": n.date, "kind": n.kind, "text": n.text, "author": n.author})).collect::<Vec<_>>(),
            "checks": checks.iter().map(|k| json!({"area": k.area, "finding": k.finding, "due_on": k.due_on, "answer": k.answer, "state": k.state()})).collect::<Vec<_>>(),
        });
        put_json(out, &format!("journals/{}.json", c.id.0), &data)?;
        let title = format!("Žurnāls: {} {}", c.class_name.clone().unwrap_or_default(), c.name);
        let (path, doc_title) = match c.class_id {
            Some(class) => (
                format!("classes/{}/journals.pdf", class.0),
                format!("Žurnāli: {}", c.class_name.clone().unwrap_or_default()),
            ),
            None => (format!("journals/{}.pdf", c.id.0), title.clone()),
        };
        let (_, b) = documents.entry(path).or_insert_with(|| (doc_title, Vec::new()));
        if !b.is_empty() {
            b.push(Block::PageBreak);
        }
        b.extend([
            Block::Title(title.clone()),
            Block::Text(format!("{inst_name} · {} mācību gads · {}", y.name, c.teachers)),
            Block::Heading("Stundas".into()),
        ]);
        for l in &lessons {
            let mut text = l.topic.clone();
            if !l.homework.is_empty() {
                text.push_str(&format!(" — mājasdarbs: {}", l.homework));
            }
            b.push(Block::Row(
                format!("{} {}.", crate::clock::format_date(l.date), l.lesson_no),
                text,
            ));
        }
        b.push(Block::Heading("Kavējumi".into()));
        for s in &students {
            let mine: Vec<String> = marks
                .iter()
                .filter(|m| m.student_id == s.id)
                .filter_map(|m| {
                    let l = lessons.iter().find(|l| l.id == m.lesson_id)?;
                    Some(format!(
                        "{} {}. {}",
                        crate::clock::format_date(l.date),
                        l.lesson_no,
                        m.display()
                    ))
                })
                .collect();
            if !mine.is_empty() {
                b.push(Block::Row(name_of(&students, s.id), mine.join("; ")));
            }
        }
        b.push(Block::Heading("Vērtējumi".into()));
        for a in &assessments {
            let of: Vec<String> = grades
                .iter()
                .filter(|g| g.assessment_id == a.id)
                .map(|g| format!("{}: {}", name_of(&students, g.student_id), g.mark))
                .collect();
            b.push(Block::Row(
                format!("{} {} {}", crate::clock::format_date(a.date), a.kind, a.title),
                of.join("; "),
            ));
        }
        if !notes.is_empty() {
            b.push(Block::Heading("Piezīmes".into()));
            for n in &notes {
                b.push(Block::Row(
                    format!(
                        "{} {}",
                        crate::clock::format_date(n.date),
                        name_of(&students, n.student_id)
                    ),
                    format!("{}: {}", n.kind, n.text),
                ));
            }
        }
    }
    for (path, (title, blocks)) in &documents {
        put_pdf(out, path, title, blocks)?;
    }
    Ok(())
}

/// Each class's summary journal (R22.3) and every student's progress report (R27.1).
async fn classes(app: &App, inst: InstitutionId, inst_name: &str, y: &Year, out: &mut Archive) -> Result<(), AppError> {
    let db = app.db.pool();
    let (from, to) = (y.starts_on, y.ends_on);
    let on = app.today().min(to);
    for class in school::classes_of(db, inst, from).await? {
        let students = journal::class_students(db, inst, class.id, on).await?;
        let ids: Vec<PersonId> = students.iter().map(|s| s.id).collect();
        let grades = journal::student_grades(db, inst, &ids, from, to).await?;
        let marks = journal::student_attendance(db, inst, &ids, from, to).await?;
        let mut records = Vec::new();
        let mut summary = vec![
            Block::Title(format!("Kopsavilkuma žurnāls: {}", class.name)),
            Block::Text(format!("{inst_name} · {} mācību gads", y.name)),
        ];
        let mut reports = Vec::new();
        for s in &students {
            let mine: Vec<_> = grades.iter().filter(|(p, _)| *p == s.id).map(|(_, g)| g).collect();
            let mut courses: Vec<String> = mine.iter().map(|g| g.course_name.clone()).collect();
            klade_domain::collate::sort_unique(&mut courses);
            let (mut excused, mut unexcused, mut late) = (0, 0, 0);
            for (_, m) in marks.iter().filter(|(p, _)| *p == s.id) {
                match (m.absent, m.excused, m.late) {
                    (true, true, _) => excused += 1,
                    (true, false, _) => unexcused += 1,
                    (false, _, true) => late += 1,
                    _ => {}
                }
            }
            let name = format!("{} {}", s.family_name, s.given_name);
            let mut subjects = Vec::new();
            reports.push(Block::Title("Sekmju izraksts".into()));
            reports.push(Block::Text(inst_name.to_string()));
            reports.push(Block::Heading(format!(
                "{name}, {} · {} mācību gads",
                class.name, y.name
            )));
            for c in &courses {
                let of: Vec<_> = mine.iter().filter(|g| &g.course_name == c).collect();
                let period: Vec<String> = of
                    .iter()
                    .filter(|g| Kind::from_code(&g.kind).is_some_and(|k| k.is_period_grade()))
                    .map(|g| format!("{}: {}", g.kind, g.mark))
                    .collect();
                let all: Vec<String> = of.iter().map(|g| g.mark.clone()).collect();
                subjects.push(json!({ "course": c, "grades": all, "period_grades": period }));
                summary.push(Block::Row(format!("{name} — {c}"), period.join(", ")));
                reports.push(Block::Row(
                    c.clone(),
                    format!("{} — {}", all.join(" "), period.join(", ")),
                ));
            }
            let missed = format!("kavējumi: attaisnoti {excused}, neattaisnoti {unexcused}, nokavēšanās {late}");
            summary.push(Block::Row(name.clone(), missed.clone()));
            reports.push(Block::Text(missed));
            reports.push(Block::PageBreak);
            records.push(json!({
                "id": s.id, "given_name": s.given_name, "family_name": s.family_name, "subjects": subjects,
                "absences": { "excused": excused, "unexcused": unexcused, "late": late },
            }));
        }
        let base = format!("classes/{}", class.id.0);
        put_json(
            out,
            &format!("{base}/summary.json"),
            &json!({ "class": { "id": class.id, "name": class.name }, "students": records }),
        )?;
        put_pdf(
            out,
            &format!("{base}/summary.pdf"),
            &format!("Kopsavilkuma žurnāls: {}", class.name),
            &summary,
        )?;
        if !reports.is_empty() {
            put_pdf(
                out,
                &format!("{base}/progress-reports.pdf"),
                "Sekmju izraksti",
                &reports,
            )?;
        }
    }
    Ok(())
}

/// Each preschool group's year: attendance, the daily journal with its photos, the assessments.
async fn preschool_groups(
    app: &App,
    inst: InstitutionId,
    inst_name: &str,
    y: &Year,
    out: &mut Archive,
) -> Result<(), AppError> {
    let db = app.db.pool();
    let (from, to) = (y.starts_on, y.ends_on);
    let on = app.today().min(to);
    for g in school::classes_of(db, inst, from).await? {
        let children = journal::class_students(db, inst, g.id, on).await?;
        let absences = preschool::absences(db, inst, g.id, from, to).await?;
        let entries = preschool::entries(db, inst, g.id, from, to).await?;
        let assessments = preschool::assessments(db, inst, g.id, None).await?;
        let mut plans = Vec::new();
        for k in 0..12 {
            let Ok(month) = from.first_of_month().checked_add(jiff::Span::new().months(k)) else {
                continue;
            };
            let code = format!("{:04}-{:02}", month.year(), month.month());
            if let Some(p) = klade_store::preschool_plans::plan(db, inst, g.id, &code).await? {
                plans.push(p);
            }
        }
        let talks = klade_store::preschool_plans::talks(db, inst, g.id, None).await?;
        let checks =
            klade_store::journal_checks::checks(db, inst, klade_store::journal_checks::Journal::Group(g.id)).await?;
        let base = format!("groups/{}", g.id.0);
        for e in &entries {
            for p in &e.photos {
                if let Some((_, _, bytes)) = preschool::photo(db, *p).await? {
                    out.files.insert(format!("{base}/photos/{p}.jpg"), bytes);
                }
            }
        }
        let data = json!({
            "group": { "id": g.id, "name": g.name },
            "children": children.iter().map(|s| json!({"id": s.id, "given_name": s.given_name, "family_name": s.family_name})).collect::<Vec<_>>(),
            "attendance": absences.iter().map(|a| json!({"child_id": a.child_id, "date": a.date, "mark": a.code, "reason": a.reason, "late": a.late})).collect::<Vec<_>>(),
            "journal": entries.iter().map(|e| json!({"id": e.id, "date": e.date, "area": e.area, "tasks": e.tasks, "activities": e.activities, "late": e.late, "author": e.author, "photos": e.photos.iter().map(|p| format!("photos/{p}.jpg")).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "assessments": assessments.iter().map(|a| json!({"child_id": a.child_id, "area": a.area, "mark": a.mark, "date": a.date})).collect::<Vec<_>>(),
            "plans": plans.iter().map(|p| json!({"month": p.month, "late": p.late, "fields": p.fields})).collect::<Vec<_>>(),
            "talks": talks.iter().map(|t| json!({"child_id": t.student_id, "date": t.held_on, "participants": t.participants, "topic": t.topic, "content": t.content, "shared_with_parents": t.shared})).collect::<Vec<_>>(),
            "checks": checks.iter().map(|c| json!({"finding": c.finding, "due_on": c.due_on, "answer": c.answer, "state": c.state()})).collect::<Vec<_>>(),
        });
        put_json(out, &format!("{base}/journal.json"), &data)?;
        let title = format!("Grupas žurnāls: {}", g.name);
        let mut b = vec![
            Block::Title(title.clone()),
            Block::Text(format!("{inst_name} · {} – {}", y.starts_on, y.ends_on)),
            Block::Heading("Apmeklējums (kavējumi)".into()),
        ];
        for a in &absences {
            b.push(Block::Row(
                format!(
                    "{} {}",
                    crate::clock::format_date(a.date),
                    name_of(&children, a.child_id)
                ),
                format!("{} {}", a.code, a.reason),
            ));
        }
        b.push(Block::Heading("Dienas ieraksti".into()));
        for e in entries.iter().rev() {
            b.push(Block::Row(
                format!("{} {}", crate::clock::format_date(e.date), e.area),
                format!("{} — {}", e.tasks, e.activities),
            ));
        }
        b.push(Block::Heading("Mēneša plāni".into()));
        for p in &plans {
            for (field, text) in &p.fields {
                b.push(Block::Row(format!("{} {field}", p.month), text.clone()));
            }
        }
        b.push(Block::Heading("Žurnāla pielikumi: sarunas ar vecākiem".into()));
        for t in &talks {
            b.push(Block::Row(
                format!("{} {}", crate::clock::format_date(t.held_on), t.student),
                format!("{} ({}): {}", t.topic, t.participants, t.content),
            ));
        }
        b.push(Block::Heading("Žurnāla pārbaude".into()));
        for c in &checks {
            b.push(Block::Row(
                c.state().to_string(),
                format!("{} — {}", c.finding, c.answer.clone().unwrap_or_default()),
            ));
        }
        b.push(Block::Heading("Sasniegumu vērtējumi".into()));
        for a in &assessments {
            b.push(Block::Row(
                format!(
                    "{} {}",
                    crate::clock::format_date(a.date),
                    name_of(&children, a.child_id)
                ),
                format!("{}: {}", a.area, a.mark),
            ));
        }
        put_pdf(out, &format!("{base}/journal.pdf"), &title, &b)?;
    }
    Ok(())
}

/// What is wrong with an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No manifest, or one that cannot be read.
    NoManifest,
    /// The manifest's signature does not hold (the manifest was changed, or signed by another key).
    Signature,
    /// The manifest was signed with a key other than the one expected.
    OtherKey {
        found: String,
    },
    /// A file's content is not what the manifest says.
    Changed(String),
    Missing(String),
    /// A file the manifest does not list.
    Extra(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoManifest => write!(f, "no readable {MANIFEST}"),
            Self::Signature => write!(f, "the signature of {MANIFEST} does not hold"),
            Self::OtherKey { found } => write!(f, "signed with another key: {found}"),
            Self::Changed(p) => write!(f, "changed: {p}"),
            Self::Missing(p) => write!(f, "missing: {p}"),
            Self::Extra(p) => write!(f, "not in the manifest: {p}"),
        }
    }
}

/// Checks an archive from its files alone. With `expected_key` (hex), also that it was signed by
/// that institution. Returns the public key it was signed with and every problem found.
pub fn verify(files: &BTreeMap<String, Vec<u8>>, expected_key: Option<&str>) -> (String, Vec<Problem>) {
    let mut problems = Vec::new();
    let Some(manifest_bytes) = files.get(MANIFEST) else {
        return (String::new(), vec![Problem::NoManifest]);
    };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(manifest_bytes) else {
        return (String::new(), vec![Problem::NoManifest]);
    };
    let key_hex = manifest["public_key"].as_str().unwrap_or_default().to_string();
    let key = unhex(&key_hex)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let signature = files
        .get(SIGNATURE)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| unhex(s.trim()))
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    match (key, signature) {
        (Some(k), Some(s)) if k.verify(manifest_bytes, &s).is_ok() => {}
        _ => problems.push(Problem::Signature),
    }
    if let Some(expected) = expected_key {
        if !expected.eq_ignore_ascii_case(&key_hex) {
            problems.push(Problem::OtherKey { found: key_hex.clone() });
        }
    }
    let mut listed = std::collections::BTreeSet::new();
    for f in manifest["files"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let path = f["path"].as_str().unwrap_or_default().to_string();
        let want = f["sha256"].as_str().unwrap_or_default();
        match files.get(&path) {
            Some(bytes) if sha256_hex(bytes) == want => {}
            Some(_) => problems.push(Problem::Changed(path.clone())),
            None => problems.push(Problem::Missing(path.clone())),
        }
        listed.insert(path);
    }
    for path in files.keys() {
        if path != MANIFEST && path != SIGNATURE && !listed.contains(path) {
            problems.push(Problem::Extra(path.clone()));
        }
    }
    (key_hex, problems)
}

/// Writes an archive into a new directory.
pub fn write_dir(archive: &Archive, dir: &std::path::Path) -> std::io::Result<()> {
    if dir.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} exists already", dir.display()),
        ));
    }
    for (path, bytes) in &archive.files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, bytes)?;
    }
    Ok(())
}

/// Reads every file under `dir` (paths relative to it, with `/`).
pub fn read_dir(dir: &std::path::Path) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    fn walk(root: &std::path::Path, at: &std::path::Path, out: &mut BTreeMap<String, Vec<u8>>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(at)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(name, std::fs::read(&path)?);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(unhex(&hex(&[0, 15, 255])), Some(vec![0, 15, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn a_changed_byte_an_extra_file_and_a_forged_manifest_are_found() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let mut files = BTreeMap::new();
        files.insert("a.json".to_string(), b"{\"x\": 1}".to_vec());
        let manifest = json!({
            "public_key": hex(key.verifying_key().as_bytes()),
            "files": [{ "path": "a.json", "sha256": sha256_hex(b"{\"x\": 1}") }],
        });
        let manifest = serde_json::to_vec(&manifest).expect("json");
        files.insert(SIGNATURE.into(), hex(&key.sign(&manifest).to_bytes()).into_bytes());
        files.insert(MANIFEST.into(), manifest.clone());
        assert_eq!(verify(&files, None).1, vec![]);

        let mut changed = files.clone();
        changed.insert("a.json".into(), b"{\"x\": 2}".to_vec());
        changed.insert("b.txt".into(), b"added".to_vec());
        assert_eq!(
            verify(&changed, None).1,
            vec![Problem::Changed("a.json".into()), Problem::Extra("b.txt".into())]
        );

        // A manifest rewritten to match a changed file no longer matches its signature.
        let mut forged = changed.clone();
        let fake = serde_json::to_vec(&json!({
            "public_key": hex(key.verifying_key().as_bytes()),
            "files": [{ "path": "a.json", "sha256": sha256_hex(b"{\"x\": 2}") }],
        }))
        .expect("json");
        forged.insert(MANIFEST.into(), fake);
        assert!(verify(&forged, None).1.contains(&Problem::Signature));
        assert!(matches!(verify(&files, Some("00")).1[..], [Problem::OtherKey { .. }]));
    }
}
