//! "Suggested for you": PD-day sessions, learning groups the educator is
//! invited to and colleagues' shared stories, ranked by fit with what their
//! own students need, their goals' competencies and their competency gaps
//! ([`waypoint_domain::recommend`]), each with its reasons.
//!
//! Students' needs come from the counts of the educator's own classes (no
//! student is named, so the page writes no audit row).

use std::collections::{BTreeMap, HashMap};

use super::events::in_audience;
use super::growth::placements_of;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::view::{Layout, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use waypoint_domain::group::MemberStatus;
use waypoint_domain::growth::{GoalStatus, RatingKind};
use waypoint_domain::pdday::EventState;
use waypoint_domain::recommend::{Candidate, Kind, Signal, Suggestion, suggest};
use waypoint_domain::results::Band;
use waypoint_store::{CountsBy, GoalFilter};

/// The most suggestions shown.
const LIMIT: usize = 8;

/// The page.
#[derive(Template)]
#[template(path = "recommendations.html")]
pub struct RecommendationsPage {
    layout: Layout,
    suggestions: Vec<Suggestion>,
    /// What they rest on, one line each.
    basis: Vec<String>,
}

/// GET /growth/recommendations
pub async fn recommendations(
    State(state): State<AppState>,
    user: CurrentUser,
) -> WebResult<Response> {
    let store = &*state.store;
    let me = user.actor.person;
    let mut signals = Vec::new();

    // Students' needs: in each class taught, the domains of the latest
    // window where students need support, the largest shares first.
    let classes = store.classes_taught_by(me).await?;
    let mut by_school: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    for c in &classes {
        by_school
            .entry(c.school.get())
            .or_default()
            .push((c.id.get(), c.title.clone()));
    }
    let mut needs = Vec::new();
    for (school, mine) in by_school {
        let counts = store
            .band_counts(waypoint_domain::OrgId::new(school), CountsBy::Class)
            .await?;
        for (class, title) in mine {
            let of_class: Vec<_> = counts.iter().filter(|r| r.group == class).collect();
            let mut latest: HashMap<&str, &str> = HashMap::new();
            for r in &of_class {
                let t = latest.entry(r.subject.as_str()).or_insert(r.term.as_str());
                if r.term.as_str() > *t {
                    *t = r.term.as_str();
                }
            }
            let mut domains: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
            for r in of_class.iter().filter(|r| {
                r.domain != "Overall" && latest.get(r.subject.as_str()) == Some(&r.term.as_str())
            }) {
                let e = domains.entry(r.domain.as_str()).or_default();
                let n = u32::try_from(r.students).unwrap_or(0);
                e.1 += n;
                if r.band == Band::NeedsSupport {
                    e.0 += n;
                }
            }
            for (domain, (n, total)) in domains {
                if n > 0 {
                    needs.push(Signal::Need {
                        class: title.clone(),
                        domain: domain.to_owned(),
                        students: (n, total),
                    });
                }
            }
        }
    }
    let share = |s: &Signal| match s {
        Signal::Need {
            students: (n, t), ..
        } => n * 1000 / (*t).max(1),
        _ => 0,
    };
    needs.sort_by_key(|s| std::cmp::Reverse(share(s)));
    needs.truncate(4);
    signals.extend(needs);

    // The competencies of goals still being worked on.
    let goals = store.personal_goals(&GoalFilter::Owner(me)).await?;
    for g in goals
        .iter()
        .filter(|g| !matches!(g.status, GoalStatus::Complete | GoalStatus::CarriedOver))
    {
        for c in &g.competencies {
            signals.push(Signal::Goal {
                item: c.item,
                statement: c.statement.clone(),
            });
        }
    }
    // Gaps: the latest level below the latest target.
    let mut levels: BTreeMap<i64, (String, Option<i64>, Option<i64>)> = BTreeMap::new();
    for r in store.ratings_of(me).await? {
        let e = levels
            .entry(r.competency.item)
            .or_insert_with(|| (r.competency.statement.clone(), None, None));
        match r.kind {
            RatingKind::Target => e.2 = Some(r.level),
            RatingKind::Claim if r.confirmed.is_none() => {}
            _ => e.1 = Some(r.level),
        }
    }
    for (item, (statement, now, target)) in levels {
        if let (Some(now), Some(target)) = (now, target)
            && target > now
        {
            signals.push(Signal::Gap {
                item,
                statement,
                levels: (now, target),
            });
        }
    }

    let mut candidates = Vec::new();
    let today = super::growth::today().to_string();
    for event in store.events().await? {
        if !matches!(
            event.state,
            EventState::Proposals | EventState::Preferences | EventState::Published
        ) || event.day.as_str() < today.as_str()
            || !in_audience(&state, me, &event).await?
        {
            continue;
        }
        let programme = store.programme(event.id).await?;
        for c in programme.courses {
            candidates.push(Candidate {
                kind: Kind::Session,
                title: c.title,
                href: format!("/events/{}", event.id),
                tags: c.tags.split([',', ';']).map(str::to_owned).collect(),
                text: c.description,
                competencies: Vec::new(),
                context: format!("{}, {}", event.title, super::growth::day_label(&event.day)),
            });
        }
    }
    for (g, status) in store.groups_of(me).await? {
        if status == MemberStatus::Invited {
            candidates.push(Candidate {
                kind: Kind::Group,
                title: g.title,
                href: format!("/groups/{}", g.id),
                tags: Vec::new(),
                text: g.description,
                competencies: Vec::new(),
                context: "You are invited".to_owned(),
            });
        }
    }
    let orgs: Vec<waypoint_domain::OrgId> = placements_of(&state, me)
        .await?
        .iter()
        .flat_map(|p| [p.school, p.district])
        .flatten()
        .collect();
    for s in store.stories(&orgs).await? {
        if s.owner == me {
            continue;
        }
        candidates.push(Candidate {
            kind: Kind::Story,
            title: s.inquiry,
            href: format!("/showcase/{}", s.id),
            tags: Vec::new(),
            text: s.what_tried,
            competencies: s.competencies.iter().map(|c| c.item).collect(),
            context: format!("by {}, {}", s.owner_name, s.org_name),
        });
    }

    let basis = signals
        .iter()
        .map(|s| match s {
            Signal::Need {
                class,
                domain,
                students: (n, t),
            } => format!("{class}: {n} of {t} students need support in {domain}"),
            Signal::Goal { statement, .. } => format!("Your goal: {statement}"),
            Signal::Gap {
                statement,
                levels: (now, target),
                ..
            } => format!("{statement}: level {now}, aiming for {target}"),
        })
        .collect();
    Ok(render(&RecommendationsPage {
        layout: Layout::for_user(&user, "Suggested for you", "/growth/recommendations"),
        suggestions: suggest(&signals, candidates, LIMIT),
        basis,
    }))
}
