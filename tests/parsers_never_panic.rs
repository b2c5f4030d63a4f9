//! Property tests: what comes from outside never panics a parser, and an
//! error names where the input came from (issue 13, "a proptest per parser").
//! Covered here: the config reader, each HTTP source's body (GitHub, GitLab,
//! PagerDuty through their pollers against a local server; the Prometheus
//! response decoder), and the header parsers (`Retry-After`, rate-limit
//! quotas and resets, `Link`). The events, findings and rollouts parsers have
//! their own. Each target prints how many cases it ran; all inputs are
//! arbitrary bytes, arbitrary JSON, or a valid input with parts replaced.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use crate::support::replay_server::{ReplayServer, Reply};
use flightdeck::commands::registry;
use flightdeck::config;
use flightdeck::sources::http::{next_link, parse_retry_after, read_quota};
use flightdeck::sources::prometheus::parse_response;

/// Runs `cases` cases of `test` over `strategy`; a panic or a failed check is
/// a failure (shrunk by proptest). Prints the number of cases run.
fn run<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let ran = AtomicUsize::new(0);
    let result = runner.run(&strategy, |v| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(v)
    });
    eprintln!(
        "{name}: {} cases run (incl. shrinking), {}",
        ran.load(Ordering::Relaxed),
        if result.is_ok() {
            "0 failures"
        } else {
            "FAILED"
        }
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

/// How many cases a decoder accepted and refused: both must happen, or the
/// strategy never reached one of the paths.
#[derive(Default)]
struct Outcomes {
    ok: AtomicUsize,
    refused: AtomicUsize,
    example: std::sync::Mutex<Option<String>>,
}

impl Outcomes {
    fn note<T, E: std::fmt::Display>(&self, r: &Result<T, E>) {
        let n = if r.is_ok() { &self.ok } else { &self.refused };
        n.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = r
            && let Ok(mut example) = self.example.lock()
        {
            example.get_or_insert_with(|| e.to_string().chars().take(300).collect());
        }
    }

    fn check(&self, name: &str) {
        let (ok, refused) = (
            self.ok.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
        );
        eprintln!("{name}: {ok} accepted, {refused} refused with a message");
        if let Ok(example) = self.example.lock() {
            eprintln!("{name}: e.g. {}", example.as_deref().unwrap_or("-"));
        }
        assert!(
            ok > 0 && refused > 0,
            "{name}: {ok} accepted, {refused} refused"
        );
    }
}

/// Keys the decoders look for, so that arbitrary JSON reaches past the first check.
const KEYS: &[&str] = &[
    "id",
    "sha",
    "ref",
    "status",
    "state",
    "environment",
    "created_at",
    "updated_at",
    "merged_at",
    "closed_at",
    "number",
    "name",
    "title",
    "labels",
    "head",
    "base",
    "commits",
    "deployable",
    "deployment",
    "merge_commit_sha",
    "incidents",
    "service",
    "urgency",
    "resolved_at",
    "last_status_change_at",
    "conclusion",
    "workflow_runs",
    "run_started_at",
    "data",
    "result",
    "resultType",
    "metric",
    "value",
    "values",
    "error",
    "errorType",
    "message",
    "commit",
    "author",
    "pull_request",
    "body",
    "iid",
    "web_url",
    "more",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,24}".prop_map(Value::String),
        Just(Value::String("2024-03-01T12:00:00Z".into())),
        Just(Value::String("success".into())),
        Just(Value::String("NaN".into())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// Every value's JSON pointer in `doc`.
fn pointers(doc: &Value, at: String, out: &mut Vec<String>) {
    match doc {
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        Value::Object(o) => {
            for (k, v) in o {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
    out.push(at);
}

/// `valid` with the `n`th of its values (mod their count) replaced.
fn mutated(valid: &[u8], n: usize, with: Value) -> Vec<u8> {
    let Ok(mut doc) = serde_json::from_slice::<Value>(valid) else {
        return valid.to_vec();
    };
    let mut all = Vec::new();
    pointers(&doc, String::new(), &mut all);
    let at = &all[n % all.len()];
    match doc.pointer_mut(at) {
        Some(slot) => *slot = with,
        None => doc = with,
    }
    serde_json::to_vec(&doc).expect("encodes")
}

/// Bytes of `valid` with a range cut out and others put in.
fn spliced(valid: &[u8], at: usize, cut: usize, put: &[u8]) -> Vec<u8> {
    let at = at % (valid.len() + 1);
    let end = (at + cut).min(valid.len());
    [&valid[..at], put, &valid[end..]].concat()
}

/// A body strategy: arbitrary bytes, arbitrary JSON, or `valid` mutated.
fn bodies(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let v1 = valid.clone();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        json_value().prop_map(|v| serde_json::to_vec(&v).expect("encodes")),
        (any::<usize>(), json_value()).prop_map(move |(n, with)| mutated(&valid, n, with)),
        (
            any::<usize>(),
            0usize..64,
            prop::collection::vec(any::<u8>(), 0..16)
        )
            .prop_map(move |(at, cut, put)| spliced(&v1, at, cut, &put)),
    ]
}

fn fixture(dir: &str, name: &str) -> Option<Vec<u8>> {
    let d = crate::support::shared_fixtures(dir)?;
    Some(std::fs::read(d.join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}")))
}

#[test]
fn the_config_reader_never_panics_and_names_its_file() {
    let example = include_str!("../config/default.toml");
    let lines: Vec<&str> = example.lines().collect();
    let strategy = prop_oneof![
        ".{0,400}",
        (any::<usize>(), 0usize..200, ".{0,40}").prop_map(|(at, cut, put)| {
            String::from_utf8_lossy(&spliced(example.as_bytes(), at, cut, put.as_bytes()))
                .into_owned()
        }),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "kind = 5",
                "url = \"file:///etc/passwd\"",
                "[[sources]]",
                "interval = \"-1s\"",
                "timeout = \"99999999999999999999s\"",
                "repos = [1, {a = 2}]",
                "token = \"x\"",
                "name = \"\"",
                "[general]\nwindow = \"0d\"",
                "\u{0}",
                "[[teams]]\nname = 3",
            ])
        )
            .prop_map(move |(at, line)| {
                let mut l = lines.clone();
                let i = at % (l.len() + 1);
                l.insert(i, line);
                l.join("\n")
            }),
    ];
    let seen = Outcomes::default();
    run("config", 1024, strategy, |text| {
        let parsed = config::parse(&text, Path::new("fuzzed.toml"));
        seen.note(&parsed);
        if let Err(e) = parsed {
            prop_assert!(e.to_string().contains("fuzzed.toml"), "{e}");
        }
        Ok(())
    });
    seen.check("config");
}

#[test]
fn the_prometheus_response_decoder_never_panics_and_names_its_url() {
    let valid = fixture("prometheus", "query_range_matrix_up.json").unwrap_or_else(|| {
        br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1,"2"]}]}}"#.to_vec()
    });
    let strategy = (
        bodies(valid),
        prop::sample::select(vec![200u16, 400, 422, 500, 503]),
    );
    let seen = Outcomes::default();
    run("prometheus response", 1024, strategy, |(body, status)| {
        let url = "http://127.0.0.1:9/api/v1/query_range";
        let decoded = parse_response(url, status, &String::from_utf8_lossy(&body));
        seen.note(&decoded);
        if let Err(e) = decoded {
            prop_assert!(e.to_string().contains(url), "{e}");
        }
        Ok(())
    });
    seen.check("prometheus response");
}

