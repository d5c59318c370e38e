//! PD-day pages: the list, creating a day from a programme file, the
//! coordinator's event page (programme grid, live demand, assignment run and
//! results), the educator's ranking page, and the personal schedule with its
//! calendar file.

use super::require;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::middleware::MultipartCsrf;
use crate::pdday::{self, ScheduleItem};
use crate::view::{Layout, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use waypoint_domain::pdday::{EventState, Ranking};
use waypoint_domain::{
    Action, CourseId, EventId, OrgId, OrgKind, Placement, Policy, Resource, Role, Scope,
};
use waypoint_store::{Course, Event, NewEvent, Programme, Run, RunStatus};

/// An event as the policy sees it, for the signed-in user.
pub(crate) struct Loaded {
    /// The event.
    pub(crate) event: Event,
    pub(crate) placement: Placement,
    pub(crate) attendee: bool,
}

impl Loaded {
    pub(super) fn resource(&self) -> Resource<'static> {
        Resource::Event {
            placement: self.placement,
            attendee: self.attendee,
        }
    }
}

/// Whether `user` is in the event's audience.
async fn is_attendee(state: &AppState, user: &CurrentUser, event: &Event) -> WebResult<bool> {
    in_audience(state, user.actor.person, event).await
}

/// Whether `person` is in the event's audience: placed at its organisation
/// (or, for a district, at one of its schools), narrowed by the schools and
/// roster roles the day is for.
pub(super) async fn in_audience(
    state: &AppState,
    person: waypoint_domain::PersonId,
    event: &Event,
) -> WebResult<bool> {
    let Some(me) = state.store.staff(person).await? else {
        return Ok(false);
    };
    let audience = state.store.event_audience(event.id).await?;
    Ok(audience.admits(event.org, &me.placements, &me.row.roster_role))
}

