//! What each subcommand does. Everything here is wiring: the work happens in
//! the library crates.

use crate::cli::{Cli, Command, DemoSize, ImportCommand, Server, UsersCommand};
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::{ExposeSecret, SecretString};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use waypoint_domain::demo::{self, DEMO_PASSWORD, DemoSpec};
use waypoint_domain::{Grant, OrgKind, Role, Scope};
use waypoint_store::{NewImport, NewPerson, Store};
use waypoint_web::auth::{hash_password, random_token, token_hash};
use waypoint_web::services::{ImportInput, import_oneroster};
use waypoint_web::{AppState, WebConfig, now_ms};

/// Text logs by default, JSON lines with `--log-json`; level from `WAYPOINT_LOG`.
pub fn init_logging(cli: &Cli) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WAYPOINT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cli.log_json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init();
    } else {
        builder.compact().init();
    }
}

/// Opens the store the URL names and applies migrations.
pub async fn open_store(url: &SecretString) -> anyhow::Result<Arc<dyn Store>> {
    let url = url.expose_secret();
    let store: Arc<dyn Store> = if url.starts_with("sqlite:") {
        Arc::new(
            waypoint_store_sqlite::open(url)
                .await
                .context("opening the SQLite database")?,
        )
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(
            waypoint_store_postgres::open(url)
                .await
                .context("connecting to PostgreSQL")?,
        )
    } else {
        bail!(
            "--database-url must start with sqlite: or postgres:// (got a URL with another scheme)"
        );
    };
    Ok(store)
}

