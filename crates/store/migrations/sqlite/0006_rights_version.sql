-- A counter that moves whenever anything a person's rights are derived from changes, so a
-- server may keep each person's holdings in memory and still see a change at once: the session
-- lookup reads the counter in the same query.

CREATE TABLE rights_version (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    v   BIGINT  NOT NULL
);
INSERT INTO rights_version (id, v) VALUES (1, 1);

CREATE TRIGGER memberships_ins AFTER INSERT ON memberships BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER memberships_upd AFTER UPDATE ON memberships BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER memberships_del AFTER DELETE ON memberships BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER guardianships_ins AFTER INSERT ON guardianships BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER guardianships_upd AFTER UPDATE ON guardianships BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER guardianships_del AFTER DELETE ON guardianships BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER class_tutors_ins AFTER INSERT ON class_tutors BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER class_tutors_upd AFTER UPDATE ON class_tutors BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER class_tutors_del AFTER DELETE ON class_tutors BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER course_teachers_ins AFTER INSERT ON course_teachers BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER course_teachers_upd AFTER UPDATE ON course_teachers BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER course_teachers_del AFTER DELETE ON course_teachers BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER classes_upd AFTER UPDATE ON classes BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER courses_upd AFTER UPDATE ON courses BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER school_years_upd AFTER UPDATE ON school_years BEGIN UPDATE rights_version SET v = v + 1; END;
