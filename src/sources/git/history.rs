//! From raw git output to deployments and changes: the commit graph, which
//! deployment tag first shipped each commit, which tags only name what an
//! earlier one shipped (aliases), which commits are cherry-picks of others, and
//! which change each revert names (the metric engine decides what it failed).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::model::{Change, DeployStatus, DeploymentEvent, Event, Id, Text, Time};

use super::commit::{Commit, DeployTag};
use super::links::Links;
use super::spec::ServiceMap;

/// No deployment (yet) ships the commit.
const UNSHIPPED: u32 = u32::MAX;

/// What the history produced, before filtering for what a poll already sent.
#[derive(Debug, Default)]
pub struct Built {
    pub events: Vec<Event>,
    pub deployments: u64,
    pub changes: u64,
    /// Changes that revert a commit of the history.
    pub reverts: u64,
    pub unknown_revert_targets: u64,
    pub ambiguous_revert_targets: u64,
    pub unmapped_commits: u64,
    /// Deployment tags whose commit an earlier deployment already shipped.
    pub aliases: u64,
}

/// Turns the commits and deployment tags into events.
///
/// Each commit belongs to the earliest deployment tag (by tag time, then name)
/// that reaches it, so a commit is a change of exactly one deployment per service
/// even when tags sit on several branches (each maintenance line gets its own
/// deployments). A tag whose commit an earlier tag already reached is an alias
/// (a re-tag, a retroactive tag), not a deployment. Merge commits carry no code
/// of their own and are not changes; the commits they bring in are. A
/// cherry-pick is the change it was picked from, at that commit's time.
pub fn build(
    mut commits: Vec<Commit>,
    tags: &[DeployTag],
    services: &ServiceMap,
    service_names: &[Text],
    links: Option<&Links>,
) -> Built {
    let mut built = Built::default();
    let tag_commits = resolve_parents(&mut commits, tags);
    let (shipped, alias) = ship(&commits, &tag_commits);
    built.aliases = alias.iter().filter(|a| **a).count() as u64;
    let index = Index::new(&commits);
    let reverts = reverts(&commits, &index, &mut built);
    let monorepo = services.is_monorepo();
    let per_deploy = per_deploy(
        &commits,
        &shipped,
        &tag_commits,
        &alias,
        monorepo,
        &mut built,
    );
    let merged = merge_times(&commits, &tag_commits);
    let release = Release {
        commits: &commits,
        shipped: &shipped,
        merged: &merged,
        originals: originals(&commits, &index),
        tags,
        service_names,
        monorepo,
        links,
    };
    let mut deployments: Vec<(i64, Event)> = Vec::new();
    let mut emitted = HashSet::new();
    for ((d, s), members) in per_deploy {
        release.emit(
            (d, s),
            members,
            &reverts,
            &mut emitted,
            &mut built,
            &mut deployments,
        );
    }
    // Changes first (a deployment then finds its changes), deployment lines in time order.
    deployments.sort_by_key(|(t, _)| *t);
    built.events.extend(deployments.into_iter().map(|(_, e)| e));
    built
}

/// Commit ids in order, to find the commit an abbreviated id names.
struct Index<'a>(Vec<(&'a str, u32)>);

/// What an abbreviated commit id names.
enum Found {
    One(u32),
    None,
    Several,
}

impl<'a> Index<'a> {
    fn new(commits: &'a [Commit]) -> Self {
        let mut by_oid: Vec<(&str, u32)> = commits
            .iter()
            .enumerate()
            .map(|(i, c)| (&*c.oid, i as u32))
            .collect();
        by_oid.sort_unstable();
        Self(by_oid)
    }

    fn find(&self, prefix: &str) -> Found {
        let start = self.0.partition_point(|(oid, _)| *oid < prefix);
        let mut matching = self.0[start..]
            .iter()
            .take_while(|(oid, _)| oid.starts_with(prefix))
            .map(|(_, i)| *i);
        match (matching.next(), matching.next()) {
            (Some(i), None) => Found::One(i),
            (None, _) => Found::None,
            _ => Found::Several,
        }
    }
}

/// For each commit, the commit it was cherry-picked from when that one is in
/// the history read (following picks of picks to the first), else itself.
fn originals(commits: &[Commit], index: &Index) -> Vec<u32> {
    let direct: Vec<u32> = commits
        .iter()
        .enumerate()
        .map(
            |(i, c)| match c.picked_from.as_deref().map(|p| index.find(p)) {
                Some(Found::One(o)) => o,
                _ => i as u32,
            },
        )
        .collect();
    (0..commits.len())
        .map(|i| {
            let mut o = i as u32;
            // Bounded: a cycle of picks (impossible in git, possible in messages) stops.
            for _ in 0..8 {
                let next = direct[o as usize];
                if next == o {
                    break;
                }
                o = next;
            }
            o
        })
        .collect()
}

