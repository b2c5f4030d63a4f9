//! The Sources screen: every source's state (ok, stale, failing, paused,
//! reading, waiting), last ok age, next poll, events and rate-limit quota.

use crate::support as common;

use chrono::TimeDelta;
use flightdeck::app::Action;
use flightdeck::model::Text;
use flightdeck::model::event_counts::EventCounts;
use flightdeck::model::source_update::Quota;
use flightdeck::store::{Snapshot, SourceStatus};
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn snapshot() -> Snapshot {
    let mut s = common::demo_snapshot();
    let now = common::now();
    let mut gh = SourceStatus::new(Text::from("github"), "github");
    gh.last_ok = Some(now - TimeDelta::seconds(40));
    gh.items = EventCounts::new([12, 300, 0, 0, 0]);
    gh.next_poll = Some(now + TimeDelta::seconds(260));
    gh.quota = Some(Quota {
        remaining: 4870,
        limit: Some(5000),
        reset: None,
    });
    let mut gl = SourceStatus::new(Text::from("gitlab"), "gitlab");
    gl.last_ok = Some(now - TimeDelta::minutes(12));
    gl.last_error = Some((
        now - TimeDelta::seconds(5),
        "HTTP 500 (GET https://gitlab.example/api/v4/projects)".into(),
    ));
    gl.items = EventCounts::new([20, 60, 0, 0, 0]);
    gl.next_poll = Some(now + TimeDelta::seconds(40));
    let mut pd = SourceStatus::new(Text::from("pagerduty"), "pagerduty");
    pd.last_error = Some((
        now - TimeDelta::seconds(2),
        "HTTP 401: Invalid token (GET https://api.pagerduty.com/incidents)".into(),
    ));
    let mut feed = SourceStatus::new(Text::from("feed"), "events");
    feed.last_ok = Some(now - TimeDelta::seconds(1));
    feed.paused = true;
    feed.items = EventCounts::new([0, 0, 7, 0, 0]);
    let waiting = SourceStatus::new(Text::from("new"), "github");
    // A first read still under way (a large file).
    let mut big = SourceStatus::new(Text::from("big"), "events");
    big.reading = true;
    s.sources.extend([gh, gl, pd, feed, waiting, big]);
    s
}

#[test]
fn sources_screen_shows_state_age_next_poll_and_quota() {
    let snapshot = snapshot();
    let mut app = common::app();
    app.update(common::show("Sources"), &snapshot);
    let mut terminal = Terminal::new(TestBackend::new(120, 20)).expect("backend");
    terminal
        .draw(|f| ui::render(f, &app, &snapshot))
        .expect("draw");
    let buf = terminal.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    let row = |name: &str| {
        text.lines()
            .find(|l| l.contains(&format!("│{name} ")))
            .unwrap_or("")
            .to_string()
    };
    assert!(
        row("github").contains("ok")
            && row("github").contains("in 4m 20s")
            && row("github").contains("4870/5000"),
        "{}",
        row("github")
    );
    assert!(
        row("gitlab").contains("stale") && row("gitlab").contains("12m 00s ago"),
        "{}",
        row("gitlab")
    );
    assert!(
        row("pagerduty").contains("failing") && row("pagerduty").contains("never"),
        "{}",
        row("pagerduty")
    );
    assert!(row("feed").contains("paused"), "{}", row("feed"));
    assert!(row("new").contains("waiting"), "{}", row("new"));
    assert!(
        row("big").contains("reading") && row("big").contains("after read"),
        "{}",
        row("big")
    );
    // Stale is red.
    let y = text
        .lines()
        .position(|l| l.contains("│gitlab "))
        .expect("gitlab row") as u16;
    let x = text
        .lines()
        .nth(y as usize)
        .and_then(|l| l.find("stale"))
        .expect("stale") as u16;
    // `find` gives a byte index; the row starts with one 3-byte border char.
    assert_eq!(buf[(x - 2, y)].fg, Color::Red);
    insta::assert_snapshot!(text);

    // The selected source's whole error is shown below the table.
    app.update(Action::Down, &snapshot);
    app.update(Action::Down, &snapshot);
    app.update(Action::Down, &snapshot);
    terminal
        .draw(|f| ui::render(f, &app, &snapshot))
        .expect("draw");
    let buf = terminal.backend().buffer().clone();
    let all: String = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(
        all.contains("pagerduty: failing since 2s ago: HTTP 401: Invalid token (GET https://api.pagerduty.com/incidents)"),
        "{all}"
    );
}

