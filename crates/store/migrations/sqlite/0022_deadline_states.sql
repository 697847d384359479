-- When a lesson's topic was first written, so a lesson recorded after its due time stays on the
-- deadline lists as done late instead of dropping off. Lessons recorded before this column have
-- none and count as on time.
ALTER TABLE lessons ADD COLUMN recorded_at BIGINT;

-- An unexcused absence the tutor has checked and that stays unexcused (a truancy): it is no
-- longer an excuse the tutor owes, though it still counts as unexcused everywhere.
CREATE TABLE absence_checks (
    institution_id  BIGINT NOT NULL REFERENCES institutions (id),
    lesson_id       BIGINT NOT NULL REFERENCES lessons (id),
    student_id      BIGINT NOT NULL REFERENCES persons (id),
    checked_by      BIGINT NOT NULL REFERENCES persons (id),
    checked_at      BIGINT NOT NULL,
    PRIMARY KEY (lesson_id, student_id)
);
CREATE INDEX absence_checks_student ON absence_checks (institution_id, student_id);
