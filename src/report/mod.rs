//! `flightdeck report`: scorecards as JSON (the shape in DESIGN.md) or a table.

pub mod csv;
pub mod findings;
pub mod markdown;
pub mod openmetrics;
pub mod output;

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::metrics::dora::TeamMetrics;
use crate::metrics::trend::{HIGHER_IS_BETTER, key_trends};
use crate::metrics::{Scorecards, Tier, needs_help_first};
use crate::model::diagnostics::Diagnostics;
use crate::report::findings::Audit;
use crate::util::format;

/// The JSON report, exactly the shape DESIGN.md documents.
pub fn json(cards: &Scorecards, diagnostics: &Diagnostics) -> Value {
    let teams: Vec<Value> = cards
        .teams
        .iter()
        .map(|t| {
            let mut team = metrics_object(&t.current);
            team.insert("team".into(), json!(&*t.team));
            team.insert("tier".into(), json!(t.tier));
            team.insert(
                "previous".into(),
                Value::Object(metrics_object(&t.previous)),
            );
            Value::Object(team)
        })
        .collect();
    json!({
        "window": {
            "start": format::rfc3339(cards.window.start),
            "end": format::rfc3339(cards.window.end),
            "days": cards.window.days(),
        },
        "teams": teams,
        "unattributed_incidents": cards.unattributed_incidents,
        "diagnostics": diagnostics,
    })
}

fn metrics_object(m: &TeamMetrics) -> serde_json::Map<String, Value> {
    match serde_json::to_value(m) {
        Ok(Value::Object(map)) => map,
        // TeamMetrics is a plain struct of numbers; it always serialises to an object.
        _ => serde_json::Map::new(),
    }
}

/// A readable scorecard per team, teams needing help first, then the audit:
/// open findings per team (as the JSON report's `findings`).
// TODO(house): split
#[allow(clippy::too_many_lines)]
pub fn table(cards: &Scorecards, audit: &Audit) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Window {} .. {} ({} days), previous window for trends",
        format::rfc3339(cards.window.start),
        format::rfc3339(cards.window.end),
        trim_float(cards.window.days()),
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<20} {:<7} {:<24} {:<24} {:<24} {:<24} {:>7}",
        "TEAM",
        "TIER",
        "DEPLOYMENT FREQUENCY",
        "LEAD TIME",
        "CHANGE FAILURE RATE",
        "TIME TO RESTORE",
        "REWORK"
    );
    for t in needs_help_first(cards).into_iter().map(|i| &cards.teams[i]) {
        let m = &t.current;
        let trends = key_trends(m, &t.previous);
        let arrow = |i: usize| trends[i].arrow(HIGHER_IS_BETTER[i]);
        let cell = |value: String, tier: Option<Tier>, i: usize| {
            format!("{value} {} {}", Tier::label_of(tier), arrow(i))
        };
        let f = &m.deployment_frequency;
        let freq = cell(
            format!("{} ({})", f.deployments, format::per_day(f.per_day)),
            Some(f.tier),
            0,
        );
        let lead = cell(
            m.lead_time
                .median_seconds
                .map_or("-".into(), format::duration_secs),
            m.lead_time.tier,
            1,
        );
        let c = &m.change_failure_rate;
        let cfr = cell(
            c.rate.map_or("-".into(), |r| {
                format!("{} ({}/{})", format::percent(r), c.failed, c.deployments)
            }),
            c.tier,
            2,
        );
        let r = &m.time_to_restore;
        let mttr = cell(
            r.median_seconds.map_or("-".into(), format::duration_secs),
            r.tier,
            3,
        );
        let rework = m.rework_rate.rate.map_or("-".into(), format::percent);
        let _ = writeln!(
            out,
            "{:<20} {:<7} {:<24} {:<24} {:<24} {:<24} {:>7}",
            truncate(&t.team, 20),
            Tier::label_of(t.tier),
            freq,
            lead,
            cfr,
            mttr,
            rework
        );
    }
    let _ = writeln!(out);
    let open: u64 = cards
        .teams
        .iter()
        .map(|t| t.current.time_to_restore.open)
        .sum();
    let _ = writeln!(
        out,
        "{}; {} open at the window's end; {} not attributed to any deployment",
        format::plural(cards.teams.len(), "team"),
        format::plural(usize::try_from(open).unwrap_or(usize::MAX), "incident"),
        format::plural(
            usize::try_from(cards.unattributed_incidents).unwrap_or(usize::MAX),
            "incident"
        ),
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "AUDIT: findings open at the window's end, by severity; past their SLA; oldest open critical"
    );
    let _ = writeln!(
        out,
        "{:<20} {:>4} {:>4} {:>4} {:>4} {:>4} {:>8}  OLDEST CRIT",
        "TEAM", "CRIT", "HIGH", "MED", "LOW", "INFO", "PAST SLA"
    );
    for t in needs_help_first(cards).into_iter().map(|i| &cards.teams[i]) {
        let p = audit.team(&t.team);
        let o = &p.open;
        let _ = writeln!(
            out,
            "{:<20} {:>4} {:>4} {:>4} {:>4} {:>4} {:>8}  {}",
            truncate(&t.team, 20),
            o[0],
            o[1],
            o[2],
            o[3],
            o[4],
            p.sla_breaches,
            audit.oldest_critical_age(&p).unwrap_or_else(|| "-".into()),
        );
    }
    let _ = writeln!(out, "{}", audit.unmapped_line());
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn trim_float(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}
