//! The demo's PD days: one finished (so the results chart, schedules and
//! feedback are there to look at), one open for ranking (so a demo educator
//! can rank), and one calling for proposals (so the review queue has work
//! in every state). Deterministic: the same district gives the same days.

use super::{audience, local_ms, solve};
use crate::now_ms;
use anyhow::Context;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::sync::Arc;
use waypoint_domain::pdday::{EventState, ProposalText, Ranking, Review};
use waypoint_domain::{CourseId, OrgId, PersonId};
use waypoint_store::{
    AddSection, NewCourse, NewEvent, NewGroup, NewProgramme, NewProposal, NewSection, NewSlot,
    Store,
};

/// Sessions a district's own staff might lead: title, description, tags.
const SESSIONS: [(&str, &str, &str); 24] = [
    (
        "Fractions on the number line",
        "Make fractions numbers students can place, compare and reason about.",
        "math;grades 3-5",
    ),
    (
        "Restorative circles that work",
        "Start, run and follow up a circle that repairs harm and builds belonging.",
        "culture;behaviour",
    ),
    (
        "Phonics routines for every day",
        "Short, systematic routines that build decoding from kindergarten to grade 2.",
        "literacy;k-2",
    ),
    (
        "Feedback students act on",
        "Feedback that moves learning: timing, form and what students do next.",
        "assessment",
    ),
    (
        "Number talks",
        "Fifteen minutes a day of mental math and mathematical conversation.",
        "math;k-5",
    ),
    (
        "Writing conferences",
        "One-to-one conferences that teach the writer, not the writing.",
        "literacy;writing",
    ),
    (
        "Co-teaching models",
        "Six ways to share a classroom with a special educator, and when to use each.",
        "inclusion;special education",
    ),
    (
        "Students learning English in science",
        "Language supports that keep the science rigorous.",
        "multilingual learners;science",
    ),
    (
        "Trauma-informed classrooms",
        "What stress does to learning and the routines that help.",
        "well-being;culture",
    ),
    (
        "Formative assessment with exit tickets",
        "Design, sort and act on exit tickets in ten minutes.",
        "assessment",
    ),
    (
        "Project-based learning, start to finish",
        "Plan a two-week project with a real audience and clear criteria.",
        "pedagogy",
    ),
    (
        "Reading across the content areas",
        "Disciplinary literacy strategies for science and social studies.",
        "literacy;grades 6-12",
    ),
    (
        "Math discourse in middle school",
        "Talk moves that get every student explaining and justifying.",
        "math;grades 6-8",
    ),
    (
        "Universal design for learning",
        "Plan once for the range of learners in the room.",
        "inclusion;planning",
    ),
    (
        "Classroom management in the first ten minutes",
        "Entry routines and expectations that set up the hour.",
        "behaviour;new teachers",
    ),
    (
        "Student goal setting and self-assessment",
        "Students who know where they are going and how they are doing.",
        "assessment;student agency",
    ),
    (
        "Small-group reading instruction",
        "Grouping, text choice and what the rest of the class does.",
        "literacy;k-5",
    ),
    (
        "Data conversations that lead to action",
        "Protocols for looking at student work and results as a team.",
        "data;collaboration",
    ),
    (
        "Culturally sustaining pedagogy",
        "Curriculum and practice that draw on students' cultures as strengths.",
        "equity;culture",
    ),
    (
        "Coaching cycles for teacher leaders",
        "Goal, model, practise, reflect: a cycle that changes practice.",
        "coaching;leadership",
    ),
    (
        "Vocabulary instruction that sticks",
        "Choosing words and giving students many meaningful encounters.",
        "literacy;multilingual learners",
    ),
    (
        "Inquiry in the science classroom",
        "From a phenomenon to questions students investigate.",
        "science;pedagogy",
    ),
    (
        "Digital tools for feedback",
        "Audio, video and comment banks that save time and help students.",
        "technology;assessment",
    ),
    (
        "Supporting students with ADHD",
        "Structures and accommodations that help attention and organisation.",
        "special education;well-being",
    ),
];

