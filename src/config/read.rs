//! Reading config text: the TOML parsed with the position of every key, each
//! table checked against its known keys, every problem kept with its line.

use std::path::Path;
use std::time::Duration;

use chrono::TimeDelta;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::model::settings::parse_span;

mod keys;

mod benchmarks;

mod source_teams;
mod ui;

use super::{
    Config, ConfigError, DEFAULT_TIMEOUT, General, Problem, SECRET_KEYS, SourceConfig, Team, kinds,
    spec,
};

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
        let mut ui = super::Ui::default();
        let mut keys = Vec::new();
        let mut custom = Vec::new();
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
                "ui" => ui = self.ui(value).unwrap_or_default(),
                "keys" => keys = self.keys(value),
                "benchmarks" => custom = self.benchmarks(value),
                other => self.unknown(
                    key.span().start,
                    "",
                    other,
                    &[
                        "general",
                        "teams",
                        "sources",
                        "findings",
                        "ui",
                        "keys",
                        "benchmarks",
                    ],
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
        let benchmark = self.chosen(general.benchmark.as_ref(), &custom);
        Some(Config {
            path: path.to_path_buf(),
            benchmark,
            benchmarks: custom,
            general,
            teams,
            sources,
            findings: findings.unwrap_or_default(),
            ui,
            keys,
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
        // Keys already reported (and dropped): their absence is not news.
        let mut reported: Vec<String> = Vec::new();
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
                        // `urll` said "did you mean `url`?": `url` is not also missing.
                        if let Some(meant) = suggest(&field, &known) {
                            reported.push(meant.to_string());
                        }
                        table.remove(field.as_str());
                        continue;
                    }
                    if let Some(field) = between(&message, "missing field `", "`") {
                        if !reported.contains(&field) {
                            self.problem(at, join(prefix, &field), "required key is missing");
                        }
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
                            reported.push(k);
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
            revert_window: Option<Spanned<String>>,
            contract_stall: Option<Spanned<String>>,
            production_environments: Option<Vec<String>>,
            regions: Option<Vec<String>>,
            benchmark: Option<Spanned<String>>,
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
        span(
            self,
            "revert_window",
            &raw.revert_window,
            &mut g.revert_window,
        );
        span(
            self,
            "contract_stall",
            &raw.contract_stall,
            &mut g.contract_stall,
        );
        if let Some(p) = raw.production_environments {
            g.production_environments = p;
        }
        if let Some(r) = raw.regions {
            g.regions = r;
        }
        g.benchmark = raw.benchmark;
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
        let teams = self.take_teams(table, prefix).unwrap_or_default();
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
            teams,
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
    crate::util::text::closest(key, known)
}
