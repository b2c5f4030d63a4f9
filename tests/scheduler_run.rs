//! The poll scheduler with real sources: a hanging source never holds up
//! another; failures back off; `r` polls now, `p` pauses; a followed file's new
//! lines arrive once; a failing source keeps its data, marked stale.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::replay_server::SilentServer;
use chrono::Utc;
use flightdeck::commands::registry;
use flightdeck::config;
use flightdeck::model::settings::Settings;
use flightdeck::model::source_update::PollCommand;
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::model::{Event, Text};
use flightdeck::sources::scheduler::{Schedule, Scheduler};
use flightdeck::store::Store;
use flightdeck::util::clock::Clock;
use tokio::sync::mpsc;

const LINE: &str =
    "{\"type\":\"change\",\"id\":\"c{N}\",\"service\":\"api\",\"time\":\"2024-01-01T00:00:00Z\"}\n";

fn line(n: u32) -> String {
    LINE.replace("{N}", &n.to_string())
}

fn start(scheduler: &Scheduler, text: &str) {
    let c = config::parse(text, Path::new("t.toml")).unwrap_or_else(|e| panic!("{e}"));
    for s in &c.sources {
        let poller = registry::build(s, &Settings::default()).expect("poller");
        scheduler.spawn(
            Schedule {
                name: Text::from(s.name.as_str()),
                kind: registry::kind_name(&s.kind),
                interval: s.interval,
                timeout: s.timeout,
                wake: None,
            },
            poller,
        );
    }
}

async fn next_matching(
    rx: &mut mpsc::Receiver<SourceUpdate>,
    within: Duration,
    mut f: impl FnMut(&SourceUpdate) -> bool,
) -> Option<SourceUpdate> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(u)) if f(&u) => return Some(u),
            Ok(Some(_)) => {}
            _ => return None,
        }
    }
}

fn temp_file(tag: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-sched-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let p = dir.join("events.ndjson");
    std::fs::write(&p, text).expect("write");
    p
}

#[tokio::test]
async fn a_hanging_source_never_delays_another_and_backs_off() {
    let silent = SilentServer::start().await;
    let file = temp_file("hang", &(line(1) + &line(2)));
    let (tx, mut rx) = mpsc::channel(64);
    let scheduler = Scheduler::new(tx, Clock::real());
    let text = format!(
        "[[sources]]\nkind = \"github\"\nname = \"stuck\"\nrepos = [\"a/b\"]\nurl = \"{}\"\ntimeout = \"1s\"\n\n[[sources]]\nkind = \"events\"\nname = \"file\"\npath = \"{}\"\n",
        silent.url(),
        file.display()
    );
    let started = Instant::now();
    start(&scheduler, &text);
    // The hanging poll is shown reading before it fails.
    let mut stuck_reading = false;
    let mut note = |u: &SourceUpdate| {
        stuck_reading |= matches!(u, SourceUpdate::Reading { source } if &**source == "stuck");
    };
    let good = next_matching(&mut rx, Duration::from_secs(5), |u| {
        note(u);
        matches!(u, SourceUpdate::Prepared { source, .. } if &**source == "file")
    })
    .await
    .expect("the file's events");
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "not held up by the hanging source"
    );
    let SourceUpdate::Prepared { events, .. } = good else {
        unreachable!()
    };
    assert_eq!(events.len(), 2);
    let failed = next_matching(&mut rx, Duration::from_secs(5), |u| {
        note(u);
        matches!(u, SourceUpdate::Failed { source, .. } if &**source == "stuck")
    })
    .await
    .expect("the hanging source fails");
    assert!(stuck_reading, "shown reading before it failed");
    let SourceUpdate::Failed { error, .. } = failed else {
        unreachable!()
    };
    assert!(error.contains("no answer within 1s"), "{error}");
    // After the failure the next poll is the first backoff step (5 s ± 10%).
    let plan = next_matching(
        &mut rx,
        Duration::from_secs(2),
        |u| matches!(u, SourceUpdate::Scheduled { source, .. } if &**source == "stuck"),
    )
    .await
    .expect("a new plan");
    let SourceUpdate::Scheduled {
        next_at, paused, ..
    } = plan
    else {
        unreachable!()
    };
    assert!(!paused);
    let ahead = (next_at.expect("scheduled"))
        .saturating_duration_since(Instant::now())
        .as_millis();
    assert!((4000..=5600).contains(&ahead), "backoff {ahead} ms");
}

