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
use crate::model::prepared::Prepared;
use crate::sources::event_lines::{Line, MAX_LINE, next_line, too_long};
use crate::sources::event_prepare::{Keep, keep_numbers, prepared};
use crate::sources::event_scan::{Members, Value, scan};
use crate::sources::event_schema::{
    RawBaseline, RawCanary, RawChange, RawContract, RawDeployment, RawFinding, RawIncident,
    RawStandard,
};
use crate::sources::events_parallel::ParseBlock;
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
    mut sink: impl FnMut(Event),
) -> Result<Diagnostics, ReadError> {
    read_file_with(path, strict, parse_block, |events| {
        events.into_iter().for_each(&mut sink);
    })
}

/// What the numbers read of an events file ([`prepare_block_numbers`]),
/// each event made ready for the records on the thread that parsed it
/// ([`Prepared`]): what `report` reads. Each block's events are handed to
/// `sink` at once, in line order.
pub fn read_file_prepared(
    path: &Path,
    strict: bool,
    sink: impl FnMut(Vec<Prepared>),
) -> Result<Diagnostics, ReadError> {
    read_file_with(path, strict, prepare_block_numbers, sink)
}

/// Reads an events file, parsed on every core with `parse`; the events still
/// reach `sink` in line order, a block at a time.
fn read_file_with<T: Send>(
    path: &Path,
    strict: bool,
    parse: ParseBlock<T>,
    sink: impl FnMut(Vec<T>),
) -> Result<Diagnostics, ReadError> {
    let file = open(path)?;
    let io_err = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let origin = path.display().to_string();
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let diagnostics =
        super::events_parallel::read_parallel_blocks(file, &origin, workers, parse, sink)
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
        count(&mut diagnostics, origin, parsed, &mut sink);
    }
    Ok(diagnostics)
}

/// [`read`] on text already in memory: each line is parsed where it lies,
/// not copied out first (the copy cost a parse 5%), with the same limit.
fn read_slice(bytes: &[u8], origin: &str, sink: impl FnMut(Event)) -> Diagnostics {
    read_slice_with(bytes, origin, parse_line, sink)
}

/// [`read_slice`] with each line parsed by `parse`.
fn read_slice_with<T>(
    bytes: &[u8],
    origin: &str,
    parse: impl Fn(&[u8]) -> Result<Parsed<T>, String>,
    mut sink: impl FnMut(T),
) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (line, after) = match memchr::memchr(b'\n', rest) {
            Some(end) => (&rest[..end], &rest[end + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = after;
        let parsed = if line.len() > MAX_LINE {
            Err(too_long(line.len() as u64))
        } else {
            parse(line)
        };
        count(&mut diagnostics, origin, parsed, &mut sink);
    }
    diagnostics
}

/// What one line gave: its event to `sink`, or its place in `diagnostics`.
fn count<T>(
    diagnostics: &mut Diagnostics,
    origin: &str,
    parsed: Result<Parsed<T>, String>,
    sink: &mut impl FnMut(T),
) {
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

/// Parses one block of whole lines read from `origin` (the parallel reader's step).
pub fn parse_block(bytes: &[u8], origin: &str) -> (Vec<Event>, Diagnostics) {
    let mut events = Vec::with_capacity(lines_in(bytes));
    let diagnostics = read_slice(bytes, origin, |e| events.push(e));
    (events, diagnostics)
}

/// At most how many events a block gives (one a line): room for them up
/// front, so that a block's list is not copied as it grows.
fn lines_in(bytes: &[u8]) -> usize {
    // Counted in runs of at most 255 bytes into a byte-wide count, which the
    // compiler turns into 16 or 32 bytes a step; a plain count widens every
    // byte to 64 bits and took 7% of a parse (measured on a 1,000,003-line file).
    let run = |c: &[u8]| c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
    bytes
        .chunks(255)
        .map(|c| usize::from(run(c)))
        .sum::<usize>()
        + 1
}

/// [`parse_block`] with each event made ready for the records here, on the
/// parsing thread.
pub fn prepare_block(bytes: &[u8], origin: &str) -> (Vec<Prepared>, Diagnostics) {
    prepare_with(bytes, origin, Keep::All)
}

/// [`prepare_block`] keeping only what the numbers read ([`keep_numbers`]):
/// the text left out is never copied.
pub fn prepare_block_numbers(bytes: &[u8], origin: &str) -> (Vec<Prepared>, Diagnostics) {
    prepare_with(bytes, origin, Keep::Numbers)
}

fn prepare_with(bytes: &[u8], origin: &str, keep: Keep) -> (Vec<Prepared>, Diagnostics) {
    let mut out = Vec::with_capacity(lines_in(bytes));
    let parse = |line: &[u8]| prepare_line(line, keep);
    let diagnostics = read_slice_with(bytes, origin, parse, |p| out.push(p));
    (out, diagnostics)
}

/// One line made ready for the records: a change or deployment line of the
/// usual shape straight from what was read ([`prepared`]), any other line as
/// its event.
fn prepare_line(line: &[u8], keep: Keep) -> Result<Parsed<Prepared>, String> {
    let bare = line.strip_suffix(b"\r").unwrap_or(line);
    let mut m = Members::default();
    if scan(bare, &mut m).is_some()
        && let Some(p) = prepared(&m, keep)
    {
        return Ok(Parsed::Event(p));
    }
    Ok(match parse_line(line)? {
        Parsed::Event(mut e) => {
            if keep == Keep::Numbers {
                keep_numbers(&mut e);
            }
            Parsed::Event(Prepared::new(e))
        }
        Parsed::Blank => Parsed::Blank,
        Parsed::UnknownType => Parsed::UnknownType,
    })
}

/// Parses a whole in-memory text (used by tests and the demo's self-check).
pub fn parse_str(text: &str) -> (Vec<Event>, Diagnostics) {
    let mut events = Vec::new();
    let diagnostics = read_slice(text.as_bytes(), "<text>", |e| events.push(e));
    (events, diagnostics)
}

/// What a line gave: its event (`T`: as read, or made ready for the records).
pub enum Parsed<T = Event> {
    Event(T),
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
        "contract" => Event::Contract(from::<RawContract>(line)?.into_model()?),
        "standard" => Event::Standard(from::<RawStandard>(line)?.into_model()?),
        "baseline" => Event::Baseline(from::<RawBaseline>(line)?.into_model()?),
        _ => return Ok(Parsed::UnknownType),
    };
    Ok(Parsed::Event(event))
}

/// One parse instead of two for the common lines: the type is guessed from the
/// first `"type":"` in the line and the line parsed as that type, which carries
/// the `type` it really has. `None` (a wrong guess, an unusual type or a bad
/// line) takes the general path, which also words the errors.
fn at_a_guess(line: &[u8]) -> Option<Event> {
    let mut m = Members::default();
    if scan(line, &mut m).is_some() {
        return scanned(&m);
    }
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

/// A line the fast path scanned, as the event it is when it is one of the
/// common types and passes the model's checks; else `None` (the general path
/// then reads it and words the error).
fn scanned(m: &Members<'_>) -> Option<Event> {
    Some(match m.kind()? {
        Value::Str("deployment") => {
            Event::Deployment(RawDeployment::scanned(m)?.into_model().ok()?)
        }
        Value::Str("change") => Event::Change(RawChange::scanned(m)?.into_model().ok()?),
        Value::Str("incident") => Event::Incident(RawIncident::scanned(m)?.into_model().ok()?),
        _ => return None,
    })
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
#[path = "events_tests.rs"]
mod tests;
