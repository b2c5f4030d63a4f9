//! The poll scheduler: one task per source, each on its own interval with
//! jitter. A poll never overlaps the previous one (single-flight); a failure
//! backs off exponentially up to a cap, longer when the server said so
//! (`Retry-After`, rate-limit reset). A source that hangs or fails holds up
//! only itself: every task sends to the store over the same channel and
//! nothing waits on another source.
//!
//! Each source's poll returns everything it currently sees; the scheduler
//! forwards only the events that are new or changed since its last poll, so
//! records are never doubled.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{mpsc, watch};

use crate::model::prepared::Prepared;
use crate::model::source_update::{PollCommand, Quota, SourceUpdate};
use crate::model::{Event, Text};
use crate::sources::http::MAX_WAIT;
use crate::util::clock::Clock;

/// What one poll found.
#[derive(Debug, Default)]
pub struct Polled {
    /// Everything the source currently sees (repeats are filtered out).
    pub events: Vec<Event>,
    /// Or the new events, made ready for the records where they were parsed
    /// (a followed file's, which only ever hands over new lines: these are
    /// never filtered for repeats). A poll gives one or the other.
    pub prepared: Vec<Prepared>,
    /// Input that was skipped, e.g. malformed lines or unmapped items.
    pub warning: Option<String>,
}

/// Why a poll failed: a sentence for the Sources screen, and how long the
/// server asked us to wait before trying again.
#[derive(Debug, Clone, PartialEq)]
pub struct PollError {
    pub message: String,
    pub wait: Option<Duration>,
    /// What the failed poll still learned, sent before the failure: e.g. a
    /// canary judged "no data" because Prometheus did not answer, so that the
    /// lane does not keep showing an old verdict as if it were current.
    pub partial: Vec<Event>,
}

impl PollError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            wait: None,
            partial: Vec::new(),
        }
    }
}

impl std::fmt::Display for PollError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<crate::sources::http::HttpError> for PollError {
    fn from(e: crate::sources::http::HttpError) -> Self {
        Self {
            wait: e.wait(),
            message: e.to_string(),
            partial: Vec::new(),
        }
    }
}

/// A source the scheduler can poll. Implementations keep their own state
/// (HTTP caches, file offsets) between polls; they never touch the store or UI.
pub trait Poller: Send {
    /// One poll. It may take long: the scheduler bounds it with a deadline.
    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>>;
    /// The API's rate-limit quota after the last request, if it has one.
    fn quota(&self) -> Option<Quota> {
        None
    }
    /// Whether a poll hands over events it handed over before (a full listing):
    /// the scheduler then forwards only new or changed ones. A source that
    /// only ever reads new input says `false` and skips that filter.
    fn repeats(&self) -> bool {
        true
    }
}

/// Wraps a blocking scan (e.g. reading a git repository) as a [`Poller`]: each
/// poll runs `scan` on the blocking thread pool.
pub struct BlockingPoller<F> {
    scan: std::sync::Arc<F>,
}

impl<F> BlockingPoller<F>
where
    F: Fn() -> Result<Polled, PollError> + Send + Sync + 'static,
{
    pub fn new(scan: F) -> Self {
        Self {
            scan: std::sync::Arc::new(scan),
        }
    }
}

impl<F> Poller for BlockingPoller<F>
where
    F: Fn() -> Result<Polled, PollError> + Send + Sync + 'static,
{
    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        let scan = self.scan.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || scan())
                .await
                .unwrap_or_else(|e| Err(PollError::new(format!("the scan stopped: {e}"))))
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Control {
    paused: bool,
    /// Bumped by "poll now"; each task polls once per new value.
    generation: u64,
}

/// First retry after a failure, and the longest wait between retries.
pub const BACKOFF_START: Duration = Duration::from_secs(5);
pub const BACKOFF_CAP: Duration = Duration::from_secs(15 * 60);

/// A whole poll (all its pages) may take this many request timeouts.
const POLL_DEADLINE_FACTOR: u32 = 4;

