//! The `git` source against repositories built here with the real `git` program:
//! dated commits, lightweight and annotated tags, merges, reverts inside and
//! outside the link window, a monorepo, a bare clone, and the error cases.

use crate::support as common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeDelta, TimeZone, Utc};
use flightdeck::metrics::dora::{Facts, FailReason, ReworkReason};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::{Change, DeployStatus, DeploymentEvent, Event, Time};
use flightdeck::sources::git::{GitError, GitScanner, GitSpec, TagPattern, scan};

/// A folder under the system temp dir, removed when dropped.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "flightdeck-git-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A repository under construction, with a clock set per command.
pub(crate) struct Repo {
    git: PathBuf,
    pub(crate) dir: PathBuf,
}

/// 2026-01-05 00:00 UTC plus `hours`.
pub(crate) fn at(hours: i64) -> Time {
    Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
        .single()
        .expect("valid")
        + TimeDelta::hours(hours)
}

impl Repo {
    pub(crate) fn init(git: &Path, dir: PathBuf) -> Self {
        std::fs::create_dir_all(&dir).expect("repo dir");
        let repo = Self {
            git: git.to_path_buf(),
            dir,
        };
        repo.run(at(0), at(0), &["init", "-q", "-b", "main", "."]);
        repo
    }

    pub(crate) fn run(&self, author: Time, committer: Time, args: &[&str]) -> String {
        let out = Command::new(&self.git)
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", author.to_rfc3339())
            .env("GIT_COMMITTER_DATE", committer.to_rfc3339())
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Writes `file` (appending a line) and commits it; returns the commit id.
    pub(crate) fn commit(&self, files: &[&str], message: &str, time: Time) -> String {
        self.commit_authored(files, message, time, time)
    }

    pub(crate) fn commit_authored(
        &self,
        files: &[&str],
        message: &str,
        author: Time,
        committer: Time,
    ) -> String {
        for f in files {
            let path = self.dir.join(f);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            text.push_str(message);
            text.push('\n');
            std::fs::write(&path, text).expect("write");
            self.run(committer, committer, &["add", "--", f]);
        }
        self.run(author, committer, &["commit", "-q", "-m", message]);
        self.head()
    }

    pub(crate) fn head(&self) -> String {
        self.run(at(0), at(0), &["rev-parse", "HEAD"])
    }

    pub(crate) fn tag(&self, name: &str) {
        self.run(at(0), at(0), &["tag", name]);
    }

    /// An annotated tag; its tagger time is the committer date.
    pub(crate) fn annotated(&self, name: &str, time: Time) {
        self.run(time, time, &["tag", "-a", "-m", name, name]);
    }

    pub(crate) fn revert(&self, commit: &str, time: Time) -> String {
        self.run(time, time, &["revert", "--no-edit", commit]);
        self.head()
    }
}

pub(crate) fn changes(events: &[Event]) -> Vec<&Change> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Change(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn deployments(events: &[Event]) -> Vec<&DeploymentEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Deployment(d) => Some(d),
            _ => None,
        })
        .collect()
}

/// (id, status, time, hotfix, changes) of each deployment line, in order.
pub(crate) fn lines(events: &[Event]) -> Vec<(String, DeployStatus, Time, bool, Vec<String>)> {
    deployments(events)
        .into_iter()
        .map(|d| {
            (
                d.id.to_string(),
                d.status,
                d.time,
                d.hotfix,
                d.changes.iter().map(|c| c.to_string()).collect(),
            )
        })
        .collect()
}

/// What the metric engine makes of a scan's reverts, per deployment in the
/// order read: (id, the reverting changes that failed it, the revert it first
/// deployed, which makes it rework).
pub(crate) type Verdict = (String, Vec<String>, Option<String>);

