//! Suggested next steps for one educator: PD-day sessions, learning groups
//! and colleagues' shared stories, ranked by how well they fit what the
//! educator's students need, the competencies of their goals and the gaps
//! between where they rate themselves and where they aim to be. Every
//! suggestion carries the reasons it was made, in plain words.
//!
//! Fit is found by words: a need in "Number and Operations: Fractions"
//! matches a session tagged "fractions" or titled "Fraction talks". Words
//! are compared lower-cased, a trailing plural "s" dropped, and short or
//! common words ignored.

use std::collections::BTreeSet;

/// Something the educator's work points at.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// Students in a class who need support in a domain.
    Need {
        /// The class.
        class: String,
        /// The domain ("Fractions").
        domain: String,
        /// Students needing support, and students tested.
        students: (u32, u32),
    },
    /// A competency one of the educator's goals works on.
    Goal {
        /// The framework item.
        item: i64,
        /// What it says.
        statement: String,
    },
    /// A competency the educator rates below their target.
    Gap {
        /// The framework item.
        item: i64,
        /// What it says.
        statement: String,
        /// Their latest level and their target.
        levels: (i64, i64),
    },
}

/// What kind of opportunity a candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A session of a PD day the educator may rank.
    Session,
    /// A learning group (PLC, book study …) of their school or district.
    Group,
    /// A colleague's shared story of a goal.
    Story,
}

impl Kind {
    /// How people read it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Session => "PD-day session",
            Self::Group => "Learning group",
            Self::Story => "Colleague's story",
        }
    }
}

/// An opportunity that might be suggested.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// What it is.
    pub kind: Kind,
    /// Its title.
    pub title: String,
    /// Where it leads.
    pub href: String,
    /// Its tags (sessions).
    pub tags: Vec<String>,
    /// Its other words (description, inquiry).
    pub text: String,
    /// Competencies it works on (stories), by framework item.
    pub competencies: Vec<i64>,
    /// A line under the title ("Riverbend PD day, 14 Feb" or "by Ana Ruiz").
    pub context: String,
}

/// A candidate chosen, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The candidate.
    pub candidate: Candidate,
    /// How well it fits (higher first).
    pub score: u32,
    /// Why, one sentence each, the strongest first.
    pub reasons: Vec<String>,
}

/// Words too common to say anything about fit.
const COMMON: [&str; 40] = [
    "about",
    "across",
    "after",
    "and",
    "around",
    "before",
    "between",
    "build",
    "class",
    "classroom",
    "every",
    "from",
    "have",
    "into",
    "learner",
    "learning",
    "lesson",
    "make",
    "more",
    "next",
    "other",
    "over",
    "practice",
    "school",
    "session",
    "student",
    "support",
    "teach",
    "teacher",
    "teaching",
    "that",
    "their",
    "them",
    "they",
    "this",
    "through",
    "what",
    "when",
    "with",
    "work",
];

/// The words of `text` that can show fit.
pub fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.len() >= 4 && !stem.ends_with('s') => stem.to_owned(),
            _ => w,
        })
        .filter(|w| w.chars().count() >= 4 && !COMMON.contains(&w.as_str()))
        .collect()
}

/// The words shared by a signal and a candidate, tags first.
fn shared(signal: &BTreeSet<String>, c: &Candidate) -> Option<String> {
    let tags: BTreeSet<String> = c.tags.iter().flat_map(|t| words(t)).collect();
    let tagged: Vec<&String> = signal.intersection(&tags).collect();
    if let Some(w) = tagged.first() {
        let tag = c
            .tags
            .iter()
            .find(|t| words(t).contains(*w))
            .map_or_else(|| (*w).clone(), |t| t.trim().to_owned());
        return Some(format!("is tagged \"{tag}\""));
    }
    let own = words(&format!("{} {}", c.title, c.text));
    signal
        .intersection(&own)
        .next()
        .map(|w| format!("is about \"{w}\""))
}

