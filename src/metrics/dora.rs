//! The four key metrics and rework rate, exactly as DESIGN.md defines them.
//!
//! Two steps: [`Facts::derive`] computes everything that does not depend on the
//! window (per deployment `T_done` / `T_ok`, incident attribution, which
//! deployment counts each change, rework), then [`Facts::evaluate`] aggregates
//! one window per team. The store derives once per data change and evaluates
//! each window it shows.

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;
use serde::Serialize;

use super::tiers::{Benchmarks, Tier};
use crate::model::records::Records;
use crate::model::settings::Settings;
use crate::model::{DeployStatus, Text, Time};

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
}

/// Why a counted deployment is rework.
#[derive(Debug, Clone, PartialEq)]
pub enum ReworkReason {
    Hotfix,
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

/// Window-independent facts about one deployment id.
#[derive(Debug, Clone)]
pub struct DeploymentFacts {
    pub team: Text,
    pub t_done: Option<Time>,
    pub t_ok: Option<Time>,
    pub fail_reasons: Vec<FailReason>,
    pub rework: Option<ReworkReason>,
}

/// A change counted at its first successful deployment.
#[derive(Debug, Clone, Copy)]
pub struct CountedChange {
    pub change: usize,
    pub deployment: usize,
    pub t_ok: Time,
}

#[derive(Debug, Clone)]
pub struct IncidentFacts {
    pub team: Text,
    pub attribution: Option<Attribution>,
}

/// Everything about the records that does not depend on the window.
#[derive(Debug, Clone)]
pub struct Facts {
    pub deployments: Vec<DeploymentFacts>,
    pub incidents: Vec<IncidentFacts>,
    /// Each change at most once, at the deployment with the earliest `T_ok` listing it.
    pub counted_changes: Vec<CountedChange>,
    /// Every team reported, sorted by name.
    pub teams: Vec<Text>,
    pub unattributed_incidents: u64,
}

impl Facts {
    pub fn derive(records: &Records, settings: &Settings) -> Self {
        // Team names are interned: every fact holds the one shared `Text` of its team,
        // so later passes (and `evaluate`) read a few hundred strings that stay in
        // cache instead of one scattered allocation per record.
        let mut teams = Interner::default();
        for t in settings.teams.iter().chain(settings.service_teams.values()) {
            teams.intern(t.clone());
        }

        // Services get a dense number, so that per-service lists are vectors indexed
        // by it and the later passes never hash a service name again.
        let mut service_slot: HashMap<&str, usize> = HashMap::new();
        let mut deployment_service: Vec<usize> = Vec::with_capacity(records.deployments.len());

        let mut deployments: Vec<DeploymentFacts> = records
            .deployments
            .iter()
            .map(|d| {
                let mut t_done: Option<Time> = None;
                let mut t_ok: Option<Time> = None;
                let mut fail_reasons = Vec::new();
                for e in &d.events {
                    if !settings.is_production(e.environment.as_deref()) {
                        continue;
                    }
                    if e.status.is_terminal() {
                        t_done = Some(t_done.map_or(e.time, |t| t.min(e.time)));
                    }
                    if e.status == DeployStatus::Success {
                        t_ok = Some(t_ok.map_or(e.time, |t| t.min(e.time)));
                    }
                    if e.status.is_failed() {
                        fail_reasons.push(FailReason::Status {
                            status: e.status,
                            region: e.region.clone(),
                        });
                    }
                }
                let next = service_slot.len();
                deployment_service.push(*service_slot.entry(&d.service).or_insert(next));
                DeploymentFacts {
                    team: teams.intern(settings.team_for(d.team.as_ref(), Some(&d.service))),
                    t_done,
                    t_ok,
                    fail_reasons,
                    rework: d.hotfix.then_some(ReworkReason::Hotfix),
                }
            })
            .collect();
        for c in &records.changes {
            teams.intern(settings.team_for(c.team.as_ref(), Some(&c.service)));
        }
        for f in &records.findings {
            teams.intern(settings.team_for(f.team.as_ref(), f.service.as_ref()));
        }

        // Successful deployments per service, ordered by (T_ok, id): the last one at
        // or before an incident is the implicit candidate, ties going to the larger id.
        let mut ok_by_service: Vec<Vec<(Time, &str, usize)>> = vec![Vec::new(); service_slot.len()];
        for (i, (d, f)) in records.deployments.iter().zip(&deployments).enumerate() {
            if let Some(t) = f.t_ok {
                ok_by_service[deployment_service[i]].push((t, &d.id, i));
            }
        }
        for list in &mut ok_by_service {
            list.sort_unstable();
        }

        // An incident's service slot; `None`: no deployment of that service was read.
        let incident_service: Vec<Option<usize>> = records
            .incidents
            .iter()
            .map(|inc| service_slot.get(&*inc.service).copied())
            .collect();

        let mut unattributed = 0;
        let incidents: Vec<IncidentFacts> = records
            .incidents
            .iter()
            .zip(&incident_service)
            .map(|(inc, &service)| {
                let explicit = inc
                    .deployment
                    .as_deref()
                    .and_then(|id| records.deployment(id))
                    .map(Attribution::Explicit);
                let attribution = explicit.or_else(|| {
                    let list = &ok_by_service[service?];
                    let after = list.partition_point(|(t, _, _)| *t <= inc.opened);
                    let &(t_ok, _, d) = list.get(after.checked_sub(1)?)?;
                    (inc.opened - t_ok <= settings.incident_link_window)
                        .then_some(Attribution::Implicit(d))
                });
                if attribution.is_none() {
                    unattributed += 1;
                }
                IncidentFacts {
                    team: teams.intern(settings.team_for(inc.team.as_ref(), Some(&inc.service))),
                    attribution,
                }
            })
            .collect();

        for (inc, facts) in records.incidents.iter().zip(&incidents) {
            if let Some(a) = facts.attribution {
                deployments[a.deployment()]
                    .fail_reasons
                    .push(FailReason::Incident {
                        id: inc.id.clone(),
                        explicit: matches!(a, Attribution::Explicit(_)),
                    });
            }
        }

        // Rework: finished while an incident of the same service was open. Per service,
        // incidents sorted by `opened` with a running maximum of their resolve times
        // answer "is any incident opened by T still unresolved at T" in O(log n).
        // Incidents of a service with no deployment cannot make anything rework.
        let mut open_by_service: Vec<Vec<IncidentSpan>> = vec![Vec::new(); service_slot.len()];
        for (i, (inc, service)) in records.incidents.iter().zip(&incident_service).enumerate() {
            if let Some(s) = *service {
                open_by_service[s].push((inc.opened, inc.resolved, i));
            }
        }
        let open_index: Vec<OpenIndex> = open_by_service
            .into_iter()
            .map(|mut list| {
                list.sort_unstable_by_key(|&(o, _, i)| (o, i));
                let opened: Vec<Time> = list.iter().map(|x| x.0).collect();
                // `None` = never resolved, which outlasts everything.
                let mut best: Option<(Option<Time>, usize)> = None;
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
            })
            .collect();
        for (f, &service) in deployments.iter_mut().zip(&deployment_service) {
            let (Some(done), None) = (f.t_done, &f.rework) else {
                continue;
            };
            let (opened, longest) = &open_index[service];
            let n = opened.partition_point(|&o| o <= done);
            if n > 0 {
                let (resolved, i) = longest[n - 1];
                if resolved.is_none_or(|r| r > done) {
                    f.rework = Some(ReworkReason::DuringIncident(
                        records.incidents[i].id.clone(),
                    ));
                }
            }
        }

        // Each change once, at the deployment with the earliest T_ok listing it;
        // ties go to the larger deployment id, as in incident attribution. Indexed by
        // change, so the result comes out in change order.
        let mut first: Vec<Option<(Time, &str, usize)>> = vec![None; records.changes.len()];
        for (i, (d, f)) in records.deployments.iter().zip(&deployments).enumerate() {
            let Some(t_ok) = f.t_ok else { continue };
            for id in &d.changes {
                let Some(c) = records.change(id) else {
                    continue;
                };
                let candidate = (t_ok, &*d.id, i);
                match &mut first[c] {
                    Some(cur) => {
                        if (candidate.0, std::cmp::Reverse(candidate.1))
                            < (cur.0, std::cmp::Reverse(cur.1))
                        {
                            *cur = candidate;
                        }
                    }
                    slot @ None => *slot = Some(candidate),
                }
            }
        }
        let counted_changes: Vec<CountedChange> = first
            .into_iter()
            .enumerate()
            .filter_map(|(change, best)| {
                best.map(|(t_ok, _, deployment)| CountedChange {
                    change,
                    deployment,
                    t_ok,
                })
            })
            .collect();

        Facts {
            deployments,
            incidents,
            counted_changes,
            teams: teams.into_sorted(),
            unattributed_incidents: unattributed,
        }
    }

