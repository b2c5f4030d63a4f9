//! The live store on a large organisation (DESIGN.md "Performance", issue 11):
//! 1,000,000 events of the `LARGE_ORG` profile (240 teams, 560 days), the same
//! generator `examples/gen_events.rs` writes to NDJSON.
//!
//! - `facts_one_deployment`: the metric engine alone: one deployment applied to
//!   records a snapshot holds and the facts brought up to date (`Facts::update`),
//!   then also every team's three windows evaluated;
//! - `store_apply_one_deployment`: one new deployment line applied to the store
//!   while the UI holds the last snapshot (copy-on-write of the chunks it touches),
//!   followed by the full recompute and publish the store does after a batch, and
//!   (last, as it adds a deployment per iteration) published without a recompute;
//! - `store_tick`: the clock tick: the windows re-evaluated at a later time with the
//!   records unchanged (facts kept), and published.

use std::hint::black_box;
use std::time::Duration;

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};

use flightdeck::metrics::{DORA_2023, Window};
use flightdeck::model::records::Touched;
use flightdeck::model::settings::Settings;
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::model::{DeployStatus, DeploymentEvent, Event, Text};
use flightdeck::store::{Store, WINDOW_DAYS};
use flightdeck::util::clock::Clock;

#[allow(dead_code)]
#[path = "metrics.rs"]
mod metrics;

use metrics::synth;

const EVENTS: usize = 1_000_000;

type Time = chrono::DateTime<chrono::Utc>;

/// The n-th new deployment: an hour before `end` (plus n milliseconds, so no two
/// tie), to the services of the history in turn, as an organisation's stream of
/// deployments would be (one service taking them all would grow without bound
/// over criterion's many iterations).
fn deployment(n: usize, targets: &[(Text, Text)], end: Time) -> Event {
    let (service, team) = &targets[n % targets.len()];
    Event::Deployment(DeploymentEvent {
        id: format!("bench-{n}").into(),
        service: service.clone(),
        time: end - TimeDelta::hours(1) + TimeDelta::milliseconds(n as i64),
        status: DeployStatus::Success,
        team: Some(team.clone()),
        environment: None,
        region: Some(Text::from("us-east-1")),
        stage: Some(Text::from("canary")),
        changes: Vec::new(),
        hotfix: false,
        url: None,
    })
}

fn store(c: &mut Criterion) {
    let profile = &synth::LARGE_ORG;
    let end = synth::end_of(profile);
    let events = synth::generate_with(EVENTS, synth::SEED, profile);
    let (mut store, snapshots) = Store::new(Settings::default(), Clock::Fixed(end));
    store.apply(
        SourceUpdate::Events {
            source: "file".into(),
            events,
        },
        end,
    );
    store.publish(end, true);
    let first = snapshots.borrow().clone();
    // Each service of the history once, with its team, in record order.
    let mut seen = std::collections::HashSet::new();
    let targets: Vec<(Text, Text)> = first
        .records
        .deployments
        .iter()
        .filter(|d| seen.insert(d.service.clone()))
        .map(|d| {
            (
                d.service.clone(),
                d.team.clone().unwrap_or_else(|| "x".into()),
            )
        })
        .collect();
    eprintln!(
        "store: {} events, {} deployments, {} teams",
        first.records.event_count(),
        first.records.deployments.len(),
        first.views.facts.teams.len()
    );
    facts_benches(c, &first, &targets, end);
    drop(first);
    // The tick first: each apply below adds a deployment an hour old, which is a
    // lane on screen, so ticks measured after them would build more lanes.
    let mut g = c.benchmark_group("store_tick");
    let mut tick = 0;
    g.bench_function("tick_recompute_publish", |b| {
        b.iter(|| {
            tick += 1;
            store.publish(end + TimeDelta::seconds(tick), true);
        })
    });
    g.finish();
    let mut n = 0;
    let mut g = c.benchmark_group("store_apply_one_deployment");
    g.bench_function("apply_recompute_publish", |b| {
        b.iter(|| {
            let _held = snapshots.borrow().clone();
            n += 1;
            let update = SourceUpdate::Events {
                source: "file".into(),
                events: vec![deployment(n, &targets, end)],
            };
            store.apply(update, end);
            store.publish(end, true);
        })
    });
    g.finish();
    // Last: applying alone is so quick that criterion adds a million deployments,
    // which would weigh on every recompute measured after it.
    let mut g = c.benchmark_group("store_apply_one_deployment");
    g.bench_function("apply_publish_without_recompute", |b| {
        b.iter(|| {
            // The UI holds the published snapshot while the store writes, so the
            // chunk and the index shard the line lands in are copied on write.
            let _held = snapshots.borrow().clone();
            n += 1;
            let update = SourceUpdate::Events {
                source: "file".into(),
                events: vec![deployment(n, &targets, end)],
            };
            black_box(store.apply(update, end));
            store.publish(end, false);
        })
    });
    g.finish();
}

/// The store's own steps, without the lanes and the rest of the views: one
/// deployment applied to records a snapshot holds, the facts brought up to
/// date, and (second) every team's three windows evaluated.
fn facts_benches(
    c: &mut Criterion,
    first: &flightdeck::store::Snapshot,
    targets: &[(Text, Text)],
    end: Time,
) {
    let settings = Settings::default();
    let mut records = (*first.records).clone();
    let mut facts = (*first.views.facts).clone();
    let mut k = 0;
    let mut g = c.benchmark_group("facts_one_deployment");
    for evaluate in [false, true] {
        let name = if evaluate {
            "apply_update_evaluate_3_windows"
        } else {
            "apply_update"
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                let _held = (records.clone(), facts.clone());
                k += 1;
                let mut touched = Touched::default();
                touched.note(records.apply(deployment(k, targets, end)));
                facts.update(&records, &settings, &touched);
                if evaluate {
                    for days in WINDOW_DAYS {
                        let w = Window::ending(end, TimeDelta::days(days));
                        black_box(facts.evaluate(&records, w, &DORA_2023));
                    }
                }
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = store
}
criterion_main!(benches);
