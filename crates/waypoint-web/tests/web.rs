//! The web product, end to end through the real router and a real store:
//! the authorization table over every route, sign-in and sessions, CSRF,
//! security headers, audited rosters, the API and roster imports.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use axum::http::{Method, StatusCode};
use support::{App, Backend, Client, PASSWORD, app, app_with, fixtures, zip_dir};
use waypoint_domain::{PersonId, Role, Scope};
use waypoint_store::{NewImport, SessionRecord};
use waypoint_web::WebConfig;

on_both_backends!(
    every_route_answers_every_role_as_the_policy_says,
    sign_in_rotates_the_session_and_sign_out_ends_it,
    failed_sign_ins_lock_the_account_for_a_while,
    idle_and_expired_sessions_end,
    state_changes_need_the_csrf_token,
    every_response_carries_security_headers,
    roster_views_are_audited,
    api_tokens_work_without_cookies_and_can_be_revoked,
    password_reset_link_works_once,
    uploaded_roster_is_imported_by_a_background_job,
    fixture_packages_import_or_are_refused_with_locations,
    corrupted_packages_change_nothing,
    a_pd_day_runs_from_programme_to_calendar,
    a_window_closes_by_itself_and_queues_the_assignment,
    a_call_for_proposals_fills_the_programme,
    a_days_audience_rooms_and_general_sessions,
    case_packages_import_or_are_refused_with_locations,
    district_and_school_goals_are_set_by_their_leaders,
    rankings_through_the_api_follow_the_form_rules,
    a_goal_is_co_constructed_and_private_to_its_school,
    a_framework_written_here_keeps_its_items_and_exports_as_case,
);

/// A response's JSON body.
fn json(r: &support::Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// Who asks, in the order the table lists expectations.
const ACTORS: [&str; 8] = [
    "anonymous",
    "educator",
    "principal",
    "coach",
    "district",
    "regional",
    "admin",
    "outsider",
];

struct Fixture {
    own_class: i64,
    /// A student of `own_class`.
    own_student: i64,
    region: i64,
    sibling_class: i64,
    far_class: i64,
    school: i64,
    far_school: i64,
    district: i64,
    colleague: i64,
    outsider: i64,
    educator: i64,
    import: i64,
    reset_token: String,
    educator_token: i64,
    event: i64,
    /// A competency framework.
    framework: i64,
    /// A goal of the educator's school.
    goal: i64,
    /// A learning group of the district led by the coach, the educator invited.
    group: i64,
    /// A proposal for `event` by the coach, waiting for review.
    proposal: i64,
    /// A proposal for `event` by the coach, declined.
    decided_proposal: i64,
    /// A section of `event` led by the coach.
    section: i64,
    /// The slot of `event`.
    slot: i64,
    /// The educator's goal, agreed with the coach and under way.
    plan: PlanFixture,
}

/// The educator's growth plan: a goal, its evidence with a file, its open
/// check-in and a self-assessed rating.
struct PlanFixture {
    goal: i64,
    evidence: i64,
    check_in: i64,
    rating: i64,
    /// The goal's story, shared to the educator's school.
    story: i64,
}

/// An agreed goal of `owner`, reviewed by `reviewer`, with a file as evidence.
async fn fixture_plan(
    s: &std::sync::Arc<dyn waypoint_store::Store>,
    owner: PersonId,
    reviewer: PersonId,
) -> PlanFixture {
    use waypoint_domain::growth::{EvidenceKind, GoalText, RatingKind};
    let (framework, _) = s
        .save_framework(&waypoint_store::NewFramework {
            identifier: "e0000000-0000-0000-0000-000000000000".into(),
            uri: "http://x/e0".into(),
            title: "Practice".into(),
            case_version: "1.0".into(),
            source: "fixture.json".into(),
            now: 1,
            items: vec![waypoint_store::NewFrameworkItem {
                identifier: "e1".into(),
                uri: "http://x/e1".into(),
                code: "1".into(),
                statement: "Discussion".into(),
                ..waypoint_store::NewFrameworkItem::default()
            }],
            ..waypoint_store::NewFramework::default()
        })
        .await
        .unwrap();
    let item = s.framework_items(framework).await.unwrap()[0].id;
    let goal = s
        .create_personal_goal(&waypoint_store::NewPersonalGoal {
            owner,
            year: waypoint_domain::goals::SchoolYear::starting(2026),
            system_goal: None,
            text: GoalText::new("How can I?", "A", "B", "", "Try", "", "").unwrap(),
            competencies: vec![item],
            cadence_days: 21,
            carried_from: None,
            now: 1,
        })
        .await
        .unwrap();
    s.submit_personal_goal(goal, reviewer, 2).await.unwrap();
    s.agree_personal_goal(goal, reviewer, "2000-01-01", 3)
        .await
        .unwrap();
    let evidence = s
        .add_evidence(&waypoint_store::NewEvidence {
            goal,
            kind: EvidenceKind::Artifact,
            title: "Plan".into(),
            body: String::new(),
            link: None,
            file: Some(waypoint_store::EvidenceFile {
                name: "plan.txt".into(),
                content_type: "text/plain; charset=utf-8".into(),
                bytes: b"the plan".to_vec(),
            }),
            competencies: vec![item],
            by: owner,
            now: 4,
        })
        .await
        .unwrap();
    let check_in = s.check_ins(goal).await.unwrap()[0].id;
    let rating = s
        .rate_competency(&waypoint_store::NewRating {
            person: owner,
            item,
            goal: Some(goal),
            kind: RatingKind::SelfAssessed,
            level: 2,
            note: String::new(),
            evidence: None,
            by: owner,
            now: 5,
        })
        .await
        .unwrap();
    let school = s
        .staff(owner)
        .await
        .unwrap()
        .unwrap()
        .placements
        .iter()
        .find_map(|p| p.school)
        .unwrap();
    let story = s
        .share_story(&waypoint_store::NewStory {
            goal,
            org: school,
            what_tried: "Talk moves".into(),
            evidence: vec![evidence],
            now: 6,
        })
        .await
        .unwrap();
    PlanFixture {
        goal,
        evidence,
        check_in,
        rating,
        story,
    }
}

async fn fixture(app: &App) -> Fixture {
    let s = &app.store;
    let educator = app.person(Role::Educator).await;
    let coach = app.person(Role::Coach).await;
    let own_class = s.classes_taught_by(educator).await.unwrap()[0].id;
    let school = s
        .class(own_class)
        .await
        .unwrap()
        .unwrap()
        .placement
        .school
        .unwrap();
    let district = s.org_by_sourced_id("org-d1").await.unwrap().unwrap();
    let sibling_school = s
        .child_orgs(district)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.org.id != school && c.classes > 0)
        .unwrap()
        .org
        .id;
    let sibling_class = s.classes_of_school(sibling_school).await.unwrap()[0].id;
    let far_district = s.org_by_sourced_id("org-d2").await.unwrap().unwrap();
    let far_school = s.child_orgs(far_district).await.unwrap()[0].org.id;
    let far_class = s.classes_of_school(far_school).await.unwrap()[0].id;
    // The outsider is the principal of a school in another district.
    let far_staff = s
        .search_staff(
            &waypoint_domain::StaffVisibility::Within {
                districts: vec![],
                schools: vec![far_school],
            },
            PersonId::new(0),
            "",
            waypoint_store::PageRequest::first(100),
        )
        .await
        .unwrap();
    let outsider = far_staff
        .items
        .iter()
        .find(|p| p.roster_role == "principal")
        .unwrap()
        .id;
    app.give_password(outsider).await;
    let import = s
        .create_import(&NewImport {
            kind: "oneroster".into(),
            source: "x.zip".into(),
            requested_by: None,
            started_at: 1,
        })
        .await
        .unwrap();
    let reset_token = waypoint_web::auth::random_token();
    s.create_reset_token(
        outsider,
        &waypoint_web::auth::token_hash(&reset_token),
        i64::MAX,
    )
    .await
    .unwrap();
    let educator_token = s
        .create_api_token(educator, "t", "hash-of-nothing", 1)
        .await
        .unwrap();
    let (event, proposal, decided_proposal) = fixture_event(s, district, coach).await;
    let programme = s
        .programme(waypoint_domain::EventId::new(event))
        .await
        .unwrap();
    let section = programme
        .sections
        .iter()
        .find(|x| x.code == "A1")
        .unwrap()
        .id
        .get();
    let group = s
        .create_group(&waypoint_store::NewGroup {
            org: district,
            kind: waypoint_domain::group::GroupKind::Plc,
            title: "Fractions PLC".into(),
            description: String::new(),
            from_section: Some(waypoint_domain::SectionId::new(section)),
            created_by: coach,
            leads: vec![coach],
            invite: vec![educator],
            now: 1,
        })
        .await
        .unwrap()
        .get();
    let (framework, _) = s
        .save_framework(&waypoint_store::NewFramework {
            identifier: "d0000000-0000-0000-0000-000000000000".into(),
            uri: "http://x/d0".into(),
            title: "Fixture framework".into(),
            case_version: "1.0".into(),
            source: "fixture.json".into(),
            now: 1,
            ..waypoint_store::NewFramework::default()
        })
        .await
        .unwrap();
    let goal = s
        .create_system_goal(&waypoint_store::NewSystemGoal {
            org: waypoint_domain::OrgId::new(school.get()),
            year: waypoint_domain::goals::SchoolYear::starting(2026),
            text: waypoint_domain::goals::SystemGoalText::new("Read", "Benchmark", "80%", "")
                .unwrap(),
            aligned_to: None,
            results: None,
            by: coach,
            now: 1,
        })
        .await
        .unwrap();
    let plan = fixture_plan(s, educator, coach).await;
    let own_student = s
        .class_students(
            own_class,
            &waypoint_store::AuditEntry {
                actor: educator,
                role: "educator".into(),
                scope: String::new(),
                subject: "fixture".into(),
                route: "fixture".into(),
                request_id: "fixture".into(),
                at: 1,
            },
        )
        .await
        .unwrap()[0]
        .id
        .get();
    let region = s
        .org(district)
        .await
        .unwrap()
        .unwrap()
        .placement
        .region
        .unwrap()
        .get();
    Fixture {
        own_student,
        region,
        plan,
        goal,
        framework,
        group,
        event,
        proposal,
        decided_proposal,
        section,
        slot: programme.slots[0].id.get(),
        own_class: own_class.get(),
        sibling_class: sibling_class.get(),
        far_class: far_class.get(),
        school: school.get(),
        far_school: far_school.get(),
        district: district.get(),
        colleague: coach.get(),
        outsider: outsider.get(),
        educator: educator.get(),
        import,
        reset_token,
        educator_token,
    }
}

/// A PD day of the fixture's district, open for ranking, led in part by `lead`.
async fn fixture_event(
    s: &std::sync::Arc<dyn waypoint_store::Store>,
    district: waypoint_domain::OrgId,
    lead: PersonId,
) -> (i64, i64, i64) {
    use waypoint_domain::pdday::EventState;
    use waypoint_store::{NewCourse, NewEvent, NewProgramme, NewSection, NewSlot};
    let id = s
        .create_event(&NewEvent {
            org: district,
            title: "Fixture PD day".into(),
            day: "2030-03-12".into(),
            timezone: "America/Chicago".into(),
            venue: "Central High School".into(),
            ranks: 3,
            window: None,
            created_by: lead,
            now: 1,
        })
        .await
        .unwrap();
    let course = |code: &str| NewCourse {
        code: code.into(),
        title: format!("Session {code}"),
        ..NewCourse::default()
    };
    s.replace_programme(
        id,
        &NewProgramme {
            slots: vec![NewSlot {
                label: "Slot 1".into(),
                starts_at: 1_900_000_000_000,
                ends_at: 1_900_002_700_000,
            }],
            courses: vec![course("A"), course("B")],
            sections: vec![
                NewSection {
                    code: "A1".into(),
                    course: "A".into(),
                    slot: "Slot 1".into(),
                    room: "101".into(),
                    capacity: 500,
                    facilitators: vec![lead],
                },
                NewSection {
                    code: "B1".into(),
                    course: "B".into(),
                    slot: "Slot 1".into(),
                    room: "102".into(),
                    capacity: 500,
                    facilitators: vec![],
                },
            ],
        },
    )
    .await
    .unwrap();
    // Two proposals by the lead: one waiting for review, one declined.
    assert!(
        s.move_event(id, EventState::Setup, EventState::Proposals, 1)
            .await
            .unwrap()
    );
    let propose = |title: &str| waypoint_store::NewProposal {
        event: id,
        proposer: lead,
        text: waypoint_domain::pdday::ProposalText::new(title, "What we will do.", "", "", "")
            .unwrap(),
        leads: vec![],
        slots: vec![],
        now: 1,
    };
    let waiting = s.submit_proposal(&propose("Waiting")).await.unwrap();
    let declined = s.submit_proposal(&propose("Declined")).await.unwrap();
    s.review_proposal(
        declined,
        waypoint_domain::pdday::Review::Decline,
        "Not this time.",
        lead,
        1,
    )
    .await
    .unwrap();
    s.set_window(id, 1, i64::MAX / 2, 1).await.unwrap();
    assert!(
        s.move_event(id, EventState::Proposals, EventState::Preferences, 1)
            .await
            .unwrap()
    );
    (id.get(), waiting.get(), declined.get())
}

