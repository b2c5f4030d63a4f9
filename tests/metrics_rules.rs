//! Unit tests for every rule of DESIGN.md, "Metric definitions (exact ...)".
//!
//! Inputs are NDJSON text read through `sources::events::parse_str`, so these tests
//! exercise the schema v1 reader and record merging too. All times are fixed; the
//! wall clock is never read.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};

use flightdeck::metrics::dora::{Attribution, FailReason, ReworkReason, TeamMetrics};
use flightdeck::metrics::{DORA_2023, Facts, Scorecards, TeamScorecard, Tier, Window, scorecards};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::sources::events::parse_str;

type Time = DateTime<Utc>;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The end of the default test window: 2024-04-01T00:00:00Z.
fn end() -> Time {
    Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap()
}

/// The default test window: 30 days ending at [`end`], i.e. [2024-03-02, 2024-04-01).
fn window() -> Window {
    Window::ending(end(), TimeDelta::days(30))
}

fn start() -> Time {
    window().start
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Time {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn iso(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

fn days(d: i64) -> TimeDelta {
    TimeDelta::days(d)
}

/// Adds optional fields to a JSON object line.
trait With {
    fn with(self, key: &str, value: impl Into<Value>) -> Value;
}

impl With for Value {
    fn with(mut self, key: &str, value: impl Into<Value>) -> Value {
        self.as_object_mut()
            .expect("an event line is an object")
            .insert(key.to_string(), value.into());
        self
    }
}

fn change(id: &str, service: &str, time: Time) -> Value {
    json!({"type": "change", "id": id, "service": service, "time": iso(time)})
}

fn deploy(id: &str, service: &str, time: Time, status: &str) -> Value {
    json!({"type": "deployment", "id": id, "service": service, "time": iso(time), "status": status})
}

fn incident(id: &str, service: &str, opened: Time) -> Value {
    json!({"type": "incident", "id": id, "service": service, "opened": iso(opened)})
}

fn ndjson(lines: &[Value]) -> String {
    let mut text = String::new();
    for l in lines {
        text.push_str(&l.to_string());
        text.push('\n');
    }
    text
}

/// Reads NDJSON text strictly (every line must parse) into records.
fn records_of(text: &str) -> Records {
    let (events, diagnostics) = parse_str(text);
    assert!(
        diagnostics.malformed.is_empty(),
        "malformed input: {:?}",
        diagnostics.malformed
    );
    assert_eq!(diagnostics.skipped_types, 0);
    Records::from_events(events)
}

fn cards_with(lines: &[Value], settings: &Settings, window: Window) -> Scorecards {
    let records = records_of(&ndjson(lines));
    scorecards(&records, settings, window, &DORA_2023)
}

fn cards(lines: &[Value]) -> Scorecards {
    cards_with(lines, &Settings::default(), window())
}

fn card<'a>(cards: &'a Scorecards, team: &str) -> &'a TeamScorecard {
    cards
        .teams
        .iter()
        .find(|c| &*c.team == team)
        .unwrap_or_else(|| panic!("team {team} not reported; teams: {:?}", team_names(cards)))
}

fn team_names(cards: &Scorecards) -> Vec<String> {
    cards.teams.iter().map(|c| c.team.to_string()).collect()
}

fn cur<'a>(cards: &'a Scorecards, team: &str) -> &'a TeamMetrics {
    &card(cards, team).current
}

fn prev<'a>(cards: &'a Scorecards, team: &str) -> &'a TeamMetrics {
    &card(cards, team).previous
}

fn deployed(m: &TeamMetrics) -> u64 {
    m.deployment_frequency.deployments
}

fn failed(m: &TeamMetrics) -> u64 {
    m.change_failure_rate.failed
}

fn settings_mapping(pairs: &[(&str, &str)]) -> Settings {
    Settings {
        service_teams: pairs
            .iter()
            .map(|(svc, team)| ((*svc).into(), (*team).into()))
            .collect::<HashMap<_, _>>(),
        ..Settings::default()
    }
}

const UNASSIGNED: &str = "unassigned";

// ---------------------------------------------------------------------------
// Window
// ---------------------------------------------------------------------------

#[test]
fn window_geometry_and_previous_window() {
    let w = window();
    assert_eq!(w.start, at(2024, 3, 2, 0, 0, 0));
    assert_eq!(w.end, end());
    assert_eq!(w.days(), 30.0);
    assert_eq!(w.length(), days(30));
    let p = w.previous();
    assert_eq!(p.start, at(2024, 2, 1, 0, 0, 0));
    assert_eq!(p.end, w.start);
    assert!(w.contains(w.start));
    assert!(!w.contains(w.end));
    assert!(w.contains(w.end - TimeDelta::milliseconds(1)));
    assert!(!w.contains(w.start - TimeDelta::milliseconds(1)));
}

#[test]
fn deployment_exactly_at_start_is_in_and_exactly_at_end_is_out() {
    let c = cards(&[
        deploy("d-start", "api", start(), "success").with("team", "alpha"),
        deploy("d-end", "api", end(), "success").with("team", "alpha"),
        deploy("d-last", "api", end() - TimeDelta::seconds(1), "success").with("team", "alpha"),
        deploy(
            "d-before",
            "api",
            start() - TimeDelta::seconds(1),
            "success",
        )
        .with("team", "alpha"),
    ]);
    assert_eq!(deployed(cur(&c, "alpha")), 2, "d-start and d-last");
    // The previous window is [end-2W, end-W): d-before is in it; d-start is not.
    assert_eq!(deployed(prev(&c, "alpha")), 1);
    assert_eq!(c.window, window());
}

#[test]
fn previous_window_is_end_minus_2w_to_end_minus_w() {
    let w = window();
    let two_w = w.end - days(60);
    let c = cards(&[
        deploy("p-first", "api", two_w, "success").with("team", "alpha"),
        deploy("p-early", "api", two_w - TimeDelta::seconds(1), "success").with("team", "alpha"),
        deploy("p-last", "api", w.start - TimeDelta::seconds(1), "success").with("team", "alpha"),
        deploy("p-mid", "api", two_w + days(10), "failure").with("team", "alpha"),
        deploy("c-1", "api", w.start + days(1), "success").with("team", "alpha"),
    ]);
    let p = prev(&c, "alpha");
    assert_eq!(
        deployed(p),
        3,
        "p-first, p-mid and p-last; p-early is older"
    );
    assert_eq!(p.deployment_frequency.per_day, 3.0 / 30.0);
    assert_eq!(p.deployment_frequency.tier, Some(Tier::Medium));
    assert_eq!(failed(p), 1);
    assert_eq!(p.change_failure_rate.rate, Some(1.0 / 3.0));
    assert_eq!(p.change_failure_rate.tier, Some(Tier::Low));
    let cm = cur(&c, "alpha");
    assert_eq!(deployed(cm), 1);
    assert_eq!(failed(cm), 0);
    assert_eq!(cm.change_failure_rate.tier, Some(Tier::Elite));
}

#[test]
fn rfc3339_offsets_are_read_as_utc_instants() {
    // 2024-04-01T01:30:00+02:00 is 2024-03-31T23:30:00Z: inside the window.
    // 2024-03-31T23:30:00-01:00 is 2024-04-01T00:30:00Z: after it.
    let text = concat!(
        r#"{"type":"deployment","id":"d1","service":"api","team":"alpha","time":"2024-04-01T01:30:00+02:00","status":"success"}"#,
        "\n",
        r#"{"type":"deployment","id":"d2","service":"api","team":"alpha","time":"2024-03-31T23:30:00-01:00","status":"success"}"#,
        "\n",
    );
    let records = records_of(text);
    assert_eq!(
        records.deployments[0].events[0].time,
        at(2024, 3, 31, 23, 30, 0)
    );
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    assert_eq!(deployed(cur(&c, "alpha")), 1);
}

// ---------------------------------------------------------------------------
// Deployment frequency
// ---------------------------------------------------------------------------

fn n_deploys(team: &str, n: usize, window: Window) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let t = window.start + TimeDelta::hours(i as i64);
            deploy(&format!("{team}-{i}"), &format!("svc-{team}"), t, "success").with("team", team)
        })
        .collect()
}

