//! The student-information benchmark's district: a roster of many schools
//! loaded into a store with the demo's roles signed in, and a results file
//! in Waypoint's template with a fixed number of results per student.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use waypoint_domain::demo::{DemoSpec, generate};
use waypoint_domain::roster::RosterRole;
use waypoint_store::Store;

/// Each subject's domains in the generated file.
const SUBJECTS: [(&str, [&str; 4]); 2] = [
    (
        "Mathematics",
        [
            "Number and Operations",
            "Algebraic Thinking",
            "Geometry",
            "Measurement and Data",
        ],
    ),
    (
        "Reading",
        [
            "Foundational Skills",
            "Vocabulary",
            "Literature",
            "Informational Text",
        ],
    ),
];

/// The two testing days.
const DAYS: [&str; 2] = ["2026-09-16", "2027-01-20"];

/// The district's shape: `schools` schools of `students` students each.
pub fn spec(schools: usize, students: usize) -> DemoSpec {
    DemoSpec {
        seed: 50_000,
        schools,
        students_per_school: students,
        staff_per_school: 60,
        classes_per_school: 40,
        classes_per_student: 2,
        other_districts: 1,
        other_district_schools: 2,
        district_office_staff: 8,
    }
}

/// Loads the roster and the demo's grants into `store`, gives each demo
/// sign-in `password`, writes the sign-ins (as `waypoint demo
/// --sign-ins-json` does) and a results file with `per_student` results
/// for every student (whole test and domains, fall and winter). Returns
/// the number of students and of results.
pub async fn set_up(
    store: Arc<dyn Store>,
    spec: &DemoSpec,
    per_student: usize,
    password: &str,
    sign_ins: &Path,
    results: &Path,
) -> Result<(usize, usize)> {
    let demo = generate(spec);
    store
        .apply_roster(&demo.roster)
        .await
        .context("loading the roster")?;
    store
        .apply_demo_grants(&demo.grants)
        .await
        .context("granting the demo roles")?;
    let hash = waypoint_web::auth::hash_password(password)?;
    let mut listed = Vec::new();
    for s in &demo.sign_ins {
        let person = store
            .person_by_sourced_id(&s.user)
            .await?
            .with_context(|| format!("demo person {} is missing", s.user))?;
        store.set_password_hash(person, &hash, 1).await?;
        let account = store.account(person).await?.context("no account")?;
        listed.push(serde_json::json!({
            "role": s.role.as_str(),
            "username": account.username,
            "password": password,
        }));
    }
    std::fs::write(sign_ins, serde_json::to_vec_pretty(&listed)?)?;

    let mut out = std::io::BufWriter::new(std::fs::File::create(results)?);
    writeln!(
        out,
        "student_id,assessment,subject,domain,date,score,scale,level,percentile"
    )?;
    let mut students = 0;
    let mut rows = 0;
    // A cheap, fixed sequence: the same file on every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for u in demo
        .roster
        .users
        .iter()
        .filter(|u| u.primary_role() == RosterRole::Student)
    {
        students += 1;
        let mut written = 0;
        'student: for (subject, domains) in SUBJECTS {
            for day in DAYS {
                for domain in std::iter::once("Overall").chain(domains) {
                    if written == per_student {
                        break 'student;
                    }
                    let percentile = next() % 99 + 1;
                    writeln!(
                        out,
                        "{},MAP Growth,{subject},{domain},{day},{},RIT,,{percentile}",
                        u.meta.sourced_id,
                        180 + percentile / 2,
                    )?;
                    written += 1;
                    rows += 1;
                }
            }
        }
    }
    out.flush()?;
    Ok((students, rows))
}