#[tokio::test]
async fn poll_now_reads_appended_lines_once_and_pause_stops_the_plan() {
    let file = temp_file("now", &line(1));
    let (tx, mut rx) = mpsc::channel(64);
    let scheduler = Scheduler::new(tx, Clock::real());
    start(
        &scheduler,
        &format!(
            "[[sources]]\nkind = \"events\"\npath = \"{}\"\ninterval = \"off\"\n",
            file.display()
        ),
    );
    let first = next_matching(&mut rx, Duration::from_secs(5), |u| {
        matches!(u, SourceUpdate::Prepared { .. })
    })
    .await
    .expect("first read");
    let SourceUpdate::Prepared { events, .. } = first else {
        unreachable!()
    };
    assert_eq!(events.len(), 1);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .expect("open");
    f.write_all(line(2).as_bytes()).expect("append");
    scheduler.command(PollCommand::PollNow);
    let second = next_matching(&mut rx, Duration::from_secs(5), |u| {
        matches!(u, SourceUpdate::Prepared { .. })
    })
    .await
    .expect("poll now");
    let SourceUpdate::Prepared { events, .. } = second else {
        unreachable!()
    };
    let ids: Vec<_> = events
        .into_iter()
        .map(|e| match e.into_event() {
            Event::Change(c) => c.id.to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, vec!["c2"], "only the appended line");
    scheduler.command(PollCommand::TogglePause);
    let plan = next_matching(&mut rx, Duration::from_secs(5), |u| {
        matches!(u, SourceUpdate::Scheduled { paused: true, .. })
    })
    .await
    .expect("paused");
    let SourceUpdate::Scheduled { next_at, .. } = plan else {
        unreachable!()
    };
    assert_eq!(next_at, None);
    assert!(scheduler.paused());
}

#[test]
fn a_failing_source_keeps_its_data_and_is_stale() {
    let clock = Clock::Fixed(Utc::now());
    let (mut store, _rx) = Store::new(Settings::default(), clock);
    let now = Utc::now();
    let name = Text::from("gh");
    store.apply(
        SourceUpdate::Registered {
            source: name.clone(),
            kind: "github",
        },
        now,
    );
    let (events, _) = flightdeck::sources::events::parse_str(&line(1));
    store.apply(
        SourceUpdate::Events {
            source: name.clone(),
            events,
        },
        now,
    );
    store.apply(
        SourceUpdate::Failed {
            source: name.clone(),
            error: "HTTP 500".into(),
        },
        now + chrono::TimeDelta::seconds(30),
    );
    store.publish(now + chrono::TimeDelta::seconds(30), true);
    let snapshot = _rx.borrow().clone();
    let s = &snapshot.sources[0];
    assert!(s.failing() && s.stale());
    assert_eq!(s.items.total(), 1);
    assert_eq!(snapshot.records.changes.len(), 1, "the data stays");
}

/// A poll that answers after `wait`, on the runtime (a quick one at once).
struct Answers {
    wait: Duration,
}

impl flightdeck::sources::scheduler::Poller for Answers {
    fn poll(
        &mut self,
    ) -> futures::future::BoxFuture<
        '_,
        Result<flightdeck::sources::scheduler::Polled, flightdeck::sources::scheduler::PollError>,
    > {
        let wait = self.wait;
        Box::pin(async move {
            tokio::time::sleep(wait).await;
            Ok(flightdeck::sources::scheduler::Polled::default())
        })
    }
}

/// A poll that runs for a while says so before its result: the Sources screen
/// shows the source reading, not waiting to start. A quick one says nothing.
#[tokio::test]
async fn a_long_poll_is_shown_reading_before_its_result() {
    let (tx, mut rx) = mpsc::channel(64);
    let scheduler = Scheduler::new(tx, Clock::real());
    for (name, wait) in [("slow", 700), ("quick", 0)] {
        let schedule = Schedule {
            name: Text::from(name),
            kind: "git",
            interval: None,
            timeout: Duration::from_secs(10),
            wake: None,
        };
        let poller = Answers {
            wait: Duration::from_millis(wait),
        };
        scheduler.spawn(schedule, Box::new(poller));
    }
    let mut seen = Vec::new();
    while let Some(u) = next_matching(&mut rx, Duration::from_secs(5), |u| {
        matches!(
            u,
            SourceUpdate::Reading { .. } | SourceUpdate::Events { .. }
        )
    })
    .await
    {
        let (kind, source) = match u {
            SourceUpdate::Reading { source } => ("reading", source),
            SourceUpdate::Events { source, .. } => ("read", source),
            _ => unreachable!(),
        };
        seen.push(format!("{kind} {source}"));
        if seen.len() == 3 {
            break;
        }
    }
    assert_eq!(seen, ["read quick", "reading slow", "read slow"]);
}
