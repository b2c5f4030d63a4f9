//! What the UI sees: an immutable picture of the records and everything computed
//! from them, so the render path only reads.

use std::sync::Arc;

use chrono::TimeDelta;

use crate::metrics::dora::{LeadMemo, is_open_at};
use crate::metrics::lanes::{LaneIndex, Lanes, Outcome};
use crate::metrics::{Facts, Scorecards, Window, needs_help_first};
use crate::model::canary::CanaryTarget;
use crate::model::event_counts::EventCounts;
use crate::model::records::Records;
use crate::model::settings::Settings;
use crate::model::source_update::Quota;
use crate::model::stage::StageState;
use crate::model::{FindingStatus, Text, Time};

/// The windows the cockpit switches between with `[` and `]`.
pub const WINDOW_DAYS: [i64; 3] = [7, 30, 90];

/// Freshness of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    pub name: Text,
    pub kind: &'static str,
    pub last_ok: Option<Time>,
    pub last_error: Option<(Time, String)>,
    /// Input the last successful read skipped, e.g. malformed lines.
    pub warning: Option<String>,
    /// Events received from this source so far, by type.
    pub items: EventCounts,
    /// When the scheduler polls next (`None`: paused, off, or not scheduled).
    pub next_poll: Option<Time>,
    /// Polling paused with `p`.
    pub paused: bool,
    /// The API's rate-limit quota after the last request, when it reports one.
    pub quota: Option<Quota>,
    /// The last few polls, oldest first (at most [`RECENT_POLLS`]).
    pub polls: std::collections::VecDeque<Poll>,
    /// A poll has been running for a while (a large first read).
    pub reading: bool,
}

/// How many polls a source's detail lists.
pub const RECENT_POLLS: usize = 10;

/// One poll of a source: when, and how many events it read or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub at: Time,
    pub read: Result<u64, String>,
}

impl SourceStatus {
    pub fn new(name: Text, kind: &'static str) -> Self {
        Self {
            name,
            kind,
            last_ok: None,
            last_error: None,
            warning: None,
            items: EventCounts::default(),
            next_poll: None,
            paused: false,
            quota: None,
            reading: false,
            polls: std::collections::VecDeque::new(),
        }
    }

    /// Keeps `poll` among the recent ones.
    pub fn note_poll(&mut self, poll: Poll) {
        if self.polls.len() == RECENT_POLLS {
            self.polls.pop_front();
        }
        self.polls.push_back(poll);
    }

