//! The audit part of the table, Markdown and CSV reports on
//! tests/fixtures/report_findings.ndjson (`--now 2024-04-01T00:00:00Z --window
//! 30d`), hand-computed from the fixture; the same numbers as the JSON golden in
//! tests/report_findings_json.rs, which asserts them on `findings`:
//!
//! alpha: F1 critical open since 03-20 (12 d > SLA 7 d: past SLA), F2 high open
//!   since 03-31T12:00 (0.5 d: within SLA); F3, F4, F5 resolved, F6 suppressed
//!   => open critical 1, high 1, medium 0, low 0, info 0; 1 past SLA; oldest open
//!   critical 04-01 - 03-20 = 12 days ("12d 00h 00m").
//! unassigned (a team with no findings) => zeros, no oldest critical.
//! unmapped: F7 high open since 01-15 (77 d > 30 d) => 1 open, 1 high, 1 past SLA.

use std::process::Command;

fn report(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report",
            "--events",
            "tests/fixtures/report_findings.ndjson",
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
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

const UNMAPPED: &str = "Unmapped findings (no team): 1 open (critical 0, high 1, medium 0, low 0, info 0), 1 past SLA.";

#[test]
fn table_audit_matches_the_hand_computation() {
    let t = report("table");
    let audit = t
        .split("AUDIT:")
        .nth(1)
        .unwrap_or_else(|| panic!("no AUDIT part:\n{t}"));
    let row = |team: &str| -> Vec<String> {
        audit
            .lines()
            .find(|l| l.starts_with(&format!("{team} ")))
            .unwrap_or_else(|| panic!("no audit row for {team}:\n{t}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    // TEAM CRIT HIGH MED LOW INFO PAST-SLA OLDEST-CRIT
    assert_eq!(
        row("alpha"),
        ["alpha", "1", "1", "0", "0", "0", "1", "12d", "00h", "00m"]
    );
    assert_eq!(
        row("unassigned"),
        ["unassigned", "0", "0", "0", "0", "0", "0", "-"]
    );
    assert!(audit.contains(UNMAPPED), "{t}");
    // Plurals: no "0 incident"/"1 incidents".
    assert!(
        t.contains("2 teams; 0 incidents open at the window's end; 0 incidents not attributed"),
        "{t}"
    );
}

#[test]
fn markdown_audit_matches_the_hand_computation() {
    let md = report("markdown");
    let audit = md
        .split("## Audit")
        .nth(1)
        .unwrap_or_else(|| panic!("no Audit section:\n{md}"));
    assert!(
        audit.contains(
            "| Team | Critical | High | Medium | Low | Info | Past SLA | Oldest open critical |"
        ),
        "{md}"
    );
    assert!(
        audit.contains("| alpha | 1 | 1 | 0 | 0 | 0 | 1 | 12d 00h 00m |"),
        "{md}"
    );
    assert!(
        audit.contains("| unassigned | 0 | 0 | 0 | 0 | 0 | 0 | – |"),
        "{md}"
    );
    assert!(audit.contains(UNMAPPED), "{md}");
}

#[test]
fn csv_audit_columns_are_appended_and_match_the_hand_computation() {
    let csv = report("csv");
    let lines: Vec<Vec<&str>> = csv
        .split_terminator("\r\n")
        .map(|l| l.split(',').collect())
        .collect();
    let header = &lines[0];
    // The existing columns keep their positions; the new ones come last.
    assert_eq!(header[26], "rework_rate");
    assert_eq!(
        header[27..33],
        [
            "findings_open_critical",
            "findings_open_high",
            "findings_open_medium",
            "findings_open_low",
            "findings_open_info",
            "findings_sla_breaches",
        ]
    );
    let row = |team: &str| {
        lines
            .iter()
            .find(|r| r[0] == team)
            .unwrap_or_else(|| panic!("no row for {team}:\n{csv}"))
    };
    assert_eq!(row("alpha").len(), header.len());
    assert_eq!(row("alpha")[27..33], ["1", "1", "0", "0", "0", "1"]);
    assert_eq!(row("unassigned")[27..33], ["0", "0", "0", "0", "0", "0"]);
    // The gates' columns came after these (tests/report_gates.rs checks them).
    assert_eq!(header[33], "review_wait_median_seconds");
}
