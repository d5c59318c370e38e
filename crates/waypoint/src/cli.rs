//! Command-line flags, with environment-variable fallbacks.

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Waypoint: personalized professional learning for school systems.
#[derive(Debug, Parser)]
#[command(name = "waypoint", version, about)]
pub struct Cli {
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, global = true, env = "WAYPOINT_LOG_JSON")]
    pub log_json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct Database {
    /// `sqlite:path.db` (embedded) or `postgres://user@host/db` (scale-out).
    #[arg(
        long,
        env = "WAYPOINT_DATABASE_URL",
        global = true,
        default_value = "sqlite:waypoint.db",
        hide_env_values = true
    )]
    pub database_url: SecretString,
}

/// How the server listens and presents itself.
#[derive(Debug, Clone, Args)]
pub struct Server {
    /// Address to listen on.
    #[arg(long, env = "WAYPOINT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// The URL people reach Waypoint at (for links in reset messages);
    /// defaults to http://<bind>.
    #[arg(long, env = "WAYPOINT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mark cookies Secure (set this when Waypoint is served over HTTPS).
    #[arg(long, env = "WAYPOINT_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Background job workers in this process (0 runs none).
    #[arg(long, env = "WAYPOINT_WORKERS", default_value_t = 1)]
    pub workers: usize,
    /// The smallest student count shown in counts outside a teacher's own
    /// classes (smaller ones are hidden); never below 5.
    #[arg(long, env = "WAYPOINT_MIN_CELL_SIZE", default_value_t = 10)]
    pub min_cell_size: u32,
}

/// Size of the generated demo installation.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DemoSize {
    /// A region of 4 districts; the main one with 12 schools, ~1,000 staff, ~8,000 students.
    Full,
    /// The same shape with a few dozen people (tests).
    Small,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrations are applied first).
    Serve {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        server: Server,
    },
    /// Load a generated demo district (or reuse it) and run the server.
    Demo {
        /// Where the demo lives; a separate file so it never mixes with real data.
        #[arg(
            long,
            env = "WAYPOINT_DEMO_DATABASE_URL",
            default_value = "sqlite:waypoint-demo.db",
            hide_env_values = true
        )]
        database_url: SecretString,
        #[command(flatten)]
        server: Server,
        /// How big a district to generate.
        #[arg(long, value_enum, default_value_t = DemoSize::Full)]
        size: DemoSize,
        /// Also write the demo sign-ins as JSON to this file (for scripts).
        #[arg(long)]
        sign_ins_json: Option<PathBuf>,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: Database,
    },
    /// Import data from outside formats.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Manage accounts: create, grant roles, reset links, API tokens.
    Users {
        #[command(flatten)]
        db: Database,
        #[command(subcommand)]
        what: UsersCommand,
    },
    /// Assign people to PD-day sessions from their ranked choices (CSV in, CSV out).
    Assign(crate::assign::AssignArgs),
    /// Copy the database to PATH (SQLite: an online, consistent snapshot).
    Backup {
        #[command(flatten)]
        db: Database,
        /// Destination file; must not exist yet.
        path: PathBuf,
    },
}

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A OneRoster 1.1/1.2 CSV package (a folder or a .zip), bulk or delta.
    Oneroster {
        #[command(flatten)]
        db: Database,
        /// The package.
        path: PathBuf,
    },
    /// A competency framework: a 1EdTech CASE 1.0/1.1 package (JSON).
    Case {
        #[command(flatten)]
        db: Database,
        /// The package.
        path: PathBuf,
    },
    /// Students' assessment results (CSV): Waypoint's template, or an NWEA
    /// MAP Growth or i-Ready export. All or nothing; the same file again
    /// changes nothing.
    Assessments {
        #[command(flatten)]
        db: Database,
        /// The layout: generic, nwea-map, iready-diagnostic or iready-ytd
        /// (detected from the header when left out).
        #[arg(long)]
        format: Option<String>,
        /// The file.
        path: PathBuf,
    },
    /// Import students' survey answers (Waypoint's template:
    /// student_id, survey, date, question, answer, optional scale_max). All
    /// or nothing; the same file again changes nothing.
    Surveys {
        #[command(flatten)]
        db: Database,
        /// The file.
        path: PathBuf,
    },
}

/// Account commands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a staff account that is not in any roster (e.g. an administrator).
    Create {
        /// Username (usually an e-mail address).
        #[arg(long)]
        username: String,
        /// Given name.
        #[arg(long)]
        given_name: String,
        /// Family name.
        #[arg(long)]
        family_name: String,
        /// E-mail, if different from the username.
        #[arg(long)]
        email: Option<String>,
        /// Make them an installation administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Give a role: `educator|coach|principal` at a school, `coach|district_coordinator` at
    /// a district, `regional_coordinator` at a region, `administrator` installation-wide.
    Grant {
        /// Whose.
        username: String,
        /// The role.
        role: String,
        /// The organisation's sourcedId (omit for administrator).
        #[arg(long)]
        org: Option<String>,
    },
    /// Remove a role.
    Revoke {
        /// Whose.
        username: String,
        /// The role.
        role: String,
        /// The organisation's sourcedId (omit for administrator).
        #[arg(long)]
        org: Option<String>,
    },
    /// Print a single-use link (valid 72 hours) to set a password.
    ResetLink {
        /// Whose.
        username: String,
        /// Base URL the link starts with.
        #[arg(
            long,
            env = "WAYPOINT_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
    },
    /// Create a personal API token and print it (shown once).
    Token {
        /// Whose.
        username: String,
        /// A name to recognise it by.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}
