-- The preschool's daily record (J22, J23, J26, J27): attendance per child and day, the day's
-- confirmation, journal entries per learning area with photos, and S/T/A/P assessments.
-- Booleans are INTEGER 0/1 here (BOOLEAN in PostgreSQL).

-- A row only for a child who is absent; no row is present.
CREATE TABLE preschool_attendance (
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    group_id        BIGINT  NOT NULL REFERENCES classes (id),
    child_id        BIGINT  NOT NULL REFERENCES persons (id),
    date            TEXT    NOT NULL,
    code            TEXT    NOT NULL CHECK (code IN ('N', 'S', 'C')),
    reason          TEXT    NOT NULL,
    late            INTEGER NOT NULL CHECK (late IN (0, 1)),
    entered_by      BIGINT  NOT NULL REFERENCES persons (id),
    entered_at      BIGINT  NOT NULL,
    PRIMARY KEY (child_id, date)
);
CREATE INDEX preschool_attendance_group ON preschool_attendance (group_id, date);

-- The teacher has marked the day (a day when everyone came has no attendance rows).
CREATE TABLE preschool_days (
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    group_id        BIGINT  NOT NULL REFERENCES classes (id),
    date            TEXT    NOT NULL,
    late            INTEGER NOT NULL CHECK (late IN (0, 1)),
    marked_by       BIGINT  NOT NULL REFERENCES persons (id),
    marked_at       BIGINT  NOT NULL,
    PRIMARY KEY (group_id, date)
);

CREATE TABLE preschool_entries (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    group_id        BIGINT  NOT NULL REFERENCES classes (id),
    date            TEXT    NOT NULL,
    area            TEXT    NOT NULL,
    tasks           TEXT    NOT NULL,
    activities      TEXT    NOT NULL,
    late            INTEGER NOT NULL CHECK (late IN (0, 1)),
    created_by      BIGINT  NOT NULL REFERENCES persons (id),
    created_at      BIGINT  NOT NULL,
    UNIQUE (group_id, date, area)
);

CREATE TABLE preschool_photos (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    entry_id        BIGINT NOT NULL REFERENCES preschool_entries (id),
    file_id         BIGINT NOT NULL REFERENCES files (id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX preschool_photos_entry ON preschool_photos (entry_id);

-- Each assessment is kept; the newest per child and area is the current one.
CREATE TABLE preschool_assessments (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    group_id        BIGINT NOT NULL REFERENCES classes (id),
    child_id        BIGINT NOT NULL REFERENCES persons (id),
    area            TEXT   NOT NULL,
    mark            TEXT   NOT NULL CHECK (mark IN ('S', 'T', 'A', 'P')),
    date            TEXT   NOT NULL,
    assessed_by     BIGINT NOT NULL REFERENCES persons (id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX preschool_assessments_child ON preschool_assessments (child_id, area, id);
