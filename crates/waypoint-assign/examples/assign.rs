//! A stand-in command line for the engine until `waypoint assign` wires it into the main binary;
//! the benchmark runner (`bench/assign/run.sh`) drives it.
//!
//! ```text
//! assign generate --spec day|conference|large --seed N --out DIR
//! assign solve --sessions F --preferences F [--people F] [--mechanism optimal|fcfs|rsd]
//!              [--seed N] [--time-limit SECONDS] [--rank-cost squared|linear|exponential]
//!              [--out assignments.csv] [--report report.json]
//! ```

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use waypoint_assign::generate::{Spec, generate, write_inputs};
use waypoint_assign::{Mechanism, RankCost, SolveOptions, read_instance, solve};

fn flags(args: &[String]) -> Result<HashMap<String, String>, String> {
    let mut m = HashMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let key = a
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected argument {a:?}"))?;
        let v = it.next().ok_or_else(|| format!("--{key} needs a value"))?;
        m.insert(key.to_owned(), v.clone());
    }
    Ok(m)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = args
        .split_first()
        .ok_or("usage: assign generate|solve ...")?;
    let f = flags(rest)?;
    let seed: u64 = f
        .get("seed")
        .map_or(Ok(0), |s| s.parse())
        .map_err(|e| format!("--seed: {e}"))?;
    match cmd.as_str() {
        "generate" => {
            let name = f.get("spec").map_or("day", String::as_str);
            let spec = Spec::named(name).ok_or_else(|| format!("unknown spec {name:?}"))?;
            let out = PathBuf::from(f.get("out").ok_or("--out DIR is required")?);
            let inst = generate(&spec, seed);
            write_inputs(&inst, &out).map_err(|e| format!("{}: {e}", out.display()))?;
            eprintln!(
                "wrote {} people, {} sections, {} courses to {}",
                inst.people().len(),
                inst.sections().len(),
                inst.courses().len(),
                out.display()
            );
            Ok(())
        }
        "solve" => {
            let get = |k: &str| f.get(k).map(PathBuf::from);
            let sessions = get("sessions").ok_or("--sessions is required")?;
            let prefs = get("preferences").ok_or("--preferences is required")?;
            let inst = read_instance(&sessions, &prefs, get("people").as_deref())
                .map_err(|e| e.to_string())?;
            let mechanism = f
                .get("mechanism")
                .map_or(Some(Mechanism::Optimal), |m| Mechanism::parse(m));
            let mechanism = mechanism.ok_or("--mechanism must be optimal, fcfs or rsd")?;
            let rank_cost = f
                .get("rank-cost")
                .map_or(Some(RankCost::Squared), |r| RankCost::parse(r));
            let rank_cost =
                rank_cost.ok_or("--rank-cost must be squared, linear or exponential")?;
            let time_limit = f
                .get("time-limit")
                .map(|s| s.parse::<f64>().map(Duration::from_secs_f64))
                .transpose()
                .map_err(|e| format!("--time-limit: {e}"))?;
            let opts = SolveOptions {
                mechanism,
                seed,
                time_limit,
                rank_cost,
                arrival_order: None,
            };
            let mut progress = |p: &waypoint_assign::Progress| {
                if p.elapsed > Duration::from_secs(1) {
                    eprintln!(
                        "[{:>6.1}s] {}: objective {:?}, lower bound {:?}",
                        p.elapsed.as_secs_f64(),
                        p.phase,
                        p.objective,
                        p.lower_bound.map(|l| l.ceil())
                    );
                }
            };
            let out = solve(&inst, &opts, &mut progress).map_err(|e| e.to_string())?;
            if let Some(path) = get("out") {
                let file =
                    std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                out.assignment
                    .write_csv(&inst, file)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            let report = out.report(&inst);
            if let Some(path) = get("report") {
                std::fs::write(&path, report.json())
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            if f.get("quiet").is_none_or(|q| q != "1") {
                print!("{}", report.text());
            }
            let v = out.assignment.violations(&inst);
            if !v.is_empty() {
                return Err(format!(
                    "internal error: infeasible output: {}",
                    v.join("; ")
                ));
            }
            Ok(())
        }
        other => Err(format!("unknown command {other:?}; use generate or solve")),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