    /// Scorecards for every team over `window` and the window before it.
    pub fn evaluate(&self, records: &Records, window: Window, bench: &Benchmarks) -> Scorecards {
        let current = self.aggregate(records, window, bench);
        let previous = self.aggregate(records, window.previous(), bench);
        let teams = self
            .teams
            .iter()
            .zip(current.into_iter().zip(previous))
            .map(|(team, (current, previous))| TeamScorecard {
                team: team.clone(),
                tier: current.team_tier(),
                current,
                previous,
            })
            .collect();
        Scorecards {
            window,
            teams,
            unattributed_incidents: self.unattributed_incidents,
        }
    }

    fn team_slot(&self) -> HashMap<&str, usize> {
        self.teams
            .iter()
            .enumerate()
            .map(|(i, t)| (&**t, i))
            .collect()
    }

    /// One `TeamMetrics` per entry of `self.teams`.
    fn aggregate(&self, records: &Records, window: Window, bench: &Benchmarks) -> Vec<TeamMetrics> {
        let slot = self.team_slot();
        let n = self.teams.len();
        let mut deployed = vec![0u64; n];
        let mut failed = vec![0u64; n];
        let mut rework = vec![0u64; n];
        for f in &self.deployments {
            if f.t_done.is_some_and(|t| window.contains(t)) {
                let s = slot[&*f.team];
                deployed[s] += 1;
                failed[s] += u64::from(!f.fail_reasons.is_empty());
                rework[s] += u64::from(f.rework.is_some());
            }
        }
        let mut leads: Vec<Vec<i64>> = vec![Vec::new(); n];
        let mut skewed = vec![0u64; n];
        for c in &self.counted_changes {
            if !window.contains(c.t_ok) {
                continue;
            }
            let s = slot[&*self.deployments[c.deployment].team];
            // Compared before rounding to milliseconds: a commit even a microsecond
            // after its deployment is skewed (as in `team_detail`), not a zero lead.
            let lead = c.t_ok - records.changes[c.change].time;
            if lead < TimeDelta::zero() {
                skewed[s] += 1;
            } else {
                leads[s].push(lead.num_milliseconds());
            }
        }
        let mut restores: Vec<Vec<i64>> = vec![Vec::new(); n];
        let mut open = vec![0u64; n];
        for (inc, f) in records.incidents.iter().zip(&self.incidents) {
            let s = slot[&*f.team];
            if let Some(r) = inc.resolved.filter(|&r| window.contains(r)) {
                // A resolve time before the open time is bad data; it is left out.
                let d = (r - inc.opened).num_milliseconds();
                if d >= 0 {
                    restores[s].push(d);
                }
            }
            if is_open_at(inc.opened, inc.resolved, window.end) {
                open[s] += 1;
            }
        }
        let days = window.days();
        (0..n)
            .map(|s| {
                let lead_median = median_ms(&mut leads[s]);
                let restore_median = median_ms(&mut restores[s]);
                TeamMetrics {
                    deployment_frequency: Frequency {
                        deployments: deployed[s],
                        per_day: if days > 0.0 {
                            deployed[s] as f64 / days
                        } else {
                            0.0
                        },
                        tier: bench.frequency(deployed[s], days),
                    },
                    lead_time: LeadTime {
                        median_seconds: lead_median.map(|m| m / 1000.0),
                        changes: leads[s].len() as u64,
                        skewed: skewed[s],
                        tier: lead_median.map(|m| bench.lead_time(m)),
                    },
                    change_failure_rate: ChangeFailureRate {
                        failed: failed[s],
                        deployments: deployed[s],
                        rate: ratio(failed[s], deployed[s]),
                        tier: bench.failure_rate(failed[s], deployed[s]),
                    },
                    time_to_restore: TimeToRestore {
                        median_seconds: restore_median.map(|m| m / 1000.0),
                        incidents: restores[s].len() as u64,
                        open: open[s],
                        tier: restore_median.map(|m| bench.restore(m)),
                    },
                    rework_rate: ReworkRate {
                        rework: rework[s],
                        deployments: deployed[s],
                        rate: ratio(rework[s], deployed[s]),
                    },
                }
            })
            .collect()
    }