#[test]
fn deployment_frequency_is_n_over_window_days_with_tiers() {
    let w = window();
    let mut lines = Vec::new();
    for (team, n) in [("e30", 30), ("h29", 29), ("h5", 5), ("m4", 4), ("m1", 1)] {
        lines.extend(n_deploys(team, n, w));
    }
    let s = Settings {
        teams: vec!["none".into()],
        ..Settings::default()
    };
    let c = cards_with(&lines, &s, w);

    let f = &cur(&c, "e30").deployment_frequency;
    assert_eq!(
        (f.deployments, f.per_day, f.tier),
        (30, 1.0, Some(Tier::Elite))
    );
    let f = &cur(&c, "h29").deployment_frequency;
    assert_eq!(
        (f.deployments, f.per_day, f.tier),
        (29, 29.0 / 30.0, Some(Tier::High))
    );
    // 5 in 30 days is more than one a week.
    let f = &cur(&c, "h5").deployment_frequency;
    assert_eq!((f.deployments, f.tier), (5, Some(Tier::High)));
    // 4 in 30 days is less than one a week, but at least one a month.
    let f = &cur(&c, "m4").deployment_frequency;
    assert_eq!((f.deployments, f.tier), (4, Some(Tier::Medium)));
    let f = &cur(&c, "m1").deployment_frequency;
    assert_eq!(
        (f.deployments, f.per_day, f.tier),
        (1, 1.0 / 30.0, Some(Tier::Medium))
    );
    // A configured team no record names has no data: no tier, not low.
    let f = &cur(&c, "none").deployment_frequency;
    assert_eq!((f.deployments, f.per_day, f.tier), (0, 0.0, None));
    assert_eq!(card(&c, "none").tier, None);
}

#[test]
fn deployment_frequency_thresholds_are_inclusive_in_other_window_lengths() {
    // 28 days: 4 deployments are exactly one a week (high), 3 are medium.
    let w28 = Window::ending(end(), days(28));
    let mut lines = n_deploys("four", 4, w28);
    lines.extend(n_deploys("three", 3, w28));
    let c = cards_with(&lines, &Settings::default(), w28);
    assert_eq!(cur(&c, "four").deployment_frequency.tier, Some(Tier::High));
    assert_eq!(cur(&c, "four").deployment_frequency.per_day, 4.0 / 28.0);
    assert_eq!(
        cur(&c, "three").deployment_frequency.tier,
        Some(Tier::Medium)
    );

    // 31 days: one deployment is less than one a month: low.
    let w31 = Window::ending(end(), days(31));
    let c = cards_with(&n_deploys("one", 1, w31), &Settings::default(), w31);
    assert_eq!(cur(&c, "one").deployment_frequency.tier, Some(Tier::Low));
    assert_eq!(deployed(cur(&c, "one")), 1);

    // 7 days: 7 deployments are one a day (elite), 6 are high, 1 is high (one a week).
    let w7 = Window::ending(end(), days(7));
    let mut lines = n_deploys("seven", 7, w7);
    lines.extend(n_deploys("six", 6, w7));
    lines.extend(n_deploys("uno", 1, w7));
    let c = cards_with(&lines, &Settings::default(), w7);
    assert_eq!(
        cur(&c, "seven").deployment_frequency.tier,
        Some(Tier::Elite)
    );
    assert_eq!(cur(&c, "six").deployment_frequency.tier, Some(Tier::High));
    assert_eq!(cur(&c, "uno").deployment_frequency.tier, Some(Tier::High));
}

#[test]
fn staging_deployments_are_not_counted() {
    let t = start() + days(3);
    let c = cards(&[
        deploy("s1", "api", t, "success")
            .with("team", "alpha")
            .with("environment", "staging"),
        deploy("s2", "api", t, "failure")
            .with("team", "alpha")
            .with("environment", "Staging"),
        deploy("s3", "api", t, "success")
            .with("team", "alpha")
            .with("environment", "production-eu"),
        deploy("p1", "api", t, "success").with("team", "alpha"),
    ]);
    let m = cur(&c, "alpha");
    assert_eq!(deployed(m), 1);
    assert_eq!(
        failed(m),
        0,
        "a staging failure is not a production failure"
    );
}

#[test]
fn production_environment_names_are_case_insensitive() {
    let t = start() + days(3);
    let c = cards(&[
        deploy("d1", "api", t, "success")
            .with("team", "alpha")
            .with("environment", "prod"),
        deploy("d2", "api", t, "success")
            .with("team", "alpha")
            .with("environment", "PRODUCTION"),
        deploy("d3", "api", t, "success")
            .with("team", "alpha")
            .with("environment", "Prod"),
        deploy("d4", "api", t, "success")
            .with("team", "alpha")
            .with("environment", "production"),
        // Missing environment means production.
        deploy("d5", "api", t, "success").with("team", "alpha"),
        deploy("d6", "api", t, "success")
            .with("team", "alpha")
            .with("environment", "preprod"),
    ]);
    assert_eq!(deployed(cur(&c, "alpha")), 5);
}

#[test]
fn configured_production_environments_replace_the_default() {
    let t = start() + days(3);
    let s = Settings {
        production_environments: vec!["live".into()],
        ..Settings::default()
    };
    let c = cards_with(
        &[
            deploy("d1", "api", t, "success")
                .with("team", "alpha")
                .with("environment", "LIVE"),
            deploy("d2", "api", t, "success")
                .with("team", "alpha")
                .with("environment", "production"),
            deploy("d3", "api", t, "success").with("team", "alpha"),
        ],
        &s,
        window(),
    );
    assert_eq!(
        deployed(cur(&c, "alpha")),
        2,
        "LIVE and the missing environment"
    );
}

#[test]
fn in_flight_deployments_are_not_counted() {
    let t = start() + days(3);
    let c = cards(&[
        deploy("d1", "api", t, "pending").with("team", "alpha"),
        deploy("d1", "api", t + hours(1), "in_progress").with("team", "alpha"),
        deploy("d2", "api", t, "in_progress").with("team", "alpha"),
        // Finished only after the window: not in this window either.
        deploy("d3", "api", t, "in_progress").with("team", "alpha"),
        deploy("d3", "api", end() + hours(1), "success").with("team", "alpha"),
        // Finished only in staging: still in flight for production.
        deploy("d4", "api", t, "in_progress").with("team", "alpha"),
        deploy("d4", "api", t + hours(1), "success")
            .with("team", "alpha")
            .with("environment", "staging"),
    ]);
    let m = cur(&c, "alpha");
    assert_eq!(deployed(m), 0);
    assert_eq!(m.deployment_frequency.tier, Some(Tier::Low));
    assert_eq!(m.change_failure_rate.rate, None);
    assert_eq!(m.change_failure_rate.tier, None);
    assert_eq!(m.rework_rate.rate, None);
}

#[test]
fn t_done_is_the_earliest_terminal_production_event() {
    let w = window();
    let c = cards(&[
        change("c1", "api", w.start - days(2)),
        // Earlier staging success and production pending are not terminal production events.
        deploy("d1", "api", w.start - days(2) + hours(1), "success")
            .with("team", "alpha")
            .with("environment", "staging"),
        deploy("d1", "api", w.start - hours(3), "pending").with("team", "alpha"),
        // First production terminal event: a failure just before the window start.
        deploy("d1", "api", w.start - hours(1), "failure")
            .with("team", "alpha")
            .with("region", "eu-west-1"),
        // The first production success is inside the window.
        deploy("d1", "api", w.start + hours(2), "success")
            .with("team", "alpha")
            .with("region", "us-east-1")
            .with("changes", json!(["c1"])),
    ]);
    // The deployment counts in the previous window (T_done), failed.
    assert_eq!(deployed(prev(&c, "alpha")), 1);
    assert_eq!(failed(prev(&c, "alpha")), 1);
    assert_eq!(deployed(cur(&c, "alpha")), 0);
    // The change counts at T_ok, which is in the current window.
    let lt = &cur(&c, "alpha").lead_time;
    assert_eq!(lt.changes, 1);
    assert_eq!(lt.median_seconds, Some((2 * 86_400 + 2 * 3_600) as f64));
    assert_eq!(lt.tier, Some(Tier::High));
    assert_eq!(prev(&c, "alpha").lead_time.changes, 0);
    assert_eq!(prev(&c, "alpha").lead_time.median_seconds, None);
}

