//! The certification gate and the release-window alerts on contracts
//! (DESIGN.md "Contracts"): a deployment in flight that would take a
//! `contract` step while a consumer has not migrated is blocked at the gate
//! naming the contract and the consumers; the feed alerts on it and on a
//! contract becoming stalled, which falls due on the clock.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};

use flightdeck::metrics::alerts::AlertKind;
use flightdeck::metrics::lanes::{Blocker, Gate};
use flightdeck::model::settings::Settings;
use flightdeck::store::Snapshot;

use crate::support::records_of;

type Time = DateTime<Utc>;

fn now() -> Time {
    Utc.with_ymd_and_hms(2024, 4, 1, 12, 0, 0).unwrap()
}

fn iso(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn snapshot(lines: &[Value], at: Time) -> Snapshot {
    let settings = Settings {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        ..Settings::default()
    };
    Snapshot::compute(
        Arc::new(records_of(lines)),
        Arc::new(settings),
        Vec::new(),
        at,
        1,
    )
}

/// orders/A expanded 3 days ago for checkout and billing; checkout migrated;
/// the contract step rides D-7, in its canary since 20 minutes.
fn held_lines() -> Vec<Value> {
    vec![
        json!({"type": "contract", "id": "orders/A", "step": "expand", "service": "orders",
               "time": iso(now() - TimeDelta::days(3)), "consumers": ["checkout", "billing"]}),
        json!({"type": "contract", "id": "orders/A", "step": "migrate", "service": "checkout",
               "time": iso(now() - TimeDelta::days(2))}),
        json!({"type": "contract", "id": "orders/A", "step": "contract", "service": "orders",
               "time": iso(now() - TimeDelta::minutes(20)), "deployment": "D-7"}),
        json!({"type": "deployment", "id": "D-7", "service": "orders", "region": "us-east-1",
               "stage": "canary", "status": "in_progress", "time": iso(now() - TimeDelta::minutes(20))}),
    ]
}

#[test]
fn a_contract_step_under_a_live_consumer_is_blocked_at_the_gate() {
    let s = snapshot(&held_lines(), now());
    let lane = s.views.lanes.find("D-7").expect("the lane");
    let Gate::Blocked(blockers) = &lane.gate else {
        panic!("{:?}", lane.gate)
    };
    assert_eq!(
        blockers,
        &[Blocker::Contract {
            contract: "orders/A".into(),
            consumers: vec!["billing".into()]
        }]
    );
    assert_eq!(lane.gate.label(), "blocked: contract");
    assert_eq!(
        blockers[0].describe(),
        "contract orders/A would remove the old path: billing not migrated"
    );
    let held: Vec<_> = s
        .views
        .alerts
        .iter()
        .filter(|a| a.kind == AlertKind::ContractHeld)
        .collect();
    let [a] = held.as_slice() else {
        panic!("{:?}", s.views.alerts)
    };
    assert_eq!(a.since, Some(now() - TimeDelta::minutes(20)));
    assert_eq!(
        flightdeck::app::alert_text(a, now()).to_string(),
        "D-7 held 20m 00s: orders/A, billing not migrated"
    );
}

#[test]
fn once_every_consumer_migrated_the_gate_is_not_held() {
    let mut lines = held_lines();
    lines.push(
        json!({"type": "contract", "id": "orders/A", "step": "migrate",
        "service": "billing", "time": iso(now() - TimeDelta::hours(1))}),
    );
    let s = snapshot(&lines, now());
    let lane = s.views.lanes.find("D-7").expect("the lane");
    assert_eq!(lane.gate, Gate::Waiting);
    assert!(s.views.governance.held.is_empty());
    assert!(
        !s.views
            .alerts
            .iter()
            .any(|a| a.kind == AlertKind::ContractHeld)
    );
}

#[test]
fn a_contract_becoming_stalled_alerts_when_it_falls_due() {
    // Expanded 13 days 23 hours before now: it stalls one hour (and a
    // millisecond) from now, which is when the store is told to recompute.
    let started = now() - TimeDelta::days(14) + TimeDelta::hours(1);
    let lines = [json!({"type": "contract", "id": "pay/B", "step": "expand",
        "service": "payments", "time": iso(started), "consumers": ["ledger"]})];
    let before = snapshot(&lines, now());
    let due = started + TimeDelta::days(14) + TimeDelta::milliseconds(1);
    assert_eq!(before.views.alerts_due, Some(due));
    assert!(before.views.alerts.is_empty());
    let after = snapshot(&lines, due);
    let [a] = after.views.alerts.as_slice() else {
        panic!("{:?}", after.views.alerts)
    };
    assert_eq!(a.kind, AlertKind::ContractStalled);
    assert_eq!(a.at, due);
    assert_eq!(
        &*a.text,
        "contract pay/B stalled: unfinished 14 days after its expand, waiting on ledger"
    );
    // Past the feed's six hours the event is no longer news.
    let later = snapshot(&lines, due + TimeDelta::hours(7));
    assert!(later.views.alerts.is_empty());
}
