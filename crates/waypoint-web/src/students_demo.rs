//! The demo's assessment results: every student of the region tested in
//! mathematics and reading in the fall, winter and spring of last school
//! year and in the fall of this one, with patterns a district would
//! recognise. Schools differ in what they are strong at (one leads in
//! reading and trails in geometry, another the reverse); within a school
//! some classes grow faster than others; each student starts somewhere of
//! their own. Students also answered a climate survey in the spring and
//! again this fall: four questions on a five-point scale and one to answer
//! in their own words. The demo educator works on reading with the
//! students of their classes who started the year below benchmark, and by
//! the November progress check many of them have moved. Written once: a
//! second start finds results and leaves them.

use crate::now_ms;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::sync::Arc;
use waypoint_domain::roster::{RosterBatch, RosterRole};
use waypoint_store::{NewAnswer, NewAnswers, NewResult, NewResults, Store};

/// The climate survey's questions on a five-point scale.
const SCALE_QUESTIONS: [&str; 4] = [
    "I feel like I belong at this school.",
    "My teacher believes I can do well.",
    "In class, I get to explain my thinking.",
    "I know what I am learning and why.",
];

/// The question students answer in their own words, and some of what they
/// write.
const WRITTEN: (&str, [&str; 6]) = (
    "What helps you learn best in this class?",
    [
        "When we work in groups and explain to each other.",
        "When the teacher shows an example first.",
        "Getting feedback on my work before the test.",
        "When I can choose what to read.",
        "Quiet time to practise on my own.",
        "When we connect it to real life.",
    ],
);

/// Each subject's domains, as the vendor reports them.
const SUBJECTS: [(&str, [&str; 3]); 2] = [
    (
        "Mathematics",
        [
            "Number and Operations",
            "Algebraic Thinking",
            "Geometry and Measurement",
        ],
    ),
    (
        "Reading",
        ["Vocabulary", "Literature", "Informational Text"],
    ),
];

/// Testing days, oldest first, relative to the school year that starts in
/// `year`, each with how far into the two years' growth it falls: fall,
/// winter and spring of the year before, fall of this one, and a November
/// progress check once `today` has passed it.
fn testing_days(year: i32, today: &str) -> Vec<(String, f64)> {
    let mut days = vec![
        (format!("{}-09-18", year - 1), 0.0),
        (format!("{year}-01-22"), 1.0),
        (format!("{year}-05-06"), 2.0),
        (format!("{year}-09-17"), 3.0),
    ];
    let check = format!("{year}-11-12");
    if check.as_str() <= today {
        days.push((check, 3.6));
    }
    days
}

/// An NWEA-style achievement quintile for a percentile.
fn quintile(percentile: u8) -> &'static str {
    match percentile {
        0..=20 => "Low",
        21..=40 => "LoAvg",
        41..=60 => "Avg",
        61..=80 => "HiAvg",
        _ => "High",
    }
}