pub(crate) fn verdicts(events: &[Event], revert_window: TimeDelta) -> Vec<Verdict> {
    let records = Records::from_events(events.to_vec());
    let settings = Settings {
        revert_window,
        ..Settings::default()
    };
    let facts = Facts::derive(&records, &settings);
    records
        .deployments
        .iter()
        .zip(facts.deployments.iter())
        .map(|(d, f)| {
            let failed = f
                .fail_reasons
                .iter()
                .map(|r| match r {
                    FailReason::Revert { change, .. } => change.to_string(),
                    other => format!("{other:?}"),
                })
                .collect();
            let rework = match &f.rework {
                Some(ReworkReason::Revert { change, .. }) => Some(change.to_string()),
                Some(other) => Some(format!("{other:?}")),
                None => None,
            };
            (d.id.to_string(), failed, rework)
        })
        .collect()
}

pub(crate) fn verdict(id: &str, failed_by: &[&str], rework: Option<&str>) -> Verdict {
    (id.into(), s(failed_by), rework.map(String::from))
}

pub(crate) fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// The one-service history used by several tests, and its commit ids.
struct Single {
    _tmp: TempDir,
    repo: Repo,
    c: Vec<String>,
}

fn single_service_repo(git: &Path, name: &str) -> Single {
    let tmp = TempDir::new(name);
    let repo = Repo::init(git, tmp.0.join("app"));
    let mut c = Vec::new();
    c.push(repo.commit(&["a.txt"], "init", at(10))); // c0
    c.push(repo.commit(&["a.txt"], "feature a", at(12))); // c1
    repo.tag("v1.0.0"); // lightweight: the commit's time, at(12)
    c.push(repo.commit(&["b.txt"], "feature b", at(33))); // c2
    repo.run(at(33), at(33), &["checkout", "-q", "-b", "side"]);
    // Authored a day earlier than committed: the committer time counts.
    c.push(repo.commit_authored(&["c.txt"], "feature c", at(9), at(34))); // c3
    repo.run(at(34), at(34), &["checkout", "-q", "main"]);
    c.push(repo.commit(&["d.txt"], "fix d", at(35))); // c4
    repo.run(
        at(36),
        at(36),
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
    );
    c.push(repo.head()); // c5: the merge
    repo.annotated("v1.1.0", at(37)); // annotated: the tagger's time
    c.push(repo.revert(&c[2], at(58))); // c6: released by v1.2.0, 47 h after v1.1.0: fails it
    repo.tag("nightly-2"); // not a deployment tag
    c.push(repo.commit(&["e.txt"], "feature e", at(72))); // c7
    repo.annotated("v1.2.0", at(84));
    // c8 reverts c1 (v1.0.0) by a short id, released by v1.3.0 109 h after v1.0.0.
    let short = &c[1][..9];
    c.push(repo.commit(
        &["a.txt"],
        &format!("Undo feature a\n\nThis reverts commit {short}."),
        at(120),
    ));
    // c9 reverts c8 before c8 is ever released: no failure.
    c.push(repo.revert(&c[8], at(121)));
    repo.tag("v1.3.0");
    Single { _tmp: tmp, repo, c }
}

#[test]
fn tags_are_deployments_and_commits_between_them_are_changes() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let Single { _tmp, repo, c } = single_service_repo(&git, "single");
    let spec = GitSpec::one_service(&repo.dir, "shop");
    let scan = scan(&spec).expect("scan");

    assert_eq!(
        lines(&scan.events),
        vec![
            (
                "shop@v1.0.0".into(),
                DeployStatus::Success,
                at(12),
                false,
                s(&[&c[0], &c[1]])
            ),
            (
                "shop@v1.1.0".into(),
                DeployStatus::Success,
                at(37),
                false,
                s(&[&c[2], &c[3], &c[4]])
            ),
            (
                "shop@v1.2.0".into(),
                DeployStatus::Success,
                at(84),
                false,
                s(&[&c[6], &c[7]])
            ),
            (
                "shop@v1.3.0".into(),
                DeployStatus::Success,
                at(121),
                false,
                s(&[&c[8], &c[9]])
            ),
        ]
    );
    let ch = changes(&scan.events);
    // Every shipped commit but the merge, each once, at its committer time.
    let ids: Vec<&str> = ch.iter().map(|c| &*c.id).collect();
    let expected: Vec<&str> = [0, 1, 2, 3, 4, 6, 7, 8, 9]
        .iter()
        .map(|&i| &*c[i])
        .collect();
    assert_eq!(ids, expected);
    let c3 = ch.iter().find(|x| *x.id == *c[3]).expect("c3");
    assert_eq!(c3.time, at(34));
    assert_eq!(c3.title.as_deref(), Some("feature c"));
    assert_eq!(c3.author.as_deref(), Some("Ada"));
    assert_eq!(&*c3.service, "shop");
    assert!(ch.iter().all(|x| &*x.service == "shop" && x.team.is_none()));
    assert!(
        deployments(&scan.events)
            .iter()
            .all(|d| d.environment.is_none())
    );
    assert_eq!(scan.stats.tags, 5);
    assert_eq!(scan.stats.deploy_tags, 4);
    assert_eq!(scan.stats.commits, 10);
    assert_eq!(scan.stats.deployments, 4);
    assert_eq!(scan.stats.changes, 9);
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
}

