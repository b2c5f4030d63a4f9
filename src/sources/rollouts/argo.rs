//! Argo Rollouts objects mapped: a `Rollout` onto a lane stage, an `AnalysisRun` onto an analysis.

use serde_json::Value;

use super::{
    AnalysisMetric, AnalysisStatus, RolloutError, RolloutStatus, Tool, count, shape, text, time,
};
use crate::model::stage::StageState;
use crate::model::{Text, Time, Verdict};
use crate::util::text::sanitize;

/// An Argo Rollouts `Rollout`.
pub fn argo_rollout(v: &Value, origin: &str) -> Result<RolloutStatus, RolloutError> {
    let name = text(v, "/metadata/name").ok_or_else(|| shape(origin, "Rollout has no name"))?;
    let namespace = text(v, "/metadata/namespace").unwrap_or_else(|| Text::from("default"));
    let revision = text(v, "/metadata/annotations/rollout.argoproj.io~1revision");
    let id = match &revision {
        Some(r) => format!("{namespace}/{name}#{r}"),
        None => format!("{namespace}/{name}"),
    };
    let progress = ArgoProgress::of(v);
    let (state, reason, since) = argo_state(v, &progress);
    Ok(RolloutStatus {
        tool: Tool::ArgoRollouts,
        id: Text::from(id),
        service: name,
        state,
        reason,
        weight: progress.weight(v),
        step: progress.step(),
        since: since.or_else(|| time(v, "/metadata/creationTimestamp")),
    })
}

/// Where a Rollout stands in its canary steps.
struct ArgoProgress<'a> {
    status: &'a Value,
    steps: Vec<Value>,
    index: Option<usize>,
    aborted: bool,
    /// Past the last step, with the canary's pods now the stable ones.
    done: bool,
}

impl<'a> ArgoProgress<'a> {
    fn of(v: &'a Value) -> Self {
        let status = v.get("status").unwrap_or(&Value::Null);
        let steps = v
            .pointer("/spec/strategy/canary/steps")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let index = status
            .get("currentStepIndex")
            .and_then(Value::as_u64)
            .map(|i| i as usize);
        let done = index.is_some_and(|i| i >= steps.len())
            && status.get("currentPodHash").is_some()
            && status.get("currentPodHash") == status.get("stableRS");
        Self {
            status,
            aborted: status.get("abort").and_then(Value::as_bool) == Some(true),
            steps,
            index,
            done,
        }
    }

    /// The canary's traffic share: 0 once aborted, else the status's weight,
    /// 100 when done, else the last `setWeight` up to the current step.
    fn weight(&self, v: &Value) -> Option<u8> {
        if v.pointer("/spec/strategy/canary").is_none() {
            None
        } else if self.aborted {
            Some(0)
        } else if let Some(w) = self
            .status
            .pointer("/canary/weights/canary/weight")
            .and_then(Value::as_u64)
        {
            Some(w.min(100) as u8)
        } else if self.done {
            Some(100)
        } else {
            self.index.and_then(|i| {
                self.steps
                    .iter()
                    .take(i + 1)
                    .rev()
                    .find_map(|s| s.get("setWeight").and_then(Value::as_u64))
                    .map(|w| w.min(100) as u8)
            })
        }
    }

    /// 1-based current step and the number of steps.
    fn step(&self) -> Option<(u32, u32)> {
        match (self.index, self.steps.len()) {
            (Some(i), n) if n > 0 => Some(((i + 1).min(n) as u32, n as u32)),
            _ => None,
        }
    }
}

