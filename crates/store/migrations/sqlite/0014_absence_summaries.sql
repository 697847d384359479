-- The monthly absence summary (R25.2): the deputy for upbringing publishes each month's once;
-- `late` records that it came after the deadline (the 12th of the next month; in June the 30th).
-- The figures themselves are computed from the journal, never stored twice.
-- Booleans are INTEGER 0/1 here (BOOLEAN in PostgreSQL).
CREATE TABLE absence_summaries (
    institution_id  BIGINT  NOT NULL REFERENCES institutions (id),
    month           TEXT    NOT NULL,
    published_by    BIGINT  NOT NULL REFERENCES persons (id),
    published_at    BIGINT  NOT NULL,
    late            INTEGER NOT NULL CHECK (late IN (0, 1)),
    PRIMARY KEY (institution_id, month)
);
