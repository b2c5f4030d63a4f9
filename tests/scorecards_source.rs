//! The `scorecards` source end to end: three `serve --shard i/3` of the demo at
//! a pinned clock, a real Prometheus (Debian's package) scraping them on
//! loopback, and `report --config` with a `scorecards` source pointed at it:
//! Prometheus holds exactly the unsharded exporter's per-team series, each team
//! once, and the report read back gives every team's five metric objects (30
//! days) as `report` on the original events does.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use flightdeck::model::remote::{INFO, TIER_LEVEL, WINDOW_SERIES};
use flightdeck::report::openmetrics::{Scope, family_names, scope_of};
use flightdeck::sources::prometheus::{Sample, assemble};
use serde_json::Value;

use crate::serve_prometheus::{
    Key, Killed, TempDir, free_port, get, key_of, metrics_with_data, query, serve, served_values,
    value_of, wait_for,
};
use crate::support as common;

const NOW: &str = "2026-03-02T09:30:00Z";
const FIVE: [&str; 5] = [
    "deployment_frequency",
    "lead_time",
    "change_failure_rate",
    "time_to_restore",
    "rework_rate",
];

/// Prometheus scraping `targets` every second as job `flightdeck`, once ready.
fn prometheus_scraping(
    prometheus: &Path,
    dir: &TempDir,
    targets: &[SocketAddr],
) -> (Killed, SocketAddr) {
    let config = dir.0.join("prometheus.yml");
    let list: Vec<String> = targets.iter().map(|a| format!("'{a}'")).collect();
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n\
             \x20 - job_name: flightdeck\n    static_configs:\n      - targets: [{}]\n",
            list.join(", ")
        ),
    )
    .expect("config written");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port())
        .parse()
        .expect("address");
    let child = Killed(
        Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.0.join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus starts"),
    );
    wait_for("Prometheus to be ready", Duration::from_secs(60), || {
        get(addr, "/-/ready").ok().filter(|(s, _, _)| *s == 200)
    });
    (child, addr)
}

