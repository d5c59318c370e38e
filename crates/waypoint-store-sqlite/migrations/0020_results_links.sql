-- Goals read beside the results: a system goal's measure may name the
-- tested subject (and grade) whose share on track it watches, with the
-- share aimed for; a personal goal may target students of one of its
-- owner's classes in one subject, all of them or those not on track at the
-- start of the year.
ALTER TABLE system_goals ADD COLUMN measure_subject TEXT;
ALTER TABLE system_goals ADD COLUMN measure_grade TEXT;
ALTER TABLE system_goals ADD COLUMN measure_target INTEGER;
CREATE TABLE goal_student_groups (
    goal_id  INTEGER PRIMARY KEY REFERENCES personal_goals (id) ON DELETE CASCADE,
    class_id INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    subject  TEXT NOT NULL,
    who      TEXT NOT NULL,
    set_at   INTEGER NOT NULL
);

-- What students say, counted per school (a student counts in each school
-- they belong to): students per survey, day, question and point on the
-- scale. Rebuilt whenever answers or the roster change.
CREATE TABLE survey_counts (
    school_id INTEGER NOT NULL REFERENCES orgs (id),
    survey    TEXT NOT NULL,
    asked_on  TEXT NOT NULL,
    question  TEXT NOT NULL,
    value     INTEGER NOT NULL,
    scale_max INTEGER NOT NULL,
    students  INTEGER NOT NULL,
    PRIMARY KEY (school_id, survey, asked_on, question, value, scale_max)
);
