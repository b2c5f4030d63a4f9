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
use crate::config::SourceConfig;
use crate::settings::Settings;
use crate::sources::events_follow::{EventsPoller, EventsSpec};
use crate::sources::registry;
use crate::sources::scheduler::{Schedule, Scheduler};
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
    let config = crate::config::load(args.config.as_deref())?;
    let recording = match &args.record {
        Some(path) => Some((crate::record::open(path)?, path.clone())),
        None => None,
    };
    let _log = logging::init();
    tracing::info!(?args, "cockpit starting");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    runtime.block_on(run_async(args, config, recording, started))
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
        Some((file, path)) => crate::record::tee(file, path, updates),
        None => updates,
    };
    if use_demo {
        tokio::spawn(demo::run(org.stream(start), clock.clone(), updates.clone()));
    }
    let scheduler = Scheduler::new(updates.clone(), Clock::real());
    // Events files named on the command line are followed as they grow.
    for path in &args.events {
        follow_file(&scheduler, path);
    }
    for source in config.iter().flat_map(|c| &c.sources) {
        start_source(
            &scheduler,
            source,
            &source_settings,
            Some(snapshots.clone()),
            &clock,
        );
    }
    drop(updates);

    let mut tui = terminal::init()?;
    let result = event_loop(
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

/// How often an events file named with `--events` is checked for new lines.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(2);

fn follow_file(scheduler: &Scheduler, path: &std::path::Path) {
    // Named by the file name, so the status bar stays readable.
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let spec = EventsSpec {
        path: Some(path.to_path_buf()),
        url: None,
        token_env: None,
        token_file: None,
        max_body_bytes: None,
    };
    match EventsPoller::new(spec, crate::config::DEFAULT_TIMEOUT) {
        Ok(poller) => scheduler.spawn(
            Schedule {
                name: crate::text::sanitize(&name),
                kind: "events",
                interval: Some(FOLLOW_INTERVAL),
                timeout: crate::config::DEFAULT_TIMEOUT,
            },
            Box::new(poller),
        ),
        Err(e) => scheduler.spawn_failed(crate::text::sanitize(&name), "events", e),
    }
}

/// Starts a configured source on the scheduler; one that cannot start is shown
/// as failing with the reason, and the others start anyway.
pub fn start_source(
    scheduler: &Scheduler,
    source: &SourceConfig,
    settings: &Settings,
    snapshots: Option<watch::Receiver<Arc<Snapshot>>>,
    clock: &Clock,
) {
    let name = crate::text::sanitize(&source.name);
    let kind = registry::kind_name(&source.kind);
    match registry::build_with(source, settings, snapshots, clock.clone()) {
        Ok(poller) => scheduler.spawn(
            Schedule {
                name,
                kind,
                interval: source.interval,
                timeout: source.timeout,
            },
            poller,
        ),
        Err(error) => scheduler.spawn_failed(name, kind, error),
    }
}

pub(crate) async fn event_loop(
    tui: &mut terminal::Tui,
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    clock: &Clock,
    scheduler: &Scheduler,
    started: std::time::Instant,
    bell: bool,
) -> Result<()> {
    let mut started = Some(started);
    let mut keys = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("cannot watch SIGTERM")?;
    let mut sighup = signal(SignalKind::hangup()).wrap_err("cannot watch SIGHUP")?;
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("cannot watch SIGINT")?;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut app = App::new(clock.now());
    app.replay = clock.replay().map(|r| r.status());
    // The last frame drawn, for the snapshot key.
    let mut screen = ratatui::buffer::Buffer::default();
    let mut snapshot = snapshots.borrow_and_update().clone();
    let mut dirty = true;
    let mut next_frame = tokio::time::Instant::now();
    loop {
        if dirty && tokio::time::Instant::now() >= next_frame {
            let drawn = tui
                .draw(|frame| ui::render(frame, &app, &snapshot))
                .wrap_err("cannot draw to the terminal")?;
            screen.clone_from(drawn.buffer);
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
                            Effect::Redraw | Effect::Bell => dirty = true,
                            Effect::Nothing => {}
                            // The demo and a replay are not polled: say so
                            // rather than let `p` and `r` do nothing silently.
                            Effect::Poll(_) if scheduler.is_empty() => {
                                app.message = Some(
                                    crate::ui::widgets::status_bar::NOTHING_TO_PAUSE.to_string(),
                                );
                                dirty = true;
                            }
                            Effect::Poll(command) => scheduler.command(command),
                            Effect::Replay(control) => {
                                app.replay = crate::cockpit_replay::steer(clock, control);
                                app.now = clock.now();
                                dirty = true;
                            }
                            Effect::SaveScreen => {
                                app.message = Some(crate::cockpit_screen::save_in_working_dir(&screen));
                                dirty = true;
                            }
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
                if app.on_alerts(&new) == Effect::Bell && bell {
                    ring_bell();
                }
                snapshot = new;
                dirty = true;
            }
            _ = tick.tick() => {
                if let Some(r) = clock.replay() {
                    app.replay = Some(r.status());
                }
                dirty |= app.tick(clock.now()) == Effect::Redraw;
            }
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
            _ = sigint.recv() => return Ok(()),
        }
    }
}

/// The terminal bell for a new release-window alert. A failed write only
/// loses the beep; the status bar still flashes.
fn ring_bell() {
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x07").and_then(|()| out.flush());
}
