//! Finding readers: SARIF 2.1.0, AWS Security Hub ASFF, OCSF (as Prowler emits
//! it) and Trivy JSON, each mapped to the `finding` record of DESIGN.md.
//!
//! Every reader works on a parsed `serde_json::Value`, so unknown fields are
//! ignored, missing or mistyped fields fall back to defaults, and serde_json's
//! recursion limit (128 levels) turns a nesting bomb into an ordinary error.
//! Input is size-capped before it is read. All text is sanitised here, where it
//! enters the program.

pub mod asff;
pub mod detect;
pub mod ocsf;
pub mod path;
pub mod poller;
pub mod sarif;
pub mod trivy;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::model::{Finding, FindingDetail, Severity, Text, Time};
use crate::util::text::sanitize;

pub use detect::detect;
pub use path::{FindingsSpec, read_findings_path};

/// The largest finding file read (64 MiB); larger input is refused before it is read.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The formats a findings source understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Sarif,
    Asff,
    Ocsf,
    Trivy,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Sarif => "sarif",
            Format::Asff => "asff",
            Format::Ocsf => "ocsf",
            Format::Trivy => "trivy",
        }
    }
}

/// Why a finding file could not be read. Every variant names the input.
#[derive(Debug, thiserror::Error)]
pub enum FindingsError {
    #[error("{origin}: cannot read: {source}")]
    Io {
        origin: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: {size} bytes is over the {limit}-byte limit for finding files")]
    TooLarge {
        origin: String,
        size: u64,
        limit: u64,
    },
    #[error("{origin}: not valid JSON: {source}")]
    Json {
        origin: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{origin}: not a recognised finding format (expected SARIF, ASFF, OCSF or Trivy JSON)")]
    UnknownFormat { origin: String },
    #[error("{origin}: not {format} input: {reason}")]
    WrongShape {
        origin: String,
        format: &'static str,
        reason: String,
    },
    #[error("{origin}: bad glob pattern: {reason}")]
    BadPattern { origin: String, reason: String },
    #[error("{origin}: no file matches")]
    NoMatch { origin: String },
}

/// What a reader needs besides the document: where it came from (for errors
/// and ids) and the time to use when the format records none.
#[derive(Debug, Clone, Copy)]
pub struct ReadContext<'a> {
    pub origin: &'a str,
    pub now: Time,
}

/// Reads findings from `bytes`; `format` forces a format, `None` detects it.
pub fn read_bytes(
    bytes: &[u8],
    format: Option<Format>,
    origin: &str,
    now: Time,
) -> Result<Vec<Finding>, FindingsError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(FindingsError::TooLarge {
            origin: origin.to_string(),
            size: bytes.len() as u64,
            limit: MAX_BYTES,
        });
    }
    // SARIF files can be large: read them one result at a time when they have its shape.
    if matches!(format, None | Some(Format::Sarif))
        && let Some(read) = sarif::read_streaming(bytes, &ReadContext { origin, now })
    {
        return read.map_err(|source| FindingsError::Json {
            origin: origin.to_string(),
            source,
        });
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|source| FindingsError::Json {
        origin: origin.to_string(),
        source,
    })?;
    read_value(&doc, format, origin, now)
}

/// Reads findings from an already parsed document.
pub fn read_value(
    doc: &Value,
    format: Option<Format>,
    origin: &str,
    now: Time,
) -> Result<Vec<Finding>, FindingsError> {
    let format = match format.or_else(|| detect(doc)) {
        Some(f) => f,
        None => {
            return Err(FindingsError::UnknownFormat {
                origin: origin.to_string(),
            });
        }
    };
    let cx = ReadContext { origin, now };
    let out = match format {
        Format::Sarif => sarif::read(doc, &cx),
        Format::Asff => asff::read(doc, &cx),
        Format::Ocsf => ocsf::read(doc, &cx),
        Format::Trivy => trivy::read(doc, &cx),
    };
    out.map_err(|reason| FindingsError::WrongShape {
        origin: origin.to_string(),
        format: format.label(),
        reason,
    })
}

/// Reads one file, refusing it quickly when it is larger than `limit` bytes.
pub fn read_file(
    path: &Path,
    format: Option<Format>,
    limit: u64,
    now: Time,
) -> Result<Vec<Finding>, FindingsError> {
    let origin = path.display().to_string();
    let bytes = read_capped(path, limit)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(FindingsError::TooLarge {
            origin,
            size: bytes.len() as u64,
            limit: MAX_BYTES,
        });
    }
    read_bytes(&bytes, format, &origin, now)
}

