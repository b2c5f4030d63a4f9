//! The Lanes screen, a lane's detail and the release-window feed rendered into
//! a TestBackend: in-flight, paused, failed and finished lanes.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use flightdeck::app::{Action, App, Effect};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::{
    CanaryResult, Change, DeployStatus, DeploymentEvent, Event, Incident, Text, Time, Verdict,
};
use flightdeck::store::{Snapshot, SourceStatus};
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"];

fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("time")
}

fn min(m: i64) -> Time {
    t0() + TimeDelta::minutes(m)
}

fn dep(id: &str, m: i64, status: DeployStatus, region: usize, stage: &str) -> Event {
    Event::Deployment(DeploymentEvent {
        id: id.into(),
        service: id.rsplit_once('-').map_or(id, |p| p.0).into(),
        time: min(m),
        status,
        team: Some("payments".into()),
        environment: None,
        region: Some(REGIONS[region].into()),
        stage: Some(stage.into()),
        changes: vec![format!("{id}-c1").into()],
        hotfix: false,
        url: None,
    })
}

/// A deployment that names no region (it covers all), long finished.
fn old(id: &str, m: i64) -> Event {
    let Event::Deployment(mut d) = dep(id, m, DeployStatus::Success, 0, "deploy") else {
        unreachable!()
    };
    d.region = None;
    Event::Deployment(d)
}

fn canary(id: &str, m: i64, verdict: Verdict, err: f64, p99: f64, score: f64) -> Event {
    Event::Canary(CanaryResult {
        deployment: id.into(),
        region: REGIONS[0].into(),
        time: min(m),
        verdict: Some(verdict),
        error_rate: Some(err),
        baseline_error_rate: Some(0.004),
        p99_ms: Some(p99),
        baseline_p99_ms: Some(210.0),
        score: Some(score),
    })
}

fn snapshot() -> Snapshot {
    use DeployStatus::*;
    let mut events = vec![
        Event::Change(Change {
            id: "cart-0007-c1".into(),
            service: "cart".into(),
            time: min(-60),
            team: Some("checkout".into()),
            title: Some("Cache lookups per request".into()),
            author: Some("dana".into()),
            url: None,
            opened: None,
            first_review: None,
            merged: None,
            lines: None,
            reverts: None,
        }),
        // Earlier canaries of cart, for the sparkline.
        old("cart-0005", -800),
        canary("cart-0005", -790, Verdict::Pass, 0.002, 200.0, 100.0),
        old("cart-0006", -760),
        canary("cart-0006", -750, Verdict::Pass, 0.004, 205.0, 100.0),
        // Finished: all regions done.
        dep("ledger-0001", -120, InProgress, 0, "canary @10%"),
        canary("ledger-0001", -105, Verdict::Pass, 0.003, 190.0, 100.0),
        dep("ledger-0001", -105, Success, 0, "canary"),
        dep("ledger-0001", -100, Success, 1, "rollout"),
        dep("ledger-0001", -90, Success, 2, "rollout"),
        dep("ledger-0001", -80, Success, 3, "rollout"),
        // Failed canary, with a linked incident.
        dep("cart-0007", 0, InProgress, 0, "canary @10%"),
        canary("cart-0007", 15, Verdict::Fail, 0.08, 640.0, 21.5),
        dep("cart-0007", 15, Failure, 0, "canary"),
        Event::Incident(Incident {
            id: "INC-cart-0007".into(),
            service: "cart".into(),
            opened: min(20),
            team: None,
            resolved: Some(min(50)),
            deployment: Some("cart-0007".into()),
            severity: Some("sev2".into()),
            title: Some("Error spike after deploy".into()),
            url: None,
        }),
        // Rolled back in a later region.
        dep("auth-0003", 5, InProgress, 0, "canary"),
        canary("auth-0003", 18, Verdict::Marginal, 0.009, 290.0, 66.0),
        dep("auth-0003", 18, Success, 0, "canary"),
        dep("auth-0003", 25, Success, 1, "rollout"),
        dep("auth-0003", 30, InProgress, 2, "rollout"),
        dep("auth-0003", 44, RolledBack, 2, "rollout"),
        // In flight: paused in the second region.
        dep("pricing-0012", 20, InProgress, 0, "canary @10%"),
        canary("pricing-0012", 32, Verdict::Pass, 0.002, 200.0, 92.0),
        dep("pricing-0012", 32, Success, 0, "canary"),
        dep(
            "pricing-0012",
            38,
            InProgress,
            1,
            "paused: awaiting manual promotion @50%",
        ),
        // In flight: progressing in the third region.
        dep("search-api-0044", 30, InProgress, 0, "canary"),
        canary("search-api-0044", 42, Verdict::Pass, 0.001, 180.0, 100.0),
        dep("search-api-0044", 42, Success, 0, "canary"),
        dep("search-api-0044", 45, Success, 1, "rollout"),
        dep("search-api-0044", 52, InProgress, 2, "rollout"),
        // In flight: canary under analysis.
        dep("email-sender-0101", 55, InProgress, 0, "canary @10%"),
    ];
    events.sort_by_key(Event::time);
    let settings = Settings {
        regions: REGIONS.iter().map(|r| Text::from(*r)).collect(),
        ..Settings::default()
    };
    let mut demo = SourceStatus::new(Text::from("demo"), "demo");
    demo.last_ok = Some(min(59));
    Snapshot::compute(
        Arc::new(Records::from_events(events)),
        Arc::new(settings),
        vec![demo],
        min(60),
        1,
    )
}

