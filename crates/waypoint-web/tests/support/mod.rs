//! Test harness: the real router over a real, isolated store (in-memory
//! SQLite, or a fresh PostgreSQL schema when `WAYPOINT_TEST_POSTGRES_URL` is
//! set), loaded with the small demo; and a cookie-keeping client that drives
//! it in-process.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;
use waypoint_domain::demo::{self, Demo, DemoSpec};
use waypoint_domain::{PersonId, Role};
use waypoint_store::Store;
use waypoint_web::{AppState, WebConfig};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running application and its data.
pub struct App {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub demo: Demo,
    /// The database underneath the store.
    pub database: Database,
}

/// The store's database, reached directly.
pub enum Database {
    Sqlite(waypoint_store::sqlx::SqlitePool),
    Postgres(waypoint_store::sqlx::PgPool),
}

impl Database {
    /// From here on, every write to the audit log fails (as a full disk or
    /// a revoked grant would make it).
    pub async fn break_audit_log(&self) {
        match self {
            Self::Sqlite(pool) => {
                waypoint_store::sqlx::raw_sql(
                    "CREATE TRIGGER audit_log_broken BEFORE INSERT ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'the audit log cannot be written'); END;",
                )
                .execute(pool)
                .await
                .unwrap();
            }
            Self::Postgres(pool) => {
                waypoint_store::sqlx::raw_sql(
                    "CREATE FUNCTION audit_log_broken() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'the audit log cannot be written'; END $$; \
                     CREATE TRIGGER audit_log_broken BEFORE INSERT ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_broken();",
                )
                .execute(pool)
                .await
                .unwrap();
            }
        }
    }
}

/// A store of the given kind, or `None` when PostgreSQL is not configured
/// (outside CI; under CI its absence fails the test).
pub async fn store(backend: Backend) -> Option<Arc<dyn Store>> {
    store_and_database(backend).await.map(|(s, _)| s)
}

/// A store of the given kind and its database.
pub async fn store_and_database(backend: Backend) -> Option<(Arc<dyn Store>, Database)> {
    match backend {
        Backend::Sqlite => {
            let s = waypoint_store_sqlite::open("sqlite::memory:")
                .await
                .unwrap();
            let db = Database::Sqlite(s.pool().clone());
            Some((Arc::new(s), db))
        }
        Backend::Postgres => waypoint_store_postgres::test_store("web").await.map(|s| {
            let db = Database::Postgres(s.pool().clone());
            (Arc::new(s) as Arc<dyn Store>, db)
        }),
    }
}

/// The app on `backend` with the small demo loaded and every demo sign-in
/// given [`PASSWORD`].
pub async fn app(backend: Backend) -> Option<App> {
    app_with(backend, WebConfig::default()).await
}

/// As [`app`], with settings.
pub async fn app_with(backend: Backend, config: WebConfig) -> Option<App> {
    let (store, database) = store_and_database(backend).await?;
    let demo = demo::generate(&DemoSpec::small());
    store.apply_roster(&demo.roster).await.unwrap();
    store.apply_demo_grants(&demo.grants).await.unwrap();
    let hash = waypoint_web::auth::hash_password(PASSWORD).unwrap();
    for s in &demo.sign_ins {
        let p = store.person_by_sourced_id(&s.user).await.unwrap().unwrap();
        store.set_password_hash(p, &hash, 1).await.unwrap();
    }
    let router = waypoint_web::router(AppState::new(Arc::clone(&store), config));
    Some(App {
        router,
        store,
        demo,
        database,
    })
}

impl App {
    /// The demo person holding `role`.
    pub async fn person(&self, role: Role) -> PersonId {
        let s = self.demo.sign_ins.iter().find(|s| s.role == role).unwrap();
        self.store
            .person_by_sourced_id(&s.user)
            .await
            .unwrap()
            .unwrap()
    }

