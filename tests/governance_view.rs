//! The Governance screen (`6`) and its drill-downs on the demo, rendered into
//! a TestBackend: insta snapshots, and the rows and styles that carry meaning
//! (the violation first and in red, the held contract, the drifted account,
//! the declared override). The Overview's GOV column and the team drill-down.

use crate::support as common;
use common::{draw, text};

use flightdeck::app::{Action, App};
use flightdeck::store::Snapshot;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

/// The cell where `needle` starts on the first row holding it.
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let t = text(buf);
    t.lines().enumerate().find_map(|(y, line)| {
        let byte = line.find(needle)?;
        Some((line[..byte].chars().count() as u16, y as u16))
    })
}

fn governance(snapshot: &Snapshot) -> App {
    let mut app = common::app();
    app.update(common::show("Governance"), snapshot);
    app
}

#[test]
fn governance_screen_120x40() {
    let snapshot = common::demo_snapshot();
    let app = governance(&snapshot);
    let buf = draw(&app, &snapshot, 120, 40);
    let t = text(&buf);
    insta::assert_snapshot!(t);
    assert!(t.contains("6 Governance"));
    // Violations first: the first contract row is the violation, in red.
    let rows: Vec<&str> = t.lines().collect();
    assert!(
        rows[3].contains("VIOLATION") && rows[3].contains("ledger/EntryPosted"),
        "{t}"
    );
    let (x, y) = find(&buf, "VIOLATION").expect("a violation");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    for want in [
        "HELD      auth/TokenClaims",
        "stalled   pricing/PriceQuote",
        "old path removed while reporting had not migrated",
        "456789012345",
        "held for the quarter-end data freeze",
        "missing",
    ] {
        assert!(t.contains(want), "{want:?} in\n{t}");
    }
}

#[test]
fn governance_screen_80x24() {
    let snapshot = common::demo_snapshot();
    let app = governance(&snapshot);
    let t = text(&draw(&app, &snapshot, 80, 24));
    insta::assert_snapshot!(t);
    assert!(
        t.contains("ledger/EntryPosted") && t.contains("456789012345"),
        "{t}"
    );
}

#[test]
fn enter_opens_the_contract_with_every_step_and_its_deployment() {
    let snapshot = common::demo_snapshot();
    let mut app = governance(&snapshot);
    // The held contract: VIOLATION, then stalled, then HELD (identity).
    for _ in 0..2 {
        app.update(Action::Down, &snapshot);
    }
    app.update(Action::Open, &snapshot);
    let t = text(&draw(&app, &snapshot, 120, 40));
    insta::assert_snapshot!(t);
    for want in [
        "Contract auth/TokenClaims",
        "auth-contract-1 held at certification: edge-proxy not migrated",
        "edge-proxy           not migrated",
        "deployment auth-contract-1",
        "in flight: not taken yet",
    ] {
        assert!(t.contains(want), "{want:?} in\n{t}");
    }
}

#[test]
fn enter_opens_the_account_with_each_component() {
    let snapshot = common::demo_snapshot();
    let mut app = governance(&snapshot);
    // The contracts (5), then billing's account first (teams in order).
    for _ in 0..5 {
        app.update(Action::Down, &snapshot);
    }
    app.update(Action::Open, &snapshot);
    let buf = draw(&app, &snapshot, 120, 40);
    let t = text(&buf);
    insta::assert_snapshot!(t);
    for want in [
        "Account 456789012345",
        "3 components behind the standard with no override",
        "network        missing      latest 2.0.0",
        "1 behind since",
    ] {
        assert!(t.contains(want), "{want:?} in\n{t}");
    }
}

#[test]
fn the_overview_has_a_gov_column_and_the_team_drill_down_lists_governance() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    let t = text(&draw(&app, &snapshot, 120, 40));
    let header = t.lines().nth(3).unwrap_or_default();
    assert!(header.contains("GOV"), "{t}");
    // billing: its account drifted (0 violations / 0 stalled / 1 drifted).
    let billing = t
        .lines()
        .find(|l| l.contains("billing"))
        .unwrap_or_default();
    assert!(billing.contains("0/0/1"), "{billing}");
    // The team drill-down of the first team (billing) lists its account.
    app.update(Action::Open, &snapshot);
    let t = text(&draw(&app, &snapshot, 120, 40));
    assert!(t.contains("Governance · contracts and accounts"), "{t}");
    assert!(t.contains("3 drifted  account 456789012345"), "{t}");
}