/// The event `id` if `user` may attend it (see its catalogue, rank, see a
/// schedule); otherwise the same 404 as a missing one.
pub(crate) async fn load(state: &AppState, user: &CurrentUser, id: i64) -> WebResult<Loaded> {
    let event = state
        .store
        .event(EventId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let org = state
        .store
        .org(event.org)
        .await?
        .ok_or(WebError::NotFound)?;
    let attendee = is_attendee(state, user, &event).await?;
    let loaded = Loaded {
        event,
        placement: org.placement,
        attendee,
    };
    require(&user.actor, Action::AttendEvent, &loaded.resource())?;
    Ok(loaded)
}

/// The event, for someone who runs it (404 for everyone else).
pub(super) async fn load_managed(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> WebResult<Loaded> {
    let l = load(state, user, id).await?;
    require(&user.actor, Action::ManageEvents, &l.resource())?;
    Ok(l)
}

/// The trail above a page of an event: the list, then the event.
pub(super) fn event_crumbs(event: &Event, rest: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut trail = vec![
        ("/events".to_owned(), "PD days".to_owned()),
        (format!("/events/{}", event.id), event.title.clone()),
    ];
    trail.extend(rest);
    trail
}

/// The courses `person` leads a section of (they never attend or rank those).
fn led_courses(programme: &Programme, person: waypoint_domain::PersonId) -> HashSet<CourseId> {
    programme
        .sections
        .iter()
        .filter(|s| s.facilitators.iter().any(|f| f.0 == person))
        .map(|s| s.course)
        .collect()
}

/// The courses `person` may rank: those that run in at least one section
/// (an accepted proposal not yet placed does not), except those they lead.
fn offered_courses(programme: &Programme, person: waypoint_domain::PersonId) -> HashSet<CourseId> {
    let leading = led_courses(programme, person);
    programme
        .sections
        .iter()
        .map(|s| s.course)
        .filter(|c| !leading.contains(c))
        .collect()
}

/// A calendar file of `days` for `person`, its UIDs under the request's host.
fn calendar_response(
    headers: &HeaderMap,
    name: &str,
    days: &[(Event, Vec<ScheduleItem>)],
    person: waypoint_domain::PersonId,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.split(':').next().unwrap_or(h).to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "waypoint.local".to_owned());
    let mut r = pdday::icalendar(name, days, person, &host).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    r
}

pub(super) fn can_manage(user: &CurrentUser, l: &Loaded) -> bool {
    Policy::can(&user.actor, Action::ManageEvents, &l.resource())
}

/// The districts where `user` may run PD days.
fn managed_districts(user: &CurrentUser) -> Vec<OrgId> {
    let mut out: Vec<OrgId> = user
        .grants()
        .iter()
        .filter(|g| g.role == Role::DistrictCoordinator || g.role == Role::Administrator)
        .filter_map(|g| match g.scope {
            Scope::District(d) => Some(d),
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A line of the events list.
pub struct EventLine {
    event: Event,
    manage: bool,
    /// What the viewer can do next there: link and words.
    next: Option<(String, String)>,
}

/// The next step on a day for someone in its audience (or running it).
async fn next_step(
    state: &AppState,
    user: &CurrentUser,
    event: &Event,
    attendee: bool,
    manage: bool,
) -> WebResult<Option<(String, String)>> {
    let id = event.id;
    Ok(match event.state {
        EventState::Proposals if manage => {
            let waiting = state
                .store
                .proposals(id)
                .await?
                .iter()
                .filter(|p| p.status == waypoint_domain::pdday::ProposalStatus::Submitted)
                .count();
            Some(if waiting > 0 {
                (
                    format!("/events/{id}/proposals?status=submitted"),
                    format!(
                        "Review {waiting} proposal{}",
                        if waiting == 1 { "" } else { "s" }
                    ),
                )
            } else {
                (
                    format!("/events/{id}/proposals"),
                    "See proposals".to_owned(),
                )
            })
        }
        EventState::Proposals if attendee => Some((
            format!("/events/{id}/proposals/new"),
            "Propose a session".to_owned(),
        )),
        EventState::Preferences if attendee => {
            let (choices, _) = state.store.ranking(id, user.actor.person).await?;
            let tz = pdday::event_tz(event);
            let by = event
                .closes_at
                .and_then(|c| jiff::Timestamp::from_millisecond(c).ok())
                .map(|t| format!(" by {}", t.to_zoned(tz).strftime("%a %-d %b")))
                .unwrap_or_default();
            Some(if choices.is_empty() {
                (format!("/events/{id}/rank"), format!("Rank sessions{by}"))
            } else {
                (
                    format!("/events/{id}/rank"),
                    format!("Change your choices{by}"),
                )
            })
        }
        EventState::Published | EventState::Finished if attendee => {
            let seated = !state
                .store
                .seats_of(id, user.actor.person)
                .await?
                .is_empty();
            seated.then(|| (format!("/events/{id}/schedule"), "My schedule".to_owned()))
        }
        _ => None,
    })
}

/// The events list.
#[derive(Template)]
#[template(path = "events.html")]
pub struct EventsPage {
    layout: Layout,
    events: Vec<EventLine>,
    can_create: bool,
}

/// The events `user` may attend, soonest first, each with whether they may
/// also manage it and whether they are in its audience.
pub(crate) async fn visible_events(
    state: &AppState,
    user: &CurrentUser,
) -> WebResult<Vec<(Event, bool, bool)>> {
    let mut out = Vec::new();
    for event in state.store.events().await? {
        let Some(org) = state.store.org(event.org).await? else {
            continue;
        };
        let attendee = is_attendee(state, user, &event).await?;
        let resource = Resource::Event {
            placement: org.placement,
            attendee,
        };
        if Policy::can(&user.actor, Action::AttendEvent, &resource) {
            out.push((
                event,
                Policy::can(&user.actor, Action::ManageEvents, &resource),
                attendee,
            ));
        }
    }
    Ok(out)
}

/// GET /events
pub async fn events(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let mut lines = Vec::new();
    for (event, manage, attendee) in visible_events(&state, &user).await? {
        lines.push(EventLine {
            next: next_step(&state, &user, &event, attendee, manage).await?,
            manage,
            event,
        });
    }
    Ok(render(&EventsPage {
        layout: Layout::for_user(&user, "PD days", "/events"),
        events: lines,
        can_create: !managed_districts(&user).is_empty() || user.actor.is_administrator(),
    }))
}

/// The form for a new PD day.
#[derive(Template)]
#[template(path = "event_new.html")]
pub struct NewEventPage {
    layout: Layout,
    orgs: Vec<(OrgId, String)>,
    form: NewEventForm,
    problems: Vec<String>,
}

/// What the new-event form holds (kept to refill it after a problem).
#[derive(Debug, Clone, Default)]
pub struct NewEventForm {
    org: String,
    title: String,
    day: String,
    timezone: String,
    venue: String,
    ranks: String,
    /// Breakout slots typed in when there is no programme file: label,
    /// start and end (`HH:MM`), one row each.
    slots: Vec<[String; 3]>,
}

/// Rows of slots the new-event form offers.
const SLOT_ROWS: usize = 6;

async fn creatable_orgs(state: &AppState, user: &CurrentUser) -> WebResult<Vec<(OrgId, String)>> {
    let mut out = Vec::new();
    for org in state.store.orgs().await? {
        if org.kind != OrgKind::District {
            continue;
        }
        let r = Resource::Event {
            placement: org.placement,
            attendee: false,
        };
        if Policy::can(&user.actor, Action::ManageEvents, &r) {
            out.push((org.id, org.name));
        }
    }
    Ok(out)
}

/// GET /events/new
pub async fn new_event(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let orgs = creatable_orgs(&state, &user).await?;
    if orgs.is_empty() {
        return Err(WebError::NotFound);
    }
    Ok(render(&NewEventPage {
        layout: Layout::for_user(&user, "New PD day", "/events"),
        orgs,
        form: NewEventForm {
            timezone: "America/Chicago".to_owned(),
            ranks: "9".to_owned(),
            slots: default_slots(),
            ..NewEventForm::default()
        },
        problems: Vec::new(),
    }))
}

/// A typical day's breakout slots, to start from.
fn default_slots() -> Vec<[String; 3]> {
    let mut rows: Vec<[String; 3]> = [
        ("Slot 1", "09:00", "09:50"),
        ("Slot 2", "10:05", "10:55"),
        ("Slot 3", "11:10", "12:00"),
    ]
    .iter()
    .map(|(l, a, b)| [(*l).to_owned(), (*a).to_owned(), (*b).to_owned()])
    .collect();
    rows.resize(SLOT_ROWS, Default::default());
    rows
}

/// The slots typed into the form, checked: a label and a start before the
/// end, in the day's zone. Blank rows are skipped.
fn typed_slots(
    form: &NewEventForm,
    tz: &jiff::tz::TimeZone,
    day: jiff::civil::Date,
    problems: &mut Vec<String>,
) -> Vec<waypoint_store::NewSlot> {
    let mut out = Vec::new();
    for (i, [label, start, end]) in form.slots.iter().enumerate() {
        if label.is_empty() && start.is_empty() && end.is_empty() {
            continue;
        }
        let row = i + 1;
        let time = |t: &str| t.parse::<jiff::civil::Time>().ok();
        match (label.is_empty(), time(start), time(end)) {
            (true, _, _) => problems.push(format!("Slot row {row}: give the slot a name.")),
            (false, Some(a), Some(b)) if a < b => {
                match (pdday::local_ms(tz, day, a), pdday::local_ms(tz, day, b)) {
                    (Ok(starts_at), Ok(ends_at)) => out.push(waypoint_store::NewSlot {
                        label: label.clone(),
                        starts_at,
                        ends_at,
                    }),
                    (Err(e), _) | (_, Err(e)) => problems.push(format!("Slot row {row}: {e}.")),
                }
            }
            (false, Some(_), Some(_)) => {
                problems.push(format!(
                    "Slot row {row}: the slot must end after it starts."
                ));
            }
            _ => problems.push(format!(
                "Slot row {row}: give the start and end as times, such as 09:00."
            )),
        }
    }
    if out.is_empty() {
        problems.push("Give at least one breakout slot, or upload the programme file.".to_owned());
    }
    out
}

/// POST /events (multipart: the fields, then the programme file).
pub async fn create_event(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Option<axum::Extension<MultipartCsrf>>,
    multipart: Multipart,
) -> WebResult<Response> {
    let orgs = creatable_orgs(&state, &user).await?;
    if orgs.is_empty() {
        return Err(WebError::NotFound);
    }
    let mut form = NewEventForm {
        slots: vec![Default::default(); SLOT_ROWS],
        ..NewEventForm::default()
    };
    let upload = crate::middleware::read_upload(csrf.as_deref(), multipart, &["programme"]).await?;
    let file = upload
        .file("programme")
        .map(|(_, b)| b.to_vec())
        .unwrap_or_default();
    for (name, value) in &upload.fields {
        let value = value.trim().to_owned();
        match name.as_str() {
            "org" => form.org = value,
            "title" => form.title = value,
            "day" => form.day = value,
            "timezone" => form.timezone = value,
            "venue" => form.venue = value,
            "ranks" => form.ranks = value,
            other => {
                // slot_label_3, slot_start_3, slot_end_3 …
                let mut parts = other.rsplitn(2, '_');
                let row = parts.next().and_then(|n| n.parse::<usize>().ok());
                let field = match parts.next() {
                    Some("slot_label") => Some(0),
                    Some("slot_start") => Some(1),
                    Some("slot_end") => Some(2),
                    _ => None,
                };
                if let (Some(row), Some(field)) = (row, field)
                    && (1..=SLOT_ROWS).contains(&row)
                {
                    form.slots[row - 1][field] = value;
                }
            }
        }
    }
    let mut problems = Vec::new();
    let org = form
        .org
        .parse::<i64>()
        .ok()
        .map(OrgId::new)
        .filter(|o| orgs.iter().any(|(id, _)| id == o));
    if org.is_none() {
        problems.push("Choose the district the day is for.".to_owned());
    }
    if form.title.is_empty() {
        problems.push("Give the day a title.".to_owned());
    }
    let day = form.day.parse::<jiff::civil::Date>().ok();
    if day.is_none() {
        problems.push("Give the date as YYYY-MM-DD.".to_owned());
    }
    let tz = pdday::time_zone(&form.timezone);
    if let Err(e) = &tz {
        problems.push(format!("Time zone: {e}."));
    }
    let ranks = form
        .ranks
        .parse::<i64>()
        .ok()
        .filter(|r| (1..=20).contains(r));
    if ranks.is_none() {
        problems.push("Choices to rank must be a number from 1 to 20.".to_owned());
    }
    let mut programme = None;
    if let (Some(day), Ok(tz)) = (day, &tz) {
        if file.is_empty() {
            // No file: the day starts with its slots, and its sessions come
            // from the call for proposals or are added by hand.
            programme = Some(waypoint_store::NewProgramme {
                slots: typed_slots(&form, tz, day, &mut problems),
                courses: Vec::new(),
                sections: Vec::new(),
            });
        } else {
            match pdday::read_programme(&*state.store, &file, tz, day).await {
                Ok(p) => programme = Some(p),
                Err(ps) => problems.extend(ps.iter().map(|p| format!("Programme file, {p}."))),
            }
        }
    }
    let (Some(org), Some(day), Some(ranks), Some(programme), true) =
        (org, day, ranks, programme, problems.is_empty())
    else {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&NewEventPage {
                layout: Layout::for_user(&user, "New PD day", "/events"),
                orgs,
                form,
                problems,
            }),
        )
            .into_response());
    };
    let id = state
        .store
        .create_event_with_programme(
            &NewEvent {
                org,
                title: form.title.clone(),
                day: day.to_string(),
                timezone: form.timezone.clone(),
                venue: form.venue.clone(),
                ranks,
                window: None,
                created_by: user.actor.person,
                now: now_ms(),
            },
            &programme,
        )
        .await?;
    Ok(Redirect::to(&format!("/events/{id}")).into_response())
}

/// A section in the programme grid.
pub struct GridCell {
    id: i64,
    /// Whether the viewer may open its roster.
    roster: bool,
    title: String,
    code: String,
    room: String,
    capacity: i64,
    facilitators: String,
    seated: Option<i64>,
}

/// One row of the live-demand table.
pub struct DemandRow {
    title: String,
    first: i64,
    top3: i64,
    any: i64,
    seats: i64,
    /// First choices per seat, as a percentage (for the bar).
    pressure: u32,
}

/// One bar of the results chart.
pub struct ProfileBar {
    label: String,
    optimal: u64,
    fcfs: u64,
    optimal_pct: u32,
    fcfs_pct: u32,
}

/// The event page.
#[derive(Template)]
#[template(path = "event.html")]
pub struct EventPage {
    layout: Layout,
    event: Event,
    manage: bool,
    attendee: bool,
    state_label: &'static str,
    when: String,
    slots: Vec<(String, String, Vec<GridCell>)>,
    sections: usize,
    seats: i64,
    audience: usize,
    ranked: i64,
    demand: Vec<DemandRow>,
    run_line: Option<(&'static str, &'static str, String)>,
    results: Option<pdday::RunReport>,
    profile: Vec<ProfileBar>,
    my_ranked: usize,
    /// Every section, for the coordinator's move form: id and label.
    section_options: Vec<(i64, String)>,
    moved: bool,
    /// Per section with answers: id, title, slot label, summary (coordinator only).
    feedback: Vec<(i64, String, String, FeedbackSummary)>,
    /// The coordinator may still add and remove sections.
    editable: bool,
    /// Seats are assigned, so the grid shows how many are placed.
    placed: bool,
    /// For the add-a-section form: courses (id, title) and slots (id, label).
    course_options: Vec<(i64, String)>,
    slot_options: Vec<(i64, String)>,
    /// Proposals: waiting for review (coordinator), and the viewer's own.
    proposals_waiting: usize,
    proposals_total: usize,
    my_proposals: usize,
    /// The viewer may propose a session now.
    can_propose: bool,
    added: bool,
    /// Set-up (coordinator): the venue's rooms, the general sessions
    /// (id, title, time, location), and the audience choices (id or role,
    /// label, chosen).
    rooms: Vec<waypoint_store::Room>,
    general: Vec<(i64, String, String, String)>,
    audience_schools: Vec<(i64, String, bool)>,
    audience_roles: Vec<(&'static str, &'static str, bool)>,
    audience_summary: String,
}

/// GET /events/{id}
pub async fn event(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    let manage = can_manage(&user, &l);
    let store = &*state.store;
    let programme = store.programme(l.event.id).await?;
    let tz = pdday::event_tz(&l.event);
    let mut counts: HashMap<i64, i64> = HashMap::new();
    if manage
        && matches!(
            l.event.state,
            EventState::Assigned | EventState::Published | EventState::Finished
        )
    {
        for (section, n) in store.seat_counts(l.event.id).await? {
            counts.insert(section.get(), n);
        }
    }
    let courses: HashMap<CourseId, &Course> = programme.courses.iter().map(|c| (c.id, c)).collect();
    let slots = programme
        .slots
        .iter()
        .map(|slot| {
            let cells = programme
                .sections
                .iter()
                .filter(|s| s.slot == slot.id)
                .map(|s| GridCell {
                    id: s.id.get(),
                    roster: manage || s.facilitators.iter().any(|f| f.0 == user.actor.person),
                    title: courses
                        .get(&s.course)
                        .map(|c| c.title.clone())
                        .unwrap_or_default(),
                    code: s.code.clone(),
                    room: s.room.clone(),
                    capacity: s.capacity,
                    facilitators: s
                        .facilitators
                        .iter()
                        .map(|f| f.1.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    seated: counts.get(&s.id.get()).copied(),
                })
                .collect();
            (
                slot.label.clone(),
                format!(
                    "{}–{}",
                    pdday::clock(&tz, slot.starts_at),
                    pdday::clock(&tz, slot.ends_at)
                ),
                cells,
            )
        })
        .collect();
    let seats = programme.sections.iter().map(|s| s.capacity).sum();
    let (demand, ranked, audience) = if manage {
        (
            demand(&programme, &store.preferences(l.event.id).await?),
            store.ranked_count(l.event.id).await?,
            pdday::event_audience(store, &l.event).await?.len(),
        )
    } else {
        (Vec::new(), 0, 0)
    };
    let run = if manage {
        store.latest_run(l.event.id).await?
    } else {
        None
    };
    let results = run
        .as_ref()
        .filter(|r| r.status == RunStatus::Done)
        .and_then(|r| r.report.as_deref())
        .and_then(|j| serde_json::from_str::<pdday::RunReport>(j).ok());
    let profile = results.as_ref().map(profile_bars).unwrap_or_default();
    let my_ranked = store.ranking(l.event.id, user.actor.person).await?.0.len();
    let mut feedback = Vec::new();
    if manage && matches!(l.event.state, EventState::Published | EventState::Finished) {
        for s in &programme.sections {
            let answers = store.feedback_on(s.id).await?;
            if answers.is_empty() {
                continue;
            }
            let title = courses
                .get(&s.course)
                .map(|c| c.title.clone())
                .unwrap_or_default();
            let slot = programme
                .slots
                .iter()
                .find(|t| t.id == s.slot)
                .map(|t| t.label.clone())
                .unwrap_or_default();
            feedback.push((s.id.get(), title, slot, summarise(&answers, false)));
        }
    }
    let section_options = if manage {
        programme
            .sections
            .iter()
            .map(|s| {
                let slot = programme
                    .slots
                    .iter()
                    .find(|t| t.id == s.slot)
                    .map(|t| t.label.as_str())
                    .unwrap_or_default();
                let title = courses
                    .get(&s.course)
                    .map(|c| c.title.as_str())
                    .unwrap_or_default();
                let placed = counts.get(&s.id.get()).copied().unwrap_or(0);
                (
                    s.id.get(),
                    format!(
                        "{slot} · {title} ({}) · {placed} of {} seats",
                        s.code, s.capacity
                    ),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let editable = manage && l.event.state.programme_editable();
    let proposals = if manage || l.event.state == EventState::Proposals {
        store.proposals(l.event.id).await?
    } else {
        Vec::new()
    };
    let course_options = if editable {
        programme
            .courses
            .iter()
            .map(|c| (c.id.get(), format!("{} ({})", c.title, c.code)))
            .collect()
    } else {
        Vec::new()
    };
    let slot_options = programme
        .slots
        .iter()
        .map(|s| (s.id.get(), s.label.clone()))
        .collect();
    let general = store
        .general_sessions(l.event.id)
        .await?
        .into_iter()
        .map(|g| {
            (
                g.id,
                g.title,
                format!(
                    "{}–{}",
                    pdday::clock(&tz, g.starts_at),
                    pdday::clock(&tz, g.ends_at)
                ),
                g.location,
            )
        })
        .collect();
    let (rooms, audience_schools, audience_roles, audience_summary) = if manage {
        let chosen = store.event_audience(l.event.id).await?;
        let schools: Vec<(i64, String, bool)> = store
            .child_orgs(l.event.org)
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.org.id.get(),
                    c.org.name,
                    chosen.schools.contains(&c.org.id),
                )
            })
            .collect();
        let roles = super::setup::AUDIENCE_ROLES
            .iter()
            .map(|(r, label)| (*r, *label, chosen.roles.iter().any(|x| x == r)))
            .collect();
        let summary = match (chosen.schools.len(), chosen.roles.is_empty()) {
            (0, true) => "All staff of the district and its schools".to_owned(),
            (0, false) => format!("{} in every school", role_labels(&chosen.roles)),
            (n, roles_open) => format!(
                "{} in {n} school{}",
                if roles_open {
                    "All staff".to_owned()
                } else {
                    role_labels(&chosen.roles)
                },
                if n == 1 { "" } else { "s" }
            ),
        };
        (store.rooms(l.event.id).await?, schools, roles, summary)
    } else {
        (Vec::new(), Vec::new(), Vec::new(), String::new())
    };
    Ok(render(&EventPage {
        rooms,
        general,
        audience_schools,
        audience_roles,
        audience_summary,
        placed: manage
            && matches!(
                l.event.state,
                EventState::Assigned | EventState::Published | EventState::Finished
            ),
        editable,
        course_options,
        slot_options,
        proposals_waiting: proposals
            .iter()
            .filter(|p| p.status == waypoint_domain::pdday::ProposalStatus::Submitted)
            .count(),
        proposals_total: proposals.len(),
        my_proposals: proposals
            .iter()
            .filter(|p| p.is_author(user.actor.person))
            .count(),
        can_propose: l.event.state == EventState::Proposals
            && Policy::can(&user.actor, Action::ProposeSession, &l.resource()),
        added: query.contains_key("added"),
        layout: Layout::for_user(&user, l.event.title.clone(), "/events").with_crumbs(vec![
            ("/events".to_owned(), "PD days".to_owned()),
            (String::new(), l.event.title.clone()),
        ]),
        state_label: l.event.state.label(),
        when: when(&l.event, &tz),
        sections: programme.sections.len(),
        seats,
        slots,
        audience,
        ranked,
        demand,
        run_line: run
            .as_ref()
            .filter(|_| matches!(l.event.state, EventState::Closed | EventState::Assigned))
            .map(run_line),
        results,
        profile,
        manage,
        attendee: l.attendee,
        my_ranked,
        section_options,
        moved: query.contains_key("moved"),
        feedback,
        event: l.event,
    }))
}

/// "Teachers and aides", from stored roster roles.
fn role_labels(roles: &[String]) -> String {
    let labels: Vec<&str> = roles
        .iter()
        .filter_map(|r| {
            super::setup::AUDIENCE_ROLES
                .iter()
                .find(|(k, _)| k == r)
                .map(|(_, l)| *l)
        })
        .collect();
    match labels.as_slice() {
        [] => "Staff".to_owned(),
        [one] => (*one).to_owned(),
        [first, rest @ .., last] => {
            let mut out = (*first).to_owned();
            for r in rest {
                out.push_str(", ");
                out.push_str(&r.to_lowercase());
            }
            format!("{out} and {}", last.to_lowercase())
        }
    }
}

/// A run's status as a badge class, label and sentence.
fn run_line(r: &Run) -> (&'static str, &'static str, String) {
    match r.status {
        RunStatus::Queued => (
            "badge-info",
            "Queued",
            "The assignment starts in a moment; reload the page to follow it.".to_owned(),
        ),
        RunStatus::Running => (
            "badge-info",
            "Running",
            format!(
                "{}. Reload the page to follow it.",
                r.progress.as_deref().unwrap_or("Assigning seats")
            ),
        ),
        RunStatus::Done => (
            "badge-ok",
            "Done",
            "Seats are assigned. Check the outcome below, then publish.".to_owned(),
        ),
        RunStatus::Failed => (
            "badge-bad",
            "Failed",
            r.error
                .clone()
                .unwrap_or_else(|| "The assignment stopped.".to_owned()),
        ),
    }
}

fn when(event: &Event, tz: &jiff::tz::TimeZone) -> String {
    let day = event
        .day
        .parse::<jiff::civil::Date>()
        .map(|d| d.strftime("%A %-d %B %Y").to_string())
        .unwrap_or_else(|_| event.day.clone());
    match event.closes_at {
        Some(c) if event.state == EventState::Preferences => {
            let closes = jiff::Timestamp::from_millisecond(c)
                .map(|t| {
                    t.to_zoned(tz.clone())
                        .strftime("%A %-d %B at %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            format!("{day} · ranking closes {closes}")
        }
        _ => day,
    }
}

fn demand(programme: &Programme, prefs: &[waypoint_store::Preference]) -> Vec<DemandRow> {
    let mut by_course: HashMap<CourseId, (i64, i64, i64)> = HashMap::new();
    for p in prefs {
        let e = by_course.entry(p.course).or_default();
        if p.rank == 1 {
            e.0 += 1;
        }
        if p.rank <= 3 {
            e.1 += 1;
        }
        e.2 += 1;
    }
    let mut rows: Vec<DemandRow> = programme
        .courses
        .iter()
        .map(|c| {
            let (first, top3, any) = by_course.get(&c.id).copied().unwrap_or_default();
            let seats: i64 = programme
                .sections
                .iter()
                .filter(|s| s.course == c.id)
                .map(|s| s.capacity)
                .sum();
            DemandRow {
                title: c.title.clone(),
                first,
                top3,
                any,
                seats,
                pressure: if seats > 0 {
                    u32::try_from((first * 100 / seats).min(100)).unwrap_or(100)
                } else {
                    100
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.first * 1000 / b.seats.max(1))
            .cmp(&(a.first * 1000 / a.seats.max(1)))
            .then(a.title.cmp(&b.title))
    });
    rows
}

fn profile_bars(r: &pdday::RunReport) -> Vec<ProfileBar> {
    let n = r.optimal.profile.len().max(r.fcfs.profile.len());
    let mut bars: Vec<ProfileBar> = (0..n)
        .map(|k| ProfileBar {
            label: ordinal(i64::try_from(k + 1).unwrap_or(i64::MAX)),
            optimal: r.optimal.profile.get(k).copied().unwrap_or(0),
            fcfs: r.fcfs.profile.get(k).copied().unwrap_or(0),
            optimal_pct: 0,
            fcfs_pct: 0,
        })
        .collect();
    bars.push(ProfileBar {
        label: "Not ranked".to_owned(),
        optimal: r.optimal.unranked,
        fcfs: r.fcfs.unranked,
        optimal_pct: 0,
        fcfs_pct: 0,
    });
    let top = bars
        .iter()
        .map(|b| b.optimal.max(b.fcfs))
        .max()
        .unwrap_or(1)
        .max(1);
    for b in &mut bars {
        b.optimal_pct = u32::try_from(b.optimal * 100 / top).unwrap_or(100);
        b.fcfs_pct = u32::try_from(b.fcfs * 100 / top).unwrap_or(100);
    }
    bars
}

/// "1st choice", "2nd choice", …
pub fn ordinal(n: impl Into<i64>) -> String {
    let n: i64 = n.into();
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix} choice")
}

/// The coordinator's state change.
#[derive(Debug, Deserialize)]
pub struct StateForm {
    to: String,
    /// Local closing time (`YYYY-MM-DDTHH:MM`) when opening the window.
    #[serde(default)]
    closes: String,
}

/// POST /events/{id}/state
pub async fn change_state(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<StateForm>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    require(&user.actor, Action::ManageEvents, &l.resource())?;
    let to = EventState::parse(&form.to)
        .ok_or_else(|| WebError::Unprocessable("That is not a step of a PD day.".to_owned()))?;
    let from = l.event.state;
    if !from.can_move_to(to) || to == EventState::Assigned {
        return Err(WebError::Conflict(format!(
            "A day that is \"{}\" cannot become \"{}\".",
            from.label(),
            to.label()
        )));
    }
    let now = now_ms();
    if to == EventState::Preferences {
        let tz = pdday::time_zone(&l.event.timezone).map_err(WebError::Unprocessable)?;
        let closes = if form.closes.is_empty() {
            now + 7 * 24 * 3_600_000
        } else {
            let dt = form.closes.parse::<jiff::civil::DateTime>().map_err(|_| {
                WebError::Unprocessable("Give the closing time as a date and time.".to_owned())
            })?;
            dt.to_zoned(tz)
                .map_err(|e| WebError::Unprocessable(e.to_string()))?
                .timestamp()
                .as_millisecond()
        };
        if closes <= now {
            return Err(WebError::Unprocessable(
                "The window must close in the future.".to_owned(),
            ));
        }
        state.store.set_window(l.event.id, now, closes, now).await?;
    }
    if !state.store.move_event(l.event.id, from, to, now).await? {
        return Err(WebError::Conflict(
            "Someone else changed this day a moment ago; reload the page.".to_owned(),
        ));
    }
    if to == EventState::Closed {
        state
            .store
            .queue_run(l.event.id, Some(user.actor.person), pdday::ASSIGN_JOB, now)
            .await?;
    }
    Ok(Redirect::to(&format!("/events/{id}")).into_response())
}

/// POST /events/{id}/assign: run the engine again.
pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    require(&user.actor, Action::ManageEvents, &l.resource())?;
    if !matches!(l.event.state, EventState::Closed | EventState::Assigned) {
        return Err(WebError::Conflict(
            "Seats are assigned once ranking has closed and before they are published.".to_owned(),
        ));
    }
    if let Some(run) = state.store.latest_run(l.event.id).await?
        && matches!(run.status, RunStatus::Queued | RunStatus::Running)
    {
        return Err(WebError::Conflict(
            "An assignment is already running.".to_owned(),
        ));
    }
    state
        .store
        .queue_run(
            l.event.id,
            Some(user.actor.person),
            pdday::ASSIGN_JOB,
            now_ms(),
        )
        .await?;
    Ok(Redirect::to(&format!("/events/{id}")).into_response())
}

/// One catalogue entry on the ranking page.
pub struct CatalogueItem {
    id: CourseId,
    title: String,
    description: String,
    tags: Vec<String>,
    when: String,
    facilitators: String,
    /// The slots it runs in, `|`-separated (for the slot filter).
    slots: String,
    /// Who it is for (empty: anyone).
    audience: String,
}

/// The ranking page.
#[derive(Template)]
#[template(path = "rank.html")]
pub struct RankPage {
    layout: Layout,
    event: Event,
    catalogue: Vec<CatalogueItem>,
    /// Every slot label, tag and audience, for the catalogue's filters.
    slot_labels: Vec<String>,
    audiences: Vec<String>,
    all_tags: Vec<String>,
    /// The saved choice at each rank (empty string when none).
    choices: Vec<String>,
    open: bool,
    closes: String,
    saved: Option<i64>,
    problem: Option<String>,
}

async fn rank_page(
    state: &AppState,
    user: &CurrentUser,
    l: Loaded,
    choices: Vec<String>,
    saved: Option<i64>,
    problem: Option<String>,
) -> WebResult<Response> {
    let programme = state.store.programme(l.event.id).await?;
    let tz = pdday::event_tz(&l.event);
    let offered = offered_courses(&programme, user.actor.person);
    let catalogue = programme
        .courses
        .iter()
        .filter(|c| offered.contains(&c.id))
        .map(|c| {
            let mut when = Vec::new();
            let mut leads = Vec::new();
            let mut slots = Vec::new();
            for s in programme.sections.iter().filter(|s| s.course == c.id) {
                if let Some(slot) = programme.slots.iter().find(|t| t.id == s.slot) {
                    slots.push(slot.label.clone());
                    when.push(format!(
                        "{} ({})",
                        slot.label,
                        pdday::clock(&tz, slot.starts_at)
                    ));
                }
                for f in &s.facilitators {
                    if !leads.contains(&f.1) {
                        leads.push(f.1.clone());
                    }
                }
            }
            CatalogueItem {
                id: c.id,
                title: c.title.clone(),
                description: c.description.clone(),
                tags: c
                    .tags
                    .split(';')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
                when: when.join(", "),
                facilitators: leads.join(", "),
                slots: slots.join("|"),
                audience: c.audience.clone(),
            }
        })
        .collect::<Vec<CatalogueItem>>();
    let mut all_tags: Vec<String> = catalogue
        .iter()
        .flat_map(|c| c.tags.iter().cloned())
        .collect();
    all_tags.sort_by_key(|t| t.to_lowercase());
    all_tags.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let slot_labels = programme.slots.iter().map(|s| s.label.clone()).collect();
    let mut audiences: Vec<String> = catalogue
        .iter()
        .map(|c| c.audience.clone())
        .filter(|a| !a.is_empty())
        .collect();
    audiences.sort();
    audiences.dedup();
    let open = ranking_open(&l.event, now_ms());
    let mut choices = choices;
    choices.resize(usize::try_from(l.event.ranks).unwrap_or(9), String::new());
    let status = if problem.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((
        status,
        render(&RankPage {
            audiences,
            slot_labels,
            all_tags,
            layout: Layout::for_user(
                user,
                format!("Rank sessions · {}", l.event.title),
                "/events",
            )
            .with_crumbs(event_crumbs(
                &l.event,
                vec![(String::new(), "Rank sessions".to_owned())],
            )),
            closes: l
                .event
                .closes_at
                .and_then(|c| jiff::Timestamp::from_millisecond(c).ok())
                .map(|t| {
                    t.to_zoned(tz.clone())
                        .strftime("%A %-d %B at %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            event: l.event,
            catalogue,
            choices,
            open,
            saved,
            problem,
        }),
    )
        .into_response())
}

/// GET /events/{id}/rank
pub async fn rank_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    let (saved, _) = state.store.ranking(l.event.id, user.actor.person).await?;
    let choices = saved.iter().map(ToString::to_string).collect();
    rank_page(&state, &user, l, choices, None, None).await
}

/// POST /events/{id}/rank: the choices as `choice` fields, most wanted first
/// (empty ones skipped).
pub async fn rank_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| WebError::Unprocessable("The form could not be read.".to_owned()))?;
    let raw: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "choice")
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    let picked: Result<Vec<CourseId>, _> = raw
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<i64>().map(CourseId::new))
        .collect();
    let outcome = match picked {
        Ok(picked) => save_choices(&state, &user, &l, picked, now_ms()).await?,
        // Text that is not a course id can only be a session the day does not offer.
        Err(_) if ranking_open(&l.event, now_ms()) => Err(RankRefusal::Invalid(
            "One of the choices is not a session of this day.".to_owned(),
        )),
        Err(_) => Err(RankRefusal::Closed(CLOSED.to_owned())),
    };
    match outcome {
        Ok((ranking, revision)) => {
            let choices = ranking.choices().iter().map(ToString::to_string).collect();
            rank_page(&state, &user, l, choices, Some(revision), None).await
        }
        Err(refusal) => rank_page(&state, &user, l, raw, None, Some(refusal.message())).await,
    }
}

/// What the person is told when they save after the window has closed.
const CLOSED: &str = "Ranking has closed for this day; your last saved choices stand.";

/// Whether `event` takes rankings at `now`: open for preferences and before
/// its closing time.
pub(crate) fn ranking_open(event: &Event, now: i64) -> bool {
    event.state == EventState::Preferences && event.closes_at.is_none_or(|c| now < c)
}

/// Why a ranking was not saved, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RankRefusal {
    /// The window is not open (not yet, or no longer).
    Closed(String),
    /// The choices break one of the ranking rules.
    Invalid(String),
}

impl RankRefusal {
    /// The sentence shown or sent back.
    pub(crate) fn message(self) -> String {
        match self {
            Self::Closed(m) | Self::Invalid(m) => m,
        }
    }
}

/// Saves `picked` (most wanted first) as `user`'s ranking of the event, if
/// the window is open and the choices follow the rules: each session once,
/// at most the event's number of choices, only sessions the day offers and
/// they do not lead. Every way of ranking (the form, the API) comes through
/// here. On success the transaction has committed: the ranking and its
/// revision are what a later read returns.
pub(crate) async fn save_choices(
    state: &AppState,
    user: &CurrentUser,
    l: &Loaded,
    picked: Vec<CourseId>,
    now: i64,
) -> WebResult<Result<(Ranking, i64), RankRefusal>> {
    if !ranking_open(&l.event, now) {
        return Ok(Err(RankRefusal::Closed(CLOSED.to_owned())));
    }
    let programme = state.store.programme(l.event.id).await?;
    let offered = offered_courses(&programme, user.actor.person);
    let max = usize::try_from(l.event.ranks).unwrap_or(9);
    let ranking = match Ranking::new(picked, max, &offered) {
        Ok(r) => r,
        Err(e) => {
            let titles: HashMap<CourseId, &str> = programme
                .courses
                .iter()
                .map(|c| (c.id, c.title.as_str()))
                .collect();
            let message = match e {
                waypoint_domain::pdday::RankingError::Duplicate(c) => format!(
                    "\"{}\" is chosen twice; choose each session once.",
                    titles.get(&c).copied().unwrap_or("A session")
                ),
                other => format!("{}.", capitalize(&other.to_string())),
            };
            return Ok(Err(RankRefusal::Invalid(message)));
        }
    };
    let revision = state
        .store
        .save_ranking(l.event.id, user.actor.person, &ranking, now)
        .await?;
    Ok(Ok((ranking, revision)))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The personal schedule.
#[derive(Template)]
#[template(path = "schedule.html")]
pub struct SchedulePage {
    layout: Layout,
    event: Event,
    changed: bool,
    checked_in: bool,
    /// Sections attended (feedback can be given), and those already answered.
    attended: HashSet<i64>,
    answered: HashSet<i64>,
    items: Vec<(String, ScheduleItem)>,
}

async fn my_schedule(
    state: &AppState,
    user: &CurrentUser,
    l: &Loaded,
) -> WebResult<Vec<ScheduleItem>> {
    if !matches!(l.event.state, EventState::Published | EventState::Finished) {
        return Err(WebError::NotFound);
    }
    let programme = state.store.programme(l.event.id).await?;
    let seats = state.store.seats_of(l.event.id, user.actor.person).await?;
    let general = state.store.general_sessions(l.event.id).await?;
    Ok(pdday::schedule(&programme, &seats, &general))
}

/// GET /events/{id}/schedule
pub async fn schedule(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    let items = my_schedule(&state, &user, &l).await?;
    let attended: HashSet<i64> = state
        .store
        .attended(l.event.id, user.actor.person)
        .await?
        .into_iter()
        .map(|s| s.get())
        .collect();
    let mut answered = HashSet::new();
    for &s in &attended {
        if state
            .store
            .my_feedback(waypoint_domain::SectionId::new(s), user.actor.person)
            .await?
            .is_some()
        {
            answered.insert(s);
        }
    }
    let tz = pdday::event_tz(&l.event);
    let items = items
        .into_iter()
        .map(|i| {
            (
                format!(
                    "{}–{}",
                    pdday::clock(&tz, i.starts_at),
                    pdday::clock(&tz, i.ends_at)
                ),
                i,
            )
        })
        .collect();
    Ok(render(&SchedulePage {
        layout: Layout::for_user(&user, format!("My schedule · {}", l.event.title), "/events")
            .with_crumbs(event_crumbs(
                &l.event,
                vec![(String::new(), "My schedule".to_owned())],
            )),
        changed: query.contains_key("changed"),
        checked_in: query.contains_key("checked_in"),
        attended,
        answered,
        event: l.event,
        items,
    }))
}

/// GET /events/{id}/schedule.ics
pub async fn schedule_ics(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    let items = my_schedule(&state, &user, &l).await?;
    let name = l.event.title.clone();
    let mut r = calendar_response(&headers, &name, &[(l.event, items)], user.actor.person);
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"pd-day-schedule.ics\""),
    );
    Ok(r)
}

/// The coordinator's move of one person.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    /// Username of the person to move.
    person: String,
    /// Section id to move them into.
    section: i64,
}

