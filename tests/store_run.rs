//! The store task: applies updates, publishes snapshots, and outlives sources
//! that finish (an events file read once must stay on screen).

use std::time::Duration;

use chrono::{TimeZone, Utc};
use flightdeck::model::Text;
use flightdeck::model::settings::Settings;
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::sources::events::parse_str;
use flightdeck::store::Store;
use flightdeck::util::clock::Clock;
use tokio::sync::mpsc;

#[tokio::test]
async fn the_store_keeps_publishing_after_every_source_has_finished() {
    let now = Utc
        .with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
        .single()
        .expect("time");
    let (store, mut snapshots) = Store::new(Settings::default(), Clock::Fixed(now));
    let (tx, rx) = mpsc::channel(8);
    let task = tokio::spawn(store.run(rx));
    let (events, _) = parse_str(
        r#"{"type":"deployment","id":"d1","service":"api","team":"core","time":"2024-03-20T00:00:00Z","status":"success"}"#,
    );
    let source = Text::from("file");
    tx.send(SourceUpdate::Registered {
        source: source.clone(),
        kind: "events",
    })
    .await
    .expect("store is running");
    tx.send(SourceUpdate::Events { source, events })
        .await
        .expect("store is running");
    drop(tx);

    let snapshot = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            snapshots.changed().await.expect("store alive");
            let s = snapshots.borrow_and_update().clone();
            if !s.records.deployments.is_empty() {
                return s;
            }
        }
    })
    .await
    .expect("a snapshot with the deployment");
    let w = &snapshot.views.windows[1];
    assert_eq!(w.scorecards.teams.len(), 1);
    assert_eq!(
        w.scorecards.teams[0]
            .current
            .deployment_frequency
            .deployments,
        1
    );
    assert_eq!(snapshot.sources[0].items.total(), 1);

    // Every sender is gone; the store must still be there for the UI.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !task.is_finished(),
        "the store stopped when its sources finished"
    );
    assert!(
        snapshots.has_changed().is_ok(),
        "the snapshot channel closed"
    );

    // It ends when the UI lets go.
    drop(snapshots);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the store ends once nobody watches")
        .expect("the store task did not panic");
}

#[tokio::test]
async fn a_failing_source_is_marked_and_keeps_its_data() {
    let now = Utc
        .with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
        .single()
        .expect("time");
    let (mut store, snapshots) = Store::new(Settings::default(), Clock::Fixed(now));
    let source = Text::from("file");
    let (events, _) =
        parse_str(r#"{"type":"change","id":"c1","service":"api","time":"2024-03-20T00:00:00Z"}"#);
    store.apply(
        SourceUpdate::Events {
            source: source.clone(),
            events,
        },
        now,
    );
    store.apply(
        SourceUpdate::Failed {
            source,
            error: "connection refused".into(),
        },
        now + chrono::TimeDelta::seconds(1),
    );
    store.publish(now, true);
    let s = snapshots.borrow().clone();
    assert_eq!(s.records.changes.len(), 1, "earlier data stays");
    assert!(s.sources[0].failing());
    assert_eq!(
        s.sources[0].last_error.as_ref().map(|e| e.1.as_str()),
        Some("connection refused")
    );
}
