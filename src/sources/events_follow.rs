//! The `events` source: NDJSON (schema v1) from a file that is followed as it
//! grows, or from a URL. A file that shrinks (truncated) or is replaced
//! (rotated: another inode) is read again from the start; repeated events are
//! filtered by the scheduler.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use serde::Deserialize;

use crate::model::diagnostics::Diagnostics;
use crate::sources::events::{prepare_block, read};
use crate::sources::events_parallel::read_parallel;
use crate::sources::http::{AuthStyle, Http, HttpOptions, Secret};
use crate::sources::scheduler::{PollError, Polled, Poller};
use crate::util::text::redact_url;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsSpec {
    pub path: Option<PathBuf>,
    pub url: Option<String>,
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    pub max_body_bytes: Option<usize>,
}

impl EventsSpec {
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut p = crate::sources::http::check_http(
            self.url.as_deref(),
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        );
        match (&self.path, &self.url) {
            (Some(_), Some(_)) => p.push(("path", "set path or url, not both".into())),
            (None, None) => p.push(("path", "required key is missing (or set `url`)".into())),
            _ => {}
        }
        p
    }
}

/// Where a followed file was read up to.
#[derive(Debug, Default)]
pub struct FollowState {
    offset: u64,
    /// Lines read so far (for line numbers in messages).
    lines: u64,
    identity: Option<(u64, u64)>,
    /// Size at the last poll when it ended in a partial line.
    partial_at: Option<u64>,
    /// Whether the file has been read once: the first read takes it whole.
    started: bool,
    /// The first and the last bytes read so far (up to [`SAMPLE`] each): when
    /// either differs on disk, the file was rewritten in place.
    head: Vec<u8>,
    tail: Vec<u8>,
    /// Malformed lines skipped since the file was last read from its start.
    malformed: u64,
    /// A read the scheduler stopped waiting for (past its deadline), handed
    /// over by the next poll: its lines are past `offset` and would be lost.
    undelivered: Option<Polled>,
}

/// Bytes compared at each end of what was read to tell a rewrite from growth.
const SAMPLE: u64 = 4096;

pub enum EventsPoller {
    File {
        path: PathBuf,
        state: Arc<Mutex<FollowState>>,
    },
    Url {
        http: Box<Http>,
        url: String,
    },
}

impl EventsPoller {
    pub fn new(spec: EventsSpec, timeout: Duration) -> Result<Self, String> {
        if let Some(path) = spec.path {
            return Ok(EventsPoller::File {
                path,
                state: Arc::default(),
            });
        }
        let url = spec.url.ok_or("set `path` or `url`")?;
        let token = Secret::resolve(spec.token_env.as_deref(), spec.token_file.as_deref())?;
        let opts = HttpOptions {
            timeout,
            max_body: spec
                .max_body_bytes
                .unwrap_or(crate::sources::http::DEFAULT_MAX_BODY),
            max_pages: 1,
        };
        let http = Http::new(
            &url,
            token.as_ref(),
            AuthStyle::Bearer,
            "application/x-ndjson, */*",
            opts,
        )
        .map_err(|e| e.to_string())?;
        Ok(EventsPoller::Url {
            http: Box::new(http),
            url,
        })
    }
}

fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Reads what was appended since the last call. Complete lines are read; a
/// last line without its newline waits one poll for the rest of it, except on
/// the first read: the file as it stands is taken whole, as `report` reads it,
/// so the first numbers published (`serve` is ready after it) are complete.
/// A file truncated, replaced or rewritten in place is read again from its
/// start, and the warning says so.
pub fn read_appended(path: &std::path::Path, state: &mut FollowState) -> Result<Polled, PollError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| PollError::new(format!("cannot read {shown}: {e}"));
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(PollError::new(format!(
            "{shown} is a directory, not an events file"
        )));
    }
    let mut file = crate::util::files::open_regular(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let len = meta.len();
    let restart = restart_reason(&mut file, state, identity(&meta), len).map_err(io)?;
    if let Some(reason) = restart {
        tracing::info!(path = %shown, reason, "events file read again from the start");
        *state = FollowState::default();
    }
    state.identity = identity(&meta);
    let notice = restart.map(|reason| format!("{shown} was {reason}: read again from the start"));
    let mut polled = read_new_lines(&mut file, &shown, state, len).map_err(io)?;
    polled.warning = match (notice, polled.warning) {
        (Some(n), Some(w)) => Some(format!("{n}; {w}")),
        (n, w) => n.or(w),
    };
    Ok(polled)
}

