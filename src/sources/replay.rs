//! The replay source: a recorded NDJSON event log played back on a replay clock.
//! Events before `--from` are history, applied at once; the rest arrive as the
//! clock reaches their time (in time order, ties in file order); events after
//! `--to` are left out.

use std::sync::Arc;
use std::time::Duration;

use crate::model::source_update::SourceUpdate;
use crate::model::{Event, Text, Time};
use crate::util::clock::{Clock, Replay};

/// The events of a log in the order a replay hands them out.
#[derive(Debug, Clone)]
pub struct ReplayFeed {
    events: Vec<Event>,
    next: usize,
    start: Time,
    end: Time,
}

impl ReplayFeed {
    /// `None` when no event is left between `from` and `to`.
    pub fn new(mut events: Vec<Event>, from: Option<Time>, to: Option<Time>) -> Option<Self> {
        if let Some(to) = to {
            events.retain(|e| e.time() <= to);
        }
        // Stable: lines with the same time keep their order in the file.
        events.sort_by_key(Event::time);
        let first = events.first()?.time();
        let last = events.last()?.time();
        let start = from.map_or(first, |f| f.max(first));
        let end = to.unwrap_or(last).max(start);
        Some(Self {
            events,
            next: 0,
            start,
            end,
        })
    }

    /// Where the replay clock starts: `--from`, or the first event.
    pub fn start(&self) -> Time {
        self.start
    }

    /// Where it stops: `--to`, or the last event.
    pub fn end(&self) -> Time {
        self.end
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Every event not handed out yet with a time at or before `now`.
    pub fn due(&mut self, now: Time) -> Vec<Event> {
        let from = self.next;
        while self.next < self.events.len() && self.events[self.next].time() <= now {
            self.next += 1;
        }
        self.events[from..self.next].to_vec()
    }

    pub fn next_due(&self) -> Option<Time> {
        self.events.get(self.next).map(Event::time)
    }

    pub fn finished(&self) -> bool {
        self.next >= self.events.len()
    }

    /// A clock for this feed at `speed`.
    pub fn clock(&self, speed: f64) -> Clock {
        Clock::Replay(Arc::new(Replay::new(self.start, self.end, speed)))
    }
}

/// Plays `feed` into the store as `clock` reaches each event. Wakes at least
/// every quarter second so a pause or a speed change takes effect at once.
pub async fn run(
    mut feed: ReplayFeed,
    source: Text,
    clock: Clock,
    updates: tokio::sync::mpsc::Sender<SourceUpdate>,
) {
    let registered = SourceUpdate::Registered {
        source: source.clone(),
        kind: "replay",
    };
    if updates.send(registered).await.is_err() {
        return;
    }
    loop {
        let events = feed.due(clock.now());
        if !events.is_empty() {
            let batch = SourceUpdate::Events {
                source: source.clone(),
                events,
            };
            if updates.send(batch).await.is_err() {
                return;
            }
        }
        let Some(next) = feed.next_due() else {
            tracing::info!(%source, "replay: every event played");
            return;
        };
        let wait = clock
            .real_until(next)
            .clamp(Duration::from_millis(10), Duration::from_millis(250));
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::events::parse_str;
    use chrono::{DateTime, Utc};

    fn t(s: &str) -> Time {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    const LOG: &str = r#"{"type":"change","id":"c2","service":"s","time":"2024-03-02T00:00:00Z"}
{"type":"change","id":"c1","service":"s","time":"2024-03-01T00:00:00Z"}
{"type":"change","id":"c3","service":"s","time":"2024-03-03T00:00:00Z"}
{"type":"change","id":"c4","service":"s","time":"2024-03-04T00:00:00Z"}
"#;

    fn ids(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .map(|e| match e {
                Event::Change(c) => c.id.to_string(),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn events_come_in_time_order_as_the_clock_reaches_them() {
        let (events, _) = parse_str(LOG);
        let mut feed = ReplayFeed::new(events, None, None).expect("events");
        assert_eq!(feed.start(), t("2024-03-01T00:00:00Z"));
        assert_eq!(feed.end(), t("2024-03-04T00:00:00Z"));
        assert_eq!(ids(&feed.due(t("2024-03-01T00:00:00Z"))), ["c1"]);
        assert_eq!(ids(&feed.due(t("2024-03-02T12:00:00Z"))), ["c2"]);
        assert_eq!(feed.next_due(), Some(t("2024-03-03T00:00:00Z")));
        assert_eq!(ids(&feed.due(t("2024-03-09T00:00:00Z"))), ["c3", "c4"]);
        assert!(feed.finished());
    }

    #[test]
    fn from_applies_history_at_once_and_to_leaves_later_events_out() {
        let (events, _) = parse_str(LOG);
        let mut feed = ReplayFeed::new(
            events,
            Some(t("2024-03-02T06:00:00Z")),
            Some(t("2024-03-03T12:00:00Z")),
        )
        .expect("events");
        assert_eq!(feed.start(), t("2024-03-02T06:00:00Z"));
        assert_eq!(feed.end(), t("2024-03-03T12:00:00Z"));
        assert_eq!(feed.len(), 3);
        assert_eq!(ids(&feed.due(feed.start())), ["c1", "c2"]);
        assert_eq!(ids(&feed.due(feed.end())), ["c3"]);
        assert!(feed.finished());
        let (events, _) = parse_str(LOG);
        assert!(ReplayFeed::new(events, None, Some(t("2024-01-01T00:00:00Z"))).is_none());
    }
}
