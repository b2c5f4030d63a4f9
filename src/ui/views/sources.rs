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
            Constraint::Length(9),
            Constraint::Length(8),
            Constraint::Length(10),
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
    frame.render_widget(table, area);
}
