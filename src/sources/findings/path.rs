//! The `findings` source kind's reading step: a file, or every file a glob
//! matches, read with the size cap and the format detected (or forced).
//! Scheduling (interval, backoff) is the scheduler's; fetching a `url` is the
//! HTTP client's, which hands the body to [`super::read_bytes`].

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{FindingsError, Format, MAX_BYTES, read_file};
use crate::model::{Finding, Time};
use crate::util::glob::Glob;

/// The keys of a `findings` source (besides the scheduler's common ones such as
/// `name` and `interval`).
///
/// ```toml
/// [[sources]]
/// kind = "findings"
/// path = "scans/**/*.sarif"     # a file or a glob (`*`, `?`, `**`); or:
/// # url = "https://ci.example.com/artifacts/trivy.json"
/// format = "sarif"              # optional: sarif | asff | ocsf | trivy (detected when absent)
/// max_bytes = 67108864          # optional size cap per file (default and upper bound 64 MiB)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingsSpec {
    /// A file path or glob.
    #[serde(default)]
    pub path: Option<String>,
    /// An HTTP(S) URL, fetched by the HTTP client.
    #[serde(default)]
    pub url: Option<String>,
    /// Forces a format instead of detecting it.
    #[serde(default)]
    pub format: Option<Format>,
    /// Per-file size cap in bytes; never above [`MAX_BYTES`].
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

impl FindingsSpec {
    /// Exactly one of `path` and `url`; the config loader reports this message.
    pub fn check(&self) -> Result<(), String> {
        match (&self.path, &self.url) {
            (Some(_), Some(_)) => Err("give either `path` or `url`, not both".into()),
            (None, None) => Err("needs `path` (a file or glob) or `url`".into()),
            (Some(p), None) if p.trim().is_empty() => Err("`path` is empty".into()),
            (None, Some(u)) if !(u.starts_with("https://") || u.starts_with("http://")) => {
                Err(format!(
                    "`url` must start with https:// or http://, got {:?}",
                    crate::util::text::redact_url(u)
                ))
            }
            _ => Ok(()),
        }
    }

    pub fn limit(&self) -> u64 {
        self.max_bytes.unwrap_or(MAX_BYTES).min(MAX_BYTES)
    }
}

/// The findings of one read, and the files that could not be read (the others
/// still count: one bad file does not hide the rest).
#[derive(Debug, Default)]
pub struct FindingsRead {
    pub findings: Vec<Finding>,
    pub files: usize,
    pub skipped: Vec<FindingsError>,
}

impl FindingsRead {
    /// A one-line warning for the Sources screen, when files were skipped.
    pub fn warning(&self) -> Option<String> {
        let first = self.skipped.first()?;
        Some(if self.skipped.len() == 1 {
            first.to_string()
        } else {
            format!("{} files skipped; first: {first}", self.skipped.len())
        })
    }
}

/// At most this many files per glob.
pub const MAX_FILES: usize = 10_000;

/// Reads `spec.path` (a file or a glob). An error when the path names nothing,
/// the pattern is bad, or every matched file failed; otherwise the findings
/// with the failed files listed in `skipped`.
pub fn read_findings_path(spec: &FindingsSpec, now: Time) -> Result<FindingsRead, FindingsError> {
    let pattern = spec.path.as_deref().unwrap_or("");
    if pattern.is_empty() {
        return Err(FindingsError::BadPattern {
            origin: "findings source".into(),
            reason: "no `path` given".into(),
        });
    }
    let files = expand(pattern)?;
    if files.is_empty() {
        return Err(FindingsError::NoMatch {
            origin: pattern.to_string(),
        });
    }
    let mut read = FindingsRead {
        files: files.len(),
        ..FindingsRead::default()
    };
    for file in &files {
        match read_file(file, spec.format, spec.limit(), now) {
            Ok(found) => read.findings.extend(found),
            Err(e) => read.skipped.push(e),
        }
    }
    if read.skipped.len() == files.len() {
        let mut skipped = read.skipped;
        return Err(skipped.swap_remove(0));
    }
    Ok(read)
}

/// One poll of a `path` findings source as the store's updates: the findings
/// (an empty list still marks the source fresh), a warning when some files were
/// skipped, or the failure. This is what the scheduler sends for a path source.
pub fn poll_updates(
    source: &crate::model::Text,
    spec: &FindingsSpec,
    now: Time,
) -> Vec<crate::model::source_update::SourceUpdate> {
    use crate::model::Event;
    use crate::model::source_update::SourceUpdate;
    match read_findings_path(spec, now) {
        Ok(read) => {
            let warning = read.warning();
            let mut out = vec![SourceUpdate::Events {
                source: source.clone(),
                events: read.findings.into_iter().map(Event::Finding).collect(),
            }];
            if let Some(warning) = warning {
                out.push(SourceUpdate::Warned {
                    source: source.clone(),
                    warning,
                });
            }
            out
        }
        Err(e) => vec![SourceUpdate::Failed {
            source: source.clone(),
            error: e.to_string(),
        }],
    }
}

