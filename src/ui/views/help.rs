//! `?`: the keys, read from the keymap so it is never out of date.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

use crate::app::keymap::BINDINGS;
use crate::ui::{centered, theme};

pub fn render(frame: &mut Frame, area: Rect, first: usize) {
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
    let rect = centered(area, 56, height);
    frame.render_widget(Clear, rect);
    // On a short terminal the list scrolls with j k (the bottom border says where).
    let block = Block::bordered().title(Span::styled(" Keys · ? or Esc closes ", theme::title()));
    crate::ui::scrolled(frame, rect, lines, first, block);
}