#[test]
fn t_done_earliest_even_when_lines_arrive_out_of_order() {
    let c = cards(&[
        deploy("d1", "api", end() + hours(5), "success").with("team", "alpha"),
        deploy("d1", "api", end() - hours(5), "success").with("team", "alpha"),
    ]);
    assert_eq!(deployed(cur(&c, "alpha")), 1);
}

// ---------------------------------------------------------------------------
// Lead time for changes
// ---------------------------------------------------------------------------

/// Changes with the given leads (in seconds), all deployed by one deployment
/// whose T_ok is `t_ok`.
fn leads_lines(team: &str, t_ok: Time, leads_s: &[i64]) -> Vec<Value> {
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    for (i, &lead) in leads_s.iter().enumerate() {
        let id = format!("{team}-c{i}");
        lines.push(change(
            &id,
            &format!("svc-{team}"),
            t_ok - TimeDelta::seconds(lead),
        ));
        ids.push(id);
    }
    lines.push(
        deploy(
            &format!("{team}-d"),
            &format!("svc-{team}"),
            t_ok,
            "success",
        )
        .with("team", team)
        .with("changes", json!(ids)),
    );
    lines
}

#[test]
fn lead_time_median_of_an_odd_count_is_the_middle_value() {
    let t_ok = start() + days(10);
    let c = cards(&leads_lines("alpha", t_ok, &[36_000, 3_600, 7_200]));
    let lt = &cur(&c, "alpha").lead_time;
    assert_eq!(lt.changes, 3);
    assert_eq!(lt.skewed, 0);
    assert_eq!(lt.median_seconds, Some(7_200.0));
    assert_eq!(lt.tier, Some(Tier::Elite));
}

#[test]
fn lead_time_median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
    let t_ok = start() + days(10);
    let c = cards(&leads_lines(
        "alpha",
        t_ok,
        &[360_000, 3_600, 14_400, 7_200],
    ));
    let lt = &cur(&c, "alpha").lead_time;
    assert_eq!(lt.changes, 4);
    // middle values 2h and 4h -> 3h
    assert_eq!(lt.median_seconds, Some(10_800.0));
    assert_eq!(lt.tier, Some(Tier::Elite));

    // Two values: their mean, which may be fractional.
    let c = cards(&leads_lines("beta", t_ok, &[1, 2]));
    assert_eq!(cur(&c, "beta").lead_time.median_seconds, Some(1.5));
}

#[test]
fn lead_time_tier_thresholds_are_strict() {
    let t_ok = start() + days(29);
    let day = 86_400;
    let mut lines = Vec::new();
    lines.extend(leads_lines("under1d", t_ok, &[day - 1]));
    lines.extend(leads_lines("exactly1d", t_ok, &[day]));
    lines.extend(leads_lines("under7d", t_ok, &[7 * day - 1]));
    lines.extend(leads_lines("exactly7d", t_ok, &[7 * day]));
    lines.extend(leads_lines("under30d", t_ok, &[30 * day - 1]));
    lines.extend(leads_lines("exactly30d", t_ok, &[30 * day]));
    lines.extend(leads_lines("zero", t_ok, &[0]));
    let c = cards(&lines);
    let tier = |team: &str| cur(&c, team).lead_time.tier;
    assert_eq!(tier("zero"), Some(Tier::Elite));
    assert_eq!(tier("under1d"), Some(Tier::Elite));
    assert_eq!(tier("exactly1d"), Some(Tier::High));
    assert_eq!(tier("under7d"), Some(Tier::High));
    assert_eq!(tier("exactly7d"), Some(Tier::Medium));
    assert_eq!(tier("under30d"), Some(Tier::Medium));
    assert_eq!(tier("exactly30d"), Some(Tier::Low));
    assert_eq!(
        cur(&c, "exactly30d").lead_time.median_seconds,
        Some((30 * day) as f64)
    );
    assert_eq!(cur(&c, "zero").lead_time.median_seconds, Some(0.0));
}

#[test]
fn negative_leads_are_left_out_and_counted_as_skewed() {
    let t_ok = start() + days(10);
    // Two negative leads (commit after the deployment), three normal ones.
    let c = cards(&leads_lines(
        "alpha",
        t_ok,
        &[-60, 3_600, -86_400, 7_200, 100_000],
    ));
    let lt = &cur(&c, "alpha").lead_time;
    assert_eq!(lt.skewed, 2);
    assert_eq!(lt.changes, 3);
    assert_eq!(lt.median_seconds, Some(7_200.0));

    // Only skewed changes: no data.
    let c = cards(&leads_lines("beta", t_ok, &[-1]));
    let lt = &cur(&c, "beta").lead_time;
    assert_eq!((lt.changes, lt.skewed), (0, 1));
    assert_eq!(lt.median_seconds, None);
    assert_eq!(lt.tier, None);
}

#[test]
fn a_lead_negative_by_less_than_a_millisecond_is_still_skewed() {
    let t_ok = at(2024, 3, 10, 12, 0, 0);
    let text = concat!(
        r#"{"type":"change","id":"c1","service":"api","time":"2024-03-10T12:00:00.0005Z"}"#,
        "\n",
        r#"{"type":"change","id":"c2","service":"api","time":"2024-03-10T11:00:00Z"}"#,
        "\n",
        r#"{"type":"deployment","id":"d1","service":"api","team":"alpha","time":"2024-03-10T12:00:00Z","status":"success","changes":["c1","c2"]}"#,
        "\n",
    );
    let records = records_of(text);
    assert!(records.changes[0].time > t_ok);
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    let lt = &cur(&c, "alpha").lead_time;
    assert_eq!(lt.skewed, 1, "a commit after its deployment is skewed");
    assert_eq!(lt.changes, 1);
    assert_eq!(lt.median_seconds, Some(3_600.0));
    // The drill-down agrees with the aggregate.
    let facts = Facts::derive(&records, &Settings::default());
    let detail = facts.team_detail(&records, "alpha", window());
    assert_eq!(detail.changes.iter().filter(|r| r.skewed).count(), 1);
}

#[test]
fn change_ids_without_a_change_record_are_ignored() {
    let t_ok = start() + days(5);
    let c = cards(&[
        change("c1", "api", t_ok - hours(2)),
        deploy("d1", "api", t_ok, "success")
            .with("team", "alpha")
            .with("changes", json!(["ghost-1", "c1", "ghost-2"])),
    ]);
    let lt = &cur(&c, "alpha").lead_time;
    assert_eq!(lt.changes, 1);
    assert_eq!(lt.skewed, 0);
    assert_eq!(lt.median_seconds, Some(7_200.0));
}

#[test]
fn a_change_listed_by_two_deployments_counts_once_at_the_earliest_t_ok() {
    let t0 = start() + days(5);
    let c = cards(&[
        change("c1", "api", t0).with("team", "alpha"),
        // Listed first in the file, but the later T_ok.
        deploy("d-late", "api", t0 + hours(5), "success")
            .with("team", "alpha")
            .with("changes", json!(["c1"])),
        deploy("d-early", "api", t0 + hours(2), "success")
            .with("team", "beta")
            .with("changes", json!(["c1"])),
    ]);
    // Counted once, for the team of the deployment with the earliest T_ok.
    let beta = &cur(&c, "beta").lead_time;
    assert_eq!(beta.changes, 1);
    assert_eq!(beta.median_seconds, Some(7_200.0));
    let alpha = &cur(&c, "alpha").lead_time;
    assert_eq!(alpha.changes, 0);
    assert_eq!(alpha.median_seconds, None);
    let total: u64 = c.teams.iter().map(|t| t.current.lead_time.changes).sum();
    assert_eq!(total, 1);
}

#[test]
fn a_change_counts_in_the_window_of_its_earliest_t_ok_only() {
    let w = window();
    let c = cards(&[
        change("c1", "api", w.start - days(3)).with("team", "alpha"),
        // First success in the previous window, a second deployment in this one.
        deploy("d1", "api", w.start - days(1), "success")
            .with("team", "alpha")
            .with("changes", json!(["c1"])),
        deploy("d2", "api", w.start + days(1), "success")
            .with("team", "alpha")
            .with("changes", json!(["c1"])),
    ]);
    assert_eq!(cur(&c, "alpha").lead_time.changes, 0);
    assert_eq!(cur(&c, "alpha").lead_time.median_seconds, None);
    assert_eq!(prev(&c, "alpha").lead_time.changes, 1);
    assert_eq!(
        prev(&c, "alpha").lead_time.median_seconds,
        Some(2.0 * 86_400.0)
    );
    assert_eq!(prev(&c, "alpha").lead_time.tier, Some(Tier::High));
}

