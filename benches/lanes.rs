//! One Lanes frame with 200 in-flight lanes across 6 regions (target < 2 ms),
//! and the lane model computed from those records.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use flightdeck::app::Action;
use flightdeck::metrics::lanes;
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::{CanaryResult, DeployStatus, DeploymentEvent, Event, Id, Text, Verdict};
use flightdeck::store::Snapshot;
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const REGIONS: [&str; 6] = [
    "us-east-1",
    "eu-west-1",
    "ap-south-1",
    "sa-east-1",
    "us-west-2",
    "eu-central-1",
];

fn fixture() -> (Records, Settings, chrono::DateTime<Utc>) {
    let t0 = Utc
        .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let mut events = Vec::new();
    for n in 0..200 {
        let id = Id::from(format!("service-{:03}-{n:04}", n % 40));
        let start = t0 + TimeDelta::minutes(n);
        // Each lane has reached a different region; the last one always runs.
        let reached = 1 + (n as usize % 6);
        for (r, region) in REGIONS.iter().enumerate().take(reached) {
            let at = start + TimeDelta::minutes(10 * r as i64);
            let done = r + 1 < reached;
            let line = |status, time| {
                Event::Deployment(DeploymentEvent {
                    id: id.clone(),
                    service: Text::from(format!("service-{:03}", n % 40)),
                    time,
                    status,
                    team: Some(Text::from("team")),
                    environment: None,
                    region: Some(Text::from(*region)),
                    stage: Some(Text::from(if r == 0 { "canary @10%" } else { "rollout" })),
                    changes: vec![],
                    hotfix: false,
                    url: None,
                })
            };
            events.push(line(DeployStatus::InProgress, at));
            if done {
                events.push(line(DeployStatus::Success, at + TimeDelta::minutes(8)));
            }
            if r == 0 {
                events.push(Event::Canary(CanaryResult {
                    deployment: Text::from(id.as_str()),
                    region: Text::from(*region),
                    time: at + TimeDelta::minutes(8),
                    verdict: Some(Verdict::Pass),
                    error_rate: Some(0.001 * (n % 7) as f64),
                    baseline_error_rate: Some(0.004),
                    p99_ms: Some(200.0),
                    baseline_p99_ms: Some(210.0),
                    score: Some(95.0),
                }));
            }
        }
    }
    let settings = Settings {
        regions: REGIONS.iter().map(|r| Text::from(*r)).collect(),
        ..Settings::default()
    };
    (
        Records::from_events(events),
        settings,
        t0 + TimeDelta::hours(5),
    )
}

fn bench(c: &mut Criterion) {
    let (records, settings, now) = fixture();
    c.bench_function("lanes model: 200 deployments x 6 regions", |b| {
        b.iter(|| lanes::compute(&records, &settings, now))
    });
    let snapshot = Snapshot::compute(Arc::new(records), Arc::new(settings), vec![], now, 1);
    assert_eq!(snapshot.views.lanes.in_flight, 200);
    assert_eq!(snapshot.views.lanes.regions.len(), 6);
    let mut app = flightdeck::ui::screens::app(now);
    let lanes = flightdeck::ui::screens::tabs()
        .iter()
        .position(|s| s.name() == "Lanes")
        .unwrap_or(1);
    app.update(Action::Show(lanes), &snapshot);
    for (w, h) in [(120, 40), (200, 60)] {
        let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(e) => panic!("test backend: {e}"),
        };
        c.bench_function(
            &format!("lanes frame {w}x{h}: 200 lanes x 6 regions"),
            |b| {
                b.iter(|| {
                    terminal
                        .draw(|f| ui::render(f, &app, &snapshot))
                        .map(|_| ())
                })
            },
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
