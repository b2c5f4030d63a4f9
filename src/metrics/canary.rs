//! Canary scoring: canary metrics against the baseline, the Kayenta way.
//!
//! Each metric is classified `pass`, `high`, `low` or `nodata` against its
//! tolerance; the score is the (weighted) share of passing metrics among those
//! with data, 0-100; the verdict comes from the score thresholds, except that a
//! failing critical metric forces `fail`, and so does too large a share of
//! metrics without data. When no metric has data at all there is no verdict:
//! a monitoring outage is "no data", not a bad canary.
//!
//! Pure: no I/O, no clock.

use crate::model::Verdict;

use crate::model::canary::{
    Direction, Judgement, MetricJudgement, MetricRule, Outcome, Thresholds, default_tolerance,
};

/// A value a metric can be judged on: finite only (NaN and ±Inf are no data).
fn usable(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// Classifies one metric: canary against baseline with the rule's tolerance.
pub fn classify(rule: &MetricRule, canary: Option<f64>, baseline: Option<f64>) -> Outcome {
    let (Some(c), Some(b)) = (usable(canary), usable(baseline)) else {
        return Outcome::NoData;
    };
    let band = b.abs() * rule.tolerance.max(0.0) + rule.min_delta.max(0.0);
    let high = c > b + band;
    let low = c < b - band;
    match rule.direction {
        Direction::Increase if high => Outcome::High,
        Direction::Decrease if low => Outcome::Low,
        Direction::Either if high => Outcome::High,
        Direction::Either if low => Outcome::Low,
        _ => Outcome::Pass,
    }
}

/// Judges a canary: `samples` are (rule, canary value, baseline value).
pub fn judge(samples: &[(MetricRule, Option<f64>, Option<f64>)], t: &Thresholds) -> Judgement {
    let metrics = judge_metrics(samples);
    let total = metrics.len();
    let nodata = metrics
        .iter()
        .filter(|m| m.outcome == Outcome::NoData)
        .count();
    if total == 0 || nodata == total {
        return no_verdict(metrics);
    }
    let score = weighted_score(&metrics, samples);
    let (verdict, mut reasons) = verdict(&metrics, score, nodata, t);
    for m in &metrics {
        if m.outcome.failed() && !m.critical {
            reasons.push(format!("{} is {}", m.name, m.outcome.label()));
        }
    }
    Judgement {
        metrics,
        score: Some(score),
        verdict: Some(verdict),
        reasons,
    }
}

/// Each metric classified against its rule, with its usable values.
fn judge_metrics(samples: &[(MetricRule, Option<f64>, Option<f64>)]) -> Vec<MetricJudgement> {
    samples
        .iter()
        .map(|(rule, c, b)| MetricJudgement {
            name: rule.name.clone(),
            canary: usable(*c),
            baseline: usable(*b),
            outcome: classify(rule, *c, *b),
            critical: rule.critical,
        })
        .collect()
}

/// No metric, or none with data: no score and no verdict.
fn no_verdict(metrics: Vec<MetricJudgement>) -> Judgement {
    let total = metrics.len();
    let reason = if total == 0 {
        "no metrics configured".to_string()
    } else {
        format!("no data for any of the {total} metrics")
    };
    Judgement {
        metrics,
        score: None,
        verdict: None,
        reasons: vec![reason],
    }
}

/// The weighted share of passing metrics among those with data, 0-100, to
/// one decimal.
fn weighted_score(
    metrics: &[MetricJudgement],
    samples: &[(MetricRule, Option<f64>, Option<f64>)],
) -> f64 {
    let (mut weight, mut passed) = (0.0, 0.0);
    for (m, (rule, _, _)) in metrics.iter().zip(samples) {
        if m.outcome == Outcome::NoData {
            continue;
        }
        let w = rule.weight.max(0.0);
        weight += w;
        if m.outcome == Outcome::Pass {
            passed += w;
        }
    }
    if weight > 0.0 {
        (passed / weight * 100.0 * 10.0).round() / 10.0
    } else {
        0.0
    }
}

/// The verdict and why: a failing critical metric, then too much missing
/// data, then the score against the thresholds.
fn verdict(
    metrics: &[MetricJudgement],
    score: f64,
    nodata: usize,
    t: &Thresholds,
) -> (Verdict, Vec<String>) {
    let total = metrics.len();
    let critical: Vec<String> = metrics
        .iter()
        .filter(|m| m.critical && m.outcome.failed())
        .map(|m| format!("critical metric {} is {}: fail", m.name, m.outcome.label()))
        .collect();
    if !critical.is_empty() {
        return (Verdict::Fail, critical);
    }
    let nodata_share = nodata as f64 / total as f64;
    let (verdict, reason) = if nodata_share > t.max_nodata {
        (
            Verdict::Fail,
            format!(
                "{nodata} of {total} metrics have no data (more than {:.0} %): fail",
                t.max_nodata * 100.0
            ),
        )
    } else if score >= t.pass {
        (
            Verdict::Pass,
            format!("score {score:.0} ≥ pass threshold {:.0}", t.pass),
        )
    } else if score >= t.marginal {
        (
            Verdict::Marginal,
            format!(
                "score {score:.0} below pass {:.0}, ≥ marginal {:.0}",
                t.pass, t.marginal
            ),
        )
    } else {
        (
            Verdict::Fail,
            format!(
                "score {score:.0} below marginal threshold {:.0}",
                t.marginal
            ),
        )
    };
    (verdict, vec![reason])
}

/// A Kayenta canary config (`metrics[].analysisConfigurations.canary` and
/// `classifier.scoreThresholds`) as rules and thresholds. Metrics keep
/// Kayenta's names; the tolerance is ours (Kayenta's judge is statistical).
pub fn from_kayenta(config: &serde_json::Value) -> Result<(Vec<MetricRule>, Thresholds), String> {
    let metrics = config
        .get("metrics")
        .and_then(|m| m.as_array())
        .ok_or("the config has no `metrics` list")?;
    let mut rules = Vec::new();
    for (i, m) in metrics.iter().enumerate() {
        let name = m
            .get("name")
            .and_then(|n| n.as_str())
            .ok_or_else(|| format!("metrics[{i}] has no name"))?;
        let canary = m.pointer("/analysisConfigurations/canary");
        let direction = match canary
            .and_then(|c| c.get("direction"))
            .and_then(|d| d.as_str())
        {
            Some("increase") => Direction::Increase,
            Some("decrease") => Direction::Decrease,
            Some("either") | None => Direction::Either,
            Some(other) => return Err(format!("metrics[{i}]: unknown direction '{other}'")),
        };
        let mut rule = MetricRule::new(name, direction, default_tolerance());
        rule.critical = canary
            .and_then(|c| c.get("critical"))
            .and_then(|c| c.as_bool())
            .unwrap_or(false);
        rules.push(rule);
    }
    let mut t = Thresholds::default();
    if let Some(s) = config.pointer("/classifier/scoreThresholds") {
        if let Some(p) = s.get("pass").and_then(|v| v.as_f64()) {
            t.pass = p;
        }
        if let Some(m) = s.get("marginal").and_then(|v| v.as_f64()) {
            t.marginal = m;
        }
    }
    Ok((rules, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::canary::default_rules;

    fn inc(name: &str) -> MetricRule {
        MetricRule::new(name, Direction::Increase, 0.2)
    }

    #[test]
    fn classification_respects_tolerance_and_direction() {
        let r = inc("latency");
        assert_eq!(classify(&r, Some(119.0), Some(100.0)), Outcome::Pass);
        assert_eq!(classify(&r, Some(121.0), Some(100.0)), Outcome::High);
        // Lower latency is not a problem for an `increase` metric.
        assert_eq!(classify(&r, Some(10.0), Some(100.0)), Outcome::Pass);
        let d = MetricRule::new("rps", Direction::Decrease, 0.1);
        assert_eq!(classify(&d, Some(89.0), Some(100.0)), Outcome::Low);
        assert_eq!(classify(&d, Some(500.0), Some(100.0)), Outcome::Pass);
        let e = MetricRule::new("cpu", Direction::Either, 0.1);
        assert_eq!(classify(&e, Some(111.0), Some(100.0)), Outcome::High);
        assert_eq!(classify(&e, Some(89.0), Some(100.0)), Outcome::Low);
        // Absolute slack for tiny values.
        let s = inc("errors").min_delta(0.002);
        assert_eq!(classify(&s, Some(0.002), Some(0.0005)), Outcome::Pass);
        assert_eq!(classify(&s, Some(0.003), Some(0.0005)), Outcome::High);
    }

    #[test]
    fn nan_inf_and_missing_are_nodata() {
        let r = inc("x");
        assert_eq!(classify(&r, Some(f64::NAN), Some(1.0)), Outcome::NoData);
        assert_eq!(
            classify(&r, Some(1.0), Some(f64::INFINITY)),
            Outcome::NoData
        );
        assert_eq!(classify(&r, None, Some(1.0)), Outcome::NoData);
    }

    fn samples(values: &[(f64, f64)]) -> Vec<(MetricRule, Option<f64>, Option<f64>)> {
        values
            .iter()
            .enumerate()
            .map(|(i, (c, b))| (inc(&format!("m{i}")), Some(*c), Some(*b)))
            .collect()
    }

    #[test]
    fn score_thresholds_give_pass_marginal_fail() {
        let t = Thresholds::default();
        // 4 of 4 pass: 100.
        let j = judge(&samples(&[(1.0, 1.0); 4]), &t);
        assert_eq!((j.score, j.verdict), (Some(100.0), Some(Verdict::Pass)));
        // 3 of 4: 75, exactly the pass threshold.
        let j = judge(
            &samples(&[(1.0, 1.0), (1.0, 1.0), (1.0, 1.0), (9.0, 1.0)]),
            &t,
        );
        assert_eq!((j.score, j.verdict), (Some(75.0), Some(Verdict::Pass)));
        // 2 of 4: 50, marginal.
        let j = judge(
            &samples(&[(1.0, 1.0), (1.0, 1.0), (9.0, 1.0), (9.0, 1.0)]),
            &t,
        );
        assert_eq!((j.score, j.verdict), (Some(50.0), Some(Verdict::Marginal)));
        // 1 of 4: 25, fail.
        let j = judge(
            &samples(&[(1.0, 1.0), (9.0, 1.0), (9.0, 1.0), (9.0, 1.0)]),
            &t,
        );
        assert_eq!((j.score, j.verdict), (Some(25.0), Some(Verdict::Fail)));
        // Custom thresholds move the boundaries.
        let strict = Thresholds {
            pass: 90.0,
            marginal: 80.0,
            ..t
        };
        let j = judge(
            &samples(&[(1.0, 1.0), (1.0, 1.0), (1.0, 1.0), (9.0, 1.0)]),
            &strict,
        );
        assert_eq!(j.verdict, Some(Verdict::Fail));
    }

    #[test]
    fn a_failing_critical_metric_forces_fail() {
        let mut s = samples(&[(1.0, 1.0), (1.0, 1.0), (1.0, 1.0), (9.0, 1.0)]);
        s[3].0.critical = true;
        let j = judge(&s, &Thresholds::default());
        assert_eq!(j.score, Some(75.0));
        assert_eq!(j.verdict, Some(Verdict::Fail));
        assert!(j.reasons[0].contains("critical metric m3 is high"), "{j:?}");
        // A passing critical metric changes nothing.
        s[3].1 = Some(1.0);
        assert_eq!(
            judge(&s, &Thresholds::default()).verdict,
            Some(Verdict::Pass)
        );
    }

    #[test]
    fn too_much_nodata_fails_and_all_nodata_has_no_verdict() {
        let t = Thresholds::default();
        let mut s = samples(&[(1.0, 1.0), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0)]);
        // 2 of 4 missing: exactly the limit, still judged on the rest.
        s[0].1 = None;
        s[1].1 = Some(f64::NAN);
        let j = judge(&s, &t);
        assert_eq!((j.score, j.verdict), (Some(100.0), Some(Verdict::Pass)));
        // 3 of 4 missing: over the limit.
        s[2].2 = None;
        let j = judge(&s, &t);
        assert_eq!(j.verdict, Some(Verdict::Fail));
        assert!(
            j.reasons[0].contains("3 of 4 metrics have no data"),
            "{j:?}"
        );
        // All missing: no verdict, "no data".
        s[3].1 = None;
        let j = judge(&s, &t);
        assert_eq!((j.score, j.verdict), (None, None));
        assert_eq!(j.metrics.len(), 4);
    }

    #[test]
    fn weights_shape_the_score() {
        let mut s = samples(&[(1.0, 1.0), (9.0, 1.0)]);
        s[0].0.weight = 3.0;
        let j = judge(&s, &Thresholds::default());
        assert_eq!(j.score, Some(75.0));
    }

    #[test]
    fn default_rules_judge_error_rate_and_latency() {
        let rules = default_rules();
        let s = vec![
            (rules[0].clone(), Some(0.05), Some(0.004)),
            (rules[1].clone(), Some(200.0), Some(210.0)),
        ];
        let j = judge(&s, &Thresholds::default());
        assert_eq!(j.verdict, Some(Verdict::Fail));
        assert_eq!(j.metrics[0].outcome, Outcome::High);
        assert_eq!(j.metrics[1].outcome, Outcome::Pass);
    }
}