/// Resolves each commit's parents to indices, and returns the commit each tag
/// points at (`None`: not in the history read).
fn resolve_parents(commits: &mut [Commit], tags: &[DeployTag]) -> Vec<Option<u32>> {
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
    tag_commits
}

/// When each commit was merged: the committer time of the merge commit on the
/// mainline (the first-parent chains of the deployment tags) that brought it
/// in, the oldest such merge first; `None` for commits committed straight to
/// the mainline and for merge commits. First parents are told by the raw
/// parent ids, as a parent outside the commits read is not resolved.
fn merge_times(commits: &[Commit], tag_commits: &[Option<u32>]) -> Vec<Option<i64>> {
    let index: HashMap<&str, u32> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (&*c.oid, i as u32))
        .collect();
    let first_parent = |c: &Commit| c.parents_raw.first().and_then(|p| index.get(&**p).copied());
    let mut mainline = vec![false; commits.len()];
    let mut merges = Vec::new();
    for &tip in tag_commits.iter().flatten() {
        let mut at = Some(tip);
        while let Some(c) = at {
            if std::mem::replace(&mut mainline[c as usize], true) {
                break;
            }
            let commit = &commits[c as usize];
            if commit.is_merge() {
                merges.push(c);
            }
            at = first_parent(commit);
        }
    }
    merges.sort_by_key(|&m| (commits[m as usize].time, m));
    let mut merged: Vec<Option<i64>> = vec![None; commits.len()];
    // The mainline, and what an older merge brought in, stop the walk.
    let mut seen = mainline;
    let mut stack = Vec::new();
    for m in merges {
        let merge = &commits[m as usize];
        stack.extend(
            merge
                .parents_raw
                .iter()
                .skip(1)
                .filter_map(|p| index.get(&**p)),
        );
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c as usize], true) {
                continue;
            }
            let commit = &commits[c as usize];
            if !commit.is_merge() {
                merged[c as usize] = Some(merge.time);
            }
            stack.extend_from_slice(&commit.parents);
        }
    }
    merged
}

/// Which deployment first ships each commit (`UNSHIPPED` if none), and which
/// tags are aliases: their commit was already shipped by an earlier tag.
fn ship(commits: &[Commit], tag_commits: &[Option<u32>]) -> (Vec<u32>, Vec<bool>) {
    let mut shipped = vec![UNSHIPPED; commits.len()];
    let mut alias = vec![false; tag_commits.len()];
    let mut stack = Vec::new();
    for (d, tip) in tag_commits.iter().enumerate() {
        let Some(tip) = *tip else { continue };
        if shipped[tip as usize] != UNSHIPPED {
            alias[d] = true;
            continue;
        }
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
    (shipped, alias)
}

/// Per commit: the commit it reverts, when its message names one of the history
/// (the first such, should it name several).
fn reverts(commits: &[Commit], index: &Index, built: &mut Built) -> Vec<Option<u32>> {
    let mut out = vec![None; commits.len()];
    for (r, commit) in commits.iter().enumerate() {
        for target in &commit.reverts {
            match index.find(target) {
                Found::One(t) => {
                    out[r] = Some(t);
                    break;
                }
                Found::None => built.unknown_revert_targets += 1,
                Found::Several => built.ambiguous_revert_targets += 1,
            }
        }
    }
    out
}

/// Changes per (deployment, service), oldest first.
fn per_deploy(
    commits: &[Commit],
    shipped: &[u32],
    tag_commits: &[Option<u32>],
    alias: &[bool],
    monorepo: bool,
    built: &mut Built,
) -> BTreeMap<(u32, u16), Vec<u32>> {
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
    if !monorepo {
        // A one-service repository deploys at every tag that is not an alias,
        // even one whose only new commit is a merge. In a monorepo a tag that
        // touches none of a service's paths is not a release of that service:
        // counting it would inflate every service's frequency by the others' work.
        for (d, tip) in tag_commits.iter().enumerate() {
            if tip.is_some() && !alias[d] {
                per_deploy.entry((d as u32, 0)).or_default();
            }
        }
    }
    per_deploy
}

/// What turns one (deployment, service) pair into events.
struct Release<'a> {
    commits: &'a [Commit],
    /// The deployment that first shipped each commit (see [`ship`]).
    shipped: &'a [u32],
    /// Each commit's original (see [`originals`]).
    originals: Vec<u32>,
    /// When each commit was merged (see [`merge_times`]).
    merged: &'a [Option<i64>],
    tags: &'a [DeployTag],
    service_names: &'a [Text],
    monorepo: bool,
    links: Option<&'a Links>,
}

