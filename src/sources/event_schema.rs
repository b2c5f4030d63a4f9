//! The shapes of schema v1's lines (DESIGN.md, "Event schema v1") and their
//! mapping onto the model: times normalised to UTC, text cleaned, and the
//! checks a line must pass beyond its JSON shape (e.g. an incident restored
//! before it opened).

use std::borrow::Cow;

use serde::Deserialize;

use crate::model::contracts::{Baseline, ContractEvent, ContractStep, StandardRelease};
use crate::model::{
    CanaryResult, Change, DeployStatus, DeploymentEvent, Finding, FindingStatus, Id, Incident,
    Severity, Text, Time, Verdict,
};
use crate::sources::event_scan::{Members, Value, items};
use crate::util::text::sanitize;

type Str<'a> = Cow<'a, str>;

/// Fills a field once: a second member of the same name is a duplicate field,
/// which serde refuses (so the fast path hands the line to it).
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.is_none().then(|| *slot = Some(value))
}

/// A required string field's value.
fn plain(v: Value<'_>) -> Option<Str<'_>> {
    match v {
        Value::Str(s) => Some(Cow::Borrowed(s)),
        _ => None,
    }
}

/// An optional string field's value (null is absent).
fn nullable(v: Value<'_>) -> Option<Option<Str<'_>>> {
    match v {
        Value::Str(s) => Some(Some(Cow::Borrowed(s))),
        Value::Null => Some(None),
        _ => None,
    }
}

pub(super) fn t(s: &Str) -> Text {
    sanitize(s)
}

/// RFC 3339 with any offset, stored as UTC; the error names the field.
pub(super) fn time(field: &str, raw: &str) -> Result<Time, String> {
    let trimmed = raw.trim();
    if let Some(t) = crate::util::rfc3339::parse_common(trimmed) {
        return Ok(t);
    }
    chrono::DateTime::parse_from_rfc3339(trimmed)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("field `{field}`: '{raw}' is not an RFC 3339 time ({e})"))
}

/// A record's own id, cleaned ([`crate::util::text::sanitize_id`]).
pub(super) fn id(s: &Str) -> Id {
    crate::util::text::sanitize_id(s)
}

pub(super) fn ot(s: &Option<Str>) -> Option<Text> {
    s.as_ref().map(t)
}

/// A name that repeats across lines (service, team, region...): the shared copy.
fn name(s: &Str) -> Text {
    super::names::shared(s)
}

pub(super) fn on(s: &Option<Str>) -> Option<Text> {
    s.as_ref().map(name)
}

#[derive(Deserialize)]
pub(super) struct RawChange<'a> {
    #[serde(borrow)]
    pub(super) id: Str<'a>,
    #[serde(borrow)]
    pub(super) service: Str<'a>,
    #[serde(borrow)]
    pub(super) time: Str<'a>,
    #[serde(borrow, default)]
    pub(super) team: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) title: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) author: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) url: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) opened: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) first_review: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) merged: Option<Str<'a>>,
    /// Any JSON value, so that a wrong one gets a message naming the field.
    #[serde(default)]
    pub(super) lines: Option<serde_json::Value>,
    #[serde(borrow, default)]
    pub(super) reverts: Option<Str<'a>>,
    /// The line's own `type` (the envelope already read it on the general path).
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
}

impl<'a> RawChange<'a> {
    /// The fields of a line the fast path scanned (`None`: let serde read it).
    pub(super) fn scanned(m: &Members<'a>) -> Option<Self> {
        let [mut id, mut service, mut time, mut kind] = [None, None, None, None];
        let [mut team, mut title, mut author, mut url] = [None, None, None, None];
        let [mut opened, mut first_review, mut merged, mut reverts] = [None, None, None, None];
        let mut lines = None;
        for (k, v) in m.iter() {
            match k {
                "id" => set(&mut id, plain(v)?)?,
                "service" => set(&mut service, plain(v)?)?,
                "time" => set(&mut time, plain(v)?)?,
                "type" => set(&mut kind, plain(v)?)?,
                "team" => set(&mut team, nullable(v)?)?,
                "title" => set(&mut title, nullable(v)?)?,
                "author" => set(&mut author, nullable(v)?)?,
                "url" => set(&mut url, nullable(v)?)?,
                "opened" => set(&mut opened, nullable(v)?)?,
                "first_review" => set(&mut first_review, nullable(v)?)?,
                "merged" => set(&mut merged, nullable(v)?)?,
                "reverts" => set(&mut reverts, nullable(v)?)?,
                "lines" => set(
                    &mut lines,
                    match v {
                        Value::Int(n) => Some(serde_json::Value::from(n)),
                        Value::Null => None,
                        _ => return None,
                    },
                )?,
                _ => {}
            }
        }
        Some(Self {
            id: id?,
            service: service?,
            time: time?,
            team: team.flatten(),
            title: title.flatten(),
            author: author.flatten(),
            url: url.flatten(),
            opened: opened.flatten(),
            first_review: first_review.flatten(),
            merged: merged.flatten(),
            lines: lines.flatten(),
            reverts: reverts.flatten(),
            kind: kind?,
        })
    }

    /// The commit time, and when the change was opened, first reviewed and merged.
    pub(super) fn times(&self) -> Result<(Time, [Option<Time>; 3]), String> {
        let at = |field: &str, raw: &Option<Str>| raw.as_ref().map(|r| time(field, r)).transpose();
        Ok((
            time("time", &self.time)?,
            [
                at("opened", &self.opened)?,
                at("first_review", &self.first_review)?,
                at("merged", &self.merged)?,
            ],
        ))
    }

