//! SARIF 2.1.0 (`runs[].results[]`), as CodeQL, Semgrep, Trivy and others write it.
//!
//! - Rules come from `tool.driver.rules` and `tool.extensions[].rules`; a result
//!   names its rule by `rule.toolComponent.index` + `rule.index`, by `ruleIndex`
//!   (driver), or by `ruleId` / `rule.id` (searched in the driver, then the extensions).
//! - Severity: `properties.security-severity` of the result, else of the rule,
//!   in GitHub's bands (> 9.0 critical, >= 7.0 high, >= 4.0 medium, else low);
//!   otherwise the level (`error` high, `warning` medium, `note` low, `none` info),
//!   the result's, else the rule's default, else SARIF's default `warning`.
//! - Status: a suppression that is accepted (or has no status) suppresses;
//!   `baselineState: absent` and `kind: pass | notApplicable` mean resolved.
//! - Id: `guid`, else a fingerprint, else a hash of rule, location and message,
//!   prefixed with the tool name, so the same result merges across scans.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{ReadContext, at, clean, detail, list, number, raw, severity_label, stable_hash, text};
use crate::model::{Finding, FindingDetail, FindingStatus, Severity, Text, Time};

pub fn read(doc: &Value, cx: &ReadContext) -> Result<Vec<Finding>, String> {
    let runs = match doc.get("runs") {
        Some(Value::Array(runs)) => runs,
        _ => return Err("no `runs` array".into()),
    };
    let mut out = Vec::new();
    for run in runs {
        let results = list(run, &["results"]).iter().map(|v| Ok(Cow::Borrowed(v)));
        read_run(run, results, cx, &mut out).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// A SARIF document with its results left unparsed, so that a large file never
/// exists as one `Value` tree: each result is parsed, mapped and dropped in turn.
#[derive(Deserialize)]
struct Lite<'a> {
    #[serde(borrow)]
    runs: Vec<RunLite<'a>>,
}

#[derive(Deserialize)]
struct RunLite<'a> {
    #[serde(default)]
    tool: Value,
    #[serde(default)]
    invocations: Value,
    #[serde(default, rename = "versionControlProvenance")]
    provenance: Value,
    #[serde(default, rename = "automationDetails")]
    automation: Value,
    #[serde(borrow, default)]
    results: Vec<&'a RawValue>,
}

/// Reads SARIF from bytes one result at a time. `None` when the bytes do not
/// have SARIF's shape (the caller then parses them whole, for detection and a
/// precise error); `Some(Err)` when a result is not valid JSON (e.g. too deep).
pub fn read_streaming(
    bytes: &[u8],
    cx: &ReadContext,
) -> Option<Result<Vec<Finding>, serde_json::Error>> {
    let lite: Lite = serde_json::from_slice(bytes).ok()?;
    let mut out = Vec::new();
    for run in lite.runs {
        let meta = serde_json::json!({
            "tool": run.tool,
            "invocations": run.invocations,
            "versionControlProvenance": run.provenance,
            "automationDetails": run.automation,
        });
        let results = run
            .results
            .iter()
            .map(|raw| serde_json::from_str::<Value>(raw.get()).map(Cow::Owned));
        if let Err(e) = read_run(&meta, results, cx, &mut out) {
            return Some(Err(e));
        }
    }
    Some(Ok(out))
}

/// GitHub's bands for `security-severity` (a CVSS-like score).
pub fn security_severity(score: f64) -> Severity {
    if score > 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

fn level_severity(level: &str) -> Option<Severity> {
    match level {
        "error" => Some(Severity::High),
        "warning" => Some(Severity::Medium),
        "note" => Some(Severity::Low),
        "none" => Some(Severity::Info),
        _ => None,
    }
}

fn read_run<'v>(
    run: &Value,
    results: impl Iterator<Item = Result<Cow<'v, Value>, serde_json::Error>>,
    cx: &ReadContext,
    out: &mut Vec<Finding>,
) -> Result<(), serde_json::Error> {
    let driver = at(run, &["tool", "driver"]).unwrap_or(&Value::Null);
    let extensions = list(run, &["tool", "extensions"]);
    let shared = Run {
        tool: text(driver, &["name"]).unwrap_or_else(|| Text::from("sarif")),
        started: list(run, &["invocations"])
            .iter()
            .find_map(|i| super::time(i, &["startTimeUtc"])),
        repository: list(run, &["versionControlProvenance"])
            .iter()
            .find_map(|v| text(v, &["repositoryUri"])),
        automation: text(run, &["automationDetails", "id"]),
        file_type: Text::from("file"),
        sarif: Text::from("sarif"),
    };
    // Rule texts are read once per rule and shared by its results.
    let mut rules: HashMap<usize, Rc<RuleInfo>> = HashMap::new();
    for result in results {
        let result = result?;
        let result: &Value = &result;
        if !result.is_object() {
            continue;
        }
        let rule = find_rule(result, driver, extensions);
        let info = rule.map(|r| {
            rules
                .entry(r as *const Value as usize)
                .or_insert_with(|| Rc::new(RuleInfo::read(r)))
                .clone()
        });
        out.push(shared.finding(result, rule, info.as_deref(), cx));
    }
    Ok(())
}