#[test]
fn a_change_is_counted_at_a_successful_deployment_not_a_failed_one() {
    let t0 = start() + days(5);
    let c = cards(&[
        change("c1", "api", t0),
        // Failed (no T_ok) earlier: it does not count the change.
        deploy("d-fail", "api", t0 + hours(1), "failure")
            .with("team", "alpha")
            .with("changes", json!(["c1"])),
        // Staging success earlier: not a production T_ok.
        deploy("d-stg", "api", t0 + hours(2), "success")
            .with("team", "alpha")
            .with("environment", "staging")
            .with("changes", json!(["c1"])),
        deploy("d-ok", "api", t0 + hours(4), "success")
            .with("team", "alpha")
            .with("changes", json!(["c1"])),
    ]);
    let lt = &cur(&c, "alpha").lead_time;
    assert_eq!(lt.changes, 1);
    assert_eq!(lt.median_seconds, Some(4.0 * 3_600.0));
}

#[test]
fn a_failed_production_event_before_success_does_not_move_t_ok() {
    let t0 = start() + days(5);
    let c = cards(&[
        change("c1", "api", t0),
        deploy("d1", "api", t0 + hours(1), "rolled_back")
            .with("team", "alpha")
            .with("region", "eu")
            .with("changes", json!(["c1"])),
        deploy("d1", "api", t0 + hours(3), "success")
            .with("team", "alpha")
            .with("region", "us"),
    ]);
    let m = cur(&c, "alpha");
    assert_eq!(m.lead_time.median_seconds, Some(3.0 * 3_600.0));
    assert_eq!(deployed(m), 1);
    assert_eq!(failed(m), 1);
}

#[test]
fn t_ok_is_the_earliest_production_success() {
    let t0 = start() + days(5);
    let lines = [
        change("c1", "api", t0),
        // A staging success first: not a production T_ok.
        deploy("d1", "api", t0 + TimeDelta::minutes(30), "success")
            .with("team", "alpha")
            .with("environment", "staging")
            .with("changes", json!(["c1"])),
        // A later region's success arrives first in the file.
        deploy("d1", "api", t0 + hours(5), "success")
            .with("team", "alpha")
            .with("region", "us"),
        deploy("d1", "api", t0 + hours(1), "success")
            .with("team", "alpha")
            .with("region", "eu"),
        // The incident opens 24h30m after the first production success and 20h
        // after the second: with T_ok the earliest success it is outside the link window.
        incident("i1", "api", t0 + hours(25) + TimeDelta::minutes(30)).with("team", "alpha"),
    ];
    let c = cards(&lines);
    let m = cur(&c, "alpha");
    assert_eq!(m.lead_time.median_seconds, Some(3_600.0));
    assert_eq!(deployed(m), 1);
    assert_eq!(failed(m), 0);
    assert_eq!(c.unattributed_incidents, 1);
}

#[test]
fn lead_time_counts_for_the_deploying_team_not_the_change_team() {
    let t0 = start() + days(5);
    let c = cards(&[
        change("c1", "lib", t0).with("team", "authors"),
        deploy("d1", "api", t0 + hours(1), "success")
            .with("team", "deployers")
            .with("changes", json!(["c1"])),
    ]);
    assert_eq!(cur(&c, "deployers").lead_time.changes, 1);
    // The change's team is reported, but has no counted change.
    assert_eq!(cur(&c, "authors").lead_time.changes, 0);
    assert_eq!(cur(&c, "authors").lead_time.tier, None);
}

// ---------------------------------------------------------------------------
// Change failure rate
// ---------------------------------------------------------------------------

#[test]
fn failure_or_rolled_back_in_any_production_event_fails_the_deployment() {
    let t = start() + days(4);
    let c = cards(&[
        deploy("d1", "api", t, "success")
            .with("team", "alpha")
            .with("region", "eu"),
        deploy("d1", "api", t + hours(1), "rolled_back")
            .with("team", "alpha")
            .with("region", "us"),
        deploy("d2", "api", t, "failure").with("team", "alpha"),
        deploy("d3", "api", t, "failure")
            .with("team", "alpha")
            .with("environment", "staging"),
        deploy("d3", "api", t + hours(1), "success").with("team", "alpha"),
        deploy("d4", "api", t, "success").with("team", "alpha"),
    ]);
    let r = &cur(&c, "alpha").change_failure_rate;
    assert_eq!((r.failed, r.deployments), (2, 4));
    assert_eq!(r.rate, Some(0.5));
    assert_eq!(r.tier, Some(Tier::Low));
}

#[test]
fn a_failure_after_the_window_still_fails_a_deployment_done_in_it() {
    let c = cards(&[
        deploy("d1", "api", end() - hours(1), "success").with("team", "alpha"),
        deploy("d1", "api", end() + days(2), "failure").with("team", "alpha"),
    ]);
    let r = &cur(&c, "alpha").change_failure_rate;
    assert_eq!((r.failed, r.deployments), (1, 1));
    assert_eq!(r.rate, Some(1.0));
}

#[test]
fn change_failure_rate_tier_thresholds_are_inclusive() {
    let t = start() + days(4);
    let mut lines = Vec::new();
    for (team, fails) in [("f1", 1), ("f2", 2), ("f3", 3), ("f4", 4), ("f0", 0)] {
        for i in 0..20 {
            let status = if i < fails { "failure" } else { "success" };
            lines.push(
                deploy(&format!("{team}-{i}"), &format!("svc-{team}"), t, status)
                    .with("team", team),
            );
        }
    }
    let c = cards(&lines);
    let r = |team: &str| cur(&c, team).change_failure_rate.clone();
    assert_eq!(r("f0").rate, Some(0.0));
    assert_eq!(r("f0").tier, Some(Tier::Elite));
    assert_eq!(r("f1").rate, Some(0.05));
    assert_eq!(r("f1").tier, Some(Tier::Elite));
    assert_eq!(r("f2").rate, Some(0.1));
    assert_eq!(r("f2").tier, Some(Tier::High));
    assert_eq!(r("f3").tier, Some(Tier::Medium));
    assert_eq!(r("f4").rate, Some(0.2));
    assert_eq!(r("f4").tier, Some(Tier::Low));
    assert_eq!((r("f3").failed, r("f3").deployments), (3, 20));
}

#[test]
fn change_failure_rate_has_no_data_without_deployments() {
    let s = Settings {
        teams: vec!["quiet".into()],
        ..Settings::default()
    };
    let c = cards_with(&[], &s, window());
    let r = &cur(&c, "quiet").change_failure_rate;
    assert_eq!(
        (r.failed, r.deployments, r.rate, r.tier),
        (0, 0, None, None)
    );
}

// ---------------------------------------------------------------------------
// Incident attribution
// ---------------------------------------------------------------------------

fn detail_incident_attribution(
    records: &Records,
    settings: &Settings,
    team: &str,
    w: Window,
) -> Vec<Option<Attribution>> {
    let facts = Facts::derive(records, settings);
    facts
        .team_detail(records, team, w)
        .incidents
        .iter()
        .map(|r| r.attribution)
        .collect()
}

#[test]
fn explicit_attribution_fails_the_named_deployment_whatever_the_time() {
    let t = start() + days(2);
    let lines = [
        deploy("d1", "api", t, "success").with("team", "alpha"),
        deploy("d2", "api", t + days(5), "success").with("team", "alpha"),
        // Opened just after d2, but names d1 (ten days before, beyond the link window).
        incident("i1", "api", t + days(5) + hours(1))
            .with("team", "alpha")
            .with("deployment", "d1")
            .with("resolved", iso(t + days(5) + hours(2))),
    ];
    let records = records_of(&ndjson(&lines));
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    let r = &cur(&c, "alpha").change_failure_rate;
    assert_eq!((r.failed, r.deployments), (1, 2));
    assert_eq!(c.unattributed_incidents, 0);

    let facts = Facts::derive(&records, &Settings::default());
    let detail = facts.team_detail(&records, "alpha", window());
    let d1 = records.deployment("d1").unwrap();
    let d2 = records.deployment("d2").unwrap();
    let row1 = detail
        .deployments
        .iter()
        .find(|r| r.deployment == d1)
        .unwrap();
    assert_eq!(
        row1.fail_reasons,
        vec![FailReason::Incident {
            id: "i1".into(),
            explicit: true
        }]
    );
    let row2 = detail
        .deployments
        .iter()
        .find(|r| r.deployment == d2)
        .unwrap();
    assert!(row2.fail_reasons.is_empty());
    assert_eq!(
        detail_incident_attribution(&records, &Settings::default(), "alpha", window()),
        vec![Some(Attribution::Explicit(d1))]
    );
}

