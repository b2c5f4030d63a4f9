//! The Findings screen (key 4) and a finding's detail on the demo organisation,
//! rendered into a TestBackend; the `/` filter driven through `App::update`.

use crate::support as common;

fn draw(app: &App, snapshot: &Snapshot, w: u16, h: u16) -> String {
    common::text(&common::draw(app, snapshot, w, h))
}

use flightdeck::app::findings::{FindingsFilter, matching_rows};
use flightdeck::app::{Action, App};
use flightdeck::store::Snapshot;

fn typed(app: &mut App, snapshot: &Snapshot, s: &str) {
    app.update(Action::Filter, snapshot);
    for c in s.chars() {
        app.update(Action::Type(c), snapshot);
    }
    app.update(Action::Open, snapshot);
}

#[test]
fn findings_screen_120x40() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Findings"), &snapshot);
    let t = draw(&app, &snapshot, 120, 40);
    insta::assert_snapshot!(t);
    assert!(t.contains(" 4 Findings "), "the tab is named");
    assert!(t.contains("Posture by team"));
    assert!(t.contains("Posture by account"));
    // The posture numbers come from the store's views.
    let total = &snapshot.views.findings.windows[app.window].total;
    assert!(t.contains(&format!(" {} open ", total.open_total)), "{t}");
    assert!(t.contains(&format!("{} past SLA", total.sla_breaches)));
    assert!(total.sla_breaches > 0, "the demo has SLA breaches");
    assert!(
        total.by_framework.contains_key("PCI DSS"),
        "{:?}",
        total.by_framework
    );
}

#[test]
fn filter_narrows_the_list_and_enter_opens_a_detail() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Findings"), &snapshot);
    let all = app.cursor().rows;
    typed(&mut app, &snapshot, "critical fw:pci open");
    let picked = app.cursor().rows;
    assert!(picked > 0 && picked < all, "{picked} of {all}");
    let view = &snapshot.views.findings;
    let rows = matching_rows(&FindingsFilter::parse("critical fw:pci open"), &snapshot);
    assert_eq!(rows.len(), picked);
    for &pos in &rows {
        let row = &view.rows[pos];
        let f = &snapshot.records.findings[row.index];
        assert_eq!(f.severity, flightdeck::model::Severity::Critical);
        assert!(row.open);
        assert!(
            row.frameworks.iter().any(|fw| &**fw == "PCI DSS"),
            "{:?}",
            row.frameworks
        );
    }
    let t = draw(&app, &snapshot, 120, 40);
    assert!(t.contains("filter: critical fw:pci open"), "{t}");

    // Esc while typing clears the filter; `/` brings the last one back to edit.
    app.update(Action::Filter, &snapshot);
    app.update(Action::Type('x'), &snapshot);
    app.update(Action::Back, &snapshot);
    assert!(!app.typing());
    assert!(app.cursor().rows > picked, "the filter is cleared");
    typed(&mut app, &snapshot, "critical fw:pci open");
    assert_eq!(app.cursor().rows, picked);

    app.update(Action::Open, &snapshot);
    assert_eq!(app.top().name(), "Finding", "Enter opens a finding");
    let first = &view.rows[rows[0]];
    let id = snapshot.records.findings[first.index].id.clone();
    let detail = draw(&app, &snapshot, 120, 40);
    insta::assert_snapshot!("finding_detail_120x40", detail);
    assert!(detail.contains(&format!("Finding {id}")));
    for label in [
        "rule",
        "resource",
        "location",
        "frameworks",
        "first seen",
        "age",
        "remediation",
        "url",
    ] {
        assert!(detail.contains(&format!(" {label:<14}")), "{label} shown");
    }
    assert!(detail.contains("PCI DSS"), "{detail}");
    assert!(detail.contains("SLA"), "{detail}");
    app.update(Action::Back, &snapshot);
    assert_eq!((app.top().name(), app.depth()), ("Findings", 1));
}

#[test]
fn a_filter_matching_nothing_says_so() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Findings"), &snapshot);
    typed(&mut app, &snapshot, "team:nosuchteam");
    assert_eq!(app.cursor().rows, 0);
    let t = draw(&app, &snapshot, 80, 24);
    assert!(t.contains("No finding matches the filter"), "{t}");
}

#[test]
fn findings_screen_80x24_keeps_team_names_and_titles() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Findings"), &snapshot);
    let t = draw(&app, &snapshot, 80, 24);
    insta::assert_snapshot!(t);
    assert!(t.contains("│billing "), "team names are not cut: {t}");
    assert!(t.contains("TITLE"), "the title column stays: {t}");
    // Column rules: account ids whole (never `12345678901`), the frameworks
    // shortened with an ellipsis, the title given room.
    assert!(t.contains("123456789013 "), "account ids whole: {t}");
    assert!(
        t.contains("NIST 800-53…"),
        "frameworks end in an ellipsis: {t}"
    );
}