enum Body {
    None,
    Form(Vec<(String, String)>),
    /// A multipart form (without a file).
    Multipart(Vec<(String, String)>),
    Upload,
    Zip,
    Json(&'static str),
}

struct Case {
    method: Method,
    pattern: &'static str,
    path: String,
    body: Body,
    expect: [u16; 8],
}

fn case(method: Method, pattern: &'static str, path: String, body: Body, expect: [u16; 8]) -> Case {
    Case {
        method,
        pattern,
        path,
        body,
        expect,
    }
}

fn form(fields: &[(&str, &str)]) -> Body {
    Body::Form(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

/// Every route × every actor. Pages send anonymous people to sign in (303),
/// the API answers them 401; anything out of scope is 404, exactly like a
/// missing object.
fn table(f: &Fixture) -> Vec<Case> {
    use Method as M;
    let page_all = [303, 200, 200, 200, 200, 200, 200, 200];
    let api_all = [401, 200, 200, 200, 200, 200, 200, 200];
    let admin_page = [303, 404, 404, 404, 404, 404, 200, 404];
    let admin_api = [401, 404, 404, 404, 404, 404, 200, 404];
    let everyone = [200; 8];
    let grant = form(&[("role", "coach"), ("scope", &format!("org:{}", f.school))]);
    vec![
        case(M::GET, "/", "/".into(), Body::None, [303; 8]),
        case(
            M::GET,
            "/sign-in",
            "/sign-in".into(),
            Body::None,
            [200, 303, 303, 303, 303, 303, 303, 303],
        ),
        case(
            M::POST,
            "/sign-in",
            "/sign-in".into(),
            form(&[("username", "nobody"), ("password", "wrong")]),
            everyone,
        ),
        case(
            M::GET,
            "/reset/{token}",
            format!("/reset/{}", f.reset_token),
            Body::None,
            everyone,
        ),
        case(
            M::POST,
            "/reset/{token}",
            "/reset/not-a-token".into(),
            form(&[("password", "x"), ("confirm", "x")]),
            [404; 8],
        ),
        case(M::GET, "/home", "/home".into(), Body::None, page_all),
        case(M::GET, "/people", "/people".into(), Body::None, page_all),
        case(
            M::GET,
            "/people/{id}",
            format!("/people/{}", f.colleague),
            Body::None,
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/people/{id}",
            format!("/people/{}", f.outsider),
            Body::None,
            [303, 404, 404, 404, 404, 404, 200, 200],
        ),
        case(
            M::GET,
            "/orgs/{id}",
            format!("/orgs/{}", f.school),
            Body::None,
            [303, 200, 200, 200, 200, 200, 200, 404],
        ),
        case(
            M::GET,
            "/orgs/{id}",
            format!("/orgs/{}", f.far_school),
            Body::None,
            [303, 404, 404, 404, 404, 200, 200, 200],
        ),
        case(
            M::GET,
            "/orgs/{id}",
            format!("/orgs/{}", f.district),
            Body::None,
            [303, 404, 404, 404, 200, 200, 200, 404],
        ),
        case(
            M::GET,
            "/orgs/{id}",
            "/orgs/999999".into(),
            Body::None,
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::GET,
            "/classes/{id}",
            format!("/classes/{}", f.own_class),
            Body::None,
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/classes/{id}",
            format!("/classes/{}", f.sibling_class),
            Body::None,
            [303, 404, 404, 404, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/classes/{id}",
            format!("/classes/{}", f.far_class),
            Body::None,
            [303, 404, 404, 404, 404, 404, 200, 200],
        ),
        case(
            M::GET,
            "/students",
            "/students".into(),
            Body::None,
            page_all,
        ),
        case(
            M::GET,
            "/growth/recommendations",
            "/growth/recommendations".into(),
            Body::None,
            page_all,
        ),
        case(
            M::GET,
            "/orgs/{id}/audit",
            format!("/orgs/{}/audit", f.district),
            Body::None,
            [303, 404, 404, 404, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/orgs/{id}/audit",
            format!("/orgs/{}/audit", f.school),
            Body::None,
            [303, 404, 404, 404, 404, 404, 200, 404],
        ),
        case(
            M::GET,
            "/orgs/{id}/audit.csv",
            format!("/orgs/{}/audit.csv", f.district),
            Body::None,
            [303, 404, 404, 404, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/students/classes/{id}",
            format!("/students/classes/{}", f.own_class),
            Body::None,
            [303, 200, 200, 404, 404, 404, 200, 404],
        ),
        case(
            M::GET,
            "/students/classes/{id}",
            format!("/students/classes/{}", f.sibling_class),
            Body::None,
            [303, 404, 404, 404, 404, 404, 200, 404],
        ),
        case(
            M::GET,
            "/students/classes/{id}",
            format!("/students/classes/{}", f.far_class),
            Body::None,
            [303, 404, 404, 404, 404, 404, 200, 200],
        ),
        case(
            M::GET,
            "/students/classes/{id}/students/{student}",
            format!(
                "/students/classes/{}/students/{}",
                f.own_class, f.own_student
            ),
            Body::None,
            [303, 200, 200, 404, 404, 404, 200, 404],
        ),
        case(
            M::GET,
            "/students/classes/{id}/students/{student}",
            format!(
                "/students/classes/{}/students/{}",
                f.far_class, f.own_student
            ),
            Body::None,
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::GET,
            "/students/orgs/{id}",
            format!("/students/orgs/{}", f.school),
            Body::None,
            [303, 404, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/students/orgs/{id}",
            format!("/students/orgs/{}", f.far_school),
            Body::None,
            [303, 404, 404, 404, 404, 404, 200, 200],
        ),
        case(
            M::GET,
            "/students/orgs/{id}",
            format!("/students/orgs/{}", f.district),
            Body::None,
            [303, 404, 404, 404, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/students/orgs/{id}",
            format!("/students/orgs/{}", f.region),
            Body::None,
            [303, 404, 404, 404, 404, 200, 200, 404],
        ),
        case(M::GET, "/events", "/events".into(), Body::None, page_all),
        case(
            M::POST,
            "/calendar-feed",
            "/calendar-feed".into(),
            form(&[]),
            page_all,
        ),
        case(
            M::GET,
            "/calendar/{token}",
            "/calendar/not-a-token.ics".into(),
            Body::None,
            [404; 8],
        ),
        case(
            M::POST,
            "/events",
            "/events".into(),
            Body::Upload,
            [303, 404, 404, 404, 422, 404, 422, 404],
        ),
        case(
            M::GET,
            "/events/new",
            "/events/new".into(),
            Body::None,
            [303, 404, 404, 404, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/events/{id}",
            format!("/events/{}", f.event),
            Body::None,
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::POST,
            "/events/{id}/state",
            format!("/events/{}/state", f.event),
            form(&[("to", "setup")]),
            [303, 404, 404, 404, 409, 404, 409, 404],
        ),
        case(
            M::POST,
            "/events/{id}/assign",
            format!("/events/{}/assign", f.event),
            form(&[]),
            [303, 404, 404, 404, 409, 404, 409, 404],
        ),
        case(
            M::POST,
            "/events/{id}/move",
            format!("/events/{}/move", f.event),
            form(&[("person", "nobody"), ("section", "1")]),
            [303, 404, 404, 404, 409, 404, 409, 404],
        ),
        case(
            M::GET,
            "/events/{id}/slots/{slot}/change",
            format!("/events/{}/slots/{}/change", f.event, f.slot),
            Body::None,
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/seat",
            format!("/events/{}/seat", f.event),
            form(&[("section", "1")]),
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/late",
            format!("/events/{}/late", f.event),
            form(&[]),
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/waitlist",
            format!("/events/{}/waitlist", f.event),
            form(&[("section", "1")]),
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/waitlist/leave",
            format!("/events/{}/waitlist/leave", f.event),
            form(&[("section", "1")]),
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/sections/{section}/attendance",
            format!("/events/{}/sections/{}/attendance", f.event, f.section),
            form(&[("person", "1"), ("present", "1")]),
            [303, 404, 404, 409, 409, 404, 409, 404],
        ),
        case(
            M::POST,
            "/events/{id}/sections/{section}/code",
            format!("/events/{}/sections/{}/code", f.event, f.section),
            form(&[]),
            [303, 404, 404, 303, 303, 404, 303, 404],
        ),
        case(
            M::GET,
            "/events/{id}/sections/{section}/feedback",
            format!("/events/{}/sections/{}/feedback", f.event, f.section),
            Body::None,
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/sections/{section}/feedback",
            format!("/events/{}/sections/{}/feedback", f.event, f.section),
            form(&[("relevant", "5"), ("well_run", "5"), ("will_use", "5")]),
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/checkin",
            format!("/events/{}/checkin", f.event),
            form(&[("code", "X")]),
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::GET,
            "/events/{id}/sections/{section}/roster",
            format!("/events/{}/sections/{}/roster", f.event, f.section),
            Body::None,
            [303, 404, 404, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/events/{id}/sections/{section}/roster.csv",
            format!("/events/{}/sections/{}/roster.csv", f.event, f.section),
            Body::None,
            [303, 404, 404, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/events/{id}/proposals",
            format!("/events/{}/proposals", f.event),
            Body::None,
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        // Proposals are closed for the fixture's day: its audience is told so.
        case(
            M::POST,
            "/events/{id}/proposals",
            format!("/events/{}/proposals", f.event),
            form(&[("title", "T"), ("description", "D")]),
            [303, 409, 409, 409, 409, 404, 409, 404],
        ),
        case(
            M::GET,
            "/events/{id}/proposals/new",
            format!("/events/{}/proposals/new", f.event),
            Body::None,
            [303, 409, 409, 409, 409, 404, 409, 404],
        ),
        // A proposal is read by its author (the coach) and the day's managers.
        case(
            M::GET,
            "/events/{id}/proposals/{proposal}",
            format!("/events/{}/proposals/{}", f.event, f.proposal),
            Body::None,
            [303, 404, 404, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/events/{id}/proposals/{proposal}/edit",
            format!("/events/{}/proposals/{}/edit", f.event, f.proposal),
            Body::None,
            [303, 404, 404, 200, 409, 404, 409, 404],
        ),
        case(
            M::POST,
            "/events/{id}/proposals/{proposal}",
            format!("/events/{}/proposals/{}", f.event, f.proposal),
            form(&[("title", "Waiting"), ("description", "What we will do.")]),
            [303, 404, 404, 303, 409, 404, 409, 404],
        ),
        case(
            M::POST,
            "/events/{id}/proposals/{proposal}/withdraw",
            format!(
                "/events/{}/proposals/{}/withdraw",
                f.event, f.decided_proposal
            ),
            form(&[]),
            [303, 404, 404, 409, 409, 404, 409, 404],
        ),
        case(
            M::POST,
            "/events/{id}/proposals/{proposal}/review",
            format!(
                "/events/{}/proposals/{}/review",
                f.event, f.decided_proposal
            ),
            form(&[("decision", "accept")]),
            [303, 404, 404, 404, 409, 404, 409, 404],
        ),
        case(
            M::POST,
            "/events/{id}/audience",
            format!("/events/{}/audience", f.event),
            form(&[]),
            [303, 404, 404, 404, 303, 404, 303, 404],
        ),
        case(
            M::POST,
            "/events/{id}/rooms",
            format!("/events/{}/rooms", f.event),
            form(&[("name", "Gym"), ("capacity", "lots")]),
            [303, 404, 404, 404, 422, 404, 422, 404],
        ),
        case(
            M::POST,
            "/events/{id}/rooms/{room}/remove",
            format!("/events/{}/rooms/999999/remove", f.event),
            form(&[]),
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/general",
            format!("/events/{}/general", f.event),
            form(&[("title", "Opening"), ("starts", "9am"), ("ends", "10am")]),
            [303, 404, 404, 404, 422, 404, 422, 404],
        ),
        case(
            M::POST,
            "/events/{id}/general/{general}/remove",
            format!("/events/{}/general/999999/remove", f.event),
            form(&[]),
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/sections",
            format!("/events/{}/sections", f.event),
            form(&[
                ("course", "999999"),
                ("slot", &f.slot.to_string()),
                ("capacity", "20"),
            ]),
            [303, 404, 404, 404, 422, 404, 422, 404],
        ),
        case(
            M::POST,
            "/events/{id}/sections/{section}/remove",
            "/events/{}/sections/999999/remove".replace("{}", &f.event.to_string()),
            form(&[]),
            [303, 404, 404, 404, 422, 404, 422, 404],
        ),
        case(
            M::GET,
            "/events/{id}/rank",
            format!("/events/{}/rank", f.event),
            Body::None,
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::POST,
            "/events/{id}/rank",
            format!("/events/{}/rank", f.event),
            form(&[("choice", "")]),
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/events/{id}/schedule",
            format!("/events/{}/schedule", f.event),
            Body::None,
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::GET,
            "/events/{id}/schedule.ics",
            format!("/events/{}/schedule.ics", f.event),
            Body::None,
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::POST,
            "/events/{id}/sections/{section}/follow-up",
            format!("/events/{}/sections/{}/follow-up", f.event, f.section),
            form(&[("kind", "plc"), ("title", "A PLC")]),
            [303, 404, 404, 404, 409, 404, 409, 404],
        ),
        case(M::GET, "/goals", "/goals".into(), Body::None, page_all),
        case(
            M::GET,
            "/api/v1/goals",
            "/api/v1/goals".into(),
            Body::None,
            api_all,
        ),
        case(
            M::GET,
            "/api/v1/frameworks",
            "/api/v1/frameworks".into(),
            Body::None,
            api_all,
        ),
        case(
            M::GET,
            "/api/v1/frameworks/{id}",
            format!("/api/v1/frameworks/{}", f.framework),
            Body::None,
            api_all,
        ),
        // No school chosen: those who set goals somewhere hear so (the
        // outsider is a principal too), the rest find no such page.
        case(
            M::POST,
            "/goals",
            "/goals".into(),
            form(&[("org", ""), ("statement", "x")]),
            [303, 404, 422, 404, 422, 404, 422, 422],
        ),
        // The school's principal removes its goal; after that it is gone for everyone.
        case(
            M::POST,
            "/goals/{id}/remove",
            format!("/goals/{}/remove", f.goal),
            form(&[]),
            [303, 404, 303, 404, 404, 404, 404, 404],
        ),
        case(
            M::GET,
            "/frameworks/new",
            "/frameworks/new".into(),
            Body::None,
            [303, 404, 404, 404, 200, 404, 200, 404],
        ),
        case(
            M::POST,
            "/frameworks/new",
            "/frameworks/new".into(),
            form(&[("title", ""), ("outline", "x")]),
            [303, 404, 404, 404, 422, 404, 422, 404],
        ),
        case(
            M::GET,
            "/frameworks/{id}/case.json",
            format!("/frameworks/{}/case.json", f.framework),
            Body::None,
            page_all,
        ),
        // The fixture framework was imported, not written here.
        case(
            M::GET,
            "/frameworks/{id}/edit",
            format!("/frameworks/{}/edit", f.framework),
            Body::None,
            [303, 404, 404, 404, 409, 404, 409, 404],
        ),
        case(
            M::POST,
            "/frameworks/{id}/edit",
            format!("/frameworks/{}/edit", f.framework),
            form(&[("title", "Renamed"), ("outline", "1 | One")]),
            [303, 404, 404, 404, 409, 404, 409, 404],
        ),
        case(
            M::GET,
            "/admin/assessments",
            "/admin/assessments".into(),
            Body::None,
            admin_page,
        ),
        // The upload is a zip under another name: the administrator hears which file is wanted.
        case(
            M::POST,
            "/admin/assessments",
            "/admin/assessments".into(),
            Body::Upload,
            [303, 404, 404, 404, 404, 404, 422, 404],
        ),
        case(
            M::GET,
            "/admin/mail",
            "/admin/mail".into(),
            Body::None,
            admin_page,
        ),
        case(
            M::POST,
            "/admin/mail",
            "/admin/mail".into(),
            form(&[("host", ""), ("port", "x")]),
            [303, 404, 404, 404, 404, 404, 422, 404],
        ),
        // No relay saved yet: the administrator hears so.
        case(
            M::POST,
            "/admin/mail/test",
            "/admin/mail/test".into(),
            form(&[]),
            [303, 404, 404, 404, 404, 404, 409, 404],
        ),
        case(
            M::GET,
            "/frameworks",
            "/frameworks".into(),
            Body::None,
            page_all,
        ),
        // Growth plans. The educator's goal is theirs to write; their
        // coach (its reviewer) and principal co-construct it; the district
        // reads it; the region and another district's principal never see
        // it. Changes are probed with incomplete forms, so only those
        // allowed reach the check (422) and the goal stays as it is.
        case(M::GET, "/growth", "/growth".into(), Body::None, page_all),
        case(
            M::GET,
            "/growth/caseload",
            "/growth/caseload".into(),
            Body::None,
            [303, 404, 200, 200, 404, 404, 404, 200],
        ),
        case(
            M::GET,
            "/growth/school",
            "/growth/school".into(),
            Body::None,
            [303, 404, 200, 200, 200, 404, 200, 200],
        ),
        case(
            M::GET,
            "/growth/people/{id}",
            format!("/growth/people/{}", f.educator),
            Body::None,
            [303, 303, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/growth/goals/new",
            "/growth/goals/new".into(),
            Body::None,
            page_all,
        ),
        case(
            M::POST,
            "/growth/goals",
            "/growth/goals".into(),
            form(&[("inquiry", "")]),
            [303, 422, 422, 422, 422, 422, 422, 422],
        ),
        case(
            M::GET,
            "/growth/goals/{id}",
            format!("/growth/goals/{}", f.plan.goal),
            Body::None,
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/growth/goals/{id}/edit",
            format!("/growth/goals/{}/edit", f.plan.goal),
            Body::None,
            [303, 200, 403, 403, 403, 404, 403, 404],
        ),
        case(
            M::POST,
            "/growth/goals/{id}/edit",
            format!("/growth/goals/{}/edit", f.plan.goal),
            form(&[("inquiry", "")]),
            [303, 422, 403, 403, 403, 404, 403, 404],
        ),
        case(
            M::POST,
            "/growth/goals/{id}/submit",
            format!("/growth/goals/{}/submit", f.plan.goal),
            form(&[("reviewer", "")]),
            [303, 422, 403, 403, 403, 404, 403, 404],
        ),
        case(
            M::POST,
            "/growth/goals/{id}/comments",
            format!("/growth/goals/{}/comments", f.plan.goal),
            form(&[("body", " ")]),
            [303, 422, 422, 422, 403, 404, 422, 404],
        ),
        // Already agreed: those who may agree hear that it is not in review.
        case(
            M::POST,
            "/growth/goals/{id}/agree",
            format!("/growth/goals/{}/agree", f.plan.goal),
            form(&[]),
            [303, 403, 409, 409, 403, 404, 409, 404],
        ),
        case(
            M::POST,
            "/growth/goals/{id}/close",
            format!("/growth/goals/{}/close", f.plan.goal),
            form(&[("outcome", "")]),
            [303, 422, 403, 403, 403, 404, 403, 404],
        ),
        case(
            M::POST,
            "/growth/goals/{id}/check-ins/{check_in}",
            format!(
                "/growth/goals/{}/check-ins/{}",
                f.plan.goal, f.plan.check_in
            ),
            form(&[("held_on", "")]),
            [303, 422, 422, 422, 403, 404, 422, 404],
        ),
        case(
            M::POST,
            "/growth/goals/{id}/ratings",
            format!("/growth/goals/{}/ratings", f.plan.goal),
            form(&[("kind", "")]),
            [303, 422, 422, 422, 403, 404, 422, 404],
        ),
        // A self-assessment is not a claim: reviewers hear there is nothing to confirm.
        case(
            M::POST,
            "/growth/ratings/{id}/confirm",
            format!("/growth/ratings/{}/confirm", f.plan.rating),
            form(&[]),
            [303, 403, 409, 409, 403, 404, 409, 404],
        ),
        case(
            M::POST,
            "/growth/evidence",
            "/growth/evidence".into(),
            Body::Multipart(vec![
                ("goal".to_owned(), f.plan.goal.to_string()),
                ("kind".to_owned(), String::new()),
            ]),
            [303, 422, 422, 422, 403, 404, 422, 404],
        ),
        case(
            M::GET,
            "/growth/evidence/{id}/file",
            format!("/growth/evidence/{}/file", f.plan.evidence),
            Body::None,
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        // The story of the educator's goal, shared to their school: its
        // staff and the leaders above read it; only the educator shares or
        // takes it down (last, so the story is there for the cases before).
        case(
            M::GET,
            "/showcase",
            "/showcase".into(),
            Body::None,
            page_all,
        ),
        case(
            M::GET,
            "/showcase/{id}",
            format!("/showcase/{}", f.plan.story),
            Body::None,
            [303, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::POST,
            "/showcase/{id}/comments",
            format!("/showcase/{}/comments", f.plan.story),
            form(&[("body", " ")]),
            [303, 422, 422, 422, 422, 404, 422, 404],
        ),
        case(
            M::POST,
            "/growth/goals/{id}/share",
            format!("/growth/goals/{}/share", f.plan.goal),
            form(&[("org", ""), ("what_tried", "x")]),
            [303, 422, 403, 403, 403, 404, 403, 404],
        ),
        // Only the goal's educator names its students (one of their own
        // classes, a tested subject).
        case(
            M::POST,
            "/growth/goals/{id}/students",
            format!("/growth/goals/{}/students", f.plan.goal),
            form(&[
                ("class", &f.far_class.to_string()),
                ("subject", "Mathematics"),
                ("who", "all"),
            ]),
            [303, 422, 403, 403, 403, 404, 403, 404],
        ),
        case(
            M::POST,
            "/showcase/{id}/unshare",
            format!("/showcase/{}/unshare", f.plan.story),
            form(&[]),
            [303, 303, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::GET,
            "/api/v1/growth/goals",
            format!("/api/v1/growth/goals?person={}", f.educator),
            Body::None,
            [401, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::POST,
            "/api/v1/growth/goals",
            "/api/v1/growth/goals".into(),
            Body::Json(r#"{"inquiry": "How?"}"#),
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        case(
            M::GET,
            "/api/v1/growth/goals/{id}",
            format!("/api/v1/growth/goals/{}", f.plan.goal),
            Body::None,
            [401, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::POST,
            "/api/v1/growth/goals/{id}/comments",
            format!("/api/v1/growth/goals/{}/comments", f.plan.goal),
            Body::Json(r#"{"body": " "}"#),
            [401, 422, 422, 422, 403, 404, 422, 404],
        ),
        case(
            M::POST,
            "/api/v1/growth/goals/{id}/agree",
            format!("/api/v1/growth/goals/{}/agree", f.plan.goal),
            Body::Json("{}"),
            [401, 403, 409, 409, 403, 404, 409, 404],
        ),
        case(
            M::GET,
            "/api/v1/growth/people/{id}/ratings",
            format!("/api/v1/growth/people/{}/ratings", f.educator),
            Body::None,
            [401, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/api/v1/notifications",
            "/api/v1/notifications".into(),
            Body::None,
            api_all,
        ),
        case(
            M::POST,
            "/notifications/read",
            "/notifications/read".into(),
            form(&[]),
            [303, 303, 303, 303, 303, 303, 303, 303],
        ),
        // The upload is a zip, not a CASE package: those who may import hear so.
        case(
            M::POST,
            "/frameworks",
            "/frameworks".into(),
            Body::Upload,
            [303, 404, 404, 404, 422, 404, 422, 404],
        ),
        case(
            M::GET,
            "/frameworks/{id}",
            format!("/frameworks/{}", f.framework),
            Body::None,
            page_all,
        ),
        case(M::GET, "/groups", "/groups".into(), Body::None, page_all),
        // A group is seen by those invited to it and the district's PD managers.
        case(
            M::GET,
            "/groups/{id}",
            format!("/groups/{}", f.group),
            Body::None,
            [303, 200, 404, 200, 200, 404, 200, 404],
        ),
        // Its members' students are read by those who joined it (the coach
        // leads it; the educator is only invited), and administrators.
        case(
            M::GET,
            "/groups/{id}/students",
            format!("/groups/{}/students", f.group),
            Body::None,
            [303, 404, 404, 200, 404, 404, 200, 404],
        ),
        case(
            M::POST,
            "/groups/{id}/answer",
            format!("/groups/{}/answer", f.group),
            form(&[("answer", "join")]),
            [303, 303, 404, 409, 409, 404, 409, 404],
        ),
        case(
            M::GET,
            "/settings",
            "/settings".into(),
            Body::None,
            page_all,
        ),
        case(
            M::POST,
            "/settings/password",
            "/settings/password".into(),
            form(&[
                ("current", "wrong"),
                ("password", "a new password 1"),
                ("confirm", "a new password 1"),
            ]),
            page_all,
        ),
        case(
            M::POST,
            "/settings/tokens",
            "/settings/tokens".into(),
            form(&[("name", "script")]),
            page_all,
        ),
        case(
            M::POST,
            "/settings/tokens/{id}/revoke",
            format!("/settings/tokens/{}/revoke", f.educator_token),
            form(&[]),
            [303, 303, 404, 404, 404, 404, 404, 404],
        ),
        case(
            M::GET,
            "/admin/imports",
            "/admin/imports".into(),
            Body::None,
            admin_page,
        ),
        case(
            M::POST,
            "/admin/imports",
            "/admin/imports".into(),
            Body::Upload,
            [303, 404, 404, 404, 404, 404, 303, 404],
        ),
        case(
            M::GET,
            "/admin/imports/{id}",
            format!("/admin/imports/{}", f.import),
            Body::None,
            admin_page,
        ),
        case(
            M::GET,
            "/admin/users",
            "/admin/users".into(),
            Body::None,
            admin_page,
        ),
        case(
            M::GET,
            "/admin/users/{id}",
            format!("/admin/users/{}", f.educator),
            Body::None,
            admin_page,
        ),
        case(
            M::POST,
            "/admin/users/{id}/grants",
            format!("/admin/users/{}/grants", f.educator),
            grant,
            [303, 404, 404, 404, 404, 404, 303, 404],
        ),
        case(
            M::POST,
            "/admin/users/{id}/grants/remove",
            format!("/admin/users/{}/grants/remove", f.educator),
            form(&[
                ("role", "coach"),
                ("scope_kind", "school"),
                ("scope_id", &f.school.to_string()),
            ]),
            [303, 404, 404, 404, 404, 404, 303, 404],
        ),
        case(
            M::POST,
            "/admin/users/{id}/reset-link",
            format!("/admin/users/{}/reset-link", f.educator),
            form(&[]),
            admin_page,
        ),
        case(
            M::GET,
            "/admin/audit",
            "/admin/audit".into(),
            Body::None,
            admin_page,
        ),
        case(
            M::GET,
            "/admin/audit.csv",
            "/admin/audit.csv".into(),
            Body::None,
            admin_page,
        ),
        case(
            M::GET,
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".into(),
            Body::None,
            everyone,
        ),
        case(
            M::GET,
            "/api/v1/me",
            "/api/v1/me".into(),
            Body::None,
            api_all,
        ),
        case(
            M::GET,
            "/api/v1/orgs",
            "/api/v1/orgs".into(),
            Body::None,
            api_all,
        ),
        case(
            M::GET,
            "/api/v1/orgs/{id}",
            format!("/api/v1/orgs/{}", f.school),
            Body::None,
            [401, 200, 200, 200, 200, 200, 200, 404],
        ),
        case(
            M::GET,
            "/api/v1/orgs/{id}",
            format!("/api/v1/orgs/{}", f.far_school),
            Body::None,
            [401, 404, 404, 404, 404, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/v1/orgs/{id}/classes",
            format!("/api/v1/orgs/{}/classes", f.school),
            Body::None,
            [401, 404, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/api/v1/classes/{id}",
            format!("/api/v1/classes/{}", f.own_class),
            Body::None,
            [401, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/api/v1/classes/{id}",
            format!("/api/v1/classes/{}", f.far_class),
            Body::None,
            [401, 404, 404, 404, 404, 404, 200, 200],
        ),
        case(
            M::GET,
            "/api/v1/classes/{id}/students",
            format!("/api/v1/classes/{}/students", f.own_class),
            Body::None,
            [401, 200, 200, 404, 404, 404, 200, 404],
        ),
        case(
            M::GET,
            "/api/v1/people",
            "/api/v1/people".into(),
            Body::None,
            api_all,
        ),
        case(
            M::GET,
            "/api/v1/people/{id}",
            format!("/api/v1/people/{}", f.colleague),
            Body::None,
            [401, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/api/v1/imports",
            "/api/v1/imports".into(),
            Body::None,
            admin_api,
        ),
        case(
            M::POST,
            "/api/v1/imports",
            "/api/v1/imports".into(),
            Body::Zip,
            [401, 404, 404, 404, 404, 404, 202, 404],
        ),
        case(
            M::GET,
            "/api/v1/imports/{id}",
            format!("/api/v1/imports/{}", f.import),
            Body::None,
            admin_api,
        ),
        case(
            M::GET,
            "/api/v1/events",
            "/api/v1/events".into(),
            Body::None,
            api_all,
        ),
        case(
            M::GET,
            "/api/v1/events/{id}/ranking",
            format!("/api/v1/events/{}/ranking", f.event),
            Body::None,
            [401, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::PUT,
            "/api/v1/events/{id}/ranking",
            format!("/api/v1/events/{}/ranking", f.event),
            Body::Json(r#"{"choices": []}"#),
            [401, 200, 200, 200, 200, 404, 200, 404],
        ),
        case(
            M::GET,
            "/static/app.css",
            "/static/app.css".into(),
            Body::None,
            everyone,
        ),
        case(
            M::GET,
            "/static/app.js",
            "/static/app.js".into(),
            Body::None,
            everyone,
        ),
        case(
            M::GET,
            "/static/logo.svg",
            "/static/logo.svg".into(),
            Body::None,
            everyone,
        ),
        case(M::GET, "/healthz", "/healthz".into(), Body::None, everyone),
        case(M::GET, "/readyz", "/readyz".into(), Body::None, everyone),
        // Last: it ends each actor's session.
        case(
            M::POST,
            "/sign-out",
            "/sign-out".into(),
            form(&[]),
            [303; 8],
        ),
    ]
}

async fn actors(app: &App, f: &Fixture) -> Vec<Client> {
    let mut out = vec![app.client()];
    for role in [
        Role::Educator,
        Role::Principal,
        Role::Coach,
        Role::DistrictCoordinator,
        Role::RegionalCoordinator,
        Role::Administrator,
    ] {
        out.push(app.signed_in(&app.username(role)).await);
    }
    let outsider = app
        .store
        .account(PersonId::new(f.outsider))
        .await
        .unwrap()
        .unwrap();
    out.push(app.signed_in(&outsider.username).await);
    // The anonymous client needs the anonymous CSRF cookie a browser would have.
    out[0].get("/sign-in").await;
    out
}

async fn every_route_answers_every_role_as_the_policy_says(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let f = fixture(&app).await;
    let cases = table(&f);

    // A route added without a row here fails this test.
    let state =
        waypoint_web::AppState::new(std::sync::Arc::clone(&app.store), WebConfig::default());
    let mut missing = Vec::new();
    for route in waypoint_web::routes::table(&state) {
        if !cases
            .iter()
            .any(|c| c.method == route.method && c.pattern == route.path)
        {
            missing.push(format!("{} {}", route.method, route.path));
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an authorization-table entry: {missing:?}"
    );
    for c in &cases {
        assert!(
            waypoint_web::routes::table(&state)
                .iter()
                .any(|r| r.method == c.method && r.path == c.pattern),
            "table entry for a route that does not exist: {} {}",
            c.method,
            c.pattern
        );
    }

    let mut clients = actors(&app, &f).await;
    let tiny_zip = zip_dir(&fixtures().join("oneroster/edfi-lms-toolkit-grand-bend-v1p1"));
    let mut failures = Vec::new();
    for c in &cases {
        for (i, client) in clients.iter_mut().enumerate() {
            // Refresh the CSRF token from a page, as a browser would have it.
            if c.method != Method::GET {
                if i == 0 {
                    client.get("/sign-in").await;
                } else {
                    client.get("/settings").await;
                }
            }
            let r = match &c.body {
                Body::None => {
                    client
                        .send(
                            axum::http::Request::builder()
                                .method(c.method.clone())
                                .uri(&c.path)
                                .body(axum::body::Body::empty())
                                .unwrap(),
                        )
                        .await
                }
                Body::Form(fields) => {
                    let fields: Vec<(&str, &str)> = fields
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    client.post_form(&c.path, &fields).await
                }
                Body::Upload => client.post_upload(&c.path, &tiny_zip).await,
                Body::Multipart(fields) => {
                    let fields: Vec<(&str, &str)> = fields
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    client
                        .post_multipart(&c.path, &fields, ("file", "", b""))
                        .await
                }
                Body::Zip => client.post_bytes(&c.path, tiny_zip.clone()).await,
                Body::Json(json) => client.send_json(c.method.clone(), &c.path, json).await,
            };
            if r.status.as_u16() != c.expect[i] {
                failures.push(format!(
                    "{} {} as {}: expected {}, got {} ({})",
                    c.method,
                    c.path,
                    ACTORS[i],
                    c.expect[i],
                    r.status.as_u16(),
                    r.body.chars().take(160).collect::<String>()
                ));
            }
            if r.status == StatusCode::SEE_OTHER
                && c.expect[i] == 303
                && i == 0
                && c.path != "/"
                && c.path != "/sign-out"
            {
                assert!(
                    r.location().starts_with("/sign-in"),
                    "{} sends anonymous people to {}",
                    c.path,
                    r.location()
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn sign_in_rotates_the_session_and_sign_out_ends_it(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let username = app.username(Role::Principal);
    let mut c = app.client();
    let planted = "planted-session-id".to_owned();
    c.cookies.insert("waypoint_session".into(), planted.clone());
    let r = c.sign_in(&username, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/home");
    let set = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let session = set
        .iter()
        .find(|v| v.starts_with("waypoint_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    let id = c.cookies["waypoint_session"].clone();
    assert_ne!(id, planted);
    assert_eq!(id.len(), 64);
    assert_eq!(c.get("/home").await.status, StatusCode::OK);

    // Signing in again gives a new id and ends the old session.
    let mut again = app.client();
    again.cookies.insert("waypoint_session".into(), id.clone());
    again.get("/home").await;
    let r = again
        .post_form(
            "/sign-in",
            &[("username", &username), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_ne!(again.cookies["waypoint_session"], id);
    assert_eq!(
        c.get("/home").await.status,
        StatusCode::SEE_OTHER,
        "the old session is gone"
    );

    // The new session has its own CSRF token, picked up from the next page.
    assert_eq!(again.get("/home").await.status, StatusCode::OK);
    let r = again.post_form("/sign-out", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!again.cookies.contains_key("waypoint_session"));
    let r = again.get("/home").await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/sign-in")
    );

    // Changing the password ends every other session.
    let mut laptop = app.signed_in(&username).await;
    let mut phone = app.signed_in(&username).await;
    laptop.get("/settings").await;
    let new_password = "another long passphrase";
    let r = laptop
        .post_form(
            "/settings/password",
            &[
                ("current", PASSWORD),
                ("password", new_password),
                ("confirm", new_password),
            ],
        )
        .await;
    assert!(r.body.contains("Your password is changed"), "{}", r.body);
    assert_eq!(
        laptop.get("/home").await.status,
        StatusCode::OK,
        "this browser carries on"
    );
    assert_eq!(
        phone.get("/home").await.status,
        StatusCode::SEE_OTHER,
        "other sessions end"
    );

    // Someone sent to sign in comes back to where they were going.
    let mut visitor = app.client();
    let r = visitor.get("/people?q=a").await;
    assert_eq!(r.location(), "/sign-in?next=%2Fpeople%3Fq%3Da");

    // Secure cookies when configured for TLS.
    let Some(tls) = app_with(
        backend,
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    )
    .await
    else {
        return;
    };
    let mut c = tls.client();
    let r = c.sign_in(&tls.username(Role::Educator), PASSWORD).await;
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("waypoint_session="))
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

async fn failed_sign_ins_lock_the_account_for_a_while(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let username = app.username(Role::Educator);
    let mut c = app.client();
    for _ in 0..waypoint_web::auth::LOCK_AFTER_FAILURES {
        let r = c.sign_in(&username, "not the password").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("role=\"alert\""), "the error is announced");
        assert!(r.body.contains("do not match"));
        assert!(
            r.body.contains(&format!("value=\"{username}\"")),
            "the username is kept"
        );
    }
    // Now even the right password is refused until the pause runs out, with
    // the same words as any failure, so nobody learns the account exists.
    let r = c.sign_in(&username, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("do not match"), "{}", r.body);
    let paused = app
        .store
        .account_by_username(&username)
        .await
        .unwrap()
        .unwrap();
    assert!(
        paused
            .locked_until
            .is_some_and(|t| t > waypoint_web::now_ms())
    );
    // Unknown usernames get the same answer as wrong passwords.
    let r = c.sign_in("nobody@example.org", "whatever").await;
    assert!(r.body.contains("do not match"));
}

async fn idle_and_expired_sessions_end(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let person = app.person(Role::Educator).await;
    let now = waypoint_web::now_ms();
    for (name, created, seen) in [
        ("idle", now - 1_000, now - 3 * 3_600_000),
        ("old", now - 13 * 3_600_000, now - 1_000),
    ] {
        let id = format!("{name}-session");
        app.store
            .create_session(&SessionRecord {
                id_hash: waypoint_web::auth::token_hash(&id),
                person,
                csrf_token: "t".into(),
                created_at: created,
                last_seen_at: seen,
            })
            .await
            .unwrap();
        let mut c = app.client();
        c.cookies.insert("waypoint_session".into(), id.clone());
        let r = c.get("/home").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name} session must end");
        assert!(
            app.store
                .session(&waypoint_web::auth::token_hash(&id))
                .await
                .unwrap()
                .is_none()
        );
    }
}

async fn state_changes_need_the_csrf_token(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut c = app.signed_in(&app.username(Role::Educator)).await;
    let r = c.post_form_without_csrf("/sign-out", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .post_form_without_csrf("/sign-out", &[("_csrf", "forged")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.get("/home").await.status,
        StatusCode::OK,
        "still signed in"
    );
    // The anonymous sign-in form is protected too (login CSRF).
    let mut anon = app.client();
    let r = anon
        .post_form_without_csrf(
            "/sign-in",
            &[
                ("username", &app.username(Role::Educator)),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another session's token does not work here.
    let other = app.signed_in(&app.username(Role::Principal)).await;
    let foreign = other.csrf.clone().unwrap();
    let r = c
        .post_form_without_csrf("/sign-out", &[("_csrf", &foreign)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn every_response_carries_security_headers(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut c = app.client();
    for path in [
        "/sign-in",
        "/home",
        "/nope",
        "/static/app.css",
        "/api/v1/me",
    ] {
        let r = c.get(path).await;
        let h = |n: &str| {
            r.headers
                .get(n)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        assert!(
            h("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            h("content-security-policy").contains("script-src 'self'"),
            "{path}"
        );
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "same-origin", "{path}");
        assert!(!h("x-request-id").is_empty(), "{path}");
    }
    let r = c.get("/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("<h1>Not Found</h1>"),
        "error pages are pages"
    );
}

async fn roster_views_are_audited(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let educator = app.person(Role::Educator).await;
    let class = app.store.classes_taught_by(educator).await.unwrap()[0].clone();
    let mut c = app.signed_in(&app.username(Role::Educator)).await;
    let r = c.get(&format!("/classes/{}", class.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("recorded in the audit log"));
    let request_id = r
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let log = app.store.audit_log(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, educator);
    assert_eq!(log[0].request_id, request_id);
    assert_eq!(log[0].students.split(',').count() as i64, class.students);
    // A coach sees the class but not its students, and nothing is logged.
    let mut coach = app.signed_in(&app.username(Role::Coach)).await;
    let r = coach.get(&format!("/classes/{}", class.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("recorded in the audit log"));
    assert_eq!(app.store.audit_log(10).await.unwrap().len(), 1);
    // The API path is audited too, and the administrator can read the log.
    c.get(&format!("/api/v1/classes/{}/students", class.id))
        .await;
    assert_eq!(app.store.audit_log(10).await.unwrap().len(), 2);
    let mut admin = app.signed_in(&app.username(Role::Administrator)).await;
    let csv = admin.get("/admin/audit.csv").await;
    assert_eq!(csv.body.lines().count(), 3);
}

async fn api_tokens_work_without_cookies_and_can_be_revoked(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut c = app.signed_in(&app.username(Role::Administrator)).await;
    let r = c
        .post_form("/settings/tokens", &[("name", "reporting")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let at = r.body.find("wp_").unwrap();
    let token = r.body[at..at + 67].to_owned();
    let mut api = app.client();
    api.bearer = Some(token.clone());
    let me = api.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(json["username"], app.username(Role::Administrator));
    // No CSRF token needed with a bearer token: it is not an ambient credential.
    let queued = api
        .post_bytes("/api/v1/imports", b"not a zip".to_vec())
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED);
    let tokens = app
        .store
        .api_tokens(app.person(Role::Administrator).await)
        .await
        .unwrap();
    c.get("/settings").await;
    let r = c
        .post_form(&format!("/settings/tokens/{}/revoke", tokens[0].id), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);

    // The OpenAPI document describes every API route in the route table.
    let doc: serde_json::Value =
        serde_json::from_str(&c.get("/api/v1/openapi.json").await.body).unwrap();
    let state =
        waypoint_web::AppState::new(std::sync::Arc::clone(&app.store), WebConfig::default());
    for route in waypoint_web::routes::table(&state) {
        if route.path.starts_with("/api/v1/") && route.path != "/api/v1/openapi.json" {
            let method = route.method.as_str().to_lowercase();
            assert!(
                doc["paths"][route.path][&method].is_object(),
                "{} {} is not documented",
                route.method,
                route.path
            );
        }
    }
}

async fn password_reset_link_works_once(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut admin = app.signed_in(&app.username(Role::Administrator)).await;
    let coach = app.person(Role::Coach).await;
    admin.get(&format!("/admin/users/{coach}")).await;
    let r = admin
        .post_form(&format!("/admin/users/{coach}/reset-link"), &[])
        .await;
    let at = r.body.find("/reset/").unwrap();
    let token = r.body[at + 7..at + 7 + 64].to_owned();
    let mut c = app.client();
    assert_eq!(
        c.get(&format!("/reset/{token}")).await.status,
        StatusCode::OK
    );
    let r = c
        .post_form(
            &format!("/reset/{token}"),
            &[("password", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("at least 10 characters"));
    let r = c
        .post_form(
            &format!("/reset/{token}"),
            &[
                ("password", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/sign-in?done=reset")
    );
    assert_eq!(
        c.get(&format!("/reset/{token}")).await.status,
        StatusCode::NOT_FOUND,
        "single use"
    );
    let r = c
        .sign_in(&app.username(Role::Coach), "a brand new passphrase")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

async fn uploaded_roster_is_imported_by_a_background_job(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut admin = app.signed_in(&app.username(Role::Administrator)).await;
    admin.get("/admin/imports").await;
    let before = app.store.roster_totals().await.unwrap();
    let zip = zip_dir(&fixtures().join("oneroster/edfi-lms-toolkit-grand-bend-v1p1"));
    let r = admin.post_upload("/admin/imports", &zip).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = r.location().to_owned();
    let queued = admin.get(&page).await;
    assert!(
        queued.body.contains("data-poll="),
        "a running import refreshes itself"
    );
    assert!(
        waypoint_web::jobs::run_next(&app.store, "test-worker")
            .await
            .unwrap()
    );
    let done = admin.get(&page).await;
    assert!(done.body.contains("Imported"), "{}", done.body);
    let after = app.store.roster_totals().await.unwrap();
    assert_eq!(after.students, before.students + 8);
    assert_eq!(after.staff, before.staff + 2);

    // An SDS export is refused with a message that says what it is.
    let sds = zip_dir(&fixtures().join("oneroster/microsoft-sds-v2p1-sample"));
    admin.get("/admin/imports").await;
    let r = admin.post_upload("/admin/imports", &sds).await;
    let page = r.location().to_owned();
    assert!(
        waypoint_web::jobs::run_next(&app.store, "test-worker")
            .await
            .unwrap()
    );
    let refused = admin.get(&page).await;
    assert!(refused.body.contains("Refused"));
    assert!(
        refused.body.contains("School Data Sync"),
        "{}",
        refused.body
    );
    assert_eq!(app.store.roster_totals().await.unwrap(), after);
    // Grants given by hand survive a re-import.
    let educator = app.person(Role::Educator).await;
    let school = app.store.grants_of(educator).await.unwrap()[0].scope;
    let coach = waypoint_domain::Grant::new(Role::Coach, school).unwrap();
    app.store.add_grant(educator, coach).await.unwrap();
    app.store.apply_roster(&app.demo.roster).await.unwrap();
    assert!(
        app.store
            .grants_of(educator)
            .await
            .unwrap()
            .contains(&coach)
    );
    assert!(matches!(school, Scope::School(_)));
}

async fn import_path(app: &App, path: &std::path::Path) -> waypoint_store::ImportOutcome {
    let id = app
        .store
        .create_import(&NewImport {
            kind: "oneroster".into(),
            source: path.display().to_string(),
            requested_by: None,
            started_at: 1,
        })
        .await
        .unwrap();
    waypoint_web::services::import_oneroster(
        std::sync::Arc::clone(&app.store),
        id,
        waypoint_web::services::ImportInput::Path(path.to_owned()),
        std::sync::Arc::new(|_| {}),
    )
    .await
    .unwrap()
}

async fn fixture_packages_import_or_are_refused_with_locations(backend: Backend) {
    use waypoint_store::ImportStatus;
    let Some(app) = app(backend).await else {
        return;
    };
    let dir = fixtures().join("oneroster");
    // Grand Bend 1.1 imports, and importing it again changes nothing.
    let grand_bend = dir.join("edfi-lms-toolkit-grand-bend-v1p1");
    let first = import_path(&app, &grand_bend).await;
    assert_eq!(
        first.status,
        ImportStatus::Succeeded,
        "{:?}",
        first.problems
    );
    let c = first.counts.unwrap();
    assert_eq!(
        (
            c.orgs.changed,
            c.classes.changed,
            c.users.changed,
            c.enrollments.changed
        ),
        (2, 2, 10, 24)
    );
    let fingerprint = app.store.roster_fingerprint().await.unwrap();
    let second = import_path(&app, &grand_bend).await;
    assert_eq!(second.counts.unwrap().changed(), 0);
    assert_eq!(app.store.roster_fingerprint().await.unwrap(), fingerprint);
    // The imported teachers are educators at their school.
    let school = app
        .store
        .org_by_sourced_id("255901001")
        .await
        .unwrap()
        .unwrap();
    let teacher = app
        .store
        .search_staff(
            &waypoint_domain::StaffVisibility::All,
            PersonId::new(0),
            "Christian",
            waypoint_store::PageRequest::first(5),
        )
        .await
        .unwrap();
    let grants = app.store.grants_of(teacher.items[0].id).await.unwrap();
    assert_eq!(
        grants,
        vec![waypoint_domain::Grant::new(Role::Educator, Scope::School(school)).unwrap()]
    );
    // The others are not OneRoster 1.1/1.2: each refusal says why, and nothing changes.
    for (name, says) in [
        ("edfi-lms-toolkit-grand-bend-v1p0", "1.0"),
        ("microsoft-sds-v2-sample", "School Data Sync"),
        ("microsoft-sds-v2p1-sample", "School Data Sync"),
    ] {
        let out = import_path(&app, &dir.join(name)).await;
        assert_eq!(out.status, ImportStatus::Rejected, "{name}");
        assert!(
            out.problems.iter().any(|p| p.contains(says)),
            "{name}: {:?}",
            out.problems
        );
        assert_eq!(
            app.store.roster_fingerprint().await.unwrap(),
            fingerprint,
            "{name} changed data"
        );
    }
    let history = app.store.imports(10).await.unwrap();
    assert_eq!(history.len(), 5);
    assert_eq!(
        history
            .iter()
            .filter(|h| h.status == ImportStatus::Rejected)
            .count(),
        3
    );
}

/// Copies the Grand Bend package into a temp folder and applies `edit` to
/// one file's text.
fn corrupted(label: &str, file: &str, edit: impl Fn(&str) -> String) -> std::path::PathBuf {
    let src = fixtures().join("oneroster/edfi-lms-toolkit-grand-bend-v1p1");
    let dst = std::env::temp_dir().join(format!("waypoint-corrupt-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    std::fs::create_dir_all(&dst).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = if name == file { edit(&text) } else { text };
        std::fs::write(dst.join(&name), text).unwrap();
    }
    dst
}

async fn corrupted_packages_change_nothing(backend: Backend) {
    use waypoint_store::ImportStatus;
    let Some(app) = app(backend).await else {
        return;
    };
    let before = app.store.roster_fingerprint().await.unwrap();
    let cases: Vec<(&str, std::path::PathBuf, &str)> = vec![
        (
            "bad header",
            corrupted("header", "classes.csv", |t| {
                t.replacen("sourcedId", "sourcedld", 1)
            }),
            "classes.csv:1",
        ),
        (
            "missing column",
            corrupted("column", "users.csv", |t| {
                t.replacen("givenName", "firstName", 1)
            }),
            "users.csv:1",
        ),
        (
            "dangling reference",
            corrupted("dangling", "enrollments.csv", |t| {
                let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
                let class = lines[1].split(',').nth(3).unwrap().to_owned();
                lines[1] = lines[1].replacen(&class, "no-such-class", 1);
                lines.join("\n")
            }),
            "enrollments.csv:2",
        ),
        (
            "wrong date",
            corrupted("date", "academicSessions.csv", |t| {
                t.replacen("2020-08-", "2020-13-", 1)
            }),
            "academicSessions.csv:",
        ),
    ];
    for (what, path, located) in cases {
        let out = import_path(&app, &path).await;
        assert_eq!(
            out.status,
            ImportStatus::Rejected,
            "{what}: {:?}",
            out.problems
        );
        assert!(
            out.problems.iter().any(|p| p.starts_with(located)),
            "{what}: no problem located at {located}: {:?}",
            out.problems
        );
        assert_eq!(
            app.store.roster_fingerprint().await.unwrap(),
            before,
            "{what} changed data"
        );
        let _ = std::fs::remove_dir_all(&path);
    }
}

/// The coordinator creates a day from a programme file (a bad file is refused
/// with its line and column, creating nothing), opens ranking, educators
/// rank, closing runs the assignment as a job, the coordinator publishes, and
/// an educator's schedule and calendar show where to be.
async fn a_pd_day_runs_from_programme_to_calendar(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let district = app
        .store
        .org_by_sourced_id("org-d1")
        .await
        .unwrap()
        .unwrap();
    let coach = app.username(Role::Coach);
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    let mut facilitator = app.signed_in(&coach).await;

    let programme = |capacity: &str| {
        format!(
            "section_id,course_id,title,slot,capacity,facilitators,room,starts,ends\n\
             S1,C1,Fractions on the number line,1,{capacity},{coach},Room 101,09:00,09:45\n\
             S2,C2,Restorative circles,1,1000,,Library,09:00,09:45\n\
             S3,C1,Fractions on the number line,2,1000,{coach},Room 101,10:00,10:45\n\
             S4,C3,Phonics routines,2,1000,,Room 202,10:00,10:45\n"
        )
    };
    let fields = [
        ("org", district.get().to_string()),
        ("title", "Spring PD day".to_owned()),
        ("day", "2030-03-12".to_owned()),
        ("timezone", "America/Chicago".to_owned()),
        ("venue", "Central High School".to_owned()),
        ("ranks", "3".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    coordinator.get("/events/new").await;
    let bad = coordinator
        .post_multipart(
            "/events",
            &fields,
            ("programme", "programme.csv", programme("lots").as_bytes()),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("line 2, column capacity"), "{}", bad.body);
    assert!(
        app.store.events().await.unwrap().is_empty(),
        "nothing is created"
    );

    coordinator.get("/events/new").await;
    let made = coordinator
        .post_multipart(
            "/events",
            &fields,
            ("programme", "programme.csv", programme("1000").as_bytes()),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = made.location().to_owned();
    let id: i64 = page.trim_start_matches("/events/").parse().unwrap();
    let grid = coordinator.get(&page).await;
    assert!(
        grid.body.contains("Phonics routines") && grid.body.contains("09:00–09:45"),
        "programme grid"
    );
    let opened = coordinator
        .post_form(
            &format!("{page}/state"),
            &[("to", "preferences"), ("closes", "2030-03-01T17:00")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);

    let p = app
        .store
        .programme(waypoint_domain::EventId::new(id))
        .await
        .unwrap();
    let course = |title: &str| {
        p.courses
            .iter()
            .find(|c| c.title == title)
            .unwrap()
            .id
            .to_string()
    };
    let form = educator.get(&format!("{page}/rank")).await;
    assert!(form.body.contains("Rank your sessions"));
    let twice = educator
        .post_form(
            &format!("{page}/rank"),
            &[
                ("choice", &course("Phonics routines")),
                ("choice", &course("Phonics routines")),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("chosen twice"), "{}", twice.body);
    let saved = educator
        .post_form(
            &format!("{page}/rank"),
            &[
                ("choice", &course("Fractions on the number line")),
                ("choice", &course("Phonics routines")),
                ("choice", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(
        saved.body.contains("Your choices are saved"),
        "{}",
        saved.body
    );
    // The facilitator cannot rank the session they lead.
    let theirs = facilitator.get(&format!("{page}/rank")).await;
    assert!(!theirs.body.contains(&format!(
        "<option value=\"{}\"",
        course("Fractions on the number line")
    )));

    let closed = coordinator
        .post_form(&format!("{page}/state"), &[("to", "closed")])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    assert!(
        waypoint_web::jobs::run_next(&app.store, "test-worker")
            .await
            .unwrap(),
        "closing queued the assignment"
    );
    let results = coordinator.get(&page).await;
    assert!(
        results.body.contains("How everyone did"),
        "{}",
        results.body
    );
    assert!(results.body.contains("First come, first served"));
    let published = coordinator
        .post_form(&format!("{page}/state"), &[("to", "published")])
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );

    let mine = educator.get(&format!("{page}/schedule")).await;
    assert_eq!(mine.status, StatusCode::OK);
    let first = mine
        .body
        .find("Fractions on the number line")
        .expect("first choice placed");
    let second = mine
        .body
        .find("Phonics routines")
        .expect("second choice placed");
    assert!(first < second, "in time order");
    let ics = educator.get(&format!("{page}/schedule.ics")).await;
    assert_eq!(ics.status, StatusCode::OK);
    for line in [
        "BEGIN:VCALENDAR\r\n",
        "VERSION:2.0\r\n",
        "PRODID:",
        "SEQUENCE:1\r\n",
        // 09:00 central daylight time (it began on 10 March 2030).
        "DTSTART:20300312T140000Z\r\n",
        "SUMMARY:Fractions on the number line\r\n",
        "LOCATION:Room 101\\, Central High School\r\n",
    ] {
        assert!(
            ics.body.contains(line),
            "calendar lacks {line:?}:\n{}",
            ics.body
        );
    }
    let leading = facilitator.get(&format!("{page}/schedule")).await;
    assert!(leading.body.contains("You lead it"), "{}", leading.body);

    // The facilitator's roster lists the educator placed there.
    let s1 = p.sections.iter().find(|s| s.code == "S1").unwrap().id;
    let roster = facilitator
        .get(&format!("{page}/sections/{s1}/roster.csv"))
        .await;
    assert_eq!(roster.status, StatusCode::OK);
    let educator_id = app.person(Role::Educator).await;
    let me = app.store.staff(educator_id).await.unwrap().unwrap().row;
    assert!(
        roster
            .body
            .starts_with("family_name,given_name,email,rank\n")
    );
    assert!(
        roster
            .body
            .contains(&format!("{},{},", me.family_name, me.given_name)),
        "{}",
        roster.body
    );

    // The coordinator moves the educator by hand; the rules still hold.
    let section = |code: &str| {
        p.sections
            .iter()
            .find(|s| s.code == code)
            .unwrap()
            .id
            .to_string()
    };
    let username = app.username(Role::Educator);
    let twice = coordinator
        .post_form(
            &format!("{page}/move"),
            &[("person", &username), ("section", &section("S3"))],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice.body.contains("already takes this session"),
        "{}",
        twice.body
    );
    let moved = coordinator
        .post_form(
            &format!("{page}/move"),
            &[("person", &username), ("section", &section("S2"))],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let mine = educator.get(&format!("{page}/schedule")).await;
    assert!(mine.body.contains("Restorative circles"), "{}", mine.body);
    let ics = educator.get(&format!("{page}/schedule.ics")).await;
    assert!(
        ics.body.contains("SEQUENCE:2\r\n"),
        "a change bumps the sequence"
    );

    // The educator changes their own first slot back to an open seat.
    let slot1 = p.slots.iter().find(|t| t.label == "Slot 1").unwrap().id;
    let change = educator.get(&format!("{page}/slots/{slot1}/change")).await;
    assert_eq!(change.status, StatusCode::OK);
    assert!(
        change.body.contains("Your seat") && change.body.contains("Take this seat"),
        "{}",
        change.body
    );
    let took = educator
        .post_form(&format!("{page}/seat"), &[("section", &section("S1"))])
        .await;
    assert_eq!(took.status, StatusCode::SEE_OTHER, "{}", took.body);
    let mine = educator.get(took.location()).await;
    assert!(mine.body.contains("Your new seat is saved"));
    assert!(mine.body.contains("Fractions on the number line"));
    let ics = educator.get(&format!("{page}/schedule.ics")).await;
    assert!(
        ics.body.contains("SEQUENCE:3\r\n"),
        "the person's own change bumps it too"
    );

    // The day: the facilitator shows a code, the educator checks in with it.
    let roster_page = format!("{page}/sections/{s1}/roster");
    let made = facilitator
        .post_form(&format!("{page}/sections/{s1}/code"), &[])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let shown = facilitator.get(&roster_page).await;
    let code = shown
        .body
        .split("class=\"checkin-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the code is shown")
        .to_owned();
    assert!(shown.body.contains("Mark present"));
    let wrong = educator
        .post_form(&format!("{page}/checkin"), &[("code", "ZZZZZZ")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let checked = educator
        .post_form(
            &format!("{page}/checkin"),
            &[("code", &code.to_lowercase())],
        )
        .await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    let after = facilitator.get(&roster_page).await;
    assert!(after.body.contains(">Present</span>"), "{}", after.body);
    assert_eq!(
        app.store
            .attendance(p.sections.iter().find(|s| s.code == "S1").unwrap().id)
            .await
            .unwrap(),
        vec![educator_id]
    );

    // After: the educator's feedback; the facilitator sees totals, not the words of one person.
    let feedback_page = format!("{page}/sections/{s1}/feedback");
    let form = educator.get(&feedback_page).await;
    assert_eq!(form.status, StatusCode::OK);
    let half = educator
        .post_form(&feedback_page, &[("relevant", "5")])
        .await;
    assert_eq!(half.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = educator
        .post_form(
            &feedback_page,
            &[
                ("relevant", "5"),
                ("well_run", "4"),
                ("will_use", "5"),
                ("will_try", "Number lines as exit tickets"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(
        sent.body.contains("your feedback is saved"),
        "{}",
        sent.body
    );
    let theirs = facilitator.get(&roster_page).await;
    assert!(theirs.body.contains("1 response;"), "{}", theirs.body);
    assert!(!theirs.body.contains("Number lines as exit tickets"));
    let all = coordinator.get(&roster_page).await;
    assert!(all.body.contains("Number lines as exit tickets"));
    let other = educator
        .get(&format!("{page}/sections/{}/feedback", section("S4")))
        .await;
    assert_eq!(
        other.status,
        StatusCode::NOT_FOUND,
        "only for sessions attended"
    );

    // The coordinator carries the session on as a PLC: its facilitator leads
    // it and whoever attended is invited, and joins.
    let made = coordinator
        .post_form(
            &format!("{page}/sections/{s1}/follow-up"),
            &[
                ("kind", "plc"),
                ("title", "Fractions PLC"),
                ("description", "Every three weeks."),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let group_page = made.location().split('?').next().unwrap().to_owned();
    assert!(
        coordinator
            .get(&roster_page)
            .await
            .body
            .contains("Fractions PLC")
    );
    let invited = educator.get("/groups").await;
    assert!(
        invited.body.contains("Invitations") && invited.body.contains("Fractions PLC"),
        "{}",
        invited.body
    );
    let joined = educator
        .post_form(&format!("{group_page}/answer"), &[("answer", "join")])
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    assert!(
        educator
            .get(&group_page)
            .await
            .body
            .contains("You are in this group")
    );
    let led = facilitator.get(&group_page).await;
    assert_eq!(led.status, StatusCode::OK);
    assert!(
        led.body
            .contains("Continues “Fractions on the number line”"),
        "{}",
        led.body
    );
    let stay = facilitator
        .post_form(&format!("{group_page}/answer"), &[("answer", "decline")])
        .await;
    assert_eq!(
        stay.status,
        StatusCode::CONFLICT,
        "a lead stays in the group"
    );

    // An opening added after publishing is on the calendar, under a new sequence.
    let before = app
        .store
        .event(waypoint_domain::EventId::new(id))
        .await
        .unwrap()
        .unwrap()
        .sequence;
    let opening = coordinator
        .post_form(
            &format!("{page}/general"),
            &[
                ("title", "Opening"),
                ("starts", "08:00"),
                ("ends", "08:40"),
                ("location", "Auditorium"),
            ],
        )
        .await;
    assert_eq!(opening.status, StatusCode::SEE_OTHER, "{}", opening.body);
    let ics = educator.get(&format!("{page}/schedule.ics")).await.body;
    assert!(
        ics.contains("SUMMARY:Opening")
            && ics.contains("LOCATION:Auditorium\\, Central High School"),
        "{ics}"
    );
    assert!(ics.contains(&format!("SEQUENCE:{}", before + 1)), "{ics}");
    assert!(
        educator
            .get(&format!("{page}/schedule"))
            .await
            .body
            .contains("Everyone attends")
    );

    // A private feed for calendar apps: no session, the link is the secret; a new one revokes it.
    let link = |body: &str| {
        body.split("<code class=\"token\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .map(|url| {
                url.split("/calendar/")
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned()
            })
            .expect("the link is shown")
    };
    educator.get(&format!("{page}/schedule")).await;
    let first = link(&educator.post_form("/calendar-feed", &[]).await.body);
    let mut app_client = app.client();
    let fetched = app_client.get(&format!("/calendar/{first}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert!(fetched.body.contains("BEGIN:VEVENT") && fetched.body.contains("X-WR-CALNAME:PD days"));
    educator.get(&format!("{page}/schedule")).await;
    let second = link(&educator.post_form("/calendar-feed", &[]).await.body);
    assert_ne!(first, second);
    assert_eq!(
        app_client.get(&format!("/calendar/{first}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app_client.get(&format!("/calendar/{second}")).await.status,
        StatusCode::OK
    );
}

/// At its closing time a preference window closes without the coordinator,
/// exactly once, and the assignment is queued; ranking is refused after it.
async fn a_window_closes_by_itself_and_queues_the_assignment(backend: Backend) {
    use waypoint_domain::pdday::EventState;
    let Some(app) = app(backend).await else {
        return;
    };
    let district = app
        .store
        .org_by_sourced_id("org-d1")
        .await
        .unwrap()
        .unwrap();
    let lead = app.person(Role::Coach).await;
    let id = waypoint_domain::EventId::new(fixture_event(&app.store, district, lead).await.0);
    let now = waypoint_web::now_ms();
    assert_eq!(
        waypoint_web::pdday::close_due(&*app.store, now)
            .await
            .unwrap(),
        0,
        "still open"
    );
    app.store.set_window(id, 1, now - 1, now).await.unwrap();
    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    educator.get(&format!("/events/{id}/rank")).await;
    let late = educator
        .post_form(&format!("/events/{id}/rank"), &[("choice", "")])
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.body.contains("Ranking has closed"), "{}", late.body);
    assert_eq!(
        waypoint_web::pdday::close_due(&*app.store, now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        waypoint_web::pdday::close_due(&*app.store, now)
            .await
            .unwrap(),
        0,
        "once"
    );
    assert_eq!(
        app.store.event(id).await.unwrap().unwrap().state,
        EventState::Closed
    );
    let run = app
        .store
        .latest_run(id)
        .await
        .unwrap()
        .expect("a run is queued");
    assert_eq!(
        (run.status, run.requested_by),
        (waypoint_store::RunStatus::Queued, None)
    );
    assert!(
        waypoint_web::jobs::run_next(&app.store, "test-worker")
            .await
            .unwrap()
    );
    assert_eq!(
        app.store.event(id).await.unwrap().unwrap().state,
        EventState::Assigned
    );
}

/// A day made without a programme file starts with the slots typed in; the
/// audience proposes sessions, the coordinator asks for changes, accepts,
/// and places the session in a slot, led by its proposers.
async fn a_call_for_proposals_fills_the_programme(backend: Backend) {
    use waypoint_domain::pdday::ProposalStatus;
    let Some(app) = app(backend).await else {
        return;
    };
    let district = app
        .store
        .org_by_sourced_id("org-d1")
        .await
        .unwrap()
        .unwrap();
    let coach = app.username(Role::Coach);
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    let mut outsider = app.signed_in(&app.username(Role::Principal)).await;

    let base = [
        ("org", district.get().to_string()),
        ("title", "Fall PD day".to_owned()),
        ("day", "2030-10-09".to_owned()),
        ("timezone", "America/Chicago".to_owned()),
        ("venue", "".to_owned()),
        ("ranks", "3".to_owned()),
    ];
    let mut fields: Vec<(&str, &str)> = base.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // A slot that ends before it starts is refused, with its row named.
    let mut bad = fields.clone();
    bad.extend([
        ("slot_label_1", "Morning"),
        ("slot_start_1", "10:00"),
        ("slot_end_1", "09:00"),
    ]);
    coordinator.get("/events/new").await;
    let refused = coordinator
        .post_multipart("/events", &bad, ("programme", "", b""))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("Slot row 1: the slot must end after it starts"),
        "{}",
        refused.body
    );
    assert!(
        app.store.events().await.unwrap().is_empty(),
        "nothing is created"
    );

    fields.extend([
        ("slot_label_1", "Morning"),
        ("slot_start_1", "09:00"),
        ("slot_end_1", "09:50"),
        ("slot_label_2", "Late morning"),
        ("slot_start_2", "10:05"),
        ("slot_end_2", "10:55"),
    ]);
    coordinator.get("/events/new").await;
    let made = coordinator
        .post_multipart("/events", &fields, ("programme", "", b""))
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = made.location().to_owned();
    let id = waypoint_domain::EventId::new(page.trim_start_matches("/events/").parse().unwrap());
    let p = app.store.programme(id).await.unwrap();
    assert_eq!(
        p.slots.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        ["Morning", "Late morning"]
    );
    assert!(p.sections.is_empty());

    // Before the call opens, the audience cannot propose.
    let early = educator.get(&format!("{page}/proposals/new")).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    let opened = coordinator
        .post_form(&format!("{page}/state"), &[("to", "proposals")])
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let home = educator.get(&page).await;
    assert!(home.body.contains("Propose a session"), "{}", home.body);

    // A proposal with problems is refused by field and kept in the form.
    educator.get(&format!("{page}/proposals/new")).await;
    let late = p.slots[1].id.get().to_string();
    let missing = educator
        .post_form(
            &format!("{page}/proposals"),
            &[
                ("title", "Number talks"),
                ("description", ""),
                ("leads", "no-such-user"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.body.contains("Description: this is needed."),
        "{}",
        missing.body
    );
    assert!(
        missing.body.contains("no one has the username"),
        "{}",
        missing.body
    );
    assert!(
        missing.body.contains("value=\"Number talks\""),
        "the form keeps what was typed"
    );
    let sent = educator
        .post_form(
            &format!("{page}/proposals"),
            &[
                ("title", "Number talks"),
                ("description", "Ten-minute routines that build fluency."),
                ("audience", "Elementary (K–5)"),
                ("tags", "math; fluency"),
                ("leads", &coach),
                ("slot", &late),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let proposal_page = sent.location().split('?').next().unwrap().to_owned();
    let mine = educator.get(&proposal_page).await;
    assert!(mine.body.contains("Waiting for review") && mine.body.contains("Late morning"));
    // Another school's principal in the audience does not see it.
    assert_eq!(
        outsider.get(&proposal_page).await.status,
        StatusCode::NOT_FOUND
    );

    // The coordinator must say why when asking for changes.
    let list = coordinator.get(&format!("{page}/proposals")).await;
    assert!(list.body.contains("Number talks"), "{}", list.body);
    let no_note = coordinator
        .post_form(
            &format!("{proposal_page}/review"),
            &[("decision", "changes"), ("note", " ")],
        )
        .await;
    assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = coordinator
        .post_form(
            &format!("{proposal_page}/review"),
            &[("decision", "changes"), ("note", "Which grades is it for?")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let mine = educator.get(&proposal_page).await;
    assert!(
        mine.body.contains("Which grades is it for?") && mine.body.contains("Changes asked for")
    );
    let edit = educator.get(&format!("{proposal_page}/edit")).await;
    assert!(
        edit.body.contains(&format!("value=\"{coach}\"")),
        "co-facilitators refill the form"
    );
    let revised = educator
        .post_form(
            &proposal_page,
            &[
                ("title", "Number talks, grades 3–5"),
                ("description", "Ten-minute routines that build fluency."),
                ("leads", &coach),
            ],
        )
        .await;
    assert_eq!(revised.status, StatusCode::SEE_OTHER, "{}", revised.body);

    let accepted = coordinator
        .post_form(
            &format!("{proposal_page}/review"),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let again = coordinator
        .post_form(
            &format!("{proposal_page}/review"),
            &[("decision", "decline"), ("note", "No")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "decided once");
    let stored = app.store.proposals(id).await.unwrap();
    assert_eq!(stored[0].status, ProposalStatus::Accepted);
    let course = stored[0].course.unwrap();

    // Placed in both slots; facilitators default to the proposers.
    let grid = coordinator.get(&page).await;
    assert!(grid.body.contains("Add a section"), "{}", grid.body);
    for slot in &p.slots {
        let added = coordinator
            .post_form(
                &format!("{page}/sections"),
                &[
                    ("course", &course.get().to_string()),
                    ("slot", &slot.id.get().to_string()),
                    ("room", "Library"),
                    ("capacity", "30"),
                    ("facilitators", ""),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let twice = coordinator
        .post_form(
            &format!("{page}/sections"),
            &[
                ("course", &course.get().to_string()),
                ("slot", &late),
                ("capacity", "30"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice.body.contains("already runs in that slot"),
        "{}",
        twice.body
    );
    let p = app.store.programme(id).await.unwrap();
    assert_eq!(p.sections.len(), 2);
    let leads: Vec<String> = p.sections[0]
        .facilitators
        .iter()
        .map(|f| f.1.clone())
        .collect();
    assert_eq!(
        leads.len(),
        2,
        "the proposer and the co-facilitator lead it: {leads:?}"
    );
    let removed = coordinator
        .post_form(&format!("{page}/sections/{}/remove", p.sections[1].id), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(app.store.programme(id).await.unwrap().sections.len(), 1);

    // Ranking opens; the proposer leads the session, so it is not theirs to rank.
    let opened = coordinator
        .post_form(
            &format!("{page}/state"),
            &[("to", "preferences"), ("closes", "2030-10-01T17:00")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let rank = educator.get(&format!("{page}/rank")).await;
    assert_eq!(rank.status, StatusCode::OK);
    assert!(
        !rank.body.contains(&format!("value=\"{}\"", course.get())),
        "{}",
        rank.body
    );
}

/// Narrowing the audience shuts others out of the day (404, like a missing
/// day) and out of the assignment; a room's seats fill a section placed in
/// it; a general session is on every published schedule and calendar.
async fn a_days_audience_rooms_and_general_sessions(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let f = fixture(&app).await;
    let page = format!("/events/{}", f.event);
    let event = waypoint_domain::EventId::new(f.event);
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    assert_eq!(educator.get(&page).await.status, StatusCode::OK);

    // Only another school's staff: the educator is no longer invited.
    let other_school = app
        .store
        .child_orgs(waypoint_domain::OrgId::new(f.district))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.org.id.get() != f.school)
        .unwrap()
        .org
        .id;
    coordinator.get(&page).await;
    let narrowed = coordinator
        .post_form(
            &format!("{page}/audience"),
            &[("school", &other_school.to_string()), ("role", "teacher")],
        )
        .await;
    assert_eq!(narrowed.status, StatusCode::SEE_OTHER, "{}", narrowed.body);
    assert_eq!(educator.get(&page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        educator.get(&format!("{page}/rank")).await.status,
        StatusCode::NOT_FOUND
    );
    let stored = app.store.event_audience(event).await.unwrap();
    assert_eq!(
        (stored.schools, stored.roles),
        (vec![other_school], vec!["teacher".to_owned()])
    );
    let listed = coordinator.get(&page).await;
    assert!(
        listed.body.contains("Teachers in 1 school"),
        "{}",
        listed.body
    );
    let bad = coordinator
        .post_form(&format!("{page}/audience"), &[("role", "janitor")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    coordinator
        .post_form(&format!("{page}/audience"), &[])
        .await;
    assert_eq!(
        educator.get(&page).await.status,
        StatusCode::OK,
        "everyone again"
    );

    // A room's seats fill a section placed there with no number given.
    let added = coordinator
        .post_form(
            &format!("{page}/rooms"),
            &[
                ("name", "Library"),
                ("capacity", "32"),
                ("features", "projector"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let twice = coordinator
        .post_form(
            &format!("{page}/rooms"),
            &[("name", "Library"), ("capacity", "10")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let p = app.store.programme(event).await.unwrap();
    let b1 = p.sections.iter().find(|s| s.code == "B1").unwrap();
    let removed = coordinator
        .post_form(&format!("{page}/sections/{}/remove", b1.id), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let placed = coordinator
        .post_form(
            &format!("{page}/sections"),
            &[
                ("course", &b1.course.to_string()),
                ("slot", &f.slot.to_string()),
                ("room", "Library"),
                ("capacity", ""),
            ],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    let p = app.store.programme(event).await.unwrap();
    let again = p.sections.iter().find(|s| s.course == b1.course).unwrap();
    assert_eq!((again.room.as_str(), again.capacity), ("Library", 32));
    let unseated = coordinator
        .post_form(
            &format!("{page}/sections"),
            &[
                ("course", &b1.course.to_string()),
                ("slot", &f.slot.to_string()),
                ("room", "Hall"),
                ("capacity", ""),
            ],
        )
        .await;
    assert_eq!(
        unseated.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no seats and not a room of the day"
    );

    // A general session: times in the day's zone, ending after it starts.
    let opening = coordinator
        .post_form(
            &format!("{page}/general"),
            &[
                ("title", "Opening"),
                ("starts", "08:00"),
                ("ends", "08:40"),
                ("location", "Auditorium"),
            ],
        )
        .await;
    assert_eq!(opening.status, StatusCode::SEE_OTHER, "{}", opening.body);
    let backwards = coordinator
        .post_form(
            &format!("{page}/general"),
            &[("title", "Closing"), ("starts", "15:00"), ("ends", "14:00")],
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    let g = app.store.general_sessions(event).await.unwrap();
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].location, "Auditorium");
}

/// Every CASE sample imports through the page (the same framework again
/// replaces it); a malformed package is refused with located problems and
/// nothing is stored; educators read frameworks but cannot import.
async fn case_packages_import_or_are_refused_with_locations(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    let dir = fixtures().join("case/opensalt");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && !n.contains("schema"))
        .collect();
    names.sort();
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        coordinator.get("/frameworks").await;
        let r = coordinator
            .post_multipart("/frameworks", &[], ("package", name, &bytes))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.body);
        let page = coordinator.get(r.location()).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
    }
    // Several samples share one CFDocument identifier: each replaces the last.
    let stored = app.store.frameworks().await.unwrap();
    assert!(
        stored.len() < names.len() && !stored.is_empty(),
        "{} of {}",
        stored.len(),
        names.len()
    );
    let big = stored
        .iter()
        .find(|f| f.items == 16)
        .expect("the 16-item sample");
    let tree = coordinator.get(&format!("/frameworks/{}", big.id)).await;
    assert!(tree.body.contains("depth-1"), "a nested tree");

    let before = app.store.frameworks().await.unwrap();
    let broken = br#"{"CFDocument": {"identifier": "nope", "uri": "u"}, "CFItems": [{"identifier": "also-nope"}]}"#;
    coordinator.get("/frameworks").await;
    let refused = coordinator
        .post_multipart("/frameworks", &[], ("package", "broken.json", broken))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("broken.json was not imported"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("line 1, column"), "{}", refused.body);
    assert!(
        refused.body.contains("/CFDocument/title"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("/CFItems/0/fullStatement"),
        "{}",
        refused.body
    );
    assert_eq!(
        app.store.frameworks().await.unwrap(),
        before,
        "nothing stored"
    );

    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    let list = educator.get("/frameworks").await;
    assert!(list.body.contains(&big.title) && !list.body.contains("Import a framework"));
    let api = json(
        &educator
            .get(&format!("/api/v1/frameworks/{}", big.id))
            .await,
    );
    assert_eq!(api["framework"]["title"], big.title.as_str());
    assert_eq!(api["items"].as_array().map(Vec::len), Some(16));
    assert_eq!(api["items"][0]["depth"], 0);
}

/// The coordinator sets a district goal, the principal a school goal that
/// serves it; staff read both, nested; a principal cannot set the
/// district's; another district sees none of it.
async fn district_and_school_goals_are_set_by_their_leaders(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let f = fixture(&app).await;
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    let mut principal = app.signed_in(&app.username(Role::Principal)).await;
    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    let (district, school) = (f.district.to_string(), f.school.to_string());

    coordinator.get("/goals").await;
    let bad = coordinator
        .post_form(
            "/goals",
            &[
                ("org", &district),
                ("year", "2026-28"),
                ("statement", ""),
                ("measure", "m"),
                ("target", "t"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("2026-27") && bad.body.contains("Goal: this is needed."),
        "{}",
        bad.body
    );
    let made = coordinator
        .post_form(
            "/goals",
            &[
                ("org", &district),
                ("year", "2026-27"),
                ("statement", "Third graders read at grade level"),
                ("measure", "Spring reading benchmark"),
                ("target", "80% at or above benchmark"),
                ("groups", "Multilingual learners"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let year = waypoint_domain::goals::SchoolYear::starting(2026);
    let d = app
        .store
        .system_goals(&[waypoint_domain::OrgId::new(f.district)], year)
        .await
        .unwrap();
    assert_eq!(d.len(), 1);

    principal.get("/goals?year=2026-27").await;
    let not_theirs = principal
        .post_form(
            "/goals",
            &[
                ("org", &district),
                ("year", "2026-27"),
                ("statement", "x"),
                ("measure", "m"),
                ("target", "t"),
            ],
        )
        .await;
    assert_eq!(
        not_theirs.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a principal sets only the school's"
    );
    let serving = principal
        .post_form(
            "/goals",
            &[
                ("org", &school),
                ("year", "2026-27"),
                ("statement", "Daily small-group reading in K-3"),
                ("measure", "Running records"),
                ("target", "Every group every day"),
                ("serves", &d[0].id.to_string()),
            ],
        )
        .await;
    assert_eq!(serving.status, StatusCode::SEE_OTHER, "{}", serving.body);

    let page = educator.get("/goals?year=2026-27").await;
    assert!(
        page.body.contains("Third graders read at grade level"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("School goals serving it")
            && page.body.contains("Daily small-group reading in K-3")
    );
    assert!(!page.body.contains("Set a goal"), "educators read goals");
    let mut outsider = app
        .signed_in(
            &app.store
                .account(PersonId::new(f.outsider))
                .await
                .unwrap()
                .unwrap()
                .username,
        )
        .await;
    let listed = json(&educator.get("/api/v1/goals?year=2026-27").await);
    let listed = listed.as_array().expect("a list");
    let by = |statement: &str| {
        listed
            .iter()
            .find(|g| g["statement"] == statement)
            .unwrap_or_else(|| panic!("{statement} in {listed:?}"))
    };
    // The fixture's own school goal, the district's, and the one serving it.
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(
        by("Daily small-group reading in K-3")["serves"],
        by("Third graders read at grade level")["id"]
    );
    assert_eq!(
        educator.get("/api/v1/goals?year=2026").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let far = outsider.get("/goals?year=2026-27").await;
    assert!(
        !far.body.contains("Third graders read at grade level"),
        "another district's goals stay there"
    );
}

/// Rankings saved through the JSON API follow the same rules as the form.
async fn rankings_through_the_api_follow_the_form_rules(backend: Backend) {
    use waypoint_domain::pdday::EventState;
    let Some(app) = app(backend).await else {
        return;
    };
    let s = &app.store;
    let district = s.org_by_sourced_id("org-d1").await.unwrap().unwrap();
    let coach = app.person(Role::Coach).await;
    let event = waypoint_domain::EventId::new(fixture_event(s, district, coach).await.0);
    let programme = s.programme(event).await.unwrap();
    let course = |code: &str| {
        programme
            .courses
            .iter()
            .find(|c| c.code == code)
            .unwrap()
            .id
            .get()
    };
    // A is led by the coach; the fixture day asks for three choices.
    let (a, b) = (course("A"), course("B"));
    let bearer = |person: PersonId, secret: &'static str| {
        let store = std::sync::Arc::clone(&app.store);
        let mut client = app.client();
        client.bearer = Some(secret.to_owned());
        async move {
            store
                .create_api_token(person, "test", &waypoint_web::auth::token_hash(secret), 1)
                .await
                .unwrap();
            client
        }
    };
    let mut educator = bearer(app.person(Role::Educator).await, "wp_educator").await;
    let path = format!("/api/v1/events/{event}/ranking");

    let listed = educator.get("/api/v1/events").await;
    assert_eq!(listed.status, StatusCode::OK);
    let listed = json(&listed);
    let line = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == event.get())
        .unwrap();
    assert_eq!(
        (&line["state"], &line["ranking_open"], &line["manage"]),
        (&"preferences".into(), &true.into(), &false.into())
    );

    let before = educator.get(&path).await;
    assert_eq!(before.status, StatusCode::OK);
    let before = json(&before);
    assert_eq!(before["revision"], 0);
    assert_eq!(before["choices"], serde_json::json!([]));
    assert_eq!(
        (&before["open"], &before["choices_allowed"]),
        (&true.into(), &3.into())
    );

    // A save answers with what was committed, and a read gives the same back.
    let put = |ids: &[i64]| serde_json::json!({ "choices": ids }).to_string();
    let saved = educator.send_json(Method::PUT, &path, &put(&[b, a])).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(json(&saved)["revision"], 1);
    assert_eq!(json(&saved)["choices"], serde_json::json!([b, a]));
    let again = json(&educator.get(&path).await);
    assert_eq!(
        (&again["revision"], &again["choices"]),
        (&1.into(), &serde_json::json!([b, a]))
    );
    let saved = educator.send_json(Method::PUT, &path, &put(&[a])).await;
    assert_eq!(json(&saved)["revision"], 2);

    // Each rule refuses with 422 and a sentence; nothing changes.
    for (ids, says) in [
        (vec![b, b], "chosen twice"),
        (vec![a, b, a, b], "at most 3"),
        (vec![999_999], "not offered"),
    ] {
        let r = educator.send_json(Method::PUT, &path, &put(&ids)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{ids:?}: {}",
            r.body
        );
        assert!(
            json(&r)["message"].as_str().unwrap().contains(says),
            "{}",
            r.body
        );
    }
    for body in ["not json", r#"{"choices": ["x"]}"#, r#"{"courses": []}"#] {
        let r = educator.send_json(Method::PUT, &path, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert!(
            json(&r)["message"].as_str().unwrap().contains("choices"),
            "{}",
            r.body
        );
    }
    let unchanged = json(&educator.get(&path).await);
    assert_eq!(
        (&unchanged["revision"], &unchanged["choices"]),
        (&2.into(), &serde_json::json!([a]))
    );

    // Nobody ranks a session they lead.
    let mut lead = bearer(coach, "wp_coach").await;
    let r = lead.send_json(Method::PUT, &path, &put(&[a])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        json(&r)["message"]
            .as_str()
            .unwrap()
            .contains("not offered"),
        "{}",
        r.body
    );
    assert_eq!(
        lead.send_json(Method::PUT, &path, &put(&[b])).await.status,
        StatusCode::OK
    );

    // Outside the audience, the event does not exist; without a sign-in, 401.
    let mut regional = bearer(app.person(Role::RegionalCoordinator).await, "wp_regional").await;
    assert_eq!(regional.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        regional
            .send_json(Method::PUT, &path, &put(&[b]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let missing = educator
        .send_json(Method::PUT, "/api/v1/events/999999/ranking", &put(&[b]))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let mut anonymous = app.client();
    anonymous.get("/sign-in").await;
    assert_eq!(
        anonymous
            .send_json(Method::PUT, &path, &put(&[b]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // With a session cookie the CSRF token is needed, as for the form.
    let mut browser = app.signed_in(&app.username(Role::Educator)).await;
    browser.csrf = None;
    assert_eq!(
        browser
            .send_json(Method::PUT, &path, &put(&[b]))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    browser.get("/settings").await;
    let r = browser.send_json(Method::PUT, &path, &put(&[b])).await;
    assert_eq!(
        (r.status, json(&r)["revision"].clone()),
        (StatusCode::OK, 3.into())
    );

    // After the window closes, saves are refused with 409 and the last one stands.
    assert!(
        s.move_event(event, EventState::Preferences, EventState::Closed, 2)
            .await
            .unwrap()
    );
    let late = educator.send_json(Method::PUT, &path, &put(&[a])).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(
        json(&late)["message"].as_str().unwrap().contains("closed"),
        "{}",
        late.body
    );
    let last = json(&educator.get(&path).await);
    assert_eq!(
        (&last["revision"], &last["choices"], &last["open"]),
        (&3.into(), &serde_json::json!([b]), &false.into())
    );
}

/// An educator drafts a goal, their coach comments and agrees it, a
/// check-in is recorded, evidence with a file is added, a level claimed on
/// it is confirmed; a teacher at another school finds none of it.
async fn a_goal_is_co_constructed_and_private_to_its_school(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let f = fixture(&app).await;
    let s = &app.store;
    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    let mut coach = app.signed_in(&app.username(Role::Coach)).await;
    let coach_id = app.person(Role::Coach).await;

    let bad = educator
        .post_form("/growth/goals", &[("inquiry", "How?"), ("cadence", "3")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Success criteria (point B): this is needed."),
        "{}",
        bad.body
    );
    let created = educator
        .post_form(
            "/growth/goals",
            &[
                ("inquiry", "How can I get every student talking?"),
                ("strengths", "Calm routines"),
                ("success", "Every student speaks each week"),
                ("actions", "Turn and talk"),
                ("cadence", "3"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let goal_path = created.location().to_owned();
    let goal: i64 = goal_path.rsplit('/').next().unwrap().parse().unwrap();
    let page = educator.get(&goal_path).await;
    assert!(page.body.contains("Send for review"), "{}", page.body);
    let r = educator
        .post_form(
            &format!("{goal_path}/submit"),
            &[("reviewer", &coach_id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The coach hears of it, comments on point B and agrees.
    let caseload = coach.get("/growth/caseload").await;
    assert!(
        caseload
            .body
            .contains("How can I get every student talking?")
    );
    let r = coach
        .post_form(
            &format!("{goal_path}/comments"),
            &[("field", "success"), ("body", "How will you count it?")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = coach.post_form(&format!("{goal_path}/agree"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = educator.get(&goal_path).await;
    assert!(page.body.contains("How will you count it?") && page.body.contains("version 1 agreed"));
    let home = educator.get("/home").await;
    assert!(home.body.contains("agreed your goal"), "the owner is told");
    // A check-in is recorded by the coach; the next one is scheduled.
    let check_in = s.check_ins(goal).await.unwrap()[0].id;
    let today = waypoint_web::pages::growth::today().to_string();
    let r = coach
        .post_form(
            &format!("{goal_path}/check-ins/{check_in}"),
            &[
                ("held_on", &today),
                ("progress", "2"),
                ("discussed", "First tries"),
                ("next_due", "2999-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cs = s.check_ins(goal).await.unwrap();
    assert_eq!(
        (cs.len(), cs[0].progress, cs[1].due_on.as_str()),
        (2, Some(2), "2999-01-01")
    );
    // Evidence: a file of the wrong kind is refused by name; a text file is kept.
    let goal_s = goal.to_string();
    let fields = [
        ("goal", goal_s.as_str()),
        ("kind", "artifact"),
        ("title", "Tally"),
    ];
    let r = educator
        .post_multipart(
            "/growth/evidence",
            &fields,
            ("file", "tally.pdf", b"not a pdf"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("tally.pdf") && r.body.contains("not a .pdf"),
        "{}",
        r.body
    );
    assert!(
        s.evidence_of(goal).await.unwrap().is_empty(),
        "nothing half-written"
    );
    let r = educator
        .post_multipart(
            "/growth/evidence",
            &fields,
            ("file", "tally.csv", b"week,count\n1,6\n"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let evidence = s.evidence_of(goal).await.unwrap()[0].id;
    let file = coach
        .get(&format!("/growth/evidence/{evidence}/file"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, "week,count\n1,6\n");
    assert_eq!(
        file.headers.get("content-disposition").unwrap(),
        "attachment; filename=\"tally.csv\""
    );
    // A level claimed on the evidence, confirmed by the coach, not by the owner.
    let plan_item = s
        .personal_goal(f.plan.goal)
        .await
        .unwrap()
        .unwrap()
        .competencies[0]
        .item;
    let edit = educator
        .post_form(
            &format!("{goal_path}/edit"),
            &[
                ("inquiry", "How can I get every student talking?"),
                ("strengths", "Calm routines"),
                ("success", "Every student speaks each week"),
                ("actions", "Turn and talk"),
                ("cadence", "3"),
                ("competency", &plan_item.to_string()),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
    let g = s.personal_goal(goal).await.unwrap().unwrap();
    assert_eq!(
        g.status,
        waypoint_domain::growth::GoalStatus::InReview,
        "a change is agreed again"
    );
    coach.post_form(&format!("{goal_path}/agree"), &[]).await;
    assert_eq!(s.goal_versions(goal).await.unwrap().len(), 2);
    let r = educator
        .post_form(
            &format!("{goal_path}/ratings"),
            &[
                ("item", &plan_item.to_string()),
                ("kind", "claim"),
                ("level", "3"),
                ("evidence", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a claim rests on evidence"
    );
    let r = educator
        .post_form(
            &format!("{goal_path}/ratings"),
            &[
                ("item", &plan_item.to_string()),
                ("kind", "claim"),
                ("level", "3"),
                ("evidence", &evidence.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let me = app.person(Role::Educator).await;
    let claim = s
        .ratings_of(me)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.goal == Some(goal))
        .unwrap()
        .id;
    let r = educator
        .post_form(&format!("/growth/ratings/{claim}/confirm"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "not by oneself");
    let r = coach
        .post_form(&format!("/growth/ratings/{claim}/confirm"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let api = json(&coach.get(&format!("/api/v1/growth/goals/{goal}")).await);
    assert_eq!(api["goal"]["status"], "in_progress");
    assert_eq!(api["versions"].as_array().unwrap().len(), 2);
    assert_eq!(
        api["evidence"][0]["file_url"],
        format!("/growth/evidence/{evidence}/file")
    );
    assert_eq!(api["comments"][0]["field"], "success");
    let ratings = json(
        &coach
            .get(&format!("/api/v1/growth/people/{me}/ratings"))
            .await,
    );
    assert!(ratings.as_array().unwrap().last().unwrap()["confirmed_by"].is_string());
    let created = educator
        .send_json(
            Method::POST,
            "/api/v1/growth/goals",
            r#"{"inquiry": "How can I?", "strengths": "A", "success_criteria": "B", "actions": "Try", "competencies": [999999]}"#,
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown competency: {}",
        created.body
    );
    let created = educator
        .send_json(
            Method::POST,
            "/api/v1/growth/goals",
            r#"{"inquiry": "How can I?", "strengths": "A", "success_criteria": "B", "actions": "Try", "cadence_weeks": 2}"#,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(json(&created)["cadence_days"], 14);
    let mine = educator.get("/growth").await;
    assert!(
        mine.body.contains("Proficient") && mine.body.contains("<polyline"),
        "the chart shows the move"
    );

    // The principal's home counts the fixture goal's check-in, due in 2000, as overdue.
    let mut principal = app.signed_in(&app.username(Role::Principal)).await;
    let home = principal.get("/home").await;
    assert!(
        home.body.contains("Growth at") && home.body.contains("Check-ins overdue"),
        "{}",
        home.body
    );
    assert!(
        principal
            .get("/growth/school")
            .await
            .body
            .contains("Overdue:")
    );
    // A teacher at another school of the district finds nothing.
    let sibling_school = s
        .class(waypoint_domain::ClassId::new(f.sibling_class))
        .await
        .unwrap()
        .unwrap()
        .placement
        .school
        .unwrap();
    let other = s
        .staff_of_org(sibling_school)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.roster_role == "teacher")
        .unwrap();
    app.give_password(other.id).await;
    let mut other = app.signed_in(&other.username).await;
    let district_id = f.district.to_string();
    let r = educator
        .post_form(
            &format!("{goal_path}/share"),
            &[
                ("org", &district_id),
                ("what_tried", "Tallies and wait time"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let story_path = r.location().to_owned();
    let read = other.get(&story_path).await;
    assert_eq!(read.status, StatusCode::OK, "the district's showcase");
    assert!(
        read.body.contains("Tallies and wait time") && !read.body.contains("tally.csv"),
        "only the evidence chosen is shown"
    );
    assert_eq!(
        other
            .get(&format!("/growth/evidence/{evidence}/file"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let ev = evidence.to_string();
    educator
        .post_form(
            &format!("{goal_path}/share"),
            &[
                ("org", &district_id),
                ("what_tried", "Tallies and wait time"),
                ("evidence", &ev),
            ],
        )
        .await;
    assert_eq!(
        other
            .get(&format!("/growth/evidence/{evidence}/file"))
            .await
            .status,
        StatusCode::OK,
        "shown, so readable"
    );
    let r = other
        .post_form(
            &format!("{story_path}/comments"),
            &[("body", "Borrowing this")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        educator
            .get("/home")
            .await
            .body
            .contains("commented on your story")
    );
    let r = educator
        .post_form(&format!("{story_path}/unshare"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for path in [
        goal_path.clone(),
        story_path.clone(),
        format!("/growth/evidence/{evidence}/file"),
        format!("/growth/people/{me}"),
        format!("/growth/goals/{}/edit", f.plan.goal),
    ] {
        assert_eq!(
            other.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = other
        .post_multipart("/growth/evidence", &fields, ("file", "x.txt", b"x"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = other
        .post_form(&format!("{goal_path}/comments"), &[("body", "hello")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(s.evidence_of(goal).await.unwrap().len(), 1);
}

/// A coordinator writes a framework as an outline; a bad line is refused by
/// number; changing it keeps the identifiers of unchanged lines; the export
/// reads back as the same CASE 1.1 tree.
async fn a_framework_written_here_keeps_its_items_and_exports_as_case(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let s = &app.store;
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    coordinator.get("/frameworks/new").await;
    let bad = coordinator
        .post_form(
            "/frameworks/new",
            &[
                ("title", "Practice"),
                ("outline", "1 | Planning\n      Too deep\n2 |"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("line 2:") && bad.body.contains("line 3:"),
        "{}",
        bad.body
    );
    assert!(s.frameworks().await.unwrap().is_empty(), "nothing stored");
    let outline = "1 | Planning\n  1a | For every learner\n2 | Discussion";
    let r = coordinator
        .post_form(
            "/frameworks/new",
            &[
                ("title", "Practice"),
                ("creator", "Riverbend"),
                ("outline", outline),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location()
        .trim_start_matches("/frameworks/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let before = s.framework_items(id).await.unwrap();
    assert_eq!(before.len(), 3);
    assert_eq!(
        before[1].parent.as_deref(),
        Some(before[0].identifier.as_str())
    );
    let edit = coordinator.get(&format!("/frameworks/{id}/edit")).await;
    assert!(
        edit.body.contains("  1a | For every learner"),
        "{}",
        edit.body
    );
    let r = coordinator
        .post_form(
            &format!("/frameworks/{id}/edit"),
            &[
                ("title", "Practice"),
                (
                    "outline",
                    "1 | Planning\n  1a | For every learner\n  1b | With colleagues\n3 | Feedback",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = s.framework_items(id).await.unwrap();
    assert_eq!(after.len(), 4);
    assert_eq!(
        after[0].id, before[0].id,
        "an unchanged line keeps its item"
    );
    assert_eq!(after[1].id, before[1].id);
    assert!(
        after.iter().all(|i| i.identifier != before[2].identifier),
        "a changed line is a new item"
    );
    let export = coordinator
        .get(&format!("/frameworks/{id}/case.json"))
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let f = waypoint_import::case::read_case("export.json", export.body.as_bytes()).unwrap();
    assert_eq!(f.version, waypoint_import::case::CaseVersion::V1p1);
    let tree: Vec<(String, usize)> = f
        .items
        .iter()
        .map(|i| (i.human_coding_scheme.clone(), i.depth))
        .collect();
    assert_eq!(
        tree,
        [
            ("1".into(), 0),
            ("1a".into(), 1),
            ("1b".into(), 1),
            ("3".into(), 0)
        ]
    );
    // Anyone on staff reads and downloads it; only coordinators write.
    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    assert_eq!(
        educator
            .get(&format!("/frameworks/{id}/case.json"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        educator.get(&format!("/frameworks/{id}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
}