#[test]
fn reverts_name_their_change_and_the_metric_rule_fails_and_reworks() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let Single { _tmp, repo, c } = single_service_repo(&git, "reverts");
    let scan = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    // The reverts name what they revert (c8 by a short id), and the metric
    // engine fails and reworks the deployments (DESIGN.md, 7 days):
    let reverts: Vec<(&str, Option<&str>)> = changes(&scan.events)
        .iter()
        .filter(|x| x.reverts.is_some())
        .map(|x| (&*x.id, x.reverts.as_deref()))
        .collect();
    assert_eq!(
        reverts,
        vec![
            (&*c[6], Some(&*c[2])),
            (&*c[8], Some(&*c[1])),
            (&*c[9], Some(&*c[8]))
        ]
    );
    assert_eq!(
        verdicts(&scan.events, TimeDelta::days(7)),
        vec![
            // c8 (released by v1.3.0, 109 h after v1.0.0) reverts c1.
            verdict("shop@v1.0.0", &[&c[8]], None),
            // v1.2.0 released the revert of c2 47 h after v1.1.0.
            verdict("shop@v1.1.0", &[&c[6]], None),
            verdict("shop@v1.2.0", &[], Some(&c[6])),
            // c9 reverts c8 in the same release: no failure of v1.3.0, which
            // is rework for shipping a revert (the first, c8).
            verdict("shop@v1.3.0", &[], Some(&c[8])),
        ]
    );
    assert_eq!(scan.stats.reverts, 3);
}

#[test]
fn the_gates_fields_come_from_merges_and_numstat() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let Single { _tmp, repo, c } = single_service_repo(&git, "gates");
    let scan = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    let ch = changes(&scan.events);
    let c3 = ch.iter().find(|x| *x.id == *c[3]).expect("c3");
    // The gates' fields: c3 came in with the merge commit c5 (committed at
    // 36 h); c4 was committed straight to main, so it has no merge. Each commit
    // appends its message to a file (or its revert takes it out): `--numstat`
    // counts 1 line, 3 for c8's three-line message and for c9, its revert.
    assert_eq!(c3.merged, Some(at(36)));
    let c4 = ch.iter().find(|x| *x.id == *c[4]).expect("c4");
    assert_eq!(c4.merged, None);
    let sizes: Vec<Option<u64>> = ch.iter().map(|x| x.lines).collect();
    assert_eq!(sizes, [1, 1, 1, 1, 1, 1, 1, 3, 3].map(Some));
    assert!(
        ch.iter()
            .all(|x| x.opened.is_none() && x.first_review.is_none())
    );
}

