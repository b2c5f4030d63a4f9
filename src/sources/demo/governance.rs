//! The demo organisation's governance: contracts through the three-step
//! dance (one done, one half way, one stalled, one whose old path went under
//! a live consumer, one whose contract step is held at the certification
//! gate) and four accounts at different distances from the standard stack,
//! one with a declared override. Fixed times before the stream's `now`.

use chrono::TimeDelta;

use crate::model::contracts::{Baseline, ContractEvent, ContractStep, StandardRelease};
use crate::model::{Change, DeployStatus, DeploymentEvent, Event, Id, Text, Time};

/// The deployment whose contract step the certification gate holds.
pub const HELD_DEPLOYMENT: &str = "auth-contract-1";

fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

fn step(id: &str, step: ContractStep, service: &str, at: Time, consumers: &[&str]) -> Event {
    Event::Contract(ContractEvent {
        id: id.into(),
        step,
        service: service.into(),
        time: at,
        deployment: None,
        consumers: consumers.iter().map(|c| Text::from(*c)).collect(),
        team: None,
        title: None,
        url: None,
    })
}

/// Every governance line of the demo, with its time, for a stream whose
/// clock starts at `now`.
pub(super) fn events(now: Time) -> Vec<(Time, Event)> {
    let mut out = contracts(now);
    out.extend(held_deployment(now));
    out.extend(standards(now));
    out.extend(accounts(now));
    out.into_iter().map(|e| (e.time(), e)).collect()
}

/// Contract, step, service, days before now, consumers (on expand).
type StepRow = (
    &'static str,
    ContractStep,
    &'static str,
    i64,
    &'static [&'static str],
);

/// Done (QueryV2), stalled (PriceQuote: invoicing never moved), a violation
/// (EntryPosted: the old path went while reporting still read it), half way
/// (Notify) and held (TokenClaims: the contract step rides a deployment in
/// its canary while edge-proxy has not migrated).
const STEPS: [StepRow; 12] = {
    use ContractStep::{Contract, Expand, Migrate};
    [
        (
            "search-api/QueryV2",
            Expand,
            "search-api",
            20,
            &["checkout-web"],
        ),
        ("search-api/QueryV2", Migrate, "checkout-web", 15, &[]),
        ("search-api/QueryV2", Contract, "search-api", 10, &[]),
        (
            "pricing/PriceQuote",
            Expand,
            "pricing",
            25,
            &["cart", "invoicing"],
        ),
        ("pricing/PriceQuote", Migrate, "cart", 20, &[]),
        (
            "ledger/EntryPosted",
            Expand,
            "ledger-writer",
            12,
            &["invoicing", "reporting"],
        ),
        ("ledger/EntryPosted", Migrate, "invoicing", 9, &[]),
        ("ledger/EntryPosted", Contract, "ledger-writer", 3, &[]),
        (
            "push-gateway/Notify",
            Expand,
            "push-gateway",
            2,
            &["email-sender"],
        ),
        ("push-gateway/Notify", Migrate, "email-sender", 1, &[]),
        (
            "auth/TokenClaims",
            Expand,
            "auth",
            6,
            &["sessions", "edge-proxy"],
        ),
        ("auth/TokenClaims", Migrate, "sessions", 4, &[]),
    ]
};

fn contracts(now: Time) -> Vec<Event> {
    let mut out: Vec<Event> = STEPS
        .iter()
        .map(|&(id, s, service, ago, consumers)| step(id, s, service, now - days(ago), consumers))
        .collect();
    let mut contract = step(
        "auth/TokenClaims",
        ContractStep::Contract,
        "auth",
        now - TimeDelta::minutes(40),
        &[],
    );
    if let Event::Contract(c) = &mut contract {
        c.deployment = Some(HELD_DEPLOYMENT.into());
        c.title = Some("Remove the old TokenClaims path".into());
    }
    out.push(contract);
    out
}

/// The deployment held at the gate: staged, then in its canary since 40 minutes.
fn held_deployment(now: Time) -> Vec<Event> {
    let change: Text = "auth-contract-1-c0".into();
    let line = |at: Time, environment: Option<&str>, region: Option<&str>, stage: &str, status| {
        Event::Deployment(DeploymentEvent {
            id: HELD_DEPLOYMENT.into(),
            service: "auth".into(),
            time: at,
            status,
            team: Some("identity".into()),
            environment: environment.map(Text::from),
            region: region.map(Text::from),
            stage: Some(stage.into()),
            changes: vec![Id::from(&*change)],
            hotfix: false,
            url: None,
        })
    };
    vec![
        Event::Change(Change {
            id: Id::from(&*change),
            service: "auth".into(),
            time: now - TimeDelta::hours(5),
            team: Some("identity".into()),
            title: Some("Remove the old TokenClaims path".into()),
            author: Some("hana".into()),
            url: None,
            opened: None,
            first_review: None,
            merged: None,
            lines: Some(120),
            reverts: None,
        }),
        line(
            now - TimeDelta::minutes(70),
            Some("staging"),
            None,
            "staging",
            DeployStatus::Success,
        ),
        line(
            now - TimeDelta::minutes(40),
            None,
            Some(super::REGIONS[0]),
            "canary @10%",
            DeployStatus::InProgress,
        ),
    ]
}

fn standards(now: Time) -> Vec<Event> {
    [
        ("logging", "v1.6.0", 120),
        ("logging", "v1.7.0", 60),
        ("logging", "v1.8.0", 20),
        ("guardrails", "v3.1", 90),
        ("guardrails", "v3.2", 30),
        ("network", "2.0.0", 100),
    ]
    .into_iter()
    .map(|(component, version, ago)| {
        Event::Standard(StandardRelease {
            component: component.into(),
            version: version.into(),
            time: now - days(ago),
        })
    })
    .collect()
}

/// Account, team, component, version, days ago, override reason.
type AccountRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<&'static str>,
);

/// Four accounts: current, one release behind, far behind (a component
/// missing), and behind on purpose with a declared override.
fn accounts(now: Time) -> Vec<Event> {
    let rows: [AccountRow; 11] = [
        ("210987654321", "payments", "logging", "v1.8.0", 18, None),
        ("210987654321", "payments", "guardrails", "v3.2", 28, None),
        ("210987654321", "payments", "network", "2.0.0", 95, None),
        ("345678901234", "checkout", "logging", "v1.7.0", 50, None),
        ("345678901234", "checkout", "guardrails", "v3.2", 25, None),
        ("345678901234", "checkout", "network", "2.0.0", 90, None),
        ("456789012345", "billing", "logging", "v1.6.0", 110, None),
        ("456789012345", "billing", "guardrails", "v3.1", 80, None),
        (
            "567890123456",
            "data",
            "logging",
            "v1.6.0",
            100,
            Some("held for the quarter-end data freeze"),
        ),
        ("567890123456", "data", "guardrails", "v3.2", 20, None),
        ("567890123456", "data", "network", "2.0.0", 60, None),
    ];
    rows.into_iter()
        .map(|(account, team, component, version, ago, reason)| {
            Event::Baseline(Baseline {
                account: account.into(),
                component: component.into(),
                version: version.into(),
                time: now - days(ago),
                team: Some(team.into()),
                override_reason: reason.map(Text::from),
            })
        })
        .collect()
}
