//! The PD-day registration rush: a fixture (a district of N educators, a
//! day open for ranking, an API token each), what each educator saves, the
//! open-loop driver that sends every save at its planned moment, the ledger
//! of acknowledged saves, and the read-back that looks for each one.
//!
//! Set-up writes straight through the store: tokens are minted in bulk
//! (only their hash is stored, as `waypoint users token` does), so no
//! password is hashed for the saves. A few accounts get a real password for
//! the sign-in burst, which is measured on its own.

use crate::http::{self, Failure, Reply};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use waypoint_domain::OrgKind;
use waypoint_domain::pdday::EventState;
use waypoint_domain::roster::{
    BatchMode, Meta, OrgRecord, OrgRole, Origin, RosterBatch, RosterRole, Status, UserRecord,
};
use waypoint_store::{NewCourse, NewEvent, NewProgramme, NewSection, NewSlot, Store};

/// How big a rush to set up.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Educators in the district, each with an API token.
    pub educators: usize,
    /// Educators per school.
    pub per_school: usize,
    /// Sessions on the day (one section each, spread over three slots).
    pub courses: usize,
    /// Sessions each educator may rank.
    pub choices: usize,
    /// Set-up work in flight at once (token minting).
    pub parallel: usize,
}

impl Spec {
    /// `educators` educators at 500 a school, 30 sessions, 5 choices.
    pub fn new(educators: usize) -> Self {
        Self {
            educators,
            per_school: 500,
            courses: 30,
            choices: 5,
            parallel: 32,
        }
    }
}

/// One educator of the fixture.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Educator {
    /// Person id.
    pub person: i64,
    /// Username (for the sign-in burst).
    pub username: String,
    /// Their API token (the store has only its hash).
    pub token: String,
}

/// What the drivers need to know about a set-up database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fixture {
    /// The PD day, open for ranking.
    pub event: i64,
    /// Its sessions' course ids.
    pub courses: Vec<i64>,
    /// Sessions each educator may rank.
    pub choices: usize,
    /// Everyone in the audience, in the order the driver sends their saves.
    pub educators: Vec<Educator>,
}

impl Fixture {
    /// Writes the fixture as JSON (it holds tokens: keep it out of the repository).
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, serde_json::to_vec(self)?)
            .with_context(|| format!("writing {}", path.display()))
    }

    /// Reads a fixture written by [`Fixture::save`].
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
    }
}

fn meta(sourced_id: String, file: &str) -> Meta {
    Meta {
        sourced_id,
        status: Status::Active,
        date_last_modified: None,
        origin: Origin {
            file: file.to_owned(),
            line: 0,
        },
    }
}

/// The district and its educators as a roster.
fn roster(spec: &Spec) -> RosterBatch {
    let mut batch = RosterBatch::new(BatchMode::Bulk, "1.1");
    batch.orgs.push(OrgRecord {
        meta: meta("rush-district".to_owned(), "orgs.csv"),
        name: "Rush Unified School District".to_owned(),
        kind: OrgKind::District,
        identifier: None,
        parent: None,
    });
    let schools = spec.educators.div_ceil(spec.per_school.max(1)).max(1);
    for s in 0..schools {
        batch.orgs.push(OrgRecord {
            meta: meta(format!("rush-school-{s}"), "orgs.csv"),
            name: format!("Rush School {}", s + 1),
            kind: OrgKind::School,
            identifier: None,
            parent: Some("rush-district".to_owned()),
        });
    }
    for i in 0..spec.educators {
        let username = format!("educator{i}@rush.example");
        batch.users.push(UserRecord {
            meta: meta(format!("rush-educator-{i}"), "users.csv"),
            enabled: true,
            username: username.clone(),
            given_name: "Educator".to_owned(),
            family_name: format!("Number {i}"),
            middle_name: None,
            identifier: None,
            email: Some(username),
            grades: Vec::new(),
            roles: vec![OrgRole {
                org: format!("rush-school-{}", i / spec.per_school.max(1)),
                role: RosterRole::Teacher,
                primary: true,
            }],
        });
    }
    batch
}

