//! Weekly series for the charts (DESIGN.md, "Weekly series"): 12 buckets of 7
//! days ending at the window's end, each computed with the window rules.

use chrono::TimeDelta;

use super::dora::{Facts, TeamMetrics, Window};
use super::tiers::Benchmarks;
use crate::model::records::Records;
use crate::model::{Text, Time};

/// How many weekly buckets a series has.
pub const WEEKS: usize = 12;

/// The length of one bucket.
pub const WEEK: TimeDelta = TimeDelta::days(7);

/// The [`WEEKS`] weeks ending at `end`, oldest first: the last is `[end - 7d, end)`.
pub fn week_windows(end: Time) -> Vec<Window> {
    (0..WEEKS)
        .rev()
        .map(|back| Window::ending(end - WEEK * back as i32, WEEK))
        .collect()
}

/// One team's metrics week by week.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklySeries {
    pub team: Text,
    /// Oldest first.
    pub weeks: Vec<Window>,
    /// One per week, same order.
    pub metrics: Vec<TeamMetrics>,
}

impl WeeklySeries {
    /// `team`'s series ending at `end`; `None` when nothing names the team.
    pub fn of(
        facts: &Facts,
        records: &Records,
        team: &str,
        end: Time,
        bench: &Benchmarks,
    ) -> Option<Self> {
        let weeks = week_windows(end);
        let metrics = facts.team_windows(records, team, &weeks, bench)?;
        Some(Self {
            team: Text::from(team),
            weeks,
            metrics,
        })
    }

    /// The value of `metric` in each week (`None`: no data that week).
    pub fn values(&self, metric: KeyMetric) -> Vec<Option<f64>> {
        self.metrics.iter().map(|m| metric.value(m)).collect()
    }

    /// The week containing `t`, if any.
    pub fn week_of(&self, t: Time) -> Option<usize> {
        self.weeks.iter().position(|w| w.contains(t))
    }
}

/// The metrics a chart draws, each in the unit it is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyMetric {
    /// Deployments in the bucket (a count, not per day).
    Deployments,
    /// Median lead time, hours.
    LeadTime,
    /// Change failure rate, percent.
    FailureRate,
    /// Median time to restore, hours.
    TimeToRestore,
    /// Rework rate, percent.
    ReworkRate,
}

impl KeyMetric {
    pub const ALL: [KeyMetric; 5] = [
        KeyMetric::Deployments,
        KeyMetric::LeadTime,
        KeyMetric::FailureRate,
        KeyMetric::TimeToRestore,
        KeyMetric::ReworkRate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            KeyMetric::Deployments => "deployments",
            KeyMetric::LeadTime => "lead time",
            KeyMetric::FailureRate => "change failure rate",
            KeyMetric::TimeToRestore => "time to restore",
            KeyMetric::ReworkRate => "rework rate",
        }
    }

    /// The unit of [`KeyMetric::value`].
    pub fn unit(self) -> &'static str {
        match self {
            KeyMetric::Deployments => "per week",
            KeyMetric::LeadTime | KeyMetric::TimeToRestore => "hours",
            KeyMetric::FailureRate | KeyMetric::ReworkRate => "%",
        }
    }

    /// Whether a larger value is better for the team.
    pub fn higher_is_better(self) -> bool {
        self == KeyMetric::Deployments
    }

    /// The value in this metric's unit; `None` where the window has no data.
    pub fn value(self, m: &TeamMetrics) -> Option<f64> {
        match self {
            KeyMetric::Deployments => m
                .deployment_frequency
                .tier
                .map(|_| m.deployment_frequency.deployments as f64),
            KeyMetric::LeadTime => m.lead_time.median_seconds.map(|s| s / 3600.0),
            KeyMetric::FailureRate => m.change_failure_rate.rate.map(|r| r * 100.0),
            KeyMetric::TimeToRestore => m.time_to_restore.median_seconds.map(|s| s / 3600.0),
            KeyMetric::ReworkRate => m.rework_rate.rate.map(|r| r * 100.0),
        }
    }
}

