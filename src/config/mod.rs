//! The config file: where it is, what it says, and every mistake in it at once.
//! May use `model`, `util` and `sources` (each source kind's keys).
//!
//! Parsing keeps the position of every key, so each problem names its file,
//! line and key. Each source kind owns its keys: a serde struct with
//! `deny_unknown_fields`, registered in [`crate::commands::registry`].

pub mod kinds;
mod read;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::TimeDelta;
use serde::de::DeserializeOwned;
use toml::de::ValueDeserializer;

use crate::model::Text;
use crate::model::settings::Settings;
use crate::model::shard::{Shard, shard_of};
use kinds::SourceSpec;

pub use read::{parse, suggest};

/// The commented example that `flightdeck config init` writes.
pub const EXAMPLE: &str = include_str!("../../config/default.toml");

/// The environment variable naming a config file.
pub const ENV: &str = "FLIGHTDECK_CONFIG";

/// Default poll interval and request timeout of a source.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(300);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Keys that would hold a secret inline; refused wherever they appear.
const SECRET_KEYS: &[&str] = &[
    "token",
    "password",
    "secret",
    "api_key",
    "api_token",
    "private_token",
];

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub general: General,
    pub teams: Vec<Team>,
    pub sources: Vec<SourceConfig>,
    /// `[findings]`: who owns which finding, and the SLA days per severity.
    pub findings: crate::model::findings_policy::FindingsPolicy,
    /// `[ui]`: how the cockpit looks.
    pub ui: Ui,
    /// `[keys]`, as written: checked and applied by the cockpit.
    pub keys: Vec<KeyLine>,
    /// The set `[general] benchmark` names (default DORA 2023).
    pub benchmark: crate::model::benchmarks::Benchmarks,
    /// `[benchmarks.NAME]`: the config's own sets.
    pub benchmarks: Vec<crate::model::benchmarks::Benchmarks>,
}

pub use crate::model::settings::KeyLine;

/// The themes `[ui] theme` may name (the cockpit's palettes are `app::theme`).
pub const THEMES: [&str; 3] = ["dark", "light", "mono"];

/// `[ui]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ui {
    /// One of [`THEMES`], lower case; `None`: the default.
    pub theme: Option<String>,
    /// `[ui.colors]`: a colour per role (`model::colours::ROLES`), over the theme's.
    pub colors: Vec<(String, crate::model::colours::Colour)>,
}

#[derive(Debug, Clone)]
pub struct General {
    pub window: TimeDelta,
    pub incident_link_window: TimeDelta,
    pub revert_window: TimeDelta,
    /// A contract change unfinished for longer than this is stalled.
    pub contract_stall: TimeDelta,
    pub production_environments: Vec<String>,
    pub regions: Vec<String>,
    /// The benchmark set named, as written (resolved into `Config::benchmark`).
    pub benchmark: Option<toml::Spanned<String>>,
}

impl Default for General {
    fn default() -> Self {
        let s = Settings::default();
        Self {
            window: TimeDelta::days(30),
            incident_link_window: s.incident_link_window,
            revert_window: s.revert_window,
            contract_stall: s.contract_stall,
            production_environments: s.production_environments,
            regions: Vec::new(),
            benchmark: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub name: String,
    pub services: Vec<String>,
}

/// One `[[sources]]` entry.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub kind: String,
    pub name: String,
    /// `None`: `interval = "off"`, read once (and on `r`).
    pub interval: Option<Duration>,
    pub timeout: Duration,
    /// `teams = [...]`: the teams whose records the source carries; empty:
    /// it may feed any team.
    pub teams: Vec<String>,
    pub spec: SourceSpec,
    /// Line of the entry in the file.
    pub line: usize,
}

/// One mistake in a config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: usize,
    /// Dotted key path, e.g. `sources[2].repos`; empty for the whole file.
    pub key: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", render_problems(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    #[error("{path} already exists; flightdeck does not overwrite a config (remove it first)")]
    Exists { path: PathBuf },
    #[error("cannot write the config file {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no config directory is known on this platform; pass a path")]
    NoConfigDir,
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    let mut s = format!(
        "{} in {}:",
        crate::util::format::plural(problems.len(), "problem"),
        path.display()
    );
    for p in problems {
        s.push_str(&format!("\n  {}:{}: ", path.display(), p.line));
        if !p.key.is_empty() {
            s.push_str(&format!("{}: ", p.key));
        }
        s.push_str(&p.message);
    }
    s
}

