//! The weekly series (DESIGN.md, "Weekly series") on a hand-written fixture that
//! spans the 12 weeks: empty weeks, a week with one change, a restore counted in
//! the week it resolves, records before the first week left out. The expected
//! values are computed by hand in the comments.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use flightdeck::metrics::weekly::{KeyMetric, WeeklySeries, week_windows, weekly_deployments};
use flightdeck::metrics::{DORA_2023, Facts, Tier, scorecards};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;

/// Weeks start on 2024-01-08 (w0) and the last, w11, is [2024-03-25, 2024-04-01).
fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap()
}

fn records() -> Records {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/weekly_series.ndjson");
    let text = std::fs::read_to_string(&path).expect("the fixture is in the repository");
    let (events, diagnostics) = flightdeck::sources::events::parse_str(&text);
    assert!(
        diagnostics.malformed.is_empty(),
        "{:?}",
        diagnostics.malformed
    );
    Records::from_events(events)
}

fn series() -> WeeklySeries {
    let records = records();
    let facts = Facts::derive(&records, &Settings::default());
    WeeklySeries::of(&facts, &records, "pay", end(), &DORA_2023).expect("pay is in the data")
}

#[test]
fn twelve_weeks_of_hand_computed_values() {
    let s = series();
    assert_eq!(s.weeks.len(), 12);
    assert_eq!(
        s.weeks[0].start,
        Utc.with_ymd_and_hms(2024, 1, 8, 0, 0, 0).unwrap()
    );
    // Deployments: P-000 (Jan 1) is before w0; w0 has P-001 and P-002, w4 has
    // P-003, w11 has P-004, P-005, P-006; every other week none (0, not no data:
    // the team has records).
    let deployments: Vec<u64> = s
        .metrics
        .iter()
        .map(|m| m.deployment_frequency.deployments)
        .collect();
    assert_eq!(deployments, [2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3]);
    assert_eq!(
        s.values(KeyMetric::Deployments)[1],
        Some(0.0),
        "an empty week of a team with records is zero deployments"
    );
    // Lead time: w0 c1 -> P-001 exactly 1 day; w4 c2 -> P-003 6 h; w11 leads
    // 30 h (c3), 6 h (c4), 2 h (c5): median 6 h.
    let lead: Vec<Option<f64>> = s
        .metrics
        .iter()
        .map(|m| m.lead_time.median_seconds)
        .collect();
    let mut want = vec![None; 12];
    want[0] = Some(86_400.0);
    want[4] = Some(21_600.0);
    want[11] = Some(21_600.0);
    assert_eq!(lead, want);
    assert_eq!(s.metrics[11].lead_time.changes, 3);
    assert_eq!(s.metrics[4].lead_time.changes, 1);
    // Change failure rate: w11 P-005 failed by status, P-006 by incident I-2: 2/3.
    assert_eq!(s.metrics[11].change_failure_rate.failed, 2);
    assert_eq!(s.metrics[11].change_failure_rate.rate, Some(2.0 / 3.0));
    assert_eq!(s.metrics[0].change_failure_rate.rate, Some(0.0));
    assert_eq!(s.metrics[1].change_failure_rate.rate, None);
    // Time to restore counts in the week the incident resolves: I-0 (opened
    // before w0) 2 h in w0, I-1 6 days in w6, I-2 30 min in w11.
    let restore: Vec<Option<f64>> = s
        .metrics
        .iter()
        .map(|m| m.time_to_restore.median_seconds)
        .collect();
    let mut want = vec![None; 12];
    want[0] = Some(7_200.0);
    want[6] = Some(518_400.0);
    want[11] = Some(1_800.0);
    assert_eq!(restore, want);
    // I-1 is open at the end of w5 (opened Feb 14, resolved Feb 20).
    let open: Vec<u64> = s.metrics.iter().map(|m| m.time_to_restore.open).collect();
    assert_eq!(open, [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    // Rework: P-002 is a hotfix: 1 of w0's 2.
    assert_eq!(s.metrics[0].rework_rate.rework, 1);
    assert_eq!(s.values(KeyMetric::ReworkRate)[0], Some(50.0));
    // Frequency is per day of the week: 3 / 7.
    assert_eq!(s.metrics[11].deployment_frequency.per_day, 3.0 / 7.0);
}

#[test]
fn weekly_tiers_follow_the_window_rules() {
    let s = series();
    // w0: 2 a week is high (2 * 7 >= 7, not 2 >= 7), a lead of exactly one day
    // is high (strictly under), 0% elite, 2 h restore high.
    assert_eq!(
        s.metrics[0].key_tiers(),
        [
            Some(Tier::High),
            Some(Tier::High),
            Some(Tier::Elite),
            Some(Tier::High)
        ]
    );
    // An empty week: frequency low (the team has records), nothing else graded.
    assert_eq!(
        s.metrics[2].key_tiers(),
        [Some(Tier::Low), None, None, None]
    );
    // w11: 3 a week high, 6 h lead elite, 67% low, 30 min elite: the team's low.
    assert_eq!(s.metrics[11].team_tier(), Some(Tier::Low));
}

#[test]
fn each_week_equals_a_seven_day_window_evaluated_alone() {
    let records = records();
    let s = series();
    for (n, week) in week_windows(end()).into_iter().enumerate() {
        let cards = scorecards(&records, &Settings::default(), week, &DORA_2023);
        let pay = cards.teams.iter().find(|t| &*t.team == "pay").expect("pay");
        assert_eq!(s.metrics[n], pay.current, "week {n}");
    }
}

#[test]
fn weekly_deployments_count_every_team_and_unknown_teams_have_no_series() {
    let records = records();
    let facts = Facts::derive(&records, &Settings::default());
    assert_eq!(facts.teams.len(), 1);
    assert_eq!(
        weekly_deployments(&facts, end()),
        vec![vec![2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3]]
    );
    assert!(WeeklySeries::of(&facts, &records, "nobody", end(), &DORA_2023).is_none());
    // A series ending a week earlier moves every bucket by one.
    let earlier = end() - TimeDelta::days(7);
    let s = WeeklySeries::of(&facts, &records, "pay", earlier, &DORA_2023).expect("pay");
    assert_eq!(s.metrics[11].deployment_frequency.deployments, 0);
    assert_eq!(s.metrics[5].deployment_frequency.deployments, 1);
    assert_eq!(s.week_of(earlier - TimeDelta::hours(1)), Some(11));
    assert_eq!(s.week_of(earlier), None);
}

/// Findings open at each week's end, by severity (hand count): a critical
/// opened in w0 and resolved in w2 is open at the ends of w0 and w1; a high
/// opened in w5 and never resolved from w5 on; a suppressed one never; one
/// opened after the end never.
#[test]
fn open_findings_by_week_count_each_weeks_end() {
    use flightdeck::metrics::weekly::open_findings_by_week;
    let lines = [
        serde_json::json!({"type":"finding","id":"f1","severity":"critical","status":"resolved",
            "opened":"2024-01-10T00:00:00Z","resolved":"2024-01-24T00:00:00Z"}),
        serde_json::json!({"type":"finding","id":"f2","severity":"high","status":"open",
            "opened":"2024-02-14T00:00:00Z"}),
        serde_json::json!({"type":"finding","id":"f3","severity":"medium","status":"suppressed",
            "opened":"2024-01-10T00:00:00Z"}),
        serde_json::json!({"type":"finding","id":"f4","severity":"info","status":"open",
            "opened":"2024-04-02T00:00:00Z"}),
    ];
    let records = crate::support::records_of(&lines);
    let weeks = open_findings_by_week(records.findings.iter(), end());
    assert_eq!(weeks[0], [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(weeks[1], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert_eq!(weeks[2], [0; 12]);
    assert_eq!(weeks[4], [0; 12]);
}
