//! `flightdeck serve`: headless. Runs the sources into the store, renders the
//! OpenMetrics exposition once per published snapshot and answers `/metrics` and
//! `/healthz` over HTTP (axum routes, served by `serve_conn`'s bounded
//! connections). No TUI. With `--token-file`, `/metrics` wants
//! `Authorization: Bearer <token>`. With `--shard I/N`, only shard I's teams
//! (see `model::shard` and `report::openmetrics`'s scopes).
//!
//! What is served comes from [`Inputs`], built by the composition root
//! (`commands::wiring`) from `--demo`, `--events` and `--config` exactly as
//! for the cockpit.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use color_eyre::eyre::Result;
use tokio::sync::watch;

use crate::commands::cli::ServeArgs;
pub use crate::commands::serve_conn::{Limits, Stopped};
use crate::model::shard::Shard;
use crate::report::openmetrics;
use crate::sources::secret::{Secret, loose_permissions};
use crate::store::Snapshot;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("--token-file: {0}")]
    Token(String),
}

/// How `serve` guards itself: its connection limits and, optionally, the
/// bearer token `/metrics` wants.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    pub limits: Limits,
    pub token: Option<Secret>,
    /// The teams served (`1/1`: all of them).
    pub shard: Shard,
}

impl ServeOptions {
    /// From the command line; the connection limit fitted to the open-file limit.
    pub fn from_args(args: &ServeArgs) -> Result<Self, ServeError> {
        let token = match &args.token_file {
            Some(path) => {
                if let Some(warning) = loose_permissions(path) {
                    let warning = warning.trim_start_matches("token_file: ");
                    eprintln!("flightdeck: warning: --token-file: {warning}");
                }
                let token = Secret::from_file(path)
                    .map_err(|e| ServeError::Token(e.trim_start_matches("token_file: ").into()))?;
                Some(token)
            }
            None => None,
        };
        let limits = Limits {
            max_connections: args.max_connections,
            ..Limits::default()
        }
        .fitted(crate::commands::serve_conn::open_file_limit());
        Ok(Self {
            limits,
            token,
            shard: args.shard,
        })
    }
}

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let options = ServeOptions::from_args(args)?;
    let inputs = crate::commands::wiring::inputs(crate::commands::wiring::InputArgs {
        events: &args.events,
        demo: &args.demo,
        speed: args.speed,
        now: args.now,
        config: crate::config::load(args.config.as_deref())?,
        benchmark: None,
        shard: args.shard,
    })?;
    let _log = crate::commands::logging::init();
    tracing::info!(?args, "serve starting");
    if options.shard != Shard::ALL {
        // Before the address line, which is the last thing said on start.
        eprintln!(
            "flightdeck: shard {}: the teams whose FNV-1a 64 name hash is {} modulo {}",
            options.shard,
            options.shard.index() - 1,
            options.shard.count()
        );
        for line in &inputs.skipped {
            tracing::info!(%line, "source not read by this shard");
            eprintln!("flightdeck: {line}");
        }
    }
    let runtime = crate::commands::wiring::runtime()?;
    let stopped = runtime.block_on(async {
        let listener = bind(args.listen).await?;
        let addr = listener.local_addr().unwrap_or(args.listen);
        if let Some(warning) = exposure_warning(addr, options.token.is_some()) {
            tracing::warn!(%addr, "serving beyond this machine");
            eprintln!("{warning}");
        }
        // One line on stderr: where to scrape (the port, when asked for port 0).
        eprintln!("flightdeck: serving OpenMetrics on http://{addr}/metrics");
        tracing::info!(limits = ?options.limits, token = options.token.is_some(), "serve limits");
        serve_with(listener, inputs, shutdown_signal(), options).await
    })?;
    // A source stuck in a blocking read must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    tracing::info!(cut = stopped.cut, "serve stopped");
    eprintln!("{}", stopped.describe());
    Ok(ExitCode::SUCCESS)
}

/// On an address other machines can reach, every team's numbers are open to
/// anyone who connects unless a token is asked for. Said, not refused, since
/// a firewall or a proxy may guard it.
pub fn exposure_warning(addr: SocketAddr, token: bool) -> Option<String> {
    (!addr.ip().is_loopback() && !token).then(|| {
        format!(
            "flightdeck: warning: {addr} is reachable from other machines and /metrics has no \
             authentication; listen on 127.0.0.1 unless a firewall or proxy guards it, or pass \
             --token-file FILE to require `Authorization: Bearer <token>`"
        )
    })
}

pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })
}

