-- Every page's header carries the person's institution (its name and logo), kept in each server's
-- memory while the rights counter stands; so a change of an institution moves the counter too.
-- Institutions change a few times a year.
CREATE TRIGGER institutions_upd AFTER UPDATE ON institutions BEGIN UPDATE rights_version SET v = v + 1; END;
