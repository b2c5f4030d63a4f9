//! `?`: the keys in force, read from the keymap and the screen's own keys so
//! it is never out of date.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

use crate::app::keymap::{Binding, help_bindings};
use crate::app::keys_config::Keymap;
use crate::ui::centered;

/// The screen's keys first, then what the screen's symbols mean, then the
/// global keys.
/// Returns the last useful first line (see [`crate::ui::scrolled`]).
pub fn render(
    th: &Theme,
    frame: &mut Frame,
    area: Rect,
    first: usize,
    (screen, keymap): (&'static [Binding], &Keymap),
    legend: &[(String, String)],
) -> usize {
    let line = |keys: &str, help: &str| {
        Line::from(vec![
            Span::styled(format!(" {keys:<10}"), th.header),
            Span::raw(help.to_string()),
        ])
    };
    // The screen's keys, what its symbols mean, then the global keys.
    let mut lines: Vec<Line> = screen
        .iter()
        .filter(|b| !b.keys.is_empty())
        .map(|b| line(&keymap.label(b), b.help))
        .collect();
    for (symbols, meaning) in legend {
        lines.push(Line::from(vec![
            Span::styled(format!(" {symbols:<10}"), th.section),
            Span::raw(meaning.clone()),
        ]));
    }
    lines.extend(help_bindings(&[]).map(|b| line(&keymap.label(b), b.help)));
    // Actions `[keys]` rebound that the table lists under a sibling's label.
    for (keys, name) in keymap.extra_lines(screen) {
        lines.push(line(&keys, &name.replace('_', " ")));
    }
    let height = lines.len() as u16 + 2;
    let rect = centered(area, 56, height);
    frame.render_widget(Clear, rect);
    // On a short terminal the list scrolls with j k (the bottom border says where).
    let block = Block::bordered().title(Span::styled(" Keys · ? or Esc closes ", th.title));
    crate::ui::scrolled(th, frame, rect, &lines, first, block)
}
