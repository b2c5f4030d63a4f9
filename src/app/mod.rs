//! Application state and `update`: what keys do. No I/O and no terminal, so it
//! is tested directly. May use `model`, `metrics`, `store` and `util`.

pub mod findings;
pub mod keymap;
mod rows;

use crate::model::{Text, Time};
use crate::store::{Snapshot, WINDOW_DAYS};

pub use rows::{DetailLines, alert_text, incident_rows, row_count, team_detail};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Lanes,
    Incidents,
    Findings,
    Sources,
}

impl Screen {
    pub const ALL: [Screen; 5] = [
        Screen::Overview,
        Screen::Lanes,
        Screen::Incidents,
        Screen::Findings,
        Screen::Sources,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Overview => "Overview",
            Screen::Lanes => "Lanes",
            Screen::Incidents => "Incidents",
            Screen::Findings => "Findings",
            Screen::Sources => "Sources",
        }
    }

    pub fn key(self) -> char {
        match self {
            Screen::Overview => '1',
            Screen::Lanes => '2',
            Screen::Incidents => '3',
            Screen::Findings => '4',
            Screen::Sources => '5',
        }
    }
}

/// Where the user is. Drill-downs name their subject, not a row number, so they
/// survive new data arriving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Screen(Screen),
    Team(Text),
    Incident(Text),
    /// A deployment's lane detail, by deployment id.
    Lane(Text),
    /// One finding, by id.
    Finding(Text),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub route: Route,
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Show(Screen),
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
    Quit,
    /// `/`: open the Findings filter prompt.
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
    /// Acknowledge the newest unacknowledged alert.
    Acknowledge,
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
}

const PAGE: usize = 10;

#[derive(Debug, Clone)]
pub struct App {
    /// Enter pushes, Esc pops; never empty.
    pub stack: Vec<View>,
    /// Index into [`WINDOW_DAYS`].
    pub window: usize,
    pub help: bool,
    /// The first line of the `?` help shown (it scrolls on small terminals).
    pub help_offset: usize,
    /// The clock as of the last tick; ages on screen are measured to it.
    pub now: Time,
    /// Release-window state: mode, acknowledged and already-seen alerts, flash.
    pub release: ReleaseWindow,
    /// Set when the cockpit plays a recording: speed, paused, ended.
    pub replay: Option<crate::util::clock::ReplayStatus>,
    /// A one-off message for the status bar (e.g. where the screen was saved);
    /// the next key clears it.
    pub message: Option<String>,
    /// The Findings screen's filter, prompt and filtered rows.
    pub findings: findings::FindingsState,
    /// How many lines the scrolling detail on screen has, as its view last
    /// drew it: the view builds the lines, so it alone counts them, and the
    /// scroll keys stay within that count (nothing is counted twice).
    pub detail_lines: DetailLines,
}

/// Release-window mode: the alert feed is shown, new alerts flash the status
/// bar (and ring the bell, which the cockpit does).
#[derive(Debug, Clone, Default)]
pub struct ReleaseWindow {
    pub on: bool,
    pub acked: std::collections::HashSet<Text>,
    /// Alerts already known, so that only new ones flash and ring.
    pub seen: std::collections::HashSet<Text>,
    /// Ticks (seconds) the status bar still flashes.
    pub flash: u8,
    pub flash_text: Option<Text>,
}

/// How many ticks a new alert flashes in the status bar.
pub const FLASH_TICKS: u8 = 4;

impl App {
    pub fn new(now: Time) -> Self {
        Self {
            stack: vec![View {
                route: Route::Screen(Screen::Overview),
                selected: 0,
            }],
            window: 1,
            help: false,
            help_offset: 0,
            now,
            release: ReleaseWindow::default(),
            replay: None,
            message: None,
            findings: findings::FindingsState::default(),
            detail_lines: DetailLines::default(),
        }
    }

    pub fn view(&self) -> &View {
        // The stack is never empty: `Back` keeps the root.
        &self.stack[self.stack.len() - 1]
    }

