-- Goals' stories shared to a school's or a district's showcase: what the
-- educator tried, the evidence they chose to show, and colleagues' comments.
CREATE TABLE goal_stories (
    id         INTEGER PRIMARY KEY,
    goal_id    INTEGER NOT NULL UNIQUE REFERENCES personal_goals (id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES orgs (id),
    what_tried TEXT NOT NULL,
    shared_at  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX goal_stories_org ON goal_stories (org_id, shared_at);

CREATE TABLE story_evidence (
    story_id    INTEGER NOT NULL REFERENCES goal_stories (id) ON DELETE CASCADE,
    evidence_id INTEGER NOT NULL REFERENCES goal_evidence (id) ON DELETE CASCADE,
    PRIMARY KEY (story_id, evidence_id)
);
CREATE INDEX story_evidence_evidence ON story_evidence (evidence_id);

CREATE TABLE story_comments (
    id         INTEGER PRIMARY KEY,
    story_id   INTEGER NOT NULL REFERENCES goal_stories (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES people (id),
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX story_comments_story ON story_comments (story_id, created_at);
