//! Every route, listed once. The router is built from [`table`], and the
//! authorization tests walk the same table, so a route cannot be added
//! without the tests noticing.

use crate::middleware::{RequestIds, security_headers, session_and_csrf};
use crate::pages::{
    admin, assets, directory, events, frameworks, goals, groups, growth, home, orgs, proposals,
    recommend, session, settings, setup, showcase, students, targets, team,
};
use crate::{AppState, api, growth_api};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Request};
use axum::routing::{MethodRouter, get, post, put};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// One route: method, path pattern, handler.
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path pattern, e.g. `/classes/{id}`.
    pub path: &'static str,
    /// The handler.
    pub handler: MethodRouter<AppState>,
}

fn r(method: Method, path: &'static str, handler: MethodRouter<AppState>) -> Route {
    Route {
        method,
        path,
        handler,
    }
}

/// All routes.
pub fn table(state: &AppState) -> Vec<Route> {
    let upload_limit = DefaultBodyLimit::max(state.config.max_upload_bytes);
    vec![
        r(Method::GET, "/", get(session::root)),
        r(Method::GET, "/sign-in", get(session::sign_in_form)),
        r(Method::POST, "/sign-in", post(session::sign_in_submit)),
        r(Method::POST, "/sign-out", post(session::sign_out)),
        r(Method::GET, "/reset/{token}", get(session::reset_form)),
        r(Method::POST, "/reset/{token}", post(session::reset_submit)),
        r(Method::GET, "/home", get(home::home)),
        r(Method::GET, "/people", get(directory::people)),
        r(Method::GET, "/people/{id}", get(directory::person)),
        r(Method::GET, "/orgs/{id}", get(orgs::org)),
        r(Method::GET, "/classes/{id}", get(orgs::class)),
        r(Method::GET, "/events", get(events::events)),
        r(
            Method::POST,
            "/events",
            post(events::create_event).layer(upload_limit),
        ),
        r(Method::GET, "/events/new", get(events::new_event)),
        r(Method::GET, "/events/{id}", get(events::event)),
        r(
            Method::POST,
            "/events/{id}/state",
            post(events::change_state),
        ),
        r(Method::POST, "/events/{id}/assign", post(events::assign)),
        r(Method::POST, "/events/{id}/move", post(events::move_person)),
        r(
            Method::GET,
            "/events/{id}/slots/{slot}/change",
            get(events::change_form),
        ),
        r(Method::POST, "/events/{id}/seat", post(events::take_seat)),
        r(Method::POST, "/events/{id}/late", post(events::place_late)),
        r(
            Method::POST,
            "/events/{id}/waitlist",
            post(events::join_waitlist),
        ),
        r(
            Method::POST,
            "/events/{id}/waitlist/leave",
            post(events::leave_waitlist),
        ),
        r(
            Method::GET,
            "/events/{id}/sections/{section}/roster",
            get(events::roster),
        ),
        r(
            Method::GET,
            "/events/{id}/sections/{section}/roster.csv",
            get(events::roster_csv),
        ),
        r(
            Method::POST,
            "/events/{id}/sections/{section}/attendance",
            post(events::mark_attendance),
        ),
        r(
            Method::POST,
            "/events/{id}/sections/{section}/code",
            post(events::make_code),
        ),
        r(Method::POST, "/events/{id}/checkin", post(events::check_in)),
        r(
            Method::GET,
            "/events/{id}/sections/{section}/feedback",
            get(events::feedback_form),
        ),
        r(
            Method::POST,
            "/events/{id}/sections/{section}/feedback",
            post(events::feedback_submit),
        ),
        r(
            Method::GET,
            "/events/{id}/proposals",
            get(proposals::proposals),
        ),
        r(
            Method::POST,
            "/events/{id}/proposals",
            post(proposals::submit_proposal),
        ),
        r(
            Method::GET,
            "/events/{id}/proposals/new",
            get(proposals::new_proposal),
        ),
        r(
            Method::GET,
            "/events/{id}/proposals/{proposal}",
            get(proposals::proposal),
        ),
        r(
            Method::POST,
            "/events/{id}/proposals/{proposal}",
            post(proposals::revise_proposal),
        ),
        r(
            Method::GET,
            "/events/{id}/proposals/{proposal}/edit",
            get(proposals::edit_proposal),
        ),
        r(
            Method::POST,
            "/events/{id}/proposals/{proposal}/withdraw",
            post(proposals::withdraw_proposal),
        ),
        r(
            Method::POST,
            "/events/{id}/proposals/{proposal}/review",
            post(proposals::review_proposal),
        ),
        r(
            Method::POST,
            "/events/{id}/audience",
            post(setup::set_audience),
        ),
        r(Method::POST, "/events/{id}/rooms", post(setup::add_room)),
        r(
            Method::POST,
            "/events/{id}/rooms/{room}/remove",
            post(setup::remove_room),
        ),
        r(
            Method::POST,
            "/events/{id}/general",
            post(setup::add_general),
        ),
        r(
            Method::POST,
            "/events/{id}/general/{general}/remove",
            post(setup::remove_general),
        ),
        r(
            Method::POST,
            "/events/{id}/sections",
            post(proposals::add_section),
        ),
        r(
            Method::POST,
            "/events/{id}/sections/{section}/remove",
            post(proposals::remove_section),
        ),
        r(Method::GET, "/events/{id}/rank", get(events::rank_form)),
        r(Method::POST, "/events/{id}/rank", post(events::rank_submit)),
        r(Method::GET, "/events/{id}/schedule", get(events::schedule)),
        r(
            Method::GET,
            "/events/{id}/schedule.ics",
            get(events::schedule_ics),
        ),
        r(Method::POST, "/calendar-feed", post(events::new_feed)),
        r(Method::GET, "/calendar/{token}", get(events::feed)),
        r(
            Method::POST,
            "/events/{id}/sections/{section}/follow-up",
            post(groups::create_follow_up),
        ),
        r(Method::GET, "/frameworks", get(frameworks::frameworks)),
        r(
            Method::POST,
            "/frameworks",
            post(frameworks::import).layer(upload_limit),
        ),
        r(Method::GET, "/frameworks/new", get(frameworks::new_form)),
        r(Method::POST, "/frameworks/new", post(frameworks::create)),
        r(Method::GET, "/frameworks/{id}", get(frameworks::framework)),
        r(
            Method::GET,
            "/frameworks/{id}/case.json",
            get(frameworks::export),
        ),
        r(
            Method::GET,
            "/frameworks/{id}/edit",
            get(frameworks::edit_form),
        ),
        r(
            Method::POST,
            "/frameworks/{id}/edit",
            post(frameworks::edit),
        ),
        r(Method::GET, "/goals", get(goals::goals)),
        r(Method::POST, "/goals", post(goals::create)),
        r(Method::POST, "/goals/{id}/remove", post(goals::remove)),
        r(Method::GET, "/growth", get(growth::mine)),
        r(Method::GET, "/growth/caseload", get(growth::caseload)),
        r(Method::GET, "/growth/school", get(growth::school)),
        r(
            Method::GET,
            "/growth/recommendations",
            get(recommend::recommendations),
        ),
        r(Method::GET, "/students", get(students::index)),
        r(Method::GET, "/students/classes/{id}", get(students::class)),
        r(
            Method::GET,
            "/students/classes/{id}/students/{student}",
            get(students::student),
        ),
        r(Method::GET, "/students/orgs/{id}", get(students::org)),
        r(Method::GET, "/orgs/{id}/audit", get(admin::district_audit)),
        r(
            Method::GET,
            "/orgs/{id}/audit.csv",
            get(admin::district_audit_csv),
        ),
        r(Method::GET, "/growth/people/{id}", get(growth::person)),
        r(Method::GET, "/growth/goals/new", get(growth::new_goal)),
        r(Method::POST, "/growth/goals", post(growth::create_goal)),
        r(Method::GET, "/growth/goals/{id}", get(growth::goal)),
        r(
            Method::GET,
            "/growth/goals/{id}/edit",
            get(growth::edit_form),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/edit",
            post(growth::edit_goal),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/submit",
            post(growth::submit),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/comments",
            post(growth::comment),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/agree",
            post(growth::agree),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/close",
            post(growth::close),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/check-ins/{check_in}",
            post(growth::record_check_in),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/ratings",
            post(growth::rate),
        ),
        r(
            Method::POST,
            "/growth/ratings/{id}/confirm",
            post(growth::confirm),
        ),
        r(
            Method::POST,
            "/growth/evidence",
            post(growth::add_evidence).layer(upload_limit),
        ),
        r(
            Method::GET,
            "/growth/evidence/{id}/file",
            get(growth::evidence_file),
        ),
        r(
            Method::POST,
            "/notifications/read",
            post(growth::read_notifications),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/share",
            post(showcase::share),
        ),
        r(
            Method::POST,
            "/growth/goals/{id}/students",
            post(targets::set),
        ),
        r(Method::GET, "/showcase", get(showcase::showcase)),
        r(Method::GET, "/showcase/{id}", get(showcase::story)),
        r(
            Method::POST,
            "/showcase/{id}/comments",
            post(showcase::comment),
        ),
        r(
            Method::POST,
            "/showcase/{id}/unshare",
            post(showcase::unshare),
        ),
        r(Method::GET, "/groups", get(groups::groups)),
        r(Method::GET, "/groups/{id}", get(groups::group)),
        r(Method::POST, "/groups/{id}/answer", post(groups::answer)),
        r(Method::GET, "/groups/{id}/students", get(team::students)),
        r(Method::GET, "/settings", get(settings::settings)),
        r(
            Method::POST,
            "/settings/password",
            post(settings::change_password),
        ),
        r(
            Method::POST,
            "/settings/tokens",
            post(settings::create_token),
        ),
        r(
            Method::POST,
            "/settings/tokens/{id}/revoke",
            post(settings::revoke_token),
        ),
        r(Method::GET, "/admin/imports", get(admin::imports)),
        r(
            Method::POST,
            "/admin/imports",
            post(admin::upload).layer(upload_limit),
        ),
        r(Method::GET, "/admin/imports/{id}", get(admin::import)),
        r(Method::GET, "/admin/assessments", get(admin::assessments)),
        r(
            Method::POST,
            "/admin/assessments",
            post(admin::import_assessments).layer(upload_limit),
        ),
        r(Method::GET, "/admin/mail", get(admin::mail)),
        r(Method::POST, "/admin/mail", post(admin::save_mail)),
        r(Method::POST, "/admin/mail/test", post(admin::test_mail)),
        r(Method::GET, "/admin/users", get(admin::accounts)),
        r(Method::GET, "/admin/users/{id}", get(admin::account)),
        r(
            Method::POST,
            "/admin/users/{id}/grants",
            post(admin::add_grant),
        ),
        r(
            Method::POST,
            "/admin/users/{id}/grants/remove",
            post(admin::remove_grant),
        ),
        r(
            Method::POST,
            "/admin/users/{id}/reset-link",
            post(admin::reset_link),
        ),
        r(Method::GET, "/admin/audit", get(admin::audit)),
        r(Method::GET, "/admin/audit.csv", get(admin::audit_csv)),
        r(Method::GET, "/api/v1/openapi.json", get(api::openapi)),
        r(Method::GET, "/api/v1/me", get(api::me)),
        r(Method::GET, "/api/v1/orgs", get(api::orgs)),
        r(Method::GET, "/api/v1/orgs/{id}", get(api::org)),
        r(
            Method::GET,
            "/api/v1/orgs/{id}/classes",
            get(api::org_classes),
        ),
        r(Method::GET, "/api/v1/classes/{id}", get(api::class)),
        r(
            Method::GET,
            "/api/v1/classes/{id}/students",
            get(api::class_students),
        ),
        r(Method::GET, "/api/v1/people", get(api::people)),
        r(Method::GET, "/api/v1/people/{id}", get(api::person)),
        r(Method::GET, "/api/v1/imports", get(api::imports)),
        r(
            Method::POST,
            "/api/v1/imports",
            post(api::create_import).layer(upload_limit),
        ),
        r(Method::GET, "/api/v1/imports/{id}", get(api::import)),
        r(Method::GET, "/api/v1/events", get(api::events)),
        r(Method::GET, "/api/v1/growth/goals", get(growth_api::goals)),
        r(
            Method::POST,
            "/api/v1/growth/goals",
            post(growth_api::create_goal),
        ),
        r(
            Method::GET,
            "/api/v1/growth/goals/{id}",
            get(growth_api::goal),
        ),
        r(
            Method::POST,
            "/api/v1/growth/goals/{id}/comments",
            post(growth_api::comment),
        ),
        r(
            Method::POST,
            "/api/v1/growth/goals/{id}/agree",
            post(growth_api::agree),
        ),
        r(
            Method::GET,
            "/api/v1/growth/people/{id}/ratings",
            get(growth_api::ratings),
        ),
        r(
            Method::GET,
            "/api/v1/notifications",
            get(growth_api::notifications),
        ),
        r(Method::GET, "/api/v1/frameworks", get(api::frameworks)),
        r(Method::GET, "/api/v1/frameworks/{id}", get(api::framework)),
        r(Method::GET, "/api/v1/goals", get(api::goals)),
        r(
            Method::GET,
            "/api/v1/events/{id}/ranking",
            get(api::ranking),
        ),
        r(
            Method::PUT,
            "/api/v1/events/{id}/ranking",
            put(api::save_ranking),
        ),
        r(Method::GET, "/static/app.css", get(assets::css)),
        r(Method::GET, "/static/app.js", get(assets::js)),
        r(Method::GET, "/static/logo.svg", get(assets::logo)),
        r(Method::GET, "/healthz", get(assets::healthz)),
        r(Method::GET, "/readyz", get(assets::readyz)),
    ]
}

/// Builds the router with every middleware, outermost first: request id,
/// tracing, security headers, sign-in and CSRF.
pub fn build(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for route in table(&state) {
        router = router.route(route.path, route.handler);
    }
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
        let id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        // Reset links and calendar feeds carry a secret in the path; it never reaches the logs.
        let path = req.uri().path();
        let path = if path.starts_with("/reset/") {
            "/reset/{token}"
        } else if path.starts_with("/calendar/") {
            "/calendar/{token}"
        } else {
            path
        };
        tracing::info_span!("request", method = %req.method(), path = %path, request_id = id)
    });
    router
        .fallback(|| async { crate::error::WebError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session_and_csrf,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RequestIds::default()))
        // Request ids end up in audit rows: only ours are trusted.
        .layer(axum::middleware::map_request(
            |mut req: Request<axum::body::Body>| async move {
                req.headers_mut().remove("x-request-id");
                req
            },
        ))
        .with_state(state)
}
