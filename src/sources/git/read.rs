//! Reading a repository with the `git` program: opening it, its tags and
//! HEAD, its `origin` links and its commits.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::Duration;

use crate::util::text::sanitize;

use super::GitError;
use super::cli::Git;
use super::commit::{self, Commit, DeployTag};
use super::links::Links;
use super::spec::GitSpec;

/// Checks that `path` is a repository folder and returns a git bound to it.
pub(super) fn open(
    program: &Path,
    path: &Path,
    timeout: Option<Duration>,
) -> Result<Git, GitError> {
    let meta = std::fs::metadata(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            GitError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            GitError::Unreadable {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    if !meta.is_dir() {
        return Err(GitError::NotAFolder {
            path: path.to_path_buf(),
        });
    }
    // The real path, so that the discovery ceiling (its parent) is exact.
    let real = std::fs::canonicalize(path).map_err(|source| GitError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let git = Git::new(program.to_path_buf(), real, timeout);
    match git.output("rev-parse", &["rev-parse", "--git-dir"], &[]) {
        Ok(_) => Ok(git),
        Err(GitError::Failed { stderr, .. }) => Err(GitError::NotARepository {
            path: path.to_path_buf(),
            detail: stderr,
        }),
        Err(e) => Err(e),
    }
}

/// The tags of a repository and the deployment tags among them.
pub(super) struct Refs {
    pub(super) total_tags: usize,
    pub(super) deploy: Vec<DeployTag>,
    pub(super) warnings: Vec<String>,
    /// Changes when a tag is added, moved or removed.
    pub(super) tags_fingerprint: u64,
}

pub(super) fn read_refs(git: &Git, spec: &GitSpec) -> Result<Refs, GitError> {
    const FORMAT: &str = "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(creatordate:unix)%00%(*committerdate:unix)";
    let out = git
        .output("for-each-ref", &["for-each-ref", FORMAT, "refs/tags"], &[])?
        .unwrap_or_default();
    let head = git
        .output(
            "rev-parse",
            &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
            &[1],
        )?
        .map(|o| String::from_utf8_lossy(&o).trim().to_string())
        .filter(|h| !h.is_empty());

    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    out.hash(&mut hasher);
    let tags_fingerprint = hasher.finish();

    let TagList {
        total: total_tags,
        mut deploy,
        examples,
        not_commits,
    } = deploy_tags(git, spec, &out)?;
    let mut warnings = Vec::new();
    if not_commits > 0 {
        warnings.push(format!(
            "{not_commits} matching tag(s) skipped: they do not point at a commit"
        ));
    }
    if total_tags == 0 && head.is_none() {
        return Err(GitError::Empty {
            path: spec.path.clone(),
        });
    }
    if deploy.is_empty() {
        return Err(GitError::NoDeployTags {
            path: spec.path.clone(),
            pattern: spec.tag_rule(),
            total: total_tags,
            examples,
        });
    }
    // Deployment order: tag time, then name (stable for tags made in one second).
    deploy.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.name.cmp(&b.name)));
    Ok(Refs {
        total_tags,
        deploy,
        warnings,
        tags_fingerprint,
    })
}

/// The repository's tags, and the deployment tags among them.
struct TagList {
    /// All tags.
    total: usize,
    deploy: Vec<DeployTag>,
    /// Up to three tag names, for the error when none matches.
    examples: Vec<String>,
    /// Matching tags that do not point at a commit.
    not_commits: usize,
}

/// Reads `git for-each-ref` output (see `read_refs`'s format).
fn deploy_tags(git: &Git, spec: &GitSpec, out: &[u8]) -> Result<TagList, GitError> {
    let parse_err = |detail: String| GitError::Parse {
        path: git.repo().to_path_buf(),
        what: "for-each-ref",
        detail,
    };
    let mut total_tags = 0;
    let mut deploy = Vec::new();
    let mut examples = Vec::new();
    let mut not_commits = 0usize;
    // Ref names cannot hold newlines or NULs (git check-ref-format), so lines are safe.
    for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let fields: Vec<&[u8]> = line.split(|b| *b == 0).collect();
        let [
            refname,
            kind,
            oid,
            peeled_kind,
            peeled_oid,
            created,
            peeled_time,
        ] = fields[..]
        else {
            return Err(parse_err(format!("{} fields in a tag line", fields.len())));
        };
        let refname = String::from_utf8_lossy(refname);
        let Some(name) = refname.strip_prefix("refs/tags/") else {
            continue;
        };
        total_tags += 1;
        if examples.len() < 3 {
            examples.push(sanitize(name).to_string());
        }
        if !spec.deploys(name) {
            continue;
        }
        let (commit, time) = match (kind, peeled_kind) {
            (b"commit", _) => (oid, created),
            // An annotated tag: the tagger's time, else (no tagger) the commit's.
            (b"tag", b"commit") => (
                peeled_oid,
                if created.is_empty() {
                    peeled_time
                } else {
                    created
                },
            ),
            _ => {
                not_commits += 1;
                continue;
            }
        };
        let time = std::str::from_utf8(time)
            .ok()
            .and_then(|t| t.parse::<i64>().ok())
            .ok_or_else(|| parse_err(format!("tag {}: no time", sanitize(name))))?;
        deploy.push(DeployTag {
            name: sanitize(name),
            time,
            commit: String::from_utf8_lossy(commit).into(),
        });
    }
    Ok(TagList {
        total: total_tags,
        deploy,
        examples,
        not_commits,
    })
}