#[test]
fn the_header_parsers_never_panic() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:30:00Z")
        .expect("time")
        .to_utc();
    let retry = prop_oneof![
        ".{0,40}",
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_string()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_string()),
    ];
    run("Retry-After", 1024, retry, |v| {
        let _ = parse_retry_after(&v, now);
        Ok(())
    });
    let number = prop_oneof![
        ".{0,24}",
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    let names = prop::sample::select(vec![
        "x-ratelimit-remaining",
        "x-ratelimit-limit",
        "x-ratelimit-reset",
        "ratelimit-remaining",
        "ratelimit-limit",
        "ratelimit-reset",
    ]);
    run(
        "rate-limit headers",
        1024,
        prop::collection::vec((names, number), 0..6),
        |pairs| {
            let mut headers = reqwest::header::HeaderMap::new();
            for (name, value) in pairs {
                if let Ok(v) = reqwest::header::HeaderValue::from_str(&value) {
                    headers.insert(name, v);
                }
            }
            let _ = read_quota(&headers);
            Ok(())
        },
    );
    let base = reqwest::Url::parse("http://127.0.0.1:9/api/").expect("url");
    let link = prop_oneof![
        ".{0,80}",
        "[a-z:/.?=&0-9<> ;,\"]{0,80}",
        (
            "[a-z0-9./:?=&-]{0,40}",
            prop::sample::select(vec!["rel=\"next\"", "rel=next", "rel=\"prev\""])
        )
            .prop_map(|(u, rel)| format!("<{u}>; {rel}")),
    ];
    run("Link", 1024, link, |v| {
        if let Some(next) = next_link(&v, &base, &base) {
            // Only ever followed on the base URL's own server.
            prop_assert_eq!(next.host_str(), base.host_str(), "{}", v);
            prop_assert_eq!(next.port_or_known_default(), base.port_or_known_default());
        }
        Ok(())
    });
}

