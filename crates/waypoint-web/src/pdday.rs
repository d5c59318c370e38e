//! PD days in the product: reading a programme CSV, who the audience is,
//! running the assignment engine as a background job, and the personal
//! calendar. Pages live in `pages::events`.

pub mod demo;

use crate::now_ms;
use anyhow::Context;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;
use waypoint_assign::{InstanceBuilder, Mechanism, RankCost, SolveOptions};
use waypoint_domain::pdday::{Audience, EventState};
use waypoint_domain::{OrgId, OrgKind, PersonId};
use waypoint_store::{
    Event, NewCourse, NewProgramme, NewSection, NewSlot, Programme, Seat, SeatSource, Store,
    StoreError,
};

/// Kind of the job that runs the engine for an event (payload: the run id).
pub const ASSIGN_JOB: &str = "pd.assign";

/// How long the engine may improve an assignment before it reports its gap.
const SOLVE_LIMIT: Duration = Duration::from_secs(60);

/// A problem in a programme file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeProblem {
    /// 1-based line (the header is line 1); 0 for the file as a whole.
    pub line: u64,
    /// The column's name, when one is at fault.
    pub column: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl std::fmt::Display for ProgrammeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.column, self.line) {
            (_, 0) => write!(f, "{}", self.message),
            (Some(c), l) => write!(f, "line {l}, column {c}: {}", self.message),
            (None, l) => write!(f, "line {l}: {}", self.message),
        }
    }
}

/// The event's time zone, by its IANA name.
pub fn time_zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name)
        .map_err(|_| format!("\"{name}\" is not a time zone name (for example America/Chicago)"))
}

/// An event's time zone; UTC if its stored name is no longer known.
pub fn event_tz(event: &Event) -> TimeZone {
    time_zone(&event.timezone).unwrap_or(TimeZone::UTC)
}

/// Milliseconds since the epoch of `time` on `day` in `tz`.
pub fn local_ms(tz: &TimeZone, day: Date, time: Time) -> Result<i64, String> {
    let zoned = day
        .to_datetime(time)
        .to_zoned(tz.clone())
        .map_err(|e| format!("{day} {time} does not exist in that time zone: {e}"))?;
    Ok(zoned.timestamp().as_millisecond())
}

/// The local wall-clock time of `ms` in `tz`, as `HH:MM`.
pub fn clock(tz: &TimeZone, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz.clone()).strftime("%H:%M").to_string())
        .unwrap_or_default()
}

