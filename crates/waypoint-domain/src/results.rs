//! How an assessment result is read across vendors: where it places the
//! student against grade-level expectations (a [`Band`]), and which testing
//! window of which school year it belongs to (a [`Term`]).
//!
//! Vendors say the same thing in different words: NWEA MAP gives an
//! achievement quintile ("Low" … "High") and a percentile, i-Ready a
//! relative placement ("Mid or Above Grade Level", "Two Grade Levels
//! Below"), state-style reports a proficiency level ("Exceeds",
//! "Approaching", "Below Basic"). Bands put them on one three-step scale,
//! named strengths first.

use serde::Serialize;

/// Where a result places a student against grade-level expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Band {
    /// At or above grade level (benchmark met).
    OnTrack,
    /// Close to grade level: one level below, approaching, low average.
    Approaching,
    /// Needs support: two or more levels below, well below benchmark.
    NeedsSupport,
}

impl Band {
    /// Every band, strengths first.
    pub const ALL: [Self; 3] = [Self::OnTrack, Self::Approaching, Self::NeedsSupport];

    /// The number stored for the band.
    pub const fn code(self) -> i64 {
        match self {
            Self::OnTrack => 1,
            Self::Approaching => 2,
            Self::NeedsSupport => 3,
        }
    }

    /// The band stored as `code`, if any.
    pub const fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(Self::OnTrack),
            2 => Some(Self::Approaching),
            3 => Some(Self::NeedsSupport),
            _ => None,
        }
    }

    /// The plain-language name.
    pub const fn label(self) -> &'static str {
        match self {
            Self::OnTrack => "On track",
            Self::Approaching => "Approaching",
            Self::NeedsSupport => "Needs support",
        }
    }

    /// A short machine name (CSS classes, CSV exports).
    pub const fn slug(self) -> &'static str {
        match self {
            Self::OnTrack => "on-track",
            Self::Approaching => "approaching",
            Self::NeedsSupport => "needs-support",
        }
    }

    /// The band of a result from its performance level, or else from its
    /// national percentile (40th and up on track, 21st–39th approaching,
    /// 20th and below needs support); `None` when it gives neither.
    pub fn of(level: &str, percentile: Option<u8>) -> Option<Self> {
        Self::of_level(level).or_else(|| percentile.map(Self::of_percentile))
    }

    fn of_percentile(p: u8) -> Self {
        match p {
            40.. => Self::OnTrack,
            21..=39 => Self::Approaching,
            _ => Self::NeedsSupport,
        }
    }

    fn of_level(level: &str) -> Option<Self> {
        let l = level.trim().to_ascii_lowercase();
        if l.is_empty() {
            return None;
        }
        // Grade-level placements (i-Ready and the like) first: "below" there
        // comes with how far below.
        if l.contains("grade level") || l.contains("grade levels") {
            if ["two", "three", "more", "far"]
                .iter()
                .any(|w| l.contains(w))
            {
                return Some(Self::NeedsSupport);
            }
            if l.contains("one") || l.contains("below") {
                return Some(Self::Approaching);
            }
            return Some(Self::OnTrack);
        }
        let any = |words: &[&str]| words.iter().any(|w| l.contains(w));
        if any(&["not met", "does not", "not yet"]) {
            return Some(Self::NeedsSupport);
        }
        // Quintiles (NWEA MAP) and proficiency words, the most specific
        // first ("loavg" before "avg", "below basic" before "basic").
        if any(&[
            "loavg",
            "low average",
            "approach",
            "partially",
            "nearly",
            "near ",
        ]) || l == "near"
        {
            return Some(Self::Approaching);
        }
        if any(&[
            "hiavg",
            "high average",
            "high",
            "avg",
            "average",
            "exceed",
            "meets",
            "met",
        ]) {
            return Some(Self::OnTrack);
        }
        if any(&[
            "advanced",
            "proficient",
            "distinguished",
            "mastery",
            "above",
            "on track",
        ]) {
            return Some(Self::OnTrack);
        }
        if any(&[
            "below basic",
            "far below",
            "well below",
            "minimal",
            "beginning",
        ]) {
            return Some(Self::NeedsSupport);
        }
        if any(&["basic", "developing"]) {
            return Some(Self::Approaching);
        }
        if any(&["low", "below", "intensive", "urgent"]) {
            return Some(Self::NeedsSupport);
        }
        None
    }
}

/// A testing window of a school year: results from August to November are
/// the fall window, December to February winter, March to July spring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Term {
    /// The calendar year the school year starts in (2025 for 2025–26).
    pub year: i32,
    /// 0 fall, 1 winter, 2 spring.
    pub window: u8,
}

