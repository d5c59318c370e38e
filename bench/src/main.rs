//! `waypoint-bench`: generators for benchmark instances and the load
//! drivers of the registration rush. The scripts (`bench/run.sh`,
//! `bench/rush/run.sh`) run them; results go to `BENCHMARKS.md`.
//!
//! `oneroster` writes a OneRoster 1.1 bulk CSV package from the seeded demo
//! generator, with the [`DemoSpec`] chosen so the package holds close to the
//! asked-for numbers of users and enrollments. The same arguments always
//! give the same package.
//!
//! `rush-setup` loads a district of educators and a day open for ranking
//! into a database and writes the fixture (with API tokens) for `rush`,
//! which saves every educator's ranking against a running server at a
//! planned rate and reads each acknowledged save back, and for
//! `sign-in-burst`.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use waypoint_bench::rush::{self, Fixture, Latency, Spec};
use waypoint_domain::demo::{DemoSpec, generate};
use waypoint_domain::roster::{RosterBatch, RosterRole};
use waypoint_store::Store;

/// Benchmark instance generators and load drivers for Waypoint.
#[derive(Debug, Parser)]
#[command(name = "waypoint-bench", about)]
struct Cli {
    /// What to generate.
    #[command(subcommand)]
    command: Command,
}

/// Generators.
#[derive(Debug, Subcommand)]
enum Command {
    /// Write a OneRoster 1.1 bulk CSV package with about N users and M enrollments.
    Oneroster {
        /// Users to aim for (staff and students).
        #[arg(long, default_value_t = 50_000)]
        users: usize,
        /// Enrollments to aim for.
        #[arg(long, default_value_t = 500_000)]
        enrollments: usize,
        /// Folder to write the package into (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// Seed for the generator.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Load N educators and a PD day open for ranking, mint a token each, and
    /// write the fixture file the drivers read.
    RushSetup {
        /// The database (`sqlite:…` or `postgres://…`); migrated first.
        #[arg(long)]
        database_url: String,
        /// Educators.
        #[arg(long, default_value_t = 1_000)]
        educators: usize,
        /// Give the first K educators a real password (for `sign-in-burst`).
        #[arg(long, default_value_t = 0)]
        passwords: usize,
        /// The password they get.
        #[arg(long, default_value = "rush hour password 1")]
        password: String,
        /// Where to write the fixture (JSON, with the tokens).
        #[arg(long)]
        fixture: PathBuf,
    },
    /// Load a district of many schools with the demo's roles signed in, and
    /// write a file of assessment results for its students (Waypoint's
    /// template) and the sign-ins (JSON).
    StudentsSetup {
        /// The database (`sqlite:…` or `postgres://…`); migrated first.
        #[arg(long)]
        database_url: String,
        /// Schools in the district.
        #[arg(long, default_value_t = 60)]
        schools: usize,
        /// Students per school.
        #[arg(long, default_value_t = 834)]
        students_per_school: usize,
        /// Results per student.
        #[arg(long, default_value_t = 20)]
        per_student: usize,
        /// The sign-ins' password.
        #[arg(long, default_value = "students benchmark 1")]
        password: String,
        /// Where to write the sign-ins.
        #[arg(long)]
        sign_ins: PathBuf,
        /// Where to write the results file.
        #[arg(long)]
        results: PathBuf,
    },
    /// Save every educator's ranking once, open loop, then read each
    /// acknowledged save back. Prints a JSON report on stdout.
    Rush {
        /// The server.
        #[arg(long)]
        addr: SocketAddr,
        /// The fixture from `rush-setup`.
        #[arg(long)]
        fixture: PathBuf,
        /// Seconds over which the saves are planned, evenly.
        #[arg(long, default_value_t = 9.0)]
        spread: f64,
        /// Seconds a save may take before it counts as a timeout.
        #[arg(long, default_value_t = 30.0)]
        timeout: f64,
        /// Only the first N educators (all when omitted).
        #[arg(long)]
        educators: Option<usize>,
        /// Seed for what each educator ranks.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Where to write the ledger of acknowledged saves (TSV).
        #[arg(long)]
        ledger: PathBuf,
        /// Read-backs in flight at once.
        #[arg(long, default_value_t = 16)]
        read_parallel: usize,
    },
    /// Sign in K educators at once (real Argon2id checks) while timing a
    /// trickle of other requests. Prints a JSON report on stdout.
    SignInBurst {
        /// The server.
        #[arg(long)]
        addr: SocketAddr,
        /// The fixture from `rush-setup --passwords K`.
        #[arg(long)]
        fixture: PathBuf,
        /// Sign-ins sent together.
        #[arg(long, default_value_t = 200)]
        count: usize,
        /// Their password.
        #[arg(long, default_value = "rush hour password 1")]
        password: String,
        /// Milliseconds between trickle requests.
        #[arg(long, default_value_t = 20)]
        every_ms: u64,
    },
}

/// Students per class the generated timetable aims for; it decides how many
/// classes each school gets, and so how many teacher enrollments there are.
const CLASS_SIZE: usize = 28;

/// Rounds of fitting; the fit settles in two or three.
const MAX_ROUNDS: usize = 8;

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::StudentsSetup {
            database_url,
            schools,
            students_per_school,
            per_student,
            password,
            sign_ins,
            results,
        } => runtime()?.block_on(async {
            let store = open_store(&database_url).await?;
            let spec = waypoint_bench::students::spec(schools, students_per_school);
            let (students, rows) = waypoint_bench::students::set_up(
                store,
                &spec,
                per_student,
                &password,
                &sign_ins,
                &results,
            )
            .await?;
            eprintln!(
                "{students} students, {rows} results in {}",
                results.display()
            );
            anyhow::Ok(())
        })?,
        Command::RushSetup {
            database_url,
            educators,
            passwords,
            password,
            fixture,
        } => runtime()?.block_on(async {
            let store = open_store(&database_url).await?;
            let f = rush::set_up(Arc::clone(&store), &Spec::new(educators)).await?;
            rush::set_passwords(&store, &f, passwords, &password).await?;
            f.save(&fixture)?;
            eprintln!(
                "event {} with {} sessions, {} educators ({passwords} with a password): {}",
                f.event,
                f.courses.len(),
                f.educators.len(),
                fixture.display()
            );
            anyhow::Ok(())
        })?,
        Command::Rush {
            addr,
            fixture,
            spread,
            timeout,
            educators,
            seed,
            ledger,
            read_parallel,
        } => {
            let mut f = Fixture::load(&fixture)?;
            if let Some(n) = educators {
                f.educators.truncate(n);
            }
            runtime()?.block_on(run_rush(
                addr,
                &f,
                Duration::from_secs_f64(spread),
                Duration::from_secs_f64(timeout),
                seed,
                &ledger,
                read_parallel,
            ))?;
        }
        Command::SignInBurst {
            addr,
            fixture,
            count,
            password,
            every_ms,
        } => {
            let f = Fixture::load(&fixture)?;
            let r = runtime()?.block_on(waypoint_bench::signin::burst(
                addr,
                &f,
                count,
                &password,
                Duration::from_millis(every_ms),
                Duration::from_secs(60),
            ));
            let trickle: Vec<serde_json::Value> = r
                .trickle
                .iter()
                .map(|(label, n, failed, l)| {
                    serde_json::json!({ "request": label, "requests": n, "failed": failed, "latency_ms": ms(l) })
                })
                .collect();
            println!(
                "{}",
                serde_json::json!({
                    "sign_ins": r.sign_ins, "signed_in": r.signed_in, "refused": r.refused,
                    "latency_ms": ms(&r.sign_in_latency), "wall_s": r.wall.as_secs_f64(),
                    "trickle": trickle,
                })
            );
        }
        Command::Oneroster {
            users,
            enrollments,
            out,
            seed,
        } => {
            if users < 1_000 || enrollments < users {
                bail!("ask for at least 1,000 users and at least one enrollment per user");
            }
            let (spec, batch) = fit(users, enrollments, seed);
            let counts = Counts::of(&batch);
            println!("spec: {spec:?}");
            println!(
                "orgs: {}  sessions: {}  courses: {}  classes: {}",
                batch.orgs.len(),
                batch.sessions.len(),
                batch.courses.len(),
                batch.classes.len()
            );
            println!(
                "users: {} (asked {users}, {:+.2}%)",
                counts.users,
                pct(counts.users, users)
            );
            println!(
                "enrollments: {} (asked {enrollments}, {:+.2}%)",
                counts.enrollments,
                pct(counts.enrollments, enrollments)
            );
            waypoint_import::write_package(&batch, &out)
                .with_context(|| format!("writing the package into {}", out.display()))?;
            println!("written: {}", out.display());
        }
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Opens (and migrates) the store the URL names.
async fn open_store(url: &str) -> Result<Arc<dyn Store>> {
    Ok(if url.starts_with("sqlite:") {
        Arc::new(waypoint_store_sqlite::open(url).await?)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(waypoint_store_postgres::open(url).await?)
    } else {
        bail!("--database-url must start with sqlite: or postgres://");
    })
}

/// Milliseconds, to two decimals.
fn ms(l: &Latency) -> serde_json::Value {
    let f = |d: Duration| (d.as_secs_f64() * 100_000.0).round() / 100.0;
    serde_json::json!({ "p50": f(l.p50), "p95": f(l.p95), "p99": f(l.p99), "max": f(l.max) })
}

async fn run_rush(
    addr: SocketAddr,
    f: &Fixture,
    spread: Duration,
    timeout: Duration,
    seed: u64,
    ledger: &std::path::Path,
    read_parallel: usize,
) -> Result<()> {
    eprintln!(
        "{} saves over {:.1} s to {addr}",
        f.educators.len(),
        spread.as_secs_f64()
    );
    let r = rush::rush(addr, f, spread, timeout, seed).await;
    rush::write_ledger(ledger, &r.ledger)?;
    eprintln!(
        "{} acknowledged of {} in {:.2} s; reading them back",
        r.acked,
        r.requests,
        r.wall.as_secs_f64()
    );
    let t = std::time::Instant::now();
    let back = rush::read_back(addr, f, &r.ledger, read_parallel, timeout).await?;
    for line in back.missing.iter().chain(&back.different).take(20) {
        eprintln!("read-back: {line}");
    }
    println!(
        "{}",
        serde_json::json!({
            "requests": r.requests, "acknowledged": r.acked, "errors": r.errors,
            "latency_ms": ms(&r.latency), "wall_s": r.wall.as_secs_f64(),
            "spread_s": spread.as_secs_f64(),
            "read_back": {
                "checked": back.checked, "found": back.found,
                "missing": back.missing.len(), "different": back.different.len(),
                "seconds": t.elapsed().as_secs_f64(),
            },
        })
    );
    Ok(())
}

fn pct(got: usize, asked: usize) -> f64 {
    (got as f64 - asked as f64) * 100.0 / asked as f64
}

/// What a generated batch holds, split the way the fit needs it.
#[derive(Debug)]
struct Counts {
    users: usize,
    students: usize,
    enrollments: usize,
    /// Students with at least one enrollment in a scheduled (secondary) class.
    secondary_students: usize,
    /// Student enrollments in scheduled classes.
    secondary_enrollments: usize,
    /// Student enrollments in any class.
    student_enrollments: usize,
}

impl Counts {
    fn of(batch: &RosterBatch) -> Self {
        let scheduled: HashSet<&str> = batch
            .classes
            .iter()
            .filter(|c| c.class_type == "scheduled")
            .map(|c| c.meta.sourced_id.as_str())
            .collect();
        let mut secondary: HashSet<&str> = HashSet::new();
        let mut secondary_enrollments = 0;
        let mut student_enrollments = 0;
        for e in &batch.enrollments {
            if e.role != RosterRole::Student {
                continue;
            }
            student_enrollments += 1;
            if scheduled.contains(e.class.as_str()) {
                secondary_enrollments += 1;
                secondary.insert(e.user.as_str());
            }
        }
        Self {
            users: batch.users.len(),
            students: batch
                .users
                .iter()
                .filter(|u| u.primary_role() == RosterRole::Student)
                .count(),
            enrollments: batch.enrollments.len(),
            secondary_students: secondary.len(),
            secondary_enrollments,
            student_enrollments,
        }
    }

