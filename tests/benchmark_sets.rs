//! Benchmark sets as data: one fixture graded by every built-in set and by a
//! custom set from a config (the golden table of tiers each set gives), the
//! config's checks with their precise messages, and the JSON naming the set.
//!
//! The fixture, 30 days ending 2024-04-01 (hand computation):
//! - `fast`: 30 deployments (one a day), each shipping one change 30 min old;
//!   3 fail by status, 3 other ones are hotfixes; 1 incident restored in 30 min
//!   (each team's incident is of another of its services: it fails no deployment).
//!   Frequency 1/day, lead 30 min, failure 10%, restore 30 min, rework 10%.
//! - `mid`: 5 deployments, leads 2 h, 1 failed (20%), 1 incident of 12 h.
//! - `slow`: 2 deployments 10 days apart, 1 failed (50%; its change never
//!   reaches production), the other's change 10 days old; 1 incident of 3 days.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};

use flightdeck::metrics::{
    Benchmarks, DORA_2021, DORA_2023, DORA_2024, DORA_2025, Scorecards, Tier, Window, scorecards,
};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;

fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap()
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `n` deployments of `team`, the `k`-th at `first + k * every`, each shipping
/// one change `lead` old; `failed` of them by status and `hotfix` more marked
/// hotfix; one incident of `restore`, opened five days before the end.
#[allow(clippy::too_many_arguments)]
fn team(
    lines: &mut Vec<Value>,
    name: &str,
    n: i64,
    every: TimeDelta,
    lead: TimeDelta,
    failed: i64,
    hotfix: i64,
    restore: TimeDelta,
) {
    let first = end() - TimeDelta::days(29) - TimeDelta::hours(12);
    for k in 0..n {
        let at = first + every * k as i32;
        let change = format!("{name}-c{k}");
        lines.push(
            json!({"type": "change", "id": change, "service": name, "team": name,
            "time": iso(at - lead)}),
        );
        let status = if k < failed { "failure" } else { "success" };
        let mut d = json!({"type": "deployment", "id": format!("{name}-d{k}"), "service": name,
            "team": name, "time": iso(at), "status": status, "changes": [change]});
        if k >= failed && k < failed + hotfix {
            d["hotfix"] = json!(true);
        }
        lines.push(d);
    }
    let opened = end() - TimeDelta::days(5);
    // Another service of the team: attributed to no deployment, so it fails none.
    lines.push(json!({"type": "incident", "id": format!("{name}-i"),
        "service": format!("{name}-ops"), "team": name, "opened": iso(opened),
        "resolved": iso(opened + restore)}));
}

fn records() -> Records {
    let mut lines = Vec::new();
    let (h, d) = (TimeDelta::hours, TimeDelta::days);
    team(
        &mut lines,
        "fast",
        30,
        d(1),
        TimeDelta::minutes(30),
        3,
        3,
        TimeDelta::minutes(30),
    );
    team(&mut lines, "mid", 5, d(5), h(2), 1, 0, h(12));
    team(&mut lines, "slow", 2, d(10), d(10), 1, 0, d(3));
    crate::support::records_of(&lines)
}

fn cards(bench: &Benchmarks) -> Scorecards {
    let window = Window::ending(end(), TimeDelta::days(30));
    scorecards(&records(), &Settings::default(), window, bench)
}

/// Each team as `team: frequency lead failure restore rework -> team tier`.
fn table(cards: &Scorecards) -> Vec<String> {
    let l = |t: Option<Tier>| Tier::label_of(t);
    cards
        .teams
        .iter()
        .map(|t| {
            let m = &t.current;
            let [f, lt, c, r] = m.key_tiers();
            format!(
                "{}: {} {} {} {} {} -> {}",
                t.team,
                l(f),
                l(lt),
                l(c),
                l(r),
                l(m.rework_rate.tier),
                l(t.tier)
            )
        })
        .collect()
}

/// The set a config defines under `[benchmarks.strict]`.
const STRICT: &str = r#"
[general]
benchmark = "strict"

[benchmarks.strict]
deployment_frequency = ["12h", "2d", "7d"]
lead_time = ["1h", "1d", "7d"]
change_failure_rate = [2, 10, 25.5]
time_to_restore = ["30m", "4h", "1d"]
rework_rate = [5, 10, 20]
"#;

