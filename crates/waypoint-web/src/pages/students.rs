//! Student information: what a teacher's classes need, a student's profile,
//! and how a school, district or region is doing, strengths first.
//!
//! Three kinds of page, three kinds of privacy:
//! - a class and its students (`/students/classes/…`) are student-level:
//!   only the class's teachers and its school's principals read them, and
//!   every read writes an audit row in the same transaction as the read;
//! - a school, district or region (`/students/orgs/…`) shows counts only,
//!   each count under the installation's minimum hidden together with the
//!   complementary ones that would give it away, shares at the ends
//!   top- and bottom-coded;
//! - a region sees its districts side by side, never a district's schools.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::orgs::audit_entry;
use super::require;
use crate::AppState;
use crate::auth::{CurrentUser, RequestId};
use crate::error::{WebError, WebResult};
use crate::services::crumbs;
use crate::view::{Layout, grades_label, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use waypoint_domain::results::{Band, Term};
use waypoint_domain::suppression::{MinN, percent_label, suppress};
use waypoint_domain::{Action, ClassId, OrgId, OrgKind, PersonId, Policy, Resource, Role, Scope};
use waypoint_store::{
    AuditEntry, BandCount, ClassDetail, ClassSummary, CountsBy, Org, Store, StoredResult, Student,
};

/// The whole test, as vendors and the template name it.
pub(crate) const OVERALL: &str = "Overall";

/// One segment of a stacked bar.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Left edge, percent.
    pub x: u32,
    /// Width, percent.
    pub width: u32,
    /// The band's CSS name.
    pub slug: &'static str,
}

/// A row of counts by band: a domain, a grade, a class, a school, a
/// district or a window.
#[derive(Debug, Clone)]
pub struct BandRow {
    /// What the row counts.
    pub label: String,
    /// Where it leads, when the viewer may follow.
    pub href: Option<String>,
    /// Students per band (strengths first); `None` where hidden.
    pub cells: [Option<u32>; 3],
    /// All students in the row; `None` where hidden.
    pub total: Option<u32>,
    /// Each band's share as shown ("*" where hidden, nothing for none).
    pub shares: [String; 3],
    /// The bar, from the shown counts only.
    pub segments: Vec<Segment>,
    /// Share on track in tenths of a percent, for sorting (0 when hidden).
    pub on_track: u32,
}

impl BandRow {
    fn new(
        label: String,
        href: Option<String>,
        cells: [Option<u32>; 3],
        total: Option<u32>,
    ) -> Self {
        let mut shares: [String; 3] = Default::default();
        let mut segments = Vec::new();
        let mut x = 0u32;
        for (i, band) in Band::ALL.iter().enumerate() {
            shares[i] = match (cells[i], total) {
                (Some(0), _) => String::new(),
                (Some(c), Some(t)) => percent_label(c, t).unwrap_or_default(),
                _ => "*".to_owned(),
            };
            if let (Some(c), Some(t)) = (cells[i], total)
                && t > 0
                && c > 0
            {
                let width = (c * 100 + t / 2) / t;
                let width = width.min(100 - x);
                segments.push(Segment {
                    x,
                    width,
                    slug: band.slug(),
                });
                x += width;
            }
        }
        let on_track = match (cells[0], total) {
            (Some(c), Some(t)) if t > 0 => c * 1000 / t,
            _ => 0,
        };
        Self {
            label,
            href,
            cells,
            total,
            shares,
            segments,
            on_track,
        }
    }

    /// A row shown in full (a teacher's own class).
    fn exact(label: String, href: Option<String>, counts: [u32; 3]) -> Self {
        let total = counts.iter().sum();
        Self::new(label, href, counts.map(Some), Some(total))
    }

    fn shown(&self, band: usize) -> u32 {
        self.cells[band].unwrap_or(0)
    }
}

/// A table of counts with small cells hidden, primary and complementary
/// suppression over the whole table (rows × bands, with the margins): its
/// rows, and its margin (the column totals as the same suppression left
/// them), labelled `margin`.
fn suppressed_table(
    rows: Vec<(String, Option<String>, [u32; 3])>,
    margin: String,
    min_n: MinN,
) -> (Vec<BandRow>, BandRow) {
    if rows.is_empty() {
        return (Vec::new(), BandRow::exact(margin, None, [0; 3]));
    }
    let counts: Vec<Vec<u32>> = rows.iter().map(|r| r.2.to_vec()).collect();
    let shown = suppress(&counts, min_n);
    let n = rows.len();
    let line = |r: usize| {
        let l = &shown.cells[r];
        ([l[0], l[1], l[2]], l[3])
    };
    let (cells, total) = line(n);
    let margin = BandRow::new(margin, None, cells, total);
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(r, (label, href, _))| {
            let (cells, total) = line(r);
            BandRow::new(label, href, cells, total)
        })
        .collect();
    (rows, margin)
}

