//! The seeded demo generator: a region of districts shaped like a real one,
//! produced as an ordinary [`RosterBatch`] so it travels through the same
//! store path as an imported OneRoster package. Tests and benchmarks use it at
//! other sizes through [`DemoSpec`].

use crate::org::OrgKind;
use crate::role::Role;
use crate::roster::{
    BatchMode, ClassRecord, CourseRecord, EnrollmentRecord, Meta, OrgRecord, OrgRole, Origin,
    RosterBatch, RosterRole, SessionRecord, Status, UserRecord,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The size and shape of a generated installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// Seed; the same spec and seed give the same installation.
    pub seed: u64,
    /// Schools in the main district.
    pub schools: usize,
    /// Students per school in the main district.
    pub students_per_school: usize,
    /// Staff per school in the main district (teachers, coaches, principal, support).
    pub staff_per_school: usize,
    /// Classes per school in the main district.
    pub classes_per_school: usize,
    /// Classes each student is enrolled in.
    pub classes_per_student: usize,
    /// Other member districts of the region.
    pub other_districts: usize,
    /// Schools in each other district.
    pub other_district_schools: usize,
    /// Staff at the district office of the main district.
    pub district_office_staff: usize,
}

impl DemoSpec {
    /// The demo installation: a region of 4 districts; the main one with 12
    /// schools, about 1,000 staff, about 400 classes and about 8,000 students.
    pub const fn demo() -> Self {
        Self {
            seed: 2026,
            schools: 12,
            students_per_school: 667,
            staff_per_school: 82,
            classes_per_school: 34,
            classes_per_student: 2,
            other_districts: 3,
            other_district_schools: 3,
            district_office_staff: 16,
        }
    }

    /// A small installation for tests: same shape, a few dozen people.
    pub const fn small() -> Self {
        Self {
            seed: 7,
            schools: 3,
            students_per_school: 30,
            staff_per_school: 8,
            classes_per_school: 3,
            classes_per_student: 2,
            other_districts: 1,
            other_district_schools: 1,
            district_office_staff: 2,
        }
    }
}

/// A grant the demo gives to a generated person, by sourcedIds (the store
/// resolves them to ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoGrant {
    /// The person's sourcedId.
    pub user: String,
    /// The role.
    pub role: Role,
    /// The scoped organisation's sourcedId; `None` for the installation.
    pub org: Option<String>,
}

/// A person the demo gives a password to, so each role can be tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSignIn {
    /// What this account shows.
    pub role: Role,
    /// The person's sourcedId.
    pub user: String,
    /// The username to type.
    pub username: String,
    /// A readable description, e.g. "Grade 3 teacher at Maple Grove Elementary".
    pub description: String,
}

/// The generated installation.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The roster.
    pub roster: RosterBatch,
    /// Grants beyond those the roster implies (coaches, coordinators, admin).
    pub grants: Vec<DemoGrant>,
    /// One sign-in per role.
    pub sign_ins: Vec<DemoSignIn>,
}

/// The password every demo sign-in uses.
pub const DEMO_PASSWORD: &str = "waypoint-demo";

