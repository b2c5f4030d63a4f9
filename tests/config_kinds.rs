//! The source kinds added beside the HTTP ones (git, findings, prometheus,
//! rollouts) and the `[findings]` policy, through the config file and the real
//! binary: they load, their own keys are checked with file:line:key, and
//! `check` polls the git and findings sources for real.

use crate::support as common;

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::cargo_bin("flightdeck").expect("the binary is built");
    c.env_remove("FLIGHTDECK_CONFIG")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    c
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fd-kinds-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn run(args: &[&str], config: &Path) -> (bool, String, String) {
    let out = bin()
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A one-service repository with a `v1` tag on two commits.
fn repo(git: &Path, dir: &Path) {
    let g = |args: &[&str]| {
        let ok = Std::new(git)
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_DATE", "2026-01-05T10:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-05T10:00:00Z")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    };
    std::fs::create_dir_all(dir).expect("repo dir");
    g(&["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("a.txt"), "1").expect("write");
    g(&["add", "a.txt"]);
    g(&["commit", "-q", "-m", "first"]);
    std::fs::write(dir.join("a.txt"), "2").expect("write");
    g(&["commit", "-q", "-am", "second"]);
    g(&["tag", "v1"]);
}

const SARIF: &str = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"scan","rules":[
 {"id":"R1","properties":{"security-severity":"9.5"}}]}},
 "results":[{"ruleId":"R1","message":{"text":"bad"},
  "locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/a.rs"}}}]}]}]}"#;

#[test]
fn every_added_kind_loads_and_check_polls_git_and_findings() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let dir = temp_dir("all");
    repo(&git, &dir.join("repo"));
    std::fs::write(dir.join("scan.sarif"), SARIF).expect("sarif");
    std::fs::write(dir.join("rollouts.json"), r#"{"kind":"List","items":[]}"#).expect("json");
    // Relative paths: next to the config file, wherever the binary starts.
    let config = dir.join("flightdeck.toml");
    std::fs::write(
        &config,
        r#"
[[teams]]
name = "payments"
services = ["ledger"]

[[sources]]
kind = "git"
name = "ledger-repo"
path = "repo"
service = "ledger"
interval = "off"

[[sources]]
kind = "findings"
name = "scans"
path = "*.sarif"

[[sources]]
kind = "rollouts"
name = "argo"
path = "rollouts.json"
region = "eu-west-1"

[[sources]]
kind = "prometheus"
name = "prom"
url = "http://127.0.0.1:9"
[sources.queries.error_rate]
query = 'rate(errors{service="$service"}[5m])'
critical = true

[findings]
sla_days = { critical = 7 }
[[findings.owners]]
team = "payments"
path_prefixes = ["src/"]
"#,
    )
    .expect("config");
    let (ok, stdout, stderr) = run(&["check", "--offline"], &config);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("(valid)"), "{stdout}");

    // Polled once for real (from another folder: the paths are the config's).
    let out = bin()
        .current_dir(std::env::temp_dir())
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    // git: 2 changes + 1 deployment line; findings: the one SARIF result.
    assert!(line("ledger-repo").contains(" 3 "), "{stdout}");
    assert!(line("scans").contains(" 1 "), "{stdout}");
    assert!(line("argo").contains(" 0 "), "{stdout}");
    // Nothing listens on port 9: the prometheus source fails, named, alone.
    assert!(line("prom").contains("cannot connect"), "{stdout}");
    assert!(!out.status.success(), "a failing source makes check exit 1");
}

#[test]
fn the_added_kinds_own_keys_are_checked_with_line_and_key() {
    let dir = temp_dir("bad");
    let config = dir.join("flightdeck.toml");
    std::fs::write(
        &config,
        "[[sources]]\nkind = \"git\"\npath = \"repo\"\nservise = \"x\"\n\n[[sources]]\nkind = \"findings\"\nname = \"f\"\n\n[findings]\nsla_dayz = { critical = 7 }\n",
    )
    .expect("config");
    let (ok, _, stderr) = run(&["check", "--offline"], &config);
    assert!(!ok);
    let shown = config.display().to_string();
    assert!(
        stderr.contains(&format!(
            "{shown}:4: sources[0].servise: unknown key; did you mean `service`?"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("sources[1].path: needs `path` (a file or glob) or `url`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{shown}:11: findings.sla_dayz: unknown key; did you mean `sla_days`?"
        )),
        "{stderr}"
    );
}

#[test]
fn report_reads_the_configured_sources_once_and_refuses_a_config_with_nothing_to_read() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let dir = temp_dir("report");
    repo(&git, &dir.join("repo"));
    let config = dir.join("flightdeck.toml");
    let teams = "[[teams]]\nname = \"payments\"\nservices = [\"ledger\"]\n";
    std::fs::write(
        &config,
        format!(
            "{teams}\n[[sources]]\nkind = \"git\"\nname = \"ledger-repo\"\npath = \"repo\"\nservice = \"ledger\"\n"
        ),
    )
    .expect("config");
    let args = [
        "report",
        "--now",
        "2026-01-20T00:00:00Z",
        "--format",
        "json",
    ];
    let (ok, stdout, stderr) = run(&args, &config);
    assert!(ok, "{stderr}");
    // A line per source on stderr, with what it read by type.
    assert!(
        stderr.contains("flightdeck: source ledger-repo (git): 1 deployment line, 2 changes in"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let listed = report["teams"].as_array().expect("teams");
    assert_eq!(listed.len(), 1, "only the config's team, no demo: {stdout}");
    let payments = &listed[0];
    assert_eq!(payments["team"], "payments");
    assert_eq!(payments["deployment_frequency"]["deployments"], 1);
    // Both commits and the tag share one time: a lead time of zero.
    assert_eq!(payments["lead_time"]["changes"], 2, "{payments}");
    assert_eq!(payments["lead_time"]["median_seconds"], 0.0, "{payments}");

    // A config with no sources and no --events: an error naming the file.
    std::fs::write(&config, teams).expect("config");
    let (ok, _, stderr) = run(&args, &config);
    assert!(!ok);
    assert!(
        stderr.contains("the config names no sources and no --events file was given"),
        "{stderr}"
    );
    // Every source failing (the repository is gone) is an error too.
    std::fs::write(
        &config,
        format!("{teams}\n[[sources]]\nkind = \"git\"\nname = \"gone\"\npath = \"nothere\"\nservice = \"ledger\"\n"),
    )
    .expect("config");
    let (ok, _, stderr) = run(&args, &config);
    assert!(!ok);
    assert!(stderr.contains("source gone (git) FAILED"), "{stderr}");
    assert!(
        stderr.contains("no configured source could be read"),
        "{stderr}"
    );
}
