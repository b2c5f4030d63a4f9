//! Application state and `update`: what keys do. No I/O and no terminal, so it
//! is tested directly (a screen draws into a ratatui `Frame`, which is a cell
//! buffer; only `commands` puts it on a terminal). May use `model`, `metrics`, `store` and `util`. The
//! screens are components behind the [`screen::Screen`] trait; the app holds
//! them, routes keys and data to them, and never names one.

mod alert_feed;
pub mod findings;
pub mod keymap;
pub mod keys_config;
pub mod list_filter;
pub mod list_sort;
pub mod listing;
pub mod palette;
mod saved_view;
pub mod screen;
pub mod theme;
pub mod theme_colours;

use crate::model::{Text, Time};
use crate::store::{Snapshot, WINDOW_DAYS};
use screen::{Ctx, Cursor, Reply, Screen, Slot};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Show the screen of this number (0-based) in the top bar.
    Show(usize),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    WindowShorter,
    WindowLonger,
    ToggleHelp,
    /// `q`: back out of a drill-down; on a top screen, quit (asking first
    /// when release-window alerts are unacknowledged).
    Quit,
    /// Ctrl-C: quit from anywhere, at once.
    QuitNow,
    /// Tab / → and Shift-Tab / ←: the next or previous screen in the top bar.
    NextScreen,
    PreviousScreen,
    /// `/`: open the screen's filter prompt.
    Filter,
    /// A character typed into the prompt.
    Type(char),
    /// Backspace in the prompt.
    Erase,
    /// Ctrl-U in the prompt: clear it.
    ClearPrompt,
    /// Ctrl-W in the prompt: erase the last word.
    EraseWord,
    /// Release-window mode on / off: alert feed, bell, flash.
    ReleaseWindow,
    /// Acknowledge the newest unacknowledged alert (in the feed: the selected one).
    Acknowledge,
    /// `f`: select alerts in the release-window feed (Enter opens what one names).
    FocusFeed,
    /// Acknowledge every alert in the feed.
    AcknowledgeAll,
    /// `p`: pause or resume polling of every source.
    TogglePolling,
    /// `r`: poll every source now.
    PollNow,
    /// Replay: pause / resume (space).
    ReplayPause,
    /// Replay: next speed up (`>`) or down (`<`).
    ReplayFaster,
    ReplaySlower,
    /// Write the current screen to a text and an HTML file (`s`).
    SaveScreen,
    /// Ctrl-Z: give the terminal back to the shell until `fg`.
    Suspend,
    /// `v` on the Overview: the gates' columns instead of the key metrics.
    ToggleGates,
    /// `u` on the Overview: the incidents attributed to no deployment.
    Unattributed,
    /// `R` on Findings: resolved findings shown too, or open ones only.
    ToggleResolved,
    /// `o`: sort by the next column (after the last: the default order).
    SortNext,
    /// `O`: reverse the sort.
    SortReverse,
    /// `y`: copy the selected record's id to the clipboard.
    Yank,
    /// `:`: open the palette (jump to a record or screen, run a command).
    Palette,
    /// `t` on a team: its weekly charts instead of its numbers.
    ToggleTrends,
    /// `m` on a team's charts: the next metric.
    NextMetric,
    /// `h` / `l` on a team's charts: the week before / after (past the last:
    /// the whole window again).
    WeekEarlier,
    WeekLater,
}

/// What the cockpit does to the replay clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayControl {
    TogglePause,
    Faster,
    Slower,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Nothing,
    Redraw,
    Quit,
    /// A new alert in release-window mode: ring the terminal bell (and redraw).
    Bell,
    /// A command for the poll scheduler; the cockpit forwards it.
    Poll(crate::model::source_update::PollCommand),
    /// Steer the replay clock (then redraw: the status bar shows it).
    Replay(ReplayControl),
    /// Write the last rendered screen to files (the cockpit does the I/O).
    SaveScreen,
    /// Suspend the cockpit (the event loop does it: it owns the terminal).
    Suspend,
    /// An alert was acknowledged: save the acknowledgements (and redraw).
    Acknowledged,
    /// `y`: put [`App::clipboard`] on the terminal's clipboard (OSC 52).
    Copy,
}

