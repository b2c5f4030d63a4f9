//! The `git` source: a local repository's deployment tags become production
//! deployments and its commits become changes (DESIGN.md, event schema v1).
//!
//! - Deployments: every tag matching `deploy_tags`, at the annotated tag's time,
//!   else the tagged commit's committer time. Id `<service>@<tag>`.
//!   Tags matching `exclude_tags`, and semantic-version pre-releases unless
//!   `include_prereleases`, are not deployments; a tag whose commit an earlier
//!   deployment tag already reached is an alias (a re-tag, a retroactive tag).
//! - Changes: the commits a tag ships that no earlier tag (by tag time) shipped,
//!   at their committer time. Id: the full commit id; in a monorepo
//!   `<service>@<commit id>`, because one commit may be a change of several services.
//!   Merge commits are not changes (the commits they bring in are). A commit
//!   that says "(cherry picked from commit <id>)" of a commit in the history is
//!   that change: one id, the original's time, counted where it first shipped;
//!   so is a commit with the author, author time, message and patch id of an
//!   earlier one (a cherry-pick without `-x`, see [`patch_ids`]).
//! - Reverts: a commit that says "This reverts commit <id>" (full or
//!   abbreviated) of a commit of the history is a change whose `reverts` names
//!   that commit's change. Which deployment that fails, and which is rework, is
//!   the metric engine's rule (`revert_window`, DESIGN.md), not the source's.
//! - Monorepo: changed paths map commits to services; each service gets its own
//!   deployment per tag listing only its commits, and only for tags that changed it.
//! - Links: when `origin` is on github.com or gitlab.com, changes link to their
//!   commit and deployments to their release/tag page.
//!
//! The repository is read with the `git` program (see [`cli`]); the scan is
//! blocking: run it on a blocking thread.
//! Ids are stable, so a rescan upserts; [`GitScanner`] also skips unchanged
//! repositories, reads only new commits when just HEAD moved, and sends only
//! lines it has not sent before.
//!
//! The `git` program rather than a library: no new dependency, exactly git's own
//! reading of packs, alternates, commit-graphs, bare repositories and worktrees,
//! and a scan costs about what `git log` writing the same format costs.

mod cli;
mod commit;
mod history;
mod links;
mod patch_ids;
mod poller;
mod read;
mod spec;
pub mod trailers;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::model::source_update::SourceUpdate;
use crate::model::{DeployStatus, Event, Text};
use crate::util::text::sanitize;

pub use commit::{revert_targets, unquote};
pub use poller::GitPoller;
pub use spec::{GitSpec, PatternError, ServiceMap, SpecError, TagPattern};

use cli::Git;
use read::{Refs, open, origin_links, read_commits, read_refs};

/// Why a scan failed. Every message names the repository's path.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git repository {path}: no such folder")]
    NotFound { path: PathBuf },
    #[error("git repository {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("git repository {path}: not a folder")]
    NotAFolder { path: PathBuf },
    #[error(
        "{path} is not a git repository (give the repository's top folder, its .git folder, or a bare repository): {detail}"
    )]
    NotARepository { path: PathBuf, detail: String },
    #[error("git repository {path} has no commits yet (HEAD is unborn and there are no tags)")]
    Empty { path: PathBuf },
    #[error("git repository {path}: no tag matches deploy_tags = {pattern} ({})", describe_tags(*.total, .examples))]
    NoDeployTags {
        path: PathBuf,
        pattern: String,
        total: usize,
        examples: Vec<String>,
    },
    #[error("the git program ({}) was not found: install git", program.display())]
    GitMissing { program: PathBuf },
    #[error("git repository {path}: running git {what}: {source}")]
    Io {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("git repository {path}: git {what} failed ({}): {stderr}", status.map_or_else(|| "killed".to_string(), |c| format!("exit {c}")))]
    Failed {
        path: PathBuf,
        what: &'static str,
        status: Option<i32>,
        stderr: String,
    },
    #[error(
        "git repository {path}: git {what} took longer than the source's timeout and was stopped"
    )]
    TimedOut { path: PathBuf, what: &'static str },
    #[error("git repository {path}: unexpected git {what} output: {detail}")]
    Parse {
        path: PathBuf,
        what: &'static str,
        detail: String,
    },
}

