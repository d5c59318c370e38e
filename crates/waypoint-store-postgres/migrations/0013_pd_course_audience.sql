-- Who a session is for (a grade band, a subject, a role), shown in the
-- catalogue and filtered on; empty means anyone.
ALTER TABLE pd_courses ADD COLUMN audience TEXT NOT NULL DEFAULT '';
