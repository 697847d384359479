-- A second factor (RFC 6238): the account's secret, confirmed once a code from it was typed, and
-- the last step a code was taken for, so no code is taken twice. Recovery codes are kept as
-- hashes, each used once. A login that needs the second factor waits as a challenge.
CREATE TABLE second_factors (
    account_id    BIGINT NOT NULL PRIMARY KEY REFERENCES accounts (id),
    secret        TEXT   NOT NULL,
    confirmed_at  BIGINT,
    last_step     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE TABLE recovery_codes (
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    code_hash   TEXT   NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (account_id, code_hash)
);
CREATE TABLE login_challenges (
    token_hash  TEXT   NOT NULL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    kind        TEXT   NOT NULL,
    user_agent  TEXT   NOT NULL DEFAULT '',
    address     TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