fn describe_tags(total: usize, examples: &[String]) -> String {
    match total {
        0 => "the repository has no tags".to_string(),
        _ => format!(
            "the repository has {} tag{}, e.g. {}",
            total,
            if total == 1 { "" } else { "s" },
            examples.join(", ")
        ),
    }
}

/// The git program, looked up on `PATH`.
const GIT: &str = "git";

/// What a scan read, besides its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitStats {
    /// All tags in the repository.
    pub tags: usize,
    /// Tags matching `deploy_tags` that point (through annotated tags) at a commit.
    pub deploy_tags: usize,
    /// Commits read (reachable from the deployment tags and HEAD).
    pub commits: usize,
    /// Deployments (one per tag, per service in a monorepo).
    pub deployments: u64,
    pub changes: u64,
    /// Changes that revert a change of the history.
    pub reverts: u64,
    /// Deployment tags that only name a commit an earlier one shipped.
    pub aliases: u64,
    /// Cherry-picks found by their patch (no `-x` trailer naming the original).
    pub picks: u64,
}

/// The result of one scan or poll.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GitScan {
    /// Changes first, then deployment lines in time order.
    pub events: Vec<Event>,
    pub stats: GitStats,
    /// Things skipped that a user may want to know about (shown as a source warning).
    pub warnings: Vec<String>,
    /// The repository's tags and HEAD were the same as at the previous poll, so
    /// nothing was read ([`GitScanner::poll`] only).
    pub unchanged: bool,
}

impl GitScan {
    /// The store updates a poll gives: a warning when something was skipped,
    /// then the events (possibly none: the source is alive with nothing new).
    pub fn into_updates(self, source: &Text) -> Vec<SourceUpdate> {
        let mut updates = Vec::with_capacity(2);
        if !self.warnings.is_empty() {
            updates.push(SourceUpdate::Warned {
                source: source.clone(),
                warning: self.warnings.join("; "),
            });
        }
        updates.push(SourceUpdate::Events {
            source: source.clone(),
            events: self.events,
        });
        updates
    }
}

/// Scans the whole repository once. Blocking: call it from a blocking thread.
pub fn scan(spec: &GitSpec) -> Result<GitScan, GitError> {
    let git = open(Path::new(GIT), &spec.path, None)?;
    let refs = read_refs(&git, spec)?;
    scan_refs(&git, spec, refs)
}

/// A git source between polls: it remembers the deployment tags it saw and the
/// lines it sent, so a poll of a repository whose tags did not change costs two
/// small git calls (commits not yet released change no number), and any poll
/// sends only lines it has not sent before.
///
/// New or moved deployment tags read the history in full again (git/git's 82,000
/// commits: about 8 s on a busy 2-core machine, nearly all of it git's own
/// `git log`; see the closing note of issue 4 for measurements).
#[derive(Debug)]
pub struct GitScanner {
    spec: GitSpec,
    timeout: Option<Duration>,
    program: PathBuf,
    /// The fingerprint of the tags at the last successful read.
    last: Option<u64>,
    sent_changes: HashSet<Text>,
    sent_deployments: HashSet<(Text, DeployStatus, bool)>,
    /// Contract steps sent: (contract, the deployment that takes it, the step).
    sent_contracts: HashSet<(Text, Option<Text>, crate::model::contracts::ContractStep)>,
}

impl GitScanner {
    pub fn new(spec: GitSpec) -> Self {
        Self {
            spec,
            timeout: None,
            program: PathBuf::from(GIT),
            last: None,
            sent_changes: HashSet::new(),
            sent_deployments: HashSet::new(),
            sent_contracts: HashSet::new(),
        }
    }

    /// Stops (kills) git when a whole poll takes longer than `timeout`: the poll
    /// then fails with [`GitError::TimedOut`] and the blocking thread is free
    /// again, instead of running on after the scheduler gave up on it.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Runs this program instead of `git` from `PATH`.
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    pub fn spec(&self) -> &GitSpec {
        &self.spec
    }

