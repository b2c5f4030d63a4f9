//! Progressive-delivery tools as a source: Argo Rollouts `Rollout` and
//! `AnalysisRun` objects (the `kubectl get -o json` shape, single objects or a
//! `List`) and Flagger `Canary` status and event-webhook payloads. Each is mapped
//! onto a lane stage (state, reason, weight, step) or a canary result, and then
//! into the common events, so they flow through the store like any source.
//!
//! The mapping follows the tools' own meaning: Argo's CLI derives a rollout's
//! phase from its conditions first (an abort or a progress deadline make it
//! Degraded), then its pause conditions; Flagger's `Failed` phase means the
//! canary was rolled back.

mod argo;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::model::stage::{NO_REGION, StageState, stage_label};
use crate::model::{CanaryResult, DeployStatus, DeploymentEvent, Event, Id, Text, Time, Verdict};
use crate::util::text::sanitize;

pub use argo::{argo_analysis_run, argo_rollout};

#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    #[error("{origin}: cannot read: {error}")]
    Io { origin: String, error: String },
    #[error("{origin}: not JSON: {error}")]
    Json { origin: String, error: String },
    #[error("{origin}: {error}")]
    Shape { origin: String, error: String },
}

/// Which tool an object came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    ArgoRollouts,
    Flagger,
}

/// A rollout's current stage, as the tool reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutStatus {
    pub tool: Tool,
    /// The lane id: `namespace/name`, plus `#revision` where the tool has one.
    pub id: Text,
    pub service: Text,
    pub state: StageState,
    pub reason: Option<Text>,
    pub weight: Option<u8>,
    /// 1-based current step and the number of steps.
    pub step: Option<(u32, u32)>,
    pub since: Option<Time>,
}

/// One metric of an analysis: its phase and measurement counts.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisMetric {
    pub name: Text,
    pub phase: Text,
    pub count: u64,
    pub successful: u64,
    pub failed: u64,
    pub inconclusive: u64,
    pub error: u64,
}

/// An analysis run's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisStatus {
    /// The lane it belongs to.
    pub id: Text,
    pub name: Text,
    pub phase: Text,
    /// `None` while it runs.
    pub verdict: Option<Verdict>,
    /// Share of successful measurements, 0-100.
    pub score: Option<f64>,
    pub message: Option<Text>,
    pub time: Option<Time>,
    pub metrics: Vec<AnalysisMetric>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Rollout(RolloutStatus),
    Analysis(AnalysisStatus),
}

fn shape(origin: &str, error: impl Into<String>) -> RolloutError {
    RolloutError::Shape {
        origin: origin.to_string(),
        error: error.into(),
    }
}

fn text(v: &Value, pointer: &str) -> Option<Text> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(sanitize)
}

fn time(v: &Value, pointer: &str) -> Option<Time> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn count(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// Every object in a parsed document: a single object, an array, or a `List`.
pub fn objects(doc: &Value, origin: &str) -> Result<Vec<Object>, RolloutError> {
    match doc {
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(objects(item, origin)?);
            }
            Ok(out)
        }
        Value::Object(_) => match doc.get("kind").and_then(Value::as_str) {
            Some(k) if k.ends_with("List") => match doc.get("items") {
                Some(items) => objects(items, origin),
                None => Ok(Vec::new()),
            },
            Some("Rollout") => Ok(vec![Object::Rollout(argo_rollout(doc, origin)?)]),
            Some("AnalysisRun") => Ok(vec![Object::Analysis(argo_analysis_run(doc, origin)?)]),
            Some("Canary") => Ok(vec![Object::Rollout(flagger_canary(doc, None, origin)?)]),
            Some(other) => Err(shape(origin, format!("unsupported kind '{other}'"))),
            None if doc.get("phase").is_some() && doc.get("name").is_some() => {
                Ok(vec![Object::Rollout(flagger_event(doc, origin)?)])
            }
            None if doc.pointer("/status/canaryWeight").is_some()
                || doc.pointer("/status/phase").is_some() =>
            {
                Ok(vec![Object::Rollout(flagger_canary(doc, None, origin)?)])
            }
            None => Err(shape(
                origin,
                "neither a Rollout, AnalysisRun, Flagger Canary nor a Flagger event",
            )),
        },
        _ => Err(shape(origin, "expected a JSON object or list")),
    }
}

fn flagger_state(phase: &str, weight: Option<u64>) -> (StageState, Option<&'static str>) {
    match phase {
        "Initializing" => (StageState::Queued, None),
        "Initialized" => (StageState::Succeeded, Some("initialized")),
        "Waiting" => (StageState::Paused, Some("waiting for confirm-rollout")),
        "WaitingPromotion" => (StageState::Paused, Some("waiting for confirm-promotion")),
        "Progressing" if weight.is_some_and(|w| w > 0) => (StageState::Verifying, None),
        "Progressing" | "Promoting" | "Finalising" => (StageState::Progressing, None),
        "Succeeded" => (StageState::Succeeded, None),
        // Flagger rolls a failed canary back to the primary.
        "Failed" => (StageState::RolledBack, None),
        "Terminating" | "Terminated" => (StageState::Aborted, Some("canary deleted")),
        _ => (StageState::Progressing, None),
    }
}

