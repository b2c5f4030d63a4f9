//! Keys as data: one table of global keys, plus the keys each screen declares
//! (`Screen::keys`), drive both dispatch and the help screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Action;

/// One binding: the key, the action, what the help screen says and (for a
/// screen's own keys) the word the status bar shows after the key.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub code: KeyCode,
    pub ctrl: bool,
    pub keys: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub hint: &'static str,
}

pub const fn key(code: KeyCode, keys: &'static str, action: Action, help: &'static str) -> Binding {
    Binding {
        code,
        ctrl: false,
        keys,
        action,
        help,
        hint: "",
    }
}

impl Binding {
    /// The same binding with a status-bar hint.
    pub const fn hint(self, hint: &'static str) -> Self {
        Self { hint, ..self }
    }
}

/// Global bindings, in the order the help screen lists them. Bindings with an
/// empty `keys` label are listed by a sibling (arrows and vi keys, 1 2 …, a A),
/// so that the help fits a 24-row terminal. A digit shows the screen of that
/// number in the top bar, however many are registered.
pub const BINDINGS: &[Binding] = &[
    key(
        KeyCode::Char('1'),
        "1 2 …",
        Action::Show(0),
        "switch screen (numbered in the top bar)",
    ),
    key(KeyCode::Char('2'), "", Action::Show(1), ""),
    key(KeyCode::Char('3'), "", Action::Show(2), ""),
    key(KeyCode::Char('4'), "", Action::Show(3), ""),
    key(KeyCode::Char('5'), "", Action::Show(4), ""),
    key(KeyCode::Char('6'), "", Action::Show(5), ""),
    key(KeyCode::Char('7'), "", Action::Show(6), ""),
    key(KeyCode::Char('8'), "", Action::Show(7), ""),
    key(KeyCode::Char('9'), "", Action::Show(8), ""),
    key(
        KeyCode::Tab,
        "Tab → ←",
        Action::NextScreen,
        "next screen / previous (← or Shift-Tab)",
    ),
    key(KeyCode::Right, "", Action::NextScreen, ""),
    key(KeyCode::BackTab, "", Action::PreviousScreen, ""),
    key(KeyCode::Left, "", Action::PreviousScreen, ""),
    key(KeyCode::Down, "↓ ↑ j k", Action::Down, "move down / up"),
    key(KeyCode::Char('j'), "", Action::Down, ""),
    key(KeyCode::Up, "", Action::Up, ""),
    key(KeyCode::Char('k'), "", Action::Up, ""),
    key(
        KeyCode::PageDown,
        "PgDn PgUp",
        Action::PageDown,
        "page down / up",
    ),
    key(KeyCode::PageUp, "", Action::PageUp, ""),
    key(
        KeyCode::Home,
        "g G",
        Action::Top,
        "first / last row (Home End)",
    ),
    key(KeyCode::Char('g'), "", Action::Top, ""),
    key(KeyCode::End, "", Action::Bottom, ""),
    key(KeyCode::Char('G'), "", Action::Bottom, ""),
    key(KeyCode::Esc, "Esc", Action::Back, "go back / close help"),
    key(KeyCode::Backspace, "", Action::Back, ""),
    key(
        KeyCode::Char('['),
        "[ ]",
        Action::WindowShorter,
        "window 7 / 30 / 90 days",
    ),
    key(KeyCode::Char(']'), "", Action::WindowLonger, ""),
    key(
        KeyCode::Char('?'),
        "?",
        Action::ToggleHelp,
        "show / hide keys",
    ),
    key(
        KeyCode::Char('w'),
        "w",
        Action::ReleaseWindow,
        "release-window mode (alerts, bell)",
    ),
    key(
        KeyCode::Char('a'),
        "a A",
        Action::Acknowledge,
        "acknowledge the newest / all alerts",
    ),
    key(KeyCode::Char('A'), "", Action::AcknowledgeAll, ""),
    key(
        KeyCode::Char('f'),
        "f",
        Action::FocusFeed,
        "select alerts in the feed (Enter opens)",
    ),
    key(
        KeyCode::Char('p'),
        "p",
        Action::TogglePolling,
        "pause / resume polling of sources",
    ),
    key(
        KeyCode::Char('r'),
        "r",
        Action::PollNow,
        "poll every source now",
    ),
    key(
        KeyCode::Char(':'),
        ":",
        Action::Palette,
        "palette: jump anywhere, run commands",
    ),
    key(
        KeyCode::Char('y'),
        "y",
        Action::Yank,
        "copy the selected id to the clipboard",
    ),
    key(
        KeyCode::Char('s'),
        "s",
        Action::SaveScreen,
        "save the screen as .txt and .html here",
    ),
    key(
        KeyCode::Char(' '),
        "Space",
        Action::ReplayPause,
        "replay: pause / resume",
    ),
    key(
        KeyCode::Char('>'),
        "> <",
        Action::ReplayFaster,
        "replay: faster / slower",
    ),
    key(KeyCode::Char('<'), "", Action::ReplaySlower, ""),
    Binding {
        code: KeyCode::Char('z'),
        ctrl: true,
        keys: "Ctrl-Z",
        action: Action::Suspend,
        help: "suspend (fg resumes)",
        hint: "",
    },
    key(
        KeyCode::Char('q'),
        "q",
        Action::Quit,
        "back; on a top screen, quit",
    ),
    Binding {
        code: KeyCode::Char('c'),
        ctrl: true,
        keys: "Ctrl-C",
        action: Action::QuitNow,
        help: "quit at once",
        hint: "",
    },
];

/// The bindings `?` lists: the screen's own, then the global ones; one line
/// per labelled binding.
pub fn help_bindings(screen: &'static [Binding]) -> impl Iterator<Item = &'static Binding> {
    screen.iter().chain(BINDINGS).filter(|b| !b.keys.is_empty())
}

/// How many lines the `?` help lists for a screen with these keys.
pub fn help_lines(screen: &'static [Binding]) -> usize {
    help_bindings(screen).count()
}

/// The action bound to a key press, if any: the screen's keys first.
pub fn action_for(event: &KeyEvent, screen: &[Binding]) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    screen
        .iter()
        .chain(BINDINGS)
        .find(|b| b.code == event.code && b.ctrl == ctrl)
        .map(|b| b.action)
}

/// Keys while a prompt is open: text goes into the prompt.
pub fn prompt_action(event: &KeyEvent) -> Option<Action> {
    if event.modifiers.contains(KeyModifiers::CONTROL) {
        return match event.code {
            KeyCode::Char('c') => Some(Action::QuitNow),
            KeyCode::Char('u') => Some(Action::ClearPrompt),
            KeyCode::Char('w') => Some(Action::EraseWord),
            _ => None,
        };
    }
    match event.code {
        KeyCode::Char(c) => Some(Action::Type(c)),
        KeyCode::Backspace => Some(Action::Erase),
        KeyCode::Enter => Some(Action::Open),
        KeyCode::Esc => Some(Action::Back),
        // The palette's list moves under the text.
        KeyCode::Down => Some(Action::Down),
        KeyCode::Up => Some(Action::Up),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_c_quits_and_plain_c_does_nothing() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl_c, &[]), Some(Action::QuitNow));
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(action_for(&c, &[]), None);
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&shift_g, &[]), Some(Action::Bottom));
    }

    #[test]
    fn every_key_is_bound_once() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(
                    !(a.code == b.code && a.ctrl == b.ctrl),
                    "{:?} bound twice",
                    a.code
                );
            }
        }
    }
}
