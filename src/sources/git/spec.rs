//! The `git` source's own config keys, validated when the config is read.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::util::glob::{Glob, GlobError};

/// A `[[sources]]` entry with `kind = "git"`: a local repository whose tags are
/// deployments and whose commits are changes.
///
/// Keys (besides the scheduler's `kind`, `name`, `interval`, `timeout`):
///
/// - `path` (required): the repository's top folder: a working tree, its `.git`
///   folder, or a bare repository. The folder itself must be the repository; git
///   does not look upwards from it. A relative path is relative to the config
///   file's folder (see [`GitSpec::resolved_against`]).
/// - `deploy_tags` (default `"v*"`): a glob over tag names, or a list of them
///   (`*` any run of characters, `?` one character, `[a-z]` / `[!0-9]` a class,
///   `\` escapes); a tag any of them matches is a deployment tag unless
/// - `exclude_tags` (default none), a glob or a list, matches it, or it names a
///   semantic-version pre-release (`1.2.0-rc.1`, after a leading `v` or a name
///   prefix such as `tokio-`) and `include_prereleases` (default `false`) is off.
/// - `service`: the one service the whole repository builds, or
/// - `[sources.paths]`: a monorepo table of path prefix -> service, e.g.
///   `"services/api" = "api"`. A commit belongs to every service one of its
///   changed files maps to; the longest matching prefix wins for a file, and the
///   prefix `""` catches files no other prefix matches.
///
/// Exactly one of `service` and `paths` must be given.
///
/// ```toml
/// [[sources]]
/// kind = "git"
/// name = "shop"
/// path = "../shop"
/// deploy_tags = ["release-*", "hotfix-*"]
/// exclude_tags = "release-*-test"
/// [sources.paths]
/// "services/cart" = "cart"
/// "services/payments" = "payments"
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawGitSpec")]
pub struct GitSpec {
    pub path: PathBuf,
    pub deploy_tags: Vec<TagPattern>,
    pub exclude_tags: Vec<TagPattern>,
    pub include_prereleases: bool,
    pub services: ServiceMap,
}

/// How commits map to services.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceMap {
    /// The whole repository is one service.
    One(String),
    /// Path prefix -> service, longest prefix first, so the first match is the one.
    Paths(Vec<(String, String)>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGitSpec {
    path: PathBuf,
    #[serde(default)]
    deploy_tags: Option<Globs>,
    #[serde(default)]
    exclude_tags: Option<Globs>,
    #[serde(default)]
    include_prereleases: bool,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    paths: Option<BTreeMap<String, String>>,
}

/// Why a `git` source entry is invalid. The messages name the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("`path` is empty: give the repository's folder")]
    EmptyPath,
    #[error(
        "give either `service` (one-service repository) or a `[sources.paths]` table (monorepo), not both"
    )]
    BothServiceAndPaths,
    #[error(
        "give `service` (one-service repository) or a `[sources.paths]` table of path prefix -> service (monorepo)"
    )]
    NoService,
    #[error("`service` is empty")]
    EmptyService,
    #[error("`[sources.paths]` is empty: map at least one path prefix to a service")]
    EmptyPaths,
    #[error("`paths.\"{prefix}\"`: the service name is empty")]
    EmptyPathService { prefix: String },
    #[error("`paths`: \"{first}\" and \"{second}\" are the same prefix")]
    DuplicatePrefix { first: String, second: String },
    #[error("`deploy_tags`: {0}")]
    Pattern(#[from] PatternError),
    #[error("`exclude_tags`: {0}")]
    Exclude(PatternError),
    #[error("`deploy_tags` is an empty list (the default is \"v*\")")]
    NoPatterns,
}

