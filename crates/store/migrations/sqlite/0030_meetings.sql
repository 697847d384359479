-- Parent–teacher meetings: a teacher or tutor publishes time slots for a class (a place, an
-- online address, or both) and a booking deadline; a parent books one slot per child and may
-- cancel it until the deadline. A slot is booked when it names a student; one slot per student
-- and meeting. A cancelled meeting keeps its rows, so families see that it was cancelled.
CREATE TABLE meetings (
    id             INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    class_id       BIGINT NOT NULL REFERENCES classes (id),
    host_id        BIGINT NOT NULL REFERENCES persons (id),
    title          TEXT   NOT NULL,
    place          TEXT   NOT NULL,
    link           TEXT,
    book_by        BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    cancelled_at   BIGINT
);
CREATE INDEX meetings_class ON meetings (institution_id, class_id, id);
CREATE INDEX meetings_host ON meetings (host_id, id);
CREATE TABLE meeting_slots (
    id             INTEGER PRIMARY KEY,
    meeting_id     BIGINT NOT NULL REFERENCES meetings (id),
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    student_id     BIGINT REFERENCES persons (id),
    booked_by      BIGINT REFERENCES persons (id),
    booked_at      BIGINT,
    UNIQUE (meeting_id, student_id)
);
CREATE INDEX meeting_slots_meeting ON meeting_slots (meeting_id, starts_at);
CREATE INDEX meeting_slots_student ON meeting_slots (student_id, starts_at);
