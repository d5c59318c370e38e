//! The [`portable_setup!`](crate::portable_setup) macro: one text of the
//! [`EventSetup`](crate::EventSetup) implementation, compiled once per
//! backend driver.

/// Implements [`EventSetup`](crate::EventSetup) for `$store` (a struct with
/// a `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`; `$begin` is the
/// statement that begins a write transaction.
#[macro_export]
macro_rules! portable_setup {
    ($store:ty, $db:ty, begin = $begin:expr) => {
        #[$crate::async_trait]
        impl $crate::EventSetup for $store {
            async fn rooms(&self, event: ::waypoint_domain::EventId) -> $crate::StoreResult<Vec<$crate::Room>> {
                let rows: Vec<(i64, String, i64, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, name, capacity, features FROM pd_rooms WHERE event_id = $1 ORDER BY name, id",
                )
                .bind(event.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, capacity, features)| $crate::Room { id, name, capacity, features })
                    .collect())
            }

            async fn add_room(&self, event: ::waypoint_domain::EventId, name: &str, capacity: i64, features: &str) -> $crate::StoreResult<i64> {
                $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO pd_rooms (event_id, name, capacity, features) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(event.get())
                .bind(name)
                .bind(capacity)
                .bind(features)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| $crate::portable::conflict_or(e, &format!("there is already a room called \"{name}\"")))
            }

            async fn remove_room(&self, event: ::waypoint_domain::EventId, room: i64) -> $crate::StoreResult<bool> {
                let gone = $crate::sqlx::query::<$db>("DELETE FROM pd_rooms WHERE id = $1 AND event_id = $2")
                    .bind(room)
                    .bind(event.get())
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(gone == 1)
            }

            async fn general_sessions(&self, event: ::waypoint_domain::EventId) -> $crate::StoreResult<Vec<$crate::GeneralSession>> {
                let rows: Vec<(i64, String, i64, i64, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, title, starts_at, ends_at, location FROM pd_general_sessions WHERE event_id = $1 ORDER BY starts_at, id",
                )
                .bind(event.get())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, title, starts_at, ends_at, location)| $crate::GeneralSession { id, title, starts_at, ends_at, location })
                    .collect())
            }

            async fn add_general_session(
                &self,
                event: ::waypoint_domain::EventId,
                title: &str,
                starts_at: i64,
                ends_at: i64,
                location: &str,
            ) -> $crate::StoreResult<i64> {
                if ends_at <= starts_at {
                    return Err($crate::StoreError::Conflict("a general session must end after it starts".to_owned()));
                }
                let mut tx = self.pool.begin_with($begin).await?;
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO pd_general_sessions (event_id, title, starts_at, ends_at, location) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(event.get())
                .bind(title)
                .bind(starts_at)
                .bind(ends_at)
                .bind(location)
                .fetch_one(&mut *tx)
                .await?;
                // Published calendars pick the new entry up.
                Self::pd_bump_published(&mut tx, event.get()).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn remove_general_session(&self, event: ::waypoint_domain::EventId, id: i64) -> $crate::StoreResult<bool> {
                let mut tx = self.pool.begin_with($begin).await?;
                let gone = $crate::sqlx::query::<$db>("DELETE FROM pd_general_sessions WHERE id = $1 AND event_id = $2")
                    .bind(id)
                    .bind(event.get())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if gone == 1 {
                    Self::pd_bump_published(&mut tx, event.get()).await?;
                }
                tx.commit().await?;
                Ok(gone == 1)
            }

            async fn event_audience(&self, event: ::waypoint_domain::EventId) -> $crate::StoreResult<::waypoint_domain::pdday::Audience> {
                let rows: Vec<(String, String)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT kind, value FROM pd_audience WHERE event_id = $1 ORDER BY kind, value",
                )
                .bind(event.get())
                .fetch_all(&self.pool)
                .await?;
                let mut out = ::waypoint_domain::pdday::Audience::default();
                for (kind, value) in rows {
                    match kind.as_str() {
                        "school" => out.schools.push(::waypoint_domain::OrgId::new(
                            value.parse().map_err(|_| $crate::StoreError::Corrupt(format!("audience school {value}")))?,
                        )),
                        _ => out.roles.push(value),
                    }
                }
                Ok(out)
            }

            async fn set_event_audience(
                &self,
                event: ::waypoint_domain::EventId,
                audience: &::waypoint_domain::pdday::Audience,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                $crate::sqlx::query::<$db>("DELETE FROM pd_audience WHERE event_id = $1")
                    .bind(event.get())
                    .execute(&mut *tx)
                    .await?;
                let schools = audience.schools.iter().map(|s| ("school", s.get().to_string()));
                let roles = audience.roles.iter().map(|r| ("role", r.clone()));
                let rows: ::std::collections::BTreeSet<(&str, String)> = schools.chain(roles).collect();
                for (kind, value) in rows {
                    $crate::sqlx::query::<$db>("INSERT INTO pd_audience (event_id, kind, value) VALUES ($1, $2, $3)")
                        .bind(event.get())
                        .bind(kind)
                        .bind(&value)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }

        impl $store {
            /// Moves a published (or finished) day's calendar sequence, so
            /// calendar apps take a change to its schedules.
            async fn pd_bump_published(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                event: i64,
            ) -> Result<(), $crate::sqlx::Error> {
                $crate::sqlx::query::<$db>(
                    "UPDATE pd_events SET sequence = sequence + 1 WHERE id = $1 AND state IN ('published', 'finished')",
                )
                .bind(event)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }
        }
    };
}
