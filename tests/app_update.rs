//! `App::update` without a terminal: routes, selection, windows, help.

use crate::support as common;

use flightdeck::app::{Action, App, Effect, Route, Screen};

#[test]
fn enter_opens_the_selected_team_and_esc_returns() {
    let snapshot = common::demo_snapshot();
    let mut app = App::new(common::now());
    app.update(Action::Down, &snapshot);
    let w = &snapshot.views.windows[app.window];
    let expected = w.scorecards.teams[w.order[1]].team.clone();
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Redraw);
    assert_eq!(app.view().route, Route::Team(expected));
    assert_eq!(app.update(Action::Back, &snapshot), Effect::Redraw);
    assert_eq!(app.view().route, Route::Screen(Screen::Overview));
    assert_eq!(app.view().selected, 1, "selection survives the round trip");
    // Esc at the root does nothing.
    assert_eq!(app.update(Action::Back, &snapshot), Effect::Nothing);
    assert_eq!(app.stack.len(), 1);
}

#[test]
fn selection_is_clamped_to_the_rows() {
    let snapshot = common::demo_snapshot();
    let mut app = App::new(common::now());
    app.update(Action::Up, &snapshot);
    assert_eq!(app.view().selected, 0);
    for _ in 0..50 {
        app.update(Action::Down, &snapshot);
    }
    assert_eq!(
        app.view().selected,
        snapshot.views.windows[1].order.len() - 1
    );
    app.update(Action::Top, &snapshot);
    assert_eq!(app.view().selected, 0);
    app.update(Action::Bottom, &snapshot);
    assert_eq!(app.view().selected, 7);
}

#[test]
fn brackets_switch_between_7_30_and_90_days() {
    let snapshot = common::demo_snapshot();
    let mut app = App::new(common::now());
    assert_eq!(app.window_days(), 30);
    app.update(Action::WindowShorter, &snapshot);
    assert_eq!(app.window_days(), 7);
    app.update(Action::WindowShorter, &snapshot);
    assert_eq!(app.window_days(), 7);
    app.update(Action::WindowLonger, &snapshot);
    app.update(Action::WindowLonger, &snapshot);
    app.update(Action::WindowLonger, &snapshot);
    assert_eq!(app.window_days(), 90);
}

#[test]
fn number_keys_switch_screens_and_reset_the_stack() {
    let snapshot = common::demo_snapshot();
    let mut app = App::new(common::now());
    app.update(Action::Open, &snapshot);
    assert_eq!(app.stack.len(), 2);
    app.update(Action::Show(Screen::Incidents), &snapshot);
    assert_eq!(app.stack.len(), 1);
    assert_eq!(app.screen(), Screen::Incidents);
    // Enter on an incident opens it.
    if !snapshot.views.open_incidents.is_empty()
        || !snapshot.views.windows[1].resolved_incidents.is_empty()
    {
        app.update(Action::Open, &snapshot);
        assert!(matches!(app.view().route, Route::Incident(_)));
    }
}

#[test]
fn help_is_modal_and_quit_still_works() {
    let snapshot = common::demo_snapshot();
    let mut app = App::new(common::now());
    app.update(Action::ToggleHelp, &snapshot);
    assert!(app.help);
    // j scrolls the help (on a small terminal), not the screen under it.
    assert_eq!(app.update(Action::Down, &snapshot), Effect::Redraw);
    assert_eq!(app.help_offset, 1);
    assert_eq!(app.view().selected, 0);
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Nothing);
    app.update(Action::Back, &snapshot);
    assert!(!app.help);
    app.update(Action::ToggleHelp, &snapshot);
    assert_eq!(app.update(Action::Quit, &snapshot), Effect::Quit);
}

#[test]
fn drill_down_enter_opens_an_incident_row_only() {
    let snapshot = common::demo_snapshot();
    let mut app = App::new(common::now());
    app.update(Action::Open, &snapshot);
    // The first row is a deployment: Enter does nothing there.
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Nothing);
    app.update(Action::Bottom, &snapshot);
    let Route::Team(team) = app.view().route.clone() else {
        panic!("expected a team route");
    };
    let detail = flightdeck::app::team_detail(&snapshot, app.window, &team).expect("team detail");
    if !detail.incidents.is_empty() {
        assert_eq!(app.update(Action::Open, &snapshot), Effect::Redraw);
        assert!(matches!(app.view().route, Route::Incident(_)));
    }
}

#[test]
fn switching_the_window_keeps_the_cursor_on_the_same_team() {
    let snapshot = common::demo_snapshot();
    let mut app = App::new(common::now());
    let team_at = |app: &App| {
        let w = &snapshot.views.windows[app.window];
        w.scorecards.teams[w.order[app.view().selected]]
            .team
            .clone()
    };
    for row in 0..8 {
        app.update(Action::Top, &snapshot);
        for _ in 0..row {
            app.update(Action::Down, &snapshot);
        }
        let before = team_at(&app);
        app.update(Action::WindowShorter, &snapshot);
        assert_eq!(team_at(&app), before, "7 days");
        app.update(Action::WindowLonger, &snapshot);
        app.update(Action::WindowLonger, &snapshot);
        assert_eq!(team_at(&app), before, "90 days");
        app.update(Action::WindowShorter, &snapshot);
    }
}

#[test]
fn a_shorter_window_never_leaves_the_selection_past_the_last_row() {
    let snapshot = common::demo_snapshot();
    let mut app = App::new(common::now());
    app.update(Action::WindowLonger, &snapshot);
    app.update(Action::Show(Screen::Incidents), &snapshot);
    app.update(Action::Bottom, &snapshot);
    app.update(Action::WindowShorter, &snapshot);
    app.update(Action::WindowShorter, &snapshot);
    let rows =
        snapshot.views.open_incidents.len() + snapshot.views.windows[0].resolved_incidents.len();
    assert_eq!(app.view().selected, rows - 1);
}
