//! The gates (DESIGN.md "The gates: how much governance impedes"): code review
//! (gate 1), the certification of the regional canary (gate 2) and batch size.
//!
//! Two kinds of rule live here, both pure: what one record says (a deployment's
//! certification time, its batch size), which `dora::Facts` keeps per deployment
//! batch by batch, and the aggregates over one team's window ([`Gates::of`]),
//! which the facts evaluate from the same slices as lead time and frequency.

use chrono::TimeDelta;
use serde::Serialize;

use crate::model::Time;
use crate::model::records::ChangeRecord;
use crate::model::records::Deployment;
use crate::model::settings::Settings;

use super::stats::median_ms;

/// The canary region when the config names no region (DESIGN.md).
pub const DEFAULT_CANARY_REGION: &str = "us-east-1";

/// The region whose canary certifies a deployment: the config's first region.
pub fn canary_region(settings: &Settings) -> &str {
    settings
        .regions
        .first()
        .map_or(DEFAULT_CANARY_REGION, |r| &**r)
}

/// The time of a deployment's first production line (any status) in `region`.
pub fn first_in_region(dep: &Deployment, region: &str, settings: &Settings) -> Option<Time> {
    dep.events
        .iter()
        .filter(|e| e.region.as_deref() == Some(region))
        .filter(|e| settings.is_production(e.environment.as_deref()))
        .map(|e| e.time)
        .min()
}

/// Certification time: the first `pass` in the canary region minus the first
/// production line there; `None` unless both exist. May be negative (clocks
/// disagree): the aggregate leaves such a value out, the detail shows it.
pub fn certification(first_line: Option<Time>, first_pass: Option<Time>) -> Option<TimeDelta> {
    Some(first_pass? - first_line?)
}

/// Review wait and review time of one change, when it carries the fields.
pub fn review_wait(c: &ChangeRecord) -> Option<TimeDelta> {
    Some(c.first_review? - c.opened?)
}

pub fn review_time(c: &ChangeRecord) -> Option<TimeDelta> {
    Some(c.merged? - c.opened?)
}

/// No value, in a [`Millis`].
pub const NO_MS: i64 = i64::MIN;

/// A span kept in the per-team arrays: milliseconds, [`NO_MS`] for none, and a
/// negative value for a negative span even when it is under a millisecond (the
/// sign decides "skewed" before any rounding, as for lead time).
pub type Millis = i64;

pub fn millis(d: Option<TimeDelta>) -> Millis {
    match d {
        None => NO_MS,
        Some(d) if d < TimeDelta::zero() => d.num_milliseconds().clamp(NO_MS + 1, -1),
        Some(d) => d.num_milliseconds(),
    }
}

/// One counted change as the review rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewSample {
    /// It carries `opened`.
    pub opened: bool,
    pub wait: Millis,
    pub time: Millis,
}

impl ReviewSample {
    pub fn of(c: &ChangeRecord) -> Self {
        Self {
            opened: c.opened.is_some(),
            wait: millis(review_wait(c)),
            time: millis(review_time(c)),
        }
    }
}

/// One counted deployment as the batch and certification rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSample {
    pub size: u32,
    pub failed: bool,
    /// Its certification time (negative ones included).
    pub certification: Millis,
}

/// `review` in the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Review {
    pub median_wait_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
    /// Counted changes that carry `opened`.
    pub changes: u64,
    /// Waits, and review times, left out as negative (not in the JSON shape).
    #[serde(skip)]
    pub skewed_waits: u64,
    #[serde(skip)]
    pub skewed_times: u64,
}

/// `certification` in the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Certification {
    pub median_seconds: Option<f64>,
    /// Counted deployments whose certification time is in the median.
    pub deployments: u64,
    /// Left out as negative (not in the JSON shape).
    #[serde(skip)]
    pub skewed: u64,
}

/// `batch` in the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Batch {
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub small_failure_rate: Option<f64>,
    pub large_failure_rate: Option<f64>,
    /// Counted deployments with size <= median, and > median (not in the JSON shape).
    #[serde(skip)]
    pub small: u64,
    #[serde(skip)]
    pub large: u64,
}

/// One team's gates over one window; field names are the JSON report's.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Gates {
    pub review: Review,
    pub certification: Certification,
    pub batch: Batch,
}

impl Gates {
    /// The gates over the counted changes and the counted deployments of a
    /// team's window.
    pub fn of(changes: &[ReviewSample], deployments: &[BatchSample]) -> Self {
        Self {
            review: review(changes),
            certification: certify(deployments.iter().map(|d| d.certification)),
            batch: batch(deployments),
        }
    }
}

/// The values present and not negative; the negative ones are counted.
fn split_skewed(values: impl IntoIterator<Item = Millis>) -> (Vec<i64>, u64) {
    let mut kept = Vec::new();
    let mut skewed = 0;
    for v in values {
        if v == NO_MS {
            continue;
        }
        if v < 0 {
            skewed += 1;
        } else {
            kept.push(v);
        }
    }
    (kept, skewed)
}

fn seconds(mut ms: Vec<i64>) -> Option<f64> {
    median_ms(&mut ms).map(|m| m / 1000.0)
}

