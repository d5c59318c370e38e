//! What wraps every request: request ids, sign-in resolution (session
//! cookie or API token), CSRF checks on every state-changing request, and
//! security headers on every response.

use crate::auth::{AnonymousCsrf, AuthVia, CurrentUser, random_token, token_hash};
use crate::error::WebError;
use crate::{AppState, now_ms};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::request_id::{MakeRequestId, RequestId};
use waypoint_domain::{Actor, PersonId};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "waypoint_session";
/// The anonymous double-submit CSRF cookie's name.
pub const CSRF_COOKIE: &str = "waypoint_csrf";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
/// The header carrying the CSRF token (scripts, tests).
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The only routes whose CSRF token travels inside a multipart body; their
/// handlers check it with [`MultipartCsrf`]. Any other multipart request
/// needs the token in the `x-csrf-token` header.
pub const UPLOAD_PATHS: [&str; 5] = [
    "/admin/imports",
    "/admin/assessments",
    "/events",
    "/frameworks",
    "/growth/evidence",
];
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_MS: i64 = 60_000;
/// Largest form body the CSRF check will read.
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// Request ids: a per-process random prefix and a counter; unique across
/// servers without coordination.
#[derive(Clone)]
pub struct RequestIds {
    prefix: String,
    counter: std::sync::Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        Self {
            prefix: random_token()[..8].to_owned(),
            counter: std::sync::Arc::new(AtomicU64::new(0)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with Waypoint's attributes: HttpOnly, SameSite=Lax,
/// Path=/, and Secure when configured for TLS. `max_age` 0 deletes it.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        s.push_str("; Secure");
    }
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<CurrentUser>, WebError> {
    let now = now_ms();
    let store = &state.store;
    if let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        let Some(person) = store
            .api_token_owner(&token_hash(token.trim()), now)
            .await?
        else {
            return Ok(None);
        };
        return load_user(state, person, AuthVia::Token).await;
    }
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let id_hash = token_hash(id);
    let Some(session) = store.session(&id_hash).await? else {
        return Ok(None);
    };
    let idle = i64::try_from(state.config.session_idle.as_millis()).unwrap_or(i64::MAX);
    let absolute = i64::try_from(state.config.session_absolute.as_millis()).unwrap_or(i64::MAX);
    if now - session.last_seen_at > idle || now - session.created_at > absolute {
        store.delete_session(&id_hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_EVERY_MS {
        // Best effort: a busy database must not turn a page view into an error.
        if let Err(e) = store.touch_session(&id_hash, now).await {
            tracing::warn!(error = %e, "could not record session activity");
        }
    }
    load_user(
        state,
        session.person,
        AuthVia::Session {
            id_hash,
            csrf: session.csrf_token,
        },
    )
    .await
}

async fn load_user(
    state: &AppState,
    person: PersonId,
    via: AuthVia,
) -> Result<Option<CurrentUser>, WebError> {
    let Some(who) = state.store.signed_in(person).await? else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        actor: Actor {
            person,
            grants: who.grants,
        },
        name: who.display_name,
        username: who.username,
        via,
    }))
}

/// The `_csrf` field of a query string or urlencoded form.
fn csrf_field(encoded: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v)
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The CSRF token a multipart form must carry in its `_csrf` part; set by
/// [`session_and_csrf`], checked by the handler that reads the parts.
#[derive(Debug, Clone)]
pub struct MultipartCsrf(pub String);

impl MultipartCsrf {
    /// Whether `provided` is the expected token.
    pub fn accepts(&self, provided: &str) -> bool {
        !self.0.is_empty() && constant_time_eq(&self.0, provided)
    }
}

