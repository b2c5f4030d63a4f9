//! Event schema v1: NDJSON, one JSON object per line (DESIGN.md).
//!
//! Liberal in what it accepts: unknown fields are ignored, unknown `type`s are
//! skipped and counted, and a malformed line is recorded with its line number
//! while the rest of the input is still read.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::diagnostics::{Diagnostics, Malformed};
use crate::model::{
    CanaryResult, Change, DeployStatus, DeploymentEvent, Event, Finding, FindingStatus, Incident,
    Severity, Text, Time, Verdict,
};
use crate::util::text::sanitize;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is a directory, not an events file")]
    Directory { path: PathBuf },
    #[error("{origin}:{line}: {error}")]
    Strict {
        origin: String,
        line: u64,
        error: String,
    },
}

/// Reads an events file; I/O failures are errors, bad lines are diagnostics.
pub fn read_file(path: &Path, strict: bool) -> Result<(Vec<Event>, Diagnostics), ReadError> {
    let mut events = Vec::new();
    let diagnostics = read_file_into(path, strict, |e| events.push(e))?;
    Ok((events, diagnostics))
}

/// Like [`read_file`], handing each event to `sink` as it is read, so a large
/// file never sits in memory twice.
pub fn read_file_into(
    path: &Path,
    strict: bool,
    sink: impl FnMut(Event),
) -> Result<Diagnostics, ReadError> {
    let file = open(path)?;
    let io_err = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let origin = path.display().to_string();
    // Parsed on every core; the events still reach `sink` in line order.
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let diagnostics =
        super::events_parallel::read_parallel(file, &origin, workers, parse_block, sink)
            .map_err(io_err)?;
    if strict && let Some(first) = diagnostics.malformed.first() {
        return Err(ReadError::Strict {
            origin,
            line: first.line,
            error: first.error.clone(),
        });
    }
    Ok(diagnostics)
}

/// Fails with a clear message when `path` cannot be read as an events file.
pub fn check_readable(path: &Path) -> Result<(), ReadError> {
    open(path).map(drop)
}

/// Opens an events file; a directory is refused by name rather than failing
/// later with a puzzling read error.
fn open(path: &Path) -> Result<File, ReadError> {
    let io_err = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::metadata(path).map_err(io_err)?.is_dir() {
        return Err(ReadError::Directory {
            path: path.to_path_buf(),
        });
    }
    File::open(path).map_err(io_err)
}

/// Parses NDJSON from `input`, handing each event to `sink` in input order.
pub fn read(
    mut input: impl BufRead,
    origin: &str,
    mut sink: impl FnMut(Event),
) -> io::Result<Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut buf = Vec::with_capacity(512);
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        diagnostics.lines += 1;
        match parse_line(&buf) {
            Ok(Parsed::Event(e)) => sink(e),
            Ok(Parsed::Blank) => {}
            Ok(Parsed::UnknownType) => diagnostics.skipped_types += 1,
            // Error messages quote the input; they are cleaned like any source text.
            Err(error) => diagnostics.malformed.push(Malformed {
                origin: origin.to_string(),
                line: diagnostics.lines,
                error: sanitize(&error).to_string(),
            }),
        }
    }
    Ok(diagnostics)
}

/// Parses one block of whole lines read from `origin` (the parallel reader's step).
pub fn parse_block(bytes: &[u8], origin: &str) -> (Vec<Event>, Diagnostics) {
    let mut events = Vec::new();
    // Reading from memory cannot fail.
    let diagnostics = read(bytes, origin, |e| events.push(e)).unwrap_or_default();
    (events, diagnostics)
}

/// Parses a whole in-memory text (used by tests and the demo's self-check).
pub fn parse_str(text: &str) -> (Vec<Event>, Diagnostics) {
    let mut events = Vec::new();
    // Reading from a byte slice cannot fail.
    let diagnostics = read(text.as_bytes(), "<text>", |e| events.push(e)).unwrap_or_default();
    (events, diagnostics)
}

