//! `flightdeck serve`: headless. Runs the sources into the store, renders the
//! OpenMetrics exposition once per published snapshot and answers `/metrics` and
//! `/healthz` over HTTP (axum). No TUI.
//!
//! What is served comes from [`Inputs`]: settings, the clock and a starter that
//! spawns the sources. `--demo` and `--events` build it here ([`inputs_from_args`]);
//! a config file builds it the same way (the integrator's `--config` is one call
//! that returns `Inputs`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::{mpsc, watch};

use crate::commands::cli::ServeArgs;
use crate::model::settings::Settings;
use crate::model::source_update::SourceUpdate;
use crate::report::openmetrics;
use crate::sources::{demo, events};
use crate::store::{Snapshot, Store};
use crate::util::clock::Clock;

/// Spawns the sources; each sends its updates to the store through the sender.
/// Starts the sources: given where to send updates and the store's published
/// snapshots (a `prometheus` source reads them to find the canaries to judge).
pub type StartSources = Box<
    dyn FnOnce(
            mpsc::Sender<SourceUpdate>,
            tokio::sync::watch::Receiver<Arc<crate::store::Snapshot>>,
        ) + Send,
>;

/// Everything `serve` needs to know about where its data comes from.
pub struct Inputs {
    pub settings: Settings,
    pub clock: Clock,
    pub start: StartSources,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// `--demo` (the default without `--events`) and `--events FILE`: the same
/// sources the cockpit runs. `--now` pins the clock, so the numbers hold still.
pub fn inputs_from_args(args: &ServeArgs) -> Result<Inputs, events::ReadError> {
    for path in &args.events {
        events::check_readable(path)?;
    }
    let mut settings = Settings::default();
    let use_demo = args.demo.demo || args.events.is_empty();
    let start = args.now.unwrap_or_else(Utc::now);
    let clock = match args.now {
        Some(now) => Clock::Fixed(now),
        None if use_demo => Clock::running(start, args.speed),
        None => Clock::real(),
    };
    let org = demo::DemoOrg::new(args.demo.seed);
    if use_demo {
        org.declare(&mut settings);
    }
    let files = args.events.clone();
    let demo_clock = clock.clone();
    let start: StartSources = Box::new(move |updates, _| {
        if use_demo {
            tokio::spawn(demo::run(org.stream(start), demo_clock, updates.clone()));
        }
        for path in files {
            tokio::spawn(events::run_file(path, updates.clone()));
        }
    });
    Ok(Inputs {
        settings,
        clock,
        start,
    })
}

/// `--config FILE`: the configured sources on the poll scheduler, with the
/// config's teams, services and windows (`--demo` and `--events` still add theirs).
pub fn inputs_from_config(
    args: &ServeArgs,
    config: crate::config::Config,
) -> Result<Inputs, events::ReadError> {
    let mut inputs = inputs_from_args(args)?;
    let demo_or_files = args.demo.demo || !args.events.is_empty();
    if !demo_or_files {
        // Without --demo the config's sources are the only ones.
        inputs = Inputs {
            settings: Settings::default(),
            clock: args.now.map_or_else(Clock::real, Clock::Fixed),
            start: Box::new(|_, _| {}),
        };
    }
    config.apply_to(&mut inputs.settings);
    let settings = inputs.settings.clone();
    let clock = inputs.clock.clone();
    let others = inputs.start;
    inputs.start = Box::new(move |updates, snapshots| {
        others(updates.clone(), snapshots.clone());
        let scheduler = crate::sources::scheduler::Scheduler::new(updates, Clock::real());
        for source in &config.sources {
            crate::commands::wiring::start_source(
                &scheduler,
                source,
                &settings,
                Some(snapshots.clone()),
                &clock,
            );
        }
        // Dropping the scheduler stops its sources: keep it for as long as
        // the server runs (the runtime ends it at exit).
        tokio::spawn(async move {
            let _scheduler = scheduler;
            std::future::pending::<()>().await;
        });
    });
    Ok(inputs)
}

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let inputs = match crate::config::load(args.config.as_deref())? {
        Some(config) => inputs_from_config(args, config)?,
        None => inputs_from_args(args)?,
    };
    let _log = crate::commands::logging::init();
    tracing::info!(?args, "serve starting");
    let runtime = crate::commands::wiring::runtime()?;
    runtime.block_on(async {
        let listener = bind(args.listen).await?;
        let addr = listener.local_addr().unwrap_or(args.listen);
        // One line on stderr: where to scrape (the port, when asked for port 0).
        eprintln!("flightdeck: serving OpenMetrics on http://{addr}/metrics");
        serve(listener, inputs, shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })
}

/// Runs the store and the HTTP server until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    inputs: Inputs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let (store, snapshots) = Store::new(inputs.settings, inputs.clock);
    let (updates, inbox) = mpsc::channel(256);
    tokio::spawn(store.run(inbox));
    (inputs.start)(updates, snapshots.clone());
    let exposition = publish_expositions(snapshots);
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
