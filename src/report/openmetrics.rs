//! The OpenMetrics text exposition of a [`Snapshot`], as `flightdeck serve`
//! publishes it at `/metrics`. Pure: rendered once per published snapshot, never
//! per request, so a scrape costs a copy of bytes.
//!
//! Types: every family is a `gauge` (the numbers are states of a window, not
//! running totals). Tiers use the OpenMetrics StateSet encoding (one series per
//! tier, 1 for the current one, 0 for the others) declared as `gauge`: Prometheus
//! ingests a stateset as exactly those gauge series, and `promtool check metrics`
//! (2.42, the classic text parser) rejects the `stateset` type name; a numeric
//! `_level` gauge (low 1 .. elite 4) serves alerting rules such as `< 2`.
//! A number without data (e.g. no incident restored in the window) has no sample
//! rather than NaN, so `absent()` and missing lines mean "no data".
//!
//! Sharding (`serve --shard I/N`, [`render_exporter`]): each family has a
//! [`Scope`]. Per-team families carry only the shard's teams (see
//! `model::shard` for the hash); organisation-wide ones come from shard 1
//! only, so summing over shards counts them once; per-exporter ones (its
//! sources' health, its clock, `flightdeck_info`) come from every shard.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::metrics::{TeamMetrics, Tier};
use crate::model::shard::Shard;
use crate::model::{FindingStatus, Severity, Text, Time};
use crate::store::Snapshot;

mod families;
mod governance;

pub use crate::report::openmetrics_read::{Sample, parse_samples};
pub use families::Scope;
use families::{FAMILIES, Read};

/// The content type `/metrics` answers with.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

const TIERS: [Tier; 4] = [Tier::Elite, Tier::High, Tier::Medium, Tier::Low];
pub(super) const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];
const KEY_METRICS: [&str; 4] = [
    "deployment_frequency",
    "lead_time",
    "change_failure_rate",
    "time_to_restore",
];

/// Escapes a label value: backslash, double quote and line feed (OpenMetrics
/// ABNF); whatever a source names a team cannot end the value or the line.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// One metric family being written: its header first, then its samples.
pub(super) struct Family<'a> {
    out: &'a mut String,
    name: &'static str,
}

fn family<'a>(
    out: &'a mut String,
    name: &'static str,
    unit: Option<&str>,
    help: &str,
) -> Family<'a> {
    let _ = writeln!(out, "# TYPE {name} gauge");
    if let Some(unit) = unit {
        let _ = writeln!(out, "# UNIT {name} {unit}");
    }
    let _ = writeln!(out, "# HELP {name} {help}");
    Family { out, name }
}

impl Family<'_> {
    pub(super) fn sample(&mut self, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(self.name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {}", number(value));
    }
}

/// A sample value: integers without a fraction, others in Rust's shortest
/// round-trip form; never NaN or infinities (callers skip those).
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

pub(super) fn timestamp(t: Time) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

fn level(t: Tier) -> f64 {
    match t {
        Tier::Low => 1.0,
        Tier::Medium => 2.0,
        Tier::High => 3.0,
        Tier::Elite => 4.0,
    }
}

/// The whole exposition of one unsharded snapshot, ending in `# EOF` (no
/// exporter identity: see [`render_exporter`] for what `serve` answers).
pub fn render(snapshot: &Snapshot) -> String {
    render_scoped(snapshot, Shard::ALL, None)
}

/// Who exports: the shard it serves and its version, for `flightdeck_info`.
#[derive(Debug, Clone, Copy)]
pub struct Exporter<'a> {
    pub shard: Shard,
    pub version: &'a str,
}

/// What one exporter of a sharded set serves (see the module docs), with its
/// `flightdeck_info{shard,shards,version} 1`.
pub fn render_exporter(snapshot: &Snapshot, exporter: &Exporter<'_>) -> String {
    render_scoped(snapshot, exporter.shard, Some(exporter))
}

/// The scope of the family `name`, `None` when it is not one this module writes.
pub fn scope_of(name: &str) -> Option<Scope> {
    if name == INFO {
        return Some(Scope::Exporter);
    }
    FAMILIES.iter().find(|f| f.name == name).map(|f| f.scope)
}

/// Every family name this module writes (the exporter's info included).
pub fn family_names() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().map(|f| f.name).chain([INFO])
}

const INFO: &str = "flightdeck_info";

fn render_scoped(snapshot: &Snapshot, shard: Shard, exporter: Option<&Exporter<'_>>) -> String {
    let exposed = Exposed::new(snapshot, shard);
    let mut out = String::with_capacity(16 * 1024);
    for spec in FAMILIES {
        if spec.scope == Scope::Organisation && !shard.is_first() {
            continue;
        }
        let mut f = family(&mut out, spec.name, spec.unit, spec.help);
        match spec.read {
            Read::PerWindow(value) => {
                for row in &exposed.rows {
                    if let Some(v) = value(row.metrics) {
                        f.sample(&[("team", row.team), ("window", &row.window)], v);
                    }
                }
            }
            Read::Samples(write) => write(&exposed, &mut f),
        }
    }
    if let Some(e) = exporter {
        let mut f = family(
            &mut out,
            INFO,
            None,
            "The exporter: the shard it serves (of shards) and the flightdeck version; always 1.",
        );
        let (index, count) = (e.shard.index().to_string(), e.shard.count().to_string());
        f.sample(
            &[
                ("shard", &index),
                ("shards", &count),
                ("version", e.version),
            ],
            1.0,
        );
    }
    out.push_str("# EOF\n");
    out
}