/// Runs the store and the HTTP server until `shutdown` completes, with the
/// default limits and no token.
pub async fn serve(
    listener: tokio::net::TcpListener,
    inputs: crate::commands::wiring::Inputs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_with(listener, inputs, shutdown, ServeOptions::default())
        .await
        .map(|_| ())
}

/// Runs the store and the HTTP server until `shutdown` completes; says how
/// many connections were cut at the shutdown deadline.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    inputs: crate::commands::wiring::Inputs,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: ServeOptions,
) -> Result<Stopped> {
    let running = inputs.start(None);
    // Keeps the configured sources polling for as long as the server runs.
    let _scheduler = running.scheduler;
    let exposition = publish_expositions(running.snapshots, options.shard);
    let app = router_with(exposition, options.token);
    Ok(
        crate::commands::serve_conn::serve_connections(listener, app, options.limits, shutdown)
            .await,
    )
}

/// Renders the exposition of every snapshot the store publishes (what `shard`
/// serves), once, off the request path; requests read the latest bytes. `None` until every source has
/// read once (successfully or not): the declared teams with no data yet would
/// otherwise be scraped as zeros.
pub fn publish_expositions(
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    shard: Shard,
) -> watch::Receiver<Option<Bytes>> {
    let (tx, rx) = watch::channel(None);
    tokio::spawn(async move {
        let mut ready = false;
        loop {
            let snapshot = snapshots.borrow_and_update().clone();
            ready = ready || sources_have_read(&snapshot);
            if ready {
                // Rendering is CPU work; keep it off the threads that answer requests.
                let rendered = tokio::task::spawn_blocking(move || {
                    let exporter = openmetrics::Exporter {
                        shard,
                        version: env!("CARGO_PKG_VERSION"),
                    };
                    Bytes::from(openmetrics::render_exporter(&snapshot, &exporter))
                })
                .await;
                match rendered {
                    Ok(bytes) => {
                        if tx.send(Some(bytes)).is_err() {
                            break;
                        }
                    }
                    Err(e) => tracing::error!(%e, "rendering the exposition failed"),
                }
            }
            if snapshots.changed().await.is_err() {
                break;
            }
        }
    });
    rx
}

/// Every source has registered and finished its first read.
pub fn sources_have_read(snapshot: &Snapshot) -> bool {
    !snapshot.sources.is_empty()
        && snapshot
            .sources
            .iter()
            .all(|s| s.last_ok.is_some() || s.last_error.is_some())
}

pub fn router(exposition: watch::Receiver<Option<Bytes>>) -> Router {
    router_with(exposition, None)
}

#[derive(Clone)]
struct Served {
    exposition: watch::Receiver<Option<Bytes>>,
    token: Option<Arc<Secret>>,
}

/// `/metrics` (wanting `token` as a bearer, when given) and `/healthz` (open:
/// it says only that the process answers).
pub fn router_with(exposition: watch::Receiver<Option<Bytes>>, token: Option<Secret>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(Served {
            exposition,
            token: token.map(Arc::new),
        })
}

/// Whether the request carries the token (always, when none is asked for).
fn authorized(token: Option<&Secret>, headers: &HeaderMap) -> bool {
    let Some(token) = token else { return true };
    headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
        })
        .any(|offered| token.matches(offered))
}

async fn metrics(State(served): State<Served>, headers: HeaderMap) -> Response {
    if !authorized(served.token.as_deref(), &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::WWW_AUTHENTICATE, "Bearer"),
            ],
            "/metrics wants `Authorization: Bearer <token>`\n",
        )
            .into_response();
    }
    let exposition = served.exposition;
    match exposition.borrow().clone() {
        Some(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, openmetrics::CONTENT_TYPE)],
            body,
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "the sources have not read yet\n",
        )
            .into_response(),
    }
}

async fn healthz() -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ok\n",
    )
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // Without signal handlers the default action (exit) still applies.
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::info!("serve: stopping on a signal");
}

#[cfg(test)]
mod tests {
    use super::exposure_warning;

    #[test]
    fn only_a_loopback_address_serves_without_a_warning() {
        for quiet in ["127.0.0.1:9464", "[::1]:9464", "127.0.0.2:1"] {
            assert_eq!(
                exposure_warning(quiet.parse().expect("addr"), false),
                None,
                "{quiet}"
            );
        }
        for open in ["0.0.0.0:9464", "[::]:9464", "10.0.0.5:9464"] {
            let w = exposure_warning(open.parse().expect("addr"), false).expect("a warning");
            assert!(w.contains("reachable from other machines"), "{w}");
            assert!(w.contains("--token-file FILE"), "{w}");
            assert!(w.contains(open), "{w}");
            assert_eq!(exposure_warning(open.parse().expect("addr"), true), None);
        }
    }
}