#[test]
fn every_set_grades_the_fixture_as_published() {
    // The fixture's numbers are the same for every set; only the tiers move.
    let c = cards(&DORA_2023);
    let fast = &c.teams[0].current;
    assert_eq!(fast.deployment_frequency.deployments, 30);
    assert_eq!(fast.change_failure_rate.rate, Some(0.1));
    assert_eq!(fast.rework_rate.rate, Some(0.1));
    assert_eq!(fast.lead_time.median_seconds, Some(1800.0));
    assert_eq!(c.teams[1].current.change_failure_rate.rate, Some(0.2));
    assert_eq!(
        c.teams[2].current.time_to_restore.median_seconds,
        Some(259_200.0)
    );
    // 2021: elite failure rate up to 15%; lead under a week is high; 3 days
    // to restore is medium (under a week).
    assert_eq!(
        table(&cards(&DORA_2021)),
        [
            "fast: elite elite elite elite - -> elite",
            "mid: high high high high - -> high",
            "slow: high medium low medium - -> low",
        ]
    );
    // 2023 (the default): 10% is high, 20% low; 2 in 30 days is medium.
    assert_eq!(
        table(&cards(&DORA_2023)),
        [
            "fast: elite elite high elite - -> high",
            "mid: high elite low high - -> low",
            "slow: medium medium low medium - -> low",
        ]
    );
    // 2024: 20% is still high; medium recovery is under a day, so 3 days is low.
    assert_eq!(
        table(&cards(&DORA_2024)),
        [
            "fast: elite elite high elite - -> high",
            "mid: high elite high high - -> high",
            "slow: medium medium low low - -> low",
        ]
    );
    // 2025 grades with the 2024 numbers and frames them as throughput and instability.
    let c = cards(&DORA_2025);
    assert_eq!(table(&c), table(&cards(&DORA_2024)));
    let fast = &c.teams[0].current;
    assert_eq!(fast.throughput_tier(), Some(Tier::Elite));
    assert_eq!(fast.instability_tier(), Some(Tier::High));
    // The custom set grades rework rate too (10% is high) and counts it in the team tier.
    let config = flightdeck::config::parse(STRICT, Path::new("strict.toml")).expect("valid");
    assert_eq!(config.benchmark.name, "strict");
    assert_eq!(
        config.benchmark.failure_rate_percent_at_most,
        [2.0, 10.0, 25.5]
    );
    assert_eq!(
        table(&cards(&config.benchmark)),
        [
            "fast: high elite high high high -> high",
            "mid: medium high medium medium elite -> medium",
            "slow: low low low low elite -> low",
        ]
    );
}

#[test]
fn a_custom_set_is_checked_with_precise_messages() {
    let text = r#"
[general]
benchmark = "lenient"

[benchmarks.strict]
deployment_frequency = ["1d", "7d"]
lead_time = ["1d", "7 days", "30d"]
change_failure_rate = [5, 10, 150]
time_to_restore = ["1h", "1d", "7d"]
rework = [1, 2, 3]

[benchmarks.dora-2023]
deployment_frequency = ["1d", "7d", "30d"]
lead_time = ["1d", "7d", "30d"]
change_failure_rate = [5, 10, 15]
time_to_restore = ["1h", "1d", "7d"]
"#;
    let err = flightdeck::config::parse(text, Path::new("b.toml"))
        .expect_err("five problems")
        .to_string();
    for want in [
        "b.toml:6: benchmarks.strict.deployment_frequency: needs three thresholds (elite, high, medium), not 2",
        "b.toml:7: benchmarks.strict.lead_time: '7 days'",
        "b.toml:8: benchmarks.strict.change_failure_rate: 150 is not a percentage (0 to 100)",
        "b.toml:10: benchmarks.strict.rework: unknown key; did you mean `rework_rate`?",
        "b.toml:12: benchmarks.dora-2023: `dora-2023` is the name of a built-in set; give yours another name",
        "b.toml:3: general.benchmark: `lenient` is not a benchmark set; the sets are `DORA 2021`, `DORA 2023`, `DORA 2024`, `DORA 2025`",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn the_json_report_names_the_set_and_grades_rework_where_the_set_does() {
    let dir = std::env::temp_dir().join(format!("flightdeck-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let events = dir.join("events.ndjson");
    let text: String = {
        let mut lines = Vec::new();
        let (h, d) = (TimeDelta::hours, TimeDelta::days);
        team(
            &mut lines,
            "fast",
            30,
            d(1),
            TimeDelta::minutes(30),
            3,
            3,
            TimeDelta::minutes(30),
        );
        team(&mut lines, "mid", 5, d(5), h(2), 1, 0, h(12));
        lines.iter().map(|l| format!("{l}\n")).collect()
    };
    std::fs::write(&events, text).expect("write events");
    let config = dir.join("config.toml");
    std::fs::write(&config, format!("{STRICT}\n[[teams]]\nname = \"fast\"\n")).expect("write");
    let run = |extra: &[&str]| -> Value {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
            .args([
                "report",
                "--format",
                "json",
                "--now",
                "2024-04-01T00:00:00Z",
            ])
            .arg("--events")
            .arg(&events)
            .args(extra)
            .output()
            .expect("run flightdeck");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let default = run(&[]);
    assert_eq!(default["benchmark"], "DORA 2023");
    assert_eq!(default["teams"][0]["rework_rate"]["tier"], Value::Null);
    assert_eq!(default["teams"][1]["tier"], "low");
    let chosen = run(&["--benchmark", "dora-2024"]);
    assert_eq!(chosen["benchmark"], "DORA 2024");
    assert_eq!(chosen["teams"][1]["tier"], "high");
    let custom = run(&["--config", config.to_str().expect("utf-8")]);
    assert_eq!(custom["benchmark"], "strict");
    assert_eq!(custom["teams"][0]["rework_rate"]["tier"], "high");
    assert_eq!(custom["teams"][0]["tier"], "high");
    assert_eq!(custom["teams"][1]["tier"], "medium");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--benchmark", "dora 2019", "--events"])
        .arg(&events)
        .output()
        .expect("run flightdeck");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--benchmark: `dora 2019` is not a benchmark set"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
