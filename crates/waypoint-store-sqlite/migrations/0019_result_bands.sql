-- Each result's band against grade-level expectations (1 on track,
-- 2 approaching, 3 needs support; NULL when the file gives neither a level
-- nor a percentile) and its testing window (`2025-1-fall`), and the counts
-- the school, district and region views read: students per school, grade,
-- subject, domain, window and band, by each student's latest result in the
-- window. Rebuilt whenever results or the roster change.
ALTER TABLE assessment_results ADD COLUMN band INTEGER;
ALTER TABLE assessment_results ADD COLUMN term TEXT NOT NULL DEFAULT '';
CREATE TABLE result_counts (
    school_id INTEGER NOT NULL REFERENCES orgs (id),
    grade     TEXT NOT NULL,
    subject   TEXT NOT NULL,
    domain    TEXT NOT NULL,
    term      TEXT NOT NULL,
    band      INTEGER NOT NULL,
    students  INTEGER NOT NULL,
    PRIMARY KEY (school_id, subject, domain, term, grade, band)
);
-- The same counts per class (a student counts in each class they are in).
CREATE TABLE class_result_counts (
    class_id INTEGER NOT NULL REFERENCES classes (id),
    subject  TEXT NOT NULL,
    domain   TEXT NOT NULL,
    term     TEXT NOT NULL,
    band     INTEGER NOT NULL,
    students INTEGER NOT NULL,
    PRIMARY KEY (class_id, subject, domain, term, band)
);

-- What students say: survey answers, a point on a scale or written words,
-- one per student, survey, day and question.
CREATE TABLE survey_answers (
    id          INTEGER PRIMARY KEY,
    student_id  INTEGER NOT NULL REFERENCES people (id),
    survey      TEXT NOT NULL,
    asked_on    TEXT NOT NULL,
    question    TEXT NOT NULL,
    value       INTEGER,
    scale_max   INTEGER,
    answer_text TEXT,
    source      TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    UNIQUE (student_id, survey, asked_on, question)
);