fn has_magic(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The files `pattern` names, sorted. A pattern without `*` or `?` is the path itself.
pub fn expand(pattern: &str) -> Result<Vec<PathBuf>, FindingsError> {
    if !has_magic(pattern) {
        return Ok(vec![PathBuf::from(pattern)]);
    }
    let path = Path::new(pattern);
    let mut base = PathBuf::new();
    let mut rest: Vec<Part> = Vec::new();
    for c in path.components() {
        let s = c.as_os_str().to_string_lossy().to_string();
        if rest.is_empty() && !has_magic(&s) {
            base.push(c);
        } else if s == "**" {
            rest.push(Part::AnyDirs);
        } else if !has_magic(&s) {
            rest.push(Part::Name(s));
        } else {
            let glob = Glob::wildcards(&s).map_err(|e| FindingsError::BadPattern {
                origin: pattern.to_string(),
                reason: e.to_string(),
            })?;
            rest.push(Part::Glob {
                hidden: s.starts_with('.'),
                glob,
            });
        }
    }
    if base.as_os_str().is_empty() {
        base.push(".");
    }
    let mut out = Vec::new();
    walk(&base, &rest, &mut out, 0);
    if out.len() > MAX_FILES {
        return Err(FindingsError::BadPattern {
            origin: pattern.to_string(),
            reason: format!("matches more than {MAX_FILES} files"),
        });
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// One component of a glob below its literal base folder.
enum Part {
    /// `**`: zero or more folders.
    AnyDirs,
    /// A name without wildcards.
    Name(String),
    /// A name with `*` or `?`; `hidden` when it starts with `.` (only such a
    /// pattern matches hidden names).
    Glob { glob: Glob, hidden: bool },
}

fn walk(dir: &Path, rest: &[Part], out: &mut Vec<PathBuf>, depth: usize) {
    // Depth and count bounds: a symlink loop or a huge tree cannot hang a poll.
    if depth > 32 || out.len() > MAX_FILES {
        return;
    }
    let Some((first, tail)) = rest.split_first() else {
        if dir.is_file() {
            out.push(dir.to_path_buf());
        }
        return;
    };
    match first {
        Part::AnyDirs => {
            // Zero directories ...
            walk(dir, tail, out, depth + 1);
            // ... or one more, and still inside `**`.
            for entry in entries(dir) {
                if entry.is_dir() {
                    walk(&entry, rest, out, depth + 1);
                }
            }
        }
        Part::Name(name) => walk(&dir.join(name), tail, out, depth + 1),
        Part::Glob { glob, hidden } => {
            for entry in entries(dir) {
                let name = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                if name.starts_with('.') && !hidden {
                    continue;
                }
                if glob.is_match(&name) {
                    walk(&entry, tail, out, depth + 1);
                }
            }
        }
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    /// `*` and `?` wildcard match of one path component, as [`super::walk`] does it.
    fn matches(pattern: &[u8], name: &[u8]) -> bool {
        let (Ok(pattern), Ok(name)) = (std::str::from_utf8(pattern), std::str::from_utf8(name))
        else {
            return false;
        };
        crate::util::glob::Glob::wildcards(pattern).is_ok_and(|g| g.is_match(name))
    }

    #[test]
    fn wildcards() {
        assert!(matches(b"*.sarif", b"a.sarif"));
        assert!(matches(b"*.sarif", b".sarif"));
        assert!(!matches(b"*.sarif", b"a.sarif.json"));
        assert!(matches(b"*.sarif*", b"a.sarif.json"));
        assert!(matches(b"a?c", b"abc"));
        assert!(!matches(b"a?c", b"ac"));
        assert!(matches(b"*", b""));
        assert!(matches(b"[x].sarif", b"[x].sarif"));
    }

    #[test]
    fn question_mark_is_one_character() {
        // It was one byte: `?` never matched a non-ASCII letter.
        assert!(matches(
            "r?sum?.sarif".as_bytes(),
            "résumé.sarif".as_bytes()
        ));
        assert!(matches("?.json".as_bytes(), "日.json".as_bytes()));
        assert!(!matches("??.json".as_bytes(), "日.json".as_bytes()));
    }

    #[test]
    fn expand_finds_non_ascii_names_and_skips_hidden_ones() {
        let dir = std::env::temp_dir().join(format!("fd-glob-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sub = dir.join("scans").join("東京");
        std::fs::create_dir_all(&sub).ok();
        for name in ["résumé.sarif", "resume.sarif", ".r-sum-.sarif", "[x].sarif"] {
            std::fs::write(sub.join(name), b"{}").ok();
        }
        let found = |pattern: &str| -> Vec<String> {
            super::expand(&dir.join(pattern).to_string_lossy())
                .unwrap_or_default()
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
                .collect()
        };
        assert_eq!(
            found("scans/**/r?sum?.sarif"),
            ["resume.sarif", "résumé.sarif"]
        );
        assert_eq!(
            found("scans/??/*.sarif").len(),
            3,
            "{:?}",
            found("scans/??/*.sarif")
        );
        assert_eq!(found("scans/*/.r?sum?.sarif"), [".r-sum-.sarif"]);
        assert_eq!(found("scans/*/[x]*"), ["[x].sarif"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
