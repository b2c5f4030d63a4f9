//! `report --format html`: one self-contained page for a retro, readable on
//! screen and printed to PDF. Inline CSS and SVG only: no script, no font, no
//! image or link that would reach the network. Every text from the records is
//! cleaned of control characters and escaped.

use super::markdown::trim;
use std::fmt::Write as _;

use crate::metrics::Tier;
use crate::metrics::trend::{HIGHER_IS_BETTER, Trend};
use crate::metrics::weekly::{KeyMetric, WeeklySeries, axis_top};
use crate::report::markdown::{METRICS, key_values, weakest};
use crate::report::model::{Report, TeamRow};
use crate::util::format;

/// Text from the records, safe inside an element or a quoted attribute.
pub fn escape(raw: &str) -> String {
    let clean = crate::util::text::sanitize(raw);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1a1a1a;background:#fff;
  margin:2rem auto;max-width:64rem;padding:0 1rem;line-height:1.4}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #bbb;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eee}.num{text-align:right;font-variant-numeric:tabular-nums}
.tier{font-weight:600;padding:0 .3rem;border-radius:.2rem}
.elite{background:#d7f0dd}.high{background:#e3ecfa}.medium{background:#fbf1d0}
.low{background:#f8d7d7;text-decoration:underline}
.better{color:#14612b}.worse{color:#8f1d1d;font-weight:600}.note{color:#555}
.charts{display:flex;flex-wrap:wrap;gap:.6rem}
figure{margin:0;break-inside:avoid}figcaption{font-size:.8rem;color:#333}
section.team{break-inside:avoid;page-break-inside:avoid}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}a{color:inherit}}
";

/// The page. `series`: each team's weekly series, in `report.teams` order
/// (`None`: a team with no records here, e.g. read back from exporters).
pub fn html(report: &Report<'_>, series: &[Option<WeeklySeries>]) -> String {
    let mut out = String::new();
    let w = report.cards.window;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Delivery scorecards {} .. {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        format::rfc3339(w.start),
        format::rfc3339(w.end)
    );
    window_section(&mut out, report);
    scorecards_section(&mut out, report);
    help_section(&mut out, report);
    trends_section(&mut out, report, series);
    audit_section(&mut out, report);
    let _ = writeln!(
        out,
        "<p class=\"note\">Written by flightdeck from {} lines read ({} malformed, {} of unknown types).</p>\n</body>\n</html>",
        report.diagnostics.lines,
        report.diagnostics.malformed.len(),
        report.diagnostics.skipped_types
    );
    out
}

fn window_section(out: &mut String, report: &Report<'_>) {
    let w = report.cards.window;
    let b = &report.cards.benchmark;
    let _ = writeln!(out, "<h1>Delivery scorecards</h1>");
    let _ = writeln!(
        out,
        "<p>Window <b>{}</b> .. <b>{}</b> ({} days), compared with the {} days before. \
         Tiers from the <b>{}</b> benchmark set ({}).</p>",
        format::rfc3339(w.start),
        format::rfc3339(w.end),
        trim(w.days()),
        trim(w.days()),
        escape(&b.name),
        escape(&b.source)
    );
    let coverage = if report.coverage_short() {
        format!(
            "The history read covers only {} of the {} days (from its first record): \
             frequency is counted over the whole window, and with no previous data no trend is given.",
            trim(report.covered_days),
            trim(w.days())
        )
    } else {
        format!(
            "Data coverage: the history read covers the whole window ({} days).",
            trim(w.days())
        )
    };
    let _ = writeln!(
        out,
        "<p>{coverage} {} incidents were not attributed to any deployment.</p>",
        report.cards.unattributed_incidents
    );
}

fn tier_span(t: Option<Tier>) -> String {
    match t {
        Some(t) => format!("<span class=\"tier {0}\">{0}</span>", t.label()),
        None => "<span class=\"note\">no tier</span>".into(),
    }
}

/// A metric's cell: value, tier, and against the previous window the
/// previous value and whether the change is better or worse for the team.
fn metric_cell(value: &str, tier: Option<Tier>, trend: Trend, up_good: bool, was: &str) -> String {
    let change = match trend {
        Trend::Better => format!(
            "<br><span class=\"better\">{} better</span>, was {}",
            trend.arrow(up_good),
            escape(was)
        ),
        Trend::Worse => format!(
            "<br><span class=\"worse\">{} worse</span>, was {}",
            trend.arrow(up_good),
            escape(was)
        ),
        Trend::Same => format!("<br>= same, was {}", escape(was)),
        Trend::Unknown => String::new(),
    };
    format!("{} {}{change}", escape(value), tier_span(tier))
}

fn scorecards_section(out: &mut String, report: &Report<'_>) {
    let _ = writeln!(out, "<h2>Scorecards</h2>");
    if report.teams.is_empty() {
        let _ = writeln!(out, "<p>No team is in the data.</p>");
        return;
    }
    let _ = writeln!(
        out,
        "<table>\n<tr><th>Team</th><th>Tier</th><th>Deployment frequency</th><th>Lead time</th>\
         <th>Change failure rate</th><th>Time to restore</th><th>Rework rate</th></tr>"
    );
    for row in report.rows_by_need() {
        let t = row.card;
        let now = key_values(&t.current, &t.current);
        let was = key_values(&t.previous, &t.current);
        let tiers = t.current.key_tiers();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td>",
            escape(&t.team),
            tier_span(t.tier)
        );
        for i in 0..4 {
            let cell = metric_cell(
                &now[i],
                tiers[i],
                row.trends[i],
                HIGHER_IS_BETTER[i],
                &was[i],
            );
            let _ = write!(out, "<td>{cell}</td>");
        }
        let r = &t.current.rework_rate;
        let rework = r.rate.map_or("–".to_string(), format::percent);
        let graded = if report.cards.benchmark.rework_percent_at_most.is_some() {
            format!(" {}", tier_span(r.tier))
        } else {
            String::new()
        };
        let _ = writeln!(out, "<td>{rework}{graded}</td></tr>");
    }
    let _ = writeln!(out, "</table>");
}

/// Teams in the low tier, each with its weakest metric and which way it went.
fn help_section(out: &mut String, report: &Report<'_>) {
    let _ = writeln!(out, "<h2>Teams that need help</h2>");
    let needing: Vec<&TeamRow> = report
        .rows_by_need()
        .filter(|r| r.card.tier == Some(Tier::Low))
        .collect();
    if needing.is_empty() {
        let _ = writeln!(out, "<p>No team is in the low tier.</p>");
        return;
    }
    let _ = writeln!(out, "<ul>");
    for row in needing {
        let t = row.card;
        let Some(i) = weakest(t) else { continue };
        let values = key_values(&t.current, &t.current);
        let change = match row.trends[i] {
            Trend::Better => ", better than the previous window",
            Trend::Worse => ", worse than the previous window",
            Trend::Same => ", as in the previous window",
            Trend::Unknown => "",
        };
        let _ = writeln!(
            out,
            "<li><b>{}</b>: {} {}, {} tier{change}.</li>",
            escape(&t.team),
            METRICS[i],
            escape(&values[i]),
            Tier::label_of(t.current.key_tiers()[i])
        );
    }
    let _ = writeln!(out, "</ul>");
}

fn trends_section(out: &mut String, report: &Report<'_>, series: &[Option<WeeklySeries>]) {
    let _ = writeln!(
        out,
        "<h2>Trends</h2>\n<p class=\"note\">Twelve weeks ending at the window's end, each week \
         computed as a window of its own. Dashed lines: the {} tier bands (long dashes elite, \
         short high, dots medium).</p>",
        escape(&report.cards.benchmark.name)
    );
    for (row, s) in report.teams.iter().zip(series) {
        let team = escape(&row.card.team);
        let _ = writeln!(out, "<section class=\"team\">\n<h3>{team}</h3>");
        match s {
            Some(s) => {
                let _ = writeln!(out, "<div class=\"charts\">");
                for metric in KeyMetric::ALL {
                    svg_chart(out, s, metric, &report.cards.benchmark);
                }
                let _ = writeln!(out, "</div>");
            }
            None => {
                let _ = writeln!(out, "<p class=\"note\">No records here to chart.</p>");
            }
        }
        let _ = writeln!(out, "</section>");
    }
}

const W: f64 = 300.0;
const H: f64 = 120.0;
/// Room for the value labels on the left and the dates below.
const LEFT: f64 = 34.0;
const BOTTOM: f64 = 16.0;
const DASHES: [&str; 3] = ["8 3", "4 3", "1 3"];

/// One chart: the weekly values as a line with a square on each week with
/// data, the bands as dashed lines (the dash says which tier, not only the
/// colour), the axis' top value and the first and last days.
fn svg_chart(
    out: &mut String,
    s: &WeeklySeries,
    metric: KeyMetric,
    bench: &crate::model::benchmarks::Benchmarks,
) {
    let values = s.values(metric);
    let bands = metric.bands(bench);
    let top = axis_top(&values, bands);
    let n = values.len().max(2) as f64 - 1.0;
    let x = |i: usize| LEFT + (W - LEFT - 6.0) * i as f64 / n;
    let y = |v: f64| 6.0 + (H - BOTTOM - 6.0) * (1.0 - (v / top).clamp(0.0, 1.0));
    let _ = write!(
        out,
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" \
         viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{} weekly\">\
         <rect x=\"{LEFT}\" y=\"6\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
        metric.label(),
        W - LEFT - 6.0,
        H - BOTTOM - 6.0
    );
    let colours = ["#1d7a3a", "#2459a8", "#a87a12"];
    for ((b, dash), colour) in bands.into_iter().flatten().zip(DASHES).zip(colours) {
        if b <= top {
            let _ = write!(
                out,
                "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{1:.1}\" y2=\"{1:.1}\" stroke=\"{colour}\" \
                 stroke-dasharray=\"{dash}\"/>",
                W - 6.0,
                y(b)
            );
        }
    }
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect();
    polylines(out, &values, &points);
    for p in &points {
        let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"5\" height=\"5\" transform=\"translate(-2.5 -2.5)\" fill=\"#222\"/>",
            px, py
        );
    }
    let day = |t: crate::model::Time| t.format("%m-%d").to_string();
    let (first, last) = (s.weeks.first(), s.weeks.last());
    let _ = write!(
        out,
        "<text x=\"2\" y=\"14\" font-size=\"10\">{}</text><text x=\"2\" y=\"{}\" font-size=\"10\">0</text>\
         <text x=\"{LEFT}\" y=\"{}\" font-size=\"10\">{}</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{}</text></svg>",
        short(top),
        H - BOTTOM,
        H - 3.0,
        first.map(|w| day(w.start)).unwrap_or_default(),
        W - 6.0,
        H - 3.0,
        last.map(|w| day(w.end)).unwrap_or_default(),
    );
    let graded = match bands {
        Some(_) => String::new(),
        None => format!(", not graded by {}", escape(&bench.name)),
    };
    let _ = writeln!(
        out,
        "<figcaption>{}, {}{graded}</figcaption></figure>",
        metric.label(),
        metric.unit()
    );
}

