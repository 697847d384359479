-- Requests already answered: a creating form's one-time token or an API client's
-- Idempotency-Key (hashed with who sent it and where), with the answer it got, so a repeat gets
-- that answer instead of making a second record. `status` is empty while the first is running.
CREATE TABLE repeats (
    key         TEXT   PRIMARY KEY,
    created_at  BIGINT NOT NULL,
    status      BIGINT,
    location    TEXT,
    body        TEXT
);
CREATE INDEX repeats_created ON repeats (created_at);