/// A Flagger `Canary` (or just its status). `name` names it when the object does not.
pub fn flagger_canary(
    v: &Value,
    name: Option<&str>,
    origin: &str,
) -> Result<RolloutStatus, RolloutError> {
    let status = v
        .get("status")
        .ok_or_else(|| shape(origin, "Canary has no status"))?;
    let name = text(v, "/metadata/name")
        .or_else(|| name.map(sanitize))
        .unwrap_or_else(|| Text::from("canary"));
    let namespace = text(v, "/metadata/namespace").unwrap_or_else(|| Text::from("default"));
    let promoted = status
        .get("conditions")
        .and_then(Value::as_array)
        .and_then(|c| {
            c.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Promoted"))
        });
    let phase = text(status, "/phase")
        .or_else(|| promoted.and_then(|c| text(c, "/reason")))
        .ok_or_else(|| {
            shape(
                origin,
                "Canary status has neither a phase nor a Promoted condition",
            )
        })?;
    let weight = status.get("canaryWeight").and_then(Value::as_u64);
    let (state, default_reason) = flagger_state(&phase, weight);
    let failed = count(status, "failedChecks");
    let reason = if failed > 0 {
        Some(Text::from(format!("{failed} failed checks")))
    } else {
        default_reason
            .map(Text::from)
            .or_else(|| promoted.and_then(|c| text(c, "/message")))
    };
    Ok(RolloutStatus {
        tool: Tool::Flagger,
        id: Text::from(format!("{namespace}/{name}")),
        service: name,
        state,
        reason,
        weight: weight.map(|w| w.min(100) as u8),
        step: None,
        since: text(status, "/lastTransitionTime")
            .and_then(|_| time(status, "/lastTransitionTime"))
            .or_else(|| promoted.and_then(|c| time(c, "/lastTransitionTime"))),
    })
}

/// A Flagger event-webhook payload.
pub fn flagger_event(v: &Value, origin: &str) -> Result<RolloutStatus, RolloutError> {
    let name = text(v, "/name").ok_or_else(|| shape(origin, "event has no name"))?;
    let namespace = text(v, "/namespace").unwrap_or_else(|| Text::from("default"));
    let phase = text(v, "/phase").ok_or_else(|| shape(origin, "event has no phase"))?;
    let (state, default_reason) = flagger_state(&phase, None);
    // Flagger sends milliseconds since the epoch, as a string.
    let since = v
        .pointer("/metadata/timestamp")
        .and_then(|t| {
            t.as_str()
                .and_then(|s| s.parse::<i64>().ok())
                .or_else(|| t.as_i64())
        })
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single());
    Ok(RolloutStatus {
        tool: Tool::Flagger,
        id: Text::from(format!("{namespace}/{name}")),
        service: name,
        state,
        reason: text(v, "/metadata/eventMessage").or(default_reason.map(Text::from)),
        weight: None,
        step: None,
        since,
    })
}

/// The common events for what the tools reported. Objects with no time of
/// their own are stamped `now`.
pub fn to_events(objects: &[Object], region: Option<&Text>, now: Time) -> Vec<Event> {
    objects
        .iter()
        .map(|o| match o {
            Object::Rollout(r) => {
                let status = match r.state {
                    StageState::Queued => DeployStatus::Pending,
                    StageState::Progressing | StageState::Paused | StageState::Verifying => {
                        DeployStatus::InProgress
                    }
                    StageState::Certified | StageState::Succeeded => DeployStatus::Success,
                    StageState::Failed | StageState::Aborted => DeployStatus::Failure,
                    StageState::RolledBack => DeployStatus::RolledBack,
                };
                let weight = if r.state.is_good() { None } else { r.weight };
                Event::Deployment(DeploymentEvent {
                    id: Id::from(&*r.id),
                    service: r.service.clone(),
                    time: r.since.unwrap_or(now),
                    status,
                    team: None,
                    environment: None,
                    region: region.cloned(),
                    stage: Some(Text::from(stage_label(
                        r.state,
                        r.reason.as_deref(),
                        weight,
                        r.step,
                    ))),
                    changes: Vec::new(),
                    hotfix: false,
                    url: None,
                })
            }
            Object::Analysis(a) => Event::Canary(CanaryResult {
                deployment: a.id.clone(),
                region: region.cloned().unwrap_or_else(|| Text::from(NO_REGION)),
                time: a.time.unwrap_or(now),
                verdict: a.verdict,
                error_rate: None,
                baseline_error_rate: None,
                p99_ms: None,
                baseline_p99_ms: None,
                score: a.score,
            }),
        })
        .collect()
}

/// The largest rollouts file read: far above a real status listing, low enough
/// that a runaway file cannot take the machine's memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file of one JSON document (object, array or `List`) or of one
/// document per line (webhook payloads appended as they come).
pub fn read_file(path: &Path) -> Result<Vec<Object>, RolloutError> {
    let origin = path.display().to_string();
    let body = crate::util::files::read_to_string_capped(path, MAX_FILE_BYTES).map_err(|e| {
        RolloutError::Io {
            origin: origin.clone(),
            error: e.to_string(),
        }
    })?;
    parse_body(&body, &origin)
}

/// Parses a body as read from a file or URL.
pub fn parse_body(body: &str, origin: &str) -> Result<Vec<Object>, RolloutError> {
    match serde_json::from_str::<Value>(body) {
        Ok(doc) => objects(&doc, origin),
        Err(whole) => {
            let mut out = Vec::new();
            for (n, line) in body.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let doc: Value = serde_json::from_str(line).map_err(|e| RolloutError::Json {
                    origin: format!("{origin}:{}", n + 1),
                    error: if n == 0 {
                        whole.to_string()
                    } else {
                        e.to_string()
                    },
                })?;
                out.extend(objects(&doc, &format!("{origin}:{}", n + 1))?);
            }
            Ok(out)
        }
    }
}
