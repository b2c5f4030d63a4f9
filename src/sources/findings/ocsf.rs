//! OCSF findings as Prowler emits them: Detection Finding (class 2004) and
//! Compliance Finding (class 2003), a list of events or one event.
//!
//! - Severity from `severity_id` (1 info, 2 low, 3 medium, 4 high, 5 critical,
//!   6 fatal = critical), else the `severity` caption.
//! - Status: `status_code` FAIL open, PASS resolved, MANUAL (a check that needs a
//!   person) suppressed, so it is shown but not counted as open; then
//!   `status_id` 3 suppressed / 4 resolved, and a compliance result `Pass`,
//!   override it.
//! - Frameworks: `unmapped.compliance` (`{"CIS-2.0": ["1.20"]}` becomes
//!   `CIS-2.0: 1.20`) and the 2003 `compliance` object (`standards`, `requirements`, `control`).
//! - Events of other classes (not 2xxx findings) are skipped.

use serde_json::Value;

use super::{ReadContext, clean, detail, list, number, raw, severity_label, stable_hash, text};
use crate::model::{Finding, FindingDetail, FindingStatus, Severity, Text};

pub fn read(doc: &Value, cx: &ReadContext) -> Result<Vec<Finding>, String> {
    let items: &[Value] = match doc {
        Value::Array(a) => a,
        Value::Object(_) => std::slice::from_ref(doc),
        _ => return Err("expected an OCSF event or a list of events".into()),
    };
    Ok(items
        .iter()
        .filter(|e| e.is_object() && is_finding(e))
        .map(|e| finding(e, cx))
        .collect())
}

/// Findings are category 2: class ids 2000..=2999 (or no class at all).
fn is_finding(e: &Value) -> bool {
    match number(e, &["class_uid"]) {
        Some(c) => (2000.0..3000.0).contains(&c),
        None => e.get("finding_info").is_some(),
    }
}

pub fn severity_id(id: f64) -> Option<Severity> {
    match id as i64 {
        1 => Some(Severity::Info),
        2 => Some(Severity::Low),
        3 => Some(Severity::Medium),
        4 => Some(Severity::High),
        5 | 6 => Some(Severity::Critical),
        _ => None,
    }
}

fn finding(e: &Value, cx: &ReadContext) -> Finding {
    let severity = number(e, &["severity_id"])
        .and_then(severity_id)
        .or_else(|| raw(e, &["severity"]).and_then(severity_label))
        .unwrap_or(Severity::Info);
    let status = status(e);
    let info = e.get("finding_info").unwrap_or(&Value::Null);
    let when = |v: &Value, name: &str| {
        super::time(v, &[&format!("{name}_dt")]).or_else(|| super::time(v, &[name]))
    };
    let opened = when(info, "first_seen_time")
        .or_else(|| when(info, "created_time"))
        .or_else(|| when(e, "time"))
        .unwrap_or(cx.now);
    let resolved = (status == FindingStatus::Resolved).then(|| {
        when(info, "last_seen_time")
            .or_else(|| when(e, "time"))
            .unwrap_or(cx.now)
            .max(opened)
    });
    let frameworks = frameworks(e);
    let resource = list(e, &["resources"]).first().unwrap_or(&Value::Null);
    let account = text(e, &["cloud", "account", "uid"]);
    let region = text(resource, &["region"]).or_else(|| text(e, &["cloud", "region"]));
    let resource_id = text(resource, &["uid"]).or_else(|| text(resource, &["name"]));
    let event_code = text(e, &["metadata", "event_code"]);
    let references = list(e, &["remediation", "references"]);
    let remediation_url = references
        .iter()
        .filter_map(Value::as_str)
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
        .and_then(clean)
        .or_else(|| text(e, &["unmapped", "related_url"]));
    let uid = raw(info, &["uid"]).filter(|u| !u.is_empty() && !u.starts_with('<'));
    let id = match uid {
        Some(u) => format!("ocsf:{}", clean(u).unwrap_or_default()),
        None => format!(
            "ocsf:{}",
            stable_hash(&[
                event_code.as_deref().unwrap_or(""),
                resource_id.as_deref().unwrap_or(""),
                account.as_deref().unwrap_or(""),
                region.as_deref().unwrap_or(""),
                raw(info, &["title"]).unwrap_or(""),
                raw(e, &["message"]).unwrap_or(""),
            ])
        ),
    };
    let d = FindingDetail {
        resource: resource_id,
        resource_type: text(resource, &["type"]),
        resource_tags: resource_tags(resource),
        region,
        description: text(e, &["message"]).or_else(|| text(info, &["desc"])),
        remediation: text(e, &["remediation", "desc"]),
        remediation_url: remediation_url.clone(),
        tags: list(info, &["types"])
            .iter()
            .filter_map(|t| t.as_str().and_then(clean))
            .collect(),
        format: Some(Text::from("ocsf")),
        ..FindingDetail::default()
    };
    Finding {
        id: Text::from(id),
        severity,
        status,
        opened,
        team: None,
        account,
        service: None,
        resolved,
        title: text(info, &["title"]).or_else(|| text(e, &["message"])),
        rule: event_code,
        frameworks,
        tool: text(e, &["metadata", "product", "name"]).or_else(|| Some(Text::from("ocsf"))),
        url: remediation_url,
        detail: detail(d),
    }
}

