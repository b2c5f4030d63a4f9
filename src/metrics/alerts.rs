//! Release-window alerts: what an architect watching a release must not miss.
//! Derived from the lanes and records as of `now`; one alert per subject (its
//! key), so recomputing never duplicates. Pure.

use chrono::TimeDelta;

use crate::metrics::lanes::{Lanes, Outcome, StageState};
use crate::model::records::Records;
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
}

impl AlertKind {
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::CanaryFailed => "canary failed",
            AlertKind::RolledBack => "rolled back",
            AlertKind::PausedTooLong => "paused too long",
            AlertKind::IncidentOpened => "incident",
            AlertKind::CriticalFinding => "critical finding",
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
}

/// The alert feed as of `now`, newest first.
pub fn derive(lanes: &Lanes, records: &Records, now: Time) -> Vec<Alert> {
    let since = now - LOOKBACK;
    let mut out = Vec::new();
    let mut push = |key: String,
                    kind,
                    at: Time,
                    service: &Text,
                    text: String,
                    ongoing: Option<(Time, String)>| {
        if at >= since && at <= now {
            let (since, tail) = ongoing.unzip();
            out.push(Alert {
                key: Text::from(key),
                kind,
                at,
                service: service.clone(),
                text: Text::from(text),
                since,
                tail: Text::from(tail.unwrap_or_default()),
            });
        }
    };
    for lane in &lanes.lanes {
        if let Some(c) = lane
            .canary
            .as_ref()
            .filter(|c| c.verdict == Some(Verdict::Fail))
        {
            let score = c
                .score
                .map(|s| format!(" (score {s:.0})"))
                .unwrap_or_default();
            push(
                format!("canary:{}", lane.id),
                AlertKind::CanaryFailed,
                c.time,
                &lane.service,
                format!("{} canary failed in {}{score}", lane.id, c.region),
                None,
            );
        }
        for s in &lane.stages {
            match s.state {
                StageState::RolledBack | StageState::Aborted => push(
                    format!("rollback:{}:{}", lane.id, s.region),
                    AlertKind::RolledBack,
                    s.end.unwrap_or(lane.started),
                    &lane.service,
                    format!("{} {} in {}", lane.id, s.state.label(), s.region),
                    None,
                ),
                StageState::Paused if lane.outcome == Outcome::InFlight => {
                    if let Some(p) = s.since.filter(|p| now - *p > PAUSED_TOO_LONG) {
                        let reason = s
                            .reason
                            .as_ref()
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default();
                        push(
                            format!("paused:{}:{}", lane.id, s.region),
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
    for i in &records.incidents {
        let sev = i.severity.as_deref().unwrap_or("incident");
        let title = i.title.as_deref().unwrap_or("");
        push(
            format!("incident:{}", i.id),
            AlertKind::IncidentOpened,
            i.opened,
            &i.service,
            format!("{} {sev} opened on {}: {title}", i.id, i.service),
            None,
        );
    }
    for f in &records.findings {
        if f.severity == Severity::Critical && f.status == FindingStatus::Open {
            let service = f.service.clone().unwrap_or_else(|| Text::from("-"));
            push(
                format!("finding:{}", f.id),
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
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.key.cmp(&b.key)));
    out.dedup_by(|a, b| a.key == b.key);
    out
}
