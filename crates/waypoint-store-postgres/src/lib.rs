//! The scale-out backend: [`Store`] on PostgreSQL. Several `waypoint serve`
//! processes can share one database: sessions, uploads and jobs live here,
//! and jobs are claimed with `FOR UPDATE SKIP LOCKED`.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgConnection, PgPool};
use std::str::FromStr;
use std::time::Duration;
use waypoint_store::portable::{ColumnType, SqlValue, UpsertSpec};
use waypoint_store::{Backend, Store, StoreError, StoreResult, portable_store};

/// Migrations, in order. Each runs once, in its own transaction.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/0001_foundation.sql"),
    ),
    (
        2,
        "org_sizes",
        include_str!("../migrations/0002_org_sizes.sql"),
    ),
    (3, "pd_days", include_str!("../migrations/0003_pd_days.sql")),
    (
        4,
        "pd_waitlist",
        include_str!("../migrations/0004_pd_waitlist.sql"),
    ),
    (
        5,
        "pd_attendance",
        include_str!("../migrations/0005_pd_attendance.sql"),
    ),
    (
        6,
        "pd_feedback",
        include_str!("../migrations/0006_pd_feedback.sql"),
    ),
    (
        7,
        "pd_feeds",
        include_str!("../migrations/0007_pd_feeds.sql"),
    ),
    (
        8,
        "pd_proposals",
        include_str!("../migrations/0008_pd_proposals.sql"),
    ),
    (9, "groups", include_str!("../migrations/0009_groups.sql")),
    (
        10,
        "pd_setup",
        include_str!("../migrations/0010_pd_setup.sql"),
    ),
    (
        11,
        "frameworks",
        include_str!("../migrations/0011_frameworks.sql"),
    ),
    (
        12,
        "system_goals",
        include_str!("../migrations/0012_system_goals.sql"),
    ),
    (
        13,
        "pd_course_audience",
        include_str!("../migrations/0013_pd_course_audience.sql"),
    ),
    (14, "growth", include_str!("../migrations/0014_growth.sql")),
    (
        15,
        "showcase",
        include_str!("../migrations/0015_showcase.sql"),
    ),
    (16, "mail", include_str!("../migrations/0016_mail.sql")),
    (
        17,
        "framework_item_retired",
        include_str!("../migrations/0017_framework_item_retired.sql"),
    ),
    (
        18,
        "assessments",
        include_str!("../migrations/0018_assessments.sql"),
    ),
    (
        19,
        "result_bands",
        include_str!("../migrations/0019_result_bands.sql"),
    ),
    (
        20,
        "results_links",
        include_str!("../migrations/0020_results_links.sql"),
    ),
];

/// Serialises migrations across processes (an arbitrary, fixed key).
const MIGRATION_LOCK: i64 = 0x5741_5950_4f49_4e54;

/// Rows per `UNNEST` statement; bounds memory on very large imports.
const ROWS_PER_STATEMENT: usize = 50_000;

/// A Waypoint store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// The connection pool underneath, for maintenance tools and for tests
    /// that must reach the database directly (to make a write fail).
    pub const fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Connects to `url` (`postgres://…`). Does not migrate.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects with every table in `schema` (created if missing): lets
    /// tests share one database without sharing rows.
    pub async fn connect_in_schema(url: &str, schema: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let mut conn = sqlx::ConnectOptions::connect(&options).await?;
        let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
        conn.execute(format!("CREATE SCHEMA IF NOT EXISTS {quoted}").as_str())
            .await?;
        Self::connect_with(options.options([("search_path", schema)])).await
    }

    async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
        let result = migrate_locked(&mut conn).await;
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
        result
    }
}

