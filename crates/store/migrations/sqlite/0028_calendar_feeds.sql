-- Calendar feeds (iCalendar): a secret address per person and student — their own or a child's —
-- that a calendar app fetches without signing in. Only the address's hash is kept; it is shown
-- once. Revoked, it answers nothing; every fetch checks the owner's rights of that day.
CREATE TABLE calendar_feeds (
    id           INTEGER PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    student_id   BIGINT NOT NULL REFERENCES persons (id),
    token_hash   TEXT   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX calendar_feeds_person ON calendar_feeds (person_id, id);
