//! The call for proposals: educators in a PD day's audience propose
//! sessions, revise them when asked, or withdraw them; the coordinator
//! reviews each (accept, ask for changes, decline with a note). An accepted
//! proposal is a course of the programme, which the coordinator places in
//! slots and rooms on the event page ([`add_section`], [`remove_section`]).

use super::events::{Loaded, can_manage, event_crumbs, in_audience, load, load_managed};
use super::require;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::view::{Layout, datetime, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use waypoint_domain::pdday::{EventState, ProposalStatus, ProposalText, Review};
use waypoint_domain::{
    Action, CourseId, PersonId, Policy, ProposalId, Resource, SectionId, SlotId,
};
use waypoint_store::{AddSection, NewProposal, Proposal};

/// The grade bands offered as suggestions for a proposal's audience.
const AUDIENCES: [&str; 7] = [
    "Everyone",
    "Early childhood (PreK–K)",
    "Elementary (K–5)",
    "Middle school (6–8)",
    "High school (9–12)",
    "Special education",
    "School leaders",
];

/// A proposal as a page shows it.
pub struct ProposalView {
    id: i64,
    title: String,
    description: String,
    audience: String,
    tags: Vec<String>,
    room_needs: String,
    proposer: String,
    leads: String,
    slots: String,
    status: ProposalStatus,
    note: String,
    reviewed: String,
    sent: String,
    sent_ms: i64,
    course: Option<i64>,
}

impl ProposalView {
    fn of(p: &Proposal, slot_labels: &HashMap<SlotId, String>) -> Self {
        Self {
            id: p.id.get(),
            title: p.title.clone(),
            description: p.description.clone(),
            audience: p.audience.clone(),
            tags: p
                .tags
                .split(';')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            room_needs: p.room_needs.clone(),
            proposer: p.proposer.1.clone(),
            leads: p
                .leads
                .iter()
                .map(|l| l.1.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            slots: if p.slots.is_empty() {
                "Any".to_owned()
            } else {
                p.slots
                    .iter()
                    .filter_map(|s| slot_labels.get(s).map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            status: p.status,
            note: p.note.clone(),
            reviewed: match (&p.reviewed_by, p.reviewed_at) {
                (Some((_, name)), Some(at)) => format!("{name}, {}", datetime(at)),
                _ => String::new(),
            },
            sent: datetime(p.created_at),
            sent_ms: p.created_at,
            course: p.course.map(CourseId::get),
        }
    }
}

/// The proposals of a day: all of them for its coordinator, one's own for
/// everyone else.
#[derive(Template)]
#[template(path = "proposals.html")]
pub struct ProposalsPage {
    layout: Layout,
    event_id: i64,
    event_title: String,
    open: bool,
    manage: bool,
    proposals: Vec<ProposalView>,
    /// Per status: (stored name, label, count) for the filter.
    counts: Vec<(&'static str, &'static str, usize)>,
    filter: String,
    sent: bool,
}

/// What the proposal form holds (kept to refill it after a problem).
#[derive(Debug, Clone, Default)]
pub struct ProposalForm {
    title: String,
    description: String,
    audience: String,
    tags: String,
    room_needs: String,
    leads: String,
    slots: Vec<i64>,
}

impl ProposalForm {
    fn of(p: &Proposal, usernames: &HashMap<PersonId, String>) -> Self {
        Self {
            title: p.title.clone(),
            description: p.description.clone(),
            audience: p.audience.clone(),
            tags: p.tags.replace(';', "; "),
            room_needs: p.room_needs.clone(),
            leads: p
                .leads
                .iter()
                .filter_map(|l| usernames.get(&l.0).cloned())
                .collect::<Vec<_>>()
                .join(", "),
            slots: p.slots.iter().map(|s| s.get()).collect(),
        }
    }

    /// Reads the form's fields; slots come as repeated `slot` fields.
    fn parse(raw: &[u8]) -> Self {
        let mut f = Self::default();
        for (k, v) in form_urlencoded(raw) {
            match k.as_str() {
                "title" => f.title = v,
                "description" => f.description = v,
                "audience" => f.audience = v,
                "tags" => f.tags = v,
                "room_needs" => f.room_needs = v,
                "leads" => f.leads = v,
                "slot" => f.slots.extend(v.parse::<i64>().ok()),
                _ => {}
            }
        }
        f
    }
}

/// Usernames typed into one field, separated by commas, semicolons or spaces.
fn usernames(field: &str) -> impl Iterator<Item = &str> {
    field
        .split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

fn form_urlencoded(raw: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_default()
}

/// The form to propose a session, or to revise one.
#[derive(Template)]
#[template(path = "proposal_form.html")]
pub struct ProposalFormPage {
    layout: Layout,
    event_id: i64,
    event_title: String,
    /// Where the form posts.
    action: String,
    /// The button's words.
    submit: &'static str,
    form: ProposalForm,
    slots: Vec<(i64, String)>,
    audiences: &'static [&'static str],
    problems: Vec<String>,
}

/// One proposal, with its review.
#[derive(Template)]
#[template(path = "proposal.html")]
pub struct ProposalPage {
    layout: Layout,
    event_id: i64,
    event_title: String,
    proposal: ProposalView,
    /// The viewer proposed it and may still revise or withdraw it.
    editable: bool,
    /// The viewer may decide on it now.
    reviewable: bool,
    /// The viewer runs the day.
    manage: bool,
    /// The programme may still change (for the "place it" hint).
    programme_open: bool,
    notice: Option<&'static str>,
}

fn slot_labels(programme: &waypoint_store::Programme) -> HashMap<SlotId, String> {
    programme
        .slots
        .iter()
        .map(|s| (s.id, s.label.clone()))
        .collect()
}

fn proposal_crumbs(l: &Loaded, last: &str) -> Vec<(String, String)> {
    event_crumbs(
        &l.event,
        vec![
            (
                format!("/events/{}/proposals", l.event.id),
                "Proposals".to_owned(),
            ),
            (String::new(), last.to_owned()),
        ],
    )
}

/// GET /events/{id}/proposals
pub async fn proposals(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    let manage = can_manage(&user, &l);
    let programme = state.store.programme(l.event.id).await?;
    let labels = slot_labels(&programme);
    let all = state.store.proposals(l.event.id).await?;
    let visible: Vec<&Proposal> = all
        .iter()
        .filter(|p| manage || p.is_author(user.actor.person))
        .collect();
    let filter = query
        .get("status")
        .and_then(|s| ProposalStatus::parse(s))
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let counts = ProposalStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                s.label(),
                visible.iter().filter(|p| p.status == *s).count(),
            )
        })
        .collect();
    let proposals = visible
        .iter()
        .filter(|p| filter.is_empty() || p.status.as_str() == filter)
        .map(|p| ProposalView::of(p, &labels))
        .collect();
    Ok(render(&ProposalsPage {
        layout: Layout::for_user(&user, format!("Proposals · {}", l.event.title), "/events")
            .with_crumbs(event_crumbs(
                &l.event,
                vec![(String::new(), "Proposals".to_owned())],
            )),
        event_id: id,
        event_title: l.event.title.clone(),
        open: l.event.state == EventState::Proposals
            && Policy::can(&user.actor, Action::ProposeSession, &l.resource()),
        manage,
        proposals,
        counts,
        filter,
        sent: query.contains_key("sent"),
    }))
}

fn form_page(
    user: &CurrentUser,
    l: &Loaded,
    programme: &waypoint_store::Programme,
    action: String,
    submit: &'static str,
    form: ProposalForm,
    problems: Vec<String>,
) -> ProposalFormPage {
    let title = if submit == "Send the proposal" {
        "Propose a session"
    } else {
        "Revise your proposal"
    };
    ProposalFormPage {
        layout: Layout::for_user(user, title, "/events").with_crumbs(proposal_crumbs(l, title)),
        event_id: l.event.id.get(),
        event_title: l.event.title.clone(),
        action,
        submit,
        form,
        slots: programme
            .slots
            .iter()
            .map(|s| (s.id.get(), s.label.clone()))
            .collect(),
        audiences: &AUDIENCES,
        problems,
    }
}

/// The form again, with what was typed and why it was not taken (422).
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    l: &Loaded,
    action: String,
    submit: &'static str,
    form: ProposalForm,
    problems: Vec<String>,
) -> WebResult<Response> {
    let programme = state.store.programme(l.event.id).await?;
    let page = form_page(user, l, &programme, action, submit, form, problems);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// Loads the event and checks the viewer may propose for it now.
async fn load_open(state: &AppState, user: &CurrentUser, id: i64) -> WebResult<Loaded> {
    let l = load(state, user, id).await?;
    require(&user.actor, Action::ProposeSession, &l.resource())?;
    if l.event.state != EventState::Proposals {
        return Err(WebError::Conflict(
            "This day is not taking proposals.".to_owned(),
        ));
    }
    Ok(l)
}

/// GET /events/{id}/proposals/new
pub async fn new_proposal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let l = load_open(&state, &user, id).await?;
    let programme = state.store.programme(l.event.id).await?;
    Ok(render(&form_page(
        &user,
        &l,
        &programme,
        format!("/events/{id}/proposals"),
        "Send the proposal",
        ProposalForm::default(),
        Vec::new(),
    )))
}

