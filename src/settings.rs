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
    /// Teams reported even when no record names them.
    pub teams: Vec<Text>,
    /// service -> team, for records that carry no team.
    pub service_teams: HashMap<Text, Text>,
    /// Region order for rollouts; the first is the canary region.
    pub regions: Vec<Text>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            production_environments: vec!["production".into(), "prod".into()],
            incident_link_window: TimeDelta::hours(24),
            teams: Vec::new(),
            service_teams: HashMap::new(),
            regions: Vec::new(),
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