/// One row of counts: exact (a teacher's own class), or, given the
/// installation's minimum, suppressed as a table of its own.
pub(crate) fn single_row(label: String, counts: [u32; 3], min_n: Option<MinN>) -> BandRow {
    match min_n {
        None => BandRow::exact(label, None, counts),
        Some(n) => suppressed_table(vec![(label, None, counts)], String::new(), n)
            .0
            .pop()
            .unwrap_or_else(|| BandRow::new(String::new(), None, [None; 3], None)),
    }
}

/// The latest result of each student in each (subject, domain, window).
pub(crate) fn latest(
    results: &[StoredResult],
) -> HashMap<(&str, &str, &str, PersonId), &StoredResult> {
    let mut out: HashMap<(&str, &str, &str, PersonId), &StoredResult> = HashMap::new();
    for r in results {
        let key = (
            r.subject.as_str(),
            r.domain.as_str(),
            r.term.as_str(),
            r.student,
        );
        match out.get(&key) {
            Some(old) if old.taken_on > r.taken_on => {}
            _ => {
                out.insert(key, r);
            }
        }
    }
    out
}

/// Students per band for each group (its name and id) of `rows`.
fn by_group<'a>(rows: impl Iterator<Item = &'a BandCount>) -> BTreeMap<(String, i64), [u32; 3]> {
    let mut groups: BTreeMap<(String, i64), [u32; 3]> = BTreeMap::new();
    for r in rows {
        groups.entry((r.label.clone(), r.group)).or_default()[band_index(r.band)] +=
            u32::try_from(r.students).unwrap_or(u32::MAX);
    }
    groups
}

pub(crate) fn band_index(b: Band) -> usize {
    Band::ALL.iter().position(|x| *x == b).unwrap_or(0)
}

pub(crate) fn term_label(key: &str) -> String {
    Term::from_key(key).map_or_else(|| "Undated".to_owned(), Term::label)
}

/// The subject picker: the subjects there are, the one asked for (or the
/// first), as (name, selected) pairs.
fn pick_subject(
    subjects: BTreeSet<String>,
    query: &HashMap<String, String>,
) -> (Vec<(String, bool)>, String) {
    let wanted = query.get("subject").filter(|s| subjects.contains(*s));
    let chosen = wanted
        .cloned()
        .or_else(|| subjects.iter().next().cloned())
        .unwrap_or_default();
    let list = subjects
        .into_iter()
        .map(|s| {
            let on = s == chosen;
            (s, on)
        })
        .collect();
    (list, chosen)
}

/// A class's or a team's results in the subject shown.
pub(crate) struct InSubject {
    /// The picker: every subject tested, the one shown marked.
    pub subjects: Vec<(String, bool)>,
    /// The subject shown.
    pub subject: String,
    /// Its results.
    pub results: Vec<StoredResult>,
    /// Its latest window's key.
    pub term: String,
}

/// `results` in the subject asked for, else the first that one of the
/// classes' roster subjects or titles (`taught`) names, else the first.
pub(crate) fn in_subject<'a>(
    results: Vec<StoredResult>,
    taught: impl IntoIterator<Item = &'a str>,
    query: &HashMap<String, String>,
) -> InSubject {
    let tested: BTreeSet<String> = results.iter().map(|r| r.subject.clone()).collect();
    let mut query = query.clone();
    if !query.contains_key("subject")
        && let Some(s) = taught
            .into_iter()
            .find_map(|t| subject_of_class(t, &tested))
    {
        query.insert("subject".to_owned(), s);
    }
    let (subjects, subject) = pick_subject(tested, &query);
    let results: Vec<StoredResult> = results
        .into_iter()
        .filter(|r| r.subject == subject)
        .collect();
    let term = results
        .iter()
        .map(|r| r.term.clone())
        .max()
        .unwrap_or_default();
    InSubject {
        subjects,
        subject,
        results,
        term,
    }
}

/// The tested subject a class teaches, when its roster subjects say
/// ("English Language Arts" → "Reading", "Math 7" → "Mathematics").
fn subject_of_class(class_subjects: &str, tested: &BTreeSet<String>) -> Option<String> {
    const FAMILIES: [&[&str]; 3] = [
        &["math", "algebra", "geometry"],
        &["english", "ela", "reading", "literacy", "language arts"],
        &["science", "biology", "chemistry", "physics"],
    ];
    let class = class_subjects.to_ascii_lowercase();
    let family = FAMILIES
        .iter()
        .find(|words| words.iter().any(|w| class.contains(w)))?;
    tested
        .iter()
        .find(|t| {
            let t = t.to_ascii_lowercase();
            family.iter().any(|w| t.contains(w))
        })
        .cloned()
}

// --- the landing page ------------------------------------------------------