/// State, reason and since, in the order Argo's CLI derives a phase: an
/// abort, a degraded condition, a pause, done, an analysis running, else
/// progressing.
fn argo_state(v: &Value, progress: &ArgoProgress<'_>) -> (StageState, Option<Text>, Option<Time>) {
    let status = progress.status;
    let conditions = status
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let pause = status
        .get("pauseConditions")
        .and_then(Value::as_array)
        .and_then(|p| p.first())
        .cloned();
    let paused =
        pause.is_some() || v.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    let pause_reason = pause.as_ref().and_then(|p| text(p, "/reason"));
    let degraded = conditions.iter().find(|c| {
        matches!(
            c.get("reason").and_then(Value::as_str),
            Some("ProgressDeadlineExceeded" | "TimedOut")
        ) || c.get("type").and_then(Value::as_str) == Some("InvalidSpec")
    });
    let progressing = conditions
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("Progressing"));
    let progressing_since = || progressing.and_then(|c| time(c, "/lastTransitionTime"));
    if progress.aborted {
        let reason = argo_abort_reason(status, progressing);
        (StageState::Aborted, reason, time(status, "/abortedAt"))
    } else if let Some(c) = degraded {
        let mut reason = format!(
            "{}: {}",
            text(c, "/reason").as_deref().unwrap_or("Degraded"),
            text(c, "/message").as_deref().unwrap_or("")
        );
        if let Some(p) = &pause_reason {
            reason.push_str(&format!(" (paused: {p})"));
        }
        (
            StageState::Failed,
            Some(Text::from(reason.trim_end_matches(": "))),
            time(c, "/lastTransitionTime"),
        )
    } else if paused {
        (
            StageState::Paused,
            pause_reason.or_else(|| Some(Text::from("paused"))),
            pause.as_ref().and_then(|p| time(p, "/startTime")),
        )
    } else if progress.done {
        (StageState::Succeeded, None, progressing_since())
    } else if argo_analysis_running(status) {
        (
            StageState::Verifying,
            Some(Text::from("analysis running")),
            progressing_since(),
        )
    } else {
        (StageState::Progressing, None, progressing_since())
    }
}

/// Why a rollout was aborted: the analysis run's message, else the
/// `Progressing` condition's.
fn argo_abort_reason(status: &Value, progressing: Option<&Value>) -> Option<Text> {
    status
        .pointer("/canary/currentBackgroundAnalysisRunStatus/message")
        .or_else(|| status.pointer("/canary/currentStepAnalysisRunStatus/message"))
        .and_then(Value::as_str)
        .map(sanitize)
        .or_else(|| progressing.and_then(|c| text(c, "/message")))
}

/// A step or background analysis is running.
fn argo_analysis_running(status: &Value) -> bool {
    [
        "currentStepAnalysisRunStatus",
        "currentBackgroundAnalysisRunStatus",
    ]
    .iter()
    .any(|k| {
        status
            .pointer(&format!("/canary/{k}/status"))
            .and_then(Value::as_str)
            == Some("Running")
    })
}

/// An Argo Rollouts `AnalysisRun`.
pub fn argo_analysis_run(v: &Value, origin: &str) -> Result<AnalysisStatus, RolloutError> {
    let name = text(v, "/metadata/name").ok_or_else(|| shape(origin, "AnalysisRun has no name"))?;
    let namespace = text(v, "/metadata/namespace").unwrap_or_else(|| Text::from("default"));
    let owner = v
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|o| {
            o.iter()
                .find(|r| r.get("kind").and_then(Value::as_str) == Some("Rollout"))
        })
        .and_then(|r| text(r, "/name"))
        .ok_or_else(|| {
            shape(
                origin,
                format!("AnalysisRun {name} names no owning Rollout"),
            )
        })?;
    let revision = text(v, "/metadata/annotations/rollout.argoproj.io~1revision");
    let id = match &revision {
        Some(r) => format!("{namespace}/{owner}#{r}"),
        None => format!("{namespace}/{owner}"),
    };
    let phase = text(v, "/status/phase").unwrap_or_else(|| Text::from("Pending"));
    let verdict = match &*phase {
        "Successful" => Some(Verdict::Pass),
        "Inconclusive" => Some(Verdict::Marginal),
        "Failed" | "Error" => Some(Verdict::Fail),
        _ => None,
    };
    let mut metrics = Vec::new();
    let mut latest: Option<Time> = None;
    for m in v
        .pointer("/status/metricResults")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for meas in m
            .get("measurements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = time(meas, "/finishedAt") {
                latest = latest.max(Some(t));
            }
        }
        metrics.push(AnalysisMetric {
            name: text(m, "/name").unwrap_or_else(|| Text::from("?")),
            phase: text(m, "/phase").unwrap_or_else(|| Text::from("?")),
            count: count(m, "count"),
            successful: count(m, "successful"),
            failed: count(m, "failed"),
            inconclusive: count(m, "inconclusive"),
            error: count(m, "error"),
        });
    }
    let total: u64 = metrics.iter().map(|m| m.count).sum();
    let ok: u64 = metrics.iter().map(|m| m.successful).sum();
    let score = (total > 0).then(|| (ok as f64 / total as f64 * 1000.0).round() / 10.0);
    Ok(AnalysisStatus {
        id: Text::from(id),
        name,
        phase,
        verdict,
        score,
        message: text(v, "/status/message"),
        time: latest
            .or_else(|| time(v, "/status/startedAt"))
            .or_else(|| time(v, "/metadata/creationTimestamp")),
        metrics,
    })
}
