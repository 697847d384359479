-- Mail between the institution and families (J30, J31), institution news (R22.5, R24.2, R25.3),
-- the institution's own additions to the clean-language list (J18), and stored files.
-- Booleans are INTEGER 0/1 here (BOOLEAN in PostgreSQL); BLOB here is BYTEA there.

-- A file is stored once per institution, however many messages (or journal entries) carry it.
CREATE TABLE files (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    sha256          TEXT   NOT NULL,
    content_type    TEXT   NOT NULL,
    size            BIGINT NOT NULL,
    data            BLOB   NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (institution_id, sha256)
);

-- A message is written once; each recipient has a row with their read time. A thread is the
-- first message's id; a reply names the message it answers.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    thread_id       BIGINT,
    reply_to        BIGINT REFERENCES messages (id),
    sender_id       BIGINT NOT NULL REFERENCES persons (id),
    subject         TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    -- Whom it was addressed to, as the sender chose it ("2.B vecāki"), for the sent list.
    audience        TEXT   NOT NULL,
    -- Lower-case subject, body and sender, so a search is one LIKE on both backends.
    search_text     TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, id);
CREATE INDEX messages_sender ON messages (sender_id, id);

CREATE TABLE message_recipients (
    message_id  BIGINT NOT NULL REFERENCES messages (id),
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    read_at     BIGINT,
    PRIMARY KEY (message_id, person_id)
);
CREATE INDEX message_recipients_person ON message_recipients (person_id, message_id);
CREATE INDEX message_recipients_unread ON message_recipients (person_id) WHERE read_at IS NULL;

CREATE TABLE message_attachments (
    id          INTEGER PRIMARY KEY,
    message_id  BIGINT NOT NULL REFERENCES messages (id),
    file_id     BIGINT NOT NULL REFERENCES files (id),
    file_name   TEXT   NOT NULL
);
CREATE INDEX message_attachments_message ON message_attachments (message_id);

-- "Iestādes aktualitātes": shown to its audience from `visible_from` to `visible_to`.
CREATE TABLE news (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    category        TEXT   NOT NULL,
    audience        TEXT   NOT NULL CHECK (audience IN ('everyone', 'staff', 'families', 'class')),
    class_id        BIGINT REFERENCES classes (id),
    title           TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    visible_from    TEXT   NOT NULL,
    visible_to      TEXT   NOT NULL,
    author_id       BIGINT NOT NULL REFERENCES persons (id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX news_institution ON news (institution_id, visible_to);

CREATE TABLE banned_words (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    word            TEXT   NOT NULL,
    PRIMARY KEY (institution_id, word)
);

-- Anyone may now ask to be told of a new message; SQLite cannot alter a CHECK, so the table is
-- rebuilt.
CREATE TABLE notification_prefs_new (
    person_id  BIGINT NOT NULL REFERENCES persons (id),
    event      TEXT   NOT NULL CHECK (event IN ('grade', 'absence', 'remark', 'message')),
    channel    TEXT   NOT NULL CHECK (channel IN ('email', 'sms')),
    PRIMARY KEY (person_id, event, channel)
);
INSERT INTO notification_prefs_new SELECT person_id, event, channel FROM notification_prefs;
DROP TABLE notification_prefs;
ALTER TABLE notification_prefs_new RENAME TO notification_prefs;
