//! The rollout model: every production deployment is a lane; its stages run in
//! the configured region order (the first region is the canary region), each
//! with a state, start, duration and traffic weight where known, and between the
//! canary region and the rest sits the certification gate.
//!
//! Computed in the store's views, never in the render path. Pure.
//!
//! Sources tell stage details through the deployment line's free-form `stage`
//! field, in the vocabulary of `model::stage`.

use std::collections::HashMap;

use chrono::TimeDelta;

use crate::metrics::canary::{self, Judgement, Thresholds};
use crate::metrics::dora::is_open_at;
use crate::model::records::Records;
use crate::model::settings::Settings;
use crate::model::{CanaryResult, DeployStatus, FindingStatus, Severity, Text, Time, Verdict};

/// Finished lanes stay on screen this long after they end.
pub const RECENT: TimeDelta = TimeDelta::hours(12);
/// At most this many finished lanes are listed.
pub const MAX_FINISHED: usize = 40;
/// Error-rate points in a lane's sparkline.
pub const SPARK_POINTS: usize = 12;
/// An incident of the lane's service opened this long after the lane ended is
/// still linked to it.
pub const INCIDENT_LINK: TimeDelta = TimeDelta::hours(2);

pub use crate::model::stage::{NO_REGION, StageNote, StageState, parse_stage, stage_label};

/// One change of a stage, for the lane detail.
#[derive(Debug, Clone, PartialEq)]
pub struct StageEvent {
    pub time: Time,
    pub state: StageState,
    pub reason: Option<Text>,
}

/// One region of a lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub region: Text,
    pub state: StageState,
    pub reason: Option<Text>,
    pub start: Option<Time>,
    /// When a terminal state was reached.
    pub end: Option<Time>,
    /// When the current state began (for "paused for how long").
    pub since: Option<Time>,
    pub weight: Option<u8>,
    pub step: Option<(u32, u32)>,
    pub history: Vec<StageEvent>,
}

impl Stage {
    fn queued(region: Text) -> Self {
        Self {
            region,
            state: StageState::Queued,
            reason: None,
            start: None,
            end: None,
            since: None,
            weight: None,
            step: None,
            history: Vec::new(),
        }
    }