/// Checks a submitted form: the text by field, and co-facilitators as
/// usernames of colleagues in the day's audience.
async fn check_form(
    state: &AppState,
    l: &Loaded,
    me: PersonId,
    form: &ProposalForm,
) -> WebResult<Result<(ProposalText, Vec<PersonId>, Vec<SlotId>), Vec<String>>> {
    let mut problems = Vec::new();
    let text = match ProposalText::new(
        &form.title,
        &form.description,
        &form.audience,
        &form.tags,
        &form.room_needs,
    ) {
        Ok(t) => Some(t),
        Err(ps) => {
            problems.extend(ps.iter().map(|p| {
                let field = match p.field {
                    "title" => "Title",
                    "description" => "Description",
                    "audience" => "Who it is for",
                    "tags" => "Tags",
                    _ => "Room needs",
                };
                format!("{field}: {}.", p.message)
            }));
            None
        }
    };
    let mut leads = Vec::new();
    for name in usernames(&form.leads) {
        match state.store.account_by_username(name).await? {
            Some(a) if a.person == me => {}
            Some(a) if in_audience(state, a.person, &l.event).await? => leads.push(a.person),
            Some(_) => problems.push(format!(
                "Co-facilitators: {name} is not on the staff this day is for."
            )),
            None => problems.push(format!(
                "Co-facilitators: no one has the username \"{name}\"."
            )),
        }
    }
    if leads.len() > 5 {
        problems.push("Co-facilitators: name at most five colleagues.".to_owned());
    }
    let slots = form.slots.iter().map(|s| SlotId::new(*s)).collect();
    Ok(match (text, problems.is_empty()) {
        (Some(t), true) => Ok((t, leads, slots)),
        _ => Err(problems),
    })
}

