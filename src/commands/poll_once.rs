//! Polling every configured source once, all at the same time: what `check`
//! shows in its table and what `report` reads when it is given a config.

use std::time::Duration;

use crate::commands::registry;
use crate::config::Config;
use crate::model::Event;
use crate::model::event_counts::EventCounts;
use crate::model::prepared::Prepared;

/// One source's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    pub kind: String,
    pub ok: bool,
    pub events: usize,
    pub quota: Option<crate::model::source_update::Quota>,
    pub detail: String,
    /// What the poll read, in the order the source read it.
    pub polled: Vec<Event>,
    pub took: Duration,
}

impl Outcome {
    /// The events read, by type ("3 deployments, 40 changes"), then the detail.
    pub fn summary(&self) -> String {
        let by_type = EventCounts::of(&self.polled).summary();
        match (by_type.is_empty(), self.detail.is_empty()) {
            (false, false) => format!("{by_type}; {}", self.detail),
            (false, true) => by_type,
            _ => self.detail.clone(),
        }
    }
}

/// Polls every configured source once, all at the same time.
pub async fn poll_once(config: &Config) -> Vec<Outcome> {
    let settings = config.settings();
    let polls = config.sources.iter().map(|src| {
        let settings = settings.clone();
        async move {
            let started = std::time::Instant::now();
            let mut out = Outcome {
                name: src.name.clone(),
                kind: src.kind.clone(),
                ok: false,
                events: 0,
                quota: None,
                detail: String::new(),
                polled: Vec::new(),
                took: Duration::ZERO,
            };
            match registry::build(src, &settings) {
                Err(e) => out.detail = e,
                Ok(mut poller) => {
                    let deadline = src.timeout.saturating_mul(4);
                    match tokio::time::timeout(deadline, poller.poll()).await {
                        Ok(Ok(polled)) => {
                            let mut events = polled.events;
                            // A followed file's read comes made ready for a
                            // store; a single poll hands on the events.
                            events.extend(polled.prepared.into_iter().map(Prepared::into_event));
                            out.ok = true;
                            out.events = events.len();
                            out.detail = polled.warning.unwrap_or_default();
                            out.polled = events;
                        }
                        Ok(Err(e)) => out.detail = e.message,
                        Err(_) => out.detail = format!("no result within {}s", deadline.as_secs()),
                    }
                    out.quota = poller.quota();
                }
            }
            out.took = started.elapsed();
            out
        }
    });
    futures::future::join_all(polls).await
}
