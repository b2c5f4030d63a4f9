//! Source kinds: the one place that maps a `kind = "…"` to its config keys (a
//! serde spec with `deny_unknown_fields`). Their pollers are built in
//! `commands::registry`.
//!
//! Adding a kind takes a [`SourceSpec`] variant, its name in [`KINDS`], a line
//! in [`spec_parser`] and a line in `commands::registry::build_with`.

use std::time::Duration;

use super::spec;
use crate::sources::events_follow::EventsSpec;
use crate::sources::findings::FindingsSpec;
use crate::sources::git::GitSpec;
use crate::sources::github::GithubSpec;
use crate::sources::gitlab::GitlabSpec;
use crate::sources::pagerduty::PagerdutySpec;
use crate::sources::prometheus::{PrometheusSpec, ScorecardsSpec};
use crate::sources::rollouts_poller::RolloutsSpec;

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
    Scorecards(ScorecardsSpec),
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
    "scorecards",
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
        "scorecards" => |d| spec(d).map(SourceSpec::Scorecards),
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
            // The URL here; durations, queries and rules are checked when the
            // source starts (with the token): a mistake there fails that source only.
            SourceSpec::Prometheus(s) => s.check(),
            SourceSpec::Rollouts(s) => s.check(),
            SourceSpec::Scorecards(s) => s.check(),
            SourceSpec::Findings(s) => match s.check() {
                Ok(()) => Vec::new(),
                Err(message) if s.path.is_none() && s.url.is_some() => vec![("url", message)],
                Err(message) => vec![("path", message)],
            },
        }
    }

    /// The file a token is read from, when the kind has one.
    pub fn token_file(&self) -> Option<&std::path::Path> {
        match self {
            SourceSpec::Events(s) => s.token_file.as_deref(),
            SourceSpec::Github(s) => s.token_file.as_deref(),
            SourceSpec::Gitlab(s) => s.token_file.as_deref(),
            SourceSpec::Pagerduty(s) => s.token_file.as_deref(),
            SourceSpec::Prometheus(s) => s.token_file.as_deref(),
            SourceSpec::Rollouts(s) => s.token_file.as_deref(),
            SourceSpec::Scorecards(s) => s.token_file.as_deref(),
            SourceSpec::Git(_) | SourceSpec::Findings(_) => None,
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
            _ => super::DEFAULT_INTERVAL,
        }
    }
}
