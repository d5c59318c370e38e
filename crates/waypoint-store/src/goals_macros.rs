//! The [`portable_goals!`](crate::portable_goals) macro: one text of the
//! [`Goals`](crate::Goals) implementation, compiled once per backend driver.

/// Implements [`Goals`](crate::Goals) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`; `$begin` is the
/// statement that begins a write transaction.
#[macro_export]
macro_rules! portable_goals {
    ($store:ty, $db:ty, begin = $begin:expr) => {
        #[$crate::async_trait]
        impl $crate::Goals for $store {
            async fn create_system_goal(&self, new: &$crate::NewSystemGoal) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                if let Some(to) = new.aligned_to {
                    // The goal served must be the school's own district's, for the same year.
                    let ok = $crate::sqlx::query_scalar::<$db, i64>(
                        "SELECT COUNT(*) FROM system_goals g JOIN orgs s ON s.parent_id = g.org_id \
                         WHERE g.id = $1 AND s.id = $2 AND g.school_year = $3",
                    )
                    .bind(to)
                    .bind(new.org.get())
                    .bind(i64::from(new.year.start()))
                    .fetch_one(&mut *tx)
                    .await?;
                    if ok == 0 {
                        return Err($crate::StoreError::Conflict(
                            "a school goal can serve only a goal of its own district for the same year".to_owned(),
                        ));
                    }
                }
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO system_goals (org_id, school_year, statement, measure, target, groups, aligned_to, created_by, created_at, updated_at, \
                     measure_subject, measure_grade, measure_target) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12) RETURNING id",
                )
                .bind(new.org.get())
                .bind(i64::from(new.year.start()))
                .bind(&new.text.statement)
                .bind(&new.text.measure)
                .bind(&new.text.target)
                .bind(&new.text.groups)
                .bind(new.aligned_to)
                .bind(new.by.get())
                .bind(new.now)
                .bind(new.results.as_ref().map(|m| m.subject.as_str()))
                .bind(new.results.as_ref().and_then(|m| m.grade.as_deref()))
                .bind(new.results.as_ref().and_then(|m| m.target_percent).map(i64::from))
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn system_goal(&self, id: i64) -> $crate::StoreResult<Option<$crate::SystemGoal>> {
                let sql = format!("{} WHERE g.id = $1", Self::GOAL_SELECT);
                let row: Option<$crate::portable::GoalTuple> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(id).fetch_optional(&self.pool).await?;
                row.map($crate::portable::goal_from).transpose()
            }

            async fn system_goals(
                &self,
                orgs: &[::waypoint_domain::OrgId],
                year: ::waypoint_domain::goals::SchoolYear,
            ) -> $crate::StoreResult<Vec<$crate::SystemGoal>> {
                let mut out = Vec::new();
                let sql = format!("{} WHERE g.org_id = $1 AND g.school_year = $2 ORDER BY g.created_at, g.id", Self::GOAL_SELECT);
                for org in orgs {
                    let rows: Vec<$crate::portable::GoalTuple> = $crate::sqlx::query_as::<$db, _>(&sql)
                        .bind(org.get())
                        .bind(i64::from(year.start()))
                        .fetch_all(&self.pool)
                        .await?;
                    for row in rows {
                        out.push($crate::portable::goal_from(row)?);
                    }
                }
                Ok(out)
            }

            async fn remove_system_goal(&self, id: i64) -> $crate::StoreResult<bool> {
                let gone = $crate::sqlx::query::<$db>("DELETE FROM system_goals WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(gone == 1)
            }
        }

        impl $store {
            const GOAL_SELECT: &'static str = "SELECT g.id, g.org_id, o.name, g.school_year, g.statement, g.measure, g.target, \
                g.groups, g.aligned_to, g.created_at, g.measure_subject, g.measure_grade, g.measure_target \
                FROM system_goals g JOIN orgs o ON o.id = g.org_id";
        }
    };
}
