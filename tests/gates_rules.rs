//! The gates rules of DESIGN.md ("The gates: how much governance impedes"), with
//! values computed by hand in the comments. Inputs are NDJSON read through
//! `sources::events::parse_str`, so the new change fields are read as a user's
//! file would be. All times are fixed.

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};

use flightdeck::metrics::dora::TeamMetrics;
use flightdeck::metrics::{DORA_2023, Facts, Scorecards, Window, scorecards};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::sources::events::parse_str;

type Time = DateTime<Utc>;

/// The window: 30 days ending 2024-04-01, i.e. [2024-03-02, 2024-04-01).
fn window() -> Window {
    Window::ending(at(4, 1, 0, 0), TimeDelta::days(30))
}

/// 2024-`mo`-`d` `h`:`mi` UTC.
fn at(mo: u32, d: u32, h: u32, mi: u32) -> Time {
    Utc.with_ymd_and_hms(2024, mo, d, h, mi, 0).unwrap()
}

fn iso(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A change committed an hour before `opened`, with the review fields given.
fn change(
    id: &str,
    opened: Option<Time>,
    first_review: Option<Time>,
    merged: Option<Time>,
) -> Value {
    let time = opened.unwrap_or(at(3, 1, 0, 0)) - TimeDelta::hours(1);
    let mut v = json!({"type": "change", "id": id, "service": "api", "time": iso(time)});
    for (k, t) in [
        ("opened", opened),
        ("first_review", first_review),
        ("merged", merged),
    ] {
        if let Some(t) = t {
            v[k] = iso(t).into();
        }
    }
    v
}

fn plain_change(id: &str) -> Value {
    change(id, None, None, None)
}

/// A production line of `team`'s service `api` (or `svc`), in `region`.
fn line(
    id: &str,
    team: &str,
    t: Time,
    status: &str,
    region: Option<&str>,
    changes: &[&str],
) -> Value {
    let mut v = json!({"type": "deployment", "id": id, "service": format!("{team}-svc"),
        "team": team, "time": iso(t), "status": status, "changes": changes});
    if let Some(r) = region {
        v["region"] = r.into();
    }
    v
}

fn canary(deployment: &str, region: &str, t: Time, verdict: &str) -> Value {
    json!({"type": "canary", "deployment": deployment, "region": region, "time": iso(t),
        "verdict": verdict})
}

fn records(lines: &[Value]) -> Records {
    crate::support::records_of(lines)
}

fn cards_with(lines: &[Value], settings: &Settings) -> Scorecards {
    scorecards(&records(lines), settings, window(), &DORA_2023)
}

fn cards(lines: &[Value]) -> Scorecards {
    cards_with(lines, &Settings::default())
}

fn team<'a>(cards: &'a Scorecards, name: &str) -> (&'a TeamMetrics, &'a TeamMetrics) {
    let c = cards
        .teams
        .iter()
        .find(|c| &*c.team == name)
        .unwrap_or_else(|| panic!("no team {name}"));
    (&c.current, &c.previous)
}

const H: f64 = 3600.0;

#[test]
fn review_wait_and_time_medians_odd_even_missing_and_skewed() {
    let lines = [
        // wait 2h, review time 10h
        change(
            "c1",
            Some(at(3, 5, 0, 0)),
            Some(at(3, 5, 2, 0)),
            Some(at(3, 5, 10, 0)),
        ),
        // wait 6h, review time 24h
        change(
            "c2",
            Some(at(3, 6, 0, 0)),
            Some(at(3, 6, 6, 0)),
            Some(at(3, 7, 0, 0)),
        ),
        // wait 1h, not merged: no review time
        change("c3", Some(at(3, 7, 0, 0)), Some(at(3, 7, 1, 0)), None),
        // no `opened`: in neither measure, not in `changes`
        change("c4", None, Some(at(3, 7, 0, 0)), Some(at(3, 7, 5, 0))),
        // wait -1h (skewed: left out of the waits only), review time 4h
        change(
            "c5",
            Some(at(3, 8, 0, 0)),
            Some(at(3, 7, 23, 0)),
            Some(at(3, 8, 4, 0)),
        ),
        // no first review: review time 2h only
        change("c6", Some(at(3, 8, 0, 0)), None, Some(at(3, 8, 2, 0))),
        line(
            "d1",
            "alpha",
            at(3, 10, 12, 0),
            "success",
            None,
            &["c1", "c2", "c3", "c4", "c5", "c6"],
        ),
        // Previous window [02-01, 03-02): one change, wait 5h, review time 7h.
        change(
            "c0",
            Some(at(2, 19, 0, 0)),
            Some(at(2, 19, 5, 0)),
            Some(at(2, 19, 7, 0)),
        ),
        line("d0", "alpha", at(2, 20, 0, 0), "success", None, &["c0"]),
    ];
    let c = cards(&lines);
    let (cur, prev) = team(&c, "alpha");
    let r = cur.gates.review;
    // waits 2h, 6h, 1h (odd): median 2h.
    assert_eq!(r.median_wait_seconds, Some(2.0 * H));
    // review times 10h, 24h, 4h, 2h (even): sorted 2 4 10 24, median (4 + 10) / 2 = 7h.
    assert_eq!(r.median_seconds, Some(7.0 * H));
    // c1 c2 c3 c5 c6 carry `opened`.
    assert_eq!(r.changes, 5);
    // c5's wait is skewed; no review time is.
    assert_eq!((r.skewed_waits, r.skewed_times), (1, 0));
    let p = prev.gates.review;
    assert_eq!(
        (p.median_wait_seconds, p.median_seconds, p.changes),
        (Some(5.0 * H), Some(7.0 * H), 1)
    );
}

