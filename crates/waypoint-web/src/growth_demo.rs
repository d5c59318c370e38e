//! The demo's growth plans, at the demo educator's school: a small
//! practice framework, and goals in every status with comments, evidence,
//! check-ins (some overdue) and competency histories, so the educator's,
//! the coach's and the principal's pages show a living school. Written once:
//! a second start finds the demo educator's goals and leaves them.

use crate::now_ms;
use anyhow::Context;
use std::sync::Arc;
use waypoint_domain::PersonId;
use waypoint_domain::goals::SchoolYear;
use waypoint_domain::growth::{EvidenceKind, GoalStatus, GoalText, RatingKind};
use waypoint_store::{
    CheckInRecord, EvidenceFile, GoalFilter, NewEvidence, NewFramework, NewFrameworkItem,
    NewPersonalGoal, NewRating, NewStory, Store,
};

const DAY: i64 = 86_400_000;

/// The demo framework's competencies: code, statement.
const COMPETENCIES: [(&str, &str); 6] = [
    (
        "1",
        "Planning for every learner: lessons built from what students know and need next",
    ),
    (
        "2",
        "Classroom discussion: questions and talk that make every student think",
    ),
    (
        "3",
        "Feedback and assessment: checking understanding and acting on it",
    ),
    (
        "4",
        "Relationships and belonging: a classroom where every student is known",
    ),
    (
        "5",
        "Literacy across the day: reading and writing in every subject",
    ),
    ("6", "Collaboration: learning with colleagues and families"),
];

/// Goals of the educator's colleagues: inquiry, point A, point B,
/// competency index, where the goal stands.
const COLLEAGUE_GOALS: [(&str, &str, &str, usize, GoalStatus); 7] = [
    (
        "How can I use exit tickets every day so that my students know what to work on next?",
        "I check understanding often, but by show of hands.",
        "Four days in five, students sort their own exit ticket and choose the next task.",
        2,
        GoalStatus::InProgress,
    ),
    (
        "How can I start class with a greeting and a check-in so that every student feels known?",
        "Students say my room is calm and predictable.",
        "Every student can name an adult here they trust; fewer late arrivals.",
        3,
        GoalStatus::InProgress,
    ),
    (
        "How can I plan small groups from running records so that my readers move up a level by spring?",
        "I run guided reading twice a week.",
        "Every group changes at least once a term, matched to the latest record.",
        0,
        GoalStatus::Agreed,
    ),
    (
        "How can I add writing to every science lab so that my students explain what they saw?",
        "Labs are hands-on and students enjoy them.",
        "Lab notebooks show a claim, evidence and reasoning in most entries.",
        4,
        GoalStatus::InReview,
    ),
    (
        "How can I invite families into our projects so that students have a real audience?",
        "I send a weekly newsletter.",
        "Two showcases a term with at least half the families there.",
        5,
        GoalStatus::Draft,
    ),
    (
        "How can I use number talks so that my students share more than one strategy?",
        "Students are confident with the standard algorithm.",
        "In most talks, three or more strategies are shared and compared.",
        1,
        GoalStatus::Complete,
    ),
    (
        "How can I give feedback in writing conferences so that students revise without me?",
        "I confer with every writer weekly.",
        "Most students revise a draft using a strategy from a conference.",
        2,
        GoalStatus::CarriedOver,
    ),
];

