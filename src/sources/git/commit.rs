//! One commit or deployment tag as read from git: parsing `git log` fields,
//! revert messages and git's quoted paths.

use std::collections::HashMap;

use crate::model::Text;
use crate::util::text::sanitize;

use super::spec::ServiceMap;

/// One commit as read from `git log`.
#[derive(Debug)]
pub struct Commit {
    pub oid: Box<str>,
    pub(super) parents_raw: Vec<Box<str>>,
    pub parents: Vec<u32>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    /// Author time: a cherry-pick keeps its original's.
    pub authored: i64,
    pub author: Text,
    pub title: Text,
    /// Commit ids (full or abbreviated) named by "This reverts commit <sha>".
    pub reverts: Vec<Box<str>>,
    /// The commit this one was cherry-picked from ("(cherry picked from commit <sha>)").
    pub picked_from: Option<Box<str>>,
    /// Indices into the service list (always `[0]` for a one-service repository).
    pub services: Vec<u16>,
    /// Lines added plus deleted (`--numstat`; binary files count none).
    pub lines: u64,
    /// The contract step its trailers name (`Contract:`, `Contract-Consumers:`).
    pub contract: Option<super::trailers::ContractTrailer>,
}

impl Commit {
    pub(super) fn is_merge(&self) -> bool {
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

/// Parses one commit from its six fields (`%H`, `%P`, `%ct`, `%at`, `%an`, `%B`) and
/// the `--numstat` list after it (`added<TAB>deleted<TAB>path` a line), or says
/// why it could not.
pub fn parse_commit(
    fields: [&[u8]; 6],
    names: &[u8],
    services: &ServiceMap,
    service_ids: &HashMap<&str, u16>,
) -> Result<Commit, String> {
    let [oid, parents, time, authored, author, body] = fields;
    let oid = std::str::from_utf8(oid)
        .ok()
        .filter(|h| is_hex(h) && h.len() >= 40)
        .ok_or_else(|| format!("bad commit id {:?}", String::from_utf8_lossy(oid)))?;
    let parents_raw = std::str::from_utf8(parents)
        .map_err(|_| format!("commit {oid}: parents are not text"))?
        .split_ascii_whitespace()
        .map(Box::from)
        .collect();
    let seconds = |t: &[u8], what: &str| {
        std::str::from_utf8(t)
            .ok()
            .and_then(|t| t.trim().parse::<i64>().ok())
            .ok_or_else(|| format!("commit {oid}: bad {what} time"))
    };
    let time = seconds(time, "committer")?;
    let authored = seconds(authored, "author")?;
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
    let mut lines = 0;
    for line in names.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let (count, path) = numstat_line(line);
        lines += count;
        if !services.is_monorepo() {
            continue;
        }
        let file = unquote(&path);
        if let Some(id) = services.service_of(&file).and_then(|s| service_ids.get(s))
            && !commit_services.contains(id)
        {
            commit_services.push(*id);
        }
    }
    commit_services.sort_unstable();
    Ok(Commit {
        oid: oid.into(),
        parents_raw,
        parents: Vec::new(),
        time,
        authored,
        author: sanitize(&String::from_utf8_lossy(author)),
        title: sanitize(title),
        reverts: revert_targets(&body),
        picked_from: commit_ids_after(&body, "(cherry picked from commit ").pop(),
        services: commit_services,
        lines,
        contract: super::trailers::contract_trailer(&body),
    })
}

/// One `--numstat` line: added + deleted (`-` for a binary file counts 0) and
/// the path, the new one for a rename (`a => b`, `dir/{a => b}/f`). A line
/// without the counts is a bare path.
pub fn numstat_line(line: &[u8]) -> (u64, Vec<u8>) {
    let mut parts = line.splitn(3, |b| *b == b'\t');
    let (Some(added), Some(deleted), Some(path)) = (parts.next(), parts.next(), parts.next())
    else {
        return (0, line.to_vec());
    };
    let number = |f: &[u8]| std::str::from_utf8(f).ok()?.parse::<u64>().ok();
    let count = |f: &[u8]| if f == b"-" { Some(0) } else { number(f) };
    let (Some(a), Some(d)) = (count(added), count(deleted)) else {
        return (0, line.to_vec());
    };
    (a + d, renamed_to(path))
}

/// The path a rename in `--numstat` form leads to.
fn renamed_to(path: &[u8]) -> Vec<u8> {
    const ARROW: &[u8] = b" => ";
    let Some(at) = path.windows(ARROW.len()).position(|w| w == ARROW) else {
        return path.to_vec();
    };
    let open = path[..at].iter().rposition(|b| *b == b'{');
    let close = path[at..].iter().position(|b| *b == b'}').map(|c| c + at);
    match (open, close) {
        (Some(o), Some(c)) => {
            let mut out = path[..o].to_vec();
            out.extend_from_slice(&path[at + ARROW.len()..c]);
            let rest = &path[c + 1..];
            // `dir/{ => sub}/f` and `dir/{sub => }/f` leave a doubled slash.
            if out.last() == Some(&b'/') && rest.first() == Some(&b'/') {
                out.extend_from_slice(&rest[1..]);
            } else {
                out.extend_from_slice(rest);
            }
            out
        }
        _ => path[at + ARROW.len()..].to_vec(),
    }
}

/// The commit ids a message says it reverts: `This reverts commit <hex>` with at
/// least 7 hex digits (git's shortest default abbreviation).
pub fn revert_targets(body: &str) -> Vec<Box<str>> {
    commit_ids_after(body, "This reverts commit ")
}

/// The commit ids (7 to 64 hex digits, up to a word end) after each `mark`.
fn commit_ids_after(body: &str, mark: &str) -> Vec<Box<str>> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find(mark) {
        rest = &rest[at + mark.len()..];
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
    fn cherry_picks_name_their_original() {
        let body = "Fix the thing\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n";
        let c = commit_ids_after(body, "(cherry picked from commit ");
        assert_eq!(
            c,
            vec![Box::from("0123456789abcdef0123456789abcdef01234567")]
        );
        assert!(
            commit_ids_after("cherry picked from abc", "(cherry picked from commit ").is_empty()
        );
    }

    #[test]
    fn numstat_lines_count_and_follow_renames() {
        assert_eq!(numstat_line(b"3\t4\tsrc/a.rs"), (7, b"src/a.rs".to_vec()));
        assert_eq!(numstat_line(b"-\t-\tlogo.png"), (0, b"logo.png".to_vec()));
        assert_eq!(
            numstat_line(b"1\t0\tsvc/{old => new}/x.rs"),
            (1, b"svc/new/x.rs".to_vec())
        );
        assert_eq!(
            numstat_line(b"0\t0\tsvc/{ => api}/x.rs"),
            (0, b"svc/api/x.rs".to_vec())
        );
        assert_eq!(numstat_line(b"2\t2\ta.rs => b.rs"), (4, b"b.rs".to_vec()));
        assert_eq!(numstat_line(b"plain/path"), (0, b"plain/path".to_vec()));
    }

    #[test]
    fn quoted_paths_are_unquoted() {
        assert_eq!(unquote(b"plain/path"), "plain/path");
        assert_eq!(unquote(b"\"a\\tb\""), "a\tb");
        assert_eq!(unquote(b"\"q\\\"uote\""), "q\"uote");
        assert_eq!(unquote(b"\"\\303\\251t\\303\\251\""), "été");
    }
}
