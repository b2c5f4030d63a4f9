//! `:` the palette: jump to any screen, team, lane, incident or finding by a
//! fuzzy name, or run a command (`window 90d`, `theme light`, `pause`, `save`).
//! Pure: the entries are gathered from the screens when it opens, matched with
//! nucleo as the text is typed.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use super::screen::{Reply, Slot};
use super::theme::ThemeName;
use super::{Action, Effect, theme};
use crate::store::{Snapshot, WINDOW_DAYS};

/// What picking an entry does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// Show top-level screen `tab` and open the record `id` on it (`None`:
    /// the screen itself).
    Jump {
        tab: usize,
        id: Option<String>,
    },
    /// Window of this index into `store::WINDOW_DAYS`.
    Window(usize),
    Theme(ThemeName),
    TogglePolling,
    PollNow,
    ReleaseWindow,
    Save,
    Help,
    Quit,
}

/// One line of the palette: what it says (matched against) and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `team payments`, `incident INC-42 checkout latency`, `window 90d`.
    pub label: String,
    pub pick: Pick,
}

/// The commands the palette runs, besides jumps.
pub fn commands() -> Vec<Entry> {
    let mut out: Vec<Entry> = crate::store::WINDOW_DAYS
        .iter()
        .enumerate()
        .map(|(i, d)| Entry {
            label: format!("window {d}d"),
            pick: Pick::Window(i),
        })
        .collect();
    out.extend(ThemeName::ALL.iter().map(|(n, t)| Entry {
        label: format!("theme {n}"),
        pick: Pick::Theme(*t),
    }));
    for (label, pick) in [
        ("pause polling / resume", Pick::TogglePolling),
        ("poll now", Pick::PollNow),
        ("release window on / off", Pick::ReleaseWindow),
        ("save the screen", Pick::Save),
        ("help: the keys", Pick::Help),
        ("quit", Pick::Quit),
    ] {
        out.push(Entry {
            label: label.to_string(),
            pick,
        });
    }
    out
}

/// Entries shown at most (the best matches).
pub const SHOWN: usize = 200;

/// The open palette.
#[derive(Debug)]
pub struct Palette {
    pub text: String,
    entries: Vec<Entry>,
    /// Indices into `entries`, best match first.
    pub matches: Vec<usize>,
    pub selected: usize,
}

/// What a key did in the palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteKey {
    Redraw,
    Nothing,
    Close,
    Picked(Pick),
}

impl Palette {
    pub fn new(entries: Vec<Entry>) -> Self {
        let mut p = Self {
            text: String::new(),
            entries,
            matches: Vec::new(),
            selected: 0,
        };
        p.rematch();
        p
    }

    pub fn entry(&self, i: usize) -> Option<&Entry> {
        self.entries.get(*self.matches.get(i)?)
    }

    /// Every entry when the text is empty, else the fuzzy matches by score
    /// (ties in entry order).
    fn rematch(&mut self) {
        self.selected = 0;
        if self.text.trim().is_empty() {
            self.matches = (0..self.entries.len().min(SHOWN)).collect();
            return;
        }
        let pattern = Pattern::parse(&self.text, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let labels = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| Label(i, e.label.as_str()));
        let mut scored = pattern.match_list(labels, &mut matcher);
        scored.sort_by_key(|(l, score)| (std::cmp::Reverse(*score), l.0));
        self.matches = scored.into_iter().take(SHOWN).map(|(l, _)| l.0).collect();
    }

    pub fn key(&mut self, action: Action) -> PaletteKey {
        if super::list_filter::edit(&mut self.text, action) {
            self.rematch();
            return PaletteKey::Redraw;
        }
        let last = self.matches.len().saturating_sub(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Back => return PaletteKey::Close,
            Action::Open => {
                return match self.entry(self.selected) {
                    Some(e) => PaletteKey::Picked(e.pick.clone()),
                    None => PaletteKey::Nothing,
                };
            }
            _ => return PaletteKey::Nothing,
        }
        PaletteKey::Redraw
    }
}

