//! DORA performance tiers, graded with a benchmark set (`model::benchmarks`
//! holds the sets as data).

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

pub use crate::model::benchmarks::{
    BUILT_IN, Benchmarks, DORA_2021, DORA_2023, DORA_2024, DORA_2025, Framing,
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

    /// Compared without dividing: `failed * 100 <= percent * deployments`.
    pub fn failure_rate(&self, failed: u64, deployments: u64) -> Option<Tier> {
        percent_tier(&self.failure_rate_percent_at_most, failed, deployments)
    }

    /// `None` when the set does not grade rework rate, or nothing was deployed.
    pub fn rework(&self, rework: u64, deployments: u64) -> Option<Tier> {
        percent_tier(self.rework_percent_at_most.as_ref()?, rework, deployments)
    }

    pub fn restore(&self, median_ms: f64) -> Tier {
        tier_where(|i| median_ms < self.restore_under[i].num_milliseconds() as f64)
    }
}

fn percent_tier(at_most: &[f64; 3], part: u64, whole: u64) -> Option<Tier> {
    (whole > 0).then(|| tier_where(|i| part as f64 * 100.0 <= at_most[i] * whole as f64))
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
