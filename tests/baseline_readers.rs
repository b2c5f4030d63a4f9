//! Baselines from real formats: an AWS Control Tower `ListEnabledBaselines`
//! response (our own fixture in the documented shape) and a git repository
//! of per-account Terraform whose module sources pin versions, with the
//! module repository's tags as the standard (both built here with real git).

use std::path::Path;

use chrono::TimeZone;

use crate::git_source::{Repo, TempDir, at};
use crate::support as common;

use flightdeck::metrics::governance::Governance;
use flightdeck::model::Event;
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::sources::{control_tower, terraform_pins};

/// (account, component, version, time) of the baseline events.
fn baselines(events: &[Event]) -> Vec<(String, String, String, flightdeck::model::Time)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Baseline(b) => Some((
                b.account.to_string(),
                b.component.to_string(),
                b.version.to_string(),
                b.time,
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn control_tower_enabled_baselines_give_each_accounts_version() {
    let body = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/control_tower_enabled_baselines.json"),
    )
    .expect("fixture");
    let read_at = chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .expect("time");
    let r = control_tower::read(&body, read_at).expect("reads");
    // Two succeeded (one of them in inheritance drift), one still changing.
    assert_eq!(
        baselines(&r.events),
        [
            (
                "111122223333".into(),
                "17BSJV3IGJ2QSGA2".into(),
                "4.0".into(),
                read_at
            ),
            (
                "444455556666".into(),
                "17BSJV3IGJ2QSGA2".into(),
                "3.0".into(),
                read_at
            ),
        ]
    );
    assert_eq!((r.skipped, r.drifted), (1, 1));
    assert_eq!(r.next_token.as_deref(), Some("eyJwYWdlIjoyfQ=="));
    let err = control_tower::read(b"{\"controls\": []}", read_at).expect_err("not the shape");
    assert!(
        err.starts_with("not a ListEnabledBaselines response"),
        "{err}"
    );
}

/// Commits `accounts/<account>/main.tf` pinning logging at `version`, at `hours`.
fn pin(live: &Repo, account: &str, version: &str, hours: i64) {
    let dir = live.dir.join("accounts").join(account);
    std::fs::create_dir_all(&dir).expect("account dir");
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "module \"logging\" {{\n  source = \"git::https://example.com/acme/tf-logging.git?ref={version}\"\n}}\n"
        ),
    )
    .expect("write tf");
    live.run(at(hours), at(hours), &["add", "-A"]);
    let message = format!("{account} on logging {version}");
    live.run(at(hours), at(hours), &["commit", "-q", "-m", &message]);
}

#[test]
fn terraform_pins_and_module_tags_give_versions_and_drift() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("terraform");
    // The module repository: v1.7.0 at 10 h, v1.8.0 at 100 h.
    let module = Repo::init(&git, tmp.0.join("tf-logging"));
    module.commit(&["main.tf"], "logging module", at(10));
    module.annotated("v1.7.0", at(10));
    module.commit(&["variables.tf"], "retention", at(100));
    module.annotated("v1.8.0", at(100));
    // The accounts: 111 pins v1.8.0 (committed at 120 h), 222 pins v1.7.0 (at 20 h).
    let live = Repo::init(&git, tmp.0.join("accounts-live"));
    pin(&live, "222222222222", "v1.7.0", 20);
    pin(&live, "111111111111", "v1.8.0", 120);
    let accounts = terraform_pins::read_accounts(&git, &live.dir).expect("accounts");
    assert_eq!(
        baselines(&accounts),
        [
            (
                "111111111111".into(),
                "tf-logging".into(),
                "v1.8.0".into(),
                at(120)
            ),
            (
                "222222222222".into(),
                "tf-logging".into(),
                "v1.7.0".into(),
                at(20)
            ),
        ]
    );
    let mut events =
        terraform_pins::read_module_tags(&git, &module.dir, "tf-logging").expect("tags");
    let releases: Vec<(String, flightdeck::model::Time)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Standard(s) => Some((s.version.to_string(), s.time)),
            _ => None,
        })
        .collect();
    assert_eq!(
        releases,
        [("v1.7.0".into(), at(10)), ("v1.8.0".into(), at(100))]
    );
    // 222 is one release behind since v1.8.0 (100 h): at 148 h, 2 days.
    events.extend(accounts);
    let g = Governance::compute(&Records::from_events(events), &Settings::default(), at(148));
    let behind: Vec<(&str, usize, Option<f64>)> = g
        .accounts
        .iter()
        .map(|a| {
            (
                &*a.account,
                a.components[0].behind,
                a.components[0].days_behind,
            )
        })
        .collect();
    assert_eq!(
        behind,
        [("111111111111", 0, None), ("222222222222", 1, Some(2.0))]
    );
}
