//! The bottom line: sources' freshness, the window and the clock.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::format;
use crate::store::Snapshot;
use crate::ui::theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, snapshot: &Snapshot) {
    let mut left: Vec<Span> = Vec::new();
    // A message from the last key (e.g. where the screen was saved) comes first.
    if let Some(message) = &app.message {
        left.push(Span::styled(format!(" {message} "), theme::title()));
    }
    // Release-window mode: a badge, and a flash while a new alert is fresh.
    if app.release.on {
        let open = app.open_alerts(snapshot).count();
        match app
            .release
            .flash_text
            .as_ref()
            .filter(|_| app.release.flash > 0)
        {
            Some(text) => left.push(Span::styled(
                format!(" 🔔 {text} "),
                theme::alert().reversed(),
            )),
            None => left.push(Span::styled(
                format!(" REL {open} "),
                if open > 0 {
                    theme::alert().reversed()
                } else {
                    theme::ok().reversed()
                },
            )),
        }
    }
    if snapshot.sources.is_empty() {
        left.push(Span::styled(" waiting for sources… ", theme::dim()));
    }
    for s in &snapshot.sources {
        let (dot, style) = if s.failing() {
            ("●", theme::alert())
        } else if s.last_ok.is_some() {
            ("●", theme::ok())
        } else {
            ("○", theme::dim())
        };
        left.push(Span::styled(format!(" {dot} "), style));
        let age = s
            .last_ok
            .map(|t| format!("updated {} ago", format::age(app.now - t)))
            .unwrap_or_else(|| "no data yet".into());
        left.push(Span::raw(format!("{} {age}", s.name)));
        if let Some((_, err)) = s.last_error.as_ref().filter(|_| s.failing()) {
            left.push(Span::styled(format!(" ({err})"), theme::alert()));
        }
    }
    left.push(Span::styled(
        format!("  {} records", snapshot.views.records),
        theme::dim(),
    ));
    let mut right_spans = Vec::new();
    if let Some(r) = app.replay {
        let speed = crate::format::speed(r.speed);
        let (text, style) = if r.ended {
            (format!("■ replay ended {speed} "), theme::dim())
        } else if r.paused {
            (format!("⏸ replay paused {speed} "), theme::warn())
        } else {
            (format!("▶ replay {speed} "), theme::ok())
        };
        right_spans.push(Span::styled(text, style));
    }
    // A message gets the room of the window, clock and key hints for one key press.
    if app.message.is_none() {
        right_spans.extend([
            Span::styled(format!("{}d window ", app.window_days()), theme::title()),
            Span::raw(format!("{} UTC ", app.now.format("%Y-%m-%d %H:%M:%S"))),
            Span::styled("? help  q quit ", theme::dim()),
        ]);
    }
    let right = Line::from(right_spans).right_aligned();
    let [l, r] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(right.width() as u16 + 1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), l);
    frame.render_widget(Paragraph::new(right), r);
}
