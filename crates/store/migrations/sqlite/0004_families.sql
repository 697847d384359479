-- Families: absence notices from parents and adult learners (R21), and the tutor's excuses (R18.2).
-- Booleans are INTEGER 0/1 here (BOOLEAN in PostgreSQL).

CREATE TABLE absence_notices (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    student_id      BIGINT  NOT NULL REFERENCES persons (id),
    from_date       TEXT    NOT NULL,
    to_date         TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    late            INTEGER NOT NULL CHECK (late IN (0, 1)),
    created_by      BIGINT  NOT NULL REFERENCES persons (id),
    created_at      BIGINT  NOT NULL
);
CREATE INDEX absence_notices_student ON absence_notices (student_id, from_date);

-- An excuse covers a learner's absences between two dates; the teacher's marks stay as they were.
CREATE TABLE excuses (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    student_id      BIGINT NOT NULL REFERENCES persons (id),
    from_date       TEXT   NOT NULL,
    to_date         TEXT   NOT NULL,
    reason          TEXT   NOT NULL,
    notice_id       BIGINT REFERENCES absence_notices (id),
    created_by      BIGINT NOT NULL REFERENCES persons (id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX excuses_student ON excuses (student_id, from_date);

-- Notifications a parent chooses (a new grade, an absence, a remark; by e-mail, or by SMS where
-- the institution allows it), and the e-mail outbox.
CREATE TABLE notification_prefs (
    person_id  BIGINT NOT NULL REFERENCES persons (id),
    event      TEXT   NOT NULL CHECK (event IN ('grade', 'absence', 'remark')),
    channel    TEXT   NOT NULL CHECK (channel IN ('email', 'sms')),
    PRIMARY KEY (person_id, event, channel)
);

ALTER TABLE institutions ADD COLUMN sms_notifications INTEGER NOT NULL DEFAULT 0 CHECK (sms_notifications IN (0, 1));

CREATE TABLE emails (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT REFERENCES institutions (id),
    person_id       BIGINT REFERENCES persons (id),
    to_addr         TEXT   NOT NULL,
    subject         TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('queued', 'kept', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX emails_person ON emails (person_id, created_at);
