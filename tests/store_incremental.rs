//! The store applies events batch by batch into records it shares with the
//! snapshots it already published, keeps the window-independent facts while the
//! records are quiet and re-evaluates only the windows on a clock tick. This
//! checks that all of it equals a full recompute from scratch, on random event
//! streams: shuffled, late and out of time order, with duplicated ids (deployment
//! stages, merged incident and change lines, updates of open incidents), cut into
//! random batches with clock ticks between them; and that every snapshot published
//! on the way still shows exactly the records of its own prefix.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;

use flightdeck::metrics::lanes;
use flightdeck::model::Event;
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::sources::events::parse_str;
use flightdeck::store::{Snapshot, Store, Views};
use flightdeck::util::clock::Clock;

type Time = DateTime<Utc>;

use crate::support::{SERVICES, STATUSES, TEAMS};

fn now() -> Time {
    Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap()
}

/// Hours before `now` (negative: after it, a clock running late elsewhere).
fn at(hours_ago: i64) -> String {
    (now() - TimeDelta::hours(hours_ago)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Regions and stage notes, so that lanes run, pause and reach only some regions.
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-south-1"];
const STAGES: [Option<&str>; 4] = [None, Some("paused"), Some("analysis"), Some("aborted")];

/// `web` belongs to a team named "" (a config may say so): records of it that
/// name no team must still be told apart from records not derived yet. The
/// revert window spans the history, so that reverts fail deployments often.
fn settings() -> Settings {
    Settings {
        teams: vec!["alpha".into()],
        service_teams: [("api".into(), "alpha".into()), ("web".into(), "".into())]
            .into_iter()
            .collect(),
        // Wide, so that reverts across the generated history fail deployments.
        revert_window: TimeDelta::days(300),
        ..Settings::default()
    }
}

/// A change; the same id again is a merge.
fn change_line(hours: impl Strategy<Value = i64>) -> impl Strategy<Value = String> {
    (
        0..12usize,
        0..3usize,
        prop::option::of(0..3usize),
        hours,
        prop::option::of(-3i64..20),
        prop::option::weighted(0.3, 0..14usize),
    )
        .prop_map(|(id, s, team, h, review, reverts)| {
            let mut v = json!({"type": "change", "id": format!("c{id}"),
                "service": SERVICES[s], "time": at(h)});
            // A revert of another change (perhaps itself, or one never read);
            // a later line may move it.
            if let Some(r) = reverts {
                v["reverts"] = format!("c{r}").into();
            }
            if let Some(t) = team {
                v["team"] = TEAMS[t].into();
            }
            // The gates' fields: a review that may come before the opening.
            if let Some(r) = review {
                v["opened"] = at(h + 1).into();
                v["first_review"] = at(h + 1 + r).into();
                v["merged"] = at(h + 2 + r).into();
            }
            v.to_string()
        })
}

/// One NDJSON line from a few small pools, so ids repeat and lines merge.
fn line() -> impl Strategy<Value = String> {
    // Mostly long ago, but a third of the lines within four days of `now`, where
    // the lanes, their canaries and the ticks meet.
    let hours = prop_oneof![-48i64..(200 * 24), -48i64..96];
    prop_oneof![
        change_line(hours.clone()),
        // A deployment stage; the same id again is another stage.
        (
            0..10usize,
            0..3usize,
            prop::option::of(0..3usize),
            0..STATUSES.len(),
            hours.clone(),
            prop::collection::vec(0..14usize, 0..3),
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.15),
            (0..3usize, 0..4usize),
        )
            .prop_map(
                |(id, s, team, status, h, changes, hotfix, staging, (region, stage))| {
                    let changes: Vec<String> = changes.iter().map(|c| format!("c{c}")).collect();
                    let mut v = json!({"type": "deployment", "id": format!("d{id}"),
                    "service": SERVICES[s], "time": at(h), "status": STATUSES[status],
                    "changes": changes, "region": REGIONS[region]});
                    if let Some(stage) = STAGES[stage] {
                        v["stage"] = stage.into();
                    }
                    if let Some(t) = team {
                        v["team"] = TEAMS[t].into();
                    }
                    if hotfix {
                        v["hotfix"] = true.into();
                    }
                    if staging {
                        v["environment"] = "staging".into();
                    }
                    v.to_string()
                }
            ),
        // An incident line: opened, perhaps resolved, perhaps naming a deployment;
        // a later line for the same id updates an open incident.
        (
            0..6usize,
            0..3usize,
            prop::option::of(0..3usize),
            hours.clone(),
            prop::option::of(0i64..100),
            prop::option::of(0..12usize),
        )
            .prop_map(|(id, s, team, h, resolved_after, deployment)| {
                let mut v = json!({"type": "incident", "id": format!("i{id}"),
                    "service": SERVICES[s], "opened": at(h)});
                if let Some(t) = team {
                    v["team"] = TEAMS[t].into();
                }
                if let Some(r) = resolved_after {
                    v["resolved"] = at(h - r).into();
                }
                if let Some(d) = deployment {
                    v["deployment"] = format!("d{d}").into();
                }
                v.to_string()
            }),
        finding_line(),
        canary_line(),
    ]
}

/// A critical or low finding of a service, open or resolved; the same id again
/// is an update.
fn finding_line() -> impl Strategy<Value = String> {
    (
        0..5usize,
        0..3usize,
        prop::bool::ANY,
        prop::bool::ANY,
        -48i64..96,
    )
        .prop_map(|(id, s, critical, open, h)| {
            json!({"type": "finding", "id": format!("f{id}"), "service": SERVICES[s],
                "severity": if critical { "critical" } else { "low" },
                "status": if open { "open" } else { "resolved" }, "opened": at(h)})
            .to_string()
        })
}

/// A canary result of a deployment id (perhaps one not read yet).
fn canary_line() -> impl Strategy<Value = String> {
    (0..12usize, prop::bool::ANY, 0.0f64..0.05, -48i64..96).prop_map(|(d, pass, err, h)| {
        json!({"type": "canary", "deployment": format!("d{d}"), "region": "us-east-1",
            "time": at(h), "verdict": if pass { "pass" } else { "fail" },
            "error_rate": err, "baseline_error_rate": 0.01})
        .to_string()
    })
}

fn events(lines: &[String]) -> Vec<Event> {
    let (events, diagnostics) = parse_str(&lines.join("\n"));
    assert!(
        diagnostics.malformed.is_empty(),
        "{:?}",
        diagnostics.malformed
    );
    events
}

/// Everything the UI reads from a snapshot, in a comparable form.
fn picture(views: &Views) -> String {
    format!("{views:?}")
}

fn assert_records_eq(a: &Records, b: &Records) {
    assert!(a.changes == b.changes, "changes differ");
    assert!(a.deployments == b.deployments, "deployments differ");
    assert!(a.incidents == b.incidents, "incidents differ");
    assert_eq!(a.event_count(), b.event_count());
    for d in b.deployments.iter() {
        assert_eq!(a.deployment(&d.id), b.deployment(&d.id));
    }
    for i in b.incidents.iter() {
        assert_eq!(a.incident(&i.id), b.incident(&i.id));
    }
}

/// The property test's case count: `PROPTEST_CASES` when set, else 96.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(96)
}

