//! A drill-down that shows one record as lines and scrolls by line (the
//! cursor is the first line shown): a lane, a finding, an incident. Its lines
//! are built when the data or the clock changes, never while drawing, and
//! their count bounds the scroll keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::screen::{Ctx, Cursor, Screen};
use crate::model::Text;
use crate::ui::theme;

/// What differs between the kinds of detail.
#[derive(Debug)]
pub struct Kind {
    /// `Lane`, `Finding`, `Incident`.
    pub name: &'static str,
    /// The lines for the record with this id; `None` when there is none.
    pub lines: fn(&Ctx, &str) -> Option<Vec<Line<'static>>>,
    /// The border's title.
    pub title: fn(&str) -> String,
    /// Why there is nothing to show (the record is gone or unknown).
    pub missing: fn(&str) -> String,
    /// The breadcrumb in the top bar.
    pub crumb: fn(&str) -> String,
}

#[derive(Debug)]
pub struct DetailPage {
    kind: &'static Kind,
    id: Text,
    lines: Option<Vec<Line<'static>>>,
}

impl DetailPage {
    pub fn new(kind: &'static Kind, id: Text) -> Self {
        Self {
            kind,
            id,
            lines: None,
        }
    }
}

impl Screen for DetailPage {
    fn name(&self) -> &'static str {
        self.kind.name
    }

    fn crumb(&self) -> String {
        (self.kind.crumb)(&self.id)
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        self.lines = (self.kind.lines)(ctx, &self.id);
        cursor.set_rows(self.lines.as_ref().map_or(0, Vec::len));
    }

    fn render(&self, frame: &mut Frame, area: Rect, _ctx: &Ctx, cursor: &Cursor) {
        let Some(lines) = &self.lines else {
            let block = Block::bordered()
                .title(Span::styled(format!(" {} ", self.crumb()), theme::title()));
            frame.render_widget(
                Paragraph::new((self.kind.missing)(&self.id)).block(block),
                area,
            );
            return;
        };
        let block =
            Block::bordered().title(Span::styled((self.kind.title)(&self.id), theme::title()));
        crate::ui::scrolled(frame, area, lines, cursor.selected, block);
    }
}