#[derive(Debug)]
pub struct App {
    /// The top-level screens in top-bar order; each keeps its state while
    /// another is shown.
    tabs: Vec<Slot>,
    /// Index into `tabs`: the screen whose tab is highlighted.
    tab: usize,
    /// Drill-downs opened with Enter above the current tab; Esc pops.
    stack: Vec<Slot>,
    /// Index into [`WINDOW_DAYS`].
    pub window: usize,
    pub help: bool,
    /// The first line of the `?` help shown (it scrolls on small terminals).
    pub help_offset: usize,
    /// The clock as of the last tick; ages on screen are measured to it.
    pub now: Time,
    /// Release-window state: mode, acknowledged and already-seen alerts, flash.
    pub release: ReleaseWindow,
    /// The last first line of the help worth scrolling to, as last drawn.
    pub help_end: std::cell::Cell<Option<usize>>,
    /// Set when the cockpit plays a recording: speed, paused, ended.
    pub replay: Option<crate::util::clock::ReplayStatus>,
    /// A one-off message for the status bar (e.g. where the screen was saved);
    /// the next key clears it.
    pub message: Option<String>,
    /// The snapshot version the screens on view were last rebuilt from.
    refreshed: Option<u64>,
    /// The palette every screen draws with.
    pub theme: theme::Theme,
    /// `q` was pressed with alerts unacknowledged: a second `q` quits.
    quit_asked: bool,
    /// What `y` copied, for the cockpit to hand to the terminal.
    pub clipboard: Option<String>,
    /// The keys in force: the built-in table with the config's `[keys]`.
    pub keymap: keys_config::Keymap,
    /// The `:` palette, while it is open.
    pub palette: Option<palette::Palette>,
    /// `--record` is writing the events to a file (the status bar says so).
    pub recording: bool,
}

/// Release-window mode: the alert feed is shown, new alerts flash the status
/// bar (and ring the bell, which the cockpit does).
#[derive(Debug, Clone, Default)]
pub struct ReleaseWindow {
    pub on: bool,
    /// Every alert so far, kept until acknowledged, and the acknowledgements.
    pub log: crate::metrics::alert_log::AlertLog,
    /// Ticks (seconds) the status bar still flashes.
    pub flash: u8,
    /// The alert the status bar flashes: a key into `log`, so the flash shows
    /// only what the feed holds, and stops when it is acknowledged.
    pub flash_key: Option<Text>,
    /// `f`: the key of the alert selected in the feed, while keys move in
    /// the feed (a key, not a row: new alerts come in on top).
    pub feed: Option<Text>,
}

impl ReleaseWindow {
    /// The alert flashing now, if any.
    pub fn flashing(&self) -> Option<&crate::metrics::alerts::Alert> {
        if self.flash == 0 {
            return None;
        }
        let key = self.flash_key.as_deref()?;
        self.log.get(key).filter(|a| !self.log.is_acked(&a.key))
    }
}

/// How many ticks a new alert flashes in the status bar.
pub const FLASH_TICKS: u8 = 4;

impl App {
    /// An app showing the first of `tabs` (which must not be empty: the
    /// registration in `ui::screens` gives them).
    pub fn new(now: Time, tabs: Vec<Box<dyn Screen>>) -> Self {
        Self {
            tabs: tabs.into_iter().map(Slot::new).collect(),
            tab: 0,
            stack: Vec::new(),
            window: 1,
            help: false,
            help_offset: 0,
            now,
            release: ReleaseWindow::default(),
            help_end: std::cell::Cell::new(None),
            replay: None,
            message: None,
            refreshed: None,
            theme: theme::Theme::default(),
            quit_asked: false,
            clipboard: None,
            keymap: keys_config::Keymap::default(),
            palette: None,
            recording: false,
        }
    }

