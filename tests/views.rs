//! Views rendered into a TestBackend: insta snapshots at three sizes, plus
//! assertions on the styles that carry meaning (tier colours, selection).

use crate::support as common;
use common::{draw, text};
use flightdeck::app::Action;

use flightdeck::store::Snapshot;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// The cell where `needle` starts on the row that contains `row_marker`.
fn find(buf: &Buffer, row_marker: &str, needle: &str) -> Option<(u16, u16)> {
    let t = text(buf);
    for (y, line) in t.lines().enumerate() {
        if line.contains(row_marker) {
            let byte = line.find(needle)?;
            let x = line[..byte].chars().count();
            return Some((x as u16, y as u16));
        }
    }
    None
}

#[test]
fn overview_120x40() {
    let snapshot = common::demo_snapshot();
    let app = common::app();
    let buf = draw(&app, &snapshot, 120, 40);
    insta::assert_snapshot!(text(&buf));
    let t = text(&buf);
    assert!(t.contains("1 Overview"), "the screen names itself");
    // The organisation row (every record pooled) stays on top, in bold.
    let org = t.lines().nth(4).unwrap_or_default();
    assert!(org.starts_with("│organisation  MEDIUM"), "{org}");
    assert!(buf[(1, 4)].modifier.contains(Modifier::BOLD));
    // Teams needing help come first: the first team row is a LOW team.
    let first = t.lines().nth(5).unwrap_or_default();
    assert!(
        first.contains("LOW"),
        "first row should be a low-tier team: {first}"
    );
    // A LOW tier is drawn red, an ELITE tier green.
    let (x, y) = find(&buf, "LOW", "LOW").expect("a LOW cell");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    let (x, y) = find(&buf, "ELITE", "ELITE").expect("an ELITE cell");
    assert_eq!(buf[(x, y)].fg, Color::Green);
    // The selected row (the first team) has the selection background.
    assert_ne!(buf[(1, 5)].bg, Color::Reset);
    assert_eq!(buf[(1, 4)].bg, Color::Reset);
    assert_eq!(buf[(1, 6)].bg, Color::Reset);
}

#[test]
fn overview_80x24() {
    let snapshot = common::demo_snapshot();
    let app = common::app();
    insta::assert_snapshot!(text(&draw(&app, &snapshot, 80, 24)));
}

#[test]
fn tiny_terminal_asks_for_room() {
    let snapshot = common::demo_snapshot();
    let app = common::app();
    let t = text(&draw(&app, &snapshot, 30, 8));
    insta::assert_snapshot!(t);
    assert!(t.contains("needs 60x12"));
}

#[test]
fn team_drill_down_120x40() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::Open, &snapshot);
    let buf = draw(&app, &snapshot, 120, 40);
    let t = text(&buf);
    insta::assert_snapshot!(t);
    assert!(t.contains("Deployments counted"));
    assert!(t.contains("Changes and their lead times"));
    assert!(t.contains("Lead time for changes"));
    let (x, y) = find(&buf, "FAILED", "FAILED").expect("a failed deployment row");
    assert_eq!(buf[(x, y)].fg, Color::Red);
}

#[test]
fn the_team_names_the_median_gives_rework_its_trend_and_states_in_words() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::Open, &snapshot);
    let t = text(&draw(&app, &snapshot, 200, 60));
    let line = |name: &str| t.lines().find(|l| l.contains(name)).unwrap_or_default();
    assert!(line("Median time to restore").contains("was "), "{t}");
    // billing's rework went from 50 % to 60 %: worse, up.
    let rework = line("Rework rate");
    assert!(
        rework.contains("60.0%") && rework.contains("↑ was 50.0%"),
        "{rework}"
    );
    assert!(!t.contains("rolled_back"), "{t}");
    assert!(t.contains("FAILED: rolled back in ap-south-1"), "{t}");
}

#[test]
fn team_drill_down_80x24() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::Open, &snapshot);
    insta::assert_snapshot!(text(&draw(&app, &snapshot, 80, 24)));
}

