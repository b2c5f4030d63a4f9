//! The interactive cockpit: the inputs the composition root builds (the demo,
//! `--events` files, the configured sources) into the store, then the terminal
//! event loop.

use std::process::ExitCode;

use color_eyre::eyre::Result;

use crate::commands::cli::CockpitArgs;
use crate::commands::wiring::{self, InputArgs};
use crate::commands::{acknowledgements, event_loop, logging, terminal};

pub fn run(args: &CockpitArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    // Check inputs before the screen switches, so errors print plainly.
    let config = crate::config::load(args.config.as_deref())?;
    let theme = event_loop::theme(args.theme, config.as_ref());
    let keymap = event_loop::keymap(config.as_ref())?;
    let inputs = wiring::inputs(InputArgs {
        events: &args.events,
        demo: &args.demo,
        speed: args.speed,
        now: args.now,
        config,
        benchmark: args.benchmark.clone(),
        shard: crate::model::shard::Shard::ALL,
    })?;
    let recording = match &args.record {
        Some(path) => Some((crate::commands::recording::open(path)?, path.clone())),
        None => None,
    };
    let _log = logging::init();
    tracing::info!(?args, "cockpit starting");
    wiring::run_to_end(async {
        let clock = inputs.clock.clone();
        let running = inputs.start(recording);
        let mut tui = terminal::init()?;
        let result = event_loop::run(
            &mut tui,
            running.snapshots,
            &clock,
            &running.scheduler,
            started,
            &event_loop::Options {
                bell: !args.no_bell,
                acknowledgements: acknowledgements::state_dir()
                    .map(|d| d.join(acknowledgements::FILE)),
                view: acknowledgements::state_dir()
                    .map(|d| d.join(crate::commands::view_state::FILE)),
                fresh: args.fresh,
                recording: args.record.is_some(),
                theme,
                keymap,
            },
        )
        .await;
        terminal::restore();
        tracing::info!(ok = result.is_ok(), "cockpit stopped");
        result.map(event_loop::Ended::exit_code)
    })?
}
