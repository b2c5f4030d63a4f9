//! `App::update` without a terminal: routes, selection, windows, help.

use crate::support as common;

use flightdeck::app::{Action, App, Effect};

#[test]
fn enter_opens_the_selected_team_and_esc_returns() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::Down, &snapshot);
    let w = &snapshot.views.windows[app.window];
    let expected = w.scorecards.teams[w.order[1]].team.clone();
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Redraw);
    assert_eq!(app.top().name(), "Team");
    assert_eq!(app.top().crumb(), &*expected);
    assert_eq!(app.update(Action::Back, &snapshot), Effect::Redraw);
    assert_eq!((app.top().name(), app.depth()), ("Overview", 1));
    assert_eq!(
        app.cursor().selected,
        1,
        "selection survives the round trip"
    );
    // Esc at the root does nothing.
    assert_eq!(app.update(Action::Back, &snapshot), Effect::Nothing);
    assert_eq!(app.depth(), 1);
}

#[test]
fn selection_is_clamped_to_the_rows() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::Up, &snapshot);
    assert_eq!(app.cursor().selected, 0);
    for _ in 0..50 {
        app.update(Action::Down, &snapshot);
    }
    assert_eq!(
        app.cursor().selected,
        snapshot.views.windows[1].order.len() - 1
    );
    app.update(Action::Top, &snapshot);
    assert_eq!(app.cursor().selected, 0);
    app.update(Action::Bottom, &snapshot);
    assert_eq!(app.cursor().selected, 7);
}

#[test]
fn brackets_switch_between_7_30_and_90_days() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
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
    let mut app = common::app();
    app.update(Action::Open, &snapshot);
    assert_eq!(app.depth(), 2);
    app.update(common::show("Incidents"), &snapshot);
    assert_eq!(app.depth(), 1);
    assert_eq!((app.tab(), app.top().name()), (2, "Incidents"));
    // Enter on an incident opens it.
    assert!(
        !snapshot.views.open_incidents.is_empty()
            || !snapshot.views.windows[1].resolved_incidents.is_empty()
    );
    app.update(Action::Open, &snapshot);
    assert_eq!(app.top().name(), "Incident");
}

#[test]
fn each_screen_keeps_its_own_selection_while_another_is_shown() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    for _ in 0..3 {
        app.update(Action::Down, &snapshot);
    }
    app.update(common::show("Incidents"), &snapshot);
    assert_eq!(app.cursor().selected, 0);
    app.update(Action::Down, &snapshot);
    app.update(common::show("Overview"), &snapshot);
    assert_eq!(app.cursor().selected, 3);
    app.update(common::show("Incidents"), &snapshot);
    assert_eq!(app.cursor().selected, 1);
    // A digit with no screen behind it does nothing.
    assert_eq!(app.update(Action::Show(8), &snapshot), Effect::Nothing);
    assert_eq!(app.top().name(), "Incidents");
}

#[test]
fn help_is_modal_and_quit_still_works() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::ToggleHelp, &snapshot);
    assert!(app.help);
    // j scrolls the help (on a small terminal), not the screen under it.
    assert_eq!(app.update(Action::Down, &snapshot), Effect::Redraw);
    assert_eq!(app.help_offset, 1);
    assert_eq!(app.cursor().selected, 0);
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Nothing);
    app.update(Action::Back, &snapshot);
    assert!(!app.help);
    app.update(Action::ToggleHelp, &snapshot);
    assert_eq!(app.update(Action::Quit, &snapshot), Effect::Quit);
}

