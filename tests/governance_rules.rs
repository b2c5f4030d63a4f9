//! The governance rules of DESIGN.md ("Contracts: the robustness principle's
//! three-step dance" and "Account baseline drift"), clause by clause, with the
//! expected values computed by hand in the comments. Inputs are schema v1
//! lines read as a user's file would be. The end is 2024-04-01T00:00:00Z.

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};

use flightdeck::metrics::governance::{Governance, StepNote};
use flightdeck::model::findings_policy::OwnershipRule;
use flightdeck::model::settings::Settings;

use crate::support::records_of;

type Time = DateTime<Utc>;

fn at(mo: u32, d: u32, h: u32) -> Time {
    Utc.with_ymd_and_hms(2024, mo, d, h, 0, 0).unwrap()
}

fn end() -> Time {
    at(4, 1, 0)
}

fn iso(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A `contract` line of contract `id` taken at `time` (no deployment).
fn step(id: &str, step: &str, service: &str, time: Time) -> Value {
    json!({"type": "contract", "id": id, "step": step, "service": service, "time": iso(time)})
}

fn expand(id: &str, service: &str, time: Time, consumers: &[&str]) -> Value {
    let mut v = step(id, "expand", service, time);
    v["consumers"] = json!(consumers);
    v
}

fn with(mut v: Value, key: &str, value: &str) -> Value {
    v[key] = json!(value);
    v
}

fn deployment(id: &str, service: &str, time: Time, status: &str) -> Value {
    json!({"type": "deployment", "id": id, "service": service, "time": iso(time), "status": status})
}

fn settings() -> Settings {
    let mut s = Settings::default();
    s.service_teams.insert("orders".into(), "commerce".into());
    s
}

fn governance(lines: &[Value]) -> Governance {
    Governance::compute(&records_of(lines), &settings(), end())
}

fn migrated(g: &Governance, id: &str) -> Vec<(String, Option<Time>)> {
    let c = g
        .contracts
        .iter()
        .find(|c| &*c.id == id)
        .expect("the contract");
    c.consumers
        .iter()
        .map(|c| (c.service.to_string(), c.migrated))
        .collect()
}

#[test]
fn a_consumer_migrating_before_the_expand_counts() {
    // checkout migrates on 03-01, the expand comes on 03-05, billing on 03-10:
    // every consumer migrated, the old path still there: step 2. Started 03-05,
    // age 27 days (to the end, 04-01) > 14: stalled.
    let g = governance(&[
        step("orders/A", "migrate", "checkout", at(3, 1, 0)),
        expand("orders/A", "orders", at(3, 5, 0), &["checkout", "billing"]),
        step("orders/A", "migrate", "billing", at(3, 10, 0)),
    ]);
    let [c] = g.contracts.as_slice() else {
        panic!("{g:#?}")
    };
    assert_eq!(c.step, 2);
    assert_eq!(&*c.producer, "orders");
    assert_eq!(
        &*c.team, "commerce",
        "the producer's team from the service map"
    );
    assert_eq!(c.started, at(3, 5, 0));
    assert_eq!(c.age, TimeDelta::days(27));
    assert!(c.stalled);
    assert_eq!(c.violation, None);
    assert_eq!(
        migrated(&g, "orders/A"),
        [
            ("billing".into(), Some(at(3, 10, 0))),
            ("checkout".into(), Some(at(3, 1, 0)))
        ]
    );
}

#[test]
fn a_second_expand_adds_consumers_and_one_after_the_contract_step_does_not() {
    // A: expand for checkout on 03-20, checkout migrates 03-21, a second expand
    // adds billing on 03-22: billing has not migrated, step 1; age 12 days.
    // B: expand for checkout 03-20, checkout migrates 03-21, contract 03-23,
    // then an expand naming billing 03-24, after the contract step: billing
    // is no consumer, so no violation; step 3, age 3 days.
    let g = governance(&[
        with(
            expand("orders/A", "orders", at(3, 20, 0), &["checkout"]),
            "team",
            "orders-team",
        ),
        step("orders/A", "migrate", "checkout", at(3, 21, 0)),
        expand("orders/A", "orders", at(3, 22, 0), &["billing", "checkout"]),
        expand("orders/B", "orders", at(3, 20, 0), &["checkout"]),
        step("orders/B", "migrate", "checkout", at(3, 21, 0)),
        step("orders/B", "contract", "orders", at(3, 23, 0)),
        expand("orders/B", "orders", at(3, 24, 0), &["billing"]),
    ]);
    let a = &g.contracts[0];
    assert_eq!(&*a.id, "orders/A");
    assert_eq!(&*a.team, "orders-team", "the first expand's own team");
    assert_eq!(a.step, 1);
    assert_eq!(a.age, TimeDelta::days(12));
    assert!(!a.stalled);
    assert_eq!(
        migrated(&g, "orders/A"),
        [
            ("billing".into(), None),
            ("checkout".into(), Some(at(3, 21, 0)))
        ]
    );
    let b = &g.contracts[1];
    assert_eq!(b.step, 3);
    assert_eq!(b.contracted, Some(at(3, 23, 0)));
    assert_eq!(b.age, TimeDelta::days(3));
    assert_eq!(b.violation, None);
    assert_eq!(
        migrated(&g, "orders/B"),
        [("checkout".into(), Some(at(3, 21, 0)))]
    );
}

#[test]
fn a_step_is_taken_when_its_deployment_reaches_production() {
    // The expand line says 03-01 but its deployment d1 succeeds in production
    // on 03-04 (a staging success on 03-02 does not count): started 03-04.
    // checkout's migrate rides d2, which failed: not taken, so step 1.
    // The contract step rides d3, in flight: not taken, and held at the gate
    // because checkout has not migrated. A step naming a deployment never
    // read is not taken either.
    let mut staging = deployment("d1", "orders", at(3, 2, 0), "success");
    staging["environment"] = json!("staging");
    let g = governance(&[
        with(
            expand("orders/A", "orders", at(3, 1, 0), &["checkout"]),
            "deployment",
            "d1",
        ),
        staging,
        deployment("d1", "orders", at(3, 4, 0), "success"),
        with(
            step("orders/A", "migrate", "checkout", at(3, 5, 0)),
            "deployment",
            "d2",
        ),
        deployment("d2", "checkout", at(3, 5, 0), "failure"),
        with(
            step("orders/A", "contract", "orders", at(3, 30, 0)),
            "deployment",
            "d3",
        ),
        deployment("d3", "orders", at(3, 30, 0), "in_progress"),
        with(
            step("orders/A", "contract", "orders", at(3, 30, 1)),
            "deployment",
            "d-unknown",
        ),
    ]);
    let [c] = g.contracts.as_slice() else {
        panic!("{g:#?}")
    };
    assert_eq!(c.started, at(3, 4, 0));
    assert_eq!(c.step, 1);
    assert_eq!(c.contracted, None);
    let notes: Vec<StepNote> = c.steps.iter().map(|s| s.note).collect();
    assert_eq!(
        notes,
        [
            StepNote::Taken(at(3, 4, 0)),
            StepNote::NotTaken,
            StepNote::InFlight,
            StepNote::NotTaken
        ]
    );
    let [h] = g.held.as_slice() else {
        panic!("{g:#?}")
    };
    assert_eq!((&*h.deployment, &*h.contract), ("d3", "orders/A"));
    assert_eq!(
        h.consumers,
        ["checkout".into()] as [flightdeck::model::Text; 1]
    );
    assert_eq!(
        h.reason(),
        "contract orders/A would remove the old path while checkout has not migrated"
    );
    assert_eq!(g.held("d3"), Some(h));
}

#[test]
fn a_contract_without_an_expand_taken_is_not_reported() {
    // Only a migrate and a contract step: nothing was expanded, so there is
    // no producer and no start; an expand after the end is ignored too.
    let g = governance(&[
        step("orders/A", "migrate", "checkout", at(3, 1, 0)),
        step("orders/A", "contract", "orders", at(3, 2, 0)),
        expand("orders/B", "orders", at(4, 2, 0), &["checkout"]),
    ]);
    assert!(g.contracts.is_empty(), "{g:#?}");
}

#[test]
fn removing_the_old_path_under_a_live_consumer_is_a_violation() {
    // Expand 03-01 for checkout, billing and search; checkout migrates 03-03;
    // the contract step rides d9, in production 03-10; billing migrates
    // 03-12, after it (it still counts as migrated); search never does.
    // Violation naming billing and search; step 3; age 9 days; a migrate
    // from `reporting`, no consumer, is ignored.
    let g = governance(&[
        expand(
            "orders/A",
            "orders",
            at(3, 1, 0),
            &["checkout", "billing", "search"],
        ),
        step("orders/A", "migrate", "checkout", at(3, 3, 0)),
        step("orders/A", "migrate", "reporting", at(3, 4, 0)),
        with(
            step("orders/A", "contract", "orders", at(3, 9, 0)),
            "deployment",
            "d9",
        ),
        deployment("d9", "orders", at(3, 10, 0), "success"),
        step("orders/A", "migrate", "billing", at(3, 12, 0)),
    ]);
    let [c] = g.contracts.as_slice() else {
        panic!("{g:#?}")
    };
    assert_eq!(c.step, 3);
    assert_eq!(c.contracted, Some(at(3, 10, 0)));
    assert_eq!(c.age, TimeDelta::days(9));
    assert!(!c.stalled, "a finished contract never stalls");
    assert_eq!(
        c.violation.as_deref(),
        Some("old path removed while billing, search had not migrated")
    );
    assert_eq!(
        migrated(&g, "orders/A"),
        [
            ("billing".into(), Some(at(3, 12, 0))),
            ("checkout".into(), Some(at(3, 3, 0))),
            ("search".into(), None)
        ]
    );
    assert!(c.steps.iter().any(|s| s.note == StepNote::NotAConsumer));
    assert!(g.held.is_empty());
    // The team's numbers: one violation, nothing stalled, for a window that
    // started before the contract step; none for one that started after it.
    let team = g.team("commerce", at(3, 2, 0));
    assert_eq!((team.violations, team.stalled), (1, 0));
    assert_eq!(g.team("commerce", at(3, 11, 0)).violations, 0);
    assert_eq!(g.reported(at(3, 11, 0)).count(), 0);
}

#[test]
fn a_contract_stalls_only_past_contract_stall() {
    // Started exactly 14 days before the end: age 14 days, not longer than
    // `contract_stall`; one second earlier: stalled. A contract step after the
    // end is ignored (still in flight), an unknown team is `unassigned`.
    let g = governance(&[
        expand("a/X", "api", end() - TimeDelta::days(14), &["web"]),
        expand(
            "a/Y",
            "api",
            end() - TimeDelta::days(14) - TimeDelta::seconds(1),
            &["web"],
        ),
        step("a/Y", "contract", "api", end() + TimeDelta::seconds(1)),
    ]);
    let x = &g.contracts[0];
    assert_eq!((x.age, x.stalled), (TimeDelta::days(14), false));
    let y = &g.contracts[1];
    assert!(y.stalled);
    assert_eq!(y.contracted, None);
    assert_eq!(y.steps[1].note, StepNote::AfterEnd);
    assert_eq!(&*y.team, "unassigned");
    assert_eq!(g.team("unassigned", at(3, 1, 0)).stalled, 1);
}

/// A `standard` release.
fn standard(component: &str, version: &str, time: Time) -> Value {
    json!({"type": "standard", "component": component, "version": version, "time": iso(time)})
}

fn baseline(account: &str, component: &str, version: &str, time: Time) -> Value {
    json!({"type": "baseline", "account": account, "component": component,
           "version": version, "time": iso(time)})
}

/// `logging`, numbered: v1.0.0 01-01, 1.1 02-01, v2.0.0 03-15, 2.1.0 04-05
/// (after the end: ignored). `guardrails`, not numbers: 2024-q1 01-10,
/// 2024-q2 03-01, 2024-q3 03-20.
fn standards() -> Vec<Value> {
    vec![
        standard("logging", "v1.0.0", at(1, 1, 0)),
        standard("logging", "1.1", at(2, 1, 0)),
        standard("logging", "v2.0.0", at(3, 15, 0)),
        standard("logging", "2.1.0", at(4, 5, 0)),
        standard("guardrails", "2024-q1", at(1, 10, 0)),
        standard("guardrails", "2024-q2", at(3, 1, 0)),
        standard("guardrails", "2024-q3", at(3, 20, 0)),
    ]
}

fn drift_of(lines: Vec<Value>, settings: &Settings) -> Governance {
    Governance::compute(&records_of(&lines), settings, end())
}

/// (component, version, latest, behind, days_behind, override)
type Row = (
    String,
    Option<String>,
    Option<String>,
    usize,
    Option<f64>,
    Option<String>,
);

fn rows(g: &Governance, account: &str) -> Vec<Row> {
    let a = g
        .accounts
        .iter()
        .find(|a| &*a.account == account)
        .expect("the account");
    a.components
        .iter()
        .map(|c| {
            (
                c.component.to_string(),
                c.version.as_deref().map(String::from),
                c.latest.as_deref().map(String::from),
                c.behind,
                c.days_behind,
                c.override_reason.as_deref().map(String::from),
            )
        })
        .collect()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn numbered_versions_order_by_number_and_missing_parts_are_zero() {
    // 111: logging v1.1.0 (= the released `1.1`), applied 02-10. Newer and
    // released by the end: v2.0.0 (03-15); 2.1.0 comes after the end. Behind
    // 1, since 03-15: 17 days. guardrails 2024-q2: newer is 2024-q3 (03-20),
    // 12 days. Two components behind, no override: drifted 2.
    // The latest logging is v2.0.0 (2.1.0 is released after the window's end).
    let mut lines = standards();
    lines.push(baseline("111", "logging", "v1.1.0", at(2, 10, 0)));
    lines.push(baseline("111", "guardrails", "2024-q2", at(3, 5, 0)));
    let g = drift_of(lines, &settings());
    assert_eq!(
        rows(&g, "111"),
        [
            (
                "guardrails".into(),
                s("2024-q2"),
                s("2024-q3"),
                1,
                Some(12.0),
                None
            ),
            (
                "logging".into(),
                s("v1.1.0"),
                s("v2.0.0"),
                1,
                Some(17.0),
                None
            ),
        ]
    );
    assert_eq!(g.accounts[0].drifted, 2);
}

#[test]
fn a_missing_component_is_behind_every_release() {
    // 222 applied only guardrails 2024-q3 (the latest: behind 0). logging is
    // missing: behind all 3 released by the end, since v1.0.0 on 01-01, 91
    // days before 04-01 (31 + 29 + 31).
    let mut lines = standards();
    lines.push(baseline("222", "guardrails", "2024-q3", at(3, 21, 0)));
    let g = drift_of(lines, &settings());
    assert_eq!(
        rows(&g, "222"),
        [
            (
                "guardrails".into(),
                s("2024-q3"),
                s("2024-q3"),
                0,
                None,
                None
            ),
            ("logging".into(), None, s("v2.0.0"), 3, Some(91.0), None),
        ]
    );
    assert_eq!(g.accounts[0].drifted, 1);
}

#[test]
fn an_override_is_shown_and_not_counted_as_drift() {
    // 333 holds logging at v1.0.0 on purpose: 1.1 (02-01) and v2.0.0 are
    // newer, behind 2 since 02-01, 60 days (29 + 31), with the reason; not
    // drift. guardrails missing: behind 3 since 01-10, 82 days; drifted 1.
    let mut lines = standards();
    let mut held = baseline("333", "logging", "v1.0.0", at(1, 5, 0));
    held["override"] = json!("pinned until the PCI audit");
    lines.push(held);
    let g = drift_of(lines, &settings());
    assert_eq!(
        rows(&g, "333"),
        [
            ("guardrails".into(), None, s("2024-q3"), 3, Some(82.0), None),
            (
                "logging".into(),
                s("v1.0.0"),
                s("v2.0.0"),
                2,
                Some(60.0),
                s("pinned until the PCI audit")
            ),
        ]
    );
    assert_eq!(g.accounts[0].drifted, 1);
}

#[test]
fn a_version_never_released_counts_releases_after_it_was_applied() {
    // 444: guardrails `custom-2024` (never released) applied 03-10: released
    // after that is 2024-q3 (03-20): behind 1, 12 days. logging `3` (= 3.0.0,
    // never released) applied 03-20: nothing released after it: behind 0.
    // Its last logging baseline (`3`) replaces the earlier v1.0.0.
    // A standard after the end (2.1.0, 04-05) is never the latest nor newer.
    let mut lines = standards();
    lines.push(baseline("444", "logging", "v1.0.0", at(1, 2, 0)));
    lines.push(baseline("444", "logging", "3", at(3, 20, 0)));
    lines.push(baseline("444", "guardrails", "custom-2024", at(3, 10, 0)));
    lines.push(baseline("444", "logging", "4", at(4, 2, 0)));
    let g = drift_of(lines, &settings());
    assert_eq!(
        rows(&g, "444"),
        [
            (
                "guardrails".into(),
                s("custom-2024"),
                s("2024-q3"),
                1,
                Some(12.0),
                None
            ),
            ("logging".into(), s("3"), s("v2.0.0"), 0, None, None),
        ]
    );
}

#[test]
fn one_unnumbered_version_orders_the_component_by_release_time() {
    // `mesh`: 1.10 on 01-01, then `1.9-hotfix` on 02-01 (not a number), then
    // 1.9 on 03-01. By number 1.9 < 1.10, but one version does not parse, so
    // release time orders: the latest is 1.9 (03-01), and 555 on 1.10 is
    // behind 2 (1.9-hotfix, 1.9), since 02-01: 60 days.
    let lines = vec![
        standard("mesh", "1.10", at(1, 1, 0)),
        standard("mesh", "1.9-hotfix", at(2, 1, 0)),
        standard("mesh", "1.9", at(3, 1, 0)),
        baseline("555", "mesh", "1.10", at(1, 2, 0)),
    ];
    let g = drift_of(lines, &settings());
    assert_eq!(
        rows(&g, "555"),
        [("mesh".into(), s("1.10"), s("1.9"), 2, Some(60.0), None)]
    );
}

#[test]
fn an_accounts_team_comes_from_its_baseline_then_the_config() {
    // 111 names its team on a baseline; 222 is mapped by the findings'
    // account ownership; 333 by neither: unassigned. 999 is only in the
    // config and lacks every standard: listed, behind on both.
    let mut settings = settings();
    settings.findings.owners.push(OwnershipRule {
        team: "platform".into(),
        accounts: vec!["222".into(), "999".into()],
        repositories: vec![],
        services: vec![],
        tags: vec![],
        path_prefixes: vec![],
    });
    let mut lines = standards();
    lines.push(with(
        baseline("111", "logging", "v2", at(3, 16, 0)),
        "team",
        "payments",
    ));
    lines.push(baseline("222", "logging", "v2", at(3, 16, 0)));
    lines.push(baseline("333", "logging", "v2", at(3, 16, 0)));
    let g = drift_of(lines, &settings);
    let teams: Vec<(&str, &str, usize)> = g
        .accounts
        .iter()
        .map(|a| (&*a.account, &*a.team, a.drifted))
        .collect();
    assert_eq!(
        teams,
        [
            ("111", "payments", 1),
            ("222", "platform", 1),
            ("333", "unassigned", 1),
            ("999", "platform", 2)
        ]
    );
    assert_eq!(g.team("platform", at(3, 1, 0)).drifted, 2);
}

#[test]
fn governance_lines_are_read_and_a_bad_step_is_named() {
    let text = concat!(
        r#"{"type":"contract","id":"o/A","step":"shrink","service":"o","time":"2024-03-01T00:00:00Z"}"#,
        "\n",
        r#"{"type":"baseline","account":"1","component":"c","version":"1","time":"2024-03-01T01:00:00+01:00","override":""}"#,
        "\n",
        r#"{"type":"standard","component":"c","time":"2024-03-01T00:00:00Z"}"#,
        "\n",
    );
    let (events, diagnostics) = flightdeck::sources::events::parse_str(text);
    let errors: Vec<(u64, &str)> = diagnostics
        .malformed
        .iter()
        .map(|m| (m.line, m.error.as_str()))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        errors[0],
        (
            1,
            "field `step`: 'shrink' is not a contract step (expand, migrate or contract)"
        )
    );
    assert_eq!(errors[1].0, 3);
    assert!(
        errors[1].1.contains("missing field `version`"),
        "{errors:?}"
    );
    let [flightdeck::model::Event::Baseline(b)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(b.time, at(3, 1, 0), "stored in UTC");
    assert_eq!(b.override_reason, None, "an empty reason declares nothing");
}

#[test]
fn contracts_and_baselines_name_reported_teams() {
    // "Teams reported": the teams named (or mapped) by contract and baseline
    // lines: `orders-team` (named), `commerce` (orders, mapped), `platform`
    // (a baseline's team).
    let records = records_of(&[
        with(
            expand("o/A", "api", at(3, 1, 0), &[]),
            "team",
            "orders-team",
        ),
        step("o/A", "contract", "orders", at(3, 2, 0)),
        with(baseline("1", "c", "1", at(3, 1, 0)), "team", "platform"),
    ]);
    let window = flightdeck::metrics::Window::ending(end(), TimeDelta::days(30));
    let cards = flightdeck::metrics::scorecards(
        &records,
        &settings(),
        window,
        &flightdeck::metrics::DORA_2023,
    );
    let teams: Vec<&str> = cards.teams.iter().map(|t| &*t.team).collect();
    assert_eq!(teams, ["commerce", "orders-team", "platform"]);
}