/// A source on its first read: its detail says the next poll waits for it.
#[test]
fn a_source_on_its_first_read_says_the_next_poll_waits_for_it() {
    let snapshot = snapshot();
    let mut app = common::app();
    app.update(common::show("Sources"), &snapshot);
    // The demo's own source first, then the six above: `big` is the last.
    for _ in 0..6 {
        app.update(Action::Down, &snapshot);
    }
    app.update(Action::Open, &snapshot);
    let mut terminal = Terminal::new(TestBackend::new(120, 20)).expect("backend");
    terminal
        .draw(|f| ui::render(f, &app, &snapshot))
        .expect("draw");
    let buf = terminal.backend().buffer().clone();
    let detail: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(
        detail.contains("Source big") && detail.contains("after the read under way"),
        "{detail}"
    );
}

/// A store with two sources: `github` read a change, then nothing, then
/// failed; `other` polled twelve times. Published 125 s after the first poll.
fn store_with_polls() -> Snapshot {
    use flightdeck::model::source_update::SourceUpdate;
    use flightdeck::store::Store;
    use flightdeck::util::clock::Clock;
    let t0 = common::now();
    let (mut store, snapshots) = Store::new(Default::default(), Clock::Fixed(t0));
    let source = Text::from("github");
    store.apply(
        SourceUpdate::Registered {
            source: source.clone(),
            kind: "github",
        },
        t0,
    );
    let (events, _) = flightdeck::sources::events::parse_str(
        "{\"type\":\"change\",\"id\":\"c1\",\"service\":\"api\",\"time\":\"2026-03-01T10:00:00Z\"}\n",
    );
    assert_eq!(events.len(), 1);
    store.apply(
        SourceUpdate::Events {
            source: source.clone(),
            events,
        },
        t0,
    );
    store.apply(
        SourceUpdate::Events {
            source: source.clone(),
            events: vec![],
        },
        t0 + TimeDelta::seconds(60),
    );
    store.apply(
        SourceUpdate::Failed {
            source: source.clone(),
            error: "HTTP 502 (GET https://api.github.com/repos/o/r/deployments)\u{1b}[2J".into(),
        },
        t0 + TimeDelta::seconds(120),
    );
    for n in 0..12 {
        store.apply(
            SourceUpdate::Events {
                source: Text::from("other"),
                events: vec![],
            },
            t0 + TimeDelta::seconds(n),
        );
    }
    store.publish(t0 + TimeDelta::seconds(125), false);
    snapshots.borrow().as_ref().clone()
}

