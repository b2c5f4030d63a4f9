//! What each view lists: the rows a screen selects among, and how many lines
//! a scrolling detail has.

use crate::model::Text;
use crate::store::Snapshot;

use super::{App, Route, Screen, View};

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
        Route::Lane(_) | Route::Finding(_) => app.detail_lines.of(&view.route),
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

/// A detail view's line count, recorded by the view while it draws (render
/// takes `&App`, hence the cell) for the route it drew.
#[derive(Debug, Clone, Default)]
pub struct DetailLines(std::cell::RefCell<Option<(Route, usize)>>);

impl DetailLines {
    /// Recorded by the view that draws `route`.
    pub fn record(&self, route: &Route, lines: usize) {
        *self.0.borrow_mut() = Some((route.clone(), lines));
    }

    /// The count for `route`; 0 until its view has drawn once.
    pub fn of(&self, route: &Route) -> usize {
        match &*self.0.borrow() {
            Some((drawn, n)) if drawn == route => *n,
            _ => 0,
        }
    }
}