/// POST /events/{id}/proposals
pub async fn submit_proposal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    raw: Bytes,
) -> WebResult<Response> {
    let l = load_open(&state, &user, id).await?;
    let form = ProposalForm::parse(&raw);
    match check_form(&state, &l, user.actor.person, &form).await? {
        Ok((text, leads, slots)) => {
            let pid = state
                .store
                .submit_proposal(&NewProposal {
                    event: l.event.id,
                    proposer: user.actor.person,
                    text,
                    leads,
                    slots,
                    now: now_ms(),
                })
                .await?;
            Ok(Redirect::to(&format!("/events/{id}/proposals/{pid}?sent")).into_response())
        }
        Err(problems) => {
            refused(
                &state,
                &user,
                &l,
                format!("/events/{id}/proposals"),
                "Send the proposal",
                form,
                problems,
            )
            .await
        }
    }
}

/// A proposal the viewer may read (its authors and the day's managers).
async fn load_proposal(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    proposal: i64,
) -> WebResult<(Loaded, Proposal)> {
    let l = load(state, user, id).await?;
    let p = state
        .store
        .proposal(ProposalId::new(proposal))
        .await?
        .filter(|p| p.event == l.event.id)
        .ok_or(WebError::NotFound)?;
    require(
        &user.actor,
        Action::ViewProposal,
        &Resource::Proposal {
            placement: l.placement,
            author: p.is_author(user.actor.person),
        },
    )?;
    Ok((l, p))
}

