//! `assets/prometheus/flightdeck.rules.yml`: it passes `promtool check rules`
//! and its unit tests (`promtool test rules`), and every series it reads is
//! one `serve` exports (or one of its own recording rules).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use flightdeck::model::shard::Shard;
use flightdeck::report::openmetrics::{Exporter, render_exporter};

use crate::support as common;

fn asset(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(path)
}

/// The metric families `serve` exports, read from the `# TYPE` lines of its
/// exposition of the demo organisation.
pub(crate) fn exported_names() -> BTreeSet<String> {
    let exporter = Exporter {
        shard: Shard::ALL,
        version: env!("CARGO_PKG_VERSION"),
    };
    let text = render_exporter(&common::demo_snapshot(), &exporter);
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .map(String::from)
        .collect()
}

/// The series the rules file records (`- record: NAME`).
pub(crate) fn recorded_names() -> BTreeSet<String> {
    let rules = std::fs::read_to_string(asset("prometheus/flightdeck.rules.yml")).expect("rules");
    rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- record:"))
        .map(|n| n.trim().to_string())
        .collect()
}

/// The series names a PromQL expression reads: identifiers that start with
/// `flightdeck_` or hold a `:` (recording rules), outside quoted strings.
pub(crate) fn series_in(expr: &str) -> BTreeSet<String> {
    let mut unquoted = String::new();
    let mut quote = None;
    let mut escaped = false;
    for c in expr.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None => unquoted.push(c),
        }
    }
    unquoted
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .filter(|t| t.starts_with("flightdeck_") || t.contains(':'))
        .map(String::from)
        .collect()
}

/// Every name in `names` is exported or recorded; says which are not.
pub(crate) fn assert_known(names: &BTreeSet<String>, what: &str) {
    let exported = exported_names();
    let recorded = recorded_names();
    let unknown: Vec<&String> = names
        .iter()
        .filter(|n| !exported.contains(*n) && !recorded.contains(*n))
        .collect();
    assert!(
        unknown.is_empty(),
        "{what} names series serve does not export: {unknown:?}"
    );
}

#[test]
fn the_series_helpers_read_names_and_skip_strings() {
    assert_eq!(
        series_in(
            r#"sum by (w) (flightdeck_team_x{m="flightdeck_no"}) / a:flightdeck_y:sum[5m:1m]"#
        ),
        ["a:flightdeck_y:sum", "flightdeck_team_x"]
            .map(String::from)
            .into()
    );
    let exported = exported_names();
    for name in [
        "flightdeck_team_tier_level",
        "flightdeck_team_deployments",
        "flightdeck_source_up",
        "flightdeck_info",
    ] {
        assert!(exported.contains(name), "{name}: {exported:?}");
    }
    assert!(recorded_names().contains("window_tier:flightdeck_teams:count"));
}

#[test]
fn the_rules_read_only_series_serve_exports() {
    let rules = std::fs::read_to_string(asset("prometheus/flightdeck.rules.yml")).expect("rules");
    let exprs = rule_exprs(&rules);
    assert_eq!(exprs.len(), 10, "{exprs:?}");
    let code = exprs.join("\n");
    let names = series_in(&code);
    assert!(names.len() >= 8, "{names:?}");
    assert_known(&names, "flightdeck.rules.yml");
}

/// The `expr:` of every rule: inline, or the block under `expr: |`.
fn rule_exprs(yaml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = yaml.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(value) = line.trim_start().strip_prefix("expr:") else {
            continue;
        };
        let value = value.trim();
        if value != "|" {
            out.push(value.to_string());
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let mut block = Vec::new();
        while let Some(next) = lines.next_if(|l| l.len() - l.trim_start().len() > indent) {
            block.push(next.trim());
        }
        out.push(block.join(" "));
    }
    out
}

fn promtool(args: &[&Path], sub: &[&str]) -> Option<(bool, String)> {
    let promtool = common::tool("promtool")?;
    let out = Command::new(promtool)
        .args(sub)
        .args(args)
        .output()
        .expect("promtool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}

#[test]
fn the_rules_pass_promtool_check_and_their_unit_tests() {
    let rules = asset("prometheus/flightdeck.rules.yml");
    let Some((ok, text)) = promtool(&[&rules], &["check", "rules"]) else {
        return;
    };
    assert!(ok && text.contains("SUCCESS: 10 rules found"), "{text}");
    let tests = asset("prometheus/flightdeck.rules.test.yml");
    let Some((ok, text)) = promtool(&[&tests], &["test", "rules"]) else {
        return;
    };
    assert!(ok && text.contains("SUCCESS"), "{text}");
}
