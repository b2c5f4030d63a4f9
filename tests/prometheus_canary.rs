//! The Prometheus source against a REAL Prometheus server (data loaded with
//! `promtool tsdb create-blocks-from openmetrics`), and against local fault
//! servers: down, slow past the timeout, `status: error`, NaN, 5xx, auth.

use crate::support as common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use chrono::{TimeDelta, Utc};
use flightdeck::metrics::canary::judge;
use flightdeck::model::canary::CanaryTarget;
use flightdeck::model::canary::Outcome;
use flightdeck::model::{Text, Time, Verdict};
use flightdeck::sources::prometheus::{
    self, PromError, Prometheus, PrometheusConfig, PrometheusSpec,
};

/// A scratch folder removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("flightdeck-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed (and reaped) on drop, so a failing test never leaks it.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn spec(url: &str, queries: &[(&str, &str, bool)]) -> PrometheusSpec {
    let mut q = serde_json::Map::new();
    for (name, query, critical) in queries {
        q.insert(
            (*name).to_string(),
            serde_json::json!({
                "query": query,
                "direction": "increase",
                "tolerance": if *name == "error_rate" { 0.5 } else { 0.2 },
                "min_delta": if *name == "error_rate" { 0.002 } else { 10.0 },
                "critical": critical,
            }),
        );
    }
    serde_json::from_value(serde_json::json!({
        "url": url,
        "timeout": "2s",
        "lookback": "10m",
        "step": "30s",
        "baseline_version": "stable",
        "queries": q,
    }))
    .expect("spec")
}

const ERR_Q: &str = r#"canary_error_ratio{service="$service",region="$region",version="$version"}"#;
const P99_Q: &str =
    r#"canary_latency_p99_ms{service="$service",region="$region",version="$version"}"#;

fn target(version: &str) -> CanaryTarget {
    CanaryTarget {
        deployment: Text::from(version),
        service: Text::from("cart"),
        region: Text::from("us-east-1"),
        version: Text::from(version),
    }
}

/// Writes the OpenMetrics file: four versions of one service over the last 40
/// minutes, one sample every 15 s, plus a series with a 10-minute gap.
fn write_openmetrics(path: &Path, now: i64) {
    let mut out = String::new();
    let start = now - 40 * 60;
    let versions = [
        // version, error ratio, p99 ms
        ("stable", 0.004, 210.0),
        ("cart-0041", 0.003, 205.0),
        ("cart-0042", 0.05, 215.0),
        ("cart-0043", 0.0045, 320.0),
    ];
    out.push_str("# TYPE canary_error_ratio gauge\n");
    for (v, e, _) in versions {
        for t in (start..now - 10).step_by(15) {
            out.push_str(&format!(
                "canary_error_ratio{{service=\"cart\",region=\"us-east-1\",version=\"{v}\"}} {e} {t}\n"
            ));
        }
    }
    out.push_str("# TYPE canary_latency_p99_ms gauge\n");
    for (v, _, p) in versions {
        for t in (start..now - 10).step_by(15) {
            out.push_str(&format!(
                "canary_latency_p99_ms{{service=\"cart\",region=\"us-east-1\",version=\"{v}\"}} {p} {t}\n"
            ));
        }
    }
    out.push_str("# TYPE gappy gauge\n");
    for t in (start..now - 10).step_by(15) {
        // Nothing between 30 and 20 minutes ago.
        if t > now - 30 * 60 && t < now - 20 * 60 {
            continue;
        }
        out.push_str(&format!("gappy{{service=\"cart\"}} 1 {t}\n"));
    }
    out.push_str("# EOF\n");
    std::fs::write(path, out).expect("write openmetrics");
}