#[test]
fn a_narrower_revert_window_leaves_the_older_deployment_alone() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let Single { _tmp, repo, c } = single_service_repo(&git, "window");
    let spec = GitSpec::one_service(&repo.dir, "shop");
    // c8's release comes 109 h after v1.0.0: outside a 3-day window; c6's 47 h inside.
    let scan = scan(&spec).expect("scan");
    // v1.2.0 and v1.3.0 ship reverts: rework whatever the window.
    assert_eq!(
        verdicts(&scan.events, TimeDelta::days(3)),
        vec![
            verdict("shop@v1.0.0", &[], None),
            verdict("shop@v1.1.0", &[&c[6]], None),
            verdict("shop@v1.2.0", &[], Some(&c[6])),
            verdict("shop@v1.3.0", &[], Some(&c[8])),
        ]
    );
}

#[test]
fn the_tag_pattern_chooses_the_deployments() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let Single { _tmp, repo, c } = single_service_repo(&git, "pattern");
    let mut spec = GitSpec::one_service(&repo.dir, "shop");
    spec.deploy_tags = vec![TagPattern::new("nightly-*").expect("glob")];
    let scan = scan(&spec).expect("scan");
    // One deployment with every commit up to the revert; the revert itself is in it,
    // so nothing it reverts was released before: no failure, but rework.
    let expected: Vec<String> = c[..=6].iter().filter(|x| **x != c[5]).cloned().collect();
    assert_eq!(
        lines(&scan.events),
        vec![(
            "shop@nightly-2".into(),
            DeployStatus::Success,
            at(58),
            false,
            expected
        )]
    );
    assert_eq!(
        verdicts(&scan.events, TimeDelta::days(7)),
        vec![verdict("shop@nightly-2", &[], Some(&c[6]))]
    );
    spec.deploy_tags = vec![TagPattern::new("v1.[02].*").expect("glob")];
    let scan = flightdeck::sources::git::scan(&spec).expect("scan");
    let ids: Vec<String> = lines(&scan.events).into_iter().map(|l| l.0).collect();
    assert_eq!(ids, s(&["shop@v1.0.0", "shop@v1.2.0"]));
    // v1.2.0 ships everything after v1.0.0, the revert included: no failure.
    assert_eq!(
        verdicts(&scan.events, TimeDelta::days(7)),
        vec![
            verdict("shop@v1.0.0", &[], None),
            verdict("shop@v1.2.0", &[], Some(&c[6])),
        ]
    );
}

/// api and web commits (one touching both) and a docs commit under v1, an
/// api commit under v2, and under v3 a revert of the shared commit 23 h after
/// v1. Returns the commits but the docs one.
fn monorepo_history(repo: &Repo) -> [String; 5] {
    let m1 = repo.commit(&["services/api/a.txt"], "api one", at(10));
    let m2 = repo.commit(&["services/web/w.txt"], "web one", at(11));
    let m3 = repo.commit(
        &["services/api/b.txt", "services/web/x.txt"],
        "both",
        at(12),
    );
    let _m4 = repo.commit(&["docs/readme.md"], "docs", at(13));
    repo.tag("v1");
    let m5 = repo.commit(&["services/api/c.txt"], "api two", at(34));
    repo.tag("v2");
    let m6 = repo.revert(&m3, at(36)); // 23 h after v1
    repo.tag("v3");
    [m1, m2, m3, m5, m6]
}

