-- Organisations, rosters, accounts, sessions, imports, jobs and the audit log.
CREATE TABLE orgs (
    id                 INTEGER PRIMARY KEY,
    sourced_id         TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL DEFAULT 'active',
    date_last_modified TEXT,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    identifier         TEXT,
    parent_sourced_id  TEXT,
    parent_id          INTEGER REFERENCES orgs (id),
    region_id          INTEGER,
    district_id        INTEGER,
    school_id          INTEGER
);
CREATE INDEX orgs_parent ON orgs (parent_id);
CREATE INDEX orgs_district ON orgs (district_id);

CREATE TABLE academic_sessions (
    id                 INTEGER PRIMARY KEY,
    sourced_id         TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL DEFAULT 'active',
    date_last_modified TEXT,
    title              TEXT NOT NULL,
    kind               TEXT NOT NULL,
    start_date         TEXT NOT NULL,
    end_date           TEXT NOT NULL,
    parent_sourced_id  TEXT,
    school_year        TEXT NOT NULL
);

CREATE TABLE courses (
    id                 INTEGER PRIMARY KEY,
    sourced_id         TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL DEFAULT 'active',
    date_last_modified TEXT,
    title              TEXT NOT NULL,
    code               TEXT,
    org_id             INTEGER NOT NULL REFERENCES orgs (id),
    grades             TEXT NOT NULL,
    subjects           TEXT NOT NULL
);

CREATE TABLE classes (
    id                 INTEGER PRIMARY KEY,
    sourced_id         TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL DEFAULT 'active',
    date_last_modified TEXT,
    title              TEXT NOT NULL,
    code               TEXT,
    class_type         TEXT NOT NULL,
    location           TEXT,
    course_id          INTEGER NOT NULL REFERENCES courses (id),
    school_id          INTEGER NOT NULL REFERENCES orgs (id),
    terms              TEXT NOT NULL,
    grades             TEXT NOT NULL,
    subjects           TEXT NOT NULL,
    periods            TEXT NOT NULL
);
CREATE INDEX classes_school ON classes (school_id);

CREATE TABLE people (
    id                 INTEGER PRIMARY KEY,
    sourced_id         TEXT UNIQUE,
    status             TEXT NOT NULL DEFAULT 'active',
    date_last_modified TEXT,
    enabled            BOOLEAN NOT NULL DEFAULT TRUE,
    username           TEXT NOT NULL,
    given_name         TEXT NOT NULL,
    family_name        TEXT NOT NULL,
    middle_name        TEXT,
    identifier         TEXT,
    email              TEXT,
    grades             TEXT NOT NULL DEFAULT '',
    roster_role        TEXT NOT NULL,
    is_staff           BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX people_staff_username ON people (lower(username)) WHERE is_staff;
CREATE INDEX people_family ON people (family_name, given_name);

CREATE TABLE person_orgs (
    person_id  INTEGER NOT NULL REFERENCES people (id),
    org_id     INTEGER NOT NULL REFERENCES orgs (id),
    role       TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL,
    PRIMARY KEY (person_id, org_id, role)
);
CREATE INDEX person_orgs_org ON person_orgs (org_id);

CREATE TABLE enrollments (
    id                 INTEGER PRIMARY KEY,
    sourced_id         TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL DEFAULT 'active',
    date_last_modified TEXT,
    class_id           INTEGER NOT NULL REFERENCES classes (id),
    person_id          INTEGER NOT NULL REFERENCES people (id),
    role               TEXT NOT NULL,
    is_primary         BOOLEAN NOT NULL,
    begin_date         TEXT,
    end_date           TEXT
);
CREATE INDEX enrollments_class ON enrollments (class_id, role);
CREATE INDEX enrollments_person ON enrollments (person_id, role);

CREATE TABLE credentials (
    person_id           INTEGER PRIMARY KEY REFERENCES people (id),
    password_hash       TEXT,
    failed_sign_ins     INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER,
    password_changed_at INTEGER,
    last_sign_in_at     INTEGER
);

CREATE TABLE grants (
    person_id  INTEGER NOT NULL REFERENCES people (id),
    role       TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id   INTEGER NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (person_id, role, scope_kind, scope_id)
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE reset_tokens (
    token_hash TEXT PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    status       TEXT NOT NULL,
    requested_by INTEGER REFERENCES people (id),
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    progress     TEXT,
    counts       TEXT,
    problems     TEXT
);

CREATE TABLE uploads (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_by    TEXT,
    locked_until INTEGER,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    error        TEXT
);
CREATE INDEX jobs_runnable ON jobs (status, id);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor_id   INTEGER NOT NULL REFERENCES people (id),
    role       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    subject    TEXT NOT NULL,
    students   TEXT NOT NULL,
    route      TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit rows cannot be deleted'); END;
