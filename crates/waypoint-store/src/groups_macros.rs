//! The [`portable_groups!`](crate::portable_groups) macro: one text of the
//! [`Groups`](crate::Groups) implementation, compiled once per backend driver.

/// Implements [`Groups`](crate::Groups) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`; `$begin` is the
/// statement that begins a write transaction.
#[macro_export]
macro_rules! portable_groups {
    ($store:ty, $db:ty, begin = $begin:expr) => {
        #[$crate::async_trait]
        impl $crate::Groups for $store {
            async fn create_group(&self, new: &$crate::NewGroup) -> $crate::StoreResult<::waypoint_domain::GroupId> {
                let mut tx = self.pool.begin_with($begin).await?;
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO learning_groups (org_id, kind, title, description, from_section, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(new.org.get())
                .bind(new.kind.as_str())
                .bind(&new.title)
                .bind(&new.description)
                .bind(new.from_section.map(|s| s.get()))
                .bind(new.created_by.get())
                .bind(new.now)
                .fetch_one(&mut *tx)
                .await?;
                let leads: ::std::collections::BTreeSet<i64> = new.leads.iter().map(|p| p.get()).collect();
                let invited: ::std::collections::BTreeSet<i64> =
                    new.invite.iter().map(|p| p.get()).filter(|p| !leads.contains(p)).collect();
                for (people, lead, status) in [(&leads, true, "joined"), (&invited, false, "invited")] {
                    for person in people {
                        $crate::sqlx::query::<$db>(
                            "INSERT INTO learning_group_members (group_id, person_id, lead, status, invited_at, answered_at) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(id)
                        .bind(*person)
                        .bind(lead)
                        .bind(status)
                        .bind(new.now)
                        .bind(lead.then_some(new.now))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(::waypoint_domain::GroupId::new(id))
            }

            async fn group(&self, id: ::waypoint_domain::GroupId) -> $crate::StoreResult<Option<$crate::Group>> {
                let sql = format!("{} WHERE g.id = $1", Self::GROUP_SELECT);
                let row: Option<(i64, i64, String, String, String, Option<i64>, i64)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(id.get()).fetch_optional(&self.pool).await?;
                row.map(Self::group_from).transpose()
            }

            async fn group_members(&self, id: ::waypoint_domain::GroupId) -> $crate::StoreResult<Vec<$crate::Member>> {
                let rows: Vec<(i64, String, bool, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT p.id, p.given_name || ' ' || p.family_name, m.lead, m.status FROM learning_group_members m \
                     JOIN people p ON p.id = m.person_id WHERE m.group_id = $1 \
                     ORDER BY m.lead DESC, p.family_name, p.given_name, p.id",
                )
                .bind(id.get())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(person, name, lead, status)| {
                        Ok($crate::Member {
                            person: ::waypoint_domain::PersonId::new(person),
                            name,
                            lead,
                            status: ::waypoint_domain::group::MemberStatus::parse(&status)
                                .ok_or_else(|| $crate::StoreError::Corrupt(format!("member status {status}")))?,
                        })
                    })
                    .collect()
            }

            async fn groups_of(
                &self,
                person: ::waypoint_domain::PersonId,
            ) -> $crate::StoreResult<Vec<($crate::Group, ::waypoint_domain::group::MemberStatus)>> {
                let sql = format!(
                    "{} JOIN learning_group_members m ON m.group_id = g.id WHERE m.person_id = $1 ORDER BY g.created_at DESC, g.id DESC",
                    Self::GROUP_SELECT.replace("SELECT ", "SELECT m.status, ")
                );
                let rows: Vec<(String, i64, i64, String, String, String, Option<i64>, i64)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(person.get()).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(status, id, org, kind, title, description, from, at)| {
                        let status = ::waypoint_domain::group::MemberStatus::parse(&status)
                            .ok_or_else(|| $crate::StoreError::Corrupt(format!("member status {status}")))?;
                        Ok((Self::group_from((id, org, kind, title, description, from, at))?, status))
                    })
                    .collect()
            }

            async fn group_origin(
                &self,
                id: ::waypoint_domain::GroupId,
            ) -> $crate::StoreResult<Option<(::waypoint_domain::EventId, String, String)>> {
                let row: Option<(i64, String, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT e.id, e.title, c.title FROM learning_groups g JOIN pd_sections s ON s.id = g.from_section \
                     JOIN pd_events e ON e.id = s.event_id JOIN pd_courses c ON c.id = s.course_id WHERE g.id = $1",
                )
                .bind(id.get())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(e, event, course)| (::waypoint_domain::EventId::new(e), event, course)))
            }

            async fn groups_in(&self, org: ::waypoint_domain::OrgId) -> $crate::StoreResult<Vec<$crate::Group>> {
                let sql = format!("{} WHERE g.org_id = $1 ORDER BY g.created_at DESC, g.id DESC", Self::GROUP_SELECT);
                let rows: Vec<(i64, i64, String, String, String, Option<i64>, i64)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(org.get()).fetch_all(&self.pool).await?;
                rows.into_iter().map(Self::group_from).collect()
            }

            async fn groups_from(&self, section: ::waypoint_domain::SectionId) -> $crate::StoreResult<Vec<$crate::Group>> {
                let sql = format!("{} WHERE g.from_section = $1 ORDER BY g.created_at, g.id", Self::GROUP_SELECT);
                let rows: Vec<(i64, i64, String, String, String, Option<i64>, i64)> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(section.get()).fetch_all(&self.pool).await?;
                rows.into_iter().map(Self::group_from).collect()
            }

            async fn answer_invitation(
                &self,
                group: ::waypoint_domain::GroupId,
                person: ::waypoint_domain::PersonId,
                join: bool,
                now: i64,
            ) -> $crate::StoreResult<bool> {
                let changed = $crate::sqlx::query::<$db>(
                    "UPDATE learning_group_members SET status = $3, answered_at = $4 WHERE group_id = $1 AND person_id = $2 AND NOT lead",
                )
                .bind(group.get())
                .bind(person.get())
                .bind(if join { "joined" } else { "declined" })
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(changed == 1)
            }
        }

        impl $store {
            const GROUP_SELECT: &'static str =
                "SELECT g.id, g.org_id, g.kind, g.title, g.description, g.from_section, g.created_at FROM learning_groups g";

            fn group_from(
                (id, org, kind, title, description, from, created_at): (i64, i64, String, String, String, Option<i64>, i64),
            ) -> $crate::StoreResult<$crate::Group> {
                Ok($crate::Group {
                    id: ::waypoint_domain::GroupId::new(id),
                    org: ::waypoint_domain::OrgId::new(org),
                    kind: ::waypoint_domain::group::GroupKind::parse(&kind)
                        .ok_or_else(|| $crate::StoreError::Corrupt(format!("group kind {kind}")))?,
                    title,
                    description,
                    from_section: from.map(::waypoint_domain::SectionId::new),
                    created_at,
                })
            }
        }
    };
}
