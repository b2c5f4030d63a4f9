//! Release-aware git (issue 12, DESIGN.md "The git source"): repositories built
//! with the real `git` program in the shapes real projects have (pre-release
//! tags, re-tags and retroactive tags, a maintenance line with cherry-picks,
//! reverts released soon or only weeks later, overlapping tag prefixes), each
//! with its numbers worked out by hand in the comments.

use crate::git_source::{Repo, TempDir, at, changes, lines, s, verdict, verdicts};
use crate::support as common;

use chrono::TimeDelta;
use flightdeck::metrics::{DORA_2023, Window, scorecards};
use flightdeck::model::DeployStatus;
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::sources::git::{GitSpec, TagPattern, scan};

const WEEK: TimeDelta = TimeDelta::days(7);

fn spec(repo: &Repo, json: serde_json::Value) -> GitSpec {
    let mut v = json;
    v["path"] = serde_json::json!(repo.dir);
    v["service"] = serde_json::json!("shop");
    serde_json::from_value(v).expect("spec")
}

/// (deployment id, status) of each line, in order.
fn ids(events: &[flightdeck::model::Event]) -> Vec<(String, DeployStatus)> {
    lines(events).into_iter().map(|l| (l.0, l.1)).collect()
}

#[test]
fn pre_releases_are_not_deployments_unless_asked_and_prefixes_are_excluded() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("pre");
    let repo = Repo::init(&git, tmp.0.join("r"));
    let a = repo.commit(&["a"], "a", at(10));
    repo.tag("v1.0.0-rc.1");
    let b = repo.commit(&["b"], "b", at(20));
    repo.tag("v1.0.0");
    let c = repo.commit(&["c"], "c", at(30));
    repo.tag("v1.1.0-beta.2");
    repo.tag("shop-util-0.1.0");
    let d = repo.commit(&["d"], "d", at(40));
    repo.tag("shop-1.1.0");

    // v* by default: the rc and the beta are not production; v1.0.0 ships a and b.
    let scan_default = scan(&spec(&repo, serde_json::json!({}))).expect("scan");
    assert_eq!(
        lines(&scan_default.events),
        vec![(
            "shop@v1.0.0".into(),
            DeployStatus::Success,
            at(20),
            false,
            s(&[&a, &b])
        )]
    );
    // Asked for: each pre-release is a deployment of its own commits.
    let with = spec(&repo, serde_json::json!({"include_prereleases": true}));
    let all = scan(&with).expect("scan");
    let shipped: Vec<(String, Vec<String>)> =
        lines(&all.events).into_iter().map(|l| (l.0, l.4)).collect();
    assert_eq!(
        shipped,
        vec![
            ("shop@v1.0.0-rc.1".into(), s(&[&a])),
            ("shop@v1.0.0".into(), s(&[&b])),
            ("shop@v1.1.0-beta.2".into(), s(&[&c])),
        ]
    );
    // `shop-*` alone also matches shop-util-*; the exclusion leaves shop-1.1.0,
    // which ships everything after nothing else: a, b, c and d.
    let prefixed = spec(
        &repo,
        serde_json::json!({"deploy_tags": "shop-*", "exclude_tags": ["shop-util-*"]}),
    );
    let p = scan(&prefixed).expect("scan");
    let shipped: Vec<(String, Vec<String>)> =
        lines(&p.events).into_iter().map(|l| (l.0, l.4)).collect();
    assert_eq!(
        shipped,
        vec![("shop@shop-1.1.0".into(), s(&[&a, &b, &c, &d]))]
    );
    let unexcluded = spec(&repo, serde_json::json!({"deploy_tags": ["shop-*"]}));
    assert_eq!(scan(&unexcluded).expect("scan").stats.deployments, 2);
}

#[test]
fn re_tags_and_retroactive_tags_are_aliases_not_deployments() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("alias");
    let repo = Repo::init(&git, tmp.0.join("r"));
    let a = repo.commit(&["a"], "a", at(10));
    repo.tag("v1"); // at(10), the commit's time
    repo.annotated("v1.0", at(30)); // the same commit, tagged again later
    let b = repo.commit(&["b"], "b", at(40));
    repo.tag("v2");
    // Tagged long after, on a commit v1 released.
    repo.run(at(500), at(500), &["tag", "-a", "-m", "old", "v0.9", &a]);
    let got = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    assert_eq!(
        lines(&got.events),
        vec![
            (
                "shop@v1".into(),
                DeployStatus::Success,
                at(10),
                false,
                s(&[&a])
            ),
            (
                "shop@v2".into(),
                DeployStatus::Success,
                at(40),
                false,
                s(&[&b])
            ),
        ]
    );
    assert_eq!((got.stats.deployments, got.stats.aliases), (2, 2));
}