/// Adds the demo's PD days for the district `district`, coordinated by
/// `coordinator`, unless the installation has PD days already. The demo
/// educator `keep_open` is left without a ranking on the open day.
pub async fn seed(
    store: &Arc<dyn Store>,
    district: OrgId,
    coordinator: PersonId,
    keep_open: PersonId,
) -> anyhow::Result<()> {
    if !store.events().await?.is_empty() {
        return Ok(());
    }
    let people = audience(&**store, district).await?;
    anyhow::ensure!(
        people.len() >= 6,
        "the demo district has too few staff for a PD day"
    );
    let now = now_ms();
    let today = jiff::Timestamp::from_millisecond(now)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let tz = super::time_zone("America/Chicago").map_err(anyhow::Error::msg)?;

    // The day that already happened: published, with everyone's schedule.
    let past = today.checked_sub(jiff::Span::new().days(40))?;
    let id = create(
        store,
        district,
        coordinator,
        "Fall district PD day",
        past,
        &tz,
        &people,
        11,
    )
    .await?;
    rank_everyone(store, id, &people, None, now, 11).await?;
    store
        .set_window(id, now - 50 * DAY, now - 45 * DAY, now)
        .await?;
    move_to(store, id, EventState::Setup, EventState::Preferences).await?;
    move_to(store, id, EventState::Preferences, EventState::Closed).await?;
    let run = store
        .queue_run(id, Some(coordinator), super::ASSIGN_JOB, now)
        .await?;
    // Solved here rather than by the job runner, so the demo starts complete.
    if let Some(job) = run.job
        && let Some(claimed) = store.claim_job("demo", now, 60_000).await?
    {
        anyhow::ensure!(
            claimed.id == job,
            "the demo found an unexpected job waiting"
        );
        let programme = store.programme(id).await?;
        let prefs = store.preferences(id).await?;
        let everyone = people.clone();
        let (seats, report) =
            tokio::task::spawn_blocking(move || solve(&programme, &prefs, &everyone))
                .await?
                .map_err(anyhow::Error::msg)?;
        store
            .finish_run(run.id, &seats, &serde_json::to_string(&report)?, now)
            .await?;
        store.finish_job(job, "demo", None, now).await?;
    }
    move_to(store, id, EventState::Assigned, EventState::Published).await?;
    attend_and_react(store, id, coordinator, now).await?;
    move_to(store, id, EventState::Published, EventState::Finished).await?;
    follow_ups(store, id, district, coordinator, keep_open, now).await?;

    // The day to come: open for ranking for two more weeks.
    let future = today.checked_add(jiff::Span::new().days(30))?;
    let id = create(
        store,
        district,
        coordinator,
        "Spring district PD day",
        future,
        &tz,
        &people,
        7,
    )
    .await?;
    store.set_window(id, now - DAY, now + 14 * DAY, now).await?;
    move_to(store, id, EventState::Setup, EventState::Preferences).await?;
    rank_everyone(store, id, &people, Some(keep_open), now, 7).await?;

    system_goals(store, district, coordinator, now).await?;

    // The institute in four months: its call for proposals is open.
    let institute = today.checked_add(jiff::Span::new().days(120))?;
    call_for_proposals(
        store,
        district,
        coordinator,
        keep_open,
        institute,
        &tz,
        &people,
    )
    .await?;
    Ok(())
}

/// A proposal the demo institute received: title, description, audience,
/// tags, and what the coordinator decided (with a note).
type DemoProposal = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(Review, &'static str)>,
);

/// Proposals the institute has received.
const PROPOSALS: [DemoProposal; 8] = [
    (
        "Math talks with multilingual learners",
        "Sentence frames, partner talk and visuals that let every student explain their thinking in math.",
        "Elementary (K–5)",
        "math;multilingual learners",
        Some((Review::Accept, "")),
    ),
    (
        "Student-led conferences",
        "Students present their goals and evidence to families; we plan one together, start to finish.",
        "Middle school (6–8)",
        "assessment;student voice",
        Some((Review::Accept, "")),
    ),
    (
        "Lab safety for new science teachers",
        "The routines, checks and paperwork for a safe first month in the lab.",
        "High school (9–12)",
        "science",
        Some((Review::Accept, "")),
    ),
    (
        "Small-group reading that moves",
        "Grouping by need, changing groups every few weeks, and what the rest of the class does meanwhile.",
        "Elementary (K–5)",
        "literacy;differentiation",
        None,
    ),
    (
        "Calm corners and co-regulation",
        "Setting up a calm corner, teaching it, and knowing when it is not working.",
        "Early childhood (PreK–K)",
        "culture;behaviour",
        None,
    ),
    (
        "Spreadsheets for grading",
        "Formulas and templates for the gradebook.",
        "Everyone",
        "technology",
        Some((
            Review::AskForChanges,
            "Could it be about using the results to plan re-teaching, not only computing grades?",
        )),
    ),
    (
        "Coaching cycles for new teachers",
        "Six-week cycles: a goal, a model lesson, co-teaching and an observation with feedback.",
        "School leaders",
        "coaching;induction",
        None,
    ),
    (
        "Our school's fundraising calendar",
        "Dates and roles for this year's fundraisers.",
        "Everyone",
        "",
        Some((
            Review::Decline,
            "Thank you. This fits a staff meeting better than a learning day; please share it there.",
        )),
    ),
];

