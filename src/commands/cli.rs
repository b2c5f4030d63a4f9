//! Command-line interface.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::settings::parse_span;
use crate::model::shard::Shard;

#[derive(Debug, Parser)]
#[command(
    name = "flightdeck",
    version,
    about = "A terminal cockpit for continuous governance of software delivery"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub cockpit: CockpitArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print team scorecards once and exit (no TUI).
    Report(ReportArgs),
    /// The cockpit on a recorded NDJSON event log, its clock running from the first event.
    Replay(ReplayArgs),
    /// Headless: serve OpenMetrics at /metrics (and /healthz) for Prometheus to scrape.
    Serve(ServeArgs),
    /// Validate the config file, poll every source once and print their state.
    Check(CheckArgs),
    /// Manage the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script, e.g. `flightdeck completions bash > ~/.local/share/bash-completion/completions/flightdeck`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `flightdeck man > flightdeck.1; man ./flightdeck.1`.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write the commented example config (refuses to overwrite a file).
    Init {
        /// Where to write it; default: the platform config directory.
        path: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Config file (default: $FLIGHTDECK_CONFIG, else the platform config file).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only validate the config; do not poll the sources.
    #[arg(long)]
    pub offline: bool,
    /// Check as `serve --shard I/N` would run: say which sources that shard
    /// does not read (their `teams` are all served by other shards), and poll
    /// only the others.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Use the embedded demo organisation (the default when no events file is given).
    #[arg(long)]
    pub demo: bool,
    /// Seed of the demo organisation: the same seed gives the same organisation.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct CockpitArgs {
    #[command(flatten)]
    pub demo: DemoArgs,
    /// Run the demo clock this many times faster than real time.
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Read events from an NDJSON file instead of the demo (repeatable).
    #[arg(long = "events", value_name = "FILE")]
    pub events: Vec<PathBuf>,
    /// Do not ring the terminal bell on new release-window alerts (`w`).
    #[arg(long)]
    pub no_bell: bool,
    /// Config file (default: $FLIGHTDECK_CONFIG, else the platform config file).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Append every event the cockpit receives to FILE as NDJSON (for `replay`).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Start without what the last run kept in the state directory (the screen,
    /// window, sorts, filters and acknowledged alerts).
    #[arg(long)]
    pub fresh: bool,
    /// Freeze the clock here (RFC 3339), as `report --now`: the cockpit as of a
    /// past time, e.g. the end of last sprint for a retro.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// The palette [default: the config's `[ui] theme`, else mono when
    /// NO_COLOR is set, else dark].
    #[arg(long, value_enum)]
    pub theme: Option<ThemeArg>,
    /// The benchmark set the tiers come from: DORA 2021, DORA 2023, DORA 2024,
    /// DORA 2025 or a config's `[benchmarks.NAME]` [default: the config's
    /// `[general] benchmark`, else DORA 2023].
    #[arg(long, value_name = "NAME")]
    pub benchmark: Option<String>,
}

/// `--theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThemeArg {
    Dark,
    Light,
    Mono,
}

impl ThemeArg {
    pub fn name(self) -> crate::app::theme::ThemeName {
        use crate::app::theme::ThemeName;
        match self {
            ThemeArg::Dark => ThemeName::Dark,
            ThemeArg::Light => ThemeName::Light,
            ThemeArg::Mono => ThemeName::Mono,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recorded NDJSON event log (schema v1), e.g. from `--record`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Clock seconds per real second at the start; `>` and `<` change it, space pauses.
    #[arg(long, default_value_t = 60.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Start the clock here (RFC 3339); earlier events are applied at once as history.
    #[arg(long, value_parser = parse_now)]
    pub from: Option<DateTime<Utc>>,
    /// Stop the clock here (RFC 3339); later events are left out. Default: the last event.
    #[arg(long, value_parser = parse_now)]
    pub to: Option<DateTime<Utc>>,
    /// The palette, as for the cockpit.
    #[arg(long, value_enum)]
    pub theme: Option<ThemeArg>,
    /// Config file whose teams, services and windows the replay applies
    /// (default: $FLIGHTDECK_CONFIG, else the platform config file; its sources are not polled).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// NDJSON events file (schema v1); repeat for several files, read in order.
    #[arg(long = "events", value_name = "FILE")]
    pub events: Vec<PathBuf>,
    #[command(flatten)]
    pub demo: DemoArgs,
    /// Window length, e.g. 7d, 30d, 90d, 24h [default: the config's `window`, else 30d].
    #[arg(long, value_parser = parse_window)]
    pub window: Option<TimeDelta>,
    /// End of the window (RFC 3339); default now.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only this team (repeatable); an unknown name is an error listing the known ones.
    #[arg(long = "team", value_name = "NAME")]
    pub team: Vec<String>,
    /// Write the report to FILE (atomically: a temporary file, then a rename) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fail on the first malformed line instead of reporting it and reading on.
    #[arg(long)]
    pub strict: bool,
    /// CSV: write team names as they are, even one that a spreadsheet would run
    /// as a formula (by default such a name gets a leading `'`).
    #[arg(long)]
    pub raw_csv: bool,
    /// Config file for teams, services and production environments
    /// (default: $FLIGHTDECK_CONFIG, else the platform config file).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The benchmark set the tiers come from, as for the cockpit.
    #[arg(long, value_name = "NAME")]
    pub benchmark: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// One row per team, raw numbers, RFC 4180.
    Csv,
    /// Scorecard table with tiers and trend arrows, and the teams that need help.
    Markdown,
    /// One self-contained page: scorecards, weekly trend charts (inline SVG),
    /// teams that need help, audit posture; no script, no network.
    Html,
}

fn parse_window(s: &str) -> Result<TimeDelta, String> {
    parse_span(s)
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("'{s}' is not an RFC 3339 time ({e}); e.g. 2024-03-31T00:00:00Z"))
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1_000_000.0 => Ok(v),
        _ => Err(format!(
            "'{s}' is not a speed between 0 and 1000000 (e.g. 60)"
        )),
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:9464", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Require `Authorization: Bearer <token>` on /metrics, the token read from FILE.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Most connections open at once (lowered to fit the open-file limit); past
    /// it, a new connection closes the one quiet the longest.
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_connections: usize,
    #[command(flatten)]
    pub demo: DemoArgs,
    /// Read events from an NDJSON file instead of the demo (repeatable).
    #[arg(long = "events", value_name = "FILE")]
    pub events: Vec<PathBuf>,
    /// Pin the clock at this time (RFC 3339): the numbers hold still (tests, comparisons).
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Run the demo clock this many times faster than real time.
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Config file (default: $FLIGHTDECK_CONFIG, else the platform config file).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve only shard I of N: the teams whose FNV-1a 64 name hash modulo N is
    /// I-1 (organisation-wide series from shard 1 only).
    #[arg(long, default_value = "1/1", value_name = "I/N", value_parser = parse_shard)]
    pub shard: Shard,
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
}