#[test]
fn drill_down_enter_opens_a_deployments_lane_or_an_incident() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::Open, &snapshot);
    // The first row is the newest deployment: its lane when it is still
    // listed, else the status bar says why not.
    let team = app.top().crumb();
    let detail =
        flightdeck::ui::screens::team::detail(&snapshot, app.window, &team).expect("team detail");
    let first = &snapshot.records.deployments[detail.deployments[0].deployment].id;
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Redraw);
    if snapshot.views.lanes.find(first).is_some() {
        assert_eq!(
            (app.top().name(), app.top().crumb()),
            ("Lane", first.to_string())
        );
        app.update(Action::Back, &snapshot);
    } else {
        assert_eq!(app.top().name(), "Team");
        assert_eq!(
            app.message,
            Some(format!(
                "{first} finished more than 12 hours ago: its lane is no longer listed"
            ))
        );
    }
    app.update(Action::Bottom, &snapshot);
    assert_eq!(app.top().name(), "Team");
    if !detail.incidents.is_empty() {
        assert_eq!(app.update(Action::Open, &snapshot), Effect::Redraw);
        assert_eq!(app.top().name(), "Incident");
    }
}

#[test]
fn switching_the_window_keeps_the_cursor_on_the_same_team() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    let team_at = |app: &App| {
        let w = &snapshot.views.windows[app.window];
        w.scorecards.teams[w.order[app.cursor().selected]]
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
    let mut app = common::app();
    app.update(Action::WindowLonger, &snapshot);
    app.update(common::show("Incidents"), &snapshot);
    app.update(Action::Bottom, &snapshot);
    app.update(Action::WindowShorter, &snapshot);
    app.update(Action::WindowShorter, &snapshot);
    let rows =
        snapshot.views.open_incidents.len() + snapshot.views.windows[0].resolved_incidents.len();
    assert_eq!(app.cursor().selected, rows - 1);
}

/// A screen the app has never heard of: the app routes keys and data to any
/// `Screen`, so adding one is its own file plus a line in `ui::screens::tabs`.
#[derive(Debug, Default)]
struct Probe {
    refreshed: usize,
    opened: bool,
}

impl flightdeck::app::screen::Screen for Probe {
    fn name(&self) -> &'static str {
        "Probe"
    }
    fn keys(&self) -> &'static [flightdeck::app::keymap::Binding] {
        const KEYS: &[flightdeck::app::keymap::Binding] = &[flightdeck::app::keymap::key(
            crossterm::event::KeyCode::Char('x'),
            "x",
            Action::Open,
            "probe",
        )];
        KEYS
    }
    fn refresh(
        &mut self,
        ctx: &flightdeck::app::screen::Ctx,
        cursor: &mut flightdeck::app::screen::Cursor,
    ) {
        self.refreshed += 1;
        cursor.set_rows(ctx.snapshot.sources.len() + 2);
    }
    fn update(
        &mut self,
        action: Action,
        _ctx: &flightdeck::app::screen::Ctx,
        _cursor: &mut flightdeck::app::screen::Cursor,
    ) -> flightdeck::app::screen::Reply {
        match action {
            Action::Open => {
                self.opened = true;
                flightdeck::app::screen::Reply::Redraw
            }
            _ => flightdeck::app::screen::Reply::Pass,
        }
    }
    fn render(
        &self,
        frame: &mut ratatui::Frame,
        area: ratatui::layout::Rect,
        _ctx: &flightdeck::app::screen::Ctx,
        cursor: &flightdeck::app::screen::Cursor,
    ) {
        let text = format!("probe row {} opened {}", cursor.selected, self.opened);
        frame.render_widget(ratatui::widgets::Paragraph::new(text), area);
    }
}

