//! The PD-day model: slots, courses, sections, people and their choices, and the cost of a
//! placement. An [`Instance`] can only be obtained through [`InstanceBuilder::build`], which checks
//! every cross-reference, so the mechanisms never see a dangling index.

use std::collections::HashMap;

use serde::Serialize;

/// Index of a slot in [`Instance::slots`] (slots are in time order).
pub type SlotIx = usize;
/// Index of a course in [`Instance::courses`].
pub type CourseIx = usize;
/// Index of a section in [`Instance::sections`].
pub type SectionIx = usize;
/// Index of a person in [`Instance::people`].
pub type PersonIx = usize;

/// Most slots a day may have; bundles are searched over subsets of slots.
pub const MAX_SLOTS: usize = 12;

/// A course: one session topic, run as one or more sections.
#[derive(Debug, Clone)]
pub struct Course {
    pub(crate) id: String,
    pub(crate) title: String,
    /// Sorted person indices allowed to attend; `None` means everyone.
    pub(crate) audience: Option<Vec<PersonIx>>,
}

impl Course {
    /// The course id as given in `sessions.csv`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The course title.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// Whether `person` may be placed in this course.
    pub fn admits(&self, person: PersonIx) -> bool {
        self.audience
            .as_ref()
            .is_none_or(|a| a.binary_search(&person).is_ok())
    }
}

/// One running of a course in one slot.
#[derive(Debug, Clone)]
pub struct Section {
    pub(crate) id: String,
    pub(crate) course: CourseIx,
    pub(crate) slot: SlotIx,
    pub(crate) capacity: u32,
    pub(crate) facilitators: Vec<PersonIx>,
}

impl Section {
    /// The section id as given in `sessions.csv`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The course this section runs.
    pub fn course(&self) -> CourseIx {
        self.course
    }
    /// The slot it runs in.
    pub fn slot(&self) -> SlotIx {
        self.slot
    }
    /// Seats for participants (facilitators do not use a seat).
    pub fn capacity(&self) -> u32 {
        self.capacity
    }
    /// People who lead this section.
    pub fn facilitators(&self) -> &[PersonIx] {
        &self.facilitators
    }
}

/// A person: their ranked courses, absences and required courses.
#[derive(Debug, Clone)]
pub struct Person {
    pub(crate) id: String,
    /// `(course, rank)` in increasing rank order; ranks are ≥ 1 and strictly increasing.
    pub(crate) ranked: Vec<(CourseIx, u16)>,
    pub(crate) absent: u32,
    pub(crate) required: Vec<CourseIx>,
}

impl Person {
    /// The person id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Ranked courses, best first, with their rank numbers.
    pub fn ranked(&self) -> &[(CourseIx, u16)] {
        &self.ranked
    }
    /// The rank this person gave `course`, if any.
    pub fn rank_of(&self, course: CourseIx) -> Option<u16> {
        self.ranked
            .iter()
            .find(|&&(c, _)| c == course)
            .map(|&(_, r)| r)
    }
    /// Whether the person is absent from `slot`.
    pub fn is_absent(&self, slot: SlotIx) -> bool {
        self.absent & (1 << slot) != 0
    }
    /// Courses this person must take.
    pub fn required(&self) -> &[CourseIx] {
        &self.required
    }
}

/// How much a placement at a given rank costs. Unranked placements are always worse than any
/// combination of ranked ones (the objective is lexicographic).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankCost {
    /// `rank²`: convex, so two second choices beat a first and a third (the default).
    #[default]
    Squared,
    /// `rank`: total rank, indifferent to how disappointment is spread.
    Linear,
    /// `2^(rank-1)`: strongly favours giving everyone an early choice.
    Exponential,
}

