//! The background job runner. Every server runs one; jobs live in the
//! database, so any server may pick up work another enqueued, and a claim is
//! exclusive (see `Store::claim_job`).

use crate::now_ms;
use crate::services::{ImportInput, import_oneroster};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use waypoint_store::{ImportOutcome, ImportStatus, Job, Store};

/// Kind of the roster-import job.
pub const IMPORT_ONEROSTER: &str = "import.oneroster";
/// Kind of the job that imports an uploaded file of assessment results or
/// survey answers.
pub const IMPORT_STUDENT_DATA: &str = "import.student_data";
/// Kind of the no-op job used by the multi-server test and health checks.
pub const PING: &str = "ping";
/// How long a claim holds before another worker may take the job over.
const LEASE_MS: i64 = 30 * 60 * 1000;

/// Payload of [`IMPORT_ONEROSTER`].
#[derive(Debug, Serialize, Deserialize)]
pub struct ImportJob {
    /// The import-history entry.
    pub import_id: i64,
    /// The stored upload.
    pub upload_id: i64,
}

/// Payload of [`IMPORT_STUDENT_DATA`].
#[derive(Debug, Serialize, Deserialize)]
pub struct StudentDataJob {
    /// The import-history entry.
    pub import_id: i64,
    /// The stored upload.
    pub upload_id: i64,
    /// The file's layout: a vendor preset, empty to detect it, or
    /// [`crate::services::SURVEY_LAYOUT`].
    pub layout: String,
}

/// Payload of [`PING`]: records which worker ran it.
#[derive(Debug, Serialize, Deserialize)]
pub struct PingJob {
    /// A label to find the job's effect by.
    pub label: String,
    /// How long the job takes.
    #[serde(default)]
    pub millis: u64,
}

/// Claims and runs jobs until `shutdown` resolves; between jobs, closes the
/// preference windows whose closing time has passed.
pub async fn run_worker(
    store: Arc<dyn Store>,
    worker: String,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut shutdown = shutdown;
    tracing::info!(worker, "job worker started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        match run_next(&store, &worker).await {
            Ok(true) => {}
            Ok(false) => {
                // Idle: a good moment to close preference windows whose time has come.
                if let Err(e) = crate::pdday::close_due(&*store, now_ms()).await {
                    tracing::error!(error = %e, "closing due preference windows failed");
                }
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(500)) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming a job failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
    tracing::info!(worker, "job worker stopped");
}

/// Claims one job and runs it; `false` when none was waiting.
pub async fn run_next(
    store: &Arc<dyn Store>,
    worker: &str,
) -> Result<bool, waypoint_store::StoreError> {
    let Some(job) = store.claim_job(worker, now_ms(), LEASE_MS).await? else {
        return Ok(false);
    };
    let id = job.id;
    let kind = job.kind.clone();
    let result = run(store, job).await;
    let error = result.as_ref().err().map(|e| format!("{e:#}"));
    if let Some(e) = &error {
        tracing::error!(job = id, kind, error = e, "job failed");
    } else {
        tracing::info!(job = id, kind, "job done");
    }
    store
        .finish_job(id, worker, error.as_deref(), now_ms())
        .await?;
    Ok(true)
}

/// Finishes an import whose upload is gone (removed by hand, or a second
/// run of a job that already finished).
async fn upload_gone(store: &Arc<dyn Store>, import_id: i64) -> anyhow::Result<()> {
    store
        .finish_import(
            import_id,
            &ImportOutcome {
                status: ImportStatus::Failed,
                counts: None,
                problems: vec![
                    "The uploaded file is no longer available; upload it again.".to_owned(),
                ],
                summary: None,
                finished_at: now_ms(),
            },
        )
        .await?;
    Ok(())
}

async fn run(store: &Arc<dyn Store>, job: Job) -> anyhow::Result<()> {
    match job.kind.as_str() {
        IMPORT_ONEROSTER => {
            let payload: ImportJob = serde_json::from_str(&job.payload)?;
            let Some((_, bytes)) = store.upload(payload.upload_id).await? else {
                return upload_gone(store, payload.import_id).await;
            };
            import_oneroster(
                Arc::clone(store),
                payload.import_id,
                ImportInput::Zip(bytes),
                Arc::new(|_| {}),
            )
            .await?;
            // Only now is the upload no longer needed: a worker that died
            // mid-import left it for the next one.
            store.delete_upload(payload.upload_id).await?;
            Ok(())
        }
        IMPORT_STUDENT_DATA => {
            let payload: StudentDataJob = serde_json::from_str(&job.payload)?;
            let Some((name, bytes)) = store.upload(payload.upload_id).await? else {
                return upload_gone(store, payload.import_id).await;
            };
            crate::services::import_student_file(
                store,
                payload.import_id,
                &name,
                &bytes,
                &payload.layout,
            )
            .await?;
            store.delete_upload(payload.upload_id).await?;
            Ok(())
        }
        PING => {
            let payload: PingJob = serde_json::from_str(&job.payload)?;
            tracing::info!(
                label = payload.label,
                attempts = job.attempts,
                "ping job ran"
            );
            // Long enough that concurrent workers interleave in tests.
            tokio::time::sleep(Duration::from_millis(payload.millis)).await;
            Ok(())
        }
        crate::pdday::ASSIGN_JOB => {
            let run: i64 = job.payload.trim().parse()?;
            crate::pdday::run_assignment(store, run).await
        }
        other => anyhow::bail!("unknown job kind {other}"),
    }
}