/// The palette's part of the app: opening it, its keys, and what a pick does.
impl super::App {
    /// `:`: the palette on every screen, every tab's records and the commands.
    pub(super) fn open_palette(&mut self, snapshot: &Snapshot) {
        let ctx = self.ctx(snapshot);
        let mut entries = Vec::new();
        for (tab, slot) in self.tabs.iter().enumerate() {
            entries.push(Entry {
                label: format!("screen {} {}", tab + 1, slot.screen.name()),
                pick: Pick::Jump { tab, id: None },
            });
        }
        for (tab, slot) in self.tabs.iter().enumerate() {
            for (kind, label, id) in slot.screen.targets(&ctx) {
                entries.push(Entry {
                    label: format!("{kind} {label}"),
                    pick: Pick::Jump { tab, id: Some(id) },
                });
            }
        }
        entries.extend(commands());
        self.palette = Some(Palette::new(entries));
    }

    pub(super) fn palette_key(&mut self, action: Action, snapshot: &Snapshot) -> Effect {
        let Some(p) = self.palette.as_mut() else {
            return Effect::Nothing;
        };
        match p.key(action) {
            PaletteKey::Redraw => Effect::Redraw,
            PaletteKey::Nothing => Effect::Nothing,
            PaletteKey::Close => {
                self.palette = None;
                Effect::Redraw
            }
            PaletteKey::Picked(pick) => {
                self.palette = None;
                self.pick(pick, snapshot)
            }
        }
    }

    /// Carries out a palette entry.
    pub(super) fn pick(&mut self, pick: Pick, snapshot: &Snapshot) -> Effect {
        match pick {
            Pick::Jump { tab, id } => {
                self.global_key(Action::Show(tab), snapshot);
                let Some(id) = id else {
                    return Effect::Redraw;
                };
                let ctx = self.ctx(snapshot);
                let slot = &mut self.tabs[self.tab];
                if let Reply::Open(screen) = slot.screen.open_id(&id, &ctx, &mut slot.cursor) {
                    let mut slot = Slot::new(screen);
                    slot.refresh(&ctx);
                    self.stack.push(slot);
                }
                Effect::Redraw
            }
            Pick::Window(i) => {
                self.window = i.min(WINDOW_DAYS.len() - 1);
                self.refresh(snapshot);
                Effect::Redraw
            }
            Pick::Theme(name) => {
                self.theme = theme::Theme::new(name, self.theme.depth);
                self.refresh(snapshot);
                Effect::Redraw
            }
            Pick::TogglePolling => self.global_key(Action::TogglePolling, snapshot),
            Pick::PollNow => self.global_key(Action::PollNow, snapshot),
            Pick::ReleaseWindow => self.alert_key(Action::ReleaseWindow),
            Pick::Save => Effect::SaveScreen,
            Pick::Help => self.global_key(Action::ToggleHelp, snapshot),
            Pick::Quit => self.quit(),
        }
    }
}

/// An entry's label with its index, for the matcher.
struct Label<'a>(usize, &'a str);

impl AsRef<str> for Label<'_> {
    fn as_ref(&self) -> &str {
        self.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jump(label: &str, tab: usize) -> Entry {
        Entry {
            label: label.to_string(),
            pick: Pick::Jump {
                tab,
                id: Some(label.to_string()),
            },
        }
    }

    #[test]
    fn typing_narrows_by_fuzzy_match_and_enter_picks_the_selected() {
        let mut entries = vec![jump("team payments", 0), jump("team platform", 0)];
        entries.push(jump("incident INC-7 checkout down", 2));
        entries.extend(commands());
        let mut p = Palette::new(entries);
        assert_eq!(p.matches.len(), p.entries.len());
        for c in "inc7".chars() {
            p.key(Action::Type(c));
        }
        assert_eq!(
            p.entry(0).map(|e| e.label.as_str()),
            Some("incident INC-7 checkout down")
        );
        p.key(Action::ClearPrompt);
        for c in "win 90".chars() {
            p.key(Action::Type(c));
        }
        assert_eq!(p.key(Action::Open), PaletteKey::Picked(Pick::Window(2)));
        p.key(Action::ClearPrompt);
        for c in "pla".chars() {
            p.key(Action::Type(c));
        }
        // Both teams match; Down moves to the second.
        p.key(Action::Down);
        assert!(p.entry(p.selected).is_some());
        p.key(Action::ClearPrompt);
        for c in "zzzz".chars() {
            p.key(Action::Type(c));
        }
        assert!(p.matches.is_empty());
        assert_eq!(p.key(Action::Open), PaletteKey::Nothing);
        assert_eq!(p.key(Action::Back), PaletteKey::Close);
    }
}
