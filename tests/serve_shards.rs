//! `serve --shard I/N`: three shards of the demo at a pinned clock serve
//! between them exactly the per-team series one unsharded `serve` does, each
//! team from one shard only; organisation-wide series from shard 1 only; every
//! exporter says who it is in `flightdeck_info`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use flightdeck::model::shard::shard_of;
use flightdeck::report::openmetrics::{Scope, scope_of};

use crate::serve_prometheus::{Key, metrics_with_data, serve, served_values};

const NOW: &str = "2026-03-02T09:30:00Z";

fn team_of(key: &Key) -> Option<&str> {
    key.1
        .iter()
        .find(|(k, _)| k == "team")
        .map(|(_, v)| v.as_str())
}

fn label<'a>(key: &'a Key, name: &str) -> Option<&'a str> {
    key.1
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn three_shards_serve_what_one_exporter_serves_each_team_once() {
    let (_whole, whole_addr) = serve(&["--demo", "--now", NOW]);
    let shards: Vec<_> = (1..=3)
        .map(|i| serve(&["--demo", "--now", NOW, "--shard", &format!("{i}/3")]))
        .collect();
    let whole = served_values(&metrics_with_data(whole_addr));
    let parts: Vec<BTreeMap<Key, f64>> = shards
        .iter()
        .map(|(_, addr)| served_values(&metrics_with_data(*addr)))
        .collect();

    let per_team = |m: &BTreeMap<Key, f64>| -> BTreeMap<Key, f64> {
        m.iter()
            .filter(|(k, _)| scope_of(&k.0) == Some(Scope::Team))
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    let whole_teams = per_team(&whole);
    assert!(whole_teams.len() > 100, "the demo serves per-team series");

    // The union equals the unsharded exporter's, and no series comes twice.
    let mut union: BTreeMap<Key, f64> = BTreeMap::new();
    for part in &parts {
        for (k, v) in per_team(part) {
            assert!(union.insert(k.clone(), v).is_none(), "{k:?} served twice");
        }
    }
    assert_eq!(union, whole_teams);

    // Each team comes from exactly one shard: the one its hash names.
    let mut served_by: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for (i, part) in parts.iter().enumerate() {
        let i = u32::try_from(i + 1).expect("small");
        for k in per_team(part).keys() {
            let team = team_of(k).expect("per-team series carry a team");
            served_by.entry(team.to_string()).or_default().insert(i);
        }
    }
    assert!(served_by.len() >= 5, "{served_by:?}");
    for (team, shards) in &served_by {
        assert_eq!(shards.len(), 1, "{team} served by {shards:?}");
        assert_eq!(shards.first().copied(), Some(shard_of(team, 3)), "{team}");
    }
    let used: BTreeSet<u32> = served_by.values().flatten().copied().collect();
    assert!(
        used.len() >= 2,
        "the demo's teams spread over shards: {used:?}"
    );

    // Organisation-wide: shard 1 only, the unsharded value.
    let unattributed = |m: &BTreeMap<Key, f64>| {
        m.iter()
            .find(|(k, _)| k.0 == "flightdeck_unattributed_incidents")
            .map(|(_, v)| *v)
    };
    assert_eq!(unattributed(&parts[0]), unattributed(&whole));
    assert!(unattributed(&whole).is_some());
    assert_eq!(unattributed(&parts[1]), None);
    assert_eq!(unattributed(&parts[2]), None);

    // Every exporter says which shard of how many it is, and its version.
    let version = env!("CARGO_PKG_VERSION");
    for (i, m) in std::iter::once(&whole).chain(&parts).enumerate() {
        let info: Vec<(&Key, &f64)> = m.iter().filter(|(k, _)| k.0 == "flightdeck_info").collect();
        assert_eq!(info.len(), 1, "exporter {i}: {info:?}");
        let (key, value) = info[0];
        let (shard, shards) = if i == 0 {
            ("1", "1")
        } else {
            (["1", "2", "3"][i - 1], "3")
        };
        assert_eq!(label(key, "shard"), Some(shard));
        assert_eq!(label(key, "shards"), Some(shards));
        assert_eq!(label(key, "version"), Some(version));
        assert_eq!(*value, 1.0);
        // Its own sources' health comes from every exporter.
        assert!(
            m.keys().any(|k| k.0 == "flightdeck_source_up"),
            "exporter {i}"
        );
    }
}

#[test]
fn a_bad_shard_is_refused_with_the_reason() {
    for (bad, says) in [
        ("0/3", "must be in 1..=3"),
        ("4/3", "must be in 1..=3"),
        ("x", "is not a shard"),
        ("2/0", "between 1 and"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
            .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--shard", bad])
            .output()
            .expect("flightdeck runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad} accepted");
        assert!(
            stderr.contains("--shard") && stderr.contains(says),
            "{bad}: {stderr}"
        );
    }
}
