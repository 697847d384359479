-- People and accounts: the rest of the personal record (R12–R14), the job queue and the SMS
-- outbox (R9, R10), blocking an account (R11), the access log (R29, J15, J33).

ALTER TABLE persons ADD COLUMN address_declared TEXT;
ALTER TABLE persons ADD COLUMN address_actual TEXT;
ALTER TABLE persons ADD COLUMN document_number TEXT;
ALTER TABLE persons ADD COLUMN document_issuer TEXT;
ALTER TABLE persons ADD COLUMN document_date TEXT;
ALTER TABLE persons ADD COLUMN previous_programme TEXT;

ALTER TABLE accounts ADD COLUMN blocked_by BIGINT REFERENCES persons (id);

-- How an enrolment ended: the order of the transfer or the exit, and why.
ALTER TABLE enrolments ADD COLUMN end_order_number TEXT;
ALTER TABLE enrolments ADD COLUMN end_order_date TEXT;
ALTER TABLE enrolments ADD COLUMN end_reason TEXT;

-- Work done after the request that asked for it, retried with backoff; any server may take it.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT   NOT NULL,
    payload       TEXT   NOT NULL,
    status        TEXT   NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts      BIGINT NOT NULL DEFAULT 0,
    run_after     BIGINT NOT NULL,
    locked_until  BIGINT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    done_at       BIGINT
);
CREATE INDEX jobs_ready ON jobs (status, run_after);

CREATE TABLE sms_messages (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT REFERENCES institutions (id),
    person_id       BIGINT REFERENCES persons (id),
    phone           TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('queued', 'kept', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX sms_messages_institution ON sms_messages (institution_id, created_at);

CREATE TABLE access_log (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT REFERENCES institutions (id),
    actor_id        BIGINT NOT NULL REFERENCES persons (id),
    subject_id      BIGINT NOT NULL REFERENCES persons (id),
    action          TEXT   NOT NULL CHECK (action IN ('view', 'change', 'export')),
    detail          TEXT   NOT NULL DEFAULT '',
    at              BIGINT NOT NULL
);
CREATE INDEX access_log_subject ON access_log (subject_id, at);
CREATE INDEX access_log_institution ON access_log (institution_id, at);

-- The privacy notice names the institution's data processor (R15, J7); the institution's rules,
-- which users acknowledge (J36), with a version so a change asks again.
ALTER TABLE institutions ADD COLUMN data_processor TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN rules TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN rules_version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE acknowledgements (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    person_id       BIGINT NOT NULL REFERENCES persons (id),
    version         BIGINT NOT NULL,
    at              BIGINT NOT NULL,
    PRIMARY KEY (institution_id, person_id, version)
);

-- An uploaded VIIS file, kept as its parsed table until the superuser confirms the preview.
CREATE TABLE imports (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    kind            TEXT   NOT NULL CHECK (kind IN ('classes', 'subjects', 'students')),
    filename        TEXT   NOT NULL,
    table_json      TEXT   NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('preview', 'running', 'done', 'failed')),
    total           BIGINT NOT NULL DEFAULT 0,
    processed       BIGINT NOT NULL DEFAULT 0,
    created         BIGINT NOT NULL DEFAULT 0,
    changed         BIGINT NOT NULL DEFAULT 0,
    rejected        BIGINT NOT NULL DEFAULT 0,
    error           TEXT,
    created_by      BIGINT NOT NULL REFERENCES persons (id),
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