    pub(super) fn lines(&self) -> Result<Option<u64>, String> {
        Ok(match &self.lines {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                format!("field `lines`: {v} is not a whole number of lines (0 or more)")
            })?),
        })
    }

    pub(super) fn into_model(self) -> Result<Change, String> {
        let lines = self.lines()?;
        let (time, [opened, first_review, merged]) = self.times()?;
        Ok(Change {
            id: id(&self.id),
            service: name(&self.service),
            time,
            team: on(&self.team),
            title: ot(&self.title),
            author: on(&self.author),
            url: ot(&self.url),
            opened,
            first_review,
            merged,
            lines,
            // An empty id, or the change's own, reverts nothing.
            reverts: ot(&self.reverts).filter(|r| !r.is_empty() && **r != *id(&self.id)),
        })
    }
}

/// A deployment status as serde reads it: the exact snake_case name.
fn deploy_status(v: Value<'_>) -> Option<DeployStatus> {
    Some(match v {
        Value::Str("pending") => DeployStatus::Pending,
        Value::Str("in_progress") => DeployStatus::InProgress,
        Value::Str("success") => DeployStatus::Success,
        Value::Str("failure") => DeployStatus::Failure,
        Value::Str("rolled_back") => DeployStatus::RolledBack,
        _ => return None,
    })
}

#[derive(Deserialize)]
pub(super) struct RawDeployment<'a> {
    #[serde(borrow)]
    pub(super) id: Str<'a>,
    #[serde(borrow)]
    pub(super) service: Str<'a>,
    #[serde(borrow)]
    pub(super) time: Str<'a>,
    pub(super) status: DeployStatus,
    #[serde(borrow, default)]
    pub(super) team: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) environment: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) region: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) stage: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(super) changes: Option<Vec<Str<'a>>>,
    #[serde(default)]
    pub(super) hotfix: Option<bool>,
    #[serde(borrow, default)]
    pub(super) url: Option<Str<'a>>,
    /// The line's own `type` (the envelope already read it on the general path).
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
}

impl<'a> RawDeployment<'a> {
    /// The fields of a line the fast path scanned (`None`: let serde read it).
    pub(super) fn scanned(m: &Members<'a>) -> Option<Self> {
        let [mut id, mut service, mut time, mut kind] = [None, None, None, None];
        let [mut team, mut environment, mut region, mut stage, mut url] =
            [None, None, None, None, None];
        let (mut status, mut changes, mut hotfix) = (None, None, None);
        for (k, v) in m.iter() {
            match k {
                "id" => set(&mut id, plain(v)?)?,
                "service" => set(&mut service, plain(v)?)?,
                "time" => set(&mut time, plain(v)?)?,
                "type" => set(&mut kind, plain(v)?)?,
                "status" => set(&mut status, deploy_status(v)?)?,
                "team" => set(&mut team, nullable(v)?)?,
                "environment" => set(&mut environment, nullable(v)?)?,
                "region" => set(&mut region, nullable(v)?)?,
                "stage" => set(&mut stage, nullable(v)?)?,
                "url" => set(&mut url, nullable(v)?)?,
                "changes" => set(
                    &mut changes,
                    match v {
                        Value::List(l) => Some(items(l).map(Cow::Borrowed).collect()),
                        Value::Null => None,
                        _ => return None,
                    },
                )?,
                "hotfix" => set(
                    &mut hotfix,
                    match v {
                        Value::Bool(b) => Some(b),
                        Value::Null => None,
                        _ => return None,
                    },
                )?,
                _ => {}
            }
        }
        Some(Self {
            id: id?,
            service: service?,
            time: time?,
            status: status?,
            team: team.flatten(),
            environment: environment.flatten(),
            region: region.flatten(),
            stage: stage.flatten(),
            changes: changes.flatten(),
            hotfix: hotfix.flatten(),
            url: url.flatten(),
            kind: kind?,
        })
    }

    pub(super) fn into_model(self) -> Result<DeploymentEvent, String> {
        Ok(DeploymentEvent {
            id: id(&self.id),
            service: name(&self.service),
            time: time("time", &self.time)?,
            status: self.status,
            team: on(&self.team),
            environment: on(&self.environment),
            region: on(&self.region),
            stage: on(&self.stage),
            changes: self.changes.unwrap_or_default().iter().map(id).collect(),
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

impl<'a> RawIncident<'a> {
    /// The fields of a line the fast path scanned (`None`: let serde read it).
    pub(super) fn scanned(m: &Members<'a>) -> Option<Self> {
        let [mut id, mut service, mut opened, mut kind] = [None, None, None, None];
        let [mut team, mut resolved, mut deployment] = [None, None, None];
        let [mut severity, mut title, mut url] = [None, None, None];
        for (k, v) in m.iter() {
            match k {
                "id" => set(&mut id, plain(v)?)?,
                "service" => set(&mut service, plain(v)?)?,
                "opened" => set(&mut opened, plain(v)?)?,
                "type" => set(&mut kind, plain(v)?)?,
                "team" => set(&mut team, nullable(v)?)?,
                "resolved" => set(&mut resolved, nullable(v)?)?,
                "deployment" => set(&mut deployment, nullable(v)?)?,
                "severity" => set(&mut severity, nullable(v)?)?,
                "title" => set(&mut title, nullable(v)?)?,
                "url" => set(&mut url, nullable(v)?)?,
                _ => {}
            }
        }
        Some(Self {
            id: id?,
            service: service?,
            opened: opened?,
            team: team.flatten(),
            resolved: resolved.flatten(),
            deployment: deployment.flatten(),
            severity: severity.flatten(),
            title: title.flatten(),
            url: url.flatten(),
            kind: kind?,
        })
    }

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
