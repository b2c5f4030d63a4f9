//! `flightdeck serve` against the real tools: `promtool check metrics` on its
//! `/metrics`, and a real Prometheus (Debian's package) scraping it on loopback;
//! the series Prometheus stored are compared with what flightdeck serves and with
//! `report --format json` at the same pinned clock.

use crate::support as common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use flightdeck::report::openmetrics::parse_samples;
use serde_json::Value;

const NOW: &str = "2026-03-02T09:30:00Z";

/// A child process killed (and reaped) on drop, whatever the test does.
pub(crate) struct Killed(pub(crate) Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) struct TempDir(pub(crate) PathBuf);
impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("fd-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `flightdeck serve ARGS --listen 127.0.0.1:0` and reads the address it
/// bound from its first line on stderr.
pub(crate) fn serve(args: &[&str]) -> (Killed, SocketAddr) {
    let (child, addr, _) = serve_saying(args);
    (child, addr)
}

/// As [`serve`], with the lines `serve` wrote on stderr before its address.
pub(crate) fn serve_saying(args: &[&str]) -> (Killed, SocketAddr, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("flightdeck serve starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let child = Killed(child);
    // The address line is the last one `serve` writes on start (a shard says
    // which teams it serves first).
    let mut stderr = BufReader::new(stderr);
    let mut line = String::new();
    let mut said = Vec::new();
    while !line.contains("http://") {
        if !line.is_empty() {
            said.push(line.trim_end().to_string());
        }
        line.clear();
        let n = stderr
            .read_line(&mut line)
            .expect("serve writes its address");
        assert!(n > 0, "serve ended before saying its address");
    }
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|s| s.strip_suffix("/metrics"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (child, addr, said)
}

/// A plain HTTP/1.0 GET: (status, content type, body).
pub(crate) fn get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_default();
    Ok((status, content_type, body.to_string()))
}

pub(crate) fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `/metrics` once the source's first read is in: the first snapshot has the
/// declared teams with no records, and a source is up from its first read.
pub(crate) fn metrics_with_data(addr: SocketAddr) -> String {
    wait_for("data in /metrics", Duration::from_secs(30), || {
        let (status, _, body) = get(addr, "/metrics").ok()?;
        let up = body
            .lines()
            .any(|l| l.starts_with("flightdeck_source_up{") && l.ends_with(" 1"));
        (status == 200 && up).then_some(body)
    })
}

/// Sample key: name and labels without Prometheus' own `job`/`instance`.
pub(crate) type Key = (String, Vec<(String, String)>);

pub(crate) fn served_values(text: &str) -> BTreeMap<Key, f64> {
    parse_samples(text)
        .expect("the exposition reads back")
        .into_iter()
        .map(|s| {
            let mut labels = s.labels;
            labels.sort();
            ((s.name, labels), s.value)
        })
        .collect()
}

#[test]
fn metrics_pass_promtool_check_metrics() {
    let Some(promtool) = common::tool("promtool") else {
        return;
    };
    let (_serve, addr) = serve(&["--demo", "--now", NOW]);
    let body = metrics_with_data(addr);
    let (status, content_type, _) = get(addr, "/metrics").expect("GET /metrics");
    assert_eq!(status, 200);
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(body.ends_with("# EOF\n"));
    let mut check = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs");
    check
        .stdin
        .take()
        .expect("stdin")
        .write_all(body.as_bytes())
        .expect("promtool reads");
    let out = check.wait_with_output().expect("promtool finishes");
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, _, health) = get(addr, "/healthz").expect("GET /healthz");
    assert_eq!((status, health.as_str()), (200, "ok\n"));
    let (status, _, _) = get(addr, "/nope").expect("GET /nope");
    assert_eq!(status, 404);
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub(crate) fn query(prometheus: SocketAddr, promql: &str) -> Vec<Value> {
    let encoded: String = promql
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let Ok((200, _, body)) = get(prometheus, &format!("/api/v1/query?query={encoded}")) else {
        return Vec::new();
    };
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    v["data"]["result"].as_array().cloned().unwrap_or_default()
}

pub(crate) fn key_of(series: &Value) -> Key {
    let metric = series["metric"].as_object().cloned().unwrap_or_default();
    let name = metric
        .get("__name__")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut labels: Vec<(String, String)> = metric
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "__name__" | "job" | "instance"))
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
        .collect();
    labels.sort();
    (name, labels)
}

