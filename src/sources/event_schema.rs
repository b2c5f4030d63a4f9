//! The shapes of schema v1's lines (DESIGN.md, "Event schema v1") and their
//! mapping onto the model: times normalised to UTC, text cleaned, and the
//! checks a line must pass beyond its JSON shape (e.g. an incident restored
//! before it opened).

use std::borrow::Cow;

use serde::Deserialize;

use crate::model::contracts::{Baseline, ContractEvent, ContractStep, StandardRelease};
use crate::model::{
    CanaryResult, Change, DeployStatus, DeploymentEvent, Finding, FindingStatus, Incident,
    Severity, Text, Time, Verdict,
};
use crate::util::text::sanitize;

type Str<'a> = Cow<'a, str>;

fn t(s: &Str) -> Text {
    sanitize(s)
}

/// RFC 3339 with any offset, stored as UTC; the error names the field.
fn time(field: &str, raw: &str) -> Result<Time, String> {
    let trimmed = raw.trim();
    if let Some(t) = crate::util::rfc3339::parse_common(trimmed) {
        return Ok(t);
    }
    chrono::DateTime::parse_from_rfc3339(trimmed)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("field `{field}`: '{raw}' is not an RFC 3339 time ({e})"))
}

fn ot(s: &Option<Str>) -> Option<Text> {
    s.as_ref().map(t)
}

/// A name that repeats across lines (service, team, region...): the shared copy.
fn name(s: &Str) -> Text {
    super::names::shared(s)
}

fn on(s: &Option<Str>) -> Option<Text> {
    s.as_ref().map(name)
}

#[derive(Deserialize)]
pub(super) struct RawChange<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    service: Str<'a>,
    #[serde(borrow)]
    time: Str<'a>,
    #[serde(borrow, default)]
    team: Option<Str<'a>>,
    #[serde(borrow, default)]
    title: Option<Str<'a>>,
    #[serde(borrow, default)]
    author: Option<Str<'a>>,
    #[serde(borrow, default)]
    url: Option<Str<'a>>,
    #[serde(borrow, default)]
    opened: Option<Str<'a>>,
    #[serde(borrow, default)]
    first_review: Option<Str<'a>>,
    #[serde(borrow, default)]
    merged: Option<Str<'a>>,
    /// Any JSON value, so that a wrong one gets a message naming the field.
    #[serde(default)]
    lines: Option<serde_json::Value>,
    #[serde(borrow, default)]
    reverts: Option<Str<'a>>,
    /// The line's own `type` (the envelope already read it on the general path).
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
}

impl RawChange<'_> {
    pub(super) fn into_model(self) -> Result<Change, String> {
        let at = |field: &str, raw: &Option<Str>| raw.as_ref().map(|r| time(field, r)).transpose();
        let lines = match &self.lines {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                format!("field `lines`: {v} is not a whole number of lines (0 or more)")
            })?),
        };
        Ok(Change {
            id: t(&self.id),
            service: name(&self.service),
            time: time("time", &self.time)?,
            team: on(&self.team),
            title: ot(&self.title),
            author: on(&self.author),
            url: ot(&self.url),
            opened: at("opened", &self.opened)?,
            first_review: at("first_review", &self.first_review)?,
            merged: at("merged", &self.merged)?,
            lines,
            // An empty id, or the change's own, reverts nothing.
            reverts: ot(&self.reverts).filter(|r| !r.is_empty() && **r != *t(&self.id)),
        })
    }
}

#[derive(Deserialize)]
pub(super) struct RawDeployment<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    service: Str<'a>,
    #[serde(borrow)]
    time: Str<'a>,
    status: DeployStatus,
    #[serde(borrow, default)]
    team: Option<Str<'a>>,
    #[serde(borrow, default)]
    environment: Option<Str<'a>>,
    #[serde(borrow, default)]
    region: Option<Str<'a>>,
    #[serde(borrow, default)]
    stage: Option<Str<'a>>,
    #[serde(borrow, default)]
    changes: Option<Vec<Str<'a>>>,
    #[serde(default)]
    hotfix: Option<bool>,
    #[serde(borrow, default)]
    url: Option<Str<'a>>,
    /// The line's own `type` (the envelope already read it on the general path).
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
}

