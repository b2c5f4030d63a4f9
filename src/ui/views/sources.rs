//! `5` Sources: each source's freshness, volume and last error.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Cell, Row, Table};

use crate::app::App;
use crate::format;
use crate::store::Snapshot;
use crate::ui::theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, snapshot: &Snapshot) {
    let selected = app.view().selected;
    let rows = snapshot.sources.iter().enumerate().map(|(n, s)| {
        let (state, style) = if s.failing() {
            ("failing", theme::alert())
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
            })),
            Cell::from(s.items.to_string()),
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
        ["SOURCE", "KIND", "STATE", "LAST OK", "EVENTS", "PROBLEMS"]
            .map(|h| Cell::from(h).style(theme::header())),
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(12),
            Constraint::Length(9),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(Block::bordered().title(Span::styled(" Sources ", theme::title())));
    frame.render_widget(table, area);
}
