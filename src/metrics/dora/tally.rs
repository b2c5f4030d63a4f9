//! One team's (or the organisation's) counts in a window, before medians
//! and tiers, and the metrics they make.

use super::{
    ChangeFailureRate, Frequency, LeadStats, LeadTime, ReworkRate, TeamMetrics, TimeToRestore,
    median_ms, ratio,
};
use crate::metrics::gates::{Gates, Millis};
use crate::metrics::tiers::Benchmarks;

/// Lead-time statistics of counted changes' leads: the median of the leads
/// that are not negative, and how many were.
pub(super) fn lead_stats(leads: &[Millis]) -> LeadStats {
    let mut stats = LeadStats::default();
    // A commit even a microsecond after its deployment is skewed (as in the
    // detail), not a zero lead: `millis` keeps such a lead negative.
    let mut kept: Vec<i64> = leads.iter().copied().filter(|&l| l >= 0).collect();
    stats.skewed = (leads.len() - kept.len()) as u64;
    stats.changes = kept.len() as u64;
    stats.median_ms = median_ms(&mut kept);
    stats
}

/// One team's counts in a window, before medians and tiers.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    /// The counted changes' leads that are not negative, in milliseconds, sorted.
    pub(super) sorted_leads: std::sync::Arc<[i64]>,
    pub(super) deployed: u64,
    pub(super) failed: u64,
    pub(super) rework: u64,
    pub(super) lead: LeadStats,
    /// Restore times in milliseconds.
    pub(super) restores: Vec<i64>,
    pub(super) open: u64,
    pub(super) gates: Gates,
}

impl Tally {
    /// `graded`: whether the team has any record to grade; a team no record
    /// names yet (a configured team nothing reported on) has no tier at all.
    pub(super) fn metrics(mut self, days: f64, bench: &Benchmarks, graded: bool) -> TeamMetrics {
        let lead_median = self.lead.median_ms;
        let restore_median = median_ms(&mut self.restores);
        TeamMetrics {
            deployment_frequency: Frequency {
                deployments: self.deployed,
                per_day: if days > 0.0 {
                    self.deployed as f64 / days
                } else {
                    0.0
                },
                tier: graded.then(|| bench.frequency(self.deployed, days)),
            },
            lead_time: LeadTime {
                median_seconds: lead_median.map(|m| m / 1000.0),
                changes: self.lead.changes,
                skewed: self.lead.skewed,
                tier: lead_median.map(|m| bench.lead_time(m)),
            },
            change_failure_rate: ChangeFailureRate {
                failed: self.failed,
                deployments: self.deployed,
                rate: ratio(self.failed, self.deployed),
                tier: bench.failure_rate(self.failed, self.deployed),
            },
            time_to_restore: TimeToRestore {
                median_seconds: restore_median.map(|m| m / 1000.0),
                incidents: self.restores.len() as u64,
                open: self.open,
                tier: restore_median.map(|m| bench.restore(m)),
            },
            rework_rate: ReworkRate {
                rework: self.rework,
                deployments: self.deployed,
                rate: ratio(self.rework, self.deployed),
                tier: bench.rework(self.rework, self.deployed),
            },
            gates: self.gates,
        }
    }
}
