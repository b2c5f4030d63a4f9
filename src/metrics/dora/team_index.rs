//! One team's time-ordered arrays: its deployments by `T_done` (with running
//! counts of the failed and rework ones), the changes it counted by `T_ok`
//! (their lead and review times read from the change records), and its
//! incidents. A window is one slice of each,
//! found by binary search, so evaluating a window costs what falls in it and a
//! sliding window costs two searches per array.

use std::ops::Range;

use crate::model::Time;
use crate::model::segmented::Segmented;

use super::{DeploymentFacts, DeploymentGates, Window};
use crate::metrics::gates::{BatchSample, NO_MS, millis};

/// A change counted at a deployment of the team. Its lead and review times
/// are read from the change record when a window is evaluated, not kept here:
/// a window reads a small share of a history's changes, and these entries
/// are one per change ever counted (20 bytes each, where the three spans
/// made them 48).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct CountedEntry {
    pub t_ok: Time,
    pub change: u32,
    pub deployment: u32,
}

impl CountedEntry {
    fn key(&self) -> (Time, u32) {
        (self.t_ok, self.change)
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct TeamIndex {
    /// Changes with every batch that edits the arrays (see `LeadMemo`).
    pub version: u64,
    /// (`T_done`, deployment) of the team's deployments that have a `T_done`, in order.
    pub done: Vec<(Time, u32)>,
    /// `failed[k]`: failed deployments among `done[..k]`; one longer than `done`.
    failed: Vec<u32>,
    /// `rework[k]`: rework deployments among `done[..k]`.
    rework: Vec<u32>,
    /// Batch size, failure and certification of each of `done`, same order:
    /// a window's gates read one dense slice, not the records.
    pub done_gates: Vec<BatchSample>,
    /// The changes counted at the team's deployments, in (`T_ok`, change) order.
    pub counted: Vec<CountedEntry>,
    /// The team's incidents by position, ascending.
    pub incidents: Vec<u32>,
    /// `done` and `counted` times as nanoseconds: dense keys that binary
    /// searches read far faster than the records (see [`key`]).
    done_keys: Vec<i64>,
    counted_keys: Vec<i64>,
}

/// A time as nanoseconds since the epoch; times outside 1677-2262 clamp to the
/// ends, which keeps them outside any window whose own bounds fit (windows
/// whose bounds do not fit are searched by time instead).
fn key(t: Time) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// The window's bounds as keys, when both fit.
fn window_keys(window: Window) -> Option<(i64, i64)> {
    Some((
        window.start.timestamp_nanos_opt()?,
        window.end.timestamp_nanos_opt()?,
    ))
}

/// The positions of `keys` (sorted) in `[start, end)`. `hint` is where the
/// slice was at the last tick: a window slides a little, so the hint usually
/// still holds, and checking it reads two places instead of searching.
fn slice_of(keys: &[i64], (start, end): (i64, i64), hint: Option<Range<usize>>) -> Range<usize> {
    let at = |i: usize, t: i64| {
        (i == 0 || keys.get(i - 1).is_some_and(|&k| k < t)) && keys.get(i).is_none_or(|&k| k >= t)
    };
    if let Some(h) = hint
        && h.end <= keys.len()
        && at(h.start, start)
        && at(h.end, end)
    {
        return h;
    }
    let lo = keys.partition_point(|&k| k < start);
    let hi = keys.partition_point(|&k| k < end);
    lo..hi.max(lo)
}

/// What a batch adds to and removes from one team's arrays.
#[derive(Debug, Default)]
pub(super) struct Edits {
    pub done_out: Vec<(Time, u32)>,
    pub done_in: Vec<(Time, u32)>,
    /// Changes whose entry is removed (and added again through `counted_in`
    /// when still counted here). A change is counted once, at one team, so
    /// its position names its entry.
    pub counted_out: Vec<u32>,
    pub counted_in: Vec<CountedEntry>,
    pub incidents_out: Vec<u32>,
    pub incidents_in: Vec<u32>,
}

impl Edits {
    /// Entries to add or remove.
    fn len(&self) -> usize {
        self.done_out.len()
            + self.done_in.len()
            + self.counted_out.len()
            + self.counted_in.len()
            + self.incidents_out.len()
            + self.incidents_in.len()
    }
}

/// What a team's arrays are completed from: the deployments' facts and gates.
pub(super) type Inputs<'a> = (
    &'a Segmented<DeploymentFacts>,
    &'a Segmented<DeploymentGates>,
);

/// Edits below this many entries are applied on the calling thread: a live
/// batch touches a team or two, and a thread would cost more than it saves.
const PARALLEL_FROM: usize = 50_000;

/// Applies each team's edits. Teams are independent, so a large update (a
/// first read: every team, a million entries, about a third of the whole
/// derivation) is split in two halves of about equal work, one on a second
/// thread. The result is the same either way: each team's arrays are built
/// from its own edits alone.
pub(super) fn apply_all(mut jobs: Vec<(&mut TeamIndex, Edits)>, inputs: Inputs<'_>, version: u64) {
    let total: usize = jobs.iter().map(|(_, e)| e.len()).sum();
    let run = |jobs: Vec<(&mut TeamIndex, Edits)>| {
        for (index, e) in jobs {
            index.apply(e, inputs, version);
        }
    };
    if total < PARALLEL_FROM || jobs.len() < 2 {
        return run(jobs);
    }
    let mut work = 0;
    let split = jobs
        .iter()
        .position(|(_, e)| {
            work += e.len();
            work * 2 >= total
        })
        .map_or(jobs.len() / 2, |i| (i + 1).min(jobs.len() - 1));
    let second = std::sync::Mutex::new(Some(jobs.split_off(split)));
    let take = || {
        let mut slot = second
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.take()
    };
    std::thread::scope(|scope| {
        // A thread the system will not start leaves its half for this one.
        let _ = std::thread::Builder::new().spawn_scoped(scope, || take().map(run));
        run(jobs);
    });
    if let Some(rest) = take() {
        run(rest);
    }
}

impl TeamIndex {
    /// Applies a batch's edits and recounts the failed and rework prefix sums
    /// (a deployment can turn failed without moving).
    pub fn apply(&mut self, mut e: Edits, (deployments, gates): Inputs<'_>, version: u64) {
        self.version = version;
        if !e.done_out.is_empty() {
            e.done_out.sort_unstable();
            self.done.retain(|x| e.done_out.binary_search(x).is_err());
        }
        // Grown by exactly what comes in, here and below: a team's arrays
        // are built once and kept, and doubling would leave a third spare.
        if !e.done_in.is_empty() {
            self.done.reserve_exact(e.done_in.len());
            self.done.extend(e.done_in);
            self.done.sort_unstable();
        }
        if !e.counted_out.is_empty() {
            e.counted_out.sort_unstable();
            self.counted
                .retain(|x| e.counted_out.binary_search(&x.change).is_err());
        }
        if !e.counted_in.is_empty() {
            self.counted.reserve_exact(e.counted_in.len());
            self.counted.extend(e.counted_in);
            self.counted.sort_unstable_by_key(CountedEntry::key);
        }
        if !e.incidents_out.is_empty() {
            e.incidents_out.sort_unstable();
            self.incidents
                .retain(|x| e.incidents_out.binary_search(x).is_err());
        }
        if !e.incidents_in.is_empty() {
            self.incidents.reserve_exact(e.incidents_in.len());
            self.incidents.extend(e.incidents_in);
            self.incidents.sort_unstable();
        }
        self.done_keys = self.done.iter().map(|x| key(x.0)).collect();
        self.counted_keys = self.counted.iter().map(|x| key(x.t_ok)).collect();
        self.failed.clear();
        self.rework.clear();
        self.done_gates.clear();
        // Exact sizes: a team's arrays are built once and kept.
        for v in [&mut self.failed, &mut self.rework] {
            v.reserve_exact(self.done.len() + 1);
        }
        self.done_gates.reserve_exact(self.done.len());
        let (mut failed, mut rework) = (0, 0);
        self.failed.push(0);
        self.rework.push(0);
        for &(_, d) in &self.done {
            let mut sample = BatchSample {
                size: 0,
                failed: false,
                certification: NO_MS,
            };
            if let Some(f) = deployments.get(d as usize) {
                sample.failed = !f.fail_reasons.is_empty();
                failed += u32::from(sample.failed);
                rework += u32::from(f.rework.is_some());
            }
            if let Some(g) = gates.get(d as usize) {
                sample.size = g.batch;
                sample.certification = millis(g.certification);
            }
            self.done_gates.push(sample);
            self.failed.push(failed);
            self.rework.push(rework);
        }
    }