const GIVEN: &[&str] = &[
    "Amara",
    "Ben",
    "Carmen",
    "Daniel",
    "Elif",
    "Farah",
    "Gabriel",
    "Hana",
    "Isaac",
    "Jasmine",
    "Kai",
    "Lucia",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Samuel",
    "Tanvi",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiden",
    "Beatriz",
    "Chloe",
    "Dmitri",
    "Emma",
    "Felix",
    "Grace",
    "Hiro",
    "Imani",
    "Jonah",
    "Keisha",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Pedro",
    "Rania",
    "Sofia",
    "Theo",
    "Valentina",
    "William",
    "Yara",
    "Ahmed",
    "Bianca",
    "Caleb",
    "Diana",
    "Ethan",
    "Fatima",
    "George",
    "Helena",
    "Ivan",
    "Julia",
    "Kofi",
    "Leah",
    "Marcus",
    "Nia",
    "Oscar",
    "Paula",
    "Rafael",
    "Sara",
    "Tomas",
    "Vera",
    "Zane",
];
const FAMILY: &[&str] = &[
    "Abbott",
    "Nguyen",
    "Okafor",
    "Hernandez",
    "Kowalski",
    "Patel",
    "Johansson",
    "Moreau",
    "Tanaka",
    "Rossi",
    "Schmidt",
    "Haddad",
    "Silva",
    "O'Brien",
    "Kim",
    "Mensah",
    "Novak",
    "Garcia",
    "Ivanova",
    "Chen",
    "Walker",
    "Dubois",
    "Yilmaz",
    "Costa",
    "Fischer",
    "Ali",
    "Murphy",
    "Santos",
    "Lindqvist",
    "Bauer",
    "Reyes",
    "Adeyemi",
    "Park",
    "Russo",
    "Kaur",
    "Lopez",
    "Brennan",
    "Sato",
    "Jensen",
    "Petrov",
    "Mwangi",
    "Castillo",
    "Weber",
    "Hussain",
    "Andersen",
    "Romero",
    "Ferreira",
    "Clarke",
    "Nakamura",
    "Dlamini",
    "Ortiz",
    "Keller",
    "Osei",
    "Larsen",
    "Vargas",
    "Morgan",
    "Bianchi",
    "Hoang",
    "Stewart",
    "Alvarez",
];
const DISTRICTS: &[&str] = &[
    "Riverbend Unified School District",
    "Cedar Hollow School District",
    "Pine Valley School District",
    "Lakeshore Consolidated Schools",
    "Stonebridge School District",
    "Willow Creek School District",
];
const SCHOOL_STEMS: &[&str] = &[
    "Maple Grove",
    "Harbor View",
    "Sunnyside",
    "Oak Ridge",
    "Riverside",
    "Hillcrest",
    "Meadowlark",
    "Brookfield",
    "Juniper",
    "Westwood",
    "Eastgate",
    "Northfield",
    "Southpoint",
    "Cascade",
    "Foxglove",
    "Granite Peak",
    "Lincoln",
    "Roosevelt",
    "Jefferson",
    "Kingsley",
];
const SUBJECTS_SECONDARY: &[(&str, &str)] = &[
    ("English Language Arts", "ELA"),
    ("Mathematics", "MATH"),
    ("Science", "SCI"),
    ("Social Studies", "SOC"),
    ("World Languages", "WL"),
    ("Visual Arts", "ART"),
];

/// School level, which decides grades and the kind of classes.
#[derive(Debug, Clone, Copy)]
enum Level {
    Elementary,
    Middle,
    High,
}

impl Level {
    fn of(index: usize, schools: usize) -> Self {
        // Roughly 60% elementary, 25% middle, 15% high, like most districts.
        let f = (index * 100) / schools.max(1);
        if f < 58 {
            Self::Elementary
        } else if f < 84 {
            Self::Middle
        } else {
            Self::High
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Self::Elementary => "Elementary",
            Self::Middle => "Middle School",
            Self::High => "High School",
        }
    }
    fn size_factor(self) -> f64 {
        match self {
            Self::Elementary => 0.75,
            Self::Middle => 1.1,
            Self::High => 1.6,
        }
    }
    fn classes_per_student(self, secondary: usize) -> usize {
        match self {
            Self::Elementary => 1,
            _ => secondary,
        }
    }
    fn grades(self) -> &'static [&'static str] {
        match self {
            Self::Elementary => &["KG", "01", "02", "03", "04", "05"],
            Self::Middle => &["06", "07", "08"],
            Self::High => &["09", "10", "11", "12"],
        }
    }
}

struct Builder {
    rng: ChaCha8Rng,
    batch: RosterBatch,
    next_user: usize,
    next_enrollment: usize,
}

