-- After the day: each attendee's reaction to a session they attended (three
-- statements on a 1–5 agreement scale) and what they will try with students.
CREATE TABLE pd_feedback (
    section_id   INTEGER NOT NULL REFERENCES pd_sections (id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    relevant     INTEGER NOT NULL CHECK (relevant BETWEEN 1 AND 5),
    well_run     INTEGER NOT NULL CHECK (well_run BETWEEN 1 AND 5),
    will_use     INTEGER NOT NULL CHECK (will_use BETWEEN 1 AND 5),
    will_try     TEXT NOT NULL DEFAULT '',
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (section_id, person_id)
);