/// POST /events/{id}/move
pub async fn move_person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    require(&user.actor, Action::ManageEvents, &l.resource())?;
    if !matches!(l.event.state, EventState::Assigned | EventState::Published) {
        return Err(WebError::Conflict(
            "People can be moved once seats are assigned.".to_owned(),
        ));
    }
    let username = form.person.trim();
    let Some(account) = state.store.account_by_username(username).await? else {
        return Err(WebError::Unprocessable(format!(
            "No one has the username \"{username}\"."
        )));
    };
    match state
        .store
        .move_seat(
            l.event.id,
            account.person,
            waypoint_domain::SectionId::new(form.section),
            now_ms(),
        )
        .await?
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/events/{id}?moved={}", account.person)).into_response())
        }
        Err(refused) => Err(WebError::Unprocessable(format!(
            "{} was not moved: {refused}.",
            account.display_name
        ))),
    }
}

/// A section's roster page.
#[derive(Template)]
#[template(path = "roster.html")]
pub struct RosterPage {
    layout: Layout,
    event: Event,
    title: String,
    when: String,
    room: String,
    section: i64,
    lines: Vec<waypoint_store::RosterLine>,
    capacity: i64,
    present: HashSet<waypoint_domain::PersonId>,
    code: Option<String>,
    feedback: FeedbackSummary,
    /// The coordinator may carry the session on as a learning group.
    follow_up: bool,
    /// Groups already made from it: id, title, kind.
    follow_ups: Vec<(i64, String, &'static str)>,
}

/// The section `section` of the event, if the user leads it or runs the day.
pub(super) async fn roster_section(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    section: i64,
) -> WebResult<(Loaded, Programme, waypoint_store::Section)> {
    let l = load(state, user, id).await?;
    let programme = state.store.programme(l.event.id).await?;
    let Some(sec) = programme
        .sections
        .iter()
        .find(|s| s.id.get() == section)
        .cloned()
    else {
        return Err(WebError::NotFound);
    };
    let leads = sec.facilitators.iter().any(|f| f.0 == user.actor.person);
    if !(leads || can_manage(user, &l)) {
        return Err(WebError::NotFound);
    }
    Ok((l, programme, sec))
}

/// GET /events/{id}/sections/{section}/roster
pub async fn roster(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let (l, programme, sec) = roster_section(&state, &user, id, section).await?;
    let tz = pdday::event_tz(&l.event);
    let slot = programme.slots.iter().find(|t| t.id == sec.slot);
    let title = programme
        .courses
        .iter()
        .find(|c| c.id == sec.course)
        .map(|c| c.title.clone())
        .unwrap_or_default();
    let lines = state.store.section_roster(sec.id).await?;
    let present = state.store.attendance(sec.id).await?.into_iter().collect();
    let code = state.store.checkin_code(sec.id).await?;
    let answers = state.store.feedback_on(sec.id).await?;
    // The coordinator reads every answer; a facilitator only once no one can be singled out.
    let show = can_manage(&user, &l) || answers.len() >= MIN_RESPONSES_FOR_COMMENTS;
    let feedback = summarise(&answers, show);
    let follow_ups = state
        .store
        .groups_from(sec.id)
        .await?
        .into_iter()
        .map(|g| (g.id.get(), g.title, g.kind.label()))
        .collect();
    Ok(render(&RosterPage {
        follow_up: super::groups::may_follow_up(&user, &l),
        follow_ups,
        present,
        code,
        feedback,
        layout: Layout::for_user(&user, format!("Roster · {title}"), "/events").with_crumbs(
            event_crumbs(&l.event, vec![(String::new(), "Roster".to_owned())]),
        ),
        when: slot
            .map(|t| {
                format!(
                    "{}, {}–{}",
                    t.label,
                    pdday::clock(&tz, t.starts_at),
                    pdday::clock(&tz, t.ends_at)
                )
            })
            .unwrap_or_default(),
        room: sec.room.clone(),
        section: sec.id.get(),
        capacity: sec.capacity,
        event: l.event,
        title,
        lines,
    }))
}

/// GET /events/{id}/sections/{section}/roster.csv
pub async fn roster_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let (_, _, sec) = roster_section(&state, &user, id, section).await?;
    let lines = state.store.section_roster(sec.id).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: [&str; 4]| {
        out.write_record(row)
            .map_err(|e| WebError::Internal(anyhow::anyhow!(e)))
    };
    write(&mut out, ["family_name", "given_name", "email", "rank"])?;
    for l in &lines {
        let rank = l.rank.map(|r| r.to_string()).unwrap_or_default();
        write(
            &mut out,
            [
                &l.family_name,
                &l.given_name,
                l.email.as_deref().unwrap_or(""),
                &rank,
            ],
        )?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| WebError::Internal(anyhow::anyhow!(e.to_string())))?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"roster-{}.csv\"",
            sec.code.replace(['"', '\\'], "")
        ))
        .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(r)
}

