//! The store: the single owner of all records. May use `model`, `metrics` and
//! `util`. Sources send it updates; it applies them, recomputes the scorecards
//! that depend on them and publishes an immutable [`Snapshot`] that the UI
//! reads. No rendering, no I/O.

pub mod snapshot;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::model::event_counts::EventCounts;
use crate::model::prepared::Prepared;
use crate::model::records::{Records, Touched};
use crate::model::settings::Settings;
use crate::model::shard::Shard;
use crate::model::shard_ingest::ShardIngest;
use crate::model::{Text, Time};
use crate::util::clock::Clock;
use chrono::TimeDelta;
pub use snapshot::{Kept, Poll, Snapshot, SourceStatus, Views, WINDOW_DAYS, WindowView};

use crate::model::source_update::SourceUpdate;

/// What applying an update changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Changed {
    Nothing,
    /// Only a source's freshness or health: no metric changes.
    Status,
    /// Records changed: scorecards must be recomputed.
    Data,
}

/// While the data is quiet the store still recomputes now and then, because
/// windows slide and open incidents age.
const IDLE_RECOMPUTE: Duration = Duration::from_secs(10);

/// Deployments touched from which a batch's lane index is brought up to date
/// on a thread of its own, next to the facts; a usual batch touches a few and
/// a thread would cost more than it saves.
const LANES_ALONGSIDE: usize = 1 << 14;

pub struct Store {
    records: Arc<Records>,
    settings: Arc<Settings>,
    sources: Vec<SourceStatus>,
    clock: Clock,
    version: u64,
    /// The last computed views, reused when only a source's status changed.
    views: Arc<Views>,
    /// The records changed since `views.facts` were brought up to date.
    touched: Touched,
    /// Kept between recomputes (lane index and cache, lead-time memo); the
    /// store's own (never shared), so it is updated in place.
    kept: Kept,
    publish: watch::Sender<Arc<Snapshot>>,
    /// `serve --shard I/N`: keeps the shard's records only (see `model::shard_ingest`).
    ingest: Option<ShardIngest>,
}

impl Store {
    pub fn new(settings: Settings, clock: Clock) -> (Self, watch::Receiver<Arc<Snapshot>>) {
        let settings = Arc::new(settings);
        let records = Arc::new(Records::default());
        let now = clock.now();
        let views = Arc::new(Views::compute(&records, &settings, now));
        let first = Snapshot {
            version: 0,
            now,
            records: records.clone(),
            settings: settings.clone(),
            sources: Vec::new(),
            views: views.clone(),
        };
        let (publish, subscribe) = watch::channel(Arc::new(first));
        let store = Self {
            records,
            settings,
            sources: Vec::new(),
            clock,
            version: 0,
            views,
            touched: Touched::default(),
            kept: Kept::default(),
            publish,
            ingest: None,
        };
        (store, subscribe)
    }

    /// Keeps only what `shard` serves of what the sources read (nothing is
    /// left out for `1/1`).
    pub fn keeping(mut self, shard: Shard) -> Self {
        self.ingest = ShardIngest::new(shard);
        self
    }

    /// Applies one update.
    pub fn apply(&mut self, update: SourceUpdate, now: Time) -> Changed {
        match update {
            SourceUpdate::Registered { source, kind } => {
                if self.sources.iter().any(|s| s.name == source) {
                    return Changed::Nothing;
                }
                self.sources.push(SourceStatus::new(source, kind));
                Changed::Status
            }
            SourceUpdate::Events { source, events } => {
                // A shard prepares some events it then leaves out: few, as it
                // reads only the sources that feed its teams.
                let events = events.into_iter().map(Prepared::new).collect();
                self.absorb(&source, events, now)
            }
            SourceUpdate::Prepared { source, events } => self.absorb(&source, events, now),
            SourceUpdate::Reading { source } => {
                self.status(&source).reading = true;
                Changed::Status
            }
            SourceUpdate::Warned { source, warning } => {
                tracing::warn!(%source, %warning, "source skipped some input");
                self.status(&source).warning = Some(warning);
                Changed::Status
            }
            SourceUpdate::Failed { source, error } => {
                tracing::warn!(%source, %error, "source failed");
                let status = self.status(&source);
                status.note_poll(Poll {
                    at: now,
                    read: Err(error.clone()),
                });
                status.last_error = Some((now, error));
                status.reading = false;
                Changed::Status
            }
            SourceUpdate::Scheduled {
                source,
                next_at,
                paused,
                quota,
            } => {
                let next_poll = next_at.map(|at| self.on_clock(at, now));
                let status = self.status(&source);
                status.next_poll = next_poll;
                status.paused = paused;
                if quota.is_some() {
                    status.quota = quota;
                }
                Changed::Status
            }
        }
    }

