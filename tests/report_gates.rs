//! `flightdeck report --format json` on a hand-written file made for the gates
//! (tests/fixtures/report_gates.ndjson), every `gates` value computed by hand
//! from DESIGN.md ("The gates"), at `--now 2024-04-01T00:00:00Z --window 30d`:
//! current = [03-02, 04-01), previous = [02-01, 03-02); no config, so the
//! canary region is `us-east-1`.
//!
//! team north
//!   n1 opened 03-03T01:00, first review 03:00 (wait 2h = 7200 s), merged 09:00
//!      (review time 8h = 28800 s)
//!   n2 opened 03-04T00:00, first review 12:00 (12h = 43200 s), merged 03-05T00:00
//!      (24h = 86400 s)
//!   n3 opened 03-04T10:00+02:00 = 08:00, no first review, merged 10:00 (2h = 7200 s)
//!   n4 no review fields (not in `changes`)
//!   n5 opened 03-06T02:00, first review 01:00 (-1h: skewed, out of the waits
//!      only), merged 06:00 (4h = 14400 s)
//!   N-1 first us-east-1 line 03-06T10:00, pass 10:45 -> certification 2700 s;
//!       success 12:00 counts n1 n2 n3; batch 3
//!   N-2 n4 n5, failure 03-08T10:30 -> T_done, no T_ok; batch 2; failed
//!   N-3 n4 n5 again, success 03-09T12:00 counts n4 n5; batch 0 (N-2 finished
//!       first); first line 11:00, pass 13:00 -> 7200 s
//!   N-4 no changes, batch 0; only a marginal verdict -> no certification
//!   review: changes n1 n2 n3 n5 = 4; waits 7200, 43200 -> 25200;
//!           times 7200, 14400, 28800, 86400 -> (14400 + 28800) / 2 = 21600
//!   certification: 2700, 7200 -> 4950 over 2 deployments
//!   batch: 0 0 2 3 -> median 1, p90 rank ceil(3.6) = 4 -> 3; small (N-3, N-4)
//!          none failed -> 0; large (N-1, N-2) N-2 failed -> 0.5
//!   previous: n0 wait 1h = 3600, review time 5h = 18000, 1 change; N-0 batch
//!          1 -> median 1, p90 1, small 0/1 = 0, large null; no canary -> null
//!
//! team south: no review fields; S-1 (s1 s2) success, S-2 (s3 s4) rolled back
//!   batch 2 2 -> median 2, p90 2, small 1/2 = 0.5, large null (none above);
//!   review null, 0 changes; no canary: certification null, 0; previous: no
//!   records at all -> every number null, counts 0.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::report::openmetrics::{parse_samples, render};
use flightdeck::sources::events;
use flightdeck::store::Snapshot;
use serde_json::{Value, json};

fn report() -> Value {
    serde_json::from_str(&run("json")).expect("the report is JSON")
}

