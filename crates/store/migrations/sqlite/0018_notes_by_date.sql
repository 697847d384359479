-- The diary reads a learner's remarks and praise for one week; with the index on the learner
-- alone it read all of them, every year's, to keep a week's. By learner and date it reads the week.
DROP INDEX notes_student;
CREATE INDEX notes_student ON notes (student_id, date);
