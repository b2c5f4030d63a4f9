//! The terminal event loop the cockpit and a replay share: keys to the app,
//! snapshots and clock ticks to redraws (at most one per frame), signals to a
//! clean exit (128 + the signal's number) or a suspend. The only place where
//! terminal, signals and tasks meet.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, eyre};
use crossterm::event::{Event as TermEvent, EventStream, KeyEvent, KeyEventKind};
use futures::StreamExt;
use ratatui::buffer::Buffer;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::app::{App, Effect, ReplayControl, keymap};
use crate::commands::{acknowledgements, logging, terminal, view_state};
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

/// How the loop ended: `q`, or a signal (the exit status is 128 + its number,
/// as a shell reports a process a signal ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Quit,
    Signal(i32),
}

impl Ended {
    pub fn exit_code(self) -> std::process::ExitCode {
        match self {
            Ended::Quit => std::process::ExitCode::SUCCESS,
            Ended::Signal(n) => std::process::ExitCode::from(128u8.saturating_add(n as u8)),
        }
    }
}

/// The signals the cockpit answers: the ending ones restore the terminal and
/// exit; SIGTSTP (`kill -TSTP`, or Ctrl-Z where the terminal sends it) gives
/// the terminal back and stops; SIGCONT takes it again and redraws.
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
    tstp: tokio::signal::unix::Signal,
    cont: tokio::signal::unix::Signal,
}

enum Sig {
    End(i32),
    Suspend,
    Resume,
}

impl Signals {
    fn new() -> Result<Self> {
        let watch = |kind: SignalKind, name: &str| {
            signal(kind).wrap_err_with(|| format!("cannot watch {name}"))
        };
        Ok(Self {
            term: watch(SignalKind::terminate(), "SIGTERM")?,
            hup: watch(SignalKind::hangup(), "SIGHUP")?,
            int: watch(SignalKind::interrupt(), "SIGINT")?,
            quit: watch(SignalKind::quit(), "SIGQUIT")?,
            tstp: watch(SignalKind::from_raw(20), "SIGTSTP")?,
            cont: watch(SignalKind::from_raw(18), "SIGCONT")?,
        })
    }

    async fn next(&mut self) -> Sig {
        tokio::select! {
            _ = self.term.recv() => Sig::End(15),
            _ = self.hup.recv() => Sig::End(1),
            _ = self.int.recv() => Sig::End(2),
            _ = self.quit.recv() => Sig::End(3),
            _ = self.tstp.recv() => Sig::Suspend,
            _ = self.cont.recv() => Sig::Resume,
        }
    }
}

/// How the loop behaves beyond its inputs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Ring the terminal bell on a new release-window alert.
    pub bell: bool,
    /// Where acknowledged alerts are read at start and saved on each
    /// acknowledgement (`None`: not kept, e.g. in a replay).
    pub acknowledgements: Option<std::path::PathBuf>,
    pub theme: crate::app::theme::Theme,
    /// The keys in force (`[keys]` applied).
    pub keymap: crate::app::keys_config::Keymap,
    /// Where the last screen, window, sorts and filters are kept (`None`:
    /// not kept, e.g. in a replay); saved on quit.
    pub view: Option<std::path::PathBuf>,
    /// `--fresh`: start without what the state directory kept (the view and
    /// the acknowledged alerts); what this run does is still saved.
    pub fresh: bool,
    /// `--record` is on: the status bar shows `● REC`.
    pub recording: bool,
}

/// The keys in force: the config's `[keys]` applied to the built-in table,
/// or the config's lines that could not be applied, as config problems.
pub fn keymap(
    config: Option<&crate::config::Config>,
) -> Result<crate::app::keys_config::Keymap, crate::config::ConfigError> {
    use crate::app::keys_config::Keymap;
    let Some(config) = config else {
        return Ok(Keymap::default());
    };
    Keymap::build(&config.keys, &ui::screens::all_keys()).map_err(|problems| {
        crate::config::ConfigError::Invalid {
            path: config.path.clone(),
            problems: problems
                .into_iter()
                .map(|p| crate::config::Problem {
                    line: p.line,
                    key: p.key,
                    message: p.message,
                })
                .collect(),
        }
    })
}

/// The theme from `--theme`, the config's `[ui] theme` and the environment
/// (`NO_COLOR`, and `COLORTERM`/`TERM` for how many colours to use), with
/// the config's `[ui.colors]` over it.
pub fn theme(
    flag: Option<crate::commands::cli::ThemeArg>,
    config: Option<&crate::config::Config>,
) -> crate::app::theme::Theme {
    use crate::app::theme::{Depth, Theme};
    let var = |name: &str| std::env::var(name).ok();
    // no-color.org: set and not empty.
    let no_color = var("NO_COLOR").is_some_and(|v| !v.is_empty());
    let depth = Depth::detect(var("COLORTERM").as_deref(), var("TERM").as_deref());
    Theme::choose(
        flag.map(crate::commands::cli::ThemeArg::name),
        config.and_then(|c| c.ui.theme.as_deref()),
        no_color,
        depth,
    )
    .with_colours(config.map_or(&[][..], |c| &c.ui.colors))
}