/// Ranks `candidates` by fit with `signals`; those that fit nothing are
/// left out, and at most `limit` are kept.
pub fn suggest(signals: &[Signal], candidates: Vec<Candidate>, limit: usize) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = candidates
        .into_iter()
        .filter_map(|c| {
            let mut scored: Vec<(u32, String)> = Vec::new();
            for s in signals {
                match s {
                    Signal::Need {
                        class,
                        domain,
                        students: (n, total),
                    } => {
                        if let Some(why) = shared(&words(domain), &c) {
                            let share = if *total > 0 { 100 * n / total } else { 0 };
                            scored.push((
                                30 + share,
                                format!(
                                    "{n} of your {total} students in {class} need support in {domain}; this {} {why}.",
                                    noun(c.kind)
                                ),
                            ));
                        }
                    }
                    Signal::Goal { item, statement } => {
                        if c.competencies.contains(item) {
                            scored.push((
                                40,
                                format!("A colleague's goal on a competency yours works on too: {statement}."),
                            ));
                        } else if let Some(why) = shared(&words(statement), &c) {
                            scored.push((
                                20,
                                format!("Your goal works on \"{statement}\"; this {} {why}.", noun(c.kind)),
                            ));
                        }
                    }
                    Signal::Gap {
                        item,
                        statement,
                        levels: (now, target),
                    } => {
                        let fits = c.competencies.contains(item)
                            || shared(&words(statement), &c).is_some();
                        if fits {
                            scored.push((
                                15 + 5 * u32::try_from(target - now).unwrap_or(0).min(4),
                                format!(
                                    "You are at level {now} of \"{statement}\" and aim for {target}."
                                ),
                            ));
                        }
                    }
                }
            }
            if scored.is_empty() {
                return None;
            }
            scored.sort_by_key(|s| std::cmp::Reverse(s.0));
            scored.dedup_by(|a, b| a.1 == b.1);
            Some(Suggestion {
                candidate: c,
                score: scored.iter().map(|s| s.0).sum(),
                reasons: scored.into_iter().map(|s| s.1).collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.candidate.title.cmp(&b.candidate.title))
    });
    out.truncate(limit);
    out
}

fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Session => "session",
        Kind::Group => "group",
        Kind::Story => "story",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(kind: Kind, title: &str, tags: &[&str], competencies: &[i64]) -> Candidate {
        Candidate {
            kind,
            title: title.to_owned(),
            href: "/x".to_owned(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            text: String::new(),
            competencies: competencies.to_vec(),
            context: String::new(),
        }
    }

    #[test]
    fn words_drop_plurals_and_common_words() {
        let w = words("Number and Operations: Fractions, for every student");
        assert_eq!(
            w.into_iter().collect::<Vec<_>>(),
            ["fraction", "number", "operation"]
        );
        assert!(words("class").is_empty());
        assert!(words("Glass").contains("glass"), "a double s stays");
    }

    #[test]
    fn the_students_need_comes_first_and_says_why() {
        let signals = [
            Signal::Need {
                class: "Math 4".into(),
                domain: "Number and Operations: Fractions".into(),
                students: (9, 24),
            },
            Signal::Goal {
                item: 7,
                statement: "Classroom discussion: questions that make every student think".into(),
            },
        ];
        let got = suggest(
            &signals,
            vec![
                candidate(Kind::Session, "Fraction talks", &["fractions", "math"], &[]),
                candidate(Kind::Session, "Better questions", &["discussion"], &[]),
                candidate(Kind::Story, "Turn and talk every day", &[], &[7]),
                candidate(Kind::Group, "Chess club", &["games"], &[]),
            ],
            10,
        );
        let titles: Vec<&str> = got.iter().map(|s| s.candidate.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Fraction talks",
                "Turn and talk every day",
                "Better questions"
            ]
        );
        assert_eq!(
            got[0].reasons,
            [
                "9 of your 24 students in Math 4 need support in Number and Operations: Fractions; this session is tagged \"fractions\"."
            ]
        );
        assert!(got[2].reasons[0].contains("is tagged \"discussion\""));
    }

    #[test]
    fn gaps_weigh_by_how_far_there_is_to_go() {
        let gap = |item, now, target| Signal::Gap {
            item,
            statement: format!("Competency {item}"),
            levels: (now, target),
        };
        let got = suggest(
            &[gap(1, 1, 4), gap(2, 2, 3)],
            vec![
                candidate(Kind::Story, "Near", &[], &[2]),
                candidate(Kind::Story, "Far", &[], &[1]),
            ],
            1,
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].candidate.title, "Far");
        assert!(got[0].reasons[0].contains("level 1"));
    }
}
