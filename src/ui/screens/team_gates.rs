//! The team drill-down's Gates section: review wait and review time (gate 1),
//! canary certification (gate 2) and batch size with the failure rates of small
//! and large batches, each against the previous window; and the cells that put
//! the records behind those numbers (each deployment's batch size and
//! certification time, each change's review wait and review time) in the rows.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::metrics::TeamScorecard;
use crate::metrics::dora::DeploymentGates;
use crate::metrics::gates::{Gates, review_time, review_wait};
use crate::model::records::ChangeRecord;
use crate::util::format;

pub fn draw(th: &Theme, frame: &mut Frame, area: Rect, card: &TeamScorecard, canary_region: &str) {
    let title =
        format!(" Gates · review (gate 1) and canary certification in {canary_region} (gate 2) ");
    frame.render_widget(
        Paragraph::new(lines(
            th,
            &card.current.gates,
            &card.previous.gates,
            area.width.saturating_sub(2) as usize,
        ))
        .block(Block::bordered().title(Span::styled(
            crate::ui::fit_title(&title, area.width),
            th.title,
        ))),
        area,
    );
}

fn secs(s: Option<f64>) -> String {
    s.map_or("-".into(), format::duration_secs)
}

fn rate(r: Option<f64>) -> String {
    r.map_or("-".into(), format::percent)
}

fn size(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v}"))
}

/// Four lines in `width` columns: the number now, the previous window's, and
/// what it counts: the longest of `counts` that fits whole, none where none
/// does (a cut "66" would read as another number).
pub fn lines(th: &Theme, now: &Gates, before: &Gates, width: usize) -> Vec<Line<'static>> {
    let row = |name: &str, value: String, was: String, counts: Vec<String>, alert: bool| {
        let style = if alert { th.alert } else { Default::default() };
        let mut spans = vec![
            Span::raw(format!(" {name:<14}")),
            Span::styled(format!("{value:>11}"), style),
            Span::styled(format!("  was {was:<11}"), th.dim),
        ];
        let used: usize = spans.iter().map(Span::width).sum();
        if let Some(c) = counts
            .into_iter()
            .find(|c| used + 1 + crate::util::text::width(c) <= width)
        {
            spans.push(Span::raw(format!(" {c}")));
        }
        Line::from(spans)
    };
    let r = &now.review;
    let c = &now.certification;
    let b = &now.batch;
    let batch = |g: &Gates| format!("{} p90 {}", size(g.batch.median), size(g.batch.p90));
    // Large batches failing more often than small ones is the signal to act on.
    let large_fail_more = matches!(
        (b.small_failure_rate, b.large_failure_rate),
        (Some(s), Some(l)) if l > s
    );
    vec![
        row(
            "Review wait",
            secs(r.median_wait_seconds),
            secs(before.review.median_wait_seconds),
            vec![
                format!(
                    "ready → 1st review · {}, {} skewed",
                    format::plural(r.changes as usize, "change"),
                    r.skewed_waits
                ),
                format::plural(r.changes as usize, "change"),
            ],
            false,
        ),
        row(
            "Review time",
            secs(r.median_seconds),
            secs(before.review.median_seconds),
            vec![
                format!("ready → merged · {} skewed", r.skewed_times),
                format!("{} skewed", r.skewed_times),
            ],
            false,
        ),
        row(
            "Certification",
            secs(c.median_seconds),
            secs(before.certification.median_seconds),
            vec![
                format!(
                    "1st line → pass · {}",
                    format::plural(c.deployments as usize, "deployment")
                ),
                format::plural(c.deployments as usize, "deployment"),
            ],
            false,
        ),
        row(
            "Batch size",
            batch(now),
            batch(before),
            batch_counts(b),
            large_fail_more,
        ),
    ]
}

/// The batch line's failure rates, longest first (see [`lines`]).
fn batch_counts(b: &crate::metrics::gates::Batch) -> Vec<String> {
    let (small, large) = (rate(b.small_failure_rate), rate(b.large_failure_rate));
    vec![
        format!(
            "fail: small {small} of {} · large {large} of {}",
            b.small, b.large
        ),
        format!("fail: small {small} · large {large}"),
        format!("{small} / {large}"),
    ]
}

/// A deployment row's gate cells: its batch size and certification time
/// (labelled where the row is `wide`, bare numbers otherwise).
pub fn deployment_cells(th: &Theme, g: &DeploymentGates, wide: bool) -> Vec<Span<'static>> {
    let (b, c) = if wide { ("batch ", "cert ") } else { ("", "") };
    let cert = match g.certification {
        Some(d) if d < chrono::TimeDelta::zero() => {
            Span::styled(format!("{c}{:<8}", "skewed"), th.alert)
        }
        Some(d) => Span::raw(format!("{c}{:<8}", format::duration(d))),
        None => Span::styled(format!("{c}{:<8}", "-"), th.dim),
    };
    vec![Span::raw(format!("{b}{:<3}", g.batch)), cert]
}

/// A change row's gate cells: its review wait and review time (labelled where
/// the row is `wide`).
pub fn change_cells(th: &Theme, c: &ChangeRecord, wide: bool) -> Vec<Span<'static>> {
    let cell = |label: &str, d: Option<chrono::TimeDelta>| {
        let label = if wide { label } else { "" };
        match d {
            Some(d) if d < chrono::TimeDelta::zero() => {
                Span::styled(format!("{label}{:<8}", "skewed"), th.alert)
            }
            Some(d) => Span::raw(format!("{label}{:<8}", format::duration(d))),
            None => Span::styled(format!("{label}{:<8}", "-"), th.dim),
        }
    };
    vec![
        cell("wait ", review_wait(c)),
        cell("review ", review_time(c)),
    ]
}
