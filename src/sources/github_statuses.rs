//! GitHub deployment statuses read as a deployment's lines.

use serde_json::Value;

use crate::model::{DeployStatus, Text, Time};
use crate::sources::api_json::{text, time};

/// A deployment's lines as (status, time, link), from its statuses.
pub(super) type StatusLines = Vec<(DeployStatus, Time, Option<Text>)>;

/// Deployment statuses as (status, time of the first status in that state, log
/// link), oldest first. `inactive` (superseded) is no result and is left out.
pub fn map_statuses(statuses: &[Value]) -> Vec<(DeployStatus, Time, Option<Text>)> {
    let mut first: Vec<(DeployStatus, Time, Option<Text>)> = Vec::new();
    for s in statuses {
        let status = match s.get("state").and_then(Value::as_str) {
            Some("success") => DeployStatus::Success,
            Some("failure" | "error") => DeployStatus::Failure,
            Some("pending" | "queued") => DeployStatus::Pending,
            Some("in_progress") => DeployStatus::InProgress,
            _ => continue,
        };
        let Some(at) = time(s, &["created_at"]) else {
            continue;
        };
        let link = text(s, &["log_url"]).or_else(|| text(s, &["target_url"]));
        match first.iter_mut().find(|(st, _, _)| *st == status) {
            Some(e) if at < e.1 => *e = (status, at, link),
            Some(_) => {}
            None => first.push((status, at, link)),
        }
    }
    first.sort_by_key(|e| e.1);
    first
}