    /// The positions in `done` of the deployments finished in `window`.
    pub fn done_in(&self, window: Window) -> Range<usize> {
        self.done_in_near(window, None)
    }

    /// [`TeamIndex::done_in`], trying `hint` first.
    pub fn done_in_near(&self, window: Window, hint: Option<Range<usize>>) -> Range<usize> {
        if let Some(bounds) = window_keys(window) {
            return slice_of(&self.done_keys, bounds, hint);
        }
        let lo = self.done.partition_point(|x| x.0 < window.start);
        let hi = self.done.partition_point(|x| x.0 < window.end);
        lo..hi.max(lo)
    }

    /// The changes counted at a `T_ok` in `window`.
    pub fn counted_in(&self, window: Window) -> &[CountedEntry] {
        &self.counted[self.counted_range(window)]
    }

    /// The positions in `counted` of the changes counted in `window`.
    pub fn counted_range(&self, window: Window) -> Range<usize> {
        self.counted_range_near(window, None)
    }

    /// [`TeamIndex::counted_range`], trying `hint` first.
    pub fn counted_range_near(&self, window: Window, hint: Option<Range<usize>>) -> Range<usize> {
        if let Some(bounds) = window_keys(window) {
            return slice_of(&self.counted_keys, bounds, hint);
        }
        let lo = self.counted.partition_point(|x| x.t_ok < window.start);
        let hi = self.counted.partition_point(|x| x.t_ok < window.end);
        lo..hi.max(lo)
    }

    /// (deployed, failed, rework) among the deployments at positions `r` of `done`.
    pub fn deployment_counts(&self, r: Range<usize>) -> (u64, u64, u64) {
        let count = |sums: &[u32]| match (sums.get(r.end), sums.get(r.start)) {
            (Some(hi), Some(lo)) => u64::from(hi - lo),
            _ => 0,
        };
        (r.len() as u64, count(&self.failed), count(&self.rework))
    }
}
