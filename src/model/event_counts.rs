//! How many events of each type a source sent: `check`, `report --config` and
//! the Sources screen say "3 deployment lines, 40 changes" rather than one
//! number that mixes changes, deployments and incidents.

use super::Event;

/// Events by type, in the schema's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventCounts([u64; 5]);

const NAMES: [&str; 5] = [
    "deployment line",
    "change",
    "incident",
    "finding",
    "canary result",
];

impl EventCounts {
    /// Deployment lines, changes, incidents, findings and canary results.
    pub fn new(counts: [u64; 5]) -> Self {
        Self(counts)
    }

    pub fn of(events: &[Event]) -> Self {
        let mut counts = Self::default();
        counts.add(events);
        counts
    }

    pub fn add(&mut self, events: &[Event]) {
        for e in events {
            self.0[match e {
                Event::Deployment(_) => 0,
                Event::Change(_) => 1,
                Event::Incident(_) => 2,
                Event::Finding(_) => 3,
                Event::Canary(_) => 4,
            }] += 1;
        }
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// "3 deployment lines, 40 changes, 1 incident"; empty when there are none.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .zip(NAMES)
            .filter(|(n, _)| **n > 0)
            .map(|(&n, name)| {
                if n == 1 {
                    format!("1 {name}")
                } else {
                    format!("{n} {name}s")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
