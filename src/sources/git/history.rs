//! From raw git output to deployments and changes: the commit graph, which
//! deployment tag first shipped each commit, and which deployments a later
//! revert marks failed.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Change, DeployStatus, DeploymentEvent, Event, Text, Time};
use crate::util::text::sanitize;

use super::links::Links;
use super::spec::ServiceMap;

/// No deployment (yet) ships the commit.
const UNSHIPPED: u32 = u32::MAX;

/// One commit as read from `git log`.
#[derive(Debug)]
pub struct Commit {
    pub oid: Box<str>,
    parents_raw: Vec<Box<str>>,
    pub parents: Vec<u32>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub author: Text,
    pub title: Text,
    /// Commit ids (full or abbreviated) named by "This reverts commit <sha>".
    pub reverts: Vec<Box<str>>,
    /// Indices into the service list (always `[0]` for a one-service repository).
    pub services: Vec<u16>,
}

impl Commit {
    fn is_merge(&self) -> bool {
        self.parents_raw.len() > 1 || self.parents.len() > 1
    }
}

/// A deployment tag: its name, time and the commit it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployTag {
    pub name: Text,
    pub time: i64,
    pub commit: Box<str>,
}

/// Parses one commit from its five fields (`%H`, `%P`, `%ct`, `%an`, `%B`) and
/// the name list after it, or says why it could not.
pub fn parse_commit(
    fields: [&[u8]; 5],
    names: &[u8],
    services: &ServiceMap,
    service_ids: &HashMap<&str, u16>,
) -> Result<Commit, String> {
    let [oid, parents, time, author, body] = fields;
    let oid = std::str::from_utf8(oid)
        .ok()
        .filter(|h| is_hex(h) && h.len() >= 40)
        .ok_or_else(|| format!("bad commit id {:?}", String::from_utf8_lossy(oid)))?;
    let parents_raw = std::str::from_utf8(parents)
        .map_err(|_| format!("commit {oid}: parents are not text"))?
        .split_ascii_whitespace()
        .map(Box::from)
        .collect();
    let time = std::str::from_utf8(time)
        .ok()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .ok_or_else(|| format!("commit {oid}: bad committer time"))?;
    let body = String::from_utf8_lossy(body);
    let title = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut commit_services: Vec<u16> = match services {
        ServiceMap::One(_) => vec![0],
        ServiceMap::Paths(_) => Vec::new(),
    };
    if services.is_monorepo() {
        for line in names.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let file = unquote(line);
            if let Some(id) = services.service_of(&file).and_then(|s| service_ids.get(s))
                && !commit_services.contains(id)
            {
                commit_services.push(*id);
            }
        }
        commit_services.sort_unstable();
    }
    Ok(Commit {
        oid: oid.into(),
        parents_raw,
        parents: Vec::new(),
        time,
        author: sanitize(&String::from_utf8_lossy(author)),
        title: sanitize(title),
        reverts: revert_targets(&body),
        services: commit_services,
    })
}

