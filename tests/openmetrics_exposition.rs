//! The `/metrics` exposition rendered from a snapshot: a golden file on the
//! hand-written fixture, and label escaping that no team name can break (unit
//! cases and a property test reading every line back).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::{DeployStatus, DeploymentEvent, Event, Incident, Text, Time};
use flightdeck::report::openmetrics::{parse_samples, render};
use flightdeck::sources::events;
use flightdeck::store::{Snapshot, SourceStatus};
use proptest::prelude::*;

fn at(day: u32, hour: u32) -> Time {
    Utc.with_ymd_and_hms(2024, 3, day, hour, 0, 0)
        .single()
        .expect("valid time")
}

fn fixture_snapshot() -> Snapshot {
    let mut records = Records::default();
    for f in [
        "tests/fixtures/report_handwritten.ndjson",
        "tests/fixtures/report_awkward_names.ndjson",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(f);
        events::read_file_into(&path, false, |e| {
            records.apply(e);
        })
        .expect("fixture reads");
    }
    let now = Utc
        .with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
        .single()
        .expect("time");
    let mut source = SourceStatus::new(Text::from("events \"file\""), "events");
    source.last_ok = Some(now);
    let failing = {
        let mut s = SourceStatus::new(Text::from("github"), "github");
        s.last_error = Some((now, "HTTP 502".into()));
        s
    };
    Snapshot::compute(
        Arc::new(records),
        Arc::new(Settings::default()),
        vec![source, failing],
        now,
        1,
    )
}

#[test]
fn exposition_golden_on_the_handwritten_fixture() {
    let text = render(&fixture_snapshot());
    let samples = parse_samples(&text).expect("the exposition reads back");
    let value = |name: &str, labels: &[(&str, &str)]| {
        samples
            .iter()
            .find(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(k2, v2)| k2 == k && v2 == v))
            })
            .map(|s| s.value)
    };
    // The hand-computed values of tests/report_json.rs, 30-day window.
    let alpha = [("team", "alpha"), ("window", "30d")];
    assert_eq!(value("flightdeck_team_deployments", &alpha), Some(3.0));
    assert_eq!(
        value("flightdeck_team_lead_time_median_seconds", &alpha),
        Some(64800.0)
    );
    assert_eq!(
        value("flightdeck_team_time_to_restore_median_seconds", &alpha),
        Some(19350.0)
    );
    assert_eq!(
        value("flightdeck_team_open_incidents", &[("team", "alpha")]),
        Some(1.0)
    );
    assert_eq!(
        value(
            "flightdeck_team_deployments_in_flight",
            &[("team", "alpha")]
        ),
        Some(1.0)
    );
    let low = [
        ("team", "alpha"),
        ("window", "30d"),
        ("metric", "team"),
        ("tier", "low"),
    ];
    assert_eq!(value("flightdeck_team_tier", &low), Some(1.0));
    let awkward = [("team", "ops | \"edge\", eu"), ("window", "30d")];
    assert_eq!(
        value("flightdeck_team_change_failure_ratio", &awkward),
        Some(0.5)
    );
    assert_eq!(
        value("flightdeck_source_up", &[("source", "github")]),
        Some(0.0)
    );
    assert_eq!(
        value("flightdeck_source_up", &[("source", "events \"file\"")]),
        Some(1.0)
    );
    insta::assert_snapshot!("exposition_handwritten", text);
}

fn deployment(team: &str, id: usize, day: u32) -> Event {
    Event::Deployment(DeploymentEvent {
        id: format!("D-{id}").into(),
        service: Text::from(format!("svc-{id}")),
        time: at(day, 12),
        status: DeployStatus::Success,
        team: Some(Text::from(team)),
        environment: None,
        region: None,
        stage: None,
        changes: Vec::new(),
        hotfix: false,
        url: None,
    })
}

fn incident(team: &str, id: usize) -> Event {
    Event::Incident(Incident {
        id: Text::from(format!("I-{id}")),
        service: Text::from(format!("svc-{id}")),
        opened: at(20, 0),
        team: Some(Text::from(team)),
        resolved: None,
        deployment: None,
        severity: None,
        title: None,
        url: None,
    })
}

/// Renders teams named `names` (raw: no input cleaning on this path) and checks
/// that every line reads back and the team labels come back exactly.
fn round_trip(names: &[String]) {
    let mut records = Records::default();
    for (i, name) in names.iter().enumerate() {
        records.apply(deployment(name, i, 10));
        records.apply(incident(name, i));
    }
    let now = at(31, 0);
    let snapshot = Snapshot::compute(
        Arc::new(records),
        Arc::new(Settings::default()),
        vec![SourceStatus::new(Text::from("x\"\\\ny"), "events")],
        now,
        1,
    );
    let text = render(&snapshot);
    let samples = parse_samples(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let expected: BTreeSet<&str> = names
        .iter()
        .map(|n| {
            if n.is_empty() {
                "unassigned"
            } else {
                n.as_str()
            }
        })
        .collect();
    let seen: BTreeSet<&str> = samples
        .iter()
        .filter(|s| s.name == "flightdeck_team_open_incidents")
        .flat_map(|s| s.labels.iter().filter(|(k, _)| k == "team"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(seen, expected);
    // Each team's own deployment and incident, under its own label.
    for s in samples
        .iter()
        .filter(|s| s.name == "flightdeck_team_open_incidents")
    {
        assert_eq!(s.value, 1.0, "{s:?}");
    }
    // The source name with a quote, a backslash and a line feed reads back too.
    assert!(samples.iter().any(|s| {
        s.name == "flightdeck_source_up"
            && s.labels
                .iter()
                .any(|(k, v)| k == "source" && v == "x\"\\\ny")
    }));
    // Every line is a comment, a sample, or the final # EOF: nothing a name holds
    // can start a line of its own.
    for line in text.lines() {
        assert!(
            line.starts_with("# ") || line.starts_with("flightdeck_"),
            "{line:?}"
        );
    }
}

#[test]
fn quotes_backslashes_and_newlines_in_team_names_cannot_break_the_exposition() {
    round_trip(&[
        "plain".into(),
        "with \"quotes\"".into(),
        "back\\slash".into(),
        "new\nline".into(),
        "} 1\nflightdeck_fake{team=\"x\"} 99".into(),
        "trailing\\".into(),
        "ops | \"edge\", eu".into(),
    ]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_team_names_round_trip(names in prop::collection::btree_set("[a-z\"\\\\\n{}=, #|\u{e9}\u{1F680}]{1,12}", 1..6)) {
        let names: Vec<String> = names.into_iter().collect();
        round_trip(&names);
    }
}