#[test]
fn explicit_attribution_to_a_staging_deployment_is_attributed_but_fails_no_production_deployment() {
    let t = start() + days(2);
    let lines = [
        deploy("stg-1", "api", t, "success")
            .with("team", "alpha")
            .with("environment", "staging"),
        deploy("prod-1", "api", t + hours(1), "success").with("team", "alpha"),
        incident("i1", "api", t + hours(2))
            .with("team", "alpha")
            .with("deployment", "stg-1"),
    ];
    let records = records_of(&ndjson(&lines));
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    assert_eq!(c.unattributed_incidents, 0);
    let r = &cur(&c, "alpha").change_failure_rate;
    // Only prod-1 counts, and it is not failed: the incident went to stg-1.
    assert_eq!((r.failed, r.deployments), (0, 1));
    let stg = records.deployment("stg-1").unwrap();
    assert_eq!(
        detail_incident_attribution(&records, &Settings::default(), "alpha", window()),
        vec![Some(Attribution::Explicit(stg))]
    );
}

#[test]
fn an_explicit_id_that_was_never_read_falls_back_to_implicit() {
    let t = start() + days(2);
    let lines = [
        deploy("d1", "api", t, "success").with("team", "alpha"),
        incident("i1", "api", t + hours(2))
            .with("team", "alpha")
            .with("deployment", "never-read"),
    ];
    let records = records_of(&ndjson(&lines));
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    assert_eq!(c.unattributed_incidents, 0);
    assert_eq!(failed(cur(&c, "alpha")), 1);
    let d1 = records.deployment("d1").unwrap();
    assert_eq!(
        detail_incident_attribution(&records, &Settings::default(), "alpha", window()),
        vec![Some(Attribution::Implicit(d1))]
    );

    // And with nothing to fall back to, it is unattributed.
    let c = cards(&[incident("i2", "api", t)
        .with("team", "alpha")
        .with("deployment", "never-read")]);
    assert_eq!(c.unattributed_incidents, 1);
}

#[test]
fn implicit_attribution_picks_the_latest_t_ok_at_or_before_opened() {
    let opened = start() + days(10);
    let lines = [
        deploy("d-old", "api", opened - hours(10), "success").with("team", "alpha"),
        deploy("d-latest", "api", opened - hours(2), "success").with("team", "alpha"),
        deploy("d-after", "api", opened + hours(1), "success").with("team", "alpha"),
        // Another service's deployment, closer in time, is not a candidate.
        deploy("d-web", "web", opened - hours(1), "success").with("team", "alpha"),
        incident("i1", "api", opened).with("team", "alpha"),
    ];
    let records = records_of(&ndjson(&lines));
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    let r = &cur(&c, "alpha").change_failure_rate;
    assert_eq!((r.failed, r.deployments), (1, 4));
    let latest = records.deployment("d-latest").unwrap();
    assert_eq!(
        detail_incident_attribution(&records, &Settings::default(), "alpha", window()),
        vec![Some(Attribution::Implicit(latest))]
    );
    let facts = Facts::derive(&records, &Settings::default());
    let detail = facts.team_detail(&records, "alpha", window());
    let failed_ids: Vec<&str> = detail
        .deployments
        .iter()
        .filter(|r| !r.fail_reasons.is_empty())
        .map(|r| &*records.deployments[r.deployment].id)
        .collect();
    assert_eq!(failed_ids, vec!["d-latest"]);
}

#[test]
fn implicit_attribution_includes_t_ok_equal_to_opened() {
    let opened = start() + days(10);
    let c = cards(&[
        deploy("d1", "api", opened - hours(1), "success").with("team", "earlier"),
        deploy("d2", "api", opened, "success").with("team", "same-instant"),
        incident("i1", "api", opened).with("team", "ops"),
    ]);
    // T_ok == opened is "at or before": d2, not the earlier d1.
    assert_eq!(failed(cur(&c, "same-instant")), 1);
    assert_eq!(failed(cur(&c, "earlier")), 0);
    assert_eq!(c.unattributed_incidents, 0);

    // With nothing earlier, a deployment at the very instant still takes it.
    let c = cards(&[
        deploy("d2", "api", opened, "success").with("team", "alpha"),
        incident("i1", "api", opened).with("team", "alpha"),
    ]);
    assert_eq!(c.unattributed_incidents, 0);
    assert_eq!(failed(cur(&c, "alpha")), 1);
}

#[test]
fn implicit_attribution_uses_t_ok_not_t_done() {
    let opened = start() + days(10);
    let lines = [
        // Succeeded well before: within the link window.
        deploy("d-ok", "api", opened - hours(20), "success").with("team", "alpha"),
        // Failed (no T_ok) just before the incident: not a candidate.
        deploy("d-fail", "api", opened - hours(1), "failure").with("team", "alpha"),
        // Failed in one region before, succeeded after the incident opened: T_ok is after.
        deploy("d-mixed", "api", opened - hours(2), "failure")
            .with("team", "alpha")
            .with("region", "eu"),
        deploy("d-mixed", "api", opened + hours(1), "success")
            .with("team", "alpha")
            .with("region", "us"),
        incident("i1", "api", opened).with("team", "alpha"),
    ];
    let records = records_of(&ndjson(&lines));
    let d_ok = records.deployment("d-ok").unwrap();
    assert_eq!(
        detail_incident_attribution(&records, &Settings::default(), "alpha", window()),
        vec![Some(Attribution::Implicit(d_ok))]
    );
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    // d-fail and d-mixed fail by status, d-ok by the incident.
    let r = &cur(&c, "alpha").change_failure_rate;
    assert_eq!((r.failed, r.deployments), (3, 3));
}

#[test]
fn implicit_attribution_link_window_is_inclusive_at_24_hours() {
    let opened = start() + days(10);
    let c = cards(&[
        deploy("d1", "api", opened - hours(24), "success").with("team", "alpha"),
        incident("i1", "api", opened).with("team", "alpha"),
    ]);
    assert_eq!(c.unattributed_incidents, 0);
    assert_eq!(failed(cur(&c, "alpha")), 1);
}

#[test]
fn just_outside_the_link_window_is_unattributed() {
    let opened = start() + days(10);
    let c = cards(&[
        deploy(
            "d1",
            "api",
            opened - hours(24) - TimeDelta::seconds(1),
            "success",
        )
        .with("team", "alpha"),
        incident("i1", "api", opened).with("team", "alpha"),
    ]);
    assert_eq!(c.unattributed_incidents, 1);
    assert_eq!(failed(cur(&c, "alpha")), 0);
    assert_eq!(deployed(cur(&c, "alpha")), 1);
}

#[test]
fn the_link_window_comes_from_settings() {
    let opened = start() + days(10);
    let lines = [
        deploy("d1", "api", opened - hours(3), "success").with("team", "alpha"),
        incident("i1", "api", opened).with("team", "alpha"),
    ];
    let mut s = Settings {
        incident_link_window: hours(2),
        ..Settings::default()
    };
    let c = cards_with(&lines, &s, window());
    assert_eq!(c.unattributed_incidents, 1);
    assert_eq!(failed(cur(&c, "alpha")), 0);
    s.incident_link_window = hours(3);
    let c = cards_with(&lines, &s, window());
    assert_eq!(c.unattributed_incidents, 0);
    assert_eq!(failed(cur(&c, "alpha")), 1);
}

