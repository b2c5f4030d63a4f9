//! The HTTP client for one Prometheus server: instant and range queries. Built
//! and read like every HTTP source's (`sources::http`): redirects not
//! followed, bodies cut at `DEFAULT_MAX_BODY`.

use std::time::Duration;

use super::PromError;
use super::response::{QueryData, Sample, Series, align, parse_response, snippet};
use super::spec::PrometheusConfig;
use crate::model::Time;
use crate::sources::http::{DEFAULT_MAX_BODY, body_within, redirect_refusal};
use crate::util::text::redact_url;

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
        let mut resp = req.send().await.map_err(|e| self.transport(&url, &e))?;
        let shown = redact_url(&url);
        if let Some(refused) = redirect_refusal(&resp, &shown) {
            return Err(refused.into());
        }
        let status = resp.status().as_u16();
        let body = body_within(&mut resp, DEFAULT_MAX_BODY, &shown).await?;
        parse_response(&url, status, &String::from_utf8_lossy(&body))
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
