-- A counter that moves whenever anything a person's rights are derived from changes, so a
-- server may keep each person's holdings in memory and still see a change at once: the session
-- lookup reads the counter in the same query.

CREATE TABLE rights_version (
    id  BIGINT PRIMARY KEY CHECK (id = 1),
    v   BIGINT NOT NULL
);
INSERT INTO rights_version (id, v) VALUES (1, 1);

CREATE FUNCTION bump_rights_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rights_version SET v = v + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_rights AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
CREATE TRIGGER guardianships_rights AFTER INSERT OR UPDATE OR DELETE ON guardianships
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
CREATE TRIGGER class_tutors_rights AFTER INSERT OR UPDATE OR DELETE ON class_tutors
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
CREATE TRIGGER course_teachers_rights AFTER INSERT OR UPDATE OR DELETE ON course_teachers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
CREATE TRIGGER classes_rights AFTER UPDATE ON classes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
CREATE TRIGGER courses_rights AFTER UPDATE ON courses
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
CREATE TRIGGER school_years_rights AFTER UPDATE ON school_years
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
