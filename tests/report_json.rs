//! `flightdeck report --format json` on a hand-written events file, every value
//! checked against a hand computation from the definitions in DESIGN.md
//! ("Metric definitions (exact ...)" and "`report --format json` shape").
//!
//! Fixture: tests/fixtures/report_handwritten.ndjson, read with
//! `--now 2024-04-01T00:00:00Z --window 30d`.
//!
//! Windows (2024 is a leap year: February has 29 days):
//!   current  = [2024-03-02T00:00Z, 2024-04-01T00:00Z)   (04-01 minus 30 days)
//!   previous = [2024-02-01T00:00Z, 2024-03-02T00:00Z)   (03-02 minus 30 days)
//!
//! The records, all times converted to UTC (fixture line numbers in brackets):
//!
//! team alpha, service api
//!   p1  [1]  change 02-19T00:00
//!   A-090 [2] success 02-19T16:00-08:00 = 02-20T00:00, changes [p1]
//!             -> T_done = T_ok = 02-20T00:00 (previous window); p1 lead 24h
//!   INC-0 [3] opened 02-20T02:00, resolved 02-20T02:30 (30 min); implicit ->
//!             A-090 (T_ok 2h before opened, <= 24h)
//!   a1 [6] 03-09T22:00-02:00 = 03-10T00:00; a2 [7] 03-10T06:00 (unknown field
//!   `reviewers`); a3 [8] 03-10T14:00+02:00 = 03-10T12:00
//!   A-101 [9..11] in_progress eu 03-10T23:00, success eu 03-11T05:30+05:30 =
//!             03-11T00:00, success us 03-11T06:00; changes [a1,a2,a3]
//!             -> T_done = T_ok = 03-11T00:00
//!             leads a1 24h = 86400 s, a2 18h = 64800 s, a3 12h = 43200 s
//!   canary [12] (known type, no metric uses it)
//!   a4 [13] 03-13T00:00; a5 [14] 03-20T00:00
//!   A-102 [15,16] success eu 03-15T00:00, rolled_back us 03-15T02:00;
//!             changes [a4,a5,a2] -> T_done = T_ok = 03-15T00:00, failed
//!             a4 lead 2d = 172800 s; a5 lead -5d -> skewed; a2 already counted
//!             at A-101 (earlier T_ok)
//!   a6 [17] 03-15T03:00
//!   A-103 [18] hotfix, success 03-15T07:00+01:00 = 03-15T06:00,
//!             changes [a6, ghost-change] -> a6 lead 3h = 10800 s; the ghost id
//!             has no change record and is ignored; rework (hotfix)
//!   INC-4 [19] opened 03-16T00:00, resolved 03-16T10:00 (10h = 36000 s),
//!             explicit deployment A-102. (Implicit would have picked A-103,
//!             T_ok 18h before: so A-103 must NOT be failed.)
//!   weather [20] unknown type -> skipped_types
//!   a7 [21] 03-19T00:00, listed only by A-104 and A-105 -> never counted
//!   A-104 [22] environment staging, success 03-20T00:00 -> not production:
//!             no T_done, no T_ok, not counted, never an implicit candidate
//!   INC-9 [23] opened 03-20T02:00, resolved 03-20T02:45 (45 min = 2700 s);
//!             implicit: latest api T_ok <= opened is A-103 (03-15T06:00,
//!             > 24h; A-104 is staging) -> unattributed
//!   A-105 [24] in_progress 03-31T20:00 -> in flight, not counted
//!   INC-3 [25] opened 03-31T23:00+02:00 = 03-31T21:00, never resolved,
//!             explicit deployment A-105 (read, so attributed although in flight)
//!             -> open at --now
//!
//! team bravo, service web
//!   b1 [26] 03-04T09:00; b2 [27] 03-05T08:00
//!   B-201 [28..30] success eu 03-05T10:00+01:00 = 03-05T09:00, success us
//!             03-05T12:00, success ap 03-05T18:30+05:30 = 03-05T13:00;
//!             changes [b1,b2] -> T_done = T_ok = 03-05T09:00
//!             leads b1 24h = 86400 s, b2 1h = 3600 s
//!   INC-1 [31] opened 03-05T14:00 (no resolved yet); implicit -> B-201 (5h)
//!   [32] malformed (truncated JSON)
//!   b3 [33] 03-20T08:00
//!   B-202 [34,35] in_progress 03-20T09:00, failure 03-20T10:00; changes [b3]
//!             -> T_done 03-20T10:00, no T_ok, failed
//!   B-203 [36] success 03-21T10:00, changes [b3] -> b3 counted here:
//!             lead 26h = 93600 s
//!   INC-5 [37] opened 03-21T09:00, resolved 03-22T09:00 (24h = 86400 s),
//!             explicit B-202 (implicit would be unattributed: B-201 too old).
//!             Open at B-203's T_done 03-21T10:00 -> B-203 is rework.
//!   INC-1 [38] second line, no team: adds resolved 03-05T15:30 -> restore
//!             1.5h = 5400 s, team kept (bravo)
//!   B-204 [39] success 03-28T00:00 (unknown field `labels`)
//!   B-205 [40] success 03-29T00:00+00:00
//!
//! team charlie, service batch
//!   C-290 [4] success 02-27T12:00 (previous window)
//!   INC-8 [5] opened 02-28T01:00+01:00 = 02-28T00:00, resolved 03-03T00:00
//!             (02-28 -> 02-29 -> 03-01 -> 03-02 -> 03-03 = 4d = 345600 s);
//!             implicit -> C-290 (12h); resolved in the CURRENT window, open at
//!             the previous window's end
//!   c1 [41] 03-09T18:00
//!   C-301 [42,43] success eu 03-10T00:00 (team charlie), success us
//!             03-10T01:00 (no team: the deployment keeps charlie);
//!             changes [c1] -> T_done = T_ok = 03-10T00:00; c1 lead 6h = 21600 s
//!   INC-7 [44] opened 03-12T00:00, resolved 03-12T06:00 (6h = 21600 s),
//!             explicit deployment C-999 which was never read -> implicit:
//!             C-301 T_ok 48h before (> 24h) -> unattributed
//!   c2 [45] 03-25T15:00
//!   C-302 [46] environment "Prod" (production, case-insensitive), success
//!             03-25T12:00-04:00 = 03-25T16:00; changes [c2] -> c2 lead 1h = 3600 s
//!
//! Incidents read: INC-0, INC-8, INC-4, INC-9, INC-3, INC-1, INC-5, INC-7 = 8;
//! unattributed: INC-9, INC-7 = 2.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/report_handwritten.ndjson";
const NOW: &str = "2024-04-01T00:00:00Z";

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