async fn wait_ready(base: &str, server: &mut KillOnDrop) {
    let http = flightdeck::sources::http::client_builder()
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("prometheus exited early: {status}");
        }
        if let Ok(r) = http.get(format!("{base}/-/ready")).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(Instant::now() < deadline, "prometheus not ready in 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A Prometheus serving the test series (written as OpenMetrics, turned into
/// blocks by promtool) ending at `now`; its base URL once it is ready.
async fn start_prometheus(
    prom: &Path,
    promtool: &Path,
    scratch: &Scratch,
    now: Time,
) -> (String, KillOnDrop) {
    let now_s = now.timestamp();
    let om = scratch.0.join("data.om");
    write_openmetrics(&om, now_s);
    let data = scratch.0.join("tsdb");
    let out = Command::new(promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&om)
        .arg(&data)
        .output()
        .expect("run promtool");
    assert!(
        out.status.success(),
        "promtool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = scratch.0.join("prometheus.yml");
    std::fs::write(
        &config,
        "global:\n  scrape_interval: 1m\nscrape_configs: []\n",
    )
    .expect("config");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(prom)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let mut server = KillOnDrop(child);
    wait_ready(&base, &mut server).await;
    (base, server)
}

/// A range query with a gap shows the missing steps; a bad query is the
/// server's `status: error`.
async fn missing_steps_and_a_bad_query(client: &Prometheus, now: Time) {
    // Missing steps: the 10-minute gap shows as steps without a value.
    let series = client
        .range(
            r#"gappy{service="cart"}"#,
            now - TimeDelta::minutes(39),
            now - TimeDelta::minutes(1),
            Duration::from_secs(60),
        )
        .await
        .expect("range query");
    assert_eq!(series.len(), 1);
    let points = &series[0].points;
    assert_eq!(points.len(), 39);
    let missing = points.iter().filter(|p| p.1.is_none()).count();
    // 10 minutes without samples, of which the 5-minute lookback bridges 5.
    assert!((4..=6).contains(&missing), "missing {missing}: {points:?}");

    // A bad query is the server's `status: error`, named as such.
    let e = client
        .instant("sum(", None)
        .await
        .expect_err("a bad query is refused");
    assert!(
        matches!(e, PromError::Api { ref kind, .. } if kind == "bad_data"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_analysis_against_a_real_prometheus() {
    let (Some(prom), Some(promtool)) = (common::tool("prometheus"), common::tool("promtool"))
    else {
        return;
    };
    let scratch = Scratch::new("prom");
    let now = Utc::now();
    let (base, server) = start_prometheus(&prom, &promtool, &scratch, now).await;

    let cfg: PrometheusConfig = spec(
        &base,
        &[("error_rate", ERR_Q, true), ("p99_ms", P99_Q, false)],
    )
    .resolve()
    .expect("resolves");
    let client = Prometheus::new(&cfg).expect("client");

    // Instant query: one vector sample per version.
    let v = client
        .instant(
            r#"canary_error_ratio{service="cart"}"#,
            Some(now - TimeDelta::seconds(30)),
        )
        .await
        .expect("instant query");
    let mut by_version: BTreeMap<String, f64> = v
        .iter()
        .map(|s| (s.labels["version"].clone(), s.value))
        .collect();
    assert_eq!(by_version.len(), 4, "{v:?}");
    assert_eq!(by_version.remove("cart-0042"), Some(0.05));

    // A good canary passes with 100.
    let good = prometheus::analyse(&client, &cfg, &target("cart-0041"), now, judge)
        .await
        .expect("analysis");
    assert_eq!(good.judgement.verdict, Some(Verdict::Pass), "{good:?}");
    assert_eq!(good.judgement.score, Some(100.0));
    let r = good.to_result();
    assert!((r.error_rate.expect("er") - 0.003).abs() < 1e-9);
    assert!((r.baseline_error_rate.expect("ber") - 0.004).abs() < 1e-9);
    assert!((r.p99_ms.expect("p99") - 205.0).abs() < 1e-9);

    // Error rate 0.05 against 0.004: the critical metric fails the canary.
    let bad = prometheus::analyse(&client, &cfg, &target("cart-0042"), now, judge)
        .await
        .expect("analysis");
    assert_eq!(bad.judgement.verdict, Some(Verdict::Fail), "{bad:?}");
    assert_eq!(bad.judgement.score, Some(50.0));
    assert_eq!(bad.judgement.metrics[0].outcome, Outcome::High);
    assert!(bad.judgement.reasons[0].contains("critical metric error_rate is high"));

    // Latency 320 against 210 (not critical): one of two metrics passes -> marginal.
    let slow = prometheus::analyse(&client, &cfg, &target("cart-0043"), now, judge)
        .await
        .expect("analysis");
    assert_eq!(slow.judgement.verdict, Some(Verdict::Marginal), "{slow:?}");
    assert_eq!(slow.judgement.score, Some(50.0));

    // A version with no series at all: no data, no verdict.
    let none = prometheus::analyse(&client, &cfg, &target("cart-9999"), now, judge)
        .await
        .expect("analysis");
    assert_eq!(none.judgement.verdict, None);
    assert_eq!(none.to_result().error_rate, None);

    // NaN from the server (0/0) is no data, not a number.
    let nan_cfg = spec(
        &base,
        &[("error_rate", &format!("({ERR_Q} - {ERR_Q}) / 0"), true)],
    )
    .resolve()
    .expect("resolves");
    let nan = prometheus::analyse(&client, &nan_cfg, &target("cart-0041"), now, judge)
        .await
        .expect("analysis");
    assert_eq!(nan.judgement.metrics[0].outcome, Outcome::NoData, "{nan:?}");
    assert_eq!(nan.judgement.verdict, None);

    missing_steps_and_a_bad_query(&client, now).await;
    drop(server);
}

// ---- fault servers -------------------------------------------------------

struct Local {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Local {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(app: Router) -> Local {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Local {
        base: format!("http://{addr}"),
        task,
    }
}

fn matrix(value: &str) -> String {
    let now = Utc::now().timestamp();
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[[{},"{value}"],[{},"{value}"]]}}]}}}}"#,
        now - 60,
        now - 30
    )
}

