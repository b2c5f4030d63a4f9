//! `o` / `O` sort every list screen, Findings lists open findings unless `R`
//! asks for the rest, and the Overview's unattributed count opens its list:
//! through `App::update` (no terminal).

use crate::support as common;

use flightdeck::app::{Action, App};
use flightdeck::model::Severity;
use flightdeck::store::Snapshot;

/// The ids the screen on top lists, in row order (`y` on each row).
fn ids(app: &mut App, s: &Snapshot) -> Vec<String> {
    let mut out = vec![];
    app.update(Action::Top, s);
    for row in 0..app.cursor().rows {
        if row > 0 {
            app.update(Action::Down, s);
        }
        app.update(Action::Yank, s);
        out.push(app.clipboard.take().unwrap_or_default());
    }
    out
}

fn sort_by(app: &mut App, s: &Snapshot, column: usize) {
    for _ in 0..=column {
        app.update(Action::SortNext, s);
    }
}

#[test]
fn incidents_sort_by_when_they_opened_both_ways_and_back_to_open_first() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Incidents"), &s);
    let default = ids(&mut app, &s);
    let open = &s.records.incidents[s.views.open_incidents[0]].id;
    assert_eq!(&default[0], &**open, "open incidents come first");
    let opened = |id: &String| {
        let i = s.records.incident(id).expect("listed incident");
        s.records.incidents[i].opened
    };
    // OPENED is the third column.
    sort_by(&mut app, &s, 2);
    let up: Vec<_> = ids(&mut app, &s).iter().map(opened).collect();
    assert_eq!(up.len(), default.len());
    assert!(up.windows(2).all(|p| p[0] <= p[1]), "{up:?}");
    assert!(up.first() < up.last());
    app.update(Action::SortReverse, &s);
    let down: Vec<_> = ids(&mut app, &s).iter().map(opened).collect();
    assert!(down.windows(2).all(|p| p[0] >= p[1]), "{down:?}");
    // Past the last column: the list's own order again.
    for _ in 0..7 {
        app.update(Action::SortNext, &s);
    }
    assert_eq!(ids(&mut app, &s), default);
}

#[test]
fn lanes_sort_by_canary_score_with_lanes_without_one_last() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Lanes"), &s);
    let score = |id: &String| {
        s.views
            .lanes
            .lanes
            .iter()
            .find(|l| &*l.id == id)
            .and_then(|l| l.canary.as_ref()?.score)
    };
    sort_by(&mut app, &s, 2);
    app.update(Action::SortReverse, &s);
    let scores: Vec<Option<f64>> = ids(&mut app, &s).iter().map(score).collect();
    let known: Vec<f64> = scores.iter().flatten().copied().collect();
    assert!(known.len() >= 2, "{scores:?}");
    assert!(known.windows(2).all(|p| p[0] >= p[1]), "{scores:?}");
    assert!(
        scores
            .iter()
            .skip_while(|v| v.is_some())
            .all(Option::is_none),
        "lanes without a score last: {scores:?}"
    );
}

#[test]
fn findings_list_open_ones_until_r_and_sort_by_severity() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Findings"), &s);
    let rows = &s.views.findings.rows;
    let open = rows.iter().filter(|r| r.open).count();
    assert!(open > 0 && open < rows.len(), "{open} of {}", rows.len());
    assert_eq!(app.cursor().rows, open, "open findings only by default");
    app.update(Action::ToggleResolved, &s);
    assert_eq!(app.cursor().rows, rows.len(), "R lists every finding");
    app.update(Action::ToggleResolved, &s);
    assert_eq!(app.cursor().rows, open);
    // A filter naming a status shows that status whatever R says.
    app.update(Action::Filter, &s);
    for c in "status:resolved".chars() {
        app.update(Action::Type(c), &s);
    }
    app.update(Action::Open, &s);
    assert!(app.cursor().rows > 0);
    assert_eq!(app.cursor().rows + open, rows.len() - suppressed(&s));
    app.update(Action::Back, &s);
    // Severity, reversed: the least severe first.
    sort_by(&mut app, &s, 0);
    app.update(Action::SortReverse, &s);
    let severity = |id: &String| {
        let i = s.records.finding(id).expect("listed finding");
        s.records.findings[i].severity
    };
    let listed: Vec<Severity> = ids(&mut app, &s).iter().map(severity).collect();
    assert!(listed.windows(2).all(|p| p[0] >= p[1]), "{listed:?}");
    assert_ne!(listed.first(), listed.last());
}

fn suppressed(s: &Snapshot) -> usize {
    s.views
        .findings
        .rows
        .iter()
        .filter(|r| {
            !r.open
                && s.records.findings[r.index].status
                    == flightdeck::model::FindingStatus::Suppressed
        })
        .count()
}

