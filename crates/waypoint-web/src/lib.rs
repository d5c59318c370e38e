//! Waypoint's web layer. [`router`] builds the whole application from an
//! [`AppState`]; every route is listed once in [`routes::table`], which is
//! what the router is built from and what the authorization tests walk.

pub mod api;
pub mod auth;
pub mod cache;
pub mod error;
pub mod growth_api;
pub mod growth_demo;
pub mod jobs;
pub mod mail;
pub mod middleware;
pub mod pages;
pub mod pdday;
pub mod routes;
pub mod services;
pub mod students_demo;
pub mod view;

use std::sync::Arc;
use std::time::Duration;
use waypoint_store::Store;

/// Settings the web layer needs, loaded once at start-up.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute: Duration,
    /// The public base URL, for links in reset e-mails and the CLI.
    pub public_url: String,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// The smallest student count an aggregate shows outside a teacher's
    /// own classes.
    pub min_cell: waypoint_domain::suppression::MinN,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle: Duration::from_secs(2 * 60 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            public_url: "http://127.0.0.1:8080".to_owned(),
            max_upload_bytes: 256 * 1024 * 1024,
            min_cell: waypoint_domain::suppression::MinN::default(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// Roster-derived listings, kept until the roster changes.
    pub listings: Arc<cache::ListingCache>,
}

impl AppState {
    /// State over a store with the given settings.
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
            listings: Arc::new(cache::ListingCache::default()),
        }
    }
}

/// The whole application: pages, API, static assets and every middleware.
pub fn router(state: AppState) -> axum::Router {
    routes::build(state)
}

/// Milliseconds since the Unix epoch, the store's clock.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
