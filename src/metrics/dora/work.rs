//! One [`Facts::update`](super::Facts::update)'s work lists: the services,
//! deployments and changes a batch makes it re-derive, and the team edits
//! that come out, each listed once.

use super::team_index::Edits;
use crate::model::Text;

/// Hash maps keyed by names: foldhash (fast, well mixed, fixed seed), not SipHash.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

/// One update's work lists and the team edits it produces.
#[derive(Default)]
pub(super) struct Work {
    /// Services whose successful deployments or incidents changed.
    pub(super) services: Vec<u32>,
    /// Services whose incidents changed (opened, resolved, moved).
    pub(super) incident_services: Vec<u32>,
    pub(super) reattribute: Vec<u32>,
    pub(super) refresh: Vec<u32>,
    pub(super) recount: Vec<u32>,
    pub(super) edits: HashMap<u32, Edits>,
    /// Team slots whose failed/rework counts may have changed.
    pub(super) touched_teams: HashSet<u32>,
    /// Reverted change ids whose first deployment may have changed its verdict.
    pub(super) revert_targets: Vec<Text>,
}

impl Work {
    pub(super) fn edits(&mut self, team: u32) -> &mut Edits {
        self.touched_teams.insert(team);
        self.edits.entry(team).or_default()
    }
}

pub(super) fn dedup(v: &mut Vec<u32>) {
    v.sort_unstable();
    v.dedup();
}

/// Each of `v` (positions below `n`) once, in order: a long list (a derivation
/// from scratch lists every record, some many times) is marked off in one pass
/// instead of sorted.
pub(super) fn dedup_below(v: &mut Vec<u32>, n: usize) {
    if v.len() < n / 8 || v.iter().any(|&x| x as usize >= n) {
        return dedup(v);
    }
    let mut marks = vec![false; n];
    for &x in v.iter() {
        marks[x as usize] = true;
    }
    v.clear();
    v.extend((0..n as u32).filter(|&x| marks[x as usize]));
}