/// A day with two slots and a call for proposals in every review state; the
/// accepted ones already have a section.
async fn call_for_proposals(
    store: &Arc<dyn Store>,
    district: OrgId,
    coordinator: PersonId,
    keep_open: PersonId,
    day: jiff::civil::Date,
    tz: &jiff::tz::TimeZone,
    people: &[PersonId],
) -> anyhow::Result<()> {
    let now = now_ms();
    let id = store
        .create_event(&NewEvent {
            org: district,
            title: "Teacher-led learning institute".to_owned(),
            day: day.to_string(),
            timezone: "America/Chicago".to_owned(),
            venue: "District learning centre".to_owned(),
            ranks: 5,
            window: None,
            created_by: coordinator,
            now,
        })
        .await?;
    let t = |h: i8| jiff::civil::Time::new(h, 0, 0, 0);
    let mut slots = Vec::new();
    for (k, h) in [9, 13].into_iter().enumerate() {
        slots.push(NewSlot {
            label: if k == 0 { "Morning" } else { "Afternoon" }.to_owned(),
            starts_at: local_ms(tz, day, t(h)?).map_err(anyhow::Error::msg)?,
            ends_at: local_ms(tz, day, t(h + 2)?).map_err(anyhow::Error::msg)?,
        });
    }
    store
        .replace_programme(
            id,
            &NewProgramme {
                slots,
                courses: Vec::new(),
                sections: Vec::new(),
            },
        )
        .await?;
    move_to(store, id, EventState::Setup, EventState::Proposals).await?;
    let slots = store.programme(id).await?.slots;
    let proposers: Vec<PersonId> = people
        .iter()
        .copied()
        .filter(|p| *p != keep_open && *p != coordinator)
        .collect();
    anyhow::ensure!(
        proposers.len() >= 9,
        "too few staff for the demo's proposals"
    );
    for (i, (title, description, audience, tags, decision)) in PROPOSALS.iter().enumerate() {
        let text = ProposalText::new(title, description, audience, tags, "")
            .map_err(|e| anyhow::anyhow!("demo proposal {title}: {e:?}"))?;
        let pid = store
            .submit_proposal(&NewProposal {
                event: id,
                proposer: proposers[i],
                text,
                leads: if i % 3 == 0 {
                    vec![proposers[i + 1]]
                } else {
                    vec![]
                },
                slots: vec![slots[i % slots.len()].id],
                now: now - (PROPOSALS.len() - i) as i64 * DAY / 2,
            })
            .await?;
        let Some((review, note)) = decision else {
            continue;
        };
        store
            .review_proposal(pid, *review, note, coordinator, now)
            .await?;
        if *review != Review::Accept {
            continue;
        }
        let Some(p) = store.proposal(pid).await? else {
            continue;
        };
        if let Some(course) = p.course {
            store
                .add_section(
                    id,
                    &AddSection {
                        course,
                        slot: slots[i % slots.len()].id,
                        room: format!("Room {}", 201 + i),
                        capacity: 30,
                        facilitators: p.facilitators(),
                    },
                    now,
                )
                .await?
                .map_err(|e| anyhow::anyhow!("demo section for {title}: {e}"))?;
        }
    }
    Ok(())
}

const DAY: i64 = 24 * 3_600_000;

/// Who a demo session is for, from the grade band among its tags.
fn audience_of(tags: &str) -> &'static str {
    if ["k-2", "k-5", "grades 3-5"]
        .iter()
        .any(|t| tags.contains(t))
    {
        "Elementary (K–5)"
    } else if ["grades 6-8", "grades 6-12"]
        .iter()
        .any(|t| tags.contains(t))
    {
        "Middle and high school"
    } else {
        ""
    }
}

/// A goal measure read from the demo's reading results: the share on
/// track, for one grade or all.
fn reading_share(grade: Option<&str>, target: u8) -> waypoint_domain::goals::ResultsMeasure {
    waypoint_domain::goals::ResultsMeasure {
        subject: "Reading".to_owned(),
        grade: grade.map(str::to_owned),
        target_percent: Some(target),
    }
}

