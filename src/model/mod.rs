//! Domain records, the common language every source parses into, and the
//! messages between the layers. May use `util` only.
//!
//! These mirror event schema v1 in DESIGN.md. Strings are `Arc<str>` so that the
//! snapshot handed to the UI can share them with the store without copying.

pub mod benchmarks;
pub mod canary;
pub mod colours;
pub mod contracts;
pub mod diagnostics;
pub mod event_counts;
pub mod findings_policy;
pub mod frameworks;
pub mod id_index;
pub mod prepared;
pub mod record_parts;
pub mod records;
pub mod remote;
pub mod segmented;
pub mod settings;
pub mod shard;
pub mod shard_ingest;
pub mod source_update;
pub mod stage;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A point in time, always UTC.
pub type Time = DateTime<Utc>;

/// Shared, immutable text.
pub type Text = Arc<str>;

/// A record's own id (a change's, a deployment's): kept inline when it is
/// short, as most are (`c0000471`, `4711`), so a million of them are not a
/// million allocations, and an id lookup compares the record's bytes without
/// following another pointer. Longer ids (a commit's 40 hex digits) are on
/// the heap.
pub type Id = compact_str::CompactString;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployStatus {
    Pending,
    InProgress,
    Success,
    Failure,
    RolledBack,
}

impl DeployStatus {
    /// A status that ends a deployment stage (counts for `T_done`).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Success | Self::Failure | Self::RolledBack)
    }

    /// A status that marks the deployment as failed.
    pub fn is_failed(self) -> bool {
        matches!(self, Self::Failure | Self::RolledBack)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Success => "success",
            Self::Failure => "failure",
            Self::RolledBack => "rolled_back",
        }
    }

    /// In words, for a screen: `rolled back` rather than `rolled_back`.
    pub fn words(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in progress",
            Self::Success => "succeeded",
            Self::Failure => "failure",
            Self::RolledBack => "rolled back",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Info => "info",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Open,
    Resolved,
    Suppressed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Marginal,
    Fail,
}

/// A code change (commit or merged pull request).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub id: Id,
    pub service: Text,
    /// Commit time.
    pub time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    /// When it was ready for review (gate 1 starts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opened: Option<Time>,
    /// When a reviewer first responded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_review: Option<Time>,
    /// When it was merged (gate 1 passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged: Option<Time>,
    /// Lines added plus lines deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
    /// The id of the change this one reverts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverts: Option<Text>,
}

/// One line of a deployment: a stage, region or status update of deployment `id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentEvent {
    pub id: Id,
    pub service: Text,
    pub time: Time,
    pub status: DeployStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Text>,
    /// `None` means production (the schema's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Id>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hotfix: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
}

/// An incident; several lines with one id merge in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: Text,
    pub service: Text,
    pub opened: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Time>,
    /// Explicit attribution to a deployment id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
}

/// An audit finding; several lines with one id merge in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: Text,
    pub severity: Severity,
    pub status: FindingStatus,
    pub opened: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    /// What the scanner formats (SARIF, ASFF, OCSF, Trivy) add; `None` for event lines.
    #[serde(skip)]
    pub detail: Option<Arc<FindingDetail>>,
}

/// The parts of a finding only the scanner formats carry: where it is, what it
/// breaks and how to fix it. All text is sanitised where it is read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FindingDetail {
    /// The resource: an ARN, an image, a package, a cloud resource id.
    pub resource: Option<Text>,
    /// The resource type (e.g. `AwsS3Bucket`, `Container`, `os-pkgs`).
    pub resource_type: Option<Text>,
    /// Resource tags as `key=value`.
    pub resource_tags: Vec<Text>,
    /// A file path (with `:line` when known).
    pub location: Option<Text>,
    /// The repository the scan ran on, when the format says.
    pub repository: Option<Text>,
    pub region: Option<Text>,
    pub description: Option<Text>,
    pub remediation: Option<Text>,
    pub remediation_url: Option<Text>,
    /// A stable identity across scans (SARIF fingerprints, Trivy fingerprints).
    pub fingerprint: Option<Text>,
    /// Tags such as `CWE-79`, `security`.
    pub tags: Vec<Text>,
    /// The format it was read from: `sarif`, `asff`, `ocsf`, `trivy`.
    pub format: Option<Text>,
}