    /// Start to end, or to `now` while it runs.
    pub fn duration(&self, now: Time) -> Option<TimeDelta> {
        let start = self.start?;
        Some((self.end.unwrap_or(now) - start).max(TimeDelta::zero()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Blocker {
    FailedAnalysis {
        score: Option<f64>,
    },
    /// The canary stage itself failed, rolled back or was aborted.
    CanaryStage(StageState),
    CriticalFinding(Text),
    OpenIncident(Text),
}

impl Blocker {
    pub fn short(&self) -> &'static str {
        match self {
            Blocker::FailedAnalysis { .. } => "analysis",
            Blocker::CanaryStage(_) => "canary",
            Blocker::CriticalFinding(_) => "finding",
            Blocker::OpenIncident(_) => "incident",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Blocker::FailedAnalysis { score: Some(s) } => format!("failed analysis ({s:.0})"),
            Blocker::FailedAnalysis { score: None } => "failed analysis".into(),
            Blocker::CanaryStage(s) => format!("canary {}", s.label()),
            Blocker::CriticalFinding(id) => format!("critical finding {id}"),
            Blocker::OpenIncident(id) => format!("open incident {id}"),
        }
    }
}

/// The certification gate between the canary region and the rest.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// The canary has not finished.
    Waiting,
    Certified {
        by: Text,
    },
    Blocked(Vec<Blocker>),
}

impl Gate {
    /// Short, for a table cell; the detail lists every blocker in full.
    pub fn label(&self) -> String {
        match self {
            Gate::Waiting => "waiting".into(),
            Gate::Certified { .. } => "certified".into(),
            Gate::Blocked(b) => match b.first() {
                Some(first) if b.len() > 1 => {
                    format!("blocked: {} +{}", first.short(), b.len() - 1)
                }
                Some(first) => format!("blocked: {}", first.short()),
                None => "blocked".into(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    InFlight,
    Succeeded,
    Failed,
    RolledBack,
    Aborted,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::InFlight => "in flight",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::RolledBack => "rolled back",
            Outcome::Aborted => "aborted",
        }
    }
}

/// The canary analysis of a lane: the source's verdict where it gave one, and
/// our per-metric judgement (the reasoning shown in the detail).
#[derive(Debug, Clone, PartialEq)]
pub struct CanaryView {
    pub time: Time,
    pub region: Text,
    pub verdict: Option<Verdict>,
    pub score: Option<f64>,
    pub judgement: Judgement,
}

impl CanaryView {
    /// Whether the source's canary score or verdict differs from flightdeck's
    /// own judgement of the same metrics; the lane detail then explains both.
    pub fn disagrees(&self) -> bool {
        let own = self.judgement.score;
        let scores = matches!((self.score, own), (Some(a), Some(b)) if (a - b).abs() >= 0.5);
        let verdicts =
            matches!((self.verdict, self.judgement.verdict), (Some(a), Some(b)) if a != b);
        scores || verdicts
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub id: Text,
    pub service: Text,
    pub team: Text,
    pub started: Time,
    pub finished: Option<Time>,
    pub outcome: Outcome,
    /// One per region, in `Lanes::regions` order.
    pub stages: Vec<Stage>,
    pub canary: Option<CanaryView>,
    pub gate: Gate,
    /// The service's recent canary error rates, oldest first, ending with this lane's.
    pub error_series: Vec<f64>,
    pub changes: Vec<Text>,
    /// Indexes into `records.incidents`.
    pub incidents: Vec<usize>,
    pub hotfix: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lanes {
    /// Region columns in rollout order; the first is the canary region.
    pub regions: Vec<Text>,
    /// In-flight lanes newest first, then recently finished ones newest first.
    pub lanes: Vec<Lane>,
    /// How many of `lanes` are in flight (they come first).
    pub in_flight: usize,
}

impl Lanes {
    pub fn find(&self, id: &str) -> Option<&Lane> {
        self.lanes.iter().find(|l| &*l.id == id)
    }
}

/// Builds the lanes as of `now`.
pub fn compute(records: &Records, settings: &Settings, now: Time) -> Lanes {
    let mut regions: Vec<Text> = settings.regions.clone();
    for d in &records.deployments {
        for e in &d.events {
            if let Some(r) = &e.region
                && settings.is_production(e.environment.as_deref())
                && !regions.contains(r)
            {
                regions.push(r.clone());
            }
        }
    }
    if regions.is_empty() {
        regions.push(Text::from(NO_REGION));
    }

    // Canary results by deployment, and each service's error-rate history.
    let mut canaries: HashMap<&str, &CanaryResult> = HashMap::new();
    let mut series: HashMap<&str, Vec<(Time, f64)>> = HashMap::new();
    let service_of: HashMap<&str, &str> = records
        .deployments
        .iter()
        .map(|d| (&*d.id, &*d.service))
        .collect();
    for c in &records.canaries {
        if c.time > now {
            continue;
        }
        let slot = canaries.entry(&*c.deployment).or_insert(c);
        if c.time >= slot.time {
            *slot = c;
        }
        if let (Some(e), Some(s)) = (c.error_rate, service_of.get(&*c.deployment))
            && e.is_finite()
        {
            series.entry(s).or_default().push((c.time, e));
        }
    }
    for v in series.values_mut() {
        v.sort_by_key(|p| p.0);
    }
    let mut open_incidents: HashMap<&str, Vec<&Text>> = HashMap::new();
    let mut incidents_by_service: HashMap<&str, Vec<usize>> = HashMap::new();
    for (n, i) in records.incidents.iter().enumerate() {
        if is_open_at(i.opened, i.resolved, now) {
            open_incidents.entry(&*i.service).or_default().push(&i.id);
        }
        if i.opened <= now {
            incidents_by_service.entry(&*i.service).or_default().push(n);
        }
    }
    let mut critical: HashMap<&str, Vec<&Text>> = HashMap::new();
    for f in &records.findings {
        if f.severity == Severity::Critical
            && f.status == FindingStatus::Open
            && f.opened <= now
            && let Some(s) = &f.service
        {
            critical.entry(&**s).or_default().push(&f.id);
        }
    }
    let rules = canary::default_rules();
    let thresholds = Thresholds::default();

    let mut in_flight = Vec::new();
    let mut finished = Vec::new();
    for d in &records.deployments {
        let prod: Vec<_> = d
            .events
            .iter()
            .filter(|e| e.time <= now && settings.is_production(e.environment.as_deref()))
            .collect();
        let Some(started) = prod.iter().map(|e| e.time).min() else {
            continue;
        };
        let view = |c: &CanaryResult| {
            let samples = vec![
                (rules[0].clone(), c.error_rate, c.baseline_error_rate),
                (rules[1].clone(), c.p99_ms, c.baseline_p99_ms),
            ];
            let judgement = canary::judge(&samples, &thresholds);
            CanaryView {
                time: c.time,
                region: c.region.clone(),
                verdict: c.verdict.or(judgement.verdict),
                score: c.score.or(judgement.score),
                judgement,
            }
        };
        let raw = canaries.get(&*d.id).copied();
        // Whether the canary passed; the full judgement waits until the lane is
        // known to be listed (most of a long history is not).
        let canary_passed = raw.is_some_and(|c| {
            matches!(
                c.verdict.or_else(|| view(c).verdict),
                Some(Verdict::Pass | Verdict::Marginal)
            )
        });
        let regional = prod.iter().any(|e| e.region.is_some());
        let mut stages: Vec<Stage> = regions.iter().map(|r| Stage::queued(r.clone())).collect();
        for e in &prod {
            let targets: Vec<usize> = match (&e.region, regional) {
                (Some(r), _) => regions.iter().position(|x| x == r).into_iter().collect(),
                // A deployment that names no region covers them all.
                (None, false) => (0..stages.len()).collect(),
                (None, true) => Vec::new(),
            };
            let note = parse_stage(e.stage.as_deref());
            for i in targets {
                let canary_region = i == 0 && regional;
                let state = match e.status {
                    DeployStatus::Pending => StageState::Queued,
                    DeployStatus::InProgress if note.paused => StageState::Paused,
                    DeployStatus::InProgress if note.aborted => StageState::Aborted,
                    DeployStatus::InProgress if note.verifying || canary_region => {
                        StageState::Verifying
                    }
                    DeployStatus::InProgress => StageState::Progressing,
                    DeployStatus::Success if canary_region && canary_passed => {
                        StageState::Certified
                    }
                    DeployStatus::Success => StageState::Succeeded,
                    DeployStatus::Failure if note.aborted => StageState::Aborted,
                    DeployStatus::Failure => StageState::Failed,
                    DeployStatus::RolledBack => StageState::RolledBack,
                };
                let s = &mut stages[i];
                if s.start.is_none() && state != StageState::Queued {
                    s.start = Some(e.time);
                }
                if s.state != state || s.since.is_none() {
                    s.since = Some(e.time);
                }
                s.state = state;
                s.reason = note.reason.clone();
                if note.weight.is_some() {
                    s.weight = note.weight;
                }
                if note.step.is_some() {
                    s.step = note.step;
                }
                s.end = state.is_terminal().then_some(e.time);
                if state == StageState::Succeeded || state == StageState::Certified {
                    s.weight = s.weight.map(|_| 100);
                }
                s.history.push(StageEvent {
                    time: e.time,
                    state,
                    reason: note.reason.clone(),
                });
            }
        }
        let bad = stages
            .iter()
            .filter(|s| s.state.is_bad())
            .map(|s| s.state)
            .collect::<Vec<_>>();
        let outcome = if bad.contains(&StageState::RolledBack) {
            Outcome::RolledBack
        } else if bad.contains(&StageState::Aborted) {
            Outcome::Aborted
        } else if !bad.is_empty() {
            Outcome::Failed
        } else if stages.iter().all(|s| s.state.is_good()) {
            Outcome::Succeeded
        } else {
            Outcome::InFlight
        };
        let finished_at = (outcome != Outcome::InFlight)
            .then(|| stages.iter().filter_map(|s| s.end).max())
            .flatten();
        if outcome != Outcome::InFlight && finished_at.is_some_and(|f| now - f > RECENT) {
            continue;
        }
        let canary = raw.map(view);

        let mut blockers = Vec::new();
        if let Some(c) = &canary
            && c.verdict == Some(Verdict::Fail)
        {
            blockers.push(Blocker::FailedAnalysis { score: c.score });
        }
        let canary_stage = stages[0].state;
        if canary_stage.is_bad() && blockers.is_empty() {
            blockers.push(Blocker::CanaryStage(canary_stage));
        }
        if outcome == Outcome::InFlight {
            for id in critical.get(&*d.service).into_iter().flatten() {
                blockers.push(Blocker::CriticalFinding((*id).clone()));
            }
            for id in open_incidents.get(&*d.service).into_iter().flatten() {
                blockers.push(Blocker::OpenIncident((*id).clone()));
            }
        }
        let gate = if !blockers.is_empty() {
            Gate::Blocked(blockers)
        } else if canary_stage.is_good() {
            let by = match &canary {
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
        };

        let until = canary.as_ref().map_or(now, |c| c.time);
        let error_series = series
            .get(&*d.service)
            .map(|v| {
                let end = v.partition_point(|p| p.0 <= until);
                v[end.saturating_sub(SPARK_POINTS)..end]
                    .iter()
                    .map(|p| p.1)
                    .collect()
            })
            .unwrap_or_default();
        let link_end = finished_at.unwrap_or(now) + INCIDENT_LINK;
        let incidents = incidents_by_service
            .get(&*d.service)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&n| {
                        let i = &records.incidents[n];
                        i.deployment.as_deref() == Some(&*d.id)
                            || (i.deployment.is_none()
                                && i.opened >= started
                                && i.opened <= link_end)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let lane = Lane {
            id: d.id.clone(),
            service: d.service.clone(),
            team: settings.team_for(d.team.as_ref(), Some(&d.service)),
            started,
            finished: finished_at,
            outcome,
            stages,
            canary,
            gate,
            error_series,
            changes: d.changes.clone(),
            incidents,
            hotfix: d.hotfix,
        };
        if outcome == Outcome::InFlight {
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
    Lanes {
        regions,
        lanes: in_flight,
        in_flight: n,
    }
}

pub fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Marginal => "marginal",
        Verdict::Fail => "fail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_vocabulary_round_trips() {
        let s = stage_label(
            StageState::Paused,
            Some("InconclusiveAnalysisRun"),
            Some(25),
            Some((2, 8)),
        );
        assert_eq!(s, "paused: InconclusiveAnalysisRun @25% step 2/8");
        let n = parse_stage(Some(&s));
        assert!(n.paused && !n.aborted);
        assert_eq!(n.reason.as_deref(), Some("InconclusiveAnalysisRun"));
        assert_eq!(n.weight, Some(25));
        assert_eq!(n.step, Some((2, 8)));
        let n = parse_stage(Some("canary"));
        assert!(n.verifying && !n.paused);
        assert_eq!(parse_stage(Some("rollout")), StageNote::default());
        let n = parse_stage(Some("aborted: metric \"web\" failed"));
        assert!(n.aborted);
        assert_eq!(n.reason.as_deref(), Some("metric \"web\" failed"));
    }
}
