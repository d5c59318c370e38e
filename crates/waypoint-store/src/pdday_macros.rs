//! The [`portable_pd_days!`](crate::portable_pd_days) macro: one text of the
//! [`PdDays`](crate::PdDays) implementation, compiled once per backend driver.

/// Implements [`PdDays`](crate::PdDays) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`; `$begin` is the
/// statement that begins a write transaction.
#[macro_export]
macro_rules! portable_pd_days {
    ($store:ty, $db:ty, begin = $begin:expr) => {
        #[$crate::async_trait]
        impl $crate::PdDays for $store {
            async fn create_event(&self, new: &$crate::NewEvent) -> $crate::StoreResult<::waypoint_domain::EventId> {
                self.create_event_with_programme(new, &$crate::NewProgramme::default()).await
            }

            async fn event(&self, id: ::waypoint_domain::EventId) -> $crate::StoreResult<Option<$crate::Event>> {
                let sql = format!("{} WHERE e.id = $1", $crate::portable::EVENT_SELECT);
                let row: Option<$crate::portable::EventTuple> = $crate::sqlx::query_as::<$db, _>(&sql)
                    .bind(id.get())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map($crate::portable::event_from).transpose()
            }

            async fn events(&self) -> $crate::StoreResult<Vec<$crate::Event>> {
                let sql = format!("{} ORDER BY e.day, e.id", $crate::portable::EVENT_SELECT);
                let rows: Vec<$crate::portable::EventTuple> = $crate::sqlx::query_as::<$db, _>(&sql)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::portable::event_from).collect()
            }

            async fn move_event(
                &self,
                id: ::waypoint_domain::EventId,
                from: ::waypoint_domain::pdday::EventState,
                to: ::waypoint_domain::pdday::EventState,
                now: i64,
            ) -> $crate::StoreResult<bool> {
                use ::waypoint_domain::pdday::EventState;
                let publish = to == EventState::Published;
                let moved = $crate::sqlx::query::<$db>(
                    "UPDATE pd_events SET state = $3, updated_at = $4, \
                     sequence = sequence + $5, \
                     published_at = CASE WHEN $5 = 1 THEN COALESCE(published_at, $4) ELSE published_at END \
                     WHERE id = $1 AND state = $2",
                )
                .bind(id.get())
                .bind(from.as_str())
                .bind(to.as_str())
                .bind(now)
                .bind(i64::from(publish))
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(moved == 1)
            }

            async fn set_window(&self, id: ::waypoint_domain::EventId, opens_at: i64, closes_at: i64, now: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("UPDATE pd_events SET opens_at = $2, closes_at = $3, updated_at = $4 WHERE id = $1")
                    .bind(id.get())
                    .bind(opens_at)
                    .bind(closes_at)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn replace_programme(&self, id: ::waypoint_domain::EventId, programme: &$crate::NewProgramme) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                Self::pd_write_programme(&mut tx, id.get(), programme).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_event_with_programme(
                &self,
                new: &$crate::NewEvent,
                programme: &$crate::NewProgramme,
            ) -> $crate::StoreResult<::waypoint_domain::EventId> {
                let mut tx = self.pool.begin_with($begin).await?;
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO pd_events (org_id, title, day, timezone, venue, state, ranks, opens_at, closes_at, created_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'setup', $6, $7, $8, $9, $10, $10) RETURNING id",
                )
                .bind(new.org.get())
                .bind(&new.title)
                .bind(&new.day)
                .bind(&new.timezone)
                .bind(&new.venue)
                .bind(new.ranks)
                .bind(new.window.map(|w| w.0))
                .bind(new.window.map(|w| w.1))
                .bind(new.created_by.get())
                .bind(new.now)
                .fetch_one(&mut *tx)
                .await?;
                Self::pd_write_programme(&mut tx, id, programme).await?;
                tx.commit().await?;
                Ok(::waypoint_domain::EventId::new(id))
            }

            async fn programme(&self, id: ::waypoint_domain::EventId) -> $crate::StoreResult<$crate::Programme> {
                use ::waypoint_domain::{CourseId, PersonId, SectionId, SlotId};
                let event = id.get();
                let slots: Vec<(i64, i64, String, i64, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, position, label, starts_at, ends_at FROM pd_slots WHERE event_id = $1 ORDER BY position",
                )
                .bind(event)
                .fetch_all(&self.pool)
                .await?;
                let courses: Vec<(i64, String, String, String, String, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, code, title, description, tags, audience FROM pd_courses WHERE event_id = $1 ORDER BY title, id",
                )
                .bind(event)
                .fetch_all(&self.pool)
                .await?;
                let sections: Vec<(i64, i64, i64, String, String, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT s.id, s.course_id, s.slot_id, s.code, s.room, s.capacity FROM pd_sections s \
                     JOIN pd_slots t ON t.id = s.slot_id JOIN pd_courses c ON c.id = s.course_id \
                     WHERE s.event_id = $1 ORDER BY t.position, c.title, s.id",
                )
                .bind(event)
                .fetch_all(&self.pool)
                .await?;
                let leads: Vec<(i64, i64, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT f.section_id, p.id, p.given_name || ' ' || p.family_name FROM pd_facilitators f \
                     JOIN pd_sections s ON s.id = f.section_id JOIN people p ON p.id = f.person_id \
                     WHERE s.event_id = $1 ORDER BY p.family_name, p.given_name, p.id",
                )
                .bind(event)
                .fetch_all(&self.pool)
                .await?;
                let mut by_section: ::std::collections::HashMap<i64, Vec<(PersonId, String)>> = ::std::collections::HashMap::new();
                for (sec, person, name) in leads {
                    by_section.entry(sec).or_default().push((PersonId::new(person), name));
                }
                Ok($crate::Programme {
                    slots: slots
                        .into_iter()
                        .map(|(id, position, label, starts_at, ends_at)| $crate::Slot { id: SlotId::new(id), position, label, starts_at, ends_at })
                        .collect(),
                    courses: courses
                        .into_iter()
                        .map(|(id, code, title, description, tags, audience)| $crate::Course { id: CourseId::new(id), code, title, description, tags, audience })
                        .collect(),
                    sections: sections
                        .into_iter()
                        .map(|(id, course, slot, code, room, capacity)| $crate::Section {
                            id: SectionId::new(id),
                            course: CourseId::new(course),
                            slot: SlotId::new(slot),
                            code,
                            room,
                            capacity,
                            facilitators: by_section.remove(&id).unwrap_or_default(),
                        })
                        .collect(),
                })
            }

            async fn save_ranking(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
                ranking: &::waypoint_domain::pdday::Ranking,
                now: i64,
            ) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                // The upsert locks this person's row first, so concurrent saves
                // of one person queue behind each other and the last one stands.
                let revision = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO pd_rankings (event_id, person_id, revision, saved_at) VALUES ($1, $2, 1, $3) \
                     ON CONFLICT (event_id, person_id) DO UPDATE SET revision = pd_rankings.revision + 1, saved_at = EXCLUDED.saved_at \
                     RETURNING revision",
                )
                .bind(event.get())
                .bind(person.get())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>("DELETE FROM pd_preferences WHERE event_id = $1 AND person_id = $2")
                    .bind(event.get())
                    .bind(person.get())
                    .execute(&mut *tx)
                    .await?;
                let choices = ranking.choices();
                if !choices.is_empty() {
                    let mut sql = String::from("INSERT INTO pd_preferences (event_id, person_id, rank, course_id) VALUES ");
                    for (i, _) in choices.iter().enumerate() {
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        let b = 3 + 2 * i;
                        sql.push_str(&format!("($1, $2, ${}, ${})", b, b + 1));
                    }
                    let mut q = $crate::sqlx::query::<$db>(&sql).bind(event.get()).bind(person.get());
                    for (i, c) in choices.iter().enumerate() {
                        q = q.bind(i as i64 + 1).bind(c.get());
                    }
                    q.execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(revision)
            }

            async fn ranking(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
            ) -> $crate::StoreResult<(Vec<::waypoint_domain::CourseId>, i64)> {
                // One statement, so one snapshot: the revision and the choices
                // always come from the same save, even while another commits.
                let rows: Vec<(i64, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT r.revision, p.course_id FROM pd_rankings r \
                     LEFT JOIN pd_preferences p ON p.event_id = r.event_id AND p.person_id = r.person_id \
                     WHERE r.event_id = $1 AND r.person_id = $2 ORDER BY p.rank",
                )
                .bind(event.get())
                .bind(person.get())
                .fetch_all(&self.pool)
                .await?;
                let revision = rows.first().map_or(0, |r| r.0);
                let courses = rows
                    .into_iter()
                    .filter_map(|r| r.1)
                    .map(::waypoint_domain::CourseId::new)
                    .collect();
                Ok((courses, revision))
            }

            async fn preferences(&self, event: ::waypoint_domain::EventId) -> $crate::StoreResult<Vec<$crate::Preference>> {
                let rows: Vec<(i64, i64, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT person_id, rank, course_id FROM pd_preferences WHERE event_id = $1 ORDER BY person_id, rank",
                )
                .bind(event.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(person, rank, course)| $crate::Preference {
                        person: ::waypoint_domain::PersonId::new(person),
                        rank,
                        course: ::waypoint_domain::CourseId::new(course),
                    })
                    .collect())
            }

            async fn ranked_count(&self, event: ::waypoint_domain::EventId) -> $crate::StoreResult<i64> {
                Ok($crate::sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM pd_rankings WHERE event_id = $1")
                    .bind(event.get())
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn queue_run(
                &self,
                event: ::waypoint_domain::EventId,
                requested_by: Option<::waypoint_domain::PersonId>,
                job_kind: &str,
                now: i64,
            ) -> $crate::StoreResult<$crate::Run> {
                let mut tx = self.pool.begin_with($begin).await?;
                let run = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO pd_runs (event_id, status, requested_by, created_at) VALUES ($1, 'queued', $2, $3) RETURNING id",
                )
                .bind(event.get())
                .bind(requested_by.map(|p| p.get()))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let job = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO jobs (kind, payload, status, created_at) VALUES ($1, $2, 'queued', $3) RETURNING id",
                )
                .bind(job_kind)
                .bind(run.to_string())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                $crate::sqlx::query::<$db>("UPDATE pd_runs SET job_id = $2 WHERE id = $1")
                    .bind(run)
                    .bind(job)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok($crate::Run {
                    id: run,
                    event,
                    job: Some(job),
                    status: $crate::RunStatus::Queued,
                    progress: None,
                    report: None,
                    error: None,
                    requested_by,
                    created_at: now,
                    finished_at: None,
                })
            }

            async fn run(&self, id: i64) -> $crate::StoreResult<Option<$crate::Run>> {
                let sql = format!("{} WHERE id = $1", $crate::portable::RUN_SELECT);
                let row: Option<$crate::portable::RunTuple> = $crate::sqlx::query_as::<$db, _>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map($crate::portable::run_from).transpose()
            }

            async fn latest_run(&self, event: ::waypoint_domain::EventId) -> $crate::StoreResult<Option<$crate::Run>> {
                let sql = format!("{} WHERE event_id = $1 ORDER BY id DESC LIMIT 1", $crate::portable::RUN_SELECT);
                let row: Option<$crate::portable::RunTuple> = $crate::sqlx::query_as::<$db, _>(&sql)
                    .bind(event.get())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map($crate::portable::run_from).transpose()
            }

            async fn run_progress(&self, id: i64, progress: &str) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("UPDATE pd_runs SET status = 'running', progress = $2 WHERE id = $1 AND status IN ('queued', 'running')")
                    .bind(id)
                    .bind(progress)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn fail_run(&self, id: i64, error: &str, now: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>("UPDATE pd_runs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1")
                    .bind(id)
                    .bind(error)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn finish_run(&self, id: i64, seats: &[$crate::Seat], report: &str, now: i64) -> $crate::StoreResult<bool> {
                let mut tx = self.pool.begin_with($begin).await?;
                let Some(event) = $crate::sqlx::query_scalar::<$db, i64>("SELECT event_id FROM pd_runs WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                else {
                    return Ok(false);
                };
                let moved = $crate::sqlx::query::<$db>(
                    "UPDATE pd_events SET state = 'assigned', updated_at = $2 WHERE id = $1 AND state IN ('closed', 'assigned')",
                )
                .bind(event)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved != 1 {
                    return Ok(false);
                }
                $crate::sqlx::query::<$db>("DELETE FROM pd_assignments WHERE event_id = $1").bind(event).execute(&mut *tx).await?;
                for chunk in seats.chunks(500) {
                    let mut sql = String::from(
                        "INSERT INTO pd_assignments (event_id, person_id, slot_id, section_id, rank, facilitating, source) VALUES ",
                    );
                    for i in 0..chunk.len() {
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        let b = 2 + 6 * i;
                        sql.push_str(&format!("($1, ${}, ${}, ${}, ${}, ${}, ${})", b, b + 1, b + 2, b + 3, b + 4, b + 5));
                    }
                    let mut q = $crate::sqlx::query::<$db>(&sql).bind(event);
                    for s in chunk {
                        q = q
                            .bind(s.person.get())
                            .bind(s.slot.get())
                            .bind(s.section.get())
                            .bind(s.rank)
                            .bind(s.facilitating)
                            .bind(s.source.as_str());
                    }
                    q.execute(&mut *tx).await?;
                }
                $crate::sqlx::query::<$db>(
                    "UPDATE pd_runs SET status = 'done', report = $2, finished_at = $3, progress = NULL WHERE id = $1",
                )
                .bind(id)
                .bind(report)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn seats(&self, event: ::waypoint_domain::EventId) -> $crate::StoreResult<Vec<$crate::Seat>> {
                let sql = format!("{} WHERE a.event_id = $1 ORDER BY a.person_id, t.position", $crate::portable::SEAT_SELECT);
                let rows: Vec<$crate::portable::SeatTuple> = $crate::sqlx::query_as::<$db, _>(&sql)
                    .bind(event.get())
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::portable::seat_from).collect()
            }

            async fn section_roster(&self, section: ::waypoint_domain::SectionId) -> $crate::StoreResult<Vec<$crate::RosterLine>> {
                let rows: Vec<(i64, String, String, Option<String>, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT p.id, p.given_name, p.family_name, p.email, a.rank FROM pd_assignments a \
                     JOIN people p ON p.id = a.person_id \
                     WHERE a.section_id = $1 AND NOT a.facilitating ORDER BY p.family_name, p.given_name, p.id",
                )
                .bind(section.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, given_name, family_name, email, rank)| $crate::RosterLine {
                        person: ::waypoint_domain::PersonId::new(id),
                        given_name,
                        family_name,
                        email,
                        rank,
                    })
                    .collect())
            }

            async fn move_seat(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
                section: ::waypoint_domain::SectionId,
                now: i64,
            ) -> $crate::StoreResult<Result<Vec<::waypoint_domain::PersonId>, $crate::MoveRefused>> {
                self.pd_change_seat(event.get(), person.get(), section.get(), $crate::SeatSource::Manual, now).await
            }

            async fn take_seat(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
                section: ::waypoint_domain::SectionId,
                now: i64,
            ) -> $crate::StoreResult<Result<Vec<::waypoint_domain::PersonId>, $crate::MoveRefused>> {
                self.pd_change_seat(event.get(), person.get(), section.get(), $crate::SeatSource::SelfService, now).await
            }

            async fn join_waitlist(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
                section: ::waypoint_domain::SectionId,
                now: i64,
            ) -> $crate::StoreResult<Result<(), $crate::MoveRefused>> {
                let mut tx = self.pool.begin_with($begin).await?;
                Self::pd_hold_event(&mut *tx, event.get()).await?;
                let check = Self::pd_check(&mut *tx, event.get(), person.get(), section.get()).await?;
                let (_, _, capacity, from) = match check {
                    Ok(c) => c,
                    Err(refused) => return Ok(Err(refused)),
                };
                if from == section.get() {
                    return Ok(Ok(()));
                }
                if Self::pd_seated(&mut *tx, section.get()).await? < capacity {
                    return Ok(Err($crate::MoveRefused::SeatsFree));
                }
                $crate::sqlx::query::<$db>(
                    "INSERT INTO pd_waitlist (event_id, person_id, section_id, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (section_id, person_id) DO NOTHING",
                )
                .bind(event.get())
                .bind(person.get())
                .bind(section.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Ok(()))
            }

            async fn leave_waitlist(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
                section: ::waypoint_domain::SectionId,
            ) -> $crate::StoreResult<bool> {
                let gone = $crate::sqlx::query::<$db>(
                    "DELETE FROM pd_waitlist WHERE event_id = $1 AND person_id = $2 AND section_id = $3",
                )
                .bind(event.get())
                .bind(person.get())
                .bind(section.get())
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(gone > 0)
            }

            async fn waitlists_of(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
            ) -> $crate::StoreResult<Vec<::waypoint_domain::SectionId>> {
                let rows = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT section_id FROM pd_waitlist WHERE event_id = $1 AND person_id = $2 ORDER BY section_id",
                )
                .bind(event.get())
                .bind(person.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(::waypoint_domain::SectionId::new).collect())
            }

            async fn place_late(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
                now: i64,
            ) -> $crate::StoreResult<Vec<$crate::Seat>> {
                let mut tx = self.pool.begin_with($begin).await?;
                Self::pd_hold_event(&mut *tx, event.get()).await?;
                let has = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM pd_assignments WHERE event_id = $1 AND person_id = $2",
                )
                .bind(event.get())
                .bind(person.get())
                .fetch_one(&mut *tx)
                .await?;
                if has > 0 {
                    return Ok(Vec::new());
                }
                // Every section with its slot, course, seats left and the person's rank of its course.
                let options: Vec<(i64, i64, i64, i64, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT s.id, s.slot_id, s.course_id, \
                       s.capacity - (SELECT COUNT(*) FROM pd_assignments a WHERE a.section_id = s.id AND NOT a.facilitating), \
                       (SELECT p.rank FROM pd_preferences p WHERE p.event_id = s.event_id AND p.person_id = $2 AND p.course_id = s.course_id) \
                     FROM pd_sections s JOIN pd_slots t ON t.id = s.slot_id WHERE s.event_id = $1 ORDER BY t.position, s.id",
                )
                .bind(event.get())
                .bind(person.get())
                .fetch_all(&mut *tx)
                .await?;
                let mut slots: Vec<i64> = options.iter().map(|o| o.1).collect();
                slots.dedup();
                let mut taken_courses = Vec::new();
                let mut seats = Vec::new();
                for slot in slots {
                    let best = options
                        .iter()
                        .filter(|o| o.1 == slot && o.3 > 0 && !taken_courses.contains(&o.2))
                        .min_by_key(|o| (o.4.unwrap_or(i64::MAX), -o.3, o.0));
                    let Some(&(section, _, course, _, rank)) = best else {
                        return Ok(Vec::new());
                    };
                    taken_courses.push(course);
                    seats.push($crate::Seat {
                        person,
                        slot: ::waypoint_domain::SlotId::new(slot),
                        section: ::waypoint_domain::SectionId::new(section),
                        rank,
                        facilitating: false,
                        source: $crate::SeatSource::Late,
                    });
                }
                for s in &seats {
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO pd_assignments (event_id, person_id, slot_id, section_id, rank, facilitating, source) \
                         VALUES ($1, $2, $3, $4, $5, $6, 'late')",
                    )
                    .bind(event.get())
                    .bind(person.get())
                    .bind(s.slot.get())
                    .bind(s.section.get())
                    .bind(s.rank)
                    .bind(false)
                    .execute(&mut *tx)
                    .await?;
                }
                $crate::sqlx::query::<$db>("UPDATE pd_events SET updated_at = $2 WHERE id = $1")
                    .bind(event.get())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(seats)
            }

            async fn seat_counts(
                &self,
                event: ::waypoint_domain::EventId,
            ) -> $crate::StoreResult<Vec<(::waypoint_domain::SectionId, i64)>> {
                let rows: Vec<(i64, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT section_id, COUNT(*) FROM pd_assignments WHERE event_id = $1 AND NOT facilitating GROUP BY section_id",
                )
                .bind(event.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(s, n)| (::waypoint_domain::SectionId::new(s), n)).collect())
            }

            async fn mark_attendance(
                &self,
                section: ::waypoint_domain::SectionId,
                person: ::waypoint_domain::PersonId,
                present: bool,
                by: ::waypoint_domain::PersonId,
                now: i64,
            ) -> $crate::StoreResult<()> {
                if present {
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO pd_attendance (section_id, person_id, checked_in_at, marked_by) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (section_id, person_id) DO NOTHING",
                    )
                    .bind(section.get())
                    .bind(person.get())
                    .bind(now)
                    .bind(by.get())
                    .execute(&self.pool)
                    .await?;
                } else {
                    $crate::sqlx::query::<$db>("DELETE FROM pd_attendance WHERE section_id = $1 AND person_id = $2")
                        .bind(section.get())
                        .bind(person.get())
                        .execute(&self.pool)
                        .await?;
                }
                Ok(())
            }

            async fn attendance(&self, section: ::waypoint_domain::SectionId) -> $crate::StoreResult<Vec<::waypoint_domain::PersonId>> {
                let rows = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT person_id FROM pd_attendance WHERE section_id = $1 ORDER BY person_id",
                )
                .bind(section.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(::waypoint_domain::PersonId::new).collect())
            }

            async fn checkin_code(&self, section: ::waypoint_domain::SectionId) -> $crate::StoreResult<Option<String>> {
                Ok($crate::sqlx::query_scalar::<$db, String>("SELECT code FROM pd_checkin_codes WHERE section_id = $1")
                    .bind(section.get())
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn set_checkin_code(&self, event: ::waypoint_domain::EventId, section: ::waypoint_domain::SectionId, code: &str) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>(
                    "INSERT INTO pd_checkin_codes (section_id, event_id, code) VALUES ($1, $2, $3) \
                     ON CONFLICT (section_id) DO UPDATE SET code = EXCLUDED.code",
                )
                .bind(section.get())
                .bind(event.get())
                .bind(code)
                .execute(&self.pool)
                .await
                .map_err(|e| $crate::portable::conflict_or(e, "another session of this day has that code"))?;
                Ok(())
            }

            async fn save_feedback(
                &self,
                section: ::waypoint_domain::SectionId,
                person: ::waypoint_domain::PersonId,
                f: &$crate::Feedback,
                now: i64,
            ) -> $crate::StoreResult<bool> {
                let saved = $crate::sqlx::query::<$db>(
                    "INSERT INTO pd_feedback (section_id, person_id, relevant, well_run, will_use, will_try, submitted_at) \
                     SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS \
                       (SELECT 1 FROM pd_attendance WHERE section_id = $1 AND person_id = $2) \
                     ON CONFLICT (section_id, person_id) DO UPDATE SET relevant = EXCLUDED.relevant, \
                       well_run = EXCLUDED.well_run, will_use = EXCLUDED.will_use, will_try = EXCLUDED.will_try, \
                       submitted_at = EXCLUDED.submitted_at",
                )
                .bind(section.get())
                .bind(person.get())
                .bind(f.relevant)
                .bind(f.well_run)
                .bind(f.will_use)
                .bind(&f.will_try)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(saved > 0)
            }

            async fn feedback_on(&self, section: ::waypoint_domain::SectionId) -> $crate::StoreResult<Vec<$crate::Feedback>> {
                let rows: Vec<(i64, i64, i64, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT relevant, well_run, will_use, will_try FROM pd_feedback WHERE section_id = $1 ORDER BY submitted_at, will_try",
                )
                .bind(section.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(relevant, well_run, will_use, will_try)| $crate::Feedback { relevant, well_run, will_use, will_try })
                    .collect())
            }

            async fn my_feedback(
                &self,
                section: ::waypoint_domain::SectionId,
                person: ::waypoint_domain::PersonId,
            ) -> $crate::StoreResult<Option<$crate::Feedback>> {
                let row: Option<(i64, i64, i64, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT relevant, well_run, will_use, will_try FROM pd_feedback WHERE section_id = $1 AND person_id = $2",
                )
                .bind(section.get())
                .bind(person.get())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(relevant, well_run, will_use, will_try)| $crate::Feedback { relevant, well_run, will_use, will_try }))
            }

            async fn attended(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
            ) -> $crate::StoreResult<Vec<::waypoint_domain::SectionId>> {
                let rows = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT a.section_id FROM pd_attendance a JOIN pd_sections s ON s.id = a.section_id \
                     WHERE s.event_id = $1 AND a.person_id = $2 ORDER BY a.section_id",
                )
                .bind(event.get())
                .bind(person.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(::waypoint_domain::SectionId::new).collect())
            }

            async fn set_feed_token(&self, person: ::waypoint_domain::PersonId, hash: &str, now: i64) -> $crate::StoreResult<()> {
                $crate::sqlx::query::<$db>(
                    "INSERT INTO pd_feed_tokens (person_id, token_hash, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (person_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at",
                )
                .bind(person.get())
                .bind(hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn feed_token_owner(&self, hash: &str) -> $crate::StoreResult<Option<::waypoint_domain::PersonId>> {
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT t.person_id FROM pd_feed_tokens t JOIN people p ON p.id = t.person_id \
                     WHERE t.token_hash = $1 AND p.enabled AND p.status = 'active'",
                )
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?;
                Ok(id.map(::waypoint_domain::PersonId::new))
            }

            async fn events_seated(&self, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Vec<::waypoint_domain::EventId>> {
                let rows = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT DISTINCT a.event_id FROM pd_assignments a JOIN pd_events e ON e.id = a.event_id \
                     WHERE a.person_id = $1 AND e.state IN ('published', 'finished') ORDER BY a.event_id",
                )
                .bind(person.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(::waypoint_domain::EventId::new).collect())
            }

            async fn check_in(
                &self,
                event: ::waypoint_domain::EventId,
                person: ::waypoint_domain::PersonId,
                code: &str,
                now: i64,
            ) -> $crate::StoreResult<Option<::waypoint_domain::SectionId>> {
                let section = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT c.section_id FROM pd_checkin_codes c JOIN pd_assignments a \
                     ON a.section_id = c.section_id AND a.person_id = $3 AND NOT a.facilitating \
                     WHERE c.event_id = $1 AND c.code = $2",
                )
                .bind(event.get())
                .bind(code)
                .bind(person.get())
                .fetch_optional(&self.pool)
                .await?;
                let Some(section) = section else {
                    return Ok(None);
                };
                $crate::sqlx::query::<$db>(
                    "INSERT INTO pd_attendance (section_id, person_id, checked_in_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (section_id, person_id) DO NOTHING",
                )
                .bind(section)
                .bind(person.get())
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(Some(::waypoint_domain::SectionId::new(section)))
            }

            async fn seats_of(&self, event: ::waypoint_domain::EventId, person: ::waypoint_domain::PersonId) -> $crate::StoreResult<Vec<$crate::Seat>> {
                let sql = format!("{} WHERE a.event_id = $1 AND a.person_id = $2 ORDER BY t.position", $crate::portable::SEAT_SELECT);
                let rows: Vec<$crate::portable::SeatTuple> = $crate::sqlx::query_as::<$db, _>(&sql)
                    .bind(event.get())
                    .bind(person.get())
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::portable::seat_from).collect()
            }
        }

        impl $store {
            /// Writes `programme` as the event's whole programme on `conn`
            /// (inside the caller's transaction). Rankings of courses that
            /// stay are kept: courses are matched by code.
            async fn pd_write_programme(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                event: i64,
                programme: &$crate::NewProgramme,
            ) -> $crate::StoreResult<()> {
                use ::std::collections::HashMap;
                // Rankings of courses that stay are kept: courses are matched by code.
                let old: Vec<(i64, String)> = $crate::sqlx::query_as::<$db, _>("SELECT id, code FROM pd_courses WHERE event_id = $1")
                    .bind(event)
                    .fetch_all(&mut *conn)
                    .await?;
                let old: HashMap<String, i64> = old.into_iter().map(|(id, code)| (code, id)).collect();
                $crate::sqlx::query::<$db>("DELETE FROM pd_assignments WHERE event_id = $1").bind(event).execute(&mut *conn).await?;
                $crate::sqlx::query::<$db>("DELETE FROM pd_sections WHERE event_id = $1").bind(event).execute(&mut *conn).await?;
                $crate::sqlx::query::<$db>("DELETE FROM pd_slots WHERE event_id = $1").bind(event).execute(&mut *conn).await?;
                let mut slots = HashMap::new();
                for (position, s) in programme.slots.iter().enumerate() {
                    let sid = $crate::sqlx::query_scalar::<$db, i64>(
                        "INSERT INTO pd_slots (event_id, position, label, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(event)
                    .bind(position as i64)
                    .bind(&s.label)
                    .bind(s.starts_at)
                    .bind(s.ends_at)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| $crate::portable::conflict_or(e, &format!("slot \"{}\" is listed twice", s.label)))?;
                    slots.insert(s.label.as_str(), sid);
                }
                let mut courses = HashMap::new();
                for c in &programme.courses {
                    let cid = match old.get(&c.code) {
                        Some(&cid) => {
                            $crate::sqlx::query::<$db>("UPDATE pd_courses SET title = $2, description = $3, tags = $4, audience = $5 WHERE id = $1")
                                .bind(cid)
                                .bind(&c.title)
                                .bind(&c.description)
                                .bind(&c.tags)
                                .bind(&c.audience)
                                .execute(&mut *conn)
                                .await?;
                            cid
                        }
                        None => $crate::sqlx::query_scalar::<$db, i64>(
                            "INSERT INTO pd_courses (event_id, code, title, description, tags, audience) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                        )
                        .bind(event)
                        .bind(&c.code)
                        .bind(&c.title)
                        .bind(&c.description)
                        .bind(&c.tags)
                        .bind(&c.audience)
                        .fetch_one(&mut *conn)
                        .await?,
                    };
                    if courses.insert(c.code.as_str(), cid).is_some() {
                        return Err($crate::StoreError::Conflict(format!("course \"{}\" is listed twice", c.code)));
                    }
                }
                for (code, cid) in &old {
                    if !courses.contains_key(code.as_str()) {
                        $crate::sqlx::query::<$db>("DELETE FROM pd_courses WHERE id = $1").bind(*cid).execute(&mut *conn).await?;
                    }
                }
                for s in &programme.sections {
                    let course = *courses.get(s.course.as_str()).ok_or_else(|| {
                        $crate::StoreError::Conflict(format!("section \"{}\": course \"{}\" is not in the programme", s.code, s.course))
                    })?;
                    let slot = *slots.get(s.slot.as_str()).ok_or_else(|| {
                        $crate::StoreError::Conflict(format!("section \"{}\": slot \"{}\" is not in the programme", s.code, s.slot))
                    })?;
                    let sec = $crate::sqlx::query_scalar::<$db, i64>(
                        "INSERT INTO pd_sections (event_id, course_id, slot_id, code, room, capacity) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(event)
                    .bind(course)
                    .bind(slot)
                    .bind(&s.code)
                    .bind(&s.room)
                    .bind(s.capacity)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| $crate::portable::conflict_or(e, &format!("section \"{}\" is listed twice", s.code)))?;
                    for f in &s.facilitators {
                        $crate::sqlx::query::<$db>("INSERT INTO pd_facilitators (section_id, person_id) VALUES ($1, $2)")
                            .bind(sec)
                            .bind(f.get())
                            .execute(&mut *conn)
                            .await
                            .map_err(|e| $crate::portable::conflict_or(e, &format!("section \"{}\" lists a facilitator twice", s.code)))?;
                    }
                }
                Ok(())
            }

            /// Takes the event's row lock: every seat change of one event runs
            /// one after the other, so counts cannot go stale and no two
            /// changes deadlock.
            async fn pd_hold_event(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                event: i64,
            ) -> Result<(), $crate::sqlx::Error> {
                $crate::sqlx::query::<$db>("UPDATE pd_events SET sequence = sequence WHERE id = $1")
                    .bind(event)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            /// Attendees seated in a section.
            async fn pd_seated(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                section: i64,
            ) -> Result<i64, $crate::sqlx::Error> {
                $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM pd_assignments WHERE section_id = $1 AND NOT facilitating",
                )
                .bind(section)
                .fetch_one(&mut *conn)
                .await
            }

            /// Whether `person` may sit in `section` (capacity aside):
            /// `(slot, course, capacity, section held now in that slot)`.
            async fn pd_check(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                event: i64,
                person: i64,
                section: i64,
            ) -> Result<Result<(i64, i64, i64, i64), $crate::MoveRefused>, $crate::sqlx::Error> {
                use $crate::MoveRefused;
                let Some((slot, course, capacity)): Option<(i64, i64, i64)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT slot_id, course_id, capacity FROM pd_sections WHERE id = $1 AND event_id = $2",
                )
                .bind(section)
                .bind(event)
                .fetch_optional(&mut *conn)
                .await?
                else {
                    return Ok(Err(MoveRefused::UnknownSection));
                };
                let current: Option<(i64, bool)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT section_id, facilitating FROM pd_assignments WHERE event_id = $1 AND person_id = $2 AND slot_id = $3",
                )
                .bind(event)
                .bind(person)
                .bind(slot)
                .fetch_optional(&mut *conn)
                .await?;
                let Some((from, facilitating)) = current else {
                    return Ok(Err(MoveRefused::NotSeated));
                };
                if facilitating {
                    return Ok(Err(MoveRefused::Facilitating));
                }
                let twice = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM pd_assignments a JOIN pd_sections s ON s.id = a.section_id \
                     WHERE a.event_id = $1 AND a.person_id = $2 AND a.slot_id <> $3 AND s.course_id = $4",
                )
                .bind(event)
                .bind(person)
                .bind(slot)
                .bind(course)
                .fetch_one(&mut *conn)
                .await?;
                if twice > 0 {
                    return Ok(Err(MoveRefused::Duplicate));
                }
                Ok(Ok((slot, course, capacity, from)))
            }

            /// Moves `person` (already checked) into `section` in `slot`.
            async fn pd_seat(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                event: i64,
                person: i64,
                (slot, course, section): (i64, i64, i64),
                source: $crate::SeatSource,
            ) -> Result<(), $crate::sqlx::Error> {
                let rank = $crate::sqlx::query_scalar::<$db, i64>(
                    "SELECT rank FROM pd_preferences WHERE event_id = $1 AND person_id = $2 AND course_id = $3",
                )
                .bind(event)
                .bind(person)
                .bind(course)
                .fetch_optional(&mut *conn)
                .await?;
                $crate::sqlx::query::<$db>(
                    "UPDATE pd_assignments SET section_id = $4, rank = $5, source = $6 \
                     WHERE event_id = $1 AND person_id = $2 AND slot_id = $3",
                )
                .bind(event)
                .bind(person)
                .bind(slot)
                .bind(section)
                .bind(rank)
                .bind(source.as_str())
                .execute(&mut *conn)
                .await?;
                // Whoever gets a seat in a slot stops waiting for the others in it.
                $crate::sqlx::query::<$db>(
                    "DELETE FROM pd_waitlist WHERE event_id = $1 AND person_id = $2 \
                     AND section_id IN (SELECT id FROM pd_sections WHERE slot_id = $3)",
                )
                .bind(event)
                .bind(person)
                .bind(slot)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            /// One seat change and the waiting-list moves it sets off, in one
            /// transaction holding the event.
            async fn pd_change_seat(
                &self,
                event: i64,
                person: i64,
                section: i64,
                source: $crate::SeatSource,
                now: i64,
            ) -> $crate::StoreResult<Result<Vec<::waypoint_domain::PersonId>, $crate::MoveRefused>> {
                let mut tx = self.pool.begin_with($begin).await?;
                Self::pd_hold_event(&mut *tx, event).await?;
                let (slot, course, capacity, from) = match Self::pd_check(&mut *tx, event, person, section).await? {
                    Ok(c) => c,
                    Err(refused) => return Ok(Err(refused)),
                };
                if from == section {
                    return Ok(Ok(Vec::new()));
                }
                if Self::pd_seated(&mut *tx, section).await? >= capacity {
                    return Ok(Err($crate::MoveRefused::Full));
                }
                Self::pd_seat(&mut *tx, event, person, (slot, course, section), source).await?;
                // The seat just left goes to the best-placed person waiting for it, whose own
                // seat then goes to whoever waits for that one, and so on.
                let mut moved = Vec::new();
                let mut freed = vec![from];
                while let Some(sec) = freed.pop() {
                    let waiting: Vec<i64> = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT w.person_id FROM pd_waitlist w JOIN pd_sections s ON s.id = w.section_id \
                         LEFT JOIN pd_preferences p ON p.event_id = w.event_id AND p.person_id = w.person_id AND p.course_id = s.course_id \
                         WHERE w.section_id = $1 ORDER BY COALESCE(p.rank, 1000000), w.created_at, w.person_id",
                    )
                    .bind(sec)
                    .fetch_all(&mut *tx)
                    .await?;
                    for who in waiting {
                        let Ok((slot, course, capacity, left)) = Self::pd_check(&mut *tx, event, who, sec).await? else {
                            continue;
                        };
                        if Self::pd_seated(&mut *tx, sec).await? >= capacity {
                            break;
                        }
                        Self::pd_seat(&mut *tx, event, who, (slot, course, sec), $crate::SeatSource::Waitlist).await?;
                        moved.push(::waypoint_domain::PersonId::new(who));
                        freed.push(left);
                    }
                }
                $crate::sqlx::query::<$db>(
                    "UPDATE pd_events SET updated_at = $2, sequence = sequence + CASE WHEN state = 'published' THEN 1 ELSE 0 END WHERE id = $1",
                )
                .bind(event)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Ok(moved))
            }
        }
    };
}