#[test]
fn no_review_fields_no_review_numbers() {
    let c = cards(&[
        plain_change("c1"),
        line("d1", "alpha", at(3, 10, 0, 0), "success", None, &["c1"]),
    ]);
    let r = team(&c, "alpha").0.gates.review;
    assert_eq!(
        (r.median_wait_seconds, r.median_seconds, r.changes),
        (None, None, 0)
    );
}

#[test]
fn certification_time_from_the_first_line_to_the_first_pass_in_the_canary_region() {
    let e = "us-east-1";
    let lines = [
        // d1: first line in us-east-1 at 10:00; a fail, then the first pass at
        // 11:00, another pass later: 1h.
        line("d1", "alpha", at(3, 10, 10, 0), "in_progress", Some(e), &[]),
        canary("d1", e, at(3, 10, 10, 30), "fail"),
        canary("d1", e, at(3, 10, 11, 30), "pass"),
        canary("d1", e, at(3, 10, 11, 0), "pass"),
        line("d1", "alpha", at(3, 10, 12, 0), "success", Some(e), &[]),
        line(
            "d1",
            "alpha",
            at(3, 10, 14, 0),
            "success",
            Some("eu-west-1"),
            &[],
        ),
        // d2: only a marginal verdict, no pass: not counted.
        line("d2", "alpha", at(3, 11, 10, 0), "success", Some(e), &[]),
        canary("d2", e, at(3, 11, 10, 20), "marginal"),
        // d3: a pass in another region only: not counted.
        line("d3", "alpha", at(3, 12, 10, 0), "success", Some(e), &[]),
        canary("d3", "eu-west-1", at(3, 12, 10, 20), "pass"),
        // d4: the pass 10 minutes before the first line: negative, left out.
        line("d4", "alpha", at(3, 13, 10, 0), "in_progress", Some(e), &[]),
        line("d4", "alpha", at(3, 13, 11, 0), "success", Some(e), &[]),
        canary("d4", e, at(3, 13, 9, 50), "pass"),
        // d5: a staging line first does not count: production 10:00 -> pass 12:00 = 2h.
        line("d5", "alpha", at(3, 14, 8, 0), "success", Some(e), &[]).with_env("staging"),
        line("d5", "alpha", at(3, 14, 10, 0), "success", Some(e), &[]),
        canary("d5", e, at(3, 14, 12, 0), "pass"),
        // d6: no line in the canary region: not counted.
        line("d6", "alpha", at(3, 15, 10, 0), "success", None, &[]),
        canary("d6", e, at(3, 15, 10, 10), "pass"),
        // d7: the pass read before the deployment: 30 minutes.
        canary("d7", e, at(3, 16, 10, 30), "pass"),
        line("d7", "alpha", at(3, 16, 10, 0), "success", Some(e), &[]),
    ];
    let c = cards(&lines);
    let cert = team(&c, "alpha").0.gates.certification;
    // 1h, 2h, 30m: median 1h over 3 deployments; d4 skewed.
    assert_eq!(cert.median_seconds, Some(H));
    assert_eq!((cert.deployments, cert.skewed), (3, 1));
    // The detail carries each deployment's own time (d4's negative one too).
    let r = records(&lines);
    let facts = Facts::derive(&r, &Settings::default());
    let detail = facts.team_detail(&r, "alpha", window());
    let cert_of = |id: &str| {
        detail
            .deployments
            .iter()
            .find(|row| &*r.deployments[row.deployment].id == id)
            .and_then(|row| row.gates.certification)
    };
    assert_eq!(cert_of("d1"), Some(TimeDelta::hours(1)));
    assert_eq!(cert_of("d2"), None);
    assert_eq!(cert_of("d4"), Some(TimeDelta::minutes(-10)));
    assert_eq!(cert_of("d7"), Some(TimeDelta::minutes(30)));

    // With regions configured, the first one certifies: only d3 passes in
    // eu-west-1, and d1 (first eu-west-1 line 14:00, no pass there) does not.
    let settings = Settings {
        regions: vec!["eu-west-1".into(), e.into()],
        ..Settings::default()
    };
    let lines2 = [
        line(
            "d3",
            "alpha",
            at(3, 12, 9, 0),
            "success",
            Some("eu-west-1"),
            &[],
        ),
        canary("d3", "eu-west-1", at(3, 12, 10, 20), "pass"),
        line(
            "d8",
            "alpha",
            at(3, 12, 9, 0),
            "success",
            Some("eu-west-1"),
            &[],
        ),
        canary("d8", "eu-west-1", at(3, 12, 9, 40), "pass"),
    ];
    let cert = team(&cards_with(&lines2, &settings), "alpha")
        .0
        .gates
        .certification;
    // 80 and 40 minutes (even): 60 minutes.
    assert_eq!((cert.median_seconds, cert.deployments), (Some(3600.0), 2));
}

