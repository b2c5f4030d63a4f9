//! DORA performance tiers and the one table of thresholds behind them.

use chrono::TimeDelta;
use serde::Serialize;

/// Ordered from worst to best, so `min` finds the weakest link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Low,
    Medium,
    High,
    Elite,
}

impl Tier {
    /// "-" when there is no tier (no data).
    pub fn label_of(tier: Option<Tier>) -> &'static str {
        tier.map_or("-", Tier::label)
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::Elite => "elite",
            Tier::High => "high",
            Tier::Medium => "medium",
            Tier::Low => "low",
        }
    }
}

/// Thresholds for elite, high and medium; anything past medium is low.
#[derive(Debug, Clone)]
pub struct Benchmarks {
    pub name: &'static str,
    /// Deployment frequency: at least one deployment per this many days.
    pub frequency_days_per_deploy: [f64; 3],
    /// Lead time for changes: strictly less than.
    pub lead_time_under: [TimeDelta; 3],
    /// Change failure rate: at most this many percent.
    pub failure_rate_percent_at_most: [u32; 3],
    /// Time to restore: strictly less than.
    pub restore_under: [TimeDelta; 3],
}

/// The DORA 2023 clusters (DESIGN.md, metric definitions).
pub const DORA_2023: Benchmarks = Benchmarks {
    name: "DORA 2023",
    frequency_days_per_deploy: [1.0, 7.0, 30.0],
    lead_time_under: [TimeDelta::days(1), TimeDelta::days(7), TimeDelta::days(30)],
    failure_rate_percent_at_most: [5, 10, 15],
    restore_under: [TimeDelta::hours(1), TimeDelta::days(1), TimeDelta::days(7)],
};

const BEST_FIRST: [Tier; 3] = [Tier::Elite, Tier::High, Tier::Medium];

impl Benchmarks {
    /// `deployments` over `days`: compared as `deployments * k >= days` so that
    /// e.g. 4 in 28 days is exactly "one a week" with no rounding error.
    pub fn frequency(&self, deployments: u64, days: f64) -> Tier {
        if deployments == 0 {
            return Tier::Low;
        }
        let n = deployments as f64;
        tier_where(|i| n * self.frequency_days_per_deploy[i] >= days)
    }

    pub fn lead_time(&self, median_ms: f64) -> Tier {
        tier_where(|i| median_ms < self.lead_time_under[i].num_milliseconds() as f64)
    }

    /// Compared in integers: `failed * 100 <= percent * deployments`.
    pub fn failure_rate(&self, failed: u64, deployments: u64) -> Option<Tier> {
        if deployments == 0 {
            return None;
        }
        Some(tier_where(|i| {
            failed * 100 <= u64::from(self.failure_rate_percent_at_most[i]) * deployments
        }))
    }

    pub fn restore(&self, median_ms: f64) -> Tier {
        tier_where(|i| median_ms < self.restore_under[i].num_milliseconds() as f64)
    }
}

fn tier_where(meets: impl Fn(usize) -> bool) -> Tier {
    (0..3)
        .find(|&i| meets(i))
        .map_or(Tier::Low, |i| BEST_FIRST[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: f64 = 86_400_000.0;

    #[test]
    fn frequency_bounds_are_inclusive() {
        let b = &DORA_2023;
        assert_eq!(b.frequency(0, 30.0), Tier::Low);
        assert_eq!(b.frequency(30, 30.0), Tier::Elite);
        assert_eq!(b.frequency(29, 30.0), Tier::High);
        assert_eq!(b.frequency(4, 28.0), Tier::High);
        assert_eq!(b.frequency(3, 28.0), Tier::Medium);
        assert_eq!(b.frequency(1, 30.0), Tier::Medium);
        assert_eq!(b.frequency(1, 31.0), Tier::Low);
    }

    #[test]
    fn lead_time_bounds_are_exclusive() {
        let b = &DORA_2023;
        assert_eq!(b.lead_time(DAY_MS - 1.0), Tier::Elite);
        assert_eq!(b.lead_time(DAY_MS), Tier::High);
        assert_eq!(b.lead_time(7.0 * DAY_MS), Tier::Medium);
        assert_eq!(b.lead_time(30.0 * DAY_MS), Tier::Low);
    }

    #[test]
    fn failure_rate_bounds_are_inclusive() {
        let b = &DORA_2023;
        assert_eq!(b.failure_rate(0, 0), None);
        assert_eq!(b.failure_rate(1, 20), Some(Tier::Elite));
        assert_eq!(b.failure_rate(2, 20), Some(Tier::High));
        assert_eq!(b.failure_rate(3, 20), Some(Tier::Medium));
        assert_eq!(b.failure_rate(4, 20), Some(Tier::Low));
    }

    #[test]
    fn restore_bounds_are_exclusive() {
        let b = &DORA_2023;
        assert_eq!(b.restore(3_599_999.0), Tier::Elite);
        assert_eq!(b.restore(3_600_000.0), Tier::High);
        assert_eq!(b.restore(DAY_MS), Tier::Medium);
        assert_eq!(b.restore(7.0 * DAY_MS), Tier::Low);
    }

    #[test]
    fn worst_tier_is_the_minimum() {
        assert_eq!(
            [Tier::Elite, Tier::Low, Tier::High].iter().min(),
            Some(&Tier::Low)
        );
    }
}
