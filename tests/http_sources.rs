//! Every HTTP source against a local server replaying the real recorded
//! payloads in ../shared/fixtures (read in place), plus the faults a real API
//! serves: 401, 403 with an exhausted quota, 429 with Retry-After, 500, a body
//! that is not JSON, a body over the size cap, and a server that never answers.

use crate::support as common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::replay_server::{ReplayServer, Reply, SilentServer};
use flightdeck::commands::registry;
use flightdeck::config::{self, SourceConfig};
use flightdeck::model::settings::Settings;
use flightdeck::model::{Change, DeployStatus, DeploymentEvent, Event, Incident};
use flightdeck::sources::scheduler::{PollError, Polled};

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn json(dir: &Path, name: &str) -> serde_json::Value {
    serde_json::from_slice(&read(dir, name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The recorded response headers of a GitHub fixture file.
fn recorded(github: &Path, file: &str) -> serde_json::Value {
    json(github, "response_headers.json")[file]["headers"].clone()
}

fn configured(text: &str) -> (SourceConfig, Settings) {
    let c = config::parse(text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"));
    (c.sources[0].clone(), c.settings())
}

async fn poll_once(text: &str) -> Result<Polled, PollError> {
    let (source, settings) = configured(text);
    let mut poller = registry::build(&source, &settings).map_err(PollError::new)?;
    poller.poll().await
}

fn time(s: &str) -> flightdeck::model::Time {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("time")
        .to_utc()
}

fn fixtures() -> Option<(PathBuf, PathBuf, PathBuf, PathBuf)> {
    Some((
        common::shared_fixtures("github")?,
        common::shared_fixtures("github_openapi")?,
        common::shared_fixtures("gitlab")?,
        common::shared_fixtures("pagerduty")?,
    ))
}

/// Serves one GitHub repository `octo/app` from the recorded payloads.
fn serve_github(server: &ReplayServer, gh: &Path, openapi: &Path) {
    server.route(
        "/repos/octo/app/deployments",
        Reply::json(read(openapi, "deployments_list_example.json"))
            .recorded_headers(&recorded(gh, "deployments_list.json")),
    );
    // The status example is one object; the list endpoint returns an array of them.
    let status = json(openapi, "deployment_status_example.json");
    server.route(
        "/repos/octo/app/deployments/1/statuses",
        Reply::json(serde_json::to_vec(&[status]).expect("encode"))
            .recorded_headers(&recorded(gh, "deployment_statuses_list.json")),
    );
    server.route(
        "/repos/octo/app/pulls",
        Reply::json(read(gh, "commit_pulls_list_merged.json"))
            .recorded_headers(&recorded(gh, "commit_pulls_list_merged.json")),
    );
    // A pull request's commits have the shape of the compare API's `commits`.
    let compare = json(gh, "compare_commits.json");
    server.route(
        "/repos/octo/app/pulls/1431/commits",
        Reply::json(serde_json::to_vec(&compare["commits"]).expect("encode")),
    );
    // Reviews: no recorded one is shared; ours holds GitHub's documented example.
    server.route(
        "/repos/octo/app/pulls/1431/reviews",
        Reply::json(own_fixture("github_pull_reviews.json")),
    );
    // Its issue events (ours): opened as a draft, ready for review later.
    server.route(
        "/repos/octo/app/issues/1431/events",
        Reply::json(own_fixture("github_issue_events.json")),
    );
    // The single pull request, for its line counts (the list has none): ours.
    server.route(
        "/repos/octo/app/pulls/1431",
        Reply::json(own_fixture("github_pull_single.json")),
    );
    server.route(
        "/repos/octo/app/issues",
        Reply::json(read(gh, "issues_list_closed_2025.json"))
            .recorded_headers(&recorded(gh, "issues_list_closed_2025.json")),
    );
    server.route(
        "/repos/octo/app/actions/runs",
        Reply::json(read(gh, "workflow_runs_list_paginated.json"))
            .recorded_headers(&recorded(gh, "workflow_runs_list_paginated.json")),
    );
    // Page 2 of the runs, named by the recorded Link header.
    server.route(
        "/repositories/146139403/actions/runs",
        Reply::json(read(gh, "workflow_runs_list_2020.json")),
    );
}

/// A fixture written for this project (tests/fixtures/SOURCES.md).
fn own_fixture(name: &str) -> Vec<u8> {
    read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        name,
    )
}

fn github_config(url: &str, extra: &str) -> String {
    format!(
        "[[sources]]\nkind = \"github\"\nname = \"gh\"\nrepos = [\"octo/app\"]\nurl = \"{url}\"\ntimeout = \"2s\"\n{extra}\n"
    )
}

fn deployments_of(events: &[Event]) -> Vec<&DeploymentEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Deployment(d) => Some(d),
            _ => None,
        })
        .collect()
}