/// One section offered on the change page.
pub struct SlotOption {
    id: i64,
    title: String,
    room: String,
    facilitators: String,
    free: i64,
    mine: bool,
    waiting: bool,
    rank: Option<i64>,
}

/// The page where an educator changes their session in one slot.
#[derive(Template)]
#[template(path = "change.html")]
pub struct ChangePage {
    layout: Layout,
    event: Event,
    slot: String,
    when: String,
    options: Vec<SlotOption>,
}

/// The event, published, for someone with seats in it.
async fn published_for(state: &AppState, user: &CurrentUser, id: i64) -> WebResult<Loaded> {
    let l = load(state, user, id).await?;
    if l.event.state != EventState::Published {
        return Err(WebError::NotFound);
    }
    Ok(l)
}

/// GET /events/{id}/slots/{slot}/change
pub async fn change_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, slot)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let l = published_for(&state, &user, id).await?;
    let store = &*state.store;
    let programme = store.programme(l.event.id).await?;
    let t = programme
        .slots
        .iter()
        .find(|t| t.id.get() == slot)
        .ok_or(WebError::NotFound)?;
    let seats = store.seats_of(l.event.id, user.actor.person).await?;
    let Some(mine) = seats.iter().find(|s| s.slot == t.id && !s.facilitating) else {
        return Err(WebError::NotFound);
    };
    let counts: HashMap<_, _> = store.seat_counts(l.event.id).await?.into_iter().collect();
    let waiting: HashSet<_> = store
        .waitlists_of(l.event.id, user.actor.person)
        .await?
        .into_iter()
        .collect();
    let (ranking, _) = store.ranking(l.event.id, user.actor.person).await?;
    let elsewhere: HashSet<CourseId> = seats
        .iter()
        .filter(|s| s.slot != t.id)
        .filter_map(|s| programme.sections.iter().find(|x| x.id == s.section))
        .map(|x| x.course)
        .collect();
    let tz = pdday::event_tz(&l.event);
    let options = programme
        .sections
        .iter()
        .filter(|s| s.slot == t.id && !elsewhere.contains(&s.course))
        .map(|s| SlotOption {
            id: s.id.get(),
            title: programme
                .courses
                .iter()
                .find(|c| c.id == s.course)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
            room: s.room.clone(),
            facilitators: s
                .facilitators
                .iter()
                .map(|f| f.1.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            free: (s.capacity - counts.get(&s.id).copied().unwrap_or(0)).max(0),
            mine: s.id == mine.section,
            waiting: waiting.contains(&s.id),
            rank: ranking
                .iter()
                .position(|c| *c == s.course)
                .and_then(|p| i64::try_from(p + 1).ok()),
        })
        .collect();
    Ok(render(&ChangePage {
        layout: Layout::for_user(&user, format!("Change {}", t.label), "/events").with_crumbs(
            event_crumbs(
                &l.event,
                vec![
                    (
                        format!("/events/{}/schedule", l.event.id),
                        "My schedule".to_owned(),
                    ),
                    (String::new(), format!("Change {}", t.label)),
                ],
            ),
        ),
        slot: t.label.clone(),
        when: format!(
            "{}–{}",
            pdday::clock(&tz, t.starts_at),
            pdday::clock(&tz, t.ends_at)
        ),
        event: l.event,
        options,
    }))
}

