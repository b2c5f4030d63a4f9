//! Benchmark sets: the thresholds that turn a metric into a tier, as data. The
//! built-in sets carry the published DORA numbers; a config may add its own
//! (`[benchmarks.NAME]`) and choose one (`[general] benchmark`, `--benchmark`).
//! Grading lives in `metrics::tiers`; this is only what the sets say.

use std::borrow::Cow;

use chrono::TimeDelta;

/// How a set groups the metrics when it names the team's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Four key metrics (and rework rate where graded); the team tier is the
    /// weakest of them.
    KeyMetrics,
    /// DORA 2025: throughput (lead time, deployment frequency, failed
    /// deployment recovery time) and instability (change failure rate, rework
    /// rate), each the weakest of its metrics; the team tier the weaker of both.
    ThroughputInstability,
}

/// Thresholds for elite, high and medium, checked in that order (the first a
/// value meets is its tier; meeting none is low).
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmarks {
    pub name: Cow<'static, str>,
    /// Where the numbers come from, one line for reports.
    pub source: Cow<'static, str>,
    /// Deployment frequency: at least one deployment per this many days.
    pub frequency_days_per_deploy: [f64; 3],
    /// Lead time for changes: median strictly less than.
    pub lead_time_under: [TimeDelta; 3],
    /// Change failure rate: at most this many percent.
    pub failure_rate_percent_at_most: [f64; 3],
    /// Time to restore: median strictly less than.
    pub restore_under: [TimeDelta; 3],
    /// Rework rate: at most this many percent; `None`: the set does not grade it.
    pub rework_percent_at_most: Option<[f64; 3]>,
    pub framing: Framing,
}

/// Six months, as the DORA tables say it.
const SIX_MONTHS_DAYS: i64 = 183;

/// The Accelerate State of DevOps 2021 clusters. Elite deploys on demand, high
/// between once a week and once a month, medium between once a month and once
/// every six months. Lead time: elite under an hour, high under a week, medium
/// under six months. Restore: elite under an hour, high under a day, medium
/// under a week. Failure rate: elite 0-15%, the other clusters all 16-30%, so
/// past 30% is low and medium is never given for it.
pub const DORA_2021: Benchmarks = Benchmarks {
    name: Cow::Borrowed("DORA 2021"),
    source: Cow::Borrowed("Accelerate State of DevOps 2021, performance clusters"),
    frequency_days_per_deploy: [1.0, 30.0, SIX_MONTHS_DAYS as f64],
    lead_time_under: [
        TimeDelta::hours(1),
        TimeDelta::days(7),
        TimeDelta::days(SIX_MONTHS_DAYS),
    ],
    failure_rate_percent_at_most: [15.0, 30.0, 30.0],
    restore_under: [TimeDelta::hours(1), TimeDelta::days(1), TimeDelta::days(7)],
    rework_percent_at_most: None,
    framing: Framing::KeyMetrics,
};

/// The DORA 2023 clusters (DESIGN.md, metric definitions): the default.
pub const DORA_2023: Benchmarks = Benchmarks {
    name: Cow::Borrowed("DORA 2023"),
    source: Cow::Borrowed("Accelerate State of DevOps 2023, performance clusters"),
    frequency_days_per_deploy: [1.0, 7.0, 30.0],
    lead_time_under: [TimeDelta::days(1), TimeDelta::days(7), TimeDelta::days(30)],
    failure_rate_percent_at_most: [5.0, 10.0, 15.0],
    restore_under: [TimeDelta::hours(1), TimeDelta::days(1), TimeDelta::days(7)],
    rework_percent_at_most: None,
    framing: Framing::KeyMetrics,
};

/// The DORA 2024 clusters. Their change failure rates are typical values, not
/// ordered bounds: elite 5%, high 20%, medium 10%, low 40%; read as "at most",
/// 5% is elite, 20% high and anything past 20% low (medium is never reached).
/// Recovery: elite under an hour, high and medium both under a day. The 2024
/// report adds rework rate as a metric but publishes no thresholds for it, so
/// it is measured and not graded.
pub const DORA_2024: Benchmarks = Benchmarks {
    name: Cow::Borrowed("DORA 2024"),
    source: Cow::Borrowed("Accelerate State of DevOps 2024, performance clusters"),
    frequency_days_per_deploy: [1.0, 7.0, 30.0],
    lead_time_under: [TimeDelta::days(1), TimeDelta::days(7), TimeDelta::days(30)],
    failure_rate_percent_at_most: [5.0, 20.0, 10.0],
    restore_under: [TimeDelta::hours(1), TimeDelta::days(1), TimeDelta::days(1)],
    rework_percent_at_most: None,
    framing: Framing::KeyMetrics,
};

/// The 2025 framing (State of AI-assisted Software Development): no clusters
/// any more, so the latest published thresholds (2024) grade each metric, and
/// the standing is given as throughput and instability.
pub const DORA_2025: Benchmarks = Benchmarks {
    name: Cow::Borrowed("DORA 2025"),
    source: Cow::Borrowed(
        "DORA 2025 throughput/instability framing, graded with the 2024 thresholds",
    ),
    framing: Framing::ThroughputInstability,
    ..DORA_2024
};

/// The sets every config may name.
pub const BUILT_IN: [&Benchmarks; 4] = [&DORA_2021, &DORA_2023, &DORA_2024, &DORA_2025];

impl Default for Benchmarks {
    fn default() -> Self {
        DORA_2023
    }
}

/// A set name as compared: lower case, without spaces, `-` or `_`
/// (`DORA 2023`, `dora-2023` and `dora2023` are one set).
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The set called `name` among the built-in and `custom` sets, or a message
/// listing the names there are.
pub fn resolve(name: &str, custom: &[Benchmarks]) -> Result<Benchmarks, String> {
    let wanted = normalise(name);
    let all = || BUILT_IN.into_iter().chain(custom);
    if let Some(b) = all().find(|b| normalise(&b.name) == wanted) {
        return Ok(b.clone());
    }
    let names: Vec<String> = all().map(|b| format!("`{}`", b.name)).collect();
    Err(format!(
        "`{name}` is not a benchmark set; the sets are {}",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_loosely_and_unknown_names_list_the_sets() {
        assert_eq!(
            resolve("dora-2021", &[]).map(|b| b.name),
            Ok("DORA 2021".into())
        );
        assert_eq!(
            resolve("DORA_2025", &[]).map(|b| b.framing),
            Ok(Framing::ThroughputInstability)
        );
        let custom = Benchmarks {
            name: "strict".into(),
            ..DORA_2023
        };
        assert_eq!(
            resolve("Strict", std::slice::from_ref(&custom)),
            Ok(custom.clone())
        );
        let err = resolve("dora 2019", &[custom]).unwrap_err();
        assert_eq!(
            err,
            "`dora 2019` is not a benchmark set; the sets are `DORA 2021`, `DORA 2023`, `DORA 2024`, `DORA 2025`, `strict`"
        );
    }
}
