//! `report` on a hand-written governance file: the JSON's `contracts` and
//! `accounts` against values computed by hand from DESIGN.md, and the same
//! numbers in the table, Markdown and CSV.
//!
//! Fixture: tests/fixtures/report_governance.ndjson, `--now
//! 2024-04-01T00:00:00Z --window 30d`: the window is [03-02, 04-01).
//!
//! Contracts (line numbers in brackets):
//! - orders-api/OrderPlaced: expand [2] rides O-1 [1], in production 03-03:
//!   started 03-03T00:00 (not the line's 03-02T23:00). Consumers billing and
//!   checkout; checkout migrates 03-05 [3], billing never: step 1. Age 29 days
//!   = 2,505,600 s > 14 days: stalled.
//! - orders-api/OrderShipped: expand 03-20 [4] for billing, which migrates
//!   03-21 [5]; the contract step [7] rides O-2 [6], in flight: not taken.
//!   Step 2, age 12 days = 1,036,800 s, not stalled.
//! - inventory/StockLevel: expand 03-10T00:00+02:00 = 03-09T22:00Z [8] for
//!   orders and search; orders migrates 03-12 [9]; contract 03-15 [10] while
//!   search has not migrated: a violation naming search; step 3, age 5 d 2 h
//!   = 439,200 s, finished so not stalled.
//! - legacy/Old finished 02-10 [11, 12], before the window: not reported.
//!
//! Standards: logging v1.0.0 01-01, v1.2.0 03-11, v1.3.0 04-02 (after the
//! end: ignored); guardrails (not numbers: release-time order) 2024-q1 02-01,
//! 2024-q2 03-16. Latest: v1.2.0 and 2024-q2.
//! - 111111111111 (commerce): logging v1.0.0: v1.2.0 newer, behind 1 since
//!   03-11 = 21 days; guardrails 2024-q2 current. Drifted 1.
//! - 222222222222 (supply): logging `1.2` = 1.2.0, current; guardrails
//!   missing: behind 2 since 02-01 = 60 days (29 + 31). Drifted 1.
//! - 333333333333 (supply): logging `v1` = 1.0.0 behind 1 (21 days) with the
//!   override "frozen for the audit"; guardrails 2024-q1 behind 1 since 03-16
//!   = 16 days. Drifted 1 (the override is not drift).
//! - 444444444444 (commerce): both current, drifted 0.
//!
//! Per team: commerce 0 violations, 1 stalled, 1 drifted account; supply 1
//! violation, 0 stalled, 2 drifted accounts.

use std::process::Command;

use serde_json::{Value, json};

fn run(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report",
            "--events",
            "tests/fixtures/report_governance.ndjson",
            "--window",
            "30d",
            "--now",
            "2024-04-01T00:00:00Z",
            "--format",
            format,
        ])
        .output()
        .expect("the flightdeck binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

const DAY: f64 = 86_400.0;

#[test]
fn json_contracts_match_the_hand_computation() {
    let j: Value = serde_json::from_str(&run("json")).expect("JSON");
    let consumer =
        |service: &str, migrated: Option<&str>| json!({"service": service, "migrated": migrated});
    assert_eq!(
        j["contracts"],
        json!([
            {"id": "inventory/StockLevel", "producer": "inventory", "team": "supply", "step": 3,
             "consumers": [consumer("orders", Some("2024-03-12T00:00:00Z")), consumer("search", None)],
             "started": "2024-03-09T22:00:00Z", "age_seconds": 5.0 * DAY + 2.0 * 3600.0,
             "stalled": false, "violation": "old path removed while search had not migrated"},
            {"id": "orders-api/OrderPlaced", "producer": "orders", "team": "commerce", "step": 1,
             "consumers": [consumer("billing", None), consumer("checkout", Some("2024-03-05T00:00:00Z"))],
             "started": "2024-03-03T00:00:00Z", "age_seconds": 29.0 * DAY,
             "stalled": true, "violation": null},
            {"id": "orders-api/OrderShipped", "producer": "orders", "team": "commerce", "step": 2,
             "consumers": [consumer("billing", Some("2024-03-21T00:00:00Z"))],
             "started": "2024-03-20T00:00:00Z", "age_seconds": 12.0 * DAY,
             "stalled": false, "violation": null},
        ])
    );
}

#[test]
fn json_accounts_match_the_hand_computation() {
    let j: Value = serde_json::from_str(&run("json")).expect("JSON");
    let c = |component: &str,
             version: Option<&str>,
             latest: &str,
             behind: u64,
             days: Option<f64>,
             over: Option<&str>| {
        json!({"component": component, "version": version, "latest": latest,
               "behind": behind, "days_behind": days, "override": over})
    };
    assert_eq!(
        j["accounts"],
        json!([
            {"account": "111111111111", "team": "commerce", "drifted": 1, "components": [
                c("guardrails", Some("2024-q2"), "2024-q2", 0, None, None),
                c("logging", Some("v1.0.0"), "v1.2.0", 1, Some(21.0), None)]},
            {"account": "222222222222", "team": "supply", "drifted": 1, "components": [
                c("guardrails", None, "2024-q2", 2, Some(60.0), None),
                c("logging", Some("1.2"), "v1.2.0", 0, None, None)]},
            {"account": "333333333333", "team": "supply", "drifted": 1, "components": [
                c("guardrails", Some("2024-q1"), "2024-q2", 1, Some(16.0), None),
                c("logging", Some("v1"), "v1.2.0", 1, Some(21.0), Some("frozen for the audit"))]},
            {"account": "444444444444", "team": "commerce", "drifted": 0, "components": [
                c("guardrails", Some("2024-q2"), "2024-q2", 0, None, None),
                c("logging", Some("1.2.0"), "v1.2.0", 0, None, None)]},
        ])
    );
}

#[test]
fn csv_carries_each_teams_governance_numbers() {
    let text = run("csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let cols = [
        col("contract_violations"),
        col("contracts_stalled"),
        col("accounts_drifted"),
    ];
    let rows: Vec<(String, [String; 3])> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), cols.map(|c| f[c].to_string()))
        })
        .collect();
    let of = |team: &str| rows.iter().find(|r| r.0 == team).map(|r| r.1.clone());
    assert_eq!(of("commerce"), Some(["0".into(), "1".into(), "1".into()]));
    assert_eq!(of("supply"), Some(["1".into(), "0".into(), "2".into()]));
}

