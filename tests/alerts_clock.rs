//! Release-window alerts on the clock: a pause alert fires at its threshold
//! with no new data, ages tick, an alert whose condition ended stays (cleared)
//! until acknowledged, the flash shows only what the feed holds, and
//! acknowledgements survive a restart. Every time here is injected.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use flightdeck::app::{Action, App, Effect};
use flightdeck::commands::acknowledgements;
use flightdeck::metrics::alerts::{AlertKind, PAUSED_TOO_LONG};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::model::{DeployStatus, DeploymentEvent, Event, Incident, Text, Time};
use flightdeck::store::{Snapshot, Store};
use flightdeck::ui;
use flightdeck::util::clock::Clock;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("time")
}

fn at(min: i64, sec: i64) -> Time {
    t0() + TimeDelta::minutes(min) + TimeDelta::seconds(sec)
}

fn settings() -> Settings {
    Settings {
        regions: ["us-east-1", "eu-west-1"]
            .iter()
            .map(|r| Text::from(*r))
            .collect(),
        ..Settings::default()
    }
}

fn stage(id: &str, time: Time, status: DeployStatus, region: &str, stage: &str) -> Event {
    Event::Deployment(DeploymentEvent {
        id: id.into(),
        service: "pricing".into(),
        time,
        status,
        team: Some("payments".into()),
        environment: None,
        region: Some(region.into()),
        stage: Some(stage.into()),
        changes: vec![],
        hotfix: false,
        url: None,
    })
}

/// `pricing-1`: done in the canary region, paused in the second at minute 0.
fn paused_rollout() -> Vec<Event> {
    vec![
        stage(
            "pricing-1",
            at(-20, 0),
            DeployStatus::Success,
            "us-east-1",
            "done",
        ),
        stage(
            "pricing-1",
            at(0, 0),
            DeployStatus::InProgress,
            "eu-west-1",
            "paused: awaiting promotion",
        ),
    ]
}

fn promoted() -> Event {
    stage(
        "pricing-1",
        at(20, 0),
        DeployStatus::Success,
        "eu-west-1",
        "done",
    )
}

fn pause_alerts(s: &Snapshot) -> Vec<Time> {
    s.views
        .alerts
        .iter()
        .filter(|a| a.kind == AlertKind::PausedTooLong)
        .map(|a| a.at)
        .collect()
}

fn events(events: Vec<Event>) -> SourceUpdate {
    SourceUpdate::Events {
        source: "test".into(),
        events,
    }
}

/// The store, fed the paused rollout at minute 0 and published then.
fn store_with_pause() -> (Store, tokio::sync::watch::Receiver<Arc<Snapshot>>) {
    let (mut store, snapshots) = Store::new(settings(), Clock::Fixed(t0()));
    store.apply(events(paused_rollout()), t0());
    store.publish(t0(), true);
    (store, snapshots)
}

#[test]
fn a_pause_alert_fires_at_its_threshold_on_a_tick_without_new_data() {
    let (mut store, snapshots) = store_with_pause();
    let first = snapshots.borrow().clone();
    assert!(pause_alerts(&first).is_empty());
    // The store knows when the alert falls due, so it can wake then.
    assert_eq!(first.views.alerts_due, Some(t0() + PAUSED_TOO_LONG));
    // A second before the threshold: nothing; at it: the alert, dated at it.
    store.publish(at(9, 59), true);
    assert!(pause_alerts(&snapshots.borrow()).is_empty());
    store.publish(at(10, 0), true);
    let due = snapshots.borrow().clone();
    assert_eq!(pause_alerts(&due), vec![at(10, 0)]);
    assert_eq!(due.views.alerts_due, None);
}

#[test]
fn the_store_task_wakes_for_a_pause_alert_with_no_data_arriving() {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        panic!("no tokio runtime");
    };
    rt.block_on(async {
        // 3000x real time: the 10 minutes pass in 0.2 s, far inside the
        // store's 10 s idle recompute, so only the wake at the due time can
        // bring the alert this soon.
        let (store, mut snapshots) = Store::new(settings(), Clock::running(t0(), 3000.0));
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let task = tokio::spawn(store.run(rx));
        tx.send(events(paused_rollout())).await.expect("store open");
        let found = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            loop {
                snapshots.changed().await.expect("store running");
                let s = snapshots.borrow_and_update().clone();
                if let Some(t) = pause_alerts(&s).first() {
                    return (*t, s.views.now);
                }
            }
        })
        .await;
        drop(snapshots);
        drop(tx);
        let _ = task.await;
        let (alert_at, computed) = found.expect("a pause alert within 5 s (10 simulated minutes)");
        assert_eq!(alert_at, t0() + PAUSED_TOO_LONG);
        // Computed at the threshold, not a whole idle period later: 10 s real
        // would be 500 simulated minutes.
        let late = computed - alert_at;
        assert!(late < TimeDelta::minutes(2), "computed {late} late");
    });
}

