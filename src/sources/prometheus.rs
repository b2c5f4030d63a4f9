//! Prometheus as a canary-analysis source: PromQL templates per metric, run for
//! the canary version and the baseline version through `/api/v1/query_range`
//! (or `/api/v1/query`), judged by the [`Judge`] the composition root hands in.
//!
//! # Config (`kind = "prometheus"`): [`PrometheusSpec`]
//!
//! ```toml
//! url = "http://prometheus:9090"      # base URL; a path prefix is kept
//! token_env = "PROM_TOKEN"            # or token_file = "/run/secrets/prom"; sent as a Bearer token
//! timeout = "10s"                     # per request (ms, s, m)
//! interval = "30s"                    # how often canaries under analysis are judged
//! lookback = "10m"                    # range compared (mean over it)
//! step = "30s"                        # range query resolution
//! baseline_version = "stable"         # $version for the baseline queries
//! [queries.error_rate]                # one table per metric
//! query = 'sum(rate(http_requests_total{service="$service",region="$region",version="$version",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="$service",region="$region",version="$version"}[5m]))'
//! direction = "increase"              # increase | decrease | either: which deviation is bad
//! tolerance = 0.5                     # relative band around the baseline
//! min_delta = 0.002                   # absolute slack added to the band
//! critical = true                     # failing it fails the canary
//! weight = 1.0
//! [thresholds]
//! pass = 75                           # score >= pass: pass
//! marginal = 50                       # score >= marginal: marginal, else fail
//! max_nodata = 0.5                    # larger share of metrics without data: fail
//! ```
//!
//! Templates take `$service`, `$region` and `$version` (values are escaped for
//! a PromQL string). Metrics named `error_rate` and `p99_ms` also fill the
//! canary result's numbers shown on the Lanes screen.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::model::canary::{
    self as canary, CanaryTarget, Direction, Judge, Judgement, MetricRule, Thresholds,
};
use crate::model::{CanaryResult, Text, Time};
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

#[derive(Debug, thiserror::Error)]
pub enum PromError {
    #[error("prometheus config: {0}")]
    Config(String),
    #[error("{url}: cannot connect: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("{url}: no answer within {timeout:?}")]
    Timeout { url: String, timeout: Duration },
    #[error("{url}: HTTP {status}: {detail}")]
    Http {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("{url}: query failed ({kind}): {detail}")]
    Api {
        url: String,
        kind: String,
        detail: String,
    },
    #[error("{url}: unexpected response: {detail}")]
    Decode { url: String, detail: String },
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
    token: Option<String>,
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
        let token = match (&self.token_env, &self.token_file) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "token_env",
                    "give token_env or token_file, not both".into(),
                ));
            }
            (Some(var), None) => Some(
                std::env::var(var).map_err(|_| bad("token_env", format!("${var} is not set")))?,
            ),
            (None, Some(path)) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| bad("token_file", format!("{}: {e}", path.display())))?
                    .trim()
                    .to_string(),
            ),
            (None, None) => None,
        };
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

/// One sample of an instant vector (or a scalar).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: BTreeMap<String, String>,
    pub time: f64,
    /// As Prometheus sent it: NaN and ±Inf included.
    pub value: f64,
}

/// One series of a range query, aligned to the requested steps: a step the
/// server left out (no sample there) is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(f64, Option<f64>)>,
}

impl Series {
    /// Mean of the finite points; `None` when there is none.
    pub fn mean(&self) -> Option<f64> {
        let finite: Vec<f64> = self
            .points
            .iter()
            .filter_map(|p| p.1)
            .filter(|v| v.is_finite())
            .collect();
        (!finite.is_empty()).then(|| finite.iter().sum::<f64>() / finite.len() as f64)
    }
}

/// A matrix series as sent: labels and (time, value) pairs.
pub type RawSeries = (BTreeMap<String, String>, Vec<(f64, f64)>);

/// The `data` of a successful response.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryData {
    Vector(Vec<Sample>),
    Matrix(Vec<RawSeries>),
}

fn parse_value(v: &Value) -> Option<(f64, f64)> {
    let pair = v.as_array()?;
    let t = pair.first()?.as_f64()?;
    // Prometheus sends values as strings: "1", "NaN", "+Inf", "-Inf".
    let raw = pair.get(1)?.as_str()?;
    let value = match raw {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().ok()?,
    };
    Some((t, value))
}