/// Loads the district, creates the day (open for ranking from a minute ago
/// for a week) and mints one API token per educator.
pub async fn set_up(store: Arc<dyn Store>, spec: &Spec) -> Result<Fixture> {
    if spec.educators == 0 || spec.courses < spec.choices || spec.choices == 0 {
        bail!("a rush needs educators, and at least as many sessions as choices");
    }
    store
        .apply_roster(&roster(spec))
        .await
        .context("loading the rush district")?;
    let district = store
        .org_by_sourced_id("rush-district")
        .await?
        .context("the rush district is missing after loading it")?;
    let now = waypoint_web::now_ms();
    let first = store
        .person_by_sourced_id("rush-educator-0")
        .await?
        .context("the first educator is missing")?;
    let event = store
        .create_event(&NewEvent {
            org: district,
            title: "Registration rush PD day".to_owned(),
            day: "2030-03-12".to_owned(),
            timezone: "America/Chicago".to_owned(),
            venue: "Rush Convention Centre".to_owned(),
            ranks: i64::try_from(spec.choices)?,
            window: None,
            created_by: first,
            now,
        })
        .await?;
    let slots = ["Morning", "Midday", "Afternoon"];
    let capacity = i64::try_from(spec.educators)?;
    let programme = NewProgramme {
        slots: slots
            .iter()
            .enumerate()
            .map(|(i, label)| NewSlot {
                label: (*label).to_owned(),
                starts_at: 1_900_000_000_000 + i as i64 * 3_600_000,
                ends_at: 1_900_000_000_000 + i as i64 * 3_600_000 + 2_700_000,
            })
            .collect(),
        courses: (0..spec.courses)
            .map(|c| NewCourse {
                code: format!("S{c:03}"),
                title: format!("Session {c:03}"),
                ..NewCourse::default()
            })
            .collect(),
        sections: (0..spec.courses)
            .map(|c| NewSection {
                code: format!("S{c:03}-1"),
                course: format!("S{c:03}"),
                slot: slots[c % slots.len()].to_owned(),
                room: format!("Room {c}"),
                capacity,
                facilitators: Vec::new(),
            })
            .collect(),
    };
    store.replace_programme(event, &programme).await?;
    store
        .set_window(event, now - 60_000, now + 7 * 86_400_000, now)
        .await?;
    if !store
        .move_event(event, EventState::Setup, EventState::Preferences, now)
        .await?
    {
        bail!("the rush day could not be opened for ranking");
    }
    let courses = store
        .programme(event)
        .await?
        .courses
        .iter()
        .map(|c| c.id.get())
        .collect();

    let permits = Arc::new(Semaphore::new(spec.parallel.max(1)));
    let mut minting = JoinSet::new();
    for i in 0..spec.educators {
        let store = Arc::clone(&store);
        let permit = Arc::clone(&permits).acquire_owned().await?;
        minting.spawn(async move {
            let _held = permit;
            let person = store
                .person_by_sourced_id(&format!("rush-educator-{i}"))
                .await?
                .with_context(|| format!("educator {i} is missing"))?;
            let token = format!("wp_{}", waypoint_web::auth::random_token());
            store
                .create_api_token(person, "rush", &waypoint_web::auth::token_hash(&token), now)
                .await?;
            anyhow::Ok((
                i,
                Educator {
                    person: person.get(),
                    username: format!("educator{i}@rush.example"),
                    token,
                },
            ))
        });
    }
    let mut educators = Vec::with_capacity(spec.educators);
    while let Some(done) = minting.join_next().await {
        educators.push(done??);
    }
    educators.sort_by_key(|(i, _)| *i);
    Ok(Fixture {
        event: event.get(),
        courses,
        choices: spec.choices,
        educators: educators.into_iter().map(|(_, e)| e).collect(),
    })
}

