//! `report --format markdown`: a scorecard table with tiers and trend arrows, and
//! a short "teams that need help" section and an audit section (open findings per
//! team, as the JSON report's `findings`), ready to paste into a retro document.

use std::fmt::Write as _;

use crate::metrics::trend::{HIGHER_IS_BETTER, Trend, key_trends};
use crate::metrics::{TeamMetrics, TeamScorecard, Tier};
use crate::report::findings::Audit;
use crate::report::model::{Report, TeamRow, gate_cells};
use crate::util::format;

pub const METRICS: [&str; 4] = [
    "deployment frequency",
    "lead time",
    "change failure rate",
    "time to restore",
];

/// The title and what the window is: its bounds, what the arrows compare
/// with, and how much of it the history read covers when that is less.
fn window_lines(out: &mut String, report: &Report<'_>) {
    let window = report.cards.window;
    let days = window.days();
    let _ = writeln!(out, "# Delivery scorecards");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Window {} .. {} ({} days). Against the previous {} days: ↑ the number went up, \
         ↓ it went down, = about the same; better or worse says what that means for the \
         team (a lower change failure rate is better), then the previous value.",
        format::rfc3339(window.start),
        format::rfc3339(window.end),
        trim(days),
        trim(days),
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Tiers from the {} benchmark set ({}).",
        report.cards.benchmark.name, report.cards.benchmark.source
    );
    if report.coverage_short() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "The history read covers only {} of these days (from its first record); \
             frequency is counted over the whole window, and with no previous data no trend is drawn.",
            trim(report.covered_days)
        );
    }
}

pub fn markdown(report: &Report<'_>) -> String {
    let (cards, audit) = (report.cards, report.audit);
    let mut out = String::new();
    window_lines(&mut out, report);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| Team | Tier | Deployment frequency | Lead time | Change failure rate | Time to restore | Rework rate |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for row in report.rows_by_need() {
        let t = row.card;
        let values = key_values(&t.current, &t.current);
        let was = key_values(&t.previous, &t.current);
        let tiers = t.current.key_tiers();
        let trends = row.trends;
        let mut row = format!("| {} | {} |", escape(&t.team), tier_cell(t.tier));
        for i in 0..4 {
            let cell = metric_cell(&values[i], tiers[i], trends[i], HIGHER_IS_BETTER[i]);
            let _ = write!(row, " {cell}{} |", previous(trends[i], &was[i]));
        }
        let r = &t.current.rework_rate;
        let mut rework = r.rate.map_or("–".to_string(), format::percent);
        if let Some(tier) = r.tier {
            let _ = write!(rework, " · {}", tier.label());
        }
        let _ = writeln!(out, "{row} {rework} |");
    }
    if cards.teams.is_empty() {
        let _ = writeln!(out, "| (no teams) | | | | | | |");
    }
    framing_section(&mut out, report);
    let _ = writeln!(out);
    let _ = writeln!(out, "## Teams that need help");
    let _ = writeln!(out);
    let needing: Vec<&TeamRow> = report
        .rows_by_need()
        .filter(|r| r.card.tier == Some(Tier::Low))
        .collect();
    if needing.is_empty() {
        let _ = writeln!(out, "No team is in the low tier.");
    }
    for row in needing {
        let t = row.card;
        if let Some(i) = weakest(t) {
            let values = key_values(&t.current, &t.current);
            let trend = row.trends[i];
            let change = match trend {
                Trend::Better => ", better than the previous window",
                Trend::Worse => ", worse than the previous window",
                Trend::Same => ", as in the previous window",
                Trend::Unknown => "",
            };
            let _ = writeln!(
                out,
                "- **{}**: {} {}, {} tier{change}",
                escape(&t.team),
                METRICS[i],
                values[i],
                Tier::label_of(t.current.key_tiers()[i]),
            );
        }
    }
    let _ = writeln!(out);
    gates_section(&mut out, report);
    let _ = writeln!(out);
    audit_section(&mut out, report, audit);
    let _ = writeln!(out);
    crate::report::governance::markdown_section(
        &mut out,
        report.governance,
        report.cards.window.start,
        escape,
    );
    out
}

/// Under the 2025 framing: each team's throughput (lead time, frequency,
/// recovery) and instability (failure and rework rate), each its weakest tier.
fn framing_section(out: &mut String, report: &Report<'_>) {
    use crate::model::benchmarks::Framing;
    if report.cards.benchmark.framing != Framing::ThroughputInstability {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "## Throughput and instability");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Throughput: lead time, deployment frequency and failed deployment recovery time; \
         instability: change failure rate and rework rate (where graded). Each is its weakest tier."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| Team | Throughput | Instability |");
    let _ = writeln!(out, "|---|---|---|");
    for row in report.rows_by_need() {
        let m = &row.card.current;
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            escape(&row.card.team),
            tier_cell(m.throughput_tier()),
            tier_cell(m.instability_tier())
        );
    }
}

