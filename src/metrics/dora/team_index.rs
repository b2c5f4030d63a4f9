//! One team's time-ordered arrays: its deployments by `T_done` (with running
//! counts of the failed and rework ones), the changes it counted by `T_ok`
//! (with their lead times), and its incidents. A window is one slice of each,
//! found by binary search, so evaluating a window costs what falls in it and a
//! sliding window costs two searches per array.

use chrono::TimeDelta;

use crate::model::Time;
use crate::model::segmented::Segmented;

use super::{DeploymentFacts, Window};

/// A change counted at a deployment of the team.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct CountedEntry {
    pub t_ok: Time,
    pub change: u32,
    pub deployment: u32,
    /// `T_ok` minus the commit time (negative: the clocks disagree).
    pub lead: TimeDelta,
}

impl CountedEntry {
    fn key(&self) -> (Time, u32) {
        (self.t_ok, self.change)
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct TeamIndex {
    /// (`T_done`, deployment) of the team's deployments that have a `T_done`, in order.
    pub done: Vec<(Time, u32)>,
    /// `failed[k]`: failed deployments among `done[..k]`; one longer than `done`.
    failed: Vec<u32>,
    /// `rework[k]`: rework deployments among `done[..k]`.
    rework: Vec<u32>,
    /// The changes counted at the team's deployments, in (`T_ok`, change) order.
    pub counted: Vec<CountedEntry>,
    /// The team's incidents by position, ascending.
    pub incidents: Vec<u32>,
}

/// What a batch adds to and removes from one team's arrays.
#[derive(Debug, Default)]
pub(super) struct Edits {
    pub done_out: Vec<(Time, u32)>,
    pub done_in: Vec<(Time, u32)>,
    pub counted_out: Vec<(Time, u32)>,
    pub counted_in: Vec<CountedEntry>,
    pub incidents_out: Vec<u32>,
    pub incidents_in: Vec<u32>,
}

impl TeamIndex {
    /// Applies a batch's edits and recounts the failed and rework prefix sums
    /// (a deployment can turn failed without moving).
    pub fn apply(&mut self, mut e: Edits, deployments: &Segmented<DeploymentFacts>) {
        if !e.done_out.is_empty() {
            e.done_out.sort_unstable();
            self.done.retain(|x| e.done_out.binary_search(x).is_err());
        }
        if !e.done_in.is_empty() {
            self.done.extend(e.done_in);
            self.done.sort_unstable();
        }
        if !e.counted_out.is_empty() {
            e.counted_out.sort_unstable();
            self.counted
                .retain(|x| e.counted_out.binary_search(&x.key()).is_err());
        }
        if !e.counted_in.is_empty() {
            self.counted.extend(e.counted_in);
            self.counted.sort_unstable_by_key(CountedEntry::key);
        }
        if !e.incidents_out.is_empty() {
            e.incidents_out.sort_unstable();
            self.incidents
                .retain(|x| e.incidents_out.binary_search(x).is_err());
        }
        if !e.incidents_in.is_empty() {
            self.incidents.extend(e.incidents_in);
            self.incidents.sort_unstable();
        }
        self.failed.clear();
        self.rework.clear();
        let (mut failed, mut rework) = (0, 0);
        self.failed.push(0);
        self.rework.push(0);
        for &(_, d) in &self.done {
            if let Some(f) = deployments.get(d as usize) {
                failed += u32::from(!f.fail_reasons.is_empty());
                rework += u32::from(f.rework.is_some());
            }
            self.failed.push(failed);
            self.rework.push(rework);
        }
    }

    /// The positions in `done` of the deployments finished in `window`.
    pub fn done_in(&self, window: Window) -> std::ops::Range<usize> {
        let lo = self.done.partition_point(|x| x.0 < window.start);
        let hi = self.done.partition_point(|x| x.0 < window.end);
        lo..hi.max(lo)
    }

    /// The changes counted at a `T_ok` in `window`.
    pub fn counted_in(&self, window: Window) -> &[CountedEntry] {
        let lo = self.counted.partition_point(|x| x.t_ok < window.start);
        let hi = self.counted.partition_point(|x| x.t_ok < window.end);
        &self.counted[lo..hi.max(lo)]
    }

    /// (deployed, failed, rework) among the deployments finished in `window`.
    pub fn deployment_counts(&self, window: Window) -> (u64, u64, u64) {
        let r = self.done_in(window);
        let count = |sums: &[u32]| match (sums.get(r.end), sums.get(r.start)) {
            (Some(hi), Some(lo)) => u64::from(hi - lo),
            _ => 0,
        };
        (r.len() as u64, count(&self.failed), count(&self.rework))
    }
}
