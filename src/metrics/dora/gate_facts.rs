//! The window-independent half of the gates, kept batch by batch: each
//! deployment's batch size and certification time (the rules are in
//! `metrics::gates`). A batch re-derives the deployments it can change:
//!
//! - a deployment's own lines move its first line in the canary region and its
//!   `T_done`, which decides which of the deployments sharing a change lists it
//!   first: the touched deployment and every other lister of its changes;
//! - a change read for the first time counts in its listers' batches;
//! - a canary `pass` in the canary region certifies the deployment it names
//!   (kept by id: the result may come before the deployment).
//!
//! A team whose deployment's gate facts changed has its arrays' version bumped
//! (as if edited), which is what the window memo keys on.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::TimeDelta;

use crate::metrics::gates;
use crate::model::records::{Records, Touched};
use crate::model::settings::Settings;
use crate::model::{Time, Verdict};

use super::Facts;
use super::links::NONE;
use super::work::work_in_two;

type FoldSet<K> = HashSet<K, foldhash::fast::FixedState>;

/// The gate facts of one deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeploymentGates {
    /// Its listed changes that have a record and that no deployment with an
    /// earlier `T_done` listed (ties: the smaller id first); 0 in flight.
    pub batch: u32,
    /// First canary `pass` in the canary region minus its first production
    /// line there (negative when the clocks disagree).
    pub certification: Option<TimeDelta>,
}

impl Facts {
    /// Brings the gate facts of every deployment the batch can change up to
    /// date; runs after `T_done`, teams and listers are settled. Teams whose
    /// deployments changed are added to `teams`.
    pub(super) fn refresh_gates(
        &mut self,
        records: &Records,
        settings: &Settings,
        touched: &Touched,
        teams: &mut FoldSet<u32>,
    ) {
        (self.gates).grow_to(records.deployments.len(), &DeploymentGates::default());
        let region = gates::canary_region(settings);
        let mut work: Vec<u32> = Vec::new();
        for &k in &touched.canaries {
            let Some(c) = records.canaries.get(k) else {
                continue;
            };
            if c.verdict != Some(Verdict::Pass) || &*c.region != region {
                continue;
            }
            let known = self.links.first_pass.get(&c.deployment).copied();
            if known.is_none_or(|t| c.time < t) {
                Arc::make_mut(&mut self.links.first_pass).insert(c.deployment.clone(), c.time);
            }
            work.extend(records.deployment(&c.deployment).map(|d| d as u32));
        }
        let n = records.deployments.len();
        // Every deployment touched (sorted, each once: 0..n), as in a
        // derivation from scratch: every one is re-derived, and the listers of
        // their changes are among them.
        let all = touched.deployments.len() == n
            && touched.deployments.last() == n.checked_sub(1).as_ref();
        if all {
            work = (0..n as u32).collect();
        } else {
            self.gate_work(records, touched, &mut work);
        }
        super::work::dedup_below(&mut work, n);
        // Worked out on two threads when there are many (a first read), then
        // written in order.
        let gates = |facts: &Self, d| DeploymentGates {
            batch: facts.batch_size(records, d),
            certification: facts.certification(records, settings, region, d),
        };
        work_in_two(self, &work, gates, |facts, d, new| {
            // Written only when it changed: a write copies a shared chunk.
            if facts.gates.get(d as usize) == Some(&new) {
                return;
            }
            if let Some(slot) = facts.gates.get_mut(d as usize) {
                *slot = new;
            }
            let team = facts
                .links
                .dep_team
                .get(d as usize)
                .copied()
                .unwrap_or(NONE);
            if team != NONE {
                teams.insert(team);
            }
        });
    }

    /// The touched deployments and every lister of their changes and of the
    /// touched changes: whose batch sizes the batch can change.
    fn gate_work(&self, records: &Records, touched: &Touched, work: &mut Vec<u32>) {
        for &d in &touched.deployments {
            work.push(d as u32);
            let Some(dep) = records.deployments.get(d) else {
                continue;
            };
            for c in records.listed_changes(dep).flatten() {
                work.extend(self.links.listers(c));
            }
        }
        for &c in &touched.changes {
            work.extend(self.links.listers(c));
        }
    }

    fn batch_size(&self, records: &Records, d: u32) -> u32 {
        let (Some(dep), Some(done)) = (
            records.deployments.get(d as usize),
            self.deployments.get(d as usize).and_then(|f| f.t_done),
        ) else {
            return 0;
        };
        let me = (done, &*dep.id);
        let earlier = |l: u32| -> bool {
            // Itself first: most changes have no other lister to read.
            if l == d {
                return false;
            }
            let (Some(t), Some(other)) = (
                self.deployments.get(l as usize).and_then(|f| f.t_done),
                records.deployments.get(l as usize),
            ) else {
                return false;
            };
            (t, &*other.id) < me
        };
        let mut size = 0;
        for c in records.listed_changes(dep) {
            if let Ok(c) = c
                && !self.links.listers(c).any(earlier)
            {
                size += 1;
            }
        }
        size
    }

    fn certification(
        &self,
        records: &Records,
        settings: &Settings,
        region: &str,
        d: u32,
    ) -> Option<TimeDelta> {
        let dep = records.deployments.get(d as usize)?;
        // No pass, no certification: the lines need not be read (most
        // deployments of a file without canary results).
        if self.links.first_pass.is_empty() {
            return None;
        }
        let pass: Time = self.links.first_pass.get(dep.id.as_str()).copied()?;
        gates::certification(gates::first_in_region(dep, region, settings), Some(pass))
    }
}
