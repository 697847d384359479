-- Web Push: the server's VAPID key pair (one for the whole install, so every server signs
-- alike), and each browser a person allowed to be told through its push service: the service's
-- endpoint and the browser's keys (RFC 8291), without which the service reads nothing.
CREATE TABLE push_keys (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    private_key TEXT   NOT NULL,
    public_key  TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE push_subscriptions (
    id          INTEGER PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    endpoint    TEXT   NOT NULL UNIQUE,
    p256dh      TEXT   NOT NULL,
    auth        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    last_sent_at BIGINT
);
CREATE INDEX push_subscriptions_person ON push_subscriptions (person_id, id);

-- Push is a channel of its own; SQLite cannot alter a CHECK, so the table is rebuilt.
CREATE TABLE notification_prefs_new (
    person_id  BIGINT NOT NULL REFERENCES persons (id),
    event      TEXT   NOT NULL CHECK (event IN ('grade', 'absence', 'remark', 'message')),
    channel    TEXT   NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    PRIMARY KEY (person_id, event, channel)
);
INSERT INTO notification_prefs_new SELECT person_id, event, channel FROM notification_prefs;
DROP TABLE notification_prefs;
ALTER TABLE notification_prefs_new RENAME TO notification_prefs;
