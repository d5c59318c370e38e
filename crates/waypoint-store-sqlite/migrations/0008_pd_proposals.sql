-- The call for proposals: sessions the audience proposes for a PD day, who
-- would lead them with the proposer, the slots they would prefer, and the
-- coordinator's review. An accepted proposal points at the course it became.
CREATE TABLE pd_proposals (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    proposer_id INTEGER NOT NULL REFERENCES people (id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    audience    TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '',
    room_needs  TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    reviewed_by INTEGER REFERENCES people (id),
    reviewed_at INTEGER,
    course_id   INTEGER REFERENCES pd_courses (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX pd_proposals_event ON pd_proposals (event_id, status);
CREATE INDEX pd_proposals_proposer ON pd_proposals (proposer_id);

CREATE TABLE pd_proposal_leads (
    proposal_id INTEGER NOT NULL REFERENCES pd_proposals (id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (proposal_id, person_id)
);
CREATE INDEX pd_proposal_leads_person ON pd_proposal_leads (person_id);

CREATE TABLE pd_proposal_slots (
    proposal_id INTEGER NOT NULL REFERENCES pd_proposals (id) ON DELETE CASCADE,
    slot_id     INTEGER NOT NULL REFERENCES pd_slots (id) ON DELETE CASCADE,
    PRIMARY KEY (proposal_id, slot_id)
);
