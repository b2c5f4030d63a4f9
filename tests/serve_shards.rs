//! `serve --shard I/N`: three shards of the demo at a pinned clock serve
//! between them exactly the per-team series one unsharded `serve` does, each
//! team from one shard only; organisation-wide series from shard 1 only; every
//! exporter says who it is in `flightdeck_info`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use flightdeck::model::prepared::Prepared;
use flightdeck::model::settings::Settings;
use flightdeck::model::shard::{Shard, shard_of};
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::report::openmetrics::{Scope, scope_of};
use flightdeck::store::Store;
use flightdeck::util::clock::Clock;

use crate::serve_prometheus::{Key, metrics_with_data, serve, serve_saying, served_values};

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

/// Teams and the shard of three that serves each (pinned: the hash is fixed).
const TEAMS: [(&str, u32); 6] = [
    ("search", 1),
    ("ledger", 1),
    ("payments", 2),
    ("billing", 2),
    ("growth", 3),
    ("beta", 3),
];

/// One team's deployments (two changes each, every fourth failing), in the
/// file `file_of(j)` names for deployment j.
fn team_lines(k: usize, team: &str, mut file_of: impl FnMut(usize) -> usize, out: &mut [String]) {
    for j in 0..3 + k {
        let day = 2 + j * 3 + k % 2;
        let f = file_of(j);
        for c in 0..2 {
            out[f].push_str(&format!(
                "{{\"type\":\"change\",\"id\":\"{team}-c{j}-{c}\",\"service\":\"{team}-api\",\
                 \"time\":\"2026-02-{:02}T{:02}:00:00Z\"}}\n",
                day - 1,
                (k + j + c) % 20
            ));
        }
        let status = if (j + k).is_multiple_of(4) {
            "failure"
        } else {
            "success"
        };
        out[f].push_str(&format!(
            "{{\"type\":\"deployment\",\"id\":\"{team}-d{j}\",\"service\":\"{team}-api\",\
             \"time\":\"2026-02-{day:02}T10:00:00Z\",\"status\":\"{status}\",\
             \"changes\":[\"{team}-c{j}-0\",\"{team}-c{j}-1\"]}}\n"
        ));
    }
}

/// A config of per-team event files (`teams = [...]`), one shared file that
/// names no team (incidents, findings, a contract across teams), in `dir`.
fn per_team_config(dir: &std::path::Path) -> std::path::PathBuf {
    // Files: 0 search, 1 ledger, 2 payments, 3 billing-growth, 4 growth, 5 beta, 6 shared.
    let names = [
        ("search", "[\"search\"]"),
        ("ledger", "[\"ledger\"]"),
        ("payments", "[\"payments\"]"),
        ("billing-growth", "[\"billing\", \"growth\"]"),
        ("growth", "[\"growth\"]"),
        ("beta", "[\"beta\"]"),
        ("shared", ""),
    ];
    let mut files = vec![String::new(); names.len()];
    let severities = ["critical", "high", "medium", "low", "high", "medium"];
    for (k, (team, _)) in TEAMS.iter().enumerate() {
        let file_of = |j: usize| match *team {
            "search" => 0,
            "ledger" => 1,
            "payments" => 2,
            "billing" => 3,
            // Growth's deployments come from two files.
            "growth" if j.is_multiple_of(2) => 3,
            "growth" => 4,
            _ => 5,
        };
        team_lines(k, team, file_of, &mut files);
        let day = 2 + k % 2;
        files[6].push_str(&format!(
            "{{\"type\":\"incident\",\"id\":\"{team}-i0\",\"service\":\"{team}-api\",\
             \"opened\":\"2026-02-{day:02}T11:00:00Z\",\"resolved\":\"2026-02-{day:02}T{:02}:00:00Z\"}}\n\
             {{\"type\":\"finding\",\"id\":\"{team}-f0\",\"severity\":\"{}\",\"status\":\"open\",\
             \"opened\":\"2026-02-10T00:00:00Z\",\"team\":\"{team}\"}}\n",
            12 + k,
            severities[k]
        ));
    }
    // A contract of payments' whose consumer (growth) migrates: kept by every shard.
    files[6].push_str(
        "{\"type\":\"contract\",\"id\":\"payments-api/Charge\",\"step\":\"expand\",\"service\":\"payments-api\",\
         \"time\":\"2026-02-05T00:00:00Z\",\"consumers\":[\"growth-api\"]}\n\
         {\"type\":\"contract\",\"id\":\"payments-api/Charge\",\"step\":\"migrate\",\"service\":\"growth-api\",\
         \"time\":\"2026-02-08T00:00:00Z\"}\n\
         {\"type\":\"contract\",\"id\":\"payments-api/Charge\",\"step\":\"contract\",\"service\":\"payments-api\",\
         \"time\":\"2026-02-12T00:00:00Z\"}\n",
    );
    let mut config = String::new();
    for (team, _) in TEAMS {
        config.push_str(&format!(
            "[[teams]]\nname = \"{team}\"\nservices = [\"{team}-api\"]\n\n"
        ));
    }
    for ((name, teams), lines) in names.iter().zip(&files) {
        let path = dir.join(format!("{name}.ndjson"));
        std::fs::write(&path, lines).expect("events file");
        config.push_str(&format!(
            "[[sources]]\nkind = \"events\"\nname = \"{name}\"\npath = \"{}\"\ninterval = \"off\"\n",
            path.display()
        ));
        if !teams.is_empty() {
            config.push_str(&format!("teams = {teams}\n"));
        }
        config.push('\n');
    }
    let path = dir.join("org.toml");
    std::fs::write(&path, config).expect("config");
    path
}

