//! The report as typed data, built once from the scorecards, the audit and the
//! reading diagnostics: the order teams are shown in, each team's trends and
//! audit posture, and the JSON shape of DESIGN.md as structs. The formats
//! (table, JSON, CSV, Markdown) only render it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::metrics::dora::TeamMetrics;
use crate::metrics::gates::Gates;
use crate::metrics::governance::{Governance, TeamGovernance};
use crate::metrics::posture::Posture;
use crate::metrics::trend::{Trend, key_trends};
use crate::metrics::{Scorecards, TeamScorecard, Tier, needs_help_first};
use crate::model::Time;
use crate::model::diagnostics::Diagnostics;
use crate::report::findings::Audit;
use crate::report::governance;
use crate::util::format;

pub struct Report<'a> {
    pub cards: &'a Scorecards,
    pub audit: &'a Audit,
    pub diagnostics: &'a Diagnostics,
    /// One per team, in the scorecards' order (JSON and CSV keep it).
    pub teams: Vec<TeamRow<'a>>,
    /// Indexes into `teams`, the teams needing help first (table, Markdown).
    pub by_need: Vec<usize>,
    /// Days from the earliest record to the window's end, at most the window
    /// (DESIGN.md "Coverage"); the window's days until told otherwise.
    pub covered_days: f64,
    /// Contracts and account drift at the window's end (see [`Report::with_governance`]).
    pub governance: Option<&'a Governance>,
}

impl TeamRow<'_> {
    /// The audit cells of a team's row: open critical, high, medium, low and
    /// info findings, how many are past their SLA, and the age of the oldest
    /// open critical one (`none` when no critical is open).
    pub fn audit_cells(&self, audit: &Audit, none: &str) -> [String; 7] {
        let p = &self.posture;
        let [crit, high, med, low, info] = p.open.map(|n| n.to_string());
        [
            crit,
            high,
            med,
            low,
            info,
            p.sla_breaches.to_string(),
            audit.oldest_critical_age(p).unwrap_or_else(|| none.into()),
        ]
    }
}

/// The gates of a team's window as the text formats show them: review wait,
/// review time (with the changes carrying `opened`), certification time (with
/// the deployments that have one), batch size median / p90, and the failure
/// rates of small and large batches. `none` marks a number without data.
pub fn gate_cells(g: &Gates, none: &str) -> [String; 6] {
    let secs = |s: Option<f64>| s.map_or(none.to_string(), format::duration_secs);
    let rate = |r: Option<f64>| r.map_or(none.to_string(), format::percent);
    let size = |x: Option<f64>| x.map_or(none.to_string(), |v| format!("{v}"));
    [
        secs(g.review.median_wait_seconds),
        format!("{} ({})", secs(g.review.median_seconds), g.review.changes),
        format!(
            "{} ({})",
            secs(g.certification.median_seconds),
            g.certification.deployments
        ),
        format!("{} / {}", size(g.batch.median), size(g.batch.p90)),
        rate(g.batch.small_failure_rate),
        rate(g.batch.large_failure_rate),
    ]
}

/// What every format shows of one team.
pub struct TeamRow<'a> {
    pub card: &'a TeamScorecard,
    /// The key metrics against the previous window, in display order.
    pub trends: [Trend; 4],
    pub posture: Posture,
    /// Contract violations, stalled contracts and drifted accounts.
    pub governance: TeamGovernance,
}

impl<'a> Report<'a> {
    pub fn new(cards: &'a Scorecards, audit: &'a Audit, diagnostics: &'a Diagnostics) -> Self {
        let teams = cards
            .teams
            .iter()
            .map(|card| TeamRow {
                card,
                trends: key_trends(&card.current, &card.previous),
                posture: audit.team(&card.team),
                governance: TeamGovernance::default(),
            })
            .collect();
        Self {
            cards,
            audit,
            diagnostics,
            teams,
            by_need: needs_help_first(cards),
            covered_days: cards.window.days(),
            governance: None,
        }
    }

    /// The report with the contracts and account drift computed at the
    /// window's end: each team's numbers, and the JSON's parts.
    pub fn with_governance(mut self, g: &'a Governance) -> Self {
        let start = self.cards.window.start;
        for row in &mut self.teams {
            row.governance = g.team(&row.card.team, start);
        }
        self.governance = Some(g);
        self
    }

    /// Whether `team` is one of the report's (a `--team` report keeps its own).
    fn has_team(&self, team: &str) -> bool {
        self.teams.iter().any(|t| &*t.card.team == team)
    }