fn run(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report",
            "--events",
            "tests/fixtures/report_gates.ndjson",
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

fn gates<'a>(report: &'a Value, team: &str) -> (&'a Value, &'a Value) {
    let t = report["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .find(|t| t["team"] == team)
        .unwrap_or_else(|| panic!("team {team}"));
    (&t["gates"], &t["previous"]["gates"])
}

#[test]
fn gates_match_the_hand_computation() {
    let r = report();
    assert_eq!(r["diagnostics"]["malformed"], json!([]));
    let (north, north_prev) = gates(&r, "north");
    assert_eq!(
        north,
        &json!({
            "review": {"median_wait_seconds": 25200.0, "median_seconds": 21600.0, "changes": 4},
            "certification": {"median_seconds": 4950.0, "deployments": 2},
            "batch": {"median": 1.0, "p90": 3.0, "small_failure_rate": 0.0,
                      "large_failure_rate": 0.5}
        })
    );
    assert_eq!(
        north_prev,
        &json!({
            "review": {"median_wait_seconds": 3600.0, "median_seconds": 18000.0, "changes": 1},
            "certification": {"median_seconds": null, "deployments": 0},
            "batch": {"median": 1.0, "p90": 1.0, "small_failure_rate": 0.0,
                      "large_failure_rate": null}
        })
    );
    let (south, south_prev) = gates(&r, "south");
    assert_eq!(
        south,
        &json!({
            "review": {"median_wait_seconds": null, "median_seconds": null, "changes": 0},
            "certification": {"median_seconds": null, "deployments": 0},
            "batch": {"median": 2.0, "p90": 2.0, "small_failure_rate": 0.5,
                      "large_failure_rate": null}
        })
    );
    assert_eq!(
        south_prev,
        &json!({
            "review": {"median_wait_seconds": null, "median_seconds": null, "changes": 0},
            "certification": {"median_seconds": null, "deployments": 0},
            "batch": {"median": null, "p90": null, "small_failure_rate": null,
                      "large_failure_rate": null}
        })
    );
}

#[test]
fn csv_carries_the_same_numbers() {
    let csv = run("csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let north: Vec<&str> = lines
        .find(|l| l.starts_with("north,"))
        .expect("north row")
        .split(',')
        .collect();
    let cell = |name: &str| {
        let i = header.iter().position(|h| *h == name).expect(name);
        north[i]
    };
    let expected = [
        ("review_wait_median_seconds", "25200"),
        ("review_median_seconds", "21600"),
        ("review_changes", "4"),
        ("certification_median_seconds", "4950"),
        ("certification_deployments", "2"),
        ("batch_median", "1"),
        ("batch_p90", "3"),
        ("batch_small_failure_rate", "0"),
        ("batch_large_failure_rate", "0.5"),
    ];
    for (name, want) in expected {
        assert_eq!(cell(name), want, "{name}");
    }
}

#[test]
fn table_and_markdown_carry_the_same_numbers() {
    // 25200 s = 7h 00m; 21600 s = 6h 00m over 4 changes; 4950 s = 1h 22m over 2
    // deployments; batch 1 / 3; small 0.0%, large 50.0%.
    let table = run("table");
    let north = table
        .lines()
        .skip_while(|l| !l.starts_with("GATES"))
        .find(|l| l.starts_with("north"))
        .expect("a gates line for north");
    let cells: Vec<&str> = north
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells,
        [
            "north",
            "7h 00m",
            "6h 00m (4)",
            "1h 22m (2)",
            "1 / 3",
            "0.0%",
            "50.0%"
        ],
        "{north}"
    );
    let md = run("markdown");
    assert!(
        md.contains("| north | 7h 00m | 6h 00m (4) | 1h 22m (2) | 1 / 3 | 0.0% | 50.0% |"),
        "{md}"
    );
    assert!(
        md.contains("| south | – | – (0) | – (0) | 2 / 2 | 50.0% | – |"),
        "{md}"
    );
}

#[test]
fn openmetrics_carries_the_same_numbers() {
    let mut records = Records::default();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report_gates.ndjson");
    events::read_file_into(&path, false, |e| {
        records.apply(e);
    })
    .expect("fixture reads");
    let now = Utc
        .with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
        .single()
        .expect("time");
    let snapshot = Snapshot::compute(
        Arc::new(records),
        Arc::new(Settings::default()),
        Vec::new(),
        now,
        1,
    );
    let text = render(&snapshot);
    let samples = parse_samples(&text).expect("the exposition reads back");
    let value = |name: &str, team: &str| {
        samples
            .iter()
            .find(|s| {
                s.name == name
                    && s.labels.iter().any(|(k, v)| k == "team" && v == team)
                    && s.labels.iter().any(|(k, v)| k == "window" && v == "30d")
            })
            .map(|s| s.value)
    };
    let expected = [
        ("flightdeck_team_review_wait_median_seconds", Some(25200.0)),
        ("flightdeck_team_review_time_median_seconds", Some(21600.0)),
        ("flightdeck_team_reviewed_changes", Some(4.0)),
        ("flightdeck_team_certification_median_seconds", Some(4950.0)),
        ("flightdeck_team_certified_deployments", Some(2.0)),
        ("flightdeck_team_batch_size_median", Some(1.0)),
        ("flightdeck_team_batch_size_p90", Some(3.0)),
        ("flightdeck_team_small_batch_failure_ratio", Some(0.0)),
        ("flightdeck_team_large_batch_failure_ratio", Some(0.5)),
    ];
    for (name, want) in expected {
        assert_eq!(value(name, "north"), want, "{name}");
    }
    // No large batch in south: no sample rather than NaN.
    assert_eq!(
        value("flightdeck_team_large_batch_failure_ratio", "south"),
        None
    );
}