/// Reads a programme: the engine's `sessions.csv` columns
/// (`section_id,course_id,title,slot,capacity,facilitators`) plus optional
/// `room`, `description`, `tags`, `starts` and `ends` (the slot's local
/// times, `HH:MM`). Facilitators are usernames or roster sourcedIds,
/// separated by `;`. Without times, slots run 60 minutes from 09:00 with 15
/// minutes between them. Every problem is reported, with its line and
/// column.
pub async fn read_programme(
    store: &dyn Store,
    bytes: &[u8],
    tz: &TimeZone,
    day: Date,
) -> Result<NewProgramme, Vec<ProgrammeProblem>> {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            push(
                &mut problems,
                1,
                None,
                format!("the header cannot be read: {e}"),
            );
            return Err(problems);
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let required = ["section_id", "course_id", "title", "slot", "capacity"];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        push(
            &mut problems,
            1,
            None,
            format!(
                "the header lacks {}; it needs section_id, course_id, title, slot, capacity (and may have facilitators, room, description, tags, starts, ends)",
                missing.join(", ")
            ),
        );
        return Err(problems);
    }
    let at = |name: &str| col(name);
    let mut slots: Vec<SlotSeen> = Vec::new();
    let mut courses: Vec<NewCourse> = Vec::new();
    let mut sections = Vec::new();
    let mut people: HashMap<String, Option<PersonId>> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                push(
                    &mut problems,
                    line,
                    None,
                    format!("the row cannot be read: {e}"),
                );
                continue;
            }
        };
        let get = |name: &str| at(name).and_then(|k| record.get(k)).unwrap_or("");
        let section = get("section_id");
        let course = get("course_id");
        let title = get("title");
        let slot = get("slot");
        for (name, value) in [
            ("section_id", section),
            ("course_id", course),
            ("title", title),
            ("slot", slot),
        ] {
            if value.is_empty() {
                push(&mut problems, line, Some(name), "is empty".to_owned());
            }
        }
        let capacity = match get("capacity").parse::<i64>() {
            Ok(c) if (0..=100_000).contains(&c) => c,
            _ => {
                push(
                    &mut problems,
                    line,
                    Some("capacity"),
                    format!("\"{}\" is not a number of seats", get("capacity")),
                );
                0
            }
        };
        let slot_label = if slot.chars().all(|c| c.is_ascii_digit()) && !slot.is_empty() {
            format!("Slot {slot}")
        } else {
            slot.to_owned()
        };
        let times = match (get("starts"), get("ends")) {
            ("", "") => None,
            (s, e) => match (s.parse::<Time>(), e.parse::<Time>()) {
                (Ok(s), Ok(e)) if e > s => Some((s, e)),
                (Ok(_), Ok(_)) => {
                    push(
                        &mut problems,
                        line,
                        Some("ends"),
                        "the slot must end after it starts".to_owned(),
                    );
                    None
                }
                (Err(_), _) => {
                    push(
                        &mut problems,
                        line,
                        Some("starts"),
                        format!("\"{s}\" is not a time like 09:00"),
                    );
                    None
                }
                (_, Err(_)) => {
                    push(
                        &mut problems,
                        line,
                        Some("ends"),
                        format!("\"{e}\" is not a time like 09:45"),
                    );
                    None
                }
            },
        };
        match slots.iter_mut().find(|s| s.0 == slot_label) {
            Some(known) => {
                if let (Some(t), Some(k)) = (times, known.1)
                    && t != k
                {
                    push(
                        &mut problems,
                        line,
                        Some("starts"),
                        format!(
                            "{slot_label} already runs {}–{} (line {})",
                            k.0, k.1, known.2
                        ),
                    );
                }
                if known.1.is_none() {
                    known.1 = times;
                }
            }
            None => slots.push((slot_label.clone(), times, line)),
        }
        match courses.iter().find(|c| c.code == course) {
            Some(c) if c.title != title => push(
                &mut problems,
                line,
                Some("title"),
                format!(
                    "course {course} is titled \"{}\" on an earlier line",
                    c.title
                ),
            ),
            Some(_) => {}
            None => courses.push(NewCourse {
                code: course.to_owned(),
                title: title.to_owned(),
                description: get("description").to_owned(),
                tags: get("tags").to_owned(),
                audience: get("audience").to_owned(),
            }),
        }
        let leads: Vec<String> = get("facilitators")
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        for l in &leads {
            if !people.contains_key(l) {
                let found = match store.account_by_username(l).await {
                    Ok(Some(a)) => Some(a.person),
                    _ => store.person_by_sourced_id(l).await.ok().flatten(),
                };
                people.insert(l.clone(), found);
            }
            if people.get(l).copied().flatten().is_none() {
                push(
                    &mut problems,
                    line,
                    Some("facilitators"),
                    format!("no staff member has the username or sourcedId \"{l}\""),
                );
            }
        }
        if sections.iter().any(|s: &NewSection| s.code == section) {
            push(
                &mut problems,
                line,
                Some("section_id"),
                format!("section {section} is listed twice"),
            );
        }
        sections.push(NewSection {
            code: section.to_owned(),
            course: course.to_owned(),
            slot: slot_label,
            room: get("room").to_owned(),
            capacity,
            facilitators: leads
                .iter()
                .filter_map(|l| people.get(l).copied().flatten())
                .collect(),
        });
    }
    if sections.is_empty() && problems.is_empty() {
        push(
            &mut problems,
            0,
            None,
            "the file has no sessions".to_owned(),
        );
    }
    // Slots in time order when times are given, otherwise in the order of the labels' numbers.
    slots.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => x.0.cmp(&y.0),
        _ => natural(&a.0).cmp(&natural(&b.0)),
    });
    let mut new_slots = Vec::new();
    for (k, (label, times, line)) in slots.into_iter().enumerate() {
        let (start, end) = times.unwrap_or_else(|| {
            let start = 9 * 60 + 75 * k as i32;
            let t = |m: i32| {
                Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).unwrap_or(Time::midnight())
            };
            (t(start), t(start + 60))
        });
        match (local_ms(tz, day, start), local_ms(tz, day, end)) {
            (Ok(starts_at), Ok(ends_at)) => new_slots.push(NewSlot {
                label,
                starts_at,
                ends_at,
            }),
            (Err(e), _) | (_, Err(e)) => push(&mut problems, line, Some("starts"), e),
        }
    }
    if problems.is_empty() {
        Ok(NewProgramme {
            slots: new_slots,
            courses,
            sections,
        })
    } else {
        Err(problems)
    }
}

