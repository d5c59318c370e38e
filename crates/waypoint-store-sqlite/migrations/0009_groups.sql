-- Learning groups that continue a PD-day session: a course, a book group or
-- a PLC, with the people invited to it and whether they joined.
CREATE TABLE learning_groups (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES orgs (id),
    kind           TEXT NOT NULL CHECK (kind IN ('course', 'book_group', 'plc')),
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    from_section   INTEGER REFERENCES pd_sections (id) ON DELETE SET NULL,
    created_by     INTEGER NOT NULL REFERENCES people (id),
    created_at     INTEGER NOT NULL
);
CREATE INDEX learning_groups_section ON learning_groups (from_section);

CREATE TABLE learning_group_members (
    group_id    INTEGER NOT NULL REFERENCES learning_groups (id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    lead        BOOLEAN NOT NULL DEFAULT FALSE,
    status      TEXT NOT NULL CHECK (status IN ('invited', 'joined', 'declined')),
    invited_at  INTEGER NOT NULL,
    answered_at INTEGER,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX learning_group_members_person ON learning_group_members (person_id);