pub(crate) fn value_of(series: &Value) -> f64 {
    series["value"][1]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Prometheus scraping both flightdeck servers every second, once ready.
fn start_prometheus(
    prometheus: &Path,
    dir: &TempDir,
    demo_addr: SocketAddr,
    events_addr: SocketAddr,
) -> (Killed, SocketAddr) {
    let config = dir.0.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n\
             \x20 - job_name: demo\n    static_configs:\n      - targets: ['{demo_addr}']\n\
             \x20 - job_name: events\n    static_configs:\n      - targets: ['{events_addr}']\n"
        ),
    )
    .expect("config written");
    let port = free_port();
    let prom_addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let storage = dir.0.join("data");
    let child = Killed(
        Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", storage.display()))
            .arg(format!("--web.listen-address={prom_addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus starts"),
    );
    wait_for("Prometheus to be ready", Duration::from_secs(60), || {
        get(prom_addr, "/-/ready")
            .ok()
            .filter(|(s, _, _)| *s == 200)
    });
    (child, prom_addr)
}

/// Every per-team series flightdeck serves is in Prometheus with its value, and
/// nothing else is.
fn assert_stored_is_served(stored: &[Value], demo_addr: SocketAddr) {
    // The clock is pinned: what is served now is what Prometheus scraped.
    let served = served_values(&metrics_with_data(demo_addr));
    let served_team: BTreeMap<&Key, f64> = served
        .iter()
        .filter(|((name, _), _)| name.starts_with("flightdeck_team_"))
        .map(|(k, v)| (k, *v))
        .collect();
    let stored: BTreeMap<Key, f64> = stored.iter().map(|s| (key_of(s), value_of(s))).collect();
    let extra: Vec<&Key> = stored
        .keys()
        .filter(|k| !served_team.contains_key(k))
        .take(5)
        .collect();
    assert_eq!(stored.len(), served_team.len(), "not served: {extra:?}");
    for (key, value) in &served_team {
        let got = stored.get(*key).copied();
        assert!(
            got.is_some_and(|g| (g - value).abs() <= 1e-9 * value.abs().max(1.0)),
            "{key:?}: served {value}, Prometheus has {got:?}"
        );
    }
}

