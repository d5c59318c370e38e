//! The [`portable_students!`](crate::portable_students) macro: one text of
//! the [`StudentData`](crate::StudentData) implementation, compiled once per
//! backend driver.

/// Implements [`StudentData`](crate::StudentData) for `$store` (a struct with
/// a `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`; `$begin` is the
/// statement that begins a write transaction.
#[macro_export]
macro_rules! portable_students {
    ($store:ty, $db:ty, begin = $begin:expr) => {
        #[$crate::async_trait]
        impl $crate::StudentData for $store {
            async fn save_results(
                &self,
                new: &$crate::NewResults,
            ) -> $crate::StoreResult<Result<$crate::ResultsSummary, Vec<$crate::UnknownStudent>>> {
                use ::std::collections::HashMap;
                let mut tx = self.pool.begin_with($begin).await?;
                let names: Vec<(u64, &str)> = new.results.iter().map(|r| (r.line, r.student.as_str())).collect();
                let ids = match Self::resolve_students(&mut tx, &names).await? {
                    Ok(ids) => ids,
                    Err(unknown) => return Ok(Err(unknown)),
                };
                let resolve = |name: &str| ids.get(name).copied();
                // A file may give the same student, test, domain and day twice
                // (a retake the same day): the later line stands, so storing
                // the file again changes nothing.
                type Key = (i64, String, String, String, String);
                let mut last: HashMap<Key, usize> = HashMap::new();
                for (i, r) in new.results.iter().enumerate() {
                    let student = resolve(&r.student).unwrap_or_default();
                    last.insert((student, r.assessment.clone(), r.subject.clone(), r.domain.clone(), r.taken_on.clone()), i);
                }
                let mut students: Vec<i64> = last.keys().map(|k| k.0).collect();
                students.sort_unstable();
                students.dedup();
                let mut summary = $crate::ResultsSummary {
                    students: students.len(),
                    superseded: new.results.len() - last.len(),
                    ..$crate::ResultsSummary::default()
                };
                // What is stored already for these students.
                let mut stored: HashMap<Key, (i64, f64, String, String, Option<i64>)> = HashMap::new();
                for chunk in students.chunks(500) {
                    let mut q = $crate::sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, student_id, assessment, subject, domain, taken_on, score, scale, level, percentile \
                         FROM assessment_results WHERE student_id IN (",
                    );
                    let mut list = q.separated(", ");
                    for s in chunk {
                        list.push_bind(*s);
                    }
                    q.push(")");
                    let rows: Vec<(i64, i64, String, String, String, String, f64, String, String, Option<i64>)> =
                        q.build_query_as().fetch_all(&mut *tx).await?;
                    for r in rows {
                        stored.insert((r.1, r.2, r.3, r.4, r.5), (r.0, r.6, r.7, r.8, r.9));
                    }
                }
                let mut fresh: Vec<(i64, usize)> = Vec::new();
                let mut order: Vec<(&Key, &usize)> = last.iter().collect();
                order.sort_by_key(|(_, i)| **i);
                for (key, &i) in order {
                    let r = &new.results[i];
                    let percentile = r.percentile.map(i64::from);
                    match stored.get(key) {
                        Some((_, score, scale, level, p))
                            if *score == r.score && *scale == r.scale && *level == r.level && *p == percentile =>
                        {
                            summary.unchanged += 1;
                        }
                        Some((id, ..)) => {
                            $crate::sqlx::query::<$db>(
                                "UPDATE assessment_results SET score = $2, scale = $3, level = $4, percentile = $5, source = $6, imported_at = $7, \
                                 band = $8, term = $9 WHERE id = $1",
                            )
                            .bind(*id)
                            .bind(r.score)
                            .bind(&r.scale)
                            .bind(&r.level)
                            .bind(percentile)
                            .bind(&new.source)
                            .bind(new.now)
                            .bind(::waypoint_domain::results::Band::of(&r.level, r.percentile).map(|b| b.code()))
                            .bind(::waypoint_domain::results::Term::of(&r.taken_on).map(|t| t.key()).unwrap_or_default())
                            .execute(&mut *tx)
                            .await?;
                            summary.changed += 1;
                        }
                        None => fresh.push((key.0, i)),
                    }
                }
                summary.added = fresh.len();
                // New results go in many rows to a statement (13 values each,
                // well under either backend's limit on parameters).
                for chunk in fresh.chunks(2_000) {
                    let mut q = $crate::sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO assessment_results (student_id, assessment, subject, domain, taken_on, score, scale, level, \
                         percentile, source, imported_at, band, term) ",
                    );
                    q.push_values(chunk, |mut row, &(student, i)| {
                        let r = &new.results[i];
                        row.push_bind(student)
                            .push_bind(r.assessment.clone())
                            .push_bind(r.subject.clone())
                            .push_bind(r.domain.clone())
                            .push_bind(r.taken_on.clone())
                            .push_bind(r.score)
                            .push_bind(r.scale.clone())
                            .push_bind(r.level.clone())
                            .push_bind(r.percentile.map(i64::from))
                            .push_bind(new.source.clone())
                            .push_bind(new.now)
                            .push_bind(::waypoint_domain::results::Band::of(&r.level, r.percentile).map(|b| b.code()))
                            .push_bind(::waypoint_domain::results::Term::of(&r.taken_on).map(|t| t.key()).unwrap_or_default());
                    });
                    q.build().execute(&mut *tx).await?;
                }
                if summary.added + summary.changed > 0 {
                    Self::refresh_result_counts(&mut tx).await?;
                }
                tx.commit().await?;
                Ok(Ok(summary))
            }

            async fn result_count(&self, student: Option<::waypoint_domain::PersonId>) -> $crate::StoreResult<i64> {
                Ok(match student {
                    Some(s) => $crate::sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM assessment_results WHERE student_id = $1")
                        .bind(s.get())
                        .fetch_one(&self.pool)
                        .await?,
                    None => $crate::sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM assessment_results")
                        .fetch_one(&self.pool)
                        .await?,
                })
            }

            async fn save_answers(
                &self,
                new: &$crate::NewAnswers,
            ) -> $crate::StoreResult<Result<$crate::ResultsSummary, Vec<$crate::UnknownStudent>>> {
                use ::std::collections::HashMap;
                let mut tx = self.pool.begin_with($begin).await?;
                let names: Vec<(u64, &str)> = new.answers.iter().map(|a| (a.line, a.student.as_str())).collect();
                let ids = match Self::resolve_students(&mut tx, &names).await? {
                    Ok(ids) => ids,
                    Err(unknown) => return Ok(Err(unknown)),
                };
                // The later of two lines for the same answer stands.
                type Key = (i64, String, String, String);
                let mut last: HashMap<Key, usize> = HashMap::new();
                for (i, a) in new.answers.iter().enumerate() {
                    let student = ids.get(a.student.as_str()).copied().unwrap_or_default();
                    last.insert((student, a.survey.clone(), a.asked_on.clone(), a.question.clone()), i);
                }
                let mut students: Vec<i64> = last.keys().map(|k| k.0).collect();
                students.sort_unstable();
                students.dedup();
                let mut summary = $crate::ResultsSummary {
                    students: students.len(),
                    superseded: new.answers.len() - last.len(),
                    ..$crate::ResultsSummary::default()
                };
                let mut stored: HashMap<Key, (i64, Option<i64>, Option<i64>, Option<String>)> = HashMap::new();
                for chunk in students.chunks(500) {
                    let mut q = $crate::sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, student_id, survey, asked_on, question, value, scale_max, answer_text \
                         FROM survey_answers WHERE student_id IN (",
                    );
                    let mut list = q.separated(", ");
                    for s in chunk {
                        list.push_bind(*s);
                    }
                    q.push(")");
                    let rows: Vec<(i64, i64, String, String, String, Option<i64>, Option<i64>, Option<String>)> =
                        q.build_query_as().fetch_all(&mut *tx).await?;
                    for r in rows {
                        stored.insert((r.1, r.2, r.3, r.4), (r.0, r.5, r.6, r.7));
                    }
                }
                let mut order: Vec<(&Key, &usize)> = last.iter().collect();
                order.sort_by_key(|(_, i)| **i);
                let mut fresh: Vec<(i64, usize)> = Vec::new();
                for (key, &i) in order {
                    let a = &new.answers[i];
                    let value = a.scale.map(|s| i64::from(s.0));
                    let max = a.scale.map(|s| i64::from(s.1));
                    match stored.get(key) {
                        Some((_, v, m, t)) if *v == value && *m == max && *t == a.text => summary.unchanged += 1,
                        Some((id, ..)) => {
                            $crate::sqlx::query::<$db>(
                                "UPDATE survey_answers SET value = $2, scale_max = $3, answer_text = $4, source = $5, imported_at = $6 WHERE id = $1",
                            )
                            .bind(*id)
                            .bind(value)
                            .bind(max)
                            .bind(&a.text)
                            .bind(&new.source)
                            .bind(new.now)
                            .execute(&mut *tx)
                            .await?;
                            summary.changed += 1;
                        }
                        None => fresh.push((key.0, i)),
                    }
                }
                summary.added = fresh.len();
                for chunk in fresh.chunks(2_000) {
                    let mut q = $crate::sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO survey_answers (student_id, survey, asked_on, question, value, scale_max, answer_text, source, imported_at) ",
                    );
                    q.push_values(chunk, |mut row, &(student, i)| {
                        let a = &new.answers[i];
                        row.push_bind(student)
                            .push_bind(a.survey.clone())
                            .push_bind(a.asked_on.clone())
                            .push_bind(a.question.clone())
                            .push_bind(a.scale.map(|s| i64::from(s.0)))
                            .push_bind(a.scale.map(|s| i64::from(s.1)))
                            .push_bind(a.text.clone())
                            .push_bind(new.source.clone())
                            .push_bind(new.now);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                if summary.added + summary.changed > 0 {
                    Self::refresh_survey_counts(&mut tx).await?;
                }
                tx.commit().await?;
                Ok(Ok(summary))
            }

            async fn class_results(
                &self,
                class: ::waypoint_domain::ClassId,
                audit: &$crate::AuditEntry,
            ) -> $crate::StoreResult<$crate::ClassResults> {
                let mut tx = self.pool.begin_with($begin).await?;
                let students = Self::students_of_class(&mut tx, class.get(), None).await?;
                let results: Vec<ResultTuple> = $crate::sqlx::query_as::<$db, _>(&format!(
                    "SELECT {RESULT_COLUMNS} FROM assessment_results r WHERE r.student_id IN ({CLASS_STUDENT_IDS}) \
                     ORDER BY r.student_id, r.taken_on, r.subject, r.domain, r.id"
                ))
                .bind(class.get())
                .fetch_all(&mut *tx)
                .await?;
                let answers: Vec<AnswerTuple> = $crate::sqlx::query_as::<$db, _>(&format!(
                    "SELECT student_id, survey, asked_on, question, value, scale_max, answer_text FROM survey_answers \
                     WHERE student_id IN ({CLASS_STUDENT_IDS}) ORDER BY survey, asked_on, question, student_id"
                ))
                .bind(class.get())
                .fetch_all(&mut *tx)
                .await?;
                let ids: Vec<i64> = students.iter().map(|s| s.id.get()).collect();
                Self::write_audit(&mut tx, audit, &ids).await?;
                tx.commit().await?;
                Ok($crate::ClassResults {
                    students,
                    results: results.into_iter().map(stored_result).collect(),
                    answers: answers.into_iter().map(stored_answer).collect(),
                })
            }

            async fn student_results(
                &self,
                class: ::waypoint_domain::ClassId,
                student: ::waypoint_domain::PersonId,
                audit: &$crate::AuditEntry,
            ) -> $crate::StoreResult<Option<($crate::Student, Vec<$crate::StoredResult>)>> {
                let mut tx = self.pool.begin_with($begin).await?;
                let Some(found) = Self::students_of_class(&mut tx, class.get(), Some(student.get())).await?.pop() else {
                    return Ok(None);
                };
                let results: Vec<ResultTuple> = $crate::sqlx::query_as::<$db, _>(&format!(
                    "SELECT {RESULT_COLUMNS} FROM assessment_results r WHERE r.student_id = $1 \
                     ORDER BY r.taken_on, r.subject, r.domain, r.id"
                ))
                .bind(student.get())
                .fetch_all(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, audit, &[student.get()]).await?;
                tx.commit().await?;
                Ok(Some((found, results.into_iter().map(stored_result).collect())))
            }

            async fn audit_log_of_district(
                &self,
                district: ::waypoint_domain::OrgId,
                limit: i64,
            ) -> $crate::StoreResult<Vec<$crate::AuditRow>> {
                Self::audit_rows(
                    &self.pool,
                    "WHERE a.actor_id IN (SELECT po.person_id FROM person_orgs po JOIN orgs o ON o.id = po.org_id \
                     WHERE o.id = $2 OR o.district_id = $2)",
                    Some(district.get()),
                    limit,
                )
                .await
            }

            async fn learning_by_school(
                &self,
                district: ::waypoint_domain::OrgId,
                year: i32,
            ) -> $crate::StoreResult<Vec<$crate::SchoolLearning>> {
                let rows: Vec<(i64, i64, i64, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT o.id, COUNT(DISTINCT p.id), \
                     COUNT(DISTINCT CASE WHEN g.id IS NOT NULL THEN p.id END), \
                     COUNT(DISTINCT CASE WHEN e.id IS NOT NULL THEN p.id END) \
                     FROM orgs o \
                     JOIN person_orgs po ON po.org_id = o.id \
                     JOIN people p ON p.id = po.person_id AND p.is_staff AND p.status = 'active' \
                     LEFT JOIN personal_goals g ON g.owner_id = p.id AND g.school_year = $2 \
                         AND g.status IN ('agreed', 'in_progress', 'complete') \
                     LEFT JOIN pd_attendance a ON a.person_id = p.id \
                     LEFT JOIN pd_sections s ON s.id = a.section_id \
                     LEFT JOIN pd_events e ON e.id = s.event_id AND e.day >= $3 \
                     WHERE o.district_id = $1 AND o.kind = 'school' AND o.status = 'active' \
                     GROUP BY o.id",
                )
                .bind(district.get())
                .bind(i64::from(year))
                .bind(format!("{year:04}-07-01"))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| $crate::SchoolLearning {
                        school: ::waypoint_domain::OrgId::new(r.0),
                        staff: r.1,
                        with_goal: r.2,
                        attended: r.3,
                    })
                    .collect())
            }

            async fn band_counts(
                &self,
                org: ::waypoint_domain::OrgId,
                by: $crate::CountsBy,
            ) -> $crate::StoreResult<Vec<$crate::BandCount>> {
                let sql = match by {
                    $crate::CountsBy::Grade => {
                        "SELECT CAST(0 AS BIGINT), c.grade, c.subject, c.domain, c.term, c.band, CAST(SUM(c.students) AS BIGINT) FROM result_counts c \
                         JOIN orgs o ON o.id = c.school_id WHERE o.id = $1 OR o.district_id = $1 \
                         GROUP BY c.grade, c.subject, c.domain, c.term, c.band"
                    }
                    $crate::CountsBy::School => {
                        "SELECT c.school_id, o.name, c.subject, c.domain, c.term, c.band, CAST(SUM(c.students) AS BIGINT) FROM result_counts c \
                         JOIN orgs o ON o.id = c.school_id WHERE o.district_id = $1 \
                         GROUP BY c.school_id, o.name, c.subject, c.domain, c.term, c.band"
                    }
                    $crate::CountsBy::District => {
                        "SELECT d.id, d.name, c.subject, c.domain, c.term, c.band, CAST(SUM(c.students) AS BIGINT) FROM result_counts c \
                         JOIN orgs o ON o.id = c.school_id JOIN orgs d ON d.id = o.district_id WHERE d.region_id = $1 \
                         GROUP BY d.id, d.name, c.subject, c.domain, c.term, c.band"
                    }
                    $crate::CountsBy::Class => {
                        "SELECT k.id, k.title, c.subject, c.domain, c.term, c.band, c.students FROM class_result_counts c \
                         JOIN classes k ON k.id = c.class_id WHERE k.school_id = $1"
                    }
                };
                let rows: Vec<(i64, String, String, String, String, i64, i64)> =
                    $crate::sqlx::query_as::<$db, _>(sql).bind(org.get()).fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|r| {
                        Some($crate::BandCount {
                            group: r.0,
                            label: r.1,
                            subject: r.2,
                            domain: r.3,
                            term: r.4,
                            band: ::waypoint_domain::results::Band::from_code(r.5)?,
                            students: r.6,
                        })
                    })
                    .collect())
            }

            async fn survey_counts(
                &self,
                org: ::waypoint_domain::OrgId,
            ) -> $crate::StoreResult<Vec<$crate::SurveyCount>> {
                let rows: Vec<(i64, String, Option<i64>, Option<String>, String, String, String, i64, i64, i64)> =
                    $crate::sqlx::query_as::<$db, _>(
                        "SELECT o.id, o.name, d.id, d.name, c.survey, c.asked_on, c.question, c.value, c.scale_max, c.students \
                         FROM survey_counts c JOIN orgs o ON o.id = c.school_id LEFT JOIN orgs d ON d.id = o.district_id \
                         WHERE o.id = $1 OR o.district_id = $1 OR d.region_id = $1",
                    )
                    .bind(org.get())
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|r| {
                        Some($crate::SurveyCount {
                            school: (::waypoint_domain::OrgId::new(r.0), r.1),
                            district: r.2.map(::waypoint_domain::OrgId::new).zip(r.3),
                            survey: r.4,
                            asked_on: r.5,
                            question: r.6,
                            point: (u8::try_from(r.7).ok()?, u8::try_from(r.8).ok()?),
                            students: r.9,
                        })
                    })
                    .collect())
            }

            async fn tested_subjects_and_grades(&self) -> $crate::StoreResult<(Vec<String>, Vec<String>)> {
                let subjects: Vec<String> = $crate::sqlx::query_scalar::<$db, String>(
                    "SELECT DISTINCT subject FROM result_counts ORDER BY subject",
                )
                .fetch_all(&self.pool)
                .await?;
                let grades: Vec<String> = $crate::sqlx::query_scalar::<$db, String>(
                    "SELECT DISTINCT grade FROM result_counts WHERE grade <> '' ORDER BY grade",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok((subjects, grades))
            }

            async fn set_goal_group(
                &self,
                goal: i64,
                group: Option<(::waypoint_domain::ClassId, &str, ::waypoint_domain::results::Targeted)>,
                now: i64,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                $crate::sqlx::query::<$db>("DELETE FROM goal_student_groups WHERE goal_id = $1")
                    .bind(goal)
                    .execute(&mut *tx)
                    .await?;
                if let Some((class, subject, who)) = group {
                    let inserted = $crate::sqlx::query::<$db>(
                        "INSERT INTO goal_student_groups (goal_id, class_id, subject, who, set_at) \
                         SELECT g.id, e.class_id, $3, $4, $5 FROM personal_goals g \
                         JOIN enrollments e ON e.person_id = g.owner_id AND e.class_id = $2 \
                             AND e.role = 'teacher' AND e.status = 'active' \
                         WHERE g.id = $1",
                    )
                    .bind(goal)
                    .bind(class.get())
                    .bind(subject)
                    .bind(who.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if inserted != 1 {
                        return Err($crate::StoreError::Conflict(
                            "a goal can target only a class its owner teaches".to_owned(),
                        ));
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn goal_group(&self, goal: i64) -> $crate::StoreResult<Option<$crate::GoalGroup>> {
                let row: Option<(i64, String, String, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT g.class_id, c.title, g.subject, g.who FROM goal_student_groups g \
                     JOIN classes c ON c.id = g.class_id WHERE g.goal_id = $1",
                )
                .bind(goal)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(class, class_title, subject, who)| {
                    Ok($crate::GoalGroup {
                        class: ::waypoint_domain::ClassId::new(class),
                        class_title,
                        subject,
                        who: ::waypoint_domain::results::Targeted::parse(&who)
                            .ok_or_else(|| $crate::StoreError::Corrupt(format!("targeted students {who}")))?,
                    })
                })
                .transpose()
            }

            async fn goal_group_progress(
                &self,
                group: &$crate::GoalGroup,
                year: i32,
            ) -> $crate::StoreResult<::waypoint_domain::results::GroupProgress> {
                let rows: Vec<(i64, String, String, i64)> = $crate::sqlx::query_as::<$db, _>(&format!(
                    "SELECT r.student_id, r.term, r.taken_on, r.band FROM assessment_results r \
                     WHERE r.student_id IN ({CLASS_STUDENT_IDS}) AND r.subject = $2 AND r.domain = 'Overall' \
                     AND r.band IS NOT NULL AND r.term LIKE $3"
                ))
                .bind(group.class.get())
                .bind(&group.subject)
                .bind(format!("{year}-%"))
                .fetch_all(&self.pool)
                .await?;
                let sittings: Vec<::waypoint_domain::results::Sitting<'_>> = rows
                    .iter()
                    .filter_map(|(s, term, day, band)| {
                        Some((*s, term.as_str(), day.as_str(), ::waypoint_domain::results::Band::from_code(*band)?))
                    })
                    .collect();
                Ok(::waypoint_domain::results::group_progress(&sittings, year, group.who))
            }

            async fn team_results(
                &self,
                group: ::waypoint_domain::GroupId,
                audit: &$crate::AuditEntry,
            ) -> $crate::StoreResult<$crate::TeamResults> {
                let mut tx = self.pool.begin_with($begin).await?;
                let taught: Vec<(i64, String, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT c.id, c.title, m.person_id FROM learning_group_members m \
                     JOIN enrollments e ON e.person_id = m.person_id AND e.role = 'teacher' AND e.status = 'active' \
                     JOIN classes c ON c.id = e.class_id AND c.status = 'active' \
                     WHERE m.group_id = $1 AND m.status = 'joined' ORDER BY c.title, c.id, m.person_id",
                )
                .bind(group.get())
                .fetch_all(&mut *tx)
                .await?;
                let mut classes: Vec<(::waypoint_domain::ClassId, String, Vec<::waypoint_domain::PersonId>)> = Vec::new();
                for (class, title, teacher) in taught {
                    let teacher = ::waypoint_domain::PersonId::new(teacher);
                    match classes.last_mut() {
                        Some(last) if last.0.get() == class => last.2.push(teacher),
                        _ => classes.push((::waypoint_domain::ClassId::new(class), title, vec![teacher])),
                    }
                }
                let mut out = $crate::TeamResults::default();
                let mut seen = ::std::collections::BTreeSet::new();
                for (class, _, _) in &classes {
                    for s in Self::students_of_class(&mut tx, class.get(), None).await? {
                        out.enrolled.push((*class, s.id));
                        if seen.insert(s.id) {
                            out.data.students.push(s);
                        }
                    }
                }
                out.classes = classes;
                if out.data.students.is_empty() {
                    return Ok(out);
                }
                out.data.students.sort_by(|a, b| {
                    (&a.family_name, &a.given_name, a.id).cmp(&(&b.family_name, &b.given_name, b.id))
                });
                let ids: Vec<i64> = seen.iter().map(|s| s.get()).collect();
                for chunk in ids.chunks(500) {
                    let marks = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                    let sql = format!(
                        "SELECT {RESULT_COLUMNS} FROM assessment_results r WHERE r.student_id IN ({marks}) \
                         ORDER BY r.student_id, r.taken_on, r.subject, r.domain, r.id"
                    );
                    let mut q = $crate::sqlx::query_as::<$db, ResultTuple>(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    out.data.results.extend(q.fetch_all(&mut *tx).await?.into_iter().map(stored_result));
                }
                Self::write_audit(&mut tx, audit, &ids).await?;
                tx.commit().await?;
                Ok(out)
            }
        }

        type ResultTuple = (i64, String, String, String, String, String, f64, String, String, Option<i64>, Option<i64>);

        const RESULT_COLUMNS: &str = "r.student_id, r.assessment, r.subject, r.domain, r.taken_on, r.term, r.score, r.scale, r.level, r.percentile, r.band";

        /// The active students of class `$1`.
        const CLASS_STUDENT_IDS: &str = "SELECT e.person_id FROM enrollments e JOIN people p ON p.id = e.person_id \
             WHERE e.class_id = $1 AND e.role = 'student' AND e.status = 'active' AND p.status = 'active'";

        type AnswerTuple = (i64, String, String, String, Option<i64>, Option<i64>, Option<String>);

        fn stored_answer(a: AnswerTuple) -> $crate::StoredAnswer {
            let point = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok());
            $crate::StoredAnswer {
                student: ::waypoint_domain::PersonId::new(a.0),
                survey: a.1,
                asked_on: a.2,
                question: a.3,
                scale: point(a.4).zip(point(a.5)),
                text: a.6,
            }
        }

        fn stored_result(r: ResultTuple) -> $crate::StoredResult {
            $crate::StoredResult {
                student: ::waypoint_domain::PersonId::new(r.0),
                assessment: r.1,
                subject: r.2,
                domain: r.3,
                taken_on: r.4,
                term: r.5,
                score: r.6,
                scale: r.7,
                level: r.8,
                percentile: r.9.and_then(|p| u8::try_from(p).ok()),
                band: r.10.and_then(::waypoint_domain::results::Band::from_code),
            }
        }

        impl $store {
            /// The roster's students a file names (by sourcedId, then
            /// identifier), or every name it does not know with its first
            /// line and how many lines name it.
            async fn resolve_students(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                names: &[(u64, &str)],
            ) -> Result<Result<::std::collections::HashMap<String, i64>, Vec<$crate::UnknownStudent>>, $crate::sqlx::Error> {
                use ::std::collections::HashMap;
                let people: Vec<(i64, Option<String>, Option<String>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, sourced_id, identifier FROM people WHERE NOT is_staff ORDER BY id",
                )
                .fetch_all(&mut *conn)
                .await?;
                let mut by_identifier: HashMap<String, i64> = HashMap::new();
                let mut by_sourced: HashMap<String, i64> = HashMap::new();
                for (id, sourced, identifier) in people {
                    if let Some(s) = sourced {
                        by_sourced.entry(s).or_insert(id);
                    }
                    if let Some(i) = identifier {
                        by_identifier.entry(i).or_insert(id);
                    }
                }
                let mut ids: HashMap<String, i64> = HashMap::new();
                let mut unknown: Vec<$crate::UnknownStudent> = Vec::new();
                let mut unknown_at: HashMap<&str, (usize, u64)> = HashMap::new();
                for &(line, name) in names {
                    if ids.contains_key(name) {
                        continue;
                    }
                    if let Some(id) = by_sourced.get(name).or_else(|| by_identifier.get(name)) {
                        ids.insert(name.to_owned(), *id);
                        continue;
                    }
                    // A line gives several rows (a test's domains): count lines.
                    match unknown_at.get_mut(name) {
                        Some((i, last)) if *last != line => {
                            unknown[*i].lines += 1;
                            *last = line;
                        }
                        Some(_) => {}
                        None => {
                            unknown_at.insert(name, (unknown.len(), line));
                            unknown.push($crate::UnknownStudent { line, student: name.to_owned(), lines: 1 });
                        }
                    }
                }
                Ok(if unknown.is_empty() { Ok(ids) } else { Err(unknown) })
            }

            /// Recomputes `result_counts` from every student's latest result in
            /// each window (inside the caller's transaction).
            async fn refresh_result_counts(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
            ) -> Result<(), $crate::sqlx::Error> {
                use ::std::collections::HashMap;
                // Where each active student counts: each school they belong
                // to, at their (first) grade.
                let places: Vec<(i64, i64, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT p.id, po.org_id, p.grades FROM people p JOIN person_orgs po ON po.person_id = p.id \
                     JOIN orgs o ON o.id = po.org_id AND o.kind = 'school' WHERE p.status = 'active' AND NOT p.is_staff",
                )
                .fetch_all(&mut *conn)
                .await?;
                let mut at: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
                for (student, school, grades) in places {
                    let grade = grades.split(',').next().unwrap_or("").trim().to_owned();
                    at.entry(student).or_default().push((school, grade));
                }
                // And each active class they are enrolled in.
                let enrolled: Vec<(i64, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT DISTINCT e.person_id, e.class_id FROM enrollments e JOIN classes k ON k.id = e.class_id \
                     WHERE e.role = 'student' AND e.status = 'active' AND k.status = 'active'",
                )
                .fetch_all(&mut *conn)
                .await?;
                let mut classes_of: HashMap<i64, Vec<i64>> = HashMap::new();
                for (student, class) in enrolled {
                    classes_of.entry(student).or_default().push(class);
                }
                let (lo, hi): (Option<i64>, Option<i64>) =
                    $crate::sqlx::query_as::<$db, _>("SELECT MIN(student_id), MAX(student_id) FROM assessment_results")
                        .fetch_one(&mut *conn)
                        .await?;
                type Cell = (i64, String, String, String, String, i64);
                let mut counts: HashMap<Cell, i64> = HashMap::new();
                type ClassCell = (i64, String, String, String, i64);
                let mut class_counts: HashMap<ClassCell, i64> = HashMap::new();
                // A few thousand students at a time: each one's latest result
                // in every subject, domain and window.
                const SPAN: i64 = 4_096;
                let mut from = lo.unwrap_or(0);
                while from <= hi.unwrap_or(-1) {
                    let rows: Vec<(i64, String, String, String, String, i64, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(
                        "SELECT student_id, subject, domain, term, taken_on, id, band FROM assessment_results \
                         WHERE student_id >= $1 AND student_id < $2",
                    )
                    .bind(from)
                    .bind(from + SPAN)
                    .fetch_all(&mut *conn)
                    .await?;
                    from += SPAN;
                    let mut latest: HashMap<(i64, &str, &str, &str), (&str, i64, Option<i64>)> = HashMap::new();
                    for r in &rows {
                        let key = (r.0, r.1.as_str(), r.2.as_str(), r.3.as_str());
                        let this = (r.4.as_str(), r.5, r.6);
                        match latest.get(&key) {
                            Some(old) if (old.0, old.1) > (this.0, this.1) => {}
                            _ => {
                                latest.insert(key, this);
                            }
                        }
                    }
                    for ((student, subject, domain, term), (_, _, band)) in latest {
                        let (Some(band), Some(places)) = (band, at.get(&student)) else {
                            continue;
                        };
                        for class in classes_of.get(&student).map_or(&[][..], Vec::as_slice) {
                            let cell = (*class, subject.to_owned(), domain.to_owned(), term.to_owned(), band);
                            *class_counts.entry(cell).or_default() += 1;
                        }
                        for (school, grade) in places {
                            let cell = (*school, grade.clone(), subject.to_owned(), domain.to_owned(), term.to_owned(), band);
                            *counts.entry(cell).or_default() += 1;
                        }
                    }
                }
                $crate::sqlx::query::<$db>("DELETE FROM result_counts").execute(&mut *conn).await?;
                let cells: Vec<(Cell, i64)> = counts.into_iter().collect();
                for chunk in cells.chunks(2_000) {
                    let mut q = $crate::sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO result_counts (school_id, grade, subject, domain, term, band, students) ",
                    );
                    q.push_values(chunk, |mut row, (cell, n)| {
                        row.push_bind(cell.0)
                            .push_bind(cell.1.clone())
                            .push_bind(cell.2.clone())
                            .push_bind(cell.3.clone())
                            .push_bind(cell.4.clone())
                            .push_bind(cell.5)
                            .push_bind(*n);
                    });
                    q.build().execute(&mut *conn).await?;
                }
                $crate::sqlx::query::<$db>("DELETE FROM class_result_counts").execute(&mut *conn).await?;
                let cells: Vec<(ClassCell, i64)> = class_counts.into_iter().collect();
                for chunk in cells.chunks(2_000) {
                    let mut q = $crate::sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO class_result_counts (class_id, subject, domain, term, band, students) ",
                    );
                    q.push_values(chunk, |mut row, (cell, n)| {
                        row.push_bind(cell.0)
                            .push_bind(cell.1.clone())
                            .push_bind(cell.2.clone())
                            .push_bind(cell.3.clone())
                            .push_bind(cell.4)
                            .push_bind(*n);
                    });
                    q.build().execute(&mut *conn).await?;
                }
                Self::refresh_survey_counts(&mut *conn).await
            }

            /// Recounts what students say per school, from scratch, and moves
            /// the roster version: the servers' cached counts are as old as
            /// it (every recount of results ends here too).
            async fn refresh_survey_counts(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
            ) -> Result<(), $crate::sqlx::Error> {
                $crate::sqlx::query::<$db>("DELETE FROM survey_counts").execute(&mut *conn).await?;
                $crate::sqlx::query::<$db>(
                    "INSERT INTO survey_counts (school_id, survey, asked_on, question, value, scale_max, students) \
                     SELECT po.org_id, a.survey, a.asked_on, a.question, a.value, a.scale_max, COUNT(*) \
                     FROM survey_answers a JOIN people p ON p.id = a.student_id AND p.status = 'active' \
                     JOIN person_orgs po ON po.person_id = a.student_id \
                     JOIN orgs o ON o.id = po.org_id AND o.kind = 'school' \
                     WHERE a.value IS NOT NULL AND a.scale_max IS NOT NULL \
                     GROUP BY po.org_id, a.survey, a.asked_on, a.question, a.value, a.scale_max",
                )
                .execute(&mut *conn)
                .await?;
                $crate::sqlx::query::<$db>("UPDATE roster_version SET version = version + 1 WHERE id = 1")
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            /// Gives results stored before bands and windows were kept their
            /// band and window, once after the migration that added them.
            async fn fill_result_bands_if_missing(&self) -> $crate::StoreResult<()> {
                let uncounted: i64 = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM survey_answers WHERE NOT EXISTS (SELECT 1 FROM survey_counts)",
                )
                .fetch_one(&self.pool)
                .await?;
                if uncounted > 0 {
                    let mut tx = self.pool.begin_with($begin).await?;
                    Self::refresh_survey_counts(&mut tx).await?;
                    tx.commit().await?;
                }
                let rows: Vec<(i64, String, String, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, taken_on, level, percentile FROM assessment_results WHERE term = ''",
                )
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(());
                }
                let mut tx = self.pool.begin_with($begin).await?;
                for (id, taken_on, level, percentile) in rows {
                    let percentile = percentile.and_then(|p| u8::try_from(p).ok());
                    $crate::sqlx::query::<$db>("UPDATE assessment_results SET band = $2, term = $3 WHERE id = $1")
                        .bind(id)
                        .bind(::waypoint_domain::results::Band::of(&level, percentile).map(|b| b.code()))
                        .bind(::waypoint_domain::results::Term::of(&taken_on).map(|t| t.key()).unwrap_or_default())
                        .execute(&mut *tx)
                        .await?;
                }
                Self::refresh_result_counts(&mut tx).await?;
                tx.commit().await?;
                Ok(())
            }

            /// The active students of a class (one of them, with `only`).
            async fn students_of_class(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                class: i64,
                only: Option<i64>,
            ) -> Result<Vec<$crate::Student>, $crate::sqlx::Error> {
                let rows: Vec<(i64, String, String, Option<String>, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT DISTINCT p.id, p.given_name, p.family_name, p.identifier, p.grades FROM enrollments e \
                     JOIN people p ON p.id = e.person_id \
                     WHERE e.class_id = $1 AND e.role = 'student' AND e.status = 'active' AND p.status = 'active' \
                     AND ($2 = 0 OR p.id = $2) \
                     ORDER BY p.family_name, p.given_name, p.id",
                )
                .bind(class)
                .bind(only.unwrap_or(0))
                .fetch_all(&mut *conn)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| $crate::Student {
                        id: ::waypoint_domain::PersonId::new(r.0),
                        given_name: r.1,
                        family_name: r.2,
                        identifier: r.3,
                        grades: r.4,
                    })
                    .collect())
            }
        }
    };
}
