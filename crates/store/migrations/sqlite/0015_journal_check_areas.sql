-- Journal checks of school courses (R22.2, R23, R24.1, R25.1): each deputy checks the journals in
-- their field — all entries, lesson content, professional subjects, absences. A preschool group's
-- findings (J29) and those recorded before keep `entries`.
ALTER TABLE journal_checks ADD COLUMN area TEXT NOT NULL DEFAULT 'entries'
    CHECK (area IN ('entries', 'content', 'professional', 'absences'));

-- The open findings of an institution, for the per-teacher list.
CREATE INDEX journal_checks_unclosed ON journal_checks (institution_id, closed_at);