/// One team in one window.
struct Row<'a> {
    /// `30d`.
    window: String,
    team: &'a str,
    metrics: &'a TeamMetrics,
    tier: Option<Tier>,
}

impl Row<'_> {
    /// The team's tier (`metric="team"`) and each key metric's.
    fn tiers(&self) -> [(&'static str, Option<Tier>); 5] {
        let k = self.metrics.key_tiers();
        [
            ("team", self.tier),
            (KEY_METRICS[0], k[0]),
            (KEY_METRICS[1], k[1]),
            (KEY_METRICS[2], k[2]),
            (KEY_METRICS[3], k[3]),
        ]
    }
}

/// What the families read: every team of every window, and the
/// window-independent states per team (what is open right now).
pub(super) struct Exposed<'a> {
    pub(super) snapshot: &'a Snapshot,
    rows: Vec<Row<'a>>,
    pub(super) teams: BTreeSet<Text>,
    pub(super) open_incidents: BTreeMap<Text, u64>,
    pub(super) in_flight: BTreeMap<Text, u64>,
    pub(super) findings: BTreeMap<(Text, Severity), u64>,
}

impl<'a> Exposed<'a> {
    /// The teams `shard` serves.
    fn new(snapshot: &'a Snapshot, shard: Shard) -> Self {
        let views = &snapshot.views;
        let rows = views
            .windows
            .iter()
            .flat_map(|w| {
                let teams = w.scorecards.teams.iter();
                teams
                    .filter(move |t| shard.owns(&t.team))
                    .map(move |t| Row {
                        window: format!("{}d", w.days),
                        team: &t.team,
                        metrics: &t.current,
                        tier: t.tier,
                    })
            })
            .collect();
        let mut teams: BTreeSet<Text> = views.facts.teams.iter().cloned().collect();
        let mut open_incidents: BTreeMap<Text, u64> = BTreeMap::new();
        for &n in &views.open_incidents {
            if let Some(i) = views.facts.incidents.get(n) {
                *open_incidents.entry(i.team.clone()).or_default() += 1;
            }
        }
        let mut in_flight: BTreeMap<Text, u64> = BTreeMap::new();
        // In flight: the latest line is not a final status (a finished staging
        // deployment is not in flight, though it never gets a production T_done).
        for d in snapshot
            .records
            .deployments
            .iter()
            .filter(|d| d.events.last().is_some_and(|e| !e.status.is_terminal()))
        {
            let team = snapshot
                .settings
                .team_for(d.team.as_ref(), Some(&d.service));
            *in_flight.entry(team).or_default() += 1;
        }
        let mut findings: BTreeMap<(Text, Severity), u64> = BTreeMap::new();
        for finding in snapshot
            .records
            .findings
            .iter()
            .filter(|f| f.status == FindingStatus::Open)
        {
            let team = snapshot
                .settings
                .team_for(finding.team.as_ref(), finding.service.as_ref());
            *findings.entry((team, finding.severity)).or_default() += 1;
        }
        teams.extend(open_incidents.keys().cloned());
        teams.extend(in_flight.keys().cloned());
        teams.extend(findings.keys().map(|(t, _)| t.clone()));
        if shard != Shard::ALL {
            teams.retain(|t| shard.owns(t));
        }
        Self {
            snapshot,
            rows,
            teams,
            open_incidents,
            in_flight,
            findings,
        }
    }
}

/// The stateset: one series per tier, 1 for the current one.
pub(super) fn tier_states(x: &Exposed<'_>, f: &mut Family<'_>) {
    for row in &x.rows {
        for (metric, tier) in row.tiers() {
            for t in TIERS {
                let v = if tier == Some(t) { 1.0 } else { 0.0 };
                f.sample(
                    &[
                        ("team", row.team),
                        ("window", &row.window),
                        ("metric", metric),
                        ("tier", t.label()),
                    ],
                    v,
                );
            }
        }
    }
}

/// The numeric `_level`, where there is a tier.
pub(super) fn tier_levels(x: &Exposed<'_>, f: &mut Family<'_>) {
    for row in &x.rows {
        for (metric, tier) in row.tiers() {
            if let Some(t) = tier {
                f.sample(
                    &[
                        ("team", row.team),
                        ("window", &row.window),
                        ("metric", metric),
                    ],
                    level(t),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_backslash_quote_and_newline() {
        assert_eq!(escape_label("plain"), "plain");
        assert_eq!(escape_label("a\"b"), "a\\\"b");
        assert_eq!(escape_label("a\\b"), "a\\\\b");
        assert_eq!(escape_label("a\nb"), "a\\nb");
        assert_eq!(escape_label("\\\"\n"), "\\\\\\\"\\n");
        assert_eq!(escape_label("ops | \"edge\", eu"), "ops | \\\"edge\\\", eu");
    }

    #[test]
    fn numbers_read_back() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(1_700_000_000.5), "1700000000.5");
    }
}
