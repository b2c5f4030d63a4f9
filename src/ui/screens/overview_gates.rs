//! The Overview's gates view (`v`): per team how long review (gate 1) and
//! canary certification (gate 2) take, and batch sizes with the failure rates
//! of small and large batches, in the same team order as the scorecards.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::overview::Listed;
use crate::app::screen::Ctx;
use crate::metrics::gates::Gates;
use crate::ui::widgets::fitted_table::{self, Col, FitRow, KEEP};
use crate::ui::widgets::scroll;
use crate::util::format;

pub fn table(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, listed: Listed) {
    let (listed, filtered) = listed;
    let th = &ctx.theme;
    let w = &ctx.snapshot.views.windows[ctx.window];
    let block = Block::bordered().title(Span::styled(
        format!(" Overview · gates · last {} days{filtered} ", w.days),
        th.title,
    ));
    let inner_height = block.inner(area).height.saturating_sub(1) as usize;
    let offset = scroll::offset(selected, inner_height);
    let empty = listed.is_empty() && !filtered.is_empty();
    let rows: Vec<FitRow> = listed
        .iter()
        .filter_map(|&i| w.scorecards.teams.get(i))
        .enumerate()
        .skip(offset)
        .take(inner_height)
        .map(|(row, t)| {
            let mut cells = vec![Line::raw(t.team.to_string())];
            cells.extend(cells_of(th, &t.current.gates));
            FitRow::marked(cells, row == selected, th.selected)
        })
        .collect();
    fitted_table::draw(frame, area, block, (&COLUMNS, th.header), rows);
    if empty {
        super::overview::no_match(frame, area, th, "team");
    }
}

/// Numbers whole or dropped: the review time goes first, then the batch
/// sizes; the small/large failure rates are one column, so that neither is
/// shown without the other; the team's name shrinks before any number is cut.
const COLUMNS: [Col; 6] = [
    Col::name("TEAM", 8, KEEP),
    Col::whole("REVIEW WAIT", 6),
    Col::whole("REVIEW TIME", 2),
    Col::whole("CERTIFY", 5),
    Col::whole("BATCH p50/p90", 3),
    Col::whole("FAIL small/large", 4),
];

fn cells_of(th: &Theme, g: &Gates) -> Vec<Line<'static>> {
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
        Line::raw(secs(g.review.median_wait_seconds)),
        Line::raw(secs(g.review.median_seconds)),
        Line::raw(secs(g.certification.median_seconds)),
        Line::raw(format!("{} / {}", size(b.median), size(b.p90))),
        Line::styled(
            format!(
                "{} / {}",
                rate(b.small_failure_rate),
                rate(b.large_failure_rate)
            ),
            if worse { th.alert } else { Default::default() },
        ),
    ]
}

pub fn legend(th: &Theme) -> Paragraph<'static> {
    Paragraph::new(Line::from(Span::styled(
        " medians over the window · batch: changes a deployment shipped first · \
         fail: small <= median < large · v key metrics · Enter details",
        th.dim,
    )))
}