impl KeyMetric {
    /// The set's elite, high and medium thresholds in this metric's unit
    /// (deployments a week, hours, percent); `None` when the set does not
    /// grade the metric.
    pub fn bands(self, bench: &Benchmarks) -> Option<[f64; 3]> {
        let hours = |d: [TimeDelta; 3]| d.map(|d| d.num_seconds() as f64 / 3600.0);
        match self {
            KeyMetric::Deployments => Some(bench.frequency_days_per_deploy.map(|d| 7.0 / d)),
            KeyMetric::LeadTime => Some(hours(bench.lead_time_under)),
            KeyMetric::FailureRate => Some(bench.failure_rate_percent_at_most),
            KeyMetric::TimeToRestore => Some(hours(bench.restore_under)),
            KeyMetric::ReworkRate => bench.rework_percent_at_most,
        }
    }

    /// The comparison a band means: "≥" for deployments, "<" for times, "≤" for rates.
    pub fn band_sign(self) -> &'static str {
        match self {
            KeyMetric::Deployments => "≥",
            KeyMetric::LeadTime | KeyMetric::TimeToRestore => "<",
            KeyMetric::FailureRate | KeyMetric::ReworkRate => "≤",
        }
    }
}

/// The top of a chart's value axis: the data with some headroom, and the
/// nearest band above the data when it is not far off (within four times the
/// largest value: the line the team is to cross). At least 1.
pub fn axis_top(values: &[Option<f64>], bands: Option<[f64; 3]>) -> f64 {
    let top = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let near_band = bands
        .into_iter()
        .flatten()
        .filter(|&b| b > top && (top == 0.0 || b <= top * 4.0))
        .fold(f64::INFINITY, f64::min);
    let mut upper = (top * 1.15).max(1.0);
    if near_band.is_finite() {
        upper = upper.max(near_band * 1.1);
    }
    upper
}

/// Findings open at the end of each of the [`WEEKS`] weeks ending at `end`,
/// by severity (critical first, as `Severity` orders them), oldest week
/// first. Open at a time: opened before it and not resolved before it; a
/// suppressed finding is not counted (it is not open work).
pub fn open_findings_by_week<'a>(
    findings: impl IntoIterator<Item = &'a crate::model::Finding>,
    end: Time,
) -> [Vec<u64>; 5] {
    use crate::model::{FindingStatus, Severity};
    let ends: Vec<Time> = week_windows(end).iter().map(|w| w.end).collect();
    let mut out: [Vec<u64>; 5] = std::array::from_fn(|_| vec![0; WEEKS]);
    for f in findings {
        if f.status == FindingStatus::Suppressed {
            continue;
        }
        let row = match f.severity {
            Severity::Critical => 0,
            Severity::High => 1,
            Severity::Medium => 2,
            Severity::Low => 3,
            Severity::Info => 4,
        };
        for (k, &e) in ends.iter().enumerate() {
            if super::dora::is_open_at(f.opened, f.resolved, e) {
                out[row][k] += 1;
            }
        }
    }
    out
}

/// Deployments per week of every team (in `facts.teams` order), for the
/// Overview's sparklines.
pub fn weekly_deployments(facts: &Facts, end: Time) -> Vec<Vec<u64>> {
    facts.deployments_in(&week_windows(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_axis_reaches_the_band_the_data_is_near() {
        // Lead time 6 h against the 24 h elite band: the band is drawn.
        assert!(axis_top(&[Some(6.0), None], Some([24.0, 168.0, 720.0])) > 24.0);
        // 2 h is far under 24 h (more than four times): the data keeps the scale.
        assert!(axis_top(&[Some(2.0)], Some([24.0, 168.0, 720.0])) < 24.0);
        assert_eq!(axis_top(&[None], None), 1.0);
    }

    #[test]
    fn twelve_weeks_end_at_the_end_and_touch() {
        let end = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();
        let weeks = week_windows(end);
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks[11].end, end);
        assert_eq!(
            weeks[0].start,
            Utc.with_ymd_and_hms(2024, 1, 8, 0, 0, 0).unwrap()
        );
        for pair in weeks.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert_eq!(pair[0].length(), WEEK);
        }
    }
}
