//! No acknowledged save is lost: educators save their PD-day rankings
//! through the API of the real `waypoint serve` while the server is killed
//! with SIGKILL at seeded-random moments and started again on the same
//! database. At the end, every person's latest acknowledged ranking is there
//! exactly once with what was acknowledged. A save in flight at a kill may
//! or may not have committed, but it is never half there, and nothing older
//! than an acknowledgement ever comes back.
//!
//! The short form runs with every `cargo test`: on SQLite always (WAL,
//! `synchronous = FULL`), on PostgreSQL when `WAYPOINT_TEST_POSTGRES_URL` is
//! set (and under CI it must be). `bench/rush/kill.sh` runs the long form
//! through the same variables: `WAYPOINT_RUSH_SAVES`, `WAYPOINT_RUSH_KILLS`,
//! `WAYPOINT_RUSH_EDUCATORS`, `WAYPOINT_RUSH_SEED`.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use waypoint_bench::http;
use waypoint_bench::rush::{self, Outcome, Spec, SplitMix};
use waypoint_domain::EventId;
use waypoint_store::Store;

/// How hard to push.
#[derive(Debug, Clone)]
struct Plan {
    educators: usize,
    saves: usize,
    kills: usize,
    seed: u64,
    /// Saves in flight at once (each person has at most one).
    parallel: usize,
}