    fn view_mut(&mut self) -> &mut View {
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// The screen whose tab is highlighted: the root of the stack.
    pub fn screen(&self) -> Screen {
        match self.stack[0].route {
            Route::Screen(s) => s,
            _ => Screen::Overview,
        }
    }

    pub fn window_days(&self) -> i64 {
        WINDOW_DAYS[self.window]
    }

    /// The clock moved on: ages on screen change.
    pub fn tick(&mut self, now: Time) -> Effect {
        self.now = self.now.max(now);
        self.release.flash = self.release.flash.saturating_sub(1);
        Effect::Redraw
    }

    /// Alerts of `snapshot` not acknowledged yet, newest first.
    pub fn open_alerts<'a>(
        &'a self,
        snapshot: &'a Snapshot,
    ) -> impl Iterator<Item = &'a crate::metrics::alerts::Alert> + 'a {
        snapshot
            .views
            .alerts
            .iter()
            .filter(|a| !self.release.acked.contains(&a.key))
    }

    /// New data: alerts never seen before flash and ring in release-window mode.
    /// Deduplicated by key, so an alert derived again is not new.
    pub fn on_alerts(&mut self, snapshot: &Snapshot) -> Effect {
        let r = &mut self.release;
        let mut newest = None;
        for a in &snapshot.views.alerts {
            if r.seen.insert(a.key.clone()) && newest.is_none() && !r.acked.contains(&a.key) {
                newest = Some(a);
            }
        }
        // Forget alerts that left the feed, so the sets stay small.
        let current: std::collections::HashSet<&Text> =
            snapshot.views.alerts.iter().map(|a| &a.key).collect();
        r.seen.retain(|k| current.contains(k));
        r.acked.retain(|k| current.contains(k));
        match newest {
            Some(a) if r.on => {
                r.flash = FLASH_TICKS;
                r.flash_text = Some(alert_text(a, snapshot.now));
                Effect::Bell
            }
            _ => Effect::Nothing,
        }
    }

    pub fn update(&mut self, action: Action, snapshot: &Snapshot) -> Effect {
        let had_message = self.message.take().is_some();
        // Replay and snapshot keys work on every screen, help included.
        if let Some(effect) = self.everywhere_key(action, had_message) {
            return effect;
        }
        if self.help {
            return self.help_key(action);
        }
        if self.findings.prompt.is_some() {
            return self.edit_prompt(action, snapshot);
        }
        self.findings.refresh(snapshot, false);
        self.screen_key(action, snapshot)
    }

    /// Replay and snapshot keys, which work on every screen; `None` for others.
    fn everywhere_key(&self, action: Action, had_message: bool) -> Option<Effect> {
        match action {
            Action::SaveScreen => Some(Effect::SaveScreen),
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
            // On a small terminal the help scrolls; its view clamps.
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom => {
                let last = keymap::help_lines().saturating_sub(1) as isize;
                let to = match action {
                    Action::Down => self.help_offset as isize + 1,
                    Action::Up => self.help_offset as isize - 1,
                    Action::PageDown => self.help_offset as isize + PAGE as isize,
                    Action::PageUp => self.help_offset as isize - PAGE as isize,
                    Action::Top => 0,
                    _ => last,
                };
                self.help_offset = to.clamp(0, last.max(0)) as usize;
                Effect::Redraw
            }
            Action::Quit => Effect::Quit,
            _ => Effect::Nothing,
        }
    }

