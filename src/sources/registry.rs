//! Source kinds: the one place that maps a `kind = "…"` to its config keys
//! (a serde spec with `deny_unknown_fields`) and to its poller.
//!
//! Adding a kind takes four lines here: a [`SourceSpec`] variant, its name in
//! [`KINDS`], a line in [`spec_parser`] and a line in [`build`].

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::{SourceConfig, spec};
use crate::settings::Settings;
use crate::sources::events_follow::{EventsPoller, EventsSpec};
use crate::sources::findings::FindingsSpec;
use crate::sources::findings::poller::FindingsPoller;
use crate::sources::git::{GitPoller, GitSpec};
use crate::sources::github::{GithubPoller, GithubSpec};
use crate::sources::gitlab::{GitlabPoller, GitlabSpec};
use crate::sources::pagerduty::{PagerdutyPoller, PagerdutySpec};
use crate::sources::prometheus::PrometheusSpec;
use crate::sources::prometheus_poller::PrometheusPoller;
use crate::sources::rollouts_poller::{RolloutsPoller, RolloutsSpec};
use crate::sources::scheduler::Poller;
use crate::store::Snapshot;
use crate::text::redact_url;

/// A source's own keys, by kind.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    Events(EventsSpec),
    Github(GithubSpec),
    Gitlab(GitlabSpec),
    Pagerduty(PagerdutySpec),
    Git(GitSpec),
    Prometheus(Box<PrometheusSpec>),
    Rollouts(RolloutsSpec),
    Findings(FindingsSpec),
}

/// Every kind the config accepts (also for "did you mean").
pub const KINDS: &[&str] = &[
    "events",
    "findings",
    "git",
    "github",
    "gitlab",
    "pagerduty",
    "prometheus",
    "rollouts",
];

/// Parses a kind's keys; errors carry the position of the offending key.
pub type SpecParser =
    for<'a> fn(toml::de::ValueDeserializer<'a>) -> Result<SourceSpec, toml::de::Error>;

/// The parser of `kind`'s keys, `None` for an unknown kind.
pub fn spec_parser(kind: &str) -> Option<SpecParser> {
    let parser: SpecParser = match kind {
        "events" => |d| spec(d).map(SourceSpec::Events),
        "github" => |d| spec(d).map(SourceSpec::Github),
        "gitlab" => |d| spec(d).map(SourceSpec::Gitlab),
        "pagerduty" => |d| spec(d).map(SourceSpec::Pagerduty),
        "git" => |d| spec(d).map(SourceSpec::Git),
        "prometheus" => |d| spec(d).map(|s| SourceSpec::Prometheus(Box::new(s))),
        "rollouts" => |d| spec(d).map(SourceSpec::Rollouts),
        "findings" => |d| spec(d).map(SourceSpec::Findings),
        _ => return None,
    };
    Some(parser)
}

/// The `&'static` name of a kind (for the store and the Sources screen).
pub fn kind_name(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|k| **k == kind)
        .copied()
        .unwrap_or("other")
}

impl SourceSpec {
    /// Checks serde cannot make: (key, message) for each problem.
    pub fn check(&self) -> Vec<(&'static str, String)> {
        match self {
            SourceSpec::Events(s) => s.check(),
            SourceSpec::Github(s) => s.check(),
            SourceSpec::Gitlab(s) => s.check(),
            SourceSpec::Pagerduty(s) => s.check(),
            // Its serde conversion already refused what is wrong.
            SourceSpec::Git(_) => Vec::new(),
            // Durations, queries and rules are checked when the source starts
            // (with the token): a mistake there fails that source only.
            SourceSpec::Prometheus(_) => Vec::new(),
            SourceSpec::Rollouts(s) => s.check(),
            SourceSpec::Findings(s) => match s.check() {
                Ok(()) => Vec::new(),
                Err(message) => vec![("path", message)],
            },
        }
    }

