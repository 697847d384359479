#!/usr/bin/env python3
"""Adds a whole past school year to a demo database, for the report benches (issue 8, "Speed").

The demo school gets the school year 2025/2026 with 40 classes of 25 students (1 000 in all), nine
courses a class taught by the demo's teachers, six lessons a day on 200 working days (48 000
lessons), absences in about one lesson in twenty-five (excused by mark or by a tutor's excuse,
unexcused, late), and a summative 1–10 work every fifth lesson of a course, graded for the whole
class (about 240 000 grades). Written straight into SQLite, in one transaction, with a fixed
random seed, so every run measures the same data. Usage: bench/year.py DEMO.db
"""
import datetime
import random
import sqlite3
import sys

random.seed(2026)
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA foreign_keys = ON")
cur = db.cursor()

(school,) = cur.execute("SELECT id FROM institutions WHERE kind <> 'preschool' ORDER BY id LIMIT 1").fetchone()
teachers = [r[0] for r in cur.execute(
    "SELECT person_id FROM memberships WHERE institution_id = ? AND role = 'teacher'", (school,))]
subjects = [r for r in cur.execute("SELECT id, name FROM subjects WHERE institution_id = ? ORDER BY id", (school,))]
(director,) = cur.execute(
    "SELECT person_id FROM memberships WHERE institution_id = ? AND role = 'director'", (school,)).fetchone()
programmes = cur.execute(
    "SELECT DISTINCT programme_code, programme_name FROM classes WHERE institution_id = ? AND kind = 'class'",
    (school,)).fetchall()

cur.execute("INSERT INTO school_years (institution_id, name, starts_on, ends_on) VALUES (?, '2025/2026', '2025-09-01', '2026-08-31')",
            (school,))
year = cur.lastrowid
cur.execute("INSERT INTO terms (institution_id, school_year_id, ordinal, name, starts_on, ends_on) VALUES "
            "(?, ?, 1, '1. semestris', '2025-09-01', '2025-12-19')", (school, year))
term1 = cur.lastrowid
cur.execute("INSERT INTO terms (institution_id, school_year_id, ordinal, name, starts_on, ends_on) VALUES "
            "(?, ?, 2, '2. semestris', '2026-01-05', '2026-06-19')", (school, year))
term2 = cur.lastrowid

# 200 working days from 1 September 2025, without the public holidays and the school holidays.
off = {datetime.date(2025, 11, 17), datetime.date(2025, 11, 18), datetime.date(2026, 4, 3),
       datetime.date(2026, 4, 6), datetime.date(2026, 5, 1), datetime.date(2026, 5, 4)}
holidays = [(datetime.date(2025, 10, 20), datetime.date(2025, 10, 24)),
            (datetime.date(2025, 12, 22), datetime.date(2026, 1, 2)),
            (datetime.date(2026, 3, 9), datetime.date(2026, 3, 13))]
days = []
d = datetime.date(2025, 9, 1)
while len(days) < 200:
    if d.weekday() < 5 and d not in off and not any(a <= d <= b for a, b in holidays):
        days.append(d.isoformat())
    d += datetime.timedelta(days=1)

GIVEN = ["Anna", "Elza", "Marta", "Sofija", "Emīlija", "Jānis", "Roberts", "Markuss", "Kārlis", "Ēriks"]
FAMILY = ["Bērziņa", "Kalniņa", "Ozoliņa", "Liepiņa", "Krūmiņa", "Bērziņš", "Kalniņš", "Ozoliņš", "Liepiņš", "Šmits"]
lesson_rows, attendance, assessments, grades, excuses = 0, [], 0, [], []
for ci in range(40):
    code, programme = programmes[ci % len(programmes)]
    cur.execute("INSERT INTO classes (institution_id, school_year_id, name, kind, grade, programme_code, programme_name) "
                "VALUES (?, ?, ?, 'class', ?, ?, ?)",
                (school, year, f"{ci // 10 + 1}.{chr(65 + ci % 10)}", ci // 10 + 1, code, programme))
    klass = cur.lastrowid
    students = []
    for si in range(25):
        cur.execute("INSERT INTO persons (given_name, family_name, created_at) VALUES (?, ?, 0)",
                    (random.choice(GIVEN), random.choice(FAMILY)))
        p = cur.lastrowid
        students.append(p)
        cur.execute("INSERT INTO enrolments (institution_id, class_id, student_id, valid_from, valid_to, order_number, "
                    "order_date, reason, created_at) VALUES (?, ?, ?, '2025-09-01', '2026-08-31', '1-8/25', '2025-08-25', "
                    "'uzņemts', 0)", (school, klass, p))
        if random.random() < 0.1:
            start = random.randrange(len(days) - 3)
            excuses.append((school, p, days[start], days[start + 2], "slimība", director, 0))
    courses = []
    for k in range(9):
        subject, name = subjects[(ci + k) % len(subjects)]
        cur.execute("INSERT INTO courses (institution_id, school_year_id, subject_id, class_id, name) VALUES (?, ?, ?, ?, ?)",
                    (school, year, subject, klass, name))
        course = cur.lastrowid
        cur.execute("INSERT INTO course_teachers (institution_id, course_id, person_id) VALUES (?, ?, ?)",
                    (school, course, teachers[(ci * 9 + k) % len(teachers)]))
        courses.append(course)
    held = [0] * 9
    for di, day in enumerate(days):
        for n in range(1, 7):
            k = (di * 6 + n + ci) % 9
            cur.execute("INSERT INTO lessons (institution_id, course_id, date, lesson_no, topic) VALUES (?, ?, ?, ?, 'Tēma')",
                        (school, courses[k], day, n))
            lesson = cur.lastrowid
            lesson_rows += 1
            for p in students:
                r = random.random()
                if r < 0.025:
                    attendance.append((school, lesson, p, "n", None))
                elif r < 0.04:
                    attendance.append((school, lesson, p, "ns", None))
                elif r < 0.05:
                    attendance.append((school, lesson, p, "k", random.choice([5, 10, 15])))
            held[k] += 1
            if held[k] % 5 == 0:
                cur.execute("INSERT INTO assessments (institution_id, course_id, kind, scale, date, title, term_id) "
                            "VALUES (?, ?, 'summative', 'ten', ?, 'Pārbaudes darbs', ?)",
                            (school, courses[k], day, term1 if day < "2026-01-01" else term2))
                a = cur.lastrowid
                assessments += 1
                for p in students:
                    grades.append((school, a, p, str(random.choices(range(1, 11), weights=[1, 1, 3, 6, 9, 12, 13, 11, 8, 5])[0]), 0))

cur.executemany("INSERT INTO attendance (institution_id, lesson_id, student_id, code, minutes) VALUES (?, ?, ?, ?, ?)", attendance)
cur.executemany("INSERT INTO grades (institution_id, assessment_id, student_id, mark, entered_at) VALUES (?, ?, ?, ?, ?)", grades)
cur.executemany("INSERT INTO excuses (institution_id, student_id, from_date, to_date, reason, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", excuses)
db.commit()
db.close()
print(f"2025/2026: 40 classes, 1000 students, {len(days)} days ({days[0]} – {days[-1]}), {lesson_rows} lessons, "
      f"{len(attendance)} attendance marks, {assessments} assessments, {len(grades)} grades, {len(excuses)} excuses")