fn draw(app: &App, snapshot: &Snapshot, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal
        .draw(|f| ui::render(f, app, snapshot))
        .expect("draw");
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn fg_at(buf: &Buffer, row_marker: &str, needle: &str) -> Option<Color> {
    let t = text(buf);
    for (y, line) in t.lines().enumerate() {
        if line.contains(row_marker) {
            let byte = line.find(needle)?;
            let x = line[..byte].chars().count();
            return Some(buf[(x as u16, y as u16)].fg);
        }
    }
    None
}

fn lanes_app(s: &Snapshot) -> App {
    let mut app = flightdeck::ui::screens::app(min(60));
    app.update(crate::support::show("Lanes"), s);
    app
}

#[test]
fn lanes_120x40() {
    let s = snapshot();
    let app = lanes_app(&s);
    let buf = draw(&app, &s, 120, 40);
    let t = text(&buf);
    insta::assert_snapshot!(t);
    // Region columns in rollout order.
    let header = t
        .lines()
        .find(|l| l.contains("DEPLOYMENT"))
        .unwrap_or_default();
    let pos: Vec<usize> = REGIONS
        .iter()
        .map(|r| header.find(r).unwrap_or(usize::MAX))
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{header}");
    let order: Vec<&str> = t
        .lines()
        .filter_map(|l| {
            [
                "email-sender-0101",
                "search-api-0044",
                "pricing-0012",
                "auth-0003",
                "cart-0007",
                "ledger-0001",
            ]
            .into_iter()
            .find(|id| l.contains(id))
        })
        .collect();
    // Failed first (newest first), then paused, then in flight newest
    // first, then finished.
    assert_eq!(
        order,
        [
            "auth-0003",
            "cart-0007",
            "pricing-0012",
            "email-sender-0101",
            "search-api-0044",
            "ledger-0001"
        ]
    );
    assert_eq!(fg_at(&buf, "pricing-0012", "⏸"), Some(Color::Yellow));
    assert_eq!(fg_at(&buf, "cart-0007", "✗"), Some(Color::Red));
    assert_eq!(fg_at(&buf, "auth-0003", "↺"), Some(Color::Red));
    assert_eq!(fg_at(&buf, "ledger-0001", "succeeded"), Some(Color::Green));
    assert!(t.contains("fail 22"), "score rounds: {t}");
    assert!(t.contains("blocked: analysis"));
}

#[test]
fn lane_detail_of_a_failed_canary() {
    let s = snapshot();
    let mut app = lanes_app(&s);
    let row = s
        .views
        .lanes
        .lanes
        .iter()
        .position(|l| &*l.id == "cart-0007")
        .expect("lane");
    for _ in 0..row {
        app.update(Action::Down, &s);
    }
    assert_eq!(app.update(Action::Open, &s), Effect::Redraw);
    assert_eq!(
        (app.top().name(), app.top().crumb()),
        ("Lane", "cart-0007".into())
    );
    let buf = draw(&app, &s, 120, 40);
    let t = text(&buf);
    insta::assert_snapshot!(t);
    assert!(
        t.contains("critical metric error_rate is high: fail"),
        "{t}"
    );
    assert!(t.contains("INC-cart-0007"));
    assert!(t.contains("Cache lookups per request"));
    assert!(t.contains("09:00:00 → 09:15:00"));
    assert_eq!(app.update(Action::Back, &s), Effect::Redraw);
    assert_eq!((app.top().name(), app.depth()), ("Lanes", 1));
}

#[test]
fn release_window_feed_flash_and_ack() {
    let s = snapshot();
    let mut app = lanes_app(&s);
    // Data seen before the mode is on is not news.
    assert_eq!(app.on_alerts(&s), Effect::Nothing);
    app.update(Action::ReleaseWindow, &s);
    assert!(app.release.on);
    let buf = draw(&app, &s, 120, 40);
    let t = text(&buf);
    insta::assert_snapshot!(t);
    assert!(t.contains("Release window"));
    assert!(t.contains("REL "));
    let open = app.open_alerts().count();
    assert!(open >= 4, "{:#?}", s.views.alerts);
    // The same alerts derived again ring nothing (deduplicated).
    assert_eq!(app.on_alerts(&s), Effect::Nothing);
    // A new failure rings and flashes.
    let mut records = (*s.records).clone();
    records.apply(canary(
        "search-api-0044",
        58,
        Verdict::Fail,
        0.2,
        900.0,
        0.0,
    ));
    let newer = Snapshot::compute(
        Arc::new(records),
        s.settings.clone(),
        s.sources.clone(),
        min(60),
        2,
    );
    assert_eq!(app.on_alerts(&newer), Effect::Bell);
    let t = text(&draw(&app, &newer, 120, 40));
    let status = t.lines().last().unwrap_or_default();
    assert!(status.contains("🔔"), "{status}");
    assert!(status.contains("search-api-0044 canary failed"), "{status}");
    // The flash fades after a few ticks; acknowledging removes it from the count.
    for _ in 0..5 {
        app.tick(min(60), &newer);
    }
    assert!(!text(&draw(&app, &newer, 120, 40)).contains("🔔"));
    let before = app.open_alerts().count();
    app.update(Action::Acknowledge, &newer);
    assert_eq!(app.open_alerts().count(), before - 1);
    app.update(Action::AcknowledgeAll, &newer);
    assert_eq!(app.open_alerts().count(), 0);
    assert!(text(&draw(&app, &newer, 120, 40)).contains("✓ ack"));
}

#[test]
fn the_lanes_cursor_stays_on_its_deployment_when_a_newer_lane_arrives() {
    let s = snapshot();
    let mut app = lanes_app(&s);
    let row = |snap: &Snapshot, id: &str| {
        snap.views
            .lanes
            .lanes
            .iter()
            .position(|l| &*l.id == id)
            .expect("listed")
    };
    for _ in 0..row(&s, "ledger-0001") {
        app.update(Action::Down, &s);
    }
    // A newer deployment goes in flight: it is listed first of those in
    // flight (after the failed and paused), above the cursor.
    let mut records = (*s.records).clone();
    records.apply(dep("zebra-0001", 59, DeployStatus::InProgress, 0, "canary"));
    let newer = Snapshot::compute(
        Arc::new(records),
        s.settings.clone(),
        s.sources.clone(),
        min(60),
        2,
    );
    let (failed, paused) = newer.views.lanes.trouble();
    assert_eq!(
        row(&newer, "zebra-0001"),
        failed + paused,
        "the new lane comes first of those in flight"
    );
    assert_eq!(row(&newer, "ledger-0001"), row(&s, "ledger-0001") + 1);
    app.on_snapshot(&newer);
    assert_eq!(app.cursor().selected, row(&newer, "ledger-0001"));
    app.update(Action::Open, &newer);
    assert_eq!(app.top().crumb(), "ledger-0001");
}

/// The text of the row that names `id`, and the buffer row it is on.
fn row_of<'a>(t: &'a str, id: &str) -> &'a str {
    t.lines().find(|l| l.contains(id)).unwrap_or_default()
}