#[test]
fn a_maintenance_line_gets_its_own_deployments_and_a_cherry_pick_counts_once() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("maint");
    let repo = Repo::init(&git, tmp.0.join("r"));
    let a = repo.commit(&["a"], "a", at(10));
    repo.annotated("v1.0.0", at(10));
    let b = repo.commit(&["b"], "feature b", at(20));
    let f = repo.commit(&["f"], "fix f", at(30));
    // The fix goes to the 1.0 line as a cherry-pick (with -x's trailer).
    repo.run(
        at(35),
        at(35),
        &["checkout", "-q", "-b", "release-1.0", "v1.0.0"],
    );
    repo.run(at(40), at(40), &["cherry-pick", "-x", &f]);
    let picked = repo.head();
    repo.annotated("v1.0.1", at(41));
    repo.run(at(45), at(45), &["checkout", "-q", "main"]);
    repo.annotated("v1.1.0", at(50));
    let got = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    // v1.0.1 ships the fix under its original id; v1.1.0 lists it too.
    assert_eq!(
        lines(&got.events),
        vec![
            (
                "shop@v1.0.0".into(),
                DeployStatus::Success,
                at(10),
                false,
                s(&[&a])
            ),
            (
                "shop@v1.0.1".into(),
                DeployStatus::Success,
                at(41),
                false,
                s(&[&f])
            ),
            (
                "shop@v1.1.0".into(),
                DeployStatus::Success,
                at(50),
                false,
                s(&[&b, &f])
            ),
        ]
    );
    let ids: Vec<&str> = changes(&got.events).iter().map(|c| &*c.id).collect();
    assert!(
        !ids.contains(&&*picked),
        "the pick is not a change of its own"
    );
    assert_eq!(ids.len(), 3);
    let fix = changes(&got.events)
        .into_iter()
        .find(|c| *c.id == *f)
        .expect("f");
    assert_eq!(fix.time, at(30), "the original's time");

    // The metric counts f once, where it first reached production: leads are
    // a 0 h, f 11 h (v1.0.1 at 41 - 30), b 30 h (v1.1.0 at 50 - 20): median 11 h.
    let records = Records::from_events(got.events.clone());
    let end = at(24 * 20);
    let cards = scorecards(
        &records,
        &Settings::default(),
        Window::ending(end, TimeDelta::days(30)),
        &DORA_2023,
    );
    let lead = &cards.teams[0].current.lead_time;
    assert_eq!(lead.changes, 3);
    assert_eq!(lead.median_seconds, Some(11.0 * 3600.0));
    assert_eq!(cards.teams[0].current.deployment_frequency.deployments, 3);
}

#[test]
fn a_revert_released_two_days_later_fails_the_release_and_one_weeks_later_does_not() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("reverts");
    let repo = Repo::init(&git, tmp.0.join("r"));
    repo.commit(&["a"], "a", at(0));
    repo.annotated("v1.0.0", at(0));
    let x = repo.commit(&["x"], "feature x", at(20));
    repo.annotated("v1.1.0", at(24));
    // Reverted 50 h after the release, shipped by a patch release the next day:
    // released 74 h after v1.1.0, within 7 days: v1.1.0 failed.
    let rx = repo.revert(&x, at(74));
    repo.annotated("v1.1.1", at(98));
    // y is reverted on main 3 h after v1.2.0, but the revert ships only with the
    // next regular release three weeks later: not a failure of v1.2.0.
    let y = repo.commit(&["y"], "feature y", at(100));
    repo.annotated("v1.2.0", at(101));
    let ry = repo.revert(&y, at(104));
    repo.annotated("v1.3.0", at(101 + 21 * 24));
    let got = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    // Both releases that ship a revert are rework.
    assert_eq!(
        verdicts(&got.events, WEEK),
        vec![
            verdict("shop@v1.0.0", &[], None),
            verdict("shop@v1.1.0", &[&rx], None),
            verdict("shop@v1.1.1", &[], Some(&rx)),
            verdict("shop@v1.2.0", &[], None),
            verdict("shop@v1.3.0", &[], Some(&ry)),
        ]
    );
    assert_eq!(got.stats.reverts, 2);
    // A window of three days misses the first too.
    let failed = verdicts(&got.events, TimeDelta::days(3));
    assert!(failed.iter().all(|v| v.1.is_empty()), "{failed:?}");
    // Counted in the window of the release it failed (v1.1.0, at 24 h): 1 of
    // the 5 releases of the month.
    let window = Window::ending(at(101 + 21 * 24 + 1), TimeDelta::days(30));
    let cards = scorecards(
        &Records::from_events(got.events.clone()),
        &Settings::default(),
        window,
        &DORA_2023,
    );
    let cfr = &cards.teams[0].current.change_failure_rate;
    assert_eq!((cfr.failed, cfr.deployments), (1, 5));
    assert_eq!(cards.teams[0].current.rework_rate.rework, 2);
}

