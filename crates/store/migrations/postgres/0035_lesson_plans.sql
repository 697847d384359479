-- A course's thematic plan: its topics in the order they are taught. The lesson form proposes the
-- first topic no lesson of the course has had yet, so filling a lesson is one tap.
CREATE TABLE lesson_plans (
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    course_id      BIGINT NOT NULL REFERENCES courses (id),
    ordinal        BIGINT NOT NULL,
    topic          TEXT   NOT NULL,
    PRIMARY KEY (course_id, ordinal)
);
