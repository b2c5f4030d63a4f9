//! Property tests of the metric engine over generated NDJSON inputs.
//!
//! Times are on a half-hour grid so that generated inputs often hit the exact
//! edges the definitions care about: window bounds, equal `T_ok`s and the 24 h
//! incident link window. Nothing reads the wall clock.

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use flightdeck::metrics::{DORA_2023, Scorecards, Tier, Window, scorecards};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::sources::events::parse_str;

type Time = DateTime<Utc>;

use crate::support::{SERVICES, STATUSES, TEAMS};

/// `None` is a line without an environment (production by default).
const ENVS: [Option<&str>; 7] = [
    None,
    Some("production"),
    Some("prod"),
    Some("PROD"),
    Some("Production"),
    Some("staging"),
    Some("dev"),
];
const REGIONS: [&str; 3] = ["eu-west-1", "us-east-1", "ap-south-1"];

/// One grid step.
const STEP_MINUTES: i64 = 30;
const STEPS_PER_DAY: i64 = 24 * 60 / STEP_MINUTES;
/// The grid runs from `end - 20 days` to `end + 3 days`.
const GRID_DAYS_BEFORE_END: i64 = 20;
const GRID: i64 = 23 * STEPS_PER_DAY;
/// The window is 7 days: [end - 7d, end); the previous window [end - 14d, end - 7d).
const WINDOW_DAYS: i64 = 7;
/// Grid steps where the previous window starts and the current one ends.
const PREVIOUS_START: i64 = (GRID_DAYS_BEFORE_END - 2 * WINDOW_DAYS) * STEPS_PER_DAY;
const WINDOW_END: i64 = GRID_DAYS_BEFORE_END * STEPS_PER_DAY;
const WINDOW_START: i64 = WINDOW_END - WINDOW_DAYS * STEPS_PER_DAY;
/// Change ids `c0..c11` may be listed; ids past the generated changes have no record.
const CHANGE_REFS: usize = 12;
/// Incidents may name `d0..d13`; ids past the generated deployments were never read.
const DEPLOYMENT_REFS: usize = 14;

fn end() -> Time {
    Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap()
}

fn window() -> Window {
    Window::ending(end(), TimeDelta::days(WINDOW_DAYS))
}

fn time(step: i64) -> Time {
    end() - TimeDelta::days(GRID_DAYS_BEFORE_END) + TimeDelta::minutes(step * STEP_MINUTES)
}

fn iso(step: i64) -> String {
    time(step).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn settings() -> Settings {
    Settings {
        teams: TEAMS.iter().map(|t| (*t).into()).collect(),
        service_teams: [("api".into(), "alpha".into())].into_iter().collect(),
        ..Settings::default()
    }
}

// ---------------------------------------------------------------------------
// A small model of an input, rendered to NDJSON
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct DeployLine {
    step: i64,
    status: usize,
    env: usize,
    region: usize,
}

#[derive(Debug, Clone)]
struct Deploy {
    service: String,
    team: Option<usize>,
    lines: Vec<DeployLine>,
    changes: Vec<String>,
    hotfix: bool,
}

#[derive(Debug, Clone)]
struct ChangeRec {
    service: usize,
    team: Option<usize>,
    step: i64,
}

#[derive(Debug, Clone)]
struct IncidentRec {
    service: usize,
    team: Option<usize>,
    opened: i64,
    /// Steps from opened to resolved (a negative one is a malformed line, tested
    /// in sources::events).
    resolved_after: Option<i64>,
    deployment: Option<usize>,
}

#[derive(Debug, Clone)]
struct Scenario {
    deploys: Vec<Deploy>,
    changes: Vec<ChangeRec>,
    incidents: Vec<IncidentRec>,
}

fn is_production(env: usize) -> bool {
    ENVS[env].is_none_or(|e| e.eq_ignore_ascii_case("production") || e.eq_ignore_ascii_case("prod"))
}

fn is_terminal(status: usize) -> bool {
    matches!(STATUSES[status], "success" | "failure" | "rolled_back")
}

fn is_failed_status(status: usize) -> bool {
    matches!(STATUSES[status], "failure" | "rolled_back")
}

impl Deploy {
    /// `T_done` computed straight from the definition, on the grid.
    fn t_done(&self) -> Option<i64> {
        self.lines
            .iter()
            .filter(|l| is_production(l.env) && is_terminal(l.status))
            .map(|l| l.step)
            .min()
    }

    fn failed_by_status(&self) -> bool {
        self.lines
            .iter()
            .any(|l| is_production(l.env) && is_failed_status(l.status))
    }

    fn render(&self, id: &str) -> Vec<Value> {
        self.lines
            .iter()
            .map(|l| {
                let mut v = json!({
                    "type": "deployment",
                    "id": id,
                    "service": self.service,
                    "time": iso(l.step),
                    "status": STATUSES[l.status],
                    "region": REGIONS[l.region],
                    "changes": self.changes,
                });
                let o = v.as_object_mut().expect("an event is a JSON object");
                if let Some(env) = ENVS[l.env] {
                    o.insert("environment".into(), env.into());
                }
                if let Some(t) = self.team {
                    o.insert("team".into(), TEAMS[t].into());
                }
                if self.hotfix {
                    o.insert("hotfix".into(), true.into());
                }
                v
            })
            .collect()
    }
}

impl Scenario {
    fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, c) in self.changes.iter().enumerate() {
            let mut v = json!({
                "type": "change",
                "id": format!("c{i}"),
                "service": SERVICES[c.service],
                "time": iso(c.step),
            });
            if let Some(t) = c.team {
                v["team"] = TEAMS[t].into();
            }
            out.push(v.to_string());
        }
        for (i, d) in self.deploys.iter().enumerate() {
            out.extend(d.render(&format!("d{i}")).iter().map(Value::to_string));
        }
        for (i, inc) in self.incidents.iter().enumerate() {
            let mut v = json!({
                "type": "incident",
                "id": format!("i{i}"),
                "service": SERVICES[inc.service],
                "opened": iso(inc.opened),
            });
            if let Some(t) = inc.team {
                v["team"] = TEAMS[t].into();
            }
            if let Some(r) = inc.resolved_after {
                v["resolved"] = iso(inc.opened + r).into();
            }
            if let Some(d) = inc.deployment {
                v["deployment"] = format!("d{d}").into();
            }
            out.push(v.to_string());
        }
        out
    }
}