fn run(format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report", "--events", FIXTURE, "--window", "30d", "--now", NOW, "--format", format,
        ])
        .output()
        .expect("the flightdeck binary runs")
}

/// The JSON report, computed once for all tests of this file.
fn report() -> &'static (Value, String) {
    static REPORT: OnceLock<(Value, String)> = OnceLock::new();
    REPORT.get_or_init(|| {
        let out = run("json");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "report failed with {:?}: {stderr}",
            out.status
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        (json, stderr)
    })
}

fn json() -> &'static Value {
    &report().0
}

fn team(name: &str) -> &'static Value {
    json()["teams"]
        .as_array()
        .expect("teams is an array")
        .iter()
        .find(|t| t["team"] == name)
        .unwrap_or_else(|| panic!("team {name} is reported"))
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("expected an object, got {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn assert_keys(v: &Value, expected: &[&str], what: &str) {
    let want: BTreeSet<&str> = expected.iter().copied().collect();
    assert_eq!(keys(v), want, "keys of {what}");
}

fn int(v: &Value, what: &str) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("{what} should be an integer, got {v}"))
}

fn assert_num(v: &Value, want: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what} should be a number, got {v}"));
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

fn assert_opt_num(v: &Value, want: Option<f64>, what: &str) {
    match want {
        Some(w) => assert_num(v, w, what),
        None => assert!(v.is_null(), "{what} should be null, got {v}"),
    }
}

