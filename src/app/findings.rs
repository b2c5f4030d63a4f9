//! The Findings filter: its syntax, the prompt's hint, and the rows that pass
//! it. Pure: no I/O; the Findings screen refilters when the filter or the
//! snapshot changes, never while drawing.
//!
//! Filter syntax (words separated by spaces, all must match):
//! - `critical` `high` `medium` `low` `info`: severities (several: any of them),
//!   also written `sev:critical` or `severity:high,critical`
//! - `open` `resolved` `suppressed`: statuses, also `status:open`
//! - `team:NAME`, `fw:NAME` (or `framework:`), `account:ID`: substring, any case
//! - any other word: searched in the title, rule, resource and id
//! - an unknown `key:` or an unknown severity/status is a problem, reported in
//!   the prompt, never silently searched as text

use crate::model::{FindingStatus, Severity};
use crate::store::Snapshot;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingsFilter {
    pub severities: Vec<Severity>,
    pub statuses: Vec<FindingStatus>,
    pub team: Option<String>,
    pub framework: Option<String>,
    pub account: Option<String>,
    pub words: Vec<String>,
    /// What could not be understood (unknown `key:`, unknown severity), one
    /// message each; the prompt shows the first.
    pub problems: Vec<String>,
    /// The text it was parsed from.
    pub text: String,
}

impl FindingsFilter {
    pub fn parse(text: &str) -> Self {
        let mut f = FindingsFilter {
            text: text.trim().to_string(),
            ..Self::default()
        };
        for word in text.split_whitespace() {
            let lower = word.to_lowercase();
            let value = |prefixes: &[&str]| {
                prefixes
                    .iter()
                    .find_map(|p| lower.strip_prefix(p))
                    .map(str::to_string)
            };
            if let Some(s) = severity(&lower) {
                f.severities.push(s);
            } else if let Some(s) = status(&lower) {
                f.statuses.push(s);
            } else if let Some(v) = value(&["severity:", "sev:", "s:"]) {
                for part in v.split(',').filter(|p| !p.is_empty()) {
                    match severity(part) {
                        Some(s) => f.severities.push(s),
                        None => f.problems.push(format!(
                            "unknown severity '{part}' (critical high medium low info)"
                        )),
                    }
                }
            } else if let Some(v) = value(&["status:"]) {
                for part in v.split(',').filter(|p| !p.is_empty()) {
                    match status(part) {
                        Some(s) => f.statuses.push(s),
                        None => f.problems.push(format!(
                            "unknown status '{part}' (open resolved suppressed)"
                        )),
                    }
                }
            } else if let Some(v) = value(&["team:", "t:"]) {
                f.team = Some(v);
            } else if let Some(v) = value(&["fw:", "framework:", "f:"]) {
                f.framework = Some(v);
            } else if let Some(v) = value(&["account:", "acct:", "a:"]) {
                f.account = Some(v);
            } else if let Some(key) = unknown_key(&lower) {
                f.problems.push(format!(
                    "unknown key '{key}:' (sev: status: team: fw: account:)"
                ));
            } else {
                f.words.push(lower);
            }
        }
        f
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// `foo:bar` with a word-like `foo` that is no filter key: the user meant a
/// key, not a text search (ids such as `arn:aws:…` have a colon too, so only
/// short letter-only keys count).
fn unknown_key(w: &str) -> Option<&str> {
    let (key, _) = w.split_once(':')?;
    let word = !key.is_empty() && key.len() <= 12 && key.chars().all(|c| c.is_ascii_alphabetic());
    (word && key != "arn").then_some(key)
}

/// The hint shown after the prompt's text: the first problem of `text`, else
/// the syntax, as long as fits in `room` columns (nothing when none fits).
pub fn prompt_hint(text: &str, room: usize) -> (String, bool) {
    if let Some(p) = FindingsFilter::parse(text).problems.into_iter().next() {
        return (p, true);
    }
    let hints = [
        "sev:critical status:open team: fw: account: text · Enter keeps · Esc clears",
        "sev:critical status:open team: fw: account: text",
        "sev: status: team: fw: account: text",
        "sev: status: team: fw:",
    ];
    let hint = hints
        .iter()
        .find(|h| h.chars().count() <= room)
        .map_or(String::new(), |h| h.to_string());
    (hint, false)
}

fn severity(w: &str) -> Option<Severity> {
    match w {
        "critical" | "crit" => Some(Severity::Critical),
        "high" => Some(Severity::High),
        "medium" | "med" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

fn status(w: &str) -> Option<FindingStatus> {
    match w {
        "open" => Some(FindingStatus::Open),
        "resolved" => Some(FindingStatus::Resolved),
        "suppressed" => Some(FindingStatus::Suppressed),
        _ => None,
    }
}

/// Positions in `views.findings.rows` that pass `filter`, in order.
pub fn matching_rows(filter: &FindingsFilter, snapshot: &Snapshot) -> Vec<usize> {
    let view = &snapshot.views.findings;
    let records = &snapshot.records.findings;
    let f = filter;
    view.rows
        .iter()
        .enumerate()
        .filter(|(_, row)| {
            let Some(rec) = records.get(row.index) else {
                return false;
            };
            let has = |hay: Option<&str>, needle: &str| {
                hay.is_some_and(|h| h.to_lowercase().contains(needle))
            };
            (f.severities.is_empty() || f.severities.contains(&rec.severity))
                && (f.statuses.is_empty() || f.statuses.contains(&effective(rec, row.open)))
                && f.team.as_deref().is_none_or(|t| has(Some(&row.team), t))
                && f.framework.as_deref().is_none_or(|w| {
                    row.frameworks.iter().any(|fw| has(Some(fw), w))
                        || rec.frameworks.iter().any(|fw| has(Some(fw), w))
                })
                && f.account
                    .as_deref()
                    .is_none_or(|a| has(rec.account.as_deref(), a))
                && f.words.iter().all(|w| {
                    has(rec.title.as_deref(), w)
                        || has(rec.rule.as_deref(), w)
                        || has(Some(&rec.id), w)
                        || has(rec.detail.as_deref().and_then(|d| d.resource.as_deref()), w)
                })
        })
        .map(|(n, _)| n)
        .collect()
}

/// The status a row is shown with: a record still marked open but resolved in
/// time is resolved.
pub fn effective(rec: &crate::model::Finding, open_now: bool) -> FindingStatus {
    match rec.status {
        FindingStatus::Suppressed => FindingStatus::Suppressed,
        _ if open_now => FindingStatus::Open,
        _ => FindingStatus::Resolved,
    }
}