    /// Keys on a screen or detail view (no help, no prompt).
    fn screen_key(&mut self, action: Action, snapshot: &Snapshot) -> Effect {
        let rows = row_count(self.view(), self, snapshot);
        match action {
            Action::Quit => return Effect::Quit,
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
            Action::Show(screen) => {
                self.stack = vec![View {
                    route: Route::Screen(screen),
                    selected: 0,
                }];
            }
            Action::Down => self.move_by(rows, 1),
            Action::Up => self.move_by(rows, -1),
            Action::PageDown => self.move_by(rows, PAGE as isize),
            Action::PageUp => self.move_by(rows, -(PAGE as isize)),
            Action::Top => self.view_mut().selected = 0,
            Action::Bottom => self.view_mut().selected = rows.saturating_sub(1),
            Action::WindowShorter | Action::WindowLonger => {
                let anchor = self.overview_anchor(snapshot);
                self.window = if action == Action::WindowShorter {
                    self.window.saturating_sub(1)
                } else {
                    (self.window + 1).min(WINDOW_DAYS.len() - 1)
                };
                self.reanchor(anchor, snapshot);
            }
            Action::Back => return self.back(snapshot),
            Action::ReleaseWindow | Action::Acknowledge | Action::AcknowledgeAll => {
                return self.alert_key(action, snapshot);
            }
            Action::Open => match self.target(snapshot) {
                Some(route) => self.stack.push(View { route, selected: 0 }),
                None => return Effect::Nothing,
            },
            // Handled before the help check in `update`.
            Action::ReplayPause
            | Action::ReplayFaster
            | Action::ReplaySlower
            | Action::SaveScreen => {}
            Action::Filter => {
                if self.stack[0].route != Route::Screen(Screen::Findings) {
                    return Effect::Nothing;
                }
                self.stack.truncate(1);
                self.findings.prompt = Some(self.findings.filter.text.clone());
            }
            Action::Type(_) | Action::Erase | Action::ClearPrompt | Action::EraseWord => {
                return Effect::Nothing;
            }
        }
        Effect::Redraw
    }

    /// Esc: back one view; on the Findings list it first clears the filter.
    fn back(&mut self, snapshot: &Snapshot) -> Effect {
        if self.stack.len() == 1 {
            // Esc on the Findings list clears an active filter.
            if self.stack[0].route == Route::Screen(Screen::Findings)
                && !self.findings.filter.is_empty()
            {
                self.findings.filter = findings::FindingsFilter::default();
                self.findings.refresh(snapshot, true);
                self.stack[0].selected = 0;
                return Effect::Redraw;
            }
            return Effect::Nothing;
        }
        self.stack.pop();
        Effect::Redraw
    }

    /// Release-window mode and acknowledging alerts.
    fn alert_key(&mut self, action: Action, snapshot: &Snapshot) -> Effect {
        match action {
            Action::ReleaseWindow => {
                self.release.on = !self.release.on;
                // Switching on: what is already in the feed is not news.
                for a in &snapshot.views.alerts {
                    self.release.seen.insert(a.key.clone());
                }
            }
            Action::Acknowledge => {
                let Some(key) = self.open_alerts(snapshot).next().map(|a| a.key.clone()) else {
                    return Effect::Nothing;
                };
                self.release.acked.insert(key);
            }
            _ => {
                let keys: Vec<Text> = snapshot
                    .views
                    .alerts
                    .iter()
                    .map(|a| a.key.clone())
                    .collect();
                self.release.acked.extend(keys);
            }
        }
        self.release.flash = 0;
        Effect::Redraw
    }

    /// Whether keys go to the `/` prompt.
    pub fn typing(&self) -> bool {
        self.findings.prompt.is_some()
    }

    /// Keys while the prompt is open: Enter applies the filter, Esc keeps the old one.
    fn edit_prompt(&mut self, action: Action, snapshot: &Snapshot) -> Effect {
        let Some(text) = self.findings.prompt.as_mut() else {
            return Effect::Nothing;
        };
        match action {
            Action::Type(c) if !c.is_control() && text.chars().count() < 200 => text.push(c),
            Action::Erase => {
                text.pop();
            }
            Action::ClearPrompt => text.clear(),
            Action::EraseWord => {
                let kept = text.trim_end().rfind(' ').map_or(0, |i| i + 1);
                text.truncate(kept);
            }
            Action::Open => {
                // A filter the prompt marks as not understood stays in the
                // prompt (its hint says why) instead of silently matching nothing.
                if !findings::FindingsFilter::parse(text).problems.is_empty() {
                    return Effect::Nothing;
                }
                let text = self.findings.prompt.take().unwrap_or_default();
                self.findings.filter = findings::FindingsFilter::parse(&text);
                self.findings.refresh(snapshot, true);
                self.stack[0].selected = 0;
            }
            Action::Back => self.findings.prompt = None,
            Action::Quit => return Effect::Quit,
            _ => return Effect::Nothing,
        }
        Effect::Redraw
    }

