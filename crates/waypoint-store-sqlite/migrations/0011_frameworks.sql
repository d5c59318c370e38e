-- Competency frameworks imported from CASE packages: the framework (its
-- CFDocument), its items as a tree, and its associations as given.
CREATE TABLE frameworks (
    id              INTEGER PRIMARY KEY,
    identifier      TEXT NOT NULL UNIQUE,
    uri             TEXT NOT NULL,
    title           TEXT NOT NULL,
    creator         TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    adoption_status TEXT NOT NULL DEFAULT '',
    case_version    TEXT NOT NULL,
    source          TEXT NOT NULL,
    last_change     INTEGER,
    imported_by     INTEGER REFERENCES people (id),
    imported_at     INTEGER NOT NULL
);

CREATE TABLE framework_items (
    id           INTEGER PRIMARY KEY,
    framework_id INTEGER NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    identifier   TEXT NOT NULL,
    uri          TEXT NOT NULL,
    position     INTEGER NOT NULL,
    depth        INTEGER NOT NULL,
    parent       TEXT,
    code         TEXT NOT NULL DEFAULT '',
    statement    TEXT NOT NULL,
    abbreviated  TEXT NOT NULL DEFAULT '',
    item_type    TEXT NOT NULL DEFAULT '',
    levels       TEXT NOT NULL DEFAULT '',
    UNIQUE (framework_id, identifier)
);
CREATE INDEX framework_items_order ON framework_items (framework_id, position);

CREATE TABLE framework_associations (
    framework_id INTEGER NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    identifier   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    origin       TEXT NOT NULL,
    destination  TEXT NOT NULL,
    sequence     INTEGER,
    PRIMARY KEY (framework_id, identifier)
);
