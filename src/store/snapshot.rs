//! What the UI sees: an immutable picture of the records and everything computed
//! from them, so the render path only reads.

use std::sync::Arc;

use chrono::TimeDelta;

use crate::metrics::dora::{TeamDetail, is_open_at};
use crate::metrics::{DORA_2023, Facts, Scorecards, Window};
use crate::model::{Text, Time};
use crate::records::Records;
use crate::report::needs_help_first;
use crate::settings::Settings;

/// The windows the cockpit switches between with `[` and `]`.
pub const WINDOW_DAYS: [i64; 3] = [7, 30, 90];

/// Freshness of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    pub name: Text,
    pub kind: &'static str,
    pub last_ok: Option<Time>,
    pub last_error: Option<(Time, String)>,
    pub items: u64,
}

impl SourceStatus {
    pub fn new(name: Text, kind: &'static str) -> Self {
        Self {
            name,
            kind,
            last_ok: None,
            last_error: None,
            items: 0,
        }
    }

    /// Failing now: the last error is newer than the last success.
    pub fn failing(&self) -> bool {
        match (&self.last_error, self.last_ok) {
            (Some((e, _)), Some(ok)) => *e > ok,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// One window's scorecards and the records behind them.
#[derive(Debug, Clone)]
pub struct WindowView {
    pub days: i64,
    pub scorecards: Scorecards,
    /// Indexes into `scorecards.teams`, teams needing help first.
    pub order: Vec<usize>,
    /// Drill-down per team, same index as `scorecards.teams`.
    pub details: Vec<TeamDetail>,
    /// Incidents resolved in the window, newest first (indexes into records).
    pub resolved_incidents: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub version: u64,
    /// The clock when this was computed; the end of every window.
    pub now: Time,
    pub records: Arc<Records>,
    pub facts: Arc<Facts>,
    pub windows: Vec<WindowView>,
    /// Incidents open at `now`, oldest first.
    pub open_incidents: Vec<usize>,
    pub sources: Vec<SourceStatus>,
    pub settings: Arc<Settings>,
}

impl Snapshot {
    pub fn compute(
        records: Arc<Records>,
        settings: Arc<Settings>,
        sources: Vec<SourceStatus>,
        now: Time,
        version: u64,
    ) -> Self {
        let facts = Facts::derive(&records, &settings);
        let windows = WINDOW_DAYS
            .iter()
            .map(|&days| {
                let window = Window::ending(now, TimeDelta::days(days));
                let scorecards = facts.evaluate(&records, window, &DORA_2023);
                let order = {
                    let sorted = needs_help_first(&scorecards);
                    sorted
                        .iter()
                        .filter_map(|t| scorecards.teams.iter().position(|x| x.team == t.team))
                        .collect()
                };
                let details = facts.team_details(&records, window);
                let mut resolved_incidents: Vec<usize> = records
                    .incidents
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.resolved.is_some_and(|r| window.contains(r)))
                    .map(|(n, _)| n)
                    .collect();
                resolved_incidents
                    .sort_by_key(|&n| std::cmp::Reverse(records.incidents[n].resolved));
                WindowView {
                    days,
                    scorecards,
                    order,
                    details,
                    resolved_incidents,
                }
            })
            .collect();
        let mut open_incidents: Vec<usize> = records
            .incidents
            .iter()
            .enumerate()
            .filter(|(_, i)| is_open_at(i.opened, i.resolved, now))
            .map(|(n, _)| n)
            .collect();
        open_incidents.sort_by_key(|&n| records.incidents[n].opened);
        Self {
            version,
            now,
            records,
            facts: Arc::new(facts),
            windows,
            open_incidents,
            sources,
            settings,
        }
    }

    /// Empty, for the first frame before any source reported.
    pub fn empty(now: Time) -> Self {
        Self::compute(
            Arc::new(Records::default()),
            Arc::new(Settings::default()),
            Vec::new(),
            now,
            0,
        )
    }
}
