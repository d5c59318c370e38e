//! Seeded instance generator: PD days shaped like the one in the seed article (1,000 educators,
//! three breakout slots, 138 sections of ~110 courses led by 208 of their colleagues, rooms of
//! 15–40 seats, hot courses such as mindfulness running in several sections) and larger
//! conferences; plus writers for the three CSV inputs.
//!
//! Popularity follows a Zipf law over courses, mixed with subject clusters: each person has a home
//! subject and draws about half their choices from it.

use std::io::Write;
use std::path::Path;

use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::assignment::csv_field;
use crate::model::{Instance, InstanceBuilder, ModelError};

/// The shape of a generated instance.
#[derive(Debug, Clone)]
pub struct Spec {
    /// People in total, facilitators included.
    pub people: usize,
    /// Breakout slots.
    pub slots: usize,
    /// Sections across all slots.
    pub sections: usize,
    /// Distinct courses (the rest of the sections repeat popular courses).
    pub courses: usize,
    /// People who lead a section.
    pub facilitators: usize,
    /// Smallest and largest room.
    pub capacity: (u32, u32),
    /// Total seats per slot relative to the people who need one.
    pub slack: f64,
    /// Courses each person ranks.
    pub k: usize,
    /// Subject clusters.
    pub subjects: usize,
    /// Zipf exponent of course popularity.
    pub zipf: f64,
    /// Whether the organisers put popular sessions in the larger rooms (as a conference planner
    /// does from pre-registration interest) instead of assigning rooms at random.
    pub rooms_by_demand: bool,
}

impl Spec {
    /// The seed article's day: 1,000 people, 3 slots, 138 sections, 110 courses, 208 facilitators.
    pub fn pd_day() -> Spec {
        Spec {
            people: 1000,
            slots: 3,
            sections: 138,
            courses: 110,
            facilitators: 208,
            capacity: (15, 40),
            slack: 1.08,
            k: 9,
            subjects: 12,
            zipf: 0.6,
            rooms_by_demand: false,
        }
    }
    /// A statewide conference: 20,000 people, 4 slots, 2,000 sections.
    pub fn conference() -> Spec {
        Spec {
            people: 20_000,
            slots: 4,
            sections: 2000,
            courses: 1600,
            facilitators: 3000,
            capacity: (15, 80),
            slack: 1.08,
            k: 9,
            subjects: 40,
            zipf: 0.6,
            rooms_by_demand: true,
        }
    }
    /// 100,000 people, 4 slots, 10,000 sections.
    pub fn large() -> Spec {
        Spec {
            people: 100_000,
            slots: 4,
            sections: 10_000,
            courses: 8000,
            facilitators: 15_000,
            capacity: (15, 80),
            slack: 1.08,
            k: 9,
            subjects: 100,
            zipf: 0.6,
            rooms_by_demand: true,
        }
    }
    /// A spec by name: `day`, `conference` or `large`.
    pub fn named(name: &str) -> Option<Spec> {
        match name {
            "day" => Some(Spec::pd_day()),
            "conference" => Some(Spec::conference()),
            "large" => Some(Spec::large()),
            _ => None,
        }
    }
}

/// The 1,000-person PD day for `seed`.
pub fn generate_day(seed: u64) -> Instance {
    generate(&Spec::pd_day(), seed)
}

fn zipf_weights(n: usize, s: f64) -> Vec<f64> {
    (0..n).map(|i| 1.0 / ((i + 1) as f64).powf(s)).collect()
}

fn pick(rng: &mut ChaCha8Rng, cum: &[f64]) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = rng.r#gen::<f64>() * total;
    cum.partition_point(|&c| c <= x).min(cum.len() - 1)
}

fn cumulative(w: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    w.iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
}

/// Generate an instance of shape `spec`; the same seed gives the same instance.
pub fn generate(spec: &Spec, seed: u64) -> Instance {
    build(spec, seed).unwrap_or_else(|e| unreachable_model(&e))
}

fn unreachable_model(e: &ModelError) -> Instance {
    // The generator only produces consistent ids; reaching this is a bug in it.
    panic!("generator produced an invalid instance: {e}")
}

