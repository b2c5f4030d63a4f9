//! The bookkeeping behind [`Facts::update`](super::Facts::update): which
//! deployments and incidents each service has, who lists each change, which
//! team each record counts for, and the per-team arrays, all in parts that are
//! cheap to clone (the published snapshot shares them while the store updates).

use std::sync::Arc;

use crate::model::records::Records;
use crate::model::segmented::Segmented;
use crate::model::{Text, Time};

use super::team_index::TeamIndex;

/// Hash maps keyed by names: foldhash (fast, well mixed, fixed seed), not SipHash.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// No slot (a record not derived yet, a change no deployment lists).
pub(super) const NONE: u32 = u32::MAX;

/// A change no successful deployment of a known team counts (see `Links::counted`).
pub(super) const NOT_COUNTED: (u32, u32) = (NONE, NONE);

/// Per service: the incidents' open times in order, and for each prefix the
/// longest-lasting incident so far as (resolved, incident position).
pub(super) type OpenIndex = (Vec<Time>, Vec<(Option<Time>, u32)>);

/// The bookkeeping that lets a batch find what it changes. Every part is cheap
/// to clone (shared chunks or shared vectors), since the published snapshot
/// holds the facts the store goes on updating.
#[derive(Clone, Default)]
pub(super) struct Links {
    pub(super) service_slot: Arc<HashMap<Text, u32>>,
    pub(super) deps_of_service: Vec<Arc<Vec<u32>>>,
    /// By each incident's current service.
    pub(super) incs_of_service: Vec<Arc<Vec<u32>>>,
    pub(super) dep_service: Segmented<u32>,
    pub(super) inc_service: Segmented<u32>,
    /// Each deployment's and incident's team slot; `NONE` until first derived.
    pub(super) dep_team: Segmented<u32>,
    pub(super) inc_team: Segmented<u32>,
    /// Per service: successful deployments as (`T_ok`, position), ordered by
    /// (`T_ok`, id).
    pub(super) ok: Vec<Arc<Vec<(Time, u32)>>>,
    pub(super) open: Vec<Arc<OpenIndex>>,
    /// Incidents by the deployment id they named (any line, ever).
    pub(super) naming: Arc<HashMap<Text, Vec<u32>>>,
    /// Deployment -> incidents attributed to it, ascending.
    pub(super) attributed: Arc<HashMap<u32, Vec<u32>>>,
    /// Per change: the first two deployments listing it (`NONE` for none),
    /// and any others by change. One change in five of a large history has
    /// a second lister and one in thirty a third: a map of lists for every
    /// change with more than one took 7 MB in a 1,000,003-line file, the
    /// pairs take 4.
    pub(super) listers: Segmented<[u32; 2]>,
    pub(super) more_listers: Arc<HashMap<u32, Vec<u32>>>,
    /// Change ids listed by deployments before the change was read.
    pub(super) pending: Pending,
    /// Per change: where it is counted as (team slot, deployment), or
    /// [`NOT_COUNTED`]; read through [`Links::counted_at`]. Its `T_ok` is
    /// the deployment's (kept once, in its facts).
    pub(super) counted: Segmented<(u32, u32)>,
    /// Reverted change id -> the changes that say they revert it, ascending.
    /// Keyed by id: the reverted change may be read after its revert.
    pub(super) reverted_by: Arc<HashMap<Text, Vec<u32>>>,
    /// Revert change -> the id it reverts (to move it when a later line changes it).
    pub(super) revert_of: Arc<HashMap<u32, Text>>,
    pub(super) change_team: Segmented<u32>,
    pub(super) finding_team: Segmented<u32>,
    /// Contract and baseline lines whose teams are counted in `team_refs`
    /// (governance lines are append-only: the ones past these are new).
    pub(super) governance_seen: [usize; 2],
    pub(super) team_slot: Arc<HashMap<Text, u32>>,
    pub(super) team_names: Vec<Text>,
    /// Records (and settings) naming each team; a team with none is not reported.
    pub(super) team_refs: Vec<u32>,
    /// The settings' share of `team_refs` (teams the config names, or maps a
    /// service to): a team with no more than these has no record to grade.
    pub(super) config_refs: Vec<u32>,
    pub(super) team_index: Vec<Arc<TeamIndex>>,
    /// Per deployment id: its first canary `pass` in the canary region.
    pub(super) first_pass: Arc<HashMap<Text, Time>>,
    /// Updates that edited team arrays so far: each edited array takes the
    /// count as its version.
    pub(super) edits: u64,
}

impl Links {
    pub(super) fn service(&mut self, name: &Text) -> u32 {
        if let Some(&s) = self.service_slot.get(name) {
            return s;
        }
        let s = self.deps_of_service.len() as u32;
        Arc::make_mut(&mut self.service_slot).insert(name.clone(), s);
        self.deps_of_service.push(Arc::default());
        self.incs_of_service.push(Arc::default());
        self.ok.push(Arc::default());
        self.open.push(Arc::default());
        s
    }