/// The column of the first `needle` in `line`, in characters.
fn col(line: &str, needle: &str) -> usize {
    line.find(needle)
        .map_or(usize::MAX, |b| line[..b].chars().count())
}

#[test]
fn failed_and_paused_lanes_come_first_and_the_title_counts_them() {
    let s = snapshot();
    let t = text(&draw(&lanes_app(&s), &s, 200, 50));
    assert!(
        t.contains("┌ Lanes · 2 failed · 1 paused · 3 in flight"),
        "{t}"
    );
    let rows: Vec<usize> = [
        "auth-0003",
        "cart-0007",
        "pricing-0012",
        "email-sender-0101",
    ]
    .iter()
    .map(|id| t.lines().position(|l| l.contains(id)).unwrap_or(usize::MAX))
    .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}\n{t}");
}

#[test]
fn a_paused_lane_says_why_in_the_gate_and_the_detail() {
    let s = snapshot();
    let mut app = lanes_app(&s);
    let t = text(&draw(&app, &s, 200, 50));
    let pricing = row_of(&t, "pricing-0012");
    assert!(
        pricing.contains("paused: awaiting manual promotion"),
        "{pricing}"
    );
    assert!(!pricing.contains("certified"), "{pricing}");
    // Cut with an ellipsis where the gate has no room.
    let narrow = text(&draw(&app, &s, 120, 40));
    assert!(row_of(&narrow, "pricing-0012").ends_with("paused: awaiting manua…│"));
    // The detail: the gate line names the pause and its region.
    let row = s
        .views
        .lanes
        .lanes
        .iter()
        .position(|l| &*l.id == "pricing-0012")
        .expect("lane");
    for _ in 0..row {
        app.update(Action::Down, &s);
    }
    app.update(Action::Open, &s);
    let detail = text(&draw(&app, &s, 200, 50));
    let gate = row_of(&detail, "── gate:");
    assert!(
        gate.contains("paused in eu-west-1: awaiting manual promotion"),
        "{detail}"
    );
    assert!(
        row_of(&detail, "eu-west-1 ").contains("paused for 22m"),
        "{detail}"
    );
}