/// Gives the first `count` educators `password` (one Argon2id hash, shared:
/// what the burst measures is the check at sign-in, not the hashing).
pub async fn set_passwords(
    store: &Arc<dyn Store>,
    fixture: &Fixture,
    count: usize,
    password: &str,
) -> Result<()> {
    let hash = waypoint_web::auth::hash_password(password)?;
    let now = waypoint_web::now_ms();
    for e in fixture.educators.iter().take(count) {
        store
            .set_password_hash(waypoint_domain::PersonId::new(e.person), &hash, now)
            .await?;
    }
    Ok(())
}

/// A small, fast, seeded generator (SplitMix64); the same seed gives the same
/// saves and the same kill moments.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The ranking educator `index` sends at their `attempt`-th save: between
/// one and the allowed number of distinct sessions, in a seeded order.
pub fn choices_for(fixture: &Fixture, index: usize, attempt: u64, seed: u64) -> Vec<i64> {
    let mut rng =
        SplitMix::new(seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) ^ attempt);
    let mut pool = fixture.courses.clone();
    let n = 1 + rng.below(fixture.choices as u64) as usize;
    for i in 0..n {
        let j = i + rng.below((pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool
}

/// A save the server acknowledged with 200: the revision it committed and
/// what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// Whose ranking.
    pub person: i64,
    /// The event.
    pub event: i64,
    /// The committed revision.
    pub revision: i64,
    /// The committed choices, most wanted first.
    pub choices: Vec<i64>,
}

/// What became of one save.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 200, with what the server says it committed.
    Acked(Ack),
    /// Another status (a 503 should carry `Retry-After`).
    Refused {
        /// The status.
        status: u16,
        /// Whether `Retry-After` came with it.
        retry_after: bool,
        /// The body's first characters.
        body: String,
    },
    /// No whole response.
    Failed(Failure),
}