    /// Failing now: the last error is newer than the last success.
    pub fn failing(&self) -> bool {
        match (&self.last_error, self.last_ok) {
            (Some((e, _)), Some(ok)) => *e > ok,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Failing with earlier data still shown: that data is stale.
    pub fn stale(&self) -> bool {
        self.failing() && self.last_ok.is_some()
    }
}

/// One window's scorecards and the records behind them.
#[derive(Debug, Clone)]
pub struct WindowView {
    pub days: i64,
    pub scorecards: Scorecards,
    /// Indexes into `scorecards.teams`, teams needing help first.
    pub order: Vec<usize>,
    /// Incidents resolved in the window, newest first (indexes into records).
    pub resolved_incidents: Vec<usize>,
    /// The organisation's time to restore: the median over every incident
    /// resolved in the window, all teams pooled (seconds).
    pub restore_median_seconds: Option<f64>,
}

/// What the store keeps between recomputes so that a clock tick does only the
/// work the sliding windows need: which deployments can have a lane (and the
/// lanes that cannot have changed), and lead-time statistics of unchanged slices.
#[derive(Debug, Default)]
pub struct Kept {
    pub lanes: LaneIndex,
    pub leads: LeadMemo,
}

/// Everything computed from the records at one time.
#[derive(Debug, Clone)]
pub struct Views {
    /// The end of every window.
    pub now: Time,
    /// Shared with the snapshots before: facts change only with the records.
    pub facts: Arc<Facts>,
    pub windows: Vec<WindowView>,
    /// Incidents open at `now`, oldest first.
    pub open_incidents: Vec<usize>,
    /// Deployments in each of the 12 weeks ending at `now`, per team of
    /// `facts.teams` (same order): the Overview's sparklines.
    pub weekly_deployments: Vec<Vec<u64>>,
    /// Findings open at the end of each of those weeks, by severity.
    pub weekly_open_findings: [Vec<u64>; 5],
    /// Incidents open in teams read back by the `scorecards` source (no records here).
    pub remote_open_incidents: u64,
    /// Open findings by severity of the teams read back (needing action first).
    pub remote_findings: Arc<Vec<crate::metrics::posture_remote::RemoteFindings>>,
    /// Deployment ids with no production result yet.
    pub in_flight: usize,
    pub open_findings: usize,
    /// Compliance posture per team and account, one table per window in `WINDOW_DAYS`.
    pub findings: Arc<crate::metrics::posture::FindingsView>,
    /// Records after merging (a deployment's lines each count once).
    pub records: usize,
    /// Deployments as lanes across regions (the Lanes screen).
    pub lanes: crate::metrics::lanes::Lanes,
    /// The release-window alerts derived at `now`, newest first.
    pub alerts: Vec<crate::metrics::alerts::Alert>,
    /// When the next alert falls due with no new data (a pause reaching its
    /// threshold): the store recomputes then.
    pub alerts_due: Option<Time>,
    /// The canaries under analysis now, for the sources that measure them.
    pub canary_targets: Vec<CanaryTarget>,
    /// Contracts in the three-step dance and account drift at `now`.
    pub governance: Arc<crate::metrics::governance::Governance>,
    /// Each team's violations, stalled contracts and drifted accounts, one
    /// map per window in `WINDOW_DAYS` (teams with none left out).
    pub governance_teams: Vec<GovernanceTeams>,
}

/// Governance numbers by team for one window.
pub type GovernanceTeams =
    std::collections::BTreeMap<Text, crate::metrics::governance::TeamGovernance>;

impl Views {
    pub fn compute(records: &Records, settings: &Settings, now: Time) -> Self {
        let facts = Arc::new(Facts::derive(records, settings));
        let mut kept = Kept {
            lanes: LaneIndex::build(records, settings),
            leads: LeadMemo::default(),
        };
        Self::compute_with(records, settings, facts, &mut kept, now)
    }

    /// Like [`Views::compute`], with the window-independent facts and the lane
    /// index already brought up to date with these very records (the store
    /// keeps both batch by batch).
    pub fn compute_with(
        records: &Records,
        settings: &Settings,
        facts: Arc<Facts>,
        kept: &mut Kept,
        now: Time,
    ) -> Self {
        let windows = WINDOW_DAYS
            .iter()
            .map(|&days| {
                let window = Window::ending(now, TimeDelta::days(days));
                let scorecards =
                    facts.evaluate_memo(records, window, &settings.benchmark, &mut kept.leads);
                let order = needs_help_first(&scorecards);
                let mut resolved_incidents: Vec<usize> = records
                    .incidents
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.resolved.is_some_and(|r| window.contains(r)))
                    .map(|(n, _)| n)
                    .collect();
                resolved_incidents
                    .sort_by_key(|&n| std::cmp::Reverse(records.incidents[n].resolved));
                let restore_median_seconds = org_restore_median(records, &resolved_incidents);
                WindowView {
                    days,
                    scorecards,
                    order,
                    resolved_incidents,
                    restore_median_seconds,
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
        let governance = Arc::new(crate::metrics::governance::Governance::compute(
            records, settings, now,
        ));
        let mut lanes =
            crate::metrics::lanes::compute_with(records, settings, &mut kept.lanes, now);
        let (alerts, alerts_due) = with_governance(&mut lanes, &governance, records, settings, now);
        Self {
            weekly_deployments: crate::metrics::weekly::weekly_deployments(&facts, now),
            weekly_open_findings: crate::metrics::weekly::open_findings_by_week(
                records.findings.iter(),
                now,
            ),
            alerts_due,
            governance_teams: WINDOW_DAYS
                .iter()
                .map(|&d| governance.by_team(now - TimeDelta::days(d)))
                .collect(),
            governance,
            canary_targets: canary_targets(&lanes),
            lanes,
            alerts,
            now,
            in_flight: facts.in_flight,
            open_findings: records
                .findings
                .iter()
                .filter(|f| f.status == FindingStatus::Open)
                .count(),
            records: records.event_count(),
            findings: Arc::new(crate::metrics::posture::compute(
                &records.findings,
                settings,
                now,
                &WINDOW_DAYS,
            )),
            facts,
            windows,
            open_incidents,
            remote_findings: Arc::new(crate::metrics::posture_remote::compute(&records.remote)),
            remote_open_incidents: records
                .remote
                .iter()
                .flat_map(|r| &r.teams)
                .map(|t| t.open_incidents)
                .sum(),
        }
    }
}

/// The median of `resolved - opened` over `resolved` (indexes into the
/// incidents), leaving out bad data where the resolve time is earlier.
fn org_restore_median(records: &Records, resolved: &[usize]) -> Option<f64> {
    let mut ms: Vec<i64> = resolved
        .iter()
        .filter_map(|&n| {
            let i = records.incidents.get(n)?;
            let d = (i.resolved? - i.opened).num_milliseconds();
            (d >= 0).then_some(d)
        })
        .collect();
    crate::metrics::stats::median_ms(&mut ms).map(|m| m / 1000.0)
}

/// The lanes with the gates governance holds, and the alerts (newest first)
/// and when the next one falls due, governance's included.
fn with_governance(
    lanes: &mut Lanes,
    g: &crate::metrics::governance::Governance,
    records: &Records,
    settings: &Settings,
    now: Time,
) -> (Vec<crate::metrics::alerts::Alert>, Option<Time>) {
    use crate::metrics::governance::gate;
    gate::hold(lanes, g);
    let mut alerts = crate::metrics::alerts::derive(lanes, records, now);
    alerts.extend(gate::alerts(g, lanes, settings, now));
    alerts.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.key.cmp(&b.key)));
    let due = [
        crate::metrics::alerts::next_due(lanes, now),
        gate::next_due(g, settings, now),
    ];
    (alerts, due.into_iter().flatten().min())
}

/// What the lanes say is under canary analysis now: the canary-region stage of
/// in-flight lanes that is verifying. `$version` is the deployment id.
fn canary_targets(lanes: &Lanes) -> Vec<CanaryTarget> {
    lanes
        .lanes
        .iter()
        .filter(|l| l.outcome == Outcome::InFlight)
        .filter_map(|l| {
            let s = l.stages.first()?;
            (s.state == StageState::Verifying).then(|| CanaryTarget {
                deployment: l.id.clone(),
                service: l.service.clone(),
                region: s.region.clone(),
                version: l.id.clone(),
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub version: u64,
    /// The clock when this was published (`views.now` is when the numbers were).
    pub now: Time,
    pub records: Arc<Records>,
    pub settings: Arc<Settings>,
    pub sources: Vec<SourceStatus>,
    pub views: Arc<Views>,
}

impl Snapshot {
    /// Computes everything from `records` at `now` (tests and one-shot use).
    pub fn compute(
        records: Arc<Records>,
        settings: Arc<Settings>,
        sources: Vec<SourceStatus>,
        now: Time,
        version: u64,
    ) -> Self {
        let views = Arc::new(Views::compute(&records, &settings, now));
        Self {
            version,
            now,
            records,
            settings,
            sources,
            views,
        }
    }
}
