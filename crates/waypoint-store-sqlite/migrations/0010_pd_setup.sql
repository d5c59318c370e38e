-- A PD day's set-up beyond its programme: the rooms of the venue with their
-- seats, the general sessions everyone attends (an opening, a closing), and
-- the audience (which schools and roster roles the day is for; no rows of a
-- kind means no limit of that kind).
CREATE TABLE pd_rooms (
    id        INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    capacity  INTEGER NOT NULL CHECK (capacity > 0),
    features  TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, name)
);

CREATE TABLE pd_general_sessions (
    id        INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    title     TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER NOT NULL CHECK (ends_at > starts_at),
    location  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pd_general_sessions_event ON pd_general_sessions (event_id, starts_at);

CREATE TABLE pd_audience (
    event_id INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('school', 'role')),
    value    TEXT NOT NULL,
    PRIMARY KEY (event_id, kind, value)
);
