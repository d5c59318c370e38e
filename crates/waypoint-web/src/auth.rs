//! Who is asking: passwords (Argon2id), opaque session and API tokens (only
//! their SHA-256 is stored), and the extractors handlers use to get the
//! signed-in person.

use crate::error::{ApiError, WebError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use waypoint_domain::{Actor, Grant, Role};

/// Consecutive failures after which an account is locked for a while.
pub const LOCK_AFTER_FAILURES: i64 = 5;

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthVia {
    /// A browser session (cookie); state-changing requests need its CSRF token.
    Session {
        /// SHA-256 of the session id.
        id_hash: String,
        /// The session's CSRF token.
        csrf: String,
    },
    /// An API token in the `Authorization` header; not an ambient credential,
    /// so no CSRF token is needed.
    Token,
}

/// The signed-in person, resolved once per request by the session middleware.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The policy's view of them.
    pub actor: Actor,
    /// Display name.
    pub name: String,
    /// Username.
    pub username: String,
    /// How they signed in.
    pub via: AuthVia,
}

impl CurrentUser {
    /// The CSRF token for forms on pages shown to this user.
    pub fn csrf(&self) -> &str {
        match &self.via {
            AuthVia::Session { csrf, .. } => csrf,
            AuthVia::Token => "",
        }
    }

    /// Grants, widest role first.
    pub fn grants(&self) -> &[Grant] {
        &self.actor.grants
    }

    /// Whether they hold `role` anywhere.
    pub fn holds(&self, role: Role) -> bool {
        self.actor.holds(role)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(WebError::Unauthenticated)
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Self>().cloned())
    }
}

/// [`CurrentUser`] for API routes: a missing sign-in is a JSON 401.
#[derive(Debug, Clone)]
pub struct ApiUser(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .map(Self)
            .ok_or(ApiError(WebError::Unauthenticated))
    }
}

/// The anonymous CSRF token (double-submit cookie) for forms shown before sign-in.
#[derive(Debug, Clone)]
pub struct AnonymousCsrf(pub String);

impl<S: Send + Sync> FromRequestParts<S> for AnonymousCsrf {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Self>()
            .cloned()
            .unwrap_or_else(|| Self(String::new())))
    }
}

/// The request id (from `x-request-id`), for audit rows and logs.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned();
        Ok(Self(id))
    }
}

/// 32 random bytes from the OS, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// SHA-256 of a token, hex-encoded: what the database keeps.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// Whether `password` matches the stored PHC string.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A valid hash of a random password, verified against when the username is
/// unknown so that both answers take the same time.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// Runs password work (Argon2id: about 19 MiB and tens of milliseconds
/// each) on the blocking pool, at most one per core at a time, so a burst of
/// sign-ins cannot starve other requests. A request that cannot start within
/// five seconds is answered 503 with `Retry-After` instead of queueing forever.
pub async fn password_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WebError> {
    static PERMITS: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    let permits = PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        std::sync::Arc::new(tokio::sync::Semaphore::new(cores))
    });
    let permit = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        std::sync::Arc::clone(permits).acquire_owned(),
    )
    .await
    .map_err(|_| WebError::Overloaded)?
    .map_err(|e| WebError::Internal(e.into()))?;
    let out = tokio::task::spawn_blocking(move || {
        let _held = permit;
        work()
    })
    .await
    .map_err(|e| WebError::Internal(e.into()))?;
    Ok(out)
}

/// Checks a new password against the installation's rules; the message is
/// shown next to the field.
pub fn password_problem(password: &str, confirm: &str, username: &str) -> Option<&'static str> {
    if password.chars().count() < 10 {
        Some("Use at least 10 characters. A short sentence is easy to remember and hard to guess.")
    } else if password.len() > 256 {
        Some("Use at most 256 characters.")
    } else if password.eq_ignore_ascii_case(username) {
        Some("Your password cannot be your username.")
    } else if password != confirm {
        Some("The two passwords do not match.")
    } else {
        None
    }
}

/// How long an account stays locked after `failures` consecutive failures:
/// one minute at the threshold, doubling, at most an hour.
pub fn lock_duration_ms(failures: i64) -> Option<i64> {
    if failures < LOCK_AFTER_FAILURES {
        return None;
    }
    let doublings = u32::try_from(failures - LOCK_AFTER_FAILURES)
        .unwrap_or(u32::MAX)
        .min(6);
    Some((60_000_i64 << doublings).min(3_600_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_hashes_are_argon2id() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterx"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn lockout_grows_and_is_capped() {
        assert_eq!(lock_duration_ms(4), None);
        assert_eq!(lock_duration_ms(5), Some(60_000));
        assert_eq!(lock_duration_ms(6), Some(120_000));
        assert_eq!(lock_duration_ms(50), Some(3_600_000));
    }

    #[test]
    fn password_rules() {
        assert!(password_problem("short", "short", "u").is_some());
        assert!(password_problem("long enough pw", "long enough pX", "u").is_some());
        assert!(password_problem("Username@x.org", "Username@x.org", "username@x.org").is_some());
        assert_eq!(
            password_problem("long enough pw", "long enough pw", "u"),
            None
        );
    }
}