/// GET /events/{id}/proposals/{proposal}
pub async fn proposal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pid)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let (l, p) = load_proposal(&state, &user, id, pid).await?;
    let manage = can_manage(&user, &l);
    let programme = state.store.programme(l.event.id).await?;
    let notice = if query.contains_key("sent") {
        Some(
            "Your proposal is sent. The coordinator will review it; you can still change it until then.",
        )
    } else if query.contains_key("revised") {
        Some("Your changes are saved and the proposal is back with the coordinator.")
    } else if query.contains_key("reviewed") {
        Some("Your decision is saved and the proposer can see it.")
    } else {
        None
    };
    Ok(render(&ProposalPage {
        layout: Layout::for_user(&user, p.title.clone(), "/events")
            .with_crumbs(proposal_crumbs(&l, &p.title)),
        event_id: id,
        event_title: l.event.title.clone(),
        editable: p.proposer.0 == user.actor.person && p.status.editable(),
        reviewable: manage && p.status.reviewable(),
        manage,
        programme_open: l.event.state.programme_editable(),
        proposal: ProposalView::of(&p, &slot_labels(&programme)),
        notice,
    }))
}

/// GET /events/{id}/proposals/{proposal}/edit
pub async fn edit_proposal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pid)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let (l, p) = load_proposal(&state, &user, id, pid).await?;
    if p.proposer.0 != user.actor.person || !p.status.editable() {
        return Err(WebError::Conflict(
            "Only its proposer can change a proposal, and only until it is decided.".to_owned(),
        ));
    }
    let mut usernames = HashMap::new();
    for lead in &p.leads {
        if let Some(a) = state.store.account(lead.0).await? {
            usernames.insert(lead.0, a.username);
        }
    }
    let programme = state.store.programme(l.event.id).await?;
    Ok(render(&form_page(
        &user,
        &l,
        &programme,
        format!("/events/{id}/proposals/{pid}"),
        "Send it again",
        ProposalForm::of(&p, &usernames),
        Vec::new(),
    )))
}

/// POST /events/{id}/proposals/{proposal}: the proposer's revision.
pub async fn revise_proposal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pid)): Path<(i64, i64)>,
    raw: Bytes,
) -> WebResult<Response> {
    let (l, p) = load_proposal(&state, &user, id, pid).await?;
    if p.proposer.0 != user.actor.person || !p.status.editable() {
        return Err(WebError::Conflict(
            "Only its proposer can change a proposal, and only until it is decided.".to_owned(),
        ));
    }
    let form = ProposalForm::parse(&raw);
    match check_form(&state, &l, user.actor.person, &form).await? {
        Ok((text, leads, slots)) => {
            if !state
                .store
                .revise_proposal(p.id, user.actor.person, &text, &leads, &slots, now_ms())
                .await?
            {
                return Err(WebError::Conflict(
                    "The coordinator decided on this proposal a moment ago; reload the page."
                        .to_owned(),
                ));
            }
            Ok(Redirect::to(&format!("/events/{id}/proposals/{pid}?revised")).into_response())
        }
        Err(problems) => {
            refused(
                &state,
                &user,
                &l,
                format!("/events/{id}/proposals/{pid}"),
                "Send it again",
                form,
                problems,
            )
            .await
        }
    }
}

/// POST /events/{id}/proposals/{proposal}/withdraw
pub async fn withdraw_proposal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pid)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let (_, p) = load_proposal(&state, &user, id, pid).await?;
    if !state
        .store
        .withdraw_proposal(p.id, user.actor.person)
        .await?
    {
        return Err(WebError::Conflict(
            "Only its proposer can withdraw a proposal, and only until it is decided.".to_owned(),
        ));
    }
    Ok(Redirect::to(&format!("/events/{id}/proposals")).into_response())
}

