-- The year-end archive (R28, J37): each institution's signing key, and the archives made.

CREATE TABLE institution_keys (
    institution_id  BIGINT PRIMARY KEY REFERENCES institutions (id),
    -- Ed25519, hex: the public key goes into every archive; the secret never leaves the database.
    public_key      TEXT   NOT NULL,
    secret_key      TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE archives (
    id               INTEGER PRIMARY KEY,
    institution_id   BIGINT NOT NULL REFERENCES institutions (id),
    school_year_id   BIGINT NOT NULL REFERENCES school_years (id),
    manifest_sha256  TEXT   NOT NULL,
    files            BIGINT NOT NULL,
    created_by       BIGINT REFERENCES persons (id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX archives_institution ON archives (institution_id, school_year_id);
