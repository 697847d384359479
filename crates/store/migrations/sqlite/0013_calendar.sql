-- The working-day calendar as data (R19, R25.2): the government's decisions of the year
-- (institution_id NULL) and each institution's own days; school holidays per school year; each
-- institution's deadline settings; the reminders already sent.

-- Booleans are INTEGER 0/1 here (BOOLEAN in PostgreSQL).
-- kind: 'off' a working day made a day off (a transfer), 'worked' a day worked in exchange,
-- 'holiday' a one-off public holiday, 'festival' the Song and Dance Festival's closing day.
CREATE TABLE calendar_days (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT REFERENCES institutions (id),
    date            TEXT   NOT NULL,
    kind            TEXT   NOT NULL CHECK (kind IN ('off', 'worked', 'holiday', 'festival')),
    note            TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX calendar_days_unique ON calendar_days (COALESCE(institution_id, 0), date);

CREATE TABLE school_holidays (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    school_year_id  BIGINT REFERENCES school_years (id),
    starts_on       TEXT   NOT NULL,
    ends_on         TEXT   NOT NULL,
    name            TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    CHECK (starts_on <= ends_on)
);
CREATE INDEX school_holidays_institution ON school_holidays (institution_id, starts_on);

-- Without a row the clauses' values apply.
CREATE TABLE deadline_settings (
    institution_id          BIGINT  NOT NULL PRIMARY KEY REFERENCES institutions (id),
    follows_government      INTEGER NOT NULL DEFAULT 1 CHECK (follows_government IN (0, 1)),
    lessons_by              TEXT    NOT NULL DEFAULT '18:00',
    preschool_attendance_by TEXT    NOT NULL DEFAULT '09:00',
    preschool_journal_by    TEXT    NOT NULL DEFAULT '19:00',
    formative_days          BIGINT  NOT NULL DEFAULT 3,
    summative_days          BIGINT  NOT NULL DEFAULT 10,
    excuse_days             BIGINT  NOT NULL DEFAULT 0,
    summary_day             BIGINT  NOT NULL DEFAULT 12,
    summary_day_june        BIGINT  NOT NULL DEFAULT 30,
    account_days            BIGINT  NOT NULL DEFAULT 7,
    holidays_stop_grading   INTEGER NOT NULL DEFAULT 0 CHECK (holidays_stop_grading IN (0, 1)),
    reminders               INTEGER NOT NULL DEFAULT 1 CHECK (reminders IN (0, 1)),
    reminder_minutes        BIGINT  NOT NULL DEFAULT 120,
    updated_by              BIGINT  REFERENCES persons (id),
    updated_at              BIGINT
);

-- One row per reminder sent: the key keeps a second server (or a second sweep) from sending it again.
CREATE TABLE deadline_reminders (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    item            TEXT   NOT NULL,
    due_at          BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL,
    PRIMARY KEY (institution_id, person_id, item)
);

-- The Cabinet's decisions known when this was written; `klade calendar add` adds later ones.
INSERT INTO calendar_days (institution_id, date, kind, note, created_at) VALUES
    (NULL, '2023-05-29', 'holiday', 'Hokeja bronzas medaļa', 0),
    (NULL, '2023-07-09', 'festival', 'Dziesmu un deju svētku noslēgums', 0),
    (NULL, '2025-11-08', 'worked', 'Pārcelta darba diena (17.11.)', 0),
    (NULL, '2025-11-17', 'off', 'Pārcelta darba diena uz 08.11.', 0),
    (NULL, '2026-01-02', 'off', 'Pārcelta darba diena uz 17.01.', 0),
    (NULL, '2026-01-17', 'worked', 'Pārcelta darba diena (02.01.)', 0),
    (NULL, '2026-06-22', 'off', 'Pārcelta darba diena uz 27.06.', 0),
    (NULL, '2026-06-27', 'worked', 'Pārcelta darba diena (22.06.)', 0);

-- When a grade was first entered, so a grade given after its deadline can be shown with both dates.
ALTER TABLE grades ADD COLUMN entered_at BIGINT;