fn cfg_for(base: &str, timeout: &str) -> PrometheusConfig {
    let mut s = spec(
        base,
        &[("error_rate", ERR_Q, true), ("p99_ms", P99_Q, false)],
    );
    s.timeout = timeout.into();
    s.resolve().expect("resolves")
}

fn now() -> Time {
    Utc::now()
}

#[tokio::test]
async fn prometheus_down_is_a_named_error() {
    let port = free_port();
    let cfg = cfg_for(&format!("http://127.0.0.1:{port}"), "2s");
    let client = Prometheus::new(&cfg).expect("client");
    let e = prometheus::analyse(&client, &cfg, &target("v1"), now(), judge)
        .await
        .unwrap_err();
    assert!(matches!(e, PromError::Unreachable { .. }), "{e}");
    assert!(
        e.to_string().starts_with(&format!(
            "http://127.0.0.1:{port}/api/v1/query_range: cannot connect"
        )),
        "{e}"
    );
}

#[tokio::test]
async fn slow_prometheus_times_out() {
    let app = Router::new().route(
        "/api/v1/query_range",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            matrix("1")
        }),
    );
    let srv = serve(app).await;
    let cfg = cfg_for(&srv.base, "300ms");
    let client = Prometheus::new(&cfg).expect("client");
    let started = Instant::now();
    let e = prometheus::analyse(&client, &cfg, &target("v1"), now(), judge)
        .await
        .unwrap_err();
    assert!(matches!(e, PromError::Timeout { .. }), "{e}");
    assert!(e.to_string().contains("no answer within 300ms"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn status_error_bodies_and_5xx_are_errors() {
    let app = Router::new()
        .route(
            "/api/v1/query_range",
            get(|| async {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    r#"{"status":"error","errorType":"execution","error":"query timed out in expression evaluation"}"#,
                )
            }),
        )
        .route(
            "/api/v1/query",
            get(|| async { (StatusCode::BAD_GATEWAY, "<html>502 Bad Gateway</html>") }),
        );
    let srv = serve(app).await;
    let cfg = cfg_for(&srv.base, "2s");
    let client = Prometheus::new(&cfg).expect("client");
    let e = prometheus::analyse(&client, &cfg, &target("v1"), now(), judge)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}/api/v1/query_range: query failed (execution): query timed out in expression evaluation",
            srv.base
        )
    );
    let e = client.instant("up", None).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}/api/v1/query: HTTP 502: <html>502 Bad Gateway</html>",
            srv.base
        )
    );
}

