-- Students' assessment results: one row per student, test, subject, domain
-- and day, as imported (no demographics are ever stored).
CREATE TABLE assessment_results (
    id          INTEGER PRIMARY KEY,
    student_id  INTEGER NOT NULL REFERENCES people (id),
    assessment  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    domain      TEXT NOT NULL,
    taken_on    TEXT NOT NULL,
    score       REAL NOT NULL,
    scale       TEXT NOT NULL,
    level       TEXT NOT NULL,
    percentile  INTEGER,
    source      TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    UNIQUE (student_id, assessment, subject, domain, taken_on)
);
CREATE INDEX assessment_results_subject ON assessment_results (subject, domain, taken_on);
