//! The sign-in burst: many real sign-ins (Argon2id checks) at once, while a
//! trickle of other requests is timed, to show that password work is
//! bounded and that what it cannot take on is answered 503 with
//! `Retry-After` rather than dropped.

use crate::http::{self, Failure};
use crate::rush::{Educator, Fixture, Latency};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// What the burst measured.
#[derive(Debug, Clone, Default)]
pub struct BurstReport {
    /// Sign-ins sent, all at once.
    pub sign_ins: usize,
    /// Answered 303 to `/home` with a session cookie.
    pub signed_in: usize,
    /// Everything else, by kind (`503 with Retry-After`, `status 200`, `receive`, …).
    pub refused: BTreeMap<String, usize>,
    /// Sign-in latency, answered ones of every kind.
    pub sign_in_latency: Latency,
    /// From the burst's start to its last answer.
    pub wall: Duration,
    /// The trickle: label, requests, failures (anything but 200), latency.
    pub trickle: Vec<(String, usize, usize, Latency)>,
}

/// Signs in the first `count` educators of `fixture` with `password` all at
/// once; meanwhile every `every` it sends `GET /healthz` and a `GET` of a
/// ranking (an educator past the burst, by API token), until the burst is
/// over.
pub async fn burst(
    addr: SocketAddr,
    fixture: &Fixture,
    count: usize,
    password: &str,
    every: Duration,
    timeout: Duration,
) -> BurstReport {
    let start = Instant::now();
    let mut sign_ins = JoinSet::new();
    for e in fixture.educators.iter().take(count) {
        let username = e.username.clone();
        let password = password.to_owned();
        sign_ins.spawn(async move {
            let t = Instant::now();
            (
                sign_in(addr, &username, &password, timeout).await,
                t.elapsed(),
            )
        });
    }
    let reader = fixture
        .educators
        .get(count)
        .or(fixture.educators.last())
        .cloned();
    let event = fixture.event;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let trickle = tokio::spawn(trickle(addr, event, reader, every, timeout, stop_rx));

    let mut report = BurstReport {
        sign_ins: count,
        ..BurstReport::default()
    };
    let mut samples = Vec::with_capacity(count);
    while let Some(done) = sign_ins.join_next().await {
        let Ok((answer, took)) = done else {
            *report.refused.entry("driver task".to_owned()).or_default() += 1;
            continue;
        };
        samples.push(took);
        match answer {
            Ok(SignIn::Session) => report.signed_in += 1,
            Ok(SignIn::Other {
                status,
                retry_after,
            }) => {
                let kind = match (status, retry_after) {
                    (503, true) => "503 with Retry-After".to_owned(),
                    (503, false) => "503 without Retry-After".to_owned(),
                    (s, _) => format!("status {s}"),
                };
                *report.refused.entry(kind).or_default() += 1;
            }
            Err(f) => *report.refused.entry(f.to_string()).or_default() += 1,
        }
    }
    report.wall = start.elapsed();
    report.sign_in_latency = Latency::of(&mut samples);
    let _ = stop_tx.send(true);
    report.trickle = trickle.await.unwrap_or_default();
    report
}

enum SignIn {
    Session,
    Other { status: u16, retry_after: bool },
}

/// One sign-in through the form, with a double-submit CSRF token of our own
/// (the cookie and the field agree, as after a visit to the sign-in page).
async fn sign_in(
    addr: SocketAddr,
    username: &str,
    password: &str,
    timeout: Duration,
) -> Result<SignIn, Failure> {
    let csrf = waypoint_web::auth::random_token();
    let form = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("next", "/home"),
        ("_csrf", &csrf),
    ])
    .map_err(|_| Failure::Malformed)?;
    let cookie = format!("waypoint_csrf={csrf}");
    let r = http::request(
        addr,
        "POST",
        "/sign-in",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
        timeout,
    )
    .await?;
    let session = r.status == 303
        && r.header("location") == Some("/home")
        && r.headers
            .iter()
            .any(|(k, v)| k == "set-cookie" && v.starts_with("waypoint_session="));
    Ok(if session {
        SignIn::Session
    } else {
        SignIn::Other {
            status: r.status,
            retry_after: r.header("retry-after").is_some(),
        }
    })
}

async fn trickle(
    addr: SocketAddr,
    event: i64,
    reader: Option<Educator>,
    every: Duration,
    timeout: Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<(String, usize, usize, Latency)> {
    let mut health = (0, Vec::new());
    let mut ranking = (0, Vec::new());
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let auth = reader.as_ref().map(|e| format!("Bearer {}", e.token));
    let path = format!("/api/v1/events/{event}/ranking");
    while !*stop.borrow() {
        tick.tick().await;
        let t = Instant::now();
        let r = http::request(addr, "GET", "/healthz", &[], b"", timeout).await;
        health.1.push(t.elapsed());
        if !matches!(r, Ok(ref r) if r.status == 200) {
            health.0 += 1;
        }
        if let Some(auth) = &auth {
            let t = Instant::now();
            let r =
                http::request(addr, "GET", &path, &[("Authorization", auth)], b"", timeout).await;
            ranking.1.push(t.elapsed());
            if !matches!(r, Ok(ref r) if r.status == 200) {
                ranking.0 += 1;
            }
        }
    }
    let mut out = vec![(
        "GET /healthz".to_owned(),
        health.1.len(),
        health.0,
        Latency::of(&mut health.1),
    )];
    if auth.is_some() {
        out.push((
            "GET /api/v1/events/{id}/ranking".to_owned(),
            ranking.1.len(),
            ranking.0,
            Latency::of(&mut ranking.1),
        ));
    }
    out
}