#[test]
fn a_monorepo_gives_each_service_its_own_deployments() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("mono");
    let repo = Repo::init(&git, tmp.0.join("mono"));
    let [m1, m2, m3, m5, m6] = monorepo_history(&repo);
    let spec: GitSpec = serde_json::from_value(serde_json::json!({
        "path": repo.dir,
        "paths": { "services/api": "api", "./services/web/": "web" }
    }))
    .expect("spec");
    let scan = scan(&spec).expect("scan");
    let id = |svc: &str, c: &str| format!("{svc}@{c}");
    assert_eq!(
        lines(&scan.events),
        vec![
            (
                "api@v1".into(),
                DeployStatus::Success,
                at(13),
                false,
                vec![id("api", &m1), id("api", &m3)]
            ),
            (
                "web@v1".into(),
                DeployStatus::Success,
                at(13),
                false,
                vec![id("web", &m2), id("web", &m3)]
            ),
            (
                "api@v2".into(),
                DeployStatus::Success,
                at(34),
                false,
                vec![id("api", &m5)]
            ),
            (
                "api@v3".into(),
                DeployStatus::Success,
                at(36),
                false,
                vec![id("api", &m6)]
            ),
            (
                "web@v3".into(),
                DeployStatus::Success,
                at(36),
                false,
                vec![id("web", &m6)]
            ),
        ]
    );
    // The revert of m3 is a change of each service m3 touched, naming that
    // service's m3: both v1 deployments failed (23 h later), both v3 rework.
    let (api6, web6) = (id("api", &m6), id("web", &m6));
    assert_eq!(
        verdicts(&scan.events, TimeDelta::days(7)),
        vec![
            verdict("api@v1", &[&api6], None),
            verdict("web@v1", &[&web6], None),
            verdict("api@v2", &[], None),
            verdict("api@v3", &[], Some(&api6)),
            verdict("web@v3", &[], Some(&web6)),
        ]
    );
    let both: Vec<(&str, &str)> = changes(&scan.events)
        .into_iter()
        .filter(|c| c.id.ends_with(&*m3))
        .map(|c| (&*c.id, &*c.service))
        .collect();
    let (api3, web3) = (id("api", &m3), id("web", &m3));
    assert_eq!(both, vec![(&*api3, "api"), (&*web3, "web")]);
    assert_eq!(
        scan.warnings,
        vec![
            "1 shipped commit(s) change no path listed in [sources.paths]; not counted".to_string()
        ]
    );
}

#[test]
fn rescans_keep_ids_and_polls_send_only_what_is_new() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("poll");
    let repo = Repo::init(&git, tmp.0.join("svc"));
    let a = repo.commit(&["a"], "a", at(1));
    repo.tag("v1");
    let spec = GitSpec::one_service(&repo.dir, "svc");
    assert_eq!(
        scan(&spec).expect("scan").events,
        scan(&spec).expect("scan").events,
        "a rescan of an unchanged repository gives the same events"
    );

    let mut scanner = GitScanner::new(spec);
    let first = scanner.poll().expect("poll");
    assert!(!first.unchanged);
    assert_eq!(first.events.len(), 2);
    let again = scanner.poll().expect("poll");
    assert!(again.unchanged);
    assert!(again.events.is_empty());

    // A revert on the branch, not yet released: nothing changes, nothing is read.
    let r = repo.revert(&a, at(5));
    let third = scanner.poll().expect("poll");
    assert!(third.unchanged, "commits not released change no number");
    assert!(third.events.is_empty());

    // Released by v2 (within 7 days): the revert and v2 are new, nothing is
    // resent, and with the first poll's lines v1 is failed.
    repo.tag("v2");
    let fourth = scanner.poll().expect("poll");
    let ids: Vec<&str> = changes(&fourth.events).iter().map(|c| &*c.id).collect();
    assert_eq!(ids, vec![&*r]);
    assert_eq!(
        lines(&fourth.events),
        vec![(
            "svc@v2".into(),
            DeployStatus::Success,
            at(5),
            false,
            vec![r.clone()]
        )]
    );
    let both: Vec<Event> = first.events.iter().chain(&fourth.events).cloned().collect();
    assert_eq!(
        verdicts(&both, TimeDelta::days(7)),
        vec![
            verdict("svc@v1", &[&r], None),
            verdict("svc@v2", &[], Some(&r))
        ]
    );
}

#[test]
fn a_bare_clone_reads_the_same_as_its_working_tree() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let Single { _tmp, repo, .. } = single_service_repo(&git, "bare");
    let bare = _tmp.0.join("app.git");
    repo.run(
        at(0),
        at(0),
        &["clone", "-q", "--bare", ".", bare.to_str().expect("utf-8")],
    );
    let from_tree = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("tree");
    let from_bare = scan(&GitSpec::one_service(&bare, "shop")).expect("bare");
    assert_eq!(from_tree.events, from_bare.events);
    // The .git folder itself works too.
    let from_dot_git = scan(&GitSpec::one_service(repo.dir.join(".git"), "shop")).expect(".git");
    assert_eq!(from_tree.events, from_dot_git.events);
}

