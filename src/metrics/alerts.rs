//! Release-window alerts: what an architect watching a release must not miss.
//! Derived from the lanes and records as of `now`; one alert per subject (its
//! key), so recomputing never duplicates. Alerts hold times, never ages: the
//! age is worked out where it is shown, so it keeps ticking. Pure.

use chrono::TimeDelta;

use crate::metrics::lanes::{Lane, Lanes, Outcome};
use crate::model::records::Records;
use crate::model::stage::StageState;
use crate::model::{FindingStatus, Severity, Text, Time, Verdict};

/// Alerts older than this are not in the feed.
pub const LOOKBACK: TimeDelta = TimeDelta::hours(6);
/// A stage paused longer than this raises an alert.
pub const PAUSED_TOO_LONG: TimeDelta = TimeDelta::minutes(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    CanaryFailed,
    RolledBack,
    PausedTooLong,
    IncidentOpened,
    CriticalFinding,
    /// A deployment held at the gate by a contract step (consumers not migrated).
    ContractHeld,
    /// A contract change became stalled.
    ContractStalled,
}

impl AlertKind {
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::CanaryFailed => "canary failed",
            AlertKind::RolledBack => "rolled back",
            AlertKind::PausedTooLong => "paused too long",
            AlertKind::IncidentOpened => "incident",
            AlertKind::CriticalFinding => "critical finding",
            AlertKind::ContractHeld => "contract held",
            AlertKind::ContractStalled => "contract stalled",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Identifies the subject: the same failure is one alert however often it is derived.
    pub key: Text,
    pub kind: AlertKind,
    pub at: Time,
    pub service: Text,
    pub text: Text,
    /// For an ongoing state (a paused stage): since when. The age is put into
    /// the text where it is shown (`app::alert_text`), so it keeps ticking and
    /// metrics formats no display text.
    pub since: Option<Time>,
    /// What follows the age in the shown text.
    pub tail: Text,
    /// When its condition ended (the incident was resolved, the stage left its
    /// pause); the feed keeps it, marked cleared, until it is acknowledged.
    pub cleared: Option<Time>,
    /// What Enter on the alert in the feed opens.
    pub subject: Subject,
}

impl Alert {
    /// Whether it describes a state that lasts (a pause) rather than an event.
    pub fn ongoing(&self) -> bool {
        self.since.is_some()
    }
}

/// What an alert is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A deployment's lane, by deployment id.
    Lane(Text),
    Incident(Text),
    Finding(Text),
    Contract(Text),
}

/// When the next alert falls due with no new data: the earliest moment an
/// in-flight stage paused before `now` reaches [`PAUSED_TOO_LONG`]. The store
/// recomputes then, so a pause alert fires at its threshold, not at the next batch.
pub fn next_due(lanes: &Lanes, now: Time) -> Option<Time> {
    lanes
        .lanes
        .iter()
        .filter(|l| l.outcome == Outcome::InFlight)
        .flat_map(|l| &l.stages)
        .filter(|s| s.state == StageState::Paused)
        .filter_map(|s| s.since)
        .map(|p| p + PAUSED_TOO_LONG)
        .filter(|due| *due > now)
        .min()
}

