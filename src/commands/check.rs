//! `flightdeck check`: validates the config, polls every source once and
//! prints a table of the results; non-zero exit when any source failed.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::commands::cli::CheckArgs;
use crate::commands::poll_once::{Outcome, poll_once};
use crate::config::{self, Config, ConfigError};
use crate::model::shard::Shard;

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(
        "no config file found: pass --config FILE, set {env}, or write one with `flightdeck config init`{}",
        config::platform_path().map(|p| format!(" (it goes to {})", p.display())).unwrap_or_default(),
        env = config::ENV
    )]
    NoConfig,
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

pub fn run(args: &CheckArgs) -> Result<ExitCode, CheckError> {
    let mut config = config::load(args.config.as_deref())?.ok_or(CheckError::NoConfig)?;
    // `[keys]` is checked as the cockpit would apply it.
    crate::commands::event_loop::keymap(Some(&config))?;
    let shard = args.shard.unwrap_or_default();
    print!("{}", summary(&config, shard));
    // A shard polls only what it would read.
    config.sources.retain(|s| s.skipped_by(shard).is_none());
    for warning in config.warnings() {
        eprintln!("flightdeck: warning: {warning}");
    }
    if args.offline || config.sources.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CheckError::Runtime)?;
    let outcomes = runtime.block_on(poll_once(&config));
    // A source still stuck in a blocking read must not keep `check` from ending.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    print!("\n{}", table(&outcomes));
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    if failed > 0 {
        eprintln!(
            "flightdeck: {} of {} failed",
            crate::util::format::plural(failed, "source"),
            outcomes.len()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// What the config declares, in a few lines (and, for a shard, which
/// sources it would not read).
pub fn summary(config: &Config, shard: Shard) -> String {
    let mut s = String::new();
    let g = &config.general;
    let _ = writeln!(s, "config: {} (valid)", config.path.display());
    let _ = writeln!(
        s,
        "window {}d, incident link window {}h, production = {}",
        g.window.num_days(),
        g.incident_link_window.num_hours(),
        g.production_environments.join(", ")
    );
    if !g.regions.is_empty() {
        let _ = writeln!(s, "regions: {}", g.regions.join(" > "));
    }
    let services: usize = config.teams.iter().map(|t| t.services.len()).sum();
    let _ = writeln!(
        s,
        "{}, {} mapped",
        crate::util::format::plural(config.teams.len(), "team"),
        crate::util::format::plural(services, "service")
    );
    let _ = writeln!(
        s,
        "{}:",
        crate::util::format::plural(config.sources.len(), "source")
    );
    for src in &config.sources {
        let every = src.interval.map_or("once (interval off)".to_string(), |i| {
            format!("every {}s", i.as_secs())
        });
        let _ = writeln!(
            s,
            "  {} ({}), {every}, timeout {}s{}",
            crate::util::text::sanitize(&src.name),
            src.kind,
            src.timeout.as_secs(),
            if src.teams.is_empty() {
                String::new()
            } else {
                format!(", feeds {}", src.teams.join(", "))
            }
        );
        if let Some(why) = src.skipped_by(shard) {
            let _ = writeln!(s, "    {why}");
        }
    }
    s
}

pub fn table(outcomes: &[Outcome]) -> String {
    let mut s = String::new();
    let w = outcomes
        .iter()
        .map(|o| crate::util::text::width(&o.name))
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        s,
        "{:<w$}  {:<9}  {:<6}  {:>7}  {:>8}  {:>7}  DETAIL",
        "SOURCE", "KIND", "RESULT", "EVENTS", "QUOTA", "TOOK"
    );
    for o in outcomes {
        let quota = o.quota.map_or("-".to_string(), |q| q.remaining.to_string());
        let _ = writeln!(
            s,
            "{}  {:<9}  {:<6}  {:>7}  {:>8}  {:>6.1}s  {}",
            crate::util::text::pad_right(&o.name, w),
            o.kind,
            if o.ok { "ok" } else { "FAILED" },
            o.events,
            quota,
            o.took.as_secs_f64(),
            o.summary()
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn wide_source_names_keep_the_table_aligned() {
        let outcome = |name: &str| Outcome {
            name: name.into(),
            kind: "git".into(),
            ok: true,
            events: 3,
            quota: None,
            detail: String::new(),
            polled: Vec::new(),
            took: Duration::from_millis(100),
        };
        let text = table(&[outcome("東京"), outcome("shop-api"), outcome("🚀")]);
        let widths: Vec<usize> = text
            .lines()
            .map(|l| crate::util::text::width(l.split("  git").next().unwrap_or(l)))
            .skip(1)
            .collect();
        // Every name column is as wide as the widest name, `shop-api` (8).
        assert_eq!(widths, [8, 8, 8], "{text}");
        assert!(text.starts_with("SOURCE    KIND"), "{text}");
    }
}
