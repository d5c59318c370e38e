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
                // Resolve every student first; any unknown one refuses the file.
                let mut ids: HashMap<&str, Option<i64>> = HashMap::new();
                let mut unknown: Vec<$crate::UnknownStudent> = Vec::new();
                let mut last_line: HashMap<&str, u64> = HashMap::new();
                for r in &new.results {
                    if !ids.contains_key(r.student.as_str()) {
                        let id = $crate::sqlx::query_scalar::<$db, i64>(
                            "SELECT id FROM people WHERE NOT is_staff AND (sourced_id = $1 OR identifier = $1) \
                             ORDER BY CASE WHEN sourced_id = $1 THEN 0 ELSE 1 END, id LIMIT 1",
                        )
                        .bind(&r.student)
                        .fetch_optional(&mut *tx)
                        .await?;
                        ids.insert(r.student.as_str(), id);
                    }
                    if ids.get(r.student.as_str()).copied().flatten().is_none() {
                        // A line gives several results (a test's domains): count lines.
                        let seen_line = last_line.insert(r.student.as_str(), r.line);
                        match unknown.iter_mut().find(|u| u.student == r.student) {
                            Some(u) if seen_line != Some(r.line) => u.lines += 1,
                            Some(_) => {}
                            None => unknown.push($crate::UnknownStudent { line: r.line, student: r.student.clone(), lines: 1 }),
                        }
                    }
                }
                if !unknown.is_empty() {
                    return Ok(Err(unknown));
                }
                let mut summary = $crate::ResultsSummary {
                    students: ids.len(),
                    ..$crate::ResultsSummary::default()
                };
                // A file may give the same student, test, domain and day twice
                // (a retake the same day): the later line stands, so storing
                // the file again changes nothing.
                let mut last: HashMap<(&str, &str, &str, &str, &str), usize> = HashMap::new();
                for (i, r) in new.results.iter().enumerate() {
                    last.insert((&r.student, &r.assessment, &r.subject, &r.domain, &r.taken_on), i);
                }
                summary.superseded = new.results.len() - last.len();
                for (i, r) in new.results.iter().enumerate() {
                    if last.get(&(r.student.as_str(), r.assessment.as_str(), r.subject.as_str(), r.domain.as_str(), r.taken_on.as_str())) != Some(&i) {
                        continue;
                    }
                    let student = ids.get(r.student.as_str()).copied().flatten().unwrap_or_default();
                    let percentile = r.percentile.map(i64::from);
                    let old: Option<(i64, f64, String, String, Option<i64>)> = $crate::sqlx::query_as(
                        "SELECT id, score, scale, level, percentile FROM assessment_results \
                         WHERE student_id = $1 AND assessment = $2 AND subject = $3 AND domain = $4 AND taken_on = $5",
                    )
                    .bind(student)
                    .bind(&r.assessment)
                    .bind(&r.subject)
                    .bind(&r.domain)
                    .bind(&r.taken_on)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match old {
                        Some((_, score, scale, level, p))
                            if score == r.score && scale == r.scale && level == r.level && p == percentile =>
                        {
                            summary.unchanged += 1;
                        }
                        Some((id, ..)) => {
                            $crate::sqlx::query::<$db>(
                                "UPDATE assessment_results SET score = $2, scale = $3, level = $4, percentile = $5, source = $6, imported_at = $7 WHERE id = $1",
                            )
                            .bind(id)
                            .bind(r.score)
                            .bind(&r.scale)
                            .bind(&r.level)
                            .bind(percentile)
                            .bind(&new.source)
                            .bind(new.now)
                            .execute(&mut *tx)
                            .await?;
                            summary.changed += 1;
                        }
                        None => {
                            $crate::sqlx::query::<$db>(
                                "INSERT INTO assessment_results (student_id, assessment, subject, domain, taken_on, score, scale, level, percentile, source, imported_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                            )
                            .bind(student)
                            .bind(&r.assessment)
                            .bind(&r.subject)
                            .bind(&r.domain)
                            .bind(&r.taken_on)
                            .bind(r.score)
                            .bind(&r.scale)
                            .bind(&r.level)
                            .bind(percentile)
                            .bind(&new.source)
                            .bind(new.now)
                            .execute(&mut *tx)
                            .await?;
                            summary.added += 1;
                        }
                    }
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
        }
    };
}
