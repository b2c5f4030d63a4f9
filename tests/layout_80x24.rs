//! Every screen at 80x24 (and the status bar) must keep ids, names and
//! numbers whole: columns are dropped or narrowed, never cut mid-word.

use crate::support as common;

fn draw(app: &App, snapshot: &Snapshot, w: u16, h: u16) -> String {
    common::text(&common::draw(app, snapshot, w, h))
}

use flightdeck::app::App;
use flightdeck::store::Snapshot;
use flightdeck::ui;

fn screen(name: &str, w: u16, h: u16) -> String {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show(name), &snapshot);
    draw(&app, &snapshot, w, h)
}

#[test]
fn lanes_keep_whole_ids_and_the_gate() {
    let snapshot = common::demo_snapshot();
    let t = screen("Lanes", 80, 24);
    for lane in snapshot.views.lanes.lanes.iter().take(18) {
        assert!(t.contains(&*lane.id), "lane id {} cut: {t}", lane.id);
    }
    assert!(t.contains("GATE"), "gate column stays: {t}");
    assert!(t.contains("certified"), "gate values whole: {t}");
    assert!(
        t.contains("use1") && t.contains("euw1"),
        "region codes: {t}"
    );
    assert!(!t.contains("ERR≤"), "no sparkline at 80 columns: {t}");
    let wide = screen("Lanes", 120, 30);
    assert!(
        wide.contains("ERR≤") && wide.contains("eu-west-1"),
        "{wide}"
    );
}

#[test]
fn incidents_keep_every_header_and_whole_values() {
    let t = screen("Incidents", 80, 24);
    for h in ["STATE", "AGE/TOOK", "SEV", "TEAM", "INCIDENT", "DEPLOYMENT"] {
        assert!(t.contains(h), "header {h} missing: {t}");
    }
    assert!(t.contains("notifications "), "team names whole: {t}");
    assert!(
        t.contains("INC-billing-batch-0013 "),
        "incident ids whole: {t}"
    );
    assert!(t.contains("5d 11h 13m"), "open age whole: {t}");
    // The time-to-restore strip ends on a team, not a separator.
    let strip_end = t
        .lines()
        .take(5)
        .filter(|l| l.starts_with('│'))
        .last()
        .unwrap_or_default()
        .trim_end_matches('│')
        .trim_end()
        .to_string();
    assert!(!strip_end.ends_with('·'), "stray separator: {strip_end:?}");
}

#[test]
fn findings_posture_puts_criticals_first_and_counts_the_hidden() {
    let t = screen("Findings", 80, 24);
    let first_team = t.lines().nth(4).unwrap_or_default();
    assert!(first_team.contains("search"), "critical team first: {t}");
    assert!(t.contains("+4 more"), "hidden rows are counted: {t}");
    assert!(t.contains("+3 more"), "hidden accounts are counted: {t}");
    assert!(t.contains(" INFO "), "info column: {t}");
    // OPEN is the sum of the severity columns shown.
    let billing = t
        .lines()
        .find(|l| l.starts_with("│billing "))
        .expect("billing row");
    let n: Vec<u64> = billing
        .split_whitespace()
        .skip(1)
        .take(6)
        .map(|x| x.parse().expect("a count"))
        .collect();
    assert_eq!(n[0], n[1..].iter().sum::<u64>(), "{billing}");
    let wide = screen("Findings", 130, 40);
    assert!(
        wide.contains(" 1d 05h "),
        "oldest critical uses the shared duration format: {wide}"
    );
}

#[test]
fn sources_kind_is_whole() {
    let mut snap = common::demo_snapshot();
    let mut s = snap.sources[0].clone();
    s.kind = "prometheus";
    snap.sources.push(s);
    let mut app = common::app();
    app.update(common::show("Sources"), &snap);
    let t = draw(&app, &snap, 80, 24);
    assert!(t.contains("prometheus "), "{t}");
}

fn status_line(snapshot: &Snapshot, w: u16) -> String {
    let app = common::app();
    let t = draw(&app, snapshot, w, 24);
    t.lines().last().unwrap_or_default().to_string()
}

#[test]
fn status_bar_drops_whole_fields() {
    let mut snapshot = common::demo_snapshot();
    let records = snapshot.views.records.to_string();
    for w in 60..=140 {
        let line = status_line(&snapshot, w);
        if let Some(pos) = line.find(&records[..2]) {
            assert!(
                line[pos..].starts_with(&format!("{records} records")),
                "record count cut at {w}: {line:?}"
            );
        }
    }
    // A long error goes before the count does, and nothing is cut mid-number.
    snapshot.sources[0].last_error = Some((
        common::now(),
        "connection refused by upstream gateway at 10.0.0.1:9090".into(),
    ));
    for w in 60..=200 {
        let line = status_line(&snapshot, w);
        assert!(
            !line.contains("10.0.0.") || line.contains("10.0.0.1:9090)"),
            "error cut at {w}: {line:?}"
        );
        assert!(
            !line.contains("UTC") || line.contains("2026-03-02 09:30:00 UTC"),
            "clock cut at {w}: {line:?}"
        );
    }
}

#[test]
fn status_bar_says_polling_is_paused() {
    let mut snapshot = common::demo_snapshot();
    assert_eq!(
        ui::widgets::status_bar::polling(&snapshot),
        ui::widgets::status_bar::Polling::Unscheduled
    );
    assert!(!status_line(&snapshot, 80).contains("paused"));
    snapshot.sources[0].paused = true;
    assert!(status_line(&snapshot, 80).contains("⏸ polling paused"));
}

#[test]
fn sources_show_a_failing_sources_whole_error_at_80_columns() {
    let mut snap = common::demo_snapshot();
    let mut s = snap.sources[0].clone();
    s.name = "gitlab".into();
    s.kind = "gitlab";
    s.last_ok = None;
    s.last_error = Some((
        common::now(),
        "HTTP 500 (GET https://gitlab.example.com/api/v4/projects/42/deployments)".into(),
    ));
    snap.sources.push(s);
    let mut app = common::app();
    app.update(common::show("Sources"), &snap);
    let t = draw(&app, &snap, 80, 24);
    assert!(t.contains("PROBLEMS"), "{t}");
    // The demo row is selected and has no problem: the failing one is shown whole.
    let joined: String = t
        .lines()
        .map(|l| l.trim_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("projects/42/deployments)"),
        "whole error readable: {t}"
    );
}
