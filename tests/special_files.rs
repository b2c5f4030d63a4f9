//! Files that never end or block (issue 13, findings 2 and 4), through the real
//! binary: a named pipe or a device given as an events, findings or rollouts
//! file is refused by kind at once, and every command ends; a line longer than
//! the limit in a real file is one malformed line and the rest is read.

use crate::support as common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

/// Far above what any of these takes; a command that blocks hits it and fails.
const ENDS_WITHIN: Duration = Duration::from_secs(30);

fn bin() -> Command {
    let mut c = Command::cargo_bin("flightdeck").expect("the binary is built");
    c.env_remove("FLIGHTDECK_CONFIG")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .timeout(ENDS_WITHIN);
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-special-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A named pipe nobody writes to: opening it for reading would block forever.
fn fifo(dir: &Path) -> Option<PathBuf> {
    let mkfifo = common::tool("mkfifo")?;
    let path = dir.join("pipe");
    let made = std::process::Command::new(mkfifo).arg(&path).status();
    made.is_ok_and(|s| s.success()).then_some(path)
}

fn stderr_of(args: &[&str]) -> (Option<i32>, String) {
    let out = bin().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), stderr)
}

#[test]
fn report_replay_serve_and_the_cockpit_refuse_a_fifo_or_a_device_as_events() {
    let dir = temp_dir("events");
    let Some(pipe) = fifo(&dir) else { return };
    let pipe = pipe.display().to_string();
    for file in [pipe.as_str(), "/dev/zero"] {
        for args in [
            vec!["report", "--events", file],
            vec!["replay", file],
            vec!["serve", "--listen", "127.0.0.1:0", "--events", file],
            vec!["--events", file],
        ] {
            let (code, stderr) = stderr_of(&args);
            assert_ne!(code, Some(0), "{args:?} succeeded");
            assert!(code.is_some(), "{args:?} did not end by itself");
            let kind = if file == "/dev/zero" {
                "a character device, not a regular file"
            } else {
                "a named pipe (FIFO), not a regular file"
            };
            assert!(
                stderr.contains(file) && stderr.contains(kind),
                "{args:?}: {stderr}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn check_ends_when_a_findings_or_rollouts_path_is_a_fifo() {
    let dir = temp_dir("check");
    if fifo(&dir).is_none() {
        return;
    }
    let config = dir.join("flightdeck.toml");
    std::fs::write(
        &config,
        r#"
[[teams]]
name = "payments"
services = ["ledger"]

[[sources]]
kind = "findings"
name = "scans"
path = "pipe"
format = "sarif"

[[sources]]
kind = "rollouts"
name = "argo"
path = "pipe"
"#,
    )
    .expect("config");
    let config = config.display().to_string();
    let out = bin()
        .args(["check", "--config", &config])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    // Both sources fail by name, each saying what the file is.
    let failed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("a named pipe (FIFO), not a regular file"))
        .collect();
    assert_eq!(failed.len(), 2, "{stdout}");
    assert!(failed.iter().any(|l| l.contains("scans")), "{stdout}");
    assert!(failed.iter().any(|l| l.contains("argo")), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_over_long_line_is_a_malformed_line_and_the_rest_is_read() {
    let dir = temp_dir("long");
    let good = |id: u32| {
        format!(
            "{{\"type\":\"deployment\",\"id\":\"d{id}\",\"service\":\"ledger\",\"status\":\"success\",\"time\":\"2024-03-3{id}T00:00:00Z\"}}\n"
        )
    };
    let mut text = good(0);
    text.push_str(&"x".repeat(3 << 20));
    text.push('\n');
    text.push_str(&good(1));
    let file = dir.join("events.ndjson");
    std::fs::write(&file, text).expect("write");
    let file = file.display().to_string();
    let out = bin()
        .args(["report", "--events", &file, "--now", "2024-04-01T00:00:00Z"])
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let malformed = &report["diagnostics"]["malformed"];
    assert_eq!(malformed[0]["line"], 2);
    assert_eq!(
        malformed[0]["error"],
        "line of 3145728 bytes is longer than the 1 MiB limit; skipped"
    );
    assert_eq!(report["diagnostics"]["lines"], 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{file}:2")), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
