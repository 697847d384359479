-- An adult student decides whether each parent keeps seeing their diary and grades; a minor's
-- parents always do. `withheld_at` set: this parent no longer does (the guardianship stays: it is
-- a fact of the register, and the counter of rights moves by the trigger on guardianships). Every
-- choice is kept, with when it was made, and shown to the student and to the parent.
ALTER TABLE guardianships ADD COLUMN withheld_at BIGINT;
CREATE TABLE sharing_choices (
    id         INTEGER PRIMARY KEY,
    child_id   BIGINT NOT NULL REFERENCES persons (id),
    parent_id  BIGINT NOT NULL REFERENCES persons (id),
    shared     INTEGER NOT NULL CHECK (shared IN (0, 1)),
    at         BIGINT NOT NULL
);
CREATE INDEX sharing_choices_child ON sharing_choices (child_id, id);
CREATE INDEX sharing_choices_parent ON sharing_choices (parent_id, id);
