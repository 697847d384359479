-- Each class's timetable is kept in memory by every server, like a person's holdings, and read
-- again when the rights counter moves; so a change of the timetable moves it too. (Courses,
-- classes, teachers and names, which a slot shows, move it already.) Timetables change a few
-- times a year; the cost is that everyone's holdings are read again then.
CREATE TRIGGER timetable_ins AFTER INSERT ON timetable BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER timetable_upd AFTER UPDATE ON timetable BEGIN UPDATE rights_version SET v = v + 1; END;
CREATE TRIGGER timetable_del AFTER DELETE ON timetable BEGIN UPDATE rights_version SET v = v + 1; END;
