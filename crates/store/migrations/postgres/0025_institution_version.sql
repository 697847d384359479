-- Every page's header carries the person's institution (its name and logo), kept in each server's
-- memory while the rights counter stands; so a change of an institution moves the counter too.
-- Institutions change a few times a year.
CREATE TRIGGER institutions_rights AFTER UPDATE ON institutions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
