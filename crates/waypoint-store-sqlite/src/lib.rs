//! The embedded default backend: [`Store`] on SQLite (WAL, foreign keys,
//! full fsync so an acknowledged write survives a killed process).

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
use waypoint_store::portable::{SqlValue, UpsertSpec};
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

/// SQLite's limit on bound parameters per statement (since 3.32).
const MAX_PARAMS: usize = 32_000;

/// A Waypoint store in one SQLite file (or in memory, for tests).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// The connection pool underneath, for maintenance tools and for tests
    /// that must reach the database directly (to make a write fail).
    pub const fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Opens (creating if missing) the database at `url` (`sqlite:path.db`,
    /// `sqlite://path.db` or `sqlite::memory:`). Does not migrate.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // An in-memory database lives in one connection; a file serves many readers.
        let pool = SqlitePoolOptions::new()
            .max_connections(if memory { 1 } else { 8 })
            .min_connections(1)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// Copies the live database to `path` with `VACUUM INTO`: a consistent
    /// snapshot taken while the server keeps running.
    pub async fn backup_to(&self, path: &str) -> StoreResult<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        // IMMEDIATE takes the write lock up front, so two processes starting
        // together migrate one after the other.
        conn.execute("BEGIN IMMEDIATE").await?;
        let result = migrate_locked(&mut conn).await;
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        conn.execute(end).await?;
        result
    }
}

async fn migrate_locked(conn: &mut SqliteConnection) -> StoreResult<()> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS waypoint_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .await?;
    for (version, name, sql) in MIGRATIONS {
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM waypoint_migrations WHERE version = ?")
                .bind(version)
                .fetch_optional(&mut *conn)
                .await?;
        if done.is_some() {
            continue;
        }
        conn.execute(*sql).await?;
        sqlx::query("INSERT INTO waypoint_migrations (version, name, applied_at) VALUES (?, ?, strftime('%s','now') * 1000)")
            .bind(version)
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Multi-row `VALUES` upsert, chunked under SQLite's parameter limit; returns
/// the rows inserted or changed.
async fn bulk_upsert(
    conn: &mut SqliteConnection,
    spec: &UpsertSpec,
    rows: &[Vec<SqlValue>],
) -> Result<u64, sqlx::Error> {
    if rows.is_empty() {
        return Ok(0);
    }
    let width = spec.columns.len();
    let per_chunk = (MAX_PARAMS / width).max(1);
    let row_marks = format!("({})", vec!["?"; width].join(", "));
    let mut changed = 0;
    for chunk in rows.chunks(per_chunk) {
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}{}",
            spec.table,
            spec.column_list(),
            vec![row_marks.as_str(); chunk.len()].join(", "),
            spec.conflict_clause()
        );
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for value in row {
                q = match value {
                    SqlValue::Text(v) => q.bind(v.as_deref()),
                    SqlValue::Int(v) => q.bind(*v),
                    SqlValue::Bool(v) => q.bind(*v),
                };
            }
        }
        changed += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(changed)
}

portable_store!(
    SqliteStore,
    sqlx::Sqlite,
    // Write transactions take the write lock when they begin, so one that
    // reads first can never fail later with SQLITE_BUSY_SNAPSHOT.
    begin = "BEGIN IMMEDIATE",
    after_import = "PRAGMA optimize",
    bulk_upsert = bulk_upsert,
    claim_job_sql = "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2 \
        WHERE id = (SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND locked_until < $3) \
                    ORDER BY id LIMIT 1) \
        RETURNING id, kind, payload, status, attempts, locked_by, error",
    {
        fn backend(&self) -> Backend {
            Backend::Sqlite
        }

        async fn migrate(&self) -> StoreResult<()> {
            self.run_migrations().await?;
            self.fill_org_sizes_if_missing().await?;
            self.fill_result_bands_if_missing().await
        }
    }
);

/// Opens and migrates a store; the common start-up path.
pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
    let store = SqliteStore::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

#[cfg(test)]
mod durability {
    /// An acknowledged save must survive the process: every pooled connection
    /// to a file is in WAL mode and syncs each commit (`FULL` is 2).
    #[tokio::test]
    async fn file_databases_are_wal_with_full_sync() {
        let dir = std::env::temp_dir().join(format!("waypoint-sqlite-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite:{}", dir.join("sync.db").display());
        let store = super::open(&url).await.expect("file store");
        let mut conns = Vec::new();
        for _ in 0..3 {
            conns.push(store.pool.acquire().await.expect("connection"));
        }
        for conn in &mut conns {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut **conn)
                .await
                .expect("journal mode");
            let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut **conn)
                .await
                .expect("synchronous");
            assert_eq!((mode.as_str(), sync), ("wal", 2));
        }
        drop(conns);
        store.pool.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod contract {
    use std::sync::Arc;
    use waypoint_store::Store;

    async fn make() -> Option<Arc<dyn Store>> {
        Some(Arc::new(
            super::open("sqlite::memory:")
                .await
                .expect("in-memory store"),
        ))
    }

    waypoint_store::contract_suite!(make);
}

waypoint_store::portable_pd_days!(SqliteStore, sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
waypoint_store::portable_proposals!(SqliteStore, sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
waypoint_store::portable_groups!(SqliteStore, sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
waypoint_store::portable_setup!(SqliteStore, sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
waypoint_store::portable_frameworks!(SqliteStore, sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
waypoint_store::portable_goals!(SqliteStore, sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
waypoint_store::portable_growth!(SqliteStore, sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
waypoint_store::portable_students!(SqliteStore, sqlx::Sqlite, begin = "BEGIN IMMEDIATE");
