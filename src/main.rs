use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use chrono::{Timelike, Utc};
use clap::Parser;
use color_eyre::eyre::{Result, WrapErr};

use flightdeck::check::CheckError;
use flightdeck::cli::{Cli, Command, ConfigCommand, Format, ReportArgs};
use flightdeck::config::ConfigError;
use flightdeck::metrics::{DORA_2023, Window, scorecards};
use flightdeck::records::Records;
use flightdeck::report;
use flightdeck::report_output::{self, OutputError};
use flightdeck::settings::Settings;
use flightdeck::sources::events::{self, Diagnostics, ReadError};
use flightdeck::terminal::TerminalError;

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
        Some(Command::Report(args)) => run_report(&args),
        Some(Command::Serve(args)) => flightdeck::serve::run(&args),
        Some(Command::Check(args)) => flightdeck::check::run(&args).map_err(Into::into),
        Some(Command::Config(ConfigCommand::Init { path })) => {
            flightdeck::config::init(path.as_deref())
                .map(|p| {
                    println!("wrote the example config to {}", p.display());
                    ExitCode::SUCCESS
                })
                .map_err(Into::into)
        }
        Some(Command::Replay(args)) => flightdeck::cockpit_replay::run(&args),
        None => flightdeck::cockpit::run(&cli.cockpit),
    };
    match result {
        Ok(code) => code,
        // Bad input from the user: one clear line, no backtrace.
        Err(e)
            if e.downcast_ref::<ReadError>().is_some()
                || e.downcast_ref::<TerminalError>().is_some()
                || e.downcast_ref::<OutputError>().is_some()
                || e.downcast_ref::<flightdeck::serve::ServeError>().is_some()
                || e.downcast_ref::<ConfigError>().is_some()
                || e.downcast_ref::<CheckError>().is_some()
                || e.downcast_ref::<flightdeck::record::RecordError>()
                    .is_some()
                || e.downcast_ref::<flightdeck::cockpit_replay::ReplayError>()
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

fn run_report(args: &ReportArgs) -> Result<ExitCode> {
    // Whole seconds, so a report's window reads cleanly.
    let now = args
        .now
        .unwrap_or_else(|| Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now));
    if let Some(path) = &args.output {
        report_output::check_target(path)?;
    }
    let config = flightdeck::config::load(args.config.as_deref())?;
    // --window, else the config's `[general] window`, else 30 days.
    let window = args
        .window
        .or(config.as_ref().map(|c| c.general.window))
        .unwrap_or_else(|| chrono::TimeDelta::days(30));
    let mut settings = Settings::default();
    if let Some(c) = &config {
        c.apply_to(&mut settings);
    }
    let mut records = Records::default();
    let mut diagnostics = Diagnostics::default();
    for path in &args.events {
        let d = events::read_file_into(path, args.strict, |e| {
            records.apply(e);
        })?;
        for m in &d.malformed {
            eprintln!(
                "{}:{}: skipped malformed line: {}",
                m.origin, m.line, m.error
            );
        }
        if d.skipped_types > 0 {
            eprintln!(
                "{}: skipped {} line(s) of unknown type",
                path.display(),
                d.skipped_types
            );
        }
        diagnostics.absorb(d);
    }
    if args.demo.demo || args.events.is_empty() {
        let org = flightdeck::sources::demo::DemoOrg::new(args.demo.seed);
        org.declare(&mut settings);
        for e in org.history(now) {
            records.apply(e);
        }
    }
    let mut cards = scorecards(&records, &settings, Window::ending(now, window), &DORA_2023);
    report_output::keep_teams(&mut cards, &args.team)?;
    let text = match args.format {
        Format::Json => {
            let mut value = report::json(&cards, &diagnostics);
            flightdeck::report_findings::add(&mut value, &records.findings, &settings, now, window);
            let mut s =
                serde_json::to_string_pretty(&value).wrap_err("cannot encode the report")?;
            s.push('\n');
            s
        }
        Format::Table => report::table(&cards),
        Format::Csv => flightdeck::report_csv::csv(&cards),
        Format::Markdown => flightdeck::report_markdown::markdown(&cards),
    };
    // The process ends right after this: freeing a million records one by one
    // would only delay the exit (measured: about a quarter of the run).
    std::mem::forget(records);
    if let Some(path) = &args.output {
        report_output::write_atomically(path, text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (e.g. `| head`) is not an error worth a report.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).wrap_err("cannot write the report");
        }
    }
    Ok(ExitCode::SUCCESS)
}
