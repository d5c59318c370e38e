-- PD days: an event, its programme (slots, courses, sections and who leads
-- them), every educator's ranking, the assignment runs and their result.
CREATE TABLE pd_events (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES orgs (id),
    title        TEXT NOT NULL,
    day          TEXT NOT NULL,
    timezone     TEXT NOT NULL,
    venue        TEXT NOT NULL,
    state        TEXT NOT NULL,
    ranks        INTEGER NOT NULL CHECK (ranks BETWEEN 1 AND 20),
    opens_at     INTEGER,
    closes_at    INTEGER,
    sequence     INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER REFERENCES people (id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    published_at INTEGER
);
CREATE INDEX pd_events_org ON pd_events (org_id);

CREATE TABLE pd_slots (
    id        INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    label     TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER NOT NULL,
    UNIQUE (event_id, label)
);

CREATE TABLE pd_courses (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, code)
);

CREATE TABLE pd_sections (
    id        INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    course_id INTEGER NOT NULL REFERENCES pd_courses (id) ON DELETE CASCADE,
    slot_id   INTEGER NOT NULL REFERENCES pd_slots (id) ON DELETE CASCADE,
    code      TEXT NOT NULL,
    room      TEXT NOT NULL DEFAULT '',
    capacity  INTEGER NOT NULL CHECK (capacity >= 0),
    UNIQUE (event_id, code)
);
CREATE INDEX pd_sections_course ON pd_sections (course_id);

CREATE TABLE pd_facilitators (
    section_id INTEGER NOT NULL REFERENCES pd_sections (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (section_id, person_id)
);
CREATE INDEX pd_facilitators_person ON pd_facilitators (person_id);

-- One row per educator who has saved a ranking; `revision` orders saves so
-- that of two concurrent saves exactly the later one stands.
CREATE TABLE pd_rankings (
    event_id  INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id),
    revision  INTEGER NOT NULL,
    saved_at  INTEGER NOT NULL,
    PRIMARY KEY (event_id, person_id)
);

CREATE TABLE pd_preferences (
    event_id  INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id),
    rank      INTEGER NOT NULL CHECK (rank >= 1),
    course_id INTEGER NOT NULL REFERENCES pd_courses (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, person_id, rank),
    UNIQUE (event_id, person_id, course_id)
);
CREATE INDEX pd_preferences_course ON pd_preferences (course_id, rank);

CREATE TABLE pd_runs (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    job_id       INTEGER REFERENCES jobs (id),
    status       TEXT NOT NULL,
    progress     TEXT,
    report       TEXT,
    error        TEXT,
    requested_by INTEGER REFERENCES people (id),
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX pd_runs_event ON pd_runs (event_id, id);

CREATE TABLE pd_assignments (
    event_id   INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    slot_id    INTEGER NOT NULL REFERENCES pd_slots (id) ON DELETE CASCADE,
    section_id INTEGER NOT NULL REFERENCES pd_sections (id) ON DELETE CASCADE,
    rank       INTEGER,
    facilitating BOOLEAN NOT NULL DEFAULT FALSE,
    source     TEXT NOT NULL,
    PRIMARY KEY (event_id, person_id, slot_id)
);
CREATE INDEX pd_assignments_section ON pd_assignments (section_id);
