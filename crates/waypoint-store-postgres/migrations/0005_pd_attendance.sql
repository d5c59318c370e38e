-- The day itself: who was there, ticked by a facilitator or checked in by the
-- attendee with the session's code.
CREATE TABLE pd_attendance (
    section_id    BIGINT NOT NULL REFERENCES pd_sections (id) ON DELETE CASCADE,
    person_id     BIGINT NOT NULL REFERENCES people (id),
    checked_in_at BIGINT NOT NULL,
    marked_by     BIGINT REFERENCES people (id),
    PRIMARY KEY (section_id, person_id)
);

-- A short code a facilitator shows in the room; attendees enter it to check in.
CREATE TABLE pd_checkin_codes (
    section_id BIGINT PRIMARY KEY REFERENCES pd_sections (id) ON DELETE CASCADE,
    event_id   BIGINT NOT NULL REFERENCES pd_events (id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    UNIQUE (event_id, code)
);