#[test]
fn implicit_attribution_ties_at_the_same_t_ok_go_to_the_larger_deployment_id() {
    let opened = start() + days(10);
    let t_ok = opened - hours(1);
    // The larger id comes first in the file, so file order cannot be the tie-break.
    let lines = [
        deploy("deploy-b", "api", t_ok, "success").with("team", "bravo"),
        deploy("deploy-a", "api", t_ok, "success").with("team", "alpha"),
        incident("i1", "api", opened).with("team", "ops"),
    ];
    let records = records_of(&ndjson(&lines));
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    assert_eq!(failed(cur(&c, "bravo")), 1);
    assert_eq!(failed(cur(&c, "alpha")), 0);
    let b = records.deployment("deploy-b").unwrap();
    assert_eq!(
        detail_incident_attribution(&records, &Settings::default(), "ops", window()),
        vec![Some(Attribution::Implicit(b))]
    );

    // Same again with the smaller id first.
    let lines = [
        deploy("deploy-a", "api", t_ok, "success").with("team", "alpha"),
        deploy("deploy-b", "api", t_ok, "success").with("team", "bravo"),
        incident("i1", "api", opened).with("team", "ops"),
    ];
    let c = cards(&lines);
    assert_eq!(failed(cur(&c, "bravo")), 1);
    assert_eq!(failed(cur(&c, "alpha")), 0);
}

#[test]
fn cfr_counts_for_the_deployment_team_and_mttr_for_the_incident_team() {
    let t = start() + days(3);
    let c = cards(&[
        deploy("d1", "api", t, "success").with("team", "builders"),
        incident("i1", "api", t + hours(1))
            .with("team", "responders")
            .with("resolved", iso(t + hours(3))),
    ]);
    assert_eq!(failed(cur(&c, "builders")), 1);
    assert_eq!(cur(&c, "builders").time_to_restore.incidents, 0);
    assert_eq!(deployed(cur(&c, "responders")), 0);
    assert_eq!(cur(&c, "responders").time_to_restore.incidents, 1);
    assert_eq!(
        cur(&c, "responders").time_to_restore.median_seconds,
        Some(7_200.0)
    );
}

#[test]
fn an_attributed_incident_fails_a_deployment_in_whichever_window_it_was_done() {
    let w = window();
    // d1 is done just before the window; its incident opens inside the window.
    let c = cards(&[
        deploy("d1", "api", w.start - hours(1), "success").with("team", "alpha"),
        incident("i1", "api", w.start + hours(1)).with("team", "alpha"),
    ]);
    assert_eq!(failed(prev(&c, "alpha")), 1);
    assert_eq!(deployed(cur(&c, "alpha")), 0);
    assert_eq!(failed(cur(&c, "alpha")), 0);
}

#[test]
fn unattributed_incidents_count_every_incident_whatever_the_window() {
    let c = cards(&[
        // Far before the previous window.
        incident("i-old", "api", at(2020, 1, 1, 0, 0, 0)).with("team", "alpha"),
        // In the window.
        incident("i-now", "api", start() + days(1)).with("team", "alpha"),
        // After the window.
        incident("i-future", "api", end() + days(100)).with("team", "alpha"),
        // Attributed (implicitly) one, which does not count.
        deploy("d1", "web", start() + days(2), "success").with("team", "alpha"),
        incident("i-web", "web", start() + days(2) + hours(1)).with("team", "alpha"),
    ]);
    assert_eq!(c.unattributed_incidents, 3);
}

// ---------------------------------------------------------------------------
// Incident merging, MTTR and open incidents
// ---------------------------------------------------------------------------

#[test]
fn incident_lines_merge_later_fields_override_and_omitted_fields_are_kept() {
    let opened = start() + days(5);
    let lines = [
        incident("i1", "api", opened)
            .with("team", "alpha")
            .with("severity", "sev1")
            .with("title", "first"),
        // Adds `resolved`, leaves out team (kept) and overrides the title.
        incident("i1", "api", opened)
            .with("resolved", iso(opened + hours(5)))
            .with("title", "second"),
        // Overrides `resolved` again.
        incident("i1", "api", opened).with("resolved", iso(opened + hours(2))),
    ];
    let records = records_of(&ndjson(&lines));
    assert_eq!(records.incidents.len(), 1);
    let inc = &records.incidents[0];
    assert_eq!(inc.team.as_deref(), Some("alpha"));
    assert_eq!(inc.severity.as_deref(), Some("sev1"));
    assert_eq!(inc.title.as_deref(), Some("second"));
    assert_eq!(inc.resolved, Some(opened + hours(2)));

    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    assert_eq!(team_names(&c), vec!["alpha"]);
    let ttr = &cur(&c, "alpha").time_to_restore;
    assert_eq!(ttr.incidents, 1);
    assert_eq!(ttr.open, 0);
    assert_eq!(ttr.median_seconds, Some(7_200.0));
    assert_eq!(ttr.tier, Some(Tier::High));
    assert_eq!(c.unattributed_incidents, 1);
}

#[test]
fn a_later_incident_line_can_add_an_explicit_deployment() {
    let t = start() + days(5);
    let lines = [
        deploy("d1", "api", t - days(5), "success").with("team", "alpha"),
        incident("i1", "api", t).with("team", "alpha"),
        incident("i1", "api", t).with("deployment", "d1"),
    ];
    let c = cards(&lines);
    assert_eq!(c.unattributed_incidents, 0);
    assert_eq!(failed(cur(&c, "alpha")), 1);
}

#[test]
fn mttr_is_the_median_over_incidents_resolved_in_the_window() {
    let w = window();
    let c = cards(&[
        // Resolved in the window: 30m, 2h, 5h.
        incident("a", "api", w.start + days(1))
            .with("team", "alpha")
            .with("resolved", iso(w.start + days(1) + TimeDelta::minutes(30))),
        incident("b", "api", w.start + days(2))
            .with("team", "alpha")
            .with("resolved", iso(w.start + days(2) + hours(2))),
        // Opened before the window, resolved at its very start: counted.
        incident("c", "api", w.start - hours(5))
            .with("team", "alpha")
            .with("resolved", iso(w.start)),
        // Resolved before the window: not counted here (but in the previous window).
        incident("d", "api", w.start - days(3))
            .with("team", "alpha")
            .with("resolved", iso(w.start - days(2))),
        // Resolved exactly at the end: not counted, and still open at the end.
        incident("e", "api", w.end - hours(1))
            .with("team", "alpha")
            .with("resolved", iso(w.end)),
    ]);
    let ttr = &cur(&c, "alpha").time_to_restore;
    assert_eq!(ttr.incidents, 3);
    assert_eq!(ttr.median_seconds, Some(7_200.0));
    assert_eq!(ttr.tier, Some(Tier::High));
    assert_eq!(ttr.open, 1);
    let p = &prev(&c, "alpha").time_to_restore;
    assert_eq!(p.incidents, 1);
    assert_eq!(p.median_seconds, Some(86_400.0));
    assert_eq!(p.tier, Some(Tier::Medium));
    // Open at the previous window's end (= this window's start): only `c`
    // (opened before, resolved exactly at it) — `d` was resolved before it.
    assert_eq!(p.open, 1);
}

#[test]
fn mttr_even_count_is_the_mean_of_the_two_middle_values() {
    let t = start() + days(1);
    let mut lines = Vec::new();
    for (i, mins) in [10, 50, 70, 1000].iter().enumerate() {
        let opened = t + days(i as i64);
        lines.push(
            incident(&format!("i{i}"), "api", opened)
                .with("team", "alpha")
                .with("resolved", iso(opened + TimeDelta::minutes(*mins))),
        );
    }
    let c = cards(&lines);
    let ttr = &cur(&c, "alpha").time_to_restore;
    assert_eq!(ttr.incidents, 4);
    assert_eq!(ttr.median_seconds, Some(60.0 * 60.0));
    // Exactly one hour is not under one hour.
    assert_eq!(ttr.tier, Some(Tier::High));
}