fn per_team(m: &BTreeMap<Key, f64>) -> BTreeMap<Key, f64> {
    m.iter()
        .filter(|(k, _)| scope_of(&k.0) == Some(Scope::Team))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// Which sources each exporter read (its own `flightdeck_source_up`), and
/// what each said on start about those it does not read.
fn assert_sources_read(whole: &BTreeMap<Key, f64>, parts: &[BTreeMap<Key, f64>], said: &[String]) {
    let read = |m: &BTreeMap<Key, f64>| -> BTreeSet<String> {
        m.keys()
            .filter(|k| k.0 == "flightdeck_source_up")
            .filter_map(|k| label(k, "source").map(str::to_string))
            .collect()
    };
    let set =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|n| n.to_string()).collect() };
    let every = set(&[
        "search",
        "ledger",
        "payments",
        "billing-growth",
        "growth",
        "beta",
        "shared",
    ]);
    assert_eq!(read(whole), every);
    assert_eq!(read(&parts[0]), every, "shard 1 reads every source");
    assert_eq!(
        read(&parts[1]),
        set(&["payments", "billing-growth", "shared"])
    );
    assert_eq!(
        read(&parts[2]),
        set(&["billing-growth", "growth", "beta", "shared"])
    );
    for (_, up) in whole
        .iter()
        .chain(parts.iter().flatten())
        .filter(|(k, _)| k.0 == "flightdeck_source_up")
    {
        assert_eq!(*up, 1.0);
    }

    // Each says what it does not read, and why.
    assert!(
        said[0].contains(
            "shard 1/3 reads every source, 4 of them only for the organisation-wide series"
        ),
        "{}",
        said[0]
    );
    assert!(
        said[1].contains(
            "source `search` (events): not read by shard 2/3: feeds only teams served by other shards (search: shard 1)"
        ),
        "{}",
        said[1]
    );
    assert!(
        said[2].contains(
            "source `payments` (events): not read by shard 3/3: feeds only teams served by other shards (payments: shard 2)"
        ),
        "{}",
        said[2]
    );
    for (i, text) in said.iter().enumerate().skip(1) {
        assert_eq!(
            text.matches("not read by shard").count(),
            [0, 4, 3][i],
            "{text}"
        );
    }
}

