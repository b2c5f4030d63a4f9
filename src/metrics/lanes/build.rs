//! Builds the lanes from the records: regions, stages, outcome, gate and the
//! links to canary results and incidents.

use crate::metrics::canary;
use crate::metrics::dora::is_open_at;
use crate::model::canary::{ERROR_RATE, MetricRule, Thresholds, default_rules};
use crate::model::records::{Deployment, DeploymentLine, Records};
use crate::model::settings::Settings;
use crate::model::{CanaryResult, DeployStatus, FindingStatus, Severity, Text, Time, Verdict};

use super::{
    Blocker, CanaryView, Gate, INCIDENT_LINK, Lane, Lanes, MAX_FINISHED, NO_REGION, Outcome,
    RECENT, SPARK_POINTS, Stage, StageEvent, StageState, verdict_label,
};
use crate::model::stage::{StageNote, parse_stage};

use std::sync::Arc;

use chrono::TimeDelta;

use super::index::{LaneIndex, is_running};

/// Moves `until` to the first moment at which a condition on `t` (`t <= now`
/// or `t < now`) may read differently than at `now`.
fn soon(until: &mut Time, now: Time, t: Time) {
    if t > now {
        *until = (*until).min(t);
    } else if t == now {
        *until = (*until).min(t + TimeDelta::nanoseconds(1));
    }
}

/// Hash maps keyed by names: foldhash (fast, well mixed, fixed seed), not SipHash.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// Builds the lanes as of `now` (one-shot: indexes every deployment first).
pub fn compute(records: &Records, settings: &Settings, now: Time) -> Lanes {
    compute_with(
        records,
        settings,
        &mut LaneIndex::build(records, settings),
        now,
    )
}

/// Builds the lanes as of `now` from every deployment, without the index: the
/// reference the index is tested against (`tests/store_incremental.rs`).
#[doc(hidden)]
pub fn compute_from_every_deployment(records: &Records, settings: &Settings, now: Time) -> Lanes {
    let mut index = LaneIndex::build(records, settings);
    index.consider_every_deployment(records.deployments.len());
    compute_with(records, settings, &mut index, now)
}

/// Builds the lanes as of `now` from the deployments `index` says may have one,
/// reusing the lanes it keeps that cannot have changed since they were built.
pub fn compute_with(
    records: &Records,
    settings: &Settings,
    index: &mut LaneIndex,
    now: Time,
) -> Lanes {
    let mut regions = index.regions(settings);
    if regions.is_empty() {
        regions.push(Text::from(NO_REGION));
    }
    index.cache.keep_for(&regions);
    // Built on the first lane not kept: a quiet tick reads no record.
    let cx: std::cell::OnceCell<Context> = std::cell::OnceCell::new();
    let mut in_flight = Vec::new();
    let mut finished = Vec::new();
    let candidates = index.candidates(now);
    // Lanes of deployments no longer candidates are not kept.
    index.cache.keep_only(&candidates);
    for &d in &candidates {
        let lane = match index.cache.get(d, now) {
            Some(kept) => kept,
            None => {
                let Some(dep) = records.deployments.get(d) else {
                    continue;
                };
                let cx = cx.get_or_init(|| Context::new(records, now));
                let (lane, until) = cx.lane(dep, settings, &regions);
                let lane = lane.map(Arc::new);
                index.cache.keep(d, lane.clone(), now, until);
                lane
            }
        };
        let Some(lane) = lane else {
            continue;
        };
        if lane.outcome == Outcome::InFlight {
            in_flight.push(lane);
        } else {
            finished.push(lane);
        }
    }
    in_flight.sort_by(|a, b| b.started.cmp(&a.started).then_with(|| a.id.cmp(&b.id)));
    finished.sort_by(|a, b| b.finished.cmp(&a.finished).then_with(|| a.id.cmp(&b.id)));
    finished.truncate(MAX_FINISHED);
    let n = in_flight.len();
    in_flight.extend(finished);
    // Failed lanes first, then paused ones, then the rest as they came.
    in_flight.sort_by_key(|l| l.rank());
    let error_scale = in_flight
        .iter()
        .flat_map(|l| l.error_series.iter().chain(&l.error_limit))
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    Lanes {
        regions,
        lanes: in_flight,
        in_flight: n,
        error_scale,
    }
}

/// The records indexed by deployment and service, as of `now`.
struct Context<'a> {
    records: &'a Records,
    now: Time,
    /// The latest canary result of each deployment.
    canaries: HashMap<&'a str, &'a CanaryResult>,
    /// Each service's canary error rates, oldest first.
    series: HashMap<&'a str, Vec<(Time, f64)>>,
    open_incidents: HashMap<&'a str, Vec<&'a Text>>,
    incidents_by_service: HashMap<&'a str, Vec<usize>>,
    critical: HashMap<&'a str, Vec<&'a Text>>,
    /// The first time after `now` at which something a service's lanes read
    /// changes: an incident opens or resolves, a critical finding opens, a
    /// canary result arrives.
    next_by_service: HashMap<&'a str, Time>,
    /// The first canary result of each deployment after `now`.
    next_canary: HashMap<&'a str, Time>,
    rules: Vec<MetricRule>,
    thresholds: Thresholds,
}