#[test]
fn a_list_of_globs_is_one_rule() {
    let pattern = |g: &str| TagPattern::new(g).expect("glob");
    let mut spec = GitSpec::one_service("/r", "shop");
    spec.deploy_tags = vec![pattern("v*"), pattern("release-*")];
    spec.exclude_tags = vec![pattern("*-test")];
    assert!(spec.deploys("release-3"));
    assert!(!spec.deploys("release-3-test"));
    assert!(!spec.deploys("v3.0.0-rc.1"));
    assert_eq!(
        spec.tag_rule(),
        "\"v*\", \"release-*\" (excluding \"*-test\")"
    );
}

#[test]
fn a_revert_made_before_the_release_it_would_fail_is_not_its_failure() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("forward");
    let repo = Repo::init(&git, tmp.0.join("r"));
    repo.commit(&["a"], "a", at(0));
    repo.annotated("v1.0.0", at(0));
    // A change only for the 1.0 line (pin the CI toolchain)...
    repo.run(at(1), at(1), &["checkout", "-q", "-b", "release-1.0"]);
    let pin = repo.commit(&["ci"], "pin toolchain for 1.0", at(5));
    // ...undone on main when the line is merged forward, before 1.0.1 ships.
    repo.run(at(6), at(6), &["checkout", "-q", "main"]);
    repo.run(
        at(6),
        at(6),
        &["merge", "-q", "--no-ff", "-m", "merge 1.0", "release-1.0"],
    );
    let revert = repo.revert(&pin, at(7));
    repo.run(at(8), at(8), &["checkout", "-q", "release-1.0"]);
    repo.annotated("v1.0.1", at(20));
    repo.run(at(21), at(21), &["checkout", "-q", "main"]);
    repo.annotated("v1.1.0", at(30));
    let got = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    // v1.1.0 releases the revert 10 h after v1.0.1, but it was made 13 h before
    // v1.0.1 went out: no failure; v1.1.0 still ships a revert (rework).
    assert_eq!(
        verdicts(&got.events, WEEK),
        vec![
            verdict("shop@v1.0.0", &[], None),
            verdict("shop@v1.0.1", &[], None),
            verdict("shop@v1.1.0", &[], Some(&revert)),
        ],
        "{:?}",
        ids(&got.events)
    );
}

