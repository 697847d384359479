-- A closed school year is locked (R28): its journals change only through a deputy's consent,
-- given to one teacher for one course or group, with a reason, for a few days.
ALTER TABLE school_years ADD COLUMN locked_at BIGINT;
ALTER TABLE school_years ADD COLUMN locked_by BIGINT REFERENCES persons (id);

CREATE TABLE year_changes (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    school_year_id  BIGINT NOT NULL REFERENCES school_years (id),
    course_id       BIGINT REFERENCES courses (id),
    class_id        BIGINT REFERENCES classes (id),
    teacher_id      BIGINT NOT NULL REFERENCES persons (id),
    reason          TEXT   NOT NULL,
    granted_by      BIGINT NOT NULL REFERENCES persons (id),
    granted_at      BIGINT NOT NULL,
    valid_until     TEXT   NOT NULL,
    CHECK (course_id IS NOT NULL OR class_id IS NOT NULL)
);
CREATE INDEX year_changes_teacher ON year_changes (teacher_id, valid_until);

CREATE TRIGGER year_changes_ins AFTER INSERT ON year_changes BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER year_changes_upd AFTER UPDATE ON year_changes BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER year_changes_del AFTER DELETE ON year_changes BEGIN UPDATE rights_version SET v = v + 1; END;