fn assert_opt_str(v: &Value, want: Option<&str>, what: &str) {
    match want {
        Some(w) => assert_eq!(v.as_str(), Some(w), "{what}: got {v}"),
        None => assert!(v.is_null(), "{what} should be null, got {v}"),
    }
}

fn frequency(m: &Value, deployments: u64, per_day: f64, tier: &str, who: &str) {
    let f = &m["deployment_frequency"];
    assert_eq!(
        int(&f["deployments"], who),
        deployments,
        "{who}: deployments"
    );
    assert_num(&f["per_day"], per_day, &format!("{who}: per_day"));
    assert_opt_str(&f["tier"], Some(tier), &format!("{who}: frequency tier"));
}

fn lead_time(
    m: &Value,
    median_seconds: Option<f64>,
    changes: u64,
    skewed: u64,
    tier: Option<&str>,
    who: &str,
) {
    let l = &m["lead_time"];
    assert_opt_num(
        &l["median_seconds"],
        median_seconds,
        &format!("{who}: lead median"),
    );
    assert_eq!(int(&l["changes"], who), changes, "{who}: lead changes");
    assert_eq!(int(&l["skewed"], who), skewed, "{who}: lead skewed");
    assert_opt_str(&l["tier"], tier, &format!("{who}: lead tier"));
}

fn failure_rate(
    m: &Value,
    failed: u64,
    deployments: u64,
    rate: Option<f64>,
    tier: Option<&str>,
    who: &str,
) {
    let c = &m["change_failure_rate"];
    assert_eq!(int(&c["failed"], who), failed, "{who}: failed");
    assert_eq!(
        int(&c["deployments"], who),
        deployments,
        "{who}: CFR deployments"
    );
    assert_opt_num(&c["rate"], rate, &format!("{who}: CFR rate"));
    assert_opt_str(&c["tier"], tier, &format!("{who}: CFR tier"));
}

fn restore(
    m: &Value,
    median_seconds: Option<f64>,
    incidents: u64,
    open: u64,
    tier: Option<&str>,
    who: &str,
) {
    let r = &m["time_to_restore"];
    assert_opt_num(
        &r["median_seconds"],
        median_seconds,
        &format!("{who}: MTTR median"),
    );
    assert_eq!(
        int(&r["incidents"], who),
        incidents,
        "{who}: MTTR incidents"
    );
    assert_eq!(int(&r["open"], who), open, "{who}: open incidents");
    assert_opt_str(&r["tier"], tier, &format!("{who}: MTTR tier"));
}

fn rework(m: &Value, rework: u64, deployments: u64, rate: Option<f64>, who: &str) {
    let r = &m["rework_rate"];
    assert_eq!(int(&r["rework"], who), rework, "{who}: rework");
    assert_eq!(
        int(&r["deployments"], who),
        deployments,
        "{who}: rework deployments"
    );
    assert_opt_num(&r["rate"], rate, &format!("{who}: rework rate"));
}

#[test]
fn exits_zero_and_reports_the_bad_line_on_stderr() {
    let (_, stderr) = report();
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Line 32 is the truncated deployment line.
    assert!(
        stderr.contains(&format!("{FIXTURE}:32:")),
        "stderr names file and line 32: {stderr}"
    );
    // No other line is reported malformed.
    for line in stderr.lines().filter(|l| l.contains("malformed")) {
        assert!(line.contains(":32:"), "unexpected report: {line}");
    }
}

#[test]
fn window_is_the_thirty_days_before_now() {
    let w = &json()["window"];
    // end = --now; start = 2024-04-01 - 30d = 2024-03-02 (March has 31 days).
    assert_eq!(w["start"], "2024-03-02T00:00:00Z");
    assert_eq!(w["end"], "2024-04-01T00:00:00Z");
    assert_num(&w["days"], 30.0, "window days");
}

