//! Ownership rules and SLA defaults of the `[findings]` config part.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use flightdeck::model::findings_policy::{FindingsPolicy, SlaDays, UNMAPPED};
use flightdeck::model::settings::Settings;
use flightdeck::model::{Finding, FindingDetail, FindingStatus, Severity, Text};

fn finding(detail: FindingDetail) -> Finding {
    Finding {
        id: Text::from("f"),
        severity: Severity::High,
        status: FindingStatus::Open,
        opened: Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid"),
        team: None,
        account: None,
        service: None,
        resolved: None,
        title: None,
        rule: None,
        frameworks: Vec::new(),
        tool: None,
        url: None,
        detail: Some(Arc::new(detail)),
    }
}

fn policy(toml_like: serde_json::Value) -> FindingsPolicy {
    serde_json::from_value(toml_like).expect("valid policy")
}

#[test]
fn each_selector_maps_a_finding_to_its_team_and_the_rest_is_unmapped() {
    let p = policy(serde_json::json!({
        "owners": [
            {"team": "cloud", "accounts": ["111122223333"]},
            {"team": "web", "repositories": ["acme/web"]},
            {"team": "pay", "services": ["payments-api"]},
            {"team": "data", "tags": ["team=data"]},
            {"team": "infra", "path_prefixes": ["deploy/", "arn:aws:s3:::logs"]}
        ]
    }));
    let s = Settings::default();
    let mut by_account = finding(FindingDetail::default());
    by_account.account = Some(Text::from("111122223333"));
    assert_eq!(&*p.owner(&by_account, &s.service_teams), "cloud");

    let by_repo = finding(FindingDetail {
        repository: Some(Text::from("https://github.com/acme/web.git")),
        ..FindingDetail::default()
    });
    assert_eq!(&*p.owner(&by_repo, &s.service_teams), "web");

    let mut by_service = finding(FindingDetail::default());
    by_service.service = Some(Text::from("Payments-API"));
    assert_eq!(&*p.owner(&by_service, &s.service_teams), "pay");

    let by_tag = finding(FindingDetail {
        resource_tags: vec![Text::from("team=data")],
        ..FindingDetail::default()
    });
    assert_eq!(&*p.owner(&by_tag, &s.service_teams), "data");

    let by_path = finding(FindingDetail {
        location: Some(Text::from("deploy/run.sh:3")),
        ..FindingDetail::default()
    });
    assert_eq!(&*p.owner(&by_path, &s.service_teams), "infra");
    let by_resource = finding(FindingDetail {
        resource: Some(Text::from("arn:aws:s3:::logs-bucket")),
        ..FindingDetail::default()
    });
    assert_eq!(&*p.owner(&by_resource, &s.service_teams), "infra");

    let nobody = finding(FindingDetail {
        location: Some(Text::from("src/main.rs:1")),
        ..FindingDetail::default()
    });
    assert_eq!(&*p.owner(&nobody, &s.service_teams), UNMAPPED);

    // The finding's own team wins over every rule.
    let mut own = by_account.clone();
    own.team = Some(Text::from("security"));
    assert_eq!(&*p.owner(&own, &s.service_teams), "security");
}

#[test]
fn unknown_keys_are_refused_and_sla_defaults_are_7_30_90() {
    let bad: Result<FindingsPolicy, _> =
        serde_json::from_value(serde_json::json!({"owners": [{"team": "a", "acounts": ["1"]}]}));
    let err = bad.expect_err("a misspelt key is an error").to_string();
    assert!(err.contains("acounts"), "{err}");
    let d = SlaDays::default();
    assert_eq!(
        (d.critical, d.high, d.medium, d.low),
        (Some(7), Some(30), Some(90), None)
    );
    let partial = policy(serde_json::json!({"sla_days": {"critical": 3}}));
    assert_eq!(partial.sla_days.critical, Some(3));
    assert_eq!(
        partial.sla_days.high,
        Some(30),
        "unset severities keep their default"
    );
}