fn meta(sourced_id: String, file: &str) -> Meta {
    Meta {
        sourced_id,
        status: Status::Active,
        date_last_modified: None,
        origin: Origin {
            file: file.to_owned(),
            line: 0,
        },
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Builder {
    fn person(
        &mut self,
        domain: &str,
        roles: Vec<OrgRole>,
        grades: Vec<String>,
    ) -> (String, String, String) {
        self.next_user += 1;
        let n = self.next_user;
        let given = GIVEN[self.rng.gen_range(0..GIVEN.len())];
        let family = FAMILY[self.rng.gen_range(0..FAMILY.len())];
        let sid = format!("usr-{n:06}");
        let is_student = roles.iter().any(|r| r.role == RosterRole::Student);
        let username = if is_student {
            format!("s{n:06}@{domain}")
        } else {
            format!("{}.{}{n}@{domain}", slug(given), slug(family))
        };
        self.batch.users.push(UserRecord {
            meta: meta(sid.clone(), "users.csv"),
            enabled: true,
            username: username.clone(),
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            middle_name: None,
            identifier: Some(format!("{}{n:06}", if is_student { "S" } else { "E" })),
            email: (!is_student).then(|| username.clone()),
            grades,
            roles,
        });
        (sid, username, format!("{given} {family}"))
    }

    fn enroll(&mut self, class: &str, school: &str, user: &str, role: RosterRole) {
        self.next_enrollment += 1;
        self.batch.enrollments.push(EnrollmentRecord {
            meta: meta(
                format!("enr-{:07}", self.next_enrollment),
                "enrollments.csv",
            ),
            class: class.to_owned(),
            school: school.to_owned(),
            user: user.to_owned(),
            role,
            primary: role == RosterRole::Teacher,
            begin_date: None,
            end_date: None,
        });
    }
}

/// Generates the installation described by `spec`.
pub fn generate(spec: &DemoSpec) -> Demo {
    let mut b = Builder {
        rng: ChaCha8Rng::seed_from_u64(spec.seed),
        batch: RosterBatch::new(BatchMode::Bulk, "generated"),
        next_user: 0,
        next_enrollment: 0,
    };
    let mut grants = Vec::new();
    let mut sign_ins = Vec::new();

    let region = "org-region".to_owned();
    b.batch.orgs.push(OrgRecord {
        meta: meta(region.clone(), "orgs.csv"),
        name: "North Valley Regional Council".to_owned(),
        kind: OrgKind::Region,
        identifier: Some("NVRC".to_owned()),
        parent: None,
    });
    b.batch.sessions.push(SessionRecord {
        meta: meta("term-2027".to_owned(), "academicSessions.csv"),
        title: "2026-2027".to_owned(),
        kind: "schoolYear".to_owned(),
        start_date: "2026-08-24".to_owned(),
        end_date: "2027-06-11".to_owned(),
        parent: None,
        school_year: "2027".to_owned(),
    });

    let mut stems: Vec<&str> = SCHOOL_STEMS.to_vec();
    stems.shuffle(&mut b.rng);
    let mut stem_i = 0;

    for d in 0..=spec.other_districts {
        let main = d == 0;
        let did = format!("org-d{}", d + 1);
        let dname = DISTRICTS[d % DISTRICTS.len()];
        let domain = format!(
            "{}.example.org",
            slug(dname.split(' ').next().unwrap_or("district"))
        );
        b.batch.orgs.push(OrgRecord {
            meta: meta(did.clone(), "orgs.csv"),
            name: dname.to_owned(),
            kind: OrgKind::District,
            identifier: Some(format!("D{:03}", d + 1)),
            parent: Some(region.clone()),
        });
        let (schools, students, staff, classes) = if main {
            (
                spec.schools,
                spec.students_per_school,
                spec.staff_per_school,
                spec.classes_per_school,
            )
        } else {
            (
                spec.other_district_schools,
                spec.students_per_school / 3,
                (spec.staff_per_school / 3).max(4),
                (spec.classes_per_school / 3).max(1),
            )
        };

        // District office.
        let office_roles = vec![OrgRole {
            org: did.clone(),
            role: RosterRole::DistrictAdministrator,
            primary: true,
        }];
        let office = if main {
            spec.district_office_staff.max(2)
        } else {
            1
        };
        for i in 0..office {
            let (sid, username, name) = b.person(&domain, office_roles.clone(), Vec::new());
            if main && i == 0 {
                grants.push(DemoGrant {
                    user: sid.clone(),
                    role: Role::DistrictCoordinator,
                    org: Some(did.clone()),
                });
                sign_ins.push(DemoSignIn {
                    role: Role::DistrictCoordinator,
                    user: sid,
                    username,
                    description: format!("{name}, PL coordinator, {dname}"),
                });
            } else if main && i == 1 {
                grants.push(DemoGrant {
                    user: sid.clone(),
                    role: Role::Administrator,
                    org: None,
                });
                sign_ins.push(DemoSignIn {
                    role: Role::Administrator,
                    user: sid,
                    username,
                    description: format!("{name}, data and systems administrator"),
                });
            } else if d == 1 && i == 0 {
                grants.push(DemoGrant {
                    user: sid.clone(),
                    role: Role::RegionalCoordinator,
                    org: Some(region.clone()),
                });
                sign_ins.push(DemoSignIn {
                    role: Role::RegionalCoordinator,
                    user: sid,
                    username,
                    description: format!("{name}, North Valley Regional Council coordinator"),
                });
            } else if main && i == 2 {
                grants.push(DemoGrant {
                    user: sid,
                    role: Role::Coach,
                    org: Some(did.clone()),
                });
            }
        }

        // Schools differ in size: high schools are bigger than elementary
        // schools, and no two are quite alike. Shares are normalised so the
        // district's totals stay what the spec asks for.
        let levels: Vec<Level> = (0..schools).map(|s| Level::of(s, schools)).collect();
        let raw: Vec<f64> = levels
            .iter()
            .map(|l| l.size_factor() * b.rng.gen_range(0.8..1.2))
            .collect();
        let raw_sum: f64 = raw.iter().sum();
        let share: Vec<f64> = raw.iter().map(|r| r * schools as f64 / raw_sum).collect();
        let weight: Vec<f64> = share
            .iter()
            .zip(&levels)
            .map(|(s, l)| s * l.classes_per_student(spec.classes_per_student) as f64)
            .collect();
        let weight_sum: f64 = weight.iter().sum();
        let demo_school = levels
            .iter()
            .position(|l| matches!(l, Level::Middle))
            .unwrap_or(0);

        for s in 0..schools {
            let level = levels[s];
            let students = ((students as f64) * share[s]).round() as usize;
            let staff = ((staff as f64) * share[s]).round().max(4.0) as usize;
            let classes = ((classes * schools) as f64 * weight[s] / weight_sum)
                .round()
                .max(1.0) as usize;
            let featured = main && s == demo_school;
            let stem = stems[stem_i % stems.len()];
            stem_i += 1;
            let sname = format!("{stem} {}", level.suffix());
            let sid_school = format!("{did}-s{:02}", s + 1);
            b.batch.orgs.push(OrgRecord {
                meta: meta(sid_school.clone(), "orgs.csv"),
                name: sname.clone(),
                kind: OrgKind::School,
                identifier: Some(format!("{:03}{:03}", d + 1, s + 1)),
                parent: Some(did.clone()),
            });
            let grades = level.grades();

            // Staff: the principal first, two coaches, teachers, then support.
            let mut teachers = Vec::new();
            for k in 0..staff {
                let role = match k {
                    0 => RosterRole::Principal,
                    _ if k + 2 >= staff && staff > 6 => RosterRole::Counselor,
                    _ if k * 10 >= staff * 8 => RosterRole::Aide,
                    _ => RosterRole::Teacher,
                };
                let roles = vec![OrgRole {
                    org: sid_school.clone(),
                    role,
                    primary: true,
                }];
                let (sid, username, name) = b.person(&domain, roles, Vec::new());
                if role == RosterRole::Principal && featured {
                    sign_ins.push(DemoSignIn {
                        role: Role::Principal,
                        user: sid.clone(),
                        username: username.clone(),
                        description: format!("{name}, principal of {sname}"),
                    });
                }
                if (k == 1 || k == 2) && role == RosterRole::Teacher {
                    grants.push(DemoGrant {
                        user: sid.clone(),
                        role: Role::Coach,
                        org: Some(sid_school.clone()),
                    });
                    if featured && k == 1 {
                        sign_ins.push(DemoSignIn {
                            role: Role::Coach,
                            user: sid.clone(),
                            username: username.clone(),
                            description: format!("{name}, instructional coach at {sname}"),
                        });
                    }
                    continue;
                }
                if role == RosterRole::Teacher {
                    teachers.push((sid, username, name));
                }
            }
            // Elementary teachers keep one homeroom; secondary teachers teach
            // three sections each, and the rest are specialists without
            // rostered classes.
            let sections_per_teacher = if matches!(level, Level::Elementary) {
                1
            } else {
                3
            };

            // Courses and classes.
            let mut class_ids: Vec<(String, usize)> = Vec::new();
            for c in 0..classes {
                let grade_i = c % grades.len();
                let grade = grades[grade_i];
                let (subject, code) = match level {
                    Level::Elementary => ("Homeroom", "HR"),
                    _ => SUBJECTS_SECONDARY[(c / grades.len()) % SUBJECTS_SECONDARY.len()],
                };
                let course_sid = format!("{sid_school}-crs-{code}-{grade}");
                if !b
                    .batch
                    .courses
                    .iter()
                    .rev()
                    .take(64)
                    .any(|x| x.meta.sourced_id == course_sid)
                {
                    b.batch.courses.push(CourseRecord {
                        meta: meta(course_sid.clone(), "courses.csv"),
                        title: format!("{subject} {}", grade_label(grade)),
                        code: Some(format!("{code}-{grade}")),
                        org: sid_school.clone(),
                        grades: vec![grade.to_owned()],
                        subjects: vec![subject.to_owned()],
                    });
                }
                let class_sid = format!("{sid_school}-c{:03}", c + 1);
                let section = c / (grades.len() * SUBJECTS_SECONDARY.len()).max(1) + 1;
                let title = match level {
                    Level::Elementary => {
                        format!(
                            "{} Homeroom {}",
                            grade_label(grade),
                            (b'A' + (c / grades.len()) as u8 % 26) as char
                        )
                    }
                    _ => format!("{subject} {} · Section {section}", grade_label(grade)),
                };
                b.batch.classes.push(ClassRecord {
                    meta: meta(class_sid.clone(), "classes.csv"),
                    title,
                    code: Some(format!("{code}{grade}-{:02}", c + 1)),
                    class_type: if matches!(level, Level::Elementary) {
                        "homeroom"
                    } else {
                        "scheduled"
                    }
                    .to_owned(),
                    location: Some(format!("Room {}", 100 + c)),
                    course: course_sid,
                    school: sid_school.clone(),
                    terms: vec!["term-2027".to_owned()],
                    grades: vec![grade.to_owned()],
                    subjects: vec![subject.to_owned()],
                    periods: if matches!(level, Level::Elementary) {
                        Vec::new()
                    } else {
                        vec![format!("{}", c % 7 + 1)]
                    },
                });
                if !teachers.is_empty() {
                    let t = &teachers[(c / sections_per_teacher) % teachers.len()];
                    let tsid = t.0.clone();
                    b.enroll(&class_sid, &sid_school, &tsid, RosterRole::Teacher);
                    if featured && c == 0 {
                        sign_ins.push(DemoSignIn {
                            role: Role::Educator,
                            user: tsid,
                            username: t.1.clone(),
                            description: format!(
                                "{}, {subject} teacher ({}) at {sname}",
                                t.2,
                                grade_label(grade)
                            ),
                        });
                    }
                }
                class_ids.push((class_sid, grade_i));
            }

            // Students, each in classes of their own grade.
            for k in 0..students {
                let grade_i = k % grades.len();
                let roles = vec![OrgRole {
                    org: sid_school.clone(),
                    role: RosterRole::Student,
                    primary: true,
                }];
                let (sid, _, _) = b.person(&domain, roles, vec![grades[grade_i].to_owned()]);
                let mine: Vec<&String> = class_ids
                    .iter()
                    .filter(|(_, g)| *g == grade_i)
                    .map(|(c, _)| c)
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                let take = level
                    .classes_per_student(spec.classes_per_student)
                    .min(mine.len());
                let start = b.rng.gen_range(0..mine.len());
                let picked: Vec<String> = (0..take)
                    .map(|j| mine[(start + j) % mine.len()].clone())
                    .collect();
                for class in picked {
                    b.enroll(&class, &sid_school, &sid, RosterRole::Student);
                }
            }
        }
    }

    sign_ins.sort_by_key(|s| s.role);
    Demo {
        roster: b.batch,
        grants,
        sign_ins,
    }
}

fn grade_label(grade: &str) -> String {
    match grade {
        "KG" => "Kindergarten".to_owned(),
        g => format!("Grade {}", g.trim_start_matches('0')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn demo_has_the_promised_shape() {
        let demo = generate(&DemoSpec::demo());
        let r = &demo.roster;
        let main_schools = r
            .orgs
            .iter()
            .filter(|o| o.parent.as_deref() == Some("org-d1"))
            .count();
        assert_eq!(main_schools, 12);
        let districts = r
            .orgs
            .iter()
            .filter(|o| o.kind == OrgKind::District)
            .count();
        assert_eq!(districts, 4);
        let in_main = |u: &UserRecord| u.roles.iter().any(|x| x.org.starts_with("org-d1"));
        let main_staff = r
            .users
            .iter()
            .filter(|u| in_main(u) && u.primary_role().is_staff())
            .count();
        let main_students = r
            .users
            .iter()
            .filter(|u| in_main(u) && u.primary_role() == RosterRole::Student)
            .count();
        let main_classes = r
            .classes
            .iter()
            .filter(|c| c.school.starts_with("org-d1-"))
            .count();
        assert!((950..=1050).contains(&main_staff), "{main_staff} staff");
        assert!(
            (7900..=8100).contains(&main_students),
            "{main_students} students"
        );
        assert!(
            (380..=420).contains(&main_classes),
            "{main_classes} classes"
        );
        let roles: HashSet<Role> = demo.sign_ins.iter().map(|s| s.role).collect();
        assert_eq!(roles.len(), Role::ALL.len(), "one sign-in per role");
    }

    #[test]
    fn same_seed_same_installation() {
        let a = generate(&DemoSpec::small());
        let b = generate(&DemoSpec::small());
        assert_eq!(a.roster, b.roster);
        let mut other = DemoSpec::small();
        other.seed += 1;
        assert_ne!(generate(&other).roster.users, a.roster.users);
    }

    #[test]
    fn references_resolve_and_ids_are_unique() {
        let demo = generate(&DemoSpec::small());
        let r = &demo.roster;
        let orgs: HashSet<&str> = r.orgs.iter().map(|o| o.meta.sourced_id.as_str()).collect();
        let classes: HashSet<&str> = r
            .classes
            .iter()
            .map(|c| c.meta.sourced_id.as_str())
            .collect();
        let users: HashSet<&str> = r.users.iter().map(|u| u.meta.sourced_id.as_str()).collect();
        let courses: HashSet<&str> = r
            .courses
            .iter()
            .map(|c| c.meta.sourced_id.as_str())
            .collect();
        assert_eq!(users.len(), r.users.len());
        assert_eq!(classes.len(), r.classes.len());
        assert_eq!(courses.len(), r.courses.len());
        for c in &r.classes {
            assert!(orgs.contains(c.school.as_str()) && courses.contains(c.course.as_str()));
        }
        for e in &r.enrollments {
            assert!(classes.contains(e.class.as_str()) && users.contains(e.user.as_str()));
        }
        for g in &demo.grants {
            assert!(users.contains(g.user.as_str()));
        }
    }
}
