//! The canary vocabulary shared by the sources that measure canaries and the
//! metrics that judge them: the rules and thresholds a judgement uses, its
//! result, and the canary under analysis. The judging itself is
//! `metrics::canary::judge`, handed to the measuring source as a [`Judge`].

use serde::Deserialize;

use super::{Text, Verdict};

/// Which deviation from the baseline counts against the canary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is worse (error rate, latency).
    #[default]
    Increase,
    /// Lower is worse (throughput, success rate).
    Decrease,
    /// Any deviation beyond the tolerance is worse.
    Either,
}

/// How one metric is judged.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRule {
    pub name: String,
    #[serde(default)]
    pub direction: Direction,
    /// Relative tolerance: 0.2 lets the canary be 20 % off the baseline.
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Absolute slack added to the tolerance band, so that tiny values (an error
    /// rate of 0.001 against 0.0005) do not fail on ratio alone.
    #[serde(default)]
    pub min_delta: f64,
    /// A failing critical metric fails the whole canary.
    #[serde(default)]
    pub critical: bool,
    /// Weight in the score (default 1).
    #[serde(default = "default_weight")]
    pub weight: f64,
}

pub fn default_tolerance() -> f64 {
    0.2
}

fn default_weight() -> f64 {
    1.0
}

impl MetricRule {
    pub fn new(name: &str, direction: Direction, tolerance: f64) -> Self {
        Self {
            name: name.to_string(),
            direction,
            tolerance,
            min_delta: 0.0,
            critical: false,
            weight: 1.0,
        }
    }

    pub fn critical(mut self) -> Self {
        self.critical = true;
        self
    }

    pub fn min_delta(mut self, delta: f64) -> Self {
        self.min_delta = delta;
        self
    }
}

/// Score thresholds and the no-data limit.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Score at or above which the canary passes (Kayenta's default 75).
    #[serde(default = "default_pass")]
    pub pass: f64,
    /// Score at or above which it is marginal; below it fails (default 50).
    #[serde(default = "default_marginal")]
    pub marginal: f64,
    /// Largest share of metrics allowed to have no data (0-1, default 0.5).
    #[serde(default = "default_nodata")]
    pub max_nodata: f64,
}

fn default_pass() -> f64 {
    75.0
}
fn default_marginal() -> f64 {
    50.0
}
fn default_nodata() -> f64 {
    0.5
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            pass: default_pass(),
            marginal: default_marginal(),
            max_nodata: default_nodata(),
        }
    }
}

/// The classification of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Above the tolerance band in a direction that counts.
    High,
    /// Below the tolerance band in a direction that counts.
    Low,
    NoData,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::High => "high",
            Outcome::Low => "low",
            Outcome::NoData => "nodata",
        }
    }

    pub fn failed(self) -> bool {
        matches!(self, Outcome::High | Outcome::Low)
    }
}

/// One metric's numbers and classification.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricJudgement {
    pub name: String,
    pub canary: Option<f64>,
    pub baseline: Option<f64>,
    pub outcome: Outcome,
    pub critical: bool,
}

/// The result of one canary analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub metrics: Vec<MetricJudgement>,
    /// 0-100; `None` when no metric had data.
    pub score: Option<f64>,
    /// `None` when no metric had data.
    pub verdict: Option<Verdict>,
    /// Why the verdict is what it is, one sentence each, most decisive first.
    pub reasons: Vec<String>,
}

/// The two metrics every canary has: error rate and p99 latency.
pub fn default_rules() -> Vec<MetricRule> {
    vec![
        MetricRule::new(ERROR_RATE, Direction::Increase, 0.5)
            .min_delta(0.002)
            .critical(),
        MetricRule::new(P99_MS, Direction::Increase, 0.2).min_delta(10.0),
    ]
}

pub const ERROR_RATE: &str = "error_rate";
pub const P99_MS: &str = "p99_ms";

/// How measurements are judged: (rule, canary value, baseline value) per metric.
pub type Judge = fn(&[(MetricRule, Option<f64>, Option<f64>)], &Thresholds) -> Judgement;

/// A canary the store shows under analysis now (published in its views), which
/// a measuring source such as `prometheus` queries.
#[derive(Debug, Clone, PartialEq)]
pub struct CanaryTarget {
    pub deployment: Text,
    pub service: Text,
    pub region: Text,
    /// `$version` of the canary queries.
    pub version: Text,
}
