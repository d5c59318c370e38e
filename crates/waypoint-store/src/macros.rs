//! The [`portable_store!`](crate::portable_store) macro: one text of the
//! [`Store`](crate::Store) implementation, compiled once per backend driver.

/// Implements [`Store`](crate::Store) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`.
///
/// The backend crate passes the statement that begins a write transaction,
/// the statement that refreshes planner statistics after an import, its bulk upsert,
/// `async fn(conn: &mut <$db as Database>::Connection, spec: &UpsertSpec, rows: &[Vec<SqlValue>]) -> Result<u64, sqlx::Error>`,
/// the SQL that claims one job (binds: worker, lease end, now; returns
/// the [`Job`](crate::Job) columns), and pass the remaining trait items
/// (`backend`, `migrate`) in braces.
#[macro_export]
macro_rules! portable_store {
    ($store:ty, $db:ty, begin = $begin:expr, after_import = $after_import:expr, bulk_upsert = $bulk:path, claim_job_sql = $claim:expr, { $($extra:item)* }) => {
        #[$crate::async_trait]
        impl $crate::Store for $store {
            $($extra)*

            async fn ping(&self) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn apply_roster(
                &self,
                batch: &::waypoint_domain::roster::RosterBatch,
            ) -> $crate::StoreResult<$crate::ImportCounts> {
                use ::std::collections::HashMap;
                use $crate::portable as p;
                let mut problems = p::Problems::default();
                let mut counts = $crate::ImportCounts::default();
                counts.orgs.received = batch.orgs.len() as u64;
                counts.sessions.received = batch.sessions.len() as u64;
                counts.courses.received = batch.courses.len() as u64;
                counts.classes.received = batch.classes.len() as u64;
                counts.users.received = batch.users.len() as u64;
                counts.enrollments.received = batch.enrollments.len() as u64;
                let mut tx = self.pool.begin_with($begin).await?;

                // Organisations, then the tree they form.
                counts.orgs.changed = $bulk(&mut *tx, &p::ORGS, &p::org_rows(batch)).await?;
                let nodes: Vec<(i64, String, String, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>)> =
                    $crate::sqlx::query_as::<$db, _>(
                        "SELECT id, sourced_id, kind, parent_sourced_id, parent_id, region_id, district_id, school_id FROM orgs",
                    )
                    .fetch_all(&mut *tx)
                    .await?;
                let mut tree = HashMap::with_capacity(nodes.len());
                let mut current = HashMap::with_capacity(nodes.len());
                for n in &nodes {
                    tree.insert(n.1.clone(), p::OrgNode { id: n.0, kind: p::kind(&n.2)?, parent_sourced_id: n.3.clone() });
                    current.insert(n.0, (n.4, p::placement(n.5, n.6, n.7)));
                }
                for o in &batch.orgs {
                    if let Some(parent) = &o.parent {
                        if !tree.contains_key(parent) {
                            problems.missing(&o.meta.origin, "parentSourcedId", "organisation", parent);
                        }
                    }
                }
                for (id, (parent, place)) in p::placements(&tree) {
                    if current.get(&id) != Some(&(parent, place)) {
                        $crate::sqlx::query::<$db>(
                            "UPDATE orgs SET parent_id = $2, region_id = $3, district_id = $4, school_id = $5 WHERE id = $1",
                        )
                        .bind(id)
                        .bind(parent)
                        .bind(place.region.map(|x| x.get()))
                        .bind(place.district.map(|x| x.get()))
                        .bind(place.school.map(|x| x.get()))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                let org_ids: HashMap<String, i64> = tree.iter().map(|(k, v)| (k.clone(), v.id)).collect();
                let org_kinds: HashMap<i64, ::waypoint_domain::OrgKind> = tree.values().map(|v| (v.id, v.kind)).collect();

                counts.sessions.changed = $bulk(&mut *tx, &p::SESSIONS, &p::session_rows(batch)).await?;
                let course_rows = p::course_rows(batch, &org_ids, &mut problems);
                counts.courses.changed = $bulk(&mut *tx, &p::COURSES, &course_rows).await?;
                let course_ids = Self::id_map(&mut *tx, "SELECT sourced_id, id FROM courses").await?;
                let class_rows = p::class_rows(batch, &org_ids, &course_ids, &mut problems);
                counts.classes.changed = $bulk(&mut *tx, &p::CLASSES, &class_rows).await?;
                let class_ids = Self::id_map(&mut *tx, "SELECT sourced_id, id FROM classes").await?;
                let people_rows = p::people_rows(batch);
                counts.users.changed = $bulk(&mut *tx, &p::PEOPLE, &people_rows)
                    .await
                    .map_err(|e| p::conflict_or(e, "two staff members in the roster share a username"))?;
                let person_ids =
                    Self::id_map(&mut *tx, "SELECT sourced_id, id FROM people WHERE sourced_id IS NOT NULL").await?;
                let (members, memberships, grants) =
                    p::membership_rows(batch, &person_ids, &org_ids, &org_kinds, &mut problems);
                let enrollment_rows = p::enrollment_rows(batch, &class_ids, &person_ids, &mut problems);
                problems.into_result()?;

                for chunk in members.chunks(500) {
                    let list = p::placeholders(1, chunk.len());
                    for sql in [
                        format!("DELETE FROM person_orgs WHERE person_id IN ({list})"),
                        format!("DELETE FROM grants WHERE source = 'roster' AND person_id IN ({list})"),
                    ] {
                        let mut q = $crate::sqlx::query::<$db>(&sql);
                        for id in chunk {
                            q = q.bind(*id);
                        }
                        q.execute(&mut *tx).await?;
                    }
                }
                $bulk(&mut *tx, &p::PERSON_ORGS, &memberships).await?;
                $bulk(&mut *tx, &p::GRANTS, &grants).await?;
                counts.enrollments.changed = $bulk(&mut *tx, &p::ENROLLMENTS, &enrollment_rows).await?;

                // Removals travel as `tobedeleted`; rows are kept, marked, and
                // disappear from every listing.
                let removals = [
                    ("orgs", p::deleted_ids(&batch.orgs, |x| &x.meta)),
                    ("academic_sessions", p::deleted_ids(&batch.sessions, |x| &x.meta)),
                    ("courses", p::deleted_ids(&batch.courses, |x| &x.meta)),
                    ("classes", p::deleted_ids(&batch.classes, |x| &x.meta)),
                    ("people", p::deleted_ids(&batch.users, |x| &x.meta)),
                    ("enrollments", p::deleted_ids(&batch.enrollments, |x| &x.meta)),
                ];
                for (table, ids) in &removals {
                    let mut n = 0;
                    for chunk in ids.chunks(500) {
                        let sql = format!(
                            "UPDATE {table} SET status = 'tobedeleted' WHERE status <> 'tobedeleted' AND sourced_id IN ({})",
                            p::placeholders(1, chunk.len())
                        );
                        let mut q = $crate::sqlx::query::<$db>(&sql);
                        for id in chunk {
                            q = q.bind(id.as_str());
                        }
                        n += q.execute(&mut *tx).await?.rows_affected();
                    }
                    match *table {
                        "orgs" => counts.orgs.deleted = n,
                        "academic_sessions" => counts.sessions.deleted = n,
                        "courses" => counts.courses.deleted = n,
                        "classes" => counts.classes.deleted = n,
                        "people" => counts.users.deleted = n,
                        _ => counts.enrollments.deleted = n,
                    }
                }
                $crate::sqlx::query::<$db>(
                    "DELETE FROM grants WHERE source = 'roster' AND person_id IN (SELECT id FROM people WHERE status = 'tobedeleted')",
                )
                .execute(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>(
                    "DELETE FROM sessions WHERE person_id IN (SELECT id FROM people WHERE status = 'tobedeleted' OR NOT enabled)",
                )
                .execute(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>("UPDATE roster_version SET version = version + 1 WHERE id = 1")
                    .execute(&mut *tx)
                    .await?;
                // Listings read sizes from here rather than counting rows.
                for statement in $crate::portable::ORG_SIZES_REFRESH.split(';').map(str::trim).filter(|q| !q.is_empty()) {
                    $crate::sqlx::query::<$db>(statement).execute(&mut *tx).await?;
                }
                // Students may have changed school or grade.
                Self::refresh_result_counts(&mut tx).await?;
                tx.commit().await?;
                // Fresh planner statistics after a bulk change; the import has
                // committed already, so a failure here only costs speed.
                let _ = $crate::sqlx::raw_sql($after_import).execute(&self.pool).await;
                Ok(counts)
            }

            async fn apply_demo_grants(&self, grants: &[::waypoint_domain::demo::DemoGrant]) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                for g in grants {
                    let person: Option<i64> = $crate::sqlx::query_scalar::<$db, i64>("SELECT id FROM people WHERE sourced_id = $1")
                        .bind(&g.user)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(person) = person else {
                        return Err($crate::StoreError::Conflict(format!("no person {}", g.user)));
                    };
                    let scope = match &g.org {
                        None => ::waypoint_domain::Scope::Installation,
                        Some(org) => {
                            let row: Option<(i64, String)> =
                                $crate::sqlx::query_as::<$db, _>("SELECT id, kind FROM orgs WHERE sourced_id = $1")
                                    .bind(org)
                                    .fetch_optional(&mut *tx)
                                    .await?;
                            let Some((id, kind)) = row else {
                                return Err($crate::StoreError::Conflict(format!("no organisation {org}")));
                            };
                            let id = ::waypoint_domain::OrgId::new(id);
                            match $crate::portable::kind(&kind)? {
                                ::waypoint_domain::OrgKind::Region => ::waypoint_domain::Scope::Region(id),
                                ::waypoint_domain::OrgKind::District => ::waypoint_domain::Scope::District(id),
                                _ => ::waypoint_domain::Scope::School(id),
                            }
                        }
                    };
                    let grant = ::waypoint_domain::Grant::new(g.role, scope)
                        .map_err(|e| $crate::StoreError::Conflict(e.to_string()))?;
                    Self::insert_grant(&mut *tx, ::waypoint_domain::PersonId::new(person), grant, "manual").await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn roster_version(&self) -> $crate::StoreResult<i64> {
                let v = $crate::sqlx::query_scalar::<$db, i64>("SELECT version FROM roster_version WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(v)
            }

            async fn staff_of_org(&self, org: ::waypoint_domain::OrgId) -> $crate::StoreResult<Vec<$crate::StaffRow>> {
                let sql = format!(
                    "SELECT {} FROM people p WHERE p.is_staff AND p.status = 'active' \
                     AND p.id IN (SELECT person_id FROM person_orgs WHERE org_id = $1) \
                     ORDER BY p.family_name, p.given_name, p.id",
                    $crate::portable::STAFF_COLUMNS
                );
                let rows: Vec<$crate::portable::StaffTuple> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(org.get()).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map($crate::portable::staff_from).collect())
            }

            async fn roster_totals(&self) -> $crate::StoreResult<$crate::RosterTotals> {
                let t: (i64, i64, i64, i64, i64) = $crate::sqlx::query_as::<$db, _>(
                    "SELECT (SELECT COUNT(*) FROM orgs WHERE status = 'active'), \
                            (SELECT COUNT(*) FROM classes WHERE status = 'active'), \
                            (SELECT COUNT(*) FROM people WHERE status = 'active' AND is_staff), \
                            (SELECT COUNT(*) FROM people WHERE status = 'active' AND NOT is_staff), \
                            (SELECT COUNT(*) FROM enrollments WHERE status = 'active')",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::RosterTotals { orgs: t.0, classes: t.1, staff: t.2, students: t.3, enrollments: t.4 })
            }

            async fn roster_fingerprint(&self) -> $crate::StoreResult<String> {
                use ::std::hash::{Hash, Hasher};
                let mut h = ::std::collections::hash_map::DefaultHasher::new();
                let mut rows = 0_u64;
                for sql in [
                    "SELECT sourced_id || '|' || status || '|' || name || '|' || kind || '|' || COALESCE(identifier, '') || '|' || COALESCE(CAST(parent_id AS TEXT), '') || '|' || COALESCE(CAST(district_id AS TEXT), '') FROM orgs ORDER BY id",
                    "SELECT sourced_id || '|' || status || '|' || title || '|' || start_date || '|' || end_date FROM academic_sessions ORDER BY id",
                    "SELECT sourced_id || '|' || status || '|' || title || '|' || CAST(org_id AS TEXT) || '|' || grades || '|' || subjects FROM courses ORDER BY id",
                    "SELECT sourced_id || '|' || status || '|' || title || '|' || CAST(course_id AS TEXT) || '|' || CAST(school_id AS TEXT) || '|' || terms || '|' || grades || '|' || periods FROM classes ORDER BY id",
                    "SELECT COALESCE(sourced_id, '') || '|' || status || '|' || username || '|' || given_name || '|' || family_name || '|' || COALESCE(email, '') || '|' || roster_role || '|' || grades FROM people ORDER BY id",
                    "SELECT CAST(person_id AS TEXT) || '|' || CAST(org_id AS TEXT) || '|' || role FROM person_orgs ORDER BY person_id, org_id, role",
                    "SELECT sourced_id || '|' || status || '|' || CAST(class_id AS TEXT) || '|' || CAST(person_id AS TEXT) || '|' || role || '|' || COALESCE(begin_date, '') FROM enrollments ORDER BY id",
                    "SELECT CAST(person_id AS TEXT) || '|' || role || '|' || scope_kind || '|' || CAST(scope_id AS TEXT) || '|' || source FROM grants ORDER BY person_id, role, scope_kind, scope_id",
                ] {
                    let lines: Vec<String> = $crate::sqlx::query_scalar::<$db, String>(sql).fetch_all(&self.pool).await?;
                    rows += lines.len() as u64;
                    lines.hash(&mut h);
                }
                Ok(format!("{rows} rows, digest {:016x}", h.finish()))
            }

            async fn org(&self, id: ::waypoint_domain::OrgId) -> $crate::StoreResult<Option<$crate::Org>> {
                let sql = format!("SELECT {} FROM orgs o WHERE o.id = $1 AND o.status = 'active'", $crate::portable::ORG_COLUMNS);
                let row: Option<$crate::portable::OrgTuple> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(id.get()).fetch_optional(&self.pool).await?;
                row.map($crate::portable::org_from).transpose()
            }

            async fn orgs(&self) -> $crate::StoreResult<Vec<$crate::Org>> {
                let sql = format!(
                    "SELECT {} FROM orgs o WHERE o.status = 'active' ORDER BY \
                     CASE o.kind WHEN 'region' THEN 0 WHEN 'district' THEN 1 WHEN 'school' THEN 2 ELSE 3 END, o.name",
                    $crate::portable::ORG_COLUMNS
                );
                let rows: Vec<$crate::portable::OrgTuple> = $crate::sqlx::query_as::<$db, _>(&sql).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::portable::org_from).collect()
            }

            async fn child_orgs(&self, id: ::waypoint_domain::OrgId) -> $crate::StoreResult<Vec<$crate::OrgWithCounts>> {
                let sql = format!(
                    "SELECT {}, COALESCE(s.staff, 0), COALESCE(s.students, 0), COALESCE(s.classes, 0) \
                     FROM orgs o LEFT JOIN org_sizes s ON s.org_id = o.id \
                     WHERE o.parent_id = $1 AND o.status = 'active' ORDER BY o.name",
                    $crate::portable::ORG_COLUMNS
                );
                let rows: Vec<(i64, String, String, String, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, i64, i64, i64)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(id.get()).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::OrgWithCounts {
                            org: $crate::portable::org_from((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8))?,
                            staff: r.9,
                            students: r.10,
                            classes: r.11,
                        })
                    })
                    .collect()
            }

            async fn class(&self, id: ::waypoint_domain::ClassId) -> $crate::StoreResult<Option<$crate::ClassDetail>> {
                let sql = format!(
                    "SELECT {}, c.sourced_id, co.title, c.location, c.periods, c.terms, o.region_id, o.district_id \
                     FROM classes c JOIN orgs o ON o.id = c.school_id JOIN courses co ON co.id = c.course_id \
                     WHERE c.id = $1 AND c.status = 'active'",
                    $crate::portable::CLASS_COLUMNS
                );
                let row: Option<(i64, String, Option<String>, String, String, i64, String, String, i64, String, String, Option<String>, String, String, Option<i64>, Option<i64>)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(id.get()).fetch_optional(&self.pool).await?;
                let Some(r) = row else { return Ok(None) };
                let teachers: Vec<(i64, String, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT DISTINCT p.id, p.given_name, p.family_name FROM enrollments e JOIN people p ON p.id = e.person_id \
                     WHERE e.class_id = $1 AND e.role = 'teacher' AND e.status = 'active' AND p.status = 'active' \
                     ORDER BY p.family_name, p.given_name",
                )
                .bind(id.get())
                .fetch_all(&self.pool)
                .await?;
                let term_ids: Vec<String> = r.13.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
                let mut terms = Vec::new();
                for t in &term_ids {
                    let title: Option<String> = $crate::sqlx::query_scalar::<$db, String>(
                        "SELECT title FROM academic_sessions WHERE sourced_id = $1",
                    )
                    .bind(t)
                    .fetch_optional(&self.pool)
                    .await?;
                    terms.push(title.unwrap_or_else(|| t.clone()));
                }
                let placement = $crate::portable::placement(r.14, r.15, Some(r.5)).with_class(id);
                Ok(Some($crate::ClassDetail {
                    summary: $crate::portable::class_from((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8)),
                    sourced_id: r.9,
                    course: r.10,
                    location: r.11,
                    periods: r.12.clone(),
                    terms: terms.join(", "),
                    placement,
                    teachers: teachers
                        .into_iter()
                        .map(|t| $crate::PersonName {
                            id: ::waypoint_domain::PersonId::new(t.0),
                            given_name: t.1,
                            family_name: t.2,
                        })
                        .collect(),
                }))
            }

            async fn class_students(
                &self,
                id: ::waypoint_domain::ClassId,
                audit: &$crate::AuditEntry,
            ) -> $crate::StoreResult<Vec<$crate::Student>> {
                let mut tx = self.pool.begin_with($begin).await?;
                let students = Self::students_of_class(&mut tx, id.get(), None).await?;
                let ids: Vec<i64> = students.iter().map(|s| s.id.get()).collect();
                Self::write_audit(&mut tx, audit, &ids).await?;
                tx.commit().await?;
                Ok(students)
            }

            async fn classes_of_school(&self, school: ::waypoint_domain::OrgId) -> $crate::StoreResult<Vec<$crate::ClassSummary>> {
                let sql = format!(
                    "SELECT {} FROM classes c JOIN orgs o ON o.id = c.school_id \
                     WHERE c.school_id = $1 AND c.status = 'active' ORDER BY c.title, c.id",
                    $crate::portable::CLASS_COLUMNS
                );
                let rows: Vec<$crate::portable::ClassTuple> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(school.get()).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map($crate::portable::class_from).collect())
            }

            async fn classes_taught_by(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Vec<$crate::ClassSummary>> {
                let sql = format!(
                    "SELECT {} FROM classes c JOIN orgs o ON o.id = c.school_id \
                     WHERE c.status = 'active' AND c.id IN (SELECT class_id FROM enrollments \
                        WHERE person_id = $1 AND role = 'teacher' AND status = 'active') \
                     ORDER BY c.title, c.id",
                    $crate::portable::CLASS_COLUMNS
                );
                let rows: Vec<$crate::portable::ClassTuple> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(person.get()).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map($crate::portable::class_from).collect())
            }

            async fn staff(&self, id: ::waypoint_domain::PersonId) -> $crate::StoreResult<Option<$crate::StaffDetail>> {
                let sql = format!(
                    "SELECT {}, p.sourced_id FROM people p WHERE p.id = $1 AND p.is_staff AND p.status = 'active'",
                    $crate::portable::STAFF_COLUMNS
                );
                let row: Option<(i64, String, String, String, Option<String>, String, String, Option<String>)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(id.get()).fetch_optional(&self.pool).await?;
                let Some(r) = row else { return Ok(None) };
                let sql = format!(
                    "SELECT {}, po.role FROM person_orgs po JOIN orgs o ON o.id = po.org_id \
                     WHERE po.person_id = $1 AND o.status = 'active' ORDER BY po.is_primary DESC, o.name",
                    $crate::portable::ORG_COLUMNS
                );
                let orgs: Vec<(i64, String, String, String, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, String)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(id.get()).fetch_all(&self.pool).await?;
                let mut memberships = Vec::new();
                for o in orgs {
                    let org = $crate::portable::org_from((o.0, o.1, o.2, o.3, o.4, o.5, o.6, o.7, o.8))?;
                    memberships.push((org, o.9));
                }
                let placements = memberships.iter().map(|(o, _)| o.placement).collect();
                let grants = self.grants_of(id).await?;
                Ok(Some($crate::StaffDetail {
                    row: $crate::portable::staff_from((r.0, r.1, r.2, r.3, r.4, r.5, r.6)),
                    sourced_id: r.7,
                    memberships,
                    placements,
                    grants,
                }))
            }

            async fn search_staff(
                &self,
                visibility: &::waypoint_domain::StaffVisibility,
                viewer: ::waypoint_domain::PersonId,
                query: &str,
                page: $crate::PageRequest,
            ) -> $crate::StoreResult<$crate::Page<$crate::StaffRow>> {
                let (scope, ids) = $crate::portable::visibility_clause(visibility, 2);
                let filter = format!(
                    "p.is_staff AND p.status = 'active' AND (lower(p.given_name || ' ' || p.family_name) LIKE $1 ESCAPE '\\' \
                     OR lower(p.username) LIKE $1 ESCAPE '\\' OR lower(COALESCE(p.email, '')) LIKE $1 ESCAPE '\\') AND {scope}"
                );
                let pattern = $crate::portable::contains_pattern(query);
                let viewer_bound = matches!(visibility, ::waypoint_domain::StaffVisibility::Within { .. });
                let count_sql = format!("SELECT COUNT(*) FROM people p WHERE {filter}");
                let mut cq = $crate::sqlx::query_scalar::<$db, i64>(&count_sql).bind(&pattern);
                if viewer_bound {
                    cq = cq.bind(viewer.get());
                }
                for id in &ids {
                    cq = cq.bind(*id);
                }
                let total = cq.fetch_one(&self.pool).await?;
                let next = 2 + usize::from(viewer_bound) + ids.len();
                let sql = format!(
                    "SELECT {} FROM people p WHERE {filter} ORDER BY p.family_name, p.given_name, p.id LIMIT ${} OFFSET ${}",
                    $crate::portable::STAFF_COLUMNS,
                    next,
                    next + 1
                );
                let mut q = $crate::sqlx::query_as::<$db, $crate::portable::StaffTuple>(&sql).bind(&pattern);
                if viewer_bound {
                    q = q.bind(viewer.get());
                }
                for id in &ids {
                    q = q.bind(*id);
                }
                let rows = q.bind(page.limit).bind(page.offset).fetch_all(&self.pool).await?;
                Ok($crate::Page { items: rows.into_iter().map($crate::portable::staff_from).collect(), total })
            }

            async fn person_by_sourced_id(&self, sourced_id: &str) -> $crate::StoreResult<Option<::waypoint_domain::PersonId>> {
                let id: Option<i64> = $crate::sqlx::query_scalar::<$db, i64>("SELECT id FROM people WHERE sourced_id = $1")
                    .bind(sourced_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(id.map(::waypoint_domain::PersonId::new))
            }

            async fn org_by_sourced_id(&self, sourced_id: &str) -> $crate::StoreResult<Option<::waypoint_domain::OrgId>> {
                let id: Option<i64> = $crate::sqlx::query_scalar::<$db, i64>("SELECT id FROM orgs WHERE sourced_id = $1")
                    .bind(sourced_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(id.map(::waypoint_domain::OrgId::new))
            }

            async fn create_local_person(&self, new: &$crate::NewPerson) -> $crate::StoreResult<::waypoint_domain::PersonId> {
                let id: i64 = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO people (username, given_name, family_name, email, roster_role, is_staff, enabled, grades) \
                     VALUES ($1, $2, $3, $4, 'staff', TRUE, TRUE, '') RETURNING id",
                )
                .bind(&new.username)
                .bind(&new.given_name)
                .bind(&new.family_name)
                .bind(&new.email)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| $crate::portable::conflict_or(e, &format!("the username {} is taken", new.username)))?;
                Ok(::waypoint_domain::PersonId::new(id))
            }

            async fn account_by_username(&self, username: &str) -> $crate::StoreResult<Option<$crate::Account>> {
                self.account_where("lower(p.username) = lower($1)", username.trim().to_owned()).await
            }

            async fn account(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Option<$crate::Account>> {
                self.account_where("p.id = $1", person.get()).await
            }

            async fn record_failed_sign_in(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<i64> {
                let n = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO credentials (person_id, failed_sign_ins) VALUES ($1, 1) \
                     ON CONFLICT (person_id) DO UPDATE SET failed_sign_ins = credentials.failed_sign_ins + 1 \
                     RETURNING failed_sign_ins",
                )
                .bind(person.get())
                .fetch_one(&self.pool)
                .await?;
                Ok(n)
            }

            async fn lock_account(&self, person: ::waypoint_domain::PersonId, until: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>(
                    "UPDATE credentials SET locked_until = $2 WHERE person_id = $1 AND (locked_until IS NULL OR locked_until < $2)",
                )
                .bind(person.get())
                .bind(until)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn record_sign_in(&self, person: ::waypoint_domain::PersonId, now: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>(
                    "UPDATE credentials SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = $2 WHERE person_id = $1",
                )
                .bind(person.get())
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn set_password_hash(&self, person: ::waypoint_domain::PersonId, hash: &str, now: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>(
                    "INSERT INTO credentials (person_id, password_hash, password_changed_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (person_id) DO UPDATE SET password_hash = $2, password_changed_at = $3, \
                     failed_sign_ins = 0, locked_until = NULL",
                )
                .bind(person.get())
                .bind(hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn signed_in(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Option<$crate::SignedIn>> {
                let rows: Vec<(String, String, Option<String>, Option<String>, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT p.given_name || ' ' || p.family_name, p.username, g.role, g.scope_kind, g.scope_id \
                     FROM people p LEFT JOIN grants g ON g.person_id = p.id \
                     WHERE p.id = $1 AND p.is_staff AND p.enabled AND p.status = 'active'",
                )
                .bind(person.get())
                .fetch_all(&self.pool)
                .await?;
                let Some(first) = rows.first() else { return Ok(None) };
                let (display_name, username) = (first.0.clone(), first.1.clone());
                let mut grants = Vec::new();
                for r in &rows {
                    if let (Some(role), Some(kind), Some(id)) = (&r.2, &r.3, r.4) {
                        grants.push($crate::portable::grant(role, kind, id)?);
                    }
                }
                grants.sort();
                Ok(Some($crate::SignedIn { display_name, username, grants }))
            }

            async fn grants_of(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Vec<::waypoint_domain::Grant>> {
                let rows: Vec<(String, String, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT role, scope_kind, scope_id FROM grants WHERE person_id = $1",
                )
                .bind(person.get())
                .fetch_all(&self.pool)
                .await?;
                let mut out: Vec<::waypoint_domain::Grant> = rows
                    .into_iter()
                    .map(|r| $crate::portable::grant(&r.0, &r.1, r.2))
                    .collect::<Result<_, _>>()?;
                out.sort();
                Ok(out)
            }

            async fn add_grant(&self, person: ::waypoint_domain::PersonId, grant: ::waypoint_domain::Grant) -> $crate::StoreResult<()> {
                let mut conn = self.pool.acquire().await?;
                Self::insert_grant(&mut *conn, person, grant, "manual").await
            }

            async fn remove_grant(&self, person: ::waypoint_domain::PersonId, grant: ::waypoint_domain::Grant) -> $crate::StoreResult<bool> {
                let done = $crate::sqlx::query::<$db>(
                    "DELETE FROM grants WHERE person_id = $1 AND role = $2 AND scope_kind = $3 AND scope_id = $4",
                )
                .bind(person.get())
                .bind(grant.role.as_str())
                .bind(grant.scope.kind())
                .bind(grant.scope.raw_id())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn accounts(&self, query: &str, page: $crate::PageRequest) -> $crate::StoreResult<$crate::Page<$crate::AccountRow>> {
                let filter = "p.is_staff AND p.status = 'active' AND (lower(p.given_name || ' ' || p.family_name) LIKE $1 ESCAPE '\\' \
                              OR lower(p.username) LIKE $1 ESCAPE '\\') \
                              AND (EXISTS (SELECT 1 FROM grants g WHERE g.person_id = p.id) \
                                   OR EXISTS (SELECT 1 FROM credentials c WHERE c.person_id = p.id AND c.password_hash IS NOT NULL))";
                let pattern = $crate::portable::contains_pattern(query);
                let total: i64 = $crate::sqlx::query_scalar::<$db, i64>(&format!("SELECT COUNT(*) FROM people p WHERE {filter}"))
                    .bind(&pattern)
                    .fetch_one(&self.pool)
                    .await?;
                let rows: Vec<(i64, String, String, bool, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(&format!(
                    "SELECT p.id, p.username, p.given_name || ' ' || p.family_name, \
                       (c.password_hash IS NOT NULL), c.last_sign_in_at \
                     FROM people p LEFT JOIN credentials c ON c.person_id = p.id WHERE {filter} \
                     ORDER BY p.family_name, p.given_name, p.id LIMIT $2 OFFSET $3"
                ))
                .bind(&pattern)
                .bind(page.limit)
                .bind(page.offset)
                .fetch_all(&self.pool)
                .await?;
                let mut items = Vec::with_capacity(rows.len());
                for r in rows {
                    let person = ::waypoint_domain::PersonId::new(r.0);
                    items.push($crate::AccountRow {
                        person,
                        username: r.1,
                        display_name: r.2,
                        has_password: r.3,
                        last_sign_in: r.4,
                        grants: self.grants_of(person).await?,
                    });
                }
                Ok($crate::Page { items, total })
            }

            async fn create_session(&self, s: &$crate::SessionRecord) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>(
                    "INSERT INTO sessions (id_hash, person_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&s.id_hash)
                .bind(s.person.get())
                .bind(&s.csrf_token)
                .bind(s.created_at)
                .bind(s.last_seen_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session(&self, id_hash: &str) -> $crate::StoreResult<Option<$crate::SessionRecord>> {
                let row: Option<(String, i64, String, i64, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT s.id_hash, s.person_id, s.csrf_token, s.created_at, s.last_seen_at FROM sessions s \
                     JOIN people p ON p.id = s.person_id WHERE s.id_hash = $1 AND p.status = 'active' AND p.enabled",
                )
                .bind(id_hash)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|r| $crate::SessionRecord {
                    id_hash: r.0,
                    person: ::waypoint_domain::PersonId::new(r.1),
                    csrf_token: r.2,
                    created_at: r.3,
                    last_seen_at: r.4,
                }))
            }

            async fn touch_session(&self, id_hash: &str, now: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
                    .bind(id_hash)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_session(&self, id_hash: &str) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn delete_sessions_of(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("DELETE FROM sessions WHERE person_id = $1")
                    .bind(person.get())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn purge_sessions(&self, idle_before: i64, created_before: i64) -> $crate::StoreResult<u64> {
                let done = $crate::sqlx::query::<$db>("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                    .bind(idle_before)
                    .bind(created_before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn create_api_token(&self, person: ::waypoint_domain::PersonId, name: &str, hash: &str, now: i64) -> $crate::StoreResult<i64> {
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO api_tokens (person_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(person.get())
                .bind(name)
                .bind(hash)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn api_tokens(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Vec<$crate::ApiToken>> {
                let rows: Vec<(i64, String, i64, Option<i64>, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE person_id = $1 ORDER BY id DESC",
                )
                .bind(person.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| $crate::ApiToken { id: r.0, name: r.1, created_at: r.2, last_used_at: r.3, revoked_at: r.4 })
                    .collect())
            }

            async fn revoke_api_token(&self, person: ::waypoint_domain::PersonId, id: i64, now: i64) -> $crate::StoreResult<bool> {
                let done = $crate::sqlx::query::<$db>(
                    "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND person_id = $2 AND revoked_at IS NULL",
                )
                .bind(id)
                .bind(person.get())
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn api_token_owner(&self, hash: &str, now: i64) -> $crate::StoreResult<Option<::waypoint_domain::PersonId>> {
                let id: Option<i64> = $crate::sqlx::query_scalar::<$db, i64>(
                    "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL \
                     AND person_id IN (SELECT id FROM people WHERE status = 'active' AND enabled) RETURNING person_id",
                )
                .bind(hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                Ok(id.map(::waypoint_domain::PersonId::new))
            }

            async fn create_reset_token(&self, person: ::waypoint_domain::PersonId, hash: &str, expires_at: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("INSERT INTO reset_tokens (token_hash, person_id, expires_at) VALUES ($1, $2, $3)")
                    .bind(hash)
                    .bind(person.get())
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn reset_token_person(&self, hash: &str, now: i64) -> $crate::StoreResult<Option<::waypoint_domain::PersonId>> {
                let id: Option<i64> = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT person_id FROM reset_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                Ok(id.map(::waypoint_domain::PersonId::new))
            }

            async fn consume_reset_token(&self, hash: &str, password_hash: &str, now: i64) -> $crate::StoreResult<Option<::waypoint_domain::PersonId>> {
                let mut tx = self.pool.begin_with($begin).await?;
                let id: Option<i64> = $crate::sqlx::query_scalar::<$db, i64>(
                    "UPDATE reset_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING person_id",
                )
                .bind(hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else { return Ok(None) };
                $crate::sqlx::query::<$db>(
                    "INSERT INTO credentials (person_id, password_hash, password_changed_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (person_id) DO UPDATE SET password_hash = $2, password_changed_at = $3, \
                     failed_sign_ins = 0, locked_until = NULL",
                )
                .bind(id)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>("DELETE FROM sessions WHERE person_id = $1").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(Some(::waypoint_domain::PersonId::new(id)))
            }

            async fn create_import(&self, new: &$crate::NewImport) -> $crate::StoreResult<i64> {
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO imports (kind, source, status, requested_by, started_at) VALUES ($1, $2, 'queued', $3, $4) RETURNING id",
                )
                .bind(&new.kind)
                .bind(&new.source)
                .bind(new.requested_by.map(|p| p.get()))
                .bind(new.started_at)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn import_progress(&self, id: i64, progress: &str) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("UPDATE imports SET status = 'running', progress = $2 WHERE id = $1")
                    .bind(id)
                    .bind(progress)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn finish_import(&self, id: i64, outcome: &$crate::ImportOutcome) -> $crate::StoreResult<()> {
                let counts = outcome.counts.map(|c| ::serde_json::to_string(&c)).transpose().map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                let problems = ::serde_json::to_string(&outcome.problems).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                $crate::sqlx::query::<$db>(
                    "UPDATE imports SET status = $2, counts = $3, problems = $4, finished_at = $5, progress = $6 WHERE id = $1",
                )
                .bind(id)
                .bind(outcome.status.as_str())
                .bind(counts)
                .bind(problems)
                .bind(outcome.finished_at)
                .bind(outcome.summary.as_deref())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn imports(&self, limit: i64) -> $crate::StoreResult<Vec<$crate::ImportRow>> {
                self.imports_where("TRUE ORDER BY i.id DESC LIMIT $1", limit).await
            }

            async fn import(&self, id: i64) -> $crate::StoreResult<Option<$crate::ImportRow>> {
                Ok(self.imports_where("i.id = $1", id).await?.into_iter().next())
            }

            async fn put_upload(&self, name: &str, bytes: &[u8], now: i64) -> $crate::StoreResult<i64> {
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO uploads (name, bytes, created_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(name)
                .bind(bytes)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn upload(&self, id: i64) -> $crate::StoreResult<Option<(String, Vec<u8>)>> {
                let row: Option<(String, Vec<u8>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT name, bytes FROM uploads WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row)
            }

            async fn delete_upload(&self, id: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("DELETE FROM uploads WHERE id = $1").bind(id).execute(&self.pool).await?;
                Ok(())
            }

            async fn enqueue_upload_import(
                &self,
                import: &$crate::NewImport,
                bytes: &[u8],
                job_kind: &str,
                payload: &(dyn Fn(i64, i64) -> String + Sync),
            ) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let upload_id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO uploads (name, bytes, created_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(&import.source)
                .bind(bytes)
                .bind(import.started_at)
                .fetch_one(&mut *tx)
                .await?;
                let import_id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO imports (kind, source, status, requested_by, started_at) VALUES ($1, $2, 'queued', $3, $4) RETURNING id",
                )
                .bind(&import.kind)
                .bind(&import.source)
                .bind(import.requested_by.map(|p| p.get()))
                .bind(import.started_at)
                .fetch_one(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>("INSERT INTO jobs (kind, payload, status, created_at) VALUES ($1, $2, 'queued', $3)")
                    .bind(job_kind)
                    .bind(payload(import_id, upload_id))
                    .bind(import.started_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(import_id)
            }

            async fn enqueue_job(&self, kind: &str, payload: &str, now: i64) -> $crate::StoreResult<i64> {
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO jobs (kind, payload, status, created_at) VALUES ($1, $2, 'queued', $3) RETURNING id",
                )
                .bind(kind)
                .bind(payload)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn claim_job(&self, worker: &str, now: i64, lease_ms: i64) -> $crate::StoreResult<Option<$crate::Job>> {
                let row: Option<$crate::portable::JobTuple> = $crate::sqlx::query_as::<$db, _>($claim)
                    .bind(worker)
                    .bind(now + lease_ms)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map($crate::portable::job_from))
            }

            async fn finish_job(&self, id: i64, worker: &str, error: Option<&str>, now: i64) -> $crate::StoreResult<()> {
                let status = if error.is_some() { "failed" } else { "done" };
                $crate::sqlx::query::<$db>(
                    "UPDATE jobs SET status = $3, error = $4, finished_at = $5, locked_until = NULL \
                     WHERE id = $1 AND locked_by = $2 AND status = 'running'",
                )
                .bind(id)
                .bind(worker)
                .bind(status)
                .bind(error)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn job(&self, id: i64) -> $crate::StoreResult<Option<$crate::Job>> {
                let row: Option<$crate::portable::JobTuple> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, kind, payload, status, attempts, locked_by, error FROM jobs WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map($crate::portable::job_from))
            }

            async fn audit_log(&self, limit: i64) -> $crate::StoreResult<Vec<$crate::AuditRow>> {
                Self::audit_rows(&self.pool, "WHERE $2 IS NULL", None, limit).await
            }
        }

        impl $store {
            /// Audit rows matching `filter` (a `WHERE` clause over `a`, with
            /// `$2` bound to `arg`), newest first.
            async fn audit_rows(
                pool: &$crate::sqlx::Pool<$db>,
                filter: &str,
                arg: Option<i64>,
                limit: i64,
            ) -> $crate::StoreResult<Vec<$crate::AuditRow>> {
                let rows: Vec<(i64, i64, i64, String, String, String, String, String, String, String)> =
                    $crate::sqlx::query_as::<$db, _>(&format!(
                        "SELECT a.id, a.at, a.actor_id, p.given_name || ' ' || p.family_name, a.role, a.scope, a.subject, \
                         a.students, a.route, a.request_id FROM audit_log a JOIN people p ON p.id = a.actor_id \
                         {filter} ORDER BY a.id DESC LIMIT $1"
                    ))
                    .bind(limit)
                    .bind(arg)
                    .fetch_all(pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| $crate::AuditRow {
                        id: r.0,
                        at: r.1,
                        actor: ::waypoint_domain::PersonId::new(r.2),
                        actor_name: r.3,
                        role: r.4,
                        scope: r.5,
                        subject: r.6,
                        students: r.7,
                        route: r.8,
                        request_id: r.9,
                    })
                    .collect())
            }

            /// Writes an audit row naming `students` inside the caller's
            /// transaction, so a failed write takes the read with it.
            async fn write_audit(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                audit: &$crate::AuditEntry,
                students: &[i64],
            ) -> Result<(), $crate::sqlx::Error> {
                let ids: Vec<String> = students.iter().map(i64::to_string).collect();
                $crate::sqlx::query::<$db>(
                    "INSERT INTO audit_log (at, actor_id, role, scope, subject, students, route, request_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(audit.at)
                .bind(audit.actor.get())
                .bind(&audit.role)
                .bind(&audit.scope)
                .bind(&audit.subject)
                .bind(ids.join(","))
                .bind(&audit.route)
                .bind(&audit.request_id)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            /// Fills `org_sizes` once after the migration that created it
            /// (later, every roster import refreshes it).
            async fn fill_org_sizes_if_missing(&self) -> $crate::StoreResult<()> {
                let missing: i64 = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM orgs o WHERE NOT EXISTS (SELECT 1 FROM org_sizes s WHERE s.org_id = o.id)",
                )
                .fetch_one(&self.pool)
                .await?;
                if missing > 0 {
                    let mut tx = self.pool.begin_with($begin).await?;
                    for statement in $crate::portable::ORG_SIZES_REFRESH.split(';').map(str::trim).filter(|q| !q.is_empty()) {
                        $crate::sqlx::query::<$db>(statement).execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                }
                Ok(())
            }

            async fn id_map(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                sql: &'static str,
            ) -> Result<::std::collections::HashMap<String, i64>, $crate::sqlx::Error> {
                let rows: Vec<(String, i64)> = $crate::sqlx::query_as::<$db, _>(sql).fetch_all(conn).await?;
                Ok(rows.into_iter().collect())
            }

            async fn insert_grant(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                person: ::waypoint_domain::PersonId,
                grant: ::waypoint_domain::Grant,
                source: &str,
            ) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>(
                    "INSERT INTO grants (person_id, role, scope_kind, scope_id, source) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (person_id, role, scope_kind, scope_id) DO UPDATE SET source = excluded.source",
                )
                .bind(person.get())
                .bind(grant.role.as_str())
                .bind(grant.scope.kind())
                .bind(grant.scope.raw_id())
                .bind(source)
                .execute(conn)
                .await?;
                Ok(())
            }

            async fn account_where<T>(&self, cond: &str, value: T) -> $crate::StoreResult<Option<$crate::Account>>
            where
                T: for<'q> $crate::sqlx::Encode<'q, $db> + $crate::sqlx::Type<$db> + Send,
            {
                let sql = format!(
                    "SELECT p.id, p.username, p.given_name || ' ' || p.family_name, c.password_hash, \
                       COALESCE(c.failed_sign_ins, 0), c.locked_until, (p.enabled AND p.status = 'active'), p.is_staff \
                     FROM people p LEFT JOIN credentials c ON c.person_id = p.id WHERE {cond} AND p.is_staff"
                );
                let row: Option<(i64, String, String, Option<String>, i64, Option<i64>, bool, bool)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(value).fetch_optional(&self.pool).await?;
                Ok(row.map(|r| $crate::Account {
                    person: ::waypoint_domain::PersonId::new(r.0),
                    username: r.1,
                    display_name: r.2,
                    password_hash: r.3,
                    failed_sign_ins: r.4,
                    locked_until: r.5,
                    enabled: r.6,
                    is_staff: r.7,
                }))
            }

            async fn imports_where(&self, cond: &str, bind: i64) -> $crate::StoreResult<Vec<$crate::ImportRow>> {
                let sql = format!(
                    "SELECT i.id, i.kind, i.source, i.status, p.given_name || ' ' || p.family_name, i.started_at, \
                       i.finished_at, i.progress, i.counts, i.problems \
                     FROM imports i LEFT JOIN people p ON p.id = i.requested_by WHERE {cond}"
                );
                let rows: Vec<(i64, String, String, String, Option<String>, i64, Option<i64>, Option<String>, Option<String>, Option<String>)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(bind).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|r| {
                        let corrupt = |e: ::serde_json::Error| $crate::StoreError::Corrupt(e.to_string());
                        Ok($crate::ImportRow {
                            id: r.0,
                            kind: r.1,
                            source: r.2,
                            status: $crate::ImportStatus::parse(&r.3)
                                .ok_or_else(|| $crate::StoreError::Corrupt(format!("import status {}", r.3)))?,
                            requested_by: r.4,
                            started_at: r.5,
                            finished_at: r.6,
                            progress: r.7,
                            counts: r.8.map(|c| ::serde_json::from_str(&c)).transpose().map_err(corrupt)?,
                            problems: r.9.map(|c| ::serde_json::from_str(&c)).transpose().map_err(corrupt)?.unwrap_or_default(),
                        })
                    })
                    .collect()
            }
        }
    };
}
