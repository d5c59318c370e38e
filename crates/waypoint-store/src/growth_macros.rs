//! The [`portable_growth!`](crate::portable_growth) macro: one text of the
//! [`Growth`](crate::Growth) implementation, compiled once per backend driver.

/// Implements [`Growth`](crate::Growth) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`; `$begin` is the
/// statement that begins a write transaction.
#[macro_export]
macro_rules! portable_growth {
    ($store:ty, $db:ty, begin = $begin:expr) => {
        #[$crate::async_trait]
        impl $crate::Growth for $store {
            async fn create_personal_goal(&self, new: &$crate::NewPersonalGoal) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                if let Some(sg) = new.system_goal {
                    let ok = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT COUNT(*) FROM system_goals WHERE id = $1 AND school_year = $2",
                    )
                    .bind(sg)
                    .bind(i64::from(new.year.start()))
                    .fetch_one(&mut *tx)
                    .await?;
                    if ok == 0 {
                        return Err($crate::StoreError::Conflict(
                            "the goal served must be a district or school goal of the same school year".to_owned(),
                        ));
                    }
                }
                let t = &new.text;
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO personal_goals (owner_id, school_year, system_goal_id, status, inquiry, strengths, success, \
                     students, actions, supports, timeline, cadence_days, carried_from, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
                )
                .bind(new.owner.get())
                .bind(i64::from(new.year.start()))
                .bind(new.system_goal)
                .bind(&t.inquiry)
                .bind(&t.strengths)
                .bind(&t.success)
                .bind(&t.students)
                .bind(&t.actions)
                .bind(&t.supports)
                .bind(&t.timeline)
                .bind(new.cadence_days)
                .bind(new.carried_from)
                .bind(new.now)
                .fetch_one(&mut *tx)
                .await?;
                Self::set_goal_competencies(&mut tx, id, &new.competencies).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn personal_goal(&self, id: i64) -> $crate::StoreResult<Option<$crate::PersonalGoal>> {
                let sql = format!("{} WHERE g.id = $1", Self::PERSONAL_GOAL_SELECT);
                let mut goals = self.goal_rows(&sql, &[id]).await?;
                Ok(goals.pop())
            }

            async fn personal_goals(&self, filter: &$crate::GoalFilter) -> $crate::StoreResult<Vec<$crate::PersonalGoal>> {
                match filter {
                    $crate::GoalFilter::Owner(p) => {
                        let sql = format!(
                            "{} WHERE g.owner_id = $1 ORDER BY g.school_year DESC, g.created_at DESC, g.id DESC",
                            Self::PERSONAL_GOAL_SELECT
                        );
                        self.goal_rows(&sql, &[p.get()]).await
                    }
                    $crate::GoalFilter::Reviewer(p) => {
                        let sql = format!(
                            "{} WHERE g.reviewer_id = $1 ORDER BY CASE WHEN g.status IN ('complete', 'carried_over') THEN 1 ELSE 0 END, \
                             o.family_name, o.given_name, g.id",
                            Self::PERSONAL_GOAL_SELECT
                        );
                        self.goal_rows(&sql, &[p.get()]).await
                    }
                    $crate::GoalFilter::Owners(people, year) => {
                        let mut out = Vec::new();
                        for chunk in people.chunks(200) {
                            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
                            let sql = format!(
                                "{} WHERE g.school_year = $1 AND g.owner_id IN ({}) ORDER BY o.family_name, o.given_name, g.id",
                                Self::PERSONAL_GOAL_SELECT,
                                marks.join(", ")
                            );
                            let mut binds = vec![i64::from(year.start())];
                            binds.extend(chunk.iter().map(|p| p.get()));
                            out.extend(self.goal_rows(&sql, &binds).await?);
                        }
                        Ok(out)
                    }
                }
            }

            async fn edit_personal_goal(
                &self,
                id: i64,
                edit: &$crate::GoalEdit,
                now: i64,
            ) -> $crate::StoreResult<::waypoint_domain::growth::GoalStatus> {
                use ::waypoint_domain::growth::GoalStatus;
                let mut tx = self.pool.begin_with($begin).await?;
                let (status, year, owner, reviewer) = Self::goal_head(&mut tx, id).await?;
                                if status.is_closed() {
                    return Err($crate::StoreError::Conflict("a closed goal cannot change".to_owned()));
                }
                if let Some(sg) = edit.system_goal {
                    let ok = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT COUNT(*) FROM system_goals WHERE id = $1 AND school_year = $2",
                    )
                    .bind(sg)
                    .bind(year)
                    .fetch_one(&mut *tx)
                    .await?;
                    if ok == 0 {
                        return Err($crate::StoreError::Conflict(
                            "the goal served must be a district or school goal of the same school year".to_owned(),
                        ));
                    }
                }
                // A change to an agreed goal is agreed again before it is tracked.
                let after = if status.is_active() { GoalStatus::InReview } else { status };
                let t = &edit.text;
                $crate::sqlx::query::<$db>(
                    "UPDATE personal_goals SET system_goal_id = $2, inquiry = $3, strengths = $4, success = $5, students = $6, \
                     actions = $7, supports = $8, timeline = $9, cadence_days = $10, status = $11, updated_at = $12 WHERE id = $1",
                )
                .bind(id)
                .bind(edit.system_goal)
                .bind(&t.inquiry)
                .bind(&t.strengths)
                .bind(&t.success)
                .bind(&t.students)
                .bind(&t.actions)
                .bind(&t.supports)
                .bind(&t.timeline)
                .bind(edit.cadence_days)
                .bind(after.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                Self::set_goal_competencies(&mut tx, id, &edit.competencies).await?;
                if let (true, Some(r)) = (status.is_active(), reviewer) {
                    let who = Self::name_of(&mut tx, owner).await?;
                    Self::notify(&mut tx, r, &format!("{who} changed an agreed goal; it waits for you to agree again."), &format!("/growth/goals/{id}"), now).await?;
                }
                tx.commit().await?;
                Ok(after)
            }

            async fn submit_personal_goal(
                &self,
                id: i64,
                reviewer: ::waypoint_domain::PersonId,
                now: i64,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (status, _, owner, _) = Self::goal_head(&mut tx, id).await?;
                                if !matches!(
                    status,
                    ::waypoint_domain::growth::GoalStatus::Draft | ::waypoint_domain::growth::GoalStatus::InReview
                ) {
                    return Err($crate::StoreError::Conflict("only a draft goes for review".to_owned()));
                }
                if reviewer.get() == owner {
                    return Err($crate::StoreError::Conflict("a goal is reviewed by someone else".to_owned()));
                }
                $crate::sqlx::query::<$db>(
                    "UPDATE personal_goals SET status = 'in_review', reviewer_id = $2, updated_at = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(reviewer.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let who = Self::name_of(&mut tx, owner).await?;
                Self::notify(&mut tx, reviewer.get(), &format!("{who} asks you to review a goal with them."), &format!("/growth/goals/{id}"), now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn comment_on_goal(
                &self,
                id: i64,
                field: &str,
                body: &str,
                author: ::waypoint_domain::PersonId,
                now: i64,
            ) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (_, _, owner, reviewer) = Self::goal_head(&mut tx, id).await?;
                let cid = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO goal_comments (goal_id, field, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(id)
                .bind(field)
                .bind(body)
                .bind(author.get())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let to = if author.get() == owner { reviewer } else { Some(owner) };
                if let Some(to) = to {
                    let who = Self::name_of(&mut tx, author.get()).await?;
                    let on = if field.is_empty() {
                        "the goal".to_owned()
                    } else {
                        format!("“{}”", ::waypoint_domain::growth::field_label(field))
                    };
                    Self::notify(&mut tx, to, &format!("{who} commented on {on}."), &format!("/growth/goals/{id}#comment-{cid}"), now).await?;
                }
                tx.commit().await?;
                Ok(cid)
            }

            async fn goal_comments(&self, id: i64) -> $crate::StoreResult<Vec<$crate::GoalComment>> {
                let rows: Vec<(i64, String, String, i64, String, i64)> = $crate::sqlx::query_as(
                    "SELECT c.id, c.field, c.body, c.author_id, p.given_name || ' ' || p.family_name, c.created_at \
                     FROM goal_comments c JOIN people p ON p.id = c.author_id WHERE c.goal_id = $1 ORDER BY c.created_at, c.id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, field, body, author, author_name, created_at)| $crate::GoalComment {
                        id,
                        field,
                        body,
                        author: ::waypoint_domain::PersonId::new(author),
                        author_name,
                        created_at,
                    })
                    .collect())
            }

            async fn agree_personal_goal(
                &self,
                id: i64,
                by: ::waypoint_domain::PersonId,
                check_in_due: &str,
                now: i64,
            ) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (status, _, owner, _) = Self::goal_head(&mut tx, id).await?;
                if status != ::waypoint_domain::growth::GoalStatus::InReview {
                    return Err($crate::StoreError::Conflict("only a goal in review can be agreed".to_owned()));
                }
                if by.get() == owner {
                    return Err($crate::StoreError::Conflict("a goal is agreed by its reviewer, not its owner".to_owned()));
                }
                let version = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM goal_versions WHERE goal_id = $1",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>(
                    "INSERT INTO goal_versions (goal_id, version, inquiry, strengths, success, students, actions, supports, timeline, agreed_by, agreed_at) \
                     SELECT id, $2, inquiry, strengths, success, students, actions, supports, timeline, $3, $4 FROM personal_goals WHERE id = $1",
                )
                .bind(id)
                .bind(version)
                .bind(by.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // Under way already (evidence, a check-in held): it stays in progress.
                let started = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT (SELECT COUNT(*) FROM goal_evidence WHERE goal_id = $1) + \
                     (SELECT COUNT(*) FROM check_ins WHERE goal_id = $1 AND held_on IS NOT NULL)",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                let after = if started > 0 { "in_progress" } else { "agreed" };
                $crate::sqlx::query::<$db>(
                    "UPDATE personal_goals SET status = $2, agreed_version = $3, reviewer_id = COALESCE(reviewer_id, $4), updated_at = $5 WHERE id = $1",
                )
                .bind(id)
                .bind(after)
                .bind(version)
                .bind(by.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let open = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM check_ins WHERE goal_id = $1 AND held_on IS NULL",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                if open == 0 {
                    Self::insert_check_in(&mut tx, id, check_in_due, now).await?;
                }
                let who = Self::name_of(&mut tx, by.get()).await?;
                Self::notify(&mut tx, owner, &format!("{who} agreed your goal (version {version}); your first check-in is scheduled."), &format!("/growth/goals/{id}"), now).await?;
                tx.commit().await?;
                Ok(version)
            }

            async fn goal_versions(&self, id: i64) -> $crate::StoreResult<Vec<$crate::GoalVersion>> {
                use $crate::sqlx::Row as _;
                let rows = $crate::sqlx::query::<$db>(
                    "SELECT v.version, v.inquiry, v.strengths, v.success, v.students, v.actions, v.supports, v.timeline, \
                     p.given_name || ' ' || p.family_name, v.agreed_at FROM goal_versions v JOIN people p ON p.id = v.agreed_by \
                     WHERE v.goal_id = $1 ORDER BY v.version",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push($crate::GoalVersion {
                        version: r.try_get(0)?,
                        text: ::waypoint_domain::growth::GoalText {
                            inquiry: r.try_get(1)?,
                            strengths: r.try_get(2)?,
                            success: r.try_get(3)?,
                            students: r.try_get(4)?,
                            actions: r.try_get(5)?,
                            supports: r.try_get(6)?,
                            timeline: r.try_get(7)?,
                        },
                        agreed_by: r.try_get(8)?,
                        agreed_at: r.try_get(9)?,
                    });
                }
                Ok(out)
            }

            async fn close_personal_goal(
                &self,
                id: i64,
                outcome: ::waypoint_domain::growth::GoalStatus,
                reflection: &str,
                now: i64,
            ) -> $crate::StoreResult<Option<i64>> {
                use ::waypoint_domain::growth::GoalStatus;
                if !outcome.is_closed() {
                    return Err($crate::StoreError::Conflict("a goal closes as complete or carried over".to_owned()));
                }
                let mut tx = self.pool.begin_with($begin).await?;
                let (status, _, owner, reviewer) = Self::goal_head(&mut tx, id).await?;
                if !status.is_active() {
                    return Err($crate::StoreError::Conflict("only an agreed goal can be closed".to_owned()));
                }
                $crate::sqlx::query::<$db>(
                    "UPDATE personal_goals SET status = $2, reflection = $3, updated_at = $4 WHERE id = $1",
                )
                .bind(id)
                .bind(outcome.as_str())
                .bind(reflection)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>("DELETE FROM check_ins WHERE goal_id = $1 AND held_on IS NULL")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let next = if outcome == GoalStatus::CarriedOver {
                    let nid = $crate::sqlx::query_scalar::<$db, i64>(
                        "INSERT INTO personal_goals (owner_id, school_year, system_goal_id, reviewer_id, status, inquiry, strengths, success, \
                         students, actions, supports, timeline, cadence_days, carried_from, created_at, updated_at) \
                         SELECT owner_id, school_year + 1, NULL, reviewer_id, 'draft', inquiry, strengths, success, students, actions, \
                         supports, timeline, cadence_days, id, $2, $2 FROM personal_goals WHERE id = $1 RETURNING id",
                    )
                    .bind(id)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO goal_competencies (goal_id, item_id) SELECT $2, item_id FROM goal_competencies WHERE goal_id = $1",
                    )
                    .bind(id)
                    .bind(nid)
                    .execute(&mut *tx)
                    .await?;
                    Some(nid)
                } else {
                    None
                };
                if let Some(r) = reviewer {
                    let who = Self::name_of(&mut tx, owner).await?;
                    let how = if next.is_some() { "carried a goal over to next year" } else { "closed a goal with a reflection" };
                    Self::notify(&mut tx, r, &format!("{who} {how}."), &format!("/growth/goals/{id}"), now).await?;
                }
                tx.commit().await?;
                Ok(next)
            }

            async fn add_evidence(&self, new: &$crate::NewEvidence) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (status, _, owner, reviewer) = Self::goal_head(&mut tx, new.goal).await?;
                                if status.is_closed() {
                    return Err($crate::StoreError::Conflict("a closed goal takes no more evidence".to_owned()));
                }
                let file = new.file.as_ref();
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO goal_evidence (goal_id, kind, title, body, link, file_name, content_type, file_size, file_bytes, added_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(new.goal)
                .bind(new.kind.as_str())
                .bind(&new.title)
                .bind(&new.body)
                .bind(new.link.as_deref())
                .bind(file.map(|f| f.name.as_str()))
                .bind(file.map(|f| f.content_type.as_str()))
                .bind(file.map(|f| i64::try_from(f.bytes.len()).unwrap_or(i64::MAX)))
                .bind(file.map(|f| f.bytes.as_slice()))
                .bind(new.by.get())
                .bind(new.now)
                .fetch_one(&mut *tx)
                .await?;
                for item in &new.competencies {
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO evidence_competencies (evidence_id, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(item)
                    .execute(&mut *tx)
                    .await?;
                }
                if status == ::waypoint_domain::growth::GoalStatus::Agreed {
                    $crate::sqlx::query::<$db>("UPDATE personal_goals SET status = 'in_progress', updated_at = $2 WHERE id = $1")
                        .bind(new.goal)
                        .bind(new.now)
                        .execute(&mut *tx)
                        .await?;
                }
                let to = if new.by.get() == owner { reviewer } else { Some(owner) };
                if let Some(to) = to {
                    let who = Self::name_of(&mut tx, new.by.get()).await?;
                    Self::notify(&mut tx, to, &format!("{who} added evidence: {}.", new.title), &format!("/growth/goals/{}#evidence-{id}", new.goal), new.now).await?;
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn evidence_of(&self, goal: i64) -> $crate::StoreResult<Vec<$crate::Evidence>> {
                let sql = format!("{} WHERE e.goal_id = $1 ORDER BY e.created_at DESC, e.id DESC", Self::EVIDENCE_SELECT);
                self.evidence_rows(&sql, goal).await
            }

            async fn evidence(&self, id: i64) -> $crate::StoreResult<Option<$crate::Evidence>> {
                let sql = format!("{} WHERE e.id = $1", Self::EVIDENCE_SELECT);
                Ok(self.evidence_rows(&sql, id).await?.pop())
            }

            async fn evidence_file(&self, id: i64) -> $crate::StoreResult<Option<$crate::EvidenceFile>> {
                let row: Option<(Option<String>, Option<String>, Option<Vec<u8>>)> = $crate::sqlx::query_as(
                    "SELECT file_name, content_type, file_bytes FROM goal_evidence WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(match row {
                    Some((Some(name), Some(content_type), Some(bytes))) => Some($crate::EvidenceFile { name, content_type, bytes }),
                    _ => None,
                })
            }

            async fn schedule_check_in(&self, goal: i64, due_on: &str, now: i64) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let id = Self::insert_check_in(&mut tx, goal, due_on, now).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn check_ins(&self, goal: i64) -> $crate::StoreResult<Vec<$crate::CheckIn>> {
                let rows: Vec<(i64, i64, String, Option<String>, String, Option<i64>, String, Option<String>)> = $crate::sqlx::query_as(
                    "SELECT c.id, c.goal_id, c.due_on, c.held_on, c.discussed, c.progress, c.next_steps, \
                     p.given_name || ' ' || p.family_name FROM check_ins c LEFT JOIN people p ON p.id = c.recorded_by \
                     WHERE c.goal_id = $1 ORDER BY c.due_on, c.id",
                )
                .bind(goal)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, goal, due_on, held_on, discussed, progress, next_steps, recorded_by)| $crate::CheckIn {
                        id,
                        goal,
                        due_on,
                        held_on,
                        discussed,
                        progress,
                        next_steps,
                        recorded_by,
                    })
                    .collect())
            }

            async fn record_check_in(&self, record: &$crate::CheckInRecord) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (status, _, owner, _) = Self::goal_head(&mut tx, record.goal).await?;
                if !status.is_active() {
                    return Err($crate::StoreError::Conflict("check-ins are for agreed goals".to_owned()));
                }
                let done = $crate::sqlx::query::<$db>(
                    "UPDATE check_ins SET held_on = $3, discussed = $4, progress = $5, next_steps = $6, recorded_by = $7 \
                     WHERE id = $1 AND goal_id = $2 AND held_on IS NULL",
                )
                .bind(record.check_in)
                .bind(record.goal)
                .bind(&record.held_on)
                .bind(&record.discussed)
                .bind(record.progress)
                .bind(&record.next_steps)
                .bind(record.by.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done != 1 {
                    return Err($crate::StoreError::Conflict("this check-in has already been recorded".to_owned()));
                }
                $crate::sqlx::query::<$db>("UPDATE personal_goals SET status = 'in_progress', updated_at = $2 WHERE id = $1")
                    .bind(record.goal)
                    .bind(record.now)
                    .execute(&mut *tx)
                    .await?;
                if let Some(next) = &record.next_due {
                    Self::insert_check_in(&mut tx, record.goal, next, record.now).await?;
                }
                if record.by.get() != owner {
                    let who = Self::name_of(&mut tx, record.by.get()).await?;
                    Self::notify(&mut tx, owner, &format!("{who} recorded your check-in of {}.", record.held_on), &format!("/growth/goals/{}#check-ins", record.goal), record.now).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn due_check_ins(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Vec<$crate::DueCheckIn>> {
                let rows: Vec<(i64, i64, i64, String, String, String)> = $crate::sqlx::query_as(
                    "SELECT c.id, g.id, g.owner_id, o.given_name || ' ' || o.family_name, g.inquiry, c.due_on \
                     FROM check_ins c JOIN personal_goals g ON g.id = c.goal_id JOIN people o ON o.id = g.owner_id \
                     WHERE c.held_on IS NULL AND g.status IN ('agreed', 'in_progress') AND (g.owner_id = $1 OR g.reviewer_id = $1) \
                     ORDER BY c.due_on, c.id",
                )
                .bind(person.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, goal, owner, owner_name, inquiry, due_on)| $crate::DueCheckIn {
                        id,
                        goal,
                        owner: ::waypoint_domain::PersonId::new(owner),
                        owner_name,
                        inquiry,
                        due_on,
                    })
                    .collect())
            }

            async fn rate_competency(&self, new: &$crate::NewRating) -> $crate::StoreResult<i64> {
                use ::waypoint_domain::growth::RatingKind;
                let mut tx = self.pool.begin_with($begin).await?;
                if let Some(e) = new.evidence {
                    let ok = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT COUNT(*) FROM goal_evidence e JOIN personal_goals g ON g.id = e.goal_id WHERE e.id = $1 AND g.owner_id = $2",
                    )
                    .bind(e)
                    .bind(new.person.get())
                    .fetch_one(&mut *tx)
                    .await?;
                    if ok == 0 {
                        return Err($crate::StoreError::Conflict("the evidence must be the educator's own".to_owned()));
                    }
                }
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO competency_ratings (person_id, item_id, goal_id, kind, level, note, evidence_id, rated_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(new.person.get())
                .bind(new.item)
                .bind(new.goal)
                .bind(new.kind.as_str())
                .bind(new.level)
                .bind(&new.note)
                .bind(new.evidence)
                .bind(new.by.get())
                .bind(new.now)
                .fetch_one(&mut *tx)
                .await?;
                if new.kind == RatingKind::Claim
                    && let Some(goal) = new.goal
                {
                    let reviewer: Option<i64> = $crate::sqlx::query_scalar::<$db, Option<i64>>(
                        "SELECT reviewer_id FROM personal_goals WHERE id = $1",
                    )
                    .bind(goal)
                    .fetch_optional(&mut *tx)
                    .await?
                    .flatten();
                    if let Some(r) = reviewer {
                        let who = Self::name_of(&mut tx, new.person.get()).await?;
                        Self::notify(&mut tx, r, &format!("{who} asks you to confirm a competency level from their evidence."), &format!("/growth/goals/{goal}#competencies"), new.now).await?;
                    }
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn confirm_rating(&self, id: i64, by: ::waypoint_domain::PersonId, now: i64) -> $crate::StoreResult<bool> {
                let mut tx = self.pool.begin_with($begin).await?;
                let row: Option<(i64, Option<i64>)> = $crate::sqlx::query_as(
                    "SELECT person_id, goal_id FROM competency_ratings WHERE id = $1 AND kind = 'claim' AND confirmed_by IS NULL AND person_id <> $2",
                )
                .bind(id)
                .bind(by.get())
                .fetch_optional(&mut *tx)
                .await?;
                let Some((person, goal)) = row else {
                    return Ok(false);
                };
                $crate::sqlx::query::<$db>("UPDATE competency_ratings SET confirmed_by = $2, confirmed_at = $3 WHERE id = $1")
                    .bind(id)
                    .bind(by.get())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let who = Self::name_of(&mut tx, by.get()).await?;
                let link = goal.map_or_else(|| "/growth".to_owned(), |g| format!("/growth/goals/{g}#competencies"));
                Self::notify(&mut tx, person, &format!("{who} confirmed your new competency level."), &link, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn ratings_of(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Vec<$crate::Rating>> {
                let sql = format!("{} WHERE r.person_id = $1 ORDER BY r.created_at, r.id", Self::RATING_SELECT);
                self.rating_rows(&sql, person.get()).await
            }

            async fn rating(&self, id: i64) -> $crate::StoreResult<Option<$crate::Rating>> {
                let sql = format!("{} WHERE r.id = $1", Self::RATING_SELECT);
                Ok(self.rating_rows(&sql, id).await?.pop())
            }

            async fn notifications(&self, person: ::waypoint_domain::PersonId, limit: i64) -> $crate::StoreResult<Vec<$crate::Notification>> {
                let rows: Vec<(i64, String, String, i64, Option<i64>)> = $crate::sqlx::query_as(
                    "SELECT id, body, link, created_at, read_at FROM notifications WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(person.get())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, body, link, created_at, read_at)| $crate::Notification { id, body, link, created_at, read_at })
                    .collect())
            }

            async fn mark_notifications_read(&self, person: ::waypoint_domain::PersonId, now: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("UPDATE notifications SET read_at = $2 WHERE person_id = $1 AND read_at IS NULL")
                    .bind(person.get())
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            async fn share_story(&self, new: &$crate::NewStory) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                for e in &new.evidence {
                    let own = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT COUNT(*) FROM goal_evidence WHERE id = $1 AND goal_id = $2",
                    )
                    .bind(e)
                    .bind(new.goal)
                    .fetch_one(&mut *tx)
                    .await?;
                    if own == 0 {
                        return Err($crate::StoreError::Conflict("a story shows only its own goal's evidence".to_owned()));
                    }
                }
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO goal_stories (goal_id, org_id, what_tried, shared_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                     ON CONFLICT (goal_id) DO UPDATE SET org_id = excluded.org_id, what_tried = excluded.what_tried, updated_at = excluded.updated_at \
                     RETURNING id",
                )
                .bind(new.goal)
                .bind(new.org.get())
                .bind(&new.what_tried)
                .bind(new.now)
                .fetch_one(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>("DELETE FROM story_evidence WHERE story_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for e in &new.evidence {
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO story_evidence (story_id, evidence_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(e)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn story(&self, id: i64) -> $crate::StoreResult<Option<$crate::Story>> {
                let sql = format!("{} WHERE s.id = $1", Self::STORY_SELECT);
                Ok(self.story_rows(&sql, id).await?.pop())
            }

            async fn story_of_goal(&self, goal: i64) -> $crate::StoreResult<Option<$crate::Story>> {
                let sql = format!("{} WHERE s.goal_id = $1", Self::STORY_SELECT);
                Ok(self.story_rows(&sql, goal).await?.pop())
            }

            async fn stories(&self, orgs: &[::waypoint_domain::OrgId]) -> $crate::StoreResult<Vec<$crate::Story>> {
                let sql = format!("{} WHERE s.org_id = $1", Self::STORY_SELECT);
                let mut out = Vec::new();
                for org in orgs {
                    out.extend(self.story_rows(&sql, org.get()).await?);
                }
                out.sort_by(|a, b| b.shared_at.cmp(&a.shared_at).then(b.id.cmp(&a.id)));
                Ok(out)
            }

            async fn stories_showing(&self, evidence: i64) -> $crate::StoreResult<Vec<$crate::Story>> {
                let sql = format!(
                    "{} WHERE s.id IN (SELECT story_id FROM story_evidence WHERE evidence_id = $1)",
                    Self::STORY_SELECT
                );
                self.story_rows(&sql, evidence).await
            }

            async fn unshare_story(&self, id: i64) -> $crate::StoreResult<bool> {
                let gone = $crate::sqlx::query::<$db>("DELETE FROM goal_stories WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(gone == 1)
            }

            async fn comment_on_story(
                &self,
                id: i64,
                author: ::waypoint_domain::PersonId,
                body: &str,
                now: i64,
            ) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let owner: i64 = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT g.owner_id FROM goal_stories s JOIN personal_goals g ON g.id = s.goal_id WHERE s.id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| $crate::StoreError::Conflict("there is no such story".to_owned()))?;
                let cid = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO story_comments (story_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(id)
                .bind(author.get())
                .bind(body)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                if owner != author.get() {
                    let who = Self::name_of(&mut tx, author.get()).await?;
                    Self::notify(&mut tx, owner, &format!("{who} commented on your story in the showcase."), &format!("/showcase/{id}#comment-{cid}"), now).await?;
                }
                tx.commit().await?;
                Ok(cid)
            }

            async fn story_comments(&self, id: i64) -> $crate::StoreResult<Vec<$crate::StoryComment>> {
                let rows: Vec<(i64, String, String, i64)> = $crate::sqlx::query_as(
                    "SELECT c.id, p.given_name || ' ' || p.family_name, c.body, c.created_at FROM story_comments c \
                     JOIN people p ON p.id = c.author_id WHERE c.story_id = $1 ORDER BY c.created_at, c.id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, author_name, body, created_at)| $crate::StoryComment { id, author_name, body, created_at })
                    .collect())
            }

            async fn remind_check_ins(&self, due_by: &str, now: i64) -> $crate::StoreResult<usize> {
                let mut tx = self.pool.begin_with($begin).await?;
                let due: Vec<(i64, i64, i64, Option<i64>, String)> = $crate::sqlx::query_as(
                    "SELECT c.id, g.id, g.owner_id, g.reviewer_id, c.due_on FROM check_ins c JOIN personal_goals g ON g.id = c.goal_id \
                     WHERE c.held_on IS NULL AND c.reminded_at IS NULL AND c.due_on <= $1 AND g.status IN ('agreed', 'in_progress') \
                     ORDER BY c.due_on, c.id",
                )
                .bind(due_by)
                .fetch_all(&mut *tx)
                .await?;
                for (check_in, goal, owner, reviewer, due_on) in &due {
                    let link = format!("/growth/goals/{goal}#check-ins");
                    Self::notify(&mut tx, *owner, &format!("Your check-in is due on {due_on}."), &link, now).await?;
                    if let Some(r) = reviewer {
                        let who = Self::name_of(&mut tx, *owner).await?;
                        Self::notify(&mut tx, *r, &format!("{who}'s check-in is due on {due_on}."), &link, now).await?;
                    }
                    $crate::sqlx::query::<$db>("UPDATE check_ins SET reminded_at = $2 WHERE id = $1")
                        .bind(check_in)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(due.len())
            }

            async fn mail_settings(&self) -> $crate::StoreResult<Option<$crate::MailSettings>> {
                let row: Option<(String, i64, String, i64, Option<i64>)> = $crate::sqlx::query_as(
                    "SELECT host, port, from_address, enabled, enabled_at FROM mail_settings WHERE id = 1",
                )
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(host, port, from, enabled, enabled_at)| {
                    Ok($crate::MailSettings {
                        host,
                        port: u16::try_from(port).map_err(|_| $crate::StoreError::Corrupt(format!("mail port {port}")))?,
                        from,
                        enabled: enabled != 0,
                        enabled_at,
                    })
                })
                .transpose()
            }

            async fn save_mail_settings(
                &self,
                settings: &$crate::MailSettings,
                by: ::waypoint_domain::PersonId,
                now: i64,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let was: Option<(i64, Option<i64>)> = $crate::sqlx::query_as(
                    "SELECT enabled, enabled_at FROM mail_settings WHERE id = 1",
                )
                .fetch_optional(&mut *tx)
                .await?;
                // Switching on starts from now, so nothing from before is mailed.
                let enabled_at = match (settings.enabled, was) {
                    (false, _) => None,
                    (true, Some((1, at))) => at,
                    (true, _) => Some(now),
                };
                $crate::sqlx::query::<$db>(
                    "INSERT INTO mail_settings (id, host, port, from_address, enabled, enabled_at, updated_by, updated_at) \
                     VALUES (1, $1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, \
                     from_address = excluded.from_address, enabled = excluded.enabled, enabled_at = excluded.enabled_at, \
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(&settings.host)
                .bind(i64::from(settings.port))
                .bind(&settings.from)
                .bind(i64::from(settings.enabled))
                .bind(enabled_at)
                .bind(by.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn outgoing_mail(&self, limit: i64) -> $crate::StoreResult<Vec<$crate::OutgoingMail>> {
                let rows: Vec<(i64, String, String, String, String)> = $crate::sqlx::query_as(
                    "SELECT n.id, p.given_name || ' ' || p.family_name, p.email, n.body, n.link FROM notifications n \
                     JOIN people p ON p.id = n.person_id JOIN mail_settings m ON m.id = 1 \
                     WHERE m.enabled = 1 AND n.emailed_at IS NULL AND n.created_at >= m.enabled_at AND p.email IS NOT NULL AND p.email <> '' \
                     ORDER BY n.created_at, n.id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(notification, to_name, to_email, body, link)| $crate::OutgoingMail { notification, to_name, to_email, body, link })
                    .collect())
            }

            async fn mark_emailed(&self, notification: i64, now: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("UPDATE notifications SET emailed_at = $2 WHERE id = $1")
                    .bind(notification)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }

        impl $store {
            const STORY_SELECT: &'static str = "SELECT s.id, s.goal_id, g.owner_id, p.given_name || ' ' || p.family_name, s.org_id, o.name, \
                g.inquiry, s.what_tried, (SELECT COUNT(*) FROM story_comments c WHERE c.story_id = s.id), s.shared_at \
                FROM goal_stories s JOIN personal_goals g ON g.id = s.goal_id JOIN people p ON p.id = g.owner_id JOIN orgs o ON o.id = s.org_id";

            async fn story_rows(&self, sql: &str, bind: i64) -> $crate::StoreResult<Vec<$crate::Story>> {
                let rows: Vec<(i64, i64, i64, String, i64, String, String, String, i64, i64)> =
                    $crate::sqlx::query_as(sql).bind(bind).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for (id, goal, owner, owner_name, org, org_name, inquiry, what_tried, comments, shared_at) in rows {
                    let evidence: Vec<i64> = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT evidence_id FROM story_evidence WHERE story_id = $1 ORDER BY evidence_id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    let competencies = self
                        .competency_refs(
                            "SELECT i.id, i.code, i.statement FROM goal_competencies x JOIN framework_items i ON i.id = x.item_id \
                             WHERE x.goal_id = $1 ORDER BY i.framework_id, i.position",
                            goal,
                        )
                        .await?;
                    out.push($crate::Story {
                        id,
                        goal,
                        owner: ::waypoint_domain::PersonId::new(owner),
                        owner_name,
                        org: ::waypoint_domain::OrgId::new(org),
                        org_name,
                        inquiry,
                        competencies,
                        what_tried,
                        evidence,
                        comments,
                        shared_at,
                    });
                }
                Ok(out)
            }

            const PERSONAL_GOAL_SELECT: &'static str = "SELECT g.id, g.owner_id, o.given_name || ' ' || o.family_name, g.school_year, \
                g.system_goal_id, sg.statement, g.reviewer_id, r.given_name || ' ' || r.family_name, g.status, g.inquiry, g.strengths, \
                g.success, g.students, g.actions, g.supports, g.timeline, g.cadence_days, g.reflection, g.agreed_version, g.carried_from, \
                (SELECT MIN(c.due_on) FROM check_ins c WHERE c.goal_id = g.id AND c.held_on IS NULL), \
                (SELECT MAX(e.created_at) FROM goal_evidence e WHERE e.goal_id = g.id), \
                (SELECT COUNT(*) FROM goal_evidence e WHERE e.goal_id = g.id), g.created_at, g.updated_at \
                FROM personal_goals g JOIN people o ON o.id = g.owner_id LEFT JOIN people r ON r.id = g.reviewer_id \
                LEFT JOIN system_goals sg ON sg.id = g.system_goal_id";

            const EVIDENCE_SELECT: &'static str = "SELECT e.id, e.goal_id, e.kind, e.title, e.body, e.link, e.file_name, e.content_type, \
                e.file_size, e.added_by, p.given_name || ' ' || p.family_name, e.created_at FROM goal_evidence e JOIN people p ON p.id = e.added_by";

            const RATING_SELECT: &'static str = "SELECT r.id, r.person_id, r.item_id, i.code, i.statement, r.goal_id, r.kind, r.level, r.note, \
                r.evidence_id, e.title, b.given_name || ' ' || b.family_name, c.given_name || ' ' || c.family_name, r.confirmed_at, r.created_at \
                FROM competency_ratings r JOIN framework_items i ON i.id = r.item_id JOIN people b ON b.id = r.rated_by \
                LEFT JOIN people c ON c.id = r.confirmed_by LEFT JOIN goal_evidence e ON e.id = r.evidence_id";

            fn goal_status(s: &str) -> $crate::StoreResult<::waypoint_domain::growth::GoalStatus> {
                ::waypoint_domain::growth::GoalStatus::parse(s)
                    .ok_or_else(|| $crate::StoreError::Corrupt(format!("goal status {s}")))
            }

            async fn goal_rows(&self, sql: &str, binds: &[i64]) -> $crate::StoreResult<Vec<$crate::PersonalGoal>> {
                use $crate::sqlx::Row as _;
                let mut q = $crate::sqlx::query::<$db>(sql);
                for b in binds {
                    q = q.bind(*b);
                }
                let rows = q.fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let id: i64 = r.try_get(0)?;
                    let year: i64 = r.try_get(3)?;
                    let year = i32::try_from(year).map_err(|_| $crate::StoreError::Corrupt(format!("school year {year}")))?;
                    let sg: Option<i64> = r.try_get(4)?;
                    let sg_text: Option<String> = r.try_get(5)?;
                    let reviewer: Option<i64> = r.try_get(6)?;
                    let reviewer_name: Option<String> = r.try_get(7)?;
                    let status: String = r.try_get(8)?;
                    out.push($crate::PersonalGoal {
                        id,
                        owner: ::waypoint_domain::PersonId::new(r.try_get(1)?),
                        owner_name: r.try_get(2)?,
                        year: ::waypoint_domain::goals::SchoolYear::starting(year),
                        system_goal: sg.zip(sg_text),
                        reviewer: reviewer.map(::waypoint_domain::PersonId::new).zip(reviewer_name),
                        status: Self::goal_status(&status)?,
                        text: ::waypoint_domain::growth::GoalText {
                            inquiry: r.try_get(9)?,
                            strengths: r.try_get(10)?,
                            success: r.try_get(11)?,
                            students: r.try_get(12)?,
                            actions: r.try_get(13)?,
                            supports: r.try_get(14)?,
                            timeline: r.try_get(15)?,
                        },
                        competencies: Vec::new(),
                        cadence_days: r.try_get(16)?,
                        reflection: r.try_get(17)?,
                        agreed_version: r.try_get(18)?,
                        carried_from: r.try_get(19)?,
                        next_check_in: r.try_get(20)?,
                        last_evidence_at: r.try_get(21)?,
                        evidence_count: r.try_get(22)?,
                        created_at: r.try_get(23)?,
                        updated_at: r.try_get(24)?,
                    });
                }
                for g in &mut out {
                    g.competencies = self
                        .competency_refs(
                            "SELECT i.id, i.code, i.statement FROM goal_competencies x JOIN framework_items i ON i.id = x.item_id \
                             WHERE x.goal_id = $1 ORDER BY i.framework_id, i.position",
                            g.id,
                        )
                        .await?;
                }
                Ok(out)
            }

            async fn competency_refs(&self, sql: &str, id: i64) -> $crate::StoreResult<Vec<$crate::CompetencyRef>> {
                let rows: Vec<(i64, String, String)> =
                    $crate::sqlx::query_as(sql).bind(id).fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(item, code, statement)| $crate::CompetencyRef { item, code, statement })
                    .collect())
            }

            async fn evidence_rows(&self, sql: &str, bind: i64) -> $crate::StoreResult<Vec<$crate::Evidence>> {
                use $crate::sqlx::Row as _;
                let rows = $crate::sqlx::query::<$db>(sql).bind(bind).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let kind: String = r.try_get(2)?;
                    let name: Option<String> = r.try_get(6)?;
                    let content_type: Option<String> = r.try_get(7)?;
                    let size: Option<i64> = r.try_get(8)?;
                    let id: i64 = r.try_get(0)?;
                    out.push($crate::Evidence {
                        id,
                        goal: r.try_get(1)?,
                        kind: ::waypoint_domain::growth::EvidenceKind::parse(&kind)
                            .ok_or_else(|| $crate::StoreError::Corrupt(format!("evidence kind {kind}")))?,
                        title: r.try_get(3)?,
                        body: r.try_get(4)?,
                        link: r.try_get(5)?,
                        file: match (name, content_type, size) {
                            (Some(n), Some(c), Some(s)) => Some((n, c, s)),
                            _ => None,
                        },
                        competencies: self
                            .competency_refs(
                                "SELECT i.id, i.code, i.statement FROM evidence_competencies x JOIN framework_items i ON i.id = x.item_id \
                                 WHERE x.evidence_id = $1 ORDER BY i.framework_id, i.position",
                                id,
                            )
                            .await?,
                        added_by: ::waypoint_domain::PersonId::new(r.try_get(9)?),
                        added_by_name: r.try_get(10)?,
                        created_at: r.try_get(11)?,
                    });
                }
                Ok(out)
            }

            async fn rating_rows(&self, sql: &str, bind: i64) -> $crate::StoreResult<Vec<$crate::Rating>> {
                use $crate::sqlx::Row as _;
                let rows = $crate::sqlx::query::<$db>(sql).bind(bind).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let kind: String = r.try_get(6)?;
                    let evidence: Option<i64> = r.try_get(9)?;
                    let evidence_title: Option<String> = r.try_get(10)?;
                    let confirmed_by: Option<String> = r.try_get(12)?;
                    let confirmed_at: Option<i64> = r.try_get(13)?;
                    out.push($crate::Rating {
                        id: r.try_get(0)?,
                        person: ::waypoint_domain::PersonId::new(r.try_get(1)?),
                        competency: $crate::CompetencyRef {
                            item: r.try_get(2)?,
                            code: r.try_get(3)?,
                            statement: r.try_get(4)?,
                        },
                        goal: r.try_get(5)?,
                        kind: ::waypoint_domain::growth::RatingKind::parse(&kind)
                            .ok_or_else(|| $crate::StoreError::Corrupt(format!("rating kind {kind}")))?,
                        level: r.try_get(7)?,
                        note: r.try_get(8)?,
                        evidence: evidence.zip(evidence_title),
                        rated_by: r.try_get(11)?,
                        confirmed: confirmed_by.zip(confirmed_at),
                        created_at: r.try_get(14)?,
                    });
                }
                Ok(out)
            }

            async fn set_goal_competencies(
                tx: &mut $crate::sqlx::Transaction<'_, $db>,
                goal: i64,
                items: &[i64],
            ) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("DELETE FROM goal_competencies WHERE goal_id = $1")
                    .bind(goal)
                    .execute(&mut **tx)
                    .await?;
                for item in items {
                    let known = $crate::sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM framework_items WHERE id = $1")
                        .bind(item)
                        .fetch_one(&mut **tx)
                        .await?;
                    if known == 0 {
                        return Err($crate::StoreError::Conflict(format!("competency {item} is not in any framework")));
                    }
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO goal_competencies (goal_id, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(goal)
                    .bind(item)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }

            /// A goal's status, school year, owner and reviewer, read inside
            /// the transaction that acts on it.
            async fn goal_head(
                tx: &mut $crate::sqlx::Transaction<'_, $db>,
                id: i64,
            ) -> $crate::StoreResult<(::waypoint_domain::growth::GoalStatus, i64, i64, Option<i64>)> {
                let (status, year, owner, reviewer): (String, i64, i64, Option<i64>) = $crate::sqlx::query_as(
                    "SELECT status, school_year, owner_id, reviewer_id FROM personal_goals WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| $crate::StoreError::Conflict("there is no such goal".to_owned()))?;
                Ok((Self::goal_status(&status)?, year, owner, reviewer))
            }

            async fn insert_check_in(
                tx: &mut $crate::sqlx::Transaction<'_, $db>,
                goal: i64,
                due_on: &str,
                now: i64,
            ) -> $crate::StoreResult<i64> {
                Ok($crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO check_ins (goal_id, due_on, created_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(goal)
                .bind(due_on)
                .bind(now)
                .fetch_one(&mut **tx)
                .await?)
            }

            async fn name_of(tx: &mut $crate::sqlx::Transaction<'_, $db>, person: i64) -> $crate::StoreResult<String> {
                Ok($crate::sqlx::query_scalar::<$db, String>(
                    "SELECT given_name || ' ' || family_name FROM people WHERE id = $1",
                )
                .bind(person)
                .fetch_optional(&mut **tx)
                .await?
                .unwrap_or_default())
            }

            async fn notify(
                tx: &mut $crate::sqlx::Transaction<'_, $db>,
                person: i64,
                body: &str,
                link: &str,
                now: i64,
            ) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>(
                    "INSERT INTO notifications (person_id, body, link, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(person)
                .bind(body)
                .bind(link)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }
    };
}