    /// Reads the history again when the tags changed (everything the first
    /// time). Blocking: call it from a blocking thread. On an error nothing is
    /// remembered, so the next poll tries again.
    pub fn poll(&mut self) -> Result<GitScan, GitError> {
        let git = open(&self.program, &self.spec.path, self.timeout)?;
        let refs = read_refs(&git, &self.spec)?;
        if self.last == Some(refs.tags_fingerprint) {
            return Ok(GitScan {
                unchanged: true,
                ..GitScan::default()
            });
        }
        let fingerprint = refs.tags_fingerprint;
        let mut scan = scan_refs(&git, &self.spec, refs)?;
        self.last = Some(fingerprint);
        scan.events.retain(|e| match e {
            // Looked up before a copy of the id is made: most were sent already.
            Event::Change(c) => {
                !self.sent_changes.contains(c.id.as_str())
                    && self.sent_changes.insert(Text::from(c.id.as_str()))
            }
            Event::Deployment(d) => {
                self.sent_deployments
                    .insert((Text::from(d.id.as_str()), d.status, d.hotfix))
            }
            Event::Contract(c) => {
                self.sent_contracts
                    .insert((c.id.clone(), c.deployment.clone(), c.step))
            }
            _ => true,
        });
        Ok(scan)
    }
}

fn revert_warnings(built: &history::Built) -> Vec<String> {
    let mut warnings = Vec::new();
    if built.ambiguous_revert_targets > 0 {
        warnings.push(format!(
            "{} revert(s) name a commit id prefix that matches several commits; ignored",
            built.ambiguous_revert_targets
        ));
    }
    warnings
}

/// The service names (sanitised, sorted) and the raw name -> index map.
fn services(spec: &GitSpec) -> (Vec<Text>, Vec<(&str, u16)>) {
    let mut raw: Vec<&str> = match &spec.services {
        ServiceMap::One(s) => vec![s.as_str()],
        ServiceMap::Paths(prefixes) => prefixes.iter().map(|(_, s)| s.as_str()).collect(),
    };
    raw.sort_unstable();
    raw.dedup();
    let names = raw.iter().map(|s| sanitize(s)).collect();
    let ids = raw
        .into_iter()
        .enumerate()
        .map(|(i, s)| (s, i as u16))
        .collect();
    (names, ids)
}

fn scan_refs(git: &Git, spec: &GitSpec, refs: Refs) -> Result<GitScan, GitError> {
    let (service_names, ids) = services(spec);
    let links = origin_links(git)?;
    let service_ids: HashMap<&str, u16> = ids.into_iter().collect();
    // Only what the deployment tags reach: commits not yet released change no number.
    let mut revs = Vec::new();
    for oid in refs.deploy.iter().map(|t| &*t.commit) {
        revs.extend_from_slice(oid.as_bytes());
        revs.push(b'\n');
    }
    let mut commits = read_commits(git, spec, revs, &service_ids)?;
    let commit_count = commits.len();
    let mut warnings = refs.warnings;
    // Without the picks the numbers are still those of a history read with
    // `-x` trailers only: say so, and go on.
    let picks = patch_ids::link_picks(git, &mut commits).unwrap_or_else(|e| {
        warnings.push(format!("cherry-picks without -x were not looked for: {e}"));
        0
    });
    let built = history::build(
        commits,
        &refs.deploy,
        &spec.services,
        &service_names,
        links.as_ref(),
    );
    warnings.extend(revert_warnings(&built));
    if built.unmapped_commits > 0 {
        warnings.push(format!(
            "{} shipped commit(s) change no path listed in [sources.paths]; not counted",
            built.unmapped_commits
        ));
    }
    Ok(GitScan {
        events: built.events,
        stats: GitStats {
            tags: refs.total_tags,
            deploy_tags: refs.deploy.len(),
            commits: commit_count,
            deployments: built.deployments,
            changes: built.changes,
            reverts: built.reverts,
            aliases: built.aliases,
            picks,
        },
        warnings,
        unchanged: false,
    })
}