/// One glob or a list of them, as the config writes it.
struct Globs(Vec<String>);

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Globs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tag glob or a list of tag globs")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Globs, E> {
                Ok(Globs(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Globs, A::Error> {
                let mut out = Vec::new();
                while let Some(g) = seq.next_element::<String>()? {
                    out.push(g);
                }
                Ok(Globs(out))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl TryFrom<RawGitSpec> for GitSpec {
    type Error = SpecError;

    fn try_from(raw: RawGitSpec) -> Result<Self, SpecError> {
        if raw.path.as_os_str().is_empty() {
            return Err(SpecError::EmptyPath);
        }
        let deploy_tags = match raw.deploy_tags {
            Some(Globs(list)) if list.is_empty() => return Err(SpecError::NoPatterns),
            Some(Globs(list)) => list
                .iter()
                .map(|p| TagPattern::new(p))
                .collect::<Result<_, _>>()?,
            None => vec![TagPattern::default()],
        };
        let exclude_tags = raw
            .exclude_tags
            .map_or(Ok(Vec::new()), |Globs(list)| {
                list.iter().map(|p| TagPattern::new(p)).collect()
            })
            .map_err(SpecError::Exclude)?;
        let services = match (raw.service, raw.paths) {
            (Some(_), Some(_)) => return Err(SpecError::BothServiceAndPaths),
            (None, None) => return Err(SpecError::NoService),
            (Some(s), None) => {
                if s.trim().is_empty() {
                    return Err(SpecError::EmptyService);
                }
                ServiceMap::One(s)
            }
            (None, Some(paths)) => ServiceMap::paths(paths)?,
        };
        Ok(Self {
            path: raw.path,
            deploy_tags,
            exclude_tags,
            include_prereleases: raw.include_prereleases,
            services,
        })
    }
}

impl GitSpec {
    /// The kind's own keys, for "did you mean" suggestions. A config loader
    /// deserializes the `[[sources]]` table without the scheduler's keys
    /// (`kind`, `name`, `interval`, `timeout`) into a `GitSpec`; any other key is
    /// refused as unknown.
    pub const KEYS: &'static [&'static str] = &[
        "path",
        "deploy_tags",
        "exclude_tags",
        "include_prereleases",
        "service",
        "paths",
    ];

    /// A one-service repository with the default tag pattern (handy in code and tests).
    pub fn one_service(path: impl Into<PathBuf>, service: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            deploy_tags: vec![TagPattern::default()],
            exclude_tags: Vec::new(),
            include_prereleases: false,
            services: ServiceMap::One(service.into()),
        }
    }

    /// Whether the tag `name` is a deployment: a `deploy_tags` glob matches it,
    /// no `exclude_tags` glob does, and it is not a pre-release (unless those count).
    pub fn deploys(&self, name: &str) -> bool {
        self.deploy_tags.iter().any(|p| p.matches(name))
            && !self.exclude_tags.iter().any(|p| p.matches(name))
            && (self.include_prereleases || !is_prerelease(name))
    }

    /// The tag rule as the config says it, for messages: `"v*"`, `"a*", "b*"`.
    pub fn tag_rule(&self) -> String {
        let list = |ps: &[TagPattern]| {
            ps.iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut text = list(&self.deploy_tags);
        if !self.exclude_tags.is_empty() {
            text.push_str(&format!(" (excluding {})", list(&self.exclude_tags)));
        }
        text
    }

    /// The spec with a relative `path` taken relative to `base` (the config file's folder).
    pub fn resolved_against(mut self, base: &Path) -> Self {
        if self.path.is_relative() {
            self.path = base.join(&self.path);
        }
        self
    }
}

impl ServiceMap {
    /// Builds a monorepo map from prefix -> service, normalising prefixes
    /// (`./a/b/` and `/a/b` both mean `a/b`; `.` and `""` mean the whole tree).
    pub fn paths(paths: BTreeMap<String, String>) -> Result<Self, SpecError> {
        if paths.is_empty() {
            return Err(SpecError::EmptyPaths);
        }
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut out = Vec::with_capacity(paths.len());
        for (raw, service) in paths {
            if service.trim().is_empty() {
                return Err(SpecError::EmptyPathService { prefix: raw });
            }
            let prefix = normalise_prefix(&raw);
            if let Some(first) = seen.insert(prefix.clone(), raw.clone()) {
                return Err(SpecError::DuplicatePrefix { first, second: raw });
            }
            out.push((prefix, service));
        }
        // Longest prefix first, so the first match is the most specific one.
        out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Ok(Self::Paths(out))
    }

    /// The service a changed file belongs to, if any.
    pub fn service_of(&self, file: &str) -> Option<&str> {
        match self {
            Self::One(s) => Some(s),
            Self::Paths(prefixes) => prefixes
                .iter()
                .find(|(p, _)| {
                    p.is_empty()
                        || (file.starts_with(p.as_str())
                            && matches!(file.as_bytes().get(p.len()), None | Some(b'/')))
                })
                .map(|(_, s)| s.as_str()),
        }
    }

    pub fn is_monorepo(&self) -> bool {
        matches!(self, Self::Paths(_))
    }
}

/// Whether a tag names a semantic-version pre-release: its version, after a
/// leading `v` or after a name prefix ending in `-`, `_`, `/` or `@` (as in
/// `tokio-1.38.0-rc.1`), is `MAJOR.MINOR[.PATCH]-PRE[+BUILD]`.
pub fn is_prerelease(tag: &str) -> bool {
    let after_prefix = tag
        .char_indices()
        .filter(|(_, c)| matches!(c, '-' | '_' | '/' | '@'))
        .map(|(i, c)| &tag[i + c.len_utf8()..]);
    std::iter::once(tag)
        .chain(after_prefix)
        .any(|v| prerelease_version(v.strip_prefix('v').unwrap_or(v)))
}

fn prerelease_version(v: &str) -> bool {
    let v = v.split_once('+').map_or(v, |(version, _build)| version);
    let Some((core, pre)) = v.split_once('-') else {
        return false;
    };
    let numbers: Vec<&str> = core.split('.').collect();
    (2..=3).contains(&numbers.len())
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && !pre.is_empty()
        && pre
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn normalise_prefix(raw: &str) -> String {
    let mut p = raw.trim();
    loop {
        let before = p;
        p = p.trim_start_matches("./").trim_start_matches('/');
        if p == before {
            break;
        }
    }
    let p = p.trim_end_matches('/');
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

/// A glob over tag names (see [`Glob::with_classes`]): `*`, `?`, `[...]`
/// classes (`!` or `^` negates, ranges with `-`) and `\` escapes. `*` also
/// matches `/`.
#[derive(Clone, PartialEq, Eq)]
pub struct TagPattern(Glob);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the tag pattern is empty (the default is \"v*\")")]
    Empty,
    #[error("'{0}': a `[` class is not closed with `]`")]
    UnclosedClass(String),
    #[error("'{0}': the pattern ends with a lone `\\`")]
    TrailingEscape(String),
    #[error("'{0}': {1}")]
    Invalid(String, GlobError),
}

impl Default for TagPattern {
    fn default() -> Self {
        Self::new("v*").unwrap_or_else(|_| unreachable!("\"v*\" is a valid glob"))
    }
}

impl fmt::Debug for TagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TagPattern({:?})", self.0.as_str())
    }
}

