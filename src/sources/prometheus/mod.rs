//! Prometheus as a canary-analysis source: PromQL templates per metric, run for
//! the canary version and the baseline version through `/api/v1/query_range`
//! (or `/api/v1/query`), judged by the
//! [`Judge`](crate::model::canary::Judge) the composition root hands in.
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

mod analysis;
mod client;
mod response;
mod scorecards;
mod spec;

use std::time::Duration;

pub use analysis::{CanaryAnalysis, analyse, render};
pub use client::Prometheus;
pub use response::{QueryData, RawSeries, Sample, Series, align, parse_response, sample_time};
pub use scorecards::{ScorecardsPoller, ScorecardsSpec, assemble};
pub use spec::{PrometheusConfig, PrometheusSpec, QuerySpec, parse_duration};

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
    /// Refused by the rules every HTTP source shares (size cap, redirects).
    #[error(transparent)]
    Refused(#[from] crate::sources::http::HttpError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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