#[test]
fn the_sparkline_shares_one_scale_and_marks_bars_over_the_canary_limit() {
    let s = snapshot();
    let lanes = &s.views.lanes;
    // The highest error rate listed: cart-0007's 8 %.
    assert!(
        (lanes.error_scale - 0.08).abs() < 1e-9,
        "{}",
        lanes.error_scale
    );
    let app = lanes_app(&s);
    let buf = draw(&app, &s, 200, 50);
    let t = text(&buf);
    let header = row_of(&t, "DEPLOYMENT");
    assert!(header.contains("ERR≤8.0%"), "{header}");
    let spark_at = col(header, "ERR≤");
    let spark = |id: &str| -> String {
        row_of(&t, id)
            .chars()
            .skip(spark_at)
            .take(8)
            .collect::<String>()
    };
    // A 0.1 % error rate on a scale to 8 % is the lowest bar, not a full one.
    assert_eq!(spark("search-api-0044").trim(), "▁");
    assert_eq!(spark("cart-0007").trim(), "▁▁█");
    // auth-0003's 0.9 % is over its limit (0.4 % baseline + 50 % + 0.2 %):
    // drawn like an alert; pricing-0012's 0.2 % is not.
    let style_at = |id: &str| {
        let y = t.lines().position(|l| l.contains(id)).expect("row") as u16;
        buf[(spark_at as u16, y)].fg
    };
    assert_eq!(style_at("auth-0003"), Color::Red);
    assert_ne!(style_at("pricing-0012"), Color::Red);
    let auth = lanes.find("auth-0003").expect("auth");
    assert!((auth.error_limit.expect("limit") - 0.008).abs() < 1e-9);
}

