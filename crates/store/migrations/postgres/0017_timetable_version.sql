-- Each class's timetable is kept in memory by every server, like a person's holdings, and read
-- again when the rights counter moves; so a change of the timetable moves it too. (Courses,
-- classes, teachers and names, which a slot shows, move it already.) Timetables change a few
-- times a year; the cost is that everyone's holdings are read again then.
CREATE TRIGGER timetable_rights AFTER INSERT OR UPDATE OR DELETE ON timetable
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rights_version();