#[tokio::test]
async fn nan_everywhere_is_no_data() {
    let app = Router::new().route("/api/v1/query_range", get(|| async { matrix("NaN") }));
    let srv = serve(app).await;
    let cfg = cfg_for(&srv.base, "2s");
    let client = Prometheus::new(&cfg).expect("client");
    let a = prometheus::analyse(&client, &cfg, &target("v1"), now(), judge)
        .await
        .expect("NaN is data the judge reads as no data");
    assert!(
        a.judgement
            .metrics
            .iter()
            .all(|m| m.outcome == Outcome::NoData)
    );
    assert_eq!((a.judgement.verdict, a.judgement.score), (None, None));
    assert_eq!(a.judgement.reasons, ["no data for any of the 2 metrics"]);
    let r = a.to_result();
    assert_eq!((r.verdict, r.error_rate, r.p99_ms), (None, None, None));
}

#[tokio::test]
async fn the_token_is_sent_as_a_bearer_header() {
    let app = Router::new().route(
        "/api/v1/query",
        get(|headers: HeaderMap| async move {
            match headers.get("authorization").and_then(|h| h.to_str().ok()) {
                Some("Bearer s3cret") => (
                    StatusCode::OK,
                    r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#
                        .to_string(),
                ),
                _ => (
                    StatusCode::UNAUTHORIZED,
                    r#"{"status":"error","errorType":"unauthorized","error":"no token"}"#
                        .to_string(),
                ),
            }
        }),
    );
    let srv = serve(app).await;
    let scratch = Scratch::new("token");
    let token = scratch.0.join("token");
    std::fs::write(&token, "s3cret\n").expect("token file");
    let mut s = spec(&srv.base, &[("error_rate", ERR_Q, true)]);
    let anonymous = Prometheus::new(&s.resolve().expect("resolves")).expect("client");
    let e = anonymous.instant("up", None).await.unwrap_err();
    assert!(e.to_string().contains("(unauthorized)"), "{e}");
    s.token_file = Some(token);
    let cfg = s.resolve().expect("resolves");
    assert!(
        !format!("{cfg:?}").contains("s3cret"),
        "token never in debug output"
    );
    let client = Prometheus::new(&cfg).expect("client");
    assert_eq!(
        client.instant("up", None).await.expect("authorised"),
        vec![]
    );
}

/// The Prometheus source on the scheduler against a server that is down:
/// applies its updates to `records` until the failure; whether a no-data
/// canary judgement came first.
async fn scheduled_no_data(
    cfg: PrometheusConfig,
    snapshots: tokio::sync::watch::Receiver<std::sync::Arc<flightdeck::store::Snapshot>>,
    now: Time,
    records: &mut flightdeck::model::records::Records,
) -> bool {
    use flightdeck::model::Event;
    use flightdeck::model::source_update::SourceUpdate;
    use flightdeck::sources::prometheus_poller::PrometheusPoller;
    use flightdeck::sources::scheduler::{Schedule, Scheduler};
    use flightdeck::util::clock::Clock;

    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let scheduler = Scheduler::new(tx, Clock::real());
    scheduler.spawn(
        Schedule {
            name: Text::from("prom"),
            kind: "prometheus",
            interval: Some(Duration::from_millis(200)),
            timeout: Duration::from_secs(2),
            wake: None,
        },
        Box::new(
            PrometheusPoller::new(cfg, Some(reader(&snapshots)), judge, Clock::Fixed(now))
                .expect("poller"),
        ),
    );
    let mut got_no_data = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let update = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("updates in time")
            .expect("source alive");
        match update {
            SourceUpdate::Events { events, .. } => {
                for e in events {
                    if let Event::Canary(c) = &e {
                        assert_eq!((c.verdict, c.error_rate), (None, None));
                        got_no_data = true;
                    }
                    records.apply(e);
                }
            }
            SourceUpdate::Failed { error, .. } => {
                assert!(error.contains("cannot connect"), "{error}");
                break;
            }
            _ => {}
        }
    }
    drop(scheduler);
    got_no_data
}

