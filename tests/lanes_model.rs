//! The rollout model: lanes, stage states, the certification gate, alerts.

use chrono::{TimeDelta, TimeZone, Utc};
use flightdeck::metrics::alerts::{self, AlertKind};
use flightdeck::metrics::lanes::{self, Blocker, Gate, Outcome};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::stage::StageState;
use flightdeck::model::{
    CanaryResult, DeployStatus, DeploymentEvent, Event, Finding, FindingStatus, Incident, Severity,
    Text, Time, Verdict,
};

fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("time")
}

fn min(m: i64) -> Time {
    t0() + TimeDelta::minutes(m)
}

fn settings() -> Settings {
    Settings {
        regions: ["us-east-1", "eu-west-1", "ap-south-1"]
            .iter()
            .map(|r| Text::from(*r))
            .collect(),
        ..Settings::default()
    }
}

fn dep(id: &str, at: Time, status: DeployStatus, region: Option<&str>, stage: &str) -> Event {
    Event::Deployment(DeploymentEvent {
        id: id.into(),
        service: id.split('-').next().unwrap_or(id).into(),
        time: at,
        status,
        team: Some("team".into()),
        environment: None,
        region: region.map(Text::from),
        stage: Some(stage.into()),
        changes: vec![format!("{id}-c1").into()],
        hotfix: false,
        url: None,
    })
}

fn canary(id: &str, at: Time, verdict: Verdict, err: f64, score: f64) -> Event {
    Event::Canary(CanaryResult {
        deployment: id.into(),
        region: "us-east-1".into(),
        time: at,
        verdict: Some(verdict),
        error_rate: Some(err),
        baseline_error_rate: Some(0.004),
        p99_ms: Some(200.0),
        baseline_p99_ms: Some(210.0),
        score: Some(score),
    })
}

fn states(l: &lanes::Lane) -> Vec<StageState> {
    l.stages.iter().map(|s| s.state).collect()
}

fn org() -> Vec<Event> {
    use DeployStatus::*;
    vec![
        // a: certified in the canary region, paused in the second.
        dep("a-1", min(0), InProgress, Some("us-east-1"), "canary"),
        canary("a-1", min(15), Verdict::Pass, 0.002, 96.0),
        dep("a-1", min(15), Success, Some("us-east-1"), "canary"),
        dep(
            "a-1",
            min(20),
            InProgress,
            Some("eu-west-1"),
            "paused: awaiting promotion @40% step 3/8",
        ),
        // b: canary failed.
        dep("b-1", min(5), InProgress, Some("us-east-1"), "canary"),
        canary("b-1", min(20), Verdict::Fail, 0.08, 20.0),
        dep("b-1", min(20), Failure, Some("us-east-1"), "canary"),
        // c: rolled back in the third region.
        dep("c-1", min(1), InProgress, Some("us-east-1"), "canary"),
        canary("c-1", min(10), Verdict::Marginal, 0.009, 66.0),
        dep("c-1", min(10), Success, Some("us-east-1"), "canary"),
        dep("c-1", min(12), Success, Some("eu-west-1"), "rollout"),
        dep("c-1", min(14), InProgress, Some("ap-south-1"), "rollout"),
        dep("c-1", min(30), RolledBack, Some("ap-south-1"), "rollout"),
        // d: all done, no analysis, no region named.
        dep("d-1", min(2), Success, None, "deploy"),
        // e: just started, with an open critical finding and incident for its service.
        dep("e-1", min(40), InProgress, Some("us-east-1"), "canary"),
        Event::Finding(Finding {
            id: "F-1".into(),
            severity: Severity::Critical,
            status: FindingStatus::Open,
            opened: min(3),
            team: None,
            account: None,
            service: Some("e".into()),
            resolved: None,
            title: Some("open port".into()),
            rule: None,
            frameworks: vec![],
            tool: None,
            url: None,
            detail: None,
        }),
        Event::Incident(Incident {
            id: "INC-9".into(),
            service: "e".into(),
            opened: min(35),
            team: None,
            resolved: None,
            deployment: None,
            severity: Some("sev2".into()),
            title: Some("5xx".into()),
            url: None,
        }),
    ]
}

