//! The Findings screen's posture tables: open findings per team and per
//! account by severity, with their history and frameworks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::findings::severity_style;
use crate::app::screen::Ctx;
use crate::app::theme::Theme;
use crate::metrics::posture::Posture;
use crate::model::{Severity, Time};
use crate::ui::widgets::fitted_table::{self, Col, FitRow, KEEP};
use crate::util::format;

pub fn table(
    frame: &mut Frame,
    area: Rect,
    first: &'static str,
    rows: &[Posture],
    title: &str,
    ctx: &Ctx,
) {
    let th = &ctx.theme;
    let now = ctx.snapshot.views.now;
    let block = Block::bordered().title(Span::styled(
        crate::ui::fit_title(title, area.width),
        th.title,
    ));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    // The rows come needing action first (`metrics::posture`), so what does
    // not fit is the calm part.
    let shown = rows.len().min(height);
    let hidden = rows.len() - shown;
    let body: Vec<FitRow> = rows
        .iter()
        .take(shown)
        .map(|p| FitRow {
            cells: posture_cells(th, p, now),
            style: Style::new(),
        })
        .collect();
    // What does not fit is counted on the bottom border.
    let block = if hidden > 0 {
        block.title_bottom(Span::styled(format!(" +{hidden} more "), th.warn))
    } else {
        block
    };
    let mut cols = POSTURE_COLUMNS;
    cols[0].head = first;
    fitted_table::draw(frame, area, block, (&cols, th.header), body);
}

/// The posture tables' columns: the team or account and its open count stay;
/// a narrow terminal drops the history (fixed, median fix, trend, oldest
/// critical) first, then the calm severities, keeping criticals and past-SLA
/// counts longest. The frameworks take the spare width.
const POSTURE_COLUMNS: [Col; 14] = [
    Col::whole("NAME", KEEP),
    Col::whole("OPEN", KEEP),
    Col::whole("CRIT", 13),
    Col::whole("HIGH", 11),
    Col::whole("MED", 9),
    Col::whole("LOW", 7),
    Col::whole("INFO", 6),
    Col::whole("NEW 24H", 8),
    Col::whole("PAST SLA", 12),
    Col::whole("OLDEST CRIT", 5),
    Col::whole("FIXED", 2),
    Col::whole("MEDIAN FIX", 3),
    Col::whole("TREND", 4),
    Col::text("FRAMEWORKS", 10, 10),
];

/// One team's or account's row: open counts by severity, new, past SLA,
/// oldest critical, fixed, median fix time and trend, then the top frameworks.
fn posture_cells(th: &Theme, p: &Posture, now: Time) -> Vec<Line<'static>> {
    let count = |n: u64, style: Style| {
        Line::from(Span::styled(
            n.to_string(),
            if n > 0 { style } else { th.dim },
        ))
    };
    let mut cells = vec![
        Line::from(p.name.to_string()),
        Line::from(p.open_total.to_string()),
        count(p.open[0], severity_style(th, Severity::Critical)),
        count(p.open[1], severity_style(th, Severity::High)),
        count(p.open[2], severity_style(th, Severity::Medium)),
        count(p.open[3], Style::default()),
        count(p.open[4], severity_style(th, Severity::Info)),
        count(p.new_24h, Style::default()),
        count(p.sla_breaches, th.alert),
    ];
    let mut fws: Vec<(&String, &u64)> = p.by_framework.iter().collect();
    fws.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let fw_text = fws
        .iter()
        .take(4)
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    cells.push(Line::from(
        p.oldest_open_critical
            .map_or("-".into(), |t| format::duration(now - t)),
    ));
    cells.push(Line::from(p.resolved.to_string()));
    cells.push(Line::from(
        p.median_resolve_seconds
            .map_or("-".into(), format::duration_secs),
    ));
    let (arrow, style) = match p.open_change() {
        c if c > 0 => (format!("↑{c}"), th.alert),
        c if c < 0 => (format!("↓{}", -c), th.ok),
        _ => ("=".to_string(), th.dim),
    };
    cells.push(Line::from(Span::styled(arrow, style)));
    cells.push(Line::from(Span::styled(fw_text, th.dim)));
    cells
}