    pub fn team(&mut self, name: Text) -> u32 {
        if let Some(&t) = self.team_slot.get(&name) {
            return t;
        }
        let t = self.team_names.len() as u32;
        Arc::make_mut(&mut self.team_slot).insert(name.clone(), t);
        self.team_names.push(name);
        self.team_refs.push(0);
        self.team_index.push(Arc::default());
        t
    }

    /// Whether some record (not only the config) names the team in `slot`.
    pub(super) fn has_records(&self, slot: u32) -> bool {
        let s = slot as usize;
        self.team_refs.get(s).copied().unwrap_or(0) > self.config_refs.get(s).copied().unwrap_or(0)
    }

    /// Where change `c` is counted: (team slot, deployment).
    pub(super) fn counted_at(&self, c: usize) -> Option<(u32, u32)> {
        self.counted.get(c).copied().filter(|&x| x != NOT_COUNTED)
    }

    pub(super) fn listers(&self, change: usize) -> impl Iterator<Item = u32> + '_ {
        let two = self.listers.get(change).copied().unwrap_or([NONE; 2]);
        let more = self
            .more_listers
            .get(&(change as u32))
            .into_iter()
            .flatten()
            .copied();
        two.into_iter().take_while(|&d| d != NONE).chain(more)
    }

    pub(super) fn add_lister(&mut self, change: usize, d: u32) {
        let Some(two) = self.listers.get(change) else {
            return;
        };
        if two.contains(&d) {
            return;
        }
        if let Some(free) = two.iter().position(|&x| x == NONE) {
            if let Some(two) = self.listers.get_mut(change) {
                two[free] = d;
            }
            return;
        }
        let more = Arc::make_mut(&mut self.more_listers)
            .entry(change as u32)
            .or_default();
        if !more.contains(&d) {
            more.push(d);
        }
    }
}

/// Change ids listed before their change line was read, and the deployments
/// listing them. In shards: a feed of deployments whose changes never arrive
/// (no git source) keeps adding ids, and a batch copies only the shards it
/// writes to while the published snapshot shares them.
#[derive(Clone, Default)]
pub(super) struct Pending {
    shards: Vec<Arc<HashMap<Text, Vec<u32>>>>,
}

const PENDING_SHARDS: usize = 64;

impl Pending {
    fn shard(id: &str) -> usize {
        use std::hash::BuildHasher;
        (foldhash::fast::FixedState::default().hash_one(id) >> 40) as usize % PENDING_SHARDS
    }

    /// Deployment `d` lists change `id`, not read yet.
    pub(super) fn wait(&mut self, id: &Text, d: u32) {
        if self.shards.is_empty() {
            self.shards = (0..PENDING_SHARDS).map(|_| Arc::default()).collect();
        }
        let shard = &mut self.shards[Self::shard(id)];
        if shard.get(id).is_some_and(|v| v.contains(&d)) {
            return;
        }
        // The deployment's own copy of the id is shared, not copied.
        let shard = Arc::make_mut(shard);
        match shard.get_mut(&**id) {
            Some(waiting) => waiting.push(d),
            None => {
                shard.insert(id.clone(), vec![d]);
            }
        }
    }

    /// The deployments that listed `id` before it was read (and forgets them).
    pub(super) fn take(&mut self, id: &str) -> Vec<u32> {
        let Some(shard) = self.shards.get_mut(Self::shard(id)) else {
            return Vec::new();
        };
        if !shard.contains_key(id) {
            return Vec::new();
        }
        Arc::make_mut(shard).remove(id).unwrap_or_default()
    }
}

/// A team named by one more record and by one fewer (`NONE`: none before).
pub(super) fn move_ref(refs: &mut [u32], old: u32, new: u32) {
    if old == new {
        return;
    }
    if let Some(r) = refs.get_mut(old as usize) {
        *r = r.saturating_sub(1);
    }
    if let Some(r) = refs.get_mut(new as usize) {
        *r += 1;
    }
}

/// A service's incidents sorted by `opened`, with a running maximum of their
/// resolve times: "is any incident opened by T still unresolved at T" is one
/// binary search.
pub(super) fn open_index(records: &Records, incidents: &[u32]) -> OpenIndex {
    let mut list: Vec<(Time, Option<Time>, u32)> = incidents
        .iter()
        .filter_map(|&i| {
            let inc = records.incidents.get(i as usize)?;
            Some((inc.opened, inc.resolved, i))
        })
        .collect();
    list.sort_unstable_by_key(|&(o, _, i)| (o, i));
    let opened: Vec<Time> = list.iter().map(|x| x.0).collect();
    // `None` = never resolved, which outlasts everything.
    let mut best: Option<(Option<Time>, u32)> = None;
    let mut longest = Vec::with_capacity(list.len());
    for &(_, resolved, i) in &list {
        let outlasts = match best {
            None => true,
            Some((b, _)) => match (resolved, b) {
                (None, Some(_)) => true,
                (Some(r), Some(b)) => r > b,
                _ => false,
            },
        };
        if outlasts {
            best = Some((resolved, i));
        }
        longest.extend(best);
    }
    (opened, longest)
}