proptest! {
    // 96 cases; `PROPTEST_CASES=N` runs N (e.g. after a change to the store).
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn batches_and_ticks_give_what_a_full_recompute_gives(
        lines in prop::collection::vec(line(), 1..60),
        cuts in prop::collection::vec(0..60usize, 0..6),
        ticks in prop::collection::vec(-3i64..72, 0..6),
    ) {
        let events = events(&lines);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(events.len())).collect();
        cuts.push(events.len());
        cuts.sort_unstable();
        let (mut store, snapshots) = Store::new(settings(), Clock::Fixed(now()));
        let mut published: Vec<(Arc<Snapshot>, usize)> = Vec::new();
        let mut from = 0;
        for (k, &to) in cuts.iter().enumerate() {
            let batch = events[from..to].to_vec();
            store.apply(SourceUpdate::Events { source: "file".into(), events: batch }, now());
            store.publish(now(), true);
            published.push((snapshots.borrow().clone(), to));
            // Clock ticks: the windows slide, the facts stay.
            if let Some(&h) = ticks.get(k) {
                let later = now() + TimeDelta::hours(h);
                store.publish(later, true);
                let ticked = snapshots.borrow().clone();
                let full = Views::compute(&ticked.records, &settings(), later);
                prop_assert_eq!(picture(&ticked.views), picture(&full));
                // The lane index leaves out no deployment that has a lane.
                let every = lanes::compute_from_every_deployment(&ticked.records, &settings(), later);
                prop_assert_eq!(&ticked.views.lanes, &every);
            }
            from = to;
        }
        store.publish(now(), true);
        let last = snapshots.borrow().clone();
        let full_records = Records::from_events(events.iter().cloned());
        assert_records_eq(&last.records, &full_records);
        let full = Views::compute(&full_records, &settings(), now());
        prop_assert_eq!(picture(&last.views), picture(&full));
        // Earlier snapshots were not touched by the batches after them.
        for (snapshot, upto) in &published {
            let prefix = Records::from_events(events[..*upto].iter().cloned());
            assert_records_eq(&snapshot.records, &prefix);
            let views = Views::compute(&prefix, &settings(), snapshot.views.now);
            prop_assert_eq!(picture(&snapshot.views), picture(&views));
        }
    }
}

