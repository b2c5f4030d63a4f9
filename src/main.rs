use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use flightdeck::commands::check::CheckError;
use flightdeck::commands::cli::{Cli, Command, ConfigCommand};
use flightdeck::commands::terminal::TerminalError;
use flightdeck::config::ConfigError;
use flightdeck::report::output::OutputError;
use flightdeck::sources::events::ReadError;

fn main() -> ExitCode {
    // Colours only for a terminal; a report piped into a file stays plain text.
    let mut hook = color_eyre::config::HookBuilder::default().display_env_section(false);
    if !std::io::stderr().is_terminal() {
        hook = hook.theme(color_eyre::config::Theme::new());
    }
    if let Err(e) = hook.install() {
        eprintln!("flightdeck: cannot install the error reporter: {e}");
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Report(args)) => flightdeck::commands::report::run(&args),
        Some(Command::Serve(args)) => flightdeck::commands::serve::run(&args),
        Some(Command::Check(args)) => flightdeck::commands::check::run(&args).map_err(Into::into),
        Some(Command::Config(ConfigCommand::Init { path })) => {
            flightdeck::config::init(path.as_deref())
                .map(|p| {
                    println!("wrote the example config to {}", p.display());
                    ExitCode::SUCCESS
                })
                .map_err(Into::into)
        }
        Some(Command::Replay(args)) => flightdeck::commands::replay::run(&args),
        Some(Command::Completions { shell }) => {
            flightdeck::commands::shell_files::run_completions(shell)
        }
        Some(Command::Man) => flightdeck::commands::shell_files::run_man(),
        None => flightdeck::commands::cockpit::run(&cli.cockpit),
    };
    match result {
        Ok(code) => code,
        // Bad input from the user: one clear line, no backtrace.
        Err(e)
            if e.downcast_ref::<ReadError>().is_some()
                || e.downcast_ref::<flightdeck::commands::wiring::InputError>()
                    .is_some()
                || e.downcast_ref::<TerminalError>().is_some()
                || e.downcast_ref::<OutputError>().is_some()
                || e.downcast_ref::<flightdeck::commands::serve::ServeError>()
                    .is_some()
                || e.downcast_ref::<ConfigError>().is_some()
                || e.downcast_ref::<CheckError>().is_some()
                || e.downcast_ref::<flightdeck::commands::recording::RecordError>()
                    .is_some()
                || e.downcast_ref::<flightdeck::commands::replay::ReplayError>()
                    .is_some() =>
        {
            eprintln!("flightdeck: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("flightdeck: {e:?}");
            ExitCode::FAILURE
        }
    }
}