    fn top_slot(&self) -> &Slot {
        self.stack.last().unwrap_or(&self.tabs[self.tab])
    }

    fn top_slot_mut(&mut self) -> &mut Slot {
        match self.stack.last_mut() {
            Some(p) => p,
            None => &mut self.tabs[self.tab],
        }
    }

    /// The screen on top: the last drill-down, else the current tab.
    pub fn top(&self) -> &dyn Screen {
        self.top_slot().screen.as_ref()
    }

    /// The selection on the screen on top.
    pub fn cursor(&self) -> &Cursor {
        &self.top_slot().cursor
    }

    /// The top-level screens, in top-bar order.
    pub fn tabs(&self) -> impl Iterator<Item = &dyn Screen> {
        self.tabs.iter().map(|p| p.screen.as_ref())
    }

    /// Which tab is highlighted.
    pub fn tab(&self) -> usize {
        self.tab
    }

    /// The drill-downs above the tab, bottom first (for the breadcrumb).
    pub fn drill_downs(&self) -> impl Iterator<Item = &dyn Screen> {
        self.stack.iter().map(|p| p.screen.as_ref())
    }

    /// How many screens are on the stack, the tab included.
    pub fn depth(&self) -> usize {
        1 + self.stack.len()
    }

    pub fn window_days(&self) -> i64 {
        WINDOW_DAYS[self.window]
    }

