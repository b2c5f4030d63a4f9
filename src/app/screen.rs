//! The screen contract. A screen owns its row model (built when the data, the
//! window or the clock changes, never while drawing), its filter and its own
//! keys, which the dispatcher, `?` and the status bar read; its selection is a
//! [`Cursor`] the app keeps beside it and hands in, so that the movement keys
//! are handled once for every screen. The screens themselves live in
//! `ui::screens`, one file each; `App` holds them as `dyn Screen` and never
//! names one.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Action;
use super::keymap::Binding;
use super::listing::Listing;
use crate::model::Time;
use crate::store::Snapshot;

/// What a screen reads: the data, the chosen window and the clock.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    /// Index into [`crate::store::WINDOW_DAYS`].
    pub window: usize,
    pub now: Time,
    /// The palette to draw with.
    pub theme: super::theme::Theme,
}

/// A screen with its selection: what the app keeps for each screen it shows.
#[derive(Debug)]
pub struct Slot {
    pub screen: Box<dyn Screen>,
    pub cursor: Cursor,
}

impl Slot {
    pub fn new(screen: Box<dyn Screen>) -> Self {
        Self {
            screen,
            cursor: Cursor::default(),
        }
    }

    pub fn refresh(&mut self, ctx: &Ctx) {
        self.screen.refresh(ctx, &mut self.cursor);
    }
}

/// What a screen did with a key.
#[derive(Debug)]
pub enum Reply {
    /// Not a key of this screen: the app's global keys get it.
    Pass,
    /// Handled; nothing on screen changed.
    Nothing,
    Redraw,
    /// Enter opened a drill-down on top of this screen.
    Open(Box<dyn Screen>),
    /// Nothing to do, and the status bar says why.
    Say(String),
    /// A key of the screen below (e.g. `/` on a finding filters the list):
    /// close this drill-down and hand the key to that screen.
    Back(Action),
}

/// A selection among `rows` rows (or, in a detail that scrolls by line, the
/// first line shown). Movement keys are handled here once for every screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub rows: usize,
}

/// Rows PgDn / PgUp move.
pub const PAGE: usize = 10;

impl Cursor {
    /// New data: the row count changes and the selection stays on a row that exists.
    pub fn set_rows(&mut self, rows: usize) {
        self.rows = rows;
        self.selected = self.selected.min(rows.saturating_sub(1));
    }

    /// Moves for the movement actions; `false` for any other action.
    pub fn apply(&mut self, action: Action) -> bool {
        let last = self.rows.saturating_sub(1) as isize;
        let to = match action {
            Action::Down => self.selected as isize + 1,
            Action::Up => self.selected as isize - 1,
            Action::PageDown => self.selected as isize + PAGE as isize,
            Action::PageUp => self.selected as isize - PAGE as isize,
            Action::Top => 0,
            Action::Bottom => last,
            _ => return false,
        };
        self.selected = to.clamp(0, last.max(0)) as usize;
        true
    }
}

pub trait Screen: std::fmt::Debug {
    /// What kind of screen this is: the tab's title (`Overview`), or the kind of
    /// record a drill-down shows (`Team`).
    fn name(&self) -> &'static str;

    /// What the top bar shows for it: the tab title, or the drill-down's subject.
    fn crumb(&self) -> String {
        self.name().to_string()
    }

    /// The keys this screen adds to the global ones: dispatched first, listed
    /// in `?` and hinted in the status bar.
    fn keys(&self) -> &'static [Binding] {
        &[]
    }

    /// What the screen's symbols mean, listed in `?` after its keys:
    /// (symbols, meaning).
    fn legend(&self, _th: &crate::app::theme::Theme) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Rebuilds the row model from `ctx` and sets the cursor's row count (a
    /// screen may move the cursor to keep it on the same record). Called when
    /// a snapshot arrives, the window changes, the clock ticks or the screen
    /// is shown, so it must be cheap for an unchanged snapshot (Findings skips
    /// refiltering then; the others copy a few ids or build a page of lines).
    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor);

    /// A key, before the global keys (which get it on [`Reply::Pass`]).
    fn update(&mut self, _action: Action, _ctx: &Ctx, _cursor: &mut Cursor) -> Reply {
        Reply::Pass
    }

    /// For a screen that scrolls by line: the last first line worth scrolling
    /// to, as last drawn (the movement keys stop there).
    fn scroll_end(&self) -> Option<usize> {
        None
    }

    /// The id of the record under the cursor (or of the record a detail
    /// shows), for `y` to copy; `None` where there is no record.
    fn selected_id(&self, _ctx: &Ctx, _cursor: &Cursor) -> Option<String> {
        None
    }

    /// The records `:` can jump to on this screen: (kind, label, id).
    fn targets(&self, _ctx: &Ctx) -> Vec<(&'static str, String, String)> {
        Vec::new()
    }

    /// Opens record `id` (a target's id): the cursor goes to its row when it
    /// is listed, and its drill-down opens.
    fn open_id(&mut self, _id: &str, _ctx: &Ctx, _cursor: &mut Cursor) -> Reply {
        Reply::Nothing
    }

    /// A list screen's filter and sort, which the three below read.
    fn listing(&self) -> Option<&Listing> {
        None
    }

    fn listing_mut(&mut self) -> Option<&mut Listing> {
        None
    }

    /// What this screen keeps between runs (its sort and filter), as one
    /// line of text; `None`: nothing.
    fn saved_view(&self) -> Option<String> {
        self.listing().map(Listing::saved)
    }

    /// Takes back what [`Screen::saved_view`] gave (a text it cannot read is
    /// ignored: the saved state is a convenience, never a reason to fail).
    fn restore_view(&mut self, text: &str) {
        if let Some(l) = self.listing_mut() {
            l.restore(text);
        }
    }

    /// The text of an open prompt: while there is one, keys are typed into it.
    fn prompt(&self) -> Option<&str> {
        self.listing().and_then(Listing::prompt)
    }

    /// Draws the screen from its row model: only the visible rows are built.
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor);
}
