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

use crate::model::Event;
use crate::model::diagnostics::{Diagnostics, Malformed};
use crate::sources::event_lines::{Line, next_line, too_long};
use crate::sources::event_schema::{RawCanary, RawChange, RawDeployment, RawFinding, RawIncident};
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
    crate::util::files::open_regular(path).map_err(io_err)
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
        let parsed = match next_line(&mut input, &mut buf)? {
            Line::End => break,
            Line::Read => parse_line(&buf),
            Line::TooLong(bytes) => Err(too_long(bytes)),
        };
        diagnostics.lines += 1;
        match parsed {
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
mod tests {
    use super::*;

    #[test]
    fn reads_every_type_and_normalises_offsets_to_utc() {
        let text = r#"{"type":"change","id":"c1","service":"api","time":"2024-03-01T12:00:00+02:00"}
{"type":"deployment","id":"d1","service":"api","time":"2024-03-01T12:00:00Z","status":"success","changes":["c1"],"extra":{"x":1}}
{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T13:00:00-01:00"}
{"type":"finding","id":"f1","severity":"high","status":"open","opened":"2024-03-01T00:00:00Z","frameworks":["PCI"]}
{"type":"canary","deployment":"d1","region":"us-east-1","time":"2024-03-01T12:05:00Z","verdict":"pass","score":97.5}
"#;
        let (events, d) = parse_str(text);
        assert_eq!(d.lines, 5);
        assert!(d.malformed.is_empty(), "{:?}", d.malformed);
        assert_eq!(events.len(), 5);
        match &events[0] {
            Event::Change(c) => assert_eq!(c.time.to_rfc3339(), "2024-03-01T10:00:00+00:00"),
            other => panic!("expected a change, got {other:?}"),
        }
        match &events[2] {
            Event::Incident(i) => assert_eq!(i.opened.to_rfc3339(), "2024-03-01T14:00:00+00:00"),
            other => panic!("expected an incident, got {other:?}"),
        }
    }

    #[test]
    fn bad_lines_are_reported_with_numbers_and_the_rest_is_read() {
        let text = "{\"type\":\"change\",\"id\":\"c1\",\"service\":\"a\",\"time\":\"2024-01-01T00:00:00Z\"}\n\
                    not json\n\
                    \n\
                    {\"type\":\"weather\",\"id\":1}\n\
                    {\"type\":\"deployment\",\"id\":\"d\",\"service\":\"a\",\"time\":\"2024-01-01T00:00:00Z\",\"status\":\"exploded\"}\n\
                    {\"type\":\"change\",\"id\":5,\"service\":\"a\",\"time\":\"2024-01-01T00:00:00Z\"}\n\
                    {\"type\":\"change\",\"id\":\"c2\",\"service\":\"a\",\"time\":\"yesterday\"}\n\
                    [1,2]\n\
                    {\"id\":\"no-type\"}\n\
                    {\"type\":\"change\",\"id\":\"c3\",\"service\":\"a\",\"time\":\"2024-01-02T00:00:00Z\"}";
        let (events, d) = parse_str(text);
        assert_eq!(events.len(), 2);
        assert_eq!(d.lines, 10);
        assert_eq!(d.skipped_types, 1);
        let lines: Vec<u64> = d.malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, vec![2, 5, 6, 7, 8, 9]);
        assert!(
            d.malformed[1].error.contains("exploded"),
            "{}",
            d.malformed[1].error
        );
        assert!(
            d.malformed[5].error.contains("type"),
            "{}",
            d.malformed[5].error
        );
    }

    #[test]
    fn an_incident_resolved_before_it_opened_is_malformed() {
        let text = r#"{"type":"incident","id":"i1","service":"a","opened":"2024-01-02T10:00:00Z","resolved":"2024-01-01T10:00:00Z"}
{"type":"incident","id":"i2","service":"a","opened":"2024-01-02T10:00:00Z","resolved":"2024-01-02T10:00:00Z"}"#;
        let (events, d) = parse_str(text);
        assert_eq!(events.len(), 1, "resolved at the moment it opened is fine");
        assert_eq!(d.malformed[0].line, 1);
        assert_eq!(
            d.malformed[0].error,
            "incident i1: `resolved` (2024-01-01T10:00:00Z) is before `opened` (2024-01-02T10:00:00Z)"
        );
    }

    #[test]
    fn control_characters_are_stripped_from_text() {
        let text = r#"{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T13:00:00Z","title":"boom\u001b[2J\u0007 now"}"#;
        let (events, _) = parse_str(text);
        match &events[0] {
            Event::Incident(i) => assert_eq!(i.title.as_deref(), Some("boom now")),
            other => panic!("expected an incident, got {other:?}"),
        }
    }

    #[test]
    fn lines_round_trip() {
        let text = r#"{"type":"deployment","id":"d1","service":"api","time":"2024-03-01T12:00:00Z","status":"rolled_back","team":"core","region":"eu-west-1","changes":["a","b"],"hotfix":true}"#;
        let (events, _) = parse_str(text);
        let again = to_line(&events[0]);
        let (events2, _) = parse_str(&again);
        assert_eq!(events, events2);
    }

    /// Every type with every field the schema has, as `to_line` writes it.
    const EVERY_FIELD: &str = r#"{"type":"change","id":"c1","service":"api","time":"2024-03-01T12:00:00.250+02:00","team":"core","title":"Fix \"quotes\", é","author":"ana","url":"https://x/c1"}
{"type":"change","id":"c2","service":"api","time":"2024-03-01T12:00:00Z"}
{"type":"deployment","id":"d1","service":"api","time":"2024-03-01T12:00:00Z","status":"in_progress","team":"core","environment":"staging","region":"eu-west-1","stage":"canary","changes":["c1","c2"],"hotfix":true,"url":"https://x/d1"}
{"type":"deployment","id":"d2","service":"api","time":"2024-03-01T12:00:00Z","status":"success"}
{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T13:00:00Z","team":"core","resolved":"2024-03-01T14:00:00Z","deployment":"d1","severity":"sev1","title":"down","url":"https://x/i1"}
{"type":"incident","id":"i2","service":"api","opened":"2024-03-01T13:00:00Z"}
{"type":"finding","id":"f1","severity":"critical","status":"suppressed","opened":"2024-03-01T00:00:00Z","team":"sec","account":"123","service":"api","resolved":"2024-03-02T00:00:00Z","title":"open bucket","rule":"S3.1","frameworks":["PCI","SOC2"],"tool":"trivy","url":"https://x/f1"}
{"type":"finding","id":"f2","severity":"info","status":"open","opened":"2024-03-01T00:00:00Z"}
{"type":"canary","deployment":"d1","region":"us-east-1","time":"2024-03-01T12:05:00Z","verdict":"marginal","error_rate":0.012,"baseline_error_rate":0.01,"p99_ms":250.5,"baseline_p99_ms":200,"score":97.5}
{"type":"canary","deployment":"d2","region":"us-east-1","time":"2024-03-01T12:05:00Z"}
"#;

    const RECORDED: &str = r#"{"author":"ana","id":"c1","service":"api","team":"core","time":"2024-03-01T10:00:00.250Z","title":"Fix \"quotes\", é","type":"change","url":"https://x/c1"}
{"id":"c2","service":"api","time":"2024-03-01T12:00:00Z","type":"change"}
{"changes":["c1","c2"],"environment":"staging","hotfix":true,"id":"d1","region":"eu-west-1","service":"api","stage":"canary","status":"in_progress","team":"core","time":"2024-03-01T12:00:00Z","type":"deployment","url":"https://x/d1"}
{"id":"d2","service":"api","status":"success","time":"2024-03-01T12:00:00Z","type":"deployment"}
{"deployment":"d1","id":"i1","opened":"2024-03-01T13:00:00Z","resolved":"2024-03-01T14:00:00Z","service":"api","severity":"sev1","team":"core","title":"down","type":"incident","url":"https://x/i1"}
{"id":"i2","opened":"2024-03-01T13:00:00Z","service":"api","type":"incident"}
{"account":"123","frameworks":["PCI","SOC2"],"id":"f1","opened":"2024-03-01T00:00:00Z","resolved":"2024-03-02T00:00:00Z","rule":"S3.1","service":"api","severity":"critical","status":"suppressed","team":"sec","title":"open bucket","tool":"trivy","type":"finding","url":"https://x/f1"}
{"id":"f2","opened":"2024-03-01T00:00:00Z","severity":"info","status":"open","type":"finding"}
{"baseline_error_rate":0.01,"baseline_p99_ms":200.0,"deployment":"d1","error_rate":0.012,"p99_ms":250.5,"region":"us-east-1","score":97.5,"time":"2024-03-01T12:05:00Z","type":"canary","verdict":"marginal"}
{"deployment":"d2","region":"us-east-1","time":"2024-03-01T12:05:00Z","type":"canary"}
"#;

    #[test]
    fn to_line_writes_the_recorded_format() {
        let (events, d) = parse_str(EVERY_FIELD);
        assert!(d.malformed.is_empty(), "{:?}", d.malformed);
        assert_eq!(events.len(), 10);
        let lines: Vec<String> = events.iter().map(to_line).collect();
        // Byte for byte what the hand-written writer produced (keys sorted).
        let expected: Vec<&str> = RECORDED.lines().collect();
        assert_eq!(lines, expected);
        let (back, _) = parse_str(&lines.join("\n"));
        assert_eq!(back, events);
    }
}
