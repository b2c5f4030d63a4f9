//! `?`: the keys in force, read from the keymap and the screen's own keys so
//! it is never out of date.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

use crate::app::keymap::{Binding, help_bindings};
use crate::ui::centered;

/// The screen's keys first, then the global ones.
/// Returns the last useful first line (see [`crate::ui::scrolled`]).
pub fn render(
    th: &Theme,
    frame: &mut Frame,
    area: Rect,
    first: usize,
    screen: &'static [Binding],
) -> usize {
    let lines: Vec<Line> = help_bindings(screen)
        .map(|b| {
            Line::from(vec![
                Span::styled(format!(" {:<10}", b.keys), th.header),
                Span::raw(b.help),
            ])
        })
        .collect();
    let height = lines.len() as u16 + 2;
    let rect = centered(area, 56, height);
    frame.render_widget(Clear, rect);
    // On a short terminal the list scrolls with j k (the bottom border says where).
    let block = Block::bordered().title(Span::styled(" Keys · ? or Esc closes ", th.title));
    crate::ui::scrolled(th, frame, rect, &lines, first, block)
}
