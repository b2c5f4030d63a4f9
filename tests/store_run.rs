//! The store task: applies updates, publishes snapshots, and outlives sources
//! that finish (an events file read once must stay on screen).

use std::time::Duration;

use chrono::{TimeZone, Utc};
use flightdeck::model::Text;
use flightdeck::model::settings::Settings;
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::sources::events::parse_str;
use flightdeck::store::{Snapshot, Store};
use flightdeck::util::clock::Clock;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

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

/// The next snapshot published, within 5 s.
async fn next(snapshots: &mut watch::Receiver<Arc<Snapshot>>) -> Arc<Snapshot> {
    tokio::time::timeout(Duration::from_secs(5), snapshots.changed())
        .await
        .expect("a snapshot within 5 s")
        .expect("store alive");
    snapshots.borrow_and_update().clone()
}

/// Deployment lines `d{n}` of one team, within the 30-day window.
fn deployments(ids: &[u32]) -> Vec<flightdeck::model::Event> {
    let lines: Vec<String> = ids
        .iter()
        .map(|n| {
            format!(
                r#"{{"type":"deployment","id":"d{n}","service":"api","team":"core","time":"2024-03-20T00:00:00Z","status":"success"}}"#
            )
        })
        .collect();
    parse_str(&lines.join("\n")).0
}

/// Nothing is published for a while (the store had time to apply what it got).
async fn nothing_published(snapshots: &watch::Receiver<Arc<Snapshot>>) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !snapshots.has_changed().expect("store alive"),
        "a snapshot was published between the parts of a read"
    );
}

/// A large read reaches the store in parts (`SourceUpdate::EventsPart`): they
/// are applied as they come, but no snapshot shows part of the read as if it
/// were the whole history. The read's end publishes it all, and its poll
/// counts the parts too; a read that fails between parts shows what it read.
#[tokio::test]
async fn a_read_in_parts_is_shown_only_whole() {
    let now = Utc
        .with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
        .single()
        .expect("time");
    let (store, mut snapshots) = Store::new(Settings::default(), Clock::Fixed(now));
    let (tx, rx) = mpsc::channel(8);
    let _task = tokio::spawn(store.run(rx));
    let source = Text::from("file");
    let send = |update| {
        let tx = tx.clone();
        async move { tx.send(update).await.expect("store is running") }
    };
    send(SourceUpdate::Registered {
        source: source.clone(),
        kind: "events",
    })
    .await;
    let registered = next(&mut snapshots).await;
    assert_eq!(registered.sources.len(), 1);

    // Two parts and a status between them: nothing is published.
    for part in [deployments(&[1, 2]), deployments(&[3])] {
        send(SourceUpdate::EventsPart {
            source: source.clone(),
            events: part,
        })
        .await;
    }
    send(SourceUpdate::Warned {
        source: source.clone(),
        warning: "1 malformed line skipped".into(),
    })
    .await;
    nothing_published(&snapshots).await;

    // The read's end: everything at once, and one poll that read all of it.
    send(SourceUpdate::Events {
        source: source.clone(),
        events: deployments(&[4]),
    })
    .await;
    let whole = next(&mut snapshots).await;
    assert_eq!(whole.records.deployments.len(), 4);
    let w = &whole.views.windows[1];
    assert_eq!(
        w.scorecards.teams[0]
            .current
            .deployment_frequency
            .deployments,
        4
    );
    let status = &whole.sources[0];
    assert_eq!(status.items.total(), 4);
    assert_eq!(status.polls.back().map(|p| p.read.clone()), Some(Ok(4)));
    assert_eq!(status.warning.as_deref(), Some("1 malformed line skipped"));

    // A read that fails after a part: the part is shown with the failure.
    send(SourceUpdate::EventsPart {
        source: source.clone(),
        events: deployments(&[5]),
    })
    .await;
    nothing_published(&snapshots).await;
    send(SourceUpdate::Failed {
        source: source.clone(),
        error: "cannot read file: input/output error".into(),
    })
    .await;
    let failed = next(&mut snapshots).await;
    assert_eq!(failed.records.deployments.len(), 5);
    let status = &failed.sources[0];
    assert!(status.last_error.is_some());
    assert!(status.polls.back().is_some_and(|p| p.read.is_err()));
}
