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
