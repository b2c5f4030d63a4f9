//! `flightdeck serve`: headless. Runs the sources into the store, renders the
//! OpenMetrics exposition once per published snapshot and answers `/metrics` and
//! `/healthz` over HTTP (axum). No TUI.
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
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::watch;

use crate::commands::cli::ServeArgs;
use crate::report::openmetrics;
use crate::store::Snapshot;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let inputs = crate::commands::wiring::inputs(crate::commands::wiring::InputArgs {
        events: &args.events,
        demo: &args.demo,
        speed: args.speed,
        now: args.now,
        config: crate::config::load(args.config.as_deref())?,
    })?;
    let _log = crate::commands::logging::init();
    tracing::info!(?args, "serve starting");
    let runtime = crate::commands::wiring::runtime()?;
    runtime.block_on(async {
        let listener = bind(args.listen).await?;
        let addr = listener.local_addr().unwrap_or(args.listen);
        if let Some(warning) = exposure_warning(addr) {
            tracing::warn!(%addr, "serving beyond this machine");
            eprintln!("{warning}");
        }
        // One line on stderr: where to scrape (the port, when asked for port 0).
        eprintln!("flightdeck: serving OpenMetrics on http://{addr}/metrics");
        serve(listener, inputs, shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `serve` has no authentication: on an address other machines can reach,
/// every team's numbers are open to anyone who connects. Said, not refused,
/// since a firewall or a proxy may guard it.
pub fn exposure_warning(addr: SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| {
        format!(
            "flightdeck: warning: {addr} is reachable from other machines and /metrics has no \
             authentication; listen on 127.0.0.1 unless a firewall or proxy guards it"
        )
    })
}

pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })
}

/// Runs the store and the HTTP server until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    inputs: crate::commands::wiring::Inputs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let running = inputs.start(None);
    // Keeps the configured sources polling for as long as the server runs.
    let _scheduler = running.scheduler;
    let exposition = publish_expositions(running.snapshots);
    let app = router(exposition);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .wrap_err("the HTTP server stopped")
}

/// Renders the exposition of every snapshot the store publishes, once, off the
/// request path; requests read the latest bytes. `None` until every source has
/// read once (successfully or not): the declared teams with no data yet would
/// otherwise be scraped as zeros.
pub fn publish_expositions(
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
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
                    Bytes::from(openmetrics::render(&snapshot))
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
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(exposition)
}

async fn metrics(State(exposition): State<watch::Receiver<Option<Bytes>>>) -> Response {
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
                exposure_warning(quiet.parse().expect("addr")),
                None,
                "{quiet}"
            );
        }
        for open in ["0.0.0.0:9464", "[::]:9464", "10.0.0.5:9464"] {
            let w = exposure_warning(open.parse().expect("addr")).expect("a warning");
            assert!(w.contains("reachable from other machines"), "{w}");
            assert!(w.contains(open), "{w}");
        }
    }
}