pub enum Parsed {
    Event(Event),
    Blank,
    UnknownType,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

/// Parses one line. The error is a sentence fit for a user.
pub fn parse_line(line: &[u8]) -> Result<Parsed, String> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(Parsed::Blank);
    }
    if let Some(event) = at_a_guess(line) {
        return Ok(Parsed::Event(event));
    }
    let envelope: Envelope = serde_json::from_slice(line).map_err(|e| describe(&e))?;
    let event = match &*envelope.kind {
        "change" => Event::Change(from::<RawChange>(line)?.into_model()?),
        "deployment" => Event::Deployment(from::<RawDeployment>(line)?.into_model()?),
        "incident" => Event::Incident(from::<RawIncident>(line)?.into_model()?),
        "finding" => Event::Finding(from::<RawFinding>(line)?.into_model()?),
        "canary" => Event::Canary(from::<RawCanary>(line)?.into_model()?),
        _ => return Ok(Parsed::UnknownType),
    };
    Ok(Parsed::Event(event))
}

/// One parse instead of two for the common lines: the type is guessed from the
/// first `"type":"` in the line and the line parsed as that type, which carries
/// the `type` it really has. `None` (a wrong guess, an unusual type or a bad
/// line) takes the general path, which also words the errors.
fn at_a_guess(line: &[u8]) -> Option<Event> {
    const KEY: &[u8] = b"\"type\":\"";
    let at = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let rest = &line[at..];
    let kind = &rest[..rest.iter().position(|&b| b == b'"')?];
    let event = match kind {
        b"deployment" => {
            let raw: RawDeployment = serde_json::from_slice(line).ok()?;
            (raw.kind == "deployment").then_some(())?;
            Event::Deployment(raw.into_model().ok()?)
        }
        b"change" => {
            let raw: RawChange = serde_json::from_slice(line).ok()?;
            (raw.kind == "change").then_some(())?;
            Event::Change(raw.into_model().ok()?)
        }
        b"incident" => {
            let raw: RawIncident = serde_json::from_slice(line).ok()?;
            (raw.kind == "incident").then_some(())?;
            Event::Incident(raw.into_model().ok()?)
        }
        _ => return None,
    };
    Some(event)
}

fn from<'a, T: Deserialize<'a>>(line: &'a [u8]) -> Result<T, String> {
    serde_json::from_slice(line).map_err(|e| describe(&e))
}

fn describe(e: &serde_json::Error) -> String {
    // serde_json appends "at line 1 column N"; within one NDJSON line only the column helps.
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &text[..i], e.column()),
        None => text,
    }
}

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
struct RawChange<'a> {
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
    /// The line's own `type` (the envelope already read it on the general path).
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
}

impl RawChange<'_> {
    fn into_model(self) -> Result<Change, String> {
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
        })
    }
}

#[derive(Deserialize)]
struct RawDeployment<'a> {
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
    kind: Str<'a>,
}

impl RawDeployment<'_> {
    fn into_model(self) -> Result<DeploymentEvent, String> {
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
struct RawIncident<'a> {
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
    kind: Str<'a>,
}

impl RawIncident<'_> {
    fn into_model(self) -> Result<Incident, String> {
        Ok(Incident {
            id: t(&self.id),
            service: name(&self.service),
            opened: time("opened", &self.opened)?,
            team: on(&self.team),
            resolved: self
                .resolved
                .as_ref()
                .map(|r| time("resolved", r))
                .transpose()?,
            deployment: ot(&self.deployment),
            severity: on(&self.severity),
            title: ot(&self.title),
            url: ot(&self.url),
        })
    }
}

#[derive(Deserialize)]
struct RawFinding<'a> {
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
    fn into_model(self) -> Result<Finding, String> {
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
struct RawCanary<'a> {
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
    fn into_model(self) -> Result<CanaryResult, String> {
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

/// Writes one event as a schema v1 line (the demo and `--record` use this): the
/// model's `Serialize`, through a `serde_json::Value` so that the keys come out
/// sorted, as recordings have always had them.
pub fn to_line(event: &Event) -> String {
    // The model serializes to a JSON object with string keys: this cannot fail.
    // Were it to, an empty line is one the reader skips.
    serde_json::to_value(event)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