/// The standard normal distribution function (Abramowitz and Stegun 26.2.17).
fn phi(z: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.231_641_9 * z.abs());
    let poly = t
        * (0.319_381_530
            + t * (-0.356_563_782
                + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
    let tail = (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() * poly;
    if z >= 0.0 { 1.0 - tail } else { tail }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    let v: f64 = rng.gen_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// How much the demo educator's small-group reading lifts a student who
/// started the year below benchmark, by the November progress check (in
/// standard deviations).
const SMALL_GROUP_LIFT: f64 = 0.7;

/// Stores the demo's results unless some are stored already; the students
/// of `focus_teacher` (a sourcedId) who start this year below benchmark in
/// reading gain by the November check.
pub async fn seed(
    store: &Arc<dyn Store>,
    roster: &RosterBatch,
    focus_teacher: Option<&str>,
) -> anyhow::Result<()> {
    if store.result_count(None).await? > 0 {
        return Ok(());
    }
    let today = time::OffsetDateTime::now_utc().date();
    let year = if u8::from(today.month()) >= 8 {
        today.year()
    } else {
        today.year() - 1
    };
    let days = testing_days(year, &today.to_string());
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    // Each school's lean per subject and per domain, each class's growth.
    let mut school_lean: HashMap<&str, [[f64; 4]; 2]> = HashMap::new();
    let mut class_growth: HashMap<&str, f64> = HashMap::new();
    let mut first_class: HashMap<&str, &str> = HashMap::new();
    for e in &roster.enrollments {
        if e.role == RosterRole::Student {
            first_class
                .entry(e.user.as_str())
                .or_insert(e.class.as_str());
        }
    }
    let focus_classes: std::collections::HashSet<&str> = roster
        .enrollments
        .iter()
        .filter(|e| e.role == RosterRole::Teacher && Some(e.user.as_str()) == focus_teacher)
        .map(|e| e.class.as_str())
        .collect();
    let focused: std::collections::HashSet<&str> = roster
        .enrollments
        .iter()
        .filter(|e| e.role == RosterRole::Student && focus_classes.contains(e.class.as_str()))
        .map(|e| e.user.as_str())
        .collect();
    let mut results = Vec::new();
    let mut answers = Vec::new();
    let mut school_climate: HashMap<&str, f64> = HashMap::new();
    let rounds = [format!("{year}-04-21"), format!("{year}-10-13")];
    for (line, u) in roster
        .users
        .iter()
        .filter(|u| u.primary_role() == RosterRole::Student)
        .enumerate()
    {
        let Some(school) = u.roles.first().map(|r| r.org.as_str()) else {
            continue;
        };
        let lean = *school_lean.entry(school).or_insert_with(|| {
            let mut l = [[0.0; 4]; 2];
            for s in &mut l {
                s[0] = rng.gen_range(-0.55..0.55);
                for d in &mut s[1..] {
                    *d = rng.gen_range(-0.45..0.45);
                }
            }
            l
        });
        let growth = first_class
            .get(u.meta.sourced_id.as_str())
            .map_or(0.05, |c| {
                *class_growth
                    .entry(c)
                    .or_insert_with(|| rng.gen_range(-0.03..0.10))
            });
        let climate = *school_climate
            .entry(school)
            .or_insert_with(|| rng.gen_range(-0.6..0.5));
        for (r, day) in rounds.iter().enumerate() {
            for q in SCALE_QUESTIONS {
                let v = (3.6 + climate + r as f64 * 0.15 + normal(&mut rng) * 0.9).round();
                answers.push(NewAnswer {
                    line: line as u64 + 2,
                    student: u.meta.sourced_id.clone(),
                    survey: "Student climate survey".to_owned(),
                    asked_on: day.clone(),
                    question: q.to_owned(),
                    scale: Some((v.clamp(1.0, 5.0) as u8, 5)),
                    text: None,
                });
            }
            if rng.gen_bool(0.4) {
                answers.push(NewAnswer {
                    line: line as u64 + 2,
                    student: u.meta.sourced_id.clone(),
                    survey: "Student climate survey".to_owned(),
                    asked_on: day.clone(),
                    question: WRITTEN.0.to_owned(),
                    scale: None,
                    text: Some(WRITTEN.1[rng.gen_range(0..WRITTEN.1.len())].to_owned()),
                });
            }
        }
        let grade: f64 = u.grades.first().and_then(|g| g.parse().ok()).unwrap_or(0.0);
        for (s, (subject, domains)) in SUBJECTS.iter().enumerate() {
            let start = normal(&mut rng) * 0.9 + lean[s][0];
            let own_growth = growth + normal(&mut rng) * 0.06;
            let in_group = *subject == "Reading" && focused.contains(u.meta.sourced_id.as_str());
            // Below benchmark (under the 40th percentile) this fall.
            let below_in_fall = start + own_growth * 3.0 < -0.253;
            for (day, w) in &days {
                let lift = if in_group && below_in_fall && *w > 3.0 {
                    SMALL_GROUP_LIFT
                } else {
                    0.0
                };
                let at = start + own_growth * w + lift;
                for (d, domain) in std::iter::once(&"Overall")
                    .chain(domains.iter())
                    .enumerate()
                {
                    let z = if d == 0 {
                        at
                    } else {
                        at + lean[s][d] + normal(&mut rng) * 0.35
                    };
                    let percentile = (phi(z) * 100.0).round().clamp(1.0, 99.0) as u8;
                    let score = (190.0 + grade * 7.0 + w * 2.5 + z * 14.0).round();
                    results.push(NewResult {
                        line: line as u64 + 2,
                        student: u.meta.sourced_id.clone(),
                        assessment: "MAP Growth".to_owned(),
                        subject: (*subject).to_owned(),
                        domain: (*domain).to_owned(),
                        taken_on: day.clone(),
                        score,
                        scale: "RIT".to_owned(),
                        level: quintile(percentile).to_owned(),
                        percentile: Some(percentile),
                    });
                }
            }
        }
    }
    let stored = store
        .save_results(&NewResults {
            source: "demo: MAP Growth, last school year and this fall".to_owned(),
            results,
            now: now_ms(),
        })
        .await?;
    if let Err(unknown) = stored {
        anyhow::bail!(
            "the demo's results name {} students the roster lacks",
            unknown.len()
        );
    }
    let stored = store
        .save_answers(&NewAnswers {
            source: "demo: student climate survey".to_owned(),
            answers,
            now: now_ms(),
        })
        .await?;
    if let Err(unknown) = stored {
        anyhow::bail!(
            "the demo's survey names {} students the roster lacks",
            unknown.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_distribution_function_is_close() {
        assert!((phi(0.0) - 0.5).abs() < 1e-6);
        assert!((phi(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((phi(-1.96) - 0.024_997_9).abs() < 1e-6);
    }

    #[test]
    fn quintiles_cover_every_percentile() {
        assert_eq!(quintile(1), "Low");
        assert_eq!(quintile(40), "LoAvg");
        assert_eq!(quintile(50), "Avg");
        assert_eq!(quintile(99), "High");
    }
}