/// Where the viewer can go.
#[derive(Template)]
#[template(path = "students.html")]
pub struct StudentsPage {
    layout: Layout,
    classes: Vec<ClassSummary>,
    orgs: Vec<(Org, &'static str)>,
    /// Districts whose audit log the viewer reviews.
    audits: Vec<Org>,
}

/// GET /students
pub async fn index(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let store = &*state.store;
    let classes = store.classes_taught_by(user.actor.person).await?;
    let mut orgs = Vec::new();
    let mut audits = Vec::new();
    let mut seen = BTreeSet::new();
    for g in user.grants() {
        let id = match g.scope {
            Scope::School(id) | Scope::District(id) | Scope::Region(id) => id,
            _ => continue,
        };
        if !seen.insert(id) {
            continue;
        }
        let Some(org) = store.org(id).await? else {
            continue;
        };
        if Policy::can(
            &user.actor,
            Action::ViewResults,
            &Resource::Org(org.placement),
        ) {
            let what = match org.kind {
                OrgKind::School => "Grades and classes",
                OrgKind::District => "Schools side by side",
                _ => "Districts side by side",
            };
            if Policy::can(
                &user.actor,
                Action::ReviewAudit,
                &Resource::Org(org.placement),
            ) {
                audits.push(org.clone());
            }
            orgs.push((org, what));
        }
    }
    if user.holds(Role::Administrator) {
        for org in store.orgs().await? {
            if org.kind == OrgKind::District && seen.insert(org.id) {
                orgs.push((org, "Schools side by side"));
            }
        }
    }
    Ok(render(&StudentsPage {
        layout: Layout::for_user(&user, "Students", "/students"),
        classes,
        orgs,
        audits,
    }))
}

// --- a class ---------------------------------------------------------------

/// A class's results.
#[derive(Template)]
#[template(path = "students_class.html")]
pub struct ClassResultsPage {
    layout: Layout,
    class: ClassDetail,
    subjects: Vec<(String, bool)>,
    subject: String,
    term: String,
    domains: Vec<BandRow>,
    strengths: Vec<BandRow>,
    needs: Vec<BandRow>,
    trend: Vec<BandRow>,
    groups: Vec<(String, Vec<(PersonId, String)>)>,
    students: Vec<StudentLine>,
    tested: usize,
    voice: Vec<Voice>,
}

/// What the class's students said to one question, in the latest round of
/// its survey.
#[derive(Debug, Clone)]
pub struct Voice {
    /// The survey and when it was given.
    pub survey: String,
    /// The day, as people read it.
    pub asked: String,
    /// The question.
    pub question: String,
    /// For a scale: students agreeing (top two points), in between, and
    /// disagreeing (bottom two), with shares and the bar.
    pub scale: Option<BandRow>,
    /// The average point and the scale's top.
    pub mean: Option<(String, u8)>,
    /// Written answers, without names, in no particular order.
    pub texts: Vec<String>,
}

/// Where a point on a scale falls: agreeing (the top two points),
/// in between, or disagreeing (the bottom two), as 0, 1 and 2.
fn said(point: u8, top: u8) -> usize {
    if point + 1 >= top {
        0
    } else if point <= 2 {
        2
    } else {
        1
    }
}

/// What an organisation's students said to one question in its survey's
/// latest window, suppressed as a margin of the organisation's parts.
#[derive(Debug, Clone)]
pub struct OrgVoice {
    /// The survey.
    pub survey: String,
    /// Its window, as people read it.
    pub window: String,
    /// The question.
    pub question: String,
    /// Agree, in between, disagree.
    pub row: BandRow,
}

/// Each scale question of each survey's latest window: the organisation's
/// students, the margin of a table of its parts (the school itself; a
/// district's schools; a region's districts).
fn org_voices(org: &Org, counts: &[waypoint_store::SurveyCount], min_n: MinN) -> Vec<OrgVoice> {
    let window = |day: &str| Term::of(day).map(Term::key).unwrap_or_default();
    let mut latest: BTreeMap<&str, String> = BTreeMap::new();
    for c in counts {
        let w = window(&c.asked_on);
        let slot = latest.entry(c.survey.as_str()).or_default();
        if w > *slot {
            *slot = w;
        }
    }
    // (survey, question) → part → counts.
    let mut tables: BTreeMap<(&str, &str), BTreeMap<i64, [u32; 3]>> = BTreeMap::new();
    for c in counts {
        if latest.get(c.survey.as_str()) != Some(&window(&c.asked_on)) {
            continue;
        }
        let part = match org.kind {
            OrgKind::Region => c.district.as_ref().map_or(0, |d| d.0.get()),
            _ => c.school.0.get(),
        };
        tables
            .entry((c.survey.as_str(), c.question.as_str()))
            .or_default()
            .entry(part)
            .or_default()[said(c.point.0, c.point.1)] +=
            u32::try_from(c.students).unwrap_or(u32::MAX);
    }
    tables
        .into_iter()
        .map(|((survey, question), parts)| {
            let rows = parts
                .into_values()
                .map(|c| (String::new(), None, c))
                .collect();
            let (_, row) = suppressed_table(rows, question.to_owned(), min_n);
            OrgVoice {
                survey: survey.to_owned(),
                window: latest
                    .get(survey)
                    .map_or_else(String::new, |w| term_label(w)),
                question: question.to_owned(),
                row,
            }
        })
        .collect()
}

/// Each question's answers from its survey's latest round.
fn voices(answers: &[waypoint_store::StoredAnswer]) -> Vec<Voice> {
    let mut latest: BTreeMap<&str, &str> = BTreeMap::new();
    for a in answers {
        let day = latest
            .entry(a.survey.as_str())
            .or_insert(a.asked_on.as_str());
        if a.asked_on.as_str() > *day {
            *day = a.asked_on.as_str();
        }
    }
    let mut questions: BTreeMap<(&str, &str), Vec<&waypoint_store::StoredAnswer>> = BTreeMap::new();
    for a in answers {
        if latest.get(a.survey.as_str()) == Some(&a.asked_on.as_str()) {
            questions
                .entry((a.survey.as_str(), a.question.as_str()))
                .or_default()
                .push(a);
        }
    }
    questions
        .into_iter()
        .map(|((survey, question), list)| {
            let points: Vec<(u8, u8)> = list.iter().filter_map(|a| a.scale).collect();
            let mut counts = [0u32; 3];
            for &(v, max) in &points {
                counts[said(v, max)] += 1;
            }
            let mean = (!points.is_empty()).then(|| {
                let sum: u32 = points.iter().map(|p| u32::from(p.0)).sum();
                let top = points.iter().map(|p| p.1).max().unwrap_or(5);
                (format!("{:.1}", f64::from(sum) / points.len() as f64), top)
            });
            let mut texts: Vec<String> = list.iter().filter_map(|a| a.text.clone()).collect();
            texts.sort();
            Voice {
                survey: survey.to_owned(),
                asked: crate::pages::growth::day_label(latest.get(survey).copied().unwrap_or("")),
                question: question.to_owned(),
                scale: (!points.is_empty())
                    .then(|| BandRow::exact(question.to_owned(), None, counts)),
                mean,
                texts,
            }
        })
        .collect()
}

/// One student in the class table.
#[derive(Debug, Clone)]
pub struct StudentLine {
    /// Id.
    pub id: PersonId,
    /// "Family, Given".
    pub name: String,
    /// Grade.
    pub grade: String,
    /// The latest whole-test result in the subject: score and level.
    pub latest: Option<(String, String)>,
    /// Its band.
    pub band: Option<Band>,
    /// Score change since the earliest window of the year, signed.
    pub change: Option<String>,
    /// The sortable value of `change`, tenths.
    pub change_sort: i64,
}

/// The class, once the policy has let the viewer read its results.
async fn readable_class(
    store: &dyn Store,
    user: &CurrentUser,
    id: i64,
) -> WebResult<(ClassDetail, Vec<PersonId>)> {
    let class = store
        .class(ClassId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let teachers: Vec<PersonId> = class.teachers.iter().map(|t| t.id).collect();
    require(
        &user.actor,
        Action::ViewClassResults,
        &Resource::Class {
            placement: class.placement,
            teachers: &teachers,
        },
    )?;
    Ok((class, teachers))
}

fn results_audit(
    user: &CurrentUser,
    class: &ClassDetail,
    teachers: &[PersonId],
    route: &str,
    request_id: &RequestId,
    subject: String,
) -> AuditEntry {
    AuditEntry {
        subject,
        ..audit_entry(user, class, teachers, route, &request_id.0)
    }
}

/// GET /students/classes/{id}
pub async fn class(
    State(state): State<AppState>,
    user: CurrentUser,
    request_id: RequestId,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let store = &*state.store;
    let (class, teachers) = readable_class(store, &user, id).await?;
    let entry = results_audit(
        &user,
        &class,
        &teachers,
        "/students/classes/{id}",
        &request_id,
        format!("class:{} results", class.summary.id),
    );
    let data = store.class_results(class.summary.id, &entry).await?;
    let InSubject {
        subjects,
        subject,
        results: of_subject,
        term,
    } = in_subject(data.results, [class.summary.subjects.as_str()], &query);
    let latest = latest(&of_subject);

    // By domain, in the latest window.
    let mut by_domain: BTreeMap<&str, [u32; 3]> = BTreeMap::new();
    let mut needing: BTreeMap<&str, Vec<PersonId>> = BTreeMap::new();
    for ((_, domain, t, student), r) in &latest {
        if *t != term {
            continue;
        }
        if let Some(b) = r.band {
            by_domain.entry(domain).or_default()[band_index(b)] += 1;
            if b == Band::NeedsSupport && *domain != OVERALL {
                needing.entry(domain).or_default().push(*student);
            }
        }
    }
    let mut domains: Vec<BandRow> = by_domain
        .iter()
        .map(|(d, c)| BandRow::exact((*d).to_owned(), None, *c))
        .collect();
    domains.sort_by(|a, b| {
        (b.label == OVERALL)
            .cmp(&(a.label == OVERALL))
            .then(b.on_track.cmp(&a.on_track))
            .then(a.label.cmp(&b.label))
    });
    // Needs are decided first, so a domain is never both a strength and a need.
    let parts: Vec<BandRow> = domains
        .iter()
        .filter(|d| d.label != OVERALL)
        .cloned()
        .collect();
    let mut needs: Vec<BandRow> = parts.iter().filter(|d| d.shown(2) > 0).cloned().collect();
    needs.sort_by(|a, b| {
        b.shown(2)
            .cmp(&a.shown(2))
            .then(a.on_track.cmp(&b.on_track))
    });
    needs.truncate(2);
    let strengths: Vec<BandRow> = parts
        .iter()
        .filter(|d| d.shown(0) > 0 && !needs.iter().any(|n| n.label == d.label))
        .take(2)
        .cloned()
        .collect();

    // Over the year: the whole test, window by window.
    let mut by_term: BTreeMap<&str, [u32; 3]> = BTreeMap::new();
    for ((_, domain, t, _), r) in &latest {
        if *domain == OVERALL
            && let Some(b) = r.band
        {
            by_term.entry(t).or_default()[band_index(b)] += 1;
        }
    }
    let trend: Vec<BandRow> = by_term
        .iter()
        .map(|(t, c)| BandRow::exact(term_label(t), None, *c))
        .collect();

    // Students with the same need, the largest groups first.
    let names: HashMap<PersonId, String> = data
        .students
        .iter()
        .map(|s| (s.id, format!("{} {}", s.given_name, s.family_name)))
        .collect();
    let mut groups: Vec<(String, Vec<(PersonId, String)>)> = needing
        .into_iter()
        .map(|(d, ids)| {
            let mut members: Vec<(PersonId, String)> = ids
                .into_iter()
                .filter_map(|id| names.get(&id).map(|n| (id, n.clone())))
                .collect();
            members.sort_by(|a, b| a.1.cmp(&b.1));
            (d.to_owned(), members)
        })
        .filter(|g| !g.1.is_empty())
        .collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));

