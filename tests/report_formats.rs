//! Golden tests of every `report` format on the hand-written fixture (the same
//! file and `--now` as tests/report_json.rs, whose values are hand-computed) plus
//! a team whose name holds a pipe, quotes and a comma; and `--team`, `--output`.

use std::path::PathBuf;
use std::process::{Command, Output};

const NOW: &str = "2024-04-01T00:00:00Z";

fn flightdeck(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report",
            "--events",
            "tests/fixtures/report_handwritten.ndjson",
            "--events",
            "tests/fixtures/report_awkward_names.ndjson",
            "--now",
            NOW,
        ])
        .args(extra)
        .output()
        .expect("the flightdeck binary runs")
}

fn stdout_of(extra: &[&str]) -> String {
    let out = flightdeck(extra);
    assert!(
        out.status.success(),
        "flightdeck {extra:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

struct TempDir(PathBuf);
impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("fd-report-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn table_golden() {
    let table = stdout_of(&["--format", "table"]);
    // Plurals: one open incident reads "1 incident", not "1 incidents".
    assert!(
        table.contains(
            "4 teams; 1 incident open at the window's end; 2 incidents not attributed to any deployment"
        ),
        "{table}"
    );
    insta::assert_snapshot!("table", table);
}

#[test]
fn json_golden() {
    insta::assert_snapshot!("json", stdout_of(&["--format", "json"]));
}

#[test]
fn markdown_golden() {
    let md = stdout_of(&["--format", "markdown"]);
    // The awkward name cannot end its table cell early: its pipe is escaped.
    assert!(md.contains("| ops \\| \"edge\", eu | **low** |"), "{md}");
    insta::assert_snapshot!("markdown", md);
}

#[test]
fn csv_golden_is_rfc4180() {
    let csv = stdout_of(&["--format", "csv"]);
    // RFC 4180: every record ends in CRLF; no bare LF.
    assert!(csv.ends_with("\r\n"));
    assert_eq!(csv.matches('\n').count(), csv.matches("\r\n").count());
    // Header + 4 teams, every record with the same number of fields.
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines.contains(&"\"ops | \"\"edge\"\", eu\",low,2024-03-02T00:00:00Z,2024-04-01T00:00:00Z,30,2,0.06666666666666667,medium,better,14400,1,0,elite,,1,2,0.5,low,,7200,1,0,high,,0,2,0,0,0,0,0,0,0,,,0,,0,0.5,1,1,0,0,0,0"));
    // As hand-computed in tests/report_json.rs: alpha's median lead time 18 h =
    // 64800 s over 5 changes (1 skewed); restore median of 10 h and 45 min = 19350 s.
    assert!(lines[1].starts_with("alpha,low,"), "{}", lines[1]);
    assert!(lines[1].contains(",64800,5,1,elite,"), "{}", lines[1]);
    assert!(lines[1].contains(",19350,2,1,high,"), "{}", lines[1]);
    insta::assert_snapshot!("csv", csv.replace("\r\n", "\n"));
}

#[test]
fn team_filter_keeps_only_the_named_teams() {
    let csv = stdout_of(&[
        "--format",
        "csv",
        "--team",
        "bravo",
        "--team",
        "ops | \"edge\", eu",
    ]);
    let teams: Vec<&str> = csv
        .split_terminator("\r\n")
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    assert_eq!(teams, ["bravo", "\"ops | \"\"edge\"\""]);
}

#[test]
fn an_unknown_team_is_an_error_listing_the_known_ones() {
    let out = flightdeck(&["--team", "alpha", "--team", "delta"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim().lines().last().unwrap_or(""),
        "flightdeck: unknown team 'delta'; known teams: alpha, bravo, charlie, ops | \"edge\", eu"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn output_writes_the_same_report_to_a_file() {
    let dir = TempDir::new("output");
    let path = dir.0.join("retro.md");
    let out = flightdeck(&[
        "--format",
        "markdown",
        "--output",
        path.to_str().unwrap_or(""),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout with --output");
    let written = std::fs::read_to_string(&path).expect("report file");
    assert_eq!(written, stdout_of(&["--format", "markdown"]));
    // Only the report: no temporary file left behind.
    let entries = std::fs::read_dir(&dir.0).map(|d| d.count()).unwrap_or(0);
    assert_eq!(entries, 1);
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let dir = TempDir::new("unwritable");
    let missing = dir.0.join("no/such/dir/r.csv");
    let out = flightdeck(&[
        "--format",
        "csv",
        "--output",
        missing.to_str().unwrap_or(""),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // Checked before reading: the error is the only output.
    assert!(
        err.starts_with(&format!(
            "flightdeck: cannot write the report to {}: the directory",
            missing.display()
        )),
        "{err}"
    );
    let out = flightdeck(&["--output", dir.0.to_str().unwrap_or("")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("it is a directory"), "{err}");
}

#[test]
fn wide_team_names_keep_the_table_aligned() {
    // CJK and emoji take two terminal columns per character: padding and
    // cutting by characters would push the next columns out of line.
    let dir = TempDir::new("wide");
    let events = dir.0.join("wide.ndjson");
    let teams = [
        "東京チーム",
        "🚀 launch",
        "データプラットフォームチーム東京",
        "alpha",
    ];
    let lines: Vec<String> = teams
        .iter()
        .enumerate()
        .map(|(i, team)| {
            format!(
                r#"{{"type":"deployment","id":"W-{i}","service":"s{i}","team":"{team}","time":"2024-03-20T12:00:00Z","status":"success","region":"eu-west-1"}}"#
            )
        })
        .collect();
    std::fs::write(&events, lines.join("\n") + "\n").expect("write events");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--now", NOW, "--format", "table", "--events"])
        .arg(&events)
        .output()
        .expect("the flightdeck binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).expect("UTF-8 report");
    let width = flightdeck::util::text::width;
    let mut lines = table.lines().skip_while(|l| !l.starts_with("TEAM"));
    let header = lines.next().expect("the scorecard header");
    let rows: Vec<&str> = lines.take_while(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), teams.len(), "{table}");
    for row in &rows {
        assert_eq!(width(row), width(header), "row out of line:\n{table}");
    }
    // The long name is cut to 20 columns with an ellipsis; the short ones are whole.
    assert!(table.contains("データプラットフォ… "), "{table}");
    assert!(
        table.contains(&format!("東京チーム{} ", " ".repeat(10))),
        "{table}"
    );
    assert!(table.contains("🚀 launch"), "{table}");
    // The audit table's team column is 20 columns wide too.
    let audit: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("TEAM ") || !l.contains("CRIT"))
        .skip(1)
        .take(teams.len())
        .collect();
    for row in audit {
        let cut = row
            .char_indices()
            .scan(0, |w, (i, c)| {
                *w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                Some((i + c.len_utf8(), *w))
            })
            .find(|&(_, w)| w == 20)
            .map(|(i, _)| i);
        let rest = cut.map(|i| &row[i..]).unwrap_or("");
        assert!(
            rest.starts_with(' ') && rest.trim_start().starts_with(char::is_numeric),
            "audit row out of line: {row:?}\n{table}"
        );
    }
}

#[test]
fn csv_team_names_that_look_like_formulas_are_made_inert() {
    let dir = TempDir::new("formula");
    let events = dir.0.join("formula.ndjson");
    let mut text = String::new();
    for (n, team) in [
        "=HYPERLINK(\\\"http://x\\\",\\\"y\\\")",
        "@SUM(1+1)",
        "+1",
        "-2",
        "plain",
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&format!(
            "{{\"type\":\"deployment\",\"id\":\"d{n}\",\"service\":\"s{n}\",\"team\":\"{team}\",\"time\":\"2024-03-20T00:00:00Z\",\"status\":\"success\"}}\n"
        ));
    }
    std::fs::write(&events, text).expect("write events");
    let run = |raw: bool| {
        let mut args = vec![
            "report".to_string(),
            "--events".into(),
            events.display().to_string(),
            "--now".into(),
            NOW.into(),
            "--format".into(),
            "csv".into(),
        ];
        if raw {
            args.push("--raw-csv".into());
        }
        let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
            .args(&args)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let firsts = |csv: &str| -> Vec<String> {
        let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
        reader
            .records()
            .map(|r| r.expect("a record")[0].to_string())
            .collect()
    };
    let safe = firsts(&run(false));
    for name in &safe {
        assert!(
            name == "plain" || name.starts_with('\''),
            "{name} would run as a formula: {safe:?}"
        );
    }
    assert!(
        safe.contains(&"'=HYPERLINK(\"http://x\",\"y\")".to_string()),
        "{safe:?}"
    );
    assert!(safe.contains(&"'-2".to_string()), "{safe:?}");
    let raw = firsts(&run(true));
    assert!(raw.contains(&"@SUM(1+1)".to_string()), "{raw:?}");
    assert!(raw.contains(&"+1".to_string()), "{raw:?}");
}

/// Markdown says which way each change goes for the team and the previous
/// value: alpha's failure rate fell from 1 in 1 to 1 in 3 (better), its time
/// to restore rose from 30m to 5h 22m (worse); the 2025 framing adds a
/// throughput / instability table.
#[test]
fn markdown_states_previous_values_and_better_or_worse() {
    let md = stdout_of(&["--format", "markdown"]);
    let alpha = md
        .lines()
        .find(|l| l.starts_with("| alpha |"))
        .expect("alpha's row");
    assert!(
        alpha.contains("33.3% (1/3) · low ↓ better, was 100.0% (1/1)"),
        "{alpha}"
    );
    assert!(alpha.contains("5h 22m · high ↑ worse, was 30m"), "{alpha}");
    assert!(!md.contains("## Throughput and instability"));
    let framed = stdout_of(&["--format", "markdown", "--benchmark", "DORA 2025"]);
    assert!(framed.contains("Tiers from the DORA 2025 benchmark set"));
    assert!(framed.contains("| Team | Throughput | Instability |"));
}