/// The alert feed as of `now`, newest first.
pub fn derive(lanes: &Lanes, records: &Records, now: Time) -> Vec<Alert> {
    let mut feed = Feed {
        since: now - LOOKBACK,
        now,
        out: Vec::new(),
    };
    for lane in &lanes.lanes {
        feed.lane(lane);
    }
    // Only what falls in the feed's span is worded (a long history has thousands).
    let span = (feed.since, feed.now);
    let spans = |at: Time| at >= span.0 && at <= span.1;
    for i in records.incidents.iter().filter(|i| spans(i.opened)) {
        let sev = i.severity.as_deref().unwrap_or("incident");
        let title = i.title.as_deref().unwrap_or("");
        let pushed = feed.push(
            (
                format!("incident:{}", i.id),
                Subject::Incident(i.id.clone()),
            ),
            AlertKind::IncidentOpened,
            i.opened,
            &i.service,
            format!("{} {sev} opened on {}: {title}", i.id, i.service),
            None,
        );
        if let Some(alert) = pushed {
            alert.cleared = i.resolved.filter(|r| *r <= now);
        }
    }
    for f in records.findings.iter().filter(|f| spans(f.opened)) {
        if f.severity == Severity::Critical && f.status == FindingStatus::Open {
            let service = f.service.clone().unwrap_or_else(|| Text::from("-"));
            feed.push(
                (format!("finding:{}", f.id), Subject::Finding(f.id.clone())),
                AlertKind::CriticalFinding,
                f.opened,
                &service,
                format!(
                    "{} critical: {}",
                    f.id,
                    f.title.as_deref().unwrap_or("(untitled)")
                ),
                None,
            );
        }
    }
    let mut out = feed.out;
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.key.cmp(&b.key)));
    out.dedup_by(|a, b| a.key == b.key);
    out
}

/// The feed being built: alerts between `since` and `now`.
struct Feed {
    since: Time,
    now: Time,
    out: Vec<Alert>,
}

impl Feed {
    /// Adds an alert at `at` if it is in the feed's time span; `ongoing` is
    /// (since when, the text after the age) for an ongoing state.
    fn push(
        &mut self,
        (key, subject): (String, Subject),
        kind: AlertKind,
        at: Time,
        service: &Text,
        text: String,
        ongoing: Option<(Time, String)>,
    ) -> Option<&mut Alert> {
        // A state that still lasts is news however long ago it began.
        if (at >= self.since || ongoing.is_some()) && at <= self.now {
            let (since, tail) = ongoing.unzip();
            self.out.push(Alert {
                key: Text::from(key),
                kind,
                at,
                service: service.clone(),
                text: Text::from(text),
                since,
                tail: Text::from(tail.unwrap_or_default()),
                cleared: None,
                subject,
            });
            return self.out.last_mut();
        }
        None
    }

    /// A lane's failed canary, rolled back or aborted stages, and stages
    /// paused too long.
    fn lane(&mut self, lane: &Lane) {
        if let Some(c) = lane
            .canary
            .as_ref()
            .filter(|c| c.verdict == Some(Verdict::Fail))
        {
            let score = c
                .score
                .map(|s| format!(" (score {s:.0})"))
                .unwrap_or_default();
            self.push(
                (
                    format!("canary:{}", lane.id),
                    Subject::Lane(lane.id.clone()),
                ),
                AlertKind::CanaryFailed,
                c.time,
                &lane.service,
                format!("{} canary failed in {}{score}", lane.id, c.region),
                None,
            );
        }
        for s in &lane.stages {
            match s.state {
                StageState::RolledBack | StageState::Aborted => {
                    self.push(
                        (
                            format!("rollback:{}:{}", lane.id, s.region),
                            Subject::Lane(lane.id.clone()),
                        ),
                        AlertKind::RolledBack,
                        s.end.unwrap_or(lane.started),
                        &lane.service,
                        format!("{} {} in {}", lane.id, s.state.label(), s.region),
                        None,
                    );
                }
                StageState::Paused if lane.outcome == Outcome::InFlight => {
                    if let Some(p) = s.since.filter(|p| self.now - *p >= PAUSED_TOO_LONG) {
                        let reason = s
                            .reason
                            .as_ref()
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default();
                        self.push(
                            (
                                format!("paused:{}:{}", lane.id, s.region),
                                Subject::Lane(lane.id.clone()),
                            ),
                            AlertKind::PausedTooLong,
                            p + PAUSED_TOO_LONG,
                            &lane.service,
                            format!("{} paused in {} for", lane.id, s.region),
                            Some((p, reason)),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