    /// The report for a history that begins at `earliest` (the first record):
    /// its coverage of the window, and no trend where the previous window holds
    /// no history at all (an arrow against nothing would read as a change).
    pub fn with_history_from(mut self, earliest: Option<Time>) -> Self {
        let w = self.cards.window;
        let covered = earliest.map_or(0.0, |e| (w.end - e).num_seconds() as f64 / 86_400.0);
        self.covered_days = covered.clamp(0.0, w.days());
        if earliest.is_none_or(|e| e >= w.start) {
            for row in &mut self.teams {
                row.trends = [Trend::Unknown; 4];
            }
        }
        self
    }

    /// Whether the history read is shorter than the window.
    pub fn coverage_short(&self) -> bool {
        self.covered_days < self.cards.window.days()
    }

    /// The teams, those needing help first.
    pub fn rows_by_need(&self) -> impl Iterator<Item = &TeamRow<'a>> {
        self.by_need.iter().map(|&i| &self.teams[i])
    }

    /// The JSON report, exactly the shape DESIGN.md documents, as a value whose
    /// keys serialise in sorted order (the published format).
    pub fn json(&self) -> Value {
        let json = JsonReport {
            window: JsonWindow {
                start: format::rfc3339(self.cards.window.start),
                end: format::rfc3339(self.cards.window.end),
                days: self.cards.window.days(),
                covered_days: self.covered_days,
            },
            benchmark: &self.cards.benchmark.name,
            teams: self
                .teams
                .iter()
                .map(|t| JsonTeam {
                    team: &t.card.team,
                    tier: t.card.tier,
                    current: &t.card.current,
                    previous: &t.card.previous,
                    findings: JsonPosture::of(&t.posture),
                })
                .collect(),
            unattributed_incidents: self.cards.unattributed_incidents,
            diagnostics: self.diagnostics,
            findings_unmapped: JsonPosture::of(&self.audit.unmapped),
            contracts: self.governance.map_or_else(Vec::new, |g| {
                governance::contracts(g, self.cards.window.start, &|t| self.has_team(t))
            }),
            accounts: self
                .governance
                .map_or_else(Vec::new, |g| governance::accounts(g, &|t| self.has_team(t))),
        };
        // A report is plain numbers and strings: it always has a JSON form.
        serde_json::to_value(json).unwrap_or(Value::Null)
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    window: JsonWindow,
    benchmark: &'a str,
    teams: Vec<JsonTeam<'a>>,
    unattributed_incidents: u64,
    diagnostics: &'a Diagnostics,
    findings_unmapped: JsonPosture<'a>,
    contracts: Vec<governance::JsonContract<'a>>,
    accounts: Vec<governance::JsonAccount<'a>>,
}

#[derive(Serialize)]
struct JsonWindow {
    start: String,
    end: String,
    days: f64,
    covered_days: f64,
}

#[derive(Serialize)]
struct JsonTeam<'a> {
    team: &'a str,
    tier: Option<Tier>,
    #[serde(flatten)]
    current: &'a TeamMetrics,
    previous: &'a TeamMetrics,
    findings: JsonPosture<'a>,
}

/// A findings posture as the JSON report's `findings` object.
#[derive(Serialize)]
pub struct JsonPosture<'a> {
    open: OpenBySeverity,
    open_total: u64,
    by_framework: &'a BTreeMap<String, u64>,
    new_24h: u64,
    oldest_open_critical: Option<String>,
    sla_breaches: u64,
    suppressed: u64,
    resolved: u64,
    median_resolve_seconds: Option<f64>,
    previous: PreviousPosture,
}

#[derive(Serialize)]
struct OpenBySeverity {
    critical: u64,
    high: u64,
    medium: u64,
    low: u64,
    info: u64,
}

#[derive(Serialize)]
struct PreviousPosture {
    open_at_start: u64,
    resolved: u64,
    median_resolve_seconds: Option<f64>,
}

impl<'a> JsonPosture<'a> {
    pub fn of(p: &'a Posture) -> Self {
        let [critical, high, medium, low, info] = p.open;
        Self {
            open: OpenBySeverity {
                critical,
                high,
                medium,
                low,
                info,
            },
            open_total: p.open_total,
            by_framework: &p.by_framework,
            new_24h: p.new_24h,
            oldest_open_critical: p.oldest_open_critical.map(format::rfc3339),
            sla_breaches: p.sla_breaches,
            suppressed: p.suppressed,
            resolved: p.resolved,
            median_resolve_seconds: p.median_resolve_seconds,
            previous: PreviousPosture {
                open_at_start: p.open_at_start,
                resolved: p.resolved_previous,
                median_resolve_seconds: p.median_resolve_seconds_previous,
            },
        }
    }
}