#[test]
fn a_window_longer_than_the_history_says_how_much_it_covers() {
    // The first record is 2024-02-19T00:00:00Z: 42 days before --now. In 30
    // days the history covers the window; in 90 it covers 42 of them, and the
    // previous 90 days hold no history, so no trend is drawn against them.
    assert_num(&json()["window"]["covered_days"], 30.0, "30-day coverage");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report", "--events", FIXTURE, "--window", "90d", "--now", NOW,
        ])
        .args(["--format", "markdown"])
        .output()
        .expect("the flightdeck binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the history read covers 42 of the window's 90 days"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no previous data, so no trends"),
        "{stderr}"
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("The history read covers only 42 of these days"),
        "{md}"
    );
    assert!(
        md.contains("with no previous data no trend is drawn"),
        "{md}"
    );
    let table_rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| alpha")).collect();
    assert!(!table_rows.is_empty(), "{md}");
    assert!(
        table_rows
            .iter()
            .all(|r| !r.contains('↑') && !r.contains('↓')),
        "no arrow against an empty previous window: {table_rows:?}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report", "--events", FIXTURE, "--window", "90d", "--now", NOW,
        ])
        .args(["--format", "json"])
        .output()
        .expect("the flightdeck binary runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_num(&v["window"]["covered_days"], 42.0, "90-day coverage");
}

#[test]
fn every_failed_deployment_says_why() {
    // alpha's A-102 was rolled back in us-east-1 (line 16) and INC-4 names it
    // (line 19); the previous window's A-090 failed by INC-0 alone (line 3).
    let alpha = team("alpha");
    assert_eq!(
        alpha["change_failure_rate"]["failures"],
        serde_json::json!([{"deployment": "A-102", "reasons": [
            {"kind": "status", "ref": "rolled_back in us-east-1"},
            {"kind": "incident", "ref": "INC-4"}]}])
    );
    assert_eq!(
        alpha["previous"]["change_failure_rate"]["failures"],
        serde_json::json!([{"deployment": "A-090", "reasons": [{"kind": "incident", "ref": "INC-0"}]}])
    );
    // As many entries as failed deployments, for every team and window.
    for t in json()["teams"].as_array().expect("teams") {
        for m in [t, &t["previous"]] {
            let c = &m["change_failure_rate"];
            let listed = c["failures"].as_array().expect("failures").len() as u64;
            assert_eq!(listed, int(&c["failed"], "failed"), "{}", t["team"]);
        }
    }
}

#[test]
fn exactly_the_three_named_teams_sorted_by_name() {
    let names: Vec<&str> = json()["teams"]
        .as_array()
        .expect("teams is an array")
        .iter()
        .map(|t| t["team"].as_str().expect("team is a string"))
        .collect();
    // Every record names alpha, bravo or charlie (C-301's second line and INC-1's
    // second line name none but merge into records that do), so no `unassigned`.
    assert_eq!(names, ["alpha", "bravo", "charlie"]);
}

fn assert_gates_keys(gates: &Value) {
    assert_keys(gates, &["review", "certification", "batch"], "gates");
    assert_keys(
        &gates["review"],
        &["median_wait_seconds", "median_seconds", "changes"],
        "gates.review",
    );
    assert_keys(
        &gates["certification"],
        &["median_seconds", "deployments"],
        "gates.certification",
    );
    assert_keys(
        &gates["batch"],
        &["median", "p90", "small_failure_rate", "large_failure_rate"],
        "gates.batch",
    );
}

fn assert_window_and_diagnostics_keys(j: &serde_json::Value) {
    let window = ["start", "end", "days", "covered_days"];
    assert_keys(&j["window"], &window, "window");
    assert_keys(
        &j["diagnostics"],
        &["lines", "skipped_types", "malformed"],
        "diagnostics",
    );
    for m in j["diagnostics"]["malformed"].as_array().expect("array") {
        assert_keys(m, &["line", "error"], "malformed entry");
    }
}

