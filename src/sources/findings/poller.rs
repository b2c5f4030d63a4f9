//! The `findings` kind as a scheduler [`Poller`]: a file or glob read on the
//! blocking pool, or a URL fetched with the shared HTTP client (ETag, size
//! cap, timeout). Each poll returns every finding it sees; the scheduler
//! forwards only new or changed ones.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use super::{FindingsSpec, read_bytes, read_findings_path};
use crate::clock::Clock;
use crate::model::Event;
use crate::sources::http::{AuthStyle, Http, HttpOptions};
use crate::sources::scheduler::{PollError, Polled, Poller};

pub struct FindingsPoller {
    spec: Arc<FindingsSpec>,
    http: Option<Http>,
    clock: Clock,
}

impl FindingsPoller {
    pub fn new(spec: FindingsSpec, timeout: Duration, clock: Clock) -> Result<Self, String> {
        spec.check()?;
        let http = match &spec.url {
            Some(url) => Some(
                Http::new(
                    url,
                    None,
                    AuthStyle::Bearer,
                    "application/json",
                    HttpOptions {
                        timeout,
                        max_body: usize::try_from(spec.limit()).unwrap_or(usize::MAX),
                        ..HttpOptions::default()
                    },
                )
                .map_err(|e| e.to_string())?,
            ),
            None => None,
        };
        Ok(Self {
            spec: Arc::new(spec),
            http,
            clock,
        })
    }
}

impl Poller for FindingsPoller {
    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        Box::pin(async move {
            let now = self.clock.now();
            if let Some(http) = self.http.as_mut() {
                let url = http.base.clone();
                let page = http.get(url.clone()).await?;
                let findings = read_bytes(&page.body, self.spec.format, url.as_str(), now)
                    .map_err(|e| PollError::new(e.to_string()))?;
                return Ok(Polled {
                    events: findings.into_iter().map(Event::Finding).collect(),
                    warning: None,
                });
            }
            let spec = self.spec.clone();
            let read = tokio::task::spawn_blocking(move || read_findings_path(&spec, now))
                .await
                .map_err(|e| PollError::new(format!("the reader stopped: {e}")))?
                .map_err(|e| PollError::new(e.to_string()))?;
            let warning = read.warning();
            Ok(Polled {
                events: read.findings.into_iter().map(Event::Finding).collect(),
                warning,
            })
        })
    }
}
