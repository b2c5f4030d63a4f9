//! Conformance: every Argo Rollouts and Flagger object in the shared fixtures
//! (read in place) maps onto the lane state, weight and step it stands for.

use crate::support as common;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use flightdeck::metrics::lanes::{self, Blocker, Gate};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::stage::StageState;
use flightdeck::model::{Text, Time, Verdict};
use flightdeck::sources::rollouts::{self, Object, RolloutStatus, Tool};

fn at(s: &str) -> Time {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

fn read(path: &Path) -> Vec<Object> {
    rollouts::read_file(path).unwrap_or_else(|e| panic!("{e}"))
}

fn one_rollout(path: &Path) -> RolloutStatus {
    match read(path).as_slice() {
        [Object::Rollout(r)] => r.clone(),
        other => panic!("{}: expected one rollout, got {other:?}", path.display()),
    }
}

/// Every file in the folder, so that a fixture added later without an
/// expectation fails here instead of being silently ignored.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn argo_rollouts_fixtures_map_to_lane_states() {
    let Some(dir) = common::shared_fixtures("argo_rollouts") else {
        return;
    };
    for name in files(&dir) {
        let path = dir.join(&name);
        if name.starts_with("analysisrun_") {
            check_analysis(&name, &path);
        } else {
            check_rollout(&name, &path);
        }
    }
}

/// A recorded Rollout maps to its lane state, reason, weight, step and time.
fn check_rollout(name: &str, path: &Path) {
    match name {
        "rollout_canary_weights.json" => {
            let r = one_rollout(path);
            assert_eq!(r.tool, Tool::ArgoRollouts);
            assert_eq!(&*r.id, "jesse-test/canary-demo-weights#31");
            // Argo derives Degraded from ProgressDeadlineExceeded before anything else.
            assert_eq!(r.state, StageState::Failed);
            assert!(
                r.reason
                    .as_deref()
                    .is_some_and(|s| s.starts_with("ProgressDeadlineExceeded")),
                "{r:?}"
            );
            assert_eq!(r.weight, Some(20), "status.canary.weights.canary.weight");
            assert_eq!(r.step, Some((1, 8)));
            assert_eq!(r.since, Some(at("2019-10-28T04:52:55Z")));
        }
        "rollout_paused_inconclusive_analysis.json" => {
            let r = one_rollout(path);
            assert_eq!(&*r.id, "jesse-test/rollout-experiment-analysis#2");
            assert_eq!(r.state, StageState::Failed);
            assert!(
                r.reason
                    .as_deref()
                    .is_some_and(|s| s.contains("(paused: InconclusiveAnalysisRun)")),
                "{r:?}"
            );
            // setWeight 25 is the last weight at or before step index 1.
            assert_eq!(r.weight, Some(25));
            assert_eq!(r.step, Some((2, 2)));
        }
        "rollout_aborted.json" => {
            let r = one_rollout(path);
            assert_eq!(&*r.id, "default/rollout-background-analysis#2");
            assert_eq!(r.state, StageState::Aborted);
            assert_eq!(
                r.reason.as_deref(),
                Some("metric \"web\" assessed Failed due to failed (1) > failureLimit (0)")
            );
            assert_eq!(r.weight, Some(0), "an abort sends traffic back to stable");
            assert_eq!(r.step, Some((1, 2)));
            assert_eq!(r.since, Some(at("2020-09-22T09:10:05Z")));
        }
        "rollout_bluegreen_paused.json" => {
            let r = one_rollout(path);
            assert_eq!(&*r.id, "jesse-test/bluegreen-demo#11");
            assert_eq!(r.state, StageState::Paused);
            assert_eq!(r.reason.as_deref(), Some("BlueGreenPause"));
            assert_eq!((r.weight, r.step), (None, None));
            assert_eq!(r.since, Some(at("2019-10-28T04:50:20Z")));
        }
        other => panic!("argo_rollouts/{other} has no expectation in this test"),
    }
}