impl Plan {
    fn from_env() -> Self {
        let var = |name: &str, default: u64| {
            std::env::var(name).map_or(default, |v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name} must be a number, got {v:?}"))
            })
        };
        Self {
            educators: usize::try_from(var("WAYPOINT_RUSH_EDUCATORS", 60)).unwrap(),
            saves: usize::try_from(var("WAYPOINT_RUSH_SAVES", 600)).unwrap(),
            kills: usize::try_from(var("WAYPOINT_RUSH_KILLS", 5)).unwrap(),
            // A fixed default, so a failure repeats exactly.
            seed: var("WAYPOINT_RUSH_SEED", 20_261_201),
            parallel: 16,
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server process, started again after each kill with the same flags.
struct Server {
    child: Option<Child>,
    url: String,
    addr: SocketAddr,
}

impl Server {
    fn start(url: &str, addr: SocketAddr) -> Self {
        let mut s = Self {
            child: None,
            url: url.to_owned(),
            addr,
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_waypoint"))
            .args([
                "serve",
                "--database-url",
                &self.url,
                "--bind",
                &self.addr.to_string(),
            ])
            .env("WAYPOINT_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown, no flushing, no goodbye.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    async fn wait_ready(&mut self) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("the server exited on its own: {status}");
            }
            let r = http::request(
                self.addr,
                "GET",
                "/readyz",
                &[],
                b"",
                Duration::from_secs(5),
            )
            .await;
            if matches!(r, Ok(ref r) if r.status == 200) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the server did not come back within a minute"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One save sent: what it held and, if acknowledged, the revision.
#[derive(Debug, Clone)]
struct Attempt {
    choices: Vec<i64>,
    acked: Option<i64>,
}

/// Everything sent so far, per person (index into the fixture).
#[derive(Debug, Default)]
struct Book {
    attempts: Vec<Vec<Attempt>>,
    /// Failures and refusals that no kill explains.
    unexplained: Vec<String>,
    /// Failures a kill explains.
    cut: usize,
}

/// Set-up through the store, the rush with kills, and the final check.
async fn rush_with_kills(store: Arc<dyn Store>, url: String) {
    let plan = Plan::from_env();
    eprintln!("plan: {plan:?}");
    let fixture = rush::set_up(Arc::clone(&store), &Spec::new(plan.educators))
        .await
        .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let mut server = Server::start(&url, addr);
    server.wait_ready().await;

    let fixture = Arc::new(fixture);
    let book = Arc::new(Mutex::new(Book {
        attempts: vec![Vec::new(); fixture.educators.len()],
        ..Book::default()
    }));
    // Even while the server is up, odd while it is being killed and
    // restarted: a failure is explained by a kill only if the epoch moved
    // while the request was out.
    let epoch = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..plan.parallel {
        let (fixture, book, epoch, sent, acked, finished) = (
            Arc::clone(&fixture),
            Arc::clone(&book),
            Arc::clone(&epoch),
            Arc::clone(&sent),
            Arc::clone(&acked),
            Arc::clone(&finished),
        );
        let (saves, seed, parallel) = (plan.saves, plan.seed, plan.parallel);
        workers.spawn(async move {
            let mine: Vec<usize> = (w..fixture.educators.len()).step_by(parallel).collect();
            let mut turn = 0;
            while !mine.is_empty() && sent.fetch_add(1, Ordering::SeqCst) < saves {
                let index = mine[turn % mine.len()];
                turn += 1;
                let attempt = book.lock().unwrap().attempts[index].len() as u64;
                let choices = rush::choices_for(&fixture, index, attempt, seed);
                let at = loop {
                    let e = epoch.load(Ordering::SeqCst);
                    if e % 2 == 0 {
                        break e;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                };
                book.lock().unwrap().attempts[index].push(Attempt {
                    choices: choices.clone(),
                    acked: None,
                });
                let outcome = rush::save(
                    addr,
                    fixture.event,
                    &fixture.educators[index],
                    &choices,
                    // Long enough that only a kill ends a request early: a
                    // timed-out save could still commit after a later one.
                    Duration::from_secs(60),
                )
                .await;
                let moved = epoch.load(Ordering::SeqCst) != at;
                let mut b = book.lock().unwrap();
                match outcome {
                    Outcome::Acked(ack) => {
                        b.attempts[index].last_mut().unwrap().acked = Some(ack.revision);
                        acked.fetch_add(1, Ordering::SeqCst);
                    }
                    Outcome::Failed(_) if moved => b.cut += 1,
                    other => b.unexplained.push(format!(
                        "person {}: {other:?}",
                        fixture.educators[index].person
                    )),
                }
            }
            finished.fetch_add(1, Ordering::SeqCst);
        });
    }

    // The kills: after seeded-random numbers of acknowledgements, plus a
    // seeded delay of up to 15 ms so they land inside requests.
    let mut rng = SplitMix::new(plan.seed);
    let mut marks: Vec<usize> = (0..plan.kills)
        .map(|_| 1 + rng.below(plan.saves as u64 * 9 / 10) as usize)
        .collect();
    marks.sort_unstable();
    let started = Instant::now();
    for (k, mark) in marks.iter().enumerate() {
        while acked.load(Ordering::SeqCst) < *mark
            && finished.load(Ordering::SeqCst) < plan.parallel
        {
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "the rush stalled at {} acknowledged",
                acked.load(Ordering::SeqCst)
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_micros(rng.below(15_000))).await;
        epoch.fetch_add(1, Ordering::SeqCst);
        server.kill();
        eprintln!(
            "kill {} after {} acknowledged",
            k + 1,
            acked.load(Ordering::SeqCst)
        );
        server.spawn();
        server.wait_ready().await;
        epoch.fetch_add(1, Ordering::SeqCst);
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    // Once more when all is quiet: acknowledged means on disk, not in a buffer.
    epoch.fetch_add(1, Ordering::SeqCst);
    server.kill();
    server.spawn();
    server.wait_ready().await;

    let book = std::mem::take(&mut *book.lock().unwrap());
    assert!(
        book.unexplained.is_empty(),
        "failures or refusals no kill explains:\n{}",
        book.unexplained.join("\n")
    );
    let total_acked: usize = book
        .attempts
        .iter()
        .flatten()
        .filter(|a| a.acked.is_some())
        .count();
    eprintln!(
        "{} saves sent, {total_acked} acknowledged, {} cut short by {} kills",
        book.attempts.iter().map(Vec::len).sum::<usize>(),
        book.cut,
        marks.len()
    );
    assert!(
        total_acked * 2 > plan.saves,
        "most saves should be acknowledged; only {total_acked} of {} were",
        plan.saves
    );

    // Every person, through the restarted server's API and straight from the database.
    let event = EventId::new(fixture.event);
    let mut rows: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for p in store.preferences(event).await.unwrap() {
        rows.entry(p.person.get())
            .or_default()
            .push((p.rank, p.course.get()));
    }
    let mut problems = Vec::new();
    let mut ranked = 0;
    for (index, educator) in fixture.educators.iter().enumerate() {
        let attempts = &book.attempts[index];
        let (revision, choices) =
            rush::read(addr, fixture.event, educator, Duration::from_secs(30))
                .await
                .unwrap();
        let who = educator.person;
        let last_ack = attempts.iter().rposition(|a| a.acked.is_some());
        let acked_revision = last_ack.and_then(|i| attempts[i].acked).unwrap_or(0);
        let after: &[Attempt] = last_ack.map_or(attempts, |i| &attempts[i + 1..]);
        if revision < acked_revision {
            problems.push(format!(
                "person {who}: LOST revision {acked_revision}, read revision {revision} {choices:?}"
            ));
        } else if revision == acked_revision && revision > 0 {
            let want = &attempts[last_ack.unwrap()].choices;
            if &choices != want {
                problems.push(format!(
                    "person {who}: revision {revision} acknowledged {want:?}, read {choices:?}"
                ));
            }
        } else if revision > acked_revision
            && (!after.iter().any(|a| a.choices == choices)
                || revision - acked_revision > after.len() as i64)
        {
            problems.push(format!(
                "person {who}: revision {revision} holds {choices:?}, which no save after the last acknowledged one (revision {acked_revision}, {} since) sent",
                after.len()
            ));
        }
        if revision > 0 {
            ranked += 1;
        }
        // Exactly once: one row per rank, ranks 1..n, the same courses.
        let mut stored = rows.remove(&who).unwrap_or_default();
        stored.sort_unstable();
        let ranks: Vec<i64> = stored.iter().map(|r| r.0).collect();
        let courses: Vec<i64> = stored.iter().map(|r| r.1).collect();
        if courses != choices || ranks != (1..=choices.len() as i64).collect::<Vec<_>>() {
            problems.push(format!(
                "person {who}: the API reads {choices:?} but the database holds {stored:?}"
            ));
        }
    }
    assert!(rows.is_empty(), "rows for people nobody saved: {rows:?}");
    assert_eq!(
        store.ranked_count(event).await.unwrap(),
        ranked,
        "one ranking row per person who saved"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_acknowledged_save_is_lost_on_sqlite() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("waypoint-rush-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite:{}", dir.join("rush.db").display());
    runtime.block_on(async {
        let store: Arc<dyn Store> = Arc::new(waypoint_store_sqlite::open(&url).await.unwrap());
        rush_with_kills(store, url.clone()).await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_acknowledged_save_is_lost_on_postgres() {
    let Ok(base) = std::env::var("WAYPOINT_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the PostgreSQL tests"
        );
        eprintln!("skipped: WAYPOINT_TEST_POSTGRES_URL is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let schema = format!("rush_kill_{}_{}", std::process::id(), free_port());
    runtime.block_on(async {
        let store = waypoint_store_postgres::PgStore::connect_in_schema(&base, &schema)
            .await
            .unwrap_or_else(|e| {
                panic!("cannot reach PostgreSQL at WAYPOINT_TEST_POSTGRES_URL: {e}")
            });
        store.migrate().await.unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        rush_with_kills(Arc::new(store), url).await;
    });
}
