//! The rollout model: every production deployment is a lane; its stages run in
//! the configured region order (the first region is the canary region), each
//! with a state, start, duration and traffic weight where known, and between the
//! canary region and the rest sits the certification gate.
//!
//! Computed in the store's views, never in the render path. Pure.
//!
//! Sources tell stage details through the deployment line's free-form `stage`
//! field, in a small vocabulary that [`stage_label`] writes and
//! [`parse_stage`] reads: `paused: <reason>`, `aborted: <reason>`,
//! `verifying` (or any stage naming `canary` / `analysis`), plus `@20%` for a
//! traffic weight and `step 2/8` for a step. Anything else is a plain label.

mod build;

use chrono::TimeDelta;

use crate::metrics::canary::Judgement;
use crate::model::{Text, Time, Verdict};

pub use build::compute;

/// Finished lanes stay on screen this long after they end.
pub const RECENT: TimeDelta = TimeDelta::hours(12);
/// At most this many finished lanes are listed.
pub const MAX_FINISHED: usize = 40;
/// Error-rate points in a lane's sparkline.
pub const SPARK_POINTS: usize = 12;
/// An incident of the lane's service opened this long after the lane ended is
/// still linked to it.
pub const INCIDENT_LINK: TimeDelta = TimeDelta::hours(2);

/// The state of one region's stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageState {
    Queued,
    Progressing,
    Paused,
    Verifying,
    Certified,
    Succeeded,
    Failed,
    RolledBack,
    Aborted,
}

impl StageState {
    pub fn label(self) -> &'static str {
        match self {
            StageState::Queued => "queued",
            StageState::Progressing => "progressing",
            StageState::Paused => "paused",
            StageState::Verifying => "verifying",
            StageState::Certified => "certified",
            StageState::Succeeded => "succeeded",
            StageState::Failed => "failed",
            StageState::RolledBack => "rolled back",
            StageState::Aborted => "aborted",
        }
    }

    /// One character for a lane cell.
    pub fn glyph(self) -> char {
        match self {
            StageState::Queued => '·',
            StageState::Progressing => '▶',
            StageState::Paused => '⏸',
            StageState::Verifying => '◎',
            StageState::Certified => '★',
            StageState::Succeeded => '✓',
            StageState::Failed => '✗',
            StageState::RolledBack => '↺',
            StageState::Aborted => '■',
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            StageState::Certified
                | StageState::Succeeded
                | StageState::Failed
                | StageState::RolledBack
                | StageState::Aborted
        )
    }

    pub fn is_bad(self) -> bool {
        matches!(
            self,
            StageState::Failed | StageState::RolledBack | StageState::Aborted
        )
    }

    pub fn is_good(self) -> bool {
        matches!(self, StageState::Certified | StageState::Succeeded)
    }
}

/// What a source said about a stage beyond its status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageNote {
    pub paused: bool,
    pub aborted: bool,
    pub verifying: bool,
    pub reason: Option<Text>,
    pub weight: Option<u8>,
    pub step: Option<(u32, u32)>,
}

/// Reads the stage vocabulary (see the module docs).
pub fn parse_stage(stage: Option<&str>) -> StageNote {
    let mut note = StageNote::default();
    let Some(s) = stage else { return note };
    let lower = s.to_ascii_lowercase();
    let (head, rest) = match s.split_once(':') {
        Some((h, r)) => (h.trim().to_ascii_lowercase(), Some(r)),
        None => (lower.trim().to_string(), None),
    };
    note.paused = head.starts_with("paused");
    note.aborted = head.starts_with("aborted");
    note.verifying =
        head.starts_with("verifying") || head.contains("canary") || head.contains("analysis");
    for word in lower.split_whitespace() {
        if let Some(w) = word.strip_prefix('@').and_then(|w| w.strip_suffix('%')) {
            note.weight = w.parse().ok();
        }
    }
    if let Some(i) = lower.find("step ") {
        let tail = &lower[i + 5..];
        let token = tail.split_whitespace().next().unwrap_or("");
        if let Some((a, b)) = token.split_once('/')
            && let (Ok(a), Ok(b)) = (a.parse(), b.parse())
        {
            note.step = Some((a, b));
        }
    }
    if let Some(r) = rest {
        // The reason ends where the weight or step annotations begin.
        let cut = [r.find(" @"), r.find(" step ")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(r.len());
        let reason = r[..cut].trim();
        if !reason.is_empty() {
            // Sources clean untrusted text where it enters (`util::text::sanitize`).
            note.reason = Some(Text::from(reason));
        }
    }
    note
}

/// Writes the stage vocabulary: `paused: reason @20% step 2/8`.
pub fn stage_label(
    state: StageState,
    reason: Option<&str>,
    weight: Option<u8>,
    step: Option<(u32, u32)>,
) -> String {
    let mut s = match state {
        StageState::Paused => "paused".to_string(),
        StageState::Aborted => "aborted".to_string(),
        StageState::Verifying => "verifying".to_string(),
        _ => "rollout".to_string(),
    };
    if let Some(r) = reason {
        s.push_str(": ");
        s.push_str(r);
    }
    if let Some(w) = weight {
        s.push_str(&format!(" @{w}%"));
    }
    if let Some((a, b)) = step {
        s.push_str(&format!(" step {a}/{b}"));
    }
    s
}

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

/// The region column for lines that name none.
pub const NO_REGION: &str = "production";

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
