-- Where a learner is enrolled is read with a person's holdings (the diary's learners), so a
-- change of enrolment moves the rights counter too.
CREATE TRIGGER enrolments_rights AFTER INSERT OR UPDATE OR DELETE ON enrolments
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
CREATE TRIGGER persons_rights AFTER UPDATE OF given_name, family_name ON persons
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
