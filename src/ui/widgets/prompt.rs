//! The `/` prompt, drawn over a screen's first line: the text, a cursor, then
//! the first problem of the text (as an alert) or the syntax, as much of it as
//! fits. The screen works out the hint (from its filter), given the room left.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::theme::Theme;

pub fn render(
    th: &Theme,
    frame: &mut Frame,
    area: Rect,
    text: &str,
    hint: impl FnOnce(usize) -> (String, bool),
) {
    const LEAD: &str = " filter / ";
    let area = Rect { height: 1, ..area };
    let used = LEAD.chars().count() + text.chars().count() + 1 + 2;
    let (hint, problem) = hint((area.width as usize).saturating_sub(used));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(LEAD, th.title),
            Span::raw(text.to_string()),
            Span::styled("█", th.selected),
            Span::raw("  "),
            Span::styled(hint, if problem { th.alert } else { th.dim }),
        ])),
        area,
    );
}

/// A list screen's `/` prompt, while it is open.
pub fn render_listing(
    th: &Theme,
    frame: &mut Frame,
    area: Rect,
    listing: &crate::app::listing::Listing,
) {
    if let Some(text) = listing.prompt() {
        render(th, frame, area, text, |room| listing.hint(room));
    }
}
