-- The preschool's monthly plan (J24, J25), talks with parents (J28) and the journal check (J29).
-- Booleans are INTEGER 0/1 here (BOOLEAN in PostgreSQL).

-- One plan per group and month (`YYYY-MM`). `late` is set once, when the plan is first filed after
-- the last working day of the month before.
CREATE TABLE preschool_plans (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    class_id        BIGINT  NOT NULL REFERENCES classes (id),
    month           TEXT    NOT NULL,
    late            INTEGER NOT NULL CHECK (late IN (0, 1)),
    created_by      BIGINT  NOT NULL REFERENCES persons (id),
    created_at      BIGINT  NOT NULL,
    updated_by      BIGINT  NOT NULL REFERENCES persons (id),
    updated_at      BIGINT  NOT NULL,
    UNIQUE (institution_id, class_id, month)
);

-- A plan's texts, one row per filled field (theme, message, content, values, area_<code>,
-- skill_<code>, and the additional information); an emptied field has no row. Each change is in
-- the journal's history as `plan:<plan>:<field>`.
CREATE TABLE preschool_plan_fields (
    plan_id         BIGINT NOT NULL REFERENCES preschool_plans (id),
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    field           TEXT   NOT NULL,
    value           TEXT   NOT NULL,
    PRIMARY KEY (plan_id, field)
);

-- An individual conversation with a child's parents; the teacher chooses whether they see it.
CREATE TABLE parent_talks (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    class_id        BIGINT  NOT NULL REFERENCES classes (id),
    student_id      BIGINT  NOT NULL REFERENCES persons (id),
    held_on         TEXT    NOT NULL,
    participants    TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    shared          INTEGER NOT NULL CHECK (shared IN (0, 1)),
    created_by      BIGINT  NOT NULL REFERENCES persons (id),
    created_at      BIGINT  NOT NULL
);
CREATE INDEX parent_talks_class ON parent_talks (class_id, held_on);

-- A finding of the administration about a journal: a group's (class_id) or, later, a course's
-- (course_id). Open until the teacher marks it done; the administration closes it or reopens it.
CREATE TABLE journal_checks (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    class_id        BIGINT REFERENCES classes (id),
    course_id       BIGINT REFERENCES courses (id),
    finding         TEXT   NOT NULL,
    due_on          TEXT,
    created_by      BIGINT NOT NULL REFERENCES persons (id),
    created_at      BIGINT NOT NULL,
    answer          TEXT,
    done_by         BIGINT REFERENCES persons (id),
    done_at         BIGINT,
    closed_by       BIGINT REFERENCES persons (id),
    closed_at       BIGINT,
    CHECK (class_id IS NOT NULL OR course_id IS NOT NULL)
);
CREATE INDEX journal_checks_class ON journal_checks (class_id, id);
CREATE INDEX journal_checks_course ON journal_checks (course_id, id);
