//! Learning groups that carry a PD-day session on: the coordinator turns a
//! session into a course, a book group or a PLC and invites the people who
//! attended it; they join or decline; members see who else is in it.

use super::events::{can_manage, roster_section};
use super::require;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::view::{Layout, datetime, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use waypoint_domain::group::{GroupKind, MemberStatus};
use waypoint_domain::pdday::EventState;
use waypoint_domain::{Action, GroupId, Resource};
use waypoint_store::{Group, Member, NewGroup};

/// The coordinator's new follow-up.
#[derive(Debug, Deserialize)]
pub struct FollowUpForm {
    kind: String,
    title: String,
    #[serde(default)]
    description: String,
}

/// POST /events/{id}/sections/{section}/follow-up
pub async fn create_follow_up(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(i64, i64)>,
    Form(form): Form<FollowUpForm>,
) -> WebResult<Response> {
    let (l, _, sec) = roster_section(&state, &user, id, section).await?;
    require(&user.actor, Action::ManageEvents, &l.resource())?;
    if !matches!(l.event.state, EventState::Published | EventState::Finished) {
        return Err(WebError::Conflict(
            "A session is carried on once schedules are published.".to_owned(),
        ));
    }
    let kind = GroupKind::parse(&form.kind).ok_or_else(|| {
        WebError::Unprocessable("Choose a PLC, a book group or a course.".to_owned())
    })?;
    let title = form.title.trim();
    if title.is_empty() || title.chars().count() > waypoint_domain::pdday::MAX_TITLE {
        return Err(WebError::Unprocessable(
            "Give the group a name of at most 200 characters.".to_owned(),
        ));
    }
    let description = form.description.trim();
    if description.chars().count() > waypoint_domain::pdday::MAX_DESCRIPTION {
        return Err(WebError::Unprocessable(
            "Keep the description to 4,000 characters.".to_owned(),
        ));
    }
    // Those who were there; before attendance is taken, those seated.
    let mut invite = state.store.attendance(sec.id).await?;
    if invite.is_empty() {
        invite = state
            .store
            .section_roster(sec.id)
            .await?
            .into_iter()
            .map(|r| r.person)
            .collect();
    }
    let group = state
        .store
        .create_group(&NewGroup {
            org: l.event.org,
            kind,
            title: title.to_owned(),
            description: description.to_owned(),
            from_section: Some(sec.id),
            created_by: user.actor.person,
            leads: sec.facilitators.iter().map(|f| f.0).collect(),
            invite,
            now: now_ms(),
        })
        .await?;
    Ok(Redirect::to(&format!("/groups/{group}?created")).into_response())
}

/// One line of the groups list.
pub struct GroupLine {
    group: Group,
    status: MemberStatus,
}

/// The groups one was invited to.
#[derive(Template)]
#[template(path = "groups.html")]
pub struct GroupsPage {
    layout: Layout,
    invitations: Vec<GroupLine>,
    joined: Vec<GroupLine>,
    declined: Vec<GroupLine>,
    /// Groups of the districts the viewer runs PD for: group, members joined.
    managed: Vec<(Group, usize)>,
}

/// GET /groups
pub async fn groups(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let mut page = GroupsPage {
        layout: Layout::for_user(&user, "Learning groups", "/groups"),
        invitations: Vec::new(),
        joined: Vec::new(),
        declined: Vec::new(),
        managed: Vec::new(),
    };
    for org in state.store.orgs().await? {
        if org.kind != waypoint_domain::OrgKind::District {
            continue;
        }
        let r = Resource::Group {
            placement: org.placement,
            member: false,
        };
        if !waypoint_domain::Policy::can(&user.actor, Action::ViewGroup, &r) {
            continue;
        }
        for g in state.store.groups_in(org.id).await? {
            let joined = state
                .store
                .group_members(g.id)
                .await?
                .iter()
                .filter(|m| m.status == MemberStatus::Joined)
                .count();
            page.managed.push((g, joined));
        }
    }
    for (group, status) in state.store.groups_of(user.actor.person).await? {
        let line = GroupLine { group, status };
        match status {
            MemberStatus::Invited => page.invitations.push(line),
            MemberStatus::Joined => page.joined.push(line),
            MemberStatus::Declined => page.declined.push(line),
        }
    }
    Ok(render(&page))
}

/// One group.
#[derive(Template)]
#[template(path = "group.html")]
pub struct GroupPage {
    layout: Layout,
    group: Group,
    created: String,
    /// The session it continues: event id, event title, session title.
    origin: Option<(i64, String, String)>,
    members: Vec<Member>,
    /// The viewer's own place in it, if invited.
    mine: Option<Member>,
    joined: usize,
    invited: usize,
    notice: Option<&'static str>,
}

/// The group, if the viewer may see it, and its members.
pub(crate) async fn load_group(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> WebResult<(Group, Vec<Member>)> {
    let group = state
        .store
        .group(GroupId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let org = state
        .store
        .org(group.org)
        .await?
        .ok_or(WebError::NotFound)?;
    let members = state.store.group_members(group.id).await?;
    require(
        &user.actor,
        Action::ViewGroup,
        &Resource::Group {
            placement: org.placement,
            member: members.iter().any(|m| m.person == user.actor.person),
        },
    )?;
    Ok((group, members))
}

/// GET /groups/{id}
pub async fn group(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let (group, members) = load_group(&state, &user, id).await?;
    let origin = state
        .store
        .group_origin(group.id)
        .await?
        .map(|(e, event, course)| (e.get(), event, course));
    let mine = members
        .iter()
        .find(|m| m.person == user.actor.person)
        .cloned();
    let notice = if query.contains_key("created") {
        Some("The group is made and everyone who attended the session is invited.")
    } else if query.contains_key("joined") {
        Some("You are in. The group's leads will be in touch about when it meets.")
    } else if query.contains_key("declined") {
        Some("You declined. You can still join while the group is open.")
    } else {
        None
    };
    Ok(render(&GroupPage {
        layout: Layout::for_user(&user, group.title.clone(), "/groups").with_crumbs(vec![
            ("/groups".to_owned(), "Learning groups".to_owned()),
            (String::new(), group.title.clone()),
        ]),
        created: datetime(group.created_at),
        joined: members
            .iter()
            .filter(|m| m.status == MemberStatus::Joined)
            .count(),
        invited: members
            .iter()
            .filter(|m| m.status == MemberStatus::Invited)
            .count(),
        origin,
        members,
        mine,
        notice,
        group,
    }))
}

/// An invited person's answer.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    answer: String,
}

/// POST /groups/{id}/answer
pub async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> WebResult<Response> {
    let (group, _) = load_group(&state, &user, id).await?;
    let join = match form.answer.as_str() {
        "join" => true,
        "decline" => false,
        _ => {
            return Err(WebError::Unprocessable(
                "Choose to join or to decline.".to_owned(),
            ));
        }
    };
    if !state
        .store
        .answer_invitation(group.id, user.actor.person, join, now_ms())
        .await?
    {
        return Err(WebError::Conflict(
            "Only people invited to the group answer for themselves; leads stay in it.".to_owned(),
        ));
    }
    let to = if join { "joined" } else { "declined" };
    Ok(Redirect::to(&format!("/groups/{id}?{to}")).into_response())
}

/// Whether `user` may start follow-ups from a roster of this event.
pub(super) fn may_follow_up(user: &CurrentUser, l: &super::events::Loaded) -> bool {
    can_manage(user, l) && matches!(l.event.state, EventState::Published | EventState::Finished)
}