    let voice = voices(&data.answers);
    let students = student_lines(&data.students, &of_subject, &term);
    let tested = students.iter().filter(|s| s.latest.is_some()).count();
    let mut trail = crumbs(store, &class.placement).await?;
    trail.push((
        format!("/classes/{}", class.summary.id),
        class.summary.title.clone(),
    ));
    trail.push((String::new(), "Results".to_owned()));
    Ok(render(&ClassResultsPage {
        layout: Layout::for_user(
            &user,
            format!("{} · results", class.summary.title),
            "/students",
        )
        .with_crumbs(trail),
        class,
        subjects,
        subject,
        term: term_label(&term),
        domains,
        strengths,
        needs,
        trend,
        groups,
        students,
        tested,
        voice,
    }))
}

pub(crate) fn student_lines(
    students: &[Student],
    results: &[StoredResult],
    term: &str,
) -> Vec<StudentLine> {
    students
        .iter()
        .map(|s| {
            let overall: Vec<&StoredResult> = results
                .iter()
                .filter(|r| r.student == s.id && r.domain == OVERALL)
                .collect();
            let now = overall
                .iter()
                .filter(|r| r.term == term)
                .max_by(|a, b| a.taken_on.cmp(&b.taken_on));
            let first = overall.iter().min_by(|a, b| a.taken_on.cmp(&b.taken_on));
            let change = match (first, now) {
                (Some(a), Some(b)) if a.taken_on != b.taken_on => Some(b.score - a.score),
                _ => None,
            };
            StudentLine {
                id: s.id,
                name: format!("{}, {}", s.family_name, s.given_name),
                grade: grades_label(&s.grades),
                latest: now.map(|r| (score_label(r.score), r.level.clone())),
                band: now.and_then(|r| r.band),
                change: change.map(|c| format!("{c:+.0}")),
                change_sort: change.map_or(i64::MIN, |c| (c * 10.0).round() as i64),
            }
        })
        .collect()
}

