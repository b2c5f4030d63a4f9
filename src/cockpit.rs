//! The interactive cockpit: wires sources -> store -> app -> ui and runs the
//! event loop. The only place where terminal, signals and tasks meet.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr, eyre};
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};

use crate::app::{App, Effect, keymap};
use crate::cli::CockpitArgs;
use crate::clock::Clock;
use crate::settings::Settings;
use crate::sources::{demo, events};
use crate::store::{Snapshot, Store};
use crate::{logging, terminal, ui};

/// How often the clock on screen and the ages of open incidents move.
const TICK: Duration = Duration::from_secs(1);

/// At most one frame per this long, however fast data or keys arrive.
const FRAME: Duration = Duration::from_millis(16);

pub fn run(args: &CockpitArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    // Check inputs before the screen switches, so errors print plainly.
    for path in &args.events {
        events::check_readable(path)?;
    }
    let _log = logging::init();
    tracing::info!(?args, "cockpit starting");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    runtime.block_on(run_async(args, started))
}

async fn run_async(args: &CockpitArgs, started: std::time::Instant) -> Result<ExitCode> {
    let mut settings = Settings::default();
    let use_demo = args.demo.demo || args.events.is_empty();
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
    let (store, snapshots) = Store::new(settings, clock.clone());
    let (updates, inbox) = mpsc::channel(256);
    tokio::spawn(store.run(inbox));
    if use_demo {
        tokio::spawn(demo::run(org.stream(start), clock.clone(), updates.clone()));
    }
    for path in &args.events {
        tokio::spawn(events::run_file(path.clone(), updates.clone()));
    }
    drop(updates);

    let mut tui = terminal::init()?;
    let result = event_loop(&mut tui, snapshots, &clock, started).await;
    terminal::restore();
    tracing::info!(ok = result.is_ok(), "cockpit stopped");
    result.map(|()| ExitCode::SUCCESS)
}

async fn event_loop(
    tui: &mut terminal::Tui,
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    clock: &Clock,
    started: std::time::Instant,
) -> Result<()> {
    let mut started = Some(started);
    let mut keys = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("cannot watch SIGTERM")?;
    let mut sighup = signal(SignalKind::hangup()).wrap_err("cannot watch SIGHUP")?;
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("cannot watch SIGINT")?;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut app = App::new(clock.now());
    let mut snapshot = snapshots.borrow_and_update().clone();
    let mut dirty = true;
    let mut next_frame = tokio::time::Instant::now();
    loop {
        if dirty && tokio::time::Instant::now() >= next_frame {
            tui.draw(|frame| ui::render(frame, &app, &snapshot))
                .wrap_err("cannot draw to the terminal")?;
            if let Some(at) = started.take() {
                tracing::info!(
                    elapsed_ms = at.elapsed().as_millis() as u64,
                    "first frame drawn"
                );
            }
            dirty = false;
            next_frame = tokio::time::Instant::now() + FRAME;
        }
        tokio::select! {
            // A redraw held back by the frame cap.
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
            input = keys.next() => match input {
                Some(Ok(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => {
                    let action = if app.typing() {
                        crate::app::findings::prompt_action(&key)
                    } else {
                        keymap::action_for(&key)
                    };
                    if let Some(action) = action {
                        match app.update(action, &snapshot) {
                            Effect::Quit => return Ok(()),
                            Effect::Redraw => dirty = true,
                            Effect::Nothing => {}
                        }
                    }
                }
                Some(Ok(TermEvent::Resize(..))) => dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e).wrap_err("cannot read the keyboard"),
                None => return Err(eyre!("the terminal closed its input")),
            },
            changed = snapshots.changed() => {
                if changed.is_err() {
                    let log = logging::log_dir()
                        .map_or_else(|| "the log".to_string(), |d| d.join("flightdeck.log").display().to_string());
                    return Err(eyre!("the store stopped unexpectedly; see {log}"));
                }
                let new = snapshots.borrow_and_update().clone();
                app.on_snapshot(&snapshot, &new);
                snapshot = new;
                dirty = true;
            }
            _ = tick.tick() => dirty |= app.tick(clock.now()) == Effect::Redraw,
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
            _ = sigint.recv() => return Ok(()),
        }
    }
}
