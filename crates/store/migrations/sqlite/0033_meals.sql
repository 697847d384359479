-- School meals: an institution that orders its meals through Klade says so, with the morning's
-- cut-off and the caterer's address. A learner enrolled on a school day eats unless the meal was
-- cancelled (a row here) or a notice of absence written before the cut-off covers the day. Each
-- day's order is sent to the caterer once (meal_orders).
CREATE TABLE meal_settings (
    institution_id BIGINT PRIMARY KEY REFERENCES institutions (id),
    enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    cutoff         TEXT   NOT NULL,
    caterer_email  TEXT,
    updated_at     BIGINT NOT NULL
);
CREATE TABLE meal_cancellations (
    id             INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    student_id     BIGINT NOT NULL REFERENCES persons (id),
    date           TEXT   NOT NULL,
    by_id          BIGINT NOT NULL REFERENCES persons (id),
    at             BIGINT NOT NULL,
    UNIQUE (institution_id, student_id, date)
);
CREATE INDEX meal_cancellations_day ON meal_cancellations (institution_id, date);
CREATE TABLE meal_orders (
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    date           TEXT   NOT NULL,
    total          BIGINT NOT NULL,
    sent_at        BIGINT NOT NULL,
    PRIMARY KEY (institution_id, date)
);