    /// The demo username for `role`.
    pub fn username(&self, role: Role) -> String {
        self.demo
            .sign_ins
            .iter()
            .find(|s| s.role == role)
            .unwrap()
            .username
            .clone()
    }

    /// Gives `person` the test password.
    pub async fn give_password(&self, person: PersonId) {
        let hash = waypoint_web::auth::hash_password(PASSWORD).unwrap();
        self.store
            .set_password_hash(person, &hash, 1)
            .await
            .unwrap();
    }

    /// A new, anonymous client.
    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
            csrf: None,
            bearer: None,
        }
    }

    /// A client signed in as `username`.
    pub async fn signed_in(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c.sign_in(username, PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in as {username} failed: {}",
            r.body
        );
        let home = c.get("/home").await;
        assert_eq!(home.status, StatusCode::OK);
        c
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    /// The `Location` header.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Keeps cookies and the page's CSRF token, like a browser.
pub struct Client {
    router: Router,
    pub cookies: HashMap<String, String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let end = html[at..].find('"')?;
    Some(html[at..at + end].to_owned())
}

impl Client {
    /// Sends a request with the client's cookies and records what comes back.
    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        if let Some(token) = &self.bearer {
            req.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Bearer {token}").parse().unwrap(),
            );
        }
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(token) = csrf_in(&body) {
            self.csrf = Some(token);
        }
        Resp {
            status,
            headers,
            body,
        }
    }

    /// GET.
    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// POSTs a form, adding the CSRF token last seen.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("_csrf", &token));
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// POSTs a form without any CSRF token.
    pub async fn post_form_without_csrf(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// POSTs a multipart upload of `bytes` as the `package` field, with the
    /// CSRF token as the form's first part, as the upload form sends it.
    pub async fn post_upload(&mut self, path: &str, bytes: &[u8]) -> Resp {
        let boundary = "waypoint-test-boundary";
        let token = self.csrf.clone().unwrap_or_default();
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; filename=\"roster.zip\"\r\nContent-Type: application/zip\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(path)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// POSTs a multipart form: the CSRF token first, then `fields`, then
    /// one file (`field`, `filename`, bytes).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Resp {
        let boundary = "waypoint-test-boundary";
        let token = self.csrf.clone().unwrap_or_default();
        let mut body = Vec::new();
        let mut part = |name: &str, value: &str| {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        };
        part("_csrf", &token);
        for (k, v) in fields {
            part(k, v);
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: text/csv\r\n\r\n",
                file.0, file.1
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.2);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(path)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// POSTs raw bytes with the CSRF header.
    pub async fn post_bytes(&mut self, path: &str, bytes: Vec<u8>) -> Resp {
        let token = self.csrf.clone().unwrap_or_default();
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/zip")
                .header("x-csrf-token", token)
                .body(Body::from(bytes))
                .unwrap(),
        )
        .await
    }

    /// Sends a JSON body with the CSRF header (which a bearer token makes unneeded).
    pub async fn send_json(&mut self, method: axum::http::Method, path: &str, json: &str) -> Resp {
        let token = self.csrf.clone().unwrap_or_default();
        self.send(
            Request::builder()
                .method(method)
                .uri(path)
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-csrf-token", token)
                .body(Body::from(json.to_owned()))
                .unwrap(),
        )
        .await
    }

    /// Signs in through the form.
    pub async fn sign_in(&mut self, username: &str, password: &str) -> Resp {
        let page = self.get("/sign-in").await;
        assert_eq!(page.status, StatusCode::OK);
        self.post_form(
            "/sign-in",
            &[
                ("username", username),
                ("password", password),
                ("next", "/home"),
            ],
        )
        .await
    }
}

/// A zip of the files in `dir` (for uploads).
pub fn zip_dir(dir: &std::path::Path) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(&std::fs::read(&path).unwrap()).unwrap();
        }
        zip.finish().unwrap();
    }
    buf.into_inner()
}

/// The shared fixtures folder.
pub fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
}

/// Declares a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::Backend::Postgres).await;
                }
            )*
        }
    };
}