/// What every result of a run shares.
struct Run {
    tool: Text,
    /// When the run's first invocation started.
    started: Option<Time>,
    repository: Option<Text>,
    automation: Option<Text>,
    file_type: Text,
    sarif: Text,
}

impl Run {
    /// One result as a finding; `rule` and `info` are its rule, when found.
    fn finding(
        &self,
        result: &Value,
        rule: Option<&Value>,
        info: Option<&RuleInfo>,
        cx: &ReadContext,
    ) -> Finding {
        let rule_id = raw(result, &["ruleId"])
            .or_else(|| raw(result, &["rule", "id"]))
            .or_else(|| rule.and_then(|r| raw(r, &["id"])))
            .unwrap_or("");
        let kind = raw(result, &["kind"]).unwrap_or("fail");
        let severity = result_severity(result, rule, kind);
        let status = result_status(result, kind);
        let location = list(result, &["locations"]).iter().find_map(location);
        let message =
            text(result, &["message", "text"]).or_else(|| text(result, &["message", "markdown"]));
        let fingerprint = fingerprint(result);
        let key = match (raw(result, &["guid"]), &fingerprint) {
            (Some(g), _) if !g.is_empty() => g.to_string(),
            (_, Some(f)) => format!("{rule_id}/{f}"),
            _ => stable_hash(&[
                rule_id,
                location.as_deref().unwrap_or(""),
                message.as_deref().unwrap_or(""),
            ]),
        };
        let id = Text::from(format!(
            "sarif:{}:{}",
            self.tool,
            clean(&key).unwrap_or_default()
        ));
        let title = info
            .and_then(|i| i.title.clone())
            .or_else(|| message.as_deref().and_then(first_line));
        let help_uri = info.and_then(|i| i.help_uri.clone());
        let opened = super::time(result, &["provenance", "firstDetectionTimeUtc"])
            .or(self.started)
            .unwrap_or(cx.now);
        let resolved = (status == FindingStatus::Resolved).then(|| {
            super::time(result, &["provenance", "lastDetectionTimeUtc"])
                .unwrap_or(cx.now)
                .max(opened)
        });
        let d = FindingDetail {
            resource: location
                .as_deref()
                .map(|l| Text::from(l.rsplit_once(':').map_or(l, |(p, _)| p))),
            resource_type: Some(self.file_type.clone()),
            location: location.clone(),
            repository: self.repository.clone().or_else(|| self.automation.clone()),
            description: message.clone(),
            remediation: info.and_then(|i| i.remediation.clone()),
            remediation_url: help_uri.clone(),
            fingerprint,
            tags: result_tags(result, info),
            format: Some(self.sarif.clone()),
            ..FindingDetail::default()
        };
        Finding {
            id,
            severity,
            status,
            opened,
            team: None,
            account: None,
            service: None,
            resolved,
            title,
            rule: match info.and_then(|i| i.id.clone()) {
                Some(id) if &*id == rule_id => Some(id),
                _ => super::clean(rule_id),
            },
            frameworks: Vec::new(),
            tool: Some(self.tool.clone()),
            url: help_uri,
            detail: detail(d),
        }
    }
}

/// `security-severity` (result, else rule), else the level; informational
/// results are info.
fn result_severity(result: &Value, rule: Option<&Value>, kind: &str) -> Severity {
    let score = number(result, &["properties", "security-severity"])
        .or_else(|| rule.and_then(|r| number(r, &["properties", "security-severity"])));
    let level = raw(result, &["level"])
        .or_else(|| rule.and_then(|r| raw(r, &["defaultConfiguration", "level"])))
        .unwrap_or("warning");
    let severity = match score {
        Some(s) if s.is_finite() => security_severity(s),
        _ => level_severity(level)
            .or_else(|| severity_label(level))
            .unwrap_or(Severity::Medium),
    };
    if kind == "informational" {
        Severity::Info
    } else {
        severity
    }
}

/// Suppressed (an accepted suppression), resolved (absent from the baseline,
/// or a pass), else open.
fn result_status(result: &Value, kind: &str) -> FindingStatus {
    let suppressed = list(result, &["suppressions"])
        .iter()
        .any(|s| matches!(raw(s, &["status"]), None | Some("accepted")));
    if suppressed {
        FindingStatus::Suppressed
    } else if raw(result, &["baselineState"]) == Some("absent")
        || matches!(kind, "pass" | "notApplicable")
    {
        FindingStatus::Resolved
    } else {
        FindingStatus::Open
    }
}

