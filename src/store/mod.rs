//! The store: the single owner of all records. Sources send it updates; it
//! applies them, recomputes the scorecards that depend on them and publishes an
//! immutable [`Snapshot`] that the UI reads. No rendering, no I/O.

pub mod snapshot;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::clock::Clock;
use crate::model::{Event, Text, Time};
use crate::records::Records;
use crate::settings::Settings;
pub use snapshot::{Snapshot, SourceStatus, WINDOW_DAYS, WindowView};

/// What a source can tell the store.
#[derive(Debug, Clone)]
pub enum SourceUpdate {
    /// A source exists; sent once when it starts.
    Registered { source: Text, kind: &'static str },
    /// New events, in the order the source read them.
    Events { source: Text, events: Vec<Event> },
    /// A poll failed; the source's earlier data stays.
    Failed { source: Text, error: String },
}

/// While the data is quiet the store still recomputes now and then, because
/// windows slide and open incidents age.
const IDLE_RECOMPUTE: Duration = Duration::from_secs(10);

pub struct Store {
    records: Arc<Records>,
    settings: Arc<Settings>,
    sources: Vec<SourceStatus>,
    clock: Clock,
    version: u64,
    publish: watch::Sender<Arc<Snapshot>>,
}

impl Store {
    pub fn new(settings: Settings, clock: Clock) -> (Self, watch::Receiver<Arc<Snapshot>>) {
        let settings = Arc::new(settings);
        let records = Arc::new(Records::default());
        let first = Snapshot::compute(
            records.clone(),
            settings.clone(),
            Vec::new(),
            clock.now(),
            0,
        );
        let (publish, subscribe) = watch::channel(Arc::new(first));
        (
            Self {
                records,
                settings,
                sources: Vec::new(),
                clock,
                version: 0,
                publish,
            },
            subscribe,
        )
    }

    /// Applies one update; returns whether anything changed.
    pub fn apply(&mut self, update: SourceUpdate, now: Time) -> bool {
        match update {
            SourceUpdate::Registered { source, kind } => {
                if !self.sources.iter().any(|s| s.name == source) {
                    self.sources.push(SourceStatus::new(source, kind));
                }
                true
            }
            SourceUpdate::Events { source, events } => {
                let status = self.status(&source);
                status.last_ok = Some(now);
                status.items += events.len() as u64;
                if events.is_empty() {
                    return true;
                }
                let records = Arc::make_mut(&mut self.records);
                for e in events {
                    records.apply(e);
                }
                true
            }
            SourceUpdate::Failed { source, error } => {
                self.status(&source).last_error = Some((now, error));
                true
            }
        }
    }

    fn status(&mut self, source: &Text) -> &mut SourceStatus {
        let i = match self.sources.iter().position(|s| &s.name == source) {
            Some(i) => i,
            None => {
                self.sources
                    .push(SourceStatus::new(source.clone(), "unknown"));
                self.sources.len() - 1
            }
        };
        &mut self.sources[i]
    }

    /// Recomputes and publishes a snapshot as of `now`.
    pub fn publish(&mut self, now: Time) {
        self.version += 1;
        let snapshot = Snapshot::compute(
            self.records.clone(),
            self.settings.clone(),
            self.sources.clone(),
            now,
            self.version,
        );
        // No receiver left means the UI is gone; the store's task ends with the channel.
        let _ = self.publish.send(Arc::new(snapshot));
    }

    /// The store's task: applies updates as they come (a burst is applied as one
    /// batch and published once) until every sender is gone.
    pub async fn run(mut self, mut updates: mpsc::Receiver<SourceUpdate>) {
        let mut idle = tokio::time::interval(IDLE_RECOMPUTE);
        idle.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                update = updates.recv() => {
                    let Some(update) = update else { break };
                    let now = self.clock.now();
                    let mut changed = self.apply(update, now);
                    while let Ok(more) = updates.try_recv() {
                        changed |= self.apply(more, now);
                    }
                    if changed {
                        self.publish(now);
                        idle.reset();
                    }
                }
                _ = idle.tick() => self.publish(self.clock.now()),
            }
        }
        tracing::debug!("store: all sources closed");
    }
}
