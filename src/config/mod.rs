//! The config file: where it is, what it says, and every mistake in it at once.
//!
//! Parsing keeps the position of every key, so each problem names its file,
//! line and key. Each source kind owns its keys: a serde struct with
//! `deny_unknown_fields`, registered in [`crate::commands::registry`].

pub mod kinds;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::TimeDelta;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::model::Text;
use crate::model::settings::{Settings, parse_span};
use kinds::SourceSpec;

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
}

#[derive(Debug, Clone)]
pub struct General {
    pub window: TimeDelta,
    pub incident_link_window: TimeDelta,
    pub production_environments: Vec<String>,
    pub regions: Vec<String>,
}

impl Default for General {
    fn default() -> Self {
        let s = Settings::default();
        Self {
            window: TimeDelta::days(30),
            incident_link_window: s.incident_link_window,
            production_environments: s.production_environments,
            regions: Vec::new(),
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
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
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
        settings.regions = g.regions.iter().map(|r| Text::from(r.as_str())).collect();
        settings.findings = self.findings.clone();
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

    pub fn settings(&self) -> Settings {
        let mut s = Settings::default();
        self.apply_to(&mut s);
        s
    }
}

/// Parses config text; `path` only names the file in messages.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let mut cx = Cx {
        text,
        problems: Vec::new(),
    };
    let config = cx.document(path);
    if cx.problems.is_empty() {
        // `document` returns a config whenever it recorded no problem.
        if let Some(c) = config {
            return Ok(c);
        }
    }
    let mut problems = cx.problems;
    problems.sort_by_key(|p| p.line);
    Err(ConfigError::Invalid {
        path: path.to_path_buf(),
        problems,
    })
}

struct Cx<'t> {
    text: &'t str,
    problems: Vec<Problem>,
}

type Value<'i> = Spanned<DeValue<'i>>;