/// A multipart form read whole, once its `_csrf` part (or header) passed.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// Text parts, in order.
    pub fields: Vec<(String, String)>,
    /// File parts, in order: part name, file name as sent, contents.
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl UploadForm {
    /// The first text part named `name`, trimmed (empty if none).
    pub fn text(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every text part named `name`.
    pub fn texts<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The file part named `name` (file name, contents), if one was sent
    /// with a name or contents.
    pub fn file(&self, name: &str) -> Option<(&str, &[u8])> {
        self.files
            .iter()
            .find(|(k, f, b)| k == name && (!f.is_empty() || !b.is_empty()))
            .map(|(_, f, b)| (f.as_str(), b.as_slice()))
    }
}

/// Reads an upload form on one of [`UPLOAD_PATHS`]. Parts named in
/// `file_parts` are read as files, the rest as text. Without the token in a
/// header, the form's `_csrf` part must come first and match: reading stops
/// at the first other part before it, and the form is refused.
pub async fn read_upload(
    csrf: Option<&MultipartCsrf>,
    mut multipart: axum::extract::Multipart,
    file_parts: &[&str],
) -> Result<UploadForm, WebError> {
    let mut token_ok = csrf.is_none();
    let mut form = UploadForm::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::Unprocessable(format!("The form could not be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "_csrf" {
            let value = field.text().await.unwrap_or_default();
            token_ok = csrf.is_none_or(|c| c.accepts(&value));
            continue;
        }
        if !token_ok {
            break;
        }
        if file_parts.contains(&name.as_str()) {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| WebError::Unprocessable(format!("The file could not be read: {e}")))?;
            form.files.push((name, file_name, bytes.to_vec()));
        } else {
            let value = field.text().await.unwrap_or_default();
            form.fields.push((name, value));
        }
    }
    if token_ok {
        Ok(form)
    } else {
        Err(WebError::Forbidden(
            "This form has expired or did not come from Waypoint. Go back, reload the page and try again.".to_owned(),
        ))
    }
}

/// Resolves the signed-in person and enforces CSRF on unsafe methods.
pub async fn session_and_csrf(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let wanted = (parts.method == Method::GET)
        .then(|| parts.uri.path_and_query().map(|p| p.as_str().to_owned()))
        .flatten();
    let user = match resolve(&state, &parts.headers).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let anon_cookie = cookie(&parts.headers, CSRF_COOKIE).map(str::to_owned);
    let mut body = body;
    if is_unsafe(&parts.method) && !matches!(user.as_ref().map(|u| &u.via), Some(AuthVia::Token)) {
        let expected = match &user {
            Some(u) => Some(u.csrf().to_owned()),
            None => anon_cookie.clone(),
        };
        let mut provided = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let is_form = content_type.starts_with("application/x-www-form-urlencoded");
        if provided.is_none()
            && content_type.starts_with("multipart/form-data")
            && UPLOAD_PATHS.contains(&parts.uri.path())
        {
            // An upload is too big to buffer here; its handler (and only a
            // listed one) reads the `_csrf` part first and checks it.
            parts
                .extensions
                .insert(MultipartCsrf(expected.clone().unwrap_or_default()));
            provided.clone_from(&expected);
        }
        if provided.is_none() && is_form {
            let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
                Ok(b) => b,
                Err(_) => {
                    return WebError::Unprocessable("The form is too large.".to_owned())
                        .into_response();
                }
            };
            provided = csrf_field(&bytes);
            body = Body::from(bytes);
        }
        let ok = matches!((&expected, &provided), (Some(e), Some(p)) if !e.is_empty() && constant_time_eq(e, p));
        if !ok {
            tracing::warn!(path = %parts.uri.path(), "refused a state-changing request without a valid CSRF token");
            return WebError::Forbidden(
                "This form has expired or did not come from Waypoint. Go back, reload the page and try again."
                    .to_owned(),
            )
            .into_response();
        }
    }
    let fresh_anon = if user.is_none() && anon_cookie.is_none() {
        Some(random_token())
    } else {
        None
    };
    let anon = fresh_anon.clone().or(anon_cookie).unwrap_or_default();
    parts.extensions.insert(AnonymousCsrf(anon));
    if let Some(u) = user {
        parts.extensions.insert(u);
    }
    let mut response = next.run(Request::from_parts(parts, body)).await;
    // Someone sent to sign in comes back where they were going.
    if let Some(wanted) = wanted
        && response
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l == "/sign-in")
        && wanted != "/"
        && wanted != "/home"
    {
        let query = serde_urlencoded::to_string([("next", wanted.as_str())]).unwrap_or_default();
        if let Ok(v) = HeaderValue::from_str(&format!("/sign-in?{query}")) {
            response.headers_mut().insert(header::LOCATION, v);
        }
    }
    if let Some(token) = fresh_anon {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, state.config.secure_cookies, None),
        );
    }
    response
}

/// Security headers on every response, and no caching of anything but
/// static assets. Behind TLS (secure cookies), HSTS too.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if is_static {
                "public, max-age=3600"
            } else {
                "no-store"
            }),
        );
    }
    response
}
