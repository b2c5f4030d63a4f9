//! The rollout model: every production deployment is a lane; its stages run in
//! the configured region order (the first region is the canary region), each
//! with a state, start, duration and traffic weight where known, and between the
//! canary region and the rest sits the certification gate.
//!
//! Computed in the store's views, never in the render path. Pure.
//!
//! Sources tell stage details through the deployment line's free-form `stage`
//! field, in the vocabulary of `model::stage`.

mod build;
mod index;

use chrono::TimeDelta;

use crate::model::canary::Judgement;
use crate::model::{Text, Time, Verdict};

pub use build::{compute, compute_from_every_deployment, compute_with};
pub use index::LaneIndex;

/// Finished lanes stay on screen this long after they end.
pub const RECENT: TimeDelta = TimeDelta::hours(12);
/// At most this many finished lanes are listed.
pub const MAX_FINISHED: usize = 40;
/// Error-rate points in a lane's sparkline.
pub const SPARK_POINTS: usize = 12;
/// An incident of the lane's service opened this long after the lane ended is
/// still linked to it.
pub const INCIDENT_LINK: TimeDelta = TimeDelta::hours(2);

use crate::model::stage::{NO_REGION, StageState};

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
    /// The deployment would take a contract's `contract` step while these
    /// consumers have not migrated (see `metrics::governance`).
    Contract {
        contract: Text,
        consumers: Vec<Text>,
    },
}

impl Blocker {
    pub fn short(&self) -> &'static str {
        match self {
            Blocker::FailedAnalysis { .. } => "analysis",
            Blocker::CanaryStage(_) => "canary",
            Blocker::CriticalFinding(_) => "finding",
            Blocker::OpenIncident(_) => "incident",
            Blocker::Contract { .. } => "contract",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Blocker::FailedAnalysis { score: Some(s) } => format!("failed analysis ({s:.0})"),
            Blocker::FailedAnalysis { score: None } => "failed analysis".into(),
            Blocker::CanaryStage(s) => format!("canary {}", s.label()),
            Blocker::CriticalFinding(id) => format!("critical finding {id}"),
            Blocker::OpenIncident(id) => format!("open incident {id}"),
            Blocker::Contract {
                contract,
                consumers,
            } => format!(
                "contract {contract} would remove the old path: {} not migrated",
                consumers.join(", ")
            ),
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
    /// Failed, rolled back or aborted.
    pub fn is_bad(self) -> bool {
        matches!(
            self,
            Outcome::Failed | Outcome::RolledBack | Outcome::Aborted
        )
    }

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
    /// The error rate above which this lane's canary fails its error-rate
    /// rule (the baseline plus the rule's band), where the canary gave a baseline.
    pub error_limit: Option<f64>,
    pub changes: Vec<Text>,
    /// Indexes into `records.incidents`.
    pub incidents: Vec<usize>,
    pub hotfix: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lanes {
    /// Region columns in rollout order; the first is the canary region.
    pub regions: Vec<Text>,
    /// Failed lanes (failed, rolled back, aborted) first, then lanes paused
    /// in some region, then the other in-flight lanes newest first, then the
    /// recently finished ones newest first (shared: a quiet tick reuses the
    /// lanes it built before).
    pub lanes: Vec<std::sync::Arc<Lane>>,
    /// How many of `lanes` are in flight.
    pub in_flight: usize,
    /// The top of the one scale every lane's error-rate sparkline is drawn
    /// on: the largest error rate or canary limit among the listed lanes.
    pub error_scale: f64,
}

impl Lanes {
    pub fn find(&self, id: &str) -> Option<&Lane> {
        self.lanes.iter().map(|l| &**l).find(|l| &*l.id == id)
    }

    /// How many listed lanes failed (failed, rolled back or aborted) and how
    /// many are paused in some region.
    pub fn trouble(&self) -> (usize, usize) {
        let failed = self.lanes.iter().filter(|l| l.outcome.is_bad()).count();
        let paused = self.lanes.iter().filter(|l| l.paused().is_some()).count();
        (failed, paused)
    }
}

impl Lane {
    /// The first region paused now, with its reason.
    pub fn paused(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.state == StageState::Paused)
    }

    /// Where the lane is listed by default: failed first, then paused, then
    /// the rest (each group in the order the lanes come).
    pub fn rank(&self) -> u8 {
        if self.outcome.is_bad() {
            0
        } else if self.paused().is_some() {
            1
        } else {
            2
        }
    }
}

pub fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Marginal => "marginal",
        Verdict::Fail => "fail",
    }
}