/// The district's goals for this school year, and a goal of each of its
/// first schools serving one of them.
async fn system_goals(
    store: &Arc<dyn Store>,
    district: OrgId,
    coordinator: PersonId,
    now: i64,
) -> anyhow::Result<()> {
    use waypoint_domain::goals::{SchoolYear, SystemGoalText};
    use waypoint_store::NewSystemGoal;
    let today = jiff::Timestamp::from_millisecond(now)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let year = SchoolYear::of(i32::from(today.year()), u8::try_from(today.month())?);
    let text = |a: &str, b: &str, c: &str, d: &str| {
        SystemGoalText::new(a, b, c, d).map_err(|e| anyhow::anyhow!("demo goal {a}: {e:?}"))
    };
    let goal = |org, text, aligned_to, results| NewSystemGoal {
        org,
        year,
        text,
        aligned_to,
        results,
        by: coordinator,
        now,
    };
    let reading = store
        .create_system_goal(&goal(
            district,
            text(
                "Every student reads at grade level by the end of grade 3",
                "Spring reading benchmark, grade 3",
                "80% at or above benchmark (62% last year)",
                "Multilingual learners; students with IEPs",
            )?,
            None,
            Some(reading_share(Some("03"), 80)),
        ))
        .await?;
    let belonging = store
        .create_system_goal(&goal(
            district,
            text(
                "Every student has an adult at school they trust",
                "Student voice survey: \"There is an adult here I can talk to\"",
                "85% agree (71% last year)",
                "",
            )?,
            None,
            None,
        ))
        .await?;
    let schools = store.child_orgs(district).await?;
    // One goal for the first school of each kind that has one.
    let plans = [
        (
            "Elementary",
            reading,
            "Small-group reading every day in K-3",
            "Running records each six weeks",
            "Every K-3 student in a group matched to need",
            None,
        ),
        (
            "Middle",
            reading,
            "Reading across the content areas in grades 6-8",
            "Reading benchmark, each window",
            "70% on track by spring",
            Some(reading_share(None, 70)),
        ),
        (
            "High",
            belonging,
            "Advisory that students want to come to",
            "Advisory check-in survey",
            "Three in four students say advisory helps",
            None,
        ),
    ];
    for (kind, serves, statement, measure, target, results) in plans {
        if let Some(school) = schools.iter().find(|c| c.org.name.contains(kind)) {
            store
                .create_system_goal(&goal(
                    school.org.id,
                    text(statement, measure, target, "")?,
                    Some(serves),
                    results,
                ))
                .await?;
        }
    }
    Ok(())
}