#[test]
fn every_object_has_exactly_the_documented_keys() {
    let j = json();
    assert_keys(
        j,
        &[
            "window",
            "benchmark",
            "teams",
            "unattributed_incidents",
            "diagnostics",
            "findings_unmapped",
            "contracts",
            "accounts",
        ],
        "report",
    );
    assert_window_and_diagnostics_keys(j);
    let metric_keys: [(&str, &[&str]); 5] = [
        ("deployment_frequency", &["deployments", "per_day", "tier"]),
        (
            "lead_time",
            &["median_seconds", "changes", "skewed", "tier"],
        ),
        (
            "change_failure_rate",
            &["failed", "deployments", "rate", "tier", "failures"],
        ),
        (
            "time_to_restore",
            &["median_seconds", "incidents", "open", "tier"],
        ),
        ("rework_rate", &["rework", "deployments", "rate", "tier"]),
    ];
    let five: Vec<&str> = metric_keys.iter().map(|(k, _)| *k).collect();
    let mut with_gates = five.clone();
    with_gates.push("gates");
    let mut team_keys = with_gates.clone();
    team_keys.extend(["team", "tier", "previous", "findings"]);
    for t in j["teams"].as_array().expect("teams is an array") {
        let name = t["team"].as_str().expect("team is a string");
        assert_keys(t, &team_keys, name);
        // The fixture has no finding lines: every posture is empty (hand count: 0).
        let f = &t["findings"];
        assert_keys(
            f,
            &[
                "open",
                "open_total",
                "by_framework",
                "new_24h",
                "oldest_open_critical",
                "sla_breaches",
                "suppressed",
                "resolved",
                "median_resolve_seconds",
                "previous",
            ],
            &format!("{name}.findings"),
        );
        assert_eq!(int(&f["open_total"], "open_total"), 0, "{name}");
        assert!(f["oldest_open_critical"].is_null(), "{name}");
        assert_keys(
            &f["previous"],
            &["open_at_start", "resolved", "median_resolve_seconds"],
            &format!("{name}.findings.previous"),
        );
        assert_keys(&t["previous"], &with_gates, &format!("{name}.previous"));
        for scope in [t, &t["previous"]] {
            for (metric, fields) in metric_keys {
                assert_keys(&scope[metric], fields, &format!("{name}.{metric}"));
            }
            assert_gates_keys(&scope["gates"]);
        }
    }
}

#[test]
fn alpha_current_window() {
    let m = team("alpha");
    let who = "alpha";
    // Counted (T_done in window): A-101 (03-11T00:00), A-102 (03-15T00:00),
    // A-103 (03-15T06:00). A-104 is staging, A-105 in flight, A-090 previous.
    // N = 3; 3/30 = 0.1/day; 3*7 = 21 < 30 but 3*30 >= 30 -> medium.
    frequency(m, 3, 3.0 / 30.0, "medium", who);
    // Leads: a3 43200, a2 64800, a1 86400, a4 172800,
    // a6 10800; a5 skewed (-5d); a7 only on non-counted deployments;
    // ghost-change ignored. Sorted 10800, 43200, [64800], 86400, 172800:
    // median 64800 s = 18h < 1 day -> elite.
    lead_time(m, Some(18.0 * HOUR), 5, 1, Some("elite"), who);
    // Failed: A-102 (rolled_back in us-east-1; INC-4 also names it).
    // no failure line, no incident. A-103: INC-4 names A-102
    // explicitly, so the implicit candidate A-103 is not failed.
    // 1/3 = 0.333; 100 > 15*3 -> low.
    failure_rate(m, 1, 3, Some(1.0 / 3.0), Some("low"), who);
    // Resolved in window: INC-4 36000 s, INC-9 2700 s -> (2700 + 36000)/2 =
    // 19350 s = 5h22m30s; >= 1h, < 1 day -> high. INC-0 resolved in previous.
    // Open at 04-01: INC-3 (opened 03-31T21:00, never resolved) -> 1.
    restore(m, Some(19_350.0), 2, 1, Some("high"), who);
    // Rework: A-103 hotfix. finished while no api incident was
    // open (INC-0 resolved 02-20, INC-4 opened 03-16). 1/3.
    rework(m, 1, 3, Some(1.0 / 3.0), who);
    // Team tier: min(medium, elite, low, high) = low.
    assert_eq!(m["tier"], "low", "alpha team tier");
}

