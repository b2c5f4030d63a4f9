//! `report --format csv`: one row per team, raw numbers, RFC 4180.
//!
//! One row per team (not one per team and metric) because the CSV is for
//! spreadsheets: a row per team sorts and filters as it is, and the fixed columns
//! keep their meaning from one report to the next. Numbers are raw (seconds,
//! ratios, per-day rates) so formulas work on them; an empty cell means "no data".
//! Text from sources (team names) that starts like a formula (`=`, `+`, `-`,
//! `@`, tab, CR) gets a leading `'`, so a spreadsheet shows it instead of
//! running it; `--raw-csv` writes it as it is.

use crate::metrics::Tier;
use crate::metrics::trend::Trend;
use crate::report::model::Report;
use crate::util::format;

/// A text cell a spreadsheet will not run as a formula (OWASP's advice: a
/// leading `'` for cells starting with `=`, `+`, `-`, `@`, tab or CR).
pub fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The header, in column order. New columns are only ever appended at the end,
/// so consumers that read columns by position keep working (the `findings_*`
/// columns came after `rework_rate`).
pub const COLUMNS: &[&str] = &[
    "team",
    "tier",
    "window_start",
    "window_end",
    "window_days",
    "deployments",
    "deployments_per_day",
    "deployment_frequency_tier",
    "deployment_frequency_trend",
    "lead_time_median_seconds",
    "lead_time_changes",
    "lead_time_skewed",
    "lead_time_tier",
    "lead_time_trend",
    "change_failure_failed",
    "change_failure_deployments",
    "change_failure_rate",
    "change_failure_rate_tier",
    "change_failure_rate_trend",
    "time_to_restore_median_seconds",
    "time_to_restore_incidents",
    "time_to_restore_open",
    "time_to_restore_tier",
    "time_to_restore_trend",
    "rework",
    "rework_deployments",
    "rework_rate",
    // Appended (see above): the team's findings open at the window's end by
    // severity and how many are past their SLA, as the JSON report's `findings`.
    "findings_open_critical",
    "findings_open_high",
    "findings_open_medium",
    "findings_open_low",
    "findings_open_info",
    "findings_sla_breaches",
    // Appended: the gates, as the JSON report's `gates`.
    "review_wait_median_seconds",
    "review_median_seconds",
    "review_changes",
    "certification_median_seconds",
    "certification_deployments",
    "batch_median",
    "batch_p90",
    "batch_small_failure_rate",
    "batch_large_failure_rate",
    // Appended: governance, as the JSON report's `contracts` and `accounts`
    // counted for the team.
    "contract_violations",
    "contracts_stalled",
    "accounts_drifted",
];

/// The whole CSV document, CRLF line ends (RFC 4180), teams sorted by name. A
/// field is quoted only when it holds a comma, a quote, CR or LF (quotes doubled).
pub fn csv(report: &Report<'_>, raw: bool) -> Result<String, ::csv::Error> {
    let cards = report.cards;
    let mut out = writer();
    out.write_record(COLUMNS)?;
    let start = format::rfc3339(cards.window.start);
    let end = format::rfc3339(cards.window.end);
    let days = number(cards.window.days());
    for row in &report.teams {
        let t = row.card;
        let m = &t.current;
        let trends = row.trends;
        let f = &m.deployment_frequency;
        let l = &m.lead_time;
        let c = &m.change_failure_rate;
        let r = &m.time_to_restore;
        let w = &m.rework_rate;
        let p = &row.posture;
        let g = &m.gates;
        out.write_record([
            if raw {
                t.team.to_string()
            } else {
                inert(&t.team)
            },
            tier(t.tier),
            start.clone(),
            end.clone(),
            days.clone(),
            f.deployments.to_string(),
            number(f.per_day),
            tier(f.tier),
            trend(trends[0]),
            optional(l.median_seconds),
            l.changes.to_string(),
            l.skewed.to_string(),
            tier(l.tier),
            trend(trends[1]),
            c.failed.to_string(),
            c.deployments.to_string(),
            optional(c.rate),
            tier(c.tier),
            trend(trends[2]),
            optional(r.median_seconds),
            r.incidents.to_string(),
            r.open.to_string(),
            tier(r.tier),
            trend(trends[3]),
            w.rework.to_string(),
            w.deployments.to_string(),
            optional(w.rate),
            p.open[0].to_string(),
            p.open[1].to_string(),
            p.open[2].to_string(),
            p.open[3].to_string(),
            p.open[4].to_string(),
            p.sla_breaches.to_string(),
            optional(g.review.median_wait_seconds),
            optional(g.review.median_seconds),
            g.review.changes.to_string(),
            optional(g.certification.median_seconds),
            g.certification.deployments.to_string(),
            optional(g.batch.median),
            optional(g.batch.p90),
            optional(g.batch.small_failure_rate),
            optional(g.batch.large_failure_rate),
            row.governance.violations.to_string(),
            row.governance.stalled.to_string(),
            row.governance.drifted.to_string(),
        ])?;
    }
    into_string(out)
}

fn writer() -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn into_string(out: ::csv::Writer<Vec<u8>>) -> Result<String, ::csv::Error> {
    let bytes = out
        .into_inner()
        .map_err(|e| ::csv::Error::from(e.into_error()))?;
    // Every field was a `String`, so the document is UTF-8.
    String::from_utf8(bytes)
        .map_err(|e| ::csv::Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

fn tier(t: Option<Tier>) -> String {
    t.map_or(String::new(), |t| t.label().to_string())
}

/// The direction for the team: better, worse, same; empty when one window has no data.
fn trend(t: Trend) -> String {
    match t {
        Trend::Better => "better",
        Trend::Worse => "worse",
        Trend::Same => "same",
        Trend::Unknown => "",
    }
    .to_string()
}

fn optional(x: Option<f64>) -> String {
    x.map_or(String::new(), number)
}

/// Shortest text that reads back as the same f64 (`1`, `0.1`, `0.3333333333333333`).
fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row as the writer writes it.
    fn field(value: &str) -> String {
        let mut out = writer();
        out.write_record([value, "x"]).unwrap();
        let row = into_string(out).unwrap();
        row.strip_suffix(",x\r\n").unwrap().to_string()
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("alpha"), "alpha");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("a|b"), "a|b");
        assert_eq!(field("cr\rhere"), "\"cr\rhere\"");
        assert_eq!(field(""), "");
        assert_eq!(field(" padded "), " padded ");
        assert_eq!(field("#hash"), "#hash");
        assert_eq!(field("東京チーム 🚀"), "東京チーム 🚀");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.1), "0.1");
    }
}
