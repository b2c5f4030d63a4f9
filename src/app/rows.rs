//! What each view lists: the rows a screen selects among, and how many lines
//! a scrolling detail has.

use crate::model::Text;
use crate::store::Snapshot;

use super::{App, Route, Screen, View, findings};

/// Incidents screen rows: open ones (oldest first), then those resolved in the window.
pub fn incident_rows(snapshot: &Snapshot, window: usize) -> impl Iterator<Item = usize> + '_ {
    snapshot
        .views
        .open_incidents
        .iter()
        .chain(&snapshot.views.windows[window].resolved_incidents)
        .copied()
}

pub fn team_detail<'a>(
    snapshot: &'a Snapshot,
    window: usize,
    team: &str,
) -> Option<&'a crate::metrics::dora::TeamDetail> {
    let w = &snapshot.views.windows[window];
    let i = w.scorecards.teams.iter().position(|t| &*t.team == team)?;
    w.details.get(i)
}

/// How many selectable rows the view has.
pub fn row_count(view: &View, app: &App, snapshot: &Snapshot) -> usize {
    let w = &snapshot.views.windows[app.window];
    match &view.route {
        Route::Screen(Screen::Overview) => w.order.len(),
        Route::Screen(Screen::Incidents) => {
            snapshot.views.open_incidents.len() + w.resolved_incidents.len()
        }
        Route::Screen(Screen::Sources) => snapshot.sources.len(),
        Route::Screen(Screen::Lanes) => snapshot.views.lanes.lanes.len(),
        Route::Screen(Screen::Findings) => app.findings.rows.len(),
        Route::Team(team) => team_detail(snapshot, app.window, team).map_or(0, |d| {
            d.deployments.len() + d.changes.len() + d.incidents.len()
        }),
        Route::Incident(_) => 0,
        // Detail views scroll by line: the cursor is the first line shown.
        Route::Lane(id) => snapshot.views.lanes.find(id).map_or(0, lane_lines),
        Route::Finding(id) => finding_lines(snapshot, id),
    }
}

/// An alert's text as of `now`: an ongoing state shows how long it has lasted.
pub fn alert_text(a: &crate::metrics::alerts::Alert, now: crate::model::Time) -> Text {
    match a.since {
        Some(since) => Text::from(format!(
            "{} {}{}",
            a.text,
            crate::util::format::age(now - since),
            a.tail
        )),
        None => a.text.clone(),
    }
}

/// How many lines the lane detail has (src/ui/views/lane.rs builds them; a
/// test keeps the two in step).
pub fn lane_lines(lane: &crate::metrics::lanes::Lane) -> usize {
    let stages = 3 + lane.stages.len() + usize::from(!lane.stages.is_empty());
    let canary =
        2 + lane.canary.as_ref().map_or(0, |c| {
            1 + c.judgement.metrics.len() + c.judgement.reasons.len() + usize::from(c.disagrees())
        }) + usize::from(!lane.error_series.is_empty());
    let changes = 2 + lane.changes.len();
    let incidents = 2 + lane.incidents.len().max(1);
    stages + canary + changes + incidents
}

/// How many lines the finding detail has (src/ui/views/finding.rs builds them).
pub fn finding_lines(snapshot: &Snapshot, id: &str) -> usize {
    let r = &snapshot.records;
    let Some(i) = r.finding(id) else {
        return 0;
    };
    let f = &r.findings[i];
    let view = &snapshot.views.findings;
    let open = view
        .row_of
        .get(i)
        .copied()
        .flatten()
        .and_then(|p| view.rows.get(p as usize))
        .is_some_and(|r| r.open);
    let d = f.detail.as_deref();
    let some = |b: bool| usize::from(b);
    let resolved = matches!(
        (findings::effective(f, open), f.resolved),
        (crate::model::FindingStatus::Resolved, Some(_))
    );
    // title, blank, severity, rule, tool, team, account, resource, frameworks,
    // first seen, remediation, url, id
    13 + some(f.service.is_some())
        + d.map_or(0, |d| {
            some(d.location.is_some())
                + some(d.region.is_some())
                + some(d.repository.is_some())
                + some(!d.tags.is_empty())
                + some(d.description.is_some())
                + some(d.fingerprint.is_some())
        })
        + if resolved { 2 } else { 1 }
}