#[test]
fn incidents_120x40() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Incidents"), &snapshot);
    let t = text(&draw(&app, &snapshot, 120, 40));
    insta::assert_snapshot!(t);
    assert!(t.contains("3 Incidents"));
    assert!(t.contains("Time to restore by team"));
}

#[test]
fn help_lists_the_keys() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::ToggleHelp, &snapshot);
    let t = text(&draw(&app, &snapshot, 120, 40));
    insta::assert_snapshot!(t);
    for key in ["Enter", "Esc", "[ ]", "q", "Ctrl-C", "?"] {
        assert!(t.contains(key), "help should list {key}");
    }
}

/// A history of ten days: the 30-day Overview says how much it covers and
/// draws no arrow against the empty previous window; the drill-down compares
/// with nothing.
#[test]
fn a_history_shorter_than_the_window_says_so_and_draws_no_trend() {
    use flightdeck::model::records::Records;
    use flightdeck::model::settings::Settings;
    use std::sync::Arc;
    let now = common::now();
    let at = |days: i64| (now - chrono::TimeDelta::days(days)).to_rfc3339();
    let lines: String = (1..=10)
        .map(|d| {
            format!(
                "{{\"type\":\"change\",\"id\":\"c{d}\",\"service\":\"api\",\"team\":\"alpha\",\"time\":\"{}\"}}\n\
                 {{\"type\":\"deployment\",\"id\":\"d{d}\",\"service\":\"api\",\"team\":\"alpha\",\"time\":\"{}\",\"status\":\"success\",\"changes\":[\"c{d}\"]}}\n",
                at(d),
                at(d - 1).replace("+00:00", "Z")
            )
        })
        .collect();
    let (events, _) = flightdeck::sources::events::parse_str(&lines);
    let records = Records::from_events(events);
    let snapshot = Snapshot::compute(
        Arc::new(records),
        Arc::new(Settings::default()),
        Vec::new(),
        now,
        1,
    );
    let mut app = common::app();
    let overview = text(&draw(&app, &snapshot, 120, 40));
    assert!(
        overview.contains("last 30 days, history covers 10 days · no previous data, no trends"),
        "{overview}"
    );
    let row = overview
        .lines()
        .find(|l| l.contains("alpha"))
        .expect("alpha's row");
    assert!(!row.contains('↑') && !row.contains('↓'), "{row}");
    app.update(Action::Open, &snapshot);
    let team = text(&draw(&app, &snapshot, 120, 40));
    assert!(team.contains("was no data"), "{team}");
    assert!(!team.contains("was 0.0/mo"), "{team}");
}

/// A source that read nothing (an empty file, or the first read still going):
/// the Overview says so and where to look, instead of a row of zeros that
/// reads like a quiet organisation. Once anything is read, the usual counts.
#[test]
fn an_overview_with_nothing_read_says_so() {
    use flightdeck::model::records::Records;
    use flightdeck::model::settings::Settings;
    use std::sync::Arc;
    let empty = Snapshot::compute(
        Arc::new(Records::default()),
        Arc::new(Settings::default()),
        Vec::new(),
        common::now(),
        1,
    );
    let t = text(&draw(&common::app(), &empty, 120, 40));
    assert!(
        t.contains("0 teams: nothing read yet (5 Sources says what each source read)"),
        "{t}"
    );
    assert!(!t.contains("need help"), "{t}");
    // A first read under way says so.
    let mut reading = empty.clone();
    let mut big = flightdeck::store::SourceStatus::new("big.ndjson".into(), "events");
    big.reading = true;
    reading.sources.push(big);
    let t = text(&draw(&common::app(), &reading, 120, 40));
    assert!(
        t.contains("0 teams yet: reading big.ndjson (5 Sources)"),
        "{t}"
    );
    let demo = common::demo_snapshot();
    let t = text(&draw(&common::app(), &demo, 120, 40));
    assert!(
        t.contains("need help") && !t.contains("nothing read yet"),
        "{t}"
    );
}