/// The series' line, in pieces: a week without data breaks it. `points` are
/// the weeks with data, in order.
fn polylines(out: &mut String, values: &[Option<f64>], points: &[String]) {
    // A line joins neighbouring weeks only: a week without data breaks it.
    let mut run: Vec<&str> = Vec::new();
    let mut at = points.iter();
    for v in values.iter().chain([&None]) {
        if v.is_some() {
            run.extend(at.next().map(String::as_str));
            continue;
        }
        if run.len() > 1 {
            let _ = write!(
                out,
                "<polyline fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\" points=\"{}\"/>",
                run.join(" ")
            );
        }
        run.clear();
    }
}

fn audit_section(out: &mut String, report: &Report<'_>) {
    let _ = writeln!(
        out,
        "<h2>Audit posture</h2>\n<p>Findings open at the window's end, by severity; past SLA: \
         open longer than their severity's SLA allows.</p>\n<table>\n<tr><th>Team</th>\
         <th>Critical</th><th>High</th><th>Medium</th><th>Low</th><th>Info</th>\
         <th>Past SLA</th><th>Oldest open critical</th></tr>"
    );
    for row in report.rows_by_need() {
        let cells: String = row
            .audit_cells(report.audit, "–")
            .iter()
            .map(|c| format!("<td class=\"num\">{}</td>", escape(c)))
            .collect();
        let _ = writeln!(out, "<tr><td>{}</td>{cells}</tr>", escape(&row.card.team));
    }
    let _ = writeln!(
        out,
        "</table>\n<p>{}</p>",
        escape(&report.audit.unmapped_line())
    );
}

fn short(v: f64) -> String {
    if v >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_never_pass() {
        assert_eq!(
            escape("<script>a&b</script>"),
            "&lt;script&gt;a&amp;b&lt;/script&gt;"
        );
        assert_eq!(escape("\"x\" 'y'"), "&quot;x&quot; &#39;y&#39;");
        assert!(!escape("bad\u{1b}[31mred").contains('\u{1b}'));
    }
}
