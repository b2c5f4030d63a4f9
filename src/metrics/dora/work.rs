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

/// Lists this long and longer are worked in two halves, one on a second
/// thread: a live batch lists a few records, and a thread would cost more than
/// it saves; a first read lists every deployment.
const IN_TWO_FROM: usize = 20_000;

/// Lists are worked at most this many at a time, so that what is worked out
/// before it is written stays small (a first read's whole lists held at once
/// added 3 MB to `report`'s peak RSS).
const IN_TWO_CHUNK: usize = 1 << 15;

/// `f` of each of `items` ([`map_in_two`]), a chunk of [`IN_TWO_CHUNK`] at a
/// time, each handed in order to `write` with `state` to change: `f` reads
/// `state` while a chunk is worked out, and `write` changes it after.
pub(super) fn work_in_two<S: Sync, I: Copy + Sync, T: Send>(
    state: &mut S,
    items: &[I],
    f: impl Fn(&S, I) -> T + Sync,
    mut write: impl FnMut(&mut S, I, T),
) {
    for chunk in items.chunks(IN_TWO_CHUNK) {
        let read: &S = state;
        let worked = map_in_two(chunk, |x| f(read, x));
        for (&x, t) in chunk.iter().zip(worked) {
            write(state, x, t);
        }
    }
}

/// `f` of each of `items`, in order. A long list is split in two halves, the
/// second on a second thread; `f` reads only, so the result is the same
/// either way.
pub(super) fn map_in_two<I: Copy + Sync, T: Send>(
    items: &[I],
    f: impl Fn(I) -> T + Sync,
) -> Vec<T> {
    let run = |half: &[I]| half.iter().map(|&x| f(x)).collect::<Vec<T>>();
    if items.len() < IN_TWO_FROM {
        return run(items);
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        // A thread the system will not start leaves its half for this one.
        let other = std::thread::Builder::new().spawn_scoped(scope, || run(second));
        let mut out = run(first);
        match other.map(std::thread::ScopedJoinHandle::join) {
            Ok(Ok(rest)) => out.extend(rest),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => out.extend(run(second)),
        }
        out
    })
}
