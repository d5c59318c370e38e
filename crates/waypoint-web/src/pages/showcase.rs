//! Public learning: an educator shares a goal's story (the question, what
//! they tried, the evidence they choose) to their school's or district's
//! showcase, and colleagues there read it and comment.

use super::require;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::view::{Layout, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waypoint_domain::{Action, OrgId, OrgKind, Placement, Policy, Resource};
use waypoint_store::{Evidence, NewStory, Org, Story, StoryComment};

fn showcase_resource(org: &Org, placements: &[Placement]) -> Resource<'static> {
    Resource::Showcase {
        placement: org.placement,
        placed: super::goals::placed_in(org, placements),
    }
}

async fn placements(state: &AppState, user: &CurrentUser) -> WebResult<Vec<Placement>> {
    super::growth::placements_of(state, user.actor.person).await
}

/// Whether `user` reads the showcase of `org`.
async fn reads(state: &AppState, user: &CurrentUser, org: OrgId) -> WebResult<bool> {
    let Some(org) = state.store.org(org).await? else {
        return Ok(false);
    };
    let placements = placements(state, user).await?;
    Ok(Policy::can(
        &user.actor,
        Action::ViewShowcase,
        &showcase_resource(&org, &placements),
    ))
}

/// A story `user` may read; 404 otherwise.
async fn readable(state: &AppState, user: &CurrentUser, id: i64) -> WebResult<Story> {
    let story = state.store.story(id).await?.ok_or(WebError::NotFound)?;
    if reads(state, user, story.org).await? {
        Ok(story)
    } else {
        Err(WebError::NotFound)
    }
}

/// Whether a piece of evidence is shown in a story `user` reads (its file
/// is then theirs to open too).
pub(crate) async fn shown_to(
    state: &AppState,
    user: &CurrentUser,
    evidence: i64,
) -> WebResult<bool> {
    for story in state.store.stories_showing(evidence).await? {
        if reads(state, user, story.org).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The showcase.
#[derive(Template)]
#[template(path = "showcase.html")]
pub struct ShowcasePage {
    layout: Layout,
    stories: Vec<Story>,
}

/// GET /showcase: the stories of every school and district `user` reads.
pub async fn showcase(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let placements = placements(&state, &user).await?;
    let orgs: Vec<OrgId> = state
        .store
        .orgs()
        .await?
        .into_iter()
        .filter(|o| matches!(o.kind, OrgKind::School | OrgKind::District))
        .filter(|o| {
            Policy::can(
                &user.actor,
                Action::ViewShowcase,
                &showcase_resource(o, &placements),
            )
        })
        .map(|o| o.id)
        .collect();
    let stories = state.store.stories(&orgs).await?;
    Ok(render(&ShowcasePage {
        layout: Layout::for_user(&user, "Showcase", "/showcase"),
        stories,
    }))
}

/// A story.
#[derive(Template)]
#[template(path = "story.html")]
pub struct StoryPage {
    layout: Layout,
    story: Story,
    evidence: Vec<Evidence>,
    comments: Vec<StoryComment>,
    own: bool,
}

/// GET /showcase/{id}
pub async fn story(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let story = readable(&state, &user, id).await?;
    let mut evidence = Vec::new();
    for e in &story.evidence {
        evidence.extend(state.store.evidence(*e).await?);
    }
    Ok(render(&StoryPage {
        layout: Layout::for_user(&user, "Story", "/showcase").with_crumbs(vec![
            ("/showcase".to_owned(), "Showcase".to_owned()),
            (String::new(), story.owner_name.clone()),
        ]),
        own: story.owner == user.actor.person,
        comments: state.store.story_comments(id).await?,
        evidence,
        story,
    }))
}

/// A comment.
#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

/// POST /showcase/{id}/comments
pub async fn comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CommentForm>,
) -> WebResult<Response> {
    readable(&state, &user, id).await?;
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > 2_000 {
        return Err(WebError::Unprocessable(
            "Write a comment of up to 2,000 characters.".to_owned(),
        ));
    }
    let cid = state
        .store
        .comment_on_story(id, user.actor.person, body, now_ms())
        .await?;
    Ok(Redirect::to(&format!("/showcase/{id}#comment-{cid}")).into_response())
}

/// POST /showcase/{id}/unshare (its educator)
pub async fn unshare(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let story = readable(&state, &user, id).await?;
    if story.owner != user.actor.person {
        return Err(WebError::Forbidden(
            "Only the educator who shared a story takes it down.".to_owned(),
        ));
    }
    state.store.unshare_story(id).await?;
    Ok(Redirect::to(&format!("/growth/goals/{}", story.goal)).into_response())
}

/// Where the owner of a goal may share it: their schools and districts.
pub(crate) async fn audiences(state: &AppState, placements: &[Placement]) -> WebResult<Vec<Org>> {
    let mut ids: Vec<OrgId> = placements
        .iter()
        .flat_map(|p| [p.school, p.district])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        out.extend(state.store.org(id).await?);
    }
    out.sort_by_key(|o| (o.kind != OrgKind::School, o.name.clone()));
    Ok(out)
}

/// Reads the share form, where `evidence` may repeat.
fn parse_share(body: &[u8]) -> (String, String, Vec<i64>) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut org = String::new();
    let mut what = String::new();
    let mut evidence = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "org" => org = v,
            "what_tried" => what = v,
            "evidence" => evidence.extend(v.parse::<i64>().ok()),
            _ => {}
        }
    }
    (org, what, evidence)
}

/// POST /growth/goals/{id}/share (the goal's educator)
pub async fn share(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let (goal, placements) = super::growth::readable_goal(&state, &user, id).await?;
    let r = Resource::Growth {
        placements: &placements,
        owner: goal.owner == user.actor.person,
        reviewer: false,
    };
    if !Policy::can(&user.actor, Action::EditGrowth, &r) {
        return Err(WebError::Forbidden(
            "Only the educator whose goal it is shares its story.".to_owned(),
        ));
    }
    if !(goal.status.is_active() || goal.status.is_closed()) {
        return Err(WebError::Conflict(
            "A goal's story is shared once the goal is agreed.".to_owned(),
        ));
    }
    let (org, what, evidence) = parse_share(&body);
    let audiences = audiences(&state, &placements).await?;
    let org = org
        .parse::<i64>()
        .ok()
        .and_then(|o| audiences.iter().find(|a| a.id.get() == o))
        .ok_or_else(|| {
            WebError::Unprocessable("Choose your school's or district's showcase.".to_owned())
        })?;
    let what = what.trim();
    if what.is_empty() || what.chars().count() > 4_000 {
        return Err(WebError::Unprocessable(
            "Tell what you tried and what happened (up to 4,000 characters).".to_owned(),
        ));
    }
    require(&user.actor, Action::ViewGrowth, &r)?;
    let story = state
        .store
        .share_story(&NewStory {
            goal: id,
            org: org.id,
            what_tried: what.to_owned(),
            evidence,
            now: now_ms(),
        })
        .await?;
    Ok(Redirect::to(&format!("/showcase/{story}")).into_response())
}