impl<'a> Context<'a> {
    fn new(records: &'a Records, now: Time) -> Self {
        let (canaries, series) = canaries_and_series(records, now);
        let mut open_incidents: HashMap<&str, Vec<&Text>> = HashMap::default();
        let mut incidents_by_service: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut next_by_service: HashMap<&str, Time> = HashMap::default();
        let mut next_canary: HashMap<&str, Time> = HashMap::default();
        let next = |map: &mut HashMap<&'a str, Time>, key: &'a str, t: Time| {
            let mut until = map.get(key).copied().unwrap_or(Time::MAX_UTC);
            soon(&mut until, now, t);
            if until != Time::MAX_UTC {
                map.insert(key, until);
            }
        };
        for c in &records.canaries {
            next(&mut next_canary, &c.deployment, c.time);
            if let Some(d) = records.deployment(&c.deployment)
                && let Some(d) = records.deployments.get(d)
            {
                next(&mut next_by_service, &d.service, c.time);
            }
        }
        for (n, i) in records.incidents.iter().enumerate() {
            next(&mut next_by_service, &i.service, i.opened);
            if let Some(r) = i.resolved {
                next(&mut next_by_service, &i.service, r);
            }
            if is_open_at(i.opened, i.resolved, now) {
                open_incidents.entry(&*i.service).or_default().push(&i.id);
            }
            if i.opened <= now {
                incidents_by_service.entry(&*i.service).or_default().push(n);
            }
        }
        let mut critical: HashMap<&str, Vec<&Text>> = HashMap::default();
        for f in &records.findings {
            if let Some(s) = &f.service {
                next(&mut next_by_service, s, f.opened);
            }
            if f.severity == Severity::Critical
                && f.status == FindingStatus::Open
                && f.opened <= now
                && let Some(s) = &f.service
            {
                critical.entry(&**s).or_default().push(&f.id);
            }
        }
        Self {
            records,
            now,
            canaries,
            series,
            open_incidents,
            incidents_by_service,
            critical,
            next_by_service,
            next_canary,
            rules: default_rules(),
            thresholds: Thresholds::default(),
        }
    }

    /// Our judgement of a canary result, with the source's verdict and score
    /// where it gave them.
    fn view(&self, c: &CanaryResult) -> CanaryView {
        let samples = vec![
            (self.rules[0].clone(), c.error_rate, c.baseline_error_rate),
            (self.rules[1].clone(), c.p99_ms, c.baseline_p99_ms),
        ];
        let judgement = canary::judge(&samples, &self.thresholds);
        CanaryView {
            time: c.time,
            region: c.region.clone(),
            verdict: c.verdict.or(judgement.verdict),
            score: c.score.or(judgement.score),
            judgement,
        }
    }

    /// The lane of one deployment (`None` when it never reached production or
    /// ended too long ago), and until when it stays so if no record changes:
    /// the first time after `now` that one of the deployment's lines, its
    /// service's incidents, critical findings or canary results, or the end of
    /// its [`RECENT`] spell moves it.
    fn lane(&self, d: &Deployment, settings: &Settings, regions: &[Text]) -> (Option<Lane>, Time) {
        let now = self.now;
        let mut until = Time::MAX_UTC;
        for e in &d.events {
            if settings.is_production(e.environment.as_deref()) {
                soon(&mut until, now, e.time);
            }
        }
        for t in [
            self.next_by_service.get(&*d.service),
            self.next_canary.get(&*d.id),
        ]
        .into_iter()
        .flatten()
        {
            until = until.min(*t);
        }
        let lane = self.lane_as_of_now(d, settings, regions);
        if let Some(l) = &lane {
            // A finished lane leaves the list RECENT after it ended, and so
            // does one resting short of some regions after its last line.
            let last = d
                .events
                .iter()
                .filter(|e| e.time <= now && settings.is_production(e.environment.as_deref()))
                .map(|e| e.time)
                .max();
            let resting = (l.outcome == Outcome::InFlight
                && !l.stages.iter().any(|s| is_running(s.state)))
            .then_some(last)
            .flatten();
            for t in [l.finished, resting].into_iter().flatten() {
                soon(&mut until, now, t + RECENT + TimeDelta::nanoseconds(1));
            }
        }
        (lane, until)
    }