fn first_change(events: &[Event]) -> &Change {
    events
        .iter()
        .find_map(|e| match e {
            Event::Change(c) => Some(c),
            _ => None,
        })
        .expect("a change")
}

fn first_incident(events: &[Event]) -> &Incident {
    events
        .iter()
        .find_map(|e| match e {
            Event::Incident(i) => Some(i),
            _ => None,
        })
        .expect("an incident")
}

/// The workflow runs the github fixtures give for `*Integration Test`.
fn assert_matching_runs(deployments: &[&DeploymentEvent]) {
    // Workflow runs matching the pattern: started, then succeeded at completion.
    // Page 1 (workflow_runs_list_paginated.json) holds 10 runs, 6 of them named
    // "... Integration Test" (Website TF-IDF, URL and Email, twice each), all
    // completed with success; page 2 (workflow_runs_list_2020.json, the older
    // field set) has no `name`, so none of its 5 runs match. Counted with
    // python's fnmatchcase over both fixture files.
    let runs: Vec<_> = deployments
        .iter()
        .filter(|d| d.id.contains("/runs/"))
        .collect();
    assert_eq!(
        runs.len(),
        12,
        "6 matching runs x (in progress, success): {runs:?}"
    );
    let mut run_ids: Vec<&str> = runs.iter().map(|d| &*d.id).collect();
    run_ids.dedup();
    assert_eq!(
        run_ids,
        [
            "octo/app/runs/3519037359",
            "octo/app/runs/3519037358",
            "octo/app/runs/3519037352",
            "octo/app/runs/2803038563",
            "octo/app/runs/2803038559",
            "octo/app/runs/2803038557",
        ],
        "Unit Test and Build Documentation runs are left out"
    );
    assert_eq!(
        runs.iter()
            .filter(|d| d.status == DeployStatus::Success)
            .count(),
        6
    );
    let done = runs
        .iter()
        .find(|d| &*d.id == "octo/app/runs/3519037359" && d.status == DeployStatus::Success)
        .expect("run 3519037359 succeeded");
    assert_eq!(done.time, time("2022-11-22T00:06:06Z"));
}

