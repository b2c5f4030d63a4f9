//! Compact forms of the records kept in memory: the text a record shares with
//! many others (a change's service, team and author; a deployment line's
//! environment, region and stage) is kept once per thread that reads events
//! (the sets below are per thread), behind one pointer, and reached through
//! `Deref`, so that `change.service` or `line.region` read as before.
//! A million changes name a few thousand (service, team, author) combinations,
//! a million deployment lines a few dozen places, and deployments only as many
//! (service, team) pairs as there are services.

use std::hash::Hash;
use std::ops::Deref;
use std::sync::Arc;

use crate::model::{Change, DeployStatus, Id, Text, Time};

/// What a change shares with others: the names, and the rarer text (url,
/// reverted id) that keeps it unique when present.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChangeNames {
    pub service: Text,
    pub team: Option<Text>,
    pub author: Option<Text>,
    pub url: Option<Text>,
    /// The id of the change this one reverts.
    pub reverts: Option<Text>,
}

impl ChangeNames {
    /// The copy of these names this thread shares.
    pub fn shared(self) -> Arc<Self> {
        share(&NAMES, self)
    }
}

/// A change as kept: its own fields, and its [`ChangeNames`] shared.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord {
    pub id: Id,
    /// Commit time.
    pub time: Time,
    pub title: Option<Text>,
    /// When it was ready for review (gate 1 starts).
    pub opened: Option<Time>,
    /// When a reviewer first responded.
    pub first_review: Option<Time>,
    /// When it was merged (gate 1 passed).
    pub merged: Option<Time>,
    /// Lines added plus lines deleted; kept in 32 bits (a change of more
    /// than four billion lines reads as that many), which keeps a record
    /// 8 bytes smaller. No metric reads it.
    lines: Option<u32>,
    names: Arc<ChangeNames>,
}

impl Deref for ChangeRecord {
    type Target = ChangeNames;

    fn deref(&self) -> &ChangeNames {
        &self.names
    }
}

impl ChangeRecord {
    pub fn new(c: Change) -> Self {
        let names = ChangeNames {
            service: c.service,
            team: c.team,
            author: c.author,
            url: c.url,
            reverts: c.reverts,
        }
        .shared();
        let mut record = Self::with_names(c.id, c.time, c.title, c.lines, names);
        (record.opened, record.first_review, record.merged) = (c.opened, c.first_review, c.merged);
        record
    }

    /// A change read with its names already shared (`names`, as
    /// [`ChangeNames::shared`] gives them); its review times are set after.
    pub fn with_names(
        id: Id,
        time: Time,
        title: Option<Text>,
        lines: Option<u64>,
        names: Arc<ChangeNames>,
    ) -> Self {
        Self {
            id,
            time,
            title,
            opened: None,
            first_review: None,
            merged: None,
            lines: lines.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            names,
        }
    }

    /// A later line of the same id, as [`Change::merge`] merges it.
    pub fn merge(&mut self, newer: Change) {
        let mut c = self.to_change();
        c.merge(newer);
        *self = Self::new(c);
    }

    /// The change as an event carries it.
    pub fn to_change(&self) -> Change {
        let n = &*self.names;
        Change {
            id: self.id.clone(),
            service: n.service.clone(),
            time: self.time,
            team: n.team.clone(),
            title: self.title.clone(),
            author: n.author.clone(),
            url: n.url.clone(),
            opened: self.opened,
            first_review: self.first_review,
            merged: self.merged,
            lines: self.lines.map(u64::from),
            reverts: n.reverts.clone(),
        }
    }
}

/// Where a deployment line happened, shared by the lines that say the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinePlace {
    /// `None` means production (the schema's default).
    pub environment: Option<Text>,
    pub region: Option<Text>,
    pub stage: Option<Text>,
    pub url: Option<Text>,
}

/// One line of a deployment as kept: what it says beyond the id, service, team,
/// changes and hotfix flag, which its deployment keeps once (a line naming
/// another service does not move the deployment). Its [`LinePlace`] is shared.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentLine {
    pub time: Time,
    pub status: DeployStatus,
    place: Arc<LinePlace>,
}