#[test]
fn a_cherry_pick_without_its_trailer_is_found_by_its_patch() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("patch-id");
    let repo = Repo::init(&git, tmp.0.join("r"));
    let a = repo.commit(&["a"], "a", at(10));
    repo.annotated("v1.0.0", at(10));
    let f = repo.commit(&["f"], "fix f", at(30));
    let g = repo.commit(&["g"], "tweak g", at(32));
    repo.run(
        at(35),
        at(35),
        &["checkout", "-q", "-b", "release-1.0", "v1.0.0"],
    );
    // A plain cherry-pick (no -x): the same author, author time, message and patch.
    repo.run(at(30), at(40), &["cherry-pick", &f]);
    let picked = repo.head();
    // Same author, author time and message as g, but another patch: its own change.
    let g2 = repo.commit_authored(&["g2"], "tweak g", at(32), at(42));
    repo.annotated("v1.0.1", at(45));
    repo.run(at(46), at(46), &["checkout", "-q", "main"]);
    repo.annotated("v1.1.0", at(50));
    let got = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    assert_eq!(got.stats.picks, 1);
    // v1.0.1 ships f under its original id (and g2); v1.1.0 lists f again.
    let listed: Vec<(String, Vec<String>)> =
        lines(&got.events).into_iter().map(|l| (l.0, l.4)).collect();
    assert_eq!(
        listed,
        vec![
            ("shop@v1.0.0".into(), s(&[&a])),
            ("shop@v1.0.1".into(), s(&[&f, &g2])),
            ("shop@v1.1.0".into(), s(&[&f, &g])),
        ]
    );
    let ids: Vec<&str> = changes(&got.events).iter().map(|c| &*c.id).collect();
    assert!(
        !ids.contains(&&*picked),
        "the pick is not a change of its own"
    );
    assert_eq!(ids.len(), 4);
    // f counts once, at v1.0.1: leads a 0 h, f 15 h (45 - 30), g2 3 h (45 - 42),
    // g 18 h (50 - 32): median (3 + 15) / 2 = 9 h over 4 changes.
    let cards = scorecards(
        &Records::from_events(got.events.clone()),
        &Settings::default(),
        Window::ending(at(24 * 20), TimeDelta::days(30)),
        &DORA_2023,
    );
    let lead = &cards.teams[0].current.lead_time;
    assert_eq!(lead.changes, 4);
    assert_eq!(lead.median_seconds, Some(9.0 * 3600.0));
}

#[test]
fn reverting_a_merge_fails_the_release_that_shipped_the_branch() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("merge-revert");
    let repo = Repo::init(&git, tmp.0.join("r"));
    repo.commit(&["a"], "a", at(0));
    repo.annotated("v1.0.0", at(1));
    repo.run(at(2), at(2), &["checkout", "-q", "-b", "feature"]);
    repo.commit(&["f1"], "feature one", at(3));
    let tip = repo.commit(&["f2"], "feature two", at(4));
    repo.run(at(5), at(5), &["checkout", "-q", "main"]);
    repo.run(
        at(6),
        at(6),
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge pull request #1",
            "feature",
        ],
    );
    let merge = repo.head();
    repo.annotated("v1.1.0", at(7));
    // GitHub's Revert button: the merge reverted against its first parent, a day later.
    repo.run(at(30), at(30), &["revert", "--no-edit", "-m", "1", &merge]);
    let revert = repo.head();
    repo.annotated("v1.2.0", at(31));
    let got = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    // The revert names the branch's newest commit, which v1.1.0 first shipped.
    let named: Vec<Option<&str>> = changes(&got.events)
        .iter()
        .filter(|c| *c.id == *revert)
        .map(|c| c.reverts.as_deref())
        .collect();
    assert_eq!(named, vec![Some(&*tip)]);
    assert_eq!(
        verdicts(&got.events, WEEK),
        vec![
            verdict("shop@v1.0.0", &[], None),
            verdict("shop@v1.1.0", &[&revert], None),
            verdict("shop@v1.2.0", &[], Some(&revert)),
        ]
    );
}

#[test]
fn a_reapplied_change_is_not_the_change_it_reapplies() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("reapply");
    let repo = Repo::init(&git, tmp.0.join("r"));
    let a = repo.commit(&["a"], "a", at(0));
    repo.annotated("v1.0.0", at(1));
    // x, its revert r, and r's revert b ('Reapply "feature x"'): b has x's patch.
    let x = repo.commit(&["x"], "feature x", at(10));
    let r = repo.revert(&x, at(11));
    let b = repo.revert(&r, at(12));
    repo.annotated("v1.1.0", at(13));
    // All three picked (no -x) to the 1.0 line.
    repo.run(at(14), at(14), &["checkout", "-q", "-b", "rel", "v1.0.0"]);
    for (c, authored) in [(&x, 10), (&r, 11), (&b, 12)] {
        repo.run(at(authored), at(15), &["cherry-pick", c]);
    }
    repo.annotated("v1.0.1", at(16));
    let got = scan(&GitSpec::one_service(&repo.dir, "shop")).expect("scan");
    assert_eq!(got.stats.picks, 3);
    let mut ids: Vec<&str> = changes(&got.events).iter().map(|c| &*c.id).collect();
    ids.sort_unstable();
    let mut want = vec![&*a, &*x, &*r, &*b];
    want.sort_unstable();
    assert_eq!(ids, want, "b stays its own change");
}
