//! Keys as data: one table drives both dispatch and the help screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Action, Screen};

/// One binding: the key, the action, and what the help screen says.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub code: KeyCode,
    pub ctrl: bool,
    pub keys: &'static str,
    pub action: Action,
    pub help: &'static str,
}

const fn key(code: KeyCode, keys: &'static str, action: Action, help: &'static str) -> Binding {
    Binding {
        code,
        ctrl: false,
        keys,
        action,
        help,
    }
}

/// Global bindings, in the order the help screen lists them. Bindings with an
/// empty `keys` label are listed by a sibling (arrows and vi keys, 1 … 5, a A),
/// so that the help fits a 24-row terminal.
pub const BINDINGS: &[Binding] = &[
    key(
        KeyCode::Char('1'),
        "1 … 5",
        Action::Show(Screen::Overview),
        "switch screen (named in the top bar)",
    ),
    key(KeyCode::Char('2'), "", Action::Show(Screen::Lanes), ""),
    key(KeyCode::Char('3'), "", Action::Show(Screen::Incidents), ""),
    key(KeyCode::Char('4'), "", Action::Show(Screen::Findings), ""),
    key(KeyCode::Char('5'), "", Action::Show(Screen::Sources), ""),
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
    key(
        KeyCode::Enter,
        "Enter",
        Action::Open,
        "open the selected row",
    ),
    key(
        KeyCode::Esc,
        "Esc",
        Action::Back,
        "go back / close help / clear the filter",
    ),
    key(KeyCode::Backspace, "", Action::Back, ""),
    key(
        KeyCode::Char('['),
        "[ ]",
        Action::WindowShorter,
        "window 7 / 30 / 90 days",
    ),
    key(KeyCode::Char(']'), "", Action::WindowLonger, ""),
    key(
        KeyCode::Char('/'),
        "/",
        Action::Filter,
        "filter findings: sev: status: team: fw:",
    ),
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
    key(KeyCode::Char('q'), "q", Action::Quit, "quit"),
    Binding {
        code: KeyCode::Char('c'),
        ctrl: true,
        keys: "Ctrl-C",
        action: Action::Quit,
        help: "quit",
    },
];

/// How many lines the `?` help lists: one per labelled binding.
pub fn help_lines() -> usize {
    BINDINGS.iter().filter(|b| !b.keys.is_empty()).count()
}

/// The action bound to a key press, if any.
pub fn action_for(event: &KeyEvent) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    BINDINGS
        .iter()
        .find(|b| b.code == event.code && b.ctrl == ctrl)
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_c_quits_and_plain_c_does_nothing() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl_c), Some(Action::Quit));
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(action_for(&c), None);
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&shift_g), Some(Action::Bottom));
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
