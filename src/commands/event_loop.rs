//! The terminal event loop the cockpit and a replay share: keys to the app,
//! snapshots and clock ticks to redraws (at most one per frame), signals to a
//! clean exit. The only place where terminal, signals and tasks meet.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, eyre};
use crossterm::event::{Event as TermEvent, EventStream, KeyEvent, KeyEventKind};
use futures::StreamExt;
use ratatui::buffer::Buffer;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::app::{App, Effect, ReplayControl, keymap};
use crate::commands::{logging, terminal};
use crate::sources::scheduler::Scheduler;
use crate::store::Snapshot;
use crate::ui;
use crate::util::clock::{Clock, ReplayStatus};

/// How often the clock on screen and the ages of open incidents move.
const TICK: Duration = Duration::from_secs(1);

/// At most one frame per this long, however fast data or keys arrive.
const FRAME: Duration = Duration::from_millis(16);

/// Applies a replay key to the clock; the status for the status bar.
pub fn steer(clock: &Clock, control: ReplayControl) -> Option<ReplayStatus> {
    let r = clock.replay()?;
    Some(match control {
        ReplayControl::TogglePause => r.toggle_pause(),
        ReplayControl::Faster => r.step_speed(true),
        ReplayControl::Slower => r.step_speed(false),
    })
}

pub async fn run(
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
    let mut app = ui::screens::app(clock.now());
    app.replay = clock.replay().map(|r| r.status());
    // The last frame drawn, for the snapshot key.
    let mut screen = Buffer::default();
    let mut snapshot = snapshots.borrow_and_update().clone();
    app.refresh(&snapshot);
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
                    let keyed = Keyed { scheduler, clock, screen: &screen };
                    match keyed.press(&key, &mut app, &snapshot) {
                        Effect::Quit => return Ok(()),
                        Effect::Redraw => dirty = true,
                        _ => {}
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
                app.on_snapshot(&new);
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
                dirty |= app.tick(clock.now(), &snapshot) == Effect::Redraw;
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

/// What a key press may reach besides the app.
struct Keyed<'a> {
    scheduler: &'a Scheduler,
    clock: &'a Clock,
    /// The last frame drawn, for the snapshot key.
    screen: &'a Buffer,
}

impl Keyed<'_> {
    /// Applies a key to the app and carries out its effect: `Quit`, `Redraw`
    /// when the screen changed, else `Nothing`.
    fn press(&self, key: &KeyEvent, app: &mut App, snapshot: &Snapshot) -> Effect {
        let action = if app.typing() {
            keymap::prompt_action(key)
        } else {
            keymap::action_for(key, app.top().keys())
        };
        let Some(action) = action else {
            return Effect::Nothing;
        };
        match app.update(action, snapshot) {
            Effect::Quit => Effect::Quit,
            Effect::Redraw | Effect::Bell => Effect::Redraw,
            Effect::Nothing => Effect::Nothing,
            // The demo and a replay are not polled: say so
            // rather than let `p` and `r` do nothing silently.
            Effect::Poll(_) if self.scheduler.is_empty() => {
                app.message = Some(crate::ui::widgets::status_bar::NOTHING_TO_PAUSE.to_string());
                Effect::Redraw
            }
            Effect::Poll(command) => {
                self.scheduler.command(command);
                Effect::Nothing
            }
            Effect::Replay(control) => {
                app.replay = steer(self.clock, control);
                app.now = self.clock.now();
                Effect::Redraw
            }
            Effect::SaveScreen => {
                app.message = Some(crate::commands::screen_save::save_in_working_dir(
                    self.screen,
                ));
                Effect::Redraw
            }
        }
    }
}
