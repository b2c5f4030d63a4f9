//! The records read so far, merged the way DESIGN.md says: deployment lines with
//! one id are the stages of one deployment; incident, finding and change lines
//! with one id merge in arrival order.
//!
//! Records live in vectors with an id index so the metric engine can refer to them
//! by position; arrival order is kept, which keeps every result deterministic.

use std::collections::HashMap;

use crate::model::{CanaryResult, Change, DeploymentEvent, Event, Finding, Incident, Text};

/// One deployment id and all its lines, in arrival order.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub id: Text,
    pub service: Text,
    /// The last team a line named, if any.
    pub team: Option<Text>,
    pub events: Vec<DeploymentEvent>,
    /// Union of the change ids all lines list, first mention first.
    pub changes: Vec<Text>,
    /// Any line marked it a hotfix.
    pub hotfix: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Records {
    pub changes: Vec<Change>,
    pub deployments: Vec<Deployment>,
    pub incidents: Vec<Incident>,
    pub findings: Vec<Finding>,
    pub canaries: Vec<CanaryResult>,
    change_index: HashMap<Text, usize>,
    deployment_index: HashMap<Text, usize>,
    incident_index: HashMap<Text, usize>,
    finding_index: HashMap<Text, usize>,
}

impl Records {
    pub fn from_events(events: impl IntoIterator<Item = Event>) -> Self {
        let mut records = Self::default();
        for e in events {
            records.apply(e);
        }
        records
    }

    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Change(c) => {
                upsert(
                    &mut self.changes,
                    &mut self.change_index,
                    c,
                    |c| &c.id,
                    Change::merge,
                );
            }
            Event::Deployment(d) => {
                let i = match self.deployment_index.get(&d.id) {
                    Some(&i) => i,
                    None => {
                        let i = self.deployments.len();
                        self.deployment_index.insert(d.id.clone(), i);
                        self.deployments.push(Deployment {
                            id: d.id.clone(),
                            service: d.service.clone(),
                            team: None,
                            events: Vec::new(),
                            changes: Vec::new(),
                            hotfix: false,
                        });
                        i
                    }
                };
                let dep = &mut self.deployments[i];
                if d.team.is_some() {
                    dep.team = d.team.clone();
                }
                dep.hotfix |= d.hotfix;
                for c in &d.changes {
                    if !dep.changes.contains(c) {
                        dep.changes.push(c.clone());
                    }
                }
                dep.events.push(d);
            }
            Event::Incident(inc) => {
                upsert(
                    &mut self.incidents,
                    &mut self.incident_index,
                    inc,
                    |i| &i.id,
                    Incident::merge,
                );
            }
            Event::Finding(f) => {
                upsert(
                    &mut self.findings,
                    &mut self.finding_index,
                    f,
                    |f| &f.id,
                    Finding::merge,
                );
            }
            Event::Canary(c) => {
                self.canaries.push(c);
            }
        }
    }

    /// Position of the record with `id`, if any.
    pub fn change(&self, id: &str) -> Option<usize> {
        self.change_index.get(id).copied()
    }

    pub fn incident(&self, id: &str) -> Option<usize> {
        self.incident_index.get(id).copied()
    }

    pub fn finding(&self, id: &str) -> Option<usize> {
        self.finding_index.get(id).copied()
    }

    pub fn deployment(&self, id: &str) -> Option<usize> {
        self.deployment_index.get(id).copied()
    }

    pub fn event_count(&self) -> usize {
        self.changes.len()
            + self
                .deployments
                .iter()
                .map(|d| d.events.len())
                .sum::<usize>()
            + self.incidents.len()
            + self.findings.len()
            + self.canaries.len()
    }
}

/// Merges `item` into the record with the same id, or appends it.
fn upsert<T>(
    items: &mut Vec<T>,
    index: &mut HashMap<Text, usize>,
    item: T,
    id: impl Fn(&T) -> &Text,
    merge: impl FnOnce(&mut T, T),
) {
    match index.get(id(&item)) {
        Some(&i) => merge(&mut items[i], item),
        None => {
            index.insert(id(&item).clone(), items.len());
            items.push(item);
        }
    }
}
