//! The `rollouts` kind: Argo Rollouts `Rollout`/`AnalysisRun` objects or
//! Flagger `Canary` objects and webhook payloads, read from a file (e.g. the
//! output of `kubectl get rollouts -o json`) or a URL, as a scheduler
//! [`Poller`]. Only objects that changed since the last read become events.
//!
//! ```toml
//! [[sources]]
//! kind = "rollouts"
//! name = "argo-eu"
//! path = "rollouts.json"      # or url = "http://127.0.0.1:8001/apis/argoproj.io/v1alpha1/rollouts"
//! region = "eu-west-1"        # the region these objects roll out in (optional)
//! token_env = "KUBE_TOKEN"    # url only; or token_file
//! ```

use std::path::PathBuf;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::Deserialize;

use super::http::{AuthStyle, Http, HttpOptions, Secret};
use super::rollouts::{Object, parse_body, read_file, to_events};
use crate::model::Text;
use crate::sources::scheduler::{PollError, Polled, Poller};
use crate::util::clock::Clock;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutsSpec {
    #[serde(default)]
    pub path: Option<PathBuf>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub token_env: Option<String>,
    #[serde(default)]
    pub token_file: Option<PathBuf>,
}

impl RolloutsSpec {
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut problems = super::http::check_http(
            self.url.as_deref(),
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        );
        match (&self.path, &self.url) {
            (None, None) => problems.push(("path", "give `path` or `url`".to_string())),
            (Some(_), Some(_)) => {
                problems.push(("url", "give `path` or `url`, not both".to_string()))
            }
            _ => {}
        }
        problems
    }
}

enum From {
    File(PathBuf),
    /// The shared HTTP client (size cap, no redirects, ETag) and the URL as
    /// written (the client's base gains a trailing '/').
    Url {
        http: Box<Http>,
        url: reqwest::Url,
    },
}

pub struct RolloutsPoller {
    from: From,
    region: Option<Text>,
    clock: Clock,
    last: Vec<Object>,
}

impl RolloutsPoller {
    pub fn new(spec: RolloutsSpec, timeout: Duration, clock: Clock) -> Result<Self, String> {
        let from = match (spec.path, spec.url) {
            (Some(path), None) => From::File(path),
            (None, Some(url)) => {
                let token = Secret::resolve(spec.token_env.as_deref(), spec.token_file.as_deref())?;
                let opts = HttpOptions {
                    timeout,
                    ..HttpOptions::default()
                };
                From::Url {
                    http: Box::new(
                        Http::new(
                            &url,
                            token.as_ref(),
                            AuthStyle::Bearer,
                            "application/json",
                            opts,
                        )
                        .map_err(|e| e.to_string())?,
                    ),
                    url: reqwest::Url::parse(url.trim()).map_err(|e| {
                        format!("invalid URL {}: {e}", crate::util::text::redact_url(&url))
                    })?,
                }
            }
            _ => return Err("give `path` or `url`".to_string()),
        };
        Ok(Self {
            from,
            region: spec.region.map(|r| crate::util::text::sanitize(&r)),
            clock,
            last: Vec::new(),
        })
    }
}

impl Poller for RolloutsPoller {
    /// Only objects that changed since the last read are sent.
    fn repeats(&self) -> bool {
        false
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        Box::pin(async move {
            let read = match &mut self.from {
                From::File(path) => {
                    let path = path.clone();
                    tokio::task::spawn_blocking(move || read_file(&path))
                        .await
                        .map_err(|e| PollError::new(format!("the reader stopped: {e}")))?
                }
                From::Url { http, url } => {
                    let page = http.get(url.clone()).await?;
                    let shown = crate::util::text::redact_url(url.as_str());
                    parse_body(&String::from_utf8_lossy(&page.body), &shown)
                }
            };
            let objects = read.map_err(|e| PollError::new(e.to_string()))?;
            let fresh: Vec<Object> = objects
                .iter()
                .filter(|o| !self.last.contains(o))
                .cloned()
                .collect();
            self.last = objects;
            Ok(Polled {
                prepared: Vec::new(),
                events: to_events(&fresh, self.region.as_ref(), self.clock.now()),
                warning: None,
            })
        })
    }
}
