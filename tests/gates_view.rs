//! The gates in the cockpit, rendered into a TestBackend: the Gates section of
//! the team drill-down alone (insta snapshot; checkout, the demo team whose big
//! batches fail much more often, has its batch line in the alert style), the
//! Overview's gates view (`v`) and the lane detail's certification line.

use crate::support as common;
use common::text;

use flightdeck::app::Action;
use flightdeck::metrics::gates::canary_region;
use flightdeck::ui::screens::team_gates;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

#[test]
fn gates_section_of_checkout_120() {
    let snapshot = common::demo_snapshot();
    let w = &snapshot.views.windows[1];
    let card = w
        .scorecards
        .teams
        .iter()
        .find(|t| &*t.team == "checkout")
        .expect("the demo has checkout");
    let mut terminal = Terminal::new(TestBackend::new(120, 6)).expect("test backend");
    terminal
        .draw(|f| {
            team_gates::draw(
                &flightdeck::app::theme::Theme::default(),
                f,
                f.area(),
                card,
                canary_region(&snapshot.settings),
            );
        })
        .expect("draw");
    let buf = terminal.backend().buffer().clone();
    let t = text(&buf);
    insta::assert_snapshot!(t);
    // The numbers are the scorecard's, as the report prints them.
    let g = &card.current.gates;
    let wait = flightdeck::util::format::duration_secs(
        g.review
            .median_wait_seconds
            .expect("checkout has review waits"),
    );
    assert!(t.lines().nth(1).is_some_and(|l| l.contains(&wait)), "{t}");
    let (small, large) = (
        g.batch.small_failure_rate.expect("small batches"),
        g.batch.large_failure_rate.expect("large batches"),
    );
    assert!(
        large > 2.0 * small,
        "checkout's large batches fail much more: {small} vs {large}"
    );
    // The batch line's number carries the alert style (red) since large fail more.
    let y = 4;
    let line: String = (0..120).map(|x| buf[(x, y)].symbol()).collect();
    let byte = line.find("p90").expect("batch value");
    let x = line[..byte].chars().count() as u16;
    assert_eq!(buf[(x, y)].fg, Color::Red, "{line}");
    // The review line does not.
    assert_ne!(buf[(x, 1)].fg, Color::Red);
}

#[test]
fn overview_gates_view_toggles_with_v() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    let draw = |app: &flightdeck::app::App| {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
        terminal
            .draw(|f| flightdeck::ui::render(f, app, &snapshot))
            .expect("draw");
        text(terminal.backend().buffer())
    };
    app.update(Action::ToggleGates, &snapshot);
    let t = draw(&app);
    insta::assert_snapshot!(t);
    assert!(t.contains("REVIEW WAIT"), "{t}");
    assert!(t.contains("FAIL small/large"), "{t}");
    app.update(Action::ToggleGates, &snapshot);
    let back = draw(&app);
    assert!(
        !back.contains("REVIEW WAIT") && back.contains("LEAD TIME"),
        "{back}"
    );
}