    /// The records behind one team's numbers in `window`.
    pub fn team_detail(&self, records: &Records, team: &str, window: Window) -> TeamDetail {
        self.teams
            .iter()
            .position(|t| &**t == team)
            .and_then(|slot| self.team_details(records, window).into_iter().nth(slot))
            .unwrap_or_default()
    }

    /// The records behind every team's numbers in `window`, one entry per
    /// `self.teams`, built in one pass over the records.
    pub fn team_details(&self, records: &Records, window: Window) -> Vec<TeamDetail> {
        let slot = self.team_slot();
        let mut details = vec![TeamDetail::default(); self.teams.len()];
        for (i, f) in self.deployments.iter().enumerate() {
            let Some(done) = f.t_done.filter(|&t| window.contains(t)) else {
                continue;
            };
            details[slot[&*f.team]].deployments.push(DeploymentRow {
                deployment: i,
                done,
                fail_reasons: f.fail_reasons.clone(),
                rework: f.rework.clone(),
            });
        }
        for c in &self.counted_changes {
            if window.contains(c.t_ok) {
                let lead = c.t_ok - records.changes[c.change].time;
                details[slot[&*self.deployments[c.deployment].team]]
                    .changes
                    .push(ChangeRow {
                        change: c.change,
                        deployment: c.deployment,
                        lead,
                        skewed: lead < TimeDelta::zero(),
                    });
            }
        }
        for (i, (inc, f)) in records.incidents.iter().zip(&self.incidents).enumerate() {
            let resolved_in = inc.resolved.is_some_and(|r| window.contains(r));
            let open = is_open_at(inc.opened, inc.resolved, window.end);
            if resolved_in || open {
                details[slot[&*f.team]].incidents.push(IncidentRow {
                    incident: i,
                    open,
                    attribution: f.attribution,
                });
            }
        }
        for d in &mut details {
            d.deployments
                .sort_by(|a, b| b.done.cmp(&a.done).then(b.deployment.cmp(&a.deployment)));
            d.changes
                .sort_by(|a, b| b.lead.cmp(&a.lead).then(a.change.cmp(&b.change)));
            d.incidents.sort_by_key(|r| {
                (
                    !r.open,
                    std::cmp::Reverse(records.incidents[r.incident].opened),
                )
            });
        }
        details
    }
}

/// One shared `Text` per distinct name.
#[derive(Default)]
struct Interner {
    names: HashSet<Text>,
}

impl Interner {
    /// The shared copy of `name` (`name` itself the first time it is seen).
    fn intern(&mut self, name: Text) -> Text {
        if let Some(shared) = self.names.get(&*name) {
            return shared.clone();
        }
        self.names.insert(name.clone());
        name
    }