/// A recorded AnalysisRun maps to its verdict, score and metric counts.
fn check_analysis(name: &str, path: &Path) {
    match name {
        "analysisrun_failed.json" => {
            let objects = read(path);
            let [Object::Analysis(a)] = objects.as_slice() else {
                panic!("{name}: expected one analysis");
            };
            assert_eq!(&*a.id, "default/rollout-background-analysis#2");
            assert_eq!(&*a.phase, "Failed");
            assert_eq!(a.verdict, Some(Verdict::Fail));
            assert_eq!(a.score, Some(0.0));
            assert_eq!(a.metrics.len(), 1);
            assert_eq!((a.metrics[0].count, a.metrics[0].failed), (1, 1));
            assert_eq!(a.time, Some(at("2020-09-22T09:10:04Z")));
        }
        "analysisrun_inconclusive.json" => {
            let objects = read(path);
            let [Object::Analysis(a)] = objects.as_slice() else {
                panic!("{name}: expected one analysis");
            };
            assert_eq!(&*a.id, "jesse-test/rollout-experiment-analysis#2");
            assert_eq!(a.verdict, Some(Verdict::Marginal));
            assert_eq!(a.score, Some(50.0), "4 successful of 8 measurements");
            let m = &a.metrics[0];
            assert_eq!(
                (m.count, m.successful, m.failed, m.inconclusive, m.error),
                (8, 4, 4, 1, 1)
            );
            assert_eq!(a.time, Some(at("2019-10-30T16:13:40Z")));
        }
        other => panic!("argo_rollouts/{other} has no expectation in this test"),
    }
}

#[test]
fn flagger_fixtures_map_to_lane_states() {
    let Some(dir) = common::shared_fixtures("flagger") else {
        return;
    };
    for name in files(&dir) {
        let path = dir.join(&name);
        let r = one_rollout(&path);
        assert_eq!(r.tool, Tool::Flagger);
        match name.as_str() {
            "canary_status_succeeded_docs.json" => {
                assert_eq!(r.state, StageState::Succeeded);
                assert_eq!(r.weight, Some(0));
                assert_eq!(
                    r.reason.as_deref(),
                    Some("Canary analysis completed successfully, promotion finished.")
                );
                assert_eq!(r.since, Some(at("2019-07-10T08:23:18Z")));
            }
            "event_webhook_payload_docs.json" => {
                assert_eq!(&*r.id, "default/podinfo");
                assert_eq!(r.state, StageState::Progressing);
                assert_eq!(
                    r.reason.as_deref(),
                    Some("New revision detected! Scaling up podinfo.default")
                );
                assert_eq!(
                    r.since,
                    Utc.timestamp_millis_opt(1_578_607_635_167).single()
                );
            }
            other => panic!("flagger/{other} has no expectation in this test"),
        }
    }
}

#[test]
fn argo_objects_become_lanes_with_their_analysis() {
    let Some(dir) = common::shared_fixtures("argo_rollouts") else {
        return;
    };
    let region = Text::from("eu-west-1");
    let mut objects = Vec::new();
    for name in files(&dir) {
        objects.extend(read(&dir.join(name)));
    }
    let now = at("2020-09-22T10:00:00Z");
    let records = Records::from_events(rollouts::to_events(&objects, Some(&region), now));
    let settings = Settings {
        regions: vec![region.clone()],
        ..Settings::default()
    };
    let l = lanes::compute(&records, &settings, now);
    let aborted = l
        .find("default/rollout-background-analysis#2")
        .expect("aborted lane");
    assert_eq!(aborted.stages[0].state, StageState::Aborted);
    assert_eq!(aborted.stages[0].weight, Some(0));
    // Its failed AnalysisRun is the lane's canary analysis and blocks the gate.
    let c = aborted.canary.as_ref().expect("analysis");
    assert_eq!((c.verdict, c.score), (Some(Verdict::Fail), Some(0.0)));
    assert_eq!(
        aborted.gate,
        Gate::Blocked(vec![Blocker::FailedAnalysis { score: Some(0.0) }])
    );
}

#[test]
fn bad_documents_are_named_errors() {
    let e = rollouts::parse_body("{\"kind\":\"Deployment\"}", "x.json").unwrap_err();
    assert_eq!(e.to_string(), "x.json: unsupported kind 'Deployment'");
    let e = rollouts::parse_body("not json", "x.json").unwrap_err();
    assert!(e.to_string().starts_with("x.json:1: not JSON"), "{e}");
    let e = rollouts::parse_body("{\"kind\":\"Rollout\"}", "x.json").unwrap_err();
    assert_eq!(e.to_string(), "x.json: Rollout has no name");
    // Control characters from a source never reach the screen.
    let body = r#"{"name":"evil\u001b[31m","namespace":"n","phase":"Failed","metadata":{"eventMessage":"x\u0007y"}}"#;
    let objects = rollouts::parse_body(body, "hook").expect("parses");
    let [Object::Rollout(r)] = objects.as_slice() else {
        panic!("one rollout");
    };
    assert_eq!(&*r.service, "evil");
    assert_eq!(r.reason.as_deref(), Some("xy"));
    assert_eq!(r.state, StageState::RolledBack);
}

