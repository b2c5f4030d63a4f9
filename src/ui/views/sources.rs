//! `5` Sources: each source's freshness, volume and last error.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};

use crate::app::App;
use crate::format;
use crate::store::Snapshot;
use crate::ui::theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, snapshot: &Snapshot) {
    let selected = app.view().selected;
    let rows = snapshot.sources.iter().enumerate().map(|(n, s)| {
        let (state, style) = if s.stale() {
            ("stale", theme::alert())
        } else if s.failing() {
            ("failing", theme::alert())
        } else if s.paused {
            ("paused", theme::warn())
        } else if s.warning.is_some() {
            ("warning", theme::warn())
        } else if s.last_ok.is_some() {
            ("ok", theme::ok())
        } else {
            ("waiting", theme::dim())
        };
        let r = Row::new(vec![
            Cell::from(s.name.to_string()),
            Cell::from(s.kind),
            Cell::from(state).style(style),
            Cell::from(s.last_ok.map_or("never".into(), |t| {
                format!("{} ago", format::age(app.now - t))
            }))
            .style(if s.stale() {
                theme::alert()
            } else {
                ratatui::style::Style::default()
            }),
            Cell::from(if s.paused {
                "paused".to_string()
            } else {
                s.next_poll.map_or("-".into(), |t| {
                    if t > app.now {
                        format!("in {}", format::age(t - app.now))
                    } else {
                        "now".into()
                    }
                })
            }),
            Cell::from(s.items.to_string()),
            Cell::from(s.quota.map_or("-".into(), |q| match q.limit {
                Some(l) => format!("{}/{l}", q.remaining),
                None => q.remaining.to_string(),
            }))
            .style(if s.quota.is_some_and(|q| q.remaining == 0) {
                theme::alert()
            } else {
                ratatui::style::Style::default()
            }),
            match (&s.last_error, &s.warning) {
                (Some((t, e)), _) => Cell::from(format!("{} ago: {e}", format::age(app.now - *t)))
                    .style(theme::alert()),
                (None, Some(w)) => Cell::from(w.clone()).style(theme::warn()),
                (None, None) => Cell::from(""),
            },
        ]);
        if n == selected {
            r.style(theme::selected())
        } else {
            r
        }
    });
    let header = Row::new(
        [
            "SOURCE",
            "KIND",
            "STATE",
            "LAST OK",
            "NEXT POLL",
            "EVENTS",
            "QUOTA",
            "PROBLEMS",
        ]
        .map(|h| Cell::from(h).style(theme::header())),
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(11),
            Constraint::Length(8),
            Constraint::Length(14),
            Constraint::Length(10),
            Constraint::Length(7),
            Constraint::Length(10),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(
        Block::bordered()
            .title(Span::styled(" Sources ", theme::title()))
            .title_bottom(Span::styled(" p pause/resume · r poll now ", theme::dim())),
    );
    // The selected source's whole error, which the table may cut.
    let detail = snapshot.sources.get(selected).and_then(|s| {
        let text = match (&s.last_error, &s.warning) {
            (Some((t, e)), _) if s.failing() => {
                format!(
                    "{}: failing since {} ago: {e}",
                    s.name,
                    format::age(app.now - *t)
                )
            }
            (_, Some(w)) => format!("{}: {w}", s.name),
            _ => return None,
        };
        Some(text)
    });
    let [table_area, detail_area] = match detail {
        Some(_) => Layout::vertical([Constraint::Fill(1), Constraint::Length(4)]).areas(area),
        None => [area, Rect::default()],
    };
    frame.render_widget(table, table_area);
    if let Some(text) = detail {
        let p = Paragraph::new(text)
            .style(theme::alert())
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(Span::styled(" Selected source ", theme::title())));
        frame.render_widget(p, detail_area);
    }
}
