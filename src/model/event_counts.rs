//! How many events of each type a source sent: `check`, `report --config` and
//! the Sources screen say "3 deployment lines, 40 changes" rather than one
//! number that mixes changes, deployments and incidents (scorecards read back
//! from exporters count as the teams they cover).

use super::Event;
use super::prepared::Prepared;

/// Events by type, in the schema's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventCounts([u64; 9]);

const NAMES: [&str; 9] = [
    "deployment line",
    "change",
    "incident",
    "finding",
    "canary result",
    "team scorecard",
    "contract step",
    "standard release",
    "account baseline",
];

impl EventCounts {
    /// Deployment lines, changes, incidents, findings and canary results.
    pub fn new(counts: [u64; 5]) -> Self {
        let [d, c, i, f, k] = counts;
        Self([d, c, i, f, k, 0, 0, 0, 0])
    }

    pub fn of(events: &[Event]) -> Self {
        let mut counts = Self::default();
        counts.add(events);
        counts
    }

    /// [`Self::of`] events made ready for the records (slots as in [`Self::add`]).
    pub fn of_prepared(events: &[Prepared]) -> Self {
        let mut counts = Self::default();
        for e in events {
            match e {
                Prepared::Deployment(_) => counts.0[0] += 1,
                Prepared::Change(_) => counts.0[1] += 1,
                Prepared::Other(e) => counts.add(std::slice::from_ref(&**e)),
            }
        }
        counts
    }

    pub fn add(&mut self, events: &[Event]) {
        for e in events {
            let (slot, n) = match e {
                Event::Deployment(_) => (0, 1),
                Event::Change(_) => (1, 1),
                Event::Incident(_) => (2, 1),
                Event::Finding(_) => (3, 1),
                Event::Canary(_) => (4, 1),
                // Scorecards read back: counted as the teams they cover.
                Event::Scorecards(s) => (5, s.teams.len() as u64),
                Event::Contract(_) => (6, 1),
                Event::Standard(_) => (7, 1),
                Event::Baseline(_) => (8, 1),
            };
            self.0[slot] += n;
        }
    }

    /// Adds counts taken elsewhere.
    pub fn absorb(&mut self, other: Self) {
        for (n, more) in self.0.iter_mut().zip(other.0) {
            *n += more;
        }
    }

    pub fn deployment_lines(&self) -> usize {
        usize::try_from(self.0[0]).unwrap_or(usize::MAX)
    }

    pub fn changes(&self) -> usize {
        usize::try_from(self.0[1]).unwrap_or(usize::MAX)
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// "3 deployment lines, 40 changes, 1 incident"; empty when there are none.
    pub fn summary(&self) -> String {
        self.parts().join(", ")
    }

    /// Each type read, as "40 changes", in the schema's order.
    pub fn parts(&self) -> Vec<String> {
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
            .collect()
    }
}
