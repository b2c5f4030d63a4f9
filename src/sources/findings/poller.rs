//! The `findings` kind as a scheduler [`Poller`]: a file or glob read on the
//! blocking pool, or a URL fetched with the shared HTTP client (ETag, size
//! cap, timeout). Each poll returns every finding it sees; the scheduler
//! forwards only new or changed ones.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use super::{FindingsSpec, read_bytes, read_findings_path};
use crate::model::Event;
use crate::sources::http::{AuthStyle, Http, HttpOptions};
use crate::sources::scheduler::{PollError, Polled, Poller};
use crate::util::clock::Clock;
use crate::util::text::redact_url;
use reqwest::Url;

pub struct FindingsPoller {
    spec: Arc<FindingsSpec>,
    /// The client and the configured URL exactly as written (the client's base
    /// gains a trailing '/', which would turn `.../x.sarif` into `.../x.sarif/`).
    http: Option<(Http, Url)>,
    clock: Clock,
}

impl FindingsPoller {
    pub fn new(spec: FindingsSpec, timeout: Duration, clock: Clock) -> Result<Self, String> {
        spec.check()?;
        let http = match &spec.url {
            Some(url) => Some((
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
                Url::parse(url.trim())
                    .map_err(|e| format!("invalid URL {}: {e}", redact_url(url)))?,
            )),
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
            if let Some((http, url)) = self.http.as_mut() {
                let page = http.get(url.clone()).await?;
                let shown = redact_url(url.as_str());
                let findings = read_bytes(&page.body, self.spec.format, &shown, now)
                    .map_err(|e| PollError::new(e.to_string()))?;
                return Ok(Polled {
                    prepared: Vec::new(),
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
                prepared: Vec::new(),
                events: read.findings.into_iter().map(Event::Finding).collect(),
                warning,
            })
        })
    }
}