    /// Relative distance from the target, both counts weighted alike.
    fn error(&self, users: usize, enrollments: usize) -> f64 {
        pct(self.users, users).abs() + pct(self.enrollments, enrollments).abs()
    }
}

/// Picks the spec whose roster is closest to `users` and `enrollments`.
///
/// It starts from the demo's shape (school sizes, staff per school, the three
/// small neighbouring districts) and fits three numbers: students per school
/// for the users, classes per secondary student for the enrollments (the
/// generator gives elementary students one homeroom whatever the spec says),
/// and classes per school so classes hold about [`CLASS_SIZE`] students.
/// Each round generates the roster, measures it, and solves for the next
/// spec; the best roster seen wins.
fn fit(users: usize, enrollments: usize, seed: u64) -> (DemoSpec, RosterBatch) {
    let base = DemoSpec::demo();
    let per_school = base.students_per_school + base.staff_per_school;
    // The neighbouring districts' nine schools, each a third of the size,
    // weigh about as much as three main-district schools.
    let schools = (users / per_school).saturating_sub(3).max(1);
    let mut spec = DemoSpec {
        seed,
        schools,
        ..base
    };
    spec.classes_per_school = classes_per_school(&spec);

    let mut seen = vec![spec.clone()];
    let batch = generate(&spec).roster;
    let counts = Counts::of(&batch);
    let mut next = next_spec(&spec, &counts, users, enrollments);
    let mut best = (counts.error(users, enrollments), spec, batch);
    for _ in 1..MAX_ROUNDS {
        if seen.contains(&next) {
            break;
        }
        seen.push(next.clone());
        let batch = generate(&next).roster;
        let counts = Counts::of(&batch);
        let error = counts.error(users, enrollments);
        let following = next_spec(&next, &counts, users, enrollments);
        if error < best.0 {
            best = (error, next, batch);
        }
        next = following;
    }
    (best.1, best.2)
}

/// One step of the fit: scale students to the users asked for, then choose
/// classes per secondary student so the enrollments come out right.
fn next_spec(spec: &DemoSpec, c: &Counts, users: usize, enrollments: usize) -> DemoSpec {
    let staff = c.users - c.students;
    let want_students = users.saturating_sub(staff).max(1);
    let students_per_school = ((spec.students_per_school as f64) * want_students as f64
        / c.students.max(1) as f64)
        .round()
        .max(1.0) as usize;
    let scale = students_per_school as f64 / spec.students_per_school as f64;

    // Enrollments that do not depend on classes per secondary student
    // (elementary homerooms; teacher enrollments, one per class) stay
    // roughly proportional to the students.
    let teacher = (c.enrollments - c.student_enrollments) as f64 * scale;
    let elementary = (c.student_enrollments - c.secondary_enrollments) as f64 * scale;
    let secondary = (c.secondary_students as f64 * scale).max(1.0);
    let per_secondary = ((enrollments as f64 - teacher - elementary) / secondary)
        .round()
        .max(1.0) as usize;

    let mut next = DemoSpec {
        students_per_school,
        classes_per_student: per_secondary,
        ..spec.clone()
    };
    next.classes_per_school = classes_per_school(&next);
    next
}

/// Classes per main-district school so that classes hold about
/// [`CLASS_SIZE`] students. The generator shares them out between schools by
/// each school's student enrollments, so the average is what matters.
fn classes_per_school(spec: &DemoSpec) -> usize {
    // About 45% of students are in elementary schools (one homeroom each);
    // the rest take `classes_per_student` classes.
    let per_student = 0.45 + 0.55 * spec.classes_per_student as f64;
    ((spec.students_per_school as f64 * per_student) / CLASS_SIZE as f64)
        .ceil()
        .max(1.0) as usize
}