impl RankCost {
    /// The cost of one placement at `rank` (1 = first choice).
    pub fn of(&self, rank: u16) -> i64 {
        let r = i64::from(rank.max(1));
        match self {
            RankCost::Squared => r * r,
            RankCost::Linear => r,
            RankCost::Exponential => 1i64 << (r - 1).min(40),
        }
    }
    /// Parse `squared`, `linear` or `exponential`.
    pub fn parse(s: &str) -> Option<RankCost> {
        match s {
            "squared" | "rank2" | "rank^2" => Some(RankCost::Squared),
            "linear" | "rank" => Some(RankCost::Linear),
            "exponential" | "exp" => Some(RankCost::Exponential),
            _ => None,
        }
    }
}

/// A validated PD day. Fields are private: an `Instance` only comes out of
/// [`InstanceBuilder::build`], so every index in it is valid.
#[derive(Debug, Clone)]
pub struct Instance {
    pub(crate) slots: Vec<String>,
    pub(crate) courses: Vec<Course>,
    pub(crate) sections: Vec<Section>,
    pub(crate) people: Vec<Person>,
    /// Per person, per slot: the section they lead there.
    pub(crate) leads: Vec<Vec<Option<SectionIx>>>,
    /// Per person: courses they lead somewhere (never placed in them as a participant).
    pub(crate) leads_course: Vec<Vec<CourseIx>>,
    /// Per course, per slot: sections.
    pub(crate) course_slot_sections: Vec<Vec<Vec<SectionIx>>>,
    pub(crate) slot_sections: Vec<Vec<SectionIx>>,
}

impl Instance {
    /// Slot labels in time order.
    pub fn slots(&self) -> &[String] {
        &self.slots
    }
    /// All courses.
    pub fn courses(&self) -> &[Course] {
        &self.courses
    }
    /// All sections.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }
    /// All people (participants and facilitators).
    pub fn people(&self) -> &[Person] {
        &self.people
    }
    /// Number of slots.
    pub fn n_slots(&self) -> usize {
        self.slots.len()
    }
    /// The section `person` leads in `slot`, if any.
    pub fn leads(&self, person: PersonIx, slot: SlotIx) -> Option<SectionIx> {
        self.leads[person][slot]
    }
    /// Sections running in `slot`.
    pub fn slot_sections(&self, slot: SlotIx) -> &[SectionIx] {
        &self.slot_sections[slot]
    }
    /// Sections of `course` running in `slot`.
    pub fn course_sections_in(&self, course: CourseIx, slot: SlotIx) -> &[SectionIx] {
        &self.course_slot_sections[course][slot]
    }
    /// Whether `person` needs a seat in `slot` (present and not facilitating there).
    pub fn is_seated(&self, person: PersonIx, slot: SlotIx) -> bool {
        !self.people[person].is_absent(slot) && self.leads[person][slot].is_none()
    }
    /// Whether `person` may sit in a section of `course` at all (audience, not its facilitator).
    pub fn may_take(&self, person: PersonIx, course: CourseIx) -> bool {
        self.courses[course].admits(person) && !self.leads_course[person].contains(&course)
    }
    /// Required courses of `person` that they do not already cover by facilitating.
    pub(crate) fn open_requirements(
        &self,
        person: PersonIx,
    ) -> impl Iterator<Item = CourseIx> + '_ {
        self.people[person]
            .required
            .iter()
            .copied()
            .filter(move |c| !self.leads_course[person].contains(c))
    }
    /// Total seats needed across all slots.
    pub fn placements_needed(&self) -> usize {
        (0..self.people.len())
            .map(|p| {
                (0..self.n_slots())
                    .filter(|&t| self.is_seated(p, t))
                    .count()
            })
            .sum()
    }

    /// Check the conditions under which no feasible assignment can exist, each with what is
    /// missing where. An empty list does not prove feasibility (the solver reports the rest),
    /// but covers the usual mistakes.
    pub fn infeasibilities(&self) -> Vec<Infeasibility> {
        let mut out = Vec::new();
        for t in 0..self.n_slots() {
            let people = (0..self.people.len())
                .filter(|&p| self.is_seated(p, t))
                .count() as u64;
            let seats: u64 = self.slot_sections[t]
                .iter()
                .map(|&s| u64::from(self.sections[s].capacity))
                .sum();
            if people > seats {
                out.push(Infeasibility::SlotSeats {
                    slot: self.slots[t].clone(),
                    people,
                    seats,
                });
            }
        }
        let mut must_take = vec![0u64; self.courses.len()];
        for (p, person) in self.people.iter().enumerate() {
            for c in self.open_requirements(p) {
                must_take[c] += 1;
                let runs_when_seated = (0..self.n_slots())
                    .any(|t| self.is_seated(p, t) && !self.course_slot_sections[c][t].is_empty());
                if !runs_when_seated {
                    out.push(Infeasibility::RequiredNotReachable {
                        person: person.id.clone(),
                        course: self.courses[c].id.clone(),
                        why: "it runs only in slots where they are absent or facilitating",
                    });
                } else if !self.courses[c].admits(p) {
                    out.push(Infeasibility::RequiredNotReachable {
                        person: person.id.clone(),
                        course: self.courses[c].id.clone(),
                        why: "they are not in its audience",
                    });
                }
            }
            let reqs: Vec<CourseIx> = self.open_requirements(p).collect();
            let seated = (0..self.n_slots())
                .filter(|&t| self.is_seated(p, t))
                .count();
            if reqs.len() > seated {
                out.push(Infeasibility::TooManyRequirements {
                    person: person.id.clone(),
                    required: reqs.len(),
                    slots: seated,
                });
            }
        }
        for (c, &n) in must_take.iter().enumerate() {
            let seats: u64 = self.course_slot_sections[c]
                .iter()
                .flatten()
                .map(|&s| u64::from(self.sections[s].capacity))
                .sum();
            if n > seats {
                out.push(Infeasibility::RequiredSeats {
                    course: self.courses[c].id.clone(),
                    people: n,
                    seats,
                });
            }
        }
        out
    }
}

