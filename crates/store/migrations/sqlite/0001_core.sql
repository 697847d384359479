-- Booleans are INTEGER 0/1 here (BOOLEAN in PostgreSQL): the Any driver cannot map SQLite's BOOLEAN.
-- Core model: institutions, people, accounts, memberships, the school year, classes, subjects,
-- enrolments, sessions and login throttling. Instants are UTC seconds (BIGINT), dates ISO text.

CREATE TABLE institutions (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('general', 'vocational', 'preschool')),
    name        TEXT    NOT NULL,
    reg_no      TEXT    NOT NULL UNIQUE,
    address     TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL
);

CREATE TABLE persons (
    id             INTEGER PRIMARY KEY,
    given_name     TEXT    NOT NULL,
    family_name    TEXT    NOT NULL,
    personal_code  TEXT    UNIQUE,
    birth_date     TEXT,
    gender         TEXT    CHECK (gender IN ('f', 'm')),
    phone          TEXT,
    email          TEXT,
    created_at     BIGINT  NOT NULL
);

CREATE TABLE accounts (
    id                    INTEGER PRIMARY KEY,
    person_id             BIGINT  NOT NULL UNIQUE REFERENCES persons (id),
    username              TEXT    NOT NULL UNIQUE,
    password_hash         TEXT    NOT NULL,
    must_change_password  INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    blocked_at            BIGINT,
    blocked_reason        TEXT,
    created_at            BIGINT  NOT NULL
);

CREATE TABLE memberships (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    person_id       BIGINT  NOT NULL REFERENCES persons (id),
    role            TEXT    NOT NULL,
    valid_from      TEXT    NOT NULL,
    valid_to        TEXT,
    basis           TEXT    NOT NULL CHECK (basis IN ('order', 'employment')),
    order_number    TEXT,
    order_date      TEXT,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX memberships_person ON memberships (person_id);
CREATE INDEX memberships_institution_role ON memberships (institution_id, role);

CREATE TABLE guardianships (
    parent_id   BIGINT NOT NULL REFERENCES persons (id),
    child_id    BIGINT NOT NULL REFERENCES persons (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (parent_id, child_id)
);
CREATE INDEX guardianships_child ON guardianships (child_id);

CREATE TABLE school_years (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    name            TEXT   NOT NULL,
    starts_on       TEXT   NOT NULL,
    ends_on         TEXT   NOT NULL,
    UNIQUE (institution_id, name)
);

CREATE TABLE terms (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    school_year_id  BIGINT NOT NULL REFERENCES school_years (id),
    ordinal         BIGINT NOT NULL,
    name            TEXT   NOT NULL,
    starts_on       TEXT   NOT NULL,
    ends_on         TEXT   NOT NULL,
    UNIQUE (school_year_id, ordinal)
);

CREATE TABLE classes (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    school_year_id  BIGINT NOT NULL REFERENCES school_years (id),
    name            TEXT   NOT NULL,
    kind            TEXT   NOT NULL CHECK (kind IN ('class', 'group')),
    grade           BIGINT,
    programme_code  TEXT,
    programme_name  TEXT,
    UNIQUE (institution_id, school_year_id, name)
);

CREATE TABLE class_tutors (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    class_id        BIGINT NOT NULL REFERENCES classes (id),
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (class_id, person_id)
);
CREATE INDEX class_tutors_person ON class_tutors (person_id);

CREATE TABLE subjects (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    kind            TEXT   NOT NULL CHECK (kind IN ('subject', 'module')),
    code            TEXT,
    name            TEXT   NOT NULL,
    UNIQUE (institution_id, name)
);

CREATE TABLE enrolments (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    class_id        BIGINT NOT NULL REFERENCES classes (id),
    student_id      BIGINT NOT NULL REFERENCES persons (id),
    valid_from      TEXT   NOT NULL,
    valid_to        TEXT,
    order_number    TEXT   NOT NULL,
    order_date      TEXT   NOT NULL,
    reason          TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX enrolments_class ON enrolments (class_id);
CREATE INDEX enrolments_student ON enrolments (student_id);

CREATE TABLE sessions (
    id            TEXT   PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id),
    kind          TEXT   NOT NULL CHECK (kind IN ('web', 'api')),
    csrf_token    TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    user_agent    TEXT   NOT NULL DEFAULT '',
    address       TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    key   TEXT   NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