/// The commit ids a message says it reverts: `This reverts commit <hex>` with at
/// least 7 hex digits (git's shortest default abbreviation).
pub fn revert_targets(body: &str) -> Vec<Box<str>> {
    const MARK: &str = "This reverts commit ";
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find(MARK) {
        rest = &rest[at + MARK.len()..];
        let hex_len = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        let end_ok = rest[hex_len..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if (7..=64).contains(&hex_len) && end_ok {
            let target: Box<str> = rest[..hex_len].to_ascii_lowercase().into();
            if !out.contains(&target) {
                out.push(target);
            }
        }
    }
    out
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Undoes git's C-style quoting of a path (`"a\tb"`, `"\303\251"`); a path
/// without quotes is returned as is.
pub fn unquote(raw: &[u8]) -> String {
    let Some(inner) = raw.strip_prefix(b"\"").and_then(|r| r.strip_suffix(b"\"")) else {
        return String::from_utf8_lossy(raw).into_owned();
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let b = inner[i];
        i += 1;
        if b != b'\\' || i >= inner.len() {
            out.push(b);
            continue;
        }
        let e = inner[i];
        i += 1;
        let byte = match e {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'0'..=b'3' if i + 1 < inner.len() => {
                let digits = [e, inner[i], inner[i + 1]];
                if digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                    i += 2;
                    (digits[0] - b'0') * 64 + (digits[1] - b'0') * 8 + (digits[2] - b'0')
                } else {
                    e
                }
            }
            other => other,
        };
        out.push(byte);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the history produced, before filtering for what a poll already sent.
#[derive(Debug, Default)]
pub struct Built {
    pub events: Vec<Event>,
    pub deployments: u64,
    pub changes: u64,
    pub failed: u64,
    pub unknown_revert_targets: u64,
    pub ambiguous_revert_targets: u64,
    pub unmapped_commits: u64,
}

/// Turns the commits and deployment tags into events.
///
/// Each commit belongs to the earliest deployment tag (by tag time, then name)
/// that reaches it, so a commit is a change of exactly one deployment per service
/// even when tags sit on several branches. Merge commits carry no code of their
/// own and are not changes; the commits they bring in are.
pub fn build(
    mut commits: Vec<Commit>,
    tags: &[DeployTag],
    services: &ServiceMap,
    service_names: &[Text],
    link_window: TimeDelta,
    links: Option<&Links>,
) -> (Built, Known) {
    let mut built = Built::default();
    let index: HashMap<&str, u32> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (&*c.oid, i as u32))
        .collect();
    let resolved: Vec<Vec<u32>> = commits
        .iter()
        .map(|c| {
            c.parents_raw
                .iter()
                .filter_map(|p| index.get(&**p).copied())
                .collect()
        })
        .collect();
    let tag_commits: Vec<Option<u32>> = tags
        .iter()
        .map(|t| index.get(&*t.commit).copied())
        .collect();
    drop(index);
    for (c, parents) in commits.iter_mut().zip(resolved) {
        c.parents = parents;
    }

    // Which deployment first ships each commit.
    let mut shipped = vec![UNSHIPPED; commits.len()];
    let mut stack = Vec::new();
    for (d, tip) in tag_commits.iter().enumerate() {
        let Some(tip) = *tip else { continue };
        stack.push(tip);
        while let Some(c) = stack.pop() {
            let slot = &mut shipped[c as usize];
            if *slot != UNSHIPPED {
                continue;
            }
            *slot = d as u32;
            stack.extend_from_slice(&commits[c as usize].parents);
        }
    }

    // Reverts: which (deployment, service) pairs failed, and when it showed.
    let mut by_oid: Vec<(&str, u32)> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (&*c.oid, i as u32))
        .collect();
    by_oid.sort_unstable();
    let mut failed: HashMap<(u32, u16), i64> = HashMap::new();
    let mut hotfix: HashSet<(u32, u16)> = HashSet::new();
    for (r, commit) in commits.iter().enumerate() {
        for target in &commit.reverts {
            let start = by_oid.partition_point(|(oid, _)| *oid < &**target);
            let matching: Vec<u32> = by_oid[start..]
                .iter()
                .take_while(|(oid, _)| oid.starts_with(&**target))
                .take(2)
                .map(|(_, i)| *i)
                .collect();
            let t = match matching[..] {
                [t] => t,
                [] => {
                    built.unknown_revert_targets += 1;
                    continue;
                }
                _ => {
                    built.ambiguous_revert_targets += 1;
                    continue;
                }
            };
            let d = shipped[t as usize];
            if d == UNSHIPPED || shipped[r] == d {
                // Never shipped, or reverted before its release went out.
                continue;
            }
            let after = commit.time - tags[d as usize].time;
            if after < 0 || after > link_window.num_seconds() {
                continue;
            }
            let reverted = &commits[t as usize];
            // A reverted merge has no files of its own: the revert's files say
            // which services it touched.
            let hit = if reverted.services.is_empty() {
                &commit.services
            } else {
                &reverted.services
            };
            for &s in hit {
                let at = failed.entry((d, s)).or_insert(commit.time);
                *at = (*at).min(commit.time);
                if shipped[r] != UNSHIPPED {
                    hotfix.insert((shipped[r], s));
                }
            }
        }
    }

    // Changes per (deployment, service), oldest first.
    let mut per_deploy: BTreeMap<(u32, u16), Vec<u32>> = BTreeMap::new();
    for (i, c) in commits.iter().enumerate() {
        let d = shipped[i];
        if d == UNSHIPPED || c.is_merge() {
            continue;
        }
        if c.services.is_empty() {
            built.unmapped_commits += 1;
        }
        for &s in &c.services {
            per_deploy.entry((d, s)).or_default().push(i as u32);
        }
    }
    let monorepo = services.is_monorepo();
    if !monorepo {
        // A one-service repository deploys at every tag, even one that adds no
        // commit (a re-tag is still a release). In a monorepo a tag that touches
        // none of a service's paths is not a release of that service: counting it
        // would inflate every service's deployment frequency by the others' work.
        for (d, tip) in tag_commits.iter().enumerate() {
            if tip.is_some() {
                per_deploy.entry((d as u32, 0)).or_default();
            }
        }
    }

    let change_id = |c: &Commit, service: &Text| -> Text {
        if monorepo {
            Text::from(format!("{service}@{}", c.oid))
        } else {
            Text::from(&*c.oid)
        }
    };
    let mut deployments: Vec<(i64, Event)> = Vec::new();
    let deployed: HashSet<(u32, u16)> = per_deploy.keys().copied().collect();
    for ((d, s), mut members) in per_deploy {
        let tag = &tags[d as usize];
        let service = &service_names[s as usize];
        members.sort_by(|a, b| {
            let (a, b) = (&commits[*a as usize], &commits[*b as usize]);
            a.time.cmp(&b.time).then_with(|| a.oid.cmp(&b.oid))
        });
        let mut ids = Vec::with_capacity(members.len());
        for m in members {
            let c = &commits[m as usize];
            let id = change_id(c, service);
            ids.push(id.clone());
            built.changes += 1;
            built.events.push(Event::Change(Change {
                id,
                service: service.clone(),
                time: time(c.time),
                team: None,
                title: (!c.title.is_empty()).then(|| c.title.clone()),
                author: (!c.author.is_empty()).then(|| c.author.clone()),
                url: links.map(|l| l.commit(&c.oid)),
            }));
        }
        let id = deployment_id(service, tag);
        let hot = hotfix.contains(&(d, s));
        let url = links.map(|l| l.tag(&tag.name));
        built.deployments += 1;
        deployments.push((
            tag.time,
            deployment_line(
                &id,
                service,
                DeployStatus::Success,
                tag.time,
                hot,
                ids,
                url.clone(),
            ),
        ));
        if let Some(&at) = failed.get(&(d, s)) {
            built.failed += 1;
            deployments.push((
                at,
                // The success line carries the hotfix flag; the failure line never
                // does, so it is the same line whether a poll or a full read found it.
                deployment_line(
                    &id,
                    service,
                    DeployStatus::Failure,
                    at,
                    false,
                    Vec::new(),
                    url,
                ),
            ));
        }
    }
    // Changes first (a deployment then finds its changes), deployment lines in time order.
    deployments.sort_by_key(|(t, _)| *t);
    built.events.extend(deployments.into_iter().map(|(_, e)| e));
    let known = Known::new(commits, &shipped, deployed);
    (built, known)
}

fn deployment_id(service: &Text, tag: &DeployTag) -> Text {
    Text::from(format!("{service}@{}", tag.name))
}

fn deployment_line(
    id: &Text,
    service: &Text,
    status: DeployStatus,
    at: i64,
    hotfix: bool,
    changes: Vec<Text>,
    url: Option<Text>,
) -> Event {
    Event::Deployment(DeploymentEvent {
        id: id.clone(),
        service: service.clone(),
        time: time(at),
        status,
        team: None,
        // `None` is production in schema v1, whatever `production_environments` says.
        environment: None,
        region: None,
        stage: None,
        changes,
        hotfix,
        url,
    })
}

/// What a poll keeps of a full read so that commits added to HEAD later can be
/// checked for reverts without reading the history again.
#[derive(Debug, Default)]
pub struct Known {
    /// (commit id, deployment that ships it or `UNSHIPPED`, its services), by id.
    commits: Vec<(Box<str>, u32, Box<[u16]>)>,
    /// The (deployment, service) pairs that exist.
    deployed: HashSet<(u32, u16)>,
}

impl Known {
    fn new(commits: Vec<Commit>, shipped: &[u32], deployed: HashSet<(u32, u16)>) -> Self {
        let mut commits: Vec<_> = commits
            .into_iter()
            .zip(shipped)
            .map(|(c, &d)| (c.oid, d, c.services.into_boxed_slice()))
            .collect();
        commits.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self { commits, deployed }
    }

    /// Up to two known commits whose id starts with `prefix`.
    fn matching<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = usize> + 'a {
        let start = self.commits.partition_point(|(oid, _, _)| &**oid < prefix);
        (start..self.commits.len())
            .take_while(move |&i| self.commits[i].0.starts_with(prefix))
            .take(2)
    }
}