#[test]
fn alpha_previous_window() {
    let m = &team("alpha")["previous"];
    let who = "alpha.previous";
    // T_done 02-20T00:00 in [02-01, 03-02). 1/30; 1*30 >= 30 -> medium.
    frequency(m, 1, 1.0 / 30.0, "medium", who);
    // p1: 02-20T00:00 - 02-19T00:00 = 86400 s, exactly 1 day: not < 1 day ->
    // high.
    lead_time(m, Some(DAY), 1, 0, Some("high"), who);
    // INC-0 opened 2h after A-090's T_ok -> implicitly attributed: 1/1 -> low.
    failure_rate(m, 1, 1, Some(1.0), Some("low"), who);
    // INC-0 resolved 02-20T02:30: 1800 s < 1h -> elite. Open at 03-02: none
    // (INC-0 resolved; the others opened later).
    restore(m, Some(1800.0), 1, 0, Some("elite"), who);
    // A-090 finished before INC-0 opened: no rework. 0/1 = 0.
    rework(m, 0, 1, Some(0.0), who);
}

#[test]
fn bravo_current_window() {
    let m = team("bravo");
    let who = "bravo";
    // Counted: B-201 (03-05T09:00, three region lines = one deployment),
    // B-202 (03-20T10:00, failure), B-203 (03-21T10:00), B-204 (03-28),
    // B-205 (03-29). N = 5; 5/30 = 0.1667/day; 5*7 = 35 >= 30 -> high.
    frequency(m, 5, 5.0 / 30.0, "high", who);
    // Leads: b2 3600, b1 86400 (B-201), b3 93600 (B-203; B-202 has no T_ok).
    // Median of 3 = 86400 s, exactly 1 day: not < 1 day -> high.
    lead_time(m, Some(DAY), 3, 0, Some("high"), who);
    // Failed: B-201 (INC-1 implicit, 5h after T_ok), B-202 (failure line;
    // INC-5 explicit too). B-203..B-205: nothing. 2/5 = 0.4 -> low.
    failure_rate(m, 2, 5, Some(0.4), Some("low"), who);
    // Resolved in window: INC-1 5400 s (resolved from its merged second line),
    // INC-5 86400 s -> (5400 + 86400)/2 = 45900 s = 12h45m -> high.
    // Open at 04-01: none (INC-1 got its resolve time from the later line).
    restore(m, Some(45_900.0), 2, 0, Some("high"), who);
    // Rework: B-203 finished 03-21T10:00 while INC-5 (opened 09:00, resolved
    // next day) was open. 1/5 = 0.2.
    rework(m, 1, 5, Some(0.2), who);
    // Team tier: min(high, high, low, high) = low.
    assert_eq!(m["tier"], "low", "bravo team tier");
}

#[test]
fn bravo_previous_window_has_no_data() {
    let m = &team("bravo")["previous"];
    let who = "bravo.previous";
    // Nothing of bravo's before 03-02: N = 0 -> 0/day, tier low (DESIGN: N = 0
    // is low).
    frequency(m, 0, 0.0, "low", who);
    // No counted change: no data.
    lead_time(m, None, 0, 0, None, who);
    // N = 0: no data.
    failure_rate(m, 0, 0, None, None, who);
    // None resolved: no data; no incident opened before 03-02.
    restore(m, None, 0, 0, None, who);
    // 0 / 0: no rate.
    rework(m, 0, 0, None, who);
}

