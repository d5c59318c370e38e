//! `waypoint-bench`: generators for benchmark instances. Pure generation:
//! timing belongs to `bench/run.sh`, and results to `BENCHMARKS.md`.
//!
//! `oneroster` writes a OneRoster 1.1 bulk CSV package from the seeded demo
//! generator, with the [`DemoSpec`] chosen so the package holds close to the
//! asked-for numbers of users and enrollments. The same arguments always
//! give the same package.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::collections::HashSet;
use std::path::PathBuf;
use waypoint_domain::demo::{DemoSpec, generate};
use waypoint_domain::roster::{RosterBatch, RosterRole};

/// Benchmark instance generators for Waypoint.
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
}

/// Students per class the generated timetable aims for; it decides how many
/// classes each school gets, and so how many teacher enrollments there are.
const CLASS_SIZE: usize = 28;

/// Rounds of fitting; the fit settles in two or three.
const MAX_ROUNDS: usize = 8;

fn main() -> Result<()> {
    match Cli::parse().command {
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