fn build(spec: &Spec, seed: u64) -> Result<Instance, ModelError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let nt = spec.slots;
    let per_slot = spec.sections / nt;
    let n_sections = per_slot * nt;
    let n_courses = spec.courses.min(n_sections);

    // Courses are indexed by popularity (0 = hottest); subjects are dealt out at random.
    let weights = zipf_weights(n_courses, spec.zipf);
    let subject: Vec<usize> = (0..n_courses)
        .map(|_| rng.gen_range(0..spec.subjects))
        .collect();

    // Extra sections go to the courses with the most popularity per section (D'Hondt).
    let mut count = vec![1usize; n_courses];
    for _ in n_courses..n_sections {
        let best = (0..n_courses)
            .max_by(|&a, &b| {
                (weights[a] / count[a] as f64).total_cmp(&(weights[b] / count[b] as f64))
            })
            .unwrap_or(0);
        count[best] += 1;
    }
    // Place sections into slots: spread each course over distinct slots, keep slots balanced.
    let mut load = vec![0usize; nt];
    let mut placed: Vec<(usize, usize)> = Vec::with_capacity(n_sections);
    let mut order: Vec<usize> = (0..n_courses).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(count[c]));
    for &c in &order {
        let mut in_slot = vec![0usize; nt];
        for _ in 0..count[c] {
            let t = (0..nt)
                .filter(|&t| load[t] < per_slot)
                .min_by_key(|&t| (in_slot[t], load[t], rng.gen_range(0..1000u32)))
                .unwrap_or(0);
            in_slot[t] += 1;
            load[t] += 1;
            placed.push((c, t));
        }
    }

    // People; the first `facilitators` lead one section each, one or two to a section.
    let width = spec.people.to_string().len().max(4);
    let ids: Vec<String> = (0..spec.people)
        .map(|i| format!("P{:0width$}", i + 1))
        .collect();
    let n_fac = spec.facilitators.min(spec.people);
    let mut fac_of_section: Vec<Vec<usize>> = vec![Vec::new(); placed.len()];
    for f in 0..n_fac {
        let s = if f < placed.len() {
            f
        } else {
            rng.gen_range(0..placed.len())
        };
        fac_of_section[s].push(f);
    }
    let mut leads_in = vec![vec![false; nt]; spec.people];
    for (s, fs) in fac_of_section.iter().enumerate() {
        for &f in fs {
            leads_in[f][placed[s].1] = true;
        }
    }
    let mut absent = vec![vec![false; nt]; spec.people];
    for (p, row) in absent.iter_mut().enumerate() {
        if rng.gen_bool(0.01) {
            let t = rng.gen_range(0..nt);
            if !leads_in[p][t] {
                row[t] = true;
            }
        }
    }

    // Capacities per slot: skewed towards small rooms, then nudged to the seat target.
    let (lo, hi) = spec.capacity;
    let mut caps = vec![0u32; placed.len()];
    for t in 0..nt {
        let need = (0..spec.people)
            .filter(|&p| !leads_in[p][t] && !absent[p][t])
            .count();
        let target = (need as f64 * spec.slack).ceil() as i64;
        let idx: Vec<usize> = (0..placed.len()).filter(|&s| placed[s].1 == t).collect();
        for &s in &idx {
            let u: f64 = rng.r#gen();
            caps[s] = lo + ((f64::from(hi - lo)) * u * u).round() as u32;
        }
        if spec.rooms_by_demand {
            // Largest rooms to the sections with the most expected interest.
            let mut sizes: Vec<u32> = idx.iter().map(|&s| caps[s]).collect();
            sizes.sort_unstable_by(|a, b| b.cmp(a));
            let mut by_interest = idx.clone();
            by_interest.sort_by(|&a, &b| {
                let wa = weights[placed[a].0] / count[placed[a].0] as f64;
                let wb = weights[placed[b].0] / count[placed[b].0] as f64;
                wb.total_cmp(&wa)
            });
            for (&s, size) in by_interest.iter().zip(sizes) {
                caps[s] = size;
            }
        }
        let mut sum: i64 = idx.iter().map(|&s| i64::from(caps[s])).sum();
        let mut guard = 0;
        while sum != target && guard < 10_000_000 {
            guard += 1;
            let s = idx[rng.gen_range(0..idx.len())];
            if sum < target && caps[s] < hi {
                caps[s] += 1;
                sum += 1;
            } else if sum > target && caps[s] > lo {
                caps[s] -= 1;
                sum -= 1;
            }
        }
    }

    let mut b = InstanceBuilder::new();
    for t in 0..nt {
        b.slot(&(t + 1).to_string());
    }
    let width_c = n_courses.to_string().len().max(3);
    let course_ix: Vec<usize> = (0..n_courses)
        .map(|c| {
            b.course(
                &format!("C{:0width_c$}", c + 1),
                &format!("Session {} (subject {})", c + 1, subject[c] + 1),
            )
        })
        .collect();
    for id in &ids {
        b.person(id);
    }
    let width_s = placed.len().to_string().len().max(3);
    for (s, &(c, t)) in placed.iter().enumerate() {
        let facs = fac_of_section[s].iter().map(|&f| ids[f].clone()).collect();
        b.section(
            &format!("S{:0width_s$}", s + 1),
            course_ix[c],
            t,
            caps[s],
            facs,
        )?;
    }
    for (p, row) in absent.iter().enumerate() {
        for (t, &a) in row.iter().enumerate() {
            if a {
                b.absent(p, t);
            }
        }
    }

    // Choices: 70% from the home subject, the rest from everything, both Zipf-weighted.
    let by_subject: Vec<Vec<usize>> = (0..spec.subjects)
        .map(|j| (0..n_courses).filter(|&c| subject[c] == j).collect())
        .collect();
    let cum_all = cumulative(&weights);
    let cum_subject: Vec<Vec<f64>> = by_subject
        .iter()
        .map(|cs| cumulative(&cs.iter().map(|&c| weights[c]).collect::<Vec<_>>()))
        .collect();
    let subject_pop: Vec<f64> = by_subject.iter().map(|cs| cs.len() as f64 + 1.0).collect();
    let cum_home = cumulative(&subject_pop);
    let mut fac_courses: Vec<Vec<usize>> = vec![Vec::new(); spec.people];
    for (s, fs) in fac_of_section.iter().enumerate() {
        for &f in fs {
            fac_courses[f].push(placed[s].0);
        }
    }
    for (p, fac_courses_p) in fac_courses.iter().enumerate() {
        let u: f64 = rng.r#gen();
        let k = if u < 0.02 {
            0
        } else if u < 0.12 {
            rng.gen_range(3..spec.k.max(4))
        } else {
            spec.k
        };
        let home = pick(&mut rng, &cum_home);
        let mut chosen: Vec<usize> = Vec::with_capacity(k);
        let mut tries = 0;
        while chosen.len() < k.min(n_courses) && tries < 1000 {
            tries += 1;
            let c = if rng.gen_bool(0.7) && !by_subject[home].is_empty() {
                by_subject[home][pick(&mut rng, &cum_subject[home])]
            } else {
                pick(&mut rng, &cum_all)
            };
            if !chosen.contains(&c) && !fac_courses_p.contains(&c) {
                chosen.push(c);
            }
        }
        // People list favourites roughly by popularity, with some personal noise.
        chosen.shuffle(&mut rng);
        chosen.sort_by(|&a, &b| {
            let na = weights[a].ln() + rng.r#gen::<f64>() * 2.0;
            let nb = weights[b].ln() + rng.r#gen::<f64>() * 2.0;
            nb.total_cmp(&na)
        });
        for (r, &c) in chosen.iter().enumerate() {
            b.rank(p, course_ix[c], (r + 1) as u16)?;
        }
    }
    b.build(false)
}

