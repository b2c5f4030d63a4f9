//! What the shell and `man` read about flightdeck: completion scripts and the
//! manual page, both generated from the same clap definition as the parser,
//! so they never list an option the binary does not take.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::cli::Cli;

/// The completion script for `shell`. Generated into memory: clap_complete
/// panics on a failed write, and stdout may be a closed pipe.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "flightdeck", &mut script);
    script
}

/// Writes the manual page (roff) to `out`.
pub fn man_page(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

/// `flightdeck completions SHELL`.
pub fn run_completions(shell: clap_complete::Shell) -> color_eyre::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(&completions(shell))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `flightdeck man`.
pub fn run_man() -> color_eyre::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    man_page(&mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
