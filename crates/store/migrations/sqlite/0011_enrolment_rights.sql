-- Where a learner is enrolled is read with a person's holdings (the diary's learners), so a
-- change of enrolment moves the rights counter too.
CREATE TRIGGER enrolments_ins AFTER INSERT ON enrolments BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER enrolments_upd AFTER UPDATE ON enrolments BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER enrolments_del AFTER DELETE ON enrolments BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER persons_upd AFTER UPDATE OF given_name, family_name ON persons BEGIN UPDATE rights_version SET v = v + 1; END;