/// The result's tags, then its rule's, each once.
fn result_tags(result: &Value, info: Option<&RuleInfo>) -> Vec<Text> {
    let mut tags: Vec<Text> = Vec::new();
    for t in list(result, &["properties", "tags"]) {
        if let Some(t) = t.as_str().and_then(tag)
            && !tags.contains(&t)
        {
            tags.push(t);
        }
    }
    for t in info.iter().flat_map(|i| &i.tags) {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags
}

/// The texts of one rule, shared by all its results.
struct RuleInfo {
    id: Option<Text>,
    title: Option<Text>,
    help_uri: Option<Text>,
    remediation: Option<Text>,
    tags: Vec<Text>,
}

impl RuleInfo {
    fn read(r: &Value) -> Self {
        let mut tags: Vec<Text> = Vec::new();
        for t in list(r, &["properties", "tags"]) {
            if let Some(t) = t.as_str().and_then(tag)
                && !tags.contains(&t)
            {
                tags.push(t);
            }
        }
        Self {
            id: text(r, &["id"]),
            title: text(r, &["shortDescription", "text"]).or_else(|| text(r, &["name"])),
            help_uri: text(r, &["helpUri"]),
            remediation: text(r, &["help", "text"])
                .or_else(|| text(r, &["fullDescription", "text"])),
            tags,
        }
    }
}

/// The rule object a result refers to, if any.
fn find_rule<'v>(result: &Value, driver: &'v Value, extensions: &'v [Value]) -> Option<&'v Value> {
    let index = |v: Option<&Value>| v.and_then(Value::as_u64).map(|i| i as usize);
    let rule_index = index(at(result, &["rule", "index"])).or(index(result.get("ruleIndex")));
    let component = index(at(result, &["rule", "toolComponent", "index"]));
    let id = raw(result, &["rule", "id"]).or_else(|| raw(result, &["ruleId"]));
    let rules_of = |c: &'v Value| list(c, &["rules"]);
    let by_index = |rules: &'v [Value]| {
        let r = rule_index.and_then(|i| rules.get(i))?;
        // An index that disagrees with the id is not trusted.
        match (id, raw(r, &["id"])) {
            (Some(want), Some(got)) if want != got => None,
            _ => Some(r),
        }
    };
    let by_id = |rules: &'v [Value]| {
        let id = id?;
        rules
            .iter()
            .find(|r| raw(r, &["id"]) == Some(id))
            .or_else(|| {
                // A hierarchical id ("a/b") may name its parent rule.
                let parent = id.rsplit_once('/')?.0;
                rules.iter().find(|r| raw(r, &["id"]) == Some(parent))
            })
    };
    if let Some(c) = component {
        if let Some(r) = extensions.get(c).and_then(|e| by_index(rules_of(e))) {
            return Some(r);
        }
    } else if let Some(r) = by_index(rules_of(driver)) {
        return Some(r);
    }
    by_id(rules_of(driver)).or_else(|| extensions.iter().find_map(|e| by_id(rules_of(e))))
}

/// `uri:line` of a result location.
fn location(loc: &Value) -> Option<Text> {
    let phys = loc.get("physicalLocation")?;
    let uri = raw(phys, &["artifactLocation", "uri"])?;
    let line = number(phys, &["region", "startLine"]);
    let s = match line {
        Some(l) if l >= 1.0 => format!("{uri}:{}", l as u64),
        _ => uri.to_string(),
    };
    clean(&s)
}

/// The first fingerprint, preferring full fingerprints over partial ones, in key order.
fn fingerprint(result: &Value) -> Option<Text> {
    for field in ["fingerprints", "partialFingerprints"] {
        if let Some(Value::Object(map)) = result.get(field) {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                if let Some(v) = map.get(k).and_then(Value::as_str).filter(|v| !v.is_empty()) {
                    return clean(&format!("{k}={v}"));
                }
            }
        }
    }
    None
}

/// A tag as shown: CWE tags in every spelling become `CWE-<n>`.
fn tag(raw_tag: &str) -> Option<Text> {
    let lower = raw_tag.to_ascii_lowercase();
    if let Some(pos) = lower.rfind("cwe-") {
        let digits: String = lower[pos + 4..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse::<u32>() {
            return Some(Text::from(format!("CWE-{n}")));
        }
    }
    clean(raw_tag)
}

fn first_line(s: &str) -> Option<Text> {
    clean(s.lines().next().unwrap_or(s))
}
