//! The `prometheus` kind as a scheduler [`Poller`]: each poll measures the
//! canaries the store currently shows in their canary region against
//! Prometheus, so the scheduler's timeout, backoff and `p`/`r` keys apply.
//!
//! The feedback loop is explicit: the store publishes its canary targets, the
//! composition root hands this poller a reader of them ([`Targets`]) and the
//! judge (`metrics::canary::judge`); the poller only measures and sends the
//! judged results as events. It never touches the store or the UI.

use futures::future::BoxFuture;

use super::prometheus::{Prometheus, PrometheusConfig, analyse};
use crate::model::canary::{CanaryTarget, Judge};
use crate::model::{CanaryResult, Event};
use crate::sources::scheduler::{PollError, Polled, Poller};
use crate::util::clock::Clock;

/// Reads the canaries under analysis as the store last published them.
pub type Targets = Box<dyn Fn() -> Vec<CanaryTarget> + Send + Sync>;

pub struct PrometheusPoller {
    client: Prometheus,
    config: PrometheusConfig,
    /// `None` in `flightdeck check`: there is no store, so a poll only checks
    /// that Prometheus answers a query.
    targets: Option<Targets>,
    judge: Judge,
    clock: Clock,
}

impl PrometheusPoller {
    pub fn new(
        config: PrometheusConfig,
        targets: Option<Targets>,
        judge: Judge,
        clock: Clock,
    ) -> Result<Self, String> {
        let client = Prometheus::new(&config).map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            config,
            targets,
            judge,
            clock,
        })
    }
}

impl Poller for PrometheusPoller {
    /// Every judgement is new (it carries the time it was made).
    fn repeats(&self) -> bool {
        false
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        Box::pin(async move {
            let now = self.clock.now();
            let targets = self.targets.as_ref().map(|read| read()).unwrap_or_default();
            if targets.is_empty() {
                // Nothing to judge: still ask, so that an unreachable Prometheus
                // shows as failing before the next release window, not during it.
                self.client
                    .instant("vector(1)", Some(now))
                    .await
                    .map_err(|e| PollError::new(e.to_string()))?;
                return Ok(Polled::default());
            }
            let mut events = Vec::with_capacity(targets.len());
            let mut judged = 0;
            let mut first_error = None;
            for t in &targets {
                match analyse(&self.client, &self.config, t, now, self.judge).await {
                    Ok(a) => {
                        judged += 1;
                        events.push(Event::Canary(a.to_result()));
                    }
                    Err(e) => {
                        // The lane shows "no data" rather than an old verdict.
                        events.push(Event::Canary(CanaryResult {
                            deployment: t.deployment.clone(),
                            region: t.region.clone(),
                            time: now,
                            verdict: None,
                            error_rate: None,
                            baseline_error_rate: None,
                            p99_ms: None,
                            baseline_p99_ms: None,
                            score: None,
                        }));
                        first_error.get_or_insert(e.to_string());
                    }
                }
            }
            // Some canaries judged: the source works and the rest is a warning.
            // None judged: the poll failed (the source turns red and the
            // scheduler backs off), and the lanes still learn "no data".
            match first_error {
                Some(error) if judged == 0 => Err(PollError {
                    partial: events,
                    ..PollError::new(error)
                }),
                warning => Ok(Polled {
                    prepared: Vec::new(),
                    events,
                    warning,
                }),
            }
        })
    }
}