/// A canary analysis result for one deployment in one region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanaryResult {
    pub deployment: Text,
    pub region: Text,
    pub time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_error_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_p99_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// Anything a source can report. Incident and finding lines with an id seen
/// before are updates: see [`Incident::merge`] and [`Finding::merge`].
///
/// Serialized, an event is its schema v1 line's object: `type` names the
/// variant, absent optional fields are left out (see `sources::events::to_line`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Event {
    Change(Change),
    Deployment(DeploymentEvent),
    Incident(Incident),
    Finding(Finding),
    Canary(CanaryResult),
    /// Scorecards read back from the exporters (the `scorecards` source): each
    /// read replaces the previous one from the same origin.
    Scorecards(std::sync::Arc<remote::RemoteScorecards>),
    /// A step of a contract change (the three-step dance).
    Contract(contracts::ContractEvent),
    /// A release of a component of the standard account stack.
    Standard(contracts::StandardRelease),
    /// A component version an account applied.
    Baseline(contracts::Baseline),
}

impl Event {
    /// The time the event happened, used to order a live stream.
    pub fn time(&self) -> Time {
        match self {
            Event::Change(c) => c.time,
            Event::Deployment(d) => d.time,
            Event::Incident(i) => i.resolved.unwrap_or(i.opened).max(i.opened),
            Event::Finding(f) => f.resolved.unwrap_or(f.opened).max(f.opened),
            Event::Canary(c) => c.time,
            Event::Scorecards(s) => s.read_at,
            Event::Contract(c) => c.time,
            Event::Standard(s) => s.time,
            Event::Baseline(b) => b.time,
        }
    }
}

/// Later line wins for every field it carries; a field it leaves out keeps its value.
fn keep_or_take<T>(slot: &mut Option<T>, newer: Option<T>) {
    if newer.is_some() {
        *slot = newer;
    }
}

impl Incident {
    pub fn merge(&mut self, newer: Incident) {
        self.service = newer.service;
        self.opened = newer.opened;
        keep_or_take(&mut self.team, newer.team);
        keep_or_take(&mut self.resolved, newer.resolved);
        keep_or_take(&mut self.deployment, newer.deployment);
        keep_or_take(&mut self.severity, newer.severity);
        keep_or_take(&mut self.title, newer.title);
        keep_or_take(&mut self.url, newer.url);
    }
}

impl Finding {
    pub fn merge(&mut self, newer: Finding) {
        self.severity = newer.severity;
        self.status = newer.status;
        self.opened = newer.opened;
        keep_or_take(&mut self.team, newer.team);
        keep_or_take(&mut self.account, newer.account);
        keep_or_take(&mut self.service, newer.service);
        keep_or_take(&mut self.resolved, newer.resolved);
        keep_or_take(&mut self.title, newer.title);
        keep_or_take(&mut self.rule, newer.rule);
        if !newer.frameworks.is_empty() {
            self.frameworks = newer.frameworks;
        }
        keep_or_take(&mut self.tool, newer.tool);
        keep_or_take(&mut self.url, newer.url);
        keep_or_take(&mut self.detail, newer.detail);
    }
}

impl Change {
    pub fn merge(&mut self, newer: Change) {
        self.service = newer.service;
        self.time = newer.time;
        keep_or_take(&mut self.team, newer.team);
        keep_or_take(&mut self.title, newer.title);
        keep_or_take(&mut self.author, newer.author);
        keep_or_take(&mut self.url, newer.url);
        keep_or_take(&mut self.opened, newer.opened);
        keep_or_take(&mut self.first_review, newer.first_review);
        keep_or_take(&mut self.merged, newer.merged);
        keep_or_take(&mut self.lines, newer.lines);
        keep_or_take(&mut self.reverts, newer.reverts);
    }
}
