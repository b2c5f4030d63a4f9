//! Trivy JSON reports (SchemaVersion 2): `Results[]` with `Vulnerabilities`,
//! `Misconfigurations` and `Secrets`.
//!
//! - Severity: `Severity` (`UNKNOWN` is info).
//! - Status: vulnerabilities and secrets are open; a misconfiguration is open on
//!   `FAIL`, resolved on `PASS`, suppressed on `EXCEPTION`.
//! - First seen: the report's `CreatedAt` (the scan time), else now.
//! - Id: artifact, target and the vulnerability + package, check + line, or
//!   secret rule + line, so a rescan merges into the same record.

use serde_json::Value;

use super::{ReadContext, clean, detail, list, number, raw, severity_label, text};
use crate::model::{Finding, FindingDetail, FindingStatus, Severity, Text, Time};

pub fn read(doc: &Value, cx: &ReadContext) -> Result<Vec<Finding>, String> {
    if !doc.is_object() {
        return Err("expected a Trivy report object".into());
    }
    let artifact = raw(doc, &["ArtifactName"]).unwrap_or("");
    let scanned = super::time(doc, &["CreatedAt"]).unwrap_or(cx.now);
    let repository = match raw(doc, &["ArtifactType"]) {
        Some("repository") => clean(artifact),
        _ => None,
    };
    let report = Report {
        artifact,
        scanned,
        repository,
    };
    let mut out = Vec::new();
    for result in list(doc, &["Results"]) {
        let target = raw(result, &["Target"]).unwrap_or("");
        for v in list(result, &["Vulnerabilities"]) {
            out.push(vulnerability(&report, result, target, v));
        }
        for m in list(result, &["Misconfigurations"]) {
            out.push(misconfiguration(&report, result, target, m));
        }
        for s in list(result, &["Secrets"]) {
            out.push(secret(&report, target, s));
        }
    }
    Ok(out)
}

struct Report<'a> {
    artifact: &'a str,
    scanned: Time,
    repository: Option<Text>,
}

fn severity(v: &Value) -> Severity {
    raw(v, &["Severity"])
        .and_then(severity_label)
        .unwrap_or(Severity::Info)
}

fn id(report: &Report, target: &str, parts: &[&str]) -> Text {
    let joined = parts.join(":");
    let s = format!("trivy:{}:{target}:{joined}", report.artifact);
    clean(&s).unwrap_or_else(|| Text::from("trivy"))
}

fn base(report: &Report, severity: Severity, status: FindingStatus) -> Finding {
    Finding {
        id: Text::from(""),
        severity,
        status,
        opened: report.scanned,
        team: None,
        account: None,
        service: None,
        resolved: (status == FindingStatus::Resolved).then_some(report.scanned),
        title: None,
        rule: None,
        frameworks: Vec::new(),
        tool: Some(Text::from("trivy")),
        url: None,
        detail: None,
    }
}

fn vulnerability(report: &Report, result: &Value, target: &str, v: &Value) -> Finding {
    let vuln = raw(v, &["VulnerabilityID"]).unwrap_or("");
    let pkg = raw(v, &["PkgName"]).unwrap_or("");
    let installed = raw(v, &["InstalledVersion"]).unwrap_or("");
    let fixed = raw(v, &["FixedVersion"]).filter(|f| !f.is_empty());
    let mut f = base(report, severity(v), FindingStatus::Open);
    f.id = id(report, target, &[vuln, pkg, installed]);
    f.title = text(v, &["Title"]).or_else(|| clean(vuln));
    f.rule = clean(vuln);
    f.url = text(v, &["PrimaryURL"]);
    let remediation = match fixed {
        Some(fx) => clean(&format!("Upgrade {pkg} from {installed} to {fx}")),
        None => clean(&format!("No fixed version of {pkg} yet")),
    };
    f.detail = detail(FindingDetail {
        resource: clean(&format!("{pkg}@{installed}")),
        resource_type: text(result, &["Type"]).or_else(|| text(result, &["Class"])),
        location: clean(target),
        repository: report.repository.clone(),
        description: text(v, &["Description"]),
        remediation,
        remediation_url: text(v, &["PrimaryURL"]),
        fingerprint: text(v, &["Fingerprint"]),
        tags: list(v, &["CweIDs"])
            .iter()
            .filter_map(|c| c.as_str().and_then(clean))
            .collect(),
        format: Some(Text::from("trivy")),
        ..FindingDetail::default()
    });
    f
}

fn misconfiguration(report: &Report, result: &Value, target: &str, m: &Value) -> Finding {
    let status = match raw(m, &["Status"]).map(str::to_ascii_uppercase).as_deref() {
        Some("PASS") => FindingStatus::Resolved,
        Some("EXCEPTION") => FindingStatus::Suppressed,
        _ => FindingStatus::Open,
    };
    let check = raw(m, &["ID"]).or_else(|| raw(m, &["AVDID"])).unwrap_or("");
    let line = number(m, &["CauseMetadata", "StartLine"]).filter(|l| *l >= 1.0);
    let line_s = line.map(|l| (l as u64).to_string()).unwrap_or_default();
    let mut f = base(report, severity(m), status);
    f.id = id(report, target, &[check, &line_s]);
    f.title = text(m, &["Title"]).or_else(|| clean(check));
    f.rule = clean(check);
    f.url = text(m, &["PrimaryURL"]);
    let location = if line_s.is_empty() {
        clean(target)
    } else {
        clean(&format!("{target}:{line_s}"))
    };
    f.detail = detail(FindingDetail {
        resource: clean(target),
        resource_type: text(result, &["Type"]).or_else(|| text(result, &["Class"])),
        location,
        repository: report.repository.clone(),
        description: text(m, &["Message"]).or_else(|| text(m, &["Description"])),
        remediation: text(m, &["Resolution"]),
        remediation_url: text(m, &["PrimaryURL"]),
        format: Some(Text::from("trivy")),
        ..FindingDetail::default()
    });
    f
}

fn secret(report: &Report, target: &str, s: &Value) -> Finding {
    let rule = raw(s, &["RuleID"]).unwrap_or("");
    let line = number(s, &["StartLine"]).filter(|l| *l >= 1.0);
    let line_s = line.map(|l| (l as u64).to_string()).unwrap_or_default();
    let mut f = base(report, severity(s), FindingStatus::Open);
    f.id = id(report, target, &[rule, &line_s]);
    f.title = text(s, &["Title"]).or_else(|| clean(rule));
    f.rule = clean(rule);
    let location = if line_s.is_empty() {
        clean(target)
    } else {
        clean(&format!("{target}:{line_s}"))
    };
    // The matched text is not kept: even redacted, it does not belong on screen.
    f.detail = detail(FindingDetail {
        resource: clean(target),
        resource_type: Some(Text::from("secret")),
        location,
        repository: report.repository.clone(),
        description: text(s, &["Category"]).and_then(|c| clean(&format!("{c} secret in {target}"))),
        remediation: Some(Text::from(
            "Remove the secret from the file and its history, and rotate it",
        )),
        format: Some(Text::from("trivy")),
        ..FindingDetail::default()
    });
    f
}
