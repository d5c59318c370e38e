-- Goals a district or a school sets for a school year; a school's goal may
-- serve one of its district's.
CREATE TABLE system_goals (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (id),
    school_year INTEGER NOT NULL,
    statement   TEXT NOT NULL,
    measure     TEXT NOT NULL,
    target      TEXT NOT NULL,
    groups      TEXT NOT NULL DEFAULT '',
    aligned_to  INTEGER REFERENCES system_goals (id) ON DELETE SET NULL,
    created_by  INTEGER REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX system_goals_org ON system_goals (org_id, school_year);