/// A first read large enough that the derivation from scratch works on two
/// threads (the deployments' facts, `T_ok`, gates and where each change is
/// counted from 20,000 records; the teams' edits from 50,000 entries) gives
/// what the same events give in small batches, each worked on one thread:
/// 40,000 changes and 80,000 deployment lines over 24 teams.
#[test]
fn a_large_first_read_split_across_threads_gives_what_small_batches_give() {
    use flightdeck::metrics::Window;
    use flightdeck::metrics::dora::Facts;
    use flightdeck::model::records::Touched;

    let lines = large_first_read_lines();
    let events = events(&lines);
    let settings = Settings::default();
    let records = Records::from_events(events.clone());
    let whole = Facts::derive(&records, &settings);

    let mut batched = Facts::new(&settings);
    let mut kept = Records::default();
    for chunk in events.chunks(2000) {
        let mut touched = Touched::default();
        for e in chunk {
            touched.note(kept.apply(e.clone()));
        }
        batched.update(&kept, &settings, &touched);
    }
    for days in [7, 30, 90, 365] {
        let window = Window::ending(now(), TimeDelta::days(days));
        let a = whole.evaluate(&records, window, &settings.benchmark);
        let b = batched.evaluate(&kept, window, &settings.benchmark);
        assert_eq!(a, b, "{days} days");
        let org = a.organisation.as_ref().expect("the organisation row");
        assert!(
            org.current.deployment_frequency.deployments > 100,
            "{days} days: {org:?}"
        );
        assert!(org.current.lead_time.changes > 100, "{days} days");
        assert!(org.current.change_failure_rate.failed > 10, "{days} days");
        // The teams' gates have something to compare: certified deployments,
        // and batches of more than one change.
        let gates = |t: &flightdeck::metrics::dora::TeamScorecard| t.current.gates;
        let certified: u64 = a
            .teams
            .iter()
            .map(|t| gates(t).certification.deployments)
            .sum();
        assert!(certified > 10, "{days} days: {certified}");
        assert!(
            a.teams
                .iter()
                .any(|t| gates(t).batch.p90.is_some_and(|p| p >= 2.0)),
            "{days} days"
        );
    }
}

