//! `:` the palette, drawn over the screen: the text typed, then the best
//! matches with the selected one marked; the list scrolls with the selection.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::palette::Palette;
use crate::app::theme::Theme;
use crate::ui::widgets::scroll;
use crate::util::text::truncate;

pub fn render(th: &Theme, frame: &mut Frame, area: Rect, p: &Palette) {
    let width = area.width.saturating_sub(4).min(90);
    let rows = (area.height.saturating_sub(4) as usize).clamp(1, 16);
    let height = (rows as u16 + 3).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + 1,
        width,
        height,
    };
    let title = match p.matches.len() {
        0 => " : nothing matches · Esc closes ".to_string(),
        n => format!(
            " : {n}{} · ↑↓ choose · Enter goes · Esc closes ",
            if n >= crate::app::palette::SHOWN {
                "+"
            } else {
                ""
            }
        ),
    };
    let block = Block::bordered().title(Span::styled(title, th.title));
    let inner = block.inner(rect);
    let room = inner.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled(": ", th.title),
        Span::raw(p.text.clone()),
        Span::styled("█", th.selected),
    ])];
    let shown = inner.height.saturating_sub(1) as usize;
    let offset = scroll::offset(p.selected, shown);
    for i in offset..(offset + shown).min(p.matches.len()) {
        let Some(e) = p.entry(i) else { break };
        let text = format!(" {}", truncate(&e.label, room.saturating_sub(1)));
        lines.push(if i == p.selected {
            Line::from(Span::styled(format!("{text:<room$}"), th.selected))
        } else {
            Line::from(text)
        });
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
