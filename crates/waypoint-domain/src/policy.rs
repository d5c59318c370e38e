//! The one authorization policy. Every route asks [`Policy::can`] (or, for
//! listings, [`Policy::staff_visibility`]) before it reads or changes
//! anything; the web layer turns a refusal on an object into the same 404 as a
//! missing object.

use crate::ids::{OrgId, PersonId};
use crate::org::Placement;
use crate::role::{Grant, Role, Scope};

/// Who is asking: a signed-in person and every grant they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The person.
    pub person: PersonId,
    /// Their grants.
    pub grants: Vec<Grant>,
}

impl Actor {
    /// Whether the actor holds `role` anywhere.
    pub fn holds(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Whether the actor administers the installation (the only scope an
    /// administrator's grant may have).
    pub fn is_administrator(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::Administrator && g.scope == Scope::Installation)
    }

    fn holds_covering(&self, roles: &[Role], placement: &Placement) -> bool {
        self.grants
            .iter()
            .any(|g| roles.contains(&g.role) && g.scope.covers(placement))
    }
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read an organisation's page: name, kind, its schools and counts.
    ViewOrg,
    /// List the classes of an organisation (titles, teachers, sizes).
    ListClasses,
    /// List the staff of an organisation.
    ListStaff,
    /// Read a class's page without its student roster.
    ViewClass,
    /// Read a class's student roster: student-level data, always audited.
    ViewClassRoster,
    /// Read a staff member's directory entry.
    ViewStaff,
    /// Import rosters and read the import history.
    ManageRoster,
    /// Create accounts, grant roles, issue password-reset links.
    ManageAccounts,
    /// Change one's own settings and API tokens.
    ManageOwnAccount,
    /// Create and run PD days for an organisation: programme, window,
    /// assignment, publishing.
    ManageEvents,
    /// See a PD day's catalogue, rank its sessions and see one's schedule.
    AttendEvent,
    /// Propose a session for a PD day (its audience, while proposals are open).
    ProposeSession,
    /// Read a session proposal: its authors and the event's managers.
    ViewProposal,
    /// See a learning group and its members: those invited to it and the
    /// PD managers of its organisation.
    ViewGroup,
    /// Read the installation's competency frameworks (every staff member).
    ViewFrameworks,
    /// Import competency frameworks (district PL coordinators, administrators).
    ManageFrameworks,
    /// Read a district's or school's goals: its staff and leaders above it.
    ViewGoals,
    /// Set a district's goals (its coordinators) or a school's (its
    /// principal and its district's coordinators).
    ManageGoals,
    /// Read an educator's growth plan (goals, evidence and its files,
    /// check-ins, competency levels): the educator, their reviewer, the
    /// coaches and principal of their school and district leaders above it.
    ViewGrowth,
    /// Change one's own growth plan: write and submit a goal, add evidence,
    /// rate oneself, close the goal.
    EditGrowth,
    /// Co-construct an educator's goal: comment, agree, record check-ins,
    /// add observation notes, confirm competency levels (the goal's
    /// reviewer, and the coaches and principal of the educator's school).
    ReviewGrowth,
    /// See the growth plans of an organisation's staff at a glance (its
    /// coaches, principals and district leaders).
    OverseeGrowth,
    /// Read a school's or district's showcase of shared goal stories and
    /// comment on them: its staff and leaders above it.
    ViewShowcase,
    /// Read a class's assessment results student by student (student-level
    /// data, always audited): its teachers, and the principals of its school.
    ViewClassResults,
    /// Read how an organisation's students are doing, as suppressed counts
    /// by band: a school's principal and coaches, a district's coordinators
    /// and coaches (its schools side by side), a region's coordinators (its
    /// districts side by side, never one school).
    ViewResults,
    /// Review and export the audit log of student-data views by a
    /// district's staff: the district's coordinators (administrators read
    /// the whole log).
    ReviewAudit,
    /// Read the students of a professional learning community's members,
    /// class by class and student by student (student-level data, always
    /// audited): the members who joined it.
    ViewTeamStudents,
}

impl Action {
    /// Every action, for exhaustive tests.
    pub const ALL: [Self; 27] = [
        Self::ViewOrg,
        Self::ListClasses,
        Self::ListStaff,
        Self::ViewClass,
        Self::ViewClassRoster,
        Self::ViewStaff,
        Self::ManageRoster,
        Self::ManageAccounts,
        Self::ManageOwnAccount,
        Self::ManageEvents,
        Self::AttendEvent,
        Self::ProposeSession,
        Self::ViewProposal,
        Self::ViewGroup,
        Self::ViewFrameworks,
        Self::ManageFrameworks,
        Self::ViewGoals,
        Self::ManageGoals,
        Self::ViewGrowth,
        Self::EditGrowth,
        Self::ReviewGrowth,
        Self::OverseeGrowth,
        Self::ViewShowcase,
        Self::ViewClassResults,
        Self::ViewResults,
        Self::ReviewAudit,
        Self::ViewTeamStudents,
    ];
}

/// What the action is on, with just enough context to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource<'a> {
    /// The installation as a whole (imports, accounts).
    Installation,
    /// An organisation at this placement.
    Org(Placement),
    /// A class at this placement, taught by these people.
    Class {
        /// Where the class sits (its `class` level filled).
        placement: Placement,
        /// Its teachers.
        teachers: &'a [PersonId],
    },
    /// A staff member and every placement they hold.
    Staff {
        /// The person.
        person: PersonId,
        /// Their schools and districts.
        placements: &'a [Placement],
    },
    /// A person's own account.
    Account(PersonId),
    /// A PD day run by the organisation at `placement`.
    Event {
        /// Where the organisation that runs it sits.
        placement: Placement,
        /// Whether the actor is in its audience (staff placed there).
        attendee: bool,
    },
    /// A session proposed for a PD day run by the organisation at `placement`.
    Proposal {
        /// Where the organisation that runs the day sits.
        placement: Placement,
        /// Whether the actor proposed it or is named to lead it with the proposer.
        author: bool,
    },
    /// The goals of the organisation at `placement`.
    Goals {
        /// Where the organisation sits.
        placement: Placement,
        /// Whether the actor is on its staff (placed there or below).
        placed: bool,
    },
    /// An educator's growth plan.
    Growth {
        /// Where the educator is on staff.
        placements: &'a [Placement],
        /// Whether the actor is the educator.
        owner: bool,
        /// Whether the actor is named to review it.
        reviewer: bool,
    },
    /// The showcase of the school or district at `placement`.
    Showcase {
        /// Where the organisation sits.
        placement: Placement,
        /// Whether the actor is on its staff (placed there or below).
        placed: bool,
    },
    /// A professional learning community, for reading its members'
    /// students.
    Team {
        /// Whether the actor joined it.
        joined: bool,
    },
    /// A learning group of the organisation at `placement`.
    Group {
        /// Where its organisation sits.
        placement: Placement,
        /// Whether the actor was invited to it (whatever they answered).
        member: bool,
    },
}