    /// A successful read of `events` from `source`, applied to the records.
    fn absorb(&mut self, source: &Text, mut events: Vec<Prepared>, now: Time) -> Changed {
        // What the source read, before a shard leaves other teams' out.
        let mut read = EventCounts::of_prepared(&events);
        let status = self.status(source);
        status.last_ok = Some(now);
        status.reading = false;
        status.items.absorb(read);
        status.note_poll(Poll {
            at: now,
            read: Ok(read.total()),
        });
        if let Some(ingest) = &mut self.ingest {
            let (settings, records) = (&*self.settings, &*self.records);
            events.retain(|e| ingest.keeps_prepared(e, settings, records));
            read = EventCounts::of_prepared(&events);
        }
        // By events, not `read.total()`: scorecards read back for no team
        // still replace the earlier read.
        if events.is_empty() {
            return Changed::Status;
        }
        // Copy-on-write: the snapshot shares the record chunks, and only the
        // chunks this batch writes to are copied.
        let records = Arc::make_mut(&mut self.records);
        records.reserve(read.changes(), read.deployment_lines());
        let touched = &mut self.touched;
        records.apply_all(events, |t| touched.note(t));
        Changed::Data
    }

    /// A real instant as the store's clock will show it (`now` there): a
    /// clock running faster gets there sooner; a stopped one (`--now`) shows
    /// the wait as it is. Past what a time holds: as far as it goes.
    fn on_clock(&self, at: std::time::Instant, now: Time) -> Time {
        let ahead = at.saturating_duration_since(std::time::Instant::now());
        let speed = self.clock.speed();
        let ahead = if speed > 0.0 {
            std::time::Duration::try_from_secs_f64(ahead.as_secs_f64() * speed).ok()
        } else {
            Some(ahead)
        };
        ahead
            .and_then(|d| TimeDelta::from_std(d).ok())
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(Time::MAX_UTC)
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

    /// Publishes a snapshot as of `now`; scorecards are recomputed only when the
    /// records changed or time moved on (`recompute`).
    pub fn publish(&mut self, now: Time, recompute: bool) {
        self.version += 1;
        if recompute {
            // Facts do not depend on the time: a clock tick re-evaluates the
            // windows only, and a batch re-derives what its records change.
            let mut facts = self.views.facts.clone();
            if !self.touched.is_empty() {
                // Each record once: a burst of lines for one id is one touch.
                let mut touched = std::mem::take(&mut self.touched);
                touched.dedup();
                let (records, settings) = (&*self.records, &*self.settings);
                let facts = Arc::make_mut(&mut facts);
                let lanes = &mut self.kept.lanes;
                let deployments = touched.deployments.iter().copied();
                if touched.deployments.len() >= LANES_ALONGSIDE {
                    // The facts and the lane index are independent: a first read
                    // builds both at once (on the 1,000,003-line file the lane
                    // index took 118 ms next to the facts' 293 ms).
                    std::thread::scope(|scope| {
                        scope.spawn(|| lanes.update(records, settings, deployments));
                        facts.update(records, settings, &touched);
                    });
                } else {
                    facts.update(records, settings, &touched);
                    lanes.update(records, settings, deployments);
                }
                if !(touched.incidents.is_empty()
                    && touched.findings.is_empty()
                    && touched.canaries.is_empty())
                {
                    self.kept.lanes.forget_lanes();
                }
            }
            self.views = Arc::new(Views::compute_with(
                &self.records,
                &self.settings,
                facts,
                &mut self.kept,
                now,
            ));
        }
        let snapshot = Snapshot {
            version: self.version,
            now,
            records: self.records.clone(),
            settings: self.settings.clone(),
            sources: self.sources.clone(),
            views: self.views.clone(),
        };
        // No receiver left means the UI is gone; `run` notices and ends.
        let _ = self.publish.send(Arc::new(snapshot));
    }

    /// Real time until the next alert falls due on the clock (at least a
    /// millisecond past it, so the clock shows the due time when it wakes).
    fn until_alert_due(&self) -> Duration {
        self.views.alerts_due.map_or(Duration::MAX, |due| {
            self.clock
                .real_until(due)
                .saturating_add(Duration::from_millis(1))
        })
    }

    /// The store's task: applies updates as they come (a burst is applied as one
    /// batch and published once). It outlives its sources (a file read once stays
    /// on screen) and ends when nobody watches its snapshots any more.
    pub async fn run(mut self, mut updates: mpsc::Receiver<SourceUpdate>) {
        let mut idle = tokio::time::interval(IDLE_RECOMPUTE);
        idle.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut sources_open = true;
        loop {
            tokio::select! {
                update = updates.recv(), if sources_open => {
                    let Some(update) = update else {
                        tracing::info!("store: every source has finished; keeping the data");
                        sources_open = false;
                        continue;
                    };
                    let now = self.clock.now();
                    let mut changed = self.apply(update, now);
                    while let Ok(more) = updates.try_recv() {
                        changed = changed.max(self.apply(more, now));
                    }
                    match changed {
                        Changed::Data => {
                            self.publish(now, true);
                            idle.reset();
                        }
                        Changed::Status => self.publish(now, false),
                        Changed::Nothing => {}
                    }
                }
                _ = idle.tick() => self.publish(self.clock.now(), true),
                // An alert falls due on the clock (a pause reaching its
                // threshold): recompute then, not at the next batch.
                () = tokio::time::sleep(self.until_alert_due()), if self.views.alerts_due.is_some() => {
                    self.publish(self.clock.now(), true);
                }
                () = self.publish.closed() => break,
            }
        }
        tracing::debug!("store: the UI is gone; stopping");
    }
}
