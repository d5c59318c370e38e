//! The steps behind handlers and CLI commands that are more than one store
//! call: signing in, importing a roster, building breadcrumbs.

use crate::auth::{
    decoy_hash, lock_duration_ms, password_work, random_token, token_hash, verify_password,
};
use crate::error::WebError;
use crate::view::thousands;
use std::sync::Arc;
use std::time::{Duration, Instant};
use waypoint_domain::{OrgId, PersonId, Placement};
use waypoint_import::{ErrorKind, ImportError, PackageSource};
use waypoint_store::{ImportOutcome, ImportStatus, SessionRecord, Store, StoreError};

/// What a sign-in attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// The password matched.
    Accepted(PersonId),
    /// Unknown username, no password set, a wrong password, or an account
    /// paused after repeated failures — never said which.
    Refused,
}

/// Checks a username and password, counting failures per account.
pub async fn authenticate(
    store: &dyn Store,
    username: &str,
    password: &str,
    now: i64,
) -> Result<SignIn, WebError> {
    let account = store.account_by_username(username).await?;
    let locked = account
        .as_ref()
        .and_then(|a| a.locked_until)
        .is_some_and(|until| until > now);
    // The hash is always checked (a decoy when there is nothing to check) so
    // unknown, locked and wrong answers all take the same time.
    let hash = account
        .as_ref()
        .filter(|a| a.enabled && !locked)
        .and_then(|a| a.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    let candidate = password.to_owned();
    let matched = password_work(move || verify_password(&hash, &candidate)).await?;
    match account {
        Some(a) if matched && a.enabled && !locked && a.password_hash.is_some() => {
            store.record_sign_in(a.person, now).await?;
            Ok(SignIn::Accepted(a.person))
        }
        Some(a) => {
            let failures = store.record_failed_sign_in(a.person).await?;
            if let Some(pause) = lock_duration_ms(failures) {
                store.lock_account(a.person, now + pause).await?;
                tracing::warn!(person = %a.person, failures, "account paused after repeated failed sign-ins");
            }
            Ok(SignIn::Refused)
        }
        None => Ok(SignIn::Refused),
    }
}

/// Starts a fresh session (a new id every sign-in) and returns the cookie value.
pub async fn start_session(
    store: &dyn Store,
    person: PersonId,
    now: i64,
) -> Result<String, StoreError> {
    let id = random_token();
    store
        .create_session(&SessionRecord {
            id_hash: token_hash(&id),
            person,
            csrf_token: random_token(),
            created_at: now,
            last_seen_at: now,
        })
        .await?;
    Ok(id)
}

/// Breadcrumbs from the region down to the organisation at `placement`.
pub async fn crumbs(
    store: &dyn Store,
    placement: &Placement,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for id in [placement.region, placement.district, placement.school]
        .into_iter()
        .flatten()
    {
        if let Some(org) = store.org(id).await? {
            out.push((format!("/orgs/{id}"), org.name));
        }
    }
    Ok(out)
}

/// An organisation's size and the organisations directly below it, with a
/// bar per child (students, relative to the largest).
#[derive(Debug, Clone)]
pub struct Overview {
    /// Staff, students and classes at or below the organisation.
    pub totals: (i64, i64, i64),
    /// Its children with their sizes.
    pub children: Vec<waypoint_store::OrgWithCounts>,
    /// One bar per child.
    pub bars: Vec<crate::pages::home::Bar>,
}

/// Sizes for `org` (counted from its parent's listing, or summed over its
/// children at the top of the tree) and the chart of its children.
pub async fn overview(
    state: &crate::AppState,
    org: &waypoint_store::Org,
) -> Result<Overview, StoreError> {
    let store = &*state.store;
    let children = (*state.listings.child_orgs(store, org.id).await?).clone();
    let own = match org.parent {
        Some(parent) => state
            .listings
            .child_orgs(store, parent)
            .await?
            .iter()
            .find(|c| c.org.id == org.id)
            .cloned(),
        None => None,
    };
    let totals = own.map_or_else(
        || {
            (
                children.iter().map(|c| c.staff).sum(),
                children.iter().map(|c| c.students).sum(),
                children.iter().map(|c| c.classes).sum(),
            )
        },
        |me| (me.staff, me.students, me.classes),
    );
    let max = children
        .iter()
        .map(|c| c.students)
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = children
        .iter()
        .map(|c| crate::pages::home::Bar {
            label: c.org.name.clone(),
            href: format!("/orgs/{}", c.org.id),
            value: thousands(c.students),
            width: u32::try_from(c.students * 100 / max).unwrap_or(0),
        })
        .collect();
    Ok(Overview {
        totals,
        children,
        bars,
    })
}

/// Everyone on a school's staff, by family name.
pub async fn staff_of_school(
    state: &crate::AppState,
    school: OrgId,
) -> Result<Vec<waypoint_store::StaffRow>, StoreError> {
    Ok((*state.listings.staff_of_org(&*state.store, school).await?).clone())
}

/// Where an import reads from.
#[derive(Debug)]
pub enum ImportInput {
    /// A folder or `.zip` on disk (the CLI).
    Path(std::path::PathBuf),
    /// Uploaded zip bytes.
    Zip(Vec<u8>),
}

/// Reads and applies a OneRoster package, recording the outcome on import
/// `id`. Progress messages go to `progress` (and, once a second, to the
/// import-history row so the admin page can show them).
pub async fn import_oneroster(
    store: Arc<dyn Store>,
    id: i64,
    input: ImportInput,
    progress: Arc<dyn Fn(&waypoint_import::Progress) + Send + Sync>,
) -> anyhow::Result<ImportOutcome> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let reporter = {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let mut last = Instant::now() - Duration::from_secs(2);
            while let Some(msg) = rx.recv().await {
                if last.elapsed() >= Duration::from_secs(1) {
                    last = Instant::now();
                    let _ = store.import_progress(id, &msg).await;
                }
            }
        })
    };
    let parse = tokio::task::spawn_blocking(move || {
        let mut report = |p: waypoint_import::Progress| {
            progress(&p);
            let _ = tx.send(format!(
                "Reading {}: {} rows",
                p.file,
                thousands(i64::try_from(p.rows_done).unwrap_or(0))
            ));
        };
        match input {
            ImportInput::Path(path) => PackageSource::from_path(&path).import(&mut report),
            ImportInput::Zip(bytes) => PackageSource::ZipBytes(bytes).import(&mut report),
        }
    })
    .await?;
    let _ = reporter.await;
    let now = crate::now_ms;
    let outcome = match parse {
        Err(e) => rejected(&e, now()),
        Ok(imported) => {
            store.import_progress(id, "Saving to the database").await?;
            match store.apply_roster(&imported.batch).await {
                Ok(counts) => ImportOutcome {
                    status: ImportStatus::Succeeded,
                    counts: Some(counts),
                    problems: Vec::new(),
                    summary: None,
                    finished_at: now(),
                },
                Err(StoreError::Rejected(problems)) => ImportOutcome {
                    status: ImportStatus::Rejected,
                    counts: None,
                    problems: std::iter::once(
                        "The package refers to records that neither it nor Waypoint holds; nothing was imported."
                            .to_owned(),
                    )
                    .chain(problems.iter().map(ToString::to_string))
                    .collect(),
                    summary: None,
                    finished_at: now(),
                },
                Err(StoreError::Conflict(m)) => ImportOutcome {
                    status: ImportStatus::Rejected,
                    counts: None,
                    problems: vec!["The package conflicts with what Waypoint holds; nothing was imported.".to_owned(), m],
                    summary: None,
                    finished_at: now(),
                },
                Err(e) => {
                    store
                        .finish_import(
                            id,
                            &ImportOutcome {
                                status: ImportStatus::Failed,
                                counts: None,
                                problems: vec!["The database refused the import; nothing was changed. See the server log.".to_owned()],
                                summary: None,
                                finished_at: now(),
                            },
                        )
                        .await?;
                    return Err(e.into());
                }
            }
        }
    };
    store.finish_import(id, &outcome).await?;
    Ok(outcome)
}