/// A section chosen on the change page.
#[derive(Debug, Deserialize)]
pub struct SectionForm {
    section: i64,
}

/// POST /events/{id}/seat: take an open seat.
pub async fn take_seat(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SectionForm>,
) -> WebResult<Response> {
    let l = published_for(&state, &user, id).await?;
    match state
        .store
        .take_seat(
            l.event.id,
            user.actor.person,
            waypoint_domain::SectionId::new(form.section),
            now_ms(),
        )
        .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}/schedule?changed=1")).into_response()),
        Err(waypoint_store::MoveRefused::Full) => Err(WebError::Conflict(
            "Someone took the last seat a moment ago. Go back to see what is still open, or join the waiting list.".to_owned(),
        )),
        Err(refused) => Err(WebError::Unprocessable(format!(
            "That seat cannot be yours: {refused}."
        ))),
    }
}

/// POST /events/{id}/waitlist: wait for a seat in a full section.
pub async fn join_waitlist(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SectionForm>,
) -> WebResult<Response> {
    let l = published_for(&state, &user, id).await?;
    let section = waypoint_domain::SectionId::new(form.section);
    let slot = state
        .store
        .programme(l.event.id)
        .await?
        .sections
        .iter()
        .find(|s| s.id == section)
        .map(|s| s.slot.get())
        .ok_or(WebError::NotFound)?;
    match state
        .store
        .join_waitlist(l.event.id, user.actor.person, section, now_ms())
        .await?
    {
        Ok(()) => Ok(Redirect::to(&format!("/events/{id}/slots/{slot}/change")).into_response()),
        Err(refused) => Err(WebError::Unprocessable(format!(
            "You cannot wait for that session: {refused}."
        ))),
    }
}