    /// What the screens read: `snapshot`, the window and the clock.
    pub fn ctx<'a>(&self, snapshot: &'a Snapshot) -> Ctx<'a> {
        Ctx {
            snapshot,
            window: self.window,
            now: self.now,
            theme: self.theme,
        }
    }

    /// Rebuilds what is on screen (the tab and its drill-downs) from `snapshot`.
    pub fn refresh(&mut self, snapshot: &Snapshot) {
        self.refreshed = Some(snapshot.version);
        let ctx = self.ctx(snapshot);
        self.tabs[self.tab].refresh(&ctx);
        for p in &mut self.stack {
            p.refresh(&ctx);
        }
    }

    /// The clock moved on: ages on screen change.
    pub fn tick(&mut self, now: Time, snapshot: &Snapshot) -> Effect {
        self.now = self.now.max(now);
        self.release.flash = self.release.flash.saturating_sub(1);
        self.refresh(snapshot);
        Effect::Redraw
    }

    /// Alerts in the feed not acknowledged yet, newest first.
    pub fn open_alerts(&self) -> impl Iterator<Item = &crate::metrics::alerts::Alert> {
        self.release.log.open()
    }

    /// New alerts from the store: the feed takes them (and marks those whose
    /// condition ended); in release-window mode a new one flashes and rings.
    pub fn on_alerts(&mut self, snapshot: &Snapshot) -> Effect {
        let r = &mut self.release;
        let fresh = r.log.merge(&snapshot.views.alerts, snapshot.views.now);
        match fresh.into_iter().next() {
            Some(key) if r.on => {
                r.flash = FLASH_TICKS;
                r.flash_key = Some(key);
                Effect::Bell
            }
            _ => Effect::Nothing,
        }
    }

    /// New data arrived: the screens on view rebuild their rows (each keeps
    /// its cursor on the same record where it can).
    pub fn on_snapshot(&mut self, new: &Snapshot) {
        self.now = self.now.max(new.now);
        self.refresh(new);
    }

    pub fn update(&mut self, action: Action, snapshot: &Snapshot) -> Effect {
        let had_message = self.message.take().is_some();
        let quit_asked = std::mem::take(&mut self.quit_asked);
        if action == Action::QuitNow {
            return Effect::Quit;
        }
        if quit_asked && action == Action::Quit && !self.typing() {
            return Effect::Quit;
        }
        if self.palette.is_some() {
            return self.palette_key(action, snapshot);
        }
        // A prompt or the help takes the keys before the feed.
        if !self.typing()
            && !self.help
            && let Some(effect) = self.feed_key(action, snapshot)
        {
            return effect;
        }
        // Replay and snapshot keys work on every screen, help included.
        if let Some(effect) = self.everywhere_key(action, had_message) {
            return effect;
        }
        if self.help {
            return self.help_key(action);
        }
        if self.refreshed != Some(snapshot.version) {
            self.refresh(snapshot);
        }
        let ctx = self.ctx(snapshot);
        let typing = self.typing();
        let top = self.top_slot_mut();
        match top.screen.update(action, &ctx, &mut top.cursor) {
            // A prompt takes every key.
            Reply::Pass if typing => Effect::Nothing,
            Reply::Pass => self.global_key(action, snapshot),
            Reply::Nothing => Effect::Nothing,
            Reply::Redraw => Effect::Redraw,
            Reply::Say(why) => {
                self.message = Some(why);
                Effect::Redraw
            }
            Reply::Open(screen) => {
                let mut slot = Slot::new(screen);
                slot.refresh(&ctx);
                self.stack.push(slot);
                Effect::Redraw
            }
            Reply::Back(action) => {
                if self.stack.pop().is_none() {
                    return Effect::Nothing;
                }
                self.update(action, snapshot);
                Effect::Redraw
            }
        }
    }

    /// Replay and snapshot keys, which work on every screen; `None` for others.
    fn everywhere_key(&self, action: Action, had_message: bool) -> Option<Effect> {
        match action {
            Action::SaveScreen => Some(Effect::SaveScreen),
            Action::Suspend => Some(Effect::Suspend),
            Action::ReplayPause | Action::ReplayFaster | Action::ReplaySlower => {
                if self.replay.is_none() {
                    return Some(if had_message {
                        Effect::Redraw
                    } else {
                        Effect::Nothing
                    });
                }
                Some(Effect::Replay(match action {
                    Action::ReplayPause => ReplayControl::TogglePause,
                    Action::ReplayFaster => ReplayControl::Faster,
                    _ => ReplayControl::Slower,
                }))
            }
            _ => None,
        }
    }

    /// Help is modal: it closes on ?, Esc or q (quit still works).
    fn help_key(&mut self, action: Action) -> Effect {
        match action {
            Action::ToggleHelp | Action::Back => {
                self.help = false;
                Effect::Redraw
            }
            Action::Quit => self.quit(),
            // On a small terminal the help scrolls; its view clamps.
            _ => {
                let mut cursor = Cursor {
                    selected: self.help_offset,
                    rows: keymap::help_lines(self.top().keys())
                        + self.keymap.extra_lines(self.top().keys()).len()
                        + self.top().legend(&self.theme).len(),
                };
                if !cursor.apply(action) {
                    return Effect::Nothing;
                }
                self.help_offset = cursor
                    .selected
                    .min(self.help_end.get().unwrap_or(usize::MAX));
                Effect::Redraw
            }
        }
    }

    /// Keys the screen on top passed on: the same on every screen.
    fn global_key(&mut self, action: Action, snapshot: &Snapshot) -> Effect {
        let top = self.top_slot_mut();
        if top.cursor.apply(action) {
            if let Some(end) = top.screen.scroll_end() {
                top.cursor.selected = top.cursor.selected.min(end);
            }
            return Effect::Redraw;
        }
        match action {
            Action::Quit => return self.quit(),
            Action::NextScreen | Action::PreviousScreen => {
                let n = self.tabs.len();
                let step = if action == Action::NextScreen {
                    1
                } else {
                    n - 1
                };
                return self.global_key(Action::Show((self.tab + step) % n), snapshot);
            }
            Action::TogglePolling => {
                return Effect::Poll(crate::model::source_update::PollCommand::TogglePause);
            }
            Action::PollNow => {
                return Effect::Poll(crate::model::source_update::PollCommand::PollNow);
            }
            Action::ToggleHelp => {
                self.help = true;
                self.help_offset = 0;
            }
            Action::Show(n) => {
                if n >= self.tabs.len() {
                    return Effect::Nothing;
                }
                self.stack.clear();
                self.tab = n;
                let ctx = self.ctx(snapshot);
                self.tabs[n].refresh(&ctx);
            }
            Action::WindowShorter | Action::WindowLonger => {
                self.window = if action == Action::WindowShorter {
                    self.window.saturating_sub(1)
                } else {
                    (self.window + 1).min(WINDOW_DAYS.len() - 1)
                };
                self.refresh(snapshot);
            }
            Action::Back => {
                if self.stack.pop().is_none() {
                    return Effect::Nothing;
                }
            }
            Action::ReleaseWindow | Action::Acknowledge | Action::AcknowledgeAll => {
                return self.alert_key(action);
            }
            Action::FocusFeed => self.focus_feed(),
            Action::Palette => self.open_palette(snapshot),
            Action::Yank => {
                let ctx = self.ctx(snapshot);
                let top = self.top_slot();
                match top.screen.selected_id(&ctx, &top.cursor) {
                    Some(id) => {
                        // Ids are cleaned when read; cleaned again, as any text shown.
                        let id = crate::util::text::sanitize(&id).to_string();
                        self.message = Some(format!("copied {id}"));
                        self.clipboard = Some(id);
                        return Effect::Copy;
                    }
                    None => {
                        self.message = Some("nothing to copy here: no record is selected".into())
                    }
                }
            }
            _ => return Effect::Nothing,
        }
        Effect::Redraw
    }

    /// `q`: a drill-down goes back; a top screen quits, unless release-window
    /// alerts are still unacknowledged: then the status bar asks first, so
    /// that nobody leaves a release window on an alert they never saw.
    fn quit(&mut self) -> Effect {
        if self.stack.pop().is_some() {
            return Effect::Redraw;
        }
        let open = self.release.log.open().count();
        if self.release.on && open > 0 {
            self.quit_asked = true;
            self.message = Some(format!(
                "{} not acknowledged: q again quits, a acknowledges, any other key stays",
                crate::util::format::plural(open, "alert")
            ));
            return Effect::Redraw;
        }
        Effect::Quit
    }

    /// Release-window mode and acknowledging alerts.
    fn alert_key(&mut self, action: Action) -> Effect {
        let now = self.now;
        let log = &mut self.release.log;
        let acked = match action {
            Action::ReleaseWindow => {
                self.release.on = !self.release.on;
                self.release.feed = None;
                false
            }
            Action::Acknowledge => log.acknowledge_newest(now),
            _ => log.acknowledge_all(now),
        };
        self.release.flash = 0;
        if acked {
            Effect::Acknowledged
        } else {
            Effect::Redraw
        }
    }

    /// Runs `f` with a detail that scrolls by line on its first line (a
    /// saved page starts there; a list keeps its selection, which a page
    /// tall enough shows from the top anyway), then scrolls it back.
    pub fn from_the_top<R>(&mut self, f: impl FnOnce(&App) -> R) -> R {
        let cursor = *self.cursor();
        if self.top().scroll_end().is_some() {
            self.top_slot_mut().cursor.selected = 0;
        }
        let out = f(self);
        self.top_slot_mut().cursor = cursor;
        out
    }

    /// Whether keys go to a prompt (a screen's filter, or the palette).
    pub fn typing(&self) -> bool {
        self.palette.is_some() || self.top().prompt().is_some()
    }
}

/// An alert's text as of `now`: an ongoing state shows how long it has
/// lasted (until it cleared), so the age ticks with the clock.
pub fn alert_text(a: &crate::metrics::alerts::Alert, now: Time) -> Text {
    match a.since {
        Some(since) => Text::from(format!(
            "{} {}{}",
            a.text,
            crate::util::format::age(a.cleared.unwrap_or(now) - since),
            a.tail
        )),
        None => a.text.clone(),
    }
}