fn app_on(s: &Snapshot, now: Time) -> App {
    let mut app = ui::screens::app(now);
    app.refresh(s);
    app.on_alerts(s);
    app.update(Action::ReleaseWindow, s);
    app
}

fn screen(app: &App, s: &Snapshot) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    terminal.draw(|f| ui::render(f, app, s)).expect("draw");
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn snapshot_at(records: &Records, now: Time) -> Snapshot {
    Snapshot::compute(
        Arc::new(records.clone()),
        Arc::new(settings()),
        vec![],
        now,
        now.timestamp() as u64,
    )
}

#[test]
fn the_alert_text_ages_with_the_clock_between_snapshots() {
    let records = Records::from_events(paused_rollout());
    let s = snapshot_at(&records, at(11, 30));
    let mut app = app_on(&s, at(11, 30));
    assert!(
        screen(&app, &s).contains("paused in eu-west-1 for 11m 30s: awaiting promotion"),
        "{}",
        screen(&app, &s)
    );
    // No new snapshot, the clock ticks on: the age follows it.
    app.tick(at(14, 0), &s);
    let t = screen(&app, &s);
    assert!(t.contains("for 14m 00s: awaiting promotion"), "{t}");
    assert!(t.contains("last 6h"), "the feed states its lookback: {t}");
}

#[test]
fn an_alert_whose_condition_ended_stays_cleared_until_acknowledged() {
    let mut records = Records::from_events(paused_rollout());
    let s = snapshot_at(&records, at(15, 0));
    let mut app = app_on(&s, at(15, 0));
    assert_eq!(app.open_alerts().count(), 1);
    // Promoted at minute 20: the lanes no longer derive the pause alert.
    records.apply(promoted());
    let after = snapshot_at(&records, at(21, 0));
    assert!(pause_alerts(&after).is_empty());
    app.on_alerts(&after);
    app.tick(at(21, 0), &after);
    let kept: Vec<_> = app.open_alerts().collect();
    assert_eq!(kept.len(), 1, "the alert stays until acknowledged");
    assert_eq!(kept[0].cleared, Some(at(21, 0)));
    let t = screen(&app, &after);
    // The age stops where the condition ended, and the row says it cleared.
    assert!(
        t.contains("for 21m 00s: awaiting promotion  cleared 09:21"),
        "{t}"
    );
    assert!(t.contains(" REL 1 "), "{t}");
    // Hours later (past the lookback) it is still there, unacknowledged.
    let much_later = snapshot_at(&records, at(8 * 60, 0));
    app.on_alerts(&much_later);
    assert_eq!(app.open_alerts().count(), 1);
    // Acknowledged: it leaves the feed.
    assert_eq!(
        app.update(Action::Acknowledge, &much_later),
        Effect::Acknowledged
    );
    assert_eq!(app.open_alerts().count(), 0);
    assert!(app.release.log.entries().is_empty());
}

#[test]
fn an_incident_alert_clears_when_the_incident_is_resolved() {
    let mut records = Records::from_events(paused_rollout());
    let incident = |resolved: Option<Time>| {
        Event::Incident(Incident {
            id: "INC-1".into(),
            service: "pricing".into(),
            opened: at(5, 0),
            team: None,
            resolved,
            deployment: None,
            severity: Some("sev2".into()),
            title: Some("Checkout errors".into()),
            url: None,
        })
    };
    records.apply(incident(None));
    let s = snapshot_at(&records, at(6, 0));
    let mut app = app_on(&s, at(6, 0));
    let inc = |app: &App| {
        app.release
            .log
            .get("incident:INC-1")
            .map(|a| a.cleared)
            .expect("incident alert in the feed")
    };
    assert_eq!(inc(&app), None);
    records.apply(incident(Some(at(9, 0))));
    app.on_alerts(&snapshot_at(&records, at(9, 30)));
    assert_eq!(inc(&app), Some(at(9, 0)));
}