/// POST /events/{id}/waitlist/leave
pub async fn leave_waitlist(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SectionForm>,
) -> WebResult<Response> {
    let l = published_for(&state, &user, id).await?;
    let section = waypoint_domain::SectionId::new(form.section);
    state
        .store
        .leave_waitlist(l.event.id, user.actor.person, section)
        .await?;
    Ok(Redirect::to(&format!("/events/{id}/schedule")).into_response())
}

/// A facilitator's mark.
#[derive(Debug, Deserialize)]
pub struct AttendanceForm {
    person: i64,
    present: String,
}

/// POST /events/{id}/sections/{section}/attendance
pub async fn mark_attendance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(i64, i64)>,
    Form(form): Form<AttendanceForm>,
) -> WebResult<Response> {
    let (l, _, sec) = roster_section(&state, &user, id, section).await?;
    if !matches!(l.event.state, EventState::Published | EventState::Finished) {
        return Err(WebError::Conflict(
            "Attendance is taken once schedules are published.".to_owned(),
        ));
    }
    let person = waypoint_domain::PersonId::new(form.person);
    let seated = state
        .store
        .section_roster(sec.id)
        .await?
        .iter()
        .any(|r| r.person == person);
    if !seated {
        return Err(WebError::Unprocessable(
            "That person is not placed in this session.".to_owned(),
        ));
    }
    state
        .store
        .mark_attendance(
            sec.id,
            person,
            form.present == "1",
            user.actor.person,
            now_ms(),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/events/{id}/sections/{section}/roster#p{}",
        form.person
    ))
    .into_response())
}

