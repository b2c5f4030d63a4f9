//! `flightdeck report` on bad input, through the real binary: bad lines are
//! reported with their line numbers and the rest is still read (DESIGN.md,
//! "Event schema v1"); `--strict` turns a bad line into a failure; unreadable
//! files and bad arguments fail with a message that says what is wrong; nothing
//! panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

const NOW: &str = "2024-04-01T00:00:00Z";

/// A fresh folder under the system's temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "flightdeck-report-bad-input-{test}-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create the scratch folder");
        Self(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("write a scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    output: Output,
    stdout: String,
    /// With terminal colour sequences removed.
    stderr: String,
}

fn flightdeck(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .expect("the flightdeck binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = strip_ansi(&String::from_utf8_lossy(&output.stderr));
    assert!(
        !stderr.contains("panicked"),
        "flightdeck {args:?} panicked:\n{stderr}"
    );
    Run {
        output,
        stdout,
        stderr,
    }
}

fn report_json(files: &[&Path], extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["report".into()];
    for f in files {
        args.push("--events".into());
        args.push(f.display().to_string());
    }
    args.extend(["--now", NOW, "--format", "json"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    flightdeck(&refs)
}

fn parse(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
}

/// Removes CSI escape sequences (colour-eyre colours its messages).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for n in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&n) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Some stderr line names `path` and line `n` (`path:n:` or `... line n`).
fn stderr_line_naming(stderr: &str, path: &Path, n: u64) -> Option<String> {
    let path = path.display().to_string();
    stderr
        .lines()
        .find(|l| {
            l.contains(&format!("{path}:{n}:"))
                || (l.contains(&path) && l.contains(&format!("line {n}")))
        })
        .map(str::to_string)
}

fn malformed_lines(report: &Value) -> Vec<u64> {
    report["diagnostics"]["malformed"]
        .as_array()
        .expect("diagnostics.malformed is an array")
        .iter()
        .map(|m| m["line"].as_u64().expect("malformed line is an integer"))
        .collect()
}

fn team_names(report: &Value) -> Vec<&str> {
    report["teams"]
        .as_array()
        .expect("teams is an array")
        .iter()
        .map(|t| t["team"].as_str().expect("team name"))
        .collect()
}

/// Line 1, 4 and 11 are good; line 3 has an unknown type; every other line is bad.
/// The last line has no trailing newline.
const MIXED: &str = concat!(
    r#"{"type":"change","id":"c1","service":"api","team":"alpha","time":"2024-03-10T00:00:00Z"}"#,
    "\n",
    "not json at all\n",
    r#"{"type":"weather","id":1,"forecast":"rain"}"#,
    "\n",
    r#"{"type":"deployment","id":"d1","service":"api","team":"alpha","time":"2024-03-11T00:00:00Z","status":"success","changes":["c1"],"colour":"blue","nested":{"a":[1,{"b":null}]}}"#,
    "\n",
    r#"{"type":"change","id":5,"service":"api","team":"alpha","time":"2024-03-10T00:00:00Z"}"#,
    "\n",
    r#"{"type":"deployment","id":"d2","service":"api","team":"ghost","time":"2024-03-12T00:00:00Z","status":"exploded"}"#,
    "\n",
    r#"{"type":"incident","id":"i1","service":"api","team":"alpha","opened":"yesterday"}"#,
    "\n",
    r#"{"type":"deployment","id":"d3","service":"api","team":"alpha","time":"2024-03-12T00:00:00Z","status":"success","changes":"c1"}"#,
    "\n",
    r#"{"type":"deployment","id":"d4","service":"api","team":"alpha","time":"2024-03-13T00:00:00Z","status":"success","hotfix":"yes"}"#,
    "\n",
    "[1,2,3]\n",
    r#"{"type":"incident","id":"i2","service":"api","team":"alpha","opened":"2024-03-11T02:00:00Z","resolved":"2024-03-11T03:00:00Z"}"#,
);

const MIXED_BAD_LINES: [u64; 7] = [2, 5, 6, 7, 8, 9, 10];

#[test]
fn bad_lines_are_reported_with_line_numbers_and_good_lines_still_count() {
    let scratch = Scratch::new("mixed");
    let path = scratch.file("events.ndjson", MIXED.as_bytes());
    let run = report_json(&[&path], &[]);
    assert!(
        run.output.status.success(),
        "bad lines are not a failure without --strict: {:?}\n{}",
        run.output.status,
        run.stderr
    );
    for n in MIXED_BAD_LINES {
        assert!(
            stderr_line_naming(&run.stderr, &path, n).is_some(),
            "stderr reports line {n}:\n{}",
            run.stderr
        );
    }
    for good in [1, 3, 4, 11] {
        assert!(
            stderr_line_naming(&run.stderr, &path, good).is_none(),
            "line {good} is not malformed:\n{}",
            run.stderr
        );
    }
    let status_line = stderr_line_naming(&run.stderr, &path, 6).unwrap_or_default();
    assert!(
        status_line.contains("exploded"),
        "the error names the bad status: {status_line}"
    );

    let report = parse(&run);
    let d = &report["diagnostics"];
    assert_eq!(
        d["lines"], 11,
        "every line is read, the last has no newline"
    );
    assert_eq!(d["skipped_types"], 1, "the weather line");
    assert_eq!(malformed_lines(&report), MIXED_BAD_LINES);
    for m in d["malformed"].as_array().expect("array") {
        let error = m["error"].as_str().expect("error is a string");
        assert!(!error.trim().is_empty(), "an empty error for {m}");
    }

    // Only the good lines made records: the `ghost` team of the bad line 6 is not
    // reported, and alpha has exactly d1, c1 and i2.
    assert_eq!(team_names(&report), ["alpha"]);
    let alpha = &report["teams"][0];
    // d1: success 03-11T00:00 -> 1 deployment (d3 and d4 were dropped).
    assert_eq!(alpha["deployment_frequency"]["deployments"], 1);
    // c1 at d1: 03-11T00:00 - 03-10T00:00 = 86400 s.
    assert_eq!(alpha["lead_time"]["changes"], 1);
    assert_eq!(
        alpha["lead_time"]["median_seconds"].as_f64(),
        Some(86_400.0)
    );
    // i2 opened 2h after d1 -> attributed, d1 failed; restored in 3600 s.
    assert_eq!(alpha["change_failure_rate"]["failed"], 1);
    assert_eq!(alpha["time_to_restore"]["incidents"], 1);
    assert_eq!(
        alpha["time_to_restore"]["median_seconds"].as_f64(),
        Some(3_600.0)
    );
    // i1 (line 7) was dropped: nothing is open.
    assert_eq!(alpha["time_to_restore"]["open"], 0);
    assert_eq!(report["unattributed_incidents"], 0);
}

#[test]
fn strict_fails_naming_the_file_and_the_first_bad_line() {
    let scratch = Scratch::new("strict");
    let path = scratch.file("events.ndjson", MIXED.as_bytes());
    let run = report_json(&[&path], &["--strict"]);
    assert!(
        !run.output.status.success(),
        "--strict with bad lines must fail; stdout:\n{}",
        run.stdout
    );
    assert!(
        stderr_line_naming(&run.stderr, &path, 2).is_some(),
        "the message names {} and line 2:\n{}",
        path.display(),
        run.stderr
    );
}

#[test]
fn strict_accepts_a_clean_file_with_unknown_types_and_fields() {
    // Unknown types and fields are not malformed (DESIGN: be liberal).
    let scratch = Scratch::new("strict-clean");
    let text = concat!(
        r#"{"type":"change","id":"c1","service":"api","team":"alpha","time":"2024-03-10T00:00:00Z","extra":1}"#,
        "\n",
        r#"{"type":"weather","id":1}"#,
        "\n",
    );
    let path = scratch.file("events.ndjson", text.as_bytes());
    let run = report_json(&[&path], &["--strict"]);
    assert!(run.output.status.success(), "{}", run.stderr);
    let report = parse(&run);
    assert_eq!(report["diagnostics"]["lines"], 2);
    assert_eq!(report["diagnostics"]["skipped_types"], 1);
    assert_eq!(malformed_lines(&report), Vec::<u64>::new());
}

#[test]
fn bad_lines_in_a_second_file_are_reported_against_that_file() {
    let scratch = Scratch::new("two-files");
    let first = scratch.file(
        "first.ndjson",
        concat!(
            r#"{"type":"change","id":"c1","service":"api","team":"alpha","time":"2024-03-10T00:00:00Z"}"#,
            "\n"
        )
        .as_bytes(),
    );
    let second = scratch.file(
        "second.ndjson",
        concat!(
            r#"{"type":"deployment","id":"d1","service":"api","team":"alpha","time":"2024-03-11T00:00:00Z","status":"success","changes":["c1"]}"#,
            "\n",
            "{oops\n"
        )
        .as_bytes(),
    );
    let run = report_json(&[&first, &second], &[]);
    assert!(run.output.status.success(), "{}", run.stderr);
    assert!(
        stderr_line_naming(&run.stderr, &second, 2).is_some(),
        "second.ndjson line 2 is reported:\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(&first.display().to_string()),
        "first.ndjson has nothing wrong:\n{}",
        run.stderr
    );
    let report = parse(&run);
    assert_eq!(report["diagnostics"]["lines"], 3);
    assert_eq!(malformed_lines(&report), [2]);
    // The change from the first file is counted at the deployment from the second.
    assert_eq!(report["teams"][0]["lead_time"]["changes"], 1);
}

#[test]
fn an_empty_file_gives_an_empty_report() {
    let scratch = Scratch::new("empty");
    let path = scratch.file("empty.ndjson", b"");
    let run = report_json(&[&path], &[]);
    assert!(run.output.status.success(), "{}", run.stderr);
    let report = parse(&run);
    assert_eq!(report["teams"], serde_json::json!([]));
    assert_eq!(report["unattributed_incidents"], 0);
    assert_eq!(report["diagnostics"]["lines"], 0);
    assert_eq!(report["diagnostics"]["skipped_types"], 0);
    assert_eq!(malformed_lines(&report), Vec::<u64>::new());
    assert_eq!(report["window"]["end"], NOW);

    let path = path.display().to_string();
    let table = flightdeck(&["report", "--events", &path, "--now", NOW]);
    assert!(table.output.status.success(), "{}", table.stderr);
    assert!(table.stdout.contains("TEAM"), "a header:\n{}", table.stdout);
}

#[test]
fn a_missing_file_fails_naming_the_path() {
    let scratch = Scratch::new("missing");
    let path = scratch.0.join("no-such-events.ndjson");
    let run = report_json(&[&path], &[]);
    assert!(!run.output.status.success(), "stdout:\n{}", run.stdout);
    assert!(
        run.stderr.contains(&path.display().to_string()),
        "the message names the path:\n{}",
        run.stderr
    );
    let lower = run.stderr.to_lowercase();
    assert!(
        lower.contains("no such file") || lower.contains("not found"),
        "the message says the file does not exist:\n{}",
        run.stderr
    );
}

#[test]
fn a_directory_fails_saying_it_is_a_directory() {
    let scratch = Scratch::new("directory");
    let dir = scratch.0.join("events.d");
    std::fs::create_dir_all(&dir).expect("create a folder");
    let run = report_json(&[&dir], &[]);
    assert!(!run.output.status.success(), "stdout:\n{}", run.stdout);
    assert!(
        run.stderr.contains(&dir.display().to_string()),
        "the message names the path:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.to_lowercase().contains("directory"),
        "the message says it is a directory:\n{}",
        run.stderr
    );
}

#[test]
fn invalid_utf8_lines_are_reported_and_the_rest_is_read() {
    let scratch = Scratch::new("utf8");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(
        br#"{"type":"change","id":"c1","service":"api","team":"alpha","time":"2024-03-10T00:00:00Z"}"#,
    );
    bytes.push(b'\n');
    // Invalid UTF-8 inside a string value.
    bytes.extend_from_slice(br#"{"type":"change","id":"c"#);
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(br#"2","service":"api","team":"alpha","time":"2024-03-10T00:00:00Z"}"#);
    bytes.push(b'\n');
    // A line of raw invalid bytes.
    bytes.extend_from_slice(&[0xff, 0xfe, 0xfd, b' ', 0xc3, b'\n']);
    // Valid multi-byte UTF-8 is fine.
    bytes.extend_from_slice(
        "{\"type\":\"deployment\",\"id\":\"d1\",\"service\":\"api\",\"team\":\"alpha\",\"time\":\"2024-03-11T00:00:00Z\",\"status\":\"success\",\"changes\":[\"c1\"],\"url\":\"https://example.com/caf\u{e9}\"}\n"
            .as_bytes(),
    );
    let path = scratch.file("utf8.ndjson", &bytes);
    let run = report_json(&[&path], &[]);
    assert!(run.output.status.success(), "{}", run.stderr);
    for n in [2, 3] {
        assert!(
            stderr_line_naming(&run.stderr, &path, n).is_some(),
            "stderr reports line {n}:\n{}",
            run.stderr
        );
    }
    let report = parse(&run);
    assert_eq!(report["diagnostics"]["lines"], 4);
    assert_eq!(malformed_lines(&report), [2, 3]);
    assert_eq!(team_names(&report), ["alpha"]);
    let alpha = &report["teams"][0];
    assert_eq!(alpha["deployment_frequency"]["deployments"], 1);
    assert_eq!(alpha["lead_time"]["changes"], 1);
}

#[test]
fn a_bad_window_is_a_usage_error() {
    // Each with the hint the message should give.
    for (bad, hint) in [
        ("5y", "unit"),
        ("0d", "zero"),
        ("30", "unit"),
        ("thirty", "30d"),
    ] {
        let run = flightdeck(&["report", "--window", bad, "--now", NOW]);
        assert_eq!(
            run.output.status.code(),
            Some(2),
            "--window {bad}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("--window") && run.stderr.contains(bad),
            "the message names the option and the value:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(hint),
            "the message for {bad} says what is wrong ({hint}):\n{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
    }
}

#[test]
fn a_bad_now_is_a_usage_error() {
    for bad in ["garbage", "2024-13-01T00:00:00Z", "2024-04-01"] {
        let run = flightdeck(&["report", "--now", bad]);
        assert_eq!(
            run.output.status.code(),
            Some(2),
            "--now {bad}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("--now") && run.stderr.contains(bad),
            "the message names the option and the value:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("RFC 3339"),
            "the message says which format is expected:\n{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
    }
}

#[test]
fn an_empty_events_file_says_the_report_is_empty_because_of_it() {
    let dir = Scratch::new("empty");
    let empty = dir.file("empty.ndjson", b"");
    let run = report_json(&[&empty], &[]);
    assert!(run.output.status.success(), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("{}: no events read (0 lines)", empty.display())),
        "{}",
        run.stderr
    );
    assert_eq!(parse(&run)["teams"], serde_json::json!([]));
}
