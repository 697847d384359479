-- When a person last came: the home page marks what is new since the visit before this one.
-- `last_login_at` is this visit's start; `previous_visit_at` the end of the one before (its
-- session's last activity, or its start when the session was ended by logging out).
ALTER TABLE accounts ADD COLUMN last_login_at BIGINT;
ALTER TABLE accounts ADD COLUMN previous_visit_at BIGINT;
