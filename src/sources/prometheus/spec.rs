//! The `kind = "prometheus"` settings: the spec as written, its checks, and the resolved config.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::PromError;
use crate::model::Text;
use crate::model::canary::{Direction, MetricRule, Thresholds};
use crate::util::text::redact_url;

/// The `kind = "prometheus"` source's settings. See the module docs for an example.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusSpec {
    /// The source's name on the Sources screen (optional).
    #[serde(default)]
    pub name: Option<String>,
    /// Base URL, e.g. `http://prometheus:9090`.
    pub url: String,
    /// Environment variable holding a bearer token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// File holding a bearer token (trailing whitespace ignored).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// Per-request timeout, e.g. `10s` or `500ms`.
    #[serde(default = "default_timeout")]
    pub timeout: String,
    /// How often the canaries under analysis are judged.
    #[serde(default = "default_interval")]
    pub interval: String,
    /// The range each metric is averaged over.
    #[serde(default = "default_lookback")]
    pub lookback: String,
    /// Range-query resolution.
    #[serde(default = "default_step")]
    pub step: String,
    /// `$version` of the baseline queries.
    #[serde(default = "default_baseline")]
    pub baseline_version: String,
    /// Metric name -> query and judging rule.
    pub queries: BTreeMap<String, QuerySpec>,
    #[serde(default)]
    pub thresholds: Thresholds,
}

/// One metric: its PromQL template and how it is judged.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySpec {
    pub query: String,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    #[serde(default)]
    pub min_delta: f64,
    #[serde(default)]
    pub critical: bool,
    #[serde(default = "default_weight")]
    pub weight: f64,
}

fn default_timeout() -> String {
    "10s".into()
}
fn default_interval() -> String {
    "30s".into()
}
fn default_lookback() -> String {
    "10m".into()
}
fn default_step() -> String {
    "30s".into()
}
fn default_baseline() -> String {
    "stable".into()
}
fn default_tolerance() -> f64 {
    0.2
}
fn default_weight() -> f64 {
    1.0
}

/// A duration such as `500ms`, `10s`, `5m`, `1h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if let Some(ms) = t.strip_suffix("ms") {
        return ms
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .map(Duration::from_millis)
            .ok_or_else(|| format!("'{text}' is not a duration (e.g. 500ms, 10s, 5m)"));
    }
    crate::model::settings::parse_span(t)
        .ok()
        .and_then(|d| d.to_std().ok())
        .ok_or_else(|| format!("'{text}' is not a duration (e.g. 500ms, 10s, 5m)"))
}

/// A spec checked and resolved: durations parsed, token read, rules built.
#[derive(Clone)]
pub struct PrometheusConfig {
    pub name: Text,
    pub url: String,
    pub(super) token: Option<String>,
    pub timeout: Duration,
    pub interval: Duration,
    pub lookback: Duration,
    pub step: Duration,
    pub baseline_version: String,
    /// (rule, template), in name order.
    pub metrics: Vec<(MetricRule, String)>,
    pub thresholds: Thresholds,
}

impl std::fmt::Debug for PrometheusConfig {
    // The token never appears in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrometheusConfig")
            .field("name", &self.name)
            .field("url", &redact_url(&self.url))
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("metrics", &self.metrics.len())
            .finish()
    }
}

impl PrometheusSpec {
    /// What the config check can see without reading a token: the URL's
    /// scheme and the token keys (as every HTTP kind checks them).
    pub fn check(&self) -> Vec<(&'static str, String)> {
        crate::sources::http::check_http(
            Some(&self.url),
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        )
    }

    /// Checks the spec and reads the token; errors name the key at fault.
    pub fn resolve(&self) -> Result<PrometheusConfig, PromError> {
        let bad = |key: &str, e: String| PromError::Config(format!("{key}: {e}"));
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(bad(
                "url",
                format!(
                    "'{}' must start with http:// or https://",
                    redact_url(&self.url)
                ),
            ));
        }
        if self.queries.is_empty() {
            return Err(bad("queries", "at least one metric query is needed".into()));
        }
        let t = &self.thresholds;
        if !(t.marginal <= t.pass && (0.0..=100.0).contains(&t.pass) && t.marginal >= 0.0) {
            return Err(bad(
                "thresholds",
                format!(
                    "need 0 <= marginal ({}) <= pass ({}) <= 100",
                    t.marginal, t.pass
                ),
            ));
        }
        if self.token_env.is_some() && self.token_file.is_some() {
            return Err(bad(
                "token_env",
                "give token_env or token_file, not both".into(),
            ));
        }
        // Errors already start with the key (`token_file: ...`).
        let token = crate::sources::secret::Secret::resolve(
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        )
        .map_err(PromError::Config)?
        .map(|t| t.expose().to_string());
        let metrics = self
            .queries
            .iter()
            .map(|(name, q)| {
                let mut rule = MetricRule::new(name, q.direction, q.tolerance);
                rule.min_delta = q.min_delta;
                rule.critical = q.critical;
                rule.weight = q.weight;
                (rule, q.query.clone())
            })
            .collect();
        Ok(PrometheusConfig {
            name: Text::from(self.name.clone().unwrap_or_else(|| "prometheus".into())),
            url: self.url.trim_end_matches('/').to_string(),
            token,
            timeout: parse_duration(&self.timeout).map_err(|e| bad("timeout", e))?,
            interval: parse_duration(&self.interval).map_err(|e| bad("interval", e))?,
            lookback: parse_duration(&self.lookback).map_err(|e| bad("lookback", e))?,
            step: parse_duration(&self.step).map_err(|e| bad("step", e))?,
            baseline_version: self.baseline_version.clone(),
            metrics,
            thresholds: self.thresholds,
        })
    }
}