/// The coordinator's decision.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    decision: String,
    #[serde(default)]
    note: String,
}

/// POST /events/{id}/proposals/{proposal}/review
pub async fn review_proposal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<ReviewForm>,
) -> WebResult<Response> {
    let (l, p) = load_proposal(&state, &user, id, pid).await?;
    require(&user.actor, Action::ManageEvents, &l.resource())?;
    let review = Review::parse(&form.decision).ok_or_else(|| {
        WebError::Unprocessable("Choose accept, ask for changes or decline.".to_owned())
    })?;
    let note = form.note.trim();
    if review.needs_note() && note.is_empty() {
        return Err(WebError::Unprocessable(
            "Say why in the note: the proposer reads it.".to_owned(),
        ));
    }
    if note.chars().count() > waypoint_domain::pdday::MAX_SHORT * 4 {
        return Err(WebError::Unprocessable(
            "Keep the note to 2,000 characters.".to_owned(),
        ));
    }
    if review == Review::Accept && !l.event.state.programme_editable() {
        return Err(WebError::Conflict(
            "Ranking has closed, so the programme can no longer take new sessions.".to_owned(),
        ));
    }
    match state
        .store
        .review_proposal(p.id, review, note, user.actor.person, now_ms())
        .await?
    {
        Some(_) => {
            Ok(Redirect::to(&format!("/events/{id}/proposals/{pid}?reviewed")).into_response())
        }
        None => Err(WebError::Conflict(
            "This proposal was decided a moment ago; reload the page.".to_owned(),
        )),
    }
}

/// The coordinator's new section.
#[derive(Debug, Deserialize)]
pub struct SectionForm {
    course: i64,
    slot: i64,
    #[serde(default)]
    room: String,
    /// Seats; empty means the chosen room's.
    #[serde(default)]
    capacity: String,
    /// Usernames; empty means the people who proposed the session.
    #[serde(default)]
    facilitators: String,
}

/// POST /events/{id}/sections: add a section to the programme grid.
pub async fn add_section(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SectionForm>,
) -> WebResult<Response> {
    let l = load_managed(&state, &user, id).await?;
    let room = form.room.trim().to_owned();
    let capacity = if form.capacity.trim().is_empty() {
        // The room's seats, when it is one of the day's rooms.
        state
            .store
            .rooms(l.event.id)
            .await?
            .into_iter()
            .find(|r| r.name == room)
            .map(|r| r.capacity)
            .ok_or_else(|| {
                WebError::Unprocessable(
                    "Give the number of seats, or choose one of the day's rooms.".to_owned(),
                )
            })?
    } else {
        super::setup::seats(&form.capacity)?
    };
    let course = CourseId::new(form.course);
    let mut facilitators = Vec::new();
    for name in usernames(&form.facilitators) {
        match state.store.account_by_username(name).await? {
            Some(a) => facilitators.push(a.person),
            None => {
                return Err(WebError::Unprocessable(format!(
                    "No one has the username \"{name}\"."
                )));
            }
        }
    }
    if facilitators.is_empty()
        && let Some(p) = state
            .store
            .proposals(l.event.id)
            .await?
            .into_iter()
            .find(|p| p.course == Some(course))
    {
        facilitators = p.facilitators();
    }
    let added = state
        .store
        .add_section(
            l.event.id,
            &AddSection {
                course,
                slot: SlotId::new(form.slot),
                room,
                capacity,
                facilitators,
            },
            now_ms(),
        )
        .await?;
    match added {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?added#programme")).into_response()),
        Err(refused) => Err(WebError::Unprocessable(format!(
            "The section was not added: {refused}."
        ))),
    }
}

/// POST /events/{id}/sections/{section}/remove
pub async fn remove_section(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let l = load_managed(&state, &user, id).await?;
    match state
        .store
        .remove_section(l.event.id, SectionId::new(section), now_ms())
        .await?
    {
        Ok(()) => Ok(Redirect::to(&format!("/events/{id}#programme")).into_response()),
        Err(refused) => Err(WebError::Unprocessable(format!(
            "The section was not removed: {refused}."
        ))),
    }
}