/// Reverts among commits that arrived on HEAD while the deployment tags stayed
/// the same: these commits are not shipped, so they can only fail earlier
/// deployments (the same rule as [`build`]). `known` learns the new commits.
pub fn late_reverts(
    new: Vec<Commit>,
    known: &mut Known,
    tags: &[DeployTag],
    service_names: &[Text],
    link_window: TimeDelta,
    links: Option<&Links>,
) -> Built {
    let mut built = Built::default();
    let mut failed: BTreeMap<(u32, u16), i64> = BTreeMap::new();
    for r in &new {
        for target in &r.reverts {
            let old: Vec<usize> = known.matching(target).collect();
            let fresh = new
                .iter()
                .filter(|c| c.oid.starts_with(&**target))
                .take(2)
                .count();
            let k = match (&old[..], fresh) {
                ([k], 0) => *k,
                ([], 0) => {
                    built.unknown_revert_targets += 1;
                    continue;
                }
                ([], 1) => continue, // a new, unshipped commit
                _ => {
                    built.ambiguous_revert_targets += 1;
                    continue;
                }
            };
            let (_, d, services) = &known.commits[k];
            let d = *d;
            if d == UNSHIPPED {
                continue;
            }
            let after = r.time - tags[d as usize].time;
            if after < 0 || after > link_window.num_seconds() {
                continue;
            }
            let hit: &[u16] = if services.is_empty() {
                &r.services
            } else {
                services
            };
            for &s in hit {
                if known.deployed.contains(&(d, s)) {
                    let at = failed.entry((d, s)).or_insert(r.time);
                    *at = (*at).min(r.time);
                }
            }
        }
    }
    let mut lines: Vec<(i64, Event)> = failed
        .into_iter()
        .map(|((d, s), at)| {
            let service = &service_names[s as usize];
            let tag = &tags[d as usize];
            let id = deployment_id(service, tag);
            let url = links.map(|l| l.tag(&tag.name));
            (
                at,
                deployment_line(
                    &id,
                    service,
                    DeployStatus::Failure,
                    at,
                    false,
                    Vec::new(),
                    url,
                ),
            )
        })
        .collect();
    lines.sort_by_key(|(t, _)| *t);
    built.failed = lines.len() as u64;
    built.events = lines.into_iter().map(|(_, e)| e).collect();
    known.commits.extend(
        new.into_iter()
            .map(|c| (c.oid, UNSHIPPED, c.services.into_boxed_slice())),
    );
    known.commits.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    built
}

/// Seconds since the epoch as a time; out-of-range values become the epoch.
pub fn time(secs: i64) -> Time {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_messages_name_full_and_short_ids() {
        let body =
            "Revert \"x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n";
        assert_eq!(
            revert_targets(body),
            vec![Box::from("0123456789abcdef0123456789abcdef01234567")]
        );
        assert_eq!(
            revert_targets("This reverts commit ABCDEF1, reversing\nchanges made to 1234567."),
            vec![Box::from("abcdef1")]
        );
        // Too short, or not hex up to a word end.
        assert!(revert_targets("This reverts commit abc12.").is_empty());
        assert!(revert_targets("This reverts commit abcdef12xyz").is_empty());
        assert!(revert_targets("this reverts commit abcdef1234").is_empty());
    }

    #[test]
    fn quoted_paths_are_unquoted() {
        assert_eq!(unquote(b"plain/path"), "plain/path");
        assert_eq!(unquote(b"\"a\\tb\""), "a\tb");
        assert_eq!(unquote(b"\"q\\\"uote\""), "q\"uote");
        assert_eq!(unquote(b"\"\\303\\251t\\303\\251\""), "été");
    }
}
