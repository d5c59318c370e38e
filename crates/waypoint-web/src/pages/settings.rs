//! A person's own settings: their password and their API tokens.

use super::require;
use crate::auth::{
    CurrentUser, hash_password, password_problem, password_work, random_token, token_hash,
    verify_password,
};
use crate::error::{WebError, WebResult};
use crate::middleware::{SESSION_COOKIE, set_cookie};
use crate::services::start_session;
use crate::view::{Layout, datetime, maybe_datetime, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waypoint_domain::{Action, Resource};
use waypoint_store::ApiToken;

/// The settings page.
#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    layout: Layout,
    username: String,
    tokens: Vec<(ApiToken, String, String)>,
    new_token: Option<String>,
    password_error: Option<String>,
    password_saved: bool,
    token_error: Option<String>,
}

async fn page(state: &AppState, user: &CurrentUser) -> WebResult<SettingsPage> {
    Ok(SettingsPage {
        layout: Layout::for_user(user, "Settings", "/settings"),
        username: user.username.clone(),
        tokens: state
            .store
            .api_tokens(user.actor.person)
            .await?
            .into_iter()
            .map(|t| {
                let (created, used) = (datetime(t.created_at), maybe_datetime(t.last_used_at));
                (t, created, used)
            })
            .collect(),
        new_token: None,
        password_error: None,
        password_saved: false,
        token_error: None,
    })
}

/// GET /settings
pub async fn settings(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageOwnAccount,
        &Resource::Account(user.actor.person),
    )?;
    Ok(render(&page(&state, &user).await?))
}

/// The change-password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    password: String,
    confirm: String,
}

/// POST /settings/password
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageOwnAccount,
        &Resource::Account(user.actor.person),
    )?;
    let account = state
        .store
        .account(user.actor.person)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut p = page(&state, &user).await?;
    let current_ok = match account.password_hash.clone() {
        Some(hash) => {
            let current = form.current.clone();
            password_work(move || verify_password(&hash, &current)).await?
        }
        None => false,
    };
    if !current_ok {
        p.password_error = Some("Your current password is not right.".to_owned());
        return Ok(render(&p));
    }
    if let Some(problem) = password_problem(&form.password, &form.confirm, &account.username) {
        p.password_error = Some(problem.to_owned());
        return Ok(render(&p));
    }
    let password = form.password;
    let phc = password_work(move || hash_password(&password)).await??;
    let now = now_ms();
    state
        .store
        .set_password_hash(user.actor.person, &phc, now)
        .await?;
    // A changed password ends every session, including any a thief holds;
    // this browser continues in a fresh one.
    state.store.delete_sessions_of(user.actor.person).await?;
    let id = start_session(&*state.store, user.actor.person, now).await?;
    let fresh = state
        .store
        .session(&token_hash(&id))
        .await?
        .ok_or_else(|| WebError::Internal(anyhow::anyhow!("the new session vanished")))?;
    p.layout.csrf = fresh.csrf_token;
    p.password_saved = true;
    let mut response = render(&p);
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &id, state.config.secure_cookies, None),
    );
    Ok(response)
}

/// The new-token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    name: String,
}

/// POST /settings/tokens — the secret is shown once, on this response.
pub async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TokenForm>,
) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageOwnAccount,
        &Resource::Account(user.actor.person),
    )?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        let mut p = page(&state, &user).await?;
        p.token_error = Some(
            "Give the token a name of 1 to 80 characters, e.g. \"Reporting script\".".to_owned(),
        );
        return Ok(render(&p));
    }
    let secret = format!("wp_{}", random_token());
    state
        .store
        .create_api_token(user.actor.person, name, &token_hash(&secret), now_ms())
        .await?;
    let mut p = page(&state, &user).await?;
    p.new_token = Some(secret);
    Ok(render(&p))
}

/// POST /settings/tokens/{id}/revoke
pub async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageOwnAccount,
        &Resource::Account(user.actor.person),
    )?;
    if !state
        .store
        .revoke_api_token(user.actor.person, id, now_ms())
        .await?
    {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/settings").into_response())
}