fn score_label(score: f64) -> String {
    if score.fract() == 0.0 {
        format!("{score:.0}")
    } else {
        format!("{score:.1}")
    }
}

// --- one student -----------------------------------------------------------

/// A student's profile.
#[derive(Template)]
#[template(path = "students_student.html")]
pub struct StudentPage {
    layout: Layout,
    class: ClassDetail,
    student: Student,
    /// Per subject: its windows, and per domain the result in each window.
    subjects: Vec<SubjectGrid>,
    results: Vec<StoredResult>,
}

/// One subject of a student's profile.
#[derive(Debug, Clone)]
pub struct SubjectGrid {
    /// Subject.
    pub subject: String,
    /// Window labels.
    pub terms: Vec<String>,
    /// Domain, then per window the score and band (if tested).
    pub rows: Vec<(String, Vec<Option<Sitting>>)>,
}

/// A score as shown, and its band.
pub type Sitting = (String, Option<Band>);

/// GET /students/classes/{id}/students/{student}
pub async fn student(
    State(state): State<AppState>,
    user: CurrentUser,
    request_id: RequestId,
    Path((id, student)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let store = &*state.store;
    let (class, teachers) = readable_class(store, &user, id).await?;
    let entry = results_audit(
        &user,
        &class,
        &teachers,
        "/students/classes/{id}/students/{student}",
        &request_id,
        format!("student:{student} results"),
    );
    let (found, results) = store
        .student_results(class.summary.id, PersonId::new(student), &entry)
        .await?
        .ok_or(WebError::NotFound)?;
    let latest = latest(&results);
    let mut subjects: Vec<SubjectGrid> = Vec::new();
    let names: BTreeSet<&str> = results.iter().map(|r| r.subject.as_str()).collect();
    for subject in names {
        let terms: Vec<&str> = results
            .iter()
            .filter(|r| r.subject == subject)
            .map(|r| r.term.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut domains: Vec<&str> = results
            .iter()
            .filter(|r| r.subject == subject)
            .map(|r| r.domain.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        domains.sort_by_key(|d| (*d != OVERALL, *d));
        let rows = domains
            .iter()
            .map(|d| {
                let cells = terms
                    .iter()
                    .map(|t| {
                        latest
                            .get(&(subject, *d, *t, found.id))
                            .map(|r| (score_label(r.score), r.band))
                    })
                    .collect();
                ((*d).to_owned(), cells)
            })
            .collect();
        subjects.push(SubjectGrid {
            subject: subject.to_owned(),
            terms: terms.iter().map(|t| term_label(t)).collect(),
            rows,
        });
    }
    let name = format!("{} {}", found.given_name, found.family_name);
    let mut trail = crumbs(store, &class.placement).await?;
    trail.push((
        format!("/students/classes/{}", class.summary.id),
        class.summary.title.clone(),
    ));
    trail.push((String::new(), name.clone()));
    Ok(render(&StudentPage {
        layout: Layout::for_user(&user, name, "/students").with_crumbs(trail),
        class,
        student: found,
        subjects,
        results,
    }))
}

// --- a school, district or region ------------------------------------------

/// Counts for an organisation.
#[derive(Template)]
#[template(path = "students_org.html")]
pub struct OrgResultsPage {
    layout: Layout,
    org: Org,
    min_n: u32,
    subjects: Vec<(String, bool)>,
    subject: String,
    term: String,
    /// The headline: the whole organisation in the latest window.
    whole: Option<BandRow>,
    /// Tables side by side: (heading, what a row is, rows).
    tables: Vec<(String, &'static str, Vec<BandRow>)>,
    trend: Vec<BandRow>,
    /// Domains by how many need support, the most first.
    needs: Vec<BandRow>,
    /// A district's schools: students on track beside how their staff are
    /// learning.
    learning: Vec<LearningRow>,
    /// What its students say, question by question.
    voices: Vec<OrgVoice>,
    /// The organisation's goals for this school year, read beside the
    /// trend; those whose measure names results, with how it moves.
    goals: Vec<(waypoint_store::SystemGoal, Option<GoalTrend>)>,
}

/// A share on track as shown, and the window it is in.
pub type ShareIn = (String, String);

/// How a goal's measure read from results moves over its school year.
#[derive(Debug, Clone)]
pub struct GoalTrend {
    /// "Share on track in Reading, grade 3, aiming for 80%".
    pub label: String,
    /// Window by window, suppressed as the page's tables are.
    pub rows: Vec<BandRow>,
    /// The line: (x, y) per window with a shown share, in a 500 × 100 box.
    pub points: Vec<(u32, u32, String)>,
    /// The aim's height in the same box.
    pub aim: Option<u32>,
    /// The first and latest shares shown with their windows, and whether
    /// the aim is met.
    pub summary: Option<(ShareIn, ShareIn, bool)>,
}

/// How `goal`'s measure moves: each window of its school year, and of the
/// year before it for a baseline, the measured students by band. A measure of the whole organisation is the
/// margin of the page's own partition (`counts`, by grade or school); one
/// grade's is that grade's row of the table by grade (`by_grade`), so every
/// figure comes out of a table suppressed as a whole.
fn goal_trend(
    goal: &waypoint_store::SystemGoal,
    counts: &[BandCount],
    by_grade: &[BandCount],
    min_n: MinN,
) -> Option<GoalTrend> {
    let m = goal.results.as_ref()?;
    let years = [
        format!("{}-", goal.year.start() - 1),
        format!("{}-", goal.year.start()),
    ];
    let source = if m.grade.is_some() { by_grade } else { counts };
    let of = |r: &&BandCount| {
        r.subject == m.subject
            && r.domain == OVERALL
            && years.iter().any(|y| r.term.starts_with(y.as_str()))
    };
    let terms: BTreeSet<&str> = source.iter().filter(of).map(|r| r.term.as_str()).collect();
    let rows: Vec<BandRow> = terms
        .into_iter()
        .filter_map(|t| {
            let groups = by_group(source.iter().filter(of).filter(|r| r.term == t));
            let table: Vec<(String, Option<String>, [u32; 3])> = groups
                .into_iter()
                .map(|((label, _), c)| (label, None, c))
                .collect();
            let (rows, mut margin) = suppressed_table(table, term_label(t), min_n);
            match &m.grade {
                None => Some(margin),
                Some(g) => rows.into_iter().find(|r| &r.label == g).map(|mut r| {
                    std::mem::swap(&mut r.label, &mut margin.label);
                    r
                }),
            }
        })
        .collect();
    let shown: Vec<(usize, u32, &str, &str)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.cells[0].is_some() && r.total.is_some_and(|t| t > 0))
        .map(|(i, r)| (i, r.on_track, r.shares[0].as_str(), r.label.as_str()))
        .collect();
    // A 500 × 100 box: windows evenly across, the share up the side.
    let gaps = u32::try_from(rows.len().saturating_sub(1))
        .unwrap_or(1)
        .max(1);
    let points = shown
        .iter()
        .map(|&(i, tenths, share, _)| {
            let x = u32::try_from(i).unwrap_or(0) * 500 / gaps;
            (x, 100 - tenths / 10, share.to_owned())
        })
        .collect();
    let summary = match (shown.first(), shown.last()) {
        (Some(a), Some(b)) => Some((
            (a.2.to_owned(), a.3.to_owned()),
            (b.2.to_owned(), b.3.to_owned()),
            m.target_percent.is_some_and(|p| b.1 >= u32::from(p) * 10),
        )),
        _ => None,
    };
    Some(GoalTrend {
        label: m.label(),
        rows,
        points,
        aim: m.target_percent.map(|p| 100 - u32::from(p).min(100)),
        summary,
    })
}

/// One school of a district: its students on track, its staff's goals and
/// PD days.
#[derive(Debug, Clone)]
pub struct LearningRow {
    /// The school.
    pub school: String,
    /// Its link.
    pub href: String,
    /// Share of tested students on track ("*" where hidden).
    pub on_track: String,
    /// Active staff.
    pub staff: i64,
    /// With an agreed goal: count and share.
    pub with_goal: (i64, String),
    /// At a PD day this year: count and share.
    pub attended: (i64, String),
}

/// GET /students/orgs/{id}
pub async fn org(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let store = &*state.store;
    let org = store.org(OrgId::new(id)).await?.ok_or(WebError::NotFound)?;
    require(
        &user.actor,
        Action::ViewResults,
        &Resource::Org(org.placement),
    )?;
    let min_n = state.config.min_cell;
    // The grouping that splits the organisation's students into parts:
    // grades of a school, schools of a district, districts of a region.
    let by = match org.kind {
        OrgKind::School => CountsBy::Grade,
        OrgKind::District => CountsBy::School,
        _ => CountsBy::District,
    };
    let listings = &state.listings;
    let counts = listings.band_counts(store, org.id, by).await?;
    let subjects: BTreeSet<String> = counts.iter().map(|r| r.subject.clone()).collect();
    let (subjects, subject) = pick_subject(subjects, &query);
    let base: Vec<&BandCount> = counts.iter().filter(|r| r.subject == subject).collect();
    let term = base
        .iter()
        .map(|r| r.term.clone())
        .max()
        .unwrap_or_default();
    // Every figure outside the tables of groups is the margin of such a
    // table (the whole organisation for one window and domain, by group),
    // suppressed with it, so no two figures on the page subtract to a
    // hidden one.
    let partition = |term: &str, domain: &str| -> Vec<(String, Option<String>, [u32; 3])> {
        by_group(
            base.iter()
                .copied()
                .filter(|r| r.term == term && r.domain == domain),
        )
        .into_iter()
        .map(|((label, group), counts)| {
            let (label, href) = match org.kind {
                OrgKind::School => (grades_label(&label), None),
                OrgKind::District => (
                    label,
                    Some(format!("/students/orgs/{group}?subject={subject}")),
                ),
                _ => (label, None),
            };
            (label, href, counts)
        })
        .collect()
    };
    let (main_rows, margin) = suppressed_table(partition(&term, OVERALL), org.name.clone(), min_n);
    let whole = margin.total.is_none_or(|t| t > 0).then_some(margin);
    let (heading, row_label) = match org.kind {
        OrgKind::School => ("By grade", "Grade"),
        OrgKind::District => ("By school", "School"),
        _ => ("By district", "District"),
    };
    let mut tables = vec![(heading.to_owned(), row_label, main_rows)];
    let terms: BTreeSet<&str> = base.iter().map(|r| r.term.as_str()).collect();
    let trend: Vec<BandRow> = terms
        .into_iter()
        .map(|t| suppressed_table(partition(t, OVERALL), term_label(t), min_n).1)
        .collect();
    let domains: BTreeSet<&str> = base
        .iter()
        .filter(|r| r.term == term && r.domain != OVERALL)
        .map(|r| r.domain.as_str())
        .collect();
    let mut needs: Vec<BandRow> = domains
        .into_iter()
        .map(|d| suppressed_table(partition(&term, d), d.to_owned(), min_n).1)
        .collect();
    needs.sort_by(|a, b| a.on_track.cmp(&b.on_track).then(a.label.cmp(&b.label)));

    // Classes overlap (a student is in several), so they are no partition
    // of the school, and one class could be worked out from a grade and the
    // grade's other classes. They are shown to those who may open every
    // class of the school anyway (its principals), each row suppressed on
    // its own.
    if org.kind == OrgKind::School {
        let opens_all = Policy::can(
            &user.actor,
            Action::ViewClassResults,
            &Resource::Class {
                placement: org.placement.with_class(ClassId::new(0)),
                teachers: &[],
            },
        );
        if opens_all {
            let rows = listings.band_counts(store, org.id, CountsBy::Class).await?;
            let lines = by_group(
                rows.iter()
                    .filter(|r| r.subject == subject && r.term == term && r.domain == OVERALL),
            )
            .into_iter()
            .flat_map(|((label, group), counts)| {
                let href = Some(format!("/students/classes/{group}"));
                suppressed_table(vec![(label, href, counts)], String::new(), min_n).0
            })
            .collect();
            tables.push(("By class".to_owned(), "Class", lines));
        }
    }

    let learning = if org.kind == OrgKind::District {
        let year = super::goals::current_year().start();
        let on_track: HashMap<&str, &str> = tables[0]
            .2
            .iter()
            .map(|r| (r.label.as_str(), r.shares[0].as_str()))
            .collect();
        let names: HashMap<OrgId, String> = listings
            .child_orgs(store, org.id)
            .await?
            .iter()
            .map(|c| (c.org.id, c.org.name.clone()))
            .collect();
        // Staff counts are not student data: plain shares.
        let share = |n: i64, of: i64| {
            if of > 0 {
                format!("{}%", (n * 100 + of / 2) / of)
            } else {
                String::new()
            }
        };
        let mut rows: Vec<LearningRow> = store
            .learning_by_school(org.id, year)
            .await?
            .into_iter()
            .filter_map(|l| {
                let school = names.get(&l.school)?.clone();
                Some(LearningRow {
                    on_track: on_track
                        .get(school.as_str())
                        .map_or_else(|| "—".to_owned(), |s| (*s).to_owned()),
                    href: format!("/students/orgs/{}?subject={subject}", l.school),
                    staff: l.staff,
                    with_goal: (l.with_goal, share(l.with_goal, l.staff)),
                    attended: (l.attended, share(l.attended, l.staff)),
                    school,
                })
            })
            .collect();
        rows.sort_by(|a, b| a.school.cmp(&b.school));
        rows
    } else {
        Vec::new()
    };
    let goals = if matches!(org.kind, OrgKind::School | OrgKind::District) {
        store
            .system_goals(&[org.id], super::goals::current_year())
            .await?
    } else {
        Vec::new()
    };
    let by_grade = if org.kind == OrgKind::District
        && goals
            .iter()
            .any(|g| g.results.as_ref().is_some_and(|m| m.grade.is_some()))
    {
        listings.band_counts(store, org.id, CountsBy::Grade).await?
    } else {
        std::sync::Arc::default()
    };
    let by_grade: &[BandCount] = if org.kind == OrgKind::School {
        &counts
    } else {
        &by_grade
    };
    let goals = goals
        .into_iter()
        .map(|g| {
            let trend = goal_trend(&g, &counts, by_grade, min_n);
            (g, trend)
        })
        .collect();
    let voices = org_voices(&org, &store.survey_counts(org.id).await?, min_n);
    let mut trail = crumbs(store, &org.placement).await?;
    trail.pop();
    trail.push((format!("/orgs/{}", org.id), org.name.clone()));
    trail.push((String::new(), "Students".to_owned()));
    Ok(render(&OrgResultsPage {
        layout: Layout::for_user(&user, format!("{} · students", org.name), "/students")
            .with_crumbs(trail),
        org,
        min_n: min_n.get(),
        subjects,
        subject,
        term: term_label(&term),
        whole,
        tables,
        trend,
        needs,
        learning,
        voices,
        goals,
    }))
}
