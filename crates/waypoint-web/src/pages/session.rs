//! Signing in and out, and setting a password from a reset link.

use crate::auth::{
    AnonymousCsrf, AuthVia, CurrentUser, hash_password, password_problem, password_work, token_hash,
};
use crate::error::{WebError, WebResult};
use crate::middleware::{SESSION_COOKIE, set_cookie};
use crate::services::{SignIn, authenticate, start_session};
use crate::view::{Layout, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The sign-in page.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    layout: Layout,
    username: String,
    error: Option<String>,
    notice: Option<String>,
    next: String,
}

/// `?next=` and notices after a password reset or sign-out.
#[derive(Debug, Deserialize, Default)]
pub struct SignInQuery {
    next: Option<String>,
    done: Option<String>,
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        // Printable ASCII only: browsers drop tabs and newlines from URLs, so
        // "/\t/evil.example" would otherwise become "//evil.example".
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => "/home".to_owned(),
    }
}

/// `/` sends people where they belong.
pub async fn root(user: Option<CurrentUser>) -> Redirect {
    Redirect::to(if user.is_some() { "/home" } else { "/sign-in" })
}

/// GET /sign-in
pub async fn sign_in_form(
    user: Option<CurrentUser>,
    csrf: AnonymousCsrf,
    Query(q): Query<SignInQuery>,
) -> Response {
    if user.is_some() {
        return Redirect::to("/home").into_response();
    }
    let notice = match q.done.as_deref() {
        Some("reset") => Some("Your password is set. Sign in with it now.".to_owned()),
        Some("signed-out") => Some("You are signed out.".to_owned()),
        _ => None,
    };
    render(&SignInPage {
        layout: Layout::anonymous("Sign in", &csrf.0),
        username: String::new(),
        error: None,
        notice,
        next: safe_next(q.next.as_deref()),
    })
}

/// POST /sign-in
pub async fn sign_in_submit(
    State(state): State<AppState>,
    csrf: AnonymousCsrf,
    headers: axum::http::HeaderMap,
    Form(form): Form<SignInForm>,
) -> WebResult<Response> {
    let now = now_ms();
    let error = match authenticate(&*state.store, &form.username, &form.password, now).await? {
        SignIn::Accepted(person) => {
            // A new id at every sign-in: a session id planted before sign-in is worthless.
            if let Some(old) = crate::middleware::cookie(&headers, SESSION_COOKIE) {
                state.store.delete_session(&token_hash(old)).await?;
            }
            let id = start_session(&*state.store, person, now).await?;
            tracing::info!(person = %person, "signed in");
            let mut r = Redirect::to(&safe_next(Some(&form.next))).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &id, state.config.secure_cookies, None),
            );
            return Ok(r);
        }
        SignIn::Refused => "That username and password do not match. Check both and try again. \
             After five unsuccessful tries an account pauses for a few minutes; \
             your administrator can send you a reset link."
            .to_owned(),
    };
    Ok(render(&SignInPage {
        layout: Layout::anonymous("Sign in", &csrf.0),
        username: form.username,
        error: Some(error),
        notice: None,
        next: safe_next(Some(&form.next)),
    }))
}

/// POST /sign-out
pub async fn sign_out(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    if let AuthVia::Session { id_hash, .. } = &user.via {
        state.store.delete_session(id_hash).await?;
    }
    let mut r = Redirect::to("/sign-in?done=signed-out").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", state.config.secure_cookies, Some(0)),
    );
    Ok(r)
}

/// The set-a-password page reached from a reset link.
#[derive(Template)]
#[template(path = "reset.html")]
pub struct ResetPage {
    layout: Layout,
    name: String,
    error: Option<String>,
}

/// The reset form's fields.
#[derive(Debug, Deserialize)]
pub struct ResetForm {
    password: String,
    confirm: String,
}

/// GET /reset/{token}
pub async fn reset_form(
    State(state): State<AppState>,
    csrf: AnonymousCsrf,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let Some(person) = state
        .store
        .reset_token_person(&token_hash(&token), now_ms())
        .await?
    else {
        return Err(WebError::NotFound);
    };
    let account = state
        .store
        .account(person)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(render(&ResetPage {
        layout: Layout::anonymous("Choose a password", &csrf.0),
        name: account.display_name,
        error: None,
    }))
}

/// POST /reset/{token}
pub async fn reset_submit(
    State(state): State<AppState>,
    csrf: AnonymousCsrf,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> WebResult<Response> {
    let hash = token_hash(&token);
    let Some(person) = state.store.reset_token_person(&hash, now_ms()).await? else {
        return Err(WebError::NotFound);
    };
    let account = state
        .store
        .account(person)
        .await?
        .ok_or(WebError::NotFound)?;
    if let Some(problem) = password_problem(&form.password, &form.confirm, &account.username) {
        return Ok(render(&ResetPage {
            layout: Layout::anonymous("Choose a password", &csrf.0),
            name: account.display_name,
            error: Some(problem.to_owned()),
        }));
    }
    let password = form.password;
    let phc = password_work(move || hash_password(&password)).await??;
    if state
        .store
        .consume_reset_token(&hash, &phc, now_ms())
        .await?
        .is_none()
    {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/sign-in?done=reset").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/classes/4?tab=roster")),
            "/classes/4?tab=roster"
        );
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/home", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/home");
    }
}