/// Why the file must be read from its start, if it must: shorter than what was
/// read (truncated), another file under the name (replaced), or the bytes read
/// so far changed at either end (rewritten in place, even to the same size).
fn restart_reason(
    file: &mut File,
    state: &FollowState,
    id: Option<(u64, u64)>,
    len: u64,
) -> std::io::Result<Option<&'static str>> {
    if len < state.offset {
        return Ok(Some("truncated"));
    }
    if state.identity.is_some() && id != state.identity {
        return Ok(Some("replaced"));
    }
    let (head, tail) = samples(file, state.offset)?;
    Ok((head != state.head || tail != state.tail).then_some("rewritten in place"))
}

/// The first and the last [`SAMPLE`] bytes of `file` before `end`.
fn samples(file: &mut File, end: u64) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let n = end.min(SAMPLE);
    Ok((read_at(file, 0, n)?, read_at(file, end - n, n)?))
}

fn read_at(file: &mut File, at: u64, n: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(n as usize);
    file.seek(SeekFrom::Start(at))?;
    file.by_ref().take(n).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads the complete lines after `state.offset` (all of them on the first read).
fn read_new_lines(
    file: &mut File,
    shown: &str,
    state: &mut FollowState,
    len: u64,
) -> std::io::Result<Polled> {
    if len == state.offset {
        return Ok(Polled::default());
    }
    let complete = last_newline(file, state.offset, len)?;
    // A partial last line is taken once the file has stopped growing.
    let first = !std::mem::replace(&mut state.started, true);
    let take = match complete {
        Some(end) if end == len => end,
        _ if first || state.partial_at == Some(len) => len,
        Some(end) => end,
        None => state.offset,
    };
    state.partial_at = (take < len).then_some(len);
    if take == state.offset {
        return Ok(Polled::default());
    }
    file.seek(SeekFrom::Start(state.offset))?;
    let input = file.by_ref().take(take - state.offset);
    let mut prepared = Vec::new();
    // The first read of a large file is parsed on every core, in line order,
    // and made ready for the records there.
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut d: Diagnostics =
        read_parallel(input, shown, workers, prepare_block, |e| prepared.push(e))?;
    for m in &mut d.malformed {
        m.line += state.lines;
    }
    state.lines += d.lines;
    state.offset = take;
    (state.head, state.tail) = samples(file, take)?;
    state.malformed += d.malformed.len() as u64;
    Ok(Polled {
        events: Vec::new(),
        prepared,
        warning: warning(&d, state.malformed),
    })
}

/// The offset just after the last newline in `start..end`, scanning back.
fn last_newline(file: &mut File, start: u64, end: u64) -> std::io::Result<Option<u64>> {
    const BLOCK: u64 = 64 * 1024;
    let mut hi = end;
    let mut buf = vec![0u8; BLOCK as usize];
    while hi > start {
        let lo = hi.saturating_sub(BLOCK).max(start);
        let n = (hi - lo) as usize;
        file.seek(SeekFrom::Start(lo))?;
        file.read_exact(&mut buf[..n])?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            return Ok(Some(lo + i as u64 + 1));
        }
        hi = lo;
    }
    Ok(None)
}