#[test]
fn bad_repositories_fail_with_errors_naming_the_path() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("errors");
    let spec = |p: &Path| GitSpec::one_service(p, "svc");

    let missing = tmp.0.join("missing");
    let err = scan(&spec(&missing)).unwrap_err();
    assert!(matches!(err, GitError::NotFound { .. }), "{err}");
    assert!(
        err.to_string().contains(&*missing.to_string_lossy()),
        "{err}"
    );

    let file = tmp.0.join("file.txt");
    std::fs::write(&file, "x").expect("write");
    let err = scan(&spec(&file)).unwrap_err();
    assert!(matches!(err, GitError::NotAFolder { .. }), "{err}");

    let plain = tmp.0.join("plain");
    std::fs::create_dir_all(&plain).expect("dir");
    let err = scan(&spec(&plain)).unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err}");
    assert!(err.to_string().contains("plain"), "{err}");

    // A folder inside a repository is not that repository.
    let repo = Repo::init(&git, tmp.0.join("repo"));
    let sub = repo.dir.join("sub");
    std::fs::create_dir_all(&sub).expect("dir");
    let err = scan(&spec(&sub)).unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err}");

    // Unborn HEAD, no tags.
    let err = scan(&spec(&repo.dir)).unwrap_err();
    assert!(matches!(err, GitError::Empty { .. }), "{err}");
    assert!(err.to_string().contains("no commits yet"), "{err}");

    // Commits, but no tags.
    repo.commit(&["a"], "a", at(1));
    let err = scan(&spec(&repo.dir)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "git repository {}: no tag matches deploy_tags = \"v*\" (the repository has no tags)",
            repo.dir.display()
        )
    );

    // Tags, none matching: the message shows some.
    repo.tag("release-1");
    let err = scan(&spec(&repo.dir)).unwrap_err();
    assert!(
        err.to_string().ends_with(
            "no tag matches deploy_tags = \"v*\" (the repository has 1 tag, e.g. release-1)"
        ),
        "{err}"
    );

    // A scanner that failed keeps failing clearly and recovers when fixed.
    let mut scanner = GitScanner::new(spec(&repo.dir));
    assert!(scanner.poll().is_err());
    repo.tag("v1");
    assert_eq!(scanner.poll().expect("poll").events.len(), 2);
}

#[test]
fn the_spec_accepts_exactly_its_keys() {
    let ok: GitSpec = serde_json::from_value(serde_json::json!({
        "path": "repo", "service": "api"
    }))
    .expect("minimal");
    assert_eq!(ok.tag_rule(), "\"v*\"");
    assert_eq!(
        ok.clone()
            .resolved_against(Path::new("/etc/flightdeck"))
            .path,
        PathBuf::from("/etc/flightdeck/repo")
    );
    assert_eq!(
        ok.resolved_against(Path::new("/x")).path.to_str(),
        Some("/x/repo")
    );

    let err = |v: serde_json::Value| {
        serde_json::from_value::<GitSpec>(v)
            .expect_err("must fail")
            .to_string()
    };
    assert!(
        err(serde_json::json!({"path": "r", "service": "a", "servce": "b"}))
            .contains("unknown field `servce`")
    );
    assert!(err(serde_json::json!({"path": "r"})).contains("give `service`"));
    assert!(
        err(serde_json::json!({"path": "r", "service": "a", "paths": {"x": "b"}}))
            .contains("not both")
    );
    assert!(err(serde_json::json!({"path": "r", "paths": {}})).contains("is empty"));
    assert!(err(serde_json::json!({"service": "a"})).contains("missing field `path`"));
    assert!(
        err(serde_json::json!({"path": "r", "service": "a", "deploy_tags": "v[0-9"}))
            .contains("not closed")
    );
    assert!(err(serde_json::json!({"path": "", "service": "a"})).contains("`path` is empty"));
    assert!(err(serde_json::json!({"path": "r", "service": " "})).contains("`service` is empty"));
}

