//! A recorded event log replayed at high speed reaches the same scorecards as
//! `flightdeck report` on the same file at the same `--now`; and `--record`
//! writes what the store receives so that it replays to the same records.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use flightdeck::model::Text;
use flightdeck::model::diagnostics::Diagnostics;
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::report::model::Report;
use flightdeck::sources::events;
use flightdeck::sources::replay::{self, ReplayFeed};
use flightdeck::store::{Store, Views};
use serde_json::Value;
use tokio::sync::mpsc;

const NOW: &str = "2024-04-01T00:00:00Z";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report_handwritten.ndjson")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .expect("time")
        .with_timezone(&Utc)
}

/// `flightdeck report --format json` on `file` at NOW for a window of `days`.
fn report_json(file: &Path, days: i64) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--format", "json", "--now", NOW])
        .args(["--window", &format!("{days}d"), "--events"])
        .arg(file)
        .output()
        .expect("report runs");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

/// The parts of the report that are scorecards (diagnostics are about reading;
/// the failures' reasons are the drill-down's, tested with the report).
fn scorecards_of(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("diagnostics");
    }
    for team in v["teams"].as_array_mut().into_iter().flatten() {
        if let Some(c) = team["change_failure_rate"].as_object_mut() {
            c.remove("failures");
        }
        if let Some(c) = team["previous"]["change_failure_rate"].as_object_mut() {
            c.remove("failures");
        }
    }
    v
}

fn assert_views_match_report(views: &Views, records: &Records, file: &Path) {
    assert_eq!(views.now, now());
    for w in &views.windows {
        // The report adds each team's findings posture from the same records.
        let audit = flightdeck::report::findings::audit(
            w.scorecards.teams.iter().map(|t| &*t.team),
            &records.findings,
            &flightdeck::model::settings::Settings::default(),
            views.now,
            chrono::TimeDelta::days(w.days),
        );
        let diagnostics = Diagnostics::default();
        let replayed = Report::new(&w.scorecards, &audit, &diagnostics)
            .with_history_from(records.earliest())
            .json();
        let replayed = scorecards_of(replayed);
        let reported = scorecards_of(report_json(file, w.days));
        assert_eq!(replayed, reported, "{}-day window", w.days);
    }
}

#[test]
fn a_replay_driven_step_by_step_reaches_the_report_scorecards() {
    let (events, _) = events::read_file(&fixture(), false).expect("fixture");
    let total = events.len();
    let mut feed = ReplayFeed::new(events, None, Some(now())).expect("events to replay");
    let clock = feed.clock(1.0);
    let replay_clock = clock.replay().expect("a replay clock").clone();
    replay_clock.toggle_pause();
    assert_eq!(clock.now(), feed.start());
    let (mut store, snapshots) = Store::new(Settings::default(), clock.clone());
    let source = Text::from("replay");
    let mut delivered = 0;
    // Six-hour steps from the first event to --to, publishing as the store does.
    let mut t = feed.start();
    loop {
        replay_clock.jump_to(t);
        let due = feed.due(clock.now());
        delivered += due.len();
        store.apply(
            SourceUpdate::Events {
                source: source.clone(),
                events: due,
            },
            clock.now(),
        );
        store.publish(clock.now(), true);
        if replay_clock.status().ended {
            break;
        }
        t += TimeDelta::hours(6);
    }
    assert_eq!(delivered, total, "every event replayed");
    assert!(feed.finished());
    let snapshot = snapshots.borrow().clone();
    assert_views_match_report(&snapshot.views, &snapshot.records, &fixture());
}

#[test]
fn a_replay_at_high_speed_through_the_store_task_gets_every_event() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (events, _) = events::read_file(&fixture(), false).expect("fixture");
        let total = events.len();
        let feed = ReplayFeed::new(events, None, Some(now())).expect("events");
        // 42 days of log in well under a second.
        let clock = feed.clock(20_000_000.0);
        let (store, mut snapshots) = Store::new(Settings::default(), clock.clone());
        let (updates, inbox) = mpsc::channel(256);
        tokio::spawn(store.run(inbox));
        tokio::spawn(replay::run(
            feed,
            Text::from("replay"),
            clock.clone(),
            updates,
        ));
        let snapshot = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                let s = snapshots.borrow_and_update().clone();
                let items: u64 = s.sources.iter().map(|s| s.items.total()).sum();
                if items as usize == total {
                    return s;
                }
                if snapshots.changed().await.is_err() {
                    panic!("the store stopped");
                }
            }
        })
        .await
        .expect("the replay delivers every event in time");
        // Every event is in; the clock reaches `--to` (a little after the
        // last event) soon after, later on a loaded machine.
        tokio::time::timeout(Duration::from_secs(30), async {
            while !clock.replay().is_some_and(|r| r.status().ended) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the replay ends at --to");
        // The store's records at the replay's end, evaluated as the store does.
        let views = Views::compute(&snapshot.records, &Settings::default(), clock.now());
        assert_views_match_report(&views, &snapshot.records, &fixture());
    });
}

#[test]
fn a_recording_replays_to_the_same_scorecards() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = std::env::temp_dir().join(format!("fd-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("recorded.ndjson");
    let _ = std::fs::remove_file(&path);
    let (events, _) = events::read_file(&fixture(), false).expect("fixture");
    // The recording began halfway through the fixture's history.
    let mut times: Vec<_> = events.iter().map(|e| e.time()).collect();
    times.sort();
    let started = times[times.len() / 2];
    runtime.block_on(async {
        let (store_tx, mut store_rx) = mpsc::channel(16);
        let file = flightdeck::commands::recording::open(&path).expect("recording opens");
        let tee = flightdeck::commands::recording::tee(file, (path.clone(), started), store_tx);
        // Three batches, as a source would send them; the store side still gets all.
        for chunk in events.chunks(17) {
            tee.send(SourceUpdate::Events {
                source: Text::from("events"),
                events: chunk.to_vec(),
            })
            .await
            .expect("tee accepts");
        }
        drop(tee);
        let mut forwarded = 0;
        while let Some(update) = store_rx.recv().await {
            if let SourceUpdate::Events { events, .. } = update {
                forwarded += events.len();
            }
        }
        assert_eq!(forwarded, events.len());
    });
    let (recorded, diagnostics) = events::read_file(&path, true).expect("recording reads");
    assert!(diagnostics.malformed.is_empty());
    assert_eq!(recorded, events);
    // The marker line is skipped as a line of an unknown type, as the schema says.
    assert_eq!(diagnostics.skipped_types, 1);
    // `replay` starts where the recording began: what came before was history
    // then, applied at once; `--from` still overrides.
    let mut args = flightdeck::commands::cli::ReplayArgs {
        file: path.clone(),
        speed: 60.0,
        from: None,
        to: None,
        theme: None,
        config: None,
    };
    let feed = flightdeck::commands::replay::feed(&args).expect("feed");
    assert_eq!(feed.start(), started);
    assert!(times[0] < started);
    args.from = Some(times[1]);
    assert_eq!(
        flightdeck::commands::replay::feed(&args)
            .expect("feed")
            .start(),
        times[1]
    );
    // And the recording reports exactly as the original does.
    assert_eq!(
        scorecards_of(report_json(&path, 30)),
        scorecards_of(report_json(&fixture(), 30))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