#[test]
fn lanes_map_stage_states_outcomes_and_gates() {
    let records = Records::from_events(org());
    let l = lanes::compute(&records, &settings(), min(45));
    assert_eq!(
        l.regions.iter().map(|r| &**r).collect::<Vec<_>>(),
        ["us-east-1", "eu-west-1", "ap-south-1"]
    );
    let ids: Vec<&str> = l.lanes.iter().map(|l| &*l.id).collect();
    // Failed first (c rolled back, then b failed: newest first), then the
    // paused a, then the other in flight (e), then the finished d.
    assert_eq!(ids, ["c-1", "b-1", "a-1", "e-1", "d-1"]);
    assert_eq!(l.trouble(), (2, 1), "two failed, one paused");
    assert_eq!(l.in_flight, 2);

    let a = l.find("a-1").expect("a");
    use StageState::*;
    assert_eq!(states(a), [Certified, Paused, Queued]);
    assert_eq!(a.outcome, Outcome::InFlight);
    let paused = &a.stages[1];
    assert_eq!(paused.reason.as_deref(), Some("awaiting promotion"));
    assert_eq!(paused.weight, Some(40));
    assert_eq!(paused.step, Some((3, 8)));
    assert_eq!(paused.duration(min(45)), Some(TimeDelta::minutes(25)));
    assert_eq!(a.stages[0].duration(min(45)), Some(TimeDelta::minutes(15)));
    assert_eq!(
        a.gate,
        Gate::Certified {
            by: "canary analysis: pass 96".into()
        }
    );
    let c = a.canary.as_ref().expect("canary");
    assert_eq!((c.verdict, c.score), (Some(Verdict::Pass), Some(96.0)));

    let b = l.find("b-1").expect("b");
    assert_eq!(states(b), [Failed, Queued, Queued]);
    assert_eq!(b.outcome, Outcome::Failed);
    assert_eq!(
        b.gate,
        Gate::Blocked(vec![Blocker::FailedAnalysis { score: Some(20.0) }])
    );
    assert_eq!(b.finished, Some(min(20)));
    // The analysis reasoning: error rate high, critical.
    let j = &b.canary.as_ref().expect("canary").judgement;
    assert!(
        j.reasons[0].contains("critical metric error_rate is high"),
        "{j:?}"
    );

    let c = l.find("c-1").expect("c");
    assert_eq!(states(c), [Certified, Succeeded, RolledBack]);
    assert_eq!(c.outcome, Outcome::RolledBack);

    let d = l.find("d-1").expect("d");
    assert_eq!(states(d), [Succeeded, Succeeded, Succeeded]);
    assert_eq!(d.outcome, Outcome::Succeeded);
    assert_eq!(
        d.gate,
        Gate::Certified {
            by: "canary stage success (no analysis)".into()
        }
    );

    let e = l.find("e-1").expect("e");
    assert_eq!(states(e), [Verifying, Queued, Queued]);
    assert_eq!(
        e.gate,
        Gate::Blocked(vec![
            Blocker::CriticalFinding("F-1".into()),
            Blocker::OpenIncident("INC-9".into())
        ])
    );
    assert_eq!(e.incidents.len(), 0, "opened before the lane started");
}

#[test]
fn lanes_before_their_events_and_long_finished_are_left_out() {
    let records = Records::from_events(org());
    // Before anything happened: no lanes.
    let l = lanes::compute(&records, &settings(), min(-1));
    assert!(l.lanes.is_empty());
    // A day later every finished lane is gone; a still-running one stays.
    let l = lanes::compute(&records, &settings(), min(60 * 24));
    let ids: Vec<&str> = l.lanes.iter().map(|l| &*l.id).collect();
    assert_eq!(ids, ["a-1", "e-1"], "the paused a first");
    // Mid-way the rolled-back lane was still progressing in its third region.
    let l = lanes::compute(&records, &settings(), min(20));
    let c = l.find("c-1").expect("c");
    assert_eq!(
        states(c),
        [
            StageState::Certified,
            StageState::Succeeded,
            StageState::Progressing
        ]
    );
}

#[test]
fn alerts_cover_each_kind_once() {
    let records = Records::from_events(org());
    let l = lanes::compute(&records, &settings(), min(45));
    let feed = alerts::derive(&l, &records, min(45));
    let kinds: Vec<AlertKind> = feed.iter().map(|a| a.kind).collect();
    assert!(kinds.contains(&AlertKind::CanaryFailed), "{feed:#?}");
    assert!(kinds.contains(&AlertKind::RolledBack));
    assert!(kinds.contains(&AlertKind::PausedTooLong));
    assert!(kinds.contains(&AlertKind::IncidentOpened));
    assert!(kinds.contains(&AlertKind::CriticalFinding));
    assert_eq!(feed.len(), 5, "{feed:#?}");
    let mut keys: Vec<&str> = feed.iter().map(|a| &*a.key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), feed.len());
    // Newest first.
    assert!(feed.windows(2).all(|w| w[0].at >= w[1].at));
    // The paused stage is not yet "too long" 5 minutes in.
    let l = lanes::compute(&records, &settings(), min(25));
    let feed = alerts::derive(&l, &records, min(25));
    assert!(!feed.iter().any(|a| a.kind == AlertKind::PausedTooLong));
}

#[test]
fn a_rollout_that_stopped_short_of_some_regions_ends_after_a_quiet_spell_unless_a_stage_runs() {
    // Three regions configured; `a-1` succeeded in the first only, `b-1` is
    // paused in the first, `c-1` is still progressing in the second.
    let records = Records::from_events(vec![
        dep(
            "a-1",
            min(0),
            DeployStatus::Success,
            Some("us-east-1"),
            "done",
        ),
        dep(
            "b-1",
            min(0),
            DeployStatus::InProgress,
            Some("us-east-1"),
            "paused: waiting",
        ),
        dep(
            "c-1",
            min(0),
            DeployStatus::Success,
            Some("us-east-1"),
            "done",
        ),
        dep(
            "c-1",
            min(5),
            DeployStatus::InProgress,
            Some("eu-west-1"),
            "rolling",
        ),
    ]);
    let ids = |at: Time| -> Vec<String> {
        let l = lanes::compute(&records, &settings(), at);
        let mut ids: Vec<String> = l
            .lanes
            .iter()
            .map(|l| format!("{} {}", l.id, l.outcome.label()))
            .collect();
        ids.sort();
        ids
    };
    // An hour later all three wait for regions: in flight.
    assert_eq!(
        ids(min(60)),
        ["a-1 in flight", "b-1 in flight", "c-1 in flight"]
    );
    // 13 hours later `a-1` has ended where it got to; the paused and the
    // progressing rollouts are still in flight, however long they take.
    assert_eq!(ids(min(13 * 60)), ["b-1 in flight", "c-1 in flight"]);
    assert_eq!(ids(min(30 * 24 * 60)), ["b-1 in flight", "c-1 in flight"]);
    // The index behind the store's lanes agrees with a pass over every deployment.
    for at in [min(60), min(13 * 60), min(30 * 24 * 60)] {
        assert_eq!(
            lanes::compute(&records, &settings(), at),
            lanes::compute_from_every_deployment(&records, &settings(), at)
        );
    }
}