#[tokio::test]
async fn rollouts_are_read_from_a_url_too() {
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::get;
    use flightdeck::model::Event;
    use flightdeck::sources::rollouts_poller::{RolloutsPoller, RolloutsSpec};
    use flightdeck::sources::scheduler::Poller;
    use flightdeck::util::clock::Clock;
    let Some(dir) = common::shared_fixtures("argo_rollouts") else {
        return;
    };
    let body = std::fs::read_to_string(dir.join("rollout_bluegreen_paused.json"))
        .expect("fixture readable");
    let list = format!(r#"{{"kind":"RolloutList","items":[{body}]}}"#);
    let app = Router::new()
        .route("/rollouts", get(move || async move { list }))
        .route(
            "/broken",
            get(|| async { (StatusCode::FORBIDDEN, "forbidden: no RBAC") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    // Through the poller, as a configured `url` is read (the shared HTTP client).
    let poller = |path: &str| {
        let spec = RolloutsSpec {
            path: None,
            url: Some(format!("{base}{path}")),
            region: Some("eu-west-1".into()),
            token_env: None,
            token_file: None,
        };
        RolloutsPoller::new(
            spec,
            std::time::Duration::from_secs(5),
            Clock::Fixed(at("2020-09-22T10:00:00Z")),
        )
        .expect("poller")
    };
    let events = poller("/rollouts").poll().await.expect("fetched").events;
    let [Event::Deployment(d)] = events.as_slice() else {
        panic!("one deployment line from the list: {events:?}");
    };
    assert!(
        d.stage.as_deref().is_some_and(|s| s.starts_with("paused")),
        "{d:?}"
    );
    let e = poller("/broken").poll().await.unwrap_err();
    assert!(e.message.contains("403"), "{}", e.message);
    assert!(
        e.message.contains(&format!("{base}/broken")),
        "{}",
        e.message
    );
    server.abort();
}

/// The `rollouts` source on a file: the mapped events once, then only what
/// changed; a broken file is a named error and the next poll goes on.
#[tokio::test]
async fn the_file_source_sends_changes_and_survives_bad_reads() {
    use flightdeck::model::{DeployStatus, Event};
    use flightdeck::sources::rollouts_poller::{RolloutsPoller, RolloutsSpec};
    use flightdeck::sources::scheduler::Poller;
    use flightdeck::util::clock::Clock;
    use std::time::Duration;
    let Some(dir) = common::shared_fixtures("argo_rollouts") else {
        return;
    };
    let tmp = std::env::temp_dir().join(format!("flightdeck-rollouts-{}.json", std::process::id()));
    let aborted = std::fs::read_to_string(dir.join("rollout_aborted.json")).expect("fixture");
    std::fs::write(&tmp, &aborted).expect("write");
    let spec = RolloutsSpec {
        path: Some(tmp.clone()),
        url: None,
        region: Some("eu-west-1".into()),
        token_env: None,
        token_file: None,
    };
    let mut poller = RolloutsPoller::new(
        spec,
        Duration::from_secs(5),
        Clock::Fixed(at("2020-09-22T10:00:00Z")),
    )
    .expect("poller");
    let events = poller.poll().await.expect("first read").events;
    let [Event::Deployment(d)] = events.as_slice() else {
        panic!("one deployment line: {events:?}");
    };
    assert_eq!(d.status, DeployStatus::Failure);
    assert_eq!(d.region.as_deref(), Some("eu-west-1"));
    assert!(
        d.stage
            .as_deref()
            .is_some_and(|s| s.starts_with("aborted: "))
    );
    // Unchanged: nothing new.
    assert!(poller.poll().await.expect("second read").events.is_empty());
    std::fs::write(&tmp, "{ broken").expect("write");
    let e = poller.poll().await.expect_err("broken file");
    assert!(e.message.contains("not JSON"), "{}", e.message);
    // Fixed again: the poller still works, and the object is unchanged.
    std::fs::write(&tmp, &aborted).expect("write");
    assert!(poller.poll().await.expect("read again").events.is_empty());
    let _ = std::fs::remove_file(&tmp);
}