/// POST /events/{id}/sections/{section}/code: make (or remake) the check-in code.
pub async fn make_code(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let (l, _, sec) = roster_section(&state, &user, id, section).await?;
    // Six characters without look-alikes (no 0/O, 1/I/L); retried on the rare clash.
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    for _ in 0..8 {
        let code: String = {
            use rand::Rng;
            let mut rng = rand::thread_rng();
            (0..6)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect()
        };
        match state
            .store
            .set_checkin_code(l.event.id, sec.id, &code)
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/events/{id}/sections/{section}/roster"))
                        .into_response(),
                );
            }
            Err(waypoint_store::StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(WebError::Conflict(
        "No free code was found; try again.".to_owned(),
    ))
}

/// The code an attendee types.
#[derive(Debug, Deserialize)]
pub struct CheckInForm {
    code: String,
}

/// POST /events/{id}/checkin
pub async fn check_in(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CheckInForm>,
) -> WebResult<Response> {
    let l = load(&state, &user, id).await?;
    if !matches!(l.event.state, EventState::Published | EventState::Finished) {
        return Err(WebError::NotFound);
    }
    let code: String = form
        .code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match state
        .store
        .check_in(l.event.id, user.actor.person, &code, now_ms())
        .await?
    {
        Some(_) => Ok(Redirect::to(&format!("/events/{id}/schedule?checked_in=1")).into_response()),
        None => Err(WebError::Unprocessable(
            "That code is not the code of a session you are placed in. Check it with your facilitator.".to_owned(),
        )),
    }
}