fn rejected(e: &ImportError, now: i64) -> ImportOutcome {
    let what = match e.kind {
        ErrorKind::NotOneRoster => "This is not a OneRoster 1.1/1.2 CSV package",
        ErrorKind::Unsupported => "This OneRoster version is not supported",
        ErrorKind::Invalid => "The package has problems",
    };
    let mut problems = vec![format!("{what}; nothing was imported.")];
    problems.extend(e.problems.iter().map(ToString::to_string));
    if e.truncated {
        problems.push(format!(
            "…and more; only the first {} are listed.",
            waypoint_import::MAX_PROBLEMS
        ));
    }
    ImportOutcome {
        status: ImportStatus::Rejected,
        counts: None,
        problems,
        summary: None,
        finished_at: now,
    }
}

/// The store's form of an assessment file's results.
pub fn assessment_results(
    file: &waypoint_import::assessments::AssessmentFile,
    source: &str,
    now: i64,
) -> waypoint_store::NewResults {
    waypoint_store::NewResults {
        source: source.to_owned(),
        results: file
            .results
            .iter()
            .map(|r| waypoint_store::NewResult {
                line: r.line,
                student: r.student.clone(),
                assessment: r.assessment.clone(),
                subject: r.subject.clone(),
                domain: r.domain.clone(),
                taken_on: r.date.clone(),
                score: r.score,
                scale: r.scale.clone(),
                level: r.level.clone(),
                percentile: r.percentile,
            })
            .collect(),
        now,
    }
}

