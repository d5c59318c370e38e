-- Who asked for a seat in a full section after schedules were published. A
-- freed seat goes to the person who ranked the session best, then to whoever
-- asked first.
CREATE TABLE pd_waitlist (
    event_id   BIGINT NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    person_id  BIGINT NOT NULL REFERENCES people (id),
    section_id BIGINT NOT NULL REFERENCES pd_sections (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (section_id, person_id)
);
CREATE INDEX pd_waitlist_person ON pd_waitlist (event_id, person_id);