/// A reason no feasible assignment exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Infeasibility {
    /// More people to seat in a slot than seats in it.
    #[error("slot {slot}: {people} people, {seats} seats; add {} seats", people - seats)]
    SlotSeats {
        /// Slot label.
        slot: String,
        /// People who need a seat in that slot.
        people: u64,
        /// Seats offered in that slot.
        seats: u64,
    },
    /// More people must take a course than it has seats.
    #[error("course {course}: {people} people must take it, {seats} seats; add {} seats", people - seats)]
    RequiredSeats {
        /// Course id.
        course: String,
        /// People required to take it.
        people: u64,
        /// Seats across its sections.
        seats: u64,
    },
    /// A person must take a course they cannot be placed in.
    #[error("person {person} must take course {course}, but {why}")]
    RequiredNotReachable {
        /// Person id.
        person: String,
        /// Course id.
        course: String,
        /// Why not.
        why: &'static str,
    },
    /// A person has more required courses than slots to take them in.
    #[error("person {person} has {required} required courses but is seated in only {slots} slots")]
    TooManyRequirements {
        /// Person id.
        person: String,
        /// Number of required courses.
        required: usize,
        /// Slots in which they need a seat.
        slots: usize,
    },
    /// The solver could not seat everyone (a situation the checks above do not cover, such as
    /// seats left only in courses some people may not take).
    #[error("slot {slot}: {people} people could not be seated in any section open to them")]
    Unseatable {
        /// Slot label.
        slot: String,
        /// How many.
        people: u64,
    },
}

