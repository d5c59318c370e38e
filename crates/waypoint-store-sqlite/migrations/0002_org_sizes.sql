-- Sizes of every organisation (active staff, students and classes at or
-- below it), recomputed by each roster import so listings never count rows.
CREATE TABLE org_sizes (
    org_id   INTEGER PRIMARY KEY REFERENCES orgs (id),
    staff    INTEGER NOT NULL,
    students INTEGER NOT NULL,
    classes  INTEGER NOT NULL
);
-- Filled by the first start after this migration, then by every roster import.

-- Bumped by every roster import, so servers can cache roster-derived listings.
CREATE TABLE roster_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO roster_version (id, version) VALUES (1, 1);