    /// New data arrived: the Overview cursor stays on the same team even when the
    /// teams are re-ranked, and every other selection stays on a row that exists.
    pub fn on_snapshot(&mut self, old: &Snapshot, new: &Snapshot) {
        self.findings.refresh(new, false);
        let anchor = self.overview_anchor(old);
        let lane = self.lanes_anchor(old);
        self.now = self.now.max(new.now);
        self.reanchor(anchor, new);
        // The Lanes cursor stays on its deployment as lanes come and go.
        if let Some(id) = lane
            && let Some(row) = new.views.lanes.lanes.iter().position(|l| l.id == id)
        {
            self.stack[0].selected = row;
        }
    }

    /// The deployment under the Lanes cursor, when Lanes is the root.
    fn lanes_anchor(&self, snapshot: &Snapshot) -> Option<Text> {
        if self.stack[0].route != Route::Screen(Screen::Lanes) {
            return None;
        }
        let lane = snapshot.views.lanes.lanes.get(self.stack[0].selected)?;
        Some(lane.id.clone())
    }

    /// The team under the Overview cursor, when the Overview is on the stack.
    fn overview_anchor(&self, snapshot: &Snapshot) -> Option<Text> {
        let root = &self.stack[0];
        if root.route != Route::Screen(Screen::Overview) {
            return None;
        }
        let w = &snapshot.views.windows[self.window];
        let team = *w.order.get(root.selected)?;
        Some(w.scorecards.teams[team].team.clone())
    }

    fn reanchor(&mut self, anchor: Option<Text>, snapshot: &Snapshot) {
        if let Some(team) = anchor {
            let w = &snapshot.views.windows[self.window];
            if let Some(row) = w
                .order
                .iter()
                .position(|&i| w.scorecards.teams[i].team == team)
            {
                self.stack[0].selected = row;
            }
        }
        self.clamp(snapshot);
    }

    /// New data may have fewer rows; keep every selection on a row that exists.
    pub fn clamp(&mut self, snapshot: &Snapshot) {
        for n in 0..self.stack.len() {
            let rows = row_count(&self.stack[n], self, snapshot);
            let v = &mut self.stack[n];
            v.selected = v.selected.min(rows.saturating_sub(1));
        }
    }

    fn move_by(&mut self, rows: usize, delta: isize) {
        let v = self.view_mut();
        let last = rows.saturating_sub(1) as isize;
        v.selected = (v.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// What Enter opens from the current row.
    fn target(&self, snapshot: &Snapshot) -> Option<Route> {
        let view = self.view();
        let w = &snapshot.views.windows[self.window];
        match &view.route {
            Route::Screen(Screen::Overview) => {
                let team = w.order.get(view.selected)?;
                Some(Route::Team(w.scorecards.teams[*team].team.clone()))
            }
            Route::Screen(Screen::Lanes) => {
                let lane = snapshot.views.lanes.lanes.get(view.selected)?;
                Some(Route::Lane(lane.id.clone()))
            }
            Route::Screen(Screen::Incidents) => {
                let i = incident_rows(snapshot, self.window).nth(view.selected)?;
                Some(Route::Incident(snapshot.records.incidents[i].id.clone()))
            }
            Route::Screen(Screen::Findings) => {
                let row = self.findings.rows.get(view.selected)?;
                let index = snapshot.views.findings.rows.get(*row)?.index;
                Some(Route::Finding(
                    snapshot.records.findings.get(index)?.id.clone(),
                ))
            }
            Route::Team(team) => {
                let detail = team_detail(snapshot, self.window, team)?;
                let first_incident = detail.deployments.len() + detail.changes.len();
                let row = detail
                    .incidents
                    .get(view.selected.checked_sub(first_incident)?)?;
                Some(Route::Incident(
                    snapshot.records.incidents[row.incident].id.clone(),
                ))
            }
            _ => None,
        }
    }
}