/// The same numbers as `report --format json` on the same demo at the same time.
fn assert_report_numbers(prom_addr: SocketAddr) {
    let report = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--demo", "--now", NOW, "--format", "json"])
        .output()
        .expect("report runs");
    let report: Value = serde_json::from_slice(&report.stdout).expect("report JSON");
    let teams = report["teams"].as_array().expect("teams");
    assert!(teams.len() >= 5, "the demo has teams");
    for t in teams {
        let team = t["team"].as_str().unwrap_or("");
        let promql = |name: &str| {
            query(
                prom_addr,
                &format!(r#"{name}{{job="demo",team="{team}",window="30d"}}"#),
            )
            .first()
            .map(value_of)
        };
        assert_eq!(
            promql("flightdeck_team_deployments"),
            t["deployment_frequency"]["deployments"].as_f64(),
            "{team} deployments"
        );
        assert_eq!(
            promql("flightdeck_team_lead_time_median_seconds"),
            t["lead_time"]["median_seconds"].as_f64(),
            "{team} lead time"
        );
        assert_eq!(
            promql("flightdeck_team_change_failure_ratio"),
            t["change_failure_rate"]["rate"].as_f64(),
            "{team} change failure rate"
        );
        assert_eq!(
            promql("flightdeck_team_time_to_restore_median_seconds"),
            t["time_to_restore"]["median_seconds"].as_f64(),
            "{team} time to restore"
        );
        let tier = t["tier"].as_str().unwrap_or("none");
        let current = query(
            prom_addr,
            &format!(
                r#"flightdeck_team_tier{{job="demo",team="{team}",window="30d",metric="team"}} == 1"#
            ),
        );
        assert_eq!(current.len(), 1, "{team}: one current tier");
        assert_eq!(
            key_of(&current[0])
                .1
                .iter()
                .find(|(k, _)| k == "tier")
                .map(|(_, v)| v.as_str()),
            Some(tier)
        );
    }
}

#[test]
fn a_real_prometheus_scrapes_the_per_team_series_flightdeck_serves() {
    let Some(prometheus) = common::tool("prometheus") else {
        return;
    };
    let (_demo, demo_addr) = serve(&["--demo", "--now", NOW]);
    let (_events, events_addr) = serve(&[
        "--events",
        "tests/fixtures/report_awkward_names.ndjson",
        "--now",
        "2024-04-01T00:00:00Z",
    ]);
    metrics_with_data(demo_addr);

    let dir = TempDir::new("prometheus");
    let (_prometheus, prom_addr) = start_prometheus(&prometheus, &dir, demo_addr, events_addr);

    // Both targets up, scraped as OpenMetrics without errors.
    wait_for("both targets up", Duration::from_secs(60), || {
        let up = query(prom_addr, "up");
        (up.len() == 2 && up.iter().all(|s| value_of(s) == 1.0)).then_some(())
    });
    let stored = wait_for("the team series", Duration::from_secs(60), || {
        let r = query(prom_addr, r#"{__name__=~"flightdeck_team_.+",job="demo"}"#);
        (!r.is_empty()).then_some(r)
    });

    assert_stored_is_served(&stored, demo_addr);

    assert_report_numbers(prom_addr);

    // A team name with a pipe, quotes and a comma arrives in Prometheus intact.
    let awkward = wait_for(
        "the events target's series",
        Duration::from_secs(30),
        || {
            let r = query(
                prom_addr,
                r#"flightdeck_team_deployments{job="events",window="30d"}"#,
            );
            (!r.is_empty()).then_some(r)
        },
    );
    assert_eq!(awkward.len(), 1);
    assert_eq!(
        key_of(&awkward[0]).1,
        vec![
            ("team".to_string(), "ops | \"edge\", eu".to_string()),
            ("window".to_string(), "30d".to_string())
        ]
    );
    assert_eq!(value_of(&awkward[0]), 2.0);
    // Source health and freshness made it too.
    let fresh = query(
        prom_addr,
        r#"flightdeck_source_last_success_timestamp_seconds{job="demo"}"#,
    );
    assert_eq!(fresh.first().map(value_of), Some(1_772_443_800.0));
}

/// `serve --config`: the configured sources run on the scheduler and the
/// config's teams are served (no demo: its teams would be there too).
#[test]
fn serve_runs_the_configured_sources() {
    let dir = std::env::temp_dir().join(format!("fd-serve-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("deploys.ndjson"),
        concat!(
            r#"{"type":"deployment","id":"d1","service":"ledger","time":"2026-03-01T12:00:00Z","status":"success"}"#,
            "\n",
            r#"{"type":"deployment","id":"d2","service":"ledger","time":"2026-03-01T18:00:00Z","status":"success"}"#,
            "\n"
        ),
    )
    .expect("events");
    let config = dir.join("flightdeck.toml");
    std::fs::write(
        &config,
        "[[teams]]\nname = \"payments\"\nservices = [\"ledger\"]\n\n[[sources]]\nkind = \"events\"\nname = \"deploy-log\"\npath = \"deploys.ndjson\"\n",
    )
    .expect("config");
    let config = config.display().to_string();
    let (_serve, addr) = serve(&["--config", &config, "--now", NOW]);
    let body = metrics_with_data(addr);
    assert!(
        body.lines().any(|l| l.starts_with("flightdeck_source_up{")
            && l.contains("source=\"deploy-log\"")
            && l.ends_with(" 1")),
        "{body}"
    );
    // Both deployments are the configured team's, in its 7-day window.
    assert!(
        body.lines()
            .any(|l| l == "flightdeck_team_deployments{team=\"payments\",window=\"7d\"} 2"),
        "{body}"
    );
    assert!(!body.contains("team=\"billing\""), "no demo teams: {body}");
    let _ = std::fs::remove_dir_all(&dir);
}