impl Release<'_> {
    fn change_id(&self, c: &Commit, service: &Text) -> Text {
        if self.monorepo {
            Text::from(format!("{service}@{}", c.oid))
        } else {
            Text::from(&*c.oid)
        }
    }

    /// The pair's changes into `built` (each change once: a cherry-pick is its
    /// original; a revert names the change it reverts), its line into
    /// `deployments`.
    fn emit(
        &self,
        (d, s): (u32, u16),
        mut members: Vec<u32>,
        reverts: &[Option<u32>],
        emitted: &mut HashSet<Text>,
        built: &mut Built,
        deployments: &mut Vec<(i64, Event)>,
    ) {
        let commits = self.commits;
        let tag = &self.tags[d as usize];
        let service = &self.service_names[s as usize];
        for m in &mut members {
            *m = self.originals[*m as usize];
        }
        members.sort_by(|a, b| {
            let (a, b) = (&commits[*a as usize], &commits[*b as usize]);
            a.time.cmp(&b.time).then_with(|| a.oid.cmp(&b.oid))
        });
        members.dedup();
        let deployment = deployment_id(service, tag);
        let mut ids = Vec::with_capacity(members.len());
        for m in members {
            let c = &commits[m as usize];
            let id = self.change_id(c, service);
            ids.push(id.clone());
            if !emitted.insert(id.clone()) {
                continue;
            }
            if let Some(t) = &c.contract {
                built.events.push(super::trailers::contract_event(
                    t,
                    service,
                    &deployment,
                    tag.time,
                ));
            }
            built.changes += 1;
            let reverted = self.reverted(reverts[m as usize], s, service);
            built.reverts += u64::from(reverted.is_some());
            built.events.push(Event::Change(Change {
                id: Id::from(&*id),
                service: service.clone(),
                time: time(c.time),
                team: None,
                title: (!c.title.is_empty()).then(|| c.title.clone()),
                author: (!c.author.is_empty()).then(|| c.author.clone()),
                url: self.links.map(|l| l.commit(&c.oid)),
                opened: None,
                first_review: None,
                merged: self.merged.get(m as usize).copied().flatten().map(time),
                lines: Some(c.lines),
                reverts: reverted,
            }));
        }
        let url = self.links.map(|l| l.tag(&tag.name));
        built.deployments += 1;
        deployments.push((
            tag.time,
            deployment_line(
                &deployment,
                service,
                DeployStatus::Success,
                tag.time,
                ids,
                url,
            ),
        ));
    }

    /// The change id a revert names in `service`: the reverted commit's original
    /// (a cherry-pick is its original). A merge is no change of its own: a
    /// reverted merge (`git revert -m 1`, GitHub's Revert button) stands for the
    /// branch it brought in, named by the branch's newest commit of the service
    /// that shipped with the merge (walking the branch's first parents, at most
    /// 64). In a monorepo a commit that did not touch the service is no change
    /// of it: no id.
    fn reverted(&self, target: Option<u32>, s: u16, service: &Text) -> Option<Text> {
        let mut t = target?;
        let of_service = |c: &Commit| !c.is_merge() && (!self.monorepo || c.services.contains(&s));
        if self.commits[t as usize].is_merge() {
            let with = self.shipped[t as usize];
            let mut at = *self.commits[t as usize].parents.get(1)?;
            for _ in 0..64 {
                let c = &self.commits[at as usize];
                if self.shipped[at as usize] != with {
                    return None;
                }
                if of_service(c) {
                    break;
                }
                at = *c.parents.first()?;
            }
            t = at;
        }
        let c = &self.commits[self.originals[t as usize] as usize];
        of_service(c).then(|| self.change_id(c, service))
    }
}

fn deployment_id(service: &Text, tag: &DeployTag) -> Text {
    Text::from(format!("{service}@{}", tag.name))
}

fn deployment_line(
    id: &Text,
    service: &Text,
    status: DeployStatus,
    at: i64,
    changes: Vec<Text>,
    url: Option<Text>,
) -> Event {
    Event::Deployment(DeploymentEvent {
        id: Id::from(&**id),
        service: service.clone(),
        time: time(at),
        status,
        team: None,
        // `None` is production in schema v1, whatever `production_environments` says.
        environment: None,
        region: None,
        stage: None,
        changes: changes.iter().map(|c| Id::from(&**c)).collect(),
        hotfix: false,
        url,
    })
}

/// Seconds since the epoch as a time; out-of-range values become the epoch.
pub fn time(secs: i64) -> Time {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default()
}
