//! `?`: the keys, read from the keymap so it is never out of date.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::keymap::BINDINGS;
use crate::ui::{centered, popup, theme};

pub fn render(frame: &mut Frame, area: Rect) {
    let lines: Vec<Line> = BINDINGS
        .iter()
        .filter(|b| !b.keys.is_empty())
        .map(|b| {
            Line::from(vec![
                Span::styled(format!(" {:<10}", b.keys), theme::header()),
                Span::raw(b.help),
            ])
        })
        .collect();
    let height = lines.len() as u16 + 2;
    let inner = popup(frame, centered(area, 56, height), "Keys · ? or Esc closes");
    frame.render_widget(Paragraph::new(lines), inner);
}
