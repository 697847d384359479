-- Day one: what setting an institution up from an empty install keeps.
--
-- A member of staff's position as VIIS writes it and their workload, beside the role it gives.
ALTER TABLE memberships ADD COLUMN position TEXT;
ALTER TABLE memberships ADD COLUMN workload TEXT;
-- How a parent is related to the learner (māte, tēvs, aizbildnis, …).
ALTER TABLE guardianships ADD COLUMN relation TEXT;
-- A course's lessons a week in the study plan.
ALTER TABLE courses ADD COLUMN hours_per_week BIGINT;
-- An invitation for a family member to choose their own username and password: a one-time code,
-- kept as its SHA-256, sent by SMS or e-mail or printed on a slip; it expires.
CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    code_hash       TEXT   NOT NULL UNIQUE,
    channel         TEXT   NOT NULL CHECK (channel IN ('sms', 'email', 'print')),
    created_by      BIGINT NOT NULL REFERENCES persons (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX invitations_person ON invitations (person_id);
-- Staff and the timetable come from a file too: SQLite changes a CHECK by building the table anew.
CREATE TABLE imports_new (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    kind            TEXT   NOT NULL CHECK (kind IN ('classes', 'subjects', 'students', 'staff', 'timetable')),
    filename        TEXT   NOT NULL,
    table_json      TEXT   NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('preview', 'running', 'done', 'failed')),
    total           BIGINT NOT NULL DEFAULT 0,
    processed       BIGINT NOT NULL DEFAULT 0,
    created         BIGINT NOT NULL DEFAULT 0,
    changed         BIGINT NOT NULL DEFAULT 0,
    rejected        BIGINT NOT NULL DEFAULT 0,
    error           TEXT,
    created_by      BIGINT NOT NULL REFERENCES persons (id),
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
INSERT INTO imports_new SELECT id, institution_id, kind, filename, table_json, status, total, processed, created,
    changed, rejected, error, created_by, created_at, finished_at FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
-- The institution's logo on its documents: a stored file (JPEG, re-encoded on upload).
ALTER TABLE institutions ADD COLUMN logo_file BIGINT;
-- Each institution's calendar is kept in memory by every server, like a class's timetable, and
-- read again when the rights counter moves; so a change of its days, school holidays or deadline
-- settings moves it too. They change a few times a year.
CREATE TRIGGER calendar_days_ins AFTER INSERT ON calendar_days BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER calendar_days_upd AFTER UPDATE ON calendar_days BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER calendar_days_del AFTER DELETE ON calendar_days BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER school_holidays_ins AFTER INSERT ON school_holidays BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER school_holidays_upd AFTER UPDATE ON school_holidays BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER school_holidays_del AFTER DELETE ON school_holidays BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER deadline_settings_ins AFTER INSERT ON deadline_settings BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER deadline_settings_upd AFTER UPDATE ON deadline_settings BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER deadline_settings_del AFTER DELETE ON deadline_settings BEGIN UPDATE rights_version SET v = v + 1; END;
