//! The demo at normal speed shows trouble early: driven with an injected clock
//! from its start, the alerts the cockpit would raise within 10 minutes hold a
//! failed canary or a rollback, a pause past its threshold and an incident;
//! then about one new alert every few minutes; every incident of the live
//! episodes names the deployment that caused it, which started before it.

use std::collections::BTreeMap;

use chrono::{TimeDelta, TimeZone, Utc};
use flightdeck::metrics::alerts::{self, AlertKind};
use flightdeck::metrics::lanes;
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::{Event, Time};
use flightdeck::sources::demo::DemoOrg;

fn start() -> Time {
    Utc.with_ymd_and_hms(2026, 6, 1, 14, 7, 0)
        .single()
        .expect("time")
}

/// When each alert (by key) was first raised, stepping the clock by 30 s up
/// to `minutes` after the start; and the events the stream sent.
fn run(seed: u64, minutes: i64) -> (BTreeMap<String, (AlertKind, TimeDelta)>, Vec<Event>) {
    let org = DemoOrg::new(seed);
    let mut settings = Settings::default();
    org.declare(&mut settings);
    let mut stream = org.stream(start());
    let mut records = Records::from_events(stream.advance(start()));
    let before: Vec<String> = alerts::derive(
        &lanes::compute(&records, &settings, start()),
        &records,
        start(),
    )
    .into_iter()
    .map(|a| a.key.to_string())
    .collect();
    let mut first = BTreeMap::new();
    let mut sent = Vec::new();
    for step in 1..=minutes * 2 {
        let now = start() + TimeDelta::seconds(30 * step);
        for e in stream.advance(now) {
            sent.push(e.clone());
            records.apply(e);
        }
        let lanes = lanes::compute(&records, &settings, now);
        for a in alerts::derive(&lanes, &records, now) {
            if !before.contains(&a.key.to_string()) {
                first
                    .entry(a.key.to_string())
                    .or_insert((a.kind, now - start()));
            }
        }
    }
    (first, sent)
}

fn earliest(first: &BTreeMap<String, (AlertKind, TimeDelta)>, kinds: &[AlertKind]) -> TimeDelta {
    first
        .values()
        .filter(|(k, _)| kinds.contains(k))
        .map(|(_, t)| *t)
        .min()
        .unwrap_or(TimeDelta::MAX)
}

#[test]
fn the_demo_raises_a_failure_a_long_pause_and_an_incident_in_its_first_10_minutes() {
    for seed in [1, 42, 7] {
        let (first, _) = run(seed, 10);
        let ten = TimeDelta::minutes(10);
        let failure = earliest(&first, &[AlertKind::CanaryFailed, AlertKind::RolledBack]);
        let pause = earliest(&first, &[AlertKind::PausedTooLong]);
        let incident = earliest(&first, &[AlertKind::IncidentOpened]);
        assert!(failure <= ten, "seed {seed}: {first:#?}");
        assert!(pause <= ten, "seed {seed}: {first:#?}");
        assert!(incident <= ten, "seed {seed}: {first:#?}");
        // The opening's times, for the record: failure at 3 min, incident
        // at 5, pause past 10 minutes at 9.
        assert_eq!(
            (
                failure.num_seconds(),
                incident.num_seconds(),
                pause.num_seconds()
            ),
            (180, 300, 540),
            "seed {seed}"
        );
    }
}

#[test]
fn then_about_one_alert_every_few_minutes_with_incidents_on_their_cause() {
    let (first, sent) = run(42, 60);
    // After the opening, every 10-minute span raises at least one new alert,
    // and the hour about one every 3 to 6 minutes.
    for from in (10..60).step_by(10) {
        let n = first
            .values()
            .filter(|(_, t)| *t > TimeDelta::minutes(from) && *t <= TimeDelta::minutes(from + 10))
            .count();
        let mut all: Vec<_> = first
            .iter()
            .map(|(k, (_, t))| (t.num_seconds(), k))
            .collect();
        all.sort();
        assert!(n >= 1, "minutes {from}-{}: {all:?}", from + 10);
    }
    assert!(
        (10..=25).contains(&first.len()),
        "{}: {first:#?}",
        first.len()
    );
    // Each live incident names a deployment of its service that started
    // before it opened.
    let mut checked = 0;
    for e in &sent {
        let Event::Incident(i) = e else { continue };
        let Some(dep) = &i.deployment else { continue };
        let started = sent
            .iter()
            .filter_map(|e| match e {
                Event::Deployment(d) if d.id == *dep => Some((d.time, d.service.clone())),
                _ => None,
            })
            .min();
        let (at, service) = started.unwrap_or_else(|| panic!("{dep} was never deployed"));
        assert_eq!(service, i.service, "{}", i.id);
        assert!(at < i.opened, "{} opened before {dep} started", i.id);
        checked += 1;
    }
    assert!(checked >= 3, "{checked} incidents named their deployment");
}

/// The demo's history: an incident named after a deployment (`INC-<id>`, one
/// that deployment caused) is attributed to that deployment, never to a
/// later one of the same service that happened to come before it opened.
#[test]
fn history_incidents_are_attributed_to_the_deployment_that_caused_them() {
    let s = crate::support::demo_snapshot();
    let records = &s.records;
    let mut caused = 0;
    for (inc, facts) in records.incidents.iter().zip(&s.views.facts.incidents) {
        let Some(cause) = inc.id.strip_prefix("INC-") else {
            continue;
        };
        // Background incidents (`INC-<service>-b012`) have no cause.
        if cause.rsplit('-').next().is_some_and(|n| n.starts_with('b')) {
            continue;
        }
        let blamed = facts
            .attribution
            .and_then(|a| records.deployments.get(a.deployment()))
            .map(|d| d.id.to_string());
        assert_eq!(blamed.as_deref(), Some(cause), "{}", inc.id);
        caused += 1;
    }
    assert!(caused >= 50, "only {caused} caused incidents in the demo");
}
