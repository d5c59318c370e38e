//! Two `waypoint` processes on one PostgreSQL database behave as one
//! service: a session started on one continues on the other, and a
//! background job enqueued anywhere runs exactly once.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use waypoint_store::Store;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    fn csrf(&self) -> String {
        let at = self.body.find("name=\"_csrf\" value=\"").unwrap() + 20;
        self.body[at..at + self.body[at..].find('"').unwrap()].to_owned()
    }
}

/// One HTTP/1.1 exchange over a fresh connection.
fn http(port: u16, method: &str, path: &str, cookie: &str, form: Option<&str>) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = form.unwrap_or("");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if form.is_some() {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn wait_ready(port: u16, child: &mut Child) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the server on port {port} exited early: {status}");
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/readyz", "", None).status == 200
        {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "server on {port} never became ready"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn spawn(args: &[&str]) -> Server {
    Server(
        Command::new(env!("CARGO_BIN_EXE_waypoint"))
            .args(args)
            .env("WAYPOINT_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    )
}

#[test]
fn sessions_and_jobs_are_shared_across_servers() {
    let Ok(base) = std::env::var("WAYPOINT_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the PostgreSQL tests"
        );
        eprintln!("skipped: WAYPOINT_TEST_POSTGRES_URL is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let schema = format!("two_servers_{}_{}", std::process::id(), free_port());
    let store: Arc<dyn Store> = Arc::new(
        runtime
            .block_on(waypoint_store_postgres::PgStore::connect_in_schema(
                &base, &schema,
            ))
            .unwrap(),
    );
    runtime.block_on(store.migrate()).unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");

    let dir = std::env::temp_dir().join(format!("waypoint-two-servers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sign_ins = dir.join("sign-ins.json");
    let (a, b) = (free_port(), free_port());
    let mut first = spawn(&[
        "demo",
        "--size",
        "small",
        "--database-url",
        &url,
        "--bind",
        &format!("127.0.0.1:{a}"),
        "--sign-ins-json",
        sign_ins.to_str().unwrap(),
    ]);
    wait_ready(a, &mut first.0);
    let mut second = spawn(&[
        "serve",
        "--database-url",
        &url,
        "--bind",
        &format!("127.0.0.1:{b}"),
    ]);
    wait_ready(b, &mut second.0);

    // Sign in through the first server…
    let accounts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sign_ins).unwrap()).unwrap();
    let principal = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "principal")
        .unwrap();
    let page = http(a, "GET", "/sign-in", "", None);
    let anon = format!("waypoint_csrf={}", page.cookie("waypoint_csrf").unwrap());
    let form = serde_urlencoded::to_string([
        ("username", principal["username"].as_str().unwrap()),
        ("password", principal["password"].as_str().unwrap()),
        ("next", "/home"),
        ("_csrf", &page.csrf()),
    ])
    .unwrap();
    let signed = http(a, "POST", "/sign-in", &anon, Some(&form));
    assert_eq!(signed.status, 303, "{}", signed.body);
    let session = format!(
        "waypoint_session={}",
        signed.cookie("waypoint_session").unwrap()
    );

    // …and carry on through the second, including a CSRF-protected form.
    let home = http(b, "GET", "/home", &session, None);
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome,"), "{}", home.body);
    let out = http(
        b,
        "POST",
        "/sign-out",
        &session,
        Some(&format!("_csrf={}", home.csrf())),
    );
    assert_eq!(out.status, 303);
    assert_eq!(
        http(a, "GET", "/home", &session, None).status,
        303,
        "signed out everywhere"
    );

    // Jobs enqueued in the shared database run once each, on whichever server is free.
    let ids: Vec<i64> = (0..40)
        .map(|i| {
            runtime
                .block_on(store.enqueue_job(
                    "ping",
                    &format!("{{\"label\":\"job {i}\",\"millis\":50}}"),
                    waypoint_web::now_ms(),
                ))
                .unwrap()
        })
        .collect();
    let start = Instant::now();
    let jobs = loop {
        let jobs: Vec<_> = ids
            .iter()
            .map(|id| runtime.block_on(store.job(*id)).unwrap().unwrap())
            .collect();
        if jobs
            .iter()
            .all(|j| j.status != "queued" && j.status != "running")
        {
            break jobs;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "jobs did not finish"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for j in &jobs {
        assert_eq!(
            (j.status.as_str(), j.attempts),
            ("done", 1),
            "job {} ran {} times",
            j.id,
            j.attempts
        );
    }
    let workers: std::collections::HashSet<_> =
        jobs.iter().filter_map(|j| j.locked_by.clone()).collect();
    assert_eq!(workers.len(), 2, "both servers took work: {workers:?}");
    drop((first, second));
    let _ = std::fs::remove_dir_all(&dir);
}