#[test]
fn a_git_that_hangs_is_stopped_at_the_timeout() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("hang");
    let repo = Repo::init(&git, tmp.0.join("r"));
    repo.commit(&["a"], "a", at(1));
    repo.tag("v1");
    // A stand-in for git that never answers (`exec`, so killing it closes its pipes).
    let fake = tmp.0.join("slow-git");
    std::fs::write(&fake, "#!/bin/sh\nexec sleep 30\n").expect("write");
    let mut perms = std::fs::metadata(&fake).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&fake, perms).expect("chmod");

    let mut scanner = GitScanner::new(GitSpec::one_service(&repo.dir, "svc"))
        .with_program(&fake)
        .with_timeout(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = scanner.poll().unwrap_err();
    assert!(matches!(err, GitError::TimedOut { .. }), "{err}");
    assert!(err.to_string().contains("was stopped"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    let err = GitScanner::new(GitSpec::one_service(&repo.dir, "svc"))
        .with_program(tmp.0.join("no-such-git"))
        .poll()
        .unwrap_err();
    assert!(matches!(err, GitError::GitMissing { .. }), "{err}");

    // A generous timeout changes nothing.
    let scan = GitScanner::new(GitSpec::one_service(&repo.dir, "svc"))
        .with_program(&git)
        .with_timeout(std::time::Duration::from_secs(60))
        .poll()
        .expect("poll");
    assert_eq!(scan.events.len(), 2);
}

/// Each line as comparable text, sorted: what the store ends up with.
fn line_set(events: &[Event]) -> Vec<String> {
    let mut out: Vec<String> = events
        .iter()
        .map(|e| match e {
            Event::Change(c) => format!("change {} {} {}", c.id, c.service, c.time),
            Event::Deployment(d) => format!(
                "deployment {} {:?} {} hotfix={} {:?}",
                d.id, d.status, d.time, d.hotfix, d.changes
            ),
            other => format!("{other:?}"),
        })
        .collect();
    out.sort();
    out
}

#[test]
fn polling_along_the_way_ends_with_the_same_lines_as_one_read() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("along");
    let repo = Repo::init(&git, tmp.0.join("mono"));
    let spec: GitSpec = serde_json::from_value(serde_json::json!({
        "path": repo.dir, "paths": { "api": "api", "web": "web" }
    }))
    .expect("spec");
    let mut scanner = GitScanner::new(spec.clone());
    let mut polled = Vec::new();
    let mut poll = |scanner: &mut GitScanner| {
        if let Ok(scan) = scanner.poll() {
            polled.extend(scan.events);
        }
    };
    let a1 = repo.commit(&["api/a", "web/a"], "both", at(1));
    poll(&mut scanner); // no tags yet: an error, then recovery
    repo.tag("v1");
    poll(&mut scanner);
    repo.commit(&["web/b"], "web only", at(2));
    poll(&mut scanner);
    repo.revert(&a1, at(3)); // on HEAD only: both v1 deployments fail
    poll(&mut scanner);
    repo.commit(&["api/c"], "api only", at(4));
    poll(&mut scanner);
    repo.annotated("v2", at(5));
    poll(&mut scanner);
    poll(&mut scanner);

    let whole = scan(&spec).expect("scan");
    assert_eq!(line_set(&polled), line_set(&whole.events));
    let failed: Vec<String> = verdicts(&polled, TimeDelta::days(7))
        .into_iter()
        .filter(|v| !v.1.is_empty())
        .map(|v| v.0)
        .collect();
    assert_eq!(failed, s(&["api@v1", "web@v1"]));
}

#[test]
fn odd_tags_are_skipped_or_dated_by_their_commit() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("odd");
    let repo = Repo::init(&git, tmp.0.join("r"));
    let c1 = repo.commit(&["a"], "a", at(1));
    // A tag of a tree, not a commit: skipped with a warning.
    let tree = repo.run(at(0), at(0), &["rev-parse", "HEAD^{tree}"]);
    repo.run(at(0), at(0), &["tag", "v-tree", &tree]);
    // An annotated tag object without a tagger (old git wrote these): the
    // commit's time. Written raw, since today's git always adds a tagger.
    let raw = tmp.0.join("tag.txt");
    std::fs::write(&raw, format!("object {c1}\ntype commit\ntag v0\n\nold\n")).expect("write");
    let tag_obj = repo.run(
        at(0),
        at(0),
        &[
            "hash-object",
            "-t",
            "tag",
            "-w",
            "--literally",
            raw.to_str().expect("utf-8"),
        ],
    );
    repo.run(at(0), at(0), &["update-ref", "refs/tags/v0", &tag_obj]);
    let scan = scan(&GitSpec::one_service(&repo.dir, "svc")).expect("scan");
    assert_eq!(
        lines(&scan.events),
        vec![(
            "svc@v0".into(),
            DeployStatus::Success,
            at(1),
            false,
            vec![c1.clone()]
        )]
    );
    assert_eq!(
        scan.warnings,
        vec!["1 matching tag(s) skipped: they do not point at a commit".to_string()]
    );
    assert_eq!((scan.stats.tags, scan.stats.deploy_tags), (2, 1));
}

