-- Whose data an institution may change.
--
-- Each institution keeps its own record of a person (R12–R14): addresses, the identity document
-- and the previous programme. A person is one person in many institutions, but one institution's
-- clerk neither reads nor overwrites what another keeps. Names, the personal code, the birth date,
-- the gender and the contacts are the person's own.
CREATE TABLE person_records (
    institution_id      BIGINT NOT NULL REFERENCES institutions (id),
    person_id           BIGINT NOT NULL REFERENCES persons (id),
    address_declared    TEXT,
    address_actual      TEXT,
    document_number     TEXT,
    document_issuer     TEXT,
    document_date       TEXT,
    previous_programme  TEXT,
    PRIMARY KEY (person_id, institution_id)
);
INSERT INTO person_records (institution_id, person_id, address_declared, address_actual, document_number,
        document_issuer, document_date, previous_programme)
    SELECT DISTINCT m.institution_id, p.id, p.address_declared, p.address_actual, p.document_number,
        p.document_issuer, p.document_date, p.previous_programme
    FROM persons p JOIN memberships m ON m.person_id = p.id
    WHERE COALESCE(p.address_declared, p.address_actual, p.document_number, p.document_issuer,
        p.document_date, p.previous_programme) IS NOT NULL;
ALTER TABLE persons DROP COLUMN address_declared;
ALTER TABLE persons DROP COLUMN address_actual;
ALTER TABLE persons DROP COLUMN document_number;
ALTER TABLE persons DROP COLUMN document_issuer;
ALTER TABLE persons DROP COLUMN document_date;
ALTER TABLE persons DROP COLUMN previous_programme;

-- A phone or e-mail of an account holder changed by anyone but the holder or the superuser waits
-- here for the holder to confirm it; a generated password never goes to a contact changed in the
-- last seven days without that confirmation.
ALTER TABLE persons ADD COLUMN contacts_changed_at BIGINT;
ALTER TABLE persons ADD COLUMN contacts_confirmed INTEGER NOT NULL DEFAULT 1;
CREATE TABLE contact_changes (
    person_id       BIGINT NOT NULL PRIMARY KEY REFERENCES persons (id),
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    phone           TEXT,
    email           TEXT,
    requested_by    BIGINT NOT NULL REFERENCES persons (id),
    requested_at    BIGINT NOT NULL
);
