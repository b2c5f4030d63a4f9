//! `5` Sources: each source's freshness, volume and last error.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};

use crate::app::screen::{Ctx, Cursor, Screen};
use crate::model::Time;
use crate::store::SourceStatus;
use crate::util::format;

/// `5` Sources: one row per source (its rows are the snapshot's sources).
#[derive(Debug, Default)]
pub struct Sources {}

impl Screen for Sources {
    fn name(&self) -> &'static str {
        "Sources"
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        cursor.set_rows(ctx.snapshot.sources.len());
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        draw(frame, area, ctx, cursor.selected);
    }
}

fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    // Narrow terminals: SOURCE as wide as the longest name, and QUOTA only when
    // a source reports one, so that PROBLEMS keeps some room.
    let show_quota = area.width >= 110 || snapshot.sources.iter().any(|s| s.quota.is_some());
    let name_w = snapshot
        .sources
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 16) as u16;
    let rows = snapshot.sources.iter().enumerate().map(|(n, s)| {
        let r = Row::new(source_cells(th, s, show_quota, ctx.now));
        if n == selected {
            r.style(th.selected)
        } else {
            r
        }
    });
    let mut heads = vec!["SOURCE", "KIND", "STATE", "LAST OK", "NEXT POLL", "EVENTS"];
    let mut widths = vec![
        Constraint::Length(name_w),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Length(14),
        Constraint::Length(10),
        Constraint::Length(7),
    ];
    if show_quota {
        heads.push("QUOTA");
        widths.push(Constraint::Length(10));
    }
    heads.push("PROBLEMS");
    widths.push(Constraint::Fill(1));
    let header = Row::new(heads.into_iter().map(|h| Cell::from(h).style(th.header)));
    let table = Table::new(rows, widths).header(header).block(
        Block::bordered()
            .title(Span::styled(" Sources ", th.title))
            .title_bottom(Span::styled(" p pause/resume · r poll now ", th.dim)),
    );
    let problem = |s: &SourceStatus| problem(s, ctx.now);
    // What the selected source read, by type (EVENTS mixes them), then its
    // problem, else the first failing source's, so that an error is always
    // readable somewhere on this screen.
    let current = snapshot.sources.get(selected);
    let detail = current
        .and_then(problem)
        .or_else(|| snapshot.sources.iter().find_map(problem));
    let problem_first = detail.is_some();
    let mut lines: Vec<Line> = detail
        .map(|d| Line::styled(d, th.alert))
        .into_iter()
        .collect();
    lines.extend(current.map(read_line));
    // As tall as the wrapped text, up to half the screen.
    let inner = usize::from(area.width.saturating_sub(2)).max(1);
    let wrapped: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let height = match wrapped {
        0 => 0,
        n => (n as u16 + 2).min(area.height / 2),
    };
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area);
    frame.render_widget(table, table_area);
    if height > 0 {
        let title = match (problem_first, current.is_some()) {
            (true, true) => " Problem · what the selected source read ",
            (true, false) => " Problem ",
            _ => " Read ",
        };
        let p = Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(Span::styled(title, th.title)));
        frame.render_widget(p, detail_area);
    }
}

/// "github read 12 deployment lines, 300 changes" (or "nothing yet").
fn read_line(s: &SourceStatus) -> Line<'static> {
    let read = match s.items.total() {
        0 => "nothing yet".to_string(),
        _ => s.items.summary(),
    };
    Line::raw(format!("{} read {read}", s.name))
}

/// One source's row: name, kind, state, last success, next poll, events,
/// (when `show_quota`) the rate-limit quota, and its problem.
fn source_cells(th: &Theme, s: &SourceStatus, show_quota: bool, now: Time) -> Vec<Cell<'static>> {
    let (state, style) = if s.stale() {
        ("stale", th.alert)
    } else if s.failing() {
        ("failing", th.alert)
    } else if s.paused {
        ("paused", th.warn)
    } else if s.warning.is_some() {
        ("warning", th.warn)
    } else if s.last_ok.is_some() {
        ("ok", th.ok)
    } else {
        ("waiting", th.dim)
    };
    let mut cells = vec![
        Cell::from(s.name.to_string()),
        Cell::from(s.kind),
        Cell::from(state).style(style),
        Cell::from(
            s.last_ok
                .map_or("never".into(), |t| format!("{} ago", format::age(now - t))),
        )
        .style(if s.stale() {
            th.alert
        } else {
            ratatui::style::Style::default()
        }),
        Cell::from(if s.paused {
            "paused".to_string()
        } else {
            s.next_poll.map_or("-".into(), |t| {
                if t > now {
                    format!("in {}", format::age(t - now))
                } else {
                    "now".into()
                }
            })
        }),
        Cell::from(s.items.total().to_string()),
    ];
    if show_quota {
        cells.push(
            Cell::from(s.quota.map_or("-".into(), |q| match q.limit {
                Some(l) => format!("{}/{l}", q.remaining),
                None => q.remaining.to_string(),
            }))
            .style(if s.quota.is_some_and(|q| q.remaining == 0) {
                th.alert
            } else {
                ratatui::style::Style::default()
            }),
        );
    }
    cells.push(match (&s.last_error, &s.warning) {
        (Some((t, e)), _) => {
            Cell::from(format!("{} ago: {e}", format::age(now - *t))).style(th.alert)
        }
        (None, Some(w)) => Cell::from(w.clone()).style(th.warn),
        (None, None) => Cell::from(""),
    });
    cells
}

/// A source's whole error or warning, which the table may cut.
fn problem(s: &SourceStatus, now: Time) -> Option<String> {
    let text = match (&s.last_error, &s.warning) {
        (Some((t, e)), _) if s.failing() => {
            format!(
                "{}: failing since {} ago: {e}",
                s.name,
                format::age(now - *t)
            )
        }
        (_, Some(w)) => format!("{}: {w}", s.name),
        _ => return None,
    };
    Some(text)
}
