-- Growth plans: an educator's personal goals (co-constructed with a
-- reviewer, versioned when agreed), comments on them, evidence (with files),
-- check-ins, competency ratings (every one kept) and in-app notifications.
CREATE TABLE personal_goals (
    id             INTEGER PRIMARY KEY,
    owner_id       INTEGER NOT NULL REFERENCES people (id),
    school_year    INTEGER NOT NULL,
    system_goal_id INTEGER REFERENCES system_goals (id) ON DELETE SET NULL,
    reviewer_id    INTEGER REFERENCES people (id),
    status         TEXT NOT NULL,
    inquiry        TEXT NOT NULL,
    strengths      TEXT NOT NULL,
    success        TEXT NOT NULL,
    students       TEXT NOT NULL DEFAULT '',
    actions        TEXT NOT NULL,
    supports       TEXT NOT NULL DEFAULT '',
    timeline       TEXT NOT NULL DEFAULT '',
    cadence_days   INTEGER NOT NULL,
    reflection     TEXT NOT NULL DEFAULT '',
    agreed_version INTEGER,
    carried_from   INTEGER REFERENCES personal_goals (id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX personal_goals_owner ON personal_goals (owner_id, school_year);
CREATE INDEX personal_goals_reviewer ON personal_goals (reviewer_id);

CREATE TABLE goal_competencies (
    goal_id INTEGER NOT NULL REFERENCES personal_goals (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES framework_items (id) ON DELETE CASCADE,
    PRIMARY KEY (goal_id, item_id)
);

-- Each agreed version of a goal, as agreed.
CREATE TABLE goal_versions (
    goal_id    INTEGER NOT NULL REFERENCES personal_goals (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    inquiry    TEXT NOT NULL,
    strengths  TEXT NOT NULL,
    success    TEXT NOT NULL,
    students   TEXT NOT NULL,
    actions    TEXT NOT NULL,
    supports   TEXT NOT NULL,
    timeline   TEXT NOT NULL,
    agreed_by  INTEGER NOT NULL REFERENCES people (id),
    agreed_at  INTEGER NOT NULL,
    PRIMARY KEY (goal_id, version)
);

CREATE TABLE goal_comments (
    id         INTEGER PRIMARY KEY,
    goal_id    INTEGER NOT NULL REFERENCES personal_goals (id) ON DELETE CASCADE,
    field      TEXT NOT NULL,
    body       TEXT NOT NULL,
    author_id  INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX goal_comments_goal ON goal_comments (goal_id, created_at);

CREATE TABLE goal_evidence (
    id           INTEGER PRIMARY KEY,
    goal_id      INTEGER NOT NULL REFERENCES personal_goals (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    link         TEXT,
    file_name    TEXT,
    content_type TEXT,
    file_size    INTEGER,
    file_bytes   BLOB,
    added_by     INTEGER NOT NULL REFERENCES people (id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX goal_evidence_goal ON goal_evidence (goal_id, created_at);

CREATE TABLE evidence_competencies (
    evidence_id INTEGER NOT NULL REFERENCES goal_evidence (id) ON DELETE CASCADE,
    item_id     INTEGER NOT NULL REFERENCES framework_items (id) ON DELETE CASCADE,
    PRIMARY KEY (evidence_id, item_id)
);

CREATE TABLE check_ins (
    id          INTEGER PRIMARY KEY,
    goal_id     INTEGER NOT NULL REFERENCES personal_goals (id) ON DELETE CASCADE,
    due_on      TEXT NOT NULL,
    held_on     TEXT,
    discussed   TEXT NOT NULL DEFAULT '',
    progress    INTEGER,
    next_steps  TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES people (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX check_ins_goal ON check_ins (goal_id, due_on);

CREATE TABLE competency_ratings (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    item_id      INTEGER NOT NULL REFERENCES framework_items (id) ON DELETE CASCADE,
    goal_id      INTEGER REFERENCES personal_goals (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL,
    level        INTEGER NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    evidence_id  INTEGER REFERENCES goal_evidence (id) ON DELETE SET NULL,
    rated_by     INTEGER NOT NULL REFERENCES people (id),
    confirmed_by INTEGER REFERENCES people (id),
    confirmed_at INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX competency_ratings_person ON competency_ratings (person_id, item_id, created_at);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    body       TEXT NOT NULL,
    link       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX notifications_person ON notifications (person_id, created_at);