/// Two sessions of the past day carried on: a PLC from a session the demo
/// educator attended (their invitation waits for them), and a book group
/// from another, where most attendees have already answered.
async fn follow_ups(
    store: &Arc<dyn Store>,
    event: waypoint_domain::EventId,
    district: OrgId,
    coordinator: PersonId,
    educator: PersonId,
    now: i64,
) -> anyhow::Result<()> {
    use waypoint_domain::group::GroupKind;
    let programme = store.programme(event).await?;
    let attended = store.attended(event, educator).await?;
    let title = |section: waypoint_domain::SectionId| {
        programme
            .sections
            .iter()
            .find(|s| s.id == section)
            .and_then(|s| programme.courses.iter().find(|c| c.id == s.course))
            .map(|c| c.title.clone())
            .unwrap_or_default()
    };
    let leads = |section: waypoint_domain::SectionId| {
        programme
            .sections
            .iter()
            .find(|s| s.id == section)
            .map(|s| s.facilitators.iter().map(|f| f.0).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let mut made = Vec::new();
    if let Some(&section) = attended.first() {
        made.push((
            section,
            GroupKind::Plc,
            "Meets every three weeks to try one routine and bring back student work.",
        ));
    }
    if let Some(other) = programme
        .sections
        .iter()
        .find(|s| !attended.contains(&s.id))
    {
        made.push((
            other.id,
            GroupKind::BookGroup,
            "Six meetings, a chapter each, with one thing to try before the next.",
        ));
    }
    for (k, (section, kind, description)) in made.into_iter().enumerate() {
        let invite = store.attendance(section).await?;
        let group = store
            .create_group(&NewGroup {
                org: district,
                kind,
                title: format!("{}: {}", title(section), kind.short()),
                description: description.to_owned(),
                from_section: Some(section),
                created_by: coordinator,
                leads: leads(section),
                invite: invite.clone(),
                now: now - 30 * DAY,
            })
            .await?;
        // In the book group, most have answered; nobody has in the new PLC.
        if k == 1 {
            for (i, p) in invite.iter().enumerate() {
                if i % 4 != 3 {
                    store
                        .answer_invitation(group, *p, i % 4 != 2, now - 29 * DAY)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// What attendees of the demo's past day say they will try.
const WILL_TRY: [&str; 10] = [
    "A number talk every morning this week.",
    "Exit tickets sorted into three piles to plan tomorrow's groups.",
    "A restorative circle after recess on Mondays.",
    "Sentence frames for the science lab write-up.",
    "Students setting one reading goal per week and checking it on Fridays.",
    "Two-minute conferences with four writers a day.",
    "Audio feedback on the next essay draft.",
    "A visual schedule and movement breaks for my afternoon block.",
    "Co-planning one lesson a week with our special educator.",
    "Starting the unit with a phenomenon instead of the vocabulary list.",
];

/// Nine in ten people were there; most of those answered the feedback form.
async fn attend_and_react(
    store: &Arc<dyn Store>,
    id: waypoint_domain::EventId,
    coordinator: PersonId,
    now: i64,
) -> anyhow::Result<()> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xfeed);
    for seat in store.seats(id).await? {
        if seat.facilitating || rng.gen_bool(0.1) {
            continue;
        }
        store
            .mark_attendance(seat.section, seat.person, true, coordinator, now)
            .await?;
        if rng.gen_bool(0.3) {
            continue;
        }
        // Better-ranked sessions are liked a little more.
        let lift = i64::from(seat.rank.is_some_and(|r| r <= 3));
        let mut score =
            || (rng.gen_range(3..=5) + lift - i64::from(rng.gen_bool(0.15))).clamp(1, 5);
        let feedback = waypoint_store::Feedback {
            relevant: score(),
            well_run: score(),
            will_use: score(),
            will_try: if rng.gen_bool(0.7) {
                WILL_TRY[rng.gen_range(0..WILL_TRY.len())].to_owned()
            } else {
                String::new()
            },
        };
        store
            .save_feedback(seat.section, seat.person, &feedback, now)
            .await?;
    }
    Ok(())
}

async fn move_to(
    store: &Arc<dyn Store>,
    id: waypoint_domain::EventId,
    from: EventState,
    to: EventState,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        store.move_event(id, from, to, now_ms()).await?,
        "the demo day could not move to {to}"
    );
    Ok(())
}

/// A day of three breakout slots whose sections are led by staff of the
/// district, with about 10% more seats than people.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site, each argument named there"
)]
async fn create(
    store: &Arc<dyn Store>,
    district: OrgId,
    coordinator: PersonId,
    title: &str,
    day: jiff::civil::Date,
    tz: &jiff::tz::TimeZone,
    people: &[PersonId],
    seed: u64,
) -> anyhow::Result<waypoint_domain::EventId> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let id = store
        .create_event(&NewEvent {
            org: district,
            title: title.to_owned(),
            day: day.to_string(),
            timezone: "America/Chicago".to_owned(),
            venue: "Central High School".to_owned(),
            ranks: 9,
            window: None,
            created_by: coordinator,
            now: now_ms(),
        })
        .await?;
    let mut slots = Vec::new();
    for (k, (start, end)) in [((9, 0), (9, 50)), ((10, 5), (10, 55)), ((13, 0), (13, 50))]
        .into_iter()
        .enumerate()
    {
        let t = |(h, m): (i8, i8)| jiff::civil::Time::new(h, m, 0, 0);
        slots.push(NewSlot {
            label: format!("Slot {}", k + 1),
            starts_at: local_ms(tz, day, t(start)?).map_err(anyhow::Error::msg)?,
            ends_at: local_ms(tz, day, t(end)?).map_err(anyhow::Error::msg)?,
        });
    }
    let courses: Vec<NewCourse> = SESSIONS
        .iter()
        .enumerate()
        .map(|(i, (title, description, tags))| NewCourse {
            code: format!("C{:02}", i + 1),
            title: (*title).to_owned(),
            description: (*description).to_owned(),
            tags: (*tags).to_owned(),
            audience: audience_of(tags).to_owned(),
        })
        .collect();
    // The eight most popular sessions run in two slots, the rest in one.
    let mut runnings: Vec<(usize, usize)> = Vec::new();
    for c in 0..courses.len() {
        let first = c % 3;
        runnings.push((c, first));
        if c < 8 {
            runnings.push((c, (first + 1) % 3));
        }
    }
    let per_slot = |t: usize| runnings.iter().filter(|r| r.1 == t).count();
    let mut leads: Vec<PersonId> = people.to_vec();
    leads.shuffle(&mut rng);
    let mut sections = Vec::new();
    let mut lead_of = std::collections::HashMap::new();
    for (k, &(c, t)) in runnings.iter().enumerate() {
        let seats_needed = people.len() * 11 / 10 / per_slot(t).max(1);
        let capacity = (seats_needed as i64 + rng.gen_range(-3..=3)).max(8);
        let lead = *lead_of.entry(c).or_insert_with(|| leads[c % leads.len()]);
        sections.push(NewSection {
            code: format!("S{:02}", k + 1),
            course: courses[c].code.clone(),
            slot: slots[t].label.clone(),
            room: format!("Room {}", 100 + k),
            capacity,
            facilitators: vec![lead],
        });
    }
    let rooms: Vec<(String, i64)> = sections
        .iter()
        .map(|s| (s.room.clone(), s.capacity))
        .collect();
    store
        .replace_programme(
            id,
            &NewProgramme {
                slots,
                courses,
                sections,
            },
        )
        .await
        .context("the demo programme")?;
    // The venue: each room once, at its largest section; an opening and a
    // closing for everyone.
    let mut seen = HashSet::new();
    for (room, seats) in rooms {
        if seen.insert(room.clone()) {
            let features = if seats > 40 {
                "projector, tiered seating"
            } else {
                "projector"
            };
            store.add_room(id, &room, seats, features).await?;
        }
    }
    store
        .add_room(id, "Auditorium", 1200, "stage, microphones")
        .await?;
    let at = |h: i8, m: i8| -> anyhow::Result<i64> {
        local_ms(tz, day, jiff::civil::Time::new(h, m, 0, 0)?).map_err(anyhow::Error::msg)
    };
    store
        .add_general_session(
            id,
            "Opening and welcome",
            at(8, 15)?,
            at(8, 50)?,
            "Auditorium",
        )
        .await?;
    store
        .add_general_session(
            id,
            "Closing: what we will try next",
            at(14, 0)?,
            at(14, 30)?,
            "Auditorium",
        )
        .await?;
    Ok(id)
}

/// Everyone but `skip` ranks 3–9 sessions, popular ones more often (a Zipf-like skew).
async fn rank_everyone(
    store: &Arc<dyn Store>,
    id: waypoint_domain::EventId,
    people: &[PersonId],
    skip: Option<PersonId>,
    now: i64,
    seed: u64,
) -> anyhow::Result<()> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let programme = store.programme(id).await?;
    let mut by_code: Vec<(String, CourseId)> = programme
        .courses
        .iter()
        .map(|c| (c.code.clone(), c.id))
        .collect();
    by_code.sort();
    let weights: Vec<f64> = (0..by_code.len()).map(|k| 1.0 / (k as f64 + 1.5)).collect();
    let offered: HashSet<CourseId> = by_code.iter().map(|c| c.1).collect();
    for (n, &p) in people.iter().enumerate() {
        if Some(p) == skip || n % 12 == 11 {
            // About one in twelve never ranks; they are placed all the same.
            continue;
        }
        let leading: HashSet<CourseId> = programme
            .sections
            .iter()
            .filter(|s| s.facilitators.iter().any(|f| f.0 == p))
            .map(|s| s.course)
            .collect();
        let want = rng.gen_range(3..=9);
        let mut pool: Vec<usize> = (0..by_code.len())
            .filter(|&k| !leading.contains(&by_code[k].1))
            .collect();
        let mut picked = Vec::new();
        while picked.len() < want && !pool.is_empty() {
            let total: f64 = pool.iter().map(|&k| weights[k]).sum();
            let mut x = rng.gen_range(0.0..total);
            let mut at = 0;
            for (i, &k) in pool.iter().enumerate() {
                x -= weights[k];
                at = i;
                if x <= 0.0 {
                    break;
                }
            }
            picked.push(by_code[pool.remove(at)].1);
        }
        let ranking = Ranking::new(picked, 9, &offered)?;
        store.save_ranking(id, p, &ranking, now).await?;
    }
    Ok(())
}
