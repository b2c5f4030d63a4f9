//! The organisation row (DESIGN.md): the same metrics over every team's
//! records pooled, not a median of team medians. Counts add up team by team;
//! the lead-time and restore medians and the gates are taken over the pooled
//! values of the slices the teams' windows took.

use std::ops::Range;

use super::team_index::TeamIndex;
use super::{FoldMap, LeadStats, Tally, lead_stats};
use crate::metrics::gates::{Gates, ReviewSample};

/// Where one team's window lay in its arrays, and its version: while no
/// team's changes, the pooled medians and gates stay the same.
type SliceKey = (u32, u64, usize, usize, usize, usize);

/// The pooled lead statistics and gates of one window length (and whether it
/// was the previous window), kept with the slices they came from.
#[derive(Debug, Clone, Default)]
pub(super) struct OrgMemo {
    kept: FoldMap<(i64, bool), (Vec<SliceKey>, LeadStats, Gates)>,
}

/// One window's tallies of every team, added up as they are made.
#[derive(Default)]
pub(super) struct Pool<'a> {
    tally: Tally,
    slices: Vec<(&'a TeamIndex, Range<usize>, Range<usize>)>,
    keys: Vec<SliceKey>,
}

impl<'a> Pool<'a> {
    /// Adds a team's tally (before its medians are taken).
    pub fn add(&mut self, slot: u32, index: &'a TeamIndex, t: &Tally) {
        let p = &mut self.tally;
        p.deployed += t.deployed;
        p.failed += t.failed;
        p.rework += t.rework;
        p.open += t.open;
        p.restores.extend_from_slice(&t.restores);
        let (done, counted) = t.slices.clone();
        self.keys.push((
            slot,
            index.version,
            done.start,
            done.end,
            counted.start,
            counted.end,
        ));
        self.slices.push((index, done, counted));
    }

    /// The pooled tally: lead time and gates over every team's slices, read
    /// again only when a slice moved or a team's arrays changed.
    pub fn finish(self, memo: &mut OrgMemo, key: (i64, bool), history: u64) -> Tally {
        let Pool {
            mut tally,
            slices,
            mut keys,
        } = self;
        // The history tells apart facts rebuilt from scratch (versions restart).
        keys.push((u32::MAX, history, 0, 0, 0, 0));
        let (lead, gates) = match memo.kept.get(&key) {
            Some((k, lead, gates)) if *k == keys => (*lead, *gates),
            _ => {
                let counted = || slices.iter().flat_map(|(i, _, c)| &i.counted[c.clone()]);
                let lead = lead_stats(counted());
                let reviews: Vec<ReviewSample> = counted().map(|c| c.review).collect();
                let batches: Vec<_> = slices
                    .iter()
                    .flat_map(|(i, d, _)| i.done_gates.get(d.clone()).unwrap_or_default())
                    .copied()
                    .collect();
                let gates = Gates::of(&reviews, &batches);
                memo.kept.insert(key, (keys, lead, gates));
                (lead, gates)
            }
        };
        tally.lead = lead;
        tally.gates = gates;
        tally
    }
}
