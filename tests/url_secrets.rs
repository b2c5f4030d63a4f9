//! A username or password in a source URL: refused by the config check for
//! every kind (never echoed), redacted wherever a URL is shown; and a
//! `findings` URL is fetched exactly as written.

use std::time::Duration;

use assert_cmd::Command;
use axum::Router;
use axum::routing::get;
use chrono::TimeZone;
use flightdeck::model::Event;
use flightdeck::sources::findings::FindingsSpec;
use flightdeck::sources::findings::poller::FindingsPoller;
use flightdeck::sources::prometheus::PrometheusSpec;
use flightdeck::sources::scheduler::Poller;
use flightdeck::util::clock::Clock;

const PASSWORD: &str = "hunter2";

fn bin() -> Command {
    let mut c = Command::cargo_bin("flightdeck").expect("the binary is built");
    c.env_remove("FLIGHTDECK_CONFIG")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    c
}

#[test]
fn credentials_in_any_source_url_are_refused_and_never_printed() {
    let url = "http://u:hunter2@127.0.0.1:9/";
    let text = format!(
        r#"[[sources]]
kind = "github"
repos = ["a/b"]
url = "{url}"

[[sources]]
kind = "findings"
name = "scans"
url = "{url}"

[[sources]]
kind = "prometheus"
url = "{url}"
[sources.queries.error_rate]
query = 'rate(errors{{service="$service"}}[5m])'

[[sources]]
kind = "events"
name = "log"
url = "{url}"

[[sources]]
kind = "rollouts"
name = "argo"
url = "{url}"
"#
    );
    let dir = std::env::temp_dir().join(format!("fd-url-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("flightdeck.toml");
    std::fs::write(&path, &text).expect("write config");
    let out = bin()
        .args(["check", "--offline", "--config"])
        .arg(&path)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success(), "{stdout}{stderr}");
    let path = path.display();
    for (i, line) in [(0, 4), (1, 9), (2, 13), (3, 20), (4, 25)] {
        let expected = format!(
            "{path}:{line}: sources[{i}].url: credentials in the URL are not allowed; \
             use token_env or token_file"
        );
        assert!(
            stderr.contains(&expected),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "{stdout}{stderr}"
    );
}

#[test]
fn prometheus_config_debug_hides_the_password() {
    let spec: PrometheusSpec = toml::from_str(
        r#"url = "http://u:hunter2@127.0.0.1:9"
[queries.error_rate]
query = "up"
"#,
    )
    .expect("spec");
    let config = spec.resolve().expect("resolved");
    let shown = format!("{config:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(shown.contains("http://***@127.0.0.1:9"), "{shown}");
}

const SARIF: &str = r#"{
  "version": "2.1.0",
  "runs": [{
    "tool": { "driver": { "name": "semgrep", "rules": [
      { "id": "sql-injection", "shortDescription": { "text": "SQL injection" } }
    ] } },
    "results": [{
      "ruleId": "sql-injection",
      "level": "error",
      "message": { "text": "user input reaches a query" },
      "locations": [{ "physicalLocation": {
        "artifactLocation": { "uri": "src/db.rs" },
        "region": { "startLine": 12 }
      } }]
    }]
  }]
}"#;

/// Serves the SARIF at /scans/x.sarif only; stopped when the runtime ends.
async fn serve() -> String {
    let app = Router::new().route("/scans/x.sarif", get(|| async { SARIF }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

fn poller(url: String) -> FindingsPoller {
    let spec = FindingsSpec {
        path: None,
        url: Some(url),
        format: None,
        max_bytes: None,
    };
    let clock = Clock::Fixed(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    FindingsPoller::new(spec, Duration::from_secs(5), clock).expect("poller")
}

#[tokio::test]
async fn a_findings_url_is_fetched_exactly_as_written() {
    let base = serve().await;
    let mut ok = poller(format!("{base}/scans/x.sarif"));
    let polled = ok.poll().await.expect("the SARIF is fetched");
    let rules: Vec<String> = polled
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Finding(f) => f.rule.as_deref().map(str::to_string),
            _ => None,
        })
        .collect();
    assert_eq!(rules, ["sql-injection"]);

    let mut missing = poller(format!("{base}/scans/gone.sarif"));
    let Err(error) = missing.poll().await else {
        panic!("a 404 must fail the poll");
    };
    assert!(
        error.message.contains("HTTP 404") && error.message.contains("/scans/gone.sarif"),
        "{}",
        error.message
    );
    assert!(!error.message.contains("gone.sarif/"), "{}", error.message);
}

#[cfg(unix)]
#[test]
fn the_log_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("fd-log-mode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fresh = dir.join("fresh.log");
    let _ = std::fs::remove_file(&fresh);
    flightdeck::commands::logging::private_file(&fresh);
    let old = dir.join("old.log");
    std::fs::write(&old, "a line\n").expect("write");
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    flightdeck::commands::logging::private_file(&old);
    for path in [&fresh, &old] {
        let mode = std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    assert_eq!(std::fs::read_to_string(&old).expect("kept"), "a line\n");
    let _ = std::fs::remove_dir_all(&dir);
}