#[derive(Deserialize)]
struct RankingReply {
    event_id: i64,
    revision: i64,
    choices: Vec<i64>,
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// PUTs one ranking for `educator` and says what became of it. A 200 whose
/// body does not echo the choices sent counts as a refusal: it would be an
/// acknowledgement of something else.
pub async fn save(
    addr: SocketAddr,
    event: i64,
    educator: &Educator,
    choices: &[i64],
    timeout: Duration,
) -> Outcome {
    let body = serde_json::json!({ "choices": choices }).to_string();
    let auth = bearer(&educator.token);
    let reply = http::request(
        addr,
        "PUT",
        &format!("/api/v1/events/{event}/ranking"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
        timeout,
    )
    .await;
    match reply {
        Err(f) => Outcome::Failed(f),
        Ok(r) if r.status == 200 => match serde_json::from_slice::<RankingReply>(&r.body) {
            Ok(saved) if saved.choices == choices && saved.event_id == event => {
                Outcome::Acked(Ack {
                    person: educator.person,
                    event,
                    revision: saved.revision,
                    choices: saved.choices,
                })
            }
            _ => refused(&r),
        },
        Ok(r) => refused(&r),
    }
}

fn refused(r: &Reply) -> Outcome {
    Outcome::Refused {
        status: r.status,
        retry_after: r.header("retry-after").is_some(),
        body: r.text().chars().take(200).collect(),
    }
}

/// Reads `educator`'s ranking back through the API: `(revision, choices)`.
pub async fn read(
    addr: SocketAddr,
    event: i64,
    educator: &Educator,
    timeout: Duration,
) -> Result<(i64, Vec<i64>)> {
    let auth = bearer(&educator.token);
    let r = http::request(
        addr,
        "GET",
        &format!("/api/v1/events/{event}/ranking"),
        &[("Authorization", &auth)],
        b"",
        timeout,
    )
    .await
    .with_context(|| format!("reading person {}'s ranking", educator.person))?;
    if r.status != 200 {
        bail!(
            "reading person {}'s ranking: {} {}",
            educator.person,
            r.status,
            r.text()
        );
    }
    let got: RankingReply = serde_json::from_slice(&r.body)
        .with_context(|| format!("reading person {}'s ranking: {}", educator.person, r.text()))?;
    Ok((got.revision, got.choices))
}

/// Latency figures over a set of requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    /// Median.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Slowest.
    pub max: Duration,
}

impl Latency {
    /// Nearest-rank percentiles of `samples`.
    pub fn of(samples: &mut [Duration]) -> Self {
        samples.sort_unstable();
        let at = |q: f64| {
            if samples.is_empty() {
                return Duration::ZERO;
            }
            let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
            samples[rank - 1]
        };
        Self {
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

/// What a rush measured.
#[derive(Debug, Clone)]
pub struct RushReport {
    /// Saves sent.
    pub requests: usize,
    /// Saves acknowledged.
    pub acked: usize,
    /// Errors by kind (`503 with Retry-After`, `connect`, …).
    pub errors: BTreeMap<String, usize>,
    /// From each save's planned moment to its whole response.
    pub latency: Latency,
    /// From the first planned moment to the last response.
    pub wall: Duration,
    /// The acknowledged saves.
    pub ledger: Vec<Ack>,
}

/// Sends one save per educator, the `i`-th planned at `i × spread / n` from
/// the start whatever the earlier ones are doing (open loop: a slow server
/// does not slow the arrivals, and a save's latency counts from its planned
/// moment, so queueing in the driver is charged to the server).
pub async fn rush(
    addr: SocketAddr,
    fixture: &Fixture,
    spread: Duration,
    timeout: Duration,
    seed: u64,
) -> RushReport {
    let n = fixture.educators.len();
    let start = Instant::now();
    let mut sends = JoinSet::new();
    for (i, educator) in fixture.educators.iter().enumerate() {
        let planned = start + spread.mul_f64(i as f64 / n.max(1) as f64);
        tokio::time::sleep_until(planned.into()).await;
        let educator = educator.clone();
        let choices = choices_for(fixture, i, 0, seed);
        let event = fixture.event;
        sends.spawn(async move {
            let outcome = save(addr, event, &educator, &choices, timeout).await;
            (outcome, planned.elapsed())
        });
    }
    let mut report = RushReport {
        requests: n,
        acked: 0,
        errors: BTreeMap::new(),
        latency: Latency::default(),
        wall: Duration::ZERO,
        ledger: Vec::with_capacity(n),
    };
    let mut samples = Vec::with_capacity(n);
    while let Some(done) = sends.join_next().await {
        let Ok((outcome, latency)) = done else {
            *report.errors.entry("driver task".to_owned()).or_default() += 1;
            continue;
        };
        samples.push(latency);
        match outcome {
            Outcome::Acked(ack) => {
                report.acked += 1;
                report.ledger.push(ack);
            }
            Outcome::Refused {
                status,
                retry_after,
                ..
            } => {
                let kind = match (status, retry_after) {
                    (503, true) => "503 with Retry-After".to_owned(),
                    (503, false) => "503 without Retry-After".to_owned(),
                    (s, _) => format!("status {s}"),
                };
                *report.errors.entry(kind).or_default() += 1;
            }
            Outcome::Failed(f) => *report.errors.entry(f.to_string()).or_default() += 1,
        }
    }
    report.wall = start.elapsed();
    report.latency = Latency::of(&mut samples);
    report
}

/// Writes the ledger, one acknowledged save a line:
/// `person  event  revision  choices` (tab-separated, choices comma-separated).
pub fn write_ledger(path: &Path, ledger: &[Ack]) -> Result<()> {
    let mut out = String::from("person\tevent\trevision\tchoices\n");
    for a in ledger {
        let choices: Vec<String> = a.choices.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            a.person,
            a.event,
            a.revision,
            choices.join(",")
        ));
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

/// The latest acknowledged save of each person: a later revision supersedes
/// an earlier one.
pub fn latest(ledger: &[Ack]) -> HashMap<i64, Ack> {
    let mut out: HashMap<i64, Ack> = HashMap::new();
    for a in ledger {
        if out.get(&a.person).is_none_or(|b| a.revision > b.revision) {
            out.insert(a.person, a.clone());
        }
    }
    out
}

/// What the read-back found.
#[derive(Debug, Clone, Default)]
pub struct ReadBack {
    /// Acknowledged saves looked for.
    pub checked: usize,
    /// Read back with the acknowledged revision and choices.
    pub found: usize,
    /// Not there, or older than acknowledged: `person: what was read`.
    pub missing: Vec<String>,
    /// The acknowledged revision with other choices, or a newer revision
    /// nobody was told about: `person: what was read`.
    pub different: Vec<String>,
}

/// Reads every person's latest acknowledged save back through the API,
/// `parallel` at a time.
pub async fn read_back(
    addr: SocketAddr,
    fixture: &Fixture,
    ledger: &[Ack],
    parallel: usize,
    timeout: Duration,
) -> Result<ReadBack> {
    let wanted = latest(ledger);
    let by_person: HashMap<i64, &Educator> =
        fixture.educators.iter().map(|e| (e.person, e)).collect();
    let permits = Arc::new(Semaphore::new(parallel.max(1)));
    let mut reads = JoinSet::new();
    for ack in wanted.into_values() {
        let educator = (*by_person
            .get(&ack.person)
            .with_context(|| format!("person {} is not in the fixture", ack.person))?)
        .clone();
        let permit = Arc::clone(&permits).acquire_owned().await?;
        reads.spawn(async move {
            let _held = permit;
            let got = read(addr, ack.event, &educator, timeout).await;
            (ack, got)
        });
    }
    let mut out = ReadBack::default();
    while let Some(done) = reads.join_next().await {
        let (ack, got) = done?;
        let (revision, choices) = got?;
        out.checked += 1;
        if revision == ack.revision && choices == ack.choices {
            out.found += 1;
        } else if revision < ack.revision {
            out.missing.push(format!(
                "{}: acknowledged revision {} {:?}, read revision {revision} {choices:?}",
                ack.person, ack.revision, ack.choices
            ));
        } else {
            out.different.push(format!(
                "{}: acknowledged revision {} {:?}, read revision {revision} {choices:?}",
                ack.person, ack.revision, ack.choices
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Fixture {
        Fixture {
            event: 1,
            courses: (10..40).collect(),
            choices: 5,
            educators: Vec::new(),
        }
    }

    #[test]
    fn choices_are_distinct_offered_and_within_the_limit() {
        let f = fixture();
        let mut lengths = std::collections::HashSet::new();
        for i in 0..200 {
            let c = choices_for(&f, i, 0, 7);
            assert!((1..=5).contains(&c.len()), "{c:?}");
            let mut d = c.clone();
            d.sort_unstable();
            d.dedup();
            assert_eq!(d.len(), c.len(), "{c:?}");
            assert!(c.iter().all(|x| f.courses.contains(x)));
            assert_eq!(c, choices_for(&f, i, 0, 7), "seeded");
            lengths.insert(c.len());
        }
        assert_eq!(lengths.len(), 5, "every length occurs");
        assert_ne!(choices_for(&f, 3, 0, 7), choices_for(&f, 3, 1, 7));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut s: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let l = Latency::of(&mut s);
        assert_eq!(
            (l.p50, l.p95, l.p99, l.max),
            (
                Duration::from_millis(50),
                Duration::from_millis(95),
                Duration::from_millis(99),
                Duration::from_millis(100)
            )
        );
    }

    #[test]
    fn a_later_revision_supersedes() {
        let a = |revision, c: i64| Ack {
            person: 1,
            event: 1,
            revision,
            choices: vec![c],
        };
        let l = latest(&[a(2, 20), a(3, 30), a(1, 10)]);
        assert_eq!(l[&1].choices, vec![30]);
    }
}
