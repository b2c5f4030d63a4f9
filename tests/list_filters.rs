//! `/` filters and `o` sorts, through `App::update` (no terminal).

use crate::support as common;

use flightdeck::app::{Action, App, Effect};
use flightdeck::store::Snapshot;

fn type_text(app: &mut App, s: &Snapshot, text: &str) {
    for c in text.chars() {
        app.update(Action::Type(c), s);
    }
}

/// The teams the Overview lists, in row order (opening each row).
fn listed(app: &mut App, s: &Snapshot) -> Vec<String> {
    let mut teams = vec![];
    for row in 0..app.cursor().rows {
        app.update(Action::Top, s);
        for _ in 0..row {
            app.update(Action::Down, s);
        }
        app.update(Action::Open, s);
        teams.push(app.top().crumb());
        app.update(Action::Back, s);
    }
    teams
}

#[test]
fn the_overview_filters_as_you_type_and_keeps_the_filter_across_a_drill_down() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    let all = listed(&mut app, &s);
    assert_eq!(app.update(Action::Filter, &s), Effect::Redraw);
    assert!(app.typing());
    type_text(&mut app, &s, "pay");
    // Filtered before Enter.
    let pay: Vec<String> = all.iter().filter(|t| t.contains("pay")).cloned().collect();
    assert!(!pay.is_empty() && pay.len() < all.len(), "{all:?}");
    assert_eq!(app.cursor().rows, pay.len());
    app.update(Action::Open, &s);
    assert!(
        !app.typing(),
        "Enter keeps the filter and closes the prompt"
    );
    assert_eq!(
        listed(&mut app, &s),
        pay,
        "and the drill-downs return to it"
    );
    // Esc on the list clears it.
    assert_eq!(app.update(Action::Back, &s), Effect::Redraw);
    assert_eq!(app.cursor().rows, all.len());
    // A key the Overview has no field for is a problem, not a silent empty list.
    app.update(Action::Filter, &s);
    type_text(&mut app, &s, "region:eu");
    // The last good text, `region` (typed on the way), matches no team.
    assert_eq!(app.cursor().rows, 0);
    assert_eq!(app.update(Action::Open, &s), Effect::Redraw);
    assert!(app.typing(), "Enter does not keep a filter it cannot read");
    // Esc in the prompt clears the filter too.
    app.update(Action::Back, &s);
    assert!(!app.typing());
    // tier: narrows to the teams of that tier.
    app.update(Action::Filter, &s);
    type_text(&mut app, &s, "tier:elite");
    app.update(Action::Open, &s);
    let w = &s.views.windows[app.window];
    let elite = w
        .scorecards
        .teams
        .iter()
        .filter(|t| t.tier == Some(flightdeck::metrics::Tier::Elite))
        .count();
    assert_eq!(app.cursor().rows, elite);
}

#[test]
fn o_sorts_the_overview_by_lead_time_with_teams_without_one_last() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    for _ in 0..4 {
        app.update(Action::SortNext, &s);
    }
    let w = &s.views.windows[app.window];
    let lead = |team: &str| {
        w.scorecards
            .teams
            .iter()
            .find(|t| &*t.team == team)
            .and_then(|t| t.current.lead_time.median_seconds)
    };
    let order = listed(&mut app, &s);
    let values: Vec<Option<f64>> = order.iter().map(|t| lead(t)).collect();
    let mut expected = values.clone();
    expected.sort_by(|a, b| match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(b),
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, None) => std::cmp::Ordering::Equal,
    });
    assert_eq!(values, expected, "ascending lead time: {order:?}");
    assert!(values.windows(2).any(|p| p[0] != p[1]), "{values:?}");
    // O reverses, keeping teams without a lead time last.
    app.update(Action::SortReverse, &s);
    let reversed = listed(&mut app, &s);
    let values: Vec<Option<f64>> = reversed.iter().map(|t| lead(t)).collect();
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    assert!(known.windows(2).all(|p| p[0] >= p[1]), "{values:?}");
    assert!(
        values
            .iter()
            .skip_while(|v| v.is_some())
            .all(Option::is_none)
    );
    // After the last column: back to the ranking (needing help first).
    for _ in 0..5 {
        app.update(Action::SortNext, &s);
    }
    app.update(Action::SortReverse, &s);
    let ranking: Vec<String> = w
        .order
        .iter()
        .map(|&i| w.scorecards.teams[i].team.to_string())
        .collect();
    let mut best_first = listed(&mut app, &s);
    best_first.reverse();
    assert_eq!(best_first, ranking);
}

