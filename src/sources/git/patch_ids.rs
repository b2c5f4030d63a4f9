//! Cherry-picks made without `-x`: the same change when the patch is the same
//! (DESIGN.md, "The git source": the same patch id as an earlier commit).
//!
//! Hashing every commit's diff would cost as much as `git log -p` over the whole
//! history. A cherry-pick keeps its original's author, author time and message,
//! so only commits that share author, author time and title are candidates
//! (a backport retitled "[1.x] ..." is not found), and only those are
//! diffed and given a patch id (`git patch-id --stable`, which ignores line
//! numbers and whitespace, as git's own `cherry` does).

use std::collections::HashMap;

use super::cli::Git;
use super::commit::Commit;
use crate::sources::git::GitError;

/// Sets `picked_from` on each commit whose patch an earlier commit (by committer
/// time, then id) of the same author, author time and title already made, and
/// returns how many it set. Commits that name their original (`-x`) keep it.
pub fn link_picks(git: &Git, commits: &mut [Commit]) -> Result<u64, GitError> {
    let mut groups: HashMap<(&str, i64, &str), Vec<u32>> = HashMap::new();
    for (i, c) in commits.iter().enumerate() {
        if !c.is_merge() {
            groups
                .entry((&c.author, c.authored, &c.title))
                .or_default()
                .push(i as u32);
        }
    }
    // Each candidate with its group: only commits of one group can be one
    // change (a revert re-applied by someone else has the same patch, and is not).
    let candidates: Vec<(u32, usize)> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .enumerate()
        .flat_map(|(k, g)| g.into_iter().map(move |i| (i, k)))
        .collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    let mut stdin = Vec::with_capacity(candidates.len() * 41);
    for &(i, _) in &candidates {
        stdin.extend_from_slice(commits[i as usize].oid.as_bytes());
        stdin.push(b'\n');
    }
    let diffs = read_all(
        git,
        "diff-tree",
        &["diff-tree", "--stdin", "-p", "--no-color", "--no-ext-diff"],
        stdin,
    )?;
    let ids = read_all(git, "patch-id", &["patch-id", "--stable"], diffs)?;
    let by_oid: HashMap<&str, (u32, usize)> = candidates
        .iter()
        .map(|&(i, k)| (&*commits[i as usize].oid, (i, k)))
        .collect();
    // "<patch id> <commit id>" a line; a commit with an empty diff has none.
    let mut by_patch: HashMap<(usize, &[u8]), Vec<u32>> = HashMap::new();
    for line in ids.split(|b| *b == b'\n') {
        let mut parts = line.split(|b| *b == b' ');
        let (Some(patch), Some(oid)) = (parts.next(), parts.next()) else {
            continue;
        };
        if let Some(&(i, k)) = std::str::from_utf8(oid).ok().and_then(|o| by_oid.get(o)) {
            by_patch.entry((k, patch)).or_default().push(i);
        }
    }
    let mut linked = Vec::new();
    for mut same in by_patch.into_values().filter(|v| v.len() > 1) {
        same.sort_by(|&a, &b| {
            let (a, b) = (&commits[a as usize], &commits[b as usize]);
            (a.time, &a.oid).cmp(&(b.time, &b.oid))
        });
        let original = same[0];
        linked.extend(same[1..].iter().map(|&p| (p, original)));
    }
    drop(by_oid);
    let mut set = 0;
    for (pick, original) in linked {
        let oid = commits[original as usize].oid.clone();
        let c = &mut commits[pick as usize];
        if c.picked_from.is_none() {
            c.picked_from = Some(oid);
            set += 1;
        }
    }
    Ok(set)
}

fn read_all(
    git: &Git,
    what: &'static str,
    args: &[&str],
    stdin: Vec<u8>,
) -> Result<Vec<u8>, GitError> {
    Ok(git.output_with(what, args, stdin, &[])?.unwrap_or_default())
}
