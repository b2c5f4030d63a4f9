//! `--record FILE`: every event the store receives, written as schema v1 NDJSON
//! (the format `replay` and `--events` read). Sits between the sources and the
//! store; each batch is written and flushed before it is passed on, so a crash
//! loses at most the batch in hand.

use std::borrow::Borrow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::model::Event;
use crate::model::source_update::SourceUpdate;
use crate::sources::events::to_line;

#[derive(Debug, thiserror::Error)]
#[error("cannot record to {path}: {source}")]
pub struct RecordError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Opens (creates or appends to) the recording; fails before the screen switches.
/// A new recording is private (0600), as the log is: it holds every event
/// the sources read; an existing one keeps its mode.
pub fn open(path: &Path) -> Result<File, RecordError> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|source| RecordError {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes a batch of events as NDJSON lines and flushes them to the file.
/// Scorecards read back from exporters are not events of the schema (they are
/// numbers, not history): they are not recorded.
pub fn write_batch<E: Borrow<Event>>(
    out: &mut impl Write,
    events: impl IntoIterator<Item = E>,
) -> std::io::Result<()> {
    for e in events {
        let e = e.borrow();
        if !matches!(e, Event::Scorecards(_)) {
            out.write_all(to_line(e).as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

/// Writes the events of `update`, if it has any.
fn write_update(out: &mut impl Write, update: &SourceUpdate) -> std::io::Result<()> {
    match update {
        SourceUpdate::Events { events, .. } if !events.is_empty() => write_batch(out, events),
        // A followed file's reads, made ready for the records: written as the
        // events they were read from, one at a time (a first read can be a
        // million lines).
        SourceUpdate::Prepared { events, .. } if !events.is_empty() => {
            write_batch(out, events.iter().map(|p| p.clone().into_event()))
        }
        _ => Ok(()),
    }
}

/// The line that opens each recording session: when it began on the
/// cockpit's clock. Events older than that were history when it began;
/// `replay` starts its clock there. Other readers skip it as a line of an
/// unknown type, as the schema says.
pub fn marker(started: crate::model::Time) -> String {
    format!(
        "{{\"type\":\"recording\",\"started\":\"{}\"}}\n",
        crate::util::format::rfc3339(started)
    )
}

/// When the first recording session in `lines` began, from its marker line.
pub fn started(mut lines: impl Iterator<Item = String>) -> Option<crate::model::Time> {
    lines
        .by_ref()
        .filter(|l| l.starts_with("{\"type\":\"recording\""))
        .find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l).ok()?;
            let t = chrono::DateTime::parse_from_rfc3339(v.get("started")?.as_str()?).ok()?;
            Some(t.with_timezone(&chrono::Utc))
        })
}

/// Returns the sender sources use; what arrives there is recorded, then
/// forwarded to `store`. A write error stops the recording (logged and shown
/// as a failing `record` source), never the data flow. The recording opens
/// with a [`marker`] of when it began (`started`, on the cockpit's clock).
pub fn tee(
    file: File,
    (path, started): (PathBuf, crate::model::Time),
    store: mpsc::Sender<SourceUpdate>,
) -> mpsc::Sender<SourceUpdate> {
    let (tx, mut rx) = mpsc::channel::<SourceUpdate>(256);
    tokio::spawn(async move {
        let mut writer = BufWriter::new(file);
        let opened = writer
            .write_all(marker(started).as_bytes())
            .and_then(|()| writer.flush());
        if let Err(e) = &opened {
            tracing::error!(path = %path.display(), %e, "recording stopped");
        }
        let mut out = opened.is_ok().then_some(writer);
        let name = crate::model::Text::from("record");
        while let Some(update) = rx.recv().await {
            // Written here, before the store gets the update: most batches are
            // small; a followed file's first read holds this task while it is
            // written, as the store would hold it applying the read.
            if let Some(w) = out.as_mut()
                && let Err(e) = write_update(w, &update)
            {
                tracing::error!(path = %path.display(), %e, "recording stopped");
                out = None;
                let failed = SourceUpdate::Failed {
                    source: name.clone(),
                    error: format!("recording to {} stopped: {e}", path.display()),
                };
                if store.send(failed).await.is_err() {
                    return;
                }
            }
            if store.send(update).await.is_err() {
                return;
            }
        }
    });
    tx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::prepared::Prepared;
    use crate::sources::events::parse_str;

    #[test]
    fn a_recorded_batch_reads_back_as_the_same_events() {
        let text = include_str!("../../tests/fixtures/report_handwritten.ndjson");
        let (events, _) = parse_str(text);
        let mut out = Vec::new();
        write_batch(&mut out, &events).ok();
        let (back, diagnostics) = parse_str(&String::from_utf8_lossy(&out));
        assert_eq!(back, events);
        assert!(diagnostics.malformed.is_empty());
    }

    /// A followed file's read is recorded as the lines it was read from.
    #[test]
    fn a_prepared_read_is_recorded_as_its_events() {
        let text = include_str!("../../tests/fixtures/report_handwritten.ndjson");
        let (events, _) = parse_str(text);
        let prepared = events.iter().cloned().map(Prepared::new).collect();
        let source = crate::model::Text::from("file");
        let mut out = Vec::new();
        let update = SourceUpdate::Prepared {
            source,
            events: prepared,
        };
        write_update(&mut out, &update).expect("written to memory");
        let (back, _) = parse_str(&String::from_utf8_lossy(&out));
        assert_eq!(back, events);
        assert!(back.len() > 10, "{} events", back.len());
    }

    #[cfg(unix)]
    #[test]
    fn a_new_recording_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("release.ndjson");
        open(&path).expect("opened");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