impl RawDeployment<'_> {
    pub(super) fn into_model(self) -> Result<DeploymentEvent, String> {
        Ok(DeploymentEvent {
            id: t(&self.id),
            service: name(&self.service),
            time: time("time", &self.time)?,
            status: self.status,
            team: on(&self.team),
            environment: on(&self.environment),
            region: on(&self.region),
            stage: on(&self.stage),
            changes: self.changes.unwrap_or_default().iter().map(t).collect(),
            hotfix: self.hotfix.unwrap_or(false),
            url: ot(&self.url),
        })
    }
}

#[derive(Deserialize)]
pub(super) struct RawIncident<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    service: Str<'a>,
    #[serde(borrow)]
    opened: Str<'a>,
    #[serde(borrow, default)]
    team: Option<Str<'a>>,
    #[serde(borrow, default)]
    resolved: Option<Str<'a>>,
    #[serde(borrow, default)]
    deployment: Option<Str<'a>>,
    #[serde(borrow, default)]
    severity: Option<Str<'a>>,
    #[serde(borrow, default)]
    title: Option<Str<'a>>,
    #[serde(borrow, default)]
    url: Option<Str<'a>>,
    /// The line's own `type` (the envelope already read it on the general path).
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
}

impl RawIncident<'_> {
    pub(super) fn into_model(self) -> Result<Incident, String> {
        let opened = time("opened", &self.opened)?;
        let resolved = self
            .resolved
            .as_ref()
            .map(|r| time("resolved", r))
            .transpose()?;
        // Restored before it began: a time to restore below zero would count.
        if let Some(r) = resolved.filter(|r| *r < opened) {
            return Err(format!(
                "incident {}: `resolved` ({}) is before `opened` ({})",
                sanitize(&self.id),
                crate::util::format::rfc3339(r),
                crate::util::format::rfc3339(opened)
            ));
        }
        Ok(Incident {
            id: t(&self.id),
            service: name(&self.service),
            opened,
            team: on(&self.team),
            resolved,
            deployment: ot(&self.deployment),
            severity: on(&self.severity),
            title: ot(&self.title),
            url: ot(&self.url),
        })
    }
}

#[derive(Deserialize)]
pub(super) struct RawFinding<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    severity: Severity,
    status: FindingStatus,
    #[serde(borrow)]
    opened: Str<'a>,
    #[serde(borrow, default)]
    team: Option<Str<'a>>,
    #[serde(borrow, default)]
    account: Option<Str<'a>>,
    #[serde(borrow, default)]
    service: Option<Str<'a>>,
    #[serde(borrow, default)]
    resolved: Option<Str<'a>>,
    #[serde(borrow, default)]
    title: Option<Str<'a>>,
    #[serde(borrow, default)]
    rule: Option<Str<'a>>,
    #[serde(borrow, default)]
    frameworks: Option<Vec<Str<'a>>>,
    #[serde(borrow, default)]
    tool: Option<Str<'a>>,
    #[serde(borrow, default)]
    url: Option<Str<'a>>,
}

impl RawFinding<'_> {
    pub(super) fn into_model(self) -> Result<Finding, String> {
        Ok(Finding {
            id: t(&self.id),
            severity: self.severity,
            status: self.status,
            opened: time("opened", &self.opened)?,
            team: on(&self.team),
            account: on(&self.account),
            service: on(&self.service),
            resolved: self
                .resolved
                .as_ref()
                .map(|r| time("resolved", r))
                .transpose()?,
            title: ot(&self.title),
            rule: ot(&self.rule),
            frameworks: self
                .frameworks
                .unwrap_or_default()
                .iter()
                .map(name)
                .collect(),
            tool: on(&self.tool),
            url: ot(&self.url),
            detail: None,
        })
    }
}