/// A batch as large as a big file's first read reaches the store as one: the
/// lane index is then built on a thread of its own next to the facts. The
/// records and every view equal what the same events give applied one by
/// one, merges and deployments of several lines included.
#[test]
fn a_large_first_batch_gives_the_records_and_views_of_its_events() {
    let mut lines = Vec::new();
    for n in 0..17_000i64 {
        let (team, service) = (format!("team-{}", n % 7), format!("svc-{}", n % 19));
        let hours = n % 900;
        // Every change id twice, the second line naming another author and a
        // later review: only the order of applying decides what is kept.
        for (k, author) in [(0, "ann"), (1, "bob")] {
            lines.push(
                json!({"type": "change", "id": format!("c{}", n / 2), "service": service,
                       "team": team, "author": format!("{author}{n}"), "time": at(hours + 30),
                       "opened": at(hours + 29), "first_review": at(hours + 28 - k)})
                .to_string(),
            );
        }
        let status = if n % 11 == 0 { "failure" } else { "success" };
        // Every fifth deployment first pauses in one region, then goes on.
        let stages: &[(Option<&str>, i64, &str)] = if n % 5 == 0 {
            &[
                (Some("paused"), hours + 2, "in_progress"),
                (None, hours, status),
            ]
        } else {
            &[(None, hours, status)]
        };
        for &(stage, time, status) in stages {
            lines.push(
                json!({"type": "deployment", "id": format!("d{n}"), "service": service,
                       "team": team, "time": at(time), "status": status, "stage": stage,
                       "region": REGIONS[(n % 3) as usize], "changes": [format!("c{}", n / 2)]})
                .to_string(),
            );
        }
    }
    let events = events(&lines);
    let one_by_one = Records::from_events(events.clone());
    let full = Views::compute(&one_by_one, &settings(), now());
    assert!(!full.lanes.lanes.is_empty(), "some deployments have lanes");
    // As a source's batch, and as a followed file's first read, made ready
    // for the records on the threads that parsed it.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.ndjson");
    std::fs::write(&path, lines.join("\n")).expect("write");
    let mut follow = flightdeck::sources::events_follow::FollowState::default();
    let read = flightdeck::sources::events_follow::read_appended(&path, &mut follow);
    let prepared = read.expect("read").prepared;
    assert_eq!(prepared.len(), events.len());
    let counts = flightdeck::model::event_counts::EventCounts::of(&events);
    let updates = [
        SourceUpdate::Events {
            source: "file".into(),
            events,
        },
        SourceUpdate::Prepared {
            source: "file".into(),
            events: prepared,
        },
    ];
    for update in updates {
        let (mut store, snapshots) = Store::new(settings(), Clock::Fixed(now()));
        store.apply(update, now());
        store.publish(now(), true);
        let last = snapshots.borrow().clone();
        // Large enough for the lane index alongside.
        assert_eq!(last.records.deployments.len(), 17_000);
        assert_records_eq(&last.records, &one_by_one);
        // Lines 6 and 7 name c3, each twice: the last line's author is kept.
        let at = last.records.change("c3").expect("change c3");
        let kept = last.records.changes.get(at).expect("its record");
        assert_eq!(kept.author.as_deref(), Some("bob7"));
        assert_eq!(last.views.lanes, full.lanes);
        assert_eq!(picture(&last.views), picture(&full));
        assert_eq!(
            last.sources[0].items, counts,
            "what the Sources screen says was read"
        );
    }
}

/// The lines of [`a_large_first_read_split_across_threads_gives_what_small_batches_give`].
fn large_first_read_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for n in 0..40_000i64 {
        let (team, service) = (format!("team-{}", n % 24), format!("svc-{}", n % 72));
        let hours = n % 2000;
        lines.push(
            json!({"type": "change", "id": format!("c{n}"), "service": service, "team": team,
                   "time": at(hours + 30), "opened": at(hours + 29), "first_review": at(hours + 28)})
            .to_string(),
        );
        let status = if n % 9 == 0 { "failure" } else { "success" };
        // Every fourth deployment also lists the change before it, which the
        // deployment before it (an hour later) lists again: batches of two,
        // one and none.
        let changes = if n % 4 == 0 && n > 0 {
            vec![format!("c{n}"), format!("c{}", n - 1)]
        } else {
            vec![format!("c{n}")]
        };
        let region = if n % 2 == 0 { "us-east-1" } else { "eu-west-1" };
        for (stage, time, status) in [
            ("canary", hours + 2, "in_progress"),
            ("rollout", hours, status),
        ] {
            lines.push(
                json!({"type": "deployment", "id": format!("d{n}"), "service": service, "team": team,
                       "time": at(time), "status": status, "stage": stage, "region": region,
                       "changes": changes})
                .to_string(),
            );
        }
        // Some deployments certified in the canary region.
        if n % 10 == 0 {
            lines.push(
                json!({"type": "canary", "deployment": format!("d{n}"), "region": "us-east-1",
                       "time": at(hours - 1), "verdict": "pass", "error_rate": 0.0,
                       "baseline_error_rate": 0.01})
                .to_string(),
            );
        }
        if n % 40 == 0 {
            lines.push(
                json!({"type": "incident", "id": format!("i{n}"), "service": service,
                       "opened": at(hours - 1), "resolved": at(hours - 3)})
                .to_string(),
            );
        }
    }
    lines
}