/// Polls a source of `config` (`{url}` filled with the server's) once per
/// case: every path in `paths` answers its valid body but one, which answers
/// the case's (arbitrary, or its valid body mutated); an error must name the
/// server's address.
fn poll_bodies(name: &str, config: &str, paths: &[(&str, Vec<u8>)]) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(ReplayServer::start());
    let url = server.url();
    let text = config.replace("{url}", &url);
    let parsed = config::parse(&text, Path::new("t.toml")).unwrap_or_else(|e| panic!("{e}"));
    let settings = parsed.settings();
    let source = parsed.sources[0].clone();
    let strategy = proptest::strategy::Union::new(
        paths
            .iter()
            .enumerate()
            .map(|(i, (_, valid))| bodies(valid.clone()).prop_map(move |b| (i, b)).boxed()),
    );
    let seen = Outcomes::default();
    run(name, 256, strategy, |(case_path, body)| {
        for (i, (p, valid)) in paths.iter().enumerate() {
            let reply = if i == case_path {
                body.clone()
            } else {
                valid.clone()
            };
            server.route(p, Reply::json(reply));
        }
        let mut poller = registry::build(&source, &settings).map_err(TestCaseError::fail)?;
        let polled = runtime.block_on(poller.poll());
        seen.note(&polled);
        if let Err(e) = polled {
            let origin = url.trim_start_matches("http://");
            prop_assert!(e.message.contains(origin), "{}", e.message);
        }
        Ok(())
    });
    seen.check(name);
}

/// A fixture's bytes, or `fallback` where the fixtures are absent.
fn or(dir: &str, file: &str, fallback: &str) -> Vec<u8> {
    fixture(dir, file).unwrap_or_else(|| fallback.as_bytes().to_vec())
}

#[test]
fn the_github_decoders_never_panic_and_errors_name_the_url() {
    poll_bodies(
        "github body",
        "[[sources]]\nkind = \"github\"\nrepos = [\"octo/app\"]\nurl = \"{url}\"\ntimeout = \"2s\"\nworkflows = \"*\"\n",
        &[
            (
                "/repos/octo/app/deployments",
                or("github", "deployments_list.json", "[]"),
            ),
            (
                "/repos/octo/app/deployments/1/statuses",
                or("github", "deployment_statuses_list.json", "[]"),
            ),
            (
                "/repos/octo/app/pulls",
                or("github", "commit_pulls_list_merged.json", "[]"),
            ),
            ("/repos/octo/app/pulls/1431/commits", b"[]".to_vec()),
            (
                "/repos/octo/app/issues",
                or("github", "issues_list_closed_2025.json", "[]"),
            ),
            (
                "/repos/octo/app/actions/runs",
                or(
                    "github",
                    "workflow_runs_list_paginated.json",
                    "{\"workflow_runs\":[]}",
                ),
            ),
        ],
    );
}

#[test]
fn the_gitlab_decoders_never_panic_and_errors_name_the_url() {
    poll_bodies(
        "gitlab body",
        "[[sources]]\nkind = \"gitlab\"\nproject = \"acme/shop\"\nurl = \"{url}/api/v4\"\ntimeout = \"2s\"\n",
        &[
            (
                "/api/v4/projects/acme%2Fshop/deployments",
                or("gitlab", "deployments_list_docs.json", "[]"),
            ),
            (
                "/api/v4/projects/acme%2Fshop/merge_requests",
                or("gitlab", "merge_requests_list_gitlab_com.json", "[]"),
            ),
            ("/api/v4/projects/acme%2Fshop/issues", b"[]".to_vec()),
        ],
    );
}

#[test]
fn the_pagerduty_decoder_never_panics_and_errors_name_the_url() {
    poll_bodies(
        "pagerduty body",
        "[[sources]]\nkind = \"pagerduty\"\nurl = \"{url}\"\ntimeout = \"2s\"\nservices = { \"PIJ90N7\" = \"mail\" }\n",
        &[(
            "/incidents",
            or("pagerduty", "incidents_list.json", "{\"incidents\":[]}"),
        )],
    );
}