impl fmt::Display for TagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for TagPattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::new(&text).map_err(serde::de::Error::custom)
    }
}

impl TagPattern {
    pub fn new(text: &str) -> Result<Self, PatternError> {
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        Glob::with_classes(text).map(Self).map_err(|e| match e {
            GlobError::UnclosedClass => PatternError::UnclosedClass(text.into()),
            GlobError::TrailingEscape => PatternError::TrailingEscape(text.into()),
            other => PatternError::Invalid(text.into(), other),
        })
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn matches(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> TagPattern {
        TagPattern::new(s).unwrap()
    }

    #[test]
    fn globs_match_tag_names() {
        assert!(p("v*").matches("v1.2.3"));
        assert!(p("v*").matches("v"));
        assert!(!p("v*").matches("release-1"));
        assert!(p("*").matches("anything/at/all"));
        assert!(p("release-?.*").matches("release-1.0"));
        assert!(!p("release-?.*").matches("release-10.0"));
        assert!(p("v[0-9]*").matches("v2.0"));
        assert!(!p("v[0-9]*").matches("vx"));
        assert!(p("v[!0-9]*").matches("vx"));
        assert!(p("a*b*c").matches("aXXbYYc"));
        assert!(!p("a*b*c").matches("aXXbYYcd"));
        assert!(p("\\*").matches("*"));
        assert!(!p("\\*").matches("x"));
        assert!(p("[]]").matches("]"));
        assert!(p("*-prod").matches("v1-prod"));
        assert!(!p("*-prod").matches("v1-prod-rc"));
        assert!(p("v?").matches("vé"));
        assert!(p("release-?").matches("release-日"));
    }

    #[test]
    fn pre_releases_are_told_from_releases() {
        for tag in [
            "v1.2.0-rc.1",
            "1.2.0-beta1",
            "0.58.0-rc0",
            "v2.0-alpha",
            "tokio-1.38.0-rc.1",
            "release/3.1.0-rc.2+build.5",
            "pkg@1.0.0-next.3",
        ] {
            assert!(is_prerelease(tag), "{tag}");
        }
        for tag in [
            "v1.2.0",
            "0.58",
            "0.58.0",
            "tokio-1.38.0",
            "release-2024-01-15",
            "v1-prod",
            "v1.2.0+build.7",
            "nightly-2",
            "v1.2.3.4-rc1",
            "v1.x-rc",
        ] {
            assert!(!is_prerelease(tag), "{tag}");
        }
    }

    #[test]
    fn lists_of_globs_exclusions_and_pre_releases_choose_deployment_tags() {
        let spec: GitSpec = serde_json::from_value(serde_json::json!({
            "path": "r", "service": "a",
            "deploy_tags": ["tokio-*", "v*"], "exclude_tags": "tokio-util-*"
        }))
        .unwrap();
        assert!(spec.deploys("tokio-1.38.0"));
        assert!(spec.deploys("v2.0.0"));
        assert!(!spec.deploys("tokio-util-0.7.0"), "excluded");
        assert!(!spec.deploys("tokio-1.38.0-rc.1"), "a pre-release");
        assert!(!spec.deploys("release-1"));
        assert_eq!(
            spec.tag_rule(),
            "\"tokio-*\", \"v*\" (excluding \"tokio-util-*\")"
        );
        let with_pre = GitSpec {
            include_prereleases: true,
            ..spec
        };
        assert!(with_pre.deploys("tokio-1.38.0-rc.1"));
        let empty = serde_json::from_value::<GitSpec>(serde_json::json!({
            "path": "r", "service": "a", "deploy_tags": []
        }));
        assert!(empty.unwrap_err().to_string().contains("empty list"));
    }

    #[test]
    fn bad_globs_are_refused() {
        assert_eq!(TagPattern::new(""), Err(PatternError::Empty));
        assert!(matches!(
            TagPattern::new("v[0-9"),
            Err(PatternError::UnclosedClass(_))
        ));
        assert!(matches!(
            TagPattern::new("v\\"),
            Err(PatternError::TrailingEscape(_))
        ));
        // A reversed range is accepted, as before, and matches nothing.
        assert!(!p("v[9-0]").matches("v5"));
    }

    #[test]
    fn longest_prefix_wins_and_prefixes_end_at_a_slash() {
        let map = ServiceMap::paths(BTreeMap::from([
            ("services".into(), "platform".into()),
            ("./services/api/".into(), "api".into()),
            ("".into(), "rest".into()),
        ]))
        .unwrap();
        assert_eq!(map.service_of("services/api/main.rs"), Some("api"));
        assert_eq!(map.service_of("services/api"), Some("api"));
        assert_eq!(map.service_of("services/api2/main.rs"), Some("platform"));
        assert_eq!(map.service_of("README.md"), Some("rest"));
    }

    #[test]
    fn duplicate_prefixes_are_refused() {
        let err = ServiceMap::paths(BTreeMap::from([
            ("a/".into(), "x".into()),
            ("./a".into(), "y".into()),
        ]))
        .unwrap_err();
        assert!(matches!(err, SpecError::DuplicatePrefix { .. }), "{err}");
    }
}