/// Seeds the growth plans at the school of `educator`, reviewed by `coach`
/// and overseen by `principal`.
pub async fn seed(
    store: &Arc<dyn Store>,
    educator: PersonId,
    coach: PersonId,
    principal: PersonId,
) -> anyhow::Result<()> {
    if !store
        .personal_goals(&GoalFilter::Owner(educator))
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let now = now_ms();
    let (framework, _) = store
        .save_framework(&NewFramework {
            identifier: "5c0f6a1e-0000-4000-8000-00000000d3e0".to_owned(),
            uri: "https://waypoint.example/frameworks/teaching-practice".to_owned(),
            title: "Teaching practice (demo district framework)".to_owned(),
            creator: "Demo district".to_owned(),
            description: "Six areas of practice the district's coaches and principals use to talk about growth.".to_owned(),
            adoption_status: "Adopted".to_owned(),
            case_version: "1.1".to_owned(),
            source: "written in Waypoint".to_owned(),
            last_change: None,
            items: COMPETENCIES
                .iter()
                .map(|(code, statement)| NewFrameworkItem {
                    identifier: format!("5c0f6a1e-0000-4000-8000-0000000000{code:0>2}"),
                    uri: format!("https://waypoint.example/frameworks/teaching-practice/{code}"),
                    depth: 0,
                    parent: None,
                    code: (*code).to_owned(),
                    statement: (*statement).to_owned(),
                    abbreviated: String::new(),
                    item_type: "Competency".to_owned(),
                    levels: String::new(),
                })
                .collect(),
            associations: Vec::new(),
            imported_by: None,
            now,
        })
        .await
        .context("the demo framework")?;
    let items: Vec<i64> = store
        .framework_items(framework)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let staff = store.staff(educator).await?.context("the demo educator")?;
    let school = staff
        .placements
        .iter()
        .find_map(|p| p.school)
        .context("the demo educator has no school")?;
    let year = super::pages::goals::current_year();
    let served = store
        .system_goals(&[school], year)
        .await?
        .first()
        .map(|g| g.id);
    let today = crate::pages::growth::today();
    let day = |offset: i64| {
        today
            .checked_add(jiff::Span::new().days(offset))
            .unwrap_or(today)
            .to_string()
    };

    // The demo educator: last year's goal reflected and complete, and this
    // year's under way with a check-in coming up and a level to confirm.
    let last = store
        .create_personal_goal(&NewPersonalGoal {
            owner: educator,
            year: SchoolYear::starting(year.start() - 1),
            system_goal: None,
            text: text(
                "How can I use turn-and-talk so that quieter students share their thinking?",
                "Students work well in pairs.",
                "Every student speaks in a whole-class discussion each week.",
            ),
            competencies: vec![items[1]],
            cadence_days: 28,
            carried_from: None,
            now: now - 300 * DAY,
        })
        .await?;
    store
        .submit_personal_goal(last, coach, now - 299 * DAY)
        .await?;
    store
        .agree_personal_goal(last, coach, &day(-270), now - 298 * DAY)
        .await?;
    hold(store, last, coach, &day(-270), 3, None, now - 270 * DAY).await?;
    store
        .close_personal_goal(
            last,
            GoalStatus::Complete,
            "Turn-and-talk became a habit; by spring every student had spoken in a whole-class discussion. Next: deeper questions.",
            now - 200 * DAY,
        )
        .await?;

    let goal = store
        .create_personal_goal(&NewPersonalGoal {
            owner: educator,
            year,
            system_goal: served,
            text: GoalText {
                students: "My homeroom, especially the six students reading below benchmark".to_owned(),
                supports: "Coaching cycle with my coach; observing a colleague's discussion".to_owned(),
                timeline: "September to March".to_owned(),
                ..text(
                    "How can I ask questions that make every student think so that my students explain their reasoning in writing?",
                    "Students talk readily in pairs, and last year every student spoke in a whole-class discussion.",
                    "By March, most students write a claim with a reason in their reading responses, and I ask more why and how questions than yes/no ones.",
                )
            },
            competencies: vec![items[1], items[4]],
            cadence_days: 21,
            carried_from: None,
            now: now - 70 * DAY,
        })
        .await?;
    store
        .submit_personal_goal(goal, coach, now - 69 * DAY)
        .await?;
    // The goal is for the homeroom's readers not yet on track.
    if let Some(class) = store.classes_taught_by(educator).await?.first() {
        store
            .set_goal_group(
                goal,
                Some((
                    class.id,
                    "Reading",
                    waypoint_domain::results::Targeted::NotOnTrack,
                )),
                now - 69 * DAY,
            )
            .await?;
    }
    store
        .comment_on_goal(
            goal,
            "success",
            "Love this. How will you count the why and how questions? A tally in one lesson a week would do.",
            coach,
            now - 68 * DAY,
        )
        .await?;
    store
        .comment_on_goal(
            goal,
            "success",
            "Good idea: I will record one lesson a week and tally.",
            educator,
            now - 67 * DAY,
        )
        .await?;
    store
        .agree_personal_goal(goal, coach, &day(-45), now - 66 * DAY)
        .await?;
    let rate = |item, kind, level, evidence, by, at| NewRating {
        person: educator,
        item,
        goal: Some(goal),
        kind,
        level,
        note: String::new(),
        evidence,
        by,
        now: at,
    };
    for (item, start) in [(items[1], 2), (items[4], 1)] {
        store
            .rate_competency(&rate(
                item,
                RatingKind::SelfAssessed,
                start,
                None,
                educator,
                now - 65 * DAY,
            ))
            .await?;
        store
            .rate_competency(&rate(
                item,
                RatingKind::Target,
                3,
                None,
                educator,
                now - 65 * DAY,
            ))
            .await?;
    }
    let tally = store
        .add_evidence(&NewEvidence {
            goal,
            kind: EvidenceKind::Reflection,
            title: "Question tally, week 3".to_owned(),
            body: "12 why/how questions against 20 yes/no. Wait time helps: when I count to five, more hands go up.".to_owned(),
            link: None,
            file: Some(EvidenceFile {
                name: "question-tally.csv".to_owned(),
                content_type: "text/csv; charset=utf-8".to_owned(),
                bytes: b"week,why_how,yes_no\n1,6,24\n2,9,22\n3,12,20\n".to_vec(),
            }),
            competencies: vec![items[1]],
            by: educator,
            now: now - 50 * DAY,
        })
        .await?;
    hold(
        store,
        goal,
        coach,
        &day(-45),
        2,
        Some(day(-24)),
        now - 45 * DAY,
    )
    .await?;
    let observation = store
        .add_evidence(&NewEvidence {
            goal,
            kind: EvidenceKind::Observation,
            title: "Observation: reading response lesson".to_owned(),
            body: "Students wrote a claim in 17 of 24 responses; 9 gave a reason from the text. Questions: 15 why/how, 9 yes/no.".to_owned(),
            link: None,
            file: None,
            competencies: vec![items[1], items[4]],
            by: coach,
            now: now - 26 * DAY,
        })
        .await?;
    let claim = store
        .rate_competency(&rate(
            items[1],
            RatingKind::Claim,
            3,
            Some(observation),
            educator,
            now - 25 * DAY,
        ))
        .await?;
    store.confirm_rating(claim, coach, now - 24 * DAY).await?;
    hold(
        store,
        goal,
        coach,
        &day(-24),
        3,
        Some(day(4)),
        now - 24 * DAY,
    )
    .await?;
    store
        .add_evidence(&NewEvidence {
            goal,
            kind: EvidenceKind::StudentWork,
            title: "Reading responses, November".to_owned(),
            body: "Six responses from the benchmark group: four now give a reason from the text."
                .to_owned(),
            link: Some("https://docs.example.org/reading-responses-november".to_owned()),
            file: None,
            competencies: vec![items[4]],
            by: educator,
            now: now - 3 * DAY,
        })
        .await?;
    store
        .rate_competency(&rate(
            items[4],
            RatingKind::Claim,
            2,
            Some(tally),
            educator,
            now - 2 * DAY,
        ))
        .await?;
    // Shared to the district's showcase, where the principal has commented.
    if let Some(district) = staff.placements.iter().find_map(|p| p.district) {
        let story = store
            .share_story(&NewStory {
                goal,
                org: district,
                what_tried: "I tallied my questions one lesson a week and added five seconds of wait time. \
                    Why and how questions went from 6 to 15 a lesson, and more students now write a reason from the text."
                    .to_owned(),
                evidence: vec![tally, observation],
                now: now - 20 * DAY,
            })
            .await?;
        store
            .comment_on_story(
                story,
                principal,
                "The tally is such a simple idea. Could you show it at our next staff meeting?",
                now - 18 * DAY,
            )
            .await?;
    }

    // Colleagues, one goal each in every status; some check-ins overdue,
    // one with no evidence for weeks; the rest of the school has none yet.
    let colleagues: Vec<PersonId> = store
        .staff_of_org(school)
        .await?
        .into_iter()
        .filter(|s| s.roster_role == "teacher" && ![educator, coach, principal].contains(&s.id))
        .map(|s| s.id)
        .collect();
    for (i, ((inquiry, a, b, c, status), &owner)) in
        COLLEAGUE_GOALS.iter().zip(&colleagues).enumerate()
    {
        let age = 60 - i64::try_from(i).unwrap_or(0) * 4;
        let reviewer = if i % 3 == 2 { principal } else { coach };
        let g = store
            .create_personal_goal(&NewPersonalGoal {
                owner,
                year,
                system_goal: served.filter(|_| i % 2 == 0),
                text: text(inquiry, a, b),
                competencies: vec![items[*c]],
                cadence_days: 21,
                carried_from: None,
                now: now - age * DAY,
            })
            .await?;
        if *status == GoalStatus::Draft {
            continue;
        }
        store
            .submit_personal_goal(g, reviewer, now - (age - 1) * DAY)
            .await?;
        if *status == GoalStatus::InReview {
            store
                .comment_on_goal(
                    g,
                    "success",
                    "What will you look for in the notebooks to know it is working?",
                    reviewer,
                    now - (age - 2) * DAY,
                )
                .await?;
            continue;
        }
        // The first in-progress goal's check-in is overdue; the second has
        // had no evidence for five weeks; the agreed one is due next week.
        let first_due = match i {
            0 => day(-10),
            2 => day(6),
            _ => day(-(age - 21)),
        };
        store
            .agree_personal_goal(g, reviewer, &first_due, now - (age - 2) * DAY)
            .await?;
        store
            .rate_competency(&NewRating {
                person: owner,
                item: items[*c],
                goal: Some(g),
                kind: RatingKind::SelfAssessed,
                level: 2,
                note: String::new(),
                evidence: None,
                by: owner,
                now: now - (age - 2) * DAY,
            })
            .await?;
        if *status == GoalStatus::Agreed {
            continue;
        }
        let evidence_age = if i == 1 { 36 } else { age - 10 };
        store
            .add_evidence(&NewEvidence {
                goal: g,
                kind: EvidenceKind::Reflection,
                title: "First weeks".to_owned(),
                body: "Started the routine; students took to it faster than I expected.".to_owned(),
                link: None,
                file: None,
                competencies: vec![items[*c]],
                by: owner,
                now: now - evidence_age * DAY,
            })
            .await?;
        if i == 0 {
            continue;
        }
        let held = if i == 1 { day(-30) } else { day(-(age - 21)) };
        let next = if i == 1 { Some(day(-9)) } else { None };
        hold(
            store,
            g,
            reviewer,
            &held,
            3,
            next,
            now - (age - 21).max(30) * DAY,
        )
        .await?;
        match status {
            GoalStatus::Complete => {
                store
                    .rate_competency(&NewRating {
                        person: owner,
                        item: items[*c],
                        goal: Some(g),
                        kind: RatingKind::Review,
                        level: 3,
                        note: "Seen in three observations.".to_owned(),
                        evidence: None,
                        by: reviewer,
                        now: now - 10 * DAY,
                    })
                    .await?;
                store
                    .close_personal_goal(
                        g,
                        GoalStatus::Complete,
                        "Number talks are now daily; most talks bring three strategies.",
                        now - 8 * DAY,
                    )
                    .await?;
                let shown: Vec<i64> = store.evidence_of(g).await?.iter().map(|e| e.id).collect();
                let story = store
                    .share_story(&NewStory {
                        goal: g,
                        org: school,
                        what_tried: "Fifteen minutes of number talks every morning, recording each strategy on the board \
                            with the student's name. By November most talks brought three or more strategies."
                            .to_owned(),
                        evidence: shown,
                        now: now - 7 * DAY,
                    })
                    .await?;
                store
                    .comment_on_story(
                        story,
                        educator,
                        "I am borrowing the board layout for my math block.",
                        now - 6 * DAY,
                    )
                    .await?;
            }
            GoalStatus::CarriedOver => {
                store
                    .close_personal_goal(g, GoalStatus::CarriedOver, "Halfway there: students revise with a strategy about half the time. Carrying it on.", now - 5 * DAY)
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn text(inquiry: &str, strengths: &str, success: &str) -> GoalText {
    GoalText {
        inquiry: inquiry.to_owned(),
        strengths: strengths.to_owned(),
        success: success.to_owned(),
        actions: "Plan it into two lessons a week.\nTry it, note what happens, adjust.\nShare what works with my team.".to_owned(),
        ..GoalText::default()
    }
}

/// Records the goal's open check-in as held on `held_on`.
async fn hold(
    store: &Arc<dyn Store>,
    goal: i64,
    by: PersonId,
    held_on: &str,
    progress: i64,
    next_due: Option<String>,
    at: i64,
) -> anyhow::Result<()> {
    let open = store
        .check_ins(goal)
        .await?
        .into_iter()
        .find(|c| c.held_on.is_none())
        .context("an open check-in")?;
    store
        .record_check_in(&CheckInRecord {
            check_in: open.id,
            goal,
            held_on: held_on.to_owned(),
            discussed: "What the students did, what surprised us, and one thing to try next."
                .to_owned(),
            progress,
            next_steps: "Keep the routine; bring two samples of student work next time.".to_owned(),
            next_due,
            by,
            now: at,
        })
        .await?;
    Ok(())
}
