//! Failures and rework from reverts (DESIGN.md, change failure rate and rework
//! rate): a counted deployment is failed when a change it first deployed is
//! reverted by a change whose first `T_ok` is at most `revert_window` after the
//! deployment's `T_ok`; a deployment that first deploys a revert is rework.
//!
//! One refinement the definition leaves open, kept here on purpose: the revert
//! must have been made (its commit time) no earlier than the deployment went
//! out, and must reach production in a later deployment. A revert written before
//! the release, or shipped by the same deployment, undid the change before
//! anyone ran it: e.g. a line-specific fix undone when it is merged forward.
//!
//! Incrementally: both sides are found through where each change is counted
//! (`Links::counted`), so a recount of a reverted change or of a revert, or a
//! revert line read or changed, refreshes the deployments on both sides.

use std::sync::Arc;

use crate::model::records::ChangeRecord;
use crate::model::records::{Deployment, Records};
use crate::model::settings::Settings;
use crate::model::{Text, Time};

use super::links::Links;
use super::{Facts, FailReason, ReworkReason};

impl Links {
    /// Registers (or moves) the revert `change` (at `c`) names; the reverted
    /// ids whose first deployment may change its verdict go into `targets`.
    pub(super) fn note_revert(&mut self, c: u32, change: &ChangeRecord, targets: &mut Vec<Text>) {
        let old = self.revert_of.get(&c);
        if old == change.reverts.as_ref() {
            return;
        }
        if let Some(old) = old.cloned() {
            let by = Arc::make_mut(&mut self.reverted_by);
            if let Some(list) = by.get_mut(&old) {
                list.retain(|&x| x != c);
                if list.is_empty() {
                    by.remove(&old);
                }
            }
            Arc::make_mut(&mut self.revert_of).remove(&c);
            targets.push(old);
        }
        if let Some(new) = &change.reverts {
            let list = Arc::make_mut(&mut self.reverted_by)
                .entry(new.clone())
                .or_default();
            if let Err(at) = list.binary_search(&c) {
                list.insert(at, c);
            }
            Arc::make_mut(&mut self.revert_of).insert(c, new.clone());
            targets.push(new.clone());
        }
    }

    /// After change `c` was recounted (from the deployment it was counted at
    /// to the one it is now): when it is a revert or reverted, the
    /// deployments whose verdict it can change go into `refresh`, its target
    /// into `targets`.
    pub(super) fn revert_recounted(
        &self,
        c: u32,
        change: &ChangeRecord,
        moved: [Option<u32>; 2],
        refresh: &mut Vec<u32>,
        targets: &mut Vec<Text>,
    ) {
        if self.revert_of.is_empty() {
            return;
        }
        let target = self.revert_of.get(&c);
        if target.is_none() && !self.reverted_by.contains_key(change.id.as_str()) {
            return;
        }
        refresh.extend(moved.iter().flatten());
        targets.extend(target.cloned());
    }

    /// The deployment that first deployed each change in `ids`.
    pub(super) fn first_deployers(&self, records: &Records, ids: &[Text], out: &mut Vec<u32>) {
        for id in ids {
            if let Some(x) = records.change(id)
                && let Some((_, d)) = self.counted_at(x)
            {
                out.push(d);
            }
        }
    }
}

impl Facts {
    /// Deployment `d`'s failures and rework from reverts.
    pub(super) fn revert_facts(
        &self,
        records: &Records,
        settings: &Settings,
        (dep, d): (&Deployment, u32),
        t_ok: Option<Time>,
        fail: &mut Vec<FailReason>,
    ) -> Option<ReworkReason> {
        let l = &self.links;
        if l.revert_of.is_empty() {
            return None;
        }
        let mut rework = None;
        for x in records.listed_changes(dep).flatten() {
            if !matches!(l.counted_at(x), Some((_, first)) if first == d) {
                continue;
            }
            let change = &records.changes[x];
            if rework.is_none()
                && let Some(target) = l.revert_of.get(&(x as u32))
            {
                rework = Some(ReworkReason::Revert {
                    change: Text::from(change.id.as_str()),
                    reverted: target.clone(),
                });
            }
            let (Some(t_ok), Some(by)) = (t_ok, l.reverted_by.get(change.id.as_str())) else {
                continue;
            };
            for &c in by {
                // Where the revert is counted, at that deployment's `T_ok`.
                let Some((_, d_c)) = l.counted_at(c as usize) else {
                    continue;
                };
                let (Some(t_c), Some(revert)) = (
                    self.deployments.get(d_c as usize).and_then(|f| f.t_ok),
                    records.changes.get(c as usize),
                ) else {
                    continue;
                };
                let after = t_c - t_ok;
                if d_c != d
                    && after >= chrono::TimeDelta::zero()
                    && after <= settings.revert_window
                    && revert.time >= t_ok
                {
                    // Built only for a revert that counts: each id is a copy.
                    let reason = FailReason::Revert {
                        change: Text::from(revert.id.as_str()),
                        reverted: Text::from(change.id.as_str()),
                    };
                    if !fail.contains(&reason) {
                        fail.push(reason);
                    }
                }
            }
        }
        rework
    }
}
