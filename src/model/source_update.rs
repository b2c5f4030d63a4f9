//! The messages around the sources: what a source tells the store, and what
//! the user (through the app) tells the sources' scheduler.

use super::prepared::Prepared;
use super::{Event, Text, Time};

/// What a source can tell the store.
#[derive(Debug, Clone)]
pub enum SourceUpdate {
    /// A source exists; sent once when it starts.
    Registered { source: Text, kind: &'static str },
    /// A successful read with the new events in the order the source read them
    /// (possibly none: the source is alive and has nothing new). A followed
    /// file's reads come as [`Self::Prepared`] instead.
    Events { source: Text, events: Vec<Event> },
    /// A successful read whose events were made ready for the records on the
    /// threads that parsed them (a followed file's), so that the store's one
    /// thread does not share out their names: on a 1,000,003-line first read
    /// that was a third of its time applying them.
    Prepared { source: Text, events: Vec<Prepared> },
    /// A poll has been running for a while (a large first read): the Sources
    /// screen shows the source reading until the poll ends.
    Reading { source: Text },
    /// The read succeeded but some input was skipped (e.g. malformed lines).
    Warned { source: Text, warning: String },
    /// A read failed; the source's earlier data stays.
    Failed { source: Text, error: String },
    /// The scheduler's plan for a source: when it polls next, in real time
    /// (the store places it on its own clock, which `--now` or `--speed` may
    /// have set elsewhere than today or running faster), paused, rate-limit quota.
    Scheduled {
        source: Text,
        next_at: Option<std::time::Instant>,
        paused: bool,
        quota: Option<Quota>,
    },
}

/// An API's rate-limit quota (GitHub `X-RateLimit-*`, GitLab `RateLimit-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub remaining: u64,
    pub limit: Option<u64>,
    pub reset: Option<Time>,
}

/// Commands from the cockpit (keys `p` and `r`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollCommand {
    TogglePause,
    PollNow,
}