/// How one source is run.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: Text,
    pub kind: &'static str,
    /// `None`: poll once at start (and on `r`).
    pub interval: Option<Duration>,
    pub timeout: Duration,
    /// Polls as soon as this file changes, as well as on the interval.
    pub wake: Option<std::sync::Arc<crate::sources::file_watch::FileWatch>>,
}

/// Owns the control channel of every source task; dropping it stops them.
pub struct Scheduler {
    control: watch::Sender<Control>,
    updates: mpsc::Sender<SourceUpdate>,
    clock: Clock,
    /// Sources started on it: `p` and `r` have nothing to act on without one.
    spawned: std::sync::atomic::AtomicUsize,
}

impl Scheduler {
    pub fn new(updates: mpsc::Sender<SourceUpdate>, clock: Clock) -> Self {
        let (control, _) = watch::channel(Control::default());
        Self {
            control,
            updates,
            clock,
            spawned: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Starts a source's task on the current tokio runtime.
    /// Whether any source was started on this scheduler.
    pub fn is_empty(&self) -> bool {
        self.spawned.load(std::sync::atomic::Ordering::Relaxed) == 0
    }

    pub fn spawn(&self, schedule: Schedule, poller: Box<dyn Poller>) {
        self.spawned
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let task = run(
            schedule,
            poller,
            self.control.subscribe(),
            self.updates.clone(),
            self.clock.clone(),
        );
        tokio::spawn(task);
    }

    /// A source that could not even start (e.g. its token is missing): it is
    /// listed as failing with the reason.
    pub fn spawn_failed(&self, name: Text, kind: &'static str, error: String) {
        let updates = self.updates.clone();
        tokio::spawn(async move {
            let _ = updates
                .send(SourceUpdate::Registered {
                    source: name.clone(),
                    kind,
                })
                .await;
            let _ = updates
                .send(SourceUpdate::Failed {
                    source: name,
                    error,
                })
                .await;
        });
    }

    pub fn command(&self, command: PollCommand) {
        self.control.send_modify(|c| match command {
            PollCommand::TogglePause => c.paused = !c.paused,
            PollCommand::PollNow => c.generation += 1,
        });
    }

    pub fn paused(&self) -> bool {
        self.control.borrow().paused
    }
}

/// Backoff after `failures` failures in a row: doubling from [`BACKOFF_START`]
/// up to [`BACKOFF_CAP`], never shorter than what the server asked for, and
/// never longer than [`MAX_WAIT`] whatever it asked.
pub fn backoff(failures: u32, asked: Option<Duration>) -> Duration {
    let doubled = BACKOFF_START.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    let wait = doubled.min(BACKOFF_CAP);
    match asked {
        Some(a) => wait.max(a.min(MAX_WAIT)),
        None => wait,
    }
}

/// `d` spread by up to ±10%, so sources started together do not poll in step.
pub fn jitter(d: Duration) -> Duration {
    let r = std::collections::hash_map::RandomState::new().hash_one(d);
    let spread = (r % 2001) as f64 / 10_000.0 - 0.1; // -0.1 ..= 0.1
    // Checked: a duration near the maximum must not overflow.
    Duration::try_from_secs_f64(d.as_secs_f64() * (1.0 + spread)).unwrap_or(d)
}

fn fingerprint(event: &Event) -> u64 {
    // A fixed-key hash of the event's schema line: equal events, equal prints.
    let mut h = std::hash::DefaultHasher::new();
    crate::sources::events::to_line(event).hash(&mut h);
    h.finish()
}

async fn run(
    schedule: Schedule,
    mut poller: Box<dyn Poller>,
    mut control: watch::Receiver<Control>,
    updates: mpsc::Sender<SourceUpdate>,
    clock: Clock,
) {
    let Schedule {
        name,
        kind,
        interval,
        timeout,
        wake,
    } = schedule;
    if updates
        .send(SourceUpdate::Registered {
            source: name.clone(),
            kind,
        })
        .await
        .is_err()
    {
        return;
    }
    let deadline = timeout.saturating_mul(POLL_DEADLINE_FACTOR);
    let mut outcome = Outcome {
        name: name.clone(),
        interval,
        seen: HashSet::new(),
        failures: 0,
        clock: clock.clone(),
    };
    let mut served = control.borrow().generation;
    // The first poll is right away.
    let mut next: Option<tokio::time::Instant> = Some(tokio::time::Instant::now());
    loop {
        let paused = control.borrow().paused;
        let plan = SourceUpdate::Scheduled {
            source: name.clone(),
            next_at: next.filter(|_| !paused).map(tokio::time::Instant::into_std),
            paused,
            quota: poller.quota(),
        };
        if updates.send(plan).await.is_err() {
            return;
        }
        match wait_turn(
            next,
            paused,
            wake.as_deref(),
            &mut control,
            served,
            &updates,
        )
        .await
        {
            Turn::Poll => {}
            Turn::Replan => continue,
            Turn::Stop => return,
        }
        // Requests of "poll now" made while this poll runs are served by it.
        served = control.borrow().generation;
        let poll = noted(poller.poll(), &updates, &name);
        let result = match tokio::time::timeout(deadline, poll).await {
            Ok(r) => r,
            Err(_) => Err(PollError::new(format!(
                "no result within {}s; will retry",
                deadline.as_secs()
            ))),
        };
        let (sends, wait) = outcome.after(result, &*poller);
        next = wait.map(|w| {
            let now = tokio::time::Instant::now();
            now.checked_add(w.min(MAX_WAIT)).unwrap_or(now)
        });
        for s in sends {
            if updates.send(s).await.is_err() {
                return;
            }
        }
    }
}

/// A poll running longer than this is shown as reading (a large first read).
const LONG_POLL: Duration = Duration::from_millis(300);

/// `poll`, telling the store when it runs longer than [`LONG_POLL`], so that a
/// first read of a large file does not look like a source waiting to start.
async fn noted(
    poll: BoxFuture<'_, Result<Polled, PollError>>,
    updates: &mpsc::Sender<SourceUpdate>,
    name: &Text,
) -> Result<Polled, PollError> {
    let mut poll = poll;
    tokio::select! {
        result = &mut poll => return result,
        () = tokio::time::sleep(LONG_POLL) => {}
    }
    let reading = SourceUpdate::Reading {
        source: name.clone(),
    };
    // Never waited for: with the store's queue full the poll would stand
    // still (and could run into its deadline) for a word about itself; a word
    // not sent leaves the source shown as before, and the poll's end says the rest.
    let _ = updates.try_send(reading);
    poll.await
}

/// What ended a source's wait.
enum Turn {
    /// Time to poll: the interval ran out, the file changed, or `r`.
    Poll,
    /// Polling was paused or resumed: plan again.
    Replan,
    /// The cockpit is closing.
    Stop,
}

/// Waits for the next poll at `next` (never while paused), for a change of
/// the watched file, or for a command.
async fn wait_turn(
    next: Option<tokio::time::Instant>,
    paused: bool,
    wake: Option<&crate::sources::file_watch::FileWatch>,
    control: &mut watch::Receiver<Control>,
    served: u64,
    updates: &mpsc::Sender<SourceUpdate>,
) -> Turn {
    let due = async {
        match next {
            Some(at) if !paused => tokio::time::sleep_until(at).await,
            _ => std::future::pending().await,
        }
    };
    let woken = async {
        match wake {
            Some(w) if !paused => w.changed().await,
            _ => std::future::pending().await,
        }
    };
    tokio::select! {
        () = due => Turn::Poll,
        () = woken => Turn::Poll,
        changed = control.changed() => {
            if changed.is_err() {
                return Turn::Stop; // the scheduler is gone: the cockpit is closing
            }
            let c = *control.borrow_and_update();
            if c.generation == served { Turn::Replan } else { Turn::Poll }
        }
        () = updates.closed() => Turn::Stop,
    }
}

/// What a source's polls remember between them, to turn each result into
/// store updates and the wait before the next poll.
struct Outcome {
    name: Text,
    interval: Option<Duration>,
    /// Fingerprints of the events sent, for pollers that repeat them.
    seen: HashSet<u64>,
    /// Failures in a row.
    failures: u32,
    /// For a spent quota's reset.
    clock: Clock,
}

impl Outcome {
    /// The updates a poll's result sends, and how long until the next poll
    /// (`None`: only on request).
    fn after(
        &mut self,
        result: Result<Polled, PollError>,
        poller: &dyn Poller,
    ) -> (Vec<SourceUpdate>, Option<Duration>) {
        match result {
            Ok(polled) => self.succeeded(polled, poller),
            Err(e) => self.failed(e),
        }
    }

    fn succeeded(
        &mut self,
        polled: Polled,
        poller: &dyn Poller,
    ) -> (Vec<SourceUpdate>, Option<Duration>) {
        let mut sends = Vec::new();
        self.failures = 0;
        // One update a poll, so that the store counts one poll.
        debug_assert!(
            polled.prepared.is_empty() || polled.events.is_empty(),
            "a poll gives events or prepared events, not both"
        );
        let fresh: Vec<Event> = if poller.repeats() {
            polled
                .events
                .into_iter()
                .filter(|e| self.seen.insert(fingerprint(e)))
                .collect()
        } else {
            polled.events
        };
        if let Some(warning) = polled.warning {
            sends.push(SourceUpdate::Warned {
                source: self.name.clone(),
                warning,
            });
        }
        if polled.prepared.is_empty() || !fresh.is_empty() {
            sends.push(SourceUpdate::Events {
                source: self.name.clone(),
                events: fresh,
            });
        }
        if !polled.prepared.is_empty() {
            sends.push(SourceUpdate::Prepared {
                source: self.name.clone(),
                events: polled.prepared,
            });
        }
        let mut wait = self.interval.map(jitter);
        // The quota is spent: the next poll waits for its reset.
        if let Some(reset) = poller
            .quota()
            .filter(|q| q.remaining == 0)
            .and_then(|q| q.reset)
            && let Ok(until) = (reset - self.clock.now()).to_std()
        {
            let until = until.min(MAX_WAIT);
            wait = Some(wait.map_or(until, |w| w.max(until)));
        }
        (sends, wait)
    }

    fn failed(&mut self, e: PollError) -> (Vec<SourceUpdate>, Option<Duration>) {
        let mut sends = Vec::new();
        self.failures = self.failures.saturating_add(1);
        let wait = jitter(backoff(self.failures, e.wait));
        tracing::info!(source = %self.name, error = %e.message, retry_in_s = wait.as_secs(), "poll failed");
        if !e.partial.is_empty() {
            sends.push(SourceUpdate::Events {
                source: self.name.clone(),
                events: e.partial,
            });
        }
        sends.push(SourceUpdate::Failed {
            source: self.name.clone(),
            error: e.message,
        });
        (sends, Some(wait))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_and_honours_the_server() {
        assert_eq!(backoff(1, None), Duration::from_secs(5));
        // Whatever a server asks, a source waits a day at most.
        assert_eq!(backoff(1, Some(Duration::MAX)), MAX_WAIT);
        assert_eq!(backoff(30, Some(Duration::from_secs(u64::MAX))), MAX_WAIT);
        assert!(jitter(Duration::MAX) > Duration::ZERO);
        assert!(jitter(MAX_WAIT) <= MAX_WAIT.mul_f64(1.1));
        assert_eq!(backoff(2, None), Duration::from_secs(10));
        assert_eq!(backoff(4, None), Duration::from_secs(40));
        assert_eq!(backoff(30, None), BACKOFF_CAP);
        assert_eq!(
            backoff(1, Some(Duration::from_secs(60))),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..100 {
            let j = jitter(Duration::from_secs(100));
            assert!(
                j >= Duration::from_secs(90) && j <= Duration::from_secs(110),
                "{j:?}"
            );
        }
    }
}