/// Numbers, not only zeros: failures, findings and the contract came through.
fn assert_some_numbers(union: &BTreeMap<Key, f64>) {
    let value = |name: &str, team: &str, extra: Option<(&str, &str)>| {
        union
            .iter()
            .find(|(k, _)| {
                k.0 == name
                    && team_of(k) == Some(team)
                    && extra.is_none_or(|(l, v)| label(k, l) == Some(v))
            })
            .map(|(_, v)| *v)
    };
    assert_eq!(
        value(
            "flightdeck_team_deployments",
            "beta",
            Some(("window", "30d"))
        ),
        Some(8.0)
    );
    // Two failed by status, one by its incident (read from the shared file).
    assert_eq!(
        value(
            "flightdeck_team_failed_deployments",
            "beta",
            Some(("window", "30d"))
        ),
        Some(3.0)
    );
    assert_eq!(
        value(
            "flightdeck_team_open_findings",
            "growth",
            Some(("severity", "high"))
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            "flightdeck_team_contract_violations",
            "payments",
            Some(("window", "30d"))
        ),
        Some(0.0)
    );
}

#[test]
fn a_shard_reads_only_the_sources_that_feed_its_teams() {
    for (team, shard) in TEAMS {
        assert_eq!(shard_of(team, 3), shard, "{team}");
    }
    let dir = std::env::temp_dir().join(format!("fd-shard-sources-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = per_team_config(&dir);
    let config = config.to_str().expect("utf-8 path");
    let (_whole, whole_addr, _) = serve_saying(&["--config", config, "--now", NOW]);
    let shards: Vec<_> = (1..=3)
        .map(|i| {
            serve_saying(&[
                "--config",
                config,
                "--now",
                NOW,
                "--shard",
                &format!("{i}/3"),
            ])
        })
        .collect();
    let whole = served_values(&metrics_with_data(whole_addr));
    let parts: Vec<BTreeMap<Key, f64>> = shards
        .iter()
        .map(|(_, addr, _)| served_values(&metrics_with_data(*addr)))
        .collect();

    let said: Vec<String> = shards.iter().map(|(_, _, said)| said.join("\n")).collect();
    assert_sources_read(&whole, &parts, &said);

    // Between them, the three serve exactly what one unsharded exporter does.
    let mut union: BTreeMap<Key, f64> = BTreeMap::new();
    for part in &parts {
        for (k, v) in per_team(part) {
            assert!(union.insert(k.clone(), v).is_none(), "{k:?} served twice");
        }
    }
    let whole_teams = per_team(&whole);
    assert_eq!(union, whole_teams);
    let served: BTreeSet<&str> = whole_teams.keys().filter_map(team_of).collect();
    assert_eq!(
        served,
        TEAMS.iter().map(|(t, _)| *t).collect(),
        "every team has numbers"
    );
    assert_some_numbers(&union);
    let unattributed = |m: &BTreeMap<Key, f64>| {
        m.iter()
            .find(|(k, _)| k.0 == "flightdeck_unattributed_incidents")
            .map(|(_, v)| *v)
    };
    assert_eq!(unattributed(&parts[0]), unattributed(&whole));
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a shard's store keeps of one read: its teams' changes, deployments
/// and findings; every incident, contract step and canary result; another
/// team's deployment when a kept record names it (shard 1: every deployment).
/// One read across teams. payments: shard 2 of 3; search: shard 1; growth: shard 3.
const ACROSS: [&str; 14] = [
    r#"{"type":"change","id":"p1","service":"pay","team":"payments","time":"2026-02-01T00:00:00Z"}"#,
    r#"{"type":"change","id":"s1","service":"find","team":"search","time":"2026-02-01T00:00:00Z"}"#,
    r#"{"type":"change","id":"g1","service":"grow","team":"growth","time":"2026-02-01T00:00:00Z"}"#,
    r#"{"type":"change","id":"g2","service":"grow","team":"growth","time":"2026-02-01T00:00:00Z","reverts":"p1"}"#,
    r#"{"type":"deployment","id":"dp","service":"pay","team":"payments","time":"2026-02-02T00:00:00Z","status":"success","changes":["p1"]}"#,
    r#"{"type":"deployment","id":"ds","service":"find","team":"search","time":"2026-02-02T00:00:00Z","status":"success","changes":["s1"]}"#,
    r#"{"type":"incident","id":"i1","service":"pay","team":"payments","opened":"2026-02-03T00:00:00Z","deployment":"dg"}"#,
    r#"{"type":"deployment","id":"dg","service":"grow","team":"growth","time":"2026-02-02T00:00:00Z","status":"success","changes":["g1"]}"#,
    r#"{"type":"deployment","id":"dr","service":"grow","team":"growth","time":"2026-02-04T00:00:00Z","status":"success","changes":["g2"]}"#,
    r#"{"type":"deployment","id":"dx","service":"grow","team":"growth","time":"2026-02-05T00:00:00Z","status":"success"}"#,
    r#"{"type":"finding","id":"f1","severity":"high","status":"open","opened":"2026-02-01T00:00:00Z","team":"payments"}"#,
    r#"{"type":"finding","id":"f2","severity":"high","status":"open","opened":"2026-02-01T00:00:00Z","team":"growth"}"#,
    r#"{"type":"incident","id":"i2","service":"grow","team":"growth","opened":"2026-02-03T00:00:00Z"}"#,
    r#"{"type":"contract","id":"pay/Charge","step":"migrate","service":"grow","time":"2026-02-03T00:00:00Z"}"#,
];

type Kept = (String, String, String, String, usize, u64);

/// (changes, deployments, incidents, findings, contract steps, items the
/// source read) as `shard`'s store keeps them of `events`: alike as a
/// source's batch and as a followed file's read (made ready as parsed).
fn kept(events: &[flightdeck::model::Event], shard: Shard, now: flightdeck::model::Time) -> Kept {
    let source = flightdeck::model::Text::from("file");
    let prepared = events.iter().cloned().map(Prepared::new).collect();
    let as_events = kept_of(
        SourceUpdate::Events {
            source: source.clone(),
            events: events.to_vec(),
        },
        shard,
        now,
    );
    let as_prepared = kept_of(
        SourceUpdate::Prepared {
            source,
            events: prepared,
        },
        shard,
        now,
    );
    assert_eq!(as_events, as_prepared, "shard {shard:?}");
    as_events
}

fn kept_of(update: SourceUpdate, shard: Shard, now: flightdeck::model::Time) -> Kept {
    let (store, snapshots) = Store::new(Settings::default(), Clock::Fixed(now));
    let mut store = store.keeping(shard);
    store.apply(update, now);
    store.publish(now, true);
    let s = snapshots.borrow().clone();
    let ids = |v: Vec<&str>| v.join(" ");
    (
        ids(s.records.changes.iter().map(|c| &*c.id).collect()),
        ids(s.records.deployments.iter().map(|d| &*d.id).collect()),
        ids(s.records.incidents.iter().map(|i| &*i.id).collect()),
        ids(s.records.findings.iter().map(|f| &*f.id).collect()),
        s.records.contracts.len(),
        // The Sources screen counts what the source read, kept or not.
        s.sources[0].items.total(),
    )
}

#[test]
fn a_shard_keeps_its_teams_records_and_those_that_refer_across_teams() {
    let lines = ACROSS.join("\n");
    let (events, diagnostics) = flightdeck::sources::events::parse_str(&lines);
    assert!(
        diagnostics.malformed.is_empty(),
        "{:?}",
        diagnostics.malformed
    );
    let now = chrono::DateTime::parse_from_rfc3339(NOW)
        .expect("time")
        .to_utc();
    let kept = |shard: Shard| kept(&events, shard, now);
    let shard = |i| Shard::new(i, 3).expect("shard");
    assert_eq!(
        kept(shard(2)),
        (
            "p1 g2".into(),
            // dg: named by a kept incident; dr: ships a reverting change.
            "dp dg dr".into(),
            "i1 i2".into(),
            "f1".into(),
            1,
            14
        )
    );
    assert_eq!(
        kept(shard(1)),
        (
            "s1 g2".into(),
            // Every deployment: the organisation-wide series attribute every incident.
            "dp ds dg dr dx".into(),
            "i1 i2".into(),
            "".into(),
            1,
            14
        )
    );
    assert_eq!(
        kept(shard(3)),
        (
            "g1 g2".into(),
            "dg dr dx".into(),
            "i1 i2".into(),
            "f2".into(),
            1,
            14
        )
    );
    // Unsharded: everything.
    let all = kept(Shard::ALL);
    assert_eq!(
        (all.0.as_str(), all.1.as_str(), all.3.as_str()),
        ("p1 s1 g1 g2", "dp ds dg dr dx", "f1 f2")
    );
}
