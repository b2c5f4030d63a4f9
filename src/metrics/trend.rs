//! Trend of a metric against the previous window, oriented so that `Better`
//! always means better for the team (fewer minutes to restore is better).

use super::dora::TeamMetrics;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Better,
    Worse,
    Same,
    /// One of the two windows has no data.
    Unknown,
}

/// Trends of the four key metrics, in display order.
pub fn key_trends(current: &TeamMetrics, previous: &TeamMetrics) -> [Trend; 4] {
    [
        // A frequency without a tier has no data (no record at all, or a
        // team read back from the exporters, which serve no previous window).
        compare(frequency(current), frequency(previous), true),
        compare(
            current.lead_time.median_seconds,
            previous.lead_time.median_seconds,
            false,
        ),
        compare(
            current.change_failure_rate.rate,
            previous.change_failure_rate.rate,
            false,
        ),
        compare(
            current.time_to_restore.median_seconds,
            previous.time_to_restore.median_seconds,
            false,
        ),
    ]
}

/// The rework rate's trend against the previous window (lower is better).
pub fn rework_trend(current: &TeamMetrics, previous: &TeamMetrics) -> Trend {
    compare(current.rework_rate.rate, previous.rework_rate.rate, false)
}

fn frequency(m: &TeamMetrics) -> Option<f64> {
    m.deployment_frequency
        .tier
        .map(|_| m.deployment_frequency.per_day)
}

fn compare(now: Option<f64>, before: Option<f64>, higher_is_better: bool) -> Trend {
    let (Some(now), Some(before)) = (now, before) else {
        return Trend::Unknown;
    };
    // Changes under 1% of the earlier value are noise, not a trend.
    let tolerance = before.abs() * 0.01;
    if (now - before).abs() <= tolerance {
        return Trend::Same;
    }
    if (now > before) == higher_is_better {
        Trend::Better
    } else {
        Trend::Worse
    }
}

impl Trend {
    /// The arrow shows the direction of the number; colour says good or bad.
    pub fn arrow(self, higher_is_better: bool) -> &'static str {
        match (self, higher_is_better) {
            (Trend::Same, _) => "=",
            (Trend::Unknown, _) => " ",
            (Trend::Better, true) | (Trend::Worse, false) => "↑",
            (Trend::Better, false) | (Trend::Worse, true) => "↓",
        }
    }
}

/// For each of the four key metrics, whether a higher number is better.
pub const HIGHER_IS_BETTER: [bool; 4] = [true, false, false, false];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_lead_time_is_better_and_shown_going_down() {
        let t = compare(Some(10.0), Some(20.0), false);
        assert_eq!(t, Trend::Better);
        assert_eq!(t.arrow(false), "↓");
        assert_eq!(compare(Some(30.0), Some(20.0), false), Trend::Worse);
        assert_eq!(compare(Some(20.1), Some(20.0), false), Trend::Same);
        assert_eq!(compare(None, Some(20.0), false), Trend::Unknown);
        assert_eq!(compare(Some(2.0), Some(1.0), true).arrow(true), "↑");
    }
}