/// The source task against a Prometheus that is down: the canary under analysis
/// gets a result without numbers (the lane shows "no data"), the source reports
/// the error, and it keeps polling.
#[tokio::test]
async fn the_source_reports_no_data_and_the_error_when_prometheus_is_down() {
    use std::sync::Arc;

    use flightdeck::model::records::Records;
    use flightdeck::model::settings::Settings;
    use flightdeck::model::{DeployStatus, DeploymentEvent, Event};
    use flightdeck::sources::prometheus_poller::PrometheusPoller;
    use flightdeck::sources::scheduler::Poller;
    use flightdeck::store::Snapshot;
    use flightdeck::ui::screens::lanes::canary_text;
    use flightdeck::util::clock::Clock;

    let now = Utc::now();
    let settings = Settings {
        regions: vec![Text::from("us-east-1"), Text::from("eu-west-1")],
        ..Settings::default()
    };
    let mut records = Records::from_events([Event::Deployment(DeploymentEvent {
        id: "cart-0042".into(),
        service: "cart".into(),
        time: now - TimeDelta::minutes(5),
        status: DeployStatus::InProgress,
        team: None,
        environment: None,
        region: Some("us-east-1".into()),
        stage: Some("canary @10%".into()),
        changes: vec![],
        hotfix: false,
        url: None,
    })]);
    let snapshot = Snapshot::compute(
        Arc::new(records.clone()),
        Arc::new(settings.clone()),
        vec![],
        now,
        1,
    );
    assert_eq!(snapshot.views.canary_targets.len(), 1);
    let (_keep, snapshots) = tokio::sync::watch::channel(Arc::new(snapshot));
    let s = spec(
        &format!("http://127.0.0.1:{}", free_port()),
        &[("error_rate", ERR_Q, true)],
    );
    let cfg = s.resolve().expect("resolves");

    // One poll: a failure naming the cause, carrying a "no data" judgement.
    let mut poller = PrometheusPoller::new(
        cfg.clone(),
        Some(reader(&snapshots)),
        judge,
        Clock::Fixed(now),
    )
    .expect("poller");
    let e = poller.poll().await.expect_err("prometheus is down");
    assert!(e.message.contains("cannot connect"), "{}", e.message);
    let [Event::Canary(c)] = e.partial.as_slice() else {
        panic!("one canary judgement: {:?}", e.partial);
    };
    assert_eq!(&*c.deployment, "cart-0042");
    assert_eq!((c.verdict, c.error_rate, c.score), (None, None, None));

    // Through the scheduler: the judgement reaches the store before the failure.
    let got_no_data = scheduled_no_data(cfg, snapshots, now, &mut records).await;
    assert!(got_no_data, "the no-data judgement came before the failure");
    let lanes = flightdeck::metrics::lanes::compute(&records, &settings, now);
    let lane = lanes.find("cart-0042").expect("lane");
    assert_eq!(
        canary_text(&flightdeck::app::theme::Theme::default(), lane).0,
        "no data"
    );
}

/// The published targets as the composition root hands them to the poller.
fn reader(
    snapshots: &tokio::sync::watch::Receiver<std::sync::Arc<flightdeck::store::Snapshot>>,
) -> flightdeck::sources::prometheus_poller::Targets {
    let rx = snapshots.clone();
    Box::new(move || rx.borrow().views.canary_targets.clone())
}
