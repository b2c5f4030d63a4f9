//! Canary analysis: each metric's PromQL rendered for canary and baseline, averaged, judged.

use chrono::TimeDelta;

use super::PromError;
use super::client::Prometheus;
use super::spec::PrometheusConfig;
use crate::model::canary::{self as canary, CanaryTarget, Judge, Judgement};
use crate::model::{CanaryResult, Time};

/// Fills a PromQL template: `$service`, `$region`, `$version`, escaped for a
/// double- or single-quoted PromQL string.
pub fn render(template: &str, service: &str, region: &str, version: &str) -> String {
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\'', "\\'")
    };
    template
        .replace("$service", &esc(service))
        .replace("$region", &esc(region))
        .replace("$version", &esc(version))
}

/// A finished analysis: per metric (canary, baseline) and the judgement.
#[derive(Debug, Clone, PartialEq)]
pub struct CanaryAnalysis {
    pub target: CanaryTarget,
    pub time: Time,
    pub values: Vec<(String, Option<f64>, Option<f64>)>,
    pub judgement: Judgement,
}

impl CanaryAnalysis {
    /// As the common canary record.
    pub fn to_result(&self) -> CanaryResult {
        let get = |name: &str| self.values.iter().find(|v| v.0 == name);
        let er = get(canary::ERROR_RATE);
        let p99 = get(canary::P99_MS);
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        CanaryResult {
            deployment: self.target.deployment.clone(),
            region: self.target.region.clone(),
            time: self.time,
            verdict: self.judgement.verdict,
            error_rate: er.and_then(|v| finite(v.1)),
            baseline_error_rate: er.and_then(|v| finite(v.2)),
            p99_ms: p99.and_then(|v| finite(v.1)),
            baseline_p99_ms: p99.and_then(|v| finite(v.2)),
            score: self.judgement.score,
        }
    }
}

/// One value for a query: the mean over the lookback of the first series, or
/// `None` when there is none. Several series are summed step by step first,
/// so a query that forgot its `sum()` still means the whole canary.
async fn value_over(
    client: &Prometheus,
    query: &str,
    config: &PrometheusConfig,
    now: Time,
) -> Result<Option<f64>, PromError> {
    let lookback = TimeDelta::from_std(config.lookback).unwrap_or(TimeDelta::minutes(10));
    let series = client
        .range(query, now - lookback, now, config.step)
        .await?;
    let Some(first) = series.first() else {
        return Ok(None);
    };
    let mut sum = first.clone();
    for s in &series[1..] {
        for (p, q) in sum.points.iter_mut().zip(&s.points) {
            p.1 = match (p.1, q.1) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            };
        }
    }
    Ok(sum.mean())
}

/// Runs every metric's query for the canary and the baseline and judges them
/// with `judge` (`metrics::canary::judge`, handed in by the composition root).
/// The first transport or API error ends the analysis (the data would be
/// partial); NaN and empty results are "no data" for that metric.
pub async fn analyse(
    client: &Prometheus,
    config: &PrometheusConfig,
    target: &CanaryTarget,
    now: Time,
    judge: Judge,
) -> Result<CanaryAnalysis, PromError> {
    let mut values = Vec::new();
    let mut samples = Vec::new();
    for (rule, template) in &config.metrics {
        let canary_q = render(template, &target.service, &target.region, &target.version);
        let base_q = render(
            template,
            &target.service,
            &target.region,
            &config.baseline_version,
        );
        let c = value_over(client, &canary_q, config, now).await?;
        let b = value_over(client, &base_q, config, now).await?;
        values.push((rule.name.clone(), c, b));
        samples.push((rule.clone(), c, b));
    }
    Ok(CanaryAnalysis {
        target: target.clone(),
        time: now,
        values,
        judgement: judge(&samples, &config.thresholds),
    })
}