/// The platform's config file path (it may not exist).
pub fn platform_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "flightdeck").map(|d| d.config_dir().join("config.toml"))
}

/// Which file to read: `--config`, else `FLIGHTDECK_CONFIG`, else the platform
/// file when it exists. `None`: run without a config.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    platform_path().filter(|p| p.is_file())
}

/// Finds and loads the config (see [`locate`]); `Ok(None)` when there is none.
pub fn load(explicit: Option<&Path>) -> Result<Option<Config>, ConfigError> {
    locate(explicit).map(|p| load_file(&p)).transpose()
}

pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    // Regular files only, and not huge: a FIFO or /dev/zero must not hang the start.
    let text =
        crate::util::files::read_to_string_capped(path, 16 * 1024 * 1024).map_err(|source| {
            ConfigError::Io {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let mut config = parse(&text, path)?;
    // A relative `path` in a source means "next to the config file", not
    // "wherever flightdeck happens to be started".
    let base = path.parent().unwrap_or(Path::new("."));
    for source in &mut config.sources {
        source.spec.resolve_paths(base);
    }
    Ok(config)
}

/// Writes the commented example to `path` (default: the platform file);
/// refuses to overwrite anything.
pub fn init(path: Option<&Path>) -> Result<PathBuf, ConfigError> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => platform_path().ok_or(ConfigError::NoConfigDir)?,
    };
    let write_err = |source| ConfigError::Write {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    use std::io::Write;
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(ConfigError::Exists { path });
        }
        Err(e) => return Err(write_err(e)),
    };
    file.write_all(EXAMPLE.as_bytes()).map_err(write_err)?;
    Ok(path)
}

impl Config {
    /// Applies the config's organisation to the metric settings.
    pub fn apply_to(&self, settings: &mut Settings) {
        let g = &self.general;
        settings.production_environments = g.production_environments.clone();
        settings.incident_link_window = g.incident_link_window;
        settings.revert_window = g.revert_window;
        settings.contract_stall = g.contract_stall;
        // Regions only when the config names them: an empty list would erase
        // the ones the demo declared (and with them the canary region).
        if !g.regions.is_empty() {
            settings.regions = g.regions.iter().map(|r| Text::from(r.as_str())).collect();
        }
        settings.findings = self.findings.clone();
        settings.benchmark = self.benchmark.clone();
        for team in &self.teams {
            let name = Text::from(team.name.as_str());
            if !settings.teams.contains(&name) {
                settings.teams.push(name.clone());
            }
            for s in &team.services {
                settings
                    .service_teams
                    .insert(Text::from(s.as_str()), name.clone());
            }
        }
    }

    /// What is allowed but unwise, one line each: a token file other users
    /// can read. Reads the files' modes (the rest of the config is text).
    pub fn warnings(&self) -> Vec<String> {
        self.sources
            .iter()
            .filter_map(|s| {
                let loose = crate::sources::secret::loose_permissions(s.spec.token_file()?)?;
                Some(format!(
                    "{}: source `{}` (line {}): {loose}",
                    self.path.display(),
                    s.name,
                    s.line
                ))
            })
            .collect()
    }

    pub fn settings(&self) -> Settings {
        let mut s = Settings::default();
        self.apply_to(&mut s);
        s
    }
}

impl SourceConfig {
    /// Why `serve --shard` `shard` does not read this source: its `teams`
    /// are all served by other shards. `None`: it reads it (no `teams`, one
    /// of them is its own, or it is shard 1, which needs every team's
    /// deployments and incidents for the organisation-wide series).
    pub fn skipped_by(&self, shard: Shard) -> Option<String> {
        if self.teams.is_empty() || shard.is_first() || self.teams.iter().any(|t| shard.owns(t)) {
            return None;
        }
        let mut named: Vec<String> = self
            .teams
            .iter()
            .take(3)
            .map(|t| format!("{t}: shard {}", shard_of(t, shard.count())))
            .collect();
        if self.teams.len() > 3 {
            named.push(format!("{} more", self.teams.len() - 3));
        }
        Some(format!(
            "not read by shard {shard}: feeds only teams served by other shards ({})",
            named.join(", ")
        ))
    }
}

impl fmt::Display for SourceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.kind)
    }
}

/// Deserializes a kind's spec (for the registry's parser table).
pub fn spec<T: DeserializeOwned>(de: ValueDeserializer<'_>) -> Result<T, toml::de::Error> {
    T::deserialize(de)
}
