//! `assets/grafana/flightdeck.json`: a dashboard Grafana imports as is (valid
//! JSON, the datasource an input variable), whose every PromQL expression names
//! only series `serve` exports or the rules record.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::assets_prometheus::{assert_known, series_in};

fn dashboard() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/grafana/flightdeck.json");
    let text = std::fs::read_to_string(&path).expect("the dashboard is there");
    serde_json::from_str(&text).expect("the dashboard is valid JSON")
}

/// Every panel, those inside collapsed rows too.
fn panels(d: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for p in d["panels"].as_array().expect("panels") {
        out.push(p);
        if let Some(inner) = p["panels"].as_array() {
            out.extend(inner);
        }
    }
    out
}

#[test]
fn the_datasource_is_an_input_variable() {
    let d = dashboard();
    let inputs = d["__inputs"].as_array().expect("__inputs");
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0]["name"], "DS_PROMETHEUS");
    assert_eq!(inputs[0]["type"], "datasource");
    assert_eq!(inputs[0]["pluginId"], "prometheus");
    // No datasource is named any other way (an import would break on it).
    let mut datasources = 0;
    for p in panels(&d).into_iter().filter(|p| p["type"] != "row") {
        assert_eq!(p["datasource"]["uid"], "${DS_PROMETHEUS}", "{}", p["title"]);
        for t in p["targets"].as_array().expect("targets") {
            assert_eq!(t["datasource"]["uid"], "${DS_PROMETHEUS}", "{}", p["title"]);
            datasources += 1;
        }
    }
    assert!(datasources >= 15, "{datasources} targets");
    assert!(d["uid"].as_str().is_some_and(|u| !u.is_empty()));
    assert!(d["schemaVersion"].as_u64().is_some());
}

#[test]
fn the_panels_cover_scorecards_trends_incidents_findings_and_sources() {
    let d = dashboard();
    let rows: Vec<&str> = panels(&d)
        .into_iter()
        .filter(|p| p["type"] == "row")
        .filter_map(|p| p["title"].as_str())
        .collect();
    assert_eq!(
        rows,
        [
            "Scorecards",
            "Trends",
            "Incidents",
            "Findings",
            "Source health"
        ]
    );
    let ids: Vec<u64> = panels(&d).iter().filter_map(|p| p["id"].as_u64()).collect();
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "panel ids are unique");
    assert_eq!(ids.len(), panels(&d).len(), "every panel has an id");
}

#[test]
fn every_expression_names_only_exported_or_recorded_series() {
    let d = dashboard();
    let mut names = BTreeSet::new();
    let mut exprs = 0;
    for p in panels(&d).into_iter().filter(|p| p["type"] != "row") {
        let targets = p["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{}: no query", p["title"]);
        for t in targets {
            let expr = t["expr"].as_str().expect("a PromQL expr");
            let found = series_in(expr);
            assert!(!found.is_empty(), "{}: {expr} reads no series", p["title"]);
            names.extend(found);
            exprs += 1;
        }
    }
    for v in d["templating"]["list"].as_array().expect("variables") {
        if let Some(q) = v["query"]["query"].as_str() {
            names.extend(series_in(q));
        }
    }
    assert!(exprs >= 15);
    assert!(names.contains("flightdeck_team_tier_level"), "{names:?}");
    assert!(names.contains("flightdeck_source_up"), "{names:?}");
    assert!(
        names.contains("window_tier:flightdeck_teams:count"),
        "{names:?}"
    );
    assert_known(&names, "flightdeck.json");
}
