//! The settings the metric engine and the store need. Issue 4 fills these from a
//! config file; until then they are the documented defaults, plus what the demo
//! organisation declares (its teams and service map).

use std::collections::HashMap;

use chrono::TimeDelta;

use crate::model::Text;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Environments that count as production, compared case-insensitively.
    pub production_environments: Vec<String>,
    /// How long after a deployment an incident of the same service is still
    /// attributed to it when the incident names no deployment.
    pub incident_link_window: TimeDelta,
    /// How soon after a deployment the release of a change reverting one of its
    /// changes fails it (its own setting: not the incident attribution window).
    pub revert_window: TimeDelta,
    /// A contract change not finished this long after its expand is stalled
    /// (DESIGN.md "Contracts").
    pub contract_stall: TimeDelta,
    /// Teams reported even when no record names them.
    pub teams: Vec<Text>,
    /// service -> team, for records that carry no team.
    pub service_teams: HashMap<Text, Text>,
    /// Region order for rollouts; the first is the canary region.
    pub regions: Vec<Text>,
    /// Finding ownership rules and SLAs (the config's `[findings]`).
    pub findings: crate::model::findings_policy::FindingsPolicy,
    /// The thresholds the tiers come from (`[general] benchmark`, `--benchmark`).
    pub benchmark: crate::model::benchmarks::Benchmarks,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            production_environments: vec!["production".into(), "prod".into()],
            incident_link_window: TimeDelta::hours(24),
            revert_window: TimeDelta::days(7),
            contract_stall: TimeDelta::days(14),
            teams: Vec::new(),
            service_teams: HashMap::new(),
            regions: Vec::new(),
            findings: Default::default(),
            benchmark: Default::default(),
        }
    }
}

impl Settings {
    /// A missing environment means production (schema v1).
    pub fn is_production(&self, environment: Option<&str>) -> bool {
        match environment {
            None => true,
            Some(env) => self
                .production_environments
                .iter()
                .any(|p| p.eq_ignore_ascii_case(env)),
        }
    }

    /// The team a record belongs to: its own, else the service map, else `unassigned`.
    pub fn team_for(&self, team: Option<&Text>, service: Option<&Text>) -> Text {
        if let Some(t) = team.filter(|t| !t.is_empty()) {
            return t.clone();
        }
        if let Some(t) = service.and_then(|s| self.service_teams.get(s)) {
            return t.clone();
        }
        Text::from(UNASSIGNED)
    }
}

/// The team of records that name none and whose service is not mapped.
pub const UNASSIGNED: &str = "unassigned";

/// Windows and link windows beyond this are surely typos, and would overflow dates.
pub const MAX_SPAN: TimeDelta = TimeDelta::days(3650);

/// Parses a span such as `30d`, `24h`, `90m`, `2w` or `45s`: a whole number and
/// one of these units (humantime does the arithmetic; its other units, such as
/// `y` or `M` for months, are refused so that `m` is never mistaken for them).
pub fn parse_span(text: &str) -> Result<TimeDelta, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("'{text}' has no unit: write e.g. 30d, 24h, 90m"))?;
    let (digits, unit) = text.split_at(split);
    if digits.parse::<i64>().is_err() {
        return Err(format!(
            "'{text}' does not start with a whole number (e.g. 30d)"
        ));
    }
    if !matches!(unit, "w" | "d" | "h" | "m" | "s") {
        return Err(format!(
            "'{text}': unknown unit '{unit}' (use w, d, h, m or s)"
        ));
    }
    let span = humantime::parse_duration(text)
        .ok()
        .and_then(|d| TimeDelta::from_std(d).ok())
        .ok_or_else(|| format!("'{text}' is too long a span"))?;
    if span <= TimeDelta::zero() {
        return Err(format!("'{text}' must be longer than zero"));
    }
    if span > MAX_SPAN {
        return Err(format!(
            "'{text}' is longer than the limit of 3650d (ten years)"
        ));
    }
    Ok(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_with_units() {
        assert_eq!(parse_span("30d"), Ok(TimeDelta::days(30)));
        assert_eq!(parse_span("24h"), Ok(TimeDelta::hours(24)));
        assert_eq!(parse_span("2w"), Ok(TimeDelta::days(14)));
        assert_eq!(parse_span(" 90m "), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse_span("45s"), Ok(TimeDelta::seconds(45)));
        assert_eq!(parse_span("3650d"), Ok(MAX_SPAN));
        assert!(parse_span("30").is_err());
        assert!(parse_span("d").is_err());
        assert!(parse_span("0d").is_err());
        assert!(parse_span("5y").is_err());
        assert!(parse_span("50000000d").is_err());
        assert!(parse_span("99999999999999999999d").is_err());
        assert!(parse_span("200000000000000w").is_err());
        // humantime's other units and forms stay refused.
        assert!(parse_span("1M").is_err());
        assert!(parse_span("1h30m").is_err());
        assert!(parse_span("5min").is_err());
        assert!(parse_span("-5d").is_err());
    }

    #[test]
    fn span_errors_say_what_is_wrong() {
        assert_eq!(
            parse_span("30").unwrap_err(),
            "'30' has no unit: write e.g. 30d, 24h, 90m"
        );
        assert_eq!(
            parse_span("thirty").unwrap_err(),
            "'thirty' does not start with a whole number (e.g. 30d)"
        );
        assert_eq!(
            parse_span("5y").unwrap_err(),
            "'5y': unknown unit 'y' (use w, d, h, m or s)"
        );
        assert_eq!(
            parse_span("0d").unwrap_err(),
            "'0d' must be longer than zero"
        );
        assert_eq!(
            parse_span("3651d").unwrap_err(),
            "'3651d' is longer than the limit of 3650d (ten years)"
        );
        assert_eq!(
            parse_span("50000000000000d").unwrap_err(),
            "'50000000000000d' is too long a span"
        );
    }

    #[test]
    fn production_is_case_insensitive_and_default() {
        let s = Settings::default();
        assert!(s.is_production(None));
        assert!(s.is_production(Some("PROD")));
        assert!(!s.is_production(Some("staging")));
    }
}

/// A line of the config's `[keys]`: an action's name, its keys as written,
/// and the line, read by `config` and checked and applied by `app`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    pub action: String,
    pub keys: Vec<String>,
    pub line: usize,
}
