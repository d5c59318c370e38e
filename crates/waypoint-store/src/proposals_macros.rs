//! The [`portable_proposals!`](crate::portable_proposals) macro: one text of
//! the [`Proposals`](crate::Proposals) implementation, compiled once per
//! backend driver.

/// Implements [`Proposals`](crate::Proposals) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`; `$begin` is the
/// statement that begins a write transaction.
#[macro_export]
macro_rules! portable_proposals {
    ($store:ty, $db:ty, begin = $begin:expr) => {
        #[$crate::async_trait]
        impl $crate::Proposals for $store {
            async fn submit_proposal(&self, new: &$crate::NewProposal) -> $crate::StoreResult<::waypoint_domain::ProposalId> {
                let mut tx = self.pool.begin_with($begin).await?;
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO pd_proposals (event_id, proposer_id, title, description, audience, tags, room_needs, status, created_at, updated_at) \
                     SELECT id, $2, $3, $4, $5, $6, $7, 'submitted', $8, $8 FROM pd_events WHERE id = $1 AND state = 'proposals' \
                     RETURNING id",
                )
                .bind(new.event.get())
                .bind(new.proposer.get())
                .bind(new.text.title())
                .bind(new.text.description())
                .bind(new.text.audience())
                .bind(new.text.tags())
                .bind(new.text.room_needs())
                .bind(new.now)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| $crate::StoreError::Conflict("this day is not taking proposals".to_owned()))?;
                Self::pd_proposal_links(&mut tx, new.event.get(), id, &new.leads, &new.slots).await?;
                tx.commit().await?;
                Ok(::waypoint_domain::ProposalId::new(id))
            }

            async fn revise_proposal(
                &self,
                id: ::waypoint_domain::ProposalId,
                by: ::waypoint_domain::PersonId,
                text: &::waypoint_domain::pdday::ProposalText,
                leads: &[::waypoint_domain::PersonId],
                slots: &[::waypoint_domain::SlotId],
                now: i64,
            ) -> $crate::StoreResult<bool> {
                let mut tx = self.pool.begin_with($begin).await?;
                let event = $crate::sqlx::query_scalar::<$db, i64>(
                    "UPDATE pd_proposals SET title = $3, description = $4, audience = $5, tags = $6, room_needs = $7, \
                     status = 'submitted', updated_at = $8 \
                     WHERE id = $1 AND proposer_id = $2 AND status IN ('submitted', 'changes_requested') RETURNING event_id",
                )
                .bind(id.get())
                .bind(by.get())
                .bind(text.title())
                .bind(text.description())
                .bind(text.audience())
                .bind(text.tags())
                .bind(text.room_needs())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(event) = event else {
                    return Ok(false);
                };
                $crate::sqlx::query::<$db>("DELETE FROM pd_proposal_leads WHERE proposal_id = $1").bind(id.get()).execute(&mut *tx).await?;
                $crate::sqlx::query::<$db>("DELETE FROM pd_proposal_slots WHERE proposal_id = $1").bind(id.get()).execute(&mut *tx).await?;
                Self::pd_proposal_links(&mut tx, event, id.get(), leads, slots).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn withdraw_proposal(&self, id: ::waypoint_domain::ProposalId, by: ::waypoint_domain::PersonId) -> $crate::StoreResult<bool> {
                let gone = $crate::sqlx::query::<$db>(
                    "DELETE FROM pd_proposals WHERE id = $1 AND proposer_id = $2 AND status IN ('submitted', 'changes_requested')",
                )
                .bind(id.get())
                .bind(by.get())
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(gone == 1)
            }

            async fn proposal(&self, id: ::waypoint_domain::ProposalId) -> $crate::StoreResult<Option<$crate::Proposal>> {
                Ok(self.pd_proposals_where("id", id.get()).await?.pop())
            }

            async fn proposals(&self, event: ::waypoint_domain::EventId) -> $crate::StoreResult<Vec<$crate::Proposal>> {
                self.pd_proposals_where("event_id", event.get()).await
            }

            async fn review_proposal(
                &self,
                id: ::waypoint_domain::ProposalId,
                review: ::waypoint_domain::pdday::Review,
                note: &str,
                by: ::waypoint_domain::PersonId,
                now: i64,
            ) -> $crate::StoreResult<Option<::waypoint_domain::pdday::ProposalStatus>> {
                use ::waypoint_domain::pdday::Review;
                let mut tx = self.pool.begin_with($begin).await?;
                let status = review.status();
                let row: Option<(i64, String, String, String, String)> = $crate::sqlx::query_as::<$db, _>(
                    "UPDATE pd_proposals SET status = $2, note = $3, reviewed_by = $4, reviewed_at = $5, updated_at = $5 \
                     WHERE id = $1 AND status IN ('submitted', 'changes_requested') \
                     RETURNING event_id, title, description, tags, audience",
                )
                .bind(id.get())
                .bind(status.as_str())
                .bind(note)
                .bind(by.get())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((event, title, description, tags, audience)) = row else {
                    return Ok(None);
                };
                if review == Review::Accept {
                    let course = $crate::sqlx::query_scalar::<$db, i64>(
                        "INSERT INTO pd_courses (event_id, code, title, description, tags, audience) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(event)
                    .bind(format!("P{}", id.get()))
                    .bind(&title)
                    .bind(&description)
                    .bind(&tags)
                    .bind(&audience)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| $crate::portable::conflict_or(e, &format!("the programme already has a session with code P{}", id.get())))?;
                    $crate::sqlx::query::<$db>("UPDATE pd_proposals SET course_id = $2 WHERE id = $1")
                        .bind(id.get())
                        .bind(course)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Some(status))
            }

            async fn add_section(
                &self,
                event: ::waypoint_domain::EventId,
                section: &$crate::AddSection,
                now: i64,
            ) -> $crate::StoreResult<Result<::waypoint_domain::SectionId, $crate::ProgrammeRefused>> {
                use $crate::ProgrammeRefused;
                let mut tx = self.pool.begin_with($begin).await?;
                let event = event.get();
                if !Self::pd_hold_editable(&mut tx, event, now).await? {
                    return Ok(Err(ProgrammeRefused::Locked));
                }
                let Some(code): Option<String> = $crate::sqlx::query_scalar::<$db, String>(
                    "SELECT code FROM pd_courses WHERE id = $1 AND event_id = $2",
                )
                .bind(section.course.get())
                .bind(event)
                .fetch_optional(&mut *tx)
                .await?
                else {
                    return Ok(Err(ProgrammeRefused::UnknownCourse));
                };
                let slot_ok = $crate::sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM pd_slots WHERE id = $1 AND event_id = $2")
                    .bind(section.slot.get())
                    .bind(event)
                    .fetch_one(&mut *tx)
                    .await?;
                if slot_ok == 0 {
                    return Ok(Err(ProgrammeRefused::UnknownSlot));
                }
                let in_slot = $crate::sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM pd_sections WHERE course_id = $1 AND slot_id = $2")
                    .bind(section.course.get())
                    .bind(section.slot.get())
                    .fetch_one(&mut *tx)
                    .await?;
                if in_slot > 0 {
                    return Ok(Err(ProgrammeRefused::AlreadyInSlot));
                }
                if !section.room.is_empty() {
                    let booked = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT COUNT(*) FROM pd_sections WHERE event_id = $1 AND slot_id = $2 AND room = $3",
                    )
                    .bind(event)
                    .bind(section.slot.get())
                    .bind(&section.room)
                    .fetch_one(&mut *tx)
                    .await?;
                    if booked > 0 {
                        return Ok(Err(ProgrammeRefused::RoomTaken));
                    }
                }
                for f in &section.facilitators {
                    let busy = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT COUNT(*) FROM pd_facilitators f JOIN pd_sections s ON s.id = f.section_id \
                         WHERE f.person_id = $1 AND s.slot_id = $2",
                    )
                    .bind(f.get())
                    .bind(section.slot.get())
                    .fetch_one(&mut *tx)
                    .await?;
                    if busy > 0 {
                        return Ok(Err(ProgrammeRefused::FacilitatorBusy(*f)));
                    }
                }
                // The first free code of the form C-1, C-2, … for course C.
                let taken: Vec<String> = $crate::sqlx::query_scalar::<$db, String>("SELECT code FROM pd_sections WHERE event_id = $1")
                    .bind(event)
                    .fetch_all(&mut *tx)
                    .await?;
                let taken: ::std::collections::HashSet<String> = taken.into_iter().collect();
                let code = (1..)
                    .map(|n| format!("{code}-{n}"))
                    .find(|c| !taken.contains(c))
                    .unwrap_or_default();
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO pd_sections (event_id, course_id, slot_id, code, room, capacity) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(event)
                .bind(section.course.get())
                .bind(section.slot.get())
                .bind(&code)
                .bind(&section.room)
                .bind(section.capacity)
                .fetch_one(&mut *tx)
                .await?;
                let mut leads = section.facilitators.clone();
                leads.sort_unstable();
                leads.dedup();
                for f in leads {
                    $crate::sqlx::query::<$db>("INSERT INTO pd_facilitators (section_id, person_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(f.get())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Ok(::waypoint_domain::SectionId::new(id)))
            }

            async fn remove_section(
                &self,
                event: ::waypoint_domain::EventId,
                section: ::waypoint_domain::SectionId,
                now: i64,
            ) -> $crate::StoreResult<Result<(), $crate::ProgrammeRefused>> {
                use $crate::ProgrammeRefused;
                let mut tx = self.pool.begin_with($begin).await?;
                if !Self::pd_hold_editable(&mut tx, event.get(), now).await? {
                    return Ok(Err(ProgrammeRefused::Locked));
                }
                let gone = $crate::sqlx::query::<$db>("DELETE FROM pd_sections WHERE id = $1 AND event_id = $2")
                    .bind(section.get())
                    .bind(event.get())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if gone == 0 {
                    return Ok(Err(ProgrammeRefused::UnknownSection));
                }
                tx.commit().await?;
                Ok(Ok(()))
            }
        }

        impl $store {
            /// Holds the event's row while its programme changes; whether
            /// the programme may still change.
            async fn pd_hold_editable(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                event: i64,
                now: i64,
            ) -> Result<bool, $crate::sqlx::Error> {
                let held = $crate::sqlx::query::<$db>(
                    "UPDATE pd_events SET updated_at = $2 WHERE id = $1 AND state IN ('setup', 'proposals', 'preferences')",
                )
                .bind(event)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                Ok(held == 1)
            }

            /// Stores a proposal's co-facilitators and preferred slots
            /// (slots of other events are ignored).
            async fn pd_proposal_links(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                event: i64,
                proposal: i64,
                leads: &[::waypoint_domain::PersonId],
                slots: &[::waypoint_domain::SlotId],
            ) -> $crate::StoreResult<()> {
                let mut leads = leads.to_vec();
                leads.sort_unstable();
                leads.dedup();
                for l in leads {
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO pd_proposal_leads (proposal_id, person_id) \
                         SELECT id, $2 FROM pd_proposals WHERE id = $1 AND proposer_id <> $2",
                    )
                    .bind(proposal)
                    .bind(l.get())
                    .execute(&mut *conn)
                    .await?;
                }
                let mut slots = slots.to_vec();
                slots.sort_unstable();
                slots.dedup();
                for s in slots {
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO pd_proposal_slots (proposal_id, slot_id) SELECT $1, id FROM pd_slots WHERE id = $2 AND event_id = $3",
                    )
                    .bind(proposal)
                    .bind(s.get())
                    .bind(event)
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            /// Proposals whose `column` (`id` or `event_id`) is `value`, oldest first.
            async fn pd_proposals_where(&self, column: &str, value: i64) -> $crate::StoreResult<Vec<$crate::Proposal>> {
                use ::waypoint_domain::{CourseId, EventId, PersonId, ProposalId, SlotId};
                use ::waypoint_domain::pdday::ProposalStatus;
                let sql = format!(
                    "SELECT p.id, p.event_id, p.proposer_id, a.given_name || ' ' || a.family_name, p.title, p.description, \
                     p.audience, p.tags, p.room_needs, p.status, p.note, p.reviewed_by, r.given_name || ' ' || r.family_name, \
                     p.reviewed_at, p.course_id, p.created_at \
                     FROM pd_proposals p JOIN people a ON a.id = p.proposer_id LEFT JOIN people r ON r.id = p.reviewed_by \
                     WHERE p.{column} = $1 ORDER BY p.created_at, p.id"
                );
                let rows: Vec<(i64, i64, i64, String, String, String, String, String, String, String, String, Option<i64>, Option<String>, Option<i64>, Option<i64>, i64)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(value).fetch_all(&self.pool).await?;
                let leads: Vec<(i64, i64, String)> = $crate::sqlx::query_as::<$db, _>(&format!(
                    "SELECT l.proposal_id, a.id, a.given_name || ' ' || a.family_name FROM pd_proposal_leads l \
                     JOIN pd_proposals p ON p.id = l.proposal_id JOIN people a ON a.id = l.person_id \
                     WHERE p.{column} = $1 ORDER BY a.family_name, a.given_name, a.id"
                ))
                .bind(value)
                .fetch_all(&self.pool)
                .await?;
                let slots: Vec<(i64, i64)> = $crate::sqlx::query_as::<$db, _>(&format!(
                    "SELECT l.proposal_id, l.slot_id FROM pd_proposal_slots l JOIN pd_proposals p ON p.id = l.proposal_id \
                     JOIN pd_slots t ON t.id = l.slot_id WHERE p.{column} = $1 ORDER BY t.position"
                ))
                .bind(value)
                .fetch_all(&self.pool)
                .await?;
                let mut lead_map: ::std::collections::HashMap<i64, Vec<(PersonId, String)>> = ::std::collections::HashMap::new();
                for (p, person, name) in leads {
                    lead_map.entry(p).or_default().push((PersonId::new(person), name));
                }
                let mut slot_map: ::std::collections::HashMap<i64, Vec<SlotId>> = ::std::collections::HashMap::new();
                for (p, slot) in slots {
                    slot_map.entry(p).or_default().push(SlotId::new(slot));
                }
                rows.into_iter()
                    .map(|(id, event, proposer, proposer_name, title, description, audience, tags, room_needs, status, note, reviewed_by, reviewer, reviewed_at, course, created_at)| {
                        Ok($crate::Proposal {
                            id: ProposalId::new(id),
                            event: EventId::new(event),
                            proposer: (PersonId::new(proposer), proposer_name),
                            title,
                            description,
                            audience,
                            tags,
                            room_needs,
                            leads: lead_map.remove(&id).unwrap_or_default(),
                            slots: slot_map.remove(&id).unwrap_or_default(),
                            status: ProposalStatus::parse(&status)
                                .ok_or_else(|| $crate::StoreError::Corrupt(format!("proposal status {status}")))?,
                            note,
                            reviewed_by: reviewed_by.map(|r| (PersonId::new(r), reviewer.unwrap_or_default())),
                            reviewed_at,
                            course: course.map(CourseId::new),
                            created_at,
                        })
                    })
                    .collect()
            }
        }
    };
}