#[derive(Deserialize)]
pub(super) struct RawCanary<'a> {
    #[serde(borrow)]
    deployment: Str<'a>,
    #[serde(borrow)]
    region: Str<'a>,
    #[serde(borrow)]
    time: Str<'a>,
    #[serde(default)]
    verdict: Option<Verdict>,
    #[serde(default)]
    error_rate: Option<f64>,
    #[serde(default)]
    baseline_error_rate: Option<f64>,
    #[serde(default)]
    p99_ms: Option<f64>,
    #[serde(default)]
    baseline_p99_ms: Option<f64>,
    #[serde(default)]
    score: Option<f64>,
}

impl RawCanary<'_> {
    pub(super) fn into_model(self) -> Result<CanaryResult, String> {
        Ok(CanaryResult {
            deployment: t(&self.deployment),
            region: name(&self.region),
            time: time("time", &self.time)?,
            verdict: self.verdict,
            error_rate: self.error_rate,
            baseline_error_rate: self.baseline_error_rate,
            p99_ms: self.p99_ms,
            baseline_p99_ms: self.baseline_p99_ms,
            score: self.score,
        })
    }
}

#[derive(Deserialize)]
pub(super) struct RawContract<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    step: Str<'a>,
    #[serde(borrow)]
    service: Str<'a>,
    #[serde(borrow)]
    time: Str<'a>,
    #[serde(borrow, default)]
    deployment: Option<Str<'a>>,
    #[serde(borrow, default)]
    consumers: Option<Vec<Str<'a>>>,
    #[serde(borrow, default)]
    team: Option<Str<'a>>,
    #[serde(borrow, default)]
    title: Option<Str<'a>>,
    #[serde(borrow, default)]
    url: Option<Str<'a>>,
}

impl RawContract<'_> {
    pub(super) fn into_model(self) -> Result<ContractEvent, String> {
        let step = ContractStep::parse(&self.step).ok_or_else(|| {
            format!(
                "field `step`: '{}' is not a contract step (expand, migrate or contract)",
                sanitize(&self.step)
            )
        })?;
        let mut consumers: Vec<Text> = Vec::new();
        for c in self.consumers.unwrap_or_default().iter().map(name) {
            if !c.is_empty() && !consumers.contains(&c) {
                consumers.push(c);
            }
        }
        Ok(ContractEvent {
            id: t(&self.id),
            step,
            service: name(&self.service),
            time: time("time", &self.time)?,
            deployment: ot(&self.deployment).filter(|d| !d.is_empty()),
            consumers,
            team: on(&self.team),
            title: ot(&self.title),
            url: ot(&self.url),
        })
    }
}

#[derive(Deserialize)]
pub(super) struct RawStandard<'a> {
    #[serde(borrow)]
    component: Str<'a>,
    #[serde(borrow)]
    version: Str<'a>,
    #[serde(borrow)]
    time: Str<'a>,
}

impl RawStandard<'_> {
    pub(super) fn into_model(self) -> Result<StandardRelease, String> {
        Ok(StandardRelease {
            component: name(&self.component),
            version: t(&self.version),
            time: time("time", &self.time)?,
        })
    }
}

#[derive(Deserialize)]
pub(super) struct RawBaseline<'a> {
    #[serde(borrow)]
    account: Str<'a>,
    #[serde(borrow)]
    component: Str<'a>,
    #[serde(borrow)]
    version: Str<'a>,
    #[serde(borrow)]
    time: Str<'a>,
    #[serde(borrow, default)]
    team: Option<Str<'a>>,
    #[serde(rename = "override", borrow, default)]
    override_reason: Option<Str<'a>>,
}

impl RawBaseline<'_> {
    pub(super) fn into_model(self) -> Result<Baseline, String> {
        Ok(Baseline {
            account: name(&self.account),
            component: name(&self.component),
            version: t(&self.version),
            time: time("time", &self.time)?,
            team: on(&self.team),
            // An empty reason declares nothing.
            override_reason: ot(&self.override_reason).filter(|r| !r.trim().is_empty()),
        })
    }
}