/// The store keeps each source's last polls; the detail lists them newest
/// first with the whole error, and what the source read by type.
#[test]
fn a_source_opens_with_its_last_polls_counts_and_error() {
    let s = store_with_polls();
    let source = Text::from("github");
    let github = s.sources.iter().find(|x| x.name == source).expect("github");
    assert_eq!(github.polls.len(), 3);
    let other = s
        .sources
        .iter()
        .find(|x| &*x.name == "other")
        .expect("other");
    assert_eq!(other.polls.len(), 10, "only the last ten polls are kept");

    let mut app = common::app();
    app.on_snapshot(&s);
    app.update(common::show("Sources"), &s);
    // `/` filters by state or name; `o` sorts by name.
    app.update(Action::Filter, &s);
    for c in "status:failing".chars() {
        app.update(Action::Type(c), &s);
    }
    app.update(Action::Open, &s);
    assert_eq!(app.cursor().rows, 1);
    app.update(Action::Open, &s);
    assert_eq!(
        (app.top().name(), app.top().crumb()),
        ("Source", "github".into())
    );
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).expect("backend");
    terminal.draw(|f| ui::render(f, &app, &s)).expect("draw");
    let text: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(text.contains("state      stale"), "{text}");
    assert!(text.contains("read       1 change"), "{text}");
    assert!(text.contains("Last 3 polls, newest first"), "{text}");
    let newest = text
        .find("5s ago       failed: HTTP 502")
        .expect("newest first");
    let nothing = text
        .find("1m 05s ago   ok, nothing new")
        .expect("an empty poll");
    let first = text
        .find("2m 05s ago   ok, 1 event")
        .expect("the first poll");
    assert!(newest < nothing && nothing < first, "{text}");
    assert!(!text.contains('\u{1b}'), "control characters are stripped");
    app.update(Action::Back, &s);
    assert_eq!(app.top().name(), "Sources");
    app.update(Action::Back, &s);
    assert_eq!(app.cursor().rows, 2, "Esc clears the filter");
    // `o` sorts by name, `O` reverses: `y` copies the selected source's name.
    let first = |app: &mut flightdeck::app::App| {
        app.update(Action::Top, &s);
        app.update(Action::Yank, &s);
        app.clipboard.take().unwrap_or_default()
    };
    app.update(Action::SortNext, &s);
    assert_eq!(first(&mut app), "github");
    app.update(Action::SortReverse, &s);
    assert_eq!(first(&mut app), "other");
}

/// A source is shown reading from the scheduler's word that its poll runs
/// long until that poll ends, whether it read something or failed.
#[test]
fn a_long_poll_shows_reading_until_it_ends() {
    use flightdeck::model::source_update::SourceUpdate;
    use flightdeck::store::Store;
    use flightdeck::util::clock::Clock;
    let t0 = common::now();
    let (mut store, snapshots) = Store::new(Default::default(), Clock::Fixed(t0));
    let reading = |store: &mut Store| {
        store.publish(t0, false);
        let s = snapshots.borrow().clone();
        let status = &s.sources[0];
        (
            status.reading,
            flightdeck::ui::screens::sources::state(status).0,
        )
    };
    let word = |source: &str| SourceUpdate::Reading {
        source: source.into(),
    };
    store.apply(word("big"), t0);
    assert_eq!(reading(&mut store), (true, "reading"));
    let end = SourceUpdate::Events {
        source: "big".into(),
        events: vec![],
    };
    store.apply(end, t0);
    assert_eq!(reading(&mut store), (false, "ok"));
    store.apply(word("big"), t0);
    let failed = SourceUpdate::Failed {
        source: "big".into(),
        error: "cannot read big: Input/output error".into(),
    };
    store.apply(failed, t0 + TimeDelta::seconds(1));
    // It had read before: failing with older data shown.
    assert_eq!(reading(&mut store), (false, "stale"));
}

/// The next poll is placed on the store's clock: a cockpit as of a past time
/// (`--now`) says "in 2s", not the distance from then to today.
#[test]
fn the_next_poll_is_on_the_cockpits_clock() {
    use flightdeck::model::source_update::SourceUpdate;
    use flightdeck::store::Store;
    use flightdeck::util::clock::Clock;
    let then = common::now() - TimeDelta::days(500);
    let (mut store, snapshots) = Store::new(Default::default(), Clock::Fixed(then));
    let plan = || SourceUpdate::Scheduled {
        source: "big.ndjson".into(),
        next_at: Some(std::time::Instant::now() + std::time::Duration::from_secs(2)),
        paused: false,
        quota: None,
    };
    store.apply(plan(), then);
    store.publish(then, false);
    let ahead = |s: std::sync::Arc<Snapshot>| {
        (s.sources[0].next_poll.expect("planned") - then).num_milliseconds()
    };
    let stopped = ahead(snapshots.borrow().clone());
    assert!((1500..=2000).contains(&stopped), "{stopped} ms");
    // A clock running 60 times as fast (`--speed 60`) gets there in 2 minutes of its time.
    let (mut store, snapshots) = Store::new(Default::default(), Clock::running(then, 60.0));
    store.apply(plan(), then);
    store.publish(then, false);
    let fast = ahead(snapshots.borrow().clone());
    assert!((90_000..=120_000).contains(&fast), "{fast} ms");
}
