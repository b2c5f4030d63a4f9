//! The records read so far, merged the way DESIGN.md says: deployment lines with
//! one id are the stages of one deployment; incident, finding and change lines
//! with one id merge in arrival order.
//!
//! Records live in append-only [`Segmented`] vectors with an id index so the
//! metric engine can refer to them by position; arrival order is kept, which keeps
//! every result deterministic. Storage and indexes are shared, chunk by chunk, with
//! the snapshots already published: cloning `Records` is cheap, and applying a batch
//! to a clone copies only the chunks it writes to.

use crate::model::contracts::{Baseline, ContractEvent, StandardRelease};
use crate::model::id_index::PositionIndex;
use crate::model::prepared::{Prepared, PreparedLine};
pub use crate::model::record_parts::{ChangeRecord, DeploymentLine, DeploymentNames, LinePlace};
use crate::model::segmented::Segmented;
use crate::model::{CanaryResult, Event, Finding, Id, Incident, Text, Time};

/// One deployment id and all its lines, in arrival order. Its service and
/// team ([`DeploymentNames`]) are shared with the deployments that name the
/// same (read on the same thread), and read as `dep.service` and `dep.team`
/// through `Deref`.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub id: Id,
    names: std::sync::Arc<DeploymentNames>,
    /// Its lines in arrival order. Boxed slices, here and below, not
    /// vectors: a deployment grows by a line or two and is then kept, so
    /// the room a vector keeps for growth (a word each) would only be spent.
    pub events: Box<[DeploymentLine]>,
    /// Union of the changes all lines list, first mention first: by position
    /// once the change is read (see [`Records::listed_changes`]).
    pub changes: Box<[Listed]>,
    /// Any line marked it a hotfix.
    pub hotfix: bool,
}

impl std::ops::Deref for Deployment {
    type Target = DeploymentNames;

    fn deref(&self) -> &DeploymentNames {
        &self.names
    }
}

/// A change a deployment lists: its record's position when the change had been
/// read by the time it was listed (positions never move), else its id.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed {
    At(u32),
    Id(Text),
}

/// The record one event landed in, by kind and position: what the metric engine
/// re-derives after a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touch {
    Change(usize),
    Deployment(usize),
    Incident(usize),
    Finding(usize),
    Canary(usize),
    /// Scorecards read back: no record index changes.
    Remote,
    /// Governance lines (contract steps, standard releases, baselines): kept
    /// in arrival order; the governance rules read them whole at each
    /// recompute, as they depend on the window's end.
    Governance,
}

/// Every record a batch touched, by kind (positions may repeat).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    pub changes: Vec<usize>,
    pub deployments: Vec<usize>,
    pub incidents: Vec<usize>,
    pub findings: Vec<usize>,
    pub canaries: Vec<usize>,
    /// Governance lines arrived (contract steps, standards, baselines).
    pub governance: bool,
}

impl Touched {
    /// Every record of `records`, as for a derivation from scratch.
    pub fn all(records: &Records) -> Self {
        Self {
            changes: (0..records.changes.len()).collect(),
            deployments: (0..records.deployments.len()).collect(),
            incidents: (0..records.incidents.len()).collect(),
            findings: (0..records.findings.len()).collect(),
            canaries: (0..records.canaries.len()).collect(),
            governance: true,
        }
    }

