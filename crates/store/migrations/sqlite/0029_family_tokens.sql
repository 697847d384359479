-- Family API tokens: a parent or an adult student names a read-only token for an app of their
-- own (a home dashboard, a script). Only the token's hash is kept; it is shown once. Each token
-- counts its requests per minute here, so the limit holds across servers.
CREATE TABLE family_tokens (
    id             INTEGER PRIMARY KEY,
    person_id      BIGINT NOT NULL REFERENCES persons (id),
    name           TEXT   NOT NULL,
    token_hash     TEXT   NOT NULL UNIQUE,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT,
    minute         BIGINT NOT NULL DEFAULT 0,
    in_minute      BIGINT NOT NULL DEFAULT 0,
    revoked_at     BIGINT
);
CREATE INDEX family_tokens_person ON family_tokens (person_id, id);