/// The bytes of `path`, or `TooLarge` without reading when it is over `limit`
/// (checked from the metadata first, then enforced while reading, for files
/// that grow or report no size).
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, FindingsError> {
    let origin = || path.display().to_string();
    let io = |source| FindingsError::Io {
        origin: origin(),
        source,
    };
    let file = crate::util::files::open_regular(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(FindingsError::TooLarge {
            origin: origin(),
            size,
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(FindingsError::TooLarge {
            origin: origin(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

// ---- small helpers the readers share -------------------------------------

/// The value at a path of object keys, if every step exists.
pub(crate) fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for k in path {
        cur = cur.get(*k)?;
    }
    Some(cur)
}

/// A string at `path`, sanitised; empty strings count as absent. Numbers are
/// accepted too (account ids are sometimes numeric).
pub(crate) fn text(v: &Value, path: &[&str]) -> Option<Text> {
    match at(v, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(sanitize(s.trim())),
        Value::Number(n) => Some(Text::from(n.to_string())),
        _ => None,
    }
}

/// The raw string at `path` (not sanitised: for matching, not display).
pub(crate) fn raw<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    at(v, path)?.as_str()
}

/// The array at `path`, or an empty slice.
pub(crate) fn list<'v>(v: &'v Value, path: &[&str]) -> &'v [Value] {
    match at(v, path) {
        Some(Value::Array(a)) => a,
        _ => &[],
    }
}

/// A number at `path`, also from a numeric string.
pub(crate) fn number(v: &Value, path: &[&str]) -> Option<f64> {
    match at(v, path)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An RFC 3339 time at `path`; also accepts the offset-less form some tools write
/// (read as UTC) and Unix seconds.
pub(crate) fn time(v: &Value, path: &[&str]) -> Option<Time> {
    match at(v, path)? {
        Value::String(s) => parse_time(s),
        Value::Number(n) => {
            let secs = n.as_i64()?;
            chrono::DateTime::from_timestamp(secs, 0)
        }
        _ => None,
    }
}

pub(crate) fn parse_time(s: &str) -> Option<Time> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// Severity from a label as the formats spell it (case-insensitive).
pub(crate) fn severity_label(s: &str) -> Option<Severity> {
    match s.trim().to_ascii_lowercase().as_str() {
        "critical" | "fatal" => Some(Severity::Critical),
        "high" | "error" => Some(Severity::High),
        "medium" | "moderate" | "warning" => Some(Severity::Medium),
        "low" | "note" => Some(Severity::Low),
        "info" | "informational" | "none" | "unknown" => Some(Severity::Info),
        _ => None,
    }
}

/// A sanitised owned text from a `&str`, `None` when blank.
pub(crate) fn clean(s: &str) -> Option<Text> {
    let s = s.trim();
    (!s.is_empty()).then(|| sanitize(s))
}

/// Wraps a detail, or `None` when it carries nothing.
pub(crate) fn detail(d: FindingDetail) -> Option<Arc<FindingDetail>> {
    Some(Arc::new(d))
}

/// A short, stable hash (FNV-1a, hex) for ids built from several parts.
pub(crate) fn stable_hash(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// A SARIF 2.1.0 document with `n` results over 50 rules, for tests and the
/// 100,000-result measurement (examples/findings_sarif_100k.rs).
pub fn sarif_test_document(n: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(n * 400 + 10_000);
    s.push_str(r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gen","rules":["#);
    for r in 0..50 {
        if r > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"{{"id":"R{r}","shortDescription":{{"text":"Rule {r}"}},"helpUri":"https://example.com/r/{r}","properties":{{"security-severity":"{}.5","tags":["security","external/cwe/cwe-{r}"]}}}}"#,
            r % 10
        );
    }
    s.push_str(r#"]}},"results":["#);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let r = i % 50;
        let _ = write!(
            s,
            r#"{{"ruleId":"R{r}","ruleIndex":{r},"level":"warning","message":{{"text":"Finding number {i} in a generated file"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"src/module_{m}/file_{i}.rs"}},"region":{{"startLine":{line}}}}}}}],"partialFingerprints":{{"primaryLocationLineHash":"{i:016x}"}}}}"#,
            m = i % 97,
            line = i % 500 + 1
        );
    }
    s.push_str("]}]}");
    s
}