    fn into_sorted(self) -> Vec<Text> {
        let mut names: Vec<Text> = self.names.into_iter().collect();
        names.sort_unstable();
        names
    }
}

/// (opened, resolved, incident index).
type IncidentSpan = (Time, Option<Time>, usize);
/// Per service: incidents' open times in order, and for each prefix the
/// longest-lasting incident so far as (resolved, incident index).
type OpenIndex = (Vec<Time>, Vec<(Option<Time>, usize)>);

/// DESIGN.md: opened before the end and not resolved before it.
pub fn is_open_at(opened: Time, resolved: Option<Time>, end: Time) -> bool {
    opened < end && resolved.is_none_or(|r| r >= end)
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Median in milliseconds; an even count takes the mean of the two middle values.
pub fn median_ms(values: &mut [i64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (_, &mut upper, _) = values.select_nth_unstable(n / 2);
    if n % 2 == 1 {
        return Some(upper as f64);
    }
    let lower = values[..n / 2].iter().copied().max().unwrap_or(upper);
    Some((lower as f64 + upper as f64) / 2.0)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frequency {
    pub deployments: u64,
    pub per_day: f64,
    pub tier: Tier,
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
}

/// One team's metrics over one window; field names are the JSON report's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamMetrics {
    pub deployment_frequency: Frequency,
    pub lead_time: LeadTime,
    pub change_failure_rate: ChangeFailureRate,
    pub time_to_restore: TimeToRestore,
    pub rework_rate: ReworkRate,
}

impl TeamMetrics {
    /// The weakest tier among the four key metrics that have data. Deployment
    /// frequency always has one (no deployments is low), so every team gets a tier;
    /// `Option` keeps the report shape honest should a benchmark set drop it.
    pub fn team_tier(&self) -> Option<Tier> {
        [
            Some(self.deployment_frequency.tier),
            self.lead_time.tier,
            self.change_failure_rate.tier,
            self.time_to_restore.tier,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The four key tiers in display order; `None` = no data.
    pub fn key_tiers(&self) -> [Option<Tier>; 4] {
        [
            Some(self.deployment_frequency.tier),
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
    /// Sorted by team name.
    pub teams: Vec<TeamScorecard>,
    /// Over all incidents read, whatever the window.
    pub unattributed_incidents: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRow {
    pub deployment: usize,
    pub done: Time,
    pub fail_reasons: Vec<FailReason>,
    pub rework: Option<ReworkReason>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub change: usize,
    pub deployment: usize,
    pub lead: TimeDelta,
    pub skewed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    pub incident: usize,
    /// Still open at the window's end.
    pub open: bool,
    pub attribution: Option<Attribution>,
}

/// The records behind a team's numbers: counted deployments (newest first),
/// counted changes (longest lead first) and incidents (open first, then newest).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamDetail {
    pub deployments: Vec<DeploymentRow>,
    pub changes: Vec<ChangeRow>,
    pub incidents: Vec<IncidentRow>,
}

/// Derive and evaluate in one call (reports and tests).
pub fn scorecards(
    records: &Records,
    settings: &Settings,
    window: Window,
    bench: &Benchmarks,
) -> Scorecards {
    Facts::derive(records, settings).evaluate(records, window, bench)
}
