//! The `findings` part of `flightdeck report --format json`: each team object
//! gains a `findings` object with its compliance posture in the report's window,
//! and findings no rule maps are reported under `findings_unmapped`.
//!
//! ```text
//! "findings": {"open": {"critical":int,"high":int,"medium":int,"low":int,"info":int},
//!   "open_total":int, "by_framework": {framework:int}, "new_24h":int,
//!   "oldest_open_critical": RFC3339|null, "sla_breaches":int, "suppressed":int,
//!   "resolved":int, "median_resolve_seconds":number|null,
//!   "previous": {"open_at_start":int,"resolved":int,"median_resolve_seconds":number|null}}
//! ```

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::findings_policy::UNMAPPED;
use crate::format;
use crate::metrics::posture::{Posture, posture};
use crate::model::{Finding, Text, Time};
use crate::settings::Settings;

/// The JSON object of one posture.
pub fn posture_json(p: &Posture) -> Value {
    json!({
        "open": {
            "critical": p.open[0],
            "high": p.open[1],
            "medium": p.open[2],
            "low": p.open[3],
            "info": p.open[4],
        },
        "open_total": p.open_total,
        "by_framework": p.by_framework,
        "new_24h": p.new_24h,
        "oldest_open_critical": p.oldest_open_critical.map(format::rfc3339),
        "sla_breaches": p.sla_breaches,
        "suppressed": p.suppressed,
        "resolved": p.resolved,
        "median_resolve_seconds": p.median_resolve_seconds,
        "previous": {
            "open_at_start": p.open_at_start,
            "resolved": p.resolved_previous,
            "median_resolve_seconds": p.median_resolve_seconds_previous,
        },
    })
}

/// Adds `findings` to every team of `report` (a value from `report::json`) and
/// `findings_unmapped` at the top level.
pub fn add(
    report: &mut Value,
    findings: &[Finding],
    settings: &Settings,
    now: Time,
    length: TimeDelta,
) {
    let policy = &settings.findings;
    let owners: Vec<Text> = findings.iter().map(|f| policy.owner(f, settings)).collect();
    let of = |team: &str| {
        posture(
            Text::from(team),
            findings
                .iter()
                .zip(&owners)
                .filter(|(_, o)| &***o == team)
                .map(|(f, _)| f),
            settings,
            now,
            length,
        )
    };
    if let Some(Value::Array(teams)) = report.get_mut("teams") {
        for t in teams.iter_mut() {
            let name = t
                .get("team")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Value::Object(map) = t {
                map.insert("findings".into(), posture_json(&of(&name)));
            }
        }
    }
    if let Value::Object(map) = report {
        map.insert("findings_unmapped".into(), posture_json(&of(UNMAPPED)));
    }
}
