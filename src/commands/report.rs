//! `flightdeck report`: reads the event files and the configured sources (each
//! polled once), or the demo, computes the scorecards and the audit for one
//! window and writes them in one format.

use std::io::Write;
use std::process::ExitCode;

use chrono::{Timelike, Utc};
use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::commands::cli::{Format, ReportArgs};
use crate::commands::poll_once::poll_once;
use crate::config::Config;
use crate::metrics::Window;
use crate::metrics::dora::Facts;
use crate::metrics::governance::Governance;
use crate::metrics::weekly::WeeklySeries;
use crate::model::diagnostics::Diagnostics;
use crate::model::records::Records;
use crate::report::failures::Failures;
use crate::report::model::Report;
use crate::report::{self, output};
use crate::sources::events;

pub fn run(args: &ReportArgs) -> Result<ExitCode> {
    // Whole seconds, so a report's window reads cleanly.
    let now = args
        .now
        .unwrap_or_else(|| Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now));
    if let Some(path) = &args.output {
        output::check_target(path)?;
    }
    let config = crate::config::load(args.config.as_deref())?;
    // --window, else the config's `[general] window`, else 30 days.
    let window = args
        .window
        .or(config.as_ref().map(|c| c.general.window))
        .unwrap_or_else(|| chrono::TimeDelta::days(30));
    // As for the cockpit: a config means real teams, so the demo runs only when
    // asked for or when there is nothing else; a config must give something to read.
    if let Some(c) = &config
        && c.sources.is_empty()
        && args.events.is_empty()
        && !args.demo.demo
    {
        return Err(crate::commands::wiring::InputError::NothingToRun {
            path: c.path.clone(),
        }
        .into());
    }
    let use_demo = args.demo.demo || (args.events.is_empty() && config.is_none());
    let org = crate::sources::demo::DemoOrg::new(args.demo.seed);
    let mut settings = crate::commands::wiring::settings(use_demo.then_some(&org), config.as_ref());
    if let Some(b) =
        crate::commands::wiring::benchmark_arg(args.benchmark.as_deref(), config.as_ref())?
    {
        settings.benchmark = b;
    }
    let mut records = Records::default();
    let diagnostics = read_events(args, &mut records)?;
    if let Some(c) = &config {
        read_sources(c, !args.events.is_empty(), &mut records)?;
    }
    if use_demo {
        for e in org.history(now) {
            records.apply(e);
        }
    }
    let facts = Facts::derive(&records, &settings);
    let mut cards = facts.evaluate(&records, Window::ending(now, window), &settings.benchmark);
    output::keep_teams(&mut cards, &args.team)?;
    let audit = crate::report::findings::audit(
        cards.teams.iter().map(|t| &*t.team),
        &records.findings,
        &settings,
        now,
        window,
    );
    let governance = Governance::compute(&records, &settings, cards.window.end);
    let model = with_coverage(Report::new(&cards, &audit, &diagnostics), &records)
        .with_governance(&governance);
    let text = match args.format {
        Format::Json => json_text(&model, facts, &records)?,
        Format::Table => report::table(&model),
        Format::Csv => {
            crate::report::csv::csv(&model, args.raw_csv).wrap_err("cannot encode the report")?
        }
        Format::Markdown => crate::report::markdown::markdown(&model),
        Format::Html => html_page(&model, &facts, &records, &settings.benchmark),
    };
    // The process ends right after this: freeing a million records one by one
    // would only delay the exit (measured: about a quarter of the run).
    std::mem::forget(records);
    if let Some(path) = &args.output {
        output::write_atomically(path, text.as_bytes())?;
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

/// The JSON report, with each team's failed deployments. The facts are
/// freed once read, so that the JSON tree reuses their memory instead of
/// adding to the run's peak.
fn json_text(model: &Report<'_>, facts: Facts, records: &Records) -> Result<String> {
    let failures = Failures::of(&facts, records, model.cards.window);
    drop(facts);
    let mut value = model.json();
    failures.fill(&mut value);
    let mut s = serde_json::to_string_pretty(&value).wrap_err("cannot encode the report")?;
    s.push('\n');
    Ok(s)
}

/// The HTML page, with each team's weekly series (computed here: only this
/// format draws them).
fn html_page(
    model: &Report<'_>,
    facts: &Facts,
    records: &Records,
    bench: &crate::metrics::Benchmarks,
) -> String {
    let end = model.cards.window.end;
    let series: Vec<_> = model
        .teams
        .iter()
        .map(|t| WeeklySeries::of(facts, records, &t.card.team, end, bench))
        .collect();
    crate::report::html::html(model, &series)
}

/// The report's coverage of the window from the history read, said on stderr
/// when short. Only scorecards read back from exporters: their history is the
/// exporters' (not read here), so no coverage is claimed short.
fn with_coverage<'a>(model: Report<'a>, records: &Records) -> Report<'a> {
    let read_back_only = records.earliest().is_none() && !records.remote.is_empty();
    if read_back_only {
        return model;
    }
    let model = model.with_history_from(records.earliest());
    if model.coverage_short() {
        eprintln!(
            "flightdeck: the history read covers {} of the window's {} days (from its first record); \
             deployment frequency is still counted over the whole window; no previous data, so no trends",
            crate::report::trim_float(model.covered_days),
            crate::report::trim_float(model.cards.window.days())
        );
    }
    model
}

/// Polls every configured source once into `records`, with a line per source
/// on stderr. Every source failing is an error unless `--events` gave data.
fn read_sources(config: &Config, have_events: bool, records: &mut Records) -> Result<()> {
    if config.sources.is_empty() {
        return Ok(());
    }
    let outcomes = crate::commands::wiring::run_to_end(poll_once(config))?;
    for o in &outcomes {
        let took = o.took.as_secs_f64();
        if o.ok {
            let read = if o.polled.is_empty() {
                "nothing new to read".to_string()
            } else {
                o.summary()
            };
            eprintln!(
                "flightdeck: source {} ({}): {read} in {took:.1}s",
                o.name, o.kind
            );
        } else {
            eprintln!(
                "flightdeck: source {} ({}) FAILED: {}",
                o.name, o.kind, o.detail
            );
        }
    }
    if !have_events && outcomes.iter().all(|o| !o.ok) {
        return Err(eyre!(
            "{}: no configured source could be read (each one's reason is above)",
            config.path.display()
        ));
    }
    for o in outcomes {
        for e in o.polled {
            records.apply(e);
        }
    }
    Ok(())
}

/// Reads every `--events` file into `records`, telling on stderr what was
/// skipped and which file gave nothing.
fn read_events(args: &ReportArgs, records: &mut Records) -> Result<Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    for path in &args.events {
        let mut read = 0u64;
        // Room for the file's records up front, so a large first read does not
        // rehash its indexes as they grow. An estimate (about 200 bytes a line,
        // half of them changes, half deployment lines), capped: the size of a
        // sparse or special file says little, and room is only a hint.
        let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        let half = usize::try_from(bytes / 400)
            .unwrap_or(usize::MAX)
            .min(1 << 26);
        records.reserve(half, half);
        // The report prints no change titles or urls: they are not kept.
        let d = events::read_file_prepared(path, args.strict, |block| {
            read += block.len() as u64;
            records.apply_all(block, |_| {});
        })?;
        // An empty report must say why it is empty.
        if read == 0 {
            eprintln!(
                "{}: no events read ({} lines): the report has nothing from this file",
                path.display(),
                d.lines
            );
        }
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
    Ok(diagnostics)
}
