//! AWS Security Finding Format: the GetFindings envelope `{Findings, NextToken}`
//! (also BatchImportFindings' `{Findings}`), a bare list of findings, or one finding.
//!
//! - Severity: `Severity.Label`, else `Severity.Normalized` (0 info, 1-39 low,
//!   40-69 medium, 70-89 high, 90-100 critical), else `FindingProviderFields.Severity.Label`.
//! - Status: `RecordState: ARCHIVED` or `Workflow.Status: RESOLVED` (or the older
//!   `WorkflowState`) resolved, `SUPPRESSED` suppressed, `Compliance.Status: PASSED`
//!   resolved (the control passes); otherwise open.
//! - Frameworks: `Compliance.RelatedRequirements` and `AssociatedStandards[].StandardsId`
//!   (a standard that names no requirement gets `SecurityControlId` as its control).
//!   `NextToken` is the caller's concern (pagination); it is not read here.

use serde_json::Value;

use super::{ReadContext, detail, list, number, raw, severity_label, stable_hash, text};
use crate::model::{Finding, FindingDetail, FindingStatus, Severity, Text};

pub fn read(doc: &Value, cx: &ReadContext) -> Result<Vec<Finding>, String> {
    let items: &[Value] = match doc {
        Value::Object(o) => match o.get("Findings") {
            Some(Value::Array(a)) => a,
            Some(_) => return Err("`Findings` is not a list".into()),
            None => std::slice::from_ref(doc),
        },
        Value::Array(a) => a,
        _ => return Err("expected an object or a list of findings".into()),
    };
    Ok(items
        .iter()
        .filter(|f| f.is_object())
        .map(|f| finding(f, cx))
        .collect())
}

/// `Severity.Normalized` in the bands Security Hub documents.
pub fn normalized_severity(n: f64) -> Severity {
    if n >= 90.0 {
        Severity::Critical
    } else if n >= 70.0 {
        Severity::High
    } else if n >= 40.0 {
        Severity::Medium
    } else if n >= 1.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

fn finding(f: &Value, cx: &ReadContext) -> Finding {
    let severity = severity(f);
    let status = status(f);
    let opened = super::time(f, &["FirstObservedAt"])
        .or_else(|| super::time(f, &["CreatedAt"]))
        .unwrap_or(cx.now);
    let resolved = (status == FindingStatus::Resolved).then(|| {
        super::time(f, &["UpdatedAt"])
            .or_else(|| super::time(f, &["LastObservedAt"]))
            .unwrap_or(cx.now)
            .max(opened)
    });
    let control = text(f, &["Compliance", "SecurityControlId"]);
    let frameworks = frameworks(f, control.as_ref());
    let resource = list(f, &["Resources"]).first().unwrap_or(&Value::Null);
    let remediation_url = text(f, &["Remediation", "Recommendation", "Url"]);
    let id = text(f, &["Id"]).unwrap_or_else(|| {
        Text::from(format!(
            "asff:{}",
            stable_hash(&[
                raw(f, &["GeneratorId"]).unwrap_or(""),
                raw(resource, &["Id"]).unwrap_or(""),
                raw(f, &["Title"]).unwrap_or(""),
            ])
        ))
    });
    Finding {
        id,
        severity,
        status,
        opened,
        team: None,
        account: text(f, &["AwsAccountId"]),
        service: None,
        resolved,
        title: text(f, &["Title"]),
        rule: control
            .or_else(|| text(f, &["ProductFields", "ControlId"]))
            .or_else(|| text(f, &["GeneratorId"])),
        frameworks,
        tool: text(f, &["ProductName"])
            .or_else(|| text(f, &["ProductFields", "aws/securityhub/ProductName"]))
            .or_else(|| text(f, &["ProductFields", "ProviderName"]))
            .or_else(|| text(f, &["CompanyName"]))
            .or_else(|| Some(Text::from("securityhub"))),
        url: text(f, &["SourceUrl"]).or(remediation_url.clone()),
        detail: detail(finding_detail(f, resource, remediation_url)),
    }
}

fn severity(f: &Value) -> Severity {
    raw(f, &["Severity", "Label"])
        .and_then(severity_label)
        .or_else(|| number(f, &["Severity", "Normalized"]).map(normalized_severity))
        .or_else(|| {
            raw(f, &["FindingProviderFields", "Severity", "Label"]).and_then(severity_label)
        })
        .or_else(|| raw(f, &["Severity", "Original"]).and_then(severity_label))
        .unwrap_or(Severity::Info)
}

fn status(f: &Value) -> FindingStatus {
    let upper = |path: &[&str]| raw(f, path).map(str::to_ascii_uppercase);
    let record = upper(&["RecordState"]);
    let workflow = upper(&["Workflow", "Status"]).or_else(|| upper(&["WorkflowState"]));
    let compliance = upper(&["Compliance", "Status"]);
    if workflow.as_deref() == Some("SUPPRESSED") {
        FindingStatus::Suppressed
    } else if record.as_deref() == Some("ARCHIVED")
        || workflow.as_deref() == Some("RESOLVED")
        || compliance.as_deref() == Some("PASSED")
    {
        FindingStatus::Resolved
    } else {
        FindingStatus::Open
    }
}

/// Related requirements, then the associated standards (AWS's own named by
/// `control`), each once.
fn frameworks(f: &Value, control: Option<&Text>) -> Vec<Text> {
    let mut frameworks: Vec<Text> = Vec::new();
    let mut push = |t: Text| {
        if !frameworks.contains(&t) {
            frameworks.push(t);
        }
    };
    let related = list(f, &["Compliance", "RelatedRequirements"]);
    for r in related {
        if let Some(t) = r.as_str().and_then(super::clean) {
            push(t);
        }
    }
    for s in list(f, &["Compliance", "AssociatedStandards"]) {
        let Some(id) = raw(s, &["StandardsId"]).and_then(super::clean) else {
            continue;
        };
        // Controls of AWS's own standards are named by the control id.
        let own = id.contains("best-practices") || id.contains("control-tower");
        match control {
            Some(c) if own => push(Text::from(format!("{id}/{c}"))),
            _ => push(id),
        }
    }
    frameworks
}

/// The first resource, region, description, remediation and types.
fn finding_detail(f: &Value, resource: &Value, remediation_url: Option<Text>) -> FindingDetail {
    let mut tags: Vec<Text> = Vec::new();
    if let Some(Value::Object(map)) = resource.get("Tags") {
        for (k, v) in map {
            if let Some(t) = super::clean(&format!("{k}={}", v.as_str().unwrap_or(""))) {
                tags.push(t);
            }
        }
    }
    FindingDetail {
        resource: text(resource, &["Id"]),
        resource_type: text(resource, &["Type"]),
        resource_tags: tags,
        region: text(resource, &["Region"]).or_else(|| text(f, &["Region"])),
        description: text(f, &["Description"]),
        remediation: text(f, &["Remediation", "Recommendation", "Text"]),
        remediation_url,
        tags: list(f, &["Types"])
            .iter()
            .filter_map(|t| t.as_str().and_then(super::clean))
            .collect(),
        format: Some(Text::from("asff")),
        ..FindingDetail::default()
    }
}
