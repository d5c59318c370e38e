-- A competency dropped from a re-imported framework while goals, evidence or
-- ratings still name it is kept, retired: out of the framework's tree and
-- choices, still readable where it was used.
ALTER TABLE framework_items ADD COLUMN retired BIGINT NOT NULL DEFAULT 0;