/// The statements of the feedback form, with the field that holds each.
pub const FEEDBACK_ITEMS: [(&str, &str); 3] = [
    ("relevant", "The session was relevant to my work."),
    (
        "well_run",
        "The session was well run and made good use of the time.",
    ),
    ("will_use", "I will use what I learned with my students."),
];

/// Labels of the agreement scale, 1 to 5.
pub const AGREEMENT: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

/// Feedback on one section, summed up.
pub struct FeedbackSummary {
    /// Responses.
    pub n: usize,
    /// Mean per item, one decimal.
    pub means: [String; 3],
    /// What people will try, shown only where enough responded.
    pub comments: Option<Vec<String>>,
}

/// Facilitators see individual answers only from 3 responses up.
pub const MIN_RESPONSES_FOR_COMMENTS: usize = 3;

fn summarise(rows: &[waypoint_store::Feedback], show_comments: bool) -> FeedbackSummary {
    let n = rows.len();
    let mean = |f: fn(&waypoint_store::Feedback) -> i64| {
        if n == 0 {
            "–".to_owned()
        } else {
            format!("{:.1}", rows.iter().map(f).sum::<i64>() as f64 / n as f64)
        }
    };
    FeedbackSummary {
        n,
        means: [
            mean(|r| r.relevant),
            mean(|r| r.well_run),
            mean(|r| r.will_use),
        ],
        comments: show_comments.then(|| {
            rows.iter()
                .map(|r| r.will_try.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        }),
    }
}

/// The feedback form.
#[derive(Template)]
#[template(path = "feedback.html")]
pub struct FeedbackPage {
    layout: Layout,
    event: Event,
    section: i64,
    title: String,
    /// Field, statement, the answer given (0 for none).
    questions: Vec<(&'static str, &'static str, usize)>,
    will_try: String,
    saved: bool,
    problem: Option<String>,
}

/// The event and section, for someone recorded as there.
async fn attended_section(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    section: i64,
) -> WebResult<(Loaded, String)> {
    let l = load(state, user, id).await?;
    let section_id = waypoint_domain::SectionId::new(section);
    if !state
        .store
        .attended(l.event.id, user.actor.person)
        .await?
        .contains(&section_id)
    {
        return Err(WebError::NotFound);
    }
    let programme = state.store.programme(l.event.id).await?;
    let title = programme
        .sections
        .iter()
        .find(|s| s.id == section_id)
        .and_then(|s| programme.courses.iter().find(|c| c.id == s.course))
        .map(|c| c.title.clone())
        .unwrap_or_default();
    Ok((l, title))
}

fn feedback_page(
    user: &CurrentUser,
    l: Loaded,
    title: String,
    section: i64,
    (current, will_try): ([i64; 3], String),
    saved: bool,
    problem: Option<String>,
) -> Response {
    let status = if problem.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    (
        status,
        render(&FeedbackPage {
            layout: Layout::for_user(user, format!("Feedback · {title}"), "/events").with_crumbs(
                event_crumbs(
                    &l.event,
                    vec![
                        (
                            format!("/events/{}/schedule", l.event.id),
                            "My schedule".to_owned(),
                        ),
                        (String::new(), "Feedback".to_owned()),
                    ],
                ),
            ),
            event: l.event,
            section,
            title,
            questions: FEEDBACK_ITEMS
                .iter()
                .zip(current)
                .map(|(&(field, text), n)| (field, text, usize::try_from(n).unwrap_or(0)))
                .collect(),
            will_try,
            saved,
            problem,
        }),
    )
        .into_response()
}

/// GET /events/{id}/sections/{section}/feedback
pub async fn feedback_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let (l, title) = attended_section(&state, &user, id, section).await?;
    let mine = state
        .store
        .my_feedback(waypoint_domain::SectionId::new(section), user.actor.person)
        .await?;
    let (current, will_try) = mine.map_or(([0; 3], String::new()), |f| {
        ([f.relevant, f.well_run, f.will_use], f.will_try)
    });
    Ok(feedback_page(
        &user,
        l,
        title,
        section,
        (current, will_try),
        false,
        None,
    ))
}

/// The submitted form.
#[derive(Debug, Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    relevant: String,
    #[serde(default)]
    well_run: String,
    #[serde(default)]
    will_use: String,
    #[serde(default)]
    will_try: String,
}

/// POST /events/{id}/sections/{section}/feedback
pub async fn feedback_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(i64, i64)>,
    Form(form): Form<FeedbackForm>,
) -> WebResult<Response> {
    let (l, title) = attended_section(&state, &user, id, section).await?;
    let score = |v: &str| v.parse::<i64>().ok().filter(|n| (1..=5).contains(n));
    let will_try: String = form.will_try.trim().chars().take(2000).collect();
    let (Some(relevant), Some(well_run), Some(will_use)) = (
        score(&form.relevant),
        score(&form.well_run),
        score(&form.will_use),
    ) else {
        let current =
            [&form.relevant, &form.well_run, &form.will_use].map(|v| score(v).unwrap_or(0));
        return Ok(feedback_page(
            &user,
            l,
            title,
            section,
            (current, will_try),
            false,
            Some("Answer each of the three statements.".to_owned()),
        ));
    };
    let saved = state
        .store
        .save_feedback(
            waypoint_domain::SectionId::new(section),
            user.actor.person,
            &waypoint_store::Feedback {
                relevant,
                well_run,
                will_use,
                will_try: will_try.clone(),
            },
            now_ms(),
        )
        .await?;
    if !saved {
        return Err(WebError::NotFound);
    }
    Ok(feedback_page(
        &user,
        l,
        title,
        section,
        ([relevant, well_run, will_use], will_try),
        true,
        None,
    ))
}

/// The page that shows a new private calendar link, once.
#[derive(Template)]
#[template(path = "feed.html")]
pub struct FeedPage {
    layout: Layout,
    url: String,
}

/// POST /calendar-feed: a new private calendar link (the old one stops working).
pub async fn new_feed(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let token = crate::auth::random_token();
    state
        .store
        .set_feed_token(
            user.actor.person,
            &crate::auth::token_hash(&token),
            now_ms(),
        )
        .await?;
    let base = state.config.public_url.clone();
    Ok(render(&FeedPage {
        layout: Layout::for_user(&user, "Your calendar link", "/events"),
        url: format!("{}/calendar/{token}.ics", base.trim_end_matches('/')),
    }))
}

/// GET /calendar/{token}: every published PD-day schedule of the link's
/// owner, for calendar apps (no session; the secret is the link).
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let Some(person) = state
        .store
        .feed_token_owner(&crate::auth::token_hash(token))
        .await?
    else {
        return Err(WebError::NotFound);
    };
    let mut days = Vec::new();
    for id in state.store.events_seated(person).await? {
        let Some(event) = state.store.event(id).await? else {
            continue;
        };
        let programme = state.store.programme(id).await?;
        let seats = state.store.seats_of(id, person).await?;
        let general = state.store.general_sessions(id).await?;
        days.push((event, pdday::schedule(&programme, &seats, &general)));
    }
    let mut r = calendar_response(&headers, "PD days", &days, person);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(r)
}

/// POST /events/{id}/late: seats for someone who has none yet.
pub async fn place_late(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let l = published_for(&state, &user, id).await?;
    let seats = state
        .store
        .place_late(l.event.id, user.actor.person, now_ms())
        .await?;
    if seats.is_empty()
        && state
            .store
            .seats_of(l.event.id, user.actor.person)
            .await?
            .is_empty()
    {
        return Err(WebError::Conflict(
            "There is no open seat left in one of the slots. Ask the coordinator to add seats or to move you by hand.".to_owned(),
        ));
    }
    Ok(Redirect::to(&format!("/events/{id}/schedule?changed=1")).into_response())
}