#[test]
fn the_app_drives_a_screen_it_does_not_name() {
    let snapshot = common::demo_snapshot();
    let mut tabs = flightdeck::ui::screens::tabs();
    tabs.push(Box::new(Probe::default()));
    let probe = tabs.len() - 1;
    let mut app = App::new(common::now(), tabs);
    assert_eq!(app.update(Action::Show(probe), &snapshot), Effect::Redraw);
    assert_eq!(app.top().name(), "Probe");
    // Rows from its own refresh (one source + 2), moved by the shared cursor.
    assert_eq!(app.cursor().rows, 3);
    app.update(Action::Bottom, &snapshot);
    assert_eq!(app.cursor().selected, 2);
    // Its own key reaches it, and `?` lists it first.
    let x = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('x'),
        crossterm::event::KeyModifiers::NONE,
    );
    assert_eq!(
        flightdeck::app::keymap::action_for(&x, app.top().keys()),
        Some(Action::Open)
    );
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Redraw);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("backend");
    terminal
        .draw(|f| flightdeck::ui::render(f, &app, &snapshot))
        .expect("draw");
    let buf = terminal.backend().buffer();
    let screen: String = (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect();
    let tab = format!(" {} Probe ", probe + 1);
    assert!(screen.contains(&tab), "its tab:\n{screen}");
    assert!(
        screen.contains("probe row 2 opened true"),
        "it draws itself:\n{screen}"
    );
}

#[test]
fn the_overview_cursor_stays_on_its_team_when_the_teams_are_re_ranked() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::Down, &snapshot);
    app.update(Action::Down, &snapshot);
    let w = &snapshot.views.windows[app.window];
    let team = w.scorecards.teams[w.order[2]].team.clone();
    // The same data, re-ranked: the team at row 2 moves to the top.
    let mut reranked = snapshot.clone();
    let mut views = (*reranked.views).clone();
    let order = &mut views.windows[app.window].order;
    let moved = order.remove(2);
    order.insert(0, moved);
    reranked.views = std::sync::Arc::new(views);
    reranked.version += 1;
    app.on_snapshot(&reranked);
    assert_eq!(app.cursor().selected, 0, "followed its team to the top");
    app.update(Action::Open, &reranked);
    assert_eq!(app.top().crumb(), &*team);
}

#[test]
fn slash_on_a_finding_goes_back_to_the_list_and_opens_the_filter() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Findings"), &snapshot);
    app.update(Action::Open, &snapshot);
    assert_eq!(app.top().name(), "Finding");
    assert_eq!(app.update(Action::Filter, &snapshot), Effect::Redraw);
    assert_eq!((app.top().name(), app.depth()), ("Findings", 1));
    assert!(app.typing(), "the prompt is open");
}

#[test]
fn tab_and_arrows_cycle_the_screens_and_q_backs_out_of_a_drill_down() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    let names: Vec<&str> = app.tabs().map(|s| s.name()).collect();
    let n = names.len();
    assert!(n >= 5, "{names:?}");
    app.update(Action::Open, &snapshot);
    assert_eq!(app.depth(), 2);
    // q in a drill-down goes back to the row it came from, not out.
    assert_eq!(app.update(Action::Quit, &snapshot), Effect::Redraw);
    assert_eq!((app.top().name(), app.depth()), ("Overview", 1));
    for i in 1..=n {
        assert_eq!(app.update(Action::NextScreen, &snapshot), Effect::Redraw);
        assert_eq!(app.top().name(), names[i % n], "Tab #{i}");
    }
    assert_eq!(
        app.update(Action::PreviousScreen, &snapshot),
        Effect::Redraw
    );
    assert_eq!(
        app.top().name(),
        names[n - 1],
        "Shift-Tab wraps to the last"
    );
    // Tab from a drill-down leaves it for the next screen.
    app.update(common::show("Incidents"), &snapshot);
    app.update(Action::Open, &snapshot);
    assert_eq!(app.top().name(), "Incident");
    app.update(Action::NextScreen, &snapshot);
    assert_eq!((app.top().name(), app.depth()), ("Findings", 1));
    // No alerts: q on a top screen quits.
    assert_eq!(app.update(Action::Quit, &snapshot), Effect::Quit);
}

