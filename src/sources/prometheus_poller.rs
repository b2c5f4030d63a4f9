//! The `prometheus` kind as a scheduler [`Poller`]: each poll judges the
//! canaries the store currently shows in their canary region against
//! Prometheus, so the scheduler's timeout, backoff and `p`/`r` keys apply.
//!
//! It reads the published snapshot (read-only) to find its targets; it never
//! touches the store's records or the UI.

use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::watch;

use super::prometheus::{Prometheus, PrometheusConfig, analyse, targets};
use crate::model::{CanaryResult, Event};
use crate::sources::scheduler::{PollError, Polled, Poller};
use crate::store::Snapshot;
use crate::util::clock::Clock;

pub struct PrometheusPoller {
    client: Prometheus,
    config: PrometheusConfig,
    /// `None` in `flightdeck check`: there is no store, so a poll only checks
    /// that Prometheus answers a query.
    snapshots: Option<watch::Receiver<Arc<Snapshot>>>,
    clock: Clock,
}

impl PrometheusPoller {
    pub fn new(
        config: PrometheusConfig,
        snapshots: Option<watch::Receiver<Arc<Snapshot>>>,
        clock: Clock,
    ) -> Result<Self, String> {
        let client = Prometheus::new(&config).map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            config,
            snapshots,
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
            let targets = self
                .snapshots
                .as_ref()
                .map(|s| targets(&s.borrow()))
                .unwrap_or_default();
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
                match analyse(&self.client, &self.config, t, now).await {
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
                warning => Ok(Polled { events, warning }),
            }
        })
    }
}