#[test]
fn u_on_the_overview_lists_every_unattributed_incident_and_esc_comes_back() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    let counted = s.views.windows[app.window]
        .scorecards
        .unattributed_incidents as usize;
    assert!(counted > 0);
    app.update(Action::Unattributed, &s);
    assert_eq!(app.top().name(), "Unattributed");
    assert_eq!(app.cursor().rows, counted, "the number the Overview shows");
    let listed = ids(&mut app, &s);
    for id in &listed {
        let i = s.records.incident(id).expect("listed incident");
        assert!(s.views.facts.incidents[i].attribution.is_none(), "{id}");
    }
    app.update(Action::Top, &s);
    app.update(Action::Down, &s);
    app.update(Action::Open, &s);
    assert_eq!(app.top().name(), "Incident");
    assert_eq!(app.top().crumb(), listed[1]);
    app.update(Action::Back, &s);
    assert_eq!(
        (app.top().name(), app.cursor().selected),
        ("Unattributed", 1)
    );
    app.update(Action::Back, &s);
    assert_eq!(app.top().name(), "Overview");
}

#[test]
fn each_list_screen_keeps_its_sort_between_runs() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    for (screen, column) in [("Lanes", 1), ("Incidents", 3), ("Findings", 2)] {
        app.update(common::show(screen), &s);
        sort_by(&mut app, &s, column);
        app.update(Action::SortReverse, &s);
    }
    app.update(Action::ToggleResolved, &s);
    let saved = app.saved_view();
    let get = |k: &str| {
        saved
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("view Lanes").as_deref(), Some("state:desc\t"));
    assert_eq!(get("view Incidents").as_deref(), Some("severity:desc\t"));
    assert_eq!(get("view Findings").as_deref(), Some("age:desc\t\tR"));
    let mut again = common::app();
    again.restore_view(&saved);
    again.refresh(&s);
    for screen in ["Lanes", "Incidents", "Findings"] {
        app.update(common::show(screen), &s);
        again.update(common::show(screen), &s);
        assert_eq!(ids(&mut again, &s), ids(&mut app, &s), "{screen}");
    }
}

#[test]
fn governance_filters_contracts_and_accounts_and_sorts_the_contracts() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Governance"), &s);
    let g = &s.views.governance;
    let all = app.cursor().rows;
    assert!(all > 0);
    let violations: Vec<String> = g
        .contracts
        .iter()
        .filter(|c| c.violation.is_some())
        .map(|c| c.id.to_string())
        .collect();
    assert!(!violations.is_empty());
    app.update(Action::Filter, &s);
    for c in "status:violation".chars() {
        app.update(Action::Type(c), &s);
    }
    app.update(Action::Open, &s);
    assert_eq!(ids(&mut app, &s), violations);
    // `status:drifted` keeps the drifted components, each in its account.
    app.update(Action::Filter, &s);
    app.update(Action::ClearPrompt, &s);
    for c in "status:drifted".chars() {
        app.update(Action::Type(c), &s);
    }
    app.update(Action::Open, &s);
    let drifted: usize = g
        .accounts
        .iter()
        .map(|a| a.components.iter().filter(|c| c.drifted()).count())
        .sum();
    assert!(drifted > 0);
    assert_eq!(app.cursor().rows, drifted);
    app.update(Action::Back, &s);
    assert_eq!(app.cursor().rows, all, "Esc clears the filter");
    // `o` four times: the contracts by step (the fourth column), accounts after.
    sort_by(&mut app, &s, 3);
    let step = |id: &String| g.contracts.iter().find(|c| &*c.id == id).map(|c| c.step);
    let steps: Vec<u8> = ids(&mut app, &s).iter().filter_map(step).collect();
    assert!(steps.windows(2).all(|p| p[0] <= p[1]), "{steps:?}");
    assert_ne!(steps.first(), steps.last());
}

/// `s` saves the whole page: every row of the list, not only those on screen,
/// and a scrolled detail from its first line; the selection stays put.
#[test]
fn the_saved_page_holds_every_row_and_starts_at_the_top() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Incidents"), &s);
    let listed = ids(&mut app, &s);
    assert!(listed.len() > 30, "more than an 80x24 screen shows");
    app.update(Action::Bottom, &s);
    let selected = app.cursor().selected;
    let (page, cut) = flightdeck::ui::screen_export::whole_page(&mut app, &s, 80, 24);
    assert!(!cut);
    let text = flightdeck::ui::screen_export::to_text(&page);
    for id in &listed {
        assert!(text.contains(id.as_str()), "{id} missing from the page");
    }
    assert_eq!(app.cursor().selected, selected, "the selection is put back");
    // A detail scrolled down (a lane's) is saved from its first line.
    app.update(common::show("Lanes"), &s);
    app.update(Action::Open, &s);
    assert_eq!(app.top().name(), "Lane");
    assert!(app.cursor().rows > 15, "{:?}", app.cursor());
    let first = flightdeck::ui::screen_export::to_text(
        &flightdeck::ui::screen_export::whole_page(&mut app, &s, 60, 15).0,
    );
    // As the cockpit does: the screen is drawn at its size before keys move it.
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(60, 15)).expect("backend");
    terminal
        .draw(|f| flightdeck::ui::render(f, &app, &s))
        .expect("draw");
    app.update(Action::Down, &s);
    app.update(Action::Down, &s);
    let scrolled = flightdeck::ui::screen_export::to_text(
        &flightdeck::ui::screen_export::whole_page(&mut app, &s, 60, 15).0,
    );
    assert_eq!(scrolled, first);
    assert_eq!(app.cursor().selected, 2);
}
