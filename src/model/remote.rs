//! Scorecards read back from a Prometheus-compatible engine (the `scorecards`
//! source): what `flightdeck serve` shards exported, as numbers per team and
//! window, with no records behind them. `metrics::dora::remote` turns them into
//! scorecards; the series names here are the exposition's (`report::openmetrics`,
//! a test keeps the two lists in step).

use super::{Text, Time};

/// The per-team, per-window series the source reads (`team` and `window` labels).
pub const WINDOW_SERIES: &[&str] = &[
    "flightdeck_team_deployments",
    "flightdeck_team_deployment_frequency_per_day",
    "flightdeck_team_lead_time_median_seconds",
    "flightdeck_team_lead_time_changes",
    "flightdeck_team_lead_time_skewed_changes",
    "flightdeck_team_change_failure_ratio",
    "flightdeck_team_failed_deployments",
    "flightdeck_team_time_to_restore_median_seconds",
    "flightdeck_team_restored_incidents",
    "flightdeck_team_rework_ratio",
    "flightdeck_team_rework_deployments",
    "flightdeck_team_review_wait_median_seconds",
    "flightdeck_team_review_time_median_seconds",
    "flightdeck_team_reviewed_changes",
    "flightdeck_team_certification_median_seconds",
    "flightdeck_team_certified_deployments",
    "flightdeck_team_batch_size_median",
    "flightdeck_team_batch_size_p90",
    "flightdeck_team_small_batch_failure_ratio",
    "flightdeck_team_large_batch_failure_ratio",
    "flightdeck_team_small_batches",
    "flightdeck_team_large_batches",
];

/// The tier levels per key metric and team (`metric` label; low 1 .. elite 4).
pub const TIER_LEVEL: &str = "flightdeck_team_tier_level";
/// Incidents open now (`team`).
pub const OPEN_INCIDENTS: &str = "flightdeck_team_open_incidents";
/// Open findings (`team`, `severity`).
pub const OPEN_FINDINGS: &str = "flightdeck_team_open_findings";
/// Organisation-wide, from shard 1.
pub const UNATTRIBUTED: &str = "flightdeck_unattributed_incidents";
/// Each exporter's `shard`, `shards` and `version`.
pub const INFO: &str = "flightdeck_info";

/// One read of the organisation's scorecards.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RemoteScorecards {
    /// Where they came from (the source's URL, without credentials).
    pub origin: Text,
    /// When they were read.
    pub read_at: Time,
    /// How many shards the exporters say there are (0: no `flightdeck_info`).
    pub shards: u32,
    /// Incidents attributed to no deployment (shard 1's), when served.
    pub unattributed_incidents: Option<u64>,
    /// Sorted by team name, each team once.
    pub teams: Vec<RemoteTeam>,
}

/// One team as the exporters serve it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RemoteTeam {
    pub team: Text,
    /// The scrape target that serves it (Prometheus' `instance` label).
    pub instance: Text,
    /// The shard that serves it (from the exporter's `flightdeck_info`; 0 unknown).
    pub shard: u32,
    /// One per window the exporters computed (7, 30, 90 days).
    pub windows: Vec<RemoteWindow>,
    pub open_incidents: u64,
    /// Open findings: critical, high, medium, low, info.
    pub open_findings: [u64; 5],
}

/// One team's numbers over one window.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct RemoteWindow {
    pub days: i64,
    /// By series name (one of [`WINDOW_SERIES`]); a number without data is absent.
    pub values: Vec<(&'static str, f64)>,
    /// Tier levels (low 1 .. elite 4) by `metric` label: `team` and the four key metrics.
    pub tiers: Vec<(Text, f64)>,
}

impl RemoteWindow {
    pub fn value(&self, series: &str) -> Option<f64> {
        self.values
            .iter()
            .find(|(name, _)| *name == series)
            .map(|(_, v)| *v)
    }

    pub fn tier_level(&self, metric: &str) -> Option<f64> {
        self.tiers
            .iter()
            .find(|(m, _)| &**m == metric)
            .map(|(_, v)| *v)
    }
}

impl RemoteScorecards {
    pub fn team(&self, name: &str) -> Option<&RemoteTeam> {
        self.teams
            .binary_search_by(|t| (*t.team).cmp(name))
            .ok()
            .map(|i| &self.teams[i])
    }
}
