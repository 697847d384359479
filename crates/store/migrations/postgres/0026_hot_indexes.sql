-- Indexes for statements the pages make that read a whole table without them (found by the test
-- that explains every statement a page makes on a seeded school, tests/queries.rs).
-- A person's acknowledged rules, on every page after login.
CREATE INDEX acknowledgements_person ON acknowledgements (person_id);
-- A course's or a student's notes in a period: the filters are optional, the institution and the
-- dates are not.
CREATE INDEX notes_institution_date ON notes (institution_id, date);
-- The families' notices of absence for a class or the institution in a period.
CREATE INDEX absence_notices_institution ON absence_notices (institution_id, from_date);
-- The week's substitutions of an institution.
CREATE INDEX substitutions_institution_date ON substitutions (institution_id, date);
-- An item's latest history row (what a parent's home marks as new since the last visit): with the
-- sequence in the index it is one seek, not a walk through the institution's whole history.
DROP INDEX journal_history_item;
CREATE INDEX journal_history_item ON journal_history (institution_id, item, seq);