    /// Makes relative file paths relative to `base` (the config file's folder).
    pub fn resolve_paths(&mut self, base: &std::path::Path) {
        match self {
            SourceSpec::Git(s) => *s = s.clone().resolved_against(base),
            SourceSpec::Events(s) => {
                if let Some(p) = s.path.as_mut().filter(|p| p.is_relative()) {
                    *p = base.join(&*p);
                }
            }
            SourceSpec::Rollouts(s) => {
                if let Some(p) = s.path.as_mut().filter(|p| p.is_relative()) {
                    *p = base.join(&*p);
                }
            }
            SourceSpec::Findings(s) => {
                if let Some(p) = s
                    .path
                    .as_mut()
                    .filter(|p| std::path::Path::new(p.as_str()).is_relative())
                {
                    *p = base.join(&*p).to_string_lossy().into_owned();
                }
            }
            _ => {}
        }
    }

    /// The interval when the config names none.
    pub fn default_interval(&self) -> Duration {
        match self {
            SourceSpec::Events(_) => Duration::from_secs(10),
            // Canaries are judged while they run: minutes matter.
            SourceSpec::Prometheus(_) => Duration::from_secs(30),
            SourceSpec::Rollouts(_) => Duration::from_secs(15),
            _ => crate::config::DEFAULT_INTERVAL,
        }
    }
}

/// The poller of a configured source. An error (a missing token, a bad URL) is
/// shown as the source's failure; the other sources still start.
pub fn build(source: &SourceConfig, settings: &Settings) -> Result<Box<dyn Poller>, String> {
    build_with(source, settings, None, Clock::real())
}

/// [`build`] for the cockpit and `serve`: a `prometheus` source judges the
/// canaries of the published snapshots.
pub fn build_with(
    source: &SourceConfig,
    settings: &Settings,
    snapshots: Option<watch::Receiver<Arc<Snapshot>>>,
    clock: Clock,
) -> Result<Box<dyn Poller>, String> {
    let timeout = source.timeout;
    Ok(match &source.spec {
        SourceSpec::Events(s) => Box::new(EventsPoller::new(s.clone(), timeout)?),
        SourceSpec::Github(s) => Box::new(GithubPoller::new(s.clone(), settings, timeout)?),
        SourceSpec::Gitlab(s) => Box::new(GitlabPoller::new(s.clone(), settings, timeout)?),
        SourceSpec::Pagerduty(s) => Box::new(PagerdutyPoller::new(s.clone(), timeout)?),
        SourceSpec::Git(s) => Box::new(GitPoller::new(
            s.clone(),
            settings.incident_link_window,
            timeout,
        )),
        SourceSpec::Prometheus(s) => {
            let mut config = s.resolve().map_err(|e| e.to_string())?;
            // The common keys win over the spec's own defaults.
            config.name = crate::text::sanitize(&source.name);
            config.timeout = timeout;
            Box::new(PrometheusPoller::new(config, snapshots, clock)?)
        }
        SourceSpec::Rollouts(s) => Box::new(RolloutsPoller::new(s.clone(), timeout, clock)?),
        SourceSpec::Findings(s) => Box::new(FindingsPoller::new(s.clone(), timeout, clock)?),
    })
}

/// The keys every HTTP kind shares (each kind repeats them in its spec so that
/// `deny_unknown_fields` works).
pub fn check_http(
    url: Option<&str>,
    token_env: Option<&str>,
    token_file: Option<&std::path::Path>,
) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if token_env.is_some() && token_file.is_some() {
        problems.push((
            "token_env",
            "set token_env or token_file, not both".to_string(),
        ));
    }
    if let Some(u) = url {
        match reqwest::Url::parse(u) {
            Ok(p) if matches!(p.scheme(), "http" | "https") => {}
            Ok(_) => problems.push((
                "url",
                format!("'{}' is not an http or https URL", redact_url(u)),
            )),
            Err(e) => problems.push(("url", format!("'{}' is not a URL ({e})", redact_url(u)))),
        }
    }
    problems
}