#[test]
fn charlie_current_window() {
    let m = team("charlie");
    let who = "charlie";
    // Counted: C-301 (03-10T00:00; its second line has no team but the
    // deployment is charlie's), C-302 (03-25T16:00, environment "Prod").
    // N = 2; 2/30; 2*7 = 14 < 30, 2*30 >= 30 -> medium.
    frequency(m, 2, 2.0 / 30.0, "medium", who);
    // Leads: c1 21600 (C-301), c2 3600 (C-302) -> (3600 + 21600)/2 = 12600 s
    // = 3.5h -> elite.
    lead_time(m, Some(12_600.0), 2, 0, Some("elite"), who);
    // INC-7 is unattributed, INC-8 belongs to C-290: 0/2 = 0 -> elite.
    failure_rate(m, 0, 2, Some(0.0), Some("elite"), who);
    // Resolved in window: INC-7 21600 s, INC-8 345600 s (opened 02-28, resolved
    // 03-03: 4 days in a leap year) -> (21600 + 345600)/2 = 183600 s = 2.125 d:
    // >= 1 day, < 7 days -> medium. Open at 04-01: none.
    restore(m, Some(183_600.0), 2, 0, Some("medium"), who);
    // No batch incident open at 03-10T00:00 (INC-8 resolved 03-03) or at
    // 03-25T16:00: 0/2 = 0.
    rework(m, 0, 2, Some(0.0), who);
    // Team tier: min(medium, elite, elite, medium) = medium.
    assert_eq!(m["tier"], "medium", "charlie team tier");
}

#[test]
fn charlie_previous_window() {
    let m = &team("charlie")["previous"];
    let who = "charlie.previous";
    // C-290: T_done 02-27T12:00. 1/30 -> medium.
    frequency(m, 1, 1.0 / 30.0, "medium", who);
    // C-290 lists no change: no data.
    lead_time(m, None, 0, 0, None, who);
    // INC-8 opened 02-28T00:00, 12h after C-290's T_ok -> implicit: 1/1 -> low.
    failure_rate(m, 1, 1, Some(1.0), Some("low"), who);
    // INC-8 is resolved 03-03, after this window: none resolved -> no data;
    // but it was open at the window's end 03-02 -> open 1.
    restore(m, None, 0, 1, None, who);
    // C-290 finished before INC-8 opened: 0/1.
    rework(m, 0, 1, Some(0.0), who);
}

#[test]
fn unattributed_incidents_count_every_incident_read() {
    // INC-0 -> A-090 (implicit), INC-8 -> C-290 (implicit), INC-1 -> B-201
    // (implicit), INC-4 -> A-102 (explicit), INC-5 -> B-202 (explicit),
    // INC-3 -> A-105 (explicit, in flight but read), INC-9: nothing within 24h
    // (A-104 is staging), INC-7: C-999 never read and C-301 is 48h old.
    assert_eq!(int(&json()["unattributed_incidents"], "unattributed"), 2);
    // The default set, which does not grade rework rate.
    assert_eq!(json()["benchmark"], "DORA 2023");
    assert_eq!(team("alpha")["rework_rate"]["tier"], Value::Null);
}

#[test]
fn diagnostics_count_lines_unknown_types_and_malformed_lines() {
    let d = &json()["diagnostics"];
    // 46 lines in the file, no blank line.
    assert_eq!(int(&d["lines"], "lines"), 46);
    // Line 20: {"type":"weather",...}.
    assert_eq!(int(&d["skipped_types"], "skipped_types"), 1);
    let malformed = d["malformed"].as_array().expect("malformed is an array");
    let lines: Vec<u64> = malformed.iter().map(|m| int(&m["line"], "line")).collect();
    // Line 32 is truncated JSON; the unknown fields on lines 7 and 39 are fine.
    assert_eq!(lines, [32]);
    let error = malformed[0]["error"].as_str().expect("error is a string");
    assert!(!error.trim().is_empty(), "the error says what is wrong");
}

#[test]
fn table_lists_every_team_under_a_header() {
    let out = run("table");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "table report failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let text = String::from_utf8(out.stdout).expect("the table is UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.contains("TEAM") && l.contains("TIER"))
        .unwrap_or_else(|| panic!("no header line in:\n{text}"));
    for name in ["alpha", "bravo", "charlie"] {
        let row = lines
            .iter()
            .position(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name} in:\n{text}"));
        assert!(row > header, "{name}'s row comes after the header:\n{text}");
    }
    assert!(
        text.contains("2024-03-02") && text.contains("2024-04-01"),
        "the table names its window:\n{text}"
    );
}

#[test]
fn fixture_is_where_the_test_expects_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    assert_eq!(text.lines().count(), 46, "fixture line count changed");
}
