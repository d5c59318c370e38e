//! Shared page furniture: the layout every page extends (navigation by
//! role), rendering, and small formatting helpers used by templates.

use crate::auth::CurrentUser;
use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use waypoint_domain::{Grant, Role, Scope};

/// One link in the main navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Target.
    pub href: String,
    /// Text.
    pub label: String,
    /// Whether it is the current section.
    pub current: bool,
}

/// What the base template needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The page's title (also the `<h1>` unless a page overrides it).
    pub title: String,
    /// Signed-in person's name, if any.
    pub user_name: Option<String>,
    /// A short summary of their roles, e.g. "Principal · Educator".
    pub roles: String,
    /// CSRF token for forms on the page.
    pub csrf: String,
    /// Main navigation.
    pub nav: Vec<NavItem>,
    /// Trail to this page: (href, label); the last is the page itself.
    pub breadcrumbs: Vec<(String, String)>,
    /// Tabs of the current section (the administrator's pages).
    pub subnav: Vec<NavItem>,
}

impl Layout {
    /// The layout for a signed-in page in `section` (matched against nav hrefs).
    pub fn for_user(user: &CurrentUser, title: impl Into<String>, section: &str) -> Self {
        Self {
            title: title.into(),
            user_name: Some(user.name.clone()),
            roles: roles_summary(user.grants()),
            csrf: user.csrf().to_owned(),
            nav: nav_for(user, section),
            subnav: subnav_for(user, section),
            breadcrumbs: Vec::new(),
        }
    }

    /// The layout for a page shown before sign-in.
    pub fn anonymous(title: impl Into<String>, csrf: &str) -> Self {
        Self {
            title: title.into(),
            csrf: csrf.to_owned(),
            ..Self::default()
        }
    }

    /// Adds a breadcrumb trail.
    pub fn with_crumbs(mut self, crumbs: Vec<(String, String)>) -> Self {
        self.breadcrumbs = crumbs;
        self
    }
}

fn roles_summary(grants: &[Grant]) -> String {
    let mut roles: Vec<Role> = grants.iter().map(|g| g.role).collect();
    roles.sort_by(|a, b| b.cmp(a));
    roles.dedup();
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn nav_for(user: &CurrentUser, section: &str) -> Vec<NavItem> {
    let mut items = vec![("/home".to_owned(), "Home".to_owned())];
    let mut seen = std::collections::HashSet::new();
    for g in user.grants() {
        let item = match (g.role, g.scope) {
            (Role::Principal, Scope::School(id)) => Some((format!("/orgs/{id}"), "My school")),
            (Role::DistrictCoordinator, Scope::District(id)) => {
                Some((format!("/orgs/{id}"), "District"))
            }
            (Role::RegionalCoordinator, Scope::Region(id)) => {
                Some((format!("/orgs/{id}"), "Region"))
            }
            _ => None,
        };
        if let Some((href, label)) = item
            && seen.insert(href.clone())
        {
            items.push((href, label.to_owned()));
        }
    }
    let can_list_staff = user.grants().iter().any(|g| {
        matches!(
            g.role,
            Role::Educator
                | Role::Coach
                | Role::Principal
                | Role::DistrictCoordinator
                | Role::Administrator
        ) && !matches!(g.scope, Scope::Class(_))
    });
    if can_list_staff {
        items.push(("/people".to_owned(), "People".to_owned()));
    }
    if !user.grants().is_empty() {
        items.push(("/events".to_owned(), "PD days".to_owned()));
        items.push(("/groups".to_owned(), "Groups".to_owned()));
        items.push(("/growth".to_owned(), "Growth".to_owned()));
        items.push(("/students".to_owned(), "Students".to_owned()));
    }
    if user.holds(Role::Administrator) {
        items.push((ADMIN_PAGES[0].0.to_owned(), "Admin".to_owned()));
    }
    items.push(("/settings".to_owned(), "Settings".to_owned()));
    items
        .into_iter()
        .map(|(href, label)| NavItem {
            current: href == section
                || (href.starts_with("/admin") && section.starts_with("/admin"))
                || (href == "/growth" && in_growth(section))
                || (href == "/students" && section.starts_with("/students")),
            href,
            label,
        })
        .collect()
}

/// The administrator's pages, one item of the main navigation and tabs
/// of their own.
const ADMIN_PAGES: [(&str, &str); 5] = [
    ("/admin/imports", "Imports"),
    ("/admin/assessments", "Assessments"),
    ("/admin/users", "Accounts"),
    ("/admin/audit", "Audit log"),
    ("/admin/mail", "E-mail"),
];

/// Whether `section` is one of the pages under "Growth".
fn in_growth(section: &str) -> bool {
    ["/growth", "/goals", "/frameworks", "/showcase"]
        .iter()
        .any(|p| section.starts_with(p))
}

/// The tabs under "Growth" this person sees: their own plan, the
/// caseload and school overview for those who review and oversee plans,
/// the system's goals, and the frameworks for those who keep them.
fn growth_pages(user: &CurrentUser) -> Vec<(&'static str, &'static str)> {
    let mut pages = vec![
        ("/growth", "My growth"),
        ("/growth/recommendations", "Suggested for you"),
    ];
    if user.holds(Role::Coach) || user.holds(Role::Principal) {
        pages.push(("/growth/caseload", "Caseload"));
    }
    if crate::pages::growth::oversees(user) {
        pages.push(("/growth/school", "School overview"));
    }
    pages.push(("/showcase", "Showcase"));
    pages.push(("/goals", "System goals"));
    if user.holds(Role::DistrictCoordinator) || user.holds(Role::Administrator) {
        pages.push(("/frameworks", "Frameworks"));
    }
    pages
}

/// The tabs under "Admin" or "Growth", when `section` is one of their pages.
fn subnav_for(user: &CurrentUser, section: &str) -> Vec<NavItem> {
    let pages: Vec<(&str, &str)> = if in_growth(section) && !user.grants().is_empty() {
        growth_pages(user)
    } else if section.starts_with("/admin") && user.holds(Role::Administrator) {
        ADMIN_PAGES.to_vec()
    } else {
        return Vec::new();
    };
    pages
        .iter()
        .map(|(href, label)| NavItem {
            current: *href == section,
            href: (*href).to_owned(),
            label: (*label).to_owned(),
        })
        .collect()
}

/// Renders a template to an HTML response; a rendering failure is logged
/// and answered with a plain 500.
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut r = Html(html).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
            )
                .into_response()
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// HTTP status.
    pub status: u16,
    /// Short title.
    pub title: String,
    /// What to tell the person.
    pub message: String,
}

