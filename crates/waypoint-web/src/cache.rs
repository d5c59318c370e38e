//! Roster-derived listings (a school's classes and staff, an organisation's
//! children, a teacher's classes) and the counts of students by band the
//! school, district and region pages read, cached in this server until the
//! roster version moves (roster imports move it, and so do imports of
//! results and survey answers). Every server checks the shared version, so an import on
//! one is seen by all within a second.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use waypoint_domain::{OrgId, PersonId};
use waypoint_store::{
    BandCount, ClassSummary, CountsBy, Org, OrgWithCounts, StaffRow, Store, StoreResult,
};

/// How long the roster version itself is trusted before asking again.
const VERSION_TTL: Duration = Duration::from_secs(1);
/// Entries kept at most; past this the cache starts again empty.
const MAX_ENTRIES: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    ClassesOfSchool(OrgId),
    StaffOfOrg(OrgId),
    ChildOrgs(OrgId),
    ClassesTaughtBy(PersonId),
    Org(OrgId),
    BandCounts(OrgId, u8),
}

#[derive(Clone)]
enum Entry {
    Classes(Arc<Vec<ClassSummary>>),
    Staff(Arc<Vec<StaffRow>>),
    Orgs(Arc<Vec<OrgWithCounts>>),
    Org(Arc<Option<Org>>),
    Counts(Arc<Vec<BandCount>>),
}

#[derive(Default)]
struct Inner {
    version: Option<(i64, Instant)>,
    entries: HashMap<Key, (i64, Entry)>,
}

/// The cache; one per server.
#[derive(Default)]
pub struct ListingCache {
    inner: Mutex<Inner>,
}

impl ListingCache {
    async fn version(&self, store: &dyn Store) -> StoreResult<i64> {
        if let Ok(inner) = self.inner.lock()
            && let Some((v, at)) = inner.version
            && at.elapsed() < VERSION_TTL
        {
            return Ok(v);
        }
        let v = store.roster_version().await?;
        if let Ok(mut inner) = self.inner.lock() {
            inner.version = Some((v, Instant::now()));
        }
        Ok(v)
    }

    fn get(&self, key: Key, version: i64) -> Option<Entry> {
        let inner = self.inner.lock().ok()?;
        inner
            .entries
            .get(&key)
            .filter(|(v, _)| *v == version)
            .map(|(_, e)| e.clone())
    }

    fn put(&self, key: Key, version: i64, entry: Entry) {
        if let Ok(mut inner) = self.inner.lock() {
            if inner.entries.len() >= MAX_ENTRIES {
                inner.entries.clear();
            }
            inner.entries.insert(key, (version, entry));
        }
    }

    /// A school's classes.
    pub async fn classes_of_school(
        &self,
        store: &dyn Store,
        school: OrgId,
    ) -> StoreResult<Arc<Vec<ClassSummary>>> {
        let key = Key::ClassesOfSchool(school);
        let v = self.version(store).await?;
        if let Some(Entry::Classes(c)) = self.get(key, v) {
            return Ok(c);
        }
        let fresh = Arc::new(store.classes_of_school(school).await?);
        self.put(key, v, Entry::Classes(Arc::clone(&fresh)));
        Ok(fresh)
    }

    /// The classes a person teaches.
    pub async fn classes_taught_by(
        &self,
        store: &dyn Store,
        person: PersonId,
    ) -> StoreResult<Arc<Vec<ClassSummary>>> {
        let key = Key::ClassesTaughtBy(person);
        let v = self.version(store).await?;
        if let Some(Entry::Classes(c)) = self.get(key, v) {
            return Ok(c);
        }
        let fresh = Arc::new(store.classes_taught_by(person).await?);
        self.put(key, v, Entry::Classes(Arc::clone(&fresh)));
        Ok(fresh)
    }

    /// An organisation's staff.
    pub async fn staff_of_org(
        &self,
        store: &dyn Store,
        org: OrgId,
    ) -> StoreResult<Arc<Vec<StaffRow>>> {
        let key = Key::StaffOfOrg(org);
        let v = self.version(store).await?;
        if let Some(Entry::Staff(s)) = self.get(key, v) {
            return Ok(s);
        }
        let fresh = Arc::new(store.staff_of_org(org).await?);
        self.put(key, v, Entry::Staff(Arc::clone(&fresh)));
        Ok(fresh)
    }

    /// One organisation (`None` if missing or inactive).
    pub async fn org(&self, store: &dyn Store, id: OrgId) -> StoreResult<Option<Org>> {
        let key = Key::Org(id);
        let v = self.version(store).await?;
        if let Some(Entry::Org(o)) = self.get(key, v) {
            return Ok((*o).clone());
        }
        let fresh = store.org(id).await?;
        self.put(key, v, Entry::Org(Arc::new(fresh.clone())));
        Ok(fresh)
    }

    /// Students by band under an organisation (see
    /// [`waypoint_store::StudentData::band_counts`]).
    pub async fn band_counts(
        &self,
        store: &dyn Store,
        org: OrgId,
        by: CountsBy,
    ) -> StoreResult<Arc<Vec<BandCount>>> {
        let key = Key::BandCounts(
            org,
            match by {
                CountsBy::Grade => 0,
                CountsBy::Class => 1,
                CountsBy::School => 2,
                CountsBy::District => 3,
            },
        );
        let v = self.version(store).await?;
        if let Some(Entry::Counts(c)) = self.get(key, v) {
            return Ok(c);
        }
        let fresh = Arc::new(store.band_counts(org, by).await?);
        self.put(key, v, Entry::Counts(Arc::clone(&fresh)));
        Ok(fresh)
    }

    /// The organisations directly below one, with sizes.
    pub async fn child_orgs(
        &self,
        store: &dyn Store,
        org: OrgId,
    ) -> StoreResult<Arc<Vec<OrgWithCounts>>> {
        let key = Key::ChildOrgs(org);
        let v = self.version(store).await?;
        if let Some(Entry::Orgs(o)) = self.get(key, v) {
            return Ok(o);
        }
        let fresh = Arc::new(store.child_orgs(org).await?);
        self.put(key, v, Entry::Orgs(Arc::clone(&fresh)));
        Ok(fresh)
    }
}