#[test]
fn mttr_tier_thresholds_are_strict() {
    let t = start() + days(1);
    let mut lines = Vec::new();
    for (team, secs) in [
        ("e", 3_599),
        ("h1", 3_600),
        ("h2", 86_399),
        ("m1", 86_400),
        ("m2", 7 * 86_400 - 1),
        ("l", 7 * 86_400),
    ] {
        lines.push(
            incident(&format!("i-{team}"), "api", t)
                .with("team", team)
                .with("resolved", iso(t + TimeDelta::seconds(secs))),
        );
    }
    let c = cards(&lines);
    let tier = |team: &str| cur(&c, team).time_to_restore.tier;
    assert_eq!(tier("e"), Some(Tier::Elite));
    assert_eq!(tier("h1"), Some(Tier::High));
    assert_eq!(tier("h2"), Some(Tier::High));
    assert_eq!(tier("m1"), Some(Tier::Medium));
    assert_eq!(tier("m2"), Some(Tier::Medium));
    assert_eq!(tier("l"), Some(Tier::Low));
    assert_eq!(
        cur(&c, "l").time_to_restore.median_seconds,
        Some(7.0 * 86_400.0)
    );
}

#[test]
fn mttr_has_no_data_when_nothing_is_resolved_in_the_window() {
    let c = cards(&[incident("i1", "api", start() + days(1)).with("team", "alpha")]);
    let ttr = &cur(&c, "alpha").time_to_restore;
    assert_eq!(ttr.incidents, 0);
    assert_eq!(ttr.median_seconds, None);
    assert_eq!(ttr.tier, None);
    assert_eq!(ttr.open, 1);
}

#[test]
fn open_counts_incidents_opened_before_the_end_and_not_resolved_before_it() {
    let w = window();
    let c = cards(&[
        // Open: unresolved, opened long before the window.
        incident("o1", "api", w.start - days(100)).with("team", "alpha"),
        // Open: unresolved, opened just before the end.
        incident("o2", "api", w.end - TimeDelta::seconds(1)).with("team", "alpha"),
        // Open: resolved exactly at the end.
        incident("o3", "api", w.end - hours(1))
            .with("team", "alpha")
            .with("resolved", iso(w.end)),
        // Open: resolved after the end.
        incident("o4", "api", w.start + days(1))
            .with("team", "alpha")
            .with("resolved", iso(w.end + days(1))),
        // Not open: opened exactly at the end.
        incident("n1", "api", w.end).with("team", "alpha"),
        // Not open: resolved just before the end.
        incident("n2", "api", w.start + days(1))
            .with("team", "alpha")
            .with("resolved", iso(w.end - TimeDelta::seconds(1))),
        // Another team's open incident.
        incident("x1", "api", w.start + days(1)).with("team", "beta"),
    ]);
    assert_eq!(cur(&c, "alpha").time_to_restore.open, 4);
    assert_eq!(cur(&c, "beta").time_to_restore.open, 1);
    // At the previous window's end (this window's start) only o1 was open.
    assert_eq!(prev(&c, "alpha").time_to_restore.open, 1);

    let records = records_of(&ndjson(&[
        incident("o1", "api", w.start - days(100)).with("team", "alpha"),
        incident("n1", "api", w.end).with("team", "alpha"),
    ]));
    let detail = Facts::derive(&records, &Settings::default()).team_detail(&records, "alpha", w);
    assert_eq!(detail.incidents.len(), 1);
    assert!(detail.incidents[0].open);
    assert_eq!(&*records.incidents[detail.incidents[0].incident].id, "o1");
}

// ---------------------------------------------------------------------------
// Rework rate
// ---------------------------------------------------------------------------

#[test]
fn rework_via_hotfix() {
    let t = start() + days(3);
    let c = cards(&[
        // Hotfix named on only one of its lines.
        deploy("d1", "api", t, "in_progress").with("team", "alpha"),
        deploy("d1", "api", t + hours(1), "success")
            .with("team", "alpha")
            .with("hotfix", true),
        deploy("d2", "api", t, "success")
            .with("team", "alpha")
            .with("hotfix", false),
        deploy("d3", "api", t, "success").with("team", "alpha"),
        deploy("d4", "api", t, "failure").with("team", "alpha"),
        // A hotfix still in flight does not count.
        deploy("d5", "api", t, "pending")
            .with("team", "alpha")
            .with("hotfix", true),
    ]);
    let r = &cur(&c, "alpha").rework_rate;
    assert_eq!((r.rework, r.deployments), (1, 4));
    assert_eq!(r.rate, Some(0.25));
}

#[test]
fn rework_when_t_done_falls_while_an_incident_of_the_same_service_is_open() {
    let opened = start() + days(5);
    let resolved = opened + hours(6);
    let lines = [
        incident("i1", "api", opened)
            .with("team", "ops")
            .with("resolved", iso(resolved)),
        // Before the incident opened: not rework (and not attributed either: the
        // incident is attributed implicitly to this one, which is fine).
        deploy("before", "api", opened - hours(1), "success").with("team", "alpha"),
        // Exactly when it opened: rework (opened <= T_done).
        deploy("at-open", "api", opened, "failure").with("team", "alpha"),
        // During: rework.
        deploy("during", "api", opened + hours(3), "success").with("team", "alpha"),
        // Exactly at resolve: the incident is no longer open (resolved <= T_done).
        deploy("at-resolve", "api", resolved, "success").with("team", "alpha"),
        // Another service during the incident: not rework.
        deploy("other", "web", opened + hours(3), "success").with("team", "alpha"),
    ];
    let records = records_of(&ndjson(&lines));
    let c = scorecards(&records, &Settings::default(), window(), &DORA_2023);
    let r = &cur(&c, "alpha").rework_rate;
    assert_eq!((r.rework, r.deployments), (2, 5));
    assert_eq!(r.rate, Some(0.4));

    let detail =
        Facts::derive(&records, &Settings::default()).team_detail(&records, "alpha", window());
    let mut reworked: Vec<(&str, ReworkReason)> = detail
        .deployments
        .iter()
        .filter_map(|r| {
            r.rework
                .clone()
                .map(|w| (&*records.deployments[r.deployment].id, w))
        })
        .collect();
    reworked.sort_by_key(|(id, _)| *id);
    assert_eq!(
        reworked,
        vec![
            ("at-open", ReworkReason::DuringIncident("i1".into())),
            ("during", ReworkReason::DuringIncident("i1".into())),
        ]
    );
}

#[test]
fn rework_during_an_unresolved_incident_and_overlapping_incidents() {
    let t = start() + days(5);
    let c = cards(&[
        // A long incident resolved late, then a short one opened later and resolved early.
        incident("long", "api", t)
            .with("team", "ops")
            .with("resolved", iso(t + days(3))),
        incident("short", "api", t + hours(1))
            .with("team", "ops")
            .with("resolved", iso(t + hours(2))),
        // An unresolved incident of another service.
        incident("forever", "web", t + days(10)).with("team", "ops"),
        // During `long` but after `short` was resolved: rework.
        deploy("a1", "api", t + days(1), "success").with("team", "alpha"),
        // After both: not rework.
        deploy("a2", "api", t + days(4), "success").with("team", "alpha"),
        // web, before `forever`: not rework; after: rework.
        deploy("w1", "web", t + days(9), "success").with("team", "alpha"),
        deploy("w2", "web", t + days(11), "success").with("team", "alpha"),
        deploy("w3", "web", t + days(20), "rolled_back").with("team", "alpha"),
    ]);
    let r = &cur(&c, "alpha").rework_rate;
    assert_eq!((r.rework, r.deployments), (3, 5));
    assert_eq!(r.rate, Some(0.6));
}

#[test]
fn rework_counts_a_hotfix_during_an_incident_once() {
    let t = start() + days(5);
    let c = cards(&[
        incident("i1", "api", t).with("team", "alpha"),
        deploy("d1", "api", t + hours(1), "success")
            .with("team", "alpha")
            .with("hotfix", true),
    ]);
    let r = &cur(&c, "alpha").rework_rate;
    assert_eq!((r.rework, r.deployments, r.rate), (1, 1, Some(1.0)));
}

// ---------------------------------------------------------------------------
// Teams
// ---------------------------------------------------------------------------

