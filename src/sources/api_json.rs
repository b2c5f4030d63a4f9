//! Small readers for API JSON shared by the HTTP sources: text is sanitised
//! where it enters, times are RFC 3339 stored as UTC.

use serde_json::Value;

use crate::model::{Text, Time};
use crate::util::text::sanitize;

/// The string at `path` (e.g. `["user", "login"]`), cleaned.
pub fn text(v: &Value, path: &[&str]) -> Option<Text> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) if !s.is_empty() => Some(sanitize(s)),
        Value::Number(n) => Some(Text::from(n.to_string())),
        _ => None,
    }
}

/// The RFC 3339 time at `path`.
pub fn time(v: &Value, path: &[&str]) -> Option<Time> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    chrono::DateTime::parse_from_rfc3339(cur.as_str()?.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// What an incident's description says about its cause: `deployment: <id>`
/// or `root cause: <sha>` (case-insensitive, one per line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribution {
    Deployment(String),
    RootCause(String),
}

pub fn attribution(body: &str) -> Option<Attribution> {
    for line in body.lines() {
        let line = line.trim().trim_start_matches(['-', '*', '>', ' ']);
        let lower = line.to_ascii_lowercase();
        for (prefix, make) in [
            (
                "deployment:",
                Attribution::Deployment as fn(String) -> Attribution,
            ),
            ("root cause:", Attribution::RootCause),
        ] {
            if lower.starts_with(prefix) {
                let value = line[prefix.len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_matches(['`', '#', '"', '\'', ',', '.']);
                // The id is shown and matched: no escape sequence may ride along.
                let value = sanitize(value);
                if !value.is_empty() {
                    return Some(make(value.to_string()));
                }
            }
        }
    }
    None
}

/// A count that APIs give as a number or as a numeric string (GitLab's
/// `changes_count` is `"35"`, or `"1000+"` when capped: read as 1000).
pub fn count(v: &Value, path: &[&str]) -> Option<u64> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().trim_end_matches('+').parse().ok(),
        _ => None,
    }
}

/// The earliest time at `at` among `items` whose `who` is not `author`: the
/// first response of a reviewer (a review, an approval, a note), leaving out
/// what the author says on their own change.
pub fn first_by_other(
    items: &[Value],
    author: Option<&str>,
    who: &[&str],
    at: &[&str],
) -> Option<Time> {
    items
        .iter()
        .filter(|i| author.is_none() || text(i, who).as_deref() != author)
        .filter_map(|i| time(i, at))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_reads_both_forms() {
        assert_eq!(
            attribution("Checkout down.\nDeployment: 42\n"),
            Some(Attribution::Deployment("42".into()))
        );
        assert_eq!(
            attribution("- root cause: `abc1234` (bad config)"),
            Some(Attribution::RootCause("abc1234".into()))
        );
        assert_eq!(attribution("nothing here"), None);
    }

    #[test]
    fn ids_and_shas_from_apis_are_sanitized() {
        assert_eq!(
            attribution("Deployment: 4\u{1b}[2J2\u{7}\n"),
            Some(Attribution::Deployment("42".into()))
        );
        assert_eq!(
            attribution("root cause: abc\u{1b}]0;pwned\u{7}1234"),
            Some(Attribution::RootCause("abc1234".into()))
        );
        let d = serde_json::json!({ "sha": "dead\u{1b}[31mbeef\u{7}" });
        assert_eq!(text(&d, &["sha"]).as_deref(), Some("deadbeef"));
    }
}
