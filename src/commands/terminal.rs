//! Terminal setup and teardown. The terminal is restored exactly once on every
//! way out: normal return, error, signal (the caller restores) and panic in any
//! thread (the hook restores, reports, and ends the process).

use std::io::{self, IsTerminal, Stdout, stdout};

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    #[error(
        "flightdeck's cockpit needs an interactive terminal; for scorecards on stdout run `flightdeck report`"
    )]
    NotATerminal,
    #[error("cannot set up the terminal: {0}")]
    Setup(#[from] io::Error),
}

pub fn init() -> Result<Tui, TerminalError> {
    if !stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err(TerminalError::NotATerminal);
    }
    install_panic_hook();
    enable_raw_mode()?;
    if let Err(e) = execute!(stdout(), EnterAlternateScreen, Hide) {
        restore();
        return Err(e.into());
    }
    match Terminal::new(CrosstermBackend::new(stdout())) {
        Ok(t) => Ok(t),
        Err(e) => {
            restore();
            Err(e.into())
        }
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor again.
/// Errors are ignored: this runs on the way out, when there is nobody to tell.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}

/// A panic in any task would otherwise leave a raw, hidden-cursor terminal and a
/// UI that no longer updates: restore, let the previous hook (color-eyre's)
/// print the report on the normal screen, and exit.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(%info, "panic; restoring the terminal and exiting");
        restore();
        previous(info);
        std::process::exit(101);
    }));
}
