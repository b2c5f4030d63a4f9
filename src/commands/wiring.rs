//! The composition root: every command that runs sources (the cockpit, a
//! replay, `serve`) builds its settings, clock, store and sources here, so they
//! agree on what `--demo`, `--events` and `--config` mean. Event files named on
//! the command line are followed as they grow (`report` reads them once).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::{mpsc, watch};

use crate::commands::cli::DemoArgs;
use crate::commands::registry;
use crate::config::{Config, SourceConfig};
use crate::model::Time;
use crate::model::settings::Settings;
use crate::model::shard::Shard;
use crate::model::source_update::SourceUpdate;
use crate::sources::events_follow::{EventsPoller, EventsSpec};
use crate::sources::file_watch::FileWatch;
use crate::sources::scheduler::{Schedule, Scheduler};
use crate::sources::{demo, events};
use crate::store::{Snapshot, Store};
use crate::util::clock::Clock;

/// Starts the sources once the store runs: where to send updates, the store's
/// published snapshots (the canary loop reads them) and the scheduler that
/// polls configured sources (kept alive, and steered by `p`/`r`, by the caller).
pub type StartSources =
    Box<dyn FnOnce(mpsc::Sender<SourceUpdate>, watch::Receiver<Arc<Snapshot>>, &Scheduler) + Send>;

/// Everything a command needs to know about where its data comes from.
pub struct Inputs {
    pub settings: Settings,
    pub clock: Clock,
    pub start: StartSources,
    /// The teams served (`serve --shard`); `1/1` keeps everything.
    pub shard: Shard,
    /// The configured sources the shard does not read, one line each.
    pub skipped: Vec<String>,
}

/// What the command line says about the inputs.
pub struct InputArgs<'a> {
    pub events: &'a [PathBuf],
    pub demo: &'a DemoArgs,
    /// The demo clock's speed.
    pub speed: f64,
    /// Pins the clock (`serve --now`), so the numbers hold still.
    pub now: Option<Time>,
    pub config: Option<Config>,
    /// `--benchmark`: over the config's choice.
    pub benchmark: Option<String>,
    /// `serve --shard`: the sources it reads and the records it keeps.
    pub shard: Shard,
}

/// Why a command has nothing to run.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    Read(#[from] events::ReadError),
    #[error(
        "{}: the config names no sources and no --events file was given: add [[sources]], \
         give --events FILE, or --demo for the demo organisation",
        path.display()
    )]
    NothingToRun { path: PathBuf },
    #[error("--benchmark: {0}")]
    Benchmark(String),
    #[error(
        "{}: shard {shard} has nothing to read: every configured source names in `teams` only \
         teams served by other shards{}",
        path.display(),
        if *events { "" } else { ", and no --events file was given" }
    )]
    NothingForShard {
        path: PathBuf,
        shard: Shard,
        events: bool,
    },
}

/// The set `--benchmark` names, among the built-in sets and the config's.
pub fn benchmark_arg(
    name: Option<&str>,
    config: Option<&Config>,
) -> Result<Option<crate::model::benchmarks::Benchmarks>, InputError> {
    let custom = config.map_or(&[][..], |c| &c.benchmarks[..]);
    name.map(|n| crate::model::benchmarks::resolve(n, custom).map_err(InputError::Benchmark))
        .transpose()
}

/// The one place that decides the inputs: the demo when asked for, or when
/// neither an events file nor a config file is given (a config file means real
/// teams: the demo's made-up numbers never run under their names unasked); the
/// config's teams, services and windows over the demo's; event files followed;
/// the configured sources on the poll scheduler.
pub fn inputs(args: InputArgs<'_>) -> Result<Inputs, InputError> {
    for path in args.events {
        events::check_readable(path)?;
    }
    for warning in args.config.iter().flat_map(crate::config::Config::warnings) {
        eprintln!("flightdeck: warning: {warning}");
    }
    if let Some(c) = &args.config
        && c.sources.is_empty()
        && args.events.is_empty()
        && !args.demo.demo
    {
        return Err(InputError::NothingToRun {
            path: c.path.clone(),
        });
    }
    let use_demo = args.demo.demo || (args.events.is_empty() && args.config.is_none());
    let start_time = args.now.unwrap_or_else(chrono::Utc::now);
    let clock = match args.now {
        Some(now) => Clock::Fixed(now),
        None if use_demo => Clock::running(start_time, args.speed),
        None => Clock::real(),
    };
    let org = demo::DemoOrg::new(args.demo.seed);
    let mut settings = settings(use_demo.then_some(&org), args.config.as_ref());
    if let Some(b) = benchmark_arg(args.benchmark.as_deref(), args.config.as_ref())? {
        settings.benchmark = b;
    }
    let files = args.events.to_vec();
    let (sources, skipped) = shard_sources(args.config.as_ref(), args.shard);
    if let Some(c) = &args.config
        && sources.is_empty()
        && !c.sources.is_empty()
        && args.events.is_empty()
        && !use_demo
    {
        return Err(InputError::NothingForShard {
            path: c.path.clone(),
            shard: args.shard,
            events: !args.events.is_empty(),
        });
    }
    let source_settings = settings.clone();
    let source_clock = clock.clone();
    let start: StartSources = Box::new(move |updates, snapshots, scheduler| {
        if use_demo {
            tokio::spawn(demo::run(
                org.stream(start_time),
                source_clock.clone(),
                updates,
            ));
        }
        for path in &files {
            follow_file(scheduler, path);
        }
        for source in &sources {
            start_source(
                scheduler,
                source,
                &source_settings,
                Some(snapshots.clone()),
                &source_clock,
            );
        }
    });
    Ok(Inputs {
        settings,
        clock,
        start,
        shard: args.shard,
        skipped,
    })
}