/// Review wait and review time over the changes; a negative value is left out
/// of its own measure only.
pub fn review(changes: &[ReviewSample]) -> Review {
    let carrying = changes.iter().filter(|c| c.opened).count() as u64;
    let (waits, skewed_waits) = split_skewed(changes.iter().map(|c| c.wait));
    let (times, skewed_times) = split_skewed(changes.iter().map(|c| c.time));
    Review {
        median_wait_seconds: seconds(waits),
        median_seconds: seconds(times),
        changes: carrying,
        skewed_waits,
        skewed_times,
    }
}

/// The median certification time over the deployments that have one.
pub fn certify(values: impl IntoIterator<Item = Millis>) -> Certification {
    let (kept, skewed) = split_skewed(values);
    Certification {
        deployments: kept.len() as u64,
        median_seconds: seconds(kept),
        skewed,
    }
}

/// The 90th percentile by nearest rank: the value at rank ceil(0.9 n) of the
/// sorted values (1-based).
pub fn p90_nearest_rank(values: &[u32]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    // ceil(9n / 10) without floating point.
    let rank = (9 * n).div_ceil(10);
    sorted.get(rank.checked_sub(1)?).map(|&v| f64::from(v))
}

/// Median and p90 of the batch sizes, and the failure rate of batches at or
/// below the median (small) and above it (large).
pub fn batch(deployments: &[BatchSample]) -> Batch {
    let sizes: Vec<u32> = deployments.iter().map(|d| d.size).collect();
    let mut as_i64: Vec<i64> = sizes.iter().map(|&s| i64::from(s)).collect();
    let Some(median) = median_ms(&mut as_i64) else {
        return Batch::default();
    };
    let (mut small, mut large, mut small_failed, mut large_failed) = (0u64, 0u64, 0u64, 0u64);
    for d in deployments {
        if f64::from(d.size) <= median {
            small += 1;
            small_failed += u64::from(d.failed);
        } else {
            large += 1;
            large_failed += u64::from(d.failed);
        }
    }
    let rate = |failed: u64, n: u64| (n > 0).then(|| failed as f64 / n as f64);
    Batch {
        median: Some(median),
        p90: p90_nearest_rank(&sizes),
        small_failure_rate: rate(small_failed, small),
        large_failure_rate: rate(large_failed, large),
        small,
        large,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(size: u32, failed: bool) -> BatchSample {
        BatchSample {
            size,
            failed,
            certification: NO_MS,
        }
    }

    #[test]
    fn a_span_a_microsecond_early_is_negative_not_zero() {
        assert_eq!(millis(Some(TimeDelta::microseconds(-1))), -1);
        assert_eq!(millis(Some(TimeDelta::microseconds(1))), 0);
        assert_eq!(millis(None), NO_MS);
        assert_eq!(millis(Some(TimeDelta::seconds(-3))), -3000);
    }

    #[test]
    fn p90_is_the_nearest_rank() {
        // n = 10: rank 9; n = 11: rank ceil(9.9) = 10; n = 1: rank 1.
        let ten: Vec<u32> = (1..=10).collect();
        assert_eq!(p90_nearest_rank(&ten), Some(9.0));
        let eleven: Vec<u32> = (1..=11).rev().collect();
        assert_eq!(p90_nearest_rank(&eleven), Some(10.0));
        assert_eq!(p90_nearest_rank(&[7]), Some(7.0));
        assert_eq!(p90_nearest_rank(&[]), None);
        // n = 4: rank ceil(3.6) = 4, the largest.
        assert_eq!(p90_nearest_rank(&[1, 1, 2, 50]), Some(50.0));
    }

    #[test]
    fn batches_at_the_median_are_small_and_none_large_is_null() {
        let b = batch(&[sample(3, true), sample(3, false), sample(3, false)]);
        assert_eq!(b.median, Some(3.0));
        assert_eq!(b.p90, Some(3.0));
        assert_eq!(b.small_failure_rate, Some(1.0 / 3.0));
        assert_eq!(b.large_failure_rate, None);
        assert_eq!((b.small, b.large), (3, 0));
    }

    #[test]
    fn an_even_count_splits_at_the_mean_of_the_middle_two() {
        // sizes 1 2 4 9: median 3; small = {1, 2} (one failed), large = {4, 9} (both failed).
        let b = batch(&[
            sample(9, true),
            sample(1, false),
            sample(4, true),
            sample(2, true),
        ]);
        assert_eq!(b.median, Some(3.0));
        assert_eq!(b.p90, Some(9.0));
        assert_eq!(b.small_failure_rate, Some(0.5));
        assert_eq!(b.large_failure_rate, Some(1.0));
    }

    #[test]
    fn no_deployments_no_batch_numbers() {
        assert_eq!(batch(&[]), Batch::default());
        let c = certify([NO_MS, NO_MS]);
        assert_eq!((c.median_seconds, c.deployments), (None, 0));
    }

    #[test]
    fn negative_certification_times_are_left_out() {
        let c = certify([
            millis(Some(TimeDelta::minutes(10))),
            millis(Some(TimeDelta::minutes(-5))),
            NO_MS,
            millis(Some(TimeDelta::minutes(30))),
        ]);
        assert_eq!(c.median_seconds, Some(1200.0));
        assert_eq!((c.deployments, c.skewed), (2, 1));
    }
}