impl Term {
    /// The window of a `yyyy-mm-dd` date; `None` when it is not one.
    pub fn of(date: &str) -> Option<Self> {
        let year: i32 = date.get(0..4)?.parse().ok()?;
        let month: u8 = date.get(5..7)?.parse().ok()?;
        let (year, window) = match month {
            8..=11 => (year, 0),
            12 => (year, 1),
            1..=2 => (year - 1, 1),
            3..=7 => (year - 1, 2),
            _ => return None,
        };
        Some(Self { year, window })
    }

    /// How the window is stored and sorted: `2025-1-fall` … `2025-3-spring`.
    pub fn key(self) -> String {
        format!(
            "{}-{}-{}",
            self.year,
            self.window + 1,
            ["fall", "winter", "spring"][usize::from(self.window.min(2))]
        )
    }

    /// The window stored as `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        let mut parts = key.splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let window: u8 = parts.next()?.parse().ok()?;
        (1..=3).contains(&window).then_some(Self {
            year,
            window: window - 1,
        })
    }

    /// "Fall 2025–26".
    pub fn label(self) -> String {
        format!(
            "{} {}–{:02}",
            ["Fall", "Winter", "Spring"][usize::from(self.window.min(2))],
            self.year,
            (self.year + 1).rem_euclid(100)
        )
    }
}

/// Which of a class's students a goal targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Targeted {
    /// Every student of the class.
    All,
    /// The students not on track in the first window of the year.
    NotOnTrack,
}

impl Targeted {
    /// Both, in the order a form offers them.
    pub const ALL: [Self; 2] = [Self::NotOnTrack, Self::All];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::NotOnTrack => "not_on_track",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// How a form and a page say it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::All => "Every student in the class",
            Self::NotOnTrack => "Students not yet on track at the start of the year",
        }
    }
}

/// One whole-test result of a student, as a targeted group is counted
/// from: who, the window key, the day and the band.
pub type Sitting<'a> = (i64, &'a str, &'a str, Band);

/// How a targeted group moved over a school year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupProgress {
    /// The group's students per band (strengths first) by each one's first
    /// result of the year.
    pub start: [u32; 3],
    /// The same students by each one's latest result of the year.
    pub now: [u32; 3],
    /// Whether any of them was tested again after their first result.
    pub retested: bool,
    /// Per window of the year (by key, in order), the same students by
    /// their latest result in the window.
    pub windows: Vec<(String, [u32; 3])>,
}