#[test]
fn the_legend_names_every_symbol_on_screen_and_in_help() {
    let s = snapshot();
    let mut app = lanes_app(&s);
    let t = text(&draw(&app, &s, 200, 50));
    let bottom = t.lines().rfind(|l| l.starts_with('└')).unwrap_or_default();
    for word in [
        "★ certified",
        "◎ verifying",
        "▶ progressing",
        "⏸ paused",
        "· queued",
        "✓ succeeded",
        "✗ failed",
        "↺ rolled back",
        "■ aborted",
        "– not reached",
        "red bar: over its canary limit",
    ] {
        assert!(bottom.contains(word), "{word}: {bottom}");
    }
    // Where it does not fit, whole items and a pointer to `?`.
    let narrow = text(&draw(&app, &s, 80, 24));
    let bottom = narrow
        .lines()
        .rfind(|l| l.starts_with('└'))
        .unwrap_or_default();
    assert!(bottom.contains("… ? lists all"), "{bottom}");
    app.update(Action::ToggleHelp, &s);
    let help = text(&draw(&app, &s, 120, 40));
    assert!(help.contains("★ ◎ ▶ ⏸ ·"), "{help}");
    assert!(help.contains("✓ ✗ ↺ ■ –"), "{help}");
    assert!(help.contains("not reached"), "{help}");
}

#[test]
fn a_failed_lanes_later_regions_read_the_same_in_list_and_detail() {
    let s = snapshot();
    let mut app = lanes_app(&s);
    let t = text(&draw(&app, &s, 200, 50));
    let header = row_of(&t, "DEPLOYMENT");
    let cart = row_of(&t, "cart-0007");
    for r in &REGIONS[1..] {
        let cell: String = cart.chars().skip(col(header, r)).take(3).collect();
        assert_eq!(cell.trim(), "–", "{r}: {cart}");
    }
    let row = t
        .lines()
        .filter(|l| l.starts_with('│'))
        .position(|l| l.contains("cart-0007"))
        .expect("row")
        - 1;
    for _ in 0..row {
        app.update(Action::Down, &s);
    }
    app.update(Action::Open, &s);
    let detail = text(&draw(&app, &s, 200, 50));
    for r in &REGIONS[1..] {
        assert!(
            row_of(&detail, &format!("  {r}")).contains("– not reached"),
            "{detail}"
        );
    }
    assert!(!detail.contains("· queued"), "{detail}");
}

#[test]
fn the_id_column_keeps_its_width_when_a_filter_leaves_short_ids() {
    let s = snapshot();
    let mut app = lanes_app(&s);
    let before = text(&draw(&app, &s, 200, 50));
    app.update(Action::Filter, &s);
    for c in "cart".chars() {
        app.update(Action::Type(c), &s);
    }
    app.update(Action::Open, &s);
    let after = text(&draw(&app, &s, 200, 50));
    assert!(!after.contains("email-sender-0101"), "{after}");
    assert_eq!(
        col(row_of(&before, "DEPLOYMENT"), "STATE"),
        col(row_of(&after, "DEPLOYMENT"), "STATE"),
        "{after}"
    );
}