/// `status_code`, overridden by `status_id` and a passing compliance result.
fn status(e: &Value) -> FindingStatus {
    let code = raw(e, &["status_code"]).map(str::to_ascii_uppercase);
    let mut status = match code.as_deref() {
        Some("PASS") => FindingStatus::Resolved,
        Some("MANUAL") => FindingStatus::Suppressed,
        _ => FindingStatus::Open,
    };
    match number(e, &["status_id"]).map(|s| s as i64) {
        Some(3) => status = FindingStatus::Suppressed,
        Some(4) => status = FindingStatus::Resolved,
        _ => {}
    }
    let compliance_status = raw(e, &["compliance", "status"]).map(str::to_ascii_lowercase);
    if compliance_status.as_deref() == Some("pass") {
        status = FindingStatus::Resolved;
    }
    status
}

/// `unmapped.compliance`, then the 2003 `compliance` object.
fn frameworks(e: &Value) -> Vec<Text> {
    let mut frameworks: Vec<Text> = Vec::new();
    if let Some(Value::Object(map)) = e.get("unmapped").and_then(|u| u.get("compliance")) {
        for (framework, controls) in map {
            match controls {
                Value::Array(cs) if !cs.is_empty() => {
                    for c in cs.iter().filter_map(Value::as_str) {
                        if let Some(t) = clean(&format!("{framework}: {c}")) {
                            frameworks.push(t);
                        }
                    }
                }
                Value::String(c) => frameworks.extend(clean(&format!("{framework}: {c}"))),
                _ => frameworks.extend(clean(framework)),
            }
        }
    }
    if let Some(c) = e.get("compliance") {
        let control = raw(c, &["control"]);
        for s in list(c, &["standards"]).iter().filter_map(Value::as_str) {
            let named = match control {
                Some(ctl) => format!("{s} {ctl}"),
                None => s.to_string(),
            };
            frameworks.extend(clean(&named));
        }
        for r in list(c, &["requirements"]).iter().filter_map(Value::as_str) {
            frameworks.extend(clean(r));
        }
    }
    frameworks.dedup();
    frameworks
}

/// The resource's labels and `name=value` tags.
fn resource_tags(resource: &Value) -> Vec<Text> {
    let mut tags: Vec<Text> = Vec::new();
    for l in list(resource, &["labels"]) {
        tags.extend(l.as_str().and_then(clean));
    }
    if let Some(Value::Array(ts)) = resource.get("tags") {
        for t in ts {
            if let (Some(k), v) = (raw(t, &["name"]), raw(t, &["value"])) {
                tags.extend(clean(&format!("{k}={}", v.unwrap_or(""))));
            }
        }
    }
    tags
}