    fn lane_as_of_now(
        &self,
        d: &Deployment,
        settings: &Settings,
        regions: &[Text],
    ) -> Option<Lane> {
        let now = self.now;
        let prod: Vec<_> = d
            .events
            .iter()
            .filter(|e| e.time <= now && settings.is_production(e.environment.as_deref()))
            .collect();
        let started = prod.iter().map(|e| e.time).min()?;
        let raw = self.canaries.get(&*d.id).copied();
        // Whether the canary passed; the full judgement waits until the lane is
        // known to be listed (most of a long history is not).
        let canary_passed = raw.is_some_and(|c| {
            matches!(
                c.verdict.or_else(|| self.view(c).verdict),
                Some(Verdict::Pass | Verdict::Marginal)
            )
        });
        let stages = stages(&prod, regions, canary_passed);
        let outcome = outcome(&stages);
        let finished_at = (outcome != Outcome::InFlight)
            .then(|| stages.iter().filter_map(|s| s.end).max())
            .flatten();
        if outcome != Outcome::InFlight && finished_at.is_some_and(|f| now - f > RECENT) {
            return None;
        }
        // A rollout that reached only some regions and has not moved for RECENT
        // ended there: its untouched regions are not waiting for anything.
        let last = prod.iter().map(|e| e.time).max().unwrap_or(started);
        if outcome == Outcome::InFlight
            && !stages.iter().any(|s| is_running(s.state))
            && now - last > RECENT
        {
            return None;
        }
        let canary = raw.map(|c| self.view(c));
        let gate = self.gate(&d.service, canary.as_ref(), stages[0].state, outcome);
        let until = canary.as_ref().map_or(now, |c| c.time);
        let error_series = self.error_series(&d.service, until);
        let error_limit = canary.as_ref().and_then(|c| self.error_limit(c));
        let link_end = finished_at.unwrap_or(now) + INCIDENT_LINK;
        let incidents = self.incidents(d, started, link_end);
        Some(Lane {
            id: Text::from(d.id.as_str()),
            service: d.service.clone(),
            team: settings.team_for(d.team.as_ref(), Some(&d.service)),
            started,
            finished: finished_at,
            outcome,
            stages,
            canary,
            gate,
            error_series,
            error_limit,
            changes: self.records.listed_ids(d).map(Text::from).collect(),
            incidents,
            hotfix: d.hotfix,
        })
    }

    /// The certification gate: blocked by a failed analysis or canary stage,
    /// and while in flight by the service's critical findings and open incidents.
    fn gate(
        &self,
        service: &str,
        canary: Option<&CanaryView>,
        canary_stage: StageState,
        outcome: Outcome,
    ) -> Gate {
        let mut blockers = Vec::new();
        if let Some(c) = canary
            && c.verdict == Some(Verdict::Fail)
        {
            blockers.push(Blocker::FailedAnalysis { score: c.score });
        }
        if canary_stage.is_bad() && blockers.is_empty() {
            blockers.push(Blocker::CanaryStage(canary_stage));
        }
        if outcome == Outcome::InFlight {
            for id in self.critical.get(service).into_iter().flatten() {
                blockers.push(Blocker::CriticalFinding((*id).clone()));
            }
            for id in self.open_incidents.get(service).into_iter().flatten() {
                blockers.push(Blocker::OpenIncident((*id).clone()));
            }
        }
        if !blockers.is_empty() {
            Gate::Blocked(blockers)
        } else if canary_stage.is_good() {
            let by = match canary {
                Some(c) => match (c.verdict, c.score) {
                    (Some(v), Some(s)) => format!("canary analysis: {} {s:.0}", verdict_label(v)),
                    (Some(v), None) => format!("canary analysis: {}", verdict_label(v)),
                    _ => "canary stage success (no analysis data)".into(),
                },
                None => "canary stage success (no analysis)".into(),
            };
            Gate::Certified { by: Text::from(by) }
        } else {
            Gate::Waiting
        }
    }

    /// The error rate above which the canary's error-rate rule fails: its
    /// baseline plus the rule's band (see `metrics::canary::classify`).
    fn error_limit(&self, c: &CanaryView) -> Option<f64> {
        let rule = self.rules.iter().find(|r| r.name == ERROR_RATE)?;
        let baseline = c
            .judgement
            .metrics
            .iter()
            .find(|m| m.name == ERROR_RATE)?
            .baseline?;
        Some(baseline + baseline.abs() * rule.tolerance.max(0.0) + rule.min_delta.max(0.0))
    }