impl<'t> Cx<'t> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn problem(&mut self, offset: usize, key: impl Into<String>, message: impl Into<String>) {
        let line = self.line(offset);
        self.problems.push(Problem {
            line,
            key: key.into(),
            message: message.into(),
        });
    }

    fn document(&mut self, path: &Path) -> Option<Config> {
        let (root, errors) = DeTable::parse_recoverable(self.text);
        if !errors.is_empty() {
            for e in errors {
                let at = e.span().map_or(0, |s| s.start);
                self.problem(at, "", format!("syntax error: {}", e.message().trim()));
            }
            return None;
        }
        let mut general = General::default();
        let mut teams = Vec::new();
        let mut sources = Vec::new();
        let mut findings = None;
        for (key, value) in root.get_ref().iter() {
            match key.get_ref().as_ref() {
                "general" => {
                    if let Some(g) = self.general(value) {
                        general = g;
                    }
                }
                "teams" => teams = self.teams(value),
                "sources" => sources = self.sources(value),
                // Finding ownership and SLAs: the policy's own serde keys.
                "findings" => findings = self.deserialize(value, "findings", spec),
                other => self.unknown(
                    key.span().start,
                    "",
                    other,
                    &["general", "teams", "sources", "findings"],
                ),
            }
        }
        let mut owners: std::collections::HashMap<&str, &str> = Default::default();
        let mut duplicate = Vec::new();
        for t in &teams {
            for s in &t.services {
                if let Some(first) = owners.insert(s, &t.name)
                    && first != t.name
                {
                    duplicate.push(format!(
                        "service `{s}` is listed by both `{first}` and `{}`; a service belongs to one team",
                        t.name
                    ));
                }
            }
        }
        for d in duplicate {
            let at = self.text.find("[[teams]]").unwrap_or(0);
            self.problem(at, "teams", d);
        }
        Some(Config {
            path: path.to_path_buf(),
            general,
            teams,
            sources,
            findings: findings.unwrap_or_default(),
        })
    }

    fn unknown(&mut self, at: usize, prefix: &str, key: &str, known: &[&str]) {
        let message = match suggest(key, known) {
            Some(s) => format!("unknown key; did you mean `{s}`?"),
            None => format!(
                "unknown key (known: {})",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.problem(at, join(prefix, key), message);
    }

    /// Refuses inline secrets (never quoting the value) and drops them.
    fn refuse_secrets(&mut self, table: &mut DeTable<'_>, prefix: &str) {
        let found: Vec<(String, usize)> = table
            .iter()
            .filter(|(k, _)| SECRET_KEYS.contains(&k.get_ref().as_ref()))
            .map(|(k, _)| (k.get_ref().to_string(), k.span().start))
            .collect();
        for (key, at) in found {
            self.problem(
                at,
                join(prefix, &key),
                "secrets are not allowed in the config file; put the token in an \
                 environment variable named by `token_env`, or in a file named by `token_file`",
            );
            table.remove(key.as_str());
        }
    }

    /// Refuses a username or password in a source's `url` (never quoting it) and
    /// keeps only the redacted URL, so no later message can show the password.
    fn refuse_url_credentials(&mut self, table: &mut DeTable<'_>, prefix: &str) {
        let Some((at, redacted)) = table.iter().find_map(|(k, v)| {
            let url = v.get_ref().as_str()?;
            (k.get_ref() == "url" && crate::util::text::url_has_userinfo(url))
                .then(|| (k.span().start, crate::util::text::redact_url(url)))
        }) else {
            return;
        };
        self.problem(
            at,
            join(prefix, "url"),
            "credentials in the URL are not allowed; use token_env or token_file",
        );
        if let Some(v) = table.get_mut("url") {
            *v = Spanned::new(v.span(), DeValue::String(redacted.into()));
        }
    }

    /// Deserializes a table with serde, reporting every unknown or mistyped key
    /// (each bad key is dropped and the rest tried again).
    fn deserialize<T>(
        &mut self,
        value: &Value<'_>,
        prefix: &str,
        de: impl Fn(ValueDeserializer<'_>) -> Result<T, toml::de::Error>,
    ) -> Option<T> {
        let mut value = value.clone();
        for _ in 0..64 {
            match de(ValueDeserializer::from(value.clone())) {
                // With bad keys dropped (each one recorded as a problem), the
                // rest is still checked further.
                Ok(t) => return Some(t),
                Err(e) => {
                    let whole = value.span().start;
                    let DeValue::Table(table) = value.get_mut() else {
                        self.problem(whole, prefix, clean_message(e.message()));
                        return None;
                    };
                    let at = e.span().map_or(whole, |s| s.start);
                    let message = e.message().trim().to_string();
                    if let Some((field, expected)) = unknown_field(&message) {
                        let known: Vec<&str> = expected.iter().map(String::as_str).collect();
                        self.unknown(at, prefix, &field, &known);
                        table.remove(field.as_str());
                        continue;
                    }
                    if let Some(field) = between(&message, "missing field `", "`") {
                        self.problem(at, join(prefix, &field), "required key is missing");
                        return None;
                    }
                    // A wrong type or value: name the key whose value holds the span.
                    let key = table
                        .iter()
                        .find(|(k, v)| {
                            let s = e.span().unwrap_or(0..0);
                            k.span().start <= s.start && s.start <= v.span().end
                        })
                        .map(|(k, _)| k.get_ref().to_string());
                    match key {
                        Some(k) => {
                            self.problem(at, join(prefix, &k), clean_message(&message));
                            table.remove(k.as_str());
                        }
                        None => {
                            self.problem(at, prefix, clean_message(&message));
                            return None;
                        }
                    }
                }
            }
        }
        None
    }

    fn general(&mut self, value: &Value<'_>) -> Option<General> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            window: Option<Spanned<String>>,
            incident_link_window: Option<Spanned<String>>,
            production_environments: Option<Vec<String>>,
            regions: Option<Vec<String>>,
        }
        let mut value = value.clone();
        if let DeValue::Table(t) = value.get_mut() {
            self.refuse_secrets(t, "general");
        }
        let raw: Raw = self.deserialize(&value, "general", spec::<Raw>)?;
        let mut g = General::default();
        let span = |cx: &mut Self, key: &str, v: &Option<Spanned<String>>, out: &mut TimeDelta| {
            if let Some(v) = v {
                match parse_span(v.get_ref()) {
                    Ok(d) => *out = d,
                    Err(e) => cx.problem(v.span().start, format!("general.{key}"), e),
                }
            }
        };
        span(self, "window", &raw.window, &mut g.window);
        span(
            self,
            "incident_link_window",
            &raw.incident_link_window,
            &mut g.incident_link_window,
        );
        if let Some(p) = raw.production_environments {
            g.production_environments = p;
        }
        if let Some(r) = raw.regions {
            g.regions = r;
        }
        Some(g)
    }

    fn teams(&mut self, value: &Value<'_>) -> Vec<Team> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            name: String,
            #[serde(default)]
            services: Vec<String>,
        }
        let Some(items) = value.get_ref().as_array() else {
            self.problem(
                value.span().start,
                "teams",
                "expected [[teams]] entries (an array of tables)",
            );
            return Vec::new();
        };
        let mut teams: Vec<Team> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("teams[{i}]");
            let Some(raw) = self.deserialize(item, &prefix, spec::<Raw>) else {
                continue;
            };
            if teams.iter().any(|t| t.name == raw.name) {
                self.problem(
                    item.span().start,
                    format!("{prefix}.name"),
                    format!("team `{}` is defined twice", raw.name),
                );
            }
            teams.push(Team {
                name: raw.name,
                services: raw.services,
            });
        }
        teams
    }

    fn sources(&mut self, value: &Value<'_>) -> Vec<SourceConfig> {
        let Some(items) = value.get_ref().as_array() else {
            self.problem(
                value.span().start,
                "sources",
                "expected [[sources]] entries (an array of tables)",
            );
            return Vec::new();
        };
        let mut sources: Vec<SourceConfig> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("sources[{i}]");
            if let Some(s) = self.source(item, &prefix) {
                if sources.iter().any(|o| o.name == s.name) {
                    self.problem(
                        item.span().start,
                        format!("{prefix}.name"),
                        format!(
                            "two sources are named `{}`; give each a unique `name`",
                            s.name
                        ),
                    );
                }
                sources.push(s);
            }
        }
        sources
    }

    fn source(&mut self, item: &Value<'_>, prefix: &str) -> Option<SourceConfig> {
        let line = self.line(item.span().start);
        let mut item = item.clone();
        let DeValue::Table(table) = item.get_mut() else {
            self.problem(item.span().start, prefix, "expected a table");
            return None;
        };
        self.refuse_secrets(table, prefix);
        self.refuse_url_credentials(table, prefix);
        let kind = self.take_string(table, prefix, "kind", item_start(line));
        let name = self.take_string(table, prefix, "name", 0);
        let interval = self.take_duration(table, prefix, "interval", true);
        let timeout = self.take_duration(table, prefix, "timeout", false);
        let kind = match kind {
            Some(k) => k,
            None => {
                if !table.contains_key("kind") {
                    let at = self.offset_of_line(line);
                    self.problem(
                        at,
                        format!("{prefix}.kind"),
                        format!(
                            "required key is missing (one of: {})",
                            kinds::KINDS.join(", ")
                        ),
                    );
                }
                return None;
            }
        };
        let Some(parse) = kinds::spec_parser(kind.get_ref()) else {
            let message = match suggest(kind.get_ref(), kinds::KINDS) {
                Some(s) => format!(
                    "unknown source kind `{}`; did you mean `{s}`?",
                    kind.get_ref()
                ),
                None => format!(
                    "unknown source kind `{}` (known: {})",
                    kind.get_ref(),
                    kinds::KINDS.join(", ")
                ),
            };
            self.problem(kind.span().start, format!("{prefix}.kind"), message);
            return None;
        };
        let spec = self.deserialize(&item, prefix, parse)?;
        for (key, message) in spec.check() {
            let at = self.offset_of_line(line);
            self.problem(at, join(prefix, key), message);
        }
        let name = name.map_or_else(|| kind.get_ref().clone(), |n| n.into_inner());
        Some(SourceConfig {
            kind: kind.into_inner(),
            name,
            interval: interval.unwrap_or(Some(spec.default_interval())),
            timeout: timeout.flatten().unwrap_or(DEFAULT_TIMEOUT),
            spec,
            line,
        })
    }

    fn offset_of_line(&self, line: usize) -> usize {
        let mut offset = 0;
        for (n, l) in self.text.split_inclusive('\n').enumerate() {
            if n + 1 == line {
                return offset;
            }
            offset += l.len();
        }
        offset
    }

    fn take_string(
        &mut self,
        table: &mut DeTable<'_>,
        prefix: &str,
        key: &str,
        _fallback: usize,
    ) -> Option<Spanned<String>> {
        let (k, v) = table.remove_entry(key)?;
        match v.get_ref().as_str() {
            Some(s) if !s.trim().is_empty() => Some(Spanned::new(v.span(), s.to_string())),
            Some(_) => {
                self.problem(k.span().start, join(prefix, key), "must not be empty");
                None
            }
            None => {
                self.problem(
                    k.span().start,
                    join(prefix, key),
                    format!("expected a string, found {}", v.get_ref().type_str()),
                );
                None
            }
        }
    }

    /// `Some(None)` is "off" (only where `off_ok`); `None` is absent or wrong.
    fn take_duration(
        &mut self,
        table: &mut DeTable<'_>,
        prefix: &str,
        key: &str,
        off_ok: bool,
    ) -> Option<Option<Duration>> {
        let (k, v) = table.remove_entry(key)?;
        let at = k.span().start;
        let Some(s) = v.get_ref().as_str() else {
            self.problem(
                at,
                join(prefix, key),
                format!(
                    "expected a duration such as \"5m\"{}, found {}",
                    if off_ok { " or \"off\"" } else { "" },
                    v.get_ref().type_str()
                ),
            );
            return None;
        };
        if off_ok && s.trim().eq_ignore_ascii_case("off") {
            return Some(None);
        }
        match parse_span(s).and_then(|d| d.to_std().map_err(|e| e.to_string())) {
            Ok(d) => Some(Some(d)),
            Err(e) => {
                self.problem(at, join(prefix, key), e);
                None
            }
        }
    }
}

fn item_start(line: usize) -> usize {
    line
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_string())
}

/// serde's "unknown field `x`, expected one of `a`, `b`" as (x, [a, b]).
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let field = between(message, "unknown field `", "`")?;
    let rest = &message[message.find("expected")?..];
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((field, expected))
}

/// serde messages, minus the position suffix the file:line prefix already gives.
fn clean_message(message: &str) -> String {
    message.trim().to_string()
}

/// The closest known key, when it is close enough to be a typo.
pub fn suggest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
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