pub async fn run(
    tui: &mut terminal::Tui,
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    clock: &Clock,
    scheduler: &Scheduler,
    started: std::time::Instant,
    options: &Options,
) -> Result<Ended> {
    let mut started = Some(started);
    let mut keys = EventStream::new();
    let mut signals = Signals::new()?;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // The last frame drawn, for the snapshot key.
    let mut screen = Buffer::default();
    let mut snapshot = snapshots.borrow_and_update().clone();
    let mut app = start_app(clock, options, &snapshot);
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
                    let acknowledgements = options.acknowledgements.as_deref();
                    let keyed = Keyed { scheduler, clock, screen: &screen, acknowledgements };
                    match keyed.press(&key, &mut app, &snapshot) {
                        Effect::Quit => {
                            save_view(options, &app);
                            return Ok(Ended::Quit);
                        }
                        Effect::Suspend => {
                            terminal::suspend(tui).wrap_err("cannot take the terminal back")?;
                            dirty = true;
                        }
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
                    return Err(store_stopped());
                }
                let new = snapshots.borrow_and_update().clone();
                app.on_snapshot(&new);
                if app.on_alerts(&new) == Effect::Bell && options.bell {
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
            sig = signals.next() => {
                match sig {
                    Sig::End(n) => return Ok(Ended::Signal(n)),
                    Sig::Suspend => terminal::suspend(tui),
                    Sig::Resume => terminal::resume(tui),
                }
                .wrap_err("cannot take the terminal back")?;
                dirty = true;
            }
        }
    }
}

/// The error when the store's task ended under the cockpit: the log says why.
fn store_stopped() -> color_eyre::eyre::Report {
    let log = logging::log_dir().map_or_else(
        || "the log".to_string(),
        |d| d.join("flightdeck.log").display().to_string(),
    );
    eyre!("the store stopped unexpectedly; see {log}")
}

/// Keeps the screen, window, sorts and filters for the next run (a failure
/// is logged: the cockpit is quitting, there is no screen left to say it on).
fn save_view(options: &Options, app: &App) {
    if let Some(path) = &options.view
        && let Err(e) = view_state::save(path, &app.saved_view())
    {
        tracing::warn!(error = %e, path = %path.display(), "cannot save the view");
    }
}

/// The app at start, on the first snapshot, with the view and the
/// acknowledgements saved by an earlier run; a file that cannot be read is a
/// message on the status bar (and in the log), not a failure.
fn start_app(clock: &Clock, options: &Options, snapshot: &Snapshot) -> App {
    let mut app = ui::screens::app(clock.now());
    app.theme = options.theme;
    app.keymap = options.keymap.clone();
    app.recording = options.recording;
    app.replay = clock.replay().map(|r| r.status());
    if let Some(path) = options.view.as_ref().filter(|_| !options.fresh) {
        let (lines, warning) = view_state::load(path);
        if let Some(warning) = warning {
            tracing::warn!(%warning, "last view");
            app.message = Some(warning);
        }
        app.restore_view(&lines);
    }
    if let Some(path) = options.acknowledgements.as_ref().filter(|_| !options.fresh) {
        let loaded = acknowledgements::load(path);
        if let Some(warning) = loaded.warning {
            tracing::warn!(%warning, "acknowledged alerts");
            app.message = Some(warning);
        }
        app.release.log.restore(loaded.acks);
    }
    app.refresh(snapshot);
    app.on_alerts(snapshot);
    app
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
    /// Where acknowledgements are saved.
    acknowledgements: Option<&'a std::path::Path>,
}

impl Keyed<'_> {
    /// Applies a key to the app and carries out its effect: `Quit`, `Redraw`
    /// when the screen changed, else `Nothing`.
    fn press(&self, key: &KeyEvent, app: &mut App, snapshot: &Snapshot) -> Effect {
        let action = if app.typing() {
            keymap::prompt_action(key)
        } else {
            app.keymap.action_for(key, app.top().keys())
        };
        let Some(action) = action else {
            return Effect::Nothing;
        };
        match app.update(action, snapshot) {
            Effect::Quit => Effect::Quit,
            Effect::Suspend => Effect::Suspend,
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
            Effect::Acknowledged => {
                if let Some(path) = self.acknowledgements
                    && let Err(e) = acknowledgements::save(path, &app.release.log)
                {
                    tracing::warn!(error = %e, "cannot save acknowledged alerts");
                    app.message = Some(format!(
                        "acknowledgement not saved to {}: {e}",
                        path.display()
                    ));
                }
                Effect::Redraw
            }
            Effect::Copy => {
                if let Some(text) = app.clipboard.take()
                    && let Err(e) = copy_to_clipboard(&text)
                {
                    app.message = Some(format!("cannot copy {text}: {e}"));
                }
                Effect::Redraw
            }
            Effect::SaveScreen => {
                let area = self.screen.area;
                let (page, cut) =
                    crate::ui::screen_export::whole_page(app, snapshot, area.width, area.height);
                let mut said = crate::commands::screen_save::save_in_working_dir(&page);
                if cut {
                    said.push_str(": the list's first rows only, it is longer");
                }
                app.message = Some(said);
                Effect::Redraw
            }
        }
    }
}

/// Puts `text` on the clipboard with OSC 52, which most terminals and tmux
/// (`set-clipboard`) accept; written between frames, so it does not mix with a
/// frame being drawn. The id is ours to copy: it went through the screen's
/// cleaning of control characters, and base64 carries it whole.
fn copy_to_clipboard(text: &str) -> std::io::Result<()> {
    use base64::Engine as _;
    use std::io::Write as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout().lock();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}