impl Deref for DeploymentLine {
    type Target = LinePlace;

    fn deref(&self) -> &LinePlace {
        &self.place
    }
}

impl DeploymentLine {
    pub fn new(time: Time, status: DeployStatus, place: LinePlace) -> Self {
        Self::at(time, status, place.shared())
    }

    /// A line at a place already shared ([`LinePlace::shared`]).
    pub fn at(time: Time, status: DeployStatus, place: Arc<LinePlace>) -> Self {
        Self {
            time,
            status,
            place,
        }
    }
}

impl LinePlace {
    /// The copy of this place this thread shares.
    pub fn shared(self) -> Arc<Self> {
        share(&PLACES, self)
    }
}

/// The names of a deployment, shared by the deployments that say the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeploymentNames {
    pub service: Text,
    /// The last team a line named, if any.
    pub team: Option<Text>,
}

impl DeploymentNames {
    /// The shared copy of these names.
    pub fn shared(service: Text, team: Option<Text>) -> Arc<Self> {
        share(&DEPLOYMENT_NAMES, Self { service, team })
    }
}

/// Distinct parts kept per thread for sharing; past this the set starts over
/// (input of unique urls must not grow it without bound).
const KEPT: usize = 1 << 16;

type Shared<T> = std::collections::HashSet<Arc<T>, foldhash::fast::FixedState>;

thread_local! {
    static NAMES: std::cell::RefCell<Shared<ChangeNames>> = std::cell::RefCell::default();
    static PLACES: std::cell::RefCell<Shared<LinePlace>> = std::cell::RefCell::default();
    static DEPLOYMENT_NAMES: std::cell::RefCell<Shared<DeploymentNames>> =
        std::cell::RefCell::default();
}

fn share<T: Hash + Eq>(
    set: &'static std::thread::LocalKey<std::cell::RefCell<Shared<T>>>,
    part: T,
) -> Arc<T> {
    set.with_borrow_mut(|kept| {
        if let Some(shared) = kept.get(&part) {
            return shared.clone();
        }
        if kept.len() >= KEPT {
            kept.clear();
        }
        let shared = Arc::new(part);
        kept.insert(shared.clone());
        shared
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str, author: &str) -> Change {
        Change {
            id: id.into(),
            service: "api".into(),
            time: Time::default(),
            team: Some("core".into()),
            title: Some("t".into()),
            author: Some(author.into()),
            url: None,
            opened: None,
            first_review: None,
            merged: None,
            lines: Some(3),
            reverts: None,
        }
    }

    #[test]
    fn changes_with_the_same_names_share_them_and_read_as_the_event() {
        let a = ChangeRecord::new(change("c1", "ann"));
        let b = ChangeRecord::new(change("c2", "ann"));
        let c = ChangeRecord::new(change("c3", "bob"));
        assert!(Arc::ptr_eq(&a.names, &b.names));
        assert!(!Arc::ptr_eq(&a.names, &c.names));
        assert_eq!(a.to_change(), change("c1", "ann"));
        assert_eq!(&*a.service, "api");
        assert_eq!(c.author.as_deref(), Some("bob"));
        // Kept compact: the shared part is one pointer, and a short id is
        // inline (24 bytes, where a shared id took 16 and 32 more on the heap).
        assert!(std::mem::size_of::<ChangeRecord>() <= 104);
        assert!(!a.id.is_heap_allocated());
        assert!(std::mem::size_of::<DeploymentLine>() <= 24);
        let (a, b) = (
            DeploymentNames::shared("api".into(), Some("core".into())),
            DeploymentNames::shared("api".into(), Some("core".into())),
        );
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn a_later_line_merges_as_the_event_does() {
        let mut kept = ChangeRecord::new(change("c1", "ann"));
        let mut newer = change("c1", "bob");
        newer.team = None;
        newer.reverts = Some("c0".into());
        let mut expected = change("c1", "ann");
        expected.merge(newer.clone());
        kept.merge(newer);
        assert_eq!(kept.to_change(), expected);
        assert_eq!(kept.team.as_deref(), Some("core"));
        assert_eq!(kept.reverts.as_deref(), Some("c0"));
    }
}