/// The warning for a read's malformed lines; `total` counts them since the
/// file was last read from its start, so a file with thousands of bad lines
/// read over many polls does not show as the last poll's one.
fn warning(d: &Diagnostics, total: u64) -> Option<String> {
    for m in &d.malformed {
        tracing::warn!(origin = %m.origin, line = m.line, error = %m.error, "malformed line skipped");
    }
    let first = d.malformed.first()?;
    let these = crate::util::format::plural(d.malformed.len(), "malformed line");
    Some(if total > d.malformed.len() as u64 {
        format!(
            "{these} skipped in this read, {total} in all (first: line {}: {})",
            first.line, first.error
        )
    } else {
        format!(
            "{these} skipped (first: line {}: {})",
            first.line, first.error
        )
    })
}

impl Poller for EventsPoller {
    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        match self {
            EventsPoller::File { path, state } => {
                let path = path.clone();
                let state = state.clone();
                Box::pin(async move {
                    // The read is left in the state and taken from there with no
                    // await in between: if the scheduler stops waiting (past its
                    // deadline) the lines read past wait for the next poll.
                    let shared = state.clone();
                    tokio::task::spawn_blocking(move || {
                        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
                        if s.undelivered.is_none() {
                            s.undelivered = Some(read_appended(&path, &mut s)?);
                        }
                        Ok(())
                    })
                    .await
                    .unwrap_or_else(|e| Err(PollError::new(format!("the reader stopped: {e}"))))?;
                    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                    Ok(s.undelivered.take().unwrap_or_default())
                })
            }
            EventsPoller::Url { http, url } => Box::pin(async move {
                let target = reqwest::Url::parse(url)
                    .map_err(|e| PollError::new(format!("invalid URL {}: {e}", redact_url(url))))?;
                let page = http.get(target).await?;
                let mut events = Vec::new();
                let d = read(&page.body[..], url, |e| events.push(e))
                    .map_err(|e| PollError::new(format!("{}: {e}", redact_url(url))))?;
                // A URL is read whole each time: its count is the whole count.
                let total = d.malformed.len() as u64;
                Ok(Polled {
                    prepared: Vec::new(),
                    events,
                    warning: warning(&d, total),
                })
            }),
        }
    }

    /// A followed file only ever hands over new lines.
    fn repeats(&self) -> bool {
        matches!(self, EventsPoller::Url { .. })
    }

    fn quota(&self) -> Option<crate::model::source_update::Quota> {
        match self {
            EventsPoller::Url { http, .. } => http.quota(),
            EventsPoller::File { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const LINE: &str = "{\"type\":\"change\",\"id\":\"c{N}\",\"service\":\"a\",\"time\":\"2024-01-01T00:00:00Z\"}\n";

    fn line(n: u32) -> String {
        LINE.replace("{N}", &n.to_string())
    }

    #[test]
    fn a_growing_file_is_followed_and_truncation_restarts() {
        let dir = std::env::temp_dir().join(format!("fd-follow-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.ndjson");
        std::fs::write(&path, line(1) + &line(2)).unwrap();
        let mut st = FollowState::default();
        assert_eq!(read_appended(&path, &mut st).unwrap().prepared.len(), 2);
        assert_eq!(read_appended(&path, &mut st).unwrap().prepared.len(), 0);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(line(3).as_bytes()).unwrap();
        // Half a line: held back until it is complete or stops growing.
        let half = line(4);
        f.write_all(&half.as_bytes()[..20]).unwrap();
        assert_eq!(read_appended(&path, &mut st).unwrap().prepared.len(), 1);
        f.write_all(&half.as_bytes()[20..]).unwrap();
        f.write_all(b"not json\n").unwrap();
        let p = read_appended(&path, &mut st).unwrap();
        assert_eq!(p.prepared.len(), 1);
        assert!(
            p.warning.unwrap().contains("line 5"),
            "line numbers continue"
        );
        // Rotated: a new file under the same name is read from its start.
        std::fs::rename(&path, dir.join("old.ndjson")).unwrap();
        std::fs::write(&path, line(7) + &line(8)).unwrap();
        assert_eq!(read_appended(&path, &mut st).unwrap().prepared.len(), 2);
        // Truncated and rewritten: read from the start again.
        std::fs::write(&path, line(9)).unwrap();
        let p = read_appended(&path, &mut st).unwrap();
        assert_eq!(p.prepared.len(), 1);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_first_read_takes_a_last_line_without_its_newline() {
        let dir = std::env::temp_dir().join(format!("fd-follow-first-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.ndjson");
        let last = line(2);
        std::fs::write(&path, line(1) + last.trim_end()).unwrap();
        let mut st = FollowState::default();
        assert_eq!(read_appended(&path, &mut st).unwrap().prepared.len(), 2);
        // Later partial lines wait for the rest, as before.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"\n").unwrap();
        f.write_all(&line(3).as_bytes()[..20]).unwrap();
        assert_eq!(read_appended(&path, &mut st).unwrap().prepared.len(), 0);
        std::fs::remove_dir_all(&dir).ok();
    }

    fn lines(ids: std::ops::Range<u32>) -> String {
        ids.map(line).collect()
    }

    #[test]
    fn a_file_rewritten_in_place_is_read_again_even_at_the_same_size() {
        let dir = std::env::temp_dir().join(format!("fd-follow-rw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.ndjson");
        std::fs::write(&path, lines(10..20)).unwrap();
        let mut st = FollowState::default();
        assert_eq!(read_appended(&path, &mut st).unwrap().prepared.len(), 10);
        // Same inode, same size, other events (ids of the same length).
        std::fs::write(&path, lines(30..40)).unwrap();
        let p = read_appended(&path, &mut st).unwrap();
        assert_eq!(p.prepared.len(), 10);
        let warning = p.warning.unwrap();
        assert!(
            warning.contains("was rewritten in place: read again from the start"),
            "{warning}"
        );
        // Larger: every new event is read, none skipped up to the old offset.
        std::fs::write(&path, lines(40..80)).unwrap();
        let p = read_appended(&path, &mut st).unwrap();
        assert_eq!(p.prepared.len(), 40);
        // Appending is still growth, not a rewrite.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(line(80).as_bytes()).unwrap();
        let p = read_appended(&path, &mut st).unwrap();
        assert_eq!((p.prepared.len(), p.warning), (1, None));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn malformed_lines_are_counted_across_reads() {
        let dir = std::env::temp_dir().join(format!("fd-follow-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.ndjson");
        std::fs::write(&path, line(1) + "bad\nbad\nbad\n").unwrap();
        let mut st = FollowState::default();
        let p = read_appended(&path, &mut st).unwrap();
        assert!(
            p.warning
                .unwrap()
                .starts_with("3 malformed lines skipped (first: line 2")
        );
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"bad\n").unwrap();
        let p = read_appended(&path, &mut st).unwrap();
        assert!(
            p.warning
                .unwrap()
                .starts_with("1 malformed line skipped in this read, 4 in all (first: line 5")
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn fifos_and_devices_are_refused_with_their_kind() {
        let mut st = FollowState::default();
        let e = read_appended(std::path::Path::new("/dev/zero"), &mut st).unwrap_err();
        assert!(
            e.message
                .starts_with("cannot read /dev/zero: a character device, not a regular file"),
            "{}",
            e.message
        );
    }

    #[tokio::test]
    async fn a_read_the_scheduler_stopped_waiting_for_is_handed_over_next_poll() {
        let dir = std::env::temp_dir().join(format!("fd-follow-late-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.ndjson");
        std::fs::write(&path, lines(100..400)).unwrap();
        let state: Arc<Mutex<FollowState>> = Arc::default();
        let mut poller = EventsPoller::File {
            path: path.clone(),
            state: state.clone(),
        };
        // Given up on at once (the future is dropped), as past a deadline.
        let first = tokio::time::timeout(Duration::ZERO, poller.poll()).await;
        let mut read = first.map_or(0, |p| p.unwrap().prepared.len());
        for _ in 0..500 {
            if state.lock().unwrap().offset > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        read += poller.poll().await.unwrap().prepared.len();
        assert_eq!(read, 300, "every line reaches the scheduler once");
        assert_eq!(poller.poll().await.unwrap().prepared.len(), 0);
        std::fs::remove_dir_all(&dir).ok();
    }
}