trait WithEnv {
    fn with_env(self, env: &str) -> Value;
}

impl WithEnv for Value {
    fn with_env(mut self, env: &str) -> Value {
        self["environment"] = env.into();
        self
    }
}

#[test]
fn batch_size_median_p90_and_small_and_large_failure_rates() {
    let mut lines: Vec<Value> = (1..=18).map(|n| plain_change(&format!("c{n}"))).collect();
    let d = |day: u32| at(3, day, 0, 0);
    lines.extend([
        // b1: c1 c2 c3 -> 3
        line("b1", "alpha", d(3), "success", None, &["c1", "c2", "c3"]),
        // b2: c3 was b1's, c-none has no record -> 1 (c4)
        line(
            "b2",
            "alpha",
            d(4),
            "success",
            None,
            &["c3", "c4", "c-none"],
        ),
        // b3: failed, six new changes -> 6
        line(
            "b3",
            "alpha",
            d(5),
            "failure",
            None,
            &["c5", "c6", "c7", "c8", "c9", "c10"],
        ),
        // b4: no changes -> 0
        line("b4", "alpha", d(6), "success", None, &[]),
        // b5: two new changes -> 2, failed by an incident naming it
        line("b5", "alpha", d(7), "success", None, &["c11", "c12"]),
        json!({"type": "incident", "id": "i1", "service": "alpha-svc",
            "opened": iso(d(7) + TimeDelta::hours(1)), "deployment": "b5"}),
        // b6 and b7 finish at the same time: the smaller id lists c13 first.
        line("b7", "alpha", d(8), "success", None, &["c13", "c14"]),
        line("b6", "alpha", d(8), "success", None, &["c13"]),
        // b8 is in flight (no T_done): it does not take c15 from b9 -> 1
        line("b8", "alpha", d(2), "in_progress", None, &["c15"]),
        line("b9", "alpha", d(9), "success", None, &["c15"]),
        // Another team's deployment lists c16 earlier: b11 -> 1 (c17)
        line("x1", "beta", d(2), "success", None, &["c16"]),
        line("b11", "alpha", d(10), "success", None, &["c16", "c17"]),
        // c18 shipped in the previous window; b12 -> 0, rolled back
        line("b0", "alpha", at(2, 20, 0, 0), "success", None, &["c18"]),
        line("b12", "alpha", d(11), "rolled_back", None, &["c18"]),
    ]);
    let c = cards(&lines);
    let (cur, prev) = team(&c, "alpha");
    let b = cur.gates.batch;
    // sizes b1..b12 (no b8): 3 1 6 0 2 1 1 1 1 0 -> sorted 0 0 1 1 1 1 1 2 3 6
    // median (1 + 1) / 2 = 1; p90 rank ceil(0.9 * 10) = 9 -> 3.
    assert_eq!(b.median, Some(1.0));
    assert_eq!(b.p90, Some(3.0));
    // small (<= 1): b2 b4 b6 b7 b9 b11 b12, b12 failed -> 1/7;
    // large: b1 b3 b5, b3 and b5 failed -> 2/3.
    assert_eq!((b.small, b.large), (7, 3));
    assert_eq!(b.small_failure_rate, Some(1.0 / 7.0));
    assert_eq!(b.large_failure_rate, Some(2.0 / 3.0));
    // The previous window: b0 alone, size 1.
    let p = prev.gates.batch;
    assert_eq!(
        (p.median, p.p90, p.small_failure_rate, p.large_failure_rate),
        (Some(1.0), Some(1.0), Some(0.0), None)
    );
    // Each deployment's own size in the detail.
    let r = records(&lines);
    let facts = Facts::derive(&r, &Settings::default());
    let detail = facts.team_detail(&r, "alpha", window());
    let size = |id: &str| {
        detail
            .deployments
            .iter()
            .find(|row| &*r.deployments[row.deployment].id == id)
            .map(|row| row.gates.batch)
    };
    assert_eq!(
        ["b1", "b2", "b3", "b4", "b6", "b7", "b9", "b11", "b12"].map(size),
        [3, 1, 6, 0, 1, 1, 1, 1, 0].map(Some)
    );
}

