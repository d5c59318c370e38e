-- A private calendar feed per person: calendar apps fetch it without a
-- session, so its secret lives in the URL; only its hash is kept. Making a
-- new one replaces (and so revokes) the old.
CREATE TABLE pd_feed_tokens (
    person_id  INTEGER PRIMARY KEY REFERENCES people (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