#[test]
fn table_and_markdown_list_the_same_contracts_and_accounts() {
    let table = run("table");
    let section = &table[table.find("GOVERNANCE").expect("a governance section")..];
    for want in [
        "inventory/StockLevel",
        "VIOLATION: old path removed while search had not migrated",
        "orders-api/OrderPlaced",
        "stalled",
        "logging v1.0.0, latest v1.2.0 (1 behind, 21d)",
        "guardrails missing, latest 2024-q2 (2 behind, 60d)",
        "logging v1, latest v1.2.0 (1 behind, 21d, override: frozen for the audit)",
    ] {
        assert!(section.contains(want), "{want:?} in\n{section}");
    }
    assert!(
        !section.contains("legacy/Old"),
        "finished before the window"
    );
    let md = run("markdown");
    let section = &md[md.find("## Governance").expect("a governance section")..];
    assert!(section.contains(
        "| inventory/StockLevel | supply | 3/3 | search | 5d 02h | VIOLATION: old path removed while search had not migrated |"
    ), "{section}");
    assert!(
        section.contains(
            "| 222222222222 | supply | 1 | guardrails missing, latest 2024-q2 (2 behind, 60d) |"
        ),
        "{section}"
    );
}

#[test]
fn openmetrics_carries_the_same_numbers() {
    use flightdeck::model::records::Records;
    use flightdeck::report::openmetrics::{parse_samples, render};
    use std::sync::Arc;
    let mut records = Records::default();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report_governance.ndjson");
    flightdeck::sources::events::read_file_into(&path, false, |e| {
        records.apply(e);
    })
    .expect("fixture reads");
    let now = chrono::DateTime::parse_from_rfc3339("2024-04-01T00:00:00Z")
        .expect("time")
        .to_utc();
    let snapshot = flightdeck::store::Snapshot::compute(
        Arc::new(records),
        Arc::new(flightdeck::model::settings::Settings::default()),
        Vec::new(),
        now,
        1,
    );
    let samples = parse_samples(&render(&snapshot)).expect("the exposition reads back");
    let value = |name: &str, labels: &[(&str, &str)]| {
        samples
            .iter()
            .find(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(a, b)| a == k && b == v))
            })
            .map(|s| s.value)
    };
    let w30 = ("window", "30d");
    // As the CSV: commerce 0 / 1 / 1, supply 1 / 0 / 2.
    let v = "flightdeck_team_contract_violations";
    assert_eq!(value(v, &[("team", "commerce"), w30]), Some(0.0));
    assert_eq!(value(v, &[("team", "supply"), w30]), Some(1.0));
    // StockLevel's contract step (03-15) is before the 7-day window (03-25).
    assert_eq!(value(v, &[("team", "supply"), ("window", "7d")]), Some(0.0));
    let s = "flightdeck_team_contracts_stalled";
    assert_eq!(value(s, &[("team", "commerce")]), Some(1.0));
    assert_eq!(value(s, &[("team", "supply")]), Some(0.0));
    let d = "flightdeck_team_accounts_drifted";
    assert_eq!(value(d, &[("team", "commerce")]), Some(1.0));
    assert_eq!(value(d, &[("team", "supply")]), Some(2.0));
    let b = "flightdeck_account_components_behind";
    let acct = |a: &'static str, c: &'static str| [("account", a), ("component", c)];
    assert_eq!(value(b, &acct("222222222222", "guardrails")), Some(2.0));
    assert_eq!(value(b, &acct("333333333333", "logging")), Some(1.0));
    assert_eq!(value(b, &acct("444444444444", "logging")), Some(0.0));
}
