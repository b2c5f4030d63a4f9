//! The Overview's gates view (`v`): per team how long review (gate 1) and
//! canary certification (gate 2) take, and batch sizes with the failure rates
//! of small and large batches, in the same team order as the scorecards.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use crate::app::screen::Ctx;
use crate::metrics::gates::Gates;
use crate::ui::widgets::scroll;
use crate::util::format;

pub fn table(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize) {
    let th = &ctx.theme;
    let w = &ctx.snapshot.views.windows[ctx.window];
    let block = Block::bordered().title(Span::styled(
        format!(" Overview · gates · last {} days ", w.days),
        th.title,
    ));
    let inner_height = block.inner(area).height.saturating_sub(1) as usize;
    let offset = scroll::offset(selected, inner_height);
    let heads = [
        "TEAM",
        "REVIEW WAIT",
        "REVIEW TIME",
        "CERTIFY",
        "BATCH p50/p90",
        "SMALL FAIL",
        "LARGE FAIL",
    ];
    let header = Row::new(heads.map(|h| Cell::from(h).style(th.header)));
    let rows = w
        .order
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_height)
        .map(|(row, &i)| {
            let t = &w.scorecards.teams[i];
            let mut cells = vec![Cell::from(t.team.to_string())];
            cells.extend(cells_of(th, &t.current.gates));
            let r = Row::new(cells);
            if row == selected {
                r.style(th.selected)
            } else {
                r
            }
        });
    // The team column as wide as the longest name (12 to 30); the room left
    // stays at the right, so the numbers sit next to their team.
    let team_width = w
        .scorecards
        .teams
        .iter()
        .map(|t| crate::util::text::width(&t.team))
        .max()
        .unwrap_or(0)
        .clamp(12, 30) as u16;
    let widths = [
        Constraint::Length(team_width),
        Constraint::Length(11),
        Constraint::Length(11),
        Constraint::Length(9),
        Constraint::Length(13),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn cells_of(th: &Theme, g: &Gates) -> Vec<Cell<'static>> {
    let secs = |s: Option<f64>| s.map_or("-".into(), format::duration_secs);
    let rate = |r: Option<f64>| r.map_or("-".into(), format::percent);
    let size = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v}"));
    let b = &g.batch;
    // Large batches failing more often than small ones: shown as an alert.
    let worse = matches!(
        (b.small_failure_rate, b.large_failure_rate),
        (Some(s), Some(l)) if l > s
    );
    vec![
        Cell::from(secs(g.review.median_wait_seconds)),
        Cell::from(secs(g.review.median_seconds)),
        Cell::from(secs(g.certification.median_seconds)),
        Cell::from(format!("{} / {}", size(b.median), size(b.p90))),
        Cell::from(rate(b.small_failure_rate)),
        Cell::from(rate(b.large_failure_rate)).style(if worse {
            th.alert
        } else {
            Default::default()
        }),
    ]
}

pub fn legend(th: &Theme) -> Paragraph<'static> {
    Paragraph::new(Line::from(Span::styled(
        " medians over the window · batch: changes a deployment shipped first · \
         fail: small <= median < large · v key metrics · Enter details",
        th.dim,
    )))
}