    /// The service's last [`SPARK_POINTS`] canary error rates up to `until`.
    fn error_series(&self, service: &str, until: Time) -> Vec<f64> {
        self.series
            .get(service)
            .map(|v| {
                let end = v.partition_point(|p| p.0 <= until);
                v[end.saturating_sub(SPARK_POINTS)..end]
                    .iter()
                    .map(|p| p.1)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The service's incidents that name the deployment, or name none and
    /// opened between its start and `link_end`.
    fn incidents(&self, d: &Deployment, started: Time, link_end: Time) -> Vec<usize> {
        self.incidents_by_service
            .get(&*d.service)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&n| {
                        let i = &self.records.incidents[n];
                        i.deployment.as_deref() == Some(&*d.id)
                            || (i.deployment.is_none()
                                && i.opened >= started
                                && i.opened <= link_end)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

type CanaryIndex<'a> = (
    HashMap<&'a str, &'a CanaryResult>,
    HashMap<&'a str, Vec<(Time, f64)>>,
);

/// Canary results by deployment, and each service's error-rate history.
fn canaries_and_series(records: &Records, now: Time) -> CanaryIndex<'_> {
    let mut canaries: HashMap<&str, &CanaryResult> = HashMap::default();
    let mut series: HashMap<&str, Vec<(Time, f64)>> = HashMap::default();
    let service_of = |id: &str| {
        let d = records.deployment(id)?;
        records.deployments.get(d).map(|d| &*d.service)
    };
    for c in &records.canaries {
        if c.time > now {
            continue;
        }
        let slot = canaries.entry(&*c.deployment).or_insert(c);
        if c.time >= slot.time {
            *slot = c;
        }
        if let (Some(e), Some(s)) = (c.error_rate, service_of(&c.deployment))
            && e.is_finite()
        {
            series.entry(s).or_default().push((c.time, e));
        }
    }
    for v in series.values_mut() {
        v.sort_by_key(|p| p.0);
    }
    (canaries, series)
}

/// One stage per region, replaying the deployment's production events.
fn stages(prod: &[&DeploymentLine], regions: &[Text], canary_passed: bool) -> Vec<Stage> {
    let regional = prod.iter().any(|e| e.region.is_some());
    let mut stages: Vec<Stage> = regions.iter().map(|r| Stage::queued(r.clone())).collect();
    for e in prod {
        let targets: Vec<usize> = match (&e.region, regional) {
            (Some(r), _) => regions.iter().position(|x| x == r).into_iter().collect(),
            // A deployment that names no region covers them all.
            (None, false) => (0..stages.len()).collect(),
            (None, true) => Vec::new(),
        };
        let note = parse_stage(e.stage.as_deref());
        for i in targets {
            let canary_region = i == 0 && regional;
            let state = stage_state(e.status, &note, canary_region, canary_passed);
            apply(&mut stages[i], e.time, state, &note);
        }
    }
    stages
}

pub(super) fn stage_state(
    status: DeployStatus,
    note: &StageNote,
    canary_region: bool,
    canary_passed: bool,
) -> StageState {
    match status {
        DeployStatus::Pending => StageState::Queued,
        DeployStatus::InProgress if note.paused => StageState::Paused,
        DeployStatus::InProgress if note.aborted => StageState::Aborted,
        DeployStatus::InProgress if note.verifying || canary_region => StageState::Verifying,
        DeployStatus::InProgress => StageState::Progressing,
        DeployStatus::Success if canary_region && canary_passed => StageState::Certified,
        DeployStatus::Success => StageState::Succeeded,
        DeployStatus::Failure if note.aborted => StageState::Aborted,
        DeployStatus::Failure => StageState::Failed,
        DeployStatus::RolledBack => StageState::RolledBack,
    }
}

/// Moves a stage to `state` at `time`.
fn apply(s: &mut Stage, time: Time, state: StageState, note: &StageNote) {
    if s.start.is_none() && state != StageState::Queued {
        s.start = Some(time);
    }
    if s.state != state || s.since.is_none() {
        s.since = Some(time);
    }
    s.state = state;
    s.reason = note.reason.clone();
    if note.weight.is_some() {
        s.weight = note.weight;
    }
    if note.step.is_some() {
        s.step = note.step;
    }
    s.end = state.is_terminal().then_some(time);
    if state == StageState::Succeeded || state == StageState::Certified {
        s.weight = s.weight.map(|_| 100);
    }
    s.history.push(StageEvent {
        time,
        state,
        reason: note.reason.clone(),
    });
}

fn outcome(stages: &[Stage]) -> Outcome {
    let bad = stages
        .iter()
        .filter(|s| s.state.is_bad())
        .map(|s| s.state)
        .collect::<Vec<_>>();
    if bad.contains(&StageState::RolledBack) {
        Outcome::RolledBack
    } else if bad.contains(&StageState::Aborted) {
        Outcome::Aborted
    } else if !bad.is_empty() {
        Outcome::Failed
    } else if stages.iter().all(|s| s.state.is_good()) {
        Outcome::Succeeded
    } else {
        Outcome::InFlight
    }
}