/// `## Gates`: review wait and time, canary certification, batch sizes and the
/// failure rates of small (<= median) and large (> median) batches.
fn gates_section(out: &mut String, report: &Report<'_>) {
    let _ = writeln!(out, "## Gates");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Medians over the changes and deployments counted in the window; in brackets \
         how many carry the times. Batch: changes a deployment shipped first."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| Team | Review wait | Review time | Certification | Batch median / p90 | Small batches failed | Large batches failed |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for row in report.rows_by_need() {
        let cells = gate_cells(&row.card.current.gates, "–").join(" | ");
        let _ = writeln!(out, "| {} | {cells} |", escape(&row.card.team));
    }
    if report.teams.is_empty() {
        let _ = writeln!(out, "| (no teams) | | | | | | |");
    }
}

/// `## Audit`: per team the findings open at the window's end by severity, how
/// many are past their SLA and the age of the oldest open critical one; then the
/// findings no rule maps to a team.
fn audit_section(out: &mut String, report: &Report<'_>, audit: &Audit) {
    let _ = writeln!(out, "## Audit");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Findings open at the window's end, by severity; past SLA: open longer than \
         their severity's SLA allows."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| Team | Critical | High | Medium | Low | Info | Past SLA | Oldest open critical |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for row in report.rows_by_need() {
        let cells = row.audit_cells(audit, "–").join(" | ");
        let _ = writeln!(out, "| {} | {cells} |", escape(&row.card.team));
    }
    if report.teams.is_empty() {
        let _ = writeln!(out, "| (no teams) | | | | | | | |");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", audit.unmapped_line());
}

/// The weakest key metric of a team: lowest tier; among equals the one that got
/// worse, then the first in display order.
pub fn weakest(t: &TeamScorecard) -> Option<usize> {
    let tiers = t.current.key_tiers();
    let trends = key_trends(&t.current, &t.previous);
    (0..4)
        .filter(|&i| tiers[i].is_some())
        .min_by_key(|&i| (tiers[i], trends[i] != Trend::Worse, i))
}

/// The four key metrics as short readable numbers.
/// The four key metrics as written, frequency in the unit `unit_of`'s would
/// take (so a previous window reads in its current window's unit).
pub fn key_values(m: &TeamMetrics, unit_of: &TeamMetrics) -> [String; 4] {
    let f = &m.deployment_frequency;
    let c = &m.change_failure_rate;
    let like = unit_of.deployment_frequency.per_day;
    [
        format!(
            "{} ({})",
            f.deployments,
            format::per_day_as(f.per_day, like)
        ),
        m.lead_time
            .median_seconds
            .map_or("–".into(), format::duration_secs),
        c.rate.map_or("–".into(), |r| {
            format!("{} ({}/{})", format::percent(r), c.failed, c.deployments)
        }),
        m.time_to_restore
            .median_seconds
            .map_or("–".into(), format::duration_secs),
    ]
}

fn metric_cell(value: &str, tier: Option<Tier>, trend: Trend, higher_is_better: bool) -> String {
    let arrow = trend.arrow(higher_is_better).trim();
    let mut cell = value.to_string();
    if let Some(t) = tier {
        let _ = write!(cell, " · {}", t.label());
    }
    if !arrow.is_empty() {
        let _ = write!(cell, " {arrow}");
    }
    cell
}

/// What a trend means for the team and the previous value: ` better, was 2h`;
/// nothing when there is no previous data to compare with.
fn previous(trend: Trend, was: &str) -> String {
    let word = match trend {
        Trend::Better => "better",
        Trend::Worse => "worse",
        Trend::Same => "same",
        Trend::Unknown => return String::new(),
    };
    format!(" {word}, was {was}")
}

fn tier_cell(tier: Option<Tier>) -> String {
    match tier {
        Some(Tier::Low) => "**low**".into(),
        Some(t) => t.label().into(),
        None => "–".into(),
    }
}

/// Text from sources inside Markdown: characters that would start formatting, a
/// link, HTML or end a table cell are backslash-escaped; line breaks become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A number with two decimals, or none when it is whole (`2`, `2.50`).
pub(super) fn trim(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_breaking_characters_are_escaped() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("*x* _y_"), "\\*x\\* \\_y\\_");
        assert_eq!(escape("<b>\nz"), "\\<b\\> z");
        assert_eq!(escape("plain, \"quoted\""), "plain, \"quoted\"");
    }
}