/// The store's form of a survey file's answers.
pub fn survey_answers(
    answers: &[waypoint_import::surveys::SurveyAnswer],
    source: &str,
    now: i64,
) -> waypoint_store::NewAnswers {
    use waypoint_import::surveys::Answer;
    waypoint_store::NewAnswers {
        source: source.to_owned(),
        answers: answers
            .iter()
            .map(|a| waypoint_store::NewAnswer {
                line: a.line,
                student: a.student.clone(),
                survey: a.survey.clone(),
                asked_on: a.date.clone(),
                question: a.question.clone(),
                scale: match a.answer {
                    Answer::Scale { value, max } => Some((value, max)),
                    Answer::Text(_) => None,
                },
                text: match &a.answer {
                    Answer::Text(t) => Some(t.clone()),
                    Answer::Scale { .. } => None,
                },
            })
            .collect(),
        now,
    }
}

/// The survey layout's name in the upload form and the job's payload.
pub const SURVEY_LAYOUT: &str = "survey";

/// Reads and stores an uploaded file of assessment results (in `layout`, a
/// vendor preset or empty to detect it) or, with [`SURVEY_LAYOUT`], survey
/// answers, and finishes import-history entry `id` with what happened: all
/// stored, or nothing and every problem located by file and line.
pub async fn import_student_file(
    store: &Arc<dyn Store>,
    id: i64,
    name: &str,
    bytes: &[u8],
    layout: &str,
) -> anyhow::Result<()> {
    use waypoint_import::assessments::{Format, read_assessments};
    let count = |n: usize| thousands(i64::try_from(n).unwrap_or(i64::MAX));
    store
        .import_progress(id, &format!("Reading {name}"))
        .await?;
    let rejected = |problems: Vec<String>| ImportOutcome {
        status: ImportStatus::Rejected,
        counts: None,
        problems,
        summary: None,
        finished_at: crate::now_ms(),
    };
    let outcome = if layout == SURVEY_LAYOUT {
        match waypoint_import::surveys::read_surveys(name, bytes) {
            Err(problems) => rejected(problems.iter().map(ToString::to_string).collect()),
            Ok(answers) => {
                let new = survey_answers(&answers, name, crate::now_ms());
                store
                    .import_progress(id, &format!("Storing {} answers", count(new.answers.len())))
                    .await?;
                match store.save_answers(&new).await? {
                    Err(unknown) => rejected(unknown_lines(name, &unknown)),
                    Ok(s) => ImportOutcome {
                        summary: Some(format!(
                            "Survey answers: {} answers from {} students: {} new, {} changed, {} already here.",
                            count(new.answers.len()),
                            count(s.students),
                            count(s.added),
                            count(s.changed),
                            count(s.unchanged)
                        )),
                        status: ImportStatus::Succeeded,
                        ..rejected(Vec::new())
                    },
                }
            }
        }
    } else {
        match read_assessments(name, bytes, Format::parse(layout)) {
            Err(problems) => rejected(problems.iter().map(ToString::to_string).collect()),
            Ok(parsed) => {
                let results = assessment_results(&parsed, name, crate::now_ms());
                store
                    .import_progress(
                        id,
                        &format!("Storing {} results", count(results.results.len())),
                    )
                    .await?;
                match store.save_results(&results).await? {
                    Err(unknown) => rejected(unknown_lines(name, &unknown)),
                    Ok(s) => {
                        let mut said = vec![format!(
                            "{}: {} results for {} students: {} new, {} changed, {} already here.",
                            parsed.format.label(),
                            count(results.results.len()),
                            count(s.students),
                            count(s.added),
                            count(s.changed),
                            count(s.unchanged)
                        )];
                        if s.superseded > 0 {
                            said.push(format!(
                                "{} lines repeat an earlier line's student, test, domain and day; the later line is kept.",
                                count(s.superseded)
                            ));
                        }
                        if !parsed.dropped_demographics.is_empty() {
                            said.push(format!(
                                "Not read, because demographics are never stored: {}.",
                                parsed.dropped_demographics.join(", ")
                            ));
                        }
                        ImportOutcome {
                            summary: Some(said.join(" ")),
                            status: ImportStatus::Succeeded,
                            ..rejected(Vec::new())
                        }
                    }
                }
            }
        }
    };
    store.finish_import(id, &outcome).await?;
    Ok(())
}

/// One line per student a file names that the roster lacks (the first
/// hundred).
pub fn unknown_lines(name: &str, unknown: &[waypoint_store::UnknownStudent]) -> Vec<String> {
    let mut problems: Vec<String> = unknown
        .iter()
        .take(100)
        .map(|u| {
            let more = match u.lines {
                1 => String::new(),
                2 => " (and 1 more line)".to_owned(),
                n => format!(" (and {} more lines)", n - 1),
            };
            format!(
                "{name}:{}: student \"{}\" is not in the roster{more}",
                u.line, u.student
            )
        })
        .collect();
    if unknown.len() > 100 {
        problems.push(format!("… and {} more students.", unknown.len() - 100));
    }
    problems
}
