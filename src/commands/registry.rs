//! Builds the poller of each configured source kind: the composition root's
//! half of the source kinds (their config keys live in `config::kinds`).

use std::sync::Arc;

use tokio::sync::watch;

use crate::config::SourceConfig;
use crate::config::kinds::SourceSpec;
use crate::model::settings::Settings;
use crate::sources::events_follow::EventsPoller;
use crate::sources::findings::poller::FindingsPoller;
use crate::sources::git::GitPoller;
use crate::sources::github::GithubPoller;
use crate::sources::gitlab::GitlabPoller;
use crate::sources::pagerduty::PagerdutyPoller;
use crate::sources::prometheus::ScorecardsPoller;
use crate::sources::prometheus_poller::{PrometheusPoller, Targets};
use crate::sources::rollouts_poller::RolloutsPoller;
use crate::sources::scheduler::Poller;
use crate::store::Snapshot;
use crate::util::clock::Clock;

pub use crate::config::kinds::kind_name;

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
        SourceSpec::Git(s) => Box::new(GitPoller::new(s.clone(), timeout)),
        SourceSpec::Prometheus(s) => {
            let mut config = s.resolve().map_err(|e| e.to_string())?;
            // The common keys win over the spec's own defaults.
            config.name = crate::util::text::sanitize(&source.name);
            config.timeout = timeout;
            // The canary loop: the store's published targets in, measurements
            // judged by metrics, results out as events to the store.
            let targets = snapshots.map(|rx| -> Targets {
                Box::new(move || rx.borrow().views.canary_targets.clone())
            });
            Box::new(PrometheusPoller::new(
                config,
                targets,
                crate::metrics::canary::judge,
                clock,
            )?)
        }
        SourceSpec::Rollouts(s) => Box::new(RolloutsPoller::new(s.clone(), timeout, clock)?),
        SourceSpec::Findings(s) => Box::new(FindingsPoller::new(s.clone(), timeout, clock)?),
        SourceSpec::Scorecards(s) => Box::new(ScorecardsPoller::new(s, timeout, clock)?),
    })
}
