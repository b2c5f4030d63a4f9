//! The typed report ([`model::Report`]) and its formats: the text table here,
//! JSON (the model's), CSV, Markdown and OpenMetrics. May use `model`,
//! `metrics`, `store` and `util`.

pub mod csv;
pub mod failures;
pub mod findings;
pub mod governance;
pub mod html;
pub mod markdown;
pub mod model;
pub mod openmetrics;
pub mod openmetrics_read;
pub mod output;

use std::fmt::Write as _;

use crate::metrics::Tier;
use crate::metrics::trend::HIGHER_IS_BETTER;
use crate::report::model::{Report, TeamRow, gate_cells};
use crate::util::{format, text};

/// A readable scorecard per team, teams needing help first, then the audit:
/// open findings per team (as the JSON report's `findings`).
pub fn table(report: &Report<'_>) -> String {
    let mut out = String::new();
    scorecard_header(&mut out, report);
    for row in report.rows_by_need() {
        let _ = writeln!(out, "{}", scorecard_row(row));
    }
    let _ = writeln!(out);
    incident_summary(&mut out, report);
    let _ = writeln!(out);
    gates_section(&mut out, report);
    let _ = writeln!(out);
    audit_section(&mut out, report);
    let _ = writeln!(out);
    governance::table_section(&mut out, report.governance, report.cards.window.start);
    out
}

/// The gates: how long review and canary certification take, and batch sizes
/// with the failure rates of small and large batches.
fn gates_section(out: &mut String, report: &Report<'_>) {
    let _ = writeln!(
        out,
        "GATES: review wait; review time (changes); canary certification (deployments); \
         batch size median / p90; failure rate of batches <= median and > median"
    );
    let _ = writeln!(
        out,
        "{:<20} {:>11} {:>15} {:>15} {:>11} {:>8} {:>8}",
        "TEAM", "REVIEW WAIT", "REVIEW TIME", "CERTIFICATION", "BATCH", "SMALL", "LARGE"
    );
    for row in report.rows_by_need() {
        let [wait, review, cert, batch, small, large] = gate_cells(&row.card.current.gates, "-");
        let team = team_cell(&row.card.team);
        let _ = writeln!(
            out,
            "{team} {wait:>11} {review:>15} {cert:>15} {batch:>11} {small:>8} {large:>8}"
        );
    }
}

/// The window line and the scorecard's column heads.
fn scorecard_header(out: &mut String, report: &Report<'_>) {
    let cards = report.cards;
    let _ = writeln!(
        out,
        "Window {} .. {} ({} days), previous window for trends; tiers: {}",
        format::rfc3339(cards.window.start),
        format::rfc3339(cards.window.end),
        trim_float(cards.window.days()),
        cards.benchmark.name,
    );
    if report.coverage_short() {
        let _ = writeln!(
            out,
            "The history read covers only {} of these days: no previous data, so no trends.",
            trim_float(report.covered_days)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<20} {:<7} {:<24} {:<24} {:<24} {:<24} {:>7}",
        "TEAM",
        "TIER",
        "DEPLOYMENT FREQUENCY",
        "LEAD TIME",
        "CHANGE FAILURE RATE",
        "TIME TO RESTORE",
        "REWORK"
    );
}

/// One team's scorecard line: each metric's value, tier and trend arrow.
fn scorecard_row(row: &TeamRow<'_>) -> String {
    let t = row.card;
    let m = &t.current;
    let trends = row.trends;
    let arrow = |i: usize| trends[i].arrow(HIGHER_IS_BETTER[i]);
    let cell = |value: String, tier: Option<Tier>, i: usize| {
        format!("{value} {} {}", Tier::label_of(tier), arrow(i))
    };
    let f = &m.deployment_frequency;
    let freq = cell(
        format!("{} ({})", f.deployments, format::per_day(f.per_day)),
        f.tier,
        0,
    );
    let lead = cell(
        m.lead_time
            .median_seconds
            .map_or("-".into(), format::duration_secs),
        m.lead_time.tier,
        1,
    );
    let c = &m.change_failure_rate;
    let cfr = cell(
        c.rate.map_or("-".into(), |r| {
            format!("{} ({}/{})", format::percent(r), c.failed, c.deployments)
        }),
        c.tier,
        2,
    );
    let r = &m.time_to_restore;
    let mttr = cell(
        r.median_seconds.map_or("-".into(), format::duration_secs),
        r.tier,
        3,
    );
    let rework = m.rework_rate.rate.map_or("-".into(), format::percent);
    format!(
        "{} {:<7} {:<24} {:<24} {:<24} {:<24} {:>7}",
        team_cell(&t.team),
        Tier::label_of(t.tier),
        freq,
        lead,
        cfr,
        mttr,
        rework
    )
}

/// Teams, incidents open at the window's end, incidents without a deployment.
fn incident_summary(out: &mut String, report: &Report<'_>) {
    let cards = report.cards;
    let open: u64 = cards
        .teams
        .iter()
        .map(|t| t.current.time_to_restore.open)
        .sum();
    let _ = writeln!(
        out,
        "{}; {} open at the window's end; {} not attributed to any deployment",
        format::plural(cards.teams.len(), "team"),
        format::plural(usize::try_from(open).unwrap_or(usize::MAX), "incident"),
        format::plural(
            usize::try_from(cards.unattributed_incidents).unwrap_or(usize::MAX),
            "incident"
        ),
    );
}

/// The audit: open findings per team by severity, SLA breaches, the oldest
/// open critical, then the line about findings mapped to no team.
fn audit_section(out: &mut String, report: &Report<'_>) {
    let audit = report.audit;
    let _ = writeln!(
        out,
        "AUDIT: findings open at the window's end, by severity; past their SLA; oldest open critical"
    );
    let _ = writeln!(
        out,
        "{:<20} {:>4} {:>4} {:>4} {:>4} {:>4} {:>8}  OLDEST CRIT",
        "TEAM", "CRIT", "HIGH", "MED", "LOW", "INFO", "PAST SLA"
    );
    for row in report.rows_by_need() {
        let [crit, high, med, low, info, past, oldest] = row.audit_cells(audit, "-");
        let team = team_cell(&row.card.team);
        let _ = writeln!(
            out,
            "{team} {crit:>4} {high:>4} {med:>4} {low:>4} {info:>4} {past:>8}  {oldest}"
        );
    }
    let _ = writeln!(out, "{}", audit.unmapped_line());
}

/// The team column: 20 terminal columns, cut with `…` and padded by display
/// width, so that wide (CJK, emoji) names keep the next columns aligned.
fn team_cell(team: &str) -> String {
    text::pad_right(&text::truncate(team, 20), 20)
}

pub fn trim_float(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}