/// A slot as the file names it: label, its times if given, the line that introduced it.
type SlotSeen = (String, Option<(Time, Time)>, u64);

fn push(problems: &mut Vec<ProgrammeProblem>, line: u64, column: Option<&str>, message: String) {
    problems.push(ProgrammeProblem {
        line,
        column: column.map(str::to_owned),
        message,
    });
}

/// A label's first number, then the label: "Slot 2" before "Slot 10".
fn natural(label: &str) -> (u64, String) {
    let digits: String = label.chars().filter(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), label.to_owned())
}

/// Every active staff member placed at `org` or, for a district, at any of
/// its schools.
pub async fn audience(store: &dyn Store, org: OrgId) -> Result<Vec<PersonId>, StoreError> {
    Ok(staff_of(store, org, &Audience::default())
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

/// Everyone the event is for: its organisation's staff, narrowed by the
/// event's audience (schools, roster roles).
pub async fn event_audience(store: &dyn Store, event: &Event) -> Result<Vec<PersonId>, StoreError> {
    let audience = store.event_audience(event.id).await?;
    Ok(staff_of(store, event.org, &audience)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

async fn staff_of(
    store: &dyn Store,
    org: OrgId,
    audience: &Audience,
) -> Result<Vec<waypoint_store::StaffRow>, StoreError> {
    let mut orgs = Vec::new();
    if audience.schools.is_empty() {
        orgs.push(org);
    }
    if let Some(o) = store.org(org).await?
        && o.kind != OrgKind::School
    {
        orgs.extend(
            store
                .child_orgs(org)
                .await?
                .into_iter()
                .map(|c| c.org.id)
                .filter(|c| audience.schools.is_empty() || audience.schools.contains(c)),
        );
    }
    let mut seen = HashSet::new();
    let mut people = Vec::new();
    for o in orgs {
        for s in store.staff_of_org(o).await? {
            if (audience.roles.is_empty() || audience.roles.contains(&s.roster_role))
                && seen.insert(s.id)
            {
                people.push(s);
            }
        }
    }
    Ok(people)
}

/// Closes every preference window whose closing time has passed and queues
/// its assignment. Safe on several servers at once: only the one whose
/// state change lands queues the run. Returns how many it closed.
pub async fn close_due(store: &dyn Store, now: i64) -> Result<usize, StoreError> {
    let mut closed = 0;
    for e in store.events().await? {
        if e.state == EventState::Preferences
            && e.closes_at.is_some_and(|c| c <= now)
            && store
                .move_event(e.id, EventState::Preferences, EventState::Closed, now)
                .await?
        {
            store.queue_run(e.id, None, ASSIGN_JOB, now).await?;
            tracing::info!(event = %e.id, "ranking closed at its closing time; assignment queued");
            closed += 1;
        }
    }
    Ok(closed)
}

/// What a finished run reports, stored as JSON with the run.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct RunReport {
    /// The optimal assignment's profile and figures.
    pub optimal: Summary,
    /// The same preferences first come, first served (people arriving in a
    /// random order), for comparison.
    pub fcfs: Summary,
    /// People placed.
    pub people: usize,
    /// People who ranked at least one session.
    pub ranked: usize,
}

/// One mechanism's outcome, as the results page shows it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// `profile[r - 1]`: placements at the rank-`r` choice.
    pub profile: Vec<u64>,
    /// Placements in sessions the person did not rank.
    pub unranked: u64,
    /// Share of people who ranked and got their first choice somewhere.
    pub first_choice_share: f64,
    /// Worst rank anyone got.
    pub worst_rank: Option<u16>,
    /// Lower bound and gap (optimal only).
    pub gap: Option<f64>,
    /// Whether it is proven optimal.
    pub proven_optimal: bool,
    /// Solve time (ms).
    pub elapsed_ms: f64,
}

impl From<&waypoint_assign::Report> for Summary {
    fn from(r: &waypoint_assign::Report) -> Self {
        Self {
            profile: r.profile.clone(),
            unranked: r.unranked + r.required_unranked,
            first_choice_share: r.first_choice_share,
            worst_rank: r.worst_rank,
            gap: r.bound.as_ref().map(|b| b.gap),
            proven_optimal: r.bound.as_ref().is_some_and(|b| b.proven_optimal),
            elapsed_ms: r.elapsed_ms,
        }
    }
}

/// Runs run `run_id`: reads the event's programme, preferences and audience,
/// solves, and stores the seats (or the reason it could not).
pub async fn run_assignment(store: &Arc<dyn Store>, run_id: i64) -> anyhow::Result<()> {
    let run = store.run(run_id).await?.context("the run is gone")?;
    let event = store.event(run.event).await?.context("the event is gone")?;
    store
        .run_progress(run_id, "Reading the programme and everyone's choices")
        .await?;
    let programme = store.programme(event.id).await?;
    let preferences = store.preferences(event.id).await?;
    let people = event_audience(&**store, &event).await?;
    let outcome = tokio::task::spawn_blocking(move || solve(&programme, &preferences, &people))
        .await
        .context("the solver stopped")?;
    match outcome {
        Ok((seats, report)) => {
            let json = serde_json::to_string(&report)?;
            if !store.finish_run(run_id, &seats, &json, now_ms()).await? {
                store
                    .fail_run(run_id, "The event was reopened while seats were being assigned; run it again once it is closed.", now_ms())
                    .await?;
            }
        }
        Err(message) => store.fail_run(run_id, &message, now_ms()).await?,
    }
    Ok(())
}

/// Builds the engine's instance and solves it twice (optimal, and first
/// come first served for comparison). `Err` is a plain-language reason.
pub fn solve(
    programme: &Programme,
    preferences: &[waypoint_store::Preference],
    audience: &[PersonId],
) -> Result<(Vec<Seat>, RunReport), String> {
    let mut b = InstanceBuilder::new();
    let mut slot_ix = HashMap::new();
    for s in &programme.slots {
        slot_ix.insert(s.id, b.slot(&s.label));
    }
    let mut course_ix = HashMap::new();
    for c in &programme.courses {
        course_ix.insert(c.id, b.course(&c.id.to_string(), &c.title));
    }
    for p in audience {
        b.person(&p.to_string());
    }
    for s in &programme.sections {
        let (Some(&c), Some(&t)) = (course_ix.get(&s.course), slot_ix.get(&s.slot)) else {
            continue;
        };
        let leads = s.facilitators.iter().map(|(p, _)| p.to_string()).collect();
        let capacity = u32::try_from(s.capacity).unwrap_or(0);
        b.section(&s.id.to_string(), c, t, capacity, leads)
            .map_err(|e| e.to_string())?;
    }
    let mut ranked = HashSet::new();
    // Choices of people no longer in the audience (it was narrowed after
    // they ranked) do not give them a seat.
    let invited: HashSet<PersonId> = audience.iter().copied().collect();
    for pref in preferences.iter().filter(|p| invited.contains(&p.person)) {
        let Some(&c) = course_ix.get(&pref.course) else {
            continue;
        };
        let p = b.person(&pref.person.to_string());
        ranked.insert(pref.person);
        b.rank(p, c, u16::try_from(pref.rank).unwrap_or(u16::MAX))
            .map_err(|e| e.to_string())?;
    }
    let inst = b.build(true).map_err(|e| e.to_string())?;
    let run = |mechanism| {
        waypoint_assign::solve(
            &inst,
            &SolveOptions {
                mechanism,
                seed: 1,
                time_limit: Some(SOLVE_LIMIT),
                rank_cost: RankCost::Squared,
                arrival_order: None,
            },
            &mut |_| {},
        )
        .map_err(|e| match e {
            waypoint_assign::SolveError::Infeasible(problems) => format!(
                "Not everyone can be seated: {}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        })
    };
    let optimal = run(Mechanism::Optimal)?;
    let fcfs = run(Mechanism::Fcfs)?;
    let mut seats = Vec::new();
    let section_ids: Vec<_> = programme.sections.iter().map(|s| (s.id, s.slot)).collect();
    let by_code: HashMap<String, usize> = section_ids
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.to_string(), i))
        .collect();
    for (p, person) in inst.people().iter().enumerate() {
        let Ok(pid) = person.id().parse::<i64>() else {
            continue;
        };
        for t in 0..inst.n_slots() {
            let Some(s) = optimal.assignment.section(p, t) else {
                continue;
            };
            let sec = &inst.sections()[s];
            let Some(&k) = by_code.get(sec.id()) else {
                continue;
            };
            let facilitating = sec.facilitators().contains(&p);
            seats.push(Seat {
                person: PersonId::new(pid),
                slot: section_ids[k].1,
                section: section_ids[k].0,
                rank: if facilitating {
                    None
                } else {
                    person.rank_of(sec.course()).map(i64::from)
                },
                facilitating,
                source: SeatSource::Engine,
            });
        }
    }
    let report = RunReport {
        optimal: Summary::from(&optimal.report(&inst)),
        fcfs: Summary::from(&fcfs.report(&inst)),
        people: inst.people().len(),
        ranked: ranked.len(),
    };
    Ok((seats, report))
}

/// One line of a personal schedule.
#[derive(Debug, Clone)]
pub struct ScheduleItem {
    /// The slot's label.
    pub slot: String,
    /// Starts (ms).
    pub starts_at: i64,
    /// Ends (ms).
    pub ends_at: i64,
    /// The session's title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// The room.
    pub room: String,
    /// Who leads it.
    pub facilitators: Vec<String>,
    /// The rank the person gave it.
    pub rank: Option<i64>,
    /// Whether the person leads it.
    pub facilitating: bool,
    /// The slot's id (for stable calendar UIDs).
    pub slot_id: i64,
    /// The section's id (for its roster).
    pub section_id: i64,
    /// A general session everyone attends (`slot_id` is then its id).
    pub general: bool,
}

/// A person's schedule from their seats and the day's general sessions, in
/// time order.
pub fn schedule(
    programme: &Programme,
    seats: &[Seat],
    general: &[waypoint_store::GeneralSession],
) -> Vec<ScheduleItem> {
    let slots: HashMap<_, _> = programme.slots.iter().map(|s| (s.id, s)).collect();
    let sections: HashMap<_, _> = programme.sections.iter().map(|s| (s.id, s)).collect();
    let courses: HashMap<_, _> = programme.courses.iter().map(|c| (c.id, c)).collect();
    let mut out: BTreeMap<(i64, i64), ScheduleItem> = BTreeMap::new();
    for seat in seats {
        let (Some(slot), Some(sec)) = (slots.get(&seat.slot), sections.get(&seat.section)) else {
            continue;
        };
        let Some(course) = courses.get(&sec.course) else {
            continue;
        };
        out.insert(
            (slot.starts_at, slot.id.get()),
            ScheduleItem {
                slot: slot.label.clone(),
                starts_at: slot.starts_at,
                ends_at: slot.ends_at,
                title: course.title.clone(),
                description: course.description.clone(),
                room: sec.room.clone(),
                facilitators: sec.facilitators.iter().map(|f| f.1.clone()).collect(),
                rank: seat.rank,
                facilitating: seat.facilitating,
                slot_id: slot.id.get(),
                section_id: sec.id.get(),
                general: false,
            },
        );
    }
    // General sessions go in for everyone with a seat: they attend the day.
    if !out.is_empty() {
        for g in general {
            out.insert(
                (g.starts_at, -g.id),
                ScheduleItem {
                    slot: "Everyone".to_owned(),
                    starts_at: g.starts_at,
                    ends_at: g.ends_at,
                    title: g.title.clone(),
                    description: String::new(),
                    room: g.location.clone(),
                    facilitators: Vec::new(),
                    rank: None,
                    facilitating: false,
                    slot_id: g.id,
                    section_id: 0,
                    general: true,
                },
            );
        }
    }
    out.into_values().collect()
}

/// Schedules as an iCalendar file (RFC 5545), times in UTC, named `name`.
/// Each slot's event keeps its UID across changes; SEQUENCE follows the
/// day's.
pub fn icalendar(
    name: &str,
    days: &[(Event, Vec<ScheduleItem>)],
    person: PersonId,
    host: &str,
) -> String {
    let mut out = String::new();
    let mut line = |s: String| fold(&mut out, &s);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Waypoint//PD day schedule//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", text(name)));
    for (event, items) in days {
        for item in items {
            line("BEGIN:VEVENT".into());
            let kind = if item.general { "general" } else { "slot" };
            line(format!(
                "UID:pd-{}-{kind}-{}-person-{}@{}",
                event.id, item.slot_id, person, host
            ));
            line(format!("DTSTAMP:{}", utc(event.updated_at)));
            line(format!("DTSTART:{}", utc(item.starts_at)));
            line(format!("DTEND:{}", utc(item.ends_at)));
            line(format!("SEQUENCE:{}", event.sequence));
            let summary = if item.facilitating {
                format!("Leading: {}", item.title)
            } else {
                item.title.clone()
            };
            line(format!("SUMMARY:{}", text(&summary)));
            let location = if item.room.is_empty() {
                event.venue.clone()
            } else {
                format!("{}, {}", item.room, event.venue)
            };
            line(format!("LOCATION:{}", text(&location)));
            let mut description = item.description.clone();
            if !item.facilitators.is_empty() {
                let _ = write!(
                    description,
                    "\n\nFacilitators: {}",
                    item.facilitators.join(", ")
                );
            }
            line(format!("DESCRIPTION:{}", text(&description)));
            line("STATUS:CONFIRMED".into());
            line("END:VEVENT".into());
        }
    }
    line("END:VCALENDAR".into());
    out
}

fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (never inside a character), CRLF-terminated.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let mut out = String::new();
        let long = format!("DESCRIPTION:{}", "é".repeat(100));
        fold(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), long);
    }

    #[test]
    fn general_sessions_join_a_schedule_in_time_order() {
        use waypoint_domain::{CourseId, SectionId, SlotId};
        let programme = Programme {
            slots: vec![waypoint_store::Slot {
                id: SlotId::new(1),
                position: 0,
                label: "Slot 1".into(),
                starts_at: 2_000,
                ends_at: 3_000,
            }],
            courses: vec![waypoint_store::Course {
                id: CourseId::new(1),
                code: "C".into(),
                title: "Number talks".into(),
                description: String::new(),
                tags: String::new(),
                audience: String::new(),
            }],
            sections: vec![waypoint_store::Section {
                id: SectionId::new(1),
                course: CourseId::new(1),
                slot: SlotId::new(1),
                code: "S".into(),
                room: "101".into(),
                capacity: 10,
                facilitators: vec![],
            }],
        };
        let seat = Seat {
            person: PersonId::new(7),
            slot: SlotId::new(1),
            section: SectionId::new(1),
            rank: Some(1),
            facilitating: false,
            source: SeatSource::Engine,
        };
        let general = |id, title: &str, at| waypoint_store::GeneralSession {
            id,
            title: title.into(),
            starts_at: at,
            ends_at: at + 500,
            location: "Hall".into(),
        };
        let all = [general(9, "Closing", 4_000), general(8, "Opening", 1_000)];
        let items = schedule(&programme, &[seat], &all);
        let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Opening", "Number talks", "Closing"]);
        assert!(items[0].general && !items[1].general);
        assert!(
            schedule(&programme, &[], &all).is_empty(),
            "no seats, no day"
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn local_times_follow_the_zone() {
        let tz = time_zone("America/Chicago").expect("zone");
        let day: Date = "2027-03-12".parse().expect("date");
        let ms = local_ms(&tz, day, Time::new(9, 0, 0, 0).expect("time")).expect("exists");
        // 09:00 CST is 15:00 UTC (daylight time starts two days later).
        assert_eq!(utc(ms), "20270312T150000Z");
        assert_eq!(clock(&tz, ms), "09:00");
        assert!(time_zone("Mars/Olympus").is_err());
    }
}
