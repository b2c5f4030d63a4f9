//! A drill-down that shows one record as lines and scrolls by line (the
//! cursor is the first line shown): a lane, a finding, an incident. Its lines
//! are built when the data or the clock changes, never while drawing, and
//! their count bounds the scroll keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::Action;
use crate::app::keymap::Binding;
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::model::Text;

/// What differs between the kinds of detail.
#[derive(Debug)]
pub struct DetailKind {
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
    /// Keys of the screen below that work here too: they close the detail
    /// and go to it (e.g. `/` on a finding filters the Findings list); and
    /// Enter, when the record links to another (`open`).
    pub keys: &'static [Binding],
    /// Enter: the record this one links to (an incident's deployment, a
    /// lane's incident), or why there is none.
    pub open: Option<Link>,
}

/// Where Enter goes from a detail: a page, or a message saying why not.
pub type Link = fn(&Ctx, &str) -> Result<Box<dyn Screen>, String>;

#[derive(Debug)]
pub struct DetailPage {
    kind: &'static DetailKind,
    id: Text,
    lines: Option<Vec<Line<'static>>>,
    /// The last first line worth scrolling to, as last drawn (it depends on
    /// the area and on how lines wrap, which only drawing knows).
    end: std::cell::Cell<Option<usize>>,
}

impl DetailPage {
    pub fn new(kind: &'static DetailKind, id: Text) -> Self {
        Self {
            kind,
            id,
            lines: None,
            end: std::cell::Cell::new(None),
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

    fn keys(&self) -> &'static [Binding] {
        self.kind.keys
    }

    fn selected_id(&self, _ctx: &Ctx, _cursor: &Cursor) -> Option<String> {
        Some(self.id.to_string())
    }

    fn update(&mut self, action: Action, ctx: &Ctx, _cursor: &mut Cursor) -> Reply {
        if let (Action::Open, Some(open)) = (action, self.kind.open) {
            return match open(ctx, &self.id) {
                Ok(page) => Reply::Open(page),
                Err(why) => Reply::Say(why),
            };
        }
        if self.kind.keys.iter().any(|k| k.action == action) {
            Reply::Back(action)
        } else {
            Reply::Pass
        }
    }

    fn scroll_end(&self) -> Option<usize> {
        self.end.get()
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        self.lines = (self.kind.lines)(ctx, &self.id);
        cursor.set_rows(self.lines.as_ref().map_or(0, Vec::len));
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        let th = &ctx.theme;
        let Some(lines) = &self.lines else {
            let block =
                Block::bordered().title(Span::styled(format!(" {} ", self.crumb()), th.title));
            frame.render_widget(
                Paragraph::new((self.kind.missing)(&self.id)).block(block),
                area,
            );
            return;
        };
        let block = Block::bordered().title(Span::styled((self.kind.title)(&self.id), th.title));
        let end = crate::ui::scrolled(th, frame, area, lines, cursor.selected, block);
        self.end.set(Some(end));
    }
}
