//! Which deployments can have a lane, kept up to date batch by batch so that a
//! clock tick builds the few lanes on screen instead of replaying every
//! deployment ever read.
//!
//! A lane is listed while in flight or finished within [`RECENT`]. A deployment
//! qualifies only if one of its production lines is recent, or its lines leave
//! a stage running (progressing, verifying, paused): stages that only wait for
//! regions the rollout never reached end with its last line (see `build::lane`).
//! Both are known from the deployment's own lines, so the index changes only
//! with the deployments a batch touches. The production regions seen are kept
//! here too, in the order a full pass over the records would find them.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::model::records::{Deployment, Records};
use crate::model::settings::Settings;
use crate::model::stage::StageState;
use crate::model::{Text, Time};

use super::{Lane, RECENT};

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

#[derive(Debug, Clone, Default)]
pub struct LaneIndex {
    /// (latest production line, deployment) of every deployment with one.
    by_last: BTreeSet<(Time, u32)>,
    /// Each deployment's key in `by_last`.
    last: HashMap<u32, Time>,
    /// Deployments whose lines leave a stage running.
    running: BTreeSet<u32>,
    /// Production regions no setting names, by where a pass in record order
    /// first meets them: (deployment, line).
    regions: HashMap<Text, (u32, u32)>,
    /// Deployments read so far.
    known: usize,
    pub(super) cache: LaneCache,
}

/// The lanes built at earlier ticks, each with the span of time over which it
/// stays as it is while no record changes.
#[derive(Debug, Clone, Default)]
pub(super) struct LaneCache {
    /// The region columns the lanes were built for.
    regions: Vec<Text>,
    /// Deployment -> (its lane, valid from, valid until (exclusive)).
    lanes: HashMap<u32, (Option<Arc<Lane>>, Time, Time)>,
}

impl LaneCache {
    /// Drops every lane unless they were built for these regions.
    pub fn keep_for(&mut self, regions: &[Text]) {
        if self.regions != regions {
            self.lanes.clear();
            self.regions = regions.to_vec();
        }
    }

    /// The kept lane of deployment `d` if it is still valid at `now`.
    pub fn get(&self, d: usize, now: Time) -> Option<Option<Arc<Lane>>> {
        let (lane, from, until) = self.lanes.get(&(d as u32))?;
        (*from <= now && now < *until).then(|| lane.clone())
    }

    /// Drops the lanes of deployments not in `candidates` (sorted).
    pub fn keep_only(&mut self, candidates: &[usize]) {
        self.lanes
            .retain(|&d, _| candidates.binary_search(&(d as usize)).is_ok());
    }

    pub fn keep(&mut self, d: usize, lane: Option<Arc<Lane>>, from: Time, until: Time) {
        self.lanes.insert(d as u32, (lane, from, until));
    }
}

impl LaneIndex {
    pub fn build(records: &Records, settings: &Settings) -> Self {
        let mut index = Self::default();
        index.update(records, settings, 0..records.deployments.len());
        index
    }

    /// Re-reads the deployments at `touched` (new or with new lines).
    pub fn update(
        &mut self,
        records: &Records,
        settings: &Settings,
        touched: impl IntoIterator<Item = usize>,
    ) {
        for d in touched {
            let Some(dep) = records.deployments.get(d) else {
                continue;
            };
            let d32 = d as u32;
            let mut last: Option<Time> = None;
            for (k, e) in dep.events.iter().enumerate() {
                if !settings.is_production(e.environment.as_deref()) {
                    continue;
                }
                last = Some(last.map_or(e.time, |t| t.max(e.time)));
                if let Some(r) = &e.region
                    && !settings.regions.contains(r)
                {
                    let at = (d32, k as u32);
                    let first = self.regions.entry(r.clone()).or_insert(at);
                    *first = (*first).min(at);
                }
            }
            if let Some(old) = self.last.remove(&d32) {
                self.by_last.remove(&(old, d32));
            }
            if let Some(t) = last {
                self.last.insert(d32, t);
                self.by_last.insert((t, d32));
            }
            if leaves_a_stage_running(dep, settings) {
                self.running.insert(d32);
            } else {
                self.running.remove(&d32);
            }
            self.cache.lanes.remove(&d32);
            // A canary result read before its deployment joins the service's
            // error-rate series only now, which every lane of the service shows.
            if d >= self.known && !records.canaries.is_empty() {
                self.forget_lanes();
            }
        }
        self.known = self.known.max(records.deployments.len());
    }

    /// Drops every kept lane: incidents, findings or canary results changed,
    /// which lanes of any deployment may read.
    pub fn forget_lanes(&mut self) {
        self.cache.lanes.clear();
    }

    /// The configured regions, then the other production regions in the order
    /// the records first name them.
    pub fn regions(&self, settings: &Settings) -> Vec<Text> {
        let mut others: Vec<(&(u32, u32), &Text)> =
            self.regions.iter().map(|(r, at)| (at, r)).collect();
        others.sort_unstable();
        let mut regions = settings.regions.clone();
        regions.extend(others.into_iter().map(|(_, r)| r.clone()));
        regions
    }

    /// Makes every one of the first `n` deployments a candidate at any time
    /// (the reference the index is tested against).
    pub fn consider_every_deployment(&mut self, n: usize) {
        self.running.extend(0..n as u32);
    }

    /// Deployments that may have a lane at `now`, in record order.
    pub fn candidates(&self, now: Time) -> Vec<usize> {
        let recent = self
            .by_last
            .range((now - RECENT, 0)..)
            .map(|&(_, d)| d as usize);
        let mut out: Vec<usize> = recent
            .chain(self.running.iter().map(|&d| d as usize))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Whether the deployment's production lines, in order, leave some region
/// progressing, verifying or paused and none failed. Regions are told apart
/// by name; lines naming none move every region of a deployment that never
/// names one (as the lanes do).
fn leaves_a_stage_running(dep: &Deployment, settings: &Settings) -> bool {
    let prod: Vec<_> = dep
        .events
        .iter()
        .filter(|e| settings.is_production(e.environment.as_deref()))
        .collect();
    let regional = prod.iter().any(|e| e.region.is_some());
    let mut state: HashMap<Option<&str>, StageState> = HashMap::default();
    for e in &prod {
        if regional && e.region.is_none() {
            continue;
        }
        let note = crate::model::stage::parse_stage(e.stage.as_deref());
        // The canary region and a passed analysis only tell running states
        // (and good ones) apart, never running from ended.
        let s = super::build::stage_state(e.status, &note, false, false);
        state.insert(e.region.as_deref(), s);
    }
    let bad = state.values().any(|s| s.is_bad());
    !bad && state.values().any(|s| is_running(*s))
}

pub(super) fn is_running(s: StageState) -> bool {
    matches!(
        s,
        StageState::Progressing | StageState::Verifying | StageState::Paused
    )
}
