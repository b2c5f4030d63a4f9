//! `report --format json` findings posture, checked against a hand computation.
//!
//! Fixture tests/fixtures/report_findings.ndjson, `--now 2024-04-01T00:00:00Z
//! --window 30d`: window [03-02, 04-01), previous [02-01, 03-02).
//!
//! team alpha:
//!   F1 critical open since 03-20 (12 d > SLA 7 d: breach), PCI DSS + NIST 800-53
//!   F2 high open since 03-31T12:00 (new in 24 h; 0.5 d < 30 d), PCI DSS
//!   F3 medium resolved 03-12 after 2 d (172800 s)   -> resolved in the window
//!   F4 low resolved 03-05 after 4 d (345600 s)      -> resolved in the window,
//!      and open at the window's start (opened 03-01)
//!   F5 high resolved 02-11 after 10 d (864000 s)    -> previous window
//!   F6 suppressed
//!   => open {critical 1, high 1}, total 2; by framework PCI DSS 2, NIST 800-53 1;
//!      new 1; oldest critical 03-20; breaches 1; suppressed 1; resolved 2,
//!      median (172800 + 345600) / 2 = 259200; previous: open at start 1 (F4),
//!      resolved 1, median 864000.
//! unmapped (no team, no service): F7 high open since 01-15 (77 d > 30 d: breach),
//!   HIPAA; open at the start too.

use std::process::Command;

use serde_json::Value;

fn report() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report",
            "--events",
            "tests/fixtures/report_findings.ndjson",
            "--window",
            "30d",
            "--now",
            "2024-04-01T00:00:00Z",
            "--format",
            "json",
        ])
        .output()
        .expect("the flightdeck binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn findings_posture_per_team_matches_the_hand_computation() {
    let j = report();
    let alpha = j["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .find(|t| t["team"] == "alpha")
        .expect("alpha reported");
    let f = &alpha["findings"];
    assert_eq!(
        f["open"],
        serde_json::json!({"critical":1,"high":1,"medium":0,"low":0,"info":0})
    );
    assert_eq!(f["open_total"], 2);
    assert_eq!(
        f["by_framework"],
        serde_json::json!({"NIST 800-53":1,"PCI DSS":2})
    );
    assert_eq!(f["new_24h"], 1);
    assert_eq!(f["oldest_open_critical"], "2024-03-20T00:00:00Z");
    assert_eq!(f["sla_breaches"], 1);
    assert_eq!(f["suppressed"], 1);
    assert_eq!(f["resolved"], 2);
    assert_eq!(f["median_resolve_seconds"].as_f64(), Some(259_200.0));
    assert_eq!(f["previous"]["open_at_start"], 1);
    assert_eq!(f["previous"]["resolved"], 1);
    assert_eq!(
        f["previous"]["median_resolve_seconds"].as_f64(),
        Some(864_000.0)
    );

    let u = &j["findings_unmapped"];
    assert_eq!(u["open_total"], 1);
    assert_eq!(u["open"]["high"], 1);
    assert_eq!(u["sla_breaches"], 1);
    assert_eq!(u["by_framework"], serde_json::json!({"HIPAA":1}));
    assert_eq!(u["previous"]["open_at_start"], 1);
    assert_eq!(u["resolved"], 0);
    assert!(u["median_resolve_seconds"].is_null());
}