/// Runs the chosen subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { db, server } => {
            let store = open_store(&db.database_url).await?;
            serve(store, &server).await?;
        }
        Command::Demo {
            database_url,
            server,
            size,
            sign_ins_json,
        } => {
            let store = open_store(&database_url).await?;
            let sign_ins = load_demo(&store, size).await?;
            print_demo(&server, &sign_ins);
            if let Some(path) = sign_ins_json {
                let json: Vec<serde_json::Value> = sign_ins
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "role": s.role.as_str(), "username": s.username,
                            "password": DEMO_PASSWORD, "description": s.description,
                        })
                    })
                    .collect();
                std::fs::write(&path, serde_json::to_vec_pretty(&json)?)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            serve(store, &server).await?;
        }
        Command::Migrate { db } => {
            open_store(&db.database_url).await?;
            eprintln!("Migrations are up to date.");
        }
        Command::Import {
            what: ImportCommand::Oneroster { db, path },
        } => return import(&db.database_url, path).await,
        Command::Import {
            what: ImportCommand::Case { db, path },
        } => return import_case(&db.database_url, &path).await,
        Command::Import {
            what: ImportCommand::Assessments { db, format, path },
        } => return import_assessments(&db.database_url, format.as_deref(), &path).await,
        Command::Import {
            what: ImportCommand::Surveys { db, path },
        } => return import_surveys(&db.database_url, &path).await,
        Command::Users { db, what } => users(&db.database_url, what).await?,
        Command::Backup { db, path } => return backup(&db.database_url, &path).await,
        Command::Assign(args) => {
            return tokio::task::spawn_blocking(move || crate::assign::run(args)).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Connections the kernel may queue before the server accepts them (it caps
/// this at `net.core.somaxconn`). The standard library's 128 overflowed when
/// 200 sign-ins arrived at once: the kernel dropped the extra handshakes and
/// those clients, and everyone connecting with them, waited a second to retry.
const LISTEN_BACKLOG: u32 = 4096;

fn listen(addr: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // A restarted server can listen again while old connections linger in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

async fn serve(store: Arc<dyn Store>, server: &Server) -> anyhow::Result<()> {
    let config = WebConfig {
        secure_cookies: server.secure_cookies,
        public_url: server
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", server.bind)),
        min_cell: waypoint_domain::suppression::MinN::new(server.min_cell_size),
        ..WebConfig::default()
    };
    if server.public_url.is_none() && !server.bind.ip().is_loopback() {
        tracing::warn!(
            bind = %server.bind,
            "no --public-url: links in password-reset messages will point at {}; set WAYPOINT_PUBLIC_URL to the address people use",
            config.public_url
        );
    }
    let state = AppState::new(Arc::clone(&store), config.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for n in 0..server.workers {
        let worker = format!("{}-{}-{n}", hostname(), std::process::id());
        tasks.push(tokio::spawn(waypoint_web::jobs::run_worker(
            Arc::clone(&store),
            worker,
            stop_rx.clone(),
        )));
    }
    tasks.push(tokio::spawn(waypoint_web::mail::run_mailer(
        Arc::clone(&store),
        config.public_url.clone(),
        stop_rx.clone(),
    )));
    tasks.push(tokio::spawn(purge_sessions(
        Arc::clone(&store),
        config,
        stop_rx,
    )));
    let listener =
        listen(server.bind).with_context(|| format!("cannot listen on {}", server.bind))?;
    tracing::info!(address = %server.bind, backend = ?store.backend(), "Waypoint is listening");
    axum::serve(listener, waypoint_web::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    Ok(())
}

async fn purge_sessions(
    store: Arc<dyn Store>,
    config: WebConfig,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let now = now_ms();
        let idle = i64::try_from(config.session_idle.as_millis()).unwrap_or(i64::MAX);
        let absolute = i64::try_from(config.session_absolute.as_millis()).unwrap_or(i64::MAX);
        match store.purge_sessions(now - idle, now - absolute).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not purge sessions"),
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = stop.changed() => return,
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "waypoint".to_owned())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Loads the demo installation unless it is already there, and makes sure
/// every demo sign-in has the demo password.
async fn load_demo(
    store: &Arc<dyn Store>,
    size: DemoSize,
) -> anyhow::Result<Vec<demo::DemoSignIn>> {
    let spec = match size {
        DemoSize::Full => DemoSpec::demo(),
        DemoSize::Small => DemoSpec::small(),
    };
    let generated = demo::generate(&spec);
    let present = store
        .person_by_sourced_id(&generated.sign_ins[0].user)
        .await?
        .is_some();
    if present {
        eprintln!("Reusing the demo installation already in the database.");
    } else {
        let bar = spinner(&format!(
            "Generating the demo region: {} people, {} classes, {} enrollments",
            generated.roster.users.len(),
            generated.roster.classes.len(),
            generated.roster.enrollments.len()
        ));
        store
            .apply_roster(&generated.roster)
            .await
            .context("loading the demo roster")?;
        store
            .apply_demo_grants(&generated.grants)
            .await
            .context("granting demo roles")?;
        bar.finish_with_message("Demo region loaded");
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD)).await??;
    for s in &generated.sign_ins {
        let person = store
            .person_by_sourced_id(&s.user)
            .await?
            .with_context(|| {
                format!(
                    "demo person {} is missing; delete the demo database and start again",
                    s.user
                )
            })?;
        let account = store.account(person).await?;
        if account.is_none_or(|a| a.password_hash.is_none()) {
            store.set_password_hash(person, &hash, now_ms()).await?;
        }
    }
    seed_pd_days(store, &generated.sign_ins).await?;
    let educator = generated
        .sign_ins
        .iter()
        .find(|s| s.role == Role::Educator)
        .map(|s| s.user.as_str());
    waypoint_web::students_demo::seed(store, &generated.roster, educator)
        .await
        .context("creating the demo's assessment results")?;
    Ok(generated.sign_ins)
}

/// The demo's PD days, in the district of the demo coordinator, and the
/// growth plans at the demo educator's school.
async fn seed_pd_days(store: &Arc<dyn Store>, sign_ins: &[demo::DemoSignIn]) -> anyhow::Result<()> {
    let person = |role: Role| async move {
        let s = sign_ins
            .iter()
            .find(|s| s.role == role)
            .with_context(|| format!("the demo has no {} sign-in", role.label()))?;
        store
            .person_by_sourced_id(&s.user)
            .await?
            .with_context(|| format!("demo person {} is missing", s.user))
    };
    let coordinator = person(Role::DistrictCoordinator).await?;
    let educator = person(Role::Educator).await?;
    let Some(district) = store
        .grants_of(coordinator)
        .await?
        .into_iter()
        .find_map(|g| match g.scope {
            Scope::District(d) if g.role == Role::DistrictCoordinator => Some(d),
            _ => None,
        })
    else {
        anyhow::bail!("the demo coordinator has no district");
    };
    waypoint_web::pdday::demo::seed(store, district, coordinator, educator)
        .await
        .context("creating the demo PD days")?;
    let coach = person(Role::Coach).await?;
    let principal = person(Role::Principal).await?;
    waypoint_web::growth_demo::seed(store, educator, coach, principal)
        .await
        .context("creating the demo growth plans")
}

fn print_demo(server: &Server, sign_ins: &[demo::DemoSignIn]) {
    let url = server
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", server.bind));
    println!();
    println!("  Waypoint demo is starting at {url}");
    println!();
    println!("  Sign in as any of these (password for all: {DEMO_PASSWORD}):");
    println!();
    let width = sign_ins
        .iter()
        .map(|s| s.username.len())
        .max()
        .unwrap_or(20);
    for s in sign_ins {
        println!(
            "    {:<24} {:<width$}  {}",
            s.role.label(),
            s.username,
            s.description
        );
    }
    println!();
    println!("  Stop with Ctrl-C. Data stays in the demo database for next time.");
    println!();
}

async fn import(url: &SecretString, path: std::path::PathBuf) -> anyhow::Result<ExitCode> {
    let store = open_store(url).await?;
    let id = store
        .create_import(&NewImport {
            kind: "oneroster".to_owned(),
            source: path.display().to_string(),
            requested_by: None,
            started_at: now_ms(),
        })
        .await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>22} [{bar:40}] {pos}/{len} rows ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = {
        let bar = bar.clone();
        Arc::new(move |p: &waypoint_import::Progress| {
            if bar.message() != p.file {
                bar.set_message(p.file.clone());
                bar.set_position(0);
            }
            bar.set_length(
                p.rows_total_estimate
                    .unwrap_or(p.rows_done)
                    .max(p.rows_done),
            );
            bar.set_position(p.rows_done);
        })
    };
    let outcome =
        import_oneroster(Arc::clone(&store), id, ImportInput::Path(path), progress).await?;
    bar.finish_and_clear();
    match outcome.counts {
        Some(c) => {
            println!("Imported (import #{id}):");
            for (kind, e) in [
                ("organisations", c.orgs),
                ("academic sessions", c.sessions),
                ("courses", c.courses),
                ("classes", c.classes),
                ("users", c.users),
                ("enrollments", c.enrollments),
            ] {
                println!(
                    "  {kind:<18} {:>8} in package {:>8} added or changed {:>6} removed",
                    e.received, e.changed, e.deleted
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("Refused (import #{id}); nothing was changed:");
            for p in &outcome.problems {
                eprintln!("  {p}");
            }
            Ok(ExitCode::from(2))
        }
    }
}

/// Imports a CASE package: stored whole, or refused with every problem
/// located (exit code 2) and nothing stored.
async fn import_assessments(
    url: &SecretString,
    format: Option<&str>,
    path: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    use waypoint_import::assessments::{Format, read_assessments};
    let format = match format {
        None => None,
        Some(f) => Some(Format::parse(f).with_context(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            format!("--format {f} is not one of {}", names.join(", "))
        })?),
    };
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.display().to_string();
    let file = match read_assessments(&name, &bytes, format) {
        Ok(file) => file,
        Err(problems) => return Ok(refuse_problems(&problems)),
    };
    let store = open_store(url).await?;
    let results = waypoint_web::services::assessment_results(&file, &name, now_ms());
    match store.save_results(&results).await? {
        Ok(s) => {
            println!(
                "Imported {} ({}): {} results for {} students: {} new, {} changed, {} unchanged.",
                name,
                file.format.label(),
                results.results.len(),
                s.students,
                s.added,
                s.changed,
                s.unchanged
            );
            if s.superseded > 0 {
                println!(
                    "{} lines repeat an earlier line's student, test, domain and day; the later line is kept.",
                    s.superseded
                );
            }
            if !file.dropped_demographics.is_empty() {
                println!(
                    "Not read (demographics are never stored): {}.",
                    file.dropped_demographics.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(unknown) => Ok(refuse_unknown(&name, &unknown)),
    }
}

/// Lists a refused file's problems (nothing was stored), and gives the
/// refusal's exit code.
fn refuse_problems(problems: &[waypoint_import::Problem]) -> ExitCode {
    eprintln!("Refused; nothing was stored:");
    for p in problems {
        eprintln!("  {p}");
    }
    ExitCode::from(2)
}

/// Says which students a file names that the roster lacks (nothing was
/// stored), and gives the refusal's exit code.
fn refuse_unknown(name: &str, unknown: &[waypoint_store::UnknownStudent]) -> ExitCode {
    eprintln!(
        "Refused; nothing was stored: {} students are not in the roster:",
        unknown.len()
    );
    for u in unknown.iter().take(100) {
        let more = match u.lines {
            1 => String::new(),
            2 => " (and 1 more line)".to_owned(),
            n => format!(" (and {} more lines)", n - 1),
        };
        eprintln!(
            "  {name}:{}: student \"{}\" is not in the roster{more}",
            u.line, u.student
        );
    }
    ExitCode::from(2)
}

async fn import_surveys(url: &SecretString, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.display().to_string();
    let answers = match waypoint_import::surveys::read_surveys(&name, &bytes) {
        Ok(answers) => answers,
        Err(problems) => return Ok(refuse_problems(&problems)),
    };
    let store = open_store(url).await?;
    let new = waypoint_web::services::survey_answers(&answers, &name, now_ms());
    match store.save_answers(&new).await? {
        Ok(s) => {
            println!(
                "Imported {name}: {} answers from {} students: {} new, {} changed, {} unchanged.",
                new.answers.len(),
                s.students,
                s.added,
                s.changed,
                s.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(unknown) => Ok(refuse_unknown(&name, &unknown)),
    }
}

async fn import_case(url: &SecretString, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.display().to_string();
    match waypoint_import::case::read_case(&name, &bytes) {
        Ok(framework) => {
            let store = open_store(url).await?;
            let record = waypoint_web::pages::frameworks::to_store(&framework, &name, None);
            let (id, replaced) = store.save_framework(&record).await?;
            println!(
                "{} \"{}\" (framework #{id}): {} items, {} associations.",
                if replaced { "Replaced" } else { "Imported" },
                framework.document.title,
                framework.items.len(),
                framework.associations.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            eprintln!("Refused; nothing was stored:");
            for p in &problems {
                eprintln!("  {p}");
            }
            Ok(ExitCode::from(2))
        }
    }
}

async fn person_by_username(
    store: &dyn Store,
    username: &str,
) -> anyhow::Result<waypoint_domain::PersonId> {
    Ok(store
        .account_by_username(username)
        .await?
        .with_context(|| format!("no staff account with username {username}"))?
        .person)
}

async fn scope_for(store: &dyn Store, org: Option<&str>) -> anyhow::Result<Scope> {
    let Some(org) = org else {
        return Ok(Scope::Installation);
    };
    let id = store
        .org_by_sourced_id(org)
        .await?
        .with_context(|| format!("no organisation with sourcedId {org}"))?;
    let found = store
        .org(id)
        .await?
        .with_context(|| format!("organisation {org} is not active"))?;
    Ok(match found.kind {
        OrgKind::Region => Scope::Region(id),
        OrgKind::District => Scope::District(id),
        OrgKind::School | OrgKind::Department => Scope::School(id),
    })
}

async fn users(url: &SecretString, what: UsersCommand) -> anyhow::Result<()> {
    let store = open_store(url).await?;
    let store = &*store;
    match what {
        UsersCommand::Create {
            username,
            given_name,
            family_name,
            email,
            admin,
        } => {
            let id = store
                .create_local_person(&NewPerson {
                    username: username.clone(),
                    given_name,
                    family_name,
                    email,
                })
                .await?;
            if admin {
                store
                    .add_grant(id, Grant::new(Role::Administrator, Scope::Installation)?)
                    .await?;
            }
            println!(
                "Created {username} (person {id}). Give them a password with: waypoint users reset-link {username}"
            );
        }
        UsersCommand::Grant {
            username,
            role,
            org,
        } => {
            let person = person_by_username(store, &username).await?;
            let grant = Grant::new(role.parse()?, scope_for(store, org.as_deref()).await?)?;
            store.add_grant(person, grant).await?;
            println!(
                "{username} is now {} ({}).",
                grant.role.label(),
                grant.scope.kind()
            );
        }
        UsersCommand::Revoke {
            username,
            role,
            org,
        } => {
            let person = person_by_username(store, &username).await?;
            let grant = Grant::new(role.parse()?, scope_for(store, org.as_deref()).await?)?;
            if store.remove_grant(person, grant).await? {
                println!("Removed.");
            } else {
                bail!("{username} does not hold that role there");
            }
        }
        UsersCommand::ResetLink {
            username,
            public_url,
        } => {
            let person = person_by_username(store, &username).await?;
            let token = random_token();
            store
                .create_reset_token(person, &token_hash(&token), now_ms() + 72 * 3_600_000)
                .await?;
            println!("{}/reset/{token}", public_url.trim_end_matches('/'));
        }
        UsersCommand::Token { username, name } => {
            let person = person_by_username(store, &username).await?;
            let secret = format!("wp_{}", random_token());
            store
                .create_api_token(person, &name, &token_hash(&secret), now_ms())
                .await?;
            println!("{secret}");
        }
    }
    Ok(())
}

async fn backup(url: &SecretString, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let raw = url.expose_secret();
    if raw.starts_with("sqlite:") {
        if path.exists() {
            bail!("{} already exists; choose a new file", path.display());
        }
        let store = waypoint_store_sqlite::open(raw).await?;
        let target = path
            .to_str()
            .context("the backup path must be valid UTF-8")?;
        store
            .backup_to(target)
            .await
            .context("writing the backup")?;
        println!("Backed up to {}", path.display());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "PostgreSQL is backed up with its own tools, while Waypoint keeps running:\n  pg_dump --format=custom --file={} \"$WAYPOINT_DATABASE_URL\"\nRestore with pg_restore into an empty database, then run `waypoint migrate`.",
            path.display()
        );
        Ok(ExitCode::from(2))
    }
}
