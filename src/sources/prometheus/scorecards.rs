//! The `scorecards` source: the organisation's scorecards read back with PromQL
//! instant queries from the Prometheus-compatible engine (Prometheus, Thanos,
//! Mimir) that scrapes the `flightdeck serve` shards. One instant query per
//! exported family, all at once; the answer is one [`RemoteScorecards`] that
//! replaces the previous read. No records come this way: the numbers only.
//!
//! # Config (`kind = "scorecards"`): [`ScorecardsSpec`]
//!
//! ```toml
//! [[sources]]
//! kind = "scorecards"
//! url = "http://prometheus:9090"   # base URL; a path prefix is kept (e.g. Mimir's /prometheus)
//! token_env = "PROM_TOKEN"         # or token_file = "/run/secrets/prom"; sent as a Bearer token
//! selector = 'job="flightdeck"'    # optional label matchers added to every query
//! interval = "1m"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::Deserialize;

use super::response::Sample;
use super::spec::PrometheusConfig;
use super::{PromError, Prometheus};
use crate::model::remote::{
    INFO, OPEN_FINDINGS, OPEN_INCIDENTS, RemoteScorecards, RemoteTeam, RemoteWindow, TIER_LEVEL,
    UNATTRIBUTED, WINDOW_SERIES,
};
use crate::model::{Event, Text};
use crate::sources::scheduler::{PollError, Polled, Poller};
use crate::util::clock::Clock;
use crate::util::text::{redact_url, sanitize};

/// The `kind = "scorecards"` source's own keys (`name`, `interval` and
/// `timeout` are the common ones).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardsSpec {
    /// Base URL of the Prometheus HTTP API, e.g. `http://prometheus:9090`.
    pub url: String,
    #[serde(default)]
    pub token_env: Option<String>,
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// Label matchers added to every query, e.g. `job="flightdeck"`.
    #[serde(default)]
    pub selector: Option<String>,
}

impl ScorecardsSpec {
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut problems = crate::sources::http::check_http(
            Some(&self.url),
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        );
        if let Some(s) = &self.selector
            && (s.contains(['{', '}']) || s.trim().is_empty())
        {
            problems.push((
                "selector",
                format!("'{s}': label matchers without braces, e.g. job=\"flightdeck\""),
            ));
        }
        problems
    }

    fn client(&self, timeout: Duration) -> Result<Prometheus, String> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(format!(
                "url: '{}' must start with http:// or https://",
                redact_url(&self.url)
            ));
        }
        let token = crate::sources::secret::Secret::resolve(
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        )?
        .map(|t| t.expose().to_string());
        let config = PrometheusConfig {
            name: Text::from("scorecards"),
            url: self.url.trim_end_matches('/').to_string(),
            token,
            timeout,
            interval: timeout,
            lookback: timeout,
            step: timeout,
            baseline_version: String::new(),
            metrics: Vec::new(),
            thresholds: crate::model::canary::Thresholds::default(),
        };
        Prometheus::new(&config).map_err(|e| e.to_string())
    }
}

pub struct ScorecardsPoller {
    client: Prometheus,
    origin: Text,
    selector: String,
    clock: Clock,
}

impl ScorecardsPoller {
    pub fn new(spec: &ScorecardsSpec, timeout: Duration, clock: Clock) -> Result<Self, String> {
        Ok(Self {
            client: spec.client(timeout)?,
            origin: Text::from(redact_url(spec.url.trim_end_matches('/'))),
            selector: spec.selector.clone().unwrap_or_default(),
            clock,
        })
    }

    async fn read(&self) -> Result<(RemoteScorecards, Option<String>), PromError> {
        let names: Vec<&'static str> = WINDOW_SERIES
            .iter()
            .copied()
            .chain([
                TIER_LEVEL,
                OPEN_INCIDENTS,
                OPEN_FINDINGS,
                UNATTRIBUTED,
                INFO,
            ])
            .collect();
        let queries = names.iter().map(|name| {
            let query = format!("{name}{{{}}}", self.selector);
            async move { self.client.instant(&query, None).await.map(|s| (*name, s)) }
        });
        let answers = futures::future::try_join_all(queries).await?;
        Ok(assemble(self.origin.clone(), self.clock.now(), answers))
    }
}

