//! The keys in force: the built-in table ([`super::keymap`]) with the
//! config's `[keys]` rebinding applied. An action named in `[keys]` loses its
//! built-in keys and takes the listed ones (`[]` unbinds it). Pure: the config
//! reader hands in the names and key texts with their lines; a mistake comes
//! back as a problem on that line.

use std::borrow::Cow;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Action;
use super::keymap::{BINDINGS, Binding};
use crate::model::settings::KeyLine;

/// The name `[keys]` uses for each action a key can trigger.
pub const ACTIONS: &[(&str, Action)] = &[
    ("quit", Action::Quit),
    ("quit_now", Action::QuitNow),
    ("help", Action::ToggleHelp),
    ("down", Action::Down),
    ("up", Action::Up),
    ("page_down", Action::PageDown),
    ("page_up", Action::PageUp),
    ("top", Action::Top),
    ("bottom", Action::Bottom),
    ("open", Action::Open),
    ("back", Action::Back),
    ("next_screen", Action::NextScreen),
    ("previous_screen", Action::PreviousScreen),
    ("screen_1", Action::Show(0)),
    ("screen_2", Action::Show(1)),
    ("screen_3", Action::Show(2)),
    ("screen_4", Action::Show(3)),
    ("screen_5", Action::Show(4)),
    ("screen_6", Action::Show(5)),
    ("screen_7", Action::Show(6)),
    ("screen_8", Action::Show(7)),
    ("screen_9", Action::Show(8)),
    ("window_shorter", Action::WindowShorter),
    ("window_longer", Action::WindowLonger),
    ("release_window", Action::ReleaseWindow),
    ("acknowledge", Action::Acknowledge),
    ("acknowledge_all", Action::AcknowledgeAll),
    ("alert_feed", Action::FocusFeed),
    ("pause_polling", Action::TogglePolling),
    ("poll_now", Action::PollNow),
    ("save_screen", Action::SaveScreen),
    ("copy_id", Action::Yank),
    ("palette", Action::Palette),
    ("suspend", Action::Suspend),
    ("replay_pause", Action::ReplayPause),
    ("replay_faster", Action::ReplayFaster),
    ("replay_slower", Action::ReplaySlower),
    ("filter", Action::Filter),
    ("sort", Action::SortNext),
    ("sort_reverse", Action::SortReverse),
    ("gates", Action::ToggleGates),
    ("unattributed", Action::Unattributed),
    ("show_resolved", Action::ToggleResolved),
    ("trends", Action::ToggleTrends),
    ("next_metric", Action::NextMetric),
    ("week_earlier", Action::WeekEarlier),
    ("week_later", Action::WeekLater),
];

/// One key: a code, Ctrl or not, and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub label: String,
}

impl Key {
    fn matches(&self, event: &KeyEvent) -> bool {
        self.code == event.code && self.ctrl == event.modifiers.contains(KeyModifiers::CONTROL)
    }

    fn same(&self, b: &Binding) -> bool {
        self.code == b.code && self.ctrl == b.ctrl
    }
}

/// Parses a key as written in `[keys]`: one character (`x`, `X`, `/`),
/// `ctrl-x`, or a name (`enter` `esc` `tab` `shift-tab` `space` `backspace`
/// `up` `down` `left` `right` `pageup` `pagedown` `home` `end` `f1`..`f12`).
pub fn parse_key(text: &str) -> Result<Key, String> {
    let label = text.to_string();
    let lower = text.to_ascii_lowercase();
    if let Some(rest) = lower
        .strip_prefix("ctrl-")
        .or_else(|| lower.strip_prefix("c-"))
    {
        let mut chars = rest.chars();
        return match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphanumeric() => Ok(Key {
                code: KeyCode::Char(c),
                ctrl: true,
                label,
            }),
            _ => Err(format!(
                "`{text}` is not a key: Ctrl goes with one letter or digit, e.g. `ctrl-x`"
            )),
        };
    }
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_control() || c == ' ' {
            return Err(format!(
                "`{text}` is not a key; write `space` for the space bar"
            ));
        }
        return Ok(Key {
            code: KeyCode::Char(c),
            ctrl: false,
            label,
        });
    }
    let code = match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "shift-tab" | "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        f if f.starts_with('f') => match f[1..].parse::<u8>() {
            Ok(n @ 1..=12) => KeyCode::F(n),
            _ => return Err(unknown_key(text)),
        },
        _ => return Err(unknown_key(text)),
    };
    Ok(Key {
        code,
        ctrl: false,
        label,
    })
}

fn unknown_key(text: &str) -> String {
    format!(
        "`{text}` is not a key (one character, `ctrl-x`, or enter esc tab shift-tab space \
         backspace up down left right pageup pagedown home end f1..f12)"
    )
}

/// A mistake in `[keys]`: its line, the key path and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// The keys in force.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    /// The actions `[keys]` names, with their keys (empty: unbound).
    rebound: Vec<(Action, Vec<Key>)>,
}

