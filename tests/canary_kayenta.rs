//! The Kayenta canary config in the shared fixtures, read in place, becomes
//! scoring rules and thresholds that judge the way Kayenta's classifier does.

use crate::support as common;

use flightdeck::metrics::canary;
use flightdeck::model::Verdict;
use flightdeck::model::canary::Direction;

#[test]
fn kayenta_config_maps_to_rules_and_thresholds() {
    let Some(dir) = common::shared_fixtures("kayenta") else {
        return;
    };
    let path = dir.join("canary_config_prometheus_integration_test.json");
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    let config: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    let (rules, thresholds) = canary::from_kayenta(&config).expect("maps");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].name, "CPU usage for service");
    assert_eq!(rules[0].direction, Direction::Increase);
    assert!(rules[0].critical);
    assert_eq!((thresholds.pass, thresholds.marginal), (75.0, 50.0));
    // Its one critical metric decides: 50 % more CPU fails, the same passes.
    let judge = |c: f64| canary::judge(&[(rules[0].clone(), Some(c), Some(1.0))], &thresholds);
    assert_eq!(judge(1.5).verdict, Some(Verdict::Fail));
    let same = judge(1.0);
    assert_eq!(
        (same.verdict, same.score),
        (Some(Verdict::Pass), Some(100.0))
    );
}