/// Write `sessions.csv`, `preferences.csv` and `people.csv` for `inst` into `dir`.
pub fn write_inputs(inst: &Instance, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("sessions.csv"))?);
    let audience = inst.courses.iter().any(|c| c.audience.is_some());
    write!(w, "section_id,course_id,title,slot,capacity,facilitators")?;
    writeln!(w, "{}", if audience { ",audience" } else { "" })?;
    for sec in &inst.sections {
        let facs: Vec<&str> = sec
            .facilitators
            .iter()
            .map(|&f| inst.people[f].id.as_str())
            .collect();
        let course = &inst.courses[sec.course];
        write!(
            w,
            "{},{},{},{},{},{}",
            csv_field(&sec.id),
            csv_field(&course.id),
            csv_field(&course.title),
            csv_field(&inst.slots[sec.slot]),
            sec.capacity,
            csv_field(&facs.join(";"))
        )?;
        if audience {
            let aud: Vec<&str> = course
                .audience
                .iter()
                .flatten()
                .map(|&p| inst.people[p].id.as_str())
                .collect();
            write!(w, ",{}", csv_field(&aud.join(";")))?;
        }
        writeln!(w)?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("preferences.csv"))?);
    writeln!(w, "person_id,rank,course_id")?;
    for p in &inst.people {
        for &(c, r) in &p.ranked {
            writeln!(
                w,
                "{},{},{}",
                csv_field(&p.id),
                r,
                csv_field(&inst.courses[c].id)
            )?;
        }
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("people.csv"))?);
    writeln!(w, "person_id,absent_slots,required_courses")?;
    for p in &inst.people {
        let absent: Vec<&str> = (0..inst.n_slots())
            .filter(|&t| p.is_absent(t))
            .map(|t| inst.slots[t].as_str())
            .collect();
        let req: Vec<&str> = p
            .required
            .iter()
            .map(|&c| inst.courses[c].id.as_str())
            .collect();
        writeln!(
            w,
            "{},{},{}",
            csv_field(&p.id),
            csv_field(&absent.join(";")),
            csv_field(&req.join(";"))
        )?;
    }
    w.flush()
}
