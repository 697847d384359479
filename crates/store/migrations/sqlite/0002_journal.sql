-- The class journal: courses and their teachers, the timetable and substitutions, lessons,
-- attendance, assessments and grades, notes, and the hash-chained history of every change.
-- Booleans are INTEGER 0/1 here (BOOLEAN in PostgreSQL).

CREATE TABLE courses (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    school_year_id  BIGINT NOT NULL REFERENCES school_years (id),
    subject_id      BIGINT NOT NULL REFERENCES subjects (id),
    class_id        BIGINT REFERENCES classes (id),
    name            TEXT   NOT NULL,
    subgroup        TEXT
);
CREATE INDEX courses_institution ON courses (institution_id, school_year_id);
CREATE INDEX courses_class ON courses (class_id);

CREATE TABLE course_teachers (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    course_id       BIGINT NOT NULL REFERENCES courses (id),
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (course_id, person_id)
);
CREATE INDEX course_teachers_person ON course_teachers (person_id);

-- Students of a subgroup or of a module taken by students of several classes. A course with a
-- class and no rows here has the class's students.
CREATE TABLE course_students (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    course_id       BIGINT NOT NULL REFERENCES courses (id),
    student_id      BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (course_id, student_id)
);

CREATE TABLE timetable (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    class_id        BIGINT NOT NULL REFERENCES classes (id),
    course_id       BIGINT NOT NULL REFERENCES courses (id),
    weekday         BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    lesson_no       BIGINT NOT NULL,
    starts_at       TEXT   NOT NULL,
    ends_at         TEXT   NOT NULL,
    room            TEXT   NOT NULL DEFAULT '',
    valid_from      TEXT   NOT NULL,
    valid_to        TEXT
);
CREATE INDEX timetable_class ON timetable (class_id);
CREATE INDEX timetable_course ON timetable (course_id);

CREATE TABLE substitutions (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    course_id       BIGINT NOT NULL REFERENCES courses (id),
    date            TEXT   NOT NULL,
    lesson_no       BIGINT NOT NULL,
    teacher_id      BIGINT NOT NULL REFERENCES persons (id),
    room            TEXT   NOT NULL DEFAULT '',
    note            TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    UNIQUE (course_id, date, lesson_no)
);
CREATE INDEX substitutions_teacher ON substitutions (teacher_id, date);

CREATE TABLE lessons (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    course_id       BIGINT NOT NULL REFERENCES courses (id),
    date            TEXT   NOT NULL,
    lesson_no       BIGINT NOT NULL,
    topic           TEXT   NOT NULL DEFAULT '',
    content         TEXT   NOT NULL DEFAULT '',
    homework        TEXT   NOT NULL DEFAULT '',
    homework_due    TEXT,
    UNIQUE (course_id, date, lesson_no)
);

CREATE TABLE attendance_kinds (
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    code            TEXT    NOT NULL,
    absent          INTEGER NOT NULL CHECK (absent IN (0, 1)),
    late            INTEGER NOT NULL CHECK (late IN (0, 1)),
    excused         INTEGER NOT NULL CHECK (excused IN (0, 1)),
    PRIMARY KEY (institution_id, code)
);

CREATE TABLE attendance (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    lesson_id       BIGINT NOT NULL REFERENCES lessons (id),
    student_id      BIGINT NOT NULL REFERENCES persons (id),
    code            TEXT   NOT NULL,
    minutes         BIGINT,
    PRIMARY KEY (lesson_id, student_id)
);
CREATE INDEX attendance_student ON attendance (student_id);

CREATE TABLE assessments (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    course_id       BIGINT NOT NULL REFERENCES courses (id),
    kind            TEXT   NOT NULL,
    scale           TEXT   NOT NULL,
    date            TEXT   NOT NULL,
    title           TEXT   NOT NULL DEFAULT '',
    handed_in_on    TEXT,
    term_id         BIGINT REFERENCES terms (id)
);
CREATE INDEX assessments_course ON assessments (course_id);

CREATE TABLE grades (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    assessment_id   BIGINT NOT NULL REFERENCES assessments (id),
    student_id      BIGINT NOT NULL REFERENCES persons (id),
    mark            TEXT   NOT NULL,
    PRIMARY KEY (assessment_id, student_id)
);
CREATE INDEX grades_student ON grades (student_id);

CREATE TABLE notes (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    course_id       BIGINT REFERENCES courses (id),
    student_id      BIGINT NOT NULL REFERENCES persons (id),
    date            TEXT   NOT NULL,
    kind            TEXT   NOT NULL,
    text            TEXT   NOT NULL,
    author_id       BIGINT NOT NULL REFERENCES persons (id)
);
CREATE INDEX notes_student ON notes (student_id);
CREATE INDEX notes_course ON notes (course_id);

-- Every change to a journal value: what, old and new, why, who, when. Each row's hash covers the
-- previous row's hash, per institution, so an edit behind the application's back breaks the chain
-- or leaves a value that the history does not explain (`klade verify`).
CREATE TABLE journal_history (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    seq             BIGINT NOT NULL,
    item            TEXT   NOT NULL,
    old_value       TEXT,
    new_value       TEXT,
    reason          TEXT,
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    at              BIGINT NOT NULL,
    hash            TEXT   NOT NULL,
    UNIQUE (institution_id, seq)
);
CREATE INDEX journal_history_item ON journal_history (institution_id, item);

CREATE TABLE journal_heads (
    institution_id  BIGINT NOT NULL PRIMARY KEY REFERENCES institutions (id),
    seq             BIGINT NOT NULL,
    hash            TEXT   NOT NULL
);