async fn migrate_locked(conn: &mut PgConnection) -> StoreResult<()> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS waypoint_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    for (version, name, sql) in MIGRATIONS {
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM waypoint_migrations WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *conn)
                .await?;
        if done.is_some() {
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        tx.execute(*sql).await?;
        sqlx::query(
            "INSERT INTO waypoint_migrations (version, name, applied_at) \
             VALUES ($1, $2, (extract(epoch from now()) * 1000)::bigint)",
        )
        .bind(version)
        .bind(name)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// `INSERT … SELECT * FROM UNNEST(arrays…)`: one statement (per 50,000 rows)
/// whatever the row count; returns the rows inserted or changed.
async fn bulk_upsert(
    conn: &mut PgConnection,
    spec: &UpsertSpec,
    rows: &[Vec<SqlValue>],
) -> Result<u64, sqlx::Error> {
    if rows.is_empty() {
        return Ok(0);
    }
    let casts: Vec<String> = spec
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| {
            let t = match ty {
                ColumnType::Text => "text[]",
                ColumnType::Int => "int8[]",
                ColumnType::Bool => "bool[]",
            };
            format!("${}::{t}", i + 1)
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) SELECT * FROM UNNEST({}){}",
        spec.table,
        spec.column_list(),
        casts.join(", "),
        spec.conflict_clause()
    );
    let mut changed = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::query(&sql);
        for (i, (_, ty)) in spec.columns.iter().enumerate() {
            q = match ty {
                ColumnType::Text => q.bind(
                    chunk
                        .iter()
                        .map(|r| match &r[i] {
                            SqlValue::Text(v) => v.clone(),
                            SqlValue::Int(v) => v.map(|n| n.to_string()),
                            SqlValue::Bool(b) => Some(b.to_string()),
                        })
                        .collect::<Vec<Option<String>>>(),
                ),
                ColumnType::Int => q.bind(
                    chunk
                        .iter()
                        .map(|r| match &r[i] {
                            SqlValue::Int(v) => *v,
                            SqlValue::Bool(b) => Some(i64::from(*b)),
                            SqlValue::Text(_) => None,
                        })
                        .collect::<Vec<Option<i64>>>(),
                ),
                ColumnType::Bool => q.bind(
                    chunk
                        .iter()
                        .map(|r| matches!(r[i], SqlValue::Bool(true)))
                        .collect::<Vec<bool>>(),
                ),
            };
        }
        changed += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(changed)
}

portable_store!(
    PgStore,
    sqlx::Postgres,
    begin = "BEGIN",
    after_import =
        "ANALYZE orgs, people, person_orgs, classes, courses, enrollments, grants, org_sizes",
    bulk_upsert = bulk_upsert,
    claim_job_sql = "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2 \
        WHERE id = (SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND locked_until < $3) \
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
        RETURNING id, kind, payload, status, attempts, locked_by, error",
    {
        fn backend(&self) -> Backend {
            Backend::Postgres
        }

        async fn migrate(&self) -> StoreResult<()> {
            self.run_migrations().await?;
            self.fill_org_sizes_if_missing().await?;
            self.fill_result_bands_if_missing().await
        }
    }
);

/// Opens and migrates a store; the common start-up path.
pub async fn open(url: &str) -> Result<PgStore, StoreError> {
    let store = PgStore::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Test support: a store in a fresh, uniquely named schema of the database
/// named by `WAYPOINT_TEST_POSTGRES_URL`, or `None` when that is unset —
/// unless `CI` is set, where a missing database is a failure, not a skip.
pub async fn test_store(label: &str) -> Option<PgStore> {
    let Ok(url) = std::env::var("WAYPOINT_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but WAYPOINT_TEST_POSTGRES_URL is not: PostgreSQL tests must run in CI"
        );
        return None;
    };
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let schema = format!("t_{label}_{}_{n}_{nanos}", std::process::id()).to_lowercase();
    let store = match PgStore::connect_in_schema(&url, &schema).await {
        Ok(s) => s,
        Err(e) => panic!("cannot reach PostgreSQL at WAYPOINT_TEST_POSTGRES_URL: {e}"),
    };
    if let Err(e) = store.migrate().await {
        panic!("migrating the test schema {schema} failed: {e}");
    }
    Some(store)
}

#[cfg(test)]
mod contract {
    use std::sync::Arc;
    use waypoint_store::Store;

    async fn make() -> Option<Arc<dyn Store>> {
        super::test_store("contract")
            .await
            .map(|s| Arc::new(s) as Arc<dyn Store>)
    }

    waypoint_store::contract_suite!(make);
}

waypoint_store::portable_pd_days!(PgStore, sqlx::Postgres, begin = "BEGIN");
waypoint_store::portable_proposals!(PgStore, sqlx::Postgres, begin = "BEGIN");
waypoint_store::portable_groups!(PgStore, sqlx::Postgres, begin = "BEGIN");
waypoint_store::portable_setup!(PgStore, sqlx::Postgres, begin = "BEGIN");
waypoint_store::portable_frameworks!(PgStore, sqlx::Postgres, begin = "BEGIN");
waypoint_store::portable_goals!(PgStore, sqlx::Postgres, begin = "BEGIN");
waypoint_store::portable_growth!(PgStore, sqlx::Postgres, begin = "BEGIN");
waypoint_store::portable_students!(PgStore, sqlx::Postgres, begin = "BEGIN");
