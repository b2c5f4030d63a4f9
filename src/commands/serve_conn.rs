//! `serve`'s connections: its own accept loop over hyper's HTTP/1 server, so
//! that what a client can hold is bounded (`axum::serve` has no header
//! timeout, no connection limit and waits for every connection on shutdown).
//!
//! - a request's headers must be complete within [`Limits::header_timeout`],
//!   counted from when the connection starts waiting for them (a slow sender);
//! - a connection where no byte moves either way for [`Limits::idle_timeout`]
//!   is closed: an idle keep-alive connection, one that never sends, a client
//!   that stops reading its answer;
//! - at most [`Limits::max_connections`] are open (lowered to fit the open-file
//!   limit): a new connection past it closes the one quiet the longest, so a
//!   new scraper always gets in, however many idle connections are held;
//! - on shutdown, idle connections close at once and the rest get
//!   [`Limits::shutdown_deadline`] before they are cut.

use std::collections::HashMap;
use std::io;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// What one client may hold of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(10),
            max_connections: 256,
            shutdown_deadline: Duration::from_secs(3),
        }
    }
}

/// File descriptors kept free of connections: the runtime, the log, the
/// sources' own connections and files.
const FD_RESERVE: u64 = 64;

impl Limits {
    /// The connection limit lowered to fit `open_files` (the soft
    /// `RLIMIT_NOFILE`), keeping [`FD_RESERVE`] free; at least 8.
    #[must_use]
    pub fn fitted(self, open_files: Option<u64>) -> Self {
        let room = open_files.map_or(u64::MAX, |n| n.saturating_sub(FD_RESERVE).max(8));
        let max = usize::try_from(room).unwrap_or(usize::MAX);
        Self {
            max_connections: self.max_connections.min(max).max(1),
            ..self
        }
    }
}

/// The soft limit on open files, when it has one.
pub fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// How the server stopped: connections still open at the shutdown deadline were cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    pub cut: usize,
    pub deadline: Duration,
}

impl Stopped {
    pub fn describe(&self) -> String {
        match self.cut {
            0 => "flightdeck: serve stopped".to_string(),
            n => format!(
                "flightdeck: serve stopped; closed {n} connection{} still open at the {}s shutdown deadline",
                if n == 1 { "" } else { "s" },
                self.deadline.as_secs_f64()
            ),
        }
    }
}

/// One open connection, as the registry sees it.
struct Slot {
    /// Milliseconds since the registry started, at the last byte moved.
    last_io: AtomicU64,
    evict: Notify,
}

struct Registry {
    started: Instant,
    max: usize,
    next: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Slot>>>,
}

impl Registry {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Registers a new connection, closing the quietest ones past the limit.
    fn join(&self) -> (u64, Arc<Slot>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            last_io: AtomicU64::new(self.now_ms()),
            evict: Notify::new(),
        });
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while open.len() >= self.max {
            if !evict_quietest(&mut open) {
                break;
            }
        }
        open.insert(id, slot.clone());
        (id, slot)
    }

    fn leave(&self, id: u64) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        open.remove(&id);
    }

    /// Frees a descriptor when accepting fails for want of one.
    fn shed_one(&self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        evict_quietest(&mut open);
    }
}

fn evict_quietest(open: &mut HashMap<u64, Arc<Slot>>) -> bool {
    let quietest = open
        .iter()
        .min_by_key(|(id, s)| (s.last_io.load(Ordering::Relaxed), **id))
        .map(|(id, _)| *id);
    match quietest.and_then(|id| open.remove(&id)) {
        Some(slot) => {
            slot.evict.notify_one();
            true
        }
        None => false,
    }
}

/// Serves `router` on `listener` until `shutdown` completes, within `limits`.
pub async fn serve_connections(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> Stopped {
    let registry = Arc::new(Registry {
        started: Instant::now(),
        max: limits.max_connections.max(1),
        next: AtomicU64::new(0),
        open: Mutex::new(HashMap::new()),
    });
    let (stop, stopping) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let (id, slot) = registry.join();
                    tasks.spawn(connection(
                        stream,
                        router.clone(),
                        limits,
                        Seat { registry: registry.clone(), id, slot },
                        stopping.clone(),
                    ));
                }
                Err(e) => accept_failed(&e, &registry).await,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.shutdown_deadline, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    let cut = if drained.is_ok() { 0 } else { tasks.len() };
    tasks.abort_all();
    Stopped {
        cut,
        deadline: limits.shutdown_deadline,
    }
}

/// A failed accept: a connection reset before it was taken is nothing; out of
/// descriptors, the quietest connection makes room; the loop never spins.
async fn accept_failed(e: &io::Error, registry: &Registry) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset, Interrupted};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted
    ) {
        return;
    }
    let out_of_files = matches!(e.raw_os_error(), Some(code) if code == rustix::io::Errno::MFILE.raw_os_error() || code == rustix::io::Errno::NFILE.raw_os_error());
    if out_of_files {
        registry.shed_one();
        tracing::warn!(%e, "serve: out of file descriptors; closed the quietest connection");
        tokio::time::sleep(Duration::from_millis(10)).await;
    } else {
        tracing::warn!(%e, "serve: accepting a connection failed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A connection's place in the registry, given up when it ends.
struct Seat {
    registry: Arc<Registry>,
    id: u64,
    slot: Arc<Slot>,
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.registry.leave(self.id);
    }
}

async fn connection(
    stream: TcpStream,
    router: Router,
    limits: Limits,
    seat: Seat,
    mut stopping: watch::Receiver<bool>,
) {
    let io = TokioIo::new(Watched {
        inner: stream,
        slot: seat.slot.clone(),
        registry: seat.registry.clone(),
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(io, TowerToHyperService::new(router));
    let mut conn = pin!(conn);
    let mut graceful = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            () = seat.slot.evict.notified() => return,
            () = stalled(&seat, limits.idle_timeout) => return,
            _ = stopping.changed(), if !graceful => {
                graceful = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Completes once no byte has moved for `idle`.
async fn stalled(seat: &Seat, idle: Duration) {
    let idle_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX);
    loop {
        let last = seat.slot.last_io.load(Ordering::Relaxed);
        let due = last.saturating_add(idle_ms);
        let now = seat.registry.now_ms();
        if now >= due {
            return;
        }
        tokio::time::sleep(Duration::from_millis(due - now)).await;
    }
}

/// A stream that notes when a byte last moved.
struct Watched {
    inner: TcpStream,
    slot: Arc<Slot>,
    registry: Arc<Registry>,
}

impl Watched {
    fn touch(&self) {
        self.slot
            .last_io
            .store(self.registry.now_ms(), Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_limit_fits_the_open_file_limit() {
        let l = Limits::default();
        assert_eq!(l.fitted(None).max_connections, 256);
        assert_eq!(l.fitted(Some(256)).max_connections, 192);
        assert_eq!(l.fitted(Some(10_000)).max_connections, 256);
        assert_eq!(l.fitted(Some(20)).max_connections, 8);
    }

    #[test]
    fn stopping_says_how_many_connections_were_cut() {
        let d = Duration::from_secs(3);
        assert_eq!(
            Stopped {
                cut: 0,
                deadline: d
            }
            .describe(),
            "flightdeck: serve stopped"
        );
        assert_eq!(
            Stopped {
                cut: 50,
                deadline: d
            }
            .describe(),
            "flightdeck: serve stopped; closed 50 connections still open at the 3s shutdown deadline"
        );
    }
}