/// Commit and tag links when `origin` is on github.com or gitlab.com.
pub(super) fn origin_links(git: &Git) -> Result<Option<Links>, GitError> {
    // Exit 1: no such remote.
    let url = git.output("config", &["config", "--get", "remote.origin.url"], &[1])?;
    Ok(url.and_then(|u| Links::from_remote(&String::from_utf8_lossy(&u))))
}

/// Reads the commits `revs` (one a line, `^` excludes) reach with one `git log`.
pub(super) fn read_commits(
    git: &Git,
    spec: &GitSpec,
    revs: Vec<u8>,
    service_ids: &HashMap<&str, u16>,
) -> Result<Vec<Commit>, GitError> {
    // Fields are NUL-separated and start with a NUL; neither messages nor paths can
    // hold a NUL, so each commit is exactly seven fields: the leading empty one, six
    // values, and the `--numstat` list (counts and a path a line) after the last
    // NUL: the changed lines of each commit, and its paths for a monorepo.
    const FORMAT: &str = "--format=%x00%H%x00%P%x00%ct%x00%at%x00%an%x00%B%x00";
    let mut args = vec![
        "log",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-show-signature",
        "--diff-merges=off",
        "--root",
        FORMAT,
    ];
    args.push("--numstat");
    args.push("--stdin");
    let mut stream = git.stream("log", &args, revs)?;
    let io_err = |source| GitError::Io {
        path: git.repo().to_path_buf(),
        what: "log",
        source,
    };
    let parse_err = |detail: String| GitError::Parse {
        path: git.repo().to_path_buf(),
        what: "log",
        detail,
    };

    let mut commits = Vec::new();
    let mut field = Vec::new();
    // The text before the first NUL is empty.
    if stream.next_field(&mut field).map_err(io_err)? && !field.is_empty() {
        return Err(parse_err("output does not start with a NUL".into()));
    }
    let mut parts: [Vec<u8>; 7] = Default::default();
    'commits: loop {
        for (i, part) in parts.iter_mut().enumerate() {
            if !stream.next_field(part).map_err(io_err)? {
                if i == 0 {
                    break 'commits;
                }
                return Err(parse_err(format!("a commit ends after {i} fields")));
            }
        }
        let [oid, parents, time, authored, author, body, names] = &parts;
        let commit = commit::parse_commit(
            [oid, parents, time, authored, author, body],
            names,
            &spec.services,
            service_ids,
        )
        .map_err(parse_err)?;
        commits.push(commit);
    }
    stream.finish(git)?;
    Ok(commits)
}