/// "2026-11-23 14:05 UTC" from Unix milliseconds.
pub fn datetime(ms: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "—".to_owned())
}

/// `datetime` for an optional time.
pub fn maybe_datetime(ms: Option<i64>) -> String {
    ms.map_or_else(|| "—".to_owned(), datetime)
}

/// Thousands separators: 12,345.
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A human label for a grant: "Principal at Maple Grove Elementary".
pub fn grant_label(grant: &Grant, place: &str) -> String {
    match grant.scope {
        Scope::Installation => format!("{} (whole installation)", grant.role.label()),
        _ => format!("{} at {place}", grant.role.label()),
    }
}

/// Grades as people say them: `KG` → "Kindergarten", `06` → "Grade 6",
/// `09,10` → "Grades 9, 10".
pub fn grades_label(grades: &str) -> String {
    let parts: Vec<String> = grades
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(|g| match g {
            "KG" | "K" => "Kindergarten".to_owned(),
            "PK" => "Pre-K".to_owned(),
            g => g.trim_start_matches('0').to_owned(),
        })
        .collect();
    match parts.as_slice() {
        [] => "—".to_owned(),
        [one] if one.chars().all(|c| c.is_ascii_digit()) => format!("Grade {one}"),
        [one] => one.clone(),
        many => format!("Grades {}", many.join(", ")),
    }
}

/// A human label for a roster role.
pub fn roster_role_label(role: &str) -> &'static str {
    match role {
        "teacher" => "Teacher",
        "aide" => "Aide",
        "counselor" => "Counselor",
        "principal" => "Principal",
        "siteAdministrator" => "Site administrator",
        "districtAdministrator" => "District office",
        "systemAdministrator" => "System administrator",
        "student" => "Student",
        _ => "Staff",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(datetime(0), "1970-01-01 00:00 UTC");
        assert_eq!(grades_label("06"), "Grade 6");
        assert_eq!(grades_label("KG"), "Kindergarten");
        assert_eq!(grades_label("09,10"), "Grades 9, 10");
        assert_eq!(grades_label(""), "—");
    }
}