/// An inconsistency found while building an [`Instance`] from in-memory values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// Two entities share an id.
    #[error("duplicate {what} id {id:?}")]
    Duplicate {
        /// Kind of entity.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// A reference to an id that does not exist.
    #[error("unknown {what} {id:?}")]
    Unknown {
        /// Kind of entity.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// Something else invalid, described.
    #[error("{0}")]
    Invalid(String),
}

/// Builds an [`Instance`] from ids; used by the CSV parsers, the generator and tests.
#[derive(Debug, Default, Clone)]
pub struct InstanceBuilder {
    slots: Vec<String>,
    slot_ix: HashMap<String, SlotIx>,
    courses: Vec<Course>,
    course_ix: HashMap<String, CourseIx>,
    sections: Vec<Section>,
    section_ix: HashMap<String, SectionIx>,
    people: Vec<Person>,
    person_ix: HashMap<String, PersonIx>,
    pending_audience: Vec<(CourseIx, Vec<String>)>,
    pending_facilitators: Vec<(SectionIx, Vec<String>)>,
}

impl InstanceBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a slot (in time order); returns its index. Adding an existing label returns it.
    pub fn slot(&mut self, label: &str) -> SlotIx {
        if let Some(&t) = self.slot_ix.get(label) {
            return t;
        }
        self.slots.push(label.to_owned());
        self.slot_ix.insert(label.to_owned(), self.slots.len() - 1);
        self.slots.len() - 1
    }

    /// The index of a slot label, if added.
    pub fn slot_index(&self, label: &str) -> Option<SlotIx> {
        self.slot_ix.get(label).copied()
    }

    /// Add a course, or return the existing one with this id.
    pub fn course(&mut self, id: &str, title: &str) -> CourseIx {
        if let Some(&c) = self.course_ix.get(id) {
            return c;
        }
        self.courses.push(Course {
            id: id.to_owned(),
            title: title.to_owned(),
            audience: None,
        });
        self.course_ix.insert(id.to_owned(), self.courses.len() - 1);
        self.courses.len() - 1
    }

    /// The index of a course id, if added.
    pub fn course_index(&self, id: &str) -> Option<CourseIx> {
        self.course_ix.get(id).copied()
    }

    /// Restrict a course to an audience of person ids (resolved at [`build`](Self::build)).
    pub fn audience(&mut self, course: CourseIx, people: Vec<String>) {
        self.pending_audience.push((course, people));
    }

    /// Add a section; facilitator ids are resolved at [`build`](Self::build) (and added as people
    /// when `add_facilitators` is passed there).
    pub fn section(
        &mut self,
        id: &str,
        course: CourseIx,
        slot: SlotIx,
        capacity: u32,
        facilitators: Vec<String>,
    ) -> Result<SectionIx, ModelError> {
        if self.section_ix.contains_key(id) {
            return Err(ModelError::Duplicate {
                what: "section",
                id: id.to_owned(),
            });
        }
        self.sections.push(Section {
            id: id.to_owned(),
            course,
            slot,
            capacity,
            facilitators: Vec::new(),
        });
        let s = self.sections.len() - 1;
        self.section_ix.insert(id.to_owned(), s);
        self.pending_facilitators.push((s, facilitators));
        Ok(s)
    }

    /// Add a person, or return the existing one with this id.
    pub fn person(&mut self, id: &str) -> PersonIx {
        if let Some(&p) = self.person_ix.get(id) {
            return p;
        }
        self.people.push(Person {
            id: id.to_owned(),
            ranked: Vec::new(),
            absent: 0,
            required: Vec::new(),
        });
        self.person_ix.insert(id.to_owned(), self.people.len() - 1);
        self.people.len() - 1
    }

    /// The index of a person id, if added.
    pub fn person_index(&self, id: &str) -> Option<PersonIx> {
        self.person_ix.get(id).copied()
    }

    /// Record that `person` ranked `course` at `rank`. Ranks are sorted at build time; a repeated
    /// rank or course is an error.
    pub fn rank(
        &mut self,
        person: PersonIx,
        course: CourseIx,
        rank: u16,
    ) -> Result<(), ModelError> {
        let p = &mut self.people[person];
        if rank == 0 {
            return Err(ModelError::Invalid(format!(
                "person {}: rank must be at least 1",
                p.id
            )));
        }
        if p.ranked.iter().any(|&(_, r)| r == rank) {
            return Err(ModelError::Invalid(format!(
                "person {} has two courses at rank {rank}",
                p.id
            )));
        }
        if p.ranked.iter().any(|&(c, _)| c == course) {
            return Err(ModelError::Invalid(format!(
                "person {} ranks course {} twice",
                p.id, self.courses[course].id
            )));
        }
        p.ranked.push((course, rank));
        Ok(())
    }

    /// Mark `person` absent from `slot`.
    pub fn absent(&mut self, person: PersonIx, slot: SlotIx) {
        self.people[person].absent |= 1 << slot;
    }

    /// Require `person` to take `course`.
    pub fn require(&mut self, person: PersonIx, course: CourseIx) {
        let r = &mut self.people[person].required;
        if !r.contains(&course) {
            r.push(course);
        }
    }

    /// Resolve references and derive the indexes. With `add_facilitators`, facilitator ids not yet
    /// known become people; otherwise they are an error.
    pub fn build(mut self, add_facilitators: bool) -> Result<Instance, ModelError> {
        if self.slots.len() > MAX_SLOTS {
            return Err(ModelError::Invalid(format!(
                "{} slots; at most {MAX_SLOTS} are supported",
                self.slots.len()
            )));
        }
        for (s, ids) in std::mem::take(&mut self.pending_facilitators) {
            let mut fs = Vec::with_capacity(ids.len());
            for id in ids {
                let p = match self.person_ix.get(&id) {
                    Some(&p) => p,
                    None if add_facilitators => self.person(&id),
                    None => {
                        return Err(ModelError::Unknown {
                            what: "facilitator",
                            id,
                        });
                    }
                };
                if !fs.contains(&p) {
                    fs.push(p);
                }
            }
            self.sections[s].facilitators = fs;
        }
        for (c, ids) in std::mem::take(&mut self.pending_audience) {
            let mut aud = self.courses[c].audience.take().unwrap_or_default();
            for id in ids {
                let p = self
                    .person_ix
                    .get(&id)
                    .copied()
                    .ok_or(ModelError::Unknown {
                        what: "audience person",
                        id,
                    })?;
                aud.push(p);
            }
            aud.sort_unstable();
            aud.dedup();
            self.courses[c].audience = Some(aud);
        }
        let n_slots = self.slots.len();
        let n_people = self.people.len();
        for p in &mut self.people {
            p.ranked.sort_unstable_by_key(|&(_, r)| r);
        }
        let mut leads: Vec<Vec<Option<SectionIx>>> = vec![vec![None; n_slots]; n_people];
        let mut leads_course = vec![Vec::new(); n_people];
        let mut course_slot_sections = vec![vec![Vec::new(); n_slots]; self.courses.len()];
        let mut slot_sections = vec![Vec::new(); n_slots];
        for (s, sec) in self.sections.iter().enumerate() {
            course_slot_sections[sec.course][sec.slot].push(s);
            slot_sections[sec.slot].push(s);
            for &f in &sec.facilitators {
                if let Some(other) = leads[f][sec.slot] {
                    return Err(ModelError::Invalid(format!(
                        "facilitator {} leads both {} and {} in slot {}",
                        self.people[f].id, self.sections[other].id, sec.id, self.slots[sec.slot]
                    )));
                }
                if self.people[f].is_absent(sec.slot) {
                    return Err(ModelError::Invalid(format!(
                        "facilitator {} leads {} in slot {} but is absent from it",
                        self.people[f].id, sec.id, self.slots[sec.slot]
                    )));
                }
                leads[f][sec.slot] = Some(s);
                let lc: &mut Vec<CourseIx> = &mut leads_course[f];
                if !lc.contains(&sec.course) {
                    lc.push(sec.course);
                }
            }
        }
        Ok(Instance {
            slots: self.slots,
            courses: self.courses,
            sections: self.sections,
            people: self.people,
            leads,
            leads_course,
            course_slot_sections,
            slot_sections,
        })
    }
}