    pub fn note(&mut self, touch: Touch) {
        match touch {
            Touch::Change(i) => self.changes.push(i),
            Touch::Deployment(i) => self.deployments.push(i),
            Touch::Incident(i) => self.incidents.push(i),
            Touch::Finding(i) => self.findings.push(i),
            Touch::Canary(i) => self.canaries.push(i),
            Touch::Remote => {}
            Touch::Governance => self.governance = true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.deployments.is_empty()
            && self.incidents.is_empty()
            && self.findings.is_empty()
            && self.canaries.is_empty()
            && !self.governance
    }

    /// Each position once, in order.
    pub fn dedup(&mut self) {
        for v in [
            &mut self.changes,
            &mut self.deployments,
            &mut self.incidents,
            &mut self.findings,
            &mut self.canaries,
        ] {
            v.sort_unstable();
            v.dedup();
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Records {
    pub changes: Segmented<ChangeRecord>,
    pub deployments: Segmented<Deployment>,
    pub incidents: Segmented<Incident>,
    pub findings: Segmented<Finding>,
    pub canaries: Segmented<CanaryResult>,
    change_index: PositionIndex,
    deployment_index: PositionIndex,
    incident_index: PositionIndex,
    finding_index: PositionIndex,
    /// Deployment lines applied (the merged deployments hold them all).
    deployment_lines: usize,
    /// The earliest time a record was read with (see [`Records::earliest`]).
    first: Option<Time>,
    /// Scorecards read back from exporters, the latest read per origin.
    pub remote: Vec<std::sync::Arc<crate::model::remote::RemoteScorecards>>,
    /// Contract steps, in arrival order.
    pub contracts: Segmented<ContractEvent>,
    /// Releases of the standard account stack, in arrival order.
    pub standards: Segmented<StandardRelease>,
    /// Component versions accounts applied, in arrival order.
    pub baselines: Segmented<Baseline>,
}

impl Records {
    pub fn from_events(events: impl IntoIterator<Item = Event>) -> Self {
        let mut records = Self::default();
        for e in events {
            records.apply(e);
        }
        records
    }

    /// Room in the id indexes for about `changes` more change lines and
    /// `deployment_lines` more deployment lines, so that a large read does not
    /// rehash them as they grow (each rehash reads every id back from its
    /// record). A deployment has a few lines: room for half as many. An
    /// index too small still grows. Small batches reserve nothing, so a live
    /// update never copies a shard for room alone.
    pub fn reserve(&mut self, changes: usize, deployment_lines: usize) {
        const SMALL: usize = 4096;
        if changes >= SMALL {
            let kept = &self.changes;
            self.change_index
                .reserve(changes, |i| kept.get(i).map(|x| x.id.as_bytes()));
        }
        if deployment_lines >= SMALL {
            let kept = &self.deployments;
            self.deployment_index.reserve(deployment_lines / 2, |i| {
                kept.get(i).map(|x| x.id.as_bytes())
            });
        }
    }

    /// The earliest time any record carries (a change's commit time, a
    /// deployment line's, an incident's or a finding's opening): where the
    /// history read begins. `None` before the first record.
    pub fn earliest(&self) -> Option<Time> {
        self.first
    }

    /// Applies one event and says which record it landed in.
    pub fn apply(&mut self, event: Event) -> Touch {
        self.apply_prepared(Prepared::new(event))
    }

    /// Applies one event made ready on the thread that parsed it.
    pub fn apply_prepared(&mut self, event: Prepared) -> Touch {
        self.apply_found(event, &mut std::iter::empty())
    }

    /// [`Records::apply_prepared`], with the positions of a deployment line's
    /// id and of the changes it lists as `found` gives them, in that order
    /// (`None`: not found, or not looked up: looked up here).
    fn apply_found(
        &mut self,
        event: Prepared,
        found: &mut impl Iterator<Item = Option<usize>>,
    ) -> Touch {
        // The earliest time as lines arrive, so that the cockpit can say it on
        // every frame; a later line that moves a record's time later leaves
        // the minimum as read.
        if let Some(t) = event.history_time() {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
        }
        let event = match event {
            Prepared::Change(c) => return self.apply_change(c),
            Prepared::Deployment(d) => return self.apply_deployment(d, found),
            Prepared::Other(e) => *e,
        };
        match event {
            Event::Incident(inc) => Touch::Incident(upsert(
                &mut self.incidents,
                &mut self.incident_index,
                inc,
                |i| &i.id,
                Incident::merge,
            )),
            Event::Finding(f) => Touch::Finding(upsert(
                &mut self.findings,
                &mut self.finding_index,
                f,
                |f| &f.id,
                Finding::merge,
            )),
            Event::Canary(c) => {
                self.canaries.push(c);
                Touch::Canary(self.canaries.len() - 1)
            }
            Event::Scorecards(read) => self.read_back(read),
            e @ (Event::Contract(_) | Event::Standard(_) | Event::Baseline(_)) => {
                self.keep_governance(e)
            }
            // Prepared as records of their own (above).
            Event::Change(c) => self.apply_change(ChangeRecord::new(c)),
            // Not made ready, so not looked up ahead: no positions to take.
            Event::Deployment(d) => {
                self.apply_deployment(PreparedLine::new(d), &mut std::iter::empty())
            }
        }
    }

    /// A change line: a new record, or merged into the one with its id.
    fn apply_change(&mut self, c: ChangeRecord) -> Touch {
        let next = self.changes.len();
        let changes = &self.changes;
        let (i, new) = self.change_index.get_or_insert(c.id.as_bytes(), next, |i| {
            changes.get(i).map(|x| x.id.as_bytes())
        });
        if new {
            self.changes.push(c);
        } else if let Some(kept) = self.changes.get_mut(i) {
            kept.merge(c.to_change());
        }
        Touch::Change(i)
    }

    /// A deployment line: one more line of the deployment with its id.
    fn apply_deployment(
        &mut self,
        d: PreparedLine,
        found: &mut impl Iterator<Item = Option<usize>>,
    ) -> Touch {
        self.deployment_lines += 1;
        let next = self.deployments.len();
        let deployments = &self.deployments;
        // Positions never move: one found earlier is still the id's.
        let (i, new) = match found.next().flatten() {
            Some(i) => (i, false),
            None => self
                .deployment_index
                .get_or_insert(d.id.as_bytes(), next, |i| {
                    deployments.get(i).map(|x| x.id.as_bytes())
                }),
        };
        if new {
            self.deployments.push(Deployment {
                id: d.id,
                names: d.names.clone(),
                events: Box::default(),
                changes: Box::default(),
                hotfix: false,
            });
        }
        let Some(dep) = self.deployments.get_mut(i) else {
            // The positions found for its changes are passed over all the
            // same: the next line's follow them.
            found.take(d.changes.len()).for_each(drop);
            return Touch::Deployment(i);
        };
        // The last team a line named, with the service the deployment first
        // had. The same names again (most lines) change nothing.
        if !std::sync::Arc::ptr_eq(&dep.names, &d.names)
            && let Some(team) = &d.names.team
            && dep.team.as_ref() != Some(team)
        {
            dep.names = if d.names.service == dep.service {
                d.names
            } else {
                DeploymentNames::shared(dep.service.clone(), Some(team.clone()))
            };
        }
        dep.hotfix |= d.hotfix;
        // The line's change list moves into the union: kept once, not per line.
        for c in d.changes {
            let changes = &self.changes;
            let at = found.next().flatten().or_else(|| {
                self.change_index
                    .get(c.as_bytes(), |i| changes.get(i).map(|x| x.id.as_bytes()))
            });
            add_change(dep, c, at);
        }
        push_exact(&mut dep.events, d.line);
        Touch::Deployment(i)
    }

    /// Governance lines are kept as read, in arrival order.
    fn keep_governance(&mut self, event: Event) -> Touch {
        match event {
            Event::Contract(c) => self.contracts.push(c),
            Event::Standard(r) => self.standards.push(r),
            Event::Baseline(b) => self.baselines.push(b),
            _ => {}
        }
        Touch::Governance
    }

    /// Scorecards read back from exporters replace the previous read from the
    /// same origin.
    fn read_back(&mut self, read: std::sync::Arc<crate::model::remote::RemoteScorecards>) -> Touch {
        self.remote.retain(|r| r.origin != read.origin);
        self.remote.push(read);
        Touch::Remote
    }

    /// The team's scorecards as read back from the exporters (the `scorecards`
    /// source), when it has no records here.
    pub fn remote_team(
        &self,
        team: &str,
    ) -> Option<(
        &crate::model::remote::RemoteScorecards,
        &crate::model::remote::RemoteTeam,
    )> {
        self.remote
            .iter()
            .find_map(|r| r.team(team).map(|t| (&**r, t)))
    }

    /// Position of the record with `id`, if any.
    pub fn change(&self, id: &str) -> Option<usize> {
        self.change_index.get(id.as_bytes(), |i| {
            self.changes.get(i).map(|c| c.id.as_bytes())
        })
    }

    /// The changes `dep` lists, in order: each one's record position if it
    /// has been read (kept when listed, else looked up), else its id.
    pub fn listed_changes<'a>(
        &'a self,
        dep: &'a Deployment,
    ) -> impl Iterator<Item = Result<usize, &'a Text>> + 'a {
        dep.changes.iter().map(move |l| match l {
            Listed::At(at) => Ok(*at as usize),
            Listed::Id(id) => self.change(id).ok_or(id),
        })
    }

    /// The ids of the changes `dep` lists, in order.
    pub fn listed_ids<'a>(&'a self, dep: &'a Deployment) -> impl Iterator<Item = &'a str> + 'a {
        dep.changes.iter().filter_map(move |l| match l {
            Listed::At(at) => self.changes.get(*at as usize).map(|c| c.id.as_str()),
            Listed::Id(id) => Some(&**id),
        })
    }

    pub fn incident(&self, id: &str) -> Option<usize> {
        self.incident_index.get(id.as_bytes(), |i| {
            self.incidents.get(i).map(|x| x.id.as_bytes())
        })
    }

    pub fn finding(&self, id: &str) -> Option<usize> {
        self.finding_index.get(id.as_bytes(), |i| {
            self.findings.get(i).map(|x| x.id.as_bytes())
        })
    }

    pub fn deployment(&self, id: &str) -> Option<usize> {
        self.deployment_index.get(id.as_bytes(), |i| {
            self.deployments.get(i).map(|x| x.id.as_bytes())
        })
    }

    pub fn event_count(&self) -> usize {
        self.changes.len()
            + self.deployment_lines
            + self.incidents.len()
            + self.findings.len()
            + self.canaries.len()
            + self.contracts.len()
            + self.standards.len()
            + self.baselines.len()
    }
}

/// Adds change `c` (at position `at` if read) to `dep`'s union, unless it is
/// there already.
fn add_change(dep: &mut Deployment, c: Id, at: Option<usize>) {
    let Some(at) = at else {
        // Not read: only an id kept as such can be it.
        if !dep
            .changes
            .iter()
            .any(|l| matches!(l, Listed::Id(id) if **id == *c))
        {
            push_exact(&mut dep.changes, Listed::Id(Text::from(c.as_str())));
        }
        return;
    };
    let at = at as u32;
    for l in dep.changes.iter_mut() {
        match l {
            Listed::At(kept) if *kept == at => return,
            // Listed before it was read: now it has a position.
            Listed::Id(id) if **id == *c => {
                *l = Listed::At(at);
                return;
            }
            _ => {}
        }
    }
    push_exact(&mut dep.changes, Listed::At(at));
}

/// Most deployments have two or three lines and list one or two changes: a
/// list grown one at a time holds no spare room (a first push would
/// otherwise make room for four).
fn push_exact<T>(list: &mut Box<[T]>, x: T) {
    let mut v = std::mem::take(list).into_vec();
    v.reserve_exact(1);
    v.push(x);
    *list = v.into_boxed_slice();
}

/// Merges `item` into the record with the same id, or appends it; returns its position.
fn upsert<T: Clone>(
    items: &mut Segmented<T>,
    index: &mut PositionIndex,
    item: T,
    id: impl Fn(&T) -> &Text,
    merge: impl FnOnce(&mut T, T),
) -> usize {
    let next = items.len();
    let kept = &*items;
    let (i, new) = index.get_or_insert(id(&item).as_bytes(), next, |i| {
        kept.get(i).map(|x| id(x).as_bytes())
    });
    if new {
        items.push(item);
    } else if let Some(existing) = items.get_mut(i) {
        merge(existing, item);
    }
    i
}

mod look_ahead;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_change_is_two_words() {
        assert_eq!(std::mem::size_of::<Listed>(), 16);
    }

    fn line(changes: &[&str]) -> Event {
        line_of("d1", changes)
    }

    /// A successful production line of deployment `id` listing `changes`.
    pub(super) fn line_of(id: &str, changes: &[&str]) -> Event {
        Event::Deployment(crate::model::DeploymentEvent {
            id: id.into(),
            service: "api".into(),
            time: Time::default(),
            status: crate::model::DeployStatus::Success,
            team: None,
            environment: None,
            region: None,
            stage: None,
            changes: changes.iter().map(|&c| Id::from(c)).collect(),
            hotfix: false,
            url: None,
        })
    }

    /// A change with nothing but its id, service and time.
    pub(super) fn change(id: &str) -> Event {
        Event::Change(crate::model::Change {
            id: id.into(),
            service: "api".into(),
            time: Time::default(),
            team: None,
            title: None,
            author: None,
            url: None,
            opened: None,
            first_review: None,
            merged: None,
            lines: None,
            reverts: None,
        })
    }

    #[test]
    fn listed_changes_are_kept_once_by_position_once_read() {
        let r = Records::from_events([
            change("c0"),
            line(&["c1", "c0", "c2", "c1"]),
            change("c1"),
            line(&["c1", "c3", "c0"]),
            change("c3"),
        ]);
        let d = &r.deployments[0];
        assert_eq!(
            *d.changes,
            [
                Listed::At(1),
                Listed::At(0),
                Listed::Id("c2".into()),
                Listed::Id("c3".into())
            ]
        );
        let ids: Vec<&str> = r.listed_ids(d).collect();
        assert_eq!(ids, ["c1", "c0", "c2", "c3"]);
        // c3 was read after it was listed: found by its id.
        let at: Vec<_> = r.listed_changes(d).map(|l| l.map_err(|t| &**t)).collect();
        assert_eq!(at, [Ok(1), Ok(0), Err("c2"), Ok(2)]);
    }

    #[test]
    fn a_deployment_keeps_the_last_team_a_line_named() {
        let with_team = |team: Option<&str>| match line(&[]) {
            Event::Deployment(mut d) => {
                d.team = team.map(Text::from);
                Event::Deployment(d)
            }
            other => other,
        };
        let mut r = Records::default();
        r.apply(with_team(Some("a")));
        let first = std::sync::Arc::as_ptr(&r.deployments[0].names);
        r.apply(with_team(Some("a")));
        r.apply(with_team(None));
        let d = &r.deployments[0];
        assert_eq!(d.team.as_deref(), Some("a"));
        assert_eq!(
            std::sync::Arc::as_ptr(&d.names),
            first,
            "the same team: untouched"
        );
        r.apply(with_team(Some("b")));
        r.apply(with_team(None));
        assert_eq!(r.deployments[0].team.as_deref(), Some("b"));
        assert_eq!(r.deployments[0].events.len(), 5);
        // A first line with no team, then one with a team.
        let mut r = Records::default();
        r.apply(with_team(None));
        assert_eq!(r.deployments[0].team, None);
        r.apply(with_team(Some("c")));
        assert_eq!(r.deployments[0].team.as_deref(), Some("c"));
    }
}