impl Poller for ScorecardsPoller {
    /// Each read replaces the previous one whole.
    fn repeats(&self) -> bool {
        false
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        Box::pin(async move {
            let (read, warning) = self
                .read()
                .await
                .map_err(|e| PollError::new(e.to_string()))?;
            Ok(Polled {
                prepared: Vec::new(),
                events: vec![Event::Scorecards(Arc::new(read))],
                warning,
            })
        })
    }
}

fn label<'a>(s: &'a Sample, name: &str) -> &'a str {
    s.labels.get(name).map_or("", String::as_str)
}

/// `30d` -> 30.
fn window_days(label: &str) -> Option<i64> {
    label.strip_suffix('d')?.parse().ok().filter(|d| *d > 0)
}

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// The teams of every answer, each once (the first exporter that serves it;
/// a second one is named in the warning).
pub fn assemble(
    origin: Text,
    read_at: crate::model::Time,
    answers: Vec<(&'static str, Vec<Sample>)>,
) -> (RemoteScorecards, Option<String>) {
    let mut shard_of_instance: BTreeMap<String, u32> = BTreeMap::new();
    let mut shards = 0;
    let mut unattributed = None;
    let mut teams: BTreeMap<String, RemoteTeam> = BTreeMap::new();
    let mut twice: BTreeMap<String, String> = BTreeMap::new();
    for (name, samples) in &answers {
        for s in samples.iter().filter(|s| s.value.is_finite()) {
            match *name {
                INFO => {
                    let shard = label(s, "shard").parse().unwrap_or(0);
                    shard_of_instance.insert(label(s, "instance").to_string(), shard);
                    shards = shards.max(label(s, "shards").parse().unwrap_or(0));
                    continue;
                }
                UNATTRIBUTED => {
                    *unattributed.get_or_insert(0) += s.value.round().max(0.0) as u64;
                    continue;
                }
                _ => {}
            }
            if !s.labels.contains_key("team") {
                continue;
            }
            // Label values are untrusted text: cleaned where they enter.
            let (team, instance) = (sanitize(label(s, "team")), sanitize(label(s, "instance")));
            let (team, instance) = (&*team, &*instance);
            let entry = teams.entry(team.to_string()).or_insert_with(|| RemoteTeam {
                team: Text::from(team),
                instance: Text::from(instance),
                shard: 0,
                windows: Vec::new(),
                open_incidents: 0,
                open_findings: [0; 5],
            });
            if &*entry.instance != instance {
                twice.insert(team.to_string(), instance.to_string());
                continue;
            }
            apply(entry, name, s);
        }
    }
    for t in teams.values_mut() {
        t.shard = shard_of_instance.get(&*t.instance).copied().unwrap_or(0);
        t.windows.sort_by_key(|w| w.days);
    }
    let warning = (!twice.is_empty()).then(|| {
        let (team, other) = twice.iter().next().map_or(("", ""), |(t, i)| (t, i));
        format!(
            "{} team(s) served by more than one exporter (e.g. {team:?} also by {other}): \
             the first exporter's numbers are kept; check the shards' --shard I/N",
            twice.len()
        )
    });
    let warning = warning.or_else(|| {
        teams.is_empty().then(|| {
            format!("{origin} has no flightdeck_team_* series: is it scraping `flightdeck serve`?")
        })
    });
    let read = RemoteScorecards {
        origin,
        read_at,
        shards,
        unattributed_incidents: unattributed,
        teams: teams.into_values().collect(),
    };
    (read, warning)
}

/// One sample into its team.
fn apply(team: &mut RemoteTeam, name: &'static str, s: &Sample) {
    match name {
        OPEN_INCIDENTS => team.open_incidents = s.value.round().max(0.0) as u64,
        OPEN_FINDINGS => {
            if let Some(i) = SEVERITIES.iter().position(|v| *v == label(s, "severity")) {
                team.open_findings[i] = s.value.round().max(0.0) as u64;
            }
        }
        _ => {
            let Some(days) = window_days(label(s, "window")) else {
                return;
            };
            let w = match team.windows.iter().position(|w| w.days == days) {
                Some(i) => &mut team.windows[i],
                None => {
                    team.windows.push(RemoteWindow {
                        days,
                        ..RemoteWindow::default()
                    });
                    let last = team.windows.len() - 1;
                    &mut team.windows[last]
                }
            };
            if name == TIER_LEVEL {
                w.tiers.push((Text::from(label(s, "metric")), s.value));
            } else {
                w.values.push((name, s.value));
            }
        }
    }
}