fn labels(v: &Value) -> BTreeMap<String, String> {
    v.get("metric")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a response body; `status` is the HTTP status.
// TODO(house): split
#[allow(clippy::too_many_lines)]
pub fn parse_response(url: &str, status: u16, body: &str) -> Result<QueryData, PromError> {
    let url = redact_url(url);
    let url = url.as_str();
    let doc: Value = match serde_json::from_str(body) {
        Ok(d) => d,
        Err(e) => {
            if status >= 400 {
                return Err(PromError::Http {
                    url: url.into(),
                    status,
                    detail: snippet(body),
                });
            }
            return Err(PromError::Decode {
                url: url.into(),
                detail: format!("not JSON ({e})"),
            });
        }
    };
    if doc.get("status").and_then(Value::as_str) != Some("success") {
        if let Some(error) = doc.get("error").and_then(Value::as_str) {
            return Err(PromError::Api {
                url: url.into(),
                kind: doc
                    .get("errorType")
                    .and_then(Value::as_str)
                    .unwrap_or("error")
                    .to_string(),
                detail: snippet(error),
            });
        }
        if status >= 400 {
            return Err(PromError::Http {
                url: url.into(),
                status,
                detail: snippet(body),
            });
        }
        return Err(PromError::Decode {
            url: url.into(),
            detail: "no \"status\": \"success\"".into(),
        });
    }
    let decode = |detail: &str| PromError::Decode {
        url: url.into(),
        detail: detail.into(),
    };
    let data = doc.get("data").ok_or_else(|| decode("no data"))?;
    let result = data.get("result").ok_or_else(|| decode("no data.result"))?;
    match data.get("resultType").and_then(Value::as_str) {
        Some("vector") => {
            let mut out = Vec::new();
            for s in result
                .as_array()
                .ok_or_else(|| decode("result is not a list"))?
            {
                let (time, value) = s
                    .get("value")
                    .and_then(parse_value)
                    .ok_or_else(|| decode("a sample has no [time, \"value\"]"))?;
                out.push(Sample {
                    labels: labels(s),
                    time,
                    value,
                });
            }
            Ok(QueryData::Vector(out))
        }
        Some("scalar") => {
            let (time, value) = parse_value(result).ok_or_else(|| decode("bad scalar"))?;
            Ok(QueryData::Vector(vec![Sample {
                labels: BTreeMap::new(),
                time,
                value,
            }]))
        }
        Some("matrix") => {
            let mut out = Vec::new();
            for s in result
                .as_array()
                .ok_or_else(|| decode("result is not a list"))?
            {
                let values = s
                    .get("values")
                    .and_then(Value::as_array)
                    .ok_or_else(|| decode("a series has no values"))?;
                let points = values
                    .iter()
                    .map(|v| parse_value(v).ok_or_else(|| decode("bad [time, \"value\"] pair")))
                    .collect::<Result<Vec<_>, _>>()?;
                out.push((labels(s), points));
            }
            Ok(QueryData::Matrix(out))
        }
        other => Err(decode(&format!("unsupported resultType {other:?}"))),
    }
}

/// Aligns a series' points to `start + k * step` up to `end`; missing steps are `None`.
pub fn align(points: &[(f64, f64)], start: f64, end: f64, step: f64) -> Vec<(f64, Option<f64>)> {
    if step <= 0.0 || end < start {
        return points.iter().map(|&(t, v)| (t, Some(v))).collect();
    }
    let n = ((end - start) / step).floor() as usize + 1;
    let mut out: Vec<(f64, Option<f64>)> =
        (0..n).map(|k| (start + k as f64 * step, None)).collect();
    for &(t, v) in points {
        let k = ((t - start) / step).round();
        if k >= 0.0 && (k as usize) < n && (start + k * step - t).abs() < step / 2.0 {
            out[k as usize].1 = Some(v);
        }
    }
    out
}

fn snippet(s: &str) -> String {
    let clean = crate::util::text::sanitize(s.trim());
    let mut out: String = clean.chars().take(200).collect();
    if clean.chars().count() > 200 {
        out.push('…');
    }
    out
}

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

/// An HTTP client for one Prometheus server.
#[derive(Clone)]
pub struct Prometheus {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    timeout: Duration,
}

impl std::fmt::Debug for Prometheus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prometheus")
            .field("base", &redact_url(&self.base))
            .finish()
    }
}

fn unix(t: Time) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