fn evaluate(lines: &[String]) -> Scorecards {
    let mut text = lines.join("\n");
    text.push('\n');
    let (events, diagnostics) = parse_str(&text);
    assert!(
        diagnostics.malformed.is_empty(),
        "generated a malformed line: {:?}",
        diagnostics.malformed
    );
    let records = Records::from_events(events);
    scorecards(&records, &settings(), window(), &DORA_2023)
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

fn deploy_line(step: impl Strategy<Value = i64>) -> impl Strategy<Value = DeployLine> {
    (step, 0..STATUSES.len(), 0..ENVS.len(), 0..REGIONS.len()).prop_map(
        |(step, status, env, region)| DeployLine {
            step,
            status,
            env,
            region,
        },
    )
}

fn deploy(max_lines: usize) -> impl Strategy<Value = Deploy> {
    (
        0..SERVICES.len(),
        prop::option::of(0..TEAMS.len()),
        prop::collection::vec(deploy_line(0..GRID), 1..=max_lines),
        prop::collection::vec(0..CHANGE_REFS, 0..4),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(service, team, lines, changes, hotfix)| {
            let mut ids: Vec<String> = Vec::new();
            for c in changes {
                let id = format!("c{c}");
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Deploy {
                service: SERVICES[service].to_string(),
                team,
                lines,
                changes: ids,
                hotfix,
            }
        })
}

fn change_rec() -> impl Strategy<Value = ChangeRec> {
    (0..SERVICES.len(), prop::option::of(0..TEAMS.len()), 0..GRID).prop_map(
        |(service, team, step)| ChangeRec {
            service,
            team,
            step,
        },
    )
}

fn incident_rec() -> impl Strategy<Value = IncidentRec> {
    (
        0..SERVICES.len(),
        prop::option::of(0..TEAMS.len()),
        0..GRID,
        prop::option::of(0..(3 * STEPS_PER_DAY)),
        prop::option::of(0..DEPLOYMENT_REFS),
    )
        .prop_map(
            |(service, team, opened, resolved_after, deployment)| IncidentRec {
                service,
                team,
                opened,
                resolved_after,
                deployment,
            },
        )
}

/// `max_lines` lines per deployment id: 1 keeps every line's id distinct.
fn scenario(max_lines: usize) -> impl Strategy<Value = Scenario> {
    (
        prop::collection::vec(deploy(max_lines), 0..12),
        prop::collection::vec(change_rec(), 0..10),
        prop::collection::vec(incident_rec(), 0..6),
    )
        .prop_map(|(deploys, changes, incidents)| Scenario {
            deploys,
            changes,
            incidents,
        })
}

/// A step outside both the window and the previous window.
fn outside_step() -> impl Strategy<Value = i64> {
    prop_oneof![0..PREVIOUS_START, WINDOW_END..GRID]
}

/// A deployment of a service no other record names, whose lines all fall outside
/// both windows, listing only changes of its own: it cannot be attributed an
/// incident (no incident of its service, and no incident names its id), and cannot
/// take a change from another deployment. Optionally one in-flight line inside the
/// window, which must not matter either.
#[derive(Debug, Clone)]
struct Outsider {
    deploy: Deploy,
    changes: Vec<(usize, i64)>,
    in_flight: Option<DeployLine>,
    position: Index,
}

fn outsider() -> impl Strategy<Value = Outsider> {
    (
        0..TEAMS.len(),
        prop::collection::vec(deploy_line(outside_step()), 1..4),
        prop::collection::vec((0..TEAMS.len(), 0..GRID), 0..3),
        prop::option::of((PREVIOUS_START..WINDOW_END, 0..2usize, 0..ENVS.len())),
        any::<bool>(),
        any::<Index>(),
    )
        .prop_map(|(team, lines, changes, in_flight, hotfix, position)| {
            let mut ids: Vec<String> = (0..changes.len()).map(|i| format!("fresh-c{i}")).collect();
            // A listed id with no record is ignored.
            ids.push("fresh-ghost".into());
            Outsider {
                deploy: Deploy {
                    service: "fresh-service".into(),
                    team: Some(team),
                    lines,
                    changes: ids,
                    hotfix,
                },
                changes,
                in_flight: in_flight.map(|(step, status, env)| DeployLine {
                    step,
                    // pending or in_progress only
                    status,
                    env,
                    region: 0,
                }),
                position,
            }
        })
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// (a) A deployment whose T_done and T_ok are outside both windows changes
    /// nothing in the window's scorecards (current and previous), but for one
    /// thing: a team that had no record at all now has one, so its "no data"
    /// becomes a low frequency (DESIGN.md: N = 0 is low for a team with a record).
    #[test]
    fn a_deployment_outside_both_windows_changes_nothing(
        s in scenario(3),
        extra in outsider(),
    ) {
        let lines = s.lines();
        let before = evaluate(&lines);

        let mut extra_lines: Vec<String> = extra
            .changes
            .iter()
            .enumerate()
            .map(|(i, &(team, step))| {
                json!({
                    "type": "change",
                    "id": format!("fresh-c{i}"),
                    "service": "fresh-service",
                    "team": TEAMS[team],
                    "time": iso(step),
                })
                .to_string()
            })
            .collect();
        let mut d = extra.deploy.clone();
        if let Some(l) = &extra.in_flight {
            prop_assert!(!is_terminal(l.status));
            d.lines.push(l.clone());
        }
        let t_done = d.t_done();
        prop_assert!(t_done.is_none_or(|t| !(PREVIOUS_START..WINDOW_END).contains(&t)));
        extra_lines.extend(d.render("fresh-deploy").iter().map(Value::to_string));

        let mut with_extra = lines.clone();
        let at = extra.position.index(with_extra.len() + 1);
        for (k, l) in extra_lines.into_iter().enumerate() {
            with_extra.insert(at + k, l);
        }
        let mut after = evaluate(&with_extra);
        // A team (or the organisation) with no record before has no tier; the
        // outsider's record makes it graded, at Low frequency and nothing else.
        let pairs = before
            .teams
            .iter()
            .zip(after.teams.iter_mut())
            .chain(before.organisation.iter().zip(after.organisation.iter_mut()));
        for (b, a) in pairs {
            if b.team == a.team && b.tier.is_none() && b.current.deployment_frequency.tier.is_none() {
                prop_assert_eq!(a.current.deployment_frequency.tier.unwrap_or(Tier::Low), Tier::Low);
                a.current.deployment_frequency.tier = None;
                a.previous.deployment_frequency.tier = None;
                a.tier = a.current.team_tier();
            }
        }
        prop_assert_eq!(before, after);
    }

    /// (b) When every line has its own id, the order of the lines does not matter.
    #[test]
    fn shuffling_lines_with_distinct_ids_changes_nothing(
        (lines, shuffled) in scenario(1).prop_flat_map(|s| {
            let lines = s.lines();
            (Just(lines.clone()), Just(lines).prop_shuffle())
        })
    ) {
        prop_assert_eq!(evaluate(&lines), evaluate(&shuffled));
    }

    /// (c) Per-team deployment counts sum to the deployments with T_done in the
    /// window (and likewise for the previous window); failed and rework counts are
    /// at least what statuses and hotfix flags alone imply.
    #[test]
    fn team_deployments_sum_to_the_deployments_done_in_the_window(s in scenario(3)) {
        let cards = evaluate(&s.lines());
        let in_range = |range: std::ops::Range<i64>| {
            s.deploys
                .iter()
                .filter(|d| d.t_done().is_some_and(|t| range.contains(&t)))
                .collect::<Vec<_>>()
        };
        let current = in_range(WINDOW_START..WINDOW_END);
        let previous = in_range(PREVIOUS_START..WINDOW_START);

        let sum = |f: &dyn Fn(&flightdeck::metrics::TeamScorecard) -> u64| {
            cards.teams.iter().map(f).sum::<u64>()
        };
        prop_assert_eq!(
            sum(&|t| t.current.deployment_frequency.deployments),
            current.len() as u64
        );
        prop_assert_eq!(
            sum(&|t| t.previous.deployment_frequency.deployments),
            previous.len() as u64
        );
        let status_failed = current.iter().filter(|d| d.failed_by_status()).count() as u64;
        let failed = sum(&|t| t.current.change_failure_rate.failed);
        prop_assert!(failed >= status_failed);
        prop_assert!(failed <= current.len() as u64);
        let hotfixes = current.iter().filter(|d| d.hotfix).count() as u64;
        let rework = sum(&|t| t.current.rework_rate.rework);
        prop_assert!(rework >= hotfixes);
        prop_assert!(rework <= current.len() as u64);
        // Every configured team is reported, and teams are sorted by name.
        for t in TEAMS {
            prop_assert!(cards.teams.iter().any(|c| &*c.team == t));
        }
        let names: Vec<&str> = cards.teams.iter().map(|c| &*c.team).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(names, sorted);
    }

    /// (d) Rates are within [0, 1], medians are >= 0, counts are consistent.
    #[test]
    fn rates_are_fractions_and_medians_are_not_negative(s in scenario(3)) {
        let cards = evaluate(&s.lines());
        let days = WINDOW_DAYS as f64;
        for card in &cards.teams {
            for m in [&card.current, &card.previous] {
                let f = &m.deployment_frequency;
                prop_assert_eq!(f.per_day, f.deployments as f64 / days);
                let cfr = &m.change_failure_rate;
                prop_assert_eq!(cfr.deployments, f.deployments);
                prop_assert!(cfr.failed <= cfr.deployments);
                match cfr.rate {
                    Some(r) => {
                        prop_assert!((0.0..=1.0).contains(&r), "CFR {}", r);
                        prop_assert_eq!(r, cfr.failed as f64 / cfr.deployments as f64);
                    }
                    None => prop_assert_eq!(cfr.deployments, 0),
                }
                prop_assert_eq!(cfr.rate.is_some(), cfr.tier.is_some());
                let rw = &m.rework_rate;
                prop_assert_eq!(rw.deployments, f.deployments);
                match rw.rate {
                    Some(r) => prop_assert!((0.0..=1.0).contains(&r), "rework {}", r),
                    None => prop_assert_eq!(rw.deployments, 0),
                }
                let lt = &m.lead_time;
                if let Some(med) = lt.median_seconds {
                    prop_assert!(med >= 0.0, "lead median {}", med);
                    prop_assert!(lt.changes > 0);
                } else {
                    prop_assert_eq!(lt.changes, 0);
                }
                prop_assert_eq!(lt.median_seconds.is_some(), lt.tier.is_some());
                let ttr = &m.time_to_restore;
                if let Some(med) = ttr.median_seconds {
                    prop_assert!(med >= 0.0, "restore median {}", med);
                    prop_assert!(ttr.incidents > 0);
                } else {
                    prop_assert_eq!(ttr.incidents, 0);
                }
                prop_assert_eq!(ttr.median_seconds.is_some(), ttr.tier.is_some());
            }
            prop_assert_eq!(card.tier, card.current.team_tier());
        }
        prop_assert!(cards.unattributed_incidents <= s.incidents.len() as u64);
    }

    /// (e) The organisation row pools every record: it equals the scorecard
    /// of one team that every record names (not a median of team medians).
    #[test]
    fn the_organisation_row_is_every_record_as_one_team(s in scenario(3)) {
        let cards = evaluate(&s.lines());
        let mut one = s.clone();
        one.deploys.iter_mut().for_each(|d| d.team = Some(0));
        one.changes.iter_mut().for_each(|c| c.team = Some(0));
        one.incidents.iter_mut().for_each(|i| i.team = Some(0));
        let pooled = evaluate(&one.lines());
        let all = pooled.teams.iter().find(|t| &*t.team == TEAMS[0]).expect("the one team");
        let org = cards.organisation.as_ref().expect("an organisation row");
        prop_assert_eq!(&*org.team, "organisation");
        // The gates are not pooled (the row shows none of them).
        let without_gates = |m: &flightdeck::metrics::TeamMetrics| {
            let mut m = m.clone();
            m.gates = Default::default();
            m
        };
        prop_assert_eq!(&org.current, &without_gates(&all.current));
        prop_assert_eq!(&org.previous, &without_gates(&all.previous));
        prop_assert_eq!(org.tier, all.tier);
    }
}
