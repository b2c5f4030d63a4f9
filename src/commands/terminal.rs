//! Terminal setup and teardown. The terminal is restored exactly once on every
//! way out: normal return, error, signal (the caller restores) and panic in any
//! thread (the hook restores, reports, and ends the process).

use std::io::{self, IsTerminal, Stdout, stdout};

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
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

/// Gives the terminal back to the shell and stops the process (Ctrl-Z, which
/// raw mode delivers as a key, or SIGTSTP); once continued (`fg`), takes the
/// terminal again for a full redraw. SIGSTOP stops it because SIGTSTP itself
/// is handled (to get here) and SIGSTOP cannot be.
pub fn suspend(tui: &mut Tui) -> io::Result<()> {
    restore();
    rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::STOP)?;
    resume(tui)
}

/// Raw mode, the alternate screen and a hidden cursor again (after `fg`, the
/// shell has reset the terminal), and a cleared screen so the next frame is
/// drawn whole.
///
/// Not `Terminal::clear`: it asks the terminal where the cursor is and fails
/// when the answer is slow (seen under load in CI: "The cursor position could
/// not be read"). The screen is cleared here, and both of ratatui's buffers
/// are reset (each swap resets the one it leaves), so the next frame is
/// compared with a blank screen and drawn whole.
pub fn resume(tui: &mut Tui) -> io::Result<()> {
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, Hide, Clear(ClearType::All))?;
    tui.swap_buffers();
    tui.swap_buffers();
    Ok(())
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