/// Which staff an actor may list in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffVisibility {
    /// Everyone (administrators).
    All,
    /// Staff placed in any of these districts or schools (and always oneself).
    Within {
        /// Districts wholly visible.
        districts: Vec<OrgId>,
        /// Schools visible.
        schools: Vec<OrgId>,
    },
}

/// The authorization policy. Stateless; a unit struct so call sites read as a
/// sentence: `Policy::can(&actor, Action::ViewClass, &resource)`.
#[derive(Debug, Clone, Copy)]
pub struct Policy;

/// Roles that may see a school's or district's staff and class listings.
const STAFF_READERS: [Role; 5] = [
    Role::Educator,
    Role::Coach,
    Role::Principal,
    Role::DistrictCoordinator,
    Role::Administrator,
];
/// Roles with a legitimate interest in class-level (not student-level) detail.
const CLASS_READERS: [Role; 4] = [
    Role::Coach,
    Role::Principal,
    Role::DistrictCoordinator,
    Role::Administrator,
];
/// Roles that may read student names outside their own classes.
/// Who runs PD days: the district's professional-learning coordinators.
const EVENT_MANAGERS: [Role; 1] = [Role::DistrictCoordinator];

const ROSTER_READERS: [Role; 2] = [Role::Principal, Role::Administrator];
/// Who co-constructs an educator's goal at their school.
const GROWTH_REVIEWERS: [Role; 2] = [Role::Coach, Role::Principal];
/// Who reads an educator's growth plan at their school or above.
const GROWTH_READERS: [Role; 3] = [Role::Coach, Role::Principal, Role::DistrictCoordinator];