#[test]
fn a_team_whose_every_batch_equals_its_median_has_no_large_batches() {
    let mut lines: Vec<Value> = (1..=6).map(|n| plain_change(&format!("g{n}"))).collect();
    lines.extend([
        line(
            "g-a",
            "gamma",
            at(3, 3, 0, 0),
            "success",
            None,
            &["g1", "g2"],
        ),
        line(
            "g-b",
            "gamma",
            at(3, 4, 0, 0),
            "failure",
            None,
            &["g3", "g4"],
        ),
        line(
            "g-c",
            "gamma",
            at(3, 5, 0, 0),
            "success",
            None,
            &["g5", "g6"],
        ),
    ]);
    let c = cards(&lines);
    let b = team(&c, "gamma").0.gates.batch;
    assert_eq!((b.median, b.p90), (Some(2.0), Some(2.0)));
    assert_eq!(b.small_failure_rate, Some(1.0 / 3.0));
    assert_eq!(b.large_failure_rate, None);
    assert_eq!((b.small, b.large), (3, 0));
}

#[test]
fn a_team_with_no_counted_deployment_has_no_gate_numbers() {
    let c = cards(&[line(
        "d1",
        "alpha",
        at(3, 3, 0, 0),
        "in_progress",
        None,
        &[],
    )]);
    let g = team(&c, "alpha").0.gates;
    assert_eq!(g, Default::default());
}

#[test]
fn malformed_gate_fields_are_reported_and_the_rest_is_read() {
    let text = [
        r#"{"type":"change","id":"c1","service":"a","time":"2024-03-01T00:00:00Z","opened":"soon"}"#,
        r#"{"type":"change","id":"c2","service":"a","time":"2024-03-01T00:00:00Z","lines":-3}"#,
        r#"{"type":"change","id":"c3","service":"a","time":"2024-03-01T00:00:00Z","lines":"many"}"#,
        r#"{"type":"change","id":"c4","service":"a","time":"2024-03-01T00:00:00Z","first_review":"2024-13-01T00:00:00Z"}"#,
        r#"{"type":"change","id":"c5","service":"a","time":"2024-03-01T00:00:00Z","merged":7}"#,
        r#"{"type":"change","id":"c6","service":"a","time":"2024-03-01T00:00:00Z","opened":"2024-03-01T01:00:00+01:00","first_review":"2024-03-01T02:00:00Z","merged":"2024-03-01T03:00:00Z","lines":42}"#,
    ]
    .join("\n");
    let (events, d) = parse_str(&text);
    assert_eq!(events.len(), 1);
    let lines: Vec<u64> = d.malformed.iter().map(|m| m.line).collect();
    assert_eq!(lines, [1, 2, 3, 4, 5]);
    assert!(
        d.malformed[0].error.contains("`opened`"),
        "{}",
        d.malformed[0].error
    );
    assert!(
        d.malformed[1].error.contains("`lines`"),
        "{}",
        d.malformed[1].error
    );
    assert!(
        d.malformed[2].error.contains("`lines`"),
        "{}",
        d.malformed[2].error
    );
    assert!(
        d.malformed[3].error.contains("`first_review`"),
        "{}",
        d.malformed[3].error
    );
    match &events[0] {
        flightdeck::model::Event::Change(c) => {
            assert_eq!(c.opened, Some(at(3, 1, 0, 0)));
            assert_eq!(c.first_review, Some(at(3, 1, 2, 0)));
            assert_eq!(c.merged, Some(at(3, 1, 3, 0)));
            assert_eq!(c.lines, Some(42));
        }
        other => panic!("expected a change, got {other:?}"),
    }
}

#[test]
fn later_change_lines_fill_in_the_review_fields() {
    let lines = [
        change("c1", Some(at(3, 5, 0, 0)), None, None),
        line("d1", "alpha", at(3, 10, 0, 0), "success", None, &["c1"]),
        // The review arrives later (a source polls again).
        change("c1", None, Some(at(3, 5, 3, 0)), Some(at(3, 5, 8, 0))),
    ];
    let r = team(&cards(&lines), "alpha").0.gates.review;
    assert_eq!(
        (r.median_wait_seconds, r.median_seconds, r.changes),
        (Some(3.0 * H), Some(8.0 * H), 1)
    );
}
