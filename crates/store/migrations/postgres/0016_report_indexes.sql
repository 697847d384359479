-- A work's marks read in one pass from the index, for the statistics' distribution of grades;
-- a course's work by date and a learner's own courses, so a week of the diary reads that week's
-- work, not the year's.
CREATE INDEX grades_assessment_mark ON grades (assessment_id, mark);
DROP INDEX assessments_course;
CREATE INDEX assessments_course_date ON assessments (course_id, date);
CREATE INDEX course_students_student ON course_students (student_id);
