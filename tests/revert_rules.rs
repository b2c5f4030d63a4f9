//! Failures and rework from reverts (DESIGN.md, change failure rate): a
//! deployment is failed when a change it first deployed is reverted by a change
//! that reaches production within `revert_window` after it; a deployment that
//! first deploys a revert is rework. Event lines with `reverts`, worked out by
//! hand; the git source's side is in `git_source` and `git_releases`.

use std::process::Command;

use chrono::{TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};

use flightdeck::metrics::dora::{FailReason, ReworkReason};
use flightdeck::metrics::{DORA_2023, Facts, Window, scorecards};
use flightdeck::model::Time;
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::sources::events::parse_str;

fn at(hours: i64) -> Time {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .expect("valid time")
        + TimeDelta::hours(hours)
}

fn iso(hours: i64) -> String {
    at(hours).to_rfc3339()
}

fn change(id: &str, hours: i64, reverts: Option<&str>) -> Value {
    let mut v = json!({"type": "change", "id": id, "service": "api", "team": "alpha",
        "time": iso(hours)});
    if let Some(r) = reverts {
        v["reverts"] = r.into();
    }
    v
}

fn deploy(id: &str, hours: i64, changes: &[&str]) -> Value {
    json!({"type": "deployment", "id": id, "service": "api", "team": "alpha",
        "time": iso(hours), "status": "success", "changes": changes})
}

fn records(lines: &[Value]) -> Records {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let (events, diagnostics) = parse_str(&text);
    assert!(
        diagnostics.malformed.is_empty(),
        "{:?}",
        diagnostics.malformed
    );
    Records::from_events(events)
}

/// Per deployment, in the order read: its revert failures and its rework.
fn verdicts(records: &Records) -> Vec<(String, Vec<FailReason>, Option<ReworkReason>)> {
    let facts = Facts::derive(records, &Settings::default());
    records
        .deployments
        .iter()
        .zip(facts.deployments.iter())
        .map(|(d, f)| (d.id.to_string(), f.fail_reasons.clone(), f.rework.clone()))
        .collect()
}

fn reverted(change: &str, reverted: &str) -> FailReason {
    FailReason::Revert {
        change: change.into(),
        reverted: reverted.into(),
    }
}

fn rework(change: &str, reverted: &str) -> Option<ReworkReason> {
    Some(ReworkReason::Revert {
        change: change.into(),
        reverted: reverted.into(),
    })
}

/// x ships in d1 at 10 h; r (made at 30 h) reverts it and ships in d2 at 50 h,
/// 40 h later: d1 failed, d2 rework. y ships in d3 at 60 h; its revert ry ships
/// in d4 at 60 h + 8 days, past the 7-day window: d3 stands.
fn history() -> Vec<Value> {
    vec![
        change("x", 0, None),
        deploy("d1", 10, &["x"]),
        change("r", 30, Some("x")),
        deploy("d2", 50, &["r"]),
        change("y", 55, None),
        deploy("d3", 60, &["y"]),
        change("ry", 61, Some("y")),
        deploy("d4", 60 + 8 * 24, &["ry"]),
    ]
}

#[test]
fn a_revert_released_within_the_window_fails_the_deployment_that_first_shipped_it() {
    assert_eq!(
        verdicts(&records(&history())),
        vec![
            ("d1".into(), vec![reverted("r", "x")], None),
            ("d2".into(), vec![], rework("r", "x")),
            ("d3".into(), vec![], None),
            ("d4".into(), vec![], rework("ry", "y")),
        ]
    );
    // In a window holding all four: 1 failed of 4, 2 rework.
    let window = Window::ending(at(24 * 12), TimeDelta::days(30));
    let cards = scorecards(
        &records(&history()),
        &Settings::default(),
        window,
        &DORA_2023,
    );
    let m = &cards.teams[0].current;
    assert_eq!(
        (
            m.change_failure_rate.failed,
            m.change_failure_rate.deployments
        ),
        (1, 4)
    );
    assert_eq!(m.rework_rate.rework, 2);
    // A window of 9 days catches d3's revert too.
    let wide = Settings {
        revert_window: TimeDelta::days(9),
        ..Settings::default()
    };
    let cards = scorecards(&records(&history()), &wide, window, &DORA_2023);
    assert_eq!(cards.teams[0].current.change_failure_rate.failed, 2);
}

#[test]
fn a_revert_shipped_with_its_change_or_made_before_the_release_fails_nothing() {
    let lines = vec![
        // x and its revert ship together: nobody ran x.
        change("x", 0, None),
        change("rx", 1, Some("x")),
        deploy("d1", 10, &["x", "rx"]),
        // y ships at 20 h, but its revert was written at 15 h (say, on another
        // line merged forward) and ships at 30 h: no failure of d2.
        change("y", 12, None),
        change("ry", 15, Some("y")),
        deploy("d2", 20, &["y"]),
        deploy("d3", 30, &["ry"]),
    ];
    assert_eq!(
        verdicts(&records(&lines)),
        vec![
            ("d1".into(), vec![], rework("rx", "x")),
            ("d2".into(), vec![], None),
            ("d3".into(), vec![], rework("ry", "y")),
        ]
    );
}

#[test]
fn the_revert_read_before_the_change_it_reverts_gives_the_same_verdicts() {
    let mut lines = history();
    lines.reverse();
    let mut got = verdicts(&records(&lines));
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, verdicts(&records(&history())));
}

#[test]
fn the_json_report_names_the_reverting_change() {
    let dir = std::env::temp_dir().join(format!("fd-reverts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("events.ndjson");
    let text: String = history().iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, text).expect("write events");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--events"])
        .arg(&file)
        .args(["--window", "30d", "--format", "json", "--now"])
        .arg(iso(24 * 12))
        .output()
        .expect("the flightdeck binary runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        report["teams"][0]["change_failure_rate"]["failures"],
        json!([{"deployment": "d1", "reasons": [{"kind": "revert", "ref": "r"}]}])
    );
}

#[test]
fn an_empty_or_own_id_reverts_nothing() {
    let lines = vec![
        change("x", 0, Some("")),
        change("y", 1, Some("y")),
        deploy("d1", 10, &["x", "y"]),
    ];
    let records = records(&lines);
    assert!(records.changes.iter().all(|c| c.reverts.is_none()));
    assert_eq!(verdicts(&records), vec![("d1".into(), vec![], None)]);
}