#[test]
fn findings_filter_as_you_type_and_esc_in_the_prompt_clears() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Findings"), &s);
    let all = app.cursor().rows;
    app.update(Action::Filter, &s);
    type_text(&mut app, &s, "critical");
    let critical = app.cursor().rows;
    assert!(critical > 0 && critical < all, "{critical} of {all}");
    app.update(Action::Back, &s);
    assert!(!app.typing());
    assert_eq!(app.cursor().rows, all);
}

#[test]
fn incidents_filter_by_status_and_service_and_say_when_nothing_matches() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Incidents"), &s);
    let open = s.views.open_incidents.len();
    let all = app.cursor().rows;
    assert!(open > 0 && all > open, "{open} of {all}");
    app.update(Action::Filter, &s);
    type_text(&mut app, &s, "status:open");
    assert_eq!(app.cursor().rows, open);
    app.update(Action::ClearPrompt, &s);
    type_text(&mut app, &s, "status:restored");
    assert_eq!(app.cursor().rows, all - open);
    // A service name narrows to that service's incidents.
    let first = &s.records.incidents[s.views.open_incidents[0]];
    app.update(Action::ClearPrompt, &s);
    type_text(&mut app, &s, &format!("service:{}", first.service));
    let of_service = s
        .views
        .open_incidents
        .iter()
        .chain(&s.views.windows[app.window].resolved_incidents)
        .filter(|&&i| s.records.incidents[i].service.contains(&*first.service))
        .count();
    assert_eq!(app.cursor().rows, of_service);
    app.update(Action::Open, &s);
    app.update(Action::Open, &s);
    assert_eq!(app.top().name(), "Incident", "Enter opens a filtered row");
    app.update(Action::Back, &s);
    app.update(Action::Filter, &s);
    type_text(&mut app, &s, " nosuchword");
    app.update(Action::Open, &s);
    assert_eq!(app.cursor().rows, 0);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).expect("backend");
    terminal
        .draw(|f| flightdeck::ui::render(f, &app, &s))
        .expect("draw");
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        screen.contains("no incident matches the filter"),
        "{screen}"
    );
    assert!(screen.contains(&format!(" 0 of {all}")), "{screen}");
}

#[test]
fn lanes_filter_by_status_service_and_region() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Lanes"), &s);
    let lanes = &s.views.lanes.lanes;
    assert_eq!(app.cursor().rows, lanes.len());
    app.update(Action::Filter, &s);
    type_text(&mut app, &s, "status:blocked");
    let blocked = lanes
        .iter()
        .filter(|l| matches!(l.gate, flightdeck::metrics::lanes::Gate::Blocked(_)))
        .count();
    assert!(blocked > 0, "the demo holds a lane at the gate");
    assert_eq!(app.cursor().rows, blocked);
    app.update(Action::ClearPrompt, &s);
    let service = lanes[0].service.to_string();
    type_text(&mut app, &s, &format!("service:{service}"));
    let of_service = lanes
        .iter()
        .filter(|l| l.service.contains(&*service))
        .count();
    assert_eq!(app.cursor().rows, of_service);
    // Enter keeps the filter; Enter again opens the selected lane.
    app.update(Action::Open, &s);
    app.update(Action::Open, &s);
    assert_eq!(app.top().name(), "Lane");
    app.update(Action::Back, &s);
    app.update(Action::Back, &s);
    assert_eq!(app.cursor().rows, lanes.len(), "Esc clears it");
    // A region the rollout has reached.
    let region = s.views.lanes.regions[0].to_string();
    app.update(Action::Filter, &s);
    type_text(&mut app, &s, &format!("region:{region}"));
    let reached = lanes
        .iter()
        .filter(|l| {
            l.stages
                .iter()
                .any(|st| st.start.is_some() && st.region.contains(&*region))
        })
        .count();
    assert_eq!(app.cursor().rows, reached);
}
