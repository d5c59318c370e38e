//! The [`portable_frameworks!`](crate::portable_frameworks) macro: one text
//! of the [`Frameworks`](crate::Frameworks) implementation, compiled once
//! per backend driver.

/// Implements [`Frameworks`](crate::Frameworks) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field) on the sqlx driver `$db`; `$begin` is the
/// statement that begins a write transaction.
#[macro_export]
macro_rules! portable_frameworks {
    ($store:ty, $db:ty, begin = $begin:expr) => {
        #[$crate::async_trait]
        impl $crate::Frameworks for $store {
            async fn save_framework(&self, new: &$crate::NewFramework) -> $crate::StoreResult<(i64, bool)> {
                let mut tx = self.pool.begin_with($begin).await?;
                let old = $crate::sqlx::query_scalar::<$db, i64>("SELECT id FROM frameworks WHERE identifier = $1")
                    .bind(&new.identifier)
                    .fetch_optional(&mut *tx)
                    .await?;
                // One statement whether the framework is new or replaced; a
                // replaced one keeps its id and loses its old items below.
                let id = $crate::sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO frameworks (identifier, uri, title, creator, description, adoption_status, case_version, source, \
                     last_change, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                     ON CONFLICT (identifier) DO UPDATE SET uri = excluded.uri, title = excluded.title, creator = excluded.creator, \
                     description = excluded.description, adoption_status = excluded.adoption_status, \
                     case_version = excluded.case_version, source = excluded.source, last_change = excluded.last_change, \
                     imported_by = excluded.imported_by, imported_at = excluded.imported_at RETURNING id",
                )
                .bind(&new.identifier)
                .bind(&new.uri)
                .bind(&new.title)
                .bind(&new.creator)
                .bind(&new.description)
                .bind(&new.adoption_status)
                .bind(&new.case_version)
                .bind(&new.source)
                .bind(new.last_change)
                .bind(new.imported_by.map(|p| p.get()))
                .bind(new.now)
                .fetch_one(&mut *tx)
                .await?;
                let mut seen = ::std::collections::HashSet::new();
                if let Some(twice) = new.items.iter().find(|i| !seen.insert(i.identifier.as_str())) {
                    return Err($crate::StoreError::Conflict(format!("item {} is listed twice", twice.identifier)));
                }
                if old.is_some() {
                    $crate::sqlx::query::<$db>("DELETE FROM framework_associations WHERE framework_id = $1").bind(id).execute(&mut *tx).await?;
                }
                // Items keep their ids across a re-import, so goals, evidence
                // and ratings that name them keep naming them.
                for (position, item) in new.items.iter().enumerate() {
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO framework_items (framework_id, identifier, uri, position, depth, parent, code, statement, abbreviated, item_type, levels) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (framework_id, identifier) DO UPDATE SET \
                         uri = excluded.uri, position = excluded.position, depth = excluded.depth, parent = excluded.parent, code = excluded.code, \
                         statement = excluded.statement, abbreviated = excluded.abbreviated, item_type = excluded.item_type, \
                         levels = excluded.levels, retired = 0",
                    )
                    .bind(id)
                    .bind(&item.identifier)
                    .bind(&item.uri)
                    .bind(position as i64)
                    .bind(item.depth)
                    .bind(item.parent.as_deref())
                    .bind(&item.code)
                    .bind(&item.statement)
                    .bind(&item.abbreviated)
                    .bind(&item.item_type)
                    .bind(&item.levels)
                    .execute(&mut *tx)
                    .await?;
                }
                if old.is_some() {
                    // Items no longer listed: gone, unless something names them.
                    let existing: Vec<(i64, String)> = $crate::sqlx::query_as("SELECT id, identifier FROM framework_items WHERE framework_id = $1")
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?;
                    for (item, identifier) in existing {
                        if seen.contains(identifier.as_str()) {
                            continue;
                        }
                        let used = $crate::sqlx::query_scalar::<$db, i64>(
                            "SELECT (SELECT COUNT(*) FROM goal_competencies WHERE item_id = $1) + \
                             (SELECT COUNT(*) FROM competency_ratings WHERE item_id = $1) + \
                             (SELECT COUNT(*) FROM evidence_competencies WHERE item_id = $1)",
                        )
                        .bind(item)
                        .fetch_one(&mut *tx)
                        .await?;
                        let sql = if used > 0 {
                            "UPDATE framework_items SET retired = 1 WHERE id = $1"
                        } else {
                            "DELETE FROM framework_items WHERE id = $1"
                        };
                        $crate::sqlx::query::<$db>(sql).bind(item).execute(&mut *tx).await?;
                    }
                }
                for a in &new.associations {
                    $crate::sqlx::query::<$db>(
                        "INSERT INTO framework_associations (framework_id, identifier, kind, origin, destination, sequence) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(&a.identifier)
                    .bind(&a.kind)
                    .bind(&a.origin)
                    .bind(&a.destination)
                    .bind(a.sequence)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| $crate::portable::conflict_or(e, &format!("association {} is listed twice", a.identifier)))?;
                }
                tx.commit().await?;
                Ok((id, old.is_some()))
            }

            async fn frameworks(&self) -> $crate::StoreResult<Vec<$crate::FrameworkSummary>> {
                let sql = format!("{} ORDER BY f.title, f.id", Self::FRAMEWORK_SELECT);
                let rows: Vec<$crate::portable::FrameworkTuple> = $crate::sqlx::query_as::<$db, _>(&sql).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map($crate::portable::framework_from).collect())
            }

            async fn framework(&self, id: i64) -> $crate::StoreResult<Option<$crate::FrameworkSummary>> {
                let sql = format!("{} WHERE f.id = $1", Self::FRAMEWORK_SELECT);
                let row: Option<$crate::portable::FrameworkTuple> =
                    $crate::sqlx::query_as::<$db, _>(&sql).bind(id).fetch_optional(&self.pool).await?;
                Ok(row.map($crate::portable::framework_from))
            }

            async fn framework_items(&self, id: i64) -> $crate::StoreResult<Vec<$crate::FrameworkItem>> {
                let rows: Vec<(i64, String, i64, String, String, String, String, String, Option<String>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT id, identifier, depth, code, statement, item_type, levels, uri, parent FROM framework_items WHERE framework_id = $1 AND retired = 0 ORDER BY position",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, identifier, depth, code, statement, item_type, levels, uri, parent)| $crate::FrameworkItem {
                        id,
                        identifier,
                        uri,
                        parent,
                        depth,
                        code,
                        statement,
                        item_type,
                        levels,
                    })
                    .collect())
            }

            async fn framework_associations(&self, id: i64) -> $crate::StoreResult<Vec<$crate::NewFrameworkAssociation>> {
                let rows: Vec<(String, String, String, String, Option<i64>)> = $crate::sqlx::query_as::<$db, _>(
                    "SELECT identifier, kind, origin, destination, sequence FROM framework_associations WHERE framework_id = $1 ORDER BY identifier",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(identifier, kind, origin, destination, sequence)| $crate::NewFrameworkAssociation {
                        identifier,
                        kind,
                        origin,
                        destination,
                        sequence,
                    })
                    .collect())
            }
        }

        impl $store {
            const FRAMEWORK_SELECT: &'static str = "SELECT f.id, f.identifier, f.title, f.creator, f.description, f.adoption_status, \
                f.case_version, f.source, \
                (SELECT COUNT(*) FROM framework_items i WHERE i.framework_id = f.id AND i.retired = 0), \
                (SELECT COUNT(*) FROM framework_associations a WHERE a.framework_id = f.id), f.imported_at, f.uri, f.last_change FROM frameworks f";
        }
    };
}