#[tokio::test]
async fn github_maps_deployments_pulls_incidents_and_runs() {
    let Some((gh, openapi, _, _)) = fixtures() else {
        return;
    };
    let server = ReplayServer::start().await;
    serve_github(&server, &gh, &openapi);
    let (source, settings) = configured(&github_config(
        &server.url(),
        "workflows = \"*Integration Test\"",
    ));
    let mut poller = registry::build(&source, &settings).expect("poller");
    let polled = poller.poll().await.expect("poll");
    assert_eq!(polled.warning, None);

    let deployments = deployments_of(&polled.events);
    // GitHub deployment 1: dated by the status that reached `success`.
    let d = deployments
        .iter()
        .find(|d| &*d.id == "octo/app/deployments/1")
        .expect("deployment 1");
    assert_eq!(d.status, DeployStatus::Success);
    assert_eq!(d.time, time("2012-07-20T01:19:13Z"));
    assert_eq!(&*d.service, "app");
    assert_eq!(d.environment.as_deref(), Some("production"));
    assert_eq!(d.changes, vec!["a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d"]);
    assert_eq!(
        d.url.as_deref(),
        Some("https://example.com/deployment/42/output")
    );
    assert_matching_runs(&deployments);

    // The merged pull request: id = merge commit, time = its first commit.
    let change = first_change(&polled.events);
    assert_eq!(&*change.id, "e44d11d565c022496544dd6ed1f19a8d718c2b0c");
    assert_eq!(change.time, time("2012-05-25T12:10:54Z"));
    // The gates' fields: opened = the ready-for-review event (ours; `created_at`
    // 2020-03-09T20:23:21Z when there is none), merged = `merged_at` (recorded);
    // first review = the earliest review not by the author (ours: octocat's,
    // the author's own earlier one left out); lines = additions 100 + deletions
    // 3 of the single pull request (ours), as the list carries no line counts.
    assert_eq!(change.opened, Some(time("2020-03-10T08:15:00Z")));
    assert_eq!(change.merged, Some(time("2020-03-11T01:40:26Z")));
    assert_eq!(change.first_review, Some(time("2019-11-17T17:43:43Z")));
    assert_eq!(change.lines, Some(103));

    // The incident issue: opened and closed times.
    let incident = first_incident(&polled.events);
    assert_eq!(&*incident.id, "octo/app#3335");
    assert_eq!(incident.opened, time("2025-08-15T19:19:05Z"));
    assert_eq!(incident.resolved, Some(time("2025-08-15T20:07:09Z")));

    // The recorded rate-limit headers give the quota, from the last response
    // that carried them: the runs page 1, recorded unauthenticated
    // (X-RateLimit-Limit 60, Remaining 56 in response_headers.json); page 2 is
    // served without headers and leaves it as it was.
    let quota = poller.quota().expect("quota");
    assert_eq!(quota.remaining, 56);
    assert_eq!(quota.limit, Some(60));

    // Pagination followed the recorded Link header to page 2 on this server.
    let seen = server.seen();
    assert!(
        seen.iter().any(|s| s
            .path_and_query
            .starts_with("/repositories/146139403/actions/runs?")
            && s.path_and_query.contains("page=2")),
        "{seen:?}"
    );
    // No token configured: no Authorization header.
    assert!(seen.iter().all(|s| !s.authorization));
}

#[tokio::test]
async fn github_sends_if_none_match_and_reuses_the_body_on_304() {
    let Some((gh, openapi, _, _)) = fixtures() else {
        return;
    };
    let server = ReplayServer::start().await;
    serve_github(&server, &gh, &openapi);
    // The recorded 304 exchange's headers (its quota) go with every 304.
    let headers = json(&gh, "response_headers.json");
    let not_modified = headers
        .as_object()
        .and_then(|m| m.values().find(|v| v["status"] == 304))
        .expect("a recorded 304");
    let mut nm = Vec::new();
    for (k, v) in not_modified["headers"].as_object().expect("headers") {
        if k.to_ascii_lowercase().starts_with("x-ratelimit")
            && let Some(v) = v.as_str()
        {
            nm.push((k.to_ascii_lowercase(), v.to_string()));
        }
    }
    server.not_modified_headers(nm);
    let (source, settings) = configured(&github_config(&server.url(), ""));
    let mut poller = registry::build(&source, &settings).expect("poller");
    let first = poller.poll().await.expect("first poll");
    let second = poller.poll().await.expect("second poll");
    assert_eq!(
        first.events, second.events,
        "a 304 answers with the cached body"
    );
    let seen = server.seen();
    let deployments: Vec<_> = seen
        .iter()
        .filter(|s| s.path_and_query.starts_with("/repos/octo/app/deployments?"))
        .collect();
    assert_eq!(deployments.len(), 2);
    assert_eq!(deployments[0].status, 200);
    assert_eq!(deployments[1].status, 304);
    assert_eq!(
        deployments[1].if_none_match.as_deref(),
        Some("W/\"38512da93238689c49f6a4fab46c4650\"")
    );
    assert_eq!(
        poller.quota().map(|q| q.remaining),
        Some(4988),
        "quota of the recorded 304"
    );
}