impl Prometheus {
    pub fn new(config: &PrometheusConfig) -> Result<Self, PromError> {
        let http = crate::sources::http::client_builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| PromError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: config.url.clone(),
            token: config.token.clone(),
            timeout: config.timeout,
        })
    }

    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<QueryData, PromError> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.get(&url).query(params);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| self.transport(&url, &e))?;
        let status = resp.status().as_u16();
        let body = resp.text().await.map_err(|e| self.transport(&url, &e))?;
        parse_response(&url, status, &body)
    }

    fn transport(&self, url: &str, e: &reqwest::Error) -> PromError {
        if e.is_timeout() {
            PromError::Timeout {
                url: redact_url(url),
                timeout: self.timeout,
            }
        } else {
            // The error's own text can carry the URL, never the token (a header).
            let mut detail = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                detail = format!("{detail}: {s}");
                source = s.source();
            }
            PromError::Unreachable {
                url: redact_url(url),
                detail: snippet(&redact_url(&detail)),
            }
        }
    }

    /// `/api/v1/query` at `at` (the server's now when `None`).
    pub async fn instant(&self, query: &str, at: Option<Time>) -> Result<Vec<Sample>, PromError> {
        let mut params = vec![("query", query.to_string())];
        if let Some(t) = at {
            params.push(("time", format!("{:.3}", unix(t))));
        }
        match self.get("/api/v1/query", &params).await? {
            QueryData::Vector(v) => Ok(v),
            QueryData::Matrix(_) => Err(PromError::Decode {
                url: redact_url(&format!("{}/api/v1/query", self.base)),
                detail: "a matrix where a vector was expected".into(),
            }),
        }
    }

    /// `/api/v1/query_range`; each series aligned to the steps.
    pub async fn range(
        &self,
        query: &str,
        start: Time,
        end: Time,
        step: Duration,
    ) -> Result<Vec<Series>, PromError> {
        let step_s = step.as_secs_f64().max(0.001);
        let (s, e) = (unix(start), unix(end));
        let params = [
            ("query", query.to_string()),
            ("start", format!("{s:.3}")),
            ("end", format!("{e:.3}")),
            ("step", format!("{step_s}")),
        ];
        match self.get("/api/v1/query_range", &params).await? {
            QueryData::Matrix(m) => Ok(m
                .into_iter()
                .map(|(labels, points)| Series {
                    labels,
                    points: align(&points, s, e, step_s),
                })
                .collect()),
            QueryData::Vector(_) => Err(PromError::Decode {
                url: redact_url(&format!("{}/api/v1/query_range", self.base)),
                detail: "a vector where a matrix was expected".into(),
            }),
        }
    }
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

/// When a response says a value was taken (seconds since the epoch).
pub fn sample_time(t: f64) -> Option<Time> {
    DateTime::<Utc>::from_timestamp_millis((t * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_and_escape() {
        let q = render(
            r#"rate(x{service="$service",region="$region",version="$version"}[5m])"#,
            "cart",
            "eu\"west",
            "v1",
        );
        assert_eq!(
            q,
            r#"rate(x{service="cart",region="eu\"west",version="v1"}[5m])"#
        );
    }

    #[test]
    fn values_nan_inf_and_errors() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"a":"1"},"value":[1.5,"NaN"]},
            {"metric":{},"value":[1.5,"+Inf"]},
            {"metric":{},"value":[1.5,"-Inf"]},
            {"metric":{},"value":[1.5,"0.25"]}]}}"#;
        let QueryData::Vector(v) = parse_response("u", 200, body).expect("parses") else {
            panic!("vector");
        };
        assert!(v[0].value.is_nan());
        assert_eq!(v[1].value, f64::INFINITY);
        assert_eq!(v[2].value, f64::NEG_INFINITY);
        assert_eq!(v[3].value, 0.25);
        assert_eq!(v[0].labels.get("a").map(String::as_str), Some("1"));
        let err = r#"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#;
        let e = parse_response("http://p/api/v1/query", 400, err).unwrap_err();
        assert_eq!(
            e.to_string(),
            "http://p/api/v1/query: query failed (bad_data): parse error at char 4"
        );
        let e = parse_response("u", 502, "<html>bad gateway</html>").unwrap_err();
        assert_eq!(e.to_string(), "u: HTTP 502: <html>bad gateway</html>");
        let e = parse_response("u", 200, "{}").unwrap_err();
        assert!(matches!(e, PromError::Decode { .. }));
    }

    #[test]
    fn missing_steps_are_none() {
        let pts = [(10.0, 1.0), (11.0, 2.0), (14.0, 3.0)];
        let a = align(&pts, 10.0, 14.0, 1.0);
        let vals: Vec<Option<f64>> = a.iter().map(|p| p.1).collect();
        assert_eq!(vals, [Some(1.0), Some(2.0), None, None, Some(3.0)]);
        let s = Series {
            labels: BTreeMap::new(),
            points: a,
        };
        assert_eq!(s.mean(), Some(2.0));
    }

    #[test]
    fn durations_and_spec_errors() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert!(parse_duration("10").is_err());
        let spec: PrometheusSpec = toml_like(r#"{"url":"ftp://x","queries":{}}"#);
        assert!(spec.resolve().unwrap_err().to_string().contains("url"));
        let spec: PrometheusSpec =
            toml_like(r#"{"url":"http://x","queries":{"e":{"query":"up"}},"timeout":"soon"}"#);
        assert_eq!(
            spec.resolve().unwrap_err().to_string(),
            "prometheus config: timeout: 'soon' is not a duration (e.g. 500ms, 10s, 5m)"
        );
        let bad =
            serde_json::from_str::<PrometheusSpec>(r#"{"url":"http://x","queries":{},"tokn":"a"}"#);
        assert!(bad.is_err(), "unknown keys are refused");
    }

    fn toml_like(json: &str) -> PrometheusSpec {
        serde_json::from_str(json).expect("spec")
    }
}