#[test]
fn team_is_the_records_own_then_the_service_map_then_unassigned() {
    let t = start() + days(2);
    let s = settings_mapping(&[("api", "mapped"), ("web", "web-team")]);
    let c = cards_with(
        &[
            // Own team wins over the map.
            deploy("d1", "api", t, "success").with("team", "own"),
            // No team: mapped by service.
            deploy("d2", "api", t, "success"),
            deploy("d3", "api", t, "failure"),
            // No team, unmapped service: unassigned.
            deploy("d4", "db", t, "success"),
            // Incidents follow the same rule.
            incident("i1", "db", t + days(10)),
            incident("i2", "web", t + days(10))
                .with("resolved", iso(t + days(10) + TimeDelta::minutes(10))),
        ],
        &s,
        window(),
    );
    assert_eq!(
        team_names(&c),
        vec!["mapped", "own", UNASSIGNED, "web-team"]
    );
    assert_eq!(deployed(cur(&c, "own")), 1);
    assert_eq!(deployed(cur(&c, "mapped")), 2);
    assert_eq!(failed(cur(&c, "mapped")), 1);
    assert_eq!(deployed(cur(&c, UNASSIGNED)), 1);
    assert_eq!(cur(&c, UNASSIGNED).time_to_restore.open, 1);
    assert_eq!(cur(&c, "web-team").time_to_restore.incidents, 1);
    assert_eq!(cur(&c, "web-team").time_to_restore.tier, Some(Tier::Elite));
}

#[test]
fn the_last_team_a_deployment_line_names_is_its_team() {
    let t = start() + days(2);
    let c = cards(&[
        deploy("d1", "api", t, "in_progress").with("team", "first"),
        deploy("d1", "api", t + hours(1), "success"),
        deploy("d1", "api", t + hours(2), "success").with("team", "second"),
    ]);
    assert_eq!(deployed(cur(&c, "second")), 1);
    assert_eq!(c.teams.iter().map(|t| deployed(&t.current)).sum::<u64>(), 1);
}

#[test]
fn teams_from_settings_are_reported_even_without_records() {
    let s = Settings {
        teams: vec!["zeta".into(), "alpha".into()],
        ..Settings::default()
    };
    let c = cards_with(
        &[deploy("d1", "api", start() + days(1), "success").with("team", "beta")],
        &s,
        window(),
    );
    // Sorted by name.
    assert_eq!(team_names(&c), vec!["alpha", "beta", "zeta"]);
    let z = card(&c, "zeta");
    assert_eq!(deployed(&z.current), 0);
    // Configured, and no record names it: no data, no tier (not low).
    assert_eq!(z.current.deployment_frequency.tier, None);
    assert_eq!(z.tier, None);
    assert_eq!(z.current.lead_time.tier, None);
    assert_eq!(z.current.change_failure_rate.tier, None);
    assert_eq!(z.current.time_to_restore.tier, None);
    assert_eq!(z.current.rework_rate.rate, None);
    assert_eq!(deployed(&z.previous), 0);
    // beta has a record (a deployment): graded, even where a window has none.
    assert_eq!(
        card(&c, "beta").previous.deployment_frequency.tier,
        Some(Tier::Low)
    );
}

#[test]
fn no_records_and_no_teams_gives_no_scorecards() {
    let c = cards(&[]);
    assert!(c.teams.is_empty());
    assert_eq!(c.unattributed_incidents, 0);
}

#[test]
fn team_tier_is_the_lowest_of_the_key_tiers_with_data() {
    let t = start() + days(10);
    let mut lines = Vec::new();
    // "solid": 30 deployments (elite), lead 1h (elite), CFR 0 (elite), MTTR 2h (high).
    lines.extend(n_deploys("solid", 30, window()));
    lines.push(change("solid-c", "svc-solid", start() - hours(1)));
    lines.push(
        deploy("solid-0", "svc-solid", start(), "success")
            .with("team", "solid")
            .with("changes", json!(["solid-c"])),
    );
    lines.push(
        incident("solid-i", "svc-solid-ops", t)
            .with("team", "solid")
            .with("resolved", iso(t + hours(2))),
    );
    // "weak-lead": elite frequency, lead time 40 days (low), no incidents.
    lines.extend(n_deploys("weak", 30, window()));
    lines.push(change("weak-c", "svc-weak", start() - days(40)));
    lines.push(
        deploy("weak-0", "svc-weak", start(), "success")
            .with("team", "weak")
            .with("changes", json!(["weak-c"])),
    );
    let c = cards(&lines);
    let solid = card(&c, "solid");
    assert_eq!(
        solid.current.key_tiers(),
        [
            Some(Tier::Elite),
            Some(Tier::Elite),
            Some(Tier::Elite),
            Some(Tier::High)
        ]
    );
    assert_eq!(solid.tier, Some(Tier::High));
    let weak = card(&c, "weak");
    assert_eq!(
        weak.current.key_tiers(),
        [Some(Tier::Elite), Some(Tier::Low), Some(Tier::Elite), None]
    );
    assert_eq!(weak.tier, Some(Tier::Low));
}

#[test]
fn team_tier_ignores_metrics_without_data() {
    // One deployment in 7 days (high), no changes, no incidents.
    let w7 = Window::ending(end(), days(7));
    let c = cards_with(&n_deploys("alpha", 1, w7), &Settings::default(), w7);
    let a = card(&c, "alpha");
    assert_eq!(
        a.current.key_tiers(),
        [Some(Tier::High), None, Some(Tier::Elite), None]
    );
    assert_eq!(a.tier, Some(Tier::High));
    assert_eq!(a.tier, a.current.team_tier());
}

#[test]
fn team_tier_uses_the_current_window_only() {
    let w = window();
    let c = cards(&[
        // Previous window: a failed deployment (CFR low there).
        deploy("old", "api", w.start - days(1), "failure").with("team", "alpha"),
        // Current window: one clean deployment (frequency medium).
        deploy("new", "api", w.start + days(1), "success").with("team", "alpha"),
    ]);
    let a = card(&c, "alpha");
    assert_eq!(a.previous.change_failure_rate.tier, Some(Tier::Low));
    assert_eq!(a.current.change_failure_rate.tier, Some(Tier::Elite));
    assert_eq!(a.tier, Some(Tier::Medium));
}

// ---------------------------------------------------------------------------
// Drill-down
// ---------------------------------------------------------------------------

#[test]
fn team_detail_lists_the_records_behind_the_numbers() {
    let w = window();
    let t = w.start + days(4);
    let lines = [
        change("c1", "api", t - hours(3)),
        change("c2", "api", t - hours(1)),
        deploy("d1", "api", t, "success")
            .with("team", "alpha")
            .with("region", "eu")
            .with("changes", json!(["c1", "c2"])),
        deploy("d2", "api", t + days(1), "failure")
            .with("team", "alpha")
            .with("region", "us"),
        // Another team's deployment and an out-of-window one are not listed.
        deploy("d3", "api", t, "success").with("team", "beta"),
        deploy("d4", "api", w.end, "success").with("team", "alpha"),
        incident("i1", "api", t + hours(1))
            .with("team", "alpha")
            .with("resolved", iso(t + hours(2))),
    ];
    let records = records_of(&ndjson(&lines));
    let s = Settings::default();
    let detail = Facts::derive(&records, &s).team_detail(&records, "alpha", w);

    let ids: Vec<&str> = detail
        .deployments
        .iter()
        .map(|r| &*records.deployments[r.deployment].id)
        .collect();
    // Newest first.
    assert_eq!(ids, vec!["d2", "d1"]);
    assert_eq!(detail.deployments[0].done, t + days(1));
    assert_eq!(
        detail.deployments[0].fail_reasons,
        vec![FailReason::Status {
            status: flightdeck::model::DeployStatus::Failure,
            region: Some("us".into())
        }]
    );
    // d1 and d3 share T_ok; the tie goes to the larger id, d3 (beta).
    let d3 = records.deployment("d3").unwrap();
    assert_eq!(
        detail_incident_attribution(&records, &s, "beta", w),
        Vec::<Option<Attribution>>::new(),
        "the incident belongs to alpha"
    );
    assert_eq!(
        detail_incident_attribution(&records, &s, "alpha", w),
        vec![Some(Attribution::Implicit(d3))]
    );
    assert!(detail.deployments[1].fail_reasons.is_empty());

    // Changes, longest lead first.
    let changes: Vec<(&str, TimeDelta, bool)> = detail
        .changes
        .iter()
        .map(|r| (&*records.changes[r.change].id, r.lead, r.skewed))
        .collect();
    assert_eq!(
        changes,
        vec![("c1", hours(3), false), ("c2", hours(1), false)]
    );
    assert_eq!(detail.incidents.len(), 1);
    assert!(!detail.incidents[0].open);
}
