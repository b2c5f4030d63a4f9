//! The four key metrics and rework rate, exactly as DESIGN.md defines them.
//!
//! Two steps: [`Facts::derive`] computes everything that does not depend on the
//! window (per deployment `T_done` / `T_ok`, incident attribution, which
//! deployment counts each change, rework) into time-ordered arrays per team,
//! then [`Facts::evaluate`] aggregates one window per team from slices of them.
//! The store keeps the facts up to date batch by batch ([`Facts::update`]) and
//! evaluates each window it shows.

mod deployment_facts;
mod detail;
mod gate_facts;
mod governance_teams;
mod incremental;
mod links;
mod organisation;
pub mod remote;
mod reverts;
mod series;
mod tally;
mod team_index;
mod work;

use chrono::TimeDelta;
use serde::Serialize;

use super::tiers::{Benchmarks, Tier};
use crate::model::records::{Deployment, Records};
use crate::model::segmented::Segmented;
use crate::model::settings::Settings;
use crate::model::{DeployStatus, Text, Time};

use crate::metrics::gates::{Gates, Millis, ReviewSample, millis};
pub use crate::metrics::stats::median_ms;
pub use deployment_facts::{DeploymentFacts, Verdicts};
pub use detail::{ChangeRow, DeploymentRow, IncidentRow, TeamDetail};
pub use gate_facts::DeploymentGates;
use tally::{Tally, lead_stats};
use team_index::{CountedEntry, TeamIndex};

/// `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Time,
    pub end: Time,
}

impl Window {
    pub fn ending(end: Time, length: TimeDelta) -> Self {
        Self {
            start: end - length,
            end,
        }
    }

    pub fn length(&self) -> TimeDelta {
        self.end - self.start
    }

    pub fn days(&self) -> f64 {
        self.length().num_milliseconds() as f64 / 86_400_000.0
    }

    /// The window of the same length just before this one.
    pub fn previous(&self) -> Self {
        Self::ending(self.start, self.length())
    }

    pub fn contains(&self, t: Time) -> bool {
        self.start <= t && t < self.end
    }
}

/// Why a counted deployment is failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FailReason {
    /// A production line had this status (in this region, when known).
    Status {
        status: DeployStatus,
        region: Option<Text>,
    },
    /// An incident was attributed to the deployment.
    Incident { id: Text, explicit: bool },
    /// `change` reverts `reverted`, which this deployment first deployed, and
    /// reached production within the revert window after it.
    Revert { change: Text, reverted: Text },
}

/// Why a counted deployment is rework.
#[derive(Debug, Clone, PartialEq)]
pub enum ReworkReason {
    Hotfix,
    /// It first deployed `change`, which reverts `reverted`.
    Revert {
        change: Text,
        reverted: Text,
    },
    /// It finished while this incident of its service was open.
    DuringIncident(Text),
}

/// How an incident got its deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    /// The incident named the deployment.
    Explicit(usize),
    /// The latest deployment of the service that succeeded before it opened.
    Implicit(usize),
}

impl Attribution {
    pub fn deployment(self) -> usize {
        match self {
            Attribution::Explicit(d) | Attribution::Implicit(d) => d,
        }
    }
}

#[derive(Debug, Clone)]
pub struct IncidentFacts {
    pub team: Text,
    pub attribution: Option<Attribution>,
}

/// Everything about the records that does not depend on the window, kept up
/// to date batch by batch ([`Facts::update`]).
#[derive(Clone)]
pub struct Facts {
    /// One per deployment record, same position.
    pub deployments: Segmented<DeploymentFacts>,
    /// One per incident record, same position.
    pub incidents: Segmented<IncidentFacts>,
    /// Every team reported, sorted by name.
    pub teams: Vec<Text>,
    pub unattributed_incidents: u64,
    /// Deployments with no `T_done` yet.
    pub in_flight: usize,
    /// One per deployment record, same position: batch size and certification.
    pub gates: Segmented<DeploymentGates>,
    /// The slot in `links` of each of `teams`.
    sorted_slots: Vec<u32>,
    /// Tells apart facts built by different `Facts::new` (see `LeadMemo`).
    history: u64,
    links: links::Links,
}