impl Policy {
    /// Whether `actor` may do `action` on `resource`.
    pub fn can(actor: &Actor, action: Action, resource: &Resource<'_>) -> bool {
        // Nobody writes an educator's plan for them, administrators included.
        if let (Action::EditGrowth, Resource::Growth { owner, .. }) = (action, resource) {
            return *owner;
        }
        if actor.is_administrator() {
            return true;
        }
        match (action, resource) {
            (Action::ViewOrg, Resource::Org(p)) => actor.grants.iter().any(|g| g.scope.covers(p)),
            (Action::ListStaff, Resource::Org(p)) => actor.holds_covering(&STAFF_READERS, p),
            (Action::ListClasses, Resource::Org(p)) => actor.holds_covering(&CLASS_READERS, p),
            (
                Action::ViewClass,
                Resource::Class {
                    placement,
                    teachers,
                },
            ) => {
                teachers.contains(&actor.person)
                    || actor.holds_covering(&CLASS_READERS, placement)
                    || actor.holds_covering(&[Role::Educator], &class_only(placement))
            }
            (
                Action::ViewClassRoster | Action::ViewClassResults,
                Resource::Class {
                    placement,
                    teachers,
                },
            ) => {
                teachers.contains(&actor.person)
                    || actor.holds_covering(&ROSTER_READERS, placement)
                    || actor.holds_covering(&[Role::Educator], &class_only(placement))
            }
            (Action::ViewStaff, Resource::Staff { person, placements }) => {
                *person == actor.person
                    || placements
                        .iter()
                        .any(|p| actor.holds_covering(&STAFF_READERS, p))
            }
            (Action::ManageOwnAccount, Resource::Account(person)) => *person == actor.person,
            (Action::ManageEvents, Resource::Event { placement, .. }) => {
                actor.holds_covering(&EVENT_MANAGERS, placement)
            }
            (
                Action::AttendEvent,
                Resource::Event {
                    placement,
                    attendee,
                },
            ) => *attendee || actor.holds_covering(&EVENT_MANAGERS, placement),
            (Action::ProposeSession, Resource::Event { attendee, .. }) => *attendee,
            (Action::ViewProposal, Resource::Proposal { placement, author }) => {
                *author || actor.holds_covering(&EVENT_MANAGERS, placement)
            }
            (Action::ViewGroup, Resource::Group { placement, member }) => {
                *member || actor.holds_covering(&EVENT_MANAGERS, placement)
            }
            (Action::ViewFrameworks, Resource::Installation) => !actor.grants.is_empty(),
            (Action::ViewGoals, Resource::Goals { placement, placed }) => {
                *placed || actor.grants.iter().any(|g| g.scope.covers(placement))
            }
            (Action::ManageGoals, Resource::Goals { placement, .. }) => {
                actor.holds_covering(&EVENT_MANAGERS, placement)
                    || (placement.school.is_some()
                        && actor.holds_covering(&[Role::Principal], placement))
            }
            (
                Action::ViewGrowth,
                Resource::Growth {
                    placements,
                    owner,
                    reviewer,
                },
            ) => {
                *owner
                    || *reviewer
                    || placements
                        .iter()
                        .any(|p| actor.holds_covering(&GROWTH_READERS, p))
            }
            (
                Action::ReviewGrowth,
                Resource::Growth {
                    placements,
                    owner,
                    reviewer,
                },
            ) => {
                !*owner
                    && (*reviewer
                        || placements
                            .iter()
                            .any(|p| actor.holds_covering(&GROWTH_REVIEWERS, p)))
            }
            (Action::OverseeGrowth, Resource::Org(p)) => actor.holds_covering(&GROWTH_READERS, p),
            (Action::ReviewAudit, Resource::Org(p)) => {
                p.school.is_none()
                    && p.district.is_some()
                    && actor.holds_covering(&[Role::DistrictCoordinator], p)
            }
            (Action::ViewTeamStudents, Resource::Team { joined }) => *joined,
            (Action::ViewResults, Resource::Org(p)) => {
                let readers: &[Role] = if p.school.is_some() {
                    &GROWTH_READERS
                } else if p.district.is_some() {
                    &[Role::Coach, Role::DistrictCoordinator]
                } else {
                    &[Role::RegionalCoordinator]
                };
                actor.holds_covering(readers, p)
            }
            (Action::ViewShowcase, Resource::Showcase { placement, placed }) => {
                *placed || actor.holds_covering(&STAFF_READERS, placement)
            }
            (Action::ManageFrameworks, Resource::Installation) => actor
                .grants
                .iter()
                .any(|g| EVENT_MANAGERS.contains(&g.role)),
            // Administrative actions belong to administrators alone, and any
            // pairing not listed above is refused.
            _ => false,
        }
    }