#[test]
fn the_flash_shows_only_what_the_feed_holds() {
    let records = Records::from_events(paused_rollout());
    let quiet = snapshot_at(&records, at(5, 0));
    let mut app = app_on(&quiet, at(5, 0));
    assert!(app.release.log.entries().is_empty());
    let due = snapshot_at(&records, at(10, 0));
    app.on_snapshot(&due);
    assert_eq!(app.on_alerts(&due), Effect::Bell);
    let flashing = app.release.flashing().expect("a flash").key.clone();
    let t = screen(&app, &due);
    let status = t.lines().last().unwrap_or_default().to_string();
    assert!(
        status.contains("pricing-1 paused in eu-west-1 for 10m 00s"),
        "{status}"
    );
    // The flashed alert is the feed's newest row, with the same text.
    assert_eq!(app.release.log.entries()[0].key, flashing);
    assert!(
        t.contains("paused too long  pricing-1 paused in eu-west-1 for 10m 00s"),
        "{t}"
    );
    // Acknowledged, it stops flashing at once, though the flash had ticks left.
    app.update(Action::Acknowledge, &due);
    assert!(app.release.flashing().is_none());
    assert!(!screen(&app, &due).contains('🔔'));
}

#[test]
fn acknowledgements_survive_a_restart_in_a_private_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state").join(acknowledgements::FILE);
    let records = Records::from_events(paused_rollout());
    let s = snapshot_at(&records, at(12, 0));
    let mut app = app_on(&s, at(12, 0));
    assert_eq!(app.update(Action::AcknowledgeAll, &s), Effect::Acknowledged);
    acknowledgements::save(&path, &app.release.log).expect("saved");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A new cockpit: the same alert derived again is acknowledged, not news.
    let loaded = acknowledgements::load(&path);
    assert!(loaded.warning.is_none());
    assert_eq!(loaded.acks.len(), 1);
    let mut restarted = ui::screens::app(at(13, 0));
    restarted.release.log.restore(loaded.acks);
    restarted.update(Action::ReleaseWindow, &s);
    let later = snapshot_at(&records, at(13, 0));
    assert_eq!(restarted.on_alerts(&later), Effect::Nothing);
    assert_eq!(restarted.open_alerts().count(), 0);
    assert_eq!(restarted.release.log.entries().len(), 1);
    assert!(screen(&restarted, &later).contains("✓ ack"));
}

#[test]
fn a_bad_acknowledgements_file_is_a_warning_not_a_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(acknowledgements::FILE);
    std::fs::write(
        &path,
        "# header\n2026-03-02T09:00:00Z\tpaused:a:eu\nnot a line\n\u{1b}[31m\tx\n",
    )
    .expect("write");
    let loaded = acknowledgements::load(&path);
    assert_eq!(loaded.acks.len(), 1);
    assert_eq!(&*loaded.acks[0].0, "paused:a:eu");
    let warning = loaded.warning.expect("a warning");
    assert!(
        warning.contains("skipped 2 unreadable lines (line 3, 4)"),
        "{warning}"
    );
    assert!(warning.contains(&path.display().to_string()), "{warning}");
    // A directory where the file should be: a warning naming it.
    let dir_path = dir.path().join("a-dir");
    std::fs::create_dir(&dir_path).expect("dir");
    let loaded = acknowledgements::load(&dir_path);
    assert!(loaded.acks.is_empty());
    assert!(loaded.warning.expect("a warning").contains("a-dir"));
    // Missing: nothing, silently (the first start).
    let loaded = acknowledgements::load(&dir.path().join("absent"));
    assert!(loaded.acks.is_empty() && loaded.warning.is_none());
}

#[test]
fn q_asks_before_leaving_a_release_window_with_an_alert_unacknowledged() {
    let records = Records::from_events(paused_rollout());
    let s = snapshot_at(&records, at(15, 0));
    let mut app = app_on(&s, at(15, 0));
    assert_eq!(app.open_alerts().count(), 1);
    assert_eq!(app.update(Action::Quit, &s), Effect::Redraw);
    assert_eq!(
        app.message.as_deref(),
        Some("1 alert not acknowledged: q again quits, a acknowledges, any other key stays")
    );
    // Any other key stays, and the question is dropped.
    app.update(Action::Down, &s);
    assert_eq!(app.update(Action::Quit, &s), Effect::Redraw, "asks again");
    assert_eq!(app.update(Action::Quit, &s), Effect::Quit);
    // Acknowledged: q quits at once; Ctrl-C always does.
    app.update(Action::AcknowledgeAll, &s);
    assert_eq!(app.update(Action::Quit, &s), Effect::Quit);
    let mut fresh = app_on(&s, at(15, 0));
    assert_eq!(fresh.update(Action::QuitNow, &s), Effect::Quit);
}
