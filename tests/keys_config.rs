//! `[keys]`: rebinding and unbinding actions, and each kind of mistake
//! reported on its line before the cockpit starts.

use std::process::Command;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use flightdeck::app::Action;
use flightdeck::app::keys_config::{Keymap, parse_key};
use flightdeck::model::settings::KeyLine;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::support as common;

fn lines(table: &[(&str, &[&str])]) -> Vec<KeyLine> {
    table
        .iter()
        .enumerate()
        .map(|(n, (action, keys))| KeyLine {
            action: action.to_string(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line: n + 2,
        })
        .collect()
}

fn build(table: &[(&str, &[&str])]) -> Result<Keymap, Vec<String>> {
    Keymap::build(&lines(table), &flightdeck::ui::screens::all_keys()).map_err(|ps| {
        ps.into_iter()
            .map(|p| format!("{}:{}: {}", p.line, p.key, p.message))
            .collect()
    })
}

fn press(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn a_rebound_action_takes_the_new_keys_and_leaves_the_old_ones() {
    let map = build(&[("quit", &["x", "ctrl-q"]), ("help", &["F1"])]).expect("valid");
    assert_eq!(map.action_for(&press('x'), &[]), Some(Action::Quit));
    let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(&ctrl_q, &[]), Some(Action::Quit));
    assert_eq!(map.action_for(&press('q'), &[]), None, "q is free now");
    assert_eq!(map.action_for(&press('?'), &[]), None);
    let f1 = KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE);
    assert_eq!(map.action_for(&f1, &[]), Some(Action::ToggleHelp));
    // Keys nobody rebound still work, and Ctrl-C still quits at once.
    assert_eq!(map.action_for(&press('j'), &[]), Some(Action::Down));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(&ctrl_c, &[]), Some(Action::QuitNow));
    // The status bar and the help show the keys in force.
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.keymap = map;
    app.refresh(&snapshot);
    let draw = |app: &flightdeck::app::App| {
        let mut t = Terminal::new(TestBackend::new(160, 40)).expect("backend");
        t.draw(|f| flightdeck::ui::render(f, app, &snapshot))
            .expect("draw");
        let buf = t.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let screen = draw(&app);
    let status = screen.lines().last().unwrap_or_default();
    assert!(status.ends_with("F1 help  x quit "), "{status}");
    app.update(Action::ToggleHelp, &snapshot);
    let help = draw(&app);
    assert!(
        help.contains(" x ctrl-q  back; on a top screen, quit"),
        "{help}"
    );
    assert!(help.contains(" F1        show / hide keys"), "{help}");
}

#[test]
fn an_empty_list_unbinds_and_a_sibling_action_gets_its_own_help_line() {
    let map = build(&[("help", &[]), ("up", &["i"])]).expect("valid");
    assert_eq!(map.action_for(&press('?'), &[]), None);
    assert_eq!(map.action_for(&press('i'), &[]), Some(Action::Up));
    assert_eq!(map.action_for(&press('k'), &[]), None);
    assert_eq!(map.extra_lines(&[]), [("i".to_string(), "up")]);
    // A screen's own action rebound works only where the screen has it.
    let map = build(&[("gates", &["G"]), ("bottom", &["end"])]).expect("valid");
    let overview = flightdeck::ui::screens::all_keys()[0];
    assert_eq!(
        map.action_for(&press('G'), overview),
        Some(Action::ToggleGates)
    );
    assert_eq!(map.action_for(&press('G'), &[]), None, "no gates elsewhere");
}

#[test]
fn each_kind_of_mistake_is_named_on_its_line() {
    assert_eq!(
        build(&[("quitt", &["x"])]).err(),
        Some(vec![
            "2:keys.quitt: unknown action; did you mean `quit`?".to_string()
        ])
    );
    let e = build(&[("frobnicate", &["x"])]).expect_err("an error");
    assert!(
        e[0].starts_with("2:keys.frobnicate: unknown action (the actions are quit, quit_now, help"),
        "{e:?}"
    );
    assert_eq!(
        build(&[("help", &["hyper-h"])]).err().map(|e| e[0].clone()),
        Some("2:keys.help: `hyper-h` is not a key (one character, `ctrl-x`, or enter esc tab shift-tab space backspace up down left right pageup pagedown home end f1..f12)".to_string())
    );
    assert_eq!(
        build(&[("help", &["ctrl-"])]).err(),
        Some(vec![
            "2:keys.help: `ctrl-` is not a key: Ctrl goes with one letter or digit, e.g. `ctrl-x`"
                .to_string()
        ])
    );
    assert_eq!(
        build(&[("help", &[" "])]).err(),
        Some(vec![
            "2:keys.help: ` ` is not a key; write `space` for the space bar".to_string()
        ])
    );
    // A key another action keeps: a global one, a screen's, or another rebinding.
    assert_eq!(
        build(&[("quit", &["j"])]).err(),
        Some(vec![
            "2:keys.quit: `j` is also the key of `down`; unbind or rebind that one too".to_string()
        ])
    );
    assert_eq!(
        build(&[("quit", &["v"])]).err(),
        Some(vec![
            "2:keys.quit: `v` is also the key of `gates`; unbind or rebind that one too"
                .to_string()
        ])
    );
    let both = build(&[("quit", &["x"]), ("help", &["x"])]).expect_err("an error");
    assert_eq!(both.len(), 2, "{both:?}");
    // Moving a key: the action that had it is rebound too, so no conflict.
    assert!(build(&[("quit", &["j"]), ("down", &["n"])]).is_ok());
    assert_eq!(
        build(&[("quit", &[]), ("quit_now", &[])]).err(),
        Some(vec![
            "2:keys: no key is left to quit: keep `quit` or `quit_now` bound".to_string()
        ])
    );
    assert!(parse_key("pgdn").is_ok() && parse_key("f13").is_err());
}

#[test]
fn check_and_the_cockpit_refuse_a_bad_keys_table_with_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[ui]\ntheme = \"dark\"\n\n[keys]\nquit = \"j\"\nhelp = 3\n",
    )
    .expect("write config");
    for args in [&["check", "--offline"][..], &[][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
            .args(args)
            .arg("--config")
            .arg(&path)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        // The shape is checked with the rest of the file.
        assert!(
            stderr.contains(&format!(
                "{}:6: keys.help: expected a key (\"x\") or a list of keys",
                path.display()
            )),
            "{stderr}"
        );
    }
    std::fs::write(&path, "[keys]\nquit = \"j\"\n").expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["check", "--offline", "--config"])
        .arg(&path)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains(&format!(
            "{}:2: keys.quit: `j` is also the key of `down`",
            path.display()
        )),
        "{stderr}"
    );
}