    /// Which staff `actor` may list, derived from the same rules as
    /// [`Action::ViewStaff`].
    pub fn staff_visibility(actor: &Actor) -> StaffVisibility {
        if actor.is_administrator() {
            return StaffVisibility::All;
        }
        let mut districts = Vec::new();
        let mut schools = Vec::new();
        for g in actor
            .grants
            .iter()
            .filter(|g| STAFF_READERS.contains(&g.role))
        {
            match g.scope {
                Scope::District(d) => districts.push(d),
                Scope::School(s) => schools.push(s),
                Scope::Installation | Scope::Region(_) | Scope::Class(_) => {}
            }
        }
        districts.sort_unstable();
        districts.dedup();
        schools.sort_unstable();
        schools.dedup();
        StaffVisibility::Within { districts, schools }
    }
}

/// A class-level grant must match the class itself, never its school.
fn class_only(p: &Placement) -> Placement {
    Placement {
        class: p.class,
        ..Placement::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ClassId;

    fn school(region: i64, district: i64, school: i64) -> Placement {
        Placement {
            region: Some(OrgId::new(region)),
            district: Some(OrgId::new(district)),
            school: Some(OrgId::new(school)),
            class: None,
        }
    }

    fn actor(person: i64, grants: &[(Role, Scope)]) -> Actor {
        Actor {
            person: PersonId::new(person),
            grants: grants
                .iter()
                .map(|&(role, scope)| Grant { role, scope })
                .collect(),
        }
    }

    /// Roles × actions × (own school, other school in district, other
    /// district, other region): the expected answer for each cell.
    #[test]
    fn role_action_scope_table() {
        let own = school(1, 10, 100).with_class(ClassId::new(1000));
        let sibling = school(1, 10, 101).with_class(ClassId::new(1001));
        let other_district = school(1, 11, 110).with_class(ClassId::new(1100));
        let other_region = school(2, 20, 200).with_class(ClassId::new(2000));
        let places = [own, sibling, other_district, other_region];
        let me = PersonId::new(7);
        let my_teachers = [me];
        let no_teachers: [PersonId; 0] = [];

        struct Case {
            who: Actor,
            // expected per place for: ViewOrg(school), ListStaff, ListClasses,
            // ViewClass, ViewClassRoster, ViewStaff
            expect: [[bool; 6]; 4],
        }
        let t = true;
        let f = false;
        let cases = [
            Case {
                // a teacher of the class in `own`
                who: actor(7, &[(Role::Educator, Scope::School(OrgId::new(100)))]),
                expect: [
                    [t, t, f, t, t, t],
                    [f, f, f, f, f, f],
                    [f, f, f, f, f, f],
                    [f, f, f, f, f, f],
                ],
            },
            Case {
                who: actor(8, &[(Role::Principal, Scope::School(OrgId::new(100)))]),
                expect: [
                    [t, t, t, t, t, t],
                    [f, f, f, f, f, f],
                    [f, f, f, f, f, f],
                    [f, f, f, f, f, f],
                ],
            },
            Case {
                who: actor(9, &[(Role::Coach, Scope::District(OrgId::new(10)))]),
                expect: [
                    [t, t, t, t, f, t],
                    [t, t, t, t, f, t],
                    [f, f, f, f, f, f],
                    [f, f, f, f, f, f],
                ],
            },
            Case {
                who: actor(
                    9,
                    &[(Role::DistrictCoordinator, Scope::District(OrgId::new(10)))],
                ),
                expect: [
                    [t, t, t, t, f, t],
                    [t, t, t, t, f, t],
                    [f, f, f, f, f, f],
                    [f, f, f, f, f, f],
                ],
            },
            Case {
                who: actor(
                    9,
                    &[(Role::RegionalCoordinator, Scope::Region(OrgId::new(1)))],
                ),
                expect: [
                    [t, f, f, f, f, f],
                    [t, f, f, f, f, f],
                    [t, f, f, f, f, f],
                    [f, f, f, f, f, f],
                ],
            },
            Case {
                who: actor(9, &[(Role::Administrator, Scope::Installation)]),
                expect: [[t; 6]; 4],
            },
            Case {
                who: actor(9, &[]),
                expect: [[f; 6]; 4],
            },
        ];
        for case in &cases {
            for (i, place) in places.iter().enumerate() {
                let school_only = Placement {
                    class: None,
                    ..*place
                };
                let teachers: &[PersonId] = if i == 0 { &my_teachers } else { &no_teachers };
                let class = Resource::Class {
                    placement: *place,
                    teachers,
                };
                let staff_places = [school_only];
                let got = [
                    Policy::can(&case.who, Action::ViewOrg, &Resource::Org(school_only)),
                    Policy::can(&case.who, Action::ListStaff, &Resource::Org(school_only)),
                    Policy::can(&case.who, Action::ListClasses, &Resource::Org(school_only)),
                    Policy::can(&case.who, Action::ViewClass, &class),
                    Policy::can(&case.who, Action::ViewClassRoster, &class),
                    Policy::can(
                        &case.who,
                        Action::ViewStaff,
                        &Resource::Staff {
                            person: PersonId::new(999),
                            placements: &staff_places,
                        },
                    ),
                ];
                assert_eq!(got, case.expect[i], "{:?} at place {i}", case.who.grants);
            }
        }
    }

    #[test]
    fn administrative_actions_are_for_administrators_only() {
        for role in Role::ALL {
            let scope = match role {
                Role::Administrator => Scope::Installation,
                Role::RegionalCoordinator => Scope::Region(OrgId::new(1)),
                Role::DistrictCoordinator | Role::Coach => Scope::District(OrgId::new(10)),
                Role::Principal | Role::Educator => Scope::School(OrgId::new(100)),
            };
            let a = actor(1, &[(role, scope)]);
            let admin = role == Role::Administrator;
            assert_eq!(
                Policy::can(&a, Action::ManageRoster, &Resource::Installation),
                admin
            );
            assert_eq!(
                Policy::can(&a, Action::ManageAccounts, &Resource::Installation),
                admin
            );
            assert!(Policy::can(
                &a,
                Action::ManageOwnAccount,
                &Resource::Account(PersonId::new(1))
            ));
            assert_eq!(
                Policy::can(
                    &a,
                    Action::ManageOwnAccount,
                    &Resource::Account(PersonId::new(2))
                ),
                admin
            );
        }
    }

    #[test]
    fn student_results_are_counted_for_leaders_at_their_level_and_read_by_the_class() {
        let region = Placement {
            region: Some(OrgId::new(1)),
            ..Placement::default()
        };
        let district = Placement {
            district: Some(OrgId::new(10)),
            ..region
        };
        let school = Placement {
            school: Some(OrgId::new(100)),
            ..district
        };
        let sibling = Placement {
            school: Some(OrgId::new(101)),
            ..district
        };
        let far = Placement {
            district: Some(OrgId::new(11)),
            school: Some(OrgId::new(110)),
            ..region
        };
        let principal = actor(1, &[(Role::Principal, Scope::School(OrgId::new(100)))]);
        let coordinator = actor(
            2,
            &[(Role::DistrictCoordinator, Scope::District(OrgId::new(10)))],
        );
        let regional = actor(
            3,
            &[(Role::RegionalCoordinator, Scope::Region(OrgId::new(1)))],
        );
        let teacher = actor(4, &[(Role::Educator, Scope::School(OrgId::new(100)))]);
        let sees =
            |who: &Actor, p: Placement| Policy::can(who, Action::ViewResults, &Resource::Org(p));
        assert!(sees(&principal, school));
        assert!(!sees(&principal, sibling) && !sees(&principal, district));
        assert!(
            sees(&coordinator, school)
                && sees(&coordinator, sibling)
                && sees(&coordinator, district)
        );
        assert!(!sees(&coordinator, far) && !sees(&coordinator, region));
        // A region sees its districts side by side, never a district's schools.
        assert!(sees(&regional, region));
        assert!(!sees(&regional, district) && !sees(&regional, school));
        assert!(!sees(&teacher, school));
        let audits =
            |who: &Actor, p: Placement| Policy::can(who, Action::ReviewAudit, &Resource::Org(p));
        assert!(audits(&coordinator, district));
        assert!(!audits(&coordinator, school) && !audits(&principal, school));
        assert!(!audits(&regional, district) && !audits(&regional, region));
        let class = Resource::Class {
            placement: school.with_class(ClassId::new(5)),
            teachers: &[PersonId::new(4)],
        };
        assert!(Policy::can(&teacher, Action::ViewClassResults, &class));
        assert!(Policy::can(&principal, Action::ViewClassResults, &class));
        assert!(!Policy::can(&coordinator, Action::ViewClassResults, &class));
        assert!(!Policy::can(&regional, Action::ViewClassResults, &class));
        let team = |joined| Resource::Team { joined };
        assert!(Policy::can(&teacher, Action::ViewTeamStudents, &team(true)));
        assert!(!Policy::can(
            &teacher,
            Action::ViewTeamStudents,
            &team(false)
        ));
        assert!(!Policy::can(
            &principal,
            Action::ViewTeamStudents,
            &team(false)
        ));
    }

    #[test]
    fn pd_days_are_run_by_their_districts_coordinators_and_attended_by_their_audience() {
        let district = Placement {
            region: Some(OrgId::new(1)),
            district: Some(OrgId::new(10)),
            ..Placement::default()
        };
        let event = |attendee| Resource::Event {
            placement: district,
            attendee,
        };
        let coordinator = actor(
            1,
            &[(Role::DistrictCoordinator, Scope::District(OrgId::new(10)))],
        );
        let elsewhere = actor(
            2,
            &[(Role::DistrictCoordinator, Scope::District(OrgId::new(11)))],
        );
        let principal = actor(3, &[(Role::Principal, Scope::School(OrgId::new(100)))]);
        let regional = actor(
            4,
            &[(Role::RegionalCoordinator, Scope::Region(OrgId::new(1)))],
        );
        assert!(Policy::can(
            &coordinator,
            Action::ManageEvents,
            &event(false)
        ));
        assert!(Policy::can(
            &coordinator,
            Action::AttendEvent,
            &event(false)
        ));
        for other in [&elsewhere, &principal, &regional] {
            assert!(!Policy::can(other, Action::ManageEvents, &event(true)));
            assert!(!Policy::can(other, Action::AttendEvent, &event(false)));
        }
        assert!(Policy::can(&principal, Action::AttendEvent, &event(true)));
        // Proposing is for the audience; a proposal is read by its authors
        // and the day's managers, not by the rest of the audience.
        assert!(Policy::can(
            &principal,
            Action::ProposeSession,
            &event(true)
        ));
        assert!(!Policy::can(
            &elsewhere,
            Action::ProposeSession,
            &event(false)
        ));
        let proposal = |author| Resource::Proposal {
            placement: district,
            author,
        };
        assert!(Policy::can(
            &principal,
            Action::ViewProposal,
            &proposal(true)
        ));
        assert!(!Policy::can(
            &principal,
            Action::ViewProposal,
            &proposal(false)
        ));
        assert!(Policy::can(
            &coordinator,
            Action::ViewProposal,
            &proposal(false)
        ));
        assert!(!Policy::can(
            &elsewhere,
            Action::ViewProposal,
            &proposal(false)
        ));
    }

    #[test]
    fn a_growth_plan_is_read_by_its_school_and_written_by_its_owner() {
        let at = [school(1, 10, 100)];
        let plan = |owner, reviewer| Resource::Growth {
            placements: &at,
            owner,
            reviewer,
        };
        let owner = actor(1, &[(Role::Educator, Scope::School(OrgId::new(100)))]);
        let colleague = actor(2, &[(Role::Educator, Scope::School(OrgId::new(100)))]);
        let coach = actor(3, &[(Role::Coach, Scope::School(OrgId::new(100)))]);
        let far_coach = actor(4, &[(Role::Coach, Scope::School(OrgId::new(101)))]);
        let leader = actor(
            5,
            &[(Role::DistrictCoordinator, Scope::District(OrgId::new(10)))],
        );
        let admin = actor(6, &[(Role::Administrator, Scope::Installation)]);
        assert!(Policy::can(&owner, Action::ViewGrowth, &plan(true, false)));
        assert!(Policy::can(&owner, Action::EditGrowth, &plan(true, false)));
        assert!(!Policy::can(
            &owner,
            Action::ReviewGrowth,
            &plan(true, false)
        ));
        assert!(!Policy::can(
            &colleague,
            Action::ViewGrowth,
            &plan(false, false)
        ));
        assert!(Policy::can(
            &coach,
            Action::ReviewGrowth,
            &plan(false, false)
        ));
        assert!(!Policy::can(
            &coach,
            Action::EditGrowth,
            &plan(false, false)
        ));
        assert!(!Policy::can(
            &far_coach,
            Action::ViewGrowth,
            &plan(false, false)
        ));
        assert!(Policy::can(
            &far_coach,
            Action::ReviewGrowth,
            &plan(false, true)
        ));
        assert!(Policy::can(
            &leader,
            Action::ViewGrowth,
            &plan(false, false)
        ));
        assert!(!Policy::can(
            &leader,
            Action::ReviewGrowth,
            &plan(false, false)
        ));
        assert!(!Policy::can(
            &admin,
            Action::EditGrowth,
            &plan(false, false)
        ));
        assert!(Policy::can(&admin, Action::ViewGrowth, &plan(false, false)));
    }

    #[test]
    fn a_class_grant_does_not_open_the_school() {
        let a = actor(1, &[(Role::Educator, Scope::Class(ClassId::new(5)))]);
        let p = school(1, 10, 100);
        let five = p.with_class(ClassId::new(5));
        let six = p.with_class(ClassId::new(6));
        let none: [PersonId; 0] = [];
        assert!(Policy::can(
            &a,
            Action::ViewClassRoster,
            &Resource::Class {
                placement: five,
                teachers: &none
            }
        ));
        assert!(!Policy::can(
            &a,
            Action::ViewClassRoster,
            &Resource::Class {
                placement: six,
                teachers: &none
            }
        ));
        assert!(!Policy::can(&a, Action::ListStaff, &Resource::Org(p)));
    }

    #[test]
    fn staff_visibility_follows_grants() {
        let a = actor(
            1,
            &[
                (Role::Educator, Scope::School(OrgId::new(100))),
                (Role::Coach, Scope::District(OrgId::new(10))),
                (Role::RegionalCoordinator, Scope::Region(OrgId::new(1))),
            ],
        );
        assert_eq!(
            Policy::staff_visibility(&a),
            StaffVisibility::Within {
                districts: vec![OrgId::new(10)],
                schools: vec![OrgId::new(100)]
            }
        );
        let admin = actor(2, &[(Role::Administrator, Scope::Installation)]);
        assert_eq!(Policy::staff_visibility(&admin), StaffVisibility::All);
    }
}