/// The configured sources `shard` reads, and a line for each it does not
/// (see `SourceConfig::skipped_by`).
fn shard_sources(config: Option<&Config>, shard: Shard) -> (Vec<SourceConfig>, Vec<String>) {
    let mut read = Vec::new();
    let mut skipped = Vec::new();
    let sources = config.map_or(&[][..], |c| &c.sources[..]);
    let elsewhere = sources
        .iter()
        .filter(|s| !s.teams.is_empty() && !s.teams.iter().any(|t| shard.owns(t)))
        .count();
    if shard.is_first() && elsewhere > 0 {
        skipped.push(format!(
            "shard {shard} reads every source, {elsewhere} of them only for the \
             organisation-wide series (their teams are served by other shards; \
             it keeps their deployments and incidents, not their changes or findings)"
        ));
    }
    for source in sources {
        match source.skipped_by(shard) {
            Some(why) => skipped.push(format!(
                "source `{}` ({}): {why}",
                crate::util::text::sanitize(&source.name),
                source.kind
            )),
            None => read.push(source.clone()),
        }
    }
    (read, skipped)
}

/// The settings of a run: the demo's teams, services and regions when it runs,
/// then the config's over them (`report` builds its settings here too).
pub fn settings(demo: Option<&demo::DemoOrg>, config: Option<&Config>) -> Settings {
    let mut settings = Settings::default();
    if let Some(org) = demo {
        org.declare(&mut settings);
    }
    if let Some(c) = config {
        c.apply_to(&mut settings);
    }
    settings
}

/// The store and the sources, running.
pub struct Running {
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    /// Dropping it stops the configured sources: keep it while the command runs.
    pub scheduler: Scheduler,
}

impl Inputs {
    /// Spawns the store and starts the sources on the current runtime;
    /// `record` also writes every update to a recording (`--record`).
    pub fn start(self, record: Option<(std::fs::File, PathBuf)>) -> Running {
        let started = self.clock.now();
        let (store, snapshots) = Store::new(self.settings, self.clock);
        let store = store.keeping(self.shard);
        let (updates, inbox) = mpsc::channel(256);
        tokio::spawn(store.run(inbox));
        let updates = match record {
            Some((file, path)) => crate::commands::recording::tee(file, (path, started), updates),
            None => updates,
        };
        let scheduler = Scheduler::new(updates.clone(), Clock::real());
        (self.start)(updates, snapshots.clone(), &scheduler);
        Running {
            snapshots,
            scheduler,
        }
    }
}

/// The runtime of the cockpit, a replay and `serve`: two workers, as the
/// machines we target have two cores.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// Runs `work` to its end on [`runtime`], then leaves without waiting for
/// blocking work still running (a git command, a slow file read): once the
/// user quits or a signal arrives, nothing outside may keep the process alive.
pub fn run_to_end<F: std::future::Future>(work: F) -> Result<F::Output> {
    let runtime = runtime()?;
    let out = runtime.block_on(work);
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(out)
}

/// How often an events file named with `--events` is checked for new lines
/// when no change notification wakes it first (the fallback).
const FOLLOW_INTERVAL: Duration = Duration::from_secs(2);

pub fn follow_file(scheduler: &Scheduler, path: &Path) {
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
    // A file that cannot be watched is still followed, on the interval.
    let wake = match FileWatch::new(path) {
        Ok(w) => Some(Arc::new(w)),
        Err(e) => {
            tracing::warn!(error = %e, "following by polling only");
            None
        }
    };
    match EventsPoller::new(spec, crate::config::DEFAULT_TIMEOUT) {
        Ok(poller) => scheduler.spawn(
            Schedule {
                name: crate::util::text::sanitize(&name),
                kind: "events",
                interval: Some(FOLLOW_INTERVAL),
                timeout: crate::config::DEFAULT_TIMEOUT,
                wake,
            },
            Box::new(poller),
        ),
        Err(e) => scheduler.spawn_failed(crate::util::text::sanitize(&name), "events", e),
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
    let name = crate::util::text::sanitize(&source.name);
    let kind = registry::kind_name(&source.kind);
    match registry::build_with(source, settings, snapshots, clock.clone()) {
        Ok(poller) => scheduler.spawn(
            Schedule {
                name,
                kind,
                interval: source.interval,
                timeout: source.timeout,
                wake: None,
            },
            poller,
        ),
        Err(error) => scheduler.spawn_failed(name, kind, error),
    }
}
