//! `[benchmarks.NAME]`: custom benchmark sets, each threshold checked where it
//! is written, and `[general] benchmark` resolved against them and the built-in
//! sets.

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeValue;

use crate::model::benchmarks::{self, Benchmarks, DORA_2023, Framing};
use crate::model::settings::parse_span;

use super::{Cx, Value, spec};

/// One set as written: three thresholds per metric, elite, high, medium.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    /// At least one deployment per each span.
    deployment_frequency: Spanned<Vec<Spanned<String>>>,
    /// Median lead time under each span.
    lead_time: Spanned<Vec<Spanned<String>>>,
    /// Percent at most.
    change_failure_rate: Spanned<Vec<Spanned<f64>>>,
    /// Median time to restore under each span.
    time_to_restore: Spanned<Vec<Spanned<String>>>,
    /// Percent at most; left out: rework rate is not graded.
    rework_rate: Option<Spanned<Vec<Spanned<f64>>>>,
    /// Where the numbers come from, for reports.
    source: Option<String>,
}

impl Cx<'_> {
    /// Every set under `[benchmarks]`; a set with a problem is left out (and
    /// the problem recorded).
    pub(super) fn benchmarks(&mut self, value: &Value<'_>) -> Vec<Benchmarks> {
        let DeValue::Table(table) = value.get_ref() else {
            self.problem(
                value.span().start,
                "benchmarks",
                "expected tables, one per set: [benchmarks.NAME]",
            );
            return Vec::new();
        };
        let mut sets: Vec<Benchmarks> = Vec::new();
        for (name, item) in table.iter() {
            let name = name.get_ref().to_string();
            let prefix = format!("benchmarks.{name}");
            let at = item.span().start;
            let normal = benchmarks::normalise(&name);
            if benchmarks::BUILT_IN
                .iter()
                .any(|b| benchmarks::normalise(&b.name) == normal)
            {
                self.problem(
                    at,
                    prefix,
                    format!("`{name}` is the name of a built-in set; give yours another name"),
                );
                continue;
            }
            if sets
                .iter()
                .any(|b| benchmarks::normalise(&b.name) == normal)
            {
                self.problem(at, prefix, format!("`{name}` is defined twice"));
                continue;
            }
            let Some(raw) = self.deserialize(item, &prefix, spec::<Raw>) else {
                continue;
            };
            if let Some(set) = self.set(name, &prefix, raw) {
                sets.push(set);
            }
        }
        sets
    }

    fn set(&mut self, name: String, prefix: &str, raw: Raw) -> Option<Benchmarks> {
        let spans = |cx: &mut Self, key: &str, v: &Spanned<Vec<Spanned<String>>>| {
            let three = cx.three(prefix, key, v)?;
            let mut out = [chrono::TimeDelta::zero(); 3];
            let mut ok = true;
            for (slot, s) in out.iter_mut().zip(three) {
                match parse_span(s.get_ref()) {
                    Ok(d) => *slot = d,
                    Err(e) => {
                        cx.problem(s.span().start, format!("{prefix}.{key}"), e);
                        ok = false;
                    }
                }
            }
            ok.then_some(out)
        };
        let frequency = spans(self, "deployment_frequency", &raw.deployment_frequency);
        let lead = spans(self, "lead_time", &raw.lead_time);
        let restore = spans(self, "time_to_restore", &raw.time_to_restore);
        let failure = self.percents(prefix, "change_failure_rate", &raw.change_failure_rate);
        let rework = match &raw.rework_rate {
            Some(r) => Some(self.percents(prefix, "rework_rate", r)?),
            None => None,
        };
        let day_ms = 86_400_000.0;
        Some(Benchmarks {
            source: raw
                .source
                .unwrap_or_else(|| format!("custom set `{name}` in the config"))
                .into(),
            name: name.into(),
            frequency_days_per_deploy: frequency?.map(|d| d.num_milliseconds() as f64 / day_ms),
            lead_time_under: lead?,
            failure_rate_percent_at_most: failure?,
            restore_under: restore?,
            rework_percent_at_most: rework,
            framing: Framing::KeyMetrics,
        })
    }

    /// Exactly three values: elite, high, medium.
    fn three<'v, T>(&mut self, prefix: &str, key: &str, v: &'v Spanned<Vec<T>>) -> Option<&'v [T]> {
        if v.get_ref().len() == 3 {
            return Some(v.get_ref());
        }
        self.problem(
            v.span().start,
            format!("{prefix}.{key}"),
            format!(
                "needs three thresholds (elite, high, medium), not {}",
                v.get_ref().len()
            ),
        );
        None
    }

    fn percents(
        &mut self,
        prefix: &str,
        key: &str,
        v: &Spanned<Vec<Spanned<f64>>>,
    ) -> Option<[f64; 3]> {
        let three = self.three(prefix, key, v)?;
        let mut out = [0.0; 3];
        let mut ok = true;
        for (slot, p) in out.iter_mut().zip(three) {
            let x = *p.get_ref();
            if x.is_finite() && (0.0..=100.0).contains(&x) {
                *slot = x;
            } else {
                self.problem(
                    p.span().start,
                    format!("{prefix}.{key}"),
                    format!("{x} is not a percentage (0 to 100)"),
                );
                ok = false;
            }
        }
        ok.then_some(out)
    }

    /// `[general] benchmark` among the built-in and custom sets; the default
    /// set when none is named (and after a recorded problem).
    pub(super) fn chosen(
        &mut self,
        named: Option<&Spanned<String>>,
        custom: &[Benchmarks],
    ) -> Benchmarks {
        let Some(n) = named else {
            return DORA_2023;
        };
        benchmarks::resolve(n.get_ref(), custom).unwrap_or_else(|e| {
            self.problem(n.span().start, "general.benchmark", e);
            DORA_2023
        })
    }
}