#[test]
fn unusual_file_names_still_map_to_their_services() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("names");
    let repo = Repo::init(&git, tmp.0.join("r"));
    // Non-ASCII (kept as is with core.quotepath=off), and a tab and a quote (which
    // git C-quotes even then).
    let c = repo.commit(
        &[
            "services/api/naïve file.txt",
            "services/web/tab\there \"q\".txt",
        ],
        "odd names",
        at(1),
    );
    repo.tag("v1");
    let spec: GitSpec = serde_json::from_value(serde_json::json!({
        "path": repo.dir, "paths": { "services/api": "api", "services/web": "web" }
    }))
    .expect("spec");
    let scan = scan(&spec).expect("scan");
    let ids: Vec<String> = lines(&scan.events).into_iter().map(|l| l.0).collect();
    assert_eq!(ids, s(&["api@v1", "web@v1"]));
    let changes: Vec<&str> = changes(&scan.events).iter().map(|x| &*x.id).collect();
    assert_eq!(changes, vec![format!("api@{c}"), format!("web@{c}")]);
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
}

#[test]
fn a_github_origin_gives_commit_and_release_links() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("links");
    let repo = Repo::init(&git, tmp.0.join("r"));
    // Credentials in the remote never reach a link.
    repo.run(
        at(0),
        at(0),
        &[
            "remote",
            "add",
            "origin",
            "https://bot:SECRET@github.com/acme/shop.git",
        ],
    );
    let c = repo.commit(&["a"], "a", at(1));
    repo.tag("v1");
    let mut scanner = GitScanner::new(GitSpec::one_service(&repo.dir, "shop"));
    let first = scanner.poll().expect("poll");
    let change = changes(&first.events)[0].clone();
    assert_eq!(
        change.url.as_deref(),
        Some(&*format!("https://github.com/acme/shop/commit/{c}"))
    );
    let deployment = deployments(&first.events)[0].clone();
    assert_eq!(
        deployment.url.as_deref(),
        Some("https://github.com/acme/shop/releases/tag/v1")
    );
    // A later release links to its own page.
    repo.revert(&c, at(2));
    repo.tag("v2");
    let second = scanner.poll().expect("poll");
    let v2 = deployments(&second.events)[0].clone();
    assert_eq!(
        v2.url.as_deref(),
        Some("https://github.com/acme/shop/releases/tag/v2")
    );
    assert!(!format!("{first:?}{second:?}").contains("SECRET"));
}

#[test]
fn the_scanner_can_move_to_a_blocking_thread() {
    fn send<T: Send + 'static>() {}
    send::<GitScanner>();
    send::<flightdeck::sources::git::GitScan>();
    send::<GitError>();
}
