//! The interactive cockpit: the configured sources, `--events` files or the
//! demo into the store, then the terminal event loop.

use std::process::ExitCode;

use chrono::Utc;
use color_eyre::eyre::Result;
use tokio::sync::mpsc;

use crate::commands::cli::CockpitArgs;
use crate::commands::{event_loop, logging, terminal, wiring};
use crate::model::settings::Settings;
use crate::sources::scheduler::Scheduler;
use crate::sources::{demo, events};
use crate::store::Store;
use crate::util::clock::Clock;

pub fn run(args: &CockpitArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    // Check inputs before the screen switches, so errors print plainly.
    for path in &args.events {
        events::check_readable(path)?;
    }
    let config = crate::config::load(args.config.as_deref())?;
    let recording = match &args.record {
        Some(path) => Some((crate::commands::recording::open(path)?, path.clone())),
        None => None,
    };
    let _log = logging::init();
    tracing::info!(?args, "cockpit starting");
    wiring::runtime()?.block_on(run_async(args, config, recording, started))
}

async fn run_async(
    args: &CockpitArgs,
    config: Option<crate::config::Config>,
    recording: Option<(std::fs::File, std::path::PathBuf)>,
    started: std::time::Instant,
) -> Result<ExitCode> {
    let mut settings = Settings::default();
    if let Some(c) = &config {
        c.apply_to(&mut settings);
    }
    let configured = config.as_ref().is_some_and(|c| !c.sources.is_empty());
    let use_demo = args.demo.demo || (args.events.is_empty() && !configured);
    let start = Utc::now();
    let clock = if use_demo {
        Clock::running(start, args.speed)
    } else {
        Clock::real()
    };
    let org = demo::DemoOrg::new(args.demo.seed);
    if use_demo {
        org.declare(&mut settings);
    }
    let source_settings = settings.clone();
    let (store, snapshots) = Store::new(settings, clock.clone());
    let (updates, inbox) = mpsc::channel(256);
    tokio::spawn(store.run(inbox));
    let updates = match recording {
        Some((file, path)) => crate::commands::recording::tee(file, path, updates),
        None => updates,
    };
    if use_demo {
        tokio::spawn(demo::run(org.stream(start), clock.clone(), updates.clone()));
    }
    let scheduler = Scheduler::new(updates.clone(), Clock::real());
    // Events files named on the command line are followed as they grow.
    for path in &args.events {
        wiring::follow_file(&scheduler, path);
    }
    for source in config.iter().flat_map(|c| &c.sources) {
        wiring::start_source(
            &scheduler,
            source,
            &source_settings,
            Some(snapshots.clone()),
            &clock,
        );
    }
    drop(updates);

    let mut tui = terminal::init()?;
    let result = event_loop::run(
        &mut tui,
        snapshots,
        &clock,
        &scheduler,
        started,
        !args.no_bell,
    )
    .await;
    terminal::restore();
    tracing::info!(ok = result.is_ok(), "cockpit stopped");
    result.map(|()| ExitCode::SUCCESS)
}
