//! Why each failed deployment failed, for the JSON report's
//! `change_failure_rate.failures` (DESIGN.md): per team, the failed deployments
//! counted in the current and in the previous window with their reasons.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::metrics::Window;
use crate::metrics::dora::{Facts, FailReason};
use crate::model::records::Records;

/// One failed deployment and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub deployment: String,
    pub reasons: Vec<Reason>,
}

/// One reason: a production line's status (`ref`: the status, and the region
/// when the line named one) or an attributed incident (`ref`: its id).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub kind: &'static str,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

/// Each team's failures in the window and in the previous one.
#[derive(Debug, Default)]
pub struct Failures(HashMap<String, [Vec<Failure>; 2]>);

impl Failures {
    pub fn of(facts: &Facts, records: &Records, window: Window) -> Self {
        let listed = |w: Window| -> Vec<(String, Vec<Failure>)> {
            facts
                .teams
                .iter()
                .zip(facts.team_details(records, w))
                .map(|(team, detail)| {
                    let failed = detail
                        .deployments
                        .iter()
                        .filter(|row| !row.fail_reasons.is_empty())
                        .map(|row| Failure {
                            deployment: records
                                .deployments
                                .get(row.deployment)
                                .map_or_else(String::new, |d| d.id.to_string()),
                            reasons: row.fail_reasons.iter().map(reason).collect(),
                        })
                        .collect();
                    (team.to_string(), failed)
                })
                .collect()
        };
        let mut out: HashMap<String, [Vec<Failure>; 2]> = HashMap::new();
        for (k, w) in [window, window.previous()].into_iter().enumerate() {
            for (team, failed) in listed(w) {
                out.entry(team).or_default()[k] = failed;
            }
        }
        Self(out)
    }

    /// Puts each team's lists into the JSON report's `change_failure_rate`
    /// objects (current, and under `previous`); null for a team with no records.
    pub fn fill(&self, report: &mut Value) {
        let Some(teams) = report.get_mut("teams").and_then(Value::as_array_mut) else {
            return;
        };
        for team in teams {
            let name = team["team"].as_str().unwrap_or_default().to_string();
            // A team read back by the `scorecards` source has no records here:
            // its failures are unknown (null), not none.
            let [current, previous] = match self.0.get(&name) {
                Some(lists) => lists
                    .clone()
                    .map(|l| serde_json::to_value(l).unwrap_or_default()),
                None => [Value::Null, Value::Null],
            };
            if let Some(cfr) = team
                .get_mut("change_failure_rate")
                .and_then(Value::as_object_mut)
            {
                cfr.insert("failures".into(), current);
            }
            if let Some(cfr) = team
                .get_mut("previous")
                .and_then(|p| p.get_mut("change_failure_rate"))
                .and_then(Value::as_object_mut)
            {
                cfr.insert("failures".into(), previous);
            }
        }
    }
}

fn reason(r: &FailReason) -> Reason {
    match r {
        FailReason::Status { status, region } => Reason {
            kind: "status",
            reference: Some(match region {
                Some(region) => format!("{} in {region}", status.label()),
                None => status.label().to_string(),
            }),
        },
        FailReason::Incident { id, .. } => Reason {
            kind: "incident",
            reference: Some(id.to_string()),
        },
        // DESIGN.md: the reference of a revert is the reverting change.
        FailReason::Revert { change, .. } => Reason {
            kind: "revert",
            reference: Some(change.to_string()),
        },
    }
}
