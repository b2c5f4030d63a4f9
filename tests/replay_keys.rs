//! The replay and snapshot keys: what `update` asks the cockpit to do, and what
//! the status bar then shows; and the saved screen files from a rendered buffer.

use crate::support as common;

use flightdeck::app::{Action, App, Effect, ReplayControl};
use flightdeck::ui;
use flightdeck::ui::screen_export;
use flightdeck::util::clock::ReplayStatus;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

fn draw(app: &App) -> Buffer {
    let snapshot = common::demo_snapshot();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    terminal
        .draw(|f| ui::render(f, app, &snapshot))
        .expect("draws");
    terminal.backend().buffer().clone()
}

fn status_line(buf: &Buffer) -> String {
    screen_export::to_text(buf)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

#[test]
fn replay_keys_steer_the_replay_only_when_there_is_one() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    assert_eq!(app.update(Action::ReplayPause, &snapshot), Effect::Nothing);
    assert_eq!(app.update(Action::ReplayFaster, &snapshot), Effect::Nothing);
    app.replay = Some(ReplayStatus {
        speed: 60.0,
        paused: false,
        ended: false,
    });
    assert_eq!(
        app.update(Action::ReplayPause, &snapshot),
        Effect::Replay(ReplayControl::TogglePause)
    );
    assert_eq!(
        app.update(Action::ReplayFaster, &snapshot),
        Effect::Replay(ReplayControl::Faster)
    );
    // They work with the help open, and so does the snapshot key.
    app.update(Action::ToggleHelp, &snapshot);
    assert_eq!(
        app.update(Action::ReplaySlower, &snapshot),
        Effect::Replay(ReplayControl::Slower)
    );
    assert_eq!(
        app.update(Action::SaveScreen, &snapshot),
        Effect::SaveScreen
    );
    assert!(app.help);
}

#[test]
fn the_status_bar_shows_replay_speed_pause_and_messages() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    assert!(!status_line(&draw(&app)).contains("replay"));
    app.replay = Some(ReplayStatus {
        speed: 60.0,
        paused: false,
        ended: false,
    });
    assert!(status_line(&draw(&app)).contains("▶ replay 60x"));
    app.replay = Some(ReplayStatus {
        speed: 3600.0,
        paused: true,
        ended: false,
    });
    assert!(status_line(&draw(&app)).contains("⏸ replay paused 3600x"));
    app.message = Some("saved flightdeck-screen-20261130-061500.txt and .html".into());
    let line = status_line(&draw(&app));
    assert!(
        line.contains("saved flightdeck-screen-20261130-061500.txt and .html"),
        "{line}"
    );
    // The next key clears the message.
    app.update(Action::Down, &snapshot);
    assert_eq!(app.message, None);
}

#[test]
fn a_saved_screen_holds_the_text_and_colours_of_the_buffer() {
    let app = common::app();
    let buf = draw(&app);
    let dir = std::env::temp_dir().join(format!("fd-screen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (txt, html) = flightdeck::commands::screen_save::save(&buf, &dir).expect("saved");
    let (txt2, _) = flightdeck::commands::screen_save::save(&buf, &dir).expect("saved twice");
    assert_ne!(txt, txt2, "a second save does not overwrite the first");
    let text = std::fs::read_to_string(&txt).expect("text file");
    assert_eq!(text, screen_export::to_text(&buf));
    assert!(text.contains("1 Overview") && text.contains("payments"));
    assert_eq!(text.lines().count(), 40);
    let page = std::fs::read_to_string(&html).expect("html file");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("payments"));
    // The tier colours survive: red for low, green for elite (theme.rs).
    assert!(page.contains("color:#cd3131"), "red kept");
    assert!(page.contains("color:#0dbc79"), "green kept");
    let _ = std::fs::remove_dir_all(&dir);
}