#[tokio::test]
async fn github_follows_a_chain_of_link_pages() {
    let Some((gh, _, _, _)) = fixtures() else {
        return;
    };
    let server = ReplayServer::start().await;
    let chain = json(&gh, "octokit_fixture_paginate_issues.json");
    let mut expected = 0;
    for (n, exchange) in chain.as_array().expect("exchanges").iter().enumerate() {
        let path = exchange["path"].as_str().expect("path");
        let body = serde_json::to_vec(&exchange["response"]).expect("encode");
        expected += exchange["response"].as_array().map_or(0, Vec::len);
        let reply = Reply::json(body).recorded_headers(&exchange["headers"]);
        // The first page is asked with flightdeck's own query.
        let key = if n == 0 {
            path.split('?').next().expect("path")
        } else {
            path
        };
        server.route(key, reply);
    }
    server.route(
        "/repos/octokit-fixture-org/paginate-issues/deployments",
        Reply::json("[]"),
    );
    server.route(
        "/repos/octokit-fixture-org/paginate-issues/pulls",
        Reply::json("[]"),
    );
    let text = format!(
        "[[sources]]\nkind = \"github\"\nrepos = [\"octokit-fixture-org/paginate-issues\"]\nurl = \"{}\"\n",
        server.url()
    );
    let polled = poll_once(&text).await.expect("poll");
    let incidents: Vec<_> = polled
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Incident(i) => Some(i.id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(expected, 13);
    assert_eq!(incidents.len(), 13, "every page was read: {incidents:?}");
    assert_eq!(incidents[0], "octokit-fixture-org/paginate-issues#13");
    assert_eq!(incidents[12], "octokit-fixture-org/paginate-issues#1");
}

#[tokio::test]
async fn gitlab_maps_deployments_and_skips_unmerged_requests() {
    let Some((_, _, gl, _)) = fixtures() else {
        return;
    };
    let server = ReplayServer::start().await;
    server.route(
        "/api/v4/projects/acme%2Fshop/deployments",
        Reply::json(read(&gl, "deployments_list_docs.json"))
            .header("ratelimit-remaining", "1999")
            .header("ratelimit-limit", "2000"),
    );
    // The recorded list holds open requests; the recorded single request, as
    // merged (state and `merged_at` are ours; the rest is as recorded).
    let mut merged = json(&gl, "merge_request_get.json");
    merged["state"] = "merged".into();
    merged["merged_at"] = "2019-07-12T10:00:00.000Z".into();
    let mut list = json(&gl, "merge_requests_list_gitlab_com.json");
    list.as_array_mut().expect("a list").push(merged);
    server.route(
        "/api/v4/projects/acme%2Fshop/merge_requests",
        Reply::json(serde_json::to_vec(&list).expect("encode")),
    );
    server.route(
        "/api/v4/projects/acme%2Fshop/merge_requests/14656/notes",
        Reply::json(own_fixture("gitlab_mr_notes.json")),
    );
    server.route("/api/v4/projects/acme%2Fshop/issues", Reply::json("[]"));
    let text = format!(
        "[[sources]]\nkind = \"gitlab\"\nproject = \"acme/shop\"\nurl = \"{}/api/v4\"\ntoken_env = \"FD_TEST_GITLAB_TOKEN\"\n",
        server.url()
    );
    // SAFETY: set before any thread of this test reads the environment.
    unsafe { std::env::set_var("FD_TEST_GITLAB_TOKEN", "glpat-test") };
    let (source, settings) = configured(&text);
    let mut poller = registry::build(&source, &settings).expect("poller");
    let polled = poller.poll().await.expect("poll");
    let deployments: Vec<_> = polled
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Deployment(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(deployments.len(), 2);
    assert_eq!(&*deployments[0].id, "acme/shop/deployments/41");
    // Status `created`: the deployment has not finished, dated by its creation.
    assert_eq!(deployments[0].status, DeployStatus::Pending);
    assert_eq!(deployments[0].time, time("2016-08-11T07:36:40.222Z"));
    assert_eq!(&*deployments[0].service, "shop");
    assert_eq!(
        deployments[0].changes,
        vec!["99d03678b90d914dbb1b109132516d71a4a03ea8"]
    );
    // The recorded open merge requests are not changes yet; the merged one is,
    // by its head sha (no merge commit recorded), with the gates' fields:
    // opened = `created_at` and lines = `changes_count` "35" (recorded), merged
    // (ours), first review = the reviewer's approval note, not the author's.
    let changes: Vec<&Change> = polled
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Change(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(changes.len(), 1);
    let c = changes[0];
    assert_eq!(&*c.id, "8e0b45049b6253b8984cde9241830d2851168142");
    assert_eq!(c.opened, Some(time("2019-07-11T22:34:43.500Z")));
    assert_eq!(c.merged, Some(time("2019-07-12T10:00:00.000Z")));
    assert_eq!(c.first_review, Some(time("2019-07-12T09:30:00.000Z")));
    assert_eq!(c.lines, Some(35));
    assert_eq!(
        poller.quota().map(|q| (q.remaining, q.limit)),
        Some((1999, Some(2000)))
    );
    assert!(
        server.seen().iter().all(|s| s.authorization),
        "PRIVATE-TOKEN sent"
    );
}

#[tokio::test]
async fn pagerduty_maps_incidents_with_service_mapping_and_urgency() {
    let Some((_, _, _, pd)) = fixtures() else {
        return;
    };
    let server = ReplayServer::start().await;
    server.route("/incidents", Reply::json(read(&pd, "incidents_list.json")));
    let text = format!(
        "[[sources]]\nkind = \"pagerduty\"\nurl = \"{}\"\nservices = {{ \"PIJ90N7\" = \"mail\" }}\n",
        server.url()
    );
    let polled = poll_once(&text).await.expect("poll");
    let incidents: Vec<_> = polled
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Incident(i) => Some(i),
            _ => None,
        })
        .collect();
    assert!(!incidents.is_empty());
    let i = incidents
        .iter()
        .find(|i| &*i.id == "pagerduty/PT4KHLK")
        .expect("PT4KHLK");
    assert_eq!(&*i.service, "mail");
    assert_eq!(i.opened, time("2015-10-06T21:30:42Z"));
    assert_eq!(i.resolved, Some(time("2015-10-06T21:38:23Z")));
    assert_eq!(i.severity.as_deref(), Some("high"));
    assert_eq!(i.title.as_deref(), Some("The server is on fire."));
    let seen = server.seen();
    assert!(
        seen[0].path_and_query.contains("offset=0") && seen[0].path_and_query.contains("limit=100")
    );
}

/// One GitHub source whose deployments endpoint answers `reply`.
async fn github_fault(reply: Reply, extra: &str) -> PollError {
    let server = ReplayServer::start().await;
    server.route("/repos/octo/app/deployments", reply);
    poll_once(&github_config(&server.url(), extra))
        .await
        .expect_err("the poll fails")
}

#[tokio::test]
async fn a_401_is_a_clear_error() {
    let e = github_fault(
        Reply::json(
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
        )
        .status(401),
        "",
    )
    .await;
    assert!(
        e.message
            .starts_with("HTTP 401: Bad credentials (GET http://127.0.0.1:"),
        "{}",
        e.message
    );
    assert_eq!(e.wait, None);
}

#[tokio::test]
async fn a_403_with_no_quota_left_waits_for_the_reset() {
    let reset = chrono::Utc::now().timestamp() + 120;
    let e = github_fault(
        Reply::json(r#"{"message":"API rate limit exceeded"}"#)
            .status(403)
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-limit", "60")
            .header("x-ratelimit-reset", &reset.to_string()),
        "",
    )
    .await;
    assert!(
        e.message
            .contains("rate limited (0 requests left); quota resets at"),
        "{}",
        e.message
    );
    let wait = e.wait.expect("a wait").as_secs();
    assert!((100..=120).contains(&wait), "waits for the reset: {wait}s");
}

#[tokio::test]
async fn a_secondary_rate_limit_403_honours_retry_after() {
    let Some((gh, _, _, _)) = fixtures() else {
        return;
    };
    let e = github_fault(
        Reply::json(read(&gh, "secondary_rate_limit_403.json"))
            .status(403)
            .recorded_headers(&recorded(&gh, "secondary_rate_limit_403.json")),
        "",
    )
    .await;
    assert!(e.message.contains("retry after 60s"), "{}", e.message);
    assert_eq!(e.wait, Some(Duration::from_secs(60)));
}

#[tokio::test]
async fn a_429_honours_retry_after() {
    let e = github_fault(Reply::json("{}").status(429).header("retry-after", "7"), "").await;
    assert!(e.message.contains("rate limited"), "{}", e.message);
    assert_eq!(e.wait, Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn a_500_is_a_clear_error() {
    let e = github_fault(Reply::json("oops").status(500), "").await;
    assert!(e.message.starts_with("HTTP 500 (GET "), "{}", e.message);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_clear_error() {
    let e = github_fault(Reply::json("<html>\u{1b}[31mmaintenance</html>"), "").await;
    assert!(e.message.contains("response is not JSON"), "{}", e.message);
    assert!(e.message.contains("starts with '<html>"), "{}", e.message);
    assert!(
        !e.message.contains('\u{1b}'),
        "control characters are stripped"
    );
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused() {
    let big = format!("[{}]", vec!["{\"id\":1}"; 2000].join(","));
    let e = github_fault(Reply::json(big), "max_body_bytes = 4096").await;
    assert!(
        e.message.contains("larger than the 4 KiB limit"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = SilentServer::start().await;
    let started = std::time::Instant::now();
    let e = poll_once(&github_config(&server.url(), ""))
        .await
        .expect_err("times out");
    assert!(e.message.contains("no answer within 2s"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_missing_token_is_a_source_error_that_never_shows_a_value() {
    let text = "[[sources]]\nkind = \"github\"\nrepos = [\"a/b\"]\ntoken_env = \"FD_TEST_UNSET_TOKEN_VAR\"\n";
    let e = poll_once(text).await.expect_err("fails");
    assert_eq!(
        e.message,
        "token_env: the environment variable FD_TEST_UNSET_TOKEN_VAR is not set"
    );
}

#[tokio::test]
async fn github_filters_environments_and_attributes_incidents_by_root_cause() {
    let Some((gh, openapi, _, _)) = fixtures() else {
        return;
    };
    let server = ReplayServer::start().await;
    serve_github(&server, &gh, &openapi);
    // A second repository with the recorded deployments: 263877258 in
    // environment `test`, 262350588 in `production`. Only the production one's
    // statuses are served (the recorded statuses list, three `queued`); asking
    // for the other's would be a 404.
    server.route(
        "/repos/PyGithub/PyGithub/deployments",
        Reply::json(read(&gh, "deployments_list.json")),
    );
    server.route(
        "/repos/PyGithub/PyGithub/deployments/262350588/statuses",
        Reply::json(read(&gh, "deployment_statuses_list.json")),
    );
    server.route("/repos/PyGithub/PyGithub/pulls", Reply::json("[]"));
    server.route("/repos/PyGithub/PyGithub/issues", Reply::json("[]"));
    // The recorded closed issue, its body naming the deployed commit.
    let mut issues = json(&gh, "issues_list_closed_2025.json");
    issues[0]["body"] =
        serde_json::Value::from("Checkout failed.\n\nRoot cause: a84d88e7 (bad config)");
    server.route(
        "/repos/octo/app/issues",
        Reply::json(serde_json::to_vec(&issues).expect("encode")),
    );
    let text = format!(
        "[[sources]]\nkind = \"github\"\nrepos = [\"octo/app\", \"PyGithub/PyGithub\"]\nurl = \"{}\"\nchange_time = \"merge\"\nservices = {{ \"octo/app\" = \"checkout\" }}\n",
        server.url()
    );
    let polled = poll_once(&text).await.expect("poll");
    assert_eq!(polled.warning, None);
    let deployments = deployments_of(&polled.events);
    let deployment_ids: Vec<_> = deployments.iter().map(|d| d.id.to_string()).collect();
    assert_eq!(
        deployment_ids,
        vec![
            "octo/app/deployments/1",
            "PyGithub/PyGithub/deployments/262350588"
        ],
        "`test` is not production"
    );
    // Three `queued` statuses: one pending event, dated by the earliest.
    assert_eq!(deployments[1].status, DeployStatus::Pending);
    assert_eq!(deployments[1].time, time("2020-08-26T13:55:06Z"));
    // The `test` deployment was filtered out before its statuses were asked for.
    assert!(
        !server
            .seen()
            .iter()
            .any(|s| s.path_and_query.contains("/deployments/263877258")),
        "{:?}",
        server.seen()
    );
    let incident = first_incident(&polled.events);
    assert_eq!(
        incident.deployment.as_deref(),
        Some("octo/app/deployments/1")
    );
    assert_eq!(&*incident.service, "checkout");
    // change_time = "merge": the merge time, and no commits request.
    let change = first_change(&polled.events);
    assert_eq!(change.time, time("2020-03-11T01:40:26Z"));
    assert!(
        !server
            .seen()
            .iter()
            .any(|s| s.path_and_query.contains("/commits"))
    );
}

#[tokio::test]
async fn a_deployment_whose_statuses_are_gone_is_skipped_with_a_warning() {
    let Some((gh, openapi, _, _)) = fixtures() else {
        return;
    };
    let server = ReplayServer::start().await;
    serve_github(&server, &gh, &openapi);
    // Production deployment 262350588 is listed, but its statuses are a 404
    // (deleted between the two requests): the rest of the poll still counts.
    server.route(
        "/repos/PyGithub/PyGithub/deployments",
        Reply::json(read(&gh, "deployments_list.json")),
    );
    server.route("/repos/PyGithub/PyGithub/pulls", Reply::json("[]"));
    server.route("/repos/PyGithub/PyGithub/issues", Reply::json("[]"));
    let text = format!(
        "[[sources]]\nkind = \"github\"\nrepos = [\"octo/app\", \"PyGithub/PyGithub\"]\nurl = \"{}\"\nchange_time = \"merge\"\n",
        server.url()
    );
    let polled = poll_once(&text).await.expect("poll");
    assert_eq!(
        polled.warning.as_deref(),
        Some("1 deployment skipped: statuses not found (HTTP 404; deleted?)")
    );
    let deployment_ids: Vec<_> = polled
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Deployment(d) => Some(d.id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(deployment_ids, vec!["octo/app/deployments/1"]);
    assert!(
        server
            .seen()
            .iter()
            .any(|s| s.path_and_query.contains("/deployments/262350588/statuses"))
    );
}

#[tokio::test]
async fn events_from_a_url_are_read_and_bad_lines_reported() {
    let server = ReplayServer::start().await;
    server.route(
        "/feed.ndjson",
        Reply::json(
            "{\"type\":\"deployment\",\"id\":\"d1\",\"service\":\"api\",\"time\":\"2024-03-01T12:00:00Z\",\"status\":\"success\"}\nnot json\n",
        ),
    );
    let text = format!(
        "[[sources]]\nkind = \"events\"\nurl = \"{}/feed.ndjson\"\n",
        server.url()
    );
    let polled = poll_once(&text).await.expect("poll");
    assert_eq!(polled.events.len(), 1);
    assert!(
        polled
            .warning
            .as_deref()
            .is_some_and(|w| w.starts_with("1 malformed line skipped (first: line 2")),
        "{:?}",
        polled.warning
    );
}

#[tokio::test]
async fn github_lists_the_commits_between_consecutive_deployments() {
    let Some((gh, openapi, _, _)) = fixtures() else {
        return;
    };
    let server = ReplayServer::start().await;
    serve_github(&server, &gh, &openapi);
    let compare = json(&gh, "compare_commits.json");
    let shas: Vec<String> = compare["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["sha"].as_str().expect("sha").to_string())
        .collect();
    // The recorded deployment, then a later one of the compare's last commit.
    let mut list = json(&openapi, "deployments_list_example.json");
    let mut later = list[0].clone();
    later["id"] = 2.into();
    later["sha"] = shas[shas.len() - 1].clone().into();
    later["created_at"] = "2012-07-21T09:00:00Z".into();
    list.as_array_mut().expect("list").push(later);
    server.route(
        "/repos/octo/app/deployments",
        Reply::json(serde_json::to_vec(&list).expect("encode")),
    );
    let statuses =
        serde_json::to_vec(&[json(&openapi, "deployment_status_example.json")]).expect("encode");
    server.route(
        "/repos/octo/app/deployments/2/statuses",
        Reply::json(statuses),
    );
    let first_sha = "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d";
    server.route(
        &format!(
            "/repos/octo/app/compare/{first_sha}...{}",
            shas[shas.len() - 1]
        ),
        Reply::json(read(&gh, "compare_commits.json"))
            .recorded_headers(&recorded(&gh, "compare_commits.json")),
    );
    let polled = poll_once(&github_config(&server.url(), "change_time = \"merge\""))
        .await
        .expect("poll");
    let second = polled
        .events
        .iter()
        .find_map(|e| match e {
            Event::Deployment(d) if &*d.id == "octo/app/deployments/2" => Some(d),
            _ => None,
        })
        .expect("deployment 2");
    let changes: Vec<String> = second.changes.iter().map(|c| c.to_string()).collect();
    assert_eq!(changes.len(), shas.len(), "{changes:?}");
    for sha in &shas {
        assert!(changes.contains(sha), "{sha} in {changes:?}");
    }
    assert_eq!(polled.warning, None);
}

/// The hostile answers every HTTP source kind gets: a Retry-After of 2^64-1
/// seconds, one of 9e12, a rate-limit reset in the year 2554 and garbage.
fn hostile_replies() -> Vec<(&'static str, Reply)> {
    vec![
        (
            "Retry-After 2^64-1",
            Reply::json("{}")
                .status(429)
                .header("retry-after", "18446744073709551615"),
        ),
        (
            "Retry-After 9e12",
            Reply::json("{}")
                .status(429)
                .header("retry-after", "9000000000000"),
        ),
        (
            "reset in 2554",
            Reply::json("{}")
                .status(403)
                .header("x-ratelimit-remaining", "0")
                .header("ratelimit-remaining", "0")
                .header("x-ratelimit-reset", "18446744073")
                .header("ratelimit-reset", "18446744073"),
        ),
        (
            "garbage",
            Reply::json("{}")
                .status(429)
                .header("retry-after", "-1e999, soon")
                .header("x-ratelimit-reset", "NaN"),
        ),
    ]
}

#[tokio::test]
async fn hostile_rate_limit_headers_wait_a_day_at_most_for_every_http_kind() {
    // SAFETY: set before any thread of this test reads the environment.
    unsafe { std::env::set_var("FD_TEST_GITLAB_TOKEN_HOSTILE", "glpat-test") };
    for (what, reply) in hostile_replies() {
        let server = ReplayServer::start().await;
        for path in [
            "/repos/octo/app/deployments",
            "/api/v4/projects/acme%2Fshop/deployments",
            "/incidents",
        ] {
            server.route(path, reply.clone());
        }
        let url = server.url();
        let kinds = [
            ("github", github_config(&url, "")),
            (
                "gitlab",
                format!(
                    "[[sources]]\nkind = \"gitlab\"\nproject = \"acme/shop\"\nurl = \"{url}/api/v4\"\ntoken_env = \"FD_TEST_GITLAB_TOKEN_HOSTILE\"\ntimeout = \"2s\"\n"
                ),
            ),
            (
                "pagerduty",
                format!("[[sources]]\nkind = \"pagerduty\"\nurl = \"{url}\"\ntimeout = \"2s\"\n"),
            ),
        ];
        for (kind, text) in kinds {
            let e = poll_once(&text)
                .await
                .expect_err("a rate-limited poll fails");
            assert!(
                e.message.contains("rate limited"),
                "{kind} {what}: {}",
                e.message
            );
            let wait = e.wait.unwrap_or_default();
            assert!(
                wait <= flightdeck::sources::http::MAX_WAIT,
                "{kind} {what}: waits {wait:?}"
            );
            let next = flightdeck::sources::scheduler::backoff(1, e.wait);
            assert!(next <= flightdeck::sources::http::MAX_WAIT, "{kind} {what}");
            if what.starts_with("Retry-After") {
                assert_eq!(wait, flightdeck::sources::http::MAX_WAIT, "{kind} {what}");
                assert!(
                    e.message.contains("(waiting 24h at most)"),
                    "{kind} {what}: {}",
                    e.message
                );
            }
        }
    }
}