impl Keymap {
    /// Applies `[keys]` to the built-in table. `screens` are the keys the
    /// screens declare, so that a new key cannot hide one of theirs.
    pub fn build(lines: &[KeyLine], screens: &[&[Binding]]) -> Result<Self, Vec<KeyProblem>> {
        let mut problems = Vec::new();
        let mut map = Keymap::default();
        let mut lines_of: Vec<usize> = Vec::new();
        for l in lines {
            let path = format!("keys.{}", l.action);
            let problem = |message: String| KeyProblem {
                line: l.line,
                key: path.clone(),
                message,
            };
            let Some(&(_, action)) = ACTIONS.iter().find(|(n, _)| *n == l.action) else {
                let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
                problems.push(problem(
                    match crate::util::text::closest(&l.action, &names) {
                        Some(s) => format!("unknown action; did you mean `{s}`?"),
                        None => format!("unknown action (the actions are {})", names.join(", ")),
                    },
                ));
                continue;
            };
            let mut keys = Vec::new();
            for text in &l.keys {
                match parse_key(text) {
                    Ok(k) => keys.push(k),
                    Err(e) => problems.push(problem(e)),
                }
            }
            map.rebound.push((action, keys));
            lines_of.push(l.line);
        }
        map.conflicts(&lines_of, screens, &mut problems);
        let quits = [Action::Quit, Action::QuitNow]
            .iter()
            .any(|&a| map.keys_of(a).next().is_some());
        if !quits {
            problems.push(KeyProblem {
                line: lines_of.first().copied().unwrap_or(1),
                key: "keys".into(),
                message: "no key is left to quit: keep `quit` or `quit_now` bound".into(),
            });
        }
        if problems.is_empty() {
            return Ok(map);
        }
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }

    /// A new key that already does something else, built in or rebound.
    fn conflicts(&self, lines: &[usize], screens: &[&[Binding]], out: &mut Vec<KeyProblem>) {
        for (n, (action, keys)) in self.rebound.iter().enumerate() {
            for k in keys {
                let other = self
                    .rebound
                    .iter()
                    .enumerate()
                    .find(|(m, (_, ks))| {
                        *m != n && ks.iter().any(|o| o.code == k.code && o.ctrl == k.ctrl)
                    })
                    .map(|(_, (a, _))| *a)
                    .or_else(|| {
                        screens
                            .iter()
                            .flat_map(|s| s.iter())
                            .chain(BINDINGS)
                            .find(|b| {
                                b.action != *action && !self.is_rebound(b.action) && k.same(b)
                            })
                            .map(|b| b.action)
                    });
                if let Some(other) = other {
                    out.push(KeyProblem {
                        line: lines[n],
                        key: format!("keys.{}", name_of(*action)),
                        message: format!(
                            "`{}` is also the key of `{}`; unbind or rebind that one too",
                            k.label,
                            name_of(other)
                        ),
                    });
                }
            }
        }
    }

    fn is_rebound(&self, action: Action) -> bool {
        self.rebound.iter().any(|(a, _)| *a == action)
    }

    /// The keys of `action` in force (its rebound keys, else its built-in ones).
    fn keys_of(&self, action: Action) -> impl Iterator<Item = Key> + '_ {
        let rebound = self.rebound.iter().find(|(a, _)| *a == action);
        let built_in = BINDINGS
            .iter()
            .filter(move |b| rebound.is_none() && b.action == action)
            .map(|b| Key {
                code: b.code,
                ctrl: b.ctrl,
                label: b.keys.to_string(),
            });
        rebound
            .into_iter()
            .flat_map(|(_, ks)| ks.iter().cloned())
            .chain(built_in)
    }

    /// The action a key press triggers on a screen with these keys.
    pub fn action_for(&self, event: &KeyEvent, screen: &[Binding]) -> Option<Action> {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let global = |a: Action| BINDINGS.iter().any(|b| b.action == a);
        let rebound = self.rebound.iter().find(|(a, keys)| {
            keys.iter().any(|k| k.matches(event))
                && (global(*a) || screen.iter().any(|b| b.action == *a))
        });
        if let Some((a, _)) = rebound {
            return Some(*a);
        }
        screen
            .iter()
            .chain(BINDINGS)
            .filter(|b| !self.is_rebound(b.action))
            .find(|b| b.code == event.code && b.ctrl == ctrl)
            .map(|b| b.action)
    }

    /// What the help and the status bar call a binding's keys: its own label,
    /// or the keys `[keys]` gave its action (`-` when unbound).
    pub fn label<'a>(&'a self, b: &'a Binding) -> Cow<'a, str> {
        match self.rebound.iter().find(|(a, _)| *a == b.action) {
            None => Cow::Borrowed(b.keys),
            Some((_, keys)) if keys.is_empty() => Cow::Borrowed("-"),
            Some((_, keys)) => Cow::Owned(
                keys.iter()
                    .map(|k| k.label.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }

    /// Rebound actions that the help lists under no label of their own (e.g.
    /// `up`, listed with `down` as `↓ ↑ j k`): their keys and name.
    pub fn extra_lines(&self, screen: &[Binding]) -> Vec<(String, &'static str)> {
        self.rebound
            .iter()
            .filter(|(a, _)| {
                !screen
                    .iter()
                    .chain(BINDINGS)
                    .any(|b| b.action == *a && !b.keys.is_empty())
            })
            .filter(|(_, keys)| !keys.is_empty())
            .map(|(a, keys)| {
                let label = keys.iter().map(|k| k.label.as_str()).collect::<Vec<_>>();
                (label.join(" "), name_of(*a))
            })
            .collect()
    }

    /// The keys of `action` as the status bar shows them (`q`), if bound.
    pub fn short(&self, action: Action) -> Option<String> {
        self.keys_of(action)
            .next()
            .map(|k| k.label.split(' ').next().unwrap_or_default().to_string())
    }
}

/// The `[keys]` name of an action.
pub fn name_of(action: Action) -> &'static str {
    ACTIONS
        .iter()
        .find(|(_, a)| *a == action)
        .map_or("?", |(n, _)| n)
}
