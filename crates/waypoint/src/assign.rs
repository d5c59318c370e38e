//! `waypoint assign`: the PD-day assignment engine on CSV files, and its
//! instance generator. Nothing is written unless the whole run succeeds.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use waypoint_assign::{Mechanism, RankCost, SolveOptions, generate, read_instance, solve};

/// Assign people to PD-day sections from their ranked preferences.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AssignArgs {
    /// Generate instances instead of solving one.
    #[command(subcommand)]
    pub generate: Option<AssignCommand>,
    #[command(flatten)]
    pub solve: SolveArgs,
}

/// The files and choices of one run.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// `section_id,course_id,title,slot,capacity,facilitators`.
    #[arg(long)]
    pub sessions: Option<PathBuf>,
    /// `person_id,rank,course_id`.
    #[arg(long)]
    pub preferences: Option<PathBuf>,
    /// `person_id[,absent_slots][,required_courses]`: everyone to place.
    #[arg(long)]
    pub people: Option<PathBuf>,
    /// `optimal` (default), `fcfs` (first come, first served) or `rsd` (random serial dictatorship).
    #[arg(long, default_value = "optimal", value_parser = ["optimal", "fcfs", "rsd"])]
    pub mechanism: String,
    /// Seed for arrival orders and tie-breaking.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Stop improving after this many seconds and report the gap.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Cost of a placement at rank r: `squared` (r², the default), `linear` (r) or `exponential` (2^(r-1)).
    #[arg(long, default_value = "squared", value_parser = ["squared", "linear", "exponential"])]
    pub rank_cost: String,
    /// Where to write `person_id,slot,section_id,course_id,rank`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the JSON report here.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// `waypoint assign generate`.
#[derive(Debug, Subcommand)]
pub enum AssignCommand {
    /// Write sessions.csv, preferences.csv and people.csv for a generated PD day.
    Generate {
        /// `day` (1,000 people, 3 slots, 138 sections), `conference` (20,000 people) or `large` (100,000).
        #[arg(long, default_value = "day")]
        size: String,
        /// Seed.
        #[arg(long, default_value_t = 2016)]
        seed: u64,
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs `waypoint assign …`.
pub fn run(args: AssignArgs) -> anyhow::Result<ExitCode> {
    if let Some(AssignCommand::Generate { size, seed, out }) = args.generate {
        let spec = generate::Spec::named(&size)
            .with_context(|| format!("unknown size {size:?}; use day, conference or large"))?;
        let inst = generate::generate(&spec, seed);
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        generate::write_inputs(&inst, &out)
            .with_context(|| format!("writing into {}", out.display()))?;
        eprintln!(
            "Wrote sessions.csv, preferences.csv and people.csv to {}",
            out.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let a = args.solve;
    let (Some(sessions), Some(preferences), Some(out)) = (a.sessions, a.preferences, a.out) else {
        bail!(
            "--sessions, --preferences and --out are required (or use `waypoint assign generate`)"
        );
    };
    let inst = match read_instance(&sessions, &preferences, a.people.as_deref()) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("Nothing was written.");
            return Ok(ExitCode::from(2));
        }
    };
    let rank_cost = RankCost::parse(&a.rank_cost).unwrap_or_default();
    let opts = SolveOptions {
        mechanism: Mechanism::parse(&a.mechanism).unwrap_or(Mechanism::Optimal),
        seed: a.seed,
        time_limit: a.time_limit.map(Duration::from_secs_f64),
        rank_cost,
        arrival_order: None,
    };
    let started = Instant::now();
    let mut last = Instant::now();
    let mut progress = |p: &waypoint_assign::Progress| {
        if started.elapsed() > Duration::from_secs(1) && last.elapsed() > Duration::from_millis(500)
        {
            last = Instant::now();
            let bound = p
                .lower_bound
                .map_or_else(String::new, |b| format!(", bound {b:.0}"));
            let best = p
                .objective
                .map_or_else(String::new, |o| format!(", best {o}"));
            eprint!(
                "\r{:>6.1}s {}{best}{bound}   ",
                p.elapsed.as_secs_f64(),
                p.phase
            );
        }
    };
    let outcome = match solve(&inst, &opts, &mut progress) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("\nerror: {e}");
            eprintln!("Nothing was written.");
            return Ok(ExitCode::from(2));
        }
    };
    if started.elapsed() > Duration::from_secs(1) {
        eprintln!();
    }
    let report = outcome.report(&inst);
    write_atomically(&out, |w| outcome.assignment.write_csv(&inst, w))?;
    if let Some(path) = a.report {
        write_atomically(&path, |w| w.write_all(report.json().as_bytes()))?;
    }
    print!("{}", report.text());
    Ok(ExitCode::SUCCESS)
}

/// Writes to a temporary file beside `path`, then renames it into place, so
/// a reader never sees half a file.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let tmp = path.with_extension("partial");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut w = std::io::BufWriter::new(file);
    write(&mut w).with_context(|| format!("writing {}", tmp.display()))?;
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("writing {}: {}", tmp.display(), e.error()))?
        .sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("moving {} into place", path.display()))?;
    Ok(())
}
