-- Consents and surveys: the school asks the families of one or more classes (an excursion, photos,
-- a short survey) and each parent answers per child by a date: yes or no, one of the choices, or a
-- short text. Every answer is a row of its own with who gave it and when; the latest one per
-- student stands, so changes and withdrawals are all kept.
CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    author_id      BIGINT NOT NULL REFERENCES persons (id),
    kind           TEXT   NOT NULL CHECK (kind IN ('consent', 'choice', 'text')),
    title          TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    choices        TEXT   NOT NULL,
    answer_by      TEXT   NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX consents_institution ON consents (institution_id, answer_by);
CREATE TABLE consent_classes (
    consent_id     BIGINT NOT NULL REFERENCES consents (id),
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    class_id       BIGINT NOT NULL REFERENCES classes (id),
    PRIMARY KEY (consent_id, class_id)
);
CREATE INDEX consent_classes_class ON consent_classes (institution_id, class_id);
CREATE TABLE consent_answers (
    id             INTEGER PRIMARY KEY,
    consent_id     BIGINT NOT NULL REFERENCES consents (id),
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    student_id     BIGINT NOT NULL REFERENCES persons (id),
    parent_id      BIGINT NOT NULL REFERENCES persons (id),
    answer         TEXT   NOT NULL,
    withdrawn      INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    answered_at    BIGINT NOT NULL
);
CREATE INDEX consent_answers_consent ON consent_answers (consent_id, student_id, id);
