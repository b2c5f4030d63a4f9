//! Account baselines from a git repository of per-account Terraform: each
//! folder under `accounts/` is an account, and each module whose `source`
//! pins a version (`source = "git::https://example.com/acme/tf-logging.git?ref=v1.8.0"`)
//! applies that version of a component (the module repository's name,
//! `tf-logging`), at the time of the last commit that touched the folder. The
//! standard's versions are the module repository's tags, released at the
//! tags' dates. Both repositories are read with the `git` program.

use std::path::Path;
use std::process::Command;

use crate::model::contracts::{Baseline, StandardRelease};
use crate::model::{Event, Time};
use crate::util::text::sanitize;

/// One pinned module source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The module repository's name (the component).
    pub component: String,
    /// The `ref` it pins.
    pub version: String,
}

/// The component a module source names: its repository's last path
/// segment, without `.git`, a `//subdir` or the query.
fn component_of(source: &str) -> Option<String> {
    let path = source.split('?').next()?;
    let scheme_end = path.find("://").map_or(0, |i| i + 3);
    let repo_end = path[scheme_end..]
        .find("//")
        .map_or(path.len(), |i| scheme_end + i);
    let last = path[..repo_end]
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()?;
    let name = last.trim_end_matches(".git");
    (!name.is_empty()).then(|| name.to_string())
}

/// The `ref` a source pins (`?ref=v1.8.0` or `&ref=v1.8.0`).
fn ref_of(source: &str) -> Option<String> {
    let query = source.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("ref="))
        .filter(|v| !v.is_empty())
        .map(String::from)
}

/// Every `source = "...?ref=..."` in a Terraform file's text.
pub fn pins(text: &str) -> Vec<Pin> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("source")?
                .trim_start()
                .strip_prefix('=')?;
            let source = rest.trim().strip_prefix('"')?.split('"').next()?;
            Some(Pin {
                component: component_of(source)?,
                version: ref_of(source)?,
            })
        })
        .collect()
}

fn git(program: &Path, repo: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .map_err(|e| format!("{}: cannot run git: {e}", repo.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{}: git {} failed: {}",
            repo.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn unix(secs: &str) -> Option<Time> {
    chrono::DateTime::from_timestamp(secs.trim().parse().ok()?, 0)
}

/// The baselines of every account folder under `accounts/` in `repo`.
pub fn read_accounts(program: &Path, repo: &Path) -> Result<Vec<Event>, String> {
    let dir = repo.join("accounts");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut accounts: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    accounts.sort();
    let mut out = Vec::new();
    for account in accounts {
        let folder = format!("accounts/{account}");
        let Some(time) = unix(&git(
            program,
            repo,
            &["log", "-1", "--format=%ct", "--", &folder],
        )?) else {
            continue;
        };
        let mut files: Vec<_> = std::fs::read_dir(repo.join(&folder))
            .map_err(|e| format!("cannot read {folder}: {e}"))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tf"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f)
                .map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            for pin in pins(&text) {
                out.push(Event::Baseline(Baseline {
                    account: sanitize(&account),
                    component: sanitize(&pin.component),
                    version: sanitize(&pin.version),
                    time,
                    team: None,
                    override_reason: None,
                }));
            }
        }
    }
    Ok(out)
}

/// The standard's releases of `component`: the module repository's tags, at
/// their dates (annotated: the tagger's; lightweight: the commit's).
pub fn read_module_tags(
    program: &Path,
    repo: &Path,
    component: &str,
) -> Result<Vec<Event>, String> {
    let text = git(
        program,
        repo,
        &[
            "for-each-ref",
            "--format=%(refname:short)%09%(creatordate:unix)",
            "refs/tags",
        ],
    )?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let (name, secs) = l.split_once('\t')?;
            Some(Event::Standard(StandardRelease {
                component: sanitize(component),
                version: sanitize(name),
                time: unix(secs)?,
            }))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_pin_versions_of_their_repositories() {
        let tf = r#"
module "logging" {
  source = "git::https://example.com/acme/tf-logging.git?ref=v1.8.0"
}
module "net" {
  source  = "git::ssh://git@example.com/acme/tf-network.git//modules/vpc?depth=1&ref=2.0.0"
}
module "local" {
  source = "../modules/local"
}
"#;
        assert_eq!(
            pins(tf),
            [
                Pin {
                    component: "tf-logging".into(),
                    version: "v1.8.0".into()
                },
                Pin {
                    component: "tf-network".into(),
                    version: "2.0.0".into()
                },
            ]
        );
    }
}
