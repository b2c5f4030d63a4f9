//! The `git` kind as a scheduler [`Poller`]: each poll runs the (blocking)
//! scanner on tokio's blocking pool. The scanner keeps state between polls
//! (what it sent, the refs it saw), so it is moved into the blocking task and
//! handed back when the task ends.

use std::time::Duration;

use futures::future::BoxFuture;

use super::{GitScanner, GitSpec};
use crate::sources::scheduler::{PollError, Polled, Poller};

pub struct GitPoller {
    /// `None` only while a poll runs, or after a poll task died (then rebuilt).
    scanner: Option<GitScanner>,
    spec: GitSpec,
    timeout: Duration,
}

impl GitPoller {
    pub fn new(spec: GitSpec, timeout: Duration) -> Self {
        Self {
            scanner: Some(GitScanner::new(spec.clone()).with_timeout(timeout)),
            spec,
            timeout,
        }
    }
}

impl Poller for GitPoller {
    /// The scanner sends each line once (it remembers what it sent).
    fn repeats(&self) -> bool {
        false
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        Box::pin(async move {
            let mut scanner = self
                .scanner
                .take()
                .unwrap_or_else(|| GitScanner::new(self.spec.clone()).with_timeout(self.timeout));
            let joined = tokio::task::spawn_blocking(move || {
                let result = scanner.poll();
                (scanner, result)
            })
            .await;
            let (scanner, result) = match joined {
                Ok(done) => done,
                // The next poll starts from a fresh scanner (a full re-read).
                Err(e) => return Err(PollError::new(format!("the git scan stopped: {e}"))),
            };
            self.scanner = Some(scanner);
            match result {
                Ok(scan) => Ok(Polled {
                    prepared: Vec::new(),
                    events: scan.events,
                    warning: (!scan.warnings.is_empty()).then(|| scan.warnings.join("; ")),
                }),
                Err(e) => Err(PollError::new(e.to_string())),
            }
        })
    }
}
