-- How long each kind of data is kept, per institution (R29); without a row, the default applies.
CREATE TABLE retention_rules (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    kind            TEXT   NOT NULL,
    years           BIGINT NOT NULL CHECK (years > 0),
    PRIMARY KEY (institution_id, kind)
);

-- When a person's personal data was erased; the row stays so the journals keep their ids.
ALTER TABLE persons ADD COLUMN anonymised_at BIGINT;