impl std::fmt::Debug for Facts {
    /// What the facts say, not how they are kept: equal facts print the same
    /// whatever the batches that built them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let by_team: Vec<(&Text, &TeamIndex)> = self.teams.iter().zip(self.indexes()).collect();
        f.debug_struct("Facts")
            .field("deployments", &self.deployments.iter().collect::<Vec<_>>())
            .field("incidents", &self.incidents.iter().collect::<Vec<_>>())
            .field("teams", &self.teams)
            .field("unattributed_incidents", &self.unattributed_incidents)
            .field("in_flight", &self.in_flight)
            .field("gates", &self.gates.iter().collect::<Vec<_>>())
            .field(
                "by_team",
                &by_team
                    .iter()
                    .map(|(t, i)| (t, &i.done, &i.counted, &i.incidents))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Lead-time statistics of slices of the teams' counted changes, kept between
/// evaluations: a clock tick slides the windows a little, and most teams' slices
/// stay the same. A slice is known by its team, the version of the team's arrays
/// and its bounds; versions count within one history of updates (one
/// `Facts::new` and the updates after it, clones included), so the history is
/// part of the key too. Lead and review times are read from the change
/// records: a change whose record changes is recounted, which gives its team
/// a new version (see `Facts::recount`).
#[derive(Debug, Clone, Default)]
pub struct LeadMemo {
    /// By (history of the facts, team slot, version of its arrays, bounds).
    kept: FoldMap<LeadKey, LeadStats>,
    /// Where each team's slices were at the last evaluation of a window of this
    /// length (and whether it was the previous window): (done, counted).
    hints: FoldMap<HintKey, Slices>,
    /// The gates of a team's slices, by the lead key and the `done` bounds.
    gates: FoldMap<(LeadKey, usize, usize), Gates>,
    /// Each team's leads in a window (by the hint key), sorted, with the lead
    /// key they were read at: the organisation row pools these.
    sorted: FoldMap<HintKey, (LeadKey, std::sync::Arc<[i64]>)>,
    /// The organisation row's pooled leads.
    org: organisation::OrgMemo,
}

/// (team slot, window length in nanoseconds, whether it is the previous window).
type HintKey = (u32, i64, bool);

/// (history of the facts, team slot, version of its arrays, `counted` bounds).
type LeadKey = (u64, u32, u64, usize, usize);

/// Positions in a team's `done` and `counted` arrays.
type Slices = (std::ops::Range<usize>, std::ops::Range<usize>);

type FoldMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// At most this many slices are kept (a few windows of every team of a large
/// organisation); past it the memo starts afresh.
const LEAD_MEMO_MAX: usize = 16_384;

#[derive(Debug, Clone, Copy, Default)]
struct LeadStats {
    median_ms: Option<f64>,
    changes: u64,
    skewed: u64,
}

impl Facts {
    /// Scorecards for every team over `window` and the window before it.
    pub fn evaluate(&self, records: &Records, window: Window, bench: &Benchmarks) -> Scorecards {
        self.evaluate_memo(records, window, bench, &mut LeadMemo::default())
    }

    /// Like [`Facts::evaluate`], reusing (and keeping) lead-time statistics of
    /// slices it evaluated before.
    pub fn evaluate_memo(
        &self,
        records: &Records,
        window: Window,
        bench: &Benchmarks,
        memo: &mut LeadMemo,
    ) -> Scorecards {
        if memo.kept.len() > LEAD_MEMO_MAX {
            memo.kept.clear();
        }
        if memo.hints.len() > LEAD_MEMO_MAX {
            memo.hints.clear();
        }
        if memo.gates.len() > LEAD_MEMO_MAX {
            memo.gates.clear();
        }
        if memo.sorted.len() > LEAD_MEMO_MAX {
            memo.sorted.clear();
        }
        let days = window.days();
        let mut pools = [organisation::Pool::default(), organisation::Pool::default()];
        let mut graded_any = false;
        let teams = self
            .teams
            .iter()
            .zip(&self.sorted_slots)
            .map(|(team, &slot)| {
                let index = &*self.links.team_index[slot as usize];
                let graded = self.links.has_records(slot);
                graded_any |= graded;
                let current = tally(self, records, index, window, (slot, false), memo);
                pools[0].add(slot, &current);
                let previous = tally(self, records, index, window.previous(), (slot, true), memo);
                pools[1].add(slot, &previous);
                let current = current.metrics(days, bench, graded);
                TeamScorecard {
                    team: team.clone(),
                    tier: current.team_tier(),
                    current,
                    previous: previous.metrics(days, bench, graded),
                }
            })
            .collect();
        let length = window.length().num_nanoseconds().unwrap_or(i64::MAX);
        let [now, before] = pools;
        let mut pooled = |pool: organisation::Pool, previous| {
            pool.finish(&mut memo.org, (length, previous), self.history)
                .metrics(days, bench, graded_any)
        };
        let current = pooled(now, false);
        let organisation = TeamScorecard {
            team: Text::from(ORGANISATION),
            tier: current.team_tier(),
            current,
            previous: pooled(before, true),
        };
        let mut cards = Scorecards {
            window,
            benchmark: bench.clone(),
            teams,
            organisation: Some(organisation),
            unattributed_incidents: self.unattributed_incidents,
        };
        // Teams read back from exporters (the `scorecards` source).
        crate::metrics::dora::remote::overlay(&mut cards, &records.remote);
        cards
    }

    /// Each of `teams`' arrays, in the same order.
    fn indexes(&self) -> impl Iterator<Item = &TeamIndex> {
        self.sorted_slots
            .iter()
            .map(|&s| &*self.links.team_index[s as usize])
    }
}

/// One team's counts in `window` from its arrays (`slot` names the team in `memo`).
fn tally(
    facts: &Facts,
    records: &Records,
    index: &TeamIndex,
    window: Window,
    (slot, previous): (u32, bool),
    memo: &mut LeadMemo,
) -> Tally {
    let history = facts.history;
    // Hints are positions: any version of the arrays may take them, as they
    // are checked before use.
    let hint_key = (
        slot,
        window.length().num_nanoseconds().unwrap_or(i64::MAX),
        previous,
    );
    let (done_hint, counted_hint) = memo.hints.get(&hint_key).cloned().unzip();
    let done = index.done_in_near(window, done_hint);
    let range = index.counted_range_near(window, counted_hint);
    memo.hints.insert(hint_key, (done.clone(), range.clone()));
    let (deployed, failed, rework) = index.deployment_counts(done.clone());
    let key = (history, slot, index.version, range.start, range.end);
    let gates_key = (key, done.start, done.end);
    let sorted_kept = matches!(memo.sorted.get(&hint_key), Some((k, _)) if *k == key);
    // The slice's lead and review times are read from the change records
    // once, for whichever of the memos below does not have the slice.
    let all_kept =
        sorted_kept && memo.kept.contains_key(&key) && memo.gates.contains_key(&gates_key);
    let times = if all_kept {
        SliceTimes::default()
    } else {
        SliceTimes::read(&index.counted[range], &records.changes)
    };
    let gates = *memo.gates.entry(gates_key).or_insert_with(|| {
        Gates::of(
            &times.reviews,
            index.done_gates.get(done.clone()).unwrap_or_default(),
        )
    });
    let lead = *memo
        .kept
        .entry(key)
        .or_insert_with(|| lead_stats(&times.leads));
    // The team's leads sorted, for the organisation row: read again only when
    // the slice or the team's arrays changed, and kept as the same array when
    // they read the same (so the organisation sees that nothing moved).
    let sorted_leads = match memo.sorted.get(&hint_key) {
        Some((k, v)) if *k == key => v.clone(),
        was => {
            let mut now: Vec<i64> = times.leads.iter().copied().filter(|&l| l >= 0).collect();
            now.sort_unstable();
            let v = match was {
                Some((_, v)) if **v == *now => v.clone(),
                _ => std::sync::Arc::from(now),
            };
            memo.sorted.insert(hint_key, (key, v.clone()));
            v
        }
    };
    let mut t = Tally {
        deployed,
        failed,
        rework,
        lead,
        gates,
        sorted_leads,
        ..Tally::default()
    };
    for &i in &index.incidents {
        let Some(inc) = records.incidents.get(i as usize) else {
            continue;
        };
        if let Some(r) = inc.resolved.filter(|&r| window.contains(r)) {
            // A resolve time before the open time is bad data; it is left out.
            let d = (r - inc.opened).num_milliseconds();
            if d >= 0 {
                t.restores.push(d);
            }
        }
        if is_open_at(inc.opened, inc.resolved, window.end) {
            t.open += 1;
        }
    }
    t
}

/// The lead and review times of a slice of a team's counted changes, read
/// from their records in one pass (each record read is a cache miss on a
/// large history; the slice's three statistics share them).
#[derive(Default)]
struct SliceTimes {
    leads: Vec<Millis>,
    reviews: Vec<ReviewSample>,
}

impl SliceTimes {
    fn read(
        counted: &[CountedEntry],
        changes: &Segmented<crate::model::records::ChangeRecord>,
    ) -> Self {
        let mut t = Self {
            leads: Vec::with_capacity(counted.len()),
            reviews: Vec::with_capacity(counted.len()),
        };
        for c in counted {
            if let Some(change) = changes.get(c.change as usize) {
                t.leads.push(millis(Some(c.t_ok - change.time)));
                t.reviews.push(ReviewSample::of(change));
            }
        }
        t
    }
}

/// DESIGN.md: opened before the end and not resolved before it.
pub fn is_open_at(opened: Time, resolved: Option<Time>, end: Time) -> bool {
    opened < end && resolved.is_none_or(|r| r >= end)
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frequency {
    pub deployments: u64,
    pub per_day: f64,
    /// `None`: the team has no record at all (no data, not low).
    pub tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    pub median_seconds: Option<f64>,
    pub changes: u64,
    pub skewed: u64,
    pub tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeFailureRate {
    pub failed: u64,
    pub deployments: u64,
    pub rate: Option<f64>,
    pub tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeToRestore {
    pub median_seconds: Option<f64>,
    pub incidents: u64,
    pub open: u64,
    pub tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReworkRate {
    pub rework: u64,
    pub deployments: u64,
    pub rate: Option<f64>,
    /// `None` also where the benchmark set does not grade rework rate.
    pub tier: Option<Tier>,
}

/// One team's metrics over one window; field names are the JSON report's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamMetrics {
    pub deployment_frequency: Frequency,
    pub lead_time: LeadTime,
    pub change_failure_rate: ChangeFailureRate,
    pub time_to_restore: TimeToRestore,
    pub rework_rate: ReworkRate,
    /// Review, certification and batch size (DESIGN.md "The gates").
    pub gates: Gates,
}

impl TeamMetrics {
    /// The weakest tier among the metrics the benchmark set grades that have
    /// data: the four key metrics, and rework rate where the set grades it.
    /// Deployment frequency has one for every team with a record (no
    /// deployments is low); a team with no record at all has no tier.
    pub fn team_tier(&self) -> Option<Tier> {
        self.throughput_tier()
            .into_iter()
            .chain(self.instability_tier())
            .min()
    }

    /// The 2025 framing's throughput: lead time, deployment frequency and
    /// failed deployment recovery time (time to restore), the weakest.
    pub fn throughput_tier(&self) -> Option<Tier> {
        [
            self.deployment_frequency.tier,
            self.lead_time.tier,
            self.time_to_restore.tier,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The 2025 framing's instability: change failure rate and rework rate
    /// (where graded), the weakest.
    pub fn instability_tier(&self) -> Option<Tier> {
        [self.change_failure_rate.tier, self.rework_rate.tier]
            .into_iter()
            .flatten()
            .min()
    }

    /// The four key tiers in display order; `None` = no data.
    pub fn key_tiers(&self) -> [Option<Tier>; 4] {
        [
            self.deployment_frequency.tier,
            self.lead_time.tier,
            self.change_failure_rate.tier,
            self.time_to_restore.tier,
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamScorecard {
    pub team: Text,
    pub current: TeamMetrics,
    pub previous: TeamMetrics,
    pub tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scorecards {
    pub window: Window,
    /// The set the tiers come from.
    pub benchmark: Benchmarks,
    /// Sorted by team name.
    pub teams: Vec<TeamScorecard>,
    /// Every team's records pooled (DESIGN.md's organisation row); `None`
    /// where teams were read back from exporters, whose records are not here.
    pub organisation: Option<TeamScorecard>,
    /// Over all incidents read, whatever the window.
    pub unattributed_incidents: u64,
}

/// The organisation row's name.
pub const ORGANISATION: &str = "organisation";

/// Derive and evaluate in one call (reports and tests).
pub fn scorecards(
    records: &Records,
    settings: &Settings,
    window: Window,
    bench: &Benchmarks,
) -> Scorecards {
    Facts::derive(records, settings).evaluate(records, window, bench)
}

/// `T_done` and `T_ok`: the earliest terminal and the earliest successful
/// production line.
pub(super) fn done_and_ok(dep: &Deployment, settings: &Settings) -> (Option<Time>, Option<Time>) {
    let mut t_done: Option<Time> = None;
    let mut t_ok: Option<Time> = None;
    for e in &dep.events {
        if !settings.is_production(e.environment.as_deref()) {
            continue;
        }
        if e.status.is_terminal() {
            t_done = Some(t_done.map_or(e.time, |t| t.min(e.time)));
        }
        if e.status == DeployStatus::Success {
            t_ok = Some(t_ok.map_or(e.time, |t| t.min(e.time)));
        }
    }
    (t_done, t_ok)
}
