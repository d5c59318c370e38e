-- Sizes of every organisation (active staff, students and classes at or
-- below it), recomputed by each roster import so listings never count rows.
CREATE TABLE org_sizes (
    org_id   BIGINT PRIMARY KEY REFERENCES orgs (id),
    staff    BIGINT NOT NULL,
    students BIGINT NOT NULL,
    classes  BIGINT NOT NULL
);
DELETE FROM org_sizes;
INSERT INTO org_sizes (org_id, staff, students, classes)
SELECT o.id, COALESCE(st.staff, 0), COALESCE(st.students, 0), COALESCE(cl.classes, 0)
FROM orgs o
LEFT JOIN (SELECT x.region_id AS org_id,
             COUNT(DISTINCT CASE WHEN pe.is_staff THEN po.person_id END) AS staff,
             COUNT(DISTINCT CASE WHEN NOT pe.is_staff THEN po.person_id END) AS students
           FROM person_orgs po JOIN orgs x ON x.id = po.org_id JOIN people pe ON pe.id = po.person_id
           WHERE pe.status = 'active' AND x.status = 'active' AND x.region_id IS NOT NULL
           GROUP BY x.region_id) st ON st.org_id = o.id
LEFT JOIN (SELECT x.region_id AS org_id, COUNT(*) AS classes
           FROM classes c JOIN orgs x ON x.id = c.school_id
           WHERE c.status = 'active' AND x.region_id IS NOT NULL
           GROUP BY x.region_id) cl ON cl.org_id = o.id
WHERE o.kind = 'region';
INSERT INTO org_sizes (org_id, staff, students, classes)
SELECT o.id, COALESCE(st.staff, 0), COALESCE(st.students, 0), COALESCE(cl.classes, 0)
FROM orgs o
LEFT JOIN (SELECT x.district_id AS org_id,
             COUNT(DISTINCT CASE WHEN pe.is_staff THEN po.person_id END) AS staff,
             COUNT(DISTINCT CASE WHEN NOT pe.is_staff THEN po.person_id END) AS students
           FROM person_orgs po JOIN orgs x ON x.id = po.org_id JOIN people pe ON pe.id = po.person_id
           WHERE pe.status = 'active' AND x.status = 'active' AND x.district_id IS NOT NULL
           GROUP BY x.district_id) st ON st.org_id = o.id
LEFT JOIN (SELECT x.district_id AS org_id, COUNT(*) AS classes
           FROM classes c JOIN orgs x ON x.id = c.school_id
           WHERE c.status = 'active' AND x.district_id IS NOT NULL
           GROUP BY x.district_id) cl ON cl.org_id = o.id
WHERE o.kind = 'district';
INSERT INTO org_sizes (org_id, staff, students, classes)
SELECT o.id, COALESCE(st.staff, 0), COALESCE(st.students, 0), COALESCE(cl.classes, 0)
FROM orgs o
LEFT JOIN (SELECT x.school_id AS org_id,
             COUNT(DISTINCT CASE WHEN pe.is_staff THEN po.person_id END) AS staff,
             COUNT(DISTINCT CASE WHEN NOT pe.is_staff THEN po.person_id END) AS students
           FROM person_orgs po JOIN orgs x ON x.id = po.org_id JOIN people pe ON pe.id = po.person_id
           WHERE pe.status = 'active' AND x.status = 'active' AND x.school_id IS NOT NULL
           GROUP BY x.school_id) st ON st.org_id = o.id
LEFT JOIN (SELECT x.school_id AS org_id, COUNT(*) AS classes
           FROM classes c JOIN orgs x ON x.id = c.school_id
           WHERE c.status = 'active' AND x.school_id IS NOT NULL
           GROUP BY x.school_id) cl ON cl.org_id = o.id
WHERE o.kind = 'school';
INSERT INTO org_sizes (org_id, staff, students, classes)
SELECT o.id, COALESCE(st.staff, 0), COALESCE(st.students, 0), COALESCE(cl.classes, 0)
FROM orgs o
LEFT JOIN (SELECT x.id AS org_id,
             COUNT(DISTINCT CASE WHEN pe.is_staff THEN po.person_id END) AS staff,
             COUNT(DISTINCT CASE WHEN NOT pe.is_staff THEN po.person_id END) AS students
           FROM person_orgs po JOIN orgs x ON x.id = po.org_id JOIN people pe ON pe.id = po.person_id
           WHERE pe.status = 'active' AND x.status = 'active' AND x.id IS NOT NULL
           GROUP BY x.id) st ON st.org_id = o.id
LEFT JOIN (SELECT x.id AS org_id, COUNT(*) AS classes
           FROM classes c JOIN orgs x ON x.id = c.school_id
           WHERE c.status = 'active' AND x.id IS NOT NULL
           GROUP BY x.id) cl ON cl.org_id = o.id
WHERE o.kind = 'department';

-- Bumped by every roster import, so servers can cache roster-derived listings.
CREATE TABLE roster_version (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO roster_version (id, version) VALUES (1, 1);