#[test]
fn y_copies_the_id_under_the_cursor_on_every_screen_that_has_one() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&snapshot);
    let w = &snapshot.views.windows[app.window];
    let first = w.scorecards.teams[w.order[0]].team.to_string();
    assert_eq!(app.update(Action::Yank, &snapshot), Effect::Copy);
    assert_eq!(app.clipboard.take(), Some(first.clone()));
    assert_eq!(app.message, Some(format!("copied {first}")));
    // In the team's drill-down: the first row's deployment.
    app.update(Action::Open, &snapshot);
    let detail =
        flightdeck::ui::screens::team::detail(&snapshot, app.window, &first).expect("team detail");
    let dep = &snapshot.records.deployments[detail.deployments[0].deployment].id;
    assert_eq!(app.update(Action::Yank, &snapshot), Effect::Copy);
    assert_eq!(app.clipboard.take().as_deref(), Some(&**dep));
    // An incident's detail: its own id.
    app.update(common::show("Incidents"), &snapshot);
    app.update(Action::Open, &snapshot);
    let id = app.top().crumb();
    app.update(Action::Yank, &snapshot);
    assert!(id.contains(&app.clipboard.take().expect("copied")));
    // Sources: the source's name.
    app.update(common::show("Sources"), &snapshot);
    assert_eq!(app.update(Action::Yank, &snapshot), Effect::Copy);
    assert_eq!(app.clipboard.take().as_deref(), Some("demo"));
    // A filter that hides every source leaves nothing to copy: it says so.
    app.update(Action::Filter, &snapshot);
    app.update(Action::Type('z'), &snapshot);
    app.update(Action::Open, &snapshot);
    assert_eq!(app.update(Action::Yank, &snapshot), Effect::Redraw);
    assert_eq!(app.clipboard, None);
    assert_eq!(
        app.message.as_deref(),
        Some("nothing to copy here: no record is selected")
    );
}

#[test]
fn the_view_saved_on_quit_comes_back_screen_window_sort_and_filters() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&snapshot);
    app.update(Action::Filter, &snapshot);
    for c in "tier:low".chars() {
        app.update(Action::Type(c), &snapshot);
    }
    app.update(Action::Open, &snapshot);
    for _ in 0..4 {
        app.update(Action::SortNext, &snapshot);
    }
    app.update(Action::SortReverse, &snapshot);
    app.update(common::show("Incidents"), &snapshot);
    app.update(Action::Filter, &snapshot);
    for c in "status:open".chars() {
        app.update(Action::Type(c), &snapshot);
    }
    app.update(Action::Open, &snapshot);
    app.update(Action::WindowLonger, &snapshot);
    let saved = app.saved_view();
    let get = |k: &str| {
        saved
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("screen"), Some("Incidents"));
    assert_eq!(get("window"), Some("90d"));
    assert_eq!(get("view Overview"), Some("lead time:desc\ttier:low"));
    assert_eq!(get("view Incidents"), Some("\tstatus:open"));

    let mut again = common::app();
    again.restore_view(&saved);
    again.refresh(&snapshot);
    assert_eq!((again.top().name(), again.window_days()), ("Incidents", 90));
    assert_eq!(again.cursor().rows, snapshot.views.open_incidents.len());
    again.update(common::show("Overview"), &snapshot);
    let low = snapshot.views.windows[again.window]
        .scorecards
        .teams
        .iter()
        .filter(|t| t.tier == Some(flightdeck::metrics::Tier::Low))
        .count();
    assert_eq!(again.cursor().rows, low, "tier:low at 90 days");
    assert_eq!(again.saved_view(), {
        let mut s = saved.clone();
        s[0].1 = "Overview".into();
        s
    });
    // Unknown keys and unreadable values are ignored.
    let mut other = common::app();
    other.restore_view(&[
        ("screen".into(), "Nowhere".into()),
        ("window".into(), "12d".into()),
        ("view Overview".into(), "zz\tregion:eu".into()),
        ("colour".into(), "red".into()),
    ]);
    other.refresh(&snapshot);
    assert_eq!((other.top().name(), other.window_days()), ("Overview", 30));
    assert_eq!(
        other.saved_view()[2],
        ("view Overview".to_string(), "\t".to_string())
    );
}