/// How a targeted group moved over the school year starting in `year`.
/// The group is fixed by each student's first result of the year: every
/// student tested, or (with [`Targeted::NotOnTrack`]) those whose first
/// result was not on track, so a student who arrives mid-year joins it
/// with their first result.
pub fn group_progress(sittings: &[Sitting<'_>], year: i32, who: Targeted) -> GroupProgress {
    use std::collections::{BTreeMap, HashMap};
    let prefix = format!("{year}-");
    let mut first: HashMap<i64, (&str, Band)> = HashMap::new();
    let mut last: HashMap<i64, (&str, Band)> = HashMap::new();
    let mut by_window: BTreeMap<&str, HashMap<i64, (&str, Band)>> = BTreeMap::new();
    for &(student, term, day, band) in sittings {
        if !term.starts_with(&prefix) {
            continue;
        }
        let f = first.entry(student).or_insert((day, band));
        if day < f.0 {
            *f = (day, band);
        }
        let l = last.entry(student).or_insert((day, band));
        if day > l.0 {
            *l = (day, band);
        }
        let w = by_window
            .entry(term)
            .or_default()
            .entry(student)
            .or_insert((day, band));
        if day > w.0 {
            *w = (day, band);
        }
    }
    let index = |b: Band| Band::ALL.iter().position(|x| *x == b).unwrap_or(0);
    let in_group = |s: &i64| {
        first
            .get(s)
            .is_some_and(|(_, b)| who == Targeted::All || *b != Band::OnTrack)
    };
    let mut out = GroupProgress::default();
    for (s, (day, band)) in &first {
        if in_group(s) {
            out.start[index(*band)] += 1;
            if let Some((later, now)) = last.get(s) {
                out.now[index(*now)] += 1;
                out.retested |= later > day;
            }
        }
    }
    out.windows = by_window
        .into_iter()
        .map(|(term, students)| {
            let mut counts = [0u32; 3];
            for (s, (_, band)) in &students {
                if in_group(s) {
                    counts[index(*band)] += 1;
                }
            }
            (term.to_owned(), counts)
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_targeted_group_is_fixed_at_the_start_of_the_year() {
        use Band::*;
        let s = [
            (1, "2025-1-fall", "2025-09-10", NeedsSupport),
            (1, "2025-1-fall", "2025-11-20", Approaching),
            (2, "2025-1-fall", "2025-09-10", OnTrack),
            (3, "2025-1-fall", "2025-09-10", NeedsSupport),
            (1, "2025-3-spring", "2026-05-01", OnTrack),
            (2, "2025-3-spring", "2026-05-01", Approaching),
            (3, "2025-3-spring", "2026-05-01", Approaching),
            (4, "2025-3-spring", "2026-05-01", NeedsSupport),
            (1, "2024-3-spring", "2025-05-01", NeedsSupport),
        ];
        let fall = |c: [u32; 3]| ("2025-1-fall".to_owned(), c);
        let spring = |c: [u32; 3]| ("2025-3-spring".to_owned(), c);
        let not_on_track = group_progress(&s, 2025, Targeted::NotOnTrack);
        assert_eq!(
            not_on_track,
            GroupProgress {
                start: [0, 0, 3],
                now: [1, 1, 1],
                retested: true,
                windows: vec![fall([0, 1, 1]), spring([1, 1, 1])],
            }
        );
        let all = group_progress(&s, 2025, Targeted::All);
        assert_eq!((all.start, all.now), ([1, 0, 3], [1, 2, 1]));
        assert_eq!(all.windows, [fall([1, 1, 1]), spring([1, 2, 1])]);
        let none = group_progress(&s, 2023, Targeted::All);
        assert!(none.windows.is_empty() && !none.retested);
        let once = group_progress(&s[2..3], 2025, Targeted::All);
        assert_eq!(
            (once.start, once.now, once.retested),
            ([1, 0, 0], [1, 0, 0], false)
        );
        assert_eq!(Targeted::parse("not_on_track"), Some(Targeted::NotOnTrack));
    }

    #[test]
    fn vendor_levels_fall_into_bands() {
        let cases = [
            ("Mid or Above Grade Level", Band::OnTrack),
            ("Early On Grade Level", Band::OnTrack),
            ("One Grade Level Below", Band::Approaching),
            ("Two Grade Levels Below", Band::NeedsSupport),
            ("Three or More Grade Levels Below", Band::NeedsSupport),
            ("High", Band::OnTrack),
            ("HiAvg", Band::OnTrack),
            ("Avg", Band::OnTrack),
            ("LoAvg", Band::Approaching),
            ("Low", Band::NeedsSupport),
            ("Exceeds", Band::OnTrack),
            ("Meets", Band::OnTrack),
            ("Approaching", Band::Approaching),
            ("Basic", Band::Approaching),
            ("Below Basic", Band::NeedsSupport),
            ("Proficient", Band::OnTrack),
            ("Below", Band::NeedsSupport),
            ("Not Met", Band::NeedsSupport),
            ("Partially Met", Band::Approaching),
        ];
        for (level, band) in cases {
            assert_eq!(Band::of(level, None), Some(band), "{level}");
        }
    }

    #[test]
    fn percentile_decides_when_the_level_says_nothing() {
        assert_eq!(Band::of("", Some(55)), Some(Band::OnTrack));
        assert_eq!(Band::of("", Some(40)), Some(Band::OnTrack));
        assert_eq!(Band::of("", Some(39)), Some(Band::Approaching));
        assert_eq!(Band::of("", Some(20)), Some(Band::NeedsSupport));
        assert_eq!(Band::of("", None), None);
        assert_eq!(Band::of("Low", Some(90)), Some(Band::NeedsSupport));
        for b in Band::ALL {
            assert_eq!(Band::from_code(b.code()), Some(b));
        }
    }

    #[test]
    fn dates_fall_into_windows_of_the_school_year() {
        let t = |d| Term::of(d).map(Term::label);
        assert_eq!(t("2025-09-15").as_deref(), Some("Fall 2025–26"));
        assert_eq!(t("2025-12-01").as_deref(), Some("Winter 2025–26"));
        assert_eq!(t("2026-01-20").as_deref(), Some("Winter 2025–26"));
        assert_eq!(t("2026-05-04").as_deref(), Some("Spring 2025–26"));
        assert_eq!(t("1999-12-31").as_deref(), Some("Winter 1999–00"));
        assert_eq!(Term::of("2026-13-01"), None);
        let fall = Term::of("2025-09-15").expect("a date");
        let spring = Term::of("2026-05-04").expect("a date");
        assert!(fall < spring && fall.key() < spring.key());
        assert_eq!(Term::from_key(&spring.key()), Some(spring));
    }
}
