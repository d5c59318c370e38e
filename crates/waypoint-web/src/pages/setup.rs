//! A PD day's set-up on its event page: who it is for (schools and roster
//! roles), the venue's rooms, and the general sessions everyone attends.

use super::events::load_managed;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::{AppState, pdday};
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waypoint_domain::OrgId;
use waypoint_domain::pdday::{Audience, EventState};

/// The roster roles a day can be limited to, with their labels.
pub const AUDIENCE_ROLES: [(&str, &str); 6] = [
    ("teacher", "Teachers"),
    ("aide", "Aides"),
    ("counselor", "Counselors"),
    ("principal", "Principals"),
    ("siteAdministrator", "Site administrators"),
    ("districtAdministrator", "District office"),
];

fn back(id: i64, anchor: &str) -> Response {
    Redirect::to(&format!("/events/{id}?setup#{anchor}")).into_response()
}

/// POST /events/{id}/audience: `school` and `role` fields, repeated.
pub async fn set_audience(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> WebResult<Response> {
    let l = load_managed(&state, &user, id).await?;
    if !l.event.state.programme_editable() {
        return Err(WebError::Conflict(
            "Who the day is for can change only until ranking closes.".to_owned(),
        ));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| WebError::Unprocessable("The form could not be read.".to_owned()))?;
    let schools_here: Vec<OrgId> = state
        .store
        .child_orgs(l.event.org)
        .await?
        .into_iter()
        .map(|c| c.org.id)
        .collect();
    let mut audience = Audience::default();
    for (k, v) in pairs {
        match k.as_str() {
            "school" => {
                let school = v
                    .parse::<i64>()
                    .ok()
                    .map(OrgId::new)
                    .filter(|s| schools_here.contains(s))
                    .ok_or_else(|| {
                        WebError::Unprocessable(
                            "That school is not part of this district.".to_owned(),
                        )
                    })?;
                audience.schools.push(school);
            }
            "role" => {
                if !AUDIENCE_ROLES.iter().any(|(r, _)| *r == v) {
                    return Err(WebError::Unprocessable(format!(
                        "\"{v}\" is not a staff role."
                    )));
                }
                audience.roles.push(v);
            }
            _ => {}
        }
    }
    state
        .store
        .set_event_audience(l.event.id, &audience)
        .await?;
    Ok(back(id, "setup"))
}

/// A new room.
#[derive(Debug, Deserialize)]
pub struct RoomForm {
    name: String,
    capacity: String,
    #[serde(default)]
    features: String,
}

/// Seats typed into a form: 1 to 10,000.
pub(super) fn seats(value: &str) -> WebResult<i64> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| (1..=10_000).contains(c))
        .ok_or_else(|| {
            WebError::Unprocessable("Seats must be a number from 1 to 10,000.".to_owned())
        })
}

/// POST /events/{id}/rooms
pub async fn add_room(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RoomForm>,
) -> WebResult<Response> {
    let l = load_managed(&state, &user, id).await?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(WebError::Unprocessable(
            "Give the room a name of at most 100 characters.".to_owned(),
        ));
    }
    let features = form.features.trim();
    if features.chars().count() > 500 {
        return Err(WebError::Unprocessable(
            "Keep what the room has to 500 characters.".to_owned(),
        ));
    }
    state
        .store
        .add_room(l.event.id, name, seats(&form.capacity)?, features)
        .await?;
    Ok(back(id, "rooms"))
}

/// POST /events/{id}/rooms/{room}/remove
pub async fn remove_room(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, room)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let l = load_managed(&state, &user, id).await?;
    if !state.store.remove_room(l.event.id, room).await? {
        return Err(WebError::NotFound);
    }
    Ok(back(id, "rooms"))
}

/// A new general session.
#[derive(Debug, Deserialize)]
pub struct GeneralForm {
    title: String,
    starts: String,
    ends: String,
    #[serde(default)]
    location: String,
}

/// POST /events/{id}/general
pub async fn add_general(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<GeneralForm>,
) -> WebResult<Response> {
    let l = load_managed(&state, &user, id).await?;
    if l.event.state == EventState::Finished {
        return Err(WebError::Conflict("The day is over.".to_owned()));
    }
    let title = form.title.trim();
    if title.is_empty() || title.chars().count() > waypoint_domain::pdday::MAX_TITLE {
        return Err(WebError::Unprocessable(
            "Give the session a title of at most 200 characters.".to_owned(),
        ));
    }
    let tz = pdday::time_zone(&l.event.timezone).map_err(WebError::Unprocessable)?;
    let day = l
        .event
        .day
        .parse::<jiff::civil::Date>()
        .map_err(|e| WebError::Unprocessable(e.to_string()))?;
    let at = |t: &str| -> WebResult<i64> {
        let time = t.trim().parse::<jiff::civil::Time>().map_err(|_| {
            WebError::Unprocessable("Give the start and end as times, such as 08:30.".to_owned())
        })?;
        pdday::local_ms(&tz, day, time).map_err(WebError::Unprocessable)
    };
    let (starts, ends) = (at(&form.starts)?, at(&form.ends)?);
    if ends <= starts {
        return Err(WebError::Unprocessable(
            "The session must end after it starts.".to_owned(),
        ));
    }
    state
        .store
        .add_general_session(l.event.id, title, starts, ends, form.location.trim())
        .await?;
    Ok(back(id, "general"))
}

/// POST /events/{id}/general/{general}/remove
pub async fn remove_general(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, general)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let l = load_managed(&state, &user, id).await?;
    if !state
        .store
        .remove_general_session(l.event.id, general)
        .await?
    {
        return Err(WebError::NotFound);
    }
    Ok(back(id, "general"))
}