fn report(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("report")
        .args(args)
        .args(["--now", NOW, "--format", "json"])
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .output()
        .expect("report runs");
    assert!(
        out.status.success(),
        "report {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

/// Team -> its five metric objects, without the failed deployments' list (records).
fn five_objects(report: &Value) -> BTreeMap<String, Vec<Value>> {
    report["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .map(|t| {
            let objects = FIVE
                .iter()
                .map(|k| {
                    let mut o = t[*k].clone();
                    if let Some(o) = o.as_object_mut() {
                        o.remove("failures");
                    }
                    o
                })
                .collect();
            (t["team"].as_str().unwrap_or("").to_string(), objects)
        })
        .collect()
}

/// What Prometheus holds: the unsharded exporter's per-team series (the team
/// and account families), each team from one instance.
fn assert_prometheus_holds_the_unsharded_series(prom: SocketAddr, whole_addr: SocketAddr) {
    let whole: BTreeMap<Key, f64> = served_values(&metrics_with_data(whole_addr))
        .into_iter()
        .filter(|(k, _)| scope_of(&k.0) == Some(Scope::Team))
        .collect();
    let stored = query(
        prom,
        r#"{__name__=~"flightdeck_(team|account)_.+",job="flightdeck"}"#,
    );
    let mut held: BTreeMap<Key, f64> = BTreeMap::new();
    let mut instances: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &stored {
        let key = key_of(s);
        let team = key
            .1
            .iter()
            .find(|(k, _)| k == "team")
            .map(|(_, v)| v.clone());
        let instance = s["metric"]["instance"].as_str().unwrap_or("").to_string();
        instances
            .entry(team.unwrap_or_default())
            .or_default()
            .insert(instance);
        assert!(
            held.insert(key.clone(), value_of(s)).is_none(),
            "{key:?} twice"
        );
    }
    assert_eq!(held, whole);
    assert!(instances.len() >= 5, "{instances:?}");
    for (team, from) in &instances {
        assert_eq!(from.len(), 1, "{team} from {from:?}");
    }
}

#[test]
fn shards_scraped_by_prometheus_read_back_as_the_original_report() {
    let Some(prometheus) = common::tool("prometheus") else {
        return;
    };
    let (_whole, whole_addr) = serve(&["--demo", "--now", NOW]);
    let shards: Vec<_> = (1..=3)
        .map(|i| serve(&["--demo", "--now", NOW, "--shard", &format!("{i}/3")]))
        .collect();
    let addrs: Vec<SocketAddr> = shards.iter().map(|(_, a)| *a).collect();
    for a in &addrs {
        metrics_with_data(*a);
    }
    let dir = TempDir::new("scorecards");
    let (_prometheus, prom) = prometheus_scraping(&prometheus, &dir, &addrs);
    wait_for("the three shards scraped", Duration::from_secs(60), || {
        let info = query(prom, "flightdeck_info");
        (info.len() == 3).then_some(())
    });

    assert_prometheus_holds_the_unsharded_series(prom, whole_addr);

    // The scorecards source reads them back.
    let config = dir.0.join("flightdeck.toml");
    std::fs::write(
        &config,
        format!(
            "[[sources]]\nkind = \"scorecards\"\nname = \"organisation\"\nurl = \"http://{prom}\"\n\
             selector = 'job=\"flightdeck\"'\n"
        ),
    )
    .expect("config written");
    let config = config.to_string_lossy().into_owned();
    let read_back = report(&["--config", &config]);
    let original = report(&["--demo"]);
    let (got, want) = (five_objects(&read_back), five_objects(&original));
    assert!(want.len() >= 5, "{want:?}");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (team, objects) in &want {
        for ((k, o), g) in FIVE.iter().zip(objects).zip(&got[team]) {
            assert_eq!(g, o, "{team} {k}");
        }
    }
    // The team tiers too; the failed deployments' list is records: unknown here.
    let tiers = |r: &Value| -> Vec<Value> {
        r["teams"]
            .as_array()
            .expect("teams")
            .iter()
            .map(|t| t["tier"].clone())
            .collect()
    };
    assert_eq!(tiers(&read_back), tiers(&original));
    let first = &read_back["teams"][0];
    assert_eq!(first["change_failure_rate"]["failures"], Value::Null);
    assert_eq!(
        read_back["unattributed_incidents"],
        original["unattributed_incidents"]
    );
    // No records read here: no coverage is claimed short.
    assert_eq!(
        read_back["window"]["covered_days"],
        read_back["window"]["days"]
    );
}

#[test]
fn the_source_reads_only_series_serve_exports() {
    let exported: BTreeSet<&str> = family_names().collect();
    for name in WINDOW_SERIES.iter().chain(&[TIER_LEVEL, INFO]) {
        assert!(exported.contains(name), "{name} is not exported");
    }
}

fn sample(labels: &[(&str, &str)], value: f64) -> Sample {
    Sample {
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        time: 0.0,
        value,
    }
}

#[test]
fn a_team_served_twice_is_kept_once_and_said() {
    let at = Utc
        .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
        .single()
        .expect("time");
    let deployments = vec![
        sample(
            &[("team", "a"), ("window", "30d"), ("instance", "s1:1")],
            4.0,
        ),
        sample(
            &[("team", "a"), ("window", "30d"), ("instance", "s2:1")],
            9.0,
        ),
        sample(
            &[("team", "b"), ("window", "7d"), ("instance", "s2:1")],
            1.0,
        ),
        sample(
            &[
                ("team", "c\u{1b}[2J"),
                ("window", "7d"),
                ("instance", "s2:1"),
            ],
            1.0,
        ),
    ];
    let info = vec![
        sample(
            &[("instance", "s1:1"), ("shard", "1"), ("shards", "2")],
            1.0,
        ),
        sample(
            &[("instance", "s2:1"), ("shard", "2"), ("shards", "2")],
            1.0,
        ),
    ];
    let (read, warning) = assemble(
        "http://prom".into(),
        at,
        vec![("flightdeck_team_deployments", deployments), (INFO, info)],
    );
    assert_eq!(read.shards, 2);
    assert_eq!(read.teams.len(), 3);
    // Label values are untrusted: no escape sequence reaches the screen.
    assert!(
        read.teams.iter().all(|t| !t.team.contains('\u{1b}')),
        "{:?}",
        read.teams
    );
    let a = read.team("a").expect("a");
    assert_eq!((a.shard, &*a.instance), (1, "s1:1"));
    assert_eq!(a.windows[0].value("flightdeck_team_deployments"), Some(4.0));
    assert_eq!(read.team("b").map(|b| b.shard), Some(2));
    let warning = warning.expect("a warning");
    assert!(
        warning.contains("more than one exporter") && warning.contains("s2:1"),
        "{warning}"
    );

    let (empty, warning) = assemble("http://prom".into(), at, Vec::new());
    assert!(empty.teams.is_empty());
    assert!(warning.is_some_and(|w| w.contains("no flightdeck_team_* series")));
}

#[test]
fn the_scorecards_keys_are_checked_with_line_and_key() {
    let dir = TempDir::new("scorecards-config");
    let config = dir.0.join("flightdeck.toml");
    std::fs::write(
        &config,
        "[[sources]]\nkind = \"scorecards\"\nurl = \"ftp://prom\"\nselector = '{job=\"x\"}'\n\n\
         [[sources]]\nkind = \"scorecards\"\nurl = \"http://127.0.0.1:9\"\nselectr = 'job=\"x\"'\n",
    )
    .expect("config");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["check", "--offline", "--config"])
        .arg(&config)
        .env_remove("FLIGHTDECK_CONFIG")
        .output()
        .expect("check runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("sources[0].url") && stderr.contains("ftp://prom"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sources[0].selector") && stderr.contains("without braces"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":9: sources[1].selectr: unknown key; did you mean `selector`?"),
        "{stderr}"
    );

    // Nothing listens on port 9: polled once, the source fails, named.
    std::fs::write(
        &config,
        "[[sources]]\nkind = \"scorecards\"\nname = \"org\"\nurl = \"http://127.0.0.1:9\"\n",
    )
    .expect("config");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--config"])
        .arg(&config)
        .env_remove("FLIGHTDECK_CONFIG")
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .output()
        .expect("report runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("source org (scorecards) FAILED") && stderr.contains("cannot connect"),
        "{stderr}"
    );
}
